#!/usr/bin/env bash
# What observability costs on the hot path (issue 12): a cached 50-item feed and its 304, on
#   before  BEFORE_BIN, a build without the metrics registry and request logs (optional; e.g.
#           `git worktree add /tmp/old 3c6ce5b && (cd /tmp/old && cargo build --release)`);
#   quiet   this build, request lines filtered out (WIREFEED_LOG=warn): metrics only;
#   logged  this build, one JSON line per request (WIREFEED_LOG=info WIREFEED_LOG_FORMAT=json)
#           written to a file.
# Rounds are interleaved so drift hits every variant alike; medians and ratios are printed.
#
#   scripts/bench_ops.sh        DUR=seconds per run (5), ROUNDS (3), CONN (64), BEFORE_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-5}; ROUNDS=${ROUNDS:-3}; CONN=${CONN:-64}
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
bin=$PWD/target/release/wirefeed
work=$(mktemp -d /tmp/wirefeed-bench-ops.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
sed -e "s|^seed_dir = .*|seed_dir = \"$PWD/data/articles\"|" feeds.toml > "$work/feeds.toml"
printf '\n[limits]\nanonymous_per_minute = 0\nkey_per_minute = 0\n' >> "$work/feeds.toml"
mkdir -p "$work/data" && cp data/model.json "$work/data/"

serve() { # name binary port env...
  local name=$1 b=$2 port=$3; shift 3
  env "$@" "$b" --config "$work/feeds.toml" --database "$work/$name.db" serve --bind "127.0.0.1:$port" \
    >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  for _ in $(seq 1 300); do grep -q '^listening' "$work/$name.out" 2>/dev/null && return; sleep 0.1; done
  echo "$name did not start"; cat "$work/$name.err"; exit 1
}
variants=(quiet logged)
serve quiet "$bin" 18091 WIREFEED_LOG=warn
serve logged "$bin" 18092 WIREFEED_LOG=info WIREFEED_LOG_FORMAT=json
port_quiet=18091; port_logged=18092
if [ -n "${BEFORE_BIN:-}" ]; then
  serve before "$BEFORE_BIN" 18090 WIREFEED_LOG=warn
  variants=(before quiet logged); port_before=18090
fi
feed=/feeds/all.rss?limit=50
rps() { wrk -t2 -c"$CONN" -d"${DUR}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
median() { python3 -c "import statistics,sys; print(round(statistics.median(float(x) for x in sys.argv[1:])))" "$@"; }
declare -A r200 r304
for v in "${variants[@]}"; do
  p=port_$v; url="http://127.0.0.1:${!p}$feed"
  curl -sf -o /dev/null "$url"
  etag=$(curl -sfI "$url" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')
  eval "etag_$v='$etag'"
done
for r in $(seq 1 "$ROUNDS"); do
  line="  round $r:"
  for v in "${variants[@]}"; do
    p=port_$v; e=etag_$v; url="http://127.0.0.1:${!p}$feed"
    a=$(rps "$url"); b=$(rps -H "If-None-Match: ${!e}" "$url")
    r200[$v]="${r200[$v]:-} $a"; r304[$v]="${r304[$v]:-} $b"
    line="$line $v $a/$b"
  done
  echo "$line (200/304 req/s)"
done
lines=$(grep -c '"target":"wirefeed::request"' "$work/logged.err" || true)
echo
echo "| variant | cached feed 200 | 304 |"
echo "| --- | --- | --- |"
declare -A m200 m304
for v in "${variants[@]}"; do
  # shellcheck disable=SC2086
  m200[$v]=$(median ${r200[$v]}); m304[$v]=$(median ${r304[$v]})
  echo "| $v | ${m200[$v]} req/s | ${m304[$v]} req/s |"
done
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
base=quiet; [ -n "${BEFORE_BIN:-}" ] && base=before
echo
for v in "${variants[@]}"; do
  [ "$v" = "$base" ] && continue
  echo "$v vs $base: 200 $(ratio "${m200[$v]}" "${m200[$base]}")×, 304 $(ratio "${m304[$v]}" "${m304[$base]}")× (target ≥ 0.95×)"
done
echo "request lines written by the logged server: $lines"
