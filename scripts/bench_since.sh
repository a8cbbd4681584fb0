#!/usr/bin/env bash
# Median latency of `since=` polls with the page cache off (issue 8), per format and distance.
#
#   SINCE_DB=path [BIN=path] [DUR=3] scripts/bench_since.sh
#
# SINCE_DB is a database whose change times are spread like a live archive: one change a minute,
# newest first, so "since an hour ago" means 60 changed stories. Make one from any large database:
#
#   scripts/bench_since.sh --make BIG_DB SINCE_DB
#
# The distances are measured back from the newest change in SINCE_DB. Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --make ]; then
  cp "$2" "$3"
  python3 - "$3" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
now = int(time.time() * 1000)
c.execute("CREATE TEMP TABLE r (rid INTEGER PRIMARY KEY, n INTEGER)")
c.execute("INSERT INTO r SELECT rowid, row_number() OVER (ORDER BY published_at DESC, id DESC) FROM articles")
c.execute("UPDATE articles SET seen_at = ? - (SELECT n FROM r WHERE r.rid = articles.rowid) * 60000", (now,))
c.execute("CREATE TEMP TABLE s (id TEXT PRIMARY KEY, seen_at INTEGER) WITHOUT ROWID")
c.execute("INSERT INTO s SELECT id, seen_at FROM articles")
c.execute("UPDATE article_topics SET seen_at = (SELECT s.seen_at FROM s WHERE s.id = article_topics.article_id)")
c.commit()
PY
  exit 0
fi
: "${SINCE_DB:?SINCE_DB=path to a database made with --make}"
DUR=${DUR:-3}
PORT=${PORT:-18095}
. scripts/lib.sh
cold_bench_bin
cold_config
start_cold_server "$SINCE_DB" "$PORT"

newest=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT max(seen_at) FROM articles').fetchone()[0])" "$SINCE_DB")
iso() { python3 -c "import datetime,sys; print(datetime.datetime.fromtimestamp((int(sys.argv[1]) - int(sys.argv[2]) * 1000) / 1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z')" "$newest" "$1"; }

labels=("1 min" "10 min" "1 h" "6 h" "1 day" "7 days" "30 days")
secs=(60 600 3600 21600 86400 604800 2592000)
printf '| since= … back |'; for l in "${labels[@]}"; do printf ' %s |' "$l"; done; printf ' no since= |\n'
printf '| --- |'; for _ in "${labels[@]}" x; do printf ' --- |'; done; printf '\n'
for feed in all.rss all.json security.rss security.json; do
  printf '| `%s?limit=50` |' "$feed"
  for s in "${secs[@]}"; do
    url="http://127.0.0.1:$PORT/feeds/$feed?limit=50&since=$(iso "$s")"
    curl -sf -o /dev/null "$url" || { echo "GET $url failed"; exit 1; }
    printf ' %s |' "$(p50 "$url")"
  done
  printf ' %s |\n' "$(p50 "http://127.0.0.1:$PORT/feeds/$feed?limit=50")"
done
