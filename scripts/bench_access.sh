#!/usr/bin/env bash
# Cached feed and 304, rate limits off and on (limits that never refuse), a public topic feed
# against the restricted feed of the same topic read with a Bearer key (issue 8 ratios).
# wrk -t2 -c64, 5 s per figure, two rounds, on the sample data. Usage: scripts/bench_access.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/wirefeed
w=$(mktemp -d)
mk() { # name limits
  sed -e "s|^seed_dir = \"data/articles\"|seed_dir = \"$PWD/data/articles\"|" feeds.toml > "$w/$1.toml"
  printf '\n[limits]\n%s\n' "$2" >> "$w/$1.toml"
}
mk off $'anonymous_per_minute = 0\nkey_per_minute = 0'
mk on $'anonymous_per_minute = 10000000\nkey_per_minute = 10000000\nburst = 1000000'
run() { wrk -t2 -c64 -d5s "$@" 2>/dev/null | awk '/Requests\/sec/ {print $2}'; }
for mode in off on; do
  port=$((18200 + RANDOM % 500))
  WIREFEED_LOG=error $bin --config "$w/$mode.toml" --database "$w/$mode.db" serve --bind 127.0.0.1:$port >/dev/null 2>&1 &
  pid=$!; sleep 3
  tok=$($bin --config "$w/$mode.toml" --database "$w/$mode.db" keys add b --role subscriber --feed embassy-briefing); sleep 0.5
  base=http://127.0.0.1:$port
  curl -s -o /dev/null "$base/feeds/bilateral-relations.rss"; curl -s -o /dev/null -H "Authorization: Bearer $tok" "$base/feeds/embassy-briefing.rss"
  etag=$(curl -sI "$base/feeds/bilateral-relations.rss" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')
  retag=$(curl -sI -H "Authorization: Bearer $tok" "$base/feeds/embassy-briefing.rss" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')
  for r in 1 2; do
    a=$(run "$base/feeds/bilateral-relations.rss")
    b=$(run -H "If-None-Match: $etag" "$base/feeds/bilateral-relations.rss")
    c=$(run -H "Authorization: Bearer $tok" "$base/feeds/embassy-briefing.rss")
    d=$(run -H "Authorization: Bearer $tok" -H "If-None-Match: $retag" "$base/feeds/embassy-briefing.rss")
    echo "limits=$mode round $r: public 200 $a, public 304 $b, restricted 200 $c, restricted 304 $d"
  done
  kill $pid; wait $pid 2>/dev/null || true
done
rm -rf "$w"
