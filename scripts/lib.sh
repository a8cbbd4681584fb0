# Shared by the check scripts: start the real binary on a fresh database on a free port.
# Source it from the repository root after setting `bin`; then call `start_server`.

# Starts `$bin serve` on 127.0.0.1 with the shipped config (its seed folder made absolute, rate
# limits off: checks come fast from one address, which is not what limits are about; the
# tests cover those). Sets work, config, base and pid; removes everything on exit.
start_server() {
  work=$(mktemp -d)
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  config="$work/feeds.toml"
  sed -e "s|^seed_dir = \"data/articles\"|seed_dir = \"$PWD/data/articles\"|" feeds.toml > "$config"
  grep -q '^\[limits\]' "$config" || printf '\n[limits]\nanonymous_per_minute = 0\nkey_per_minute = 0\n' >> "$config"
  # WIREFEED_EXTRA_CONFIG: more TOML appended (a check that needs one setting of its own).
  printf '%s\n' "${WIREFEED_EXTRA_CONFIG:-}" >> "$config"
  WIREFEED_LOG=warn "$bin" --config "$config" --database "$work/wirefeed.db" \
    serve --bind "127.0.0.1:$port" --base-url "$base" >"$work/stdout" 2>"$work/stderr" &
  pid=$!
  trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
  for _ in $(seq 1 300); do
    grep -q "^listening on" "$work/stdout" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "^listening on" "$work/stdout" || { cat "$work/stderr" >&2; echo "the server did not start" >&2; exit 1; }
}

# `p50 URL`: the median latency of one connection asking URL again and again for $DUR seconds,
# in milliseconds ("1.23 ms"), for the cache-off benchmarks. Needs wrk.
p50() { wrk -t1 -c1 -d"${DUR}s" --latency "$1" | awk '/^ +50%/ { v=$2; if (v ~ /us$/) { sub(/us/,"",v); v=v/1000 } else if (v ~ /ms$/) { sub(/ms/,"",v) } else if (v ~ /s$/) { sub(/s/,"",v); v=v*1000 } printf "%.2f ms", v }'; }

# For benchmarks of uncached work: writes `$work/cold.toml`, the shipped config with the page cache
# off (`cache_mb = 0`), no seeding and rate limits off, with the topic model beside it. Sets work
# (a fresh folder) and pid (empty); removes the folder, and the server once started, on exit.
cold_config() {
  work=$(mktemp -d /tmp/wirefeed-cold.XXXXXX)
  pid=
  trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
  sed -e 's/^seed_dir = .*//' -e 's/^cache_mb = .*/cache_mb = 0/' feeds.toml > "$work/cold.toml"
  grep -q '^cache_mb = 0' "$work/cold.toml" || { echo "could not turn the page cache off" >&2; exit 1; }
  printf '\n[limits]\nanonymous_per_minute = 0\nkey_per_minute = 0\n' >> "$work/cold.toml"
  mkdir -p "$work/data" && cp data/model.json "$work/data/"
}

# For the cache-off benchmarks: installs wrk when missing and sets bin to $BIN, else to the
# release build (made now).
cold_bench_bin() {
  command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  if [ -n "${BIN:-}" ]; then
    bin=$BIN
  else
    cargo build --release --quiet
    bin=${CARGO_TARGET_DIR:-$PWD/target}/release/wirefeed
  fi
}

# Starts `$bin serve` with `$work/cold.toml` (see cold_config), or the config $3, on the database
# $1 at 127.0.0.1:$2 and waits until it listens (a large database may migrate first). Sets pid.
start_cold_server() {
  WIREFEED_LOG=warn "$bin" --config "${3:-$work/cold.toml}" --database "$1" serve --bind "127.0.0.1:$2" >"$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do grep -q '^listening' "$work/serve.log" 2>/dev/null && return; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  echo "the server did not start" >&2; cat "$work/serve.log" >&2; exit 1
}

# For the check scripts that count: `run LABEL COMMAND…` runs one check, prints PASS or FAIL (with
# the tail of a failure's output) and counts it in $passed / $failed (set them to 0 first); a
# failing check does not stop the script.
run() {
  local label=$1; shift
  local out
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); echo "PASS $label"
  else
    failed=$((failed + 1)); echo "FAIL $label"; echo "$out" | tail -20 | sed 's/^/    /'
  fi
}
# curl -f: an HTTP error or a refused connection fails the check instead of feeding it nothing.
fetch() { curl -sSf --max-time 30 "$1"; }
# A NewsML-G2 document at a URL through the shared kit's checker ($conformance: the kit's folder).
newsml() { fetch "$1" | python3 "$conformance/newsml-g2/check_newsml.py" -; }
