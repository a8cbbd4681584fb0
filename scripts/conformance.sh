#!/usr/bin/env bash
# Runs the shared conformance checkers against every feed and one article of each format,
# served by the real binary on the sample data.
# Usage: scripts/conformance.sh CONFORMANCE_DIR WIREFEED_BINARY
set -uo pipefail
conformance=$(cd "$1" && pwd)
bin=$2
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

WIREFEED_LOG=warn "$bin" --config feeds.toml --database "$work/wirefeed.db" \
  serve --bind "127.0.0.1:$port" --base-url "$base" >"$work/stdout" 2>"$work/stderr" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  grep -q "^listening on" "$work/stdout" 2>/dev/null && break
  sleep 0.1
done
if ! grep -q "^listening on" "$work/stdout"; then
  echo "server did not start:"; cat "$work/stderr"; exit 1
fi

passed=0; failed=0
run() {
  local label=$1; shift
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); echo "PASS $label"
  else
    failed=$((failed + 1)); echo "FAIL $label"; echo "$out" | tail -20 | sed 's/^/    /'
  fi
}
newsml() { curl -sf "$1" | python3 "$conformance/newsml-g2/check_newsml.py" -; }

feeds=$(python3 -c 'import tomllib; c=tomllib.load(open("feeds.toml","rb")); print(" ".join(sorted({f["id"] for f in c.get("feed",[])} | {t["id"] for t in c["topic"]} | {"all","kills"})))')
for feed in $feeds; do
  for query in "" "?lang=en" "?limit=5"; do
    run "$feed.rss$query" python3 "$conformance/feeds/check_feedparser.py" "$base/feeds/$feed.rss$query" --expect-unique-ids --expect-dates
    run "$feed.atom$query" python3 "$conformance/feeds/check_feedparser.py" "$base/feeds/$feed.atom$query" --expect-unique-ids --expect-dates
    run "$feed.json$query" python3 "$conformance/feeds/check_jsonfeed.py" "$base/feeds/$feed.json$query" --strict
    run "$feed.xml$query" newsml "$base/feeds/$feed.xml$query"
  done
done
article=$(curl -sf "$base/feeds/all.json?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["_wirefeed"]["id"])')
translated=$(curl -sf "$base/feeds/all.json?limit=200" | python3 -c 'import json,sys; print(next(i["_wirefeed"]["id"] for i in json.load(sys.stdin)["items"] if i["_wirefeed"]["translations"]))')
for id in $article $translated; do
  run "articles/$id.xml" newsml "$base/articles/$id.xml"
  run "articles/$id.json" python3 -c 'import json,sys,urllib.request; d=json.load(urllib.request.urlopen(sys.argv[1])); assert d["uri"] and d["headlines"] and d["bodies"], d' "$base/articles/$id.json"
  run "articles/$id" curl -sf -o /dev/null "$base/articles/$id"
done

echo "conformance: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
