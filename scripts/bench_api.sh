#!/usr/bin/env bash
# Benchmarks durable publishing-API writes and cached-feed reads under write load (issue 7).
#
#   scripts/bench_api.sh        DUR=seconds per run (10), READ_CONN=read connections (64),
#                               PORT=first port (18090), FSYNC=0 skips the strace fsync count,
#                               PACE=writes/s of the paced write load during reads (1500)
#
# Starts the release server on a fresh temporary database (sample data seeded from
# storage.seed_dir), creates a publisher key, then measures:
#   1. PUT /api/v1/articles/{new id} (~1 KB JSON wire article) with 1 and with 16 concurrent
#      clients (wrk + scripts/bench_api.lua): 2xx writes/s, p50/p99 latency, the number of
#      commit groups (the change log's transaction counter) and so the mean group size; every
#      2xx write is then counted in the database;
#   2. GET /feeds/all.rss?limit=50 (cached page) with wrk alone, then while the 16-client write
#      load runs, unpaced (as fast as it goes) and paced to PACE writes/s: read rate ratios;
#   3. with FSYNC=1 (default), a second server under `strace -f --seccomp-bpf` on its own fresh
#      database: fsync/fdatasync calls during a short 16-client write run versus 2xx writes and
#      commit groups (synchronous=FULL in WAL mode: about one per commit group, plus checkpoints).
# Needs wrk, curl, sqlite3, python3 and strace: installed with apt-get when missing (a failed
# install stops the script). Traffic goes to 127.0.0.1 only; every load run is bounded by DUR.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10}
READ_CONN=${READ_CONN:-64}
PORT=${PORT:-18090}
FSYNC=${FSYNC:-1}
FEED="/feeds/all.rss?limit=50"

die() { echo "bench_api: $*" >&2; exit 1; }

need=()
for t in wrk curl sqlite3 python3; do command -v "$t" >/dev/null || need+=("$t"); done
[ "$FSYNC" = 1 ] && ! command -v strace >/dev/null && need+=(strace)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]} with apt-get"
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
  for t in "${need[@]}"; do command -v "$t" >/dev/null || die "$t is still missing after apt-get install"; done
fi

cargo build --release --quiet || die "cargo build --release failed"
bin=$PWD/target/release/wirefeed
lua=$PWD/scripts/bench_api.lua
work=$(mktemp -d /tmp/wirefeed-bench-api.XXXXXX)
# The shipped config with an absolute seed folder and rate limits off (LIMITS=on: limits so
# high they never refuse, to measure what checking them costs).
config=$work/feeds.toml
sed -e "s|^seed_dir = \"data/articles\"|seed_dir = \"$PWD/data/articles\"|" feeds.toml > "$config"
if [ "${LIMITS:-off}" = on ]; then
  printf '\n[limits]\nanonymous_per_minute = 10000000\nkey_per_minute = 10000000\nburst = 1000000\n' >> "$config"
else
  printf '\n[limits]\nanonymous_per_minute = 0\nkey_per_minute = 0\n' >> "$config"
fi
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# serve NAME PORT [PREFIX...]: a fresh database NAME.db with a publisher key, then the server
# (run under PREFIX, e.g. strace); sets $token and $pid.
serve() {
  local name=$1 port=$2; shift 2
  token=$("$bin" --config "$config" --database "$work/$name.db" keys add "bench-$name" --role publisher) \
    || die "keys add failed"
  WIREFEED_LOG=warn "$@" "$bin" --config "$config" --database "$work/$name.db" serve \
    --bind "127.0.0.1:$port" --base-url "http://127.0.0.1:$port" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.log"; die "server $name exited"; }
    sleep 0.1
  done
  cat "$work/$name.log"; die "server $name did not answer /healthz within 30 s"
}
groups() { sqlite3 "$1" "SELECT seq FROM changes WHERE scope = '*'"; }
stored() { sqlite3 "$1" "SELECT count(*) FROM articles WHERE id LIKE '$2-%'"; }
# writes PREFIX THREADS CONNS SECONDS PORT OUT: one wrk write run; BENCH lines in OUT
writes() {
  wrk -t"$2" -c"$3" -d"$4s" --timeout 10s -s "$lua" "http://127.0.0.1:$5" -- "$1" "$token" >"$6" 2>&1 \
    || { cat "$6"; die "wrk write run $1 failed"; }
}
val() { awk -v k="$2" '$1 == "BENCH" && $2 == k { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' "$1"; }
calc() { python3 -c "print($1)"; }
ms() { calc "f'{$1 / 1000:.1f} ms'"; }
reads() { # PORT OUT: one wrk read run of the cached feed
  wrk -t2 -c"$READ_CONN" -d"${DUR}s" "http://127.0.0.1:$1$FEED" >"$2" 2>&1 || { cat "$2"; die "wrk read run failed"; }
  ! grep -q "Non-2xx" "$2" || { cat "$2"; die "feed reads got non-2xx answers"; }
}
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }

echo "== $(date -u +%FT%TZ), $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
serve main "$PORT"
db=$work/main.db
seeded=$(sqlite3 "$db" "SELECT count(*) FROM articles")
echo "== server up on 127.0.0.1:$PORT, $seeded sample articles seeded"

# Sanity: the body wrk sends is accepted, and its size.
wrk -t1 -c1 -d1s -s "$lua" "http://127.0.0.1:$PORT" -- sanity "$token" >"$work/sanity.out" 2>&1 || { cat "$work/sanity.out"; die "wrk sanity run failed"; }
[ "$(val "$work/sanity.out" bad)" = 0 ] && [ "$(val "$work/sanity.out" ok)" -gt 0 ] \
  || { cat "$work/sanity.out"; die "sanity writes were refused: $(val "$work/sanity.out" bad_statuses)"; }
body_bytes=$(val "$work/sanity.out" body_bytes)
one=$(sqlite3 "$db" "SELECT id FROM articles WHERE id LIKE 'sanity-%' LIMIT 1")
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/articles/$one")
[ "$code" = 200 ] || die "GET of a written article answered $code"
echo "== sanity: $(val "$work/sanity.out" ok) writes accepted, body $body_bytes bytes"

declare -A W
for c in 1 16; do
  t=$([ "$c" = 1 ] && echo 1 || echo 2)
  g0=$(groups "$db")
  writes "w$c" "$t" "$c" "$DUR" "$PORT" "$work/w$c.out"
  g1=$(groups "$db")
  f=$work/w$c.out
  ok=$(val "$f" ok); bad=$(val "$f" bad); us=$(val "$f" duration_us)
  n=$(stored "$db" "w$c")
  [ "$n" -ge "$ok" ] || die "$c clients: $ok writes got a 2xx but only $n are stored"
  W[$c,rate]=$(calc "round($ok / ($us / 1e6))")
  W[$c,ok]=$ok; W[$c,bad]=$bad; W[$c,err]=$(val "$f" socket_errors)
  W[$c,p50]=$(ms "$(val "$f" p50_us)"); W[$c,p99]=$(ms "$(val "$f" p99_us)"); W[$c,max]=$(ms "$(val "$f" max_us)")
  W[$c,groups]=$((g1 - g0)); W[$c,gsize]=$(calc "f'{$ok / max(1, $((g1 - g0))):.1f}'")
  echo "  $c client(s): ${W[$c,rate]} writes/s ($ok 2xx, $bad other [$(val "$f" bad_statuses)], ${W[$c,err]} socket errors), p50 ${W[$c,p50]}, p99 ${W[$c,p99]}, max ${W[$c,max]}; ${W[$c,groups]} commits, ${W[$c,gsize]} writes/commit; $n stored"
done

echo "== cached feed reads ($READ_CONN connections)"
curl -sf "http://127.0.0.1:$PORT$FEED" >/dev/null || die "feed $FEED failed"
reads "$PORT" "$work/r0.out"
r0=$(rps "$work/r0.out")
echo "  alone: $r0 req/s"
# mixed NAME [RATE]: reads of the cached feed while 16 write clients run (paced to RATE writes/s)
declare -A M
mixed() {
  local name=$1 rate=${2:-0} g0 g1
  g0=$(groups "$db")
  BENCH_RATE=$rate BENCH_THREADS=1 wrk -t1 -c16 -d"$((DUR + 2))s" --timeout 10s -s "$lua" \
    "http://127.0.0.1:$PORT" -- "$name" "$token" >"$work/$name.out" 2>&1 &
  local mixpid=$!
  sleep 1
  reads "$PORT" "$work/$name-r.out"
  wait "$mixpid" || { cat "$work/$name.out"; die "wrk write run during reads failed"; }
  g1=$(groups "$db")
  M[$name,r]=$(rps "$work/$name-r.out")
  M[$name,w]=$(calc "round($(val "$work/$name.out" ok) / ($(val "$work/$name.out" duration_us) / 1e6))")
  M[$name,p99]=$(ms "$(val "$work/$name.out" p99_us)")
  M[$name,ratio]=$(calc "f'{${M[$name,r]} / $r0:.2f}'")
  echo "  during 16-client writes ($([ "$rate" = 0 ] && echo "unpaced" || echo "paced to $rate/s")): ${M[$name,r]} req/s = ${M[$name,ratio]}x (writes meanwhile: ${M[$name,w]}/s, p99 ${M[$name,p99]}, $((g1 - g0)) commits)"
}
mixed mix
mixed pace "${PACE:-1500}"

fsync_row=""
if [ "$FSYNC" = 1 ]; then
  echo "== fsync count (second server under strace, ${FSYNC_DUR:-3} s of 16-client writes)"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  serve fs "$((PORT + 1))" strace -f --seccomp-bpf -y -e trace=fsync,fdatasync -o "$work/strace.out"
  sleep 0.5
  l0=$(wc -l <"$work/strace.out"); g0=$(groups "$work/fs.db")
  writes fs 2 16 "${FSYNC_DUR:-3}" "$((PORT + 1))" "$work/fs.out"
  sleep 0.2
  l1=$(wc -l <"$work/strace.out"); g1=$(groups "$work/fs.db")
  # End the traced server itself (strace's child): strace then exits with it.
  for c in $(pgrep -P "$pid" || true); do kill "$c" 2>/dev/null || true; done
  timeout 10 tail --pid="$pid" -f /dev/null || kill -9 "$pid" 2>/dev/null || true
  tail -n +"$((l0 + 1))" "$work/strace.out" | head -n "$((l1 - l0))" >"$work/strace.run"
  fs_ok=$(val "$work/fs.out" ok)
  fs_total=$(grep -cE 'f(data)?sync\(' "$work/strace.run" || true)
  fs_wal=$(grep -cE 'f(data)?sync\([0-9]+<[^>]*-wal>' "$work/strace.run" || true)
  fs_groups=$((g1 - g0))
  echo "  $fs_ok 2xx writes in $fs_groups commits; $fs_total fsync/fdatasync calls ($fs_wal on the WAL, $((fs_total - fs_wal)) elsewhere)"
  grep -oE 'f(data)?sync\([0-9]+<[^>]*>' "$work/strace.run" | sed -E 's/\([0-9]+<.*\//(/' | sort | uniq -c | sed 's/^/    /'
  fsync_row="| fsync under strace, 16 clients, ${FSYNC_DUR:-3} s | $fs_total fsync/fdatasync for $fs_ok writes in $fs_groups commits ($fs_wal on the WAL) | about one per commit, not per write | $([ "$fs_total" -lt "$fs_ok" ] && echo yes || echo NO) |"
fi

met() { python3 -c "print('yes' if $1 else 'NO')"; }
p99_16=$(val "$work/w16.out" p99_us)
cat <<TABLE

## wirefeed API benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, load average after: $(cut -d' ' -f1-3 /proc/loadavg)

Durable writes: PUT /api/v1/articles/{new id}, $body_bytes-byte JSON article, ${DUR} s per run, $seeded seeded articles.

| measure | result | target | met |
| --- | --- | --- | --- |
| durable writes, 1 client | ${W[1,rate]}/s, p50 ${W[1,p50]}, p99 ${W[1,p99]} (${W[1,gsize]} writes/commit) | – | – |
| durable writes, 16 clients | ${W[16,rate]}/s, p50 ${W[16,p50]}, p99 ${W[16,p99]} (${W[16,gsize]} writes/commit) | ≥ 1,500/s, p99 ≤ 50 ms | $(met "${W[16,rate]} >= 1500 and $p99_16 <= 50000") |
| non-2xx / socket errors | 1 client: ${W[1,bad]} / ${W[1,err]}; 16 clients: ${W[16,bad]} / ${W[16,err]} | 0 | $(met "${W[1,bad]} + ${W[16,bad]} + ${W[1,err]} + ${W[16,err]} == 0") |
| cached feed $FEED, $READ_CONN conns, alone | $r0 req/s | – | – |
| the same during 16 unpaced write clients | ${M[mix,r]} req/s = ${M[mix,ratio]}× (writes meanwhile ${M[mix,w]}/s, p99 ${M[mix,p99]}) | ≥ 0.8× | $(met "${M[mix,ratio]} >= 0.8") |
| the same during 16 write clients paced to ${PACE:-1500}/s | ${M[pace,r]} req/s = ${M[pace,ratio]}× (writes meanwhile ${M[pace,w]}/s, p99 ${M[pace,p99]}) | ≥ 0.8× | $(met "${M[pace,ratio]} >= 0.8") |
$fsync_row
TABLE
