#!/usr/bin/env bash
# A real reader checks that a correction in the same second as the change before it is not lost
# (issue 7, docs/api.md, Wire semantics "Validators always move").
#
#   scripts/newsboat.sh        ROUNDS=3, PORT=18095, PROFILE=release|debug (release),
#                              WAIT=seconds a correction may take to reach newsboat (5),
#                              CACHE_MB=feeds.cache_mb for the server (default: as in feeds.toml)
#
# newsboat (Debian's 2.21) polls /feeds/all.atom of a server on a fresh temporary database.
# newsboat sends validators (If-None-Match, If-Modified-Since) only from its third poll, and
# libcurl drops a 200 whose Last-Modified is not newer than If-Modified-Since: a server that
# serves a changed page under an unchanged Last-Modified loses that change for such readers.
# Each round creates an article over the API, polls three times, then:
#   mode "back-to-back": PUT an update and a correction in the same second, then poll;
#   mode "poll-between": PUT an update, poll, PUT a correction, all in the same second, then poll
#                        (the case where newsboat has already stored the update's Last-Modified);
# and then polls every 0.5 s until newsboat's cache (SQLite, rss_item) holds the corrected body
# text, for at most WAIT seconds. Prints `newsboat: N passed, M failed`; exits 1 on any loss.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-18095}
PROFILE=${PROFILE:-release}
WAIT=${WAIT:-5}
CACHE_MB=${CACHE_MB:-}

die() { echo "newsboat.sh: $*" >&2; exit 1; }
need=()
for t in newsboat sqlite3 curl python3; do command -v "$t" >/dev/null || need+=("$t"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]} with apt-get"
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
  for t in "${need[@]}"; do command -v "$t" >/dev/null || die "$t is still missing after apt-get install"; done
fi
echo "== $(newsboat -v | head -1)"

if [ "$PROFILE" = release ]; then
  cargo build --release --quiet || die "cargo build failed"
else
  cargo build --quiet || die "cargo build failed"
fi
bin=$PWD/target/$PROFILE/wirefeed
config=$PWD/feeds.toml
work=$(mktemp -d /tmp/wirefeed-newsboat.XXXXXX)
if [ -n "$CACHE_MB" ]; then # the shipped config with another feeds.cache_mb (0 = page cache off)
  sed -e "s|^cache_mb = .*|cache_mb = $CACHE_MB|" -e "s|^seed_dir = .*|seed_dir = \"$PWD/data/articles\"|" \
    feeds.toml >"$work/feeds.toml"
  config=$work/feeds.toml
fi
base="http://127.0.0.1:$PORT"
feed="$base/feeds/all.atom"
spid=""
cleanup() { [ -n "$spid" ] && { kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; }; rm -rf "$work"; }
trap cleanup EXIT

token=$("$bin" --config "$config" --database "$work/nb.db" keys add newsboat --role publisher) || die "keys add failed"
WIREFEED_LOG=warn "$bin" --config "$config" --database "$work/nb.db" serve --bind "127.0.0.1:$PORT" \
  --base-url "$base" >"$work/server.log" 2>&1 &
spid=$!
for _ in $(seq 1 300); do
  curl -sf "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$spid" 2>/dev/null || { cat "$work/server.log"; die "the server exited"; }
  sleep 0.1
done
curl -sf "$base/healthz" >/dev/null || die "the server did not answer /healthz"

mkdir -p "$work/home"
echo "$feed" >"$work/urls"
cat >"$work/config" <<CONF
reload-threads 1
auto-reload no
browser "true"
download-retries 1
download-timeout 10
CONF
# One poll by newsboat, quietly; its own log of HTTP traffic goes to nb.log.
poll() {
  HOME=$work/home timeout 30 newsboat -u "$work/urls" -c "$work/cache.db" -C "$work/config" -x reload \
    >>"$work/newsboat.out" 2>&1 || { cat "$work/newsboat.out"; die "newsboat -x reload failed"; }
}
# in_cache TEXT: 1 when newsboat's cache holds an item whose content has TEXT
in_cache() { sqlite3 "$work/cache.db" "SELECT count(*) FROM rss_item WHERE content LIKE '%$1%'"; }
put() { # ID JSON: PUT it, fail unless 2xx
  local code
  code=$(curl -s -o "$work/put.out" -w '%{http_code}' -X PUT -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' --data-binary "$2" "$base/api/v1/articles/$1")
  case $code in 2??) ;; *) cat "$work/put.out"; die "PUT $1 answered $code";; esac
}
article() { # HEADLINE BODY [REVISION NOTE]
  python3 -c '
import json, sys
a = {"headline": sys.argv[1], "body": sys.argv[2], "language": "en", "dateline": "Port Ellery"}
if len(sys.argv) > 3:
    a["revision"] = sys.argv[3]; a["correction_note"] = sys.argv[4]
print(json.dumps(a))' "$@"
}
headers() { curl -s -o /dev/null -D - "$feed" | tr -d '\r' | grep -iE '^(etag|last-modified|date):' | tr '\n' ' '; }
now() { date +%s.%N; }
# Sleep to just after the start of the next second, so two writes fit in one second.
align() { python3 -c 'import time; t = time.time(); time.sleep(1.02 - (t % 1))'; }

passed=0; failed=0
for mode in back-to-back poll-between; do
  for r in $(seq 1 "$ROUNDS"); do
    id="nb-$mode-$r-$RANDOM"
    tag=$(python3 -c 'import secrets; print(secrets.token_hex(4))')
    head="Port authority reopens the northern terminal ($mode $r)"
    put "$id" "$(article "$head" "The northern terminal reopened on Monday. Originaltext$tag.")"
    for _ in 1 2 3; do poll; sleep 0.3; done
    if [ "$(in_cache "Originaltext$tag")" -lt 1 ]; then
      failed=$((failed + 1))
      echo "  LOST $mode $r: after 3 polls newsboat's cache does not have the new article $id; feed now: $(headers)"
      continue
    fi
    align
    t0=$(now)
    put "$id" "$(article "$head" "The northern terminal reopened on Monday after repairs. Updatetext$tag." update "")"
    if [ "$mode" = poll-between ]; then
      poll
      between=$(in_cache "Updatetext$tag")
    fi
    put "$id" "$(article "$head" "The northern terminal reopened on Tuesday, not Monday. Correctiontext$tag." correction "The terminal reopened on Tuesday, not Monday.")"
    t1=$(now)
    [ "$mode" = poll-between ] && [ "$between" -lt 1 ] && echo "  note: the poll between update and correction did not store the update (round $r)"
    same=$(python3 -c "print('same second' if int($t0) == int($t1) else 'NOT the same second')")
    start=$(now); seen=""
    while python3 -c "import sys; sys.exit(0 if $(now) - $start < $WAIT else 1)"; do
      poll
      if [ "$(in_cache "Correctiontext$tag")" -ge 1 ]; then seen=$(python3 -c "print(f'{$(now) - $t1:.1f}')"); break; fi
      sleep 0.5
    done
    if [ -n "$seen" ]; then
      passed=$((passed + 1))
      echo "  ok   $mode $r: update and correction $same ($(python3 -c "print(f'{$t1 - $t0:.2f}')") s apart); correction in newsboat's cache ${seen} s after it was written"
    else
      failed=$((failed + 1))
      echo "  LOST $mode $r: update and correction $same; after ${WAIT} s newsboat's cache still has:"
      sqlite3 "$work/cache.db" "SELECT '    ' || substr(content, 1, 160) FROM rss_item WHERE title LIKE '%($mode $r)%'"
      echo "    feed now: $(headers)"
    fi
  done
done
echo "newsboat: $passed passed, $failed failed"
[ "$failed" = 0 ]
