#!/usr/bin/env bash
# Benchmarks wirefeed at scale against nginx serving the same bytes (issue 4).
#
#   scripts/bench.sh [N]        N synthetic articles (default 1,000,000); DUR=seconds per run, ROUNDS=interleaved rounds,
#                               BIG_DB=path to reuse a database of N articles (no generation, no import figure),
#                               OLD_BIN=path to a wirefeed binary to compare with (a refactor's before/after:
#                               the same cached feed and 304 against both, interleaved with nginx every round)
#
# Measures: bulk import rate; a cached 50-item feed and a 304 revalidation, each interleaved
# with nginx serving the identical feed bytes as a static file (ratios printed); a cold render of
# a 50-item feed (cache off) at N and at 1,000 articles; a since= poll; server memory.
# Needs wrk and nginx (installed with apt-get when missing). Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DUR=${DUR:-5}
ROUNDS=${ROUNDS:-3}
CONN=${CONN:-64}

command -v wrk >/dev/null && command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk nginx >/dev/null; }
cargo build --release --quiet
bin=$PWD/target/release/wirefeed
work=$(mktemp -d /tmp/wirefeed-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "== generating $N and 1000 synthetic articles"
[ -n "${BIG_DB:-}" ] || python3 scripts/gen_articles.py "$N" "$work/big.jsonl"
python3 scripts/gen_articles.py 1000 "$work/small.jsonl"
sed -e 's/^seed_dir = .*//' feeds.toml > "$work/cached.toml"
mkdir -p "$work/data" && cp data/model.json "$work/data/"  # the topic model, found beside the config
# Rate limits off (one client address at tens of thousands of requests a second); LIMITS=on
# sets limits so high they never refuse, to measure what checking them costs.
if [ "${LIMITS:-off}" = on ]; then
  printf '\n[limits]\nanonymous_per_minute = 10000000\nkey_per_minute = 10000000\nburst = 1000000\n' >> "$work/cached.toml"
else
  printf '\n[limits]\nanonymous_per_minute = 0\nkey_per_minute = 0\n' >> "$work/cached.toml"
fi
sed -e 's/^cache_mb = .*/cache_mb = 0/' "$work/cached.toml" > "$work/cold.toml"

echo "== importing"
if [ -n "${BIG_DB:-}" ]; then # BIG_DB=path reuses a database of N articles made by an earlier run
  ln -s "$BIG_DB" "$work/big.db"; import_rate="(reused $BIG_DB)"; import_secs=-
else
  t0=$(date +%s.%N)
  "$bin" --config "$work/cached.toml" --database "$work/big.db" import "$work/big.jsonl" >/dev/null
  t1=$(date +%s.%N)
  import_rate=$(python3 -c "print(round($N / ($t1 - $t0)))")
  import_secs=$(python3 -c "print(round($t1 - $t0, 1))")
fi
"$bin" --config "$work/cached.toml" --database "$work/small.db" import "$work/small.jsonl" >/dev/null

serve() { # config db port
  WIREFEED_LOG=warn "$bin" --config "$1" --database "$2" serve --bind "127.0.0.1:$3" >"$work/serve-$3.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q '^listening' "$work/serve-$3.log" 2>/dev/null && return; sleep 0.1; done
  echo "server on $3 did not start"; cat "$work/serve-$3.log"; exit 1
}
serve "$work/cached.toml" "$work/big.db" 18081
cached_pid=${pids[-1]}
if [ -n "${OLD_BIN:-}" ]; then # the binary before a change, on the same database and config
  new_bin=$bin; bin=$OLD_BIN
  serve "$work/cached.toml" "$work/big.db" 18084
  bin=$new_bin
fi
serve "$work/cold.toml" "$work/big.db" 18082
serve "$work/cold.toml" "$work/small.db" 18083

feed=/feeds/all.rss?limit=50
mkdir -p "$work/www"
curl -sf "http://127.0.0.1:18081$feed" > "$work/www/feed.rss"
cat > "$work/nginx.conf" <<NGINX
user root;
worker_processes ${NGINX_WORKERS:-auto};
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  types { application/rss+xml rss; }
  server { listen 127.0.0.1:18080; root $work/www; etag on; }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.3

rps() { wrk -t2 -c"$CONN" -d"${DUR}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
median() { python3 -c "import statistics,sys; print(round(statistics.median(float(x) for x in sys.argv[1:])))" "$@"; }
p50() { wrk -t1 -c1 -d"${DUR}s" --latency "$@" | awk '$1=="50%" {print $2}'; }

wf_etag=$(curl -sfI "http://127.0.0.1:18081$feed" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')
ng_etag=$(curl -sfI "http://127.0.0.1:18080/feed.rss" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $wf_etag" "http://127.0.0.1:18081$feed")" = 304 ] || { echo "wirefeed 304 check failed"; exit 1; }
cmp -s <(curl -sf "http://127.0.0.1:18081$feed") "$work/www/feed.rss" || { echo "bodies differ"; exit 1; }

echo "== interleaved runs: $ROUNDS rounds x ${DUR}s, $CONN connections"
ng200=(); wf200=(); ng304=(); wf304=(); old200=(); old304=()
if [ -n "${OLD_BIN:-}" ]; then
  old_etag=$(curl -sfI "http://127.0.0.1:18084$feed" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')
  # A change of format makes the documents differ: said, not refused (the figures then compare
  # two documents of different sizes).
  cmp -s <(curl -sf "http://127.0.0.1:18084$feed") "$work/www/feed.rss" \
    || echo "NOTE: OLD_BIN serves other bytes ($(curl -sf "http://127.0.0.1:18084$feed" | wc -c) vs $(wc -c < "$work/www/feed.rss") bytes)"
fi
for r in $(seq 1 "$ROUNDS"); do
  ng200+=("$(rps "http://127.0.0.1:18080/feed.rss")")
  # With OLD_BIN, old and new take turns going first.
  if [ -n "${OLD_BIN:-}" ] && [ $((r % 2)) = 0 ]; then old200+=("$(rps "http://127.0.0.1:18084$feed")"); fi
  wf200+=("$(rps "http://127.0.0.1:18081$feed")")
  if [ -n "${OLD_BIN:-}" ] && [ $((r % 2)) = 1 ]; then old200+=("$(rps "http://127.0.0.1:18084$feed")"); fi
  ng304+=("$(rps -H "If-None-Match: $ng_etag" "http://127.0.0.1:18080/feed.rss")")
  if [ -n "${OLD_BIN:-}" ] && [ $((r % 2)) = 0 ]; then old304+=("$(rps -H "If-None-Match: $old_etag" "http://127.0.0.1:18084$feed")"); fi
  wf304+=("$(rps -H "If-None-Match: $wf_etag" "http://127.0.0.1:18081$feed")")
  if [ -n "${OLD_BIN:-}" ] && [ $((r % 2)) = 1 ]; then old304+=("$(rps -H "If-None-Match: $old_etag" "http://127.0.0.1:18084$feed")"); fi
  echo "  round $r: nginx ${ng200[-1]} / wirefeed ${wf200[-1]}${OLD_BIN:+ / old ${old200[-1]}} req/s; 304: nginx ${ng304[-1]} / wirefeed ${wf304[-1]}${OLD_BIN:+ / old ${old304[-1]}} req/s"
done
ng200m=$(median "${ng200[@]}"); wf200m=$(median "${wf200[@]}"); ng304m=$(median "${ng304[@]}"); wf304m=$(median "${wf304[@]}")

echo "== cold renders (cache off), one connection"
cold_big=$(p50 "http://127.0.0.1:18082$feed")
cold_small=$(p50 "http://127.0.0.1:18083$feed")
since_p50=$(p50 "http://127.0.0.1:18082/feeds/all.json?since=2026-11-27T00:00:00Z&limit=50")
since_rps=$(rps "http://127.0.0.1:18082/feeds/all.json?since=2026-11-27T00:00:00Z&limit=50")
since_cached=$(rps "http://127.0.0.1:18081/feeds/all.json?since=2026-11-27T00:00:00Z&limit=50")
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$cached_pid/status")
hwm_kib=$(awk '/VmHWM/ {print $2}' "/proc/$cached_pid/status")

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
cat <<TABLE

## wirefeed benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $N articles

| measure | result | target |
| --- | --- | --- |
| bulk import | $import_rate articles/s ($N in ${import_secs} s) | ≥ 20,000/s |
| cached 50-item feed | $wf200m req/s vs nginx $ng200m req/s = $(ratio "$wf200m" "$ng200m")× | ≥ 0.9× nginx |
| 304 revalidation | $wf304m req/s vs nginx $ng304m req/s = $(ratio "$wf304m" "$ng304m")× | ≥ 0.9× nginx |
| cold render, 50 items, $N articles | median $cold_big | ≤ 2 ms |
| cold render, 50 items, 1,000 articles | median $cold_small | no faster than at $N by much |
| since= poll (cache off / cached) | median $since_p50, $since_rps req/s / $since_cached req/s | — |
| server memory (cached server, after the runs) | RSS $((rss_kib / 1024)) MiB, peak $((hwm_kib / 1024)) MiB | ≤ 150 MiB |
TABLE
if [ -n "${OLD_BIN:-}" ]; then
  old200m=$(median "${old200[@]}"); old304m=$(median "${old304[@]}")
  cat <<OLD
| cached 50-item feed, this build vs OLD_BIN | $wf200m vs $old200m req/s = $(ratio "$wf200m" "$old200m")× | within noise (≈ 1.0×) |
| 304 revalidation, this build vs OLD_BIN | $wf304m vs $old304m req/s = $(ratio "$wf304m" "$old304m")× | within noise (≈ 1.0×) |
OLD
fi
