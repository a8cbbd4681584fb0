#!/usr/bin/env bash
# Times full-text search at scale (issue 11: "Search at 1M articles answers in ≤ 50 ms median").
#
#   scripts/bench_search.sh [N]   N synthetic articles (default 1,000,000)
#     BIG_DB=path   reuse a database made by an earlier run (no generation, no import). Its 25 rare
#                   stories (ids bench-rare-*) are imported into it first if it lacks them.
#     REPS=n        timed requests per query (default 40), after WARM=n untimed ones (default 3)
#     PORT=n        where the server listens (default 18090, 127.0.0.1 only)
#     BIN=path      time this wirefeed binary instead of building one (to compare two builds)
#
# The server runs with the page cache off (`cache_mb = 0`), so every request really searches.
# Requests are sequential over one keep-alive connection; the figures are wall time per request
# as the client sees it (search + render + HTTP), median and p95, for /search?q= (a ranked page)
# and /feeds/all.json?q= (the saved-search feed, newest first).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
REPS=${REPS:-40}
WARM=${WARM:-3}
PORT=${PORT:-18090}

if [ -n "${BIN:-}" ]; then
  bin=$BIN
else
  cargo build --release --quiet
  bin=${CARGO_TARGET_DIR:-$PWD/target}/release/wirefeed
fi
. scripts/lib.sh
cold_config

# A rare word: 25 stories about the Quelmar bridge, spread over the two years, in both languages.
python3 - "$work/rare.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w", encoding="utf-8") as out:
    for i in range(25):
        es = i % 2 == 0
        out.write(json.dumps({
            "id": f"bench-rare-{i:02d}",
            "headline": "Inauguran el puente Quelmar" if es else "Quelmar bridge opens",
            "body": ("Obra binacional sobre el río, dijeron las autoridades." if es
                     else "A two-nation bridge over the river, officials said."),
            "language": "es" if es else "en",
            "byline": ["Ana Ruiz"],
            "published_at": f"{2025 + i // 12}-{i % 12 + 1:02d}-15T12:00:00Z",
        }, ensure_ascii=False) + "\n")
PY

if [ -n "${BIG_DB:-}" ]; then
  db=$BIG_DB
  have=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM articles WHERE id LIKE 'bench-rare-%'\").fetchone()[0])" "$db")
  [ "$have" -ge 25 ] || "$bin" --config "$work/cold.toml" --database "$db" import "$work/rare.jsonl" >/dev/null
else
  db=$work/big.db
  echo "== generating and importing $N synthetic articles"
  python3 scripts/gen_articles.py "$N" "$work/big.jsonl"
  "$bin" --config "$work/cold.toml" --database "$db" import "$work/big.jsonl" "$work/rare.jsonl" >/dev/null
  rm -f "$work/big.jsonl"
fi
count=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM articles').fetchone()[0])" "$db")

start_cold_server "$db" "$PORT"

echo "== $count articles, page cache off, $REPS sequential requests per query after $WARM warm-ups"
python3 - "$PORT" "$REPS" "$WARM" <<'PY'
import http.client, json, statistics, sys, time, urllib.parse
port, reps, warm = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
queries = [
    ("common word, English", "officials"),
    ("common word, Spanish", "autoridades"),
    ("rare word", "quelmar"),
    ("no match", "zzyzxqq"),
    ("two words", "policía Kessel"),
    ("phrase", '"banco central"'),
    ("prefix", "migra*"),
    ("rare and common", "quelmar autoridades"),
]
conn = http.client.HTTPConnection("127.0.0.1", port)
def get(path):
    t0 = time.perf_counter()
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    return r.status, body, (time.perf_counter() - t0) * 1000
print(f"| query | q | endpoint | results | median ms | p95 ms |")
print(f"| --- | --- | --- | --- | --- | --- |")
failed = False
for label, q in queries:
    enc = urllib.parse.quote(q)
    for path in (f"/search?q={enc}", f"/search?q={enc}&page=5", f"/feeds/all.json?q={enc}",
                 f"/feeds/all.json?q={enc}&lang=es", f"/feeds/security.json?q={enc}"):
        for _ in range(warm):
            get(path)
        times = []
        for _ in range(reps):
            status, body, ms = get(path)
            if status != 200:
                print(f"{path}: HTTP {status}: {body[:200]!r}")
                failed = True
                break
            times.append(ms)
        if not times:
            continue
        if path.startswith("/feeds"):
            shown = len(json.loads(body)["items"])
        else:
            shown = body.count(b'<li class="story"')
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        endpoint = path.split("?")[0] + ("?page=5" if "page=5" in path else "") + ("&lang=es" if "lang=es" in path else "")
        print(f"| {label} | `{q}` | {endpoint} | {shown} | {statistics.median(times):.1f} | {p95:.1f} |")
sys.exit(1 if failed else 0)
PY
