#!/usr/bin/env bash
# Cached feed and 304, rate limits off and on (limits that never refuse), a public topic feed
# against the restricted feed of the same topic read with a Bearer key (issue 8 ratios).
# Both servers run at once and every round measures all eight figures in turn, so drift in the
# machine's speed falls on both sides of each ratio. wrk -t2 -c64, DUR seconds (default 5) per
# figure, ROUNDS rounds (default 3), on the sample data; prints medians and the ratios.
#   scripts/bench_access.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-5}
ROUNDS=${ROUNDS:-3}
cargo build --release --quiet
bin=target/release/wirefeed
w=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$w"' EXIT
mk() { # name limits
  sed -e "s|^seed_dir = \"data/articles\"|seed_dir = \"$PWD/data/articles\"|" feeds.toml > "$w/$1.toml"
  printf '\n[limits]\n%s\n' "$2" >> "$w/$1.toml"
}
mk off $'anonymous_per_minute = 0\nkey_per_minute = 0'
mk on $'anonymous_per_minute = 10000000\nkey_per_minute = 10000000\nburst = 1000000'
run() { wrk -t2 -c64 -d"${DUR}s" "$@" 2>/dev/null | awk '/Requests\/sec/ {print $2}'; }
declare -A base tok etag retag
for mode in off on; do
  port=$((18200 + RANDOM % 500))
  WIREFEED_LOG=error $bin --config "$w/$mode.toml" --database "$w/$mode.db" serve --bind 127.0.0.1:$port >/dev/null 2>&1 &
  pids+=($!)
  sleep 3
  tok[$mode]=$($bin --config "$w/$mode.toml" --database "$w/$mode.db" keys add b --role subscriber --feed embassy-briefing)
  sleep 0.5
  base[$mode]=http://127.0.0.1:$port
  curl -sf -o /dev/null "${base[$mode]}/feeds/bilateral-relations.rss"
  curl -sf -o /dev/null -H "Authorization: Bearer ${tok[$mode]}" "${base[$mode]}/feeds/embassy-briefing.rss"
  etag[$mode]=$(curl -sI "${base[$mode]}/feeds/bilateral-relations.rss" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')
  retag[$mode]=$(curl -sI -H "Authorization: Bearer ${tok[$mode]}" "${base[$mode]}/feeds/embassy-briefing.rss" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')
done
for r in $(seq 1 "$ROUNDS"); do
  order="off on"; [ $((r % 2)) = 0 ] && order="on off" # each side goes first in half the rounds
  for mode in $order; do
    b=${base[$mode]}
    a=$(run "$b/feeds/bilateral-relations.rss")
    p=$(run -H "If-None-Match: ${etag[$mode]}" "$b/feeds/bilateral-relations.rss")
    c=$(run -H "Authorization: Bearer ${tok[$mode]}" "$b/feeds/embassy-briefing.rss")
    d=$(run -H "Authorization: Bearer ${tok[$mode]}" -H "If-None-Match: ${retag[$mode]}" "$b/feeds/embassy-briefing.rss")
    printf '%s.pub200 %s\n%s.pub304 %s\n%s.res200 %s\n%s.res304 %s\n' "$mode" "$a" "$mode" "$p" "$mode" "$c" "$mode" "$d" >> "$w/figures"
    echo "limits=$mode round $r: public 200 $a, public 304 $p, restricted 200 $c, restricted 304 $d"
  done
done
python3 - "$w/figures" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, value = line.split()
    runs[name].append(float(value))
m = {name: statistics.median(values) for name, values in runs.items()}
print("\n| | public 200 | public 304 | restricted 200 (Bearer) | restricted 304 |\n| --- | --- | --- | --- | --- |")
for mode, label in (("off", "limits off"), ("on", "limits on (never refusing)")):
    print(f"| {label} | " + " | ".join(f"{m[f'{mode}.{k}']:,.0f}" for k in ("pub200", "pub304", "res200", "res304")) + " |")
r = lambda a, b: f"{m[a] / m[b]:.2f}x"
print(f"\nrestricted / public: {r('off.res200', 'off.pub200')} (200), {r('off.res304', 'off.pub304')} (304); "
      f"limits on / off: {r('on.pub200', 'off.pub200')} (public 200), {r('on.pub304', 'off.pub304')} (public 304), "
      f"{r('on.res200', 'off.res200')} (restricted 200), {r('on.res304', 'off.res304')} (restricted 304)")
PY
