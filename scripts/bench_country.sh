#!/usr/bin/env bash
# Median latency of `?country=` feed pages with the page cache off (issue 24): a common country,
# a rare one, two at once, and within a topic, at N articles (default 1,000,000).
#
#   [BIN=path] [COUNTRY_DB=path] [N=1000000] [DUR=3] [PORT=18096] scripts/bench_country.sh
#
# Without COUNTRY_DB, generates N articles (scripts/gen_articles.py: editor places US 30 %, MX 20 %,
# ... FR 0.2 %, a third about no country) and bulk-imports them into a temporary database; with
# it, reuses that database (made by an earlier run with KEEP_DB=path). Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
DUR=${DUR:-3}
PORT=${PORT:-18096}
. scripts/lib.sh
cold_bench_bin
cold_config
db=${COUNTRY_DB:-}
if [ -z "$db" ]; then
  db=$work/country.db
  python3 scripts/gen_articles.py "$N" "$work/articles.jsonl"
  t0=$EPOCHREALTIME
  "$bin" --config "$work/cold.toml" --database "$db" import "$work/articles.jsonl" >/dev/null
  echo "imported $N articles in $(python3 -c "print(round($EPOCHREALTIME - $t0, 1))") s"
  rm -f "$work/articles.jsonl"
  [ -z "${KEEP_DB:-}" ] || { cp "$db" "$KEEP_DB"; echo "kept as $KEEP_DB"; }
fi
start_cold_server "$db" "$PORT"
count() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM article_places WHERE country = ? AND topic = ''\", (sys.argv[2],)).fetchone()[0])" "$db" "$1"; }
echo "| page (cache off, limit=50) | stories about it | median |"
echo "| --- | --- | --- |"
for q in "all.json?limit=50" "all.json?limit=50&country=US" "all.json?limit=50&country=FR" "all.json?limit=50&country=MX,US" \
         "all.rss?limit=50&country=MX" "security.json?limit=50&country=MX" "all.json?limit=50&country=MX&lang=en"; do
  url="http://127.0.0.1:$PORT/feeds/$q"
  curl -sf -o /dev/null "$url" || { echo "GET $url failed"; exit 1; }
  cc=$(printf '%s' "$q" | sed -n 's/.*country=\([A-Z,]*\).*/\1/p')
  n=-; [ -n "$cc" ] && [[ "$cc" != *,* ]] && n=$(count "$cc")
  printf '| `%s` | %s | %s |\n' "$q" "$n" "$(p50 "$url")"
done
