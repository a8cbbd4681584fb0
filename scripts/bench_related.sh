#!/usr/bin/env bash
# Related stories at N articles (issue 25, part 6): what they cost a write and a read.
#   1. filing a story over the API (its own list, and the lists of the earlier stories it names),
#      p50 of $STORIES sequential POSTs with `feeds.related = 0` (off) and the default 5;
#   2. an article page and its ninjs (rendered per request: articles have no origin cache), p50
#      of one connection for $DUR s, for a story with a list and the same with related off.
#
#   [BIN=path] COUNTRY_DB=path [STORIES=100] [DUR=3] [PORT=18097] scripts/bench_related.sh
#
# COUNTRY_DB is a database of many articles with topics and places (scripts/bench_country.sh
# KEEP_DB=path makes one of 1,000,000); it is copied, never written. Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${COUNTRY_DB:?set COUNTRY_DB to a database made by scripts/bench_country.sh KEEP_DB=path}"
STORIES=${STORIES:-100}
DUR=${DUR:-3}
PORT=${PORT:-18097}
. scripts/lib.sh
cold_bench_bin
cold_config
db=$work/related.db
cp "$COUNTRY_DB" "$db"
echo "articles: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM articles').fetchone()[0])" "$db")"
base="http://127.0.0.1:$PORT"

# run LABEL RELATED: a server with `feeds.related = RELATED`, STORIES stories filed, one read.
run_with() {
  local label=$1 related=$2
  sed -e "s/^urgent_max = /related = $related\nurgent_max = /" "$work/cold.toml" > "$work/run.toml"
  grep -q "^related = $related" "$work/run.toml" || { echo "could not set feeds.related" >&2; exit 1; }
  start_cold_server "$db" "$PORT" "$work/run.toml"
  local token
  token=$("$bin" --config "$work/run.toml" --database "$db" keys add "bench-$label" --role publisher)
  sleep 1.2 # the server reloads keys from the change log
  python3 - "$base" "$token" "$STORIES" "$label" > "$work/times" <<'PY'
import json, random, sys, time, urllib.request
base, token, n, label = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
random.seed(7)
topics = ["security", "migration", "bilateral-relations"]
places = ["US", "MX", "FR", "GT", "CO", "ES"]
words = "border patrol ministry visa asylum talks summit trade court police harbour election".split()
times = []
for i in range(n):
    body = {
        "id": f"bench-{label}-{i}",
        "headline": " ".join(random.sample(words, 5)).capitalize(),
        "body": "Officials gave the figures on Monday. " * 20,
        "language": random.choice(["en", "es"]),
        "topics": [random.choice(topics)],
        "places": [random.choice(places)],
    }
    req = urllib.request.Request(f"{base}/api/v1/articles", data=json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        assert r.status == 201, r.status
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
print(f"{times[len(times) // 2]:.2f} {times[int(len(times) * 0.99)]:.2f}")
PY
  read -r w50 w99 < "$work/times"
  local id="bench-$label-$((STORIES - 1))"
  local listed
  listed=$(curl -sf "$base/articles/$id.json" | python3 -c 'import json,sys; print(sum(1 for a in json.load(sys.stdin).get("associations", []) if a["name"] == "related"))')
  printf '| %s | %s ms | %s ms | %s | %s | %s |\n' "$label" "$w50" "$w99" "$listed" \
    "$(p50 "$base/articles/$id")" "$(p50 "$base/articles/$id.json")"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}
echo "| feeds.related | file a story p50 | p99 | related listed | page p50 | ninjs p50 |"
echo "| --- | --- | --- | --- | --- | --- |"
run_with off 0
run_with on 5
