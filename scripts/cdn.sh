#!/usr/bin/env bash
# wirefeed behind a shared cache: Varnish 7.1 (deploy/varnish.vcl) in front of two wirefeed
# processes on one fresh temporary database, checked through the cache as readers see it.
#
#   scripts/cdn.sh        BIN=path to wirefeed (default: cargo build, target/$PROFILE/wirefeed),
#                         PROFILE=release|debug (release), MAX_AGE=feeds.max_age (5),
#                         STORM_SECONDS (20), STORM_CONNECTIONS (1000)
#
# Phase 1, max-age alone (no purge):
#   a. a new story is visible through the cache within max-age (+1 s);
#   b. an embargoed story shows up within max-age of its lift, and never before it;
#   c. a kill leaves /feeds/all.json and reaches /feeds/kills.json within max-age;
#   d. a restricted feed read with ?token= or Authorization is never served from the cache
#      (X-Cache PASS, no cache hit in varnishstat), and 401 without a key right after;
#   e. a poll storm (10,000 readers of every feed × format × language through wrk,
#      scripts/cdn_storm.lua) with a story published every 2 s: how little reaches the origins;
#   g. with one origin stopped, the health probes send every request to the other;
#   h. a picture's rendition is a HIT on its second request, and once the picture is killed the
#      cache answers 410 within max-age (Surrogate-Control: max-age, as nothing purges).
# Phase 0 runs the VCL under varnishtest against a scripted origin (purge, pass, grace).
# Phase 2, both servers restarted with `[cdn] purge_urls` (this Varnish) and `s_maxage = 30`:
#   f. responses name their scopes (Surrogate-Key: wirefeed all …);
#   h'. a killed picture answers 410 through the cache within 1 s (purged: picture:<id>);
#   a'. a new story and c'. a kill are visible within 1 s (only a purge can do that: the cache
#   may keep the page 30 s); b'. an embargo lift still shows within max-age.
# Prints PASS/FAIL lines, `cdn: storm clients=N req/s origin=N req/s fraction=X` and
# `cdn: N passed, M failed`; exits 1 on any failure. Installs varnish, varnish-modules, wrk,
# curl and python3 with apt-get when they are missing (as root).
set -euo pipefail
BIN=${BIN:-}
[ -z "$BIN" ] || [[ "$BIN" == /* ]] || BIN=$PWD/$BIN # relative to where it was called from
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}
MAX_AGE=${MAX_AGE:-5}
STORM_SECONDS=${STORM_SECONDS:-20}
STORM_CONNECTIONS=${STORM_CONNECTIONS:-1000}
S_MAXAGE=30 # phase 2: the cache may keep a page this long, so only a purge shows a change at once

die() { echo "cdn.sh: FAIL: $*" >&2; exit 1; }

# --- tools ---------------------------------------------------------------------------------
xkey_vmod() { [ -n "$(find /usr/lib/*/varnish/vmods /usr/lib/varnish/vmods -name 'libvmod_xkey.so' 2>/dev/null | head -1)" ]; }
need=()
command -v varnishd >/dev/null || need+=(varnish)
xkey_vmod || need+=(varnish-modules)
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${need[*]}: run as root (it installs them with apt-get) or install them"
  echo "== apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
for t in varnishd varnishstat varnishtest wrk curl python3; do command -v "$t" >/dev/null || die "$t is still missing"; done
xkey_vmod || die "vmod xkey (varnish-modules) is still missing"
echo "== $(varnishd -V 2>&1 | head -1), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"

if [ -z "$BIN" ]; then
  if [ "$PROFILE" = release ]; then cargo build --release --quiet || die "cargo build failed"
  else cargo build --quiet || die "cargo build failed"; fi
  BIN=target/$PROFILE/wirefeed
fi
[ -x "$BIN" ] || die "$BIN is not an executable"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

# --- setup ---------------------------------------------------------------------------------
# The storm opens STORM_CONNECTIONS sockets to Varnish: raise the limit for it and everything started here.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
work=$(mktemp -d /tmp/wirefeed-cdn.XXXXXX)
chmod 755 "$work" # varnishd's child runs as its own user and must reach its working dir
vdir=$work/varnish
db=$work/wirefeed.db
p1=$(free_port); p2=$(free_port); vport=$(free_port)
while [ "$p2" = "$p1" ]; do p2=$(free_port); done
while [ "$vport" = "$p1" ] || [ "$vport" = "$p2" ]; do vport=$(free_port); done
o1=http://127.0.0.1:$p1; o2=http://127.0.0.1:$p2; cdn=http://127.0.0.1:$vport
spids=(); vpid=""; wpid=""; ppid_loop=""
stop_servers() {
  local p
  for p in "${spids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${spids[@]}"; do wait "$p" 2>/dev/null || true; done
  spids=()
}
cleanup() {
  [ -n "$ppid_loop" ] && kill "$ppid_loop" 2>/dev/null || true
  [ -n "$wpid" ] && kill "$wpid" 2>/dev/null || true
  stop_servers
  [ -n "$vpid" ] && { kill "$vpid" 2>/dev/null || true; wait "$vpid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

passed=0; failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# conf FILE [SECTION KEY VALUE]...: the shipped feeds.toml with its paths made absolute, rate
# limits off (every anonymous request comes from Varnish), feeds.max_age = MAX_AGE, and the
# given keys set (replacing any in the shipped file).
conf() {
  local out=$1; shift
  python3 - "$PWD" "$out" feeds.toml "$@" <<'PY'
import re, sys
root, out, src, rest = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
sets = [("storage", "seed_dir", f'"{root}/data/articles"'), ("limits", "anonymous_per_minute", "0"),
        ("limits", "key_per_minute", "0")] + [tuple(rest[i:i + 3]) for i in range(0, len(rest), 3)]
lines = open(src).read().split("\n")
model = [i for i, l in enumerate(lines) if re.match(r'\s*model\s*=\s*"', l)]
for i in model:  # classifier.model is relative to the config file too
    path = re.match(r'\s*model\s*=\s*"([^"]*)"', lines[i]).group(1)
    if not path.startswith("/"):
        sets.append(("classifier", "model", f'"{root}/{path}"'))
for section, key, value in sets:
    head = next((i for i, l in enumerate(lines) if l.strip() == f"[{section}]"), None)
    if head is None:
        lines += ["", f"[{section}]", f"{key} = {value}"]
        continue
    end = next((i for i in range(head + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    lines[head + 1:end] = [l for l in lines[head + 1:end] if not re.match(rf"\s*{re.escape(key)}\s*=", l)]
    lines.insert(head + 1, f"{key} = {value}")
open(out, "w").write("\n".join(lines) + "\n")
PY
}
conf "$work/plain.toml" feeds max_age "$MAX_AGE"
conf "$work/purge.toml" feeds max_age "$MAX_AGE" cdn purge_urls "[\"$cdn/\"]" cdn s_maxage "$S_MAXAGE"

# start_origin CONFIG PORT: a wirefeed server on the shared database, its base URL the cache's.
start_origin() {
  local n=${#spids[@]}
  WIREFEED_LOG=warn "$BIN" --config "$1" --database "$db" serve --bind "127.0.0.1:$2" --base-url "$cdn" \
    >"$work/server$n.out" 2>"$work/server$n.err" &
  spids+=($!)
  for _ in $(seq 1 600); do
    grep -q "^listening on" "$work/server$n.out" 2>/dev/null && return 0
    kill -0 "${spids[$n]}" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/server$n.err" >&2
  die "wirefeed on port $2 did not start"
}
start_origins() { # CONFIG: the first one seeds a fresh database; the second starts once it listens
  start_origin "$1" "$p1"
  start_origin "$1" "$p2"
}

# --- phase 0: the VCL alone, against a scripted origin (varnishtest) --------------------------
# One backend, no probe (varnishtest's server answers a fixed script); the same VCL otherwise.
echo "== phase 0: varnishtest of deploy/varnish.vcl"
{
  cat <<'VTC'
varnishtest "deploy/varnish.vcl against a scripted origin"

server s1 {
	# 1: a public feed, named by its scopes
	rxreq
	expect req.url == "/feeds/security.atom"
	txresp -hdr "Cache-Control: public, max-age=1, stale-while-revalidate=1, stale-if-error=60" \
	       -hdr "Surrogate-Key: wirefeed all topic:security" -hdr "ETag: \"v1\"" -body "v1"
	# 2: after the purge of topic:security
	rxreq
	expect req.url == "/feeds/security.atom"
	txresp -hdr "Cache-Control: public, max-age=1, stale-while-revalidate=1, stale-if-error=60" \
	       -hdr "Surrogate-Key: wirefeed all topic:security" -hdr "ETag: \"v2\"" -body "v2"
	# 3, 4: keyed requests always reach the origin
	rxreq
	expect req.http.Authorization == "Bearer k"
	txresp -hdr "Cache-Control: private, max-age=5" -hdr "Vary: Accept-Encoding, Authorization" -body "keyed"
	rxreq
	expect req.url == "/feeds/embassy-briefing.atom?token=k"
	txresp -hdr "Cache-Control: private, max-age=5" -body "keyed"
	# 5, 6: a public-looking URL answering private is never stored
	rxreq
	txresp -hdr "Cache-Control: private, max-age=5" -body "p1"
	rxreq
	txresp -hdr "Cache-Control: private, max-age=5" -body "p2"
	# 7: past max-age and stale-while-revalidate, healthy: a fresh fetch, not the stale copy
	rxreq
	expect req.url == "/feeds/security.atom"
	txresp -hdr "Cache-Control: public, max-age=1, stale-while-revalidate=1, stale-if-error=60" \
	       -hdr "Surrogate-Key: wirefeed all topic:security" -hdr "ETag: \"v3\"" -body "v3"
	# 8: the background refresh within stale-while-revalidate
	rxreq
	txresp -hdr "Cache-Control: public, max-age=1, stale-while-revalidate=1, stale-if-error=60" \
	       -hdr "Surrogate-Key: wirefeed all topic:security" -hdr "ETag: \"v4\"" -body "v4"
} -start

varnish v1 -vcl {
VTC
  sed -e '/^probe healthz {/,/^}/d' -e '/^backend wirefeed2/d' -e '/add_backend(wirefeed2)/d' -e 's/ \.probe = healthz;//' \
    -e 's/"127.0.0.1"; .port = "8081"/"${s1_addr}"; .port = "${s1_port}"/' deploy/varnish.vcl
  cat <<'VTC'
} -start

client c1 {
	txreq -url "/feeds/security.atom"
	rxresp
	expect resp.body == "v1"
	expect resp.http.X-Cache == "MISS"
	expect resp.http.xkey == <undef>
	txreq -url "/feeds/security.atom"
	rxresp
	expect resp.body == "v1"
	expect resp.http.X-Cache == "HIT"
	# a purge of another scope leaves it
	txreq -req PURGE -url "/" -hdr "xkey: topic:migration kills"
	rxresp
	expect resp.status == 200
	expect resp.reason == "Purged 0"
	txreq -url "/feeds/security.atom"
	rxresp
	expect resp.http.X-Cache == "HIT"
	# wirefeed's PURGE: its scopes in xkey and Surrogate-Key
	txreq -req PURGE -url "/" -hdr "xkey: all topic:migration" -hdr "Surrogate-Key: all topic:migration"
	rxresp
	expect resp.status == 200
	expect resp.reason == "Purged 1"
	txreq -url "/feeds/security.atom"
	rxresp
	expect resp.body == "v2"
	expect resp.http.X-Cache == "MISS"
	# keyed: passed
	txreq -url "/feeds/embassy-briefing.atom" -hdr "Authorization: Bearer k"
	rxresp
	expect resp.http.X-Cache == "PASS"
	txreq -url "/feeds/embassy-briefing.atom?token=k"
	rxresp
	expect resp.http.X-Cache == "PASS"
	# private: never stored
	txreq -url "/feeds/odd.atom"
	rxresp
	expect resp.body == "p1"
	txreq -url "/feeds/odd.atom"
	rxresp
	expect resp.body == "p2"
	expect resp.http.X-Cache == "MISS"
	# past max-age + stale-while-revalidate with a healthy origin: fresh
	delay 2.5
	txreq -url "/feeds/security.atom"
	rxresp
	expect resp.body == "v3"
	# within stale-while-revalidate: the stale copy at once, refreshed behind it
	delay 1.4
	txreq -url "/feeds/security.atom"
	rxresp
	expect resp.body == "v3"
	expect resp.http.X-Cache == "HIT"
	delay 0.3
	txreq -url "/feeds/security.atom"
	rxresp
	expect resp.body == "v4"
} -run

# origin down: stale-if-error (60 s) serves the copy past max-age + stale-while-revalidate
varnish v1 -cliok "backend.set_health * sick"
delay 2.5
client c2 {
	txreq -url "/feeds/security.atom"
	rxresp
	expect resp.status == 200
	expect resp.body == "v4"
	expect resp.http.X-Cache == "HIT"
} -run
varnish v1 -expect MAIN.backend_req == 8
VTC
} >"$work/vcl.vtc"
if varnishtest "$work/vcl.vtc" >"$work/vtc.out" 2>&1; then
  pass "0. varnishtest: xkey purge (wirefeed's PURGE; another scope's leaves it), keyed and private answers passed, stale-while-revalidate refreshes behind a stale copy, fresh fetch past it, stale-if-error while the origin is down"
else
  grep -E '^(----|#)' "$work/vtc.out" | head -15 | sed 's/^/    /'
  fail "0. varnishtest of deploy/varnish.vcl"
fi

pub=$("$BIN" --config "$work/plain.toml" --database "$db" keys add ci-pub --role publisher) || die "keys add (publisher) failed"
sub=$("$BIN" --config "$work/plain.toml" --database "$db" keys add emb --role subscriber --feed embassy-briefing) \
  || die "keys add (subscriber) failed"
start_origins "$work/plain.toml"

mkdir -p "$vdir"
sed -e "s|\"8081\"|\"$p1\"|" -e "s|\"8082\"|\"$p2\"|" deploy/varnish.vcl >"$vdir/wirefeed.vcl"
chmod 644 "$vdir/wirefeed.vcl"
grep -q "\"$p1\"" "$vdir/wirefeed.vcl" && grep -q "\"$p2\"" "$vdir/wirefeed.vcl" || die "could not set the backend ports in the VCL copy"
jail=(); [ "$(id -u)" = 0 ] || jail=(-j none)
varnishd -F "${jail[@]}" -n "$vdir" -a "127.0.0.1:$vport" -T 127.0.0.1:0 -f "$vdir/wirefeed.vcl" -s malloc,64m \
  -p thread_pool_max=2000 >"$work/varnishd.log" 2>&1 &
vpid=$!
for _ in $(seq 1 150); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$cdn/healthz")" = 200 ] && break
  kill -0 "$vpid" 2>/dev/null || { cat "$work/varnishd.log" >&2; die "varnishd exited"; }
  sleep 0.2
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$cdn/healthz")" = 200 ] || { cat "$work/varnishd.log" >&2; die "Varnish did not answer /healthz on $cdn"; }
echo "== wirefeed $o1 and $o2 on one database, Varnish $cdn, feeds.max_age $MAX_AGE s"

# --- helpers -------------------------------------------------------------------------------
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
vstat() { varnishstat -n "$vdir" -1 -f "MAIN.$1" | awk '{ print $2 }'; }
# get URL [curl args]: the body through the cache into $work/body, headers into $work/head.
get() { local u=$1; shift; curl -s --max-time 10 -o "$work/body" -D "$work/head" "$@" "$u" || true; }
hdr() { tr -d '\r' <"$work/head" | awk -v h="$(tr 'A-Z' 'a-z' <<<"$1")" -F': ' 'tolower($1) == h { print $2 }' | tail -1; }
status() { tr -d '\r' <"$work/head" | awk '/^HTTP/ { s = $2 } END { print s }'; }
has() { grep -q -- "$1" "$work/body"; }
# article MARKER [EMBARGO]: JSON of a security story whose headline carries MARKER.
article() {
  python3 -c '
import json, sys
a = {"headline": f"Police arrest gang members in Port Ellery ({sys.argv[1]})",
     "body": f"Police arrested five suspected gang members in Port Ellery on Monday. {sys.argv[1]}.",
     "language": "en", "dateline": "Port Ellery"}
if len(sys.argv) > 2: a["embargo_until"] = sys.argv[2]
print(json.dumps(a))' "$@"
}
# publish MARKER [EMBARGO]: POST to the first origin (a CMS talks to the origin, not the cache);
# sets $id. Fatal unless 201.
publish() {
  local code
  code=$(curl -s -o "$work/post" -w '%{http_code}' -X POST -H "Authorization: Bearer $pub" \
    -H 'Content-Type: application/json' --data-binary "$(article "$@")" "$o1/api/v1/articles")
  [ "$code" = 201 ] || { cat "$work/post" >&2; die "POST /api/v1/articles answered $code"; }
  id=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$work/post")
}
kill_story() { # ID
  local code
  code=$(curl -s -o "$work/del" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $pub" \
    -H 'Content-Type: application/json' --data-binary '{"reason":"CDN check: do not use"}' "$o1/api/v1/articles/$1")
  [ "$code" = 200 ] || { cat "$work/del" >&2; die "DELETE /api/v1/articles/$1 answered $code"; }
}
# prime URL: fetch until the cache answers a HIT, so a stored copy is what readers get next.
prime() {
  for _ in 1 2 3 4 5; do get "$cdn$1"; [ "$(hdr X-Cache)" = HIT ] && return 0; sleep 0.05; done
  echo "  note: $1 was not a cache HIT after 5 tries (X-Cache $(hdr X-Cache), Cache-Control $(hdr Cache-Control))"
}
# wait_for PATH TEXT present|absent LIMIT [INTERVAL]: poll PATH through the cache until TEXT is
# present (or absent), at most LIMIT s; sets $took (s since the call) and $xcache of that answer.
wait_for() {
  local t0=$EPOCHREALTIME ok
  took=""; xcache=""
  while le "$(since "$t0")" "$4"; do
    get "$cdn$1"
    ok=1; if has "$2"; then [ "$3" = present ] || ok=0; else [ "$3" = absent ] || ok=0; fi
    if [ "$ok" = 1 ] && [ "$(status)" = 200 ]; then took=$(since "$t0"); xcache=$(hdr X-Cache); return 0; fi
    sleep "${5:-0.2}"
  done
  return 1
}
mark() { echo "cdn$1$(python3 -c 'import secrets; print(secrets.token_hex(4))')"; }
# picture_check LABEL LIMIT [SETTLE]: a picture through the cache. Uploads a sample picture under a new id
# to the first origin and files a public story showing it; the rendition's second request must
# be a cache HIT; after the picture is killed, the cache must answer 410 within LIMIT s.
picture_check() {
  local pic code url t_kill
  pic=$(mark i)
  code=$(curl -s -o "$work/pic" -w '%{http_code}' -X POST -H "Authorization: Bearer $pub" \
    -F "file=@data/media/harbour-patrol.jpg;type=image/jpeg" \
    -F "metadata={\"id\":\"$pic\",\"caption\":\"CDN check $pic\",\"alt_text\":\"A patrol boat\"};type=application/json" \
    "$o1/api/v1/media")
  [ "$code" = 201 ] || { cat "$work/pic" >&2; die "POST /api/v1/media answered $code"; }
  code=$(curl -s -o "$work/post" -w '%{http_code}' -X POST -H "Authorization: Bearer $pub" \
    -H 'Content-Type: application/json' \
    --data-binary "{\"headline\":\"Patrol boat ($pic)\",\"body\":\"A patrol boat left Port Ellery.\",\"language\":\"en\",\"media\":[\"$pic\"]}" \
    "$o1/api/v1/articles")
  [ "$code" = 201 ] || { cat "$work/post" >&2; die "POST /api/v1/articles with picture $pic answered $code"; }
  url=$(python3 -c 'import json, sys; print(next(r["href"] for r in json.load(open(sys.argv[1]))["renditions"] if r["name"] == "web"))' "$work/pic")
  url=$cdn/${url#*://*/} # the origins' base URL is the cache's already; make sure
  # With purging on, filing the story purges picture:<id> twice: at once and again 1.5 s later
  # (src/cdn.rs AGAIN_AFTER). Let the second purge land first, or it may drop the copy between
  # the two requests below and the check would measure the purge, not the rendition's caching.
  [ -n "${3:-}" ] && sleep "$3"
  get "$url"; get "$url"
  if [ "$(status)" = 200 ] && [ "$(hdr X-Cache)" = HIT ] && [ "$(hdr Cache-Control)" = "public, max-age=31536000, immutable" ] && [ -z "$(hdr Surrogate-Control)" ]; then
    pass "h$1. a rendition's second request through the cache is a HIT (Cache-Control $(hdr Cache-Control))"
  else
    fail "h$1. rendition ${url#"$cdn"} through the cache: $(status), X-Cache $(hdr X-Cache), Cache-Control $(hdr Cache-Control), Surrogate-Control '$(hdr Surrogate-Control)' (want 200, HIT, immutable, none)"
  fi
  code=$(curl -s -o "$work/del" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $pub" "$o1/api/v1/media/$pic")
  [ "$code" = 200 ] || { cat "$work/del" >&2; die "DELETE /api/v1/media/$pic answered $code"; }
  t_kill=$(now)
  while le "$(since "$t_kill")" "$2"; do
    get "$url"; [ "$(status)" = 410 ] && break; sleep 0.1
  done
  if [ "$(status)" = 410 ]; then
    pass "h$1. a killed picture: 410 through the cache $(since "$t_kill") s after the kill (limit $2 s)"
  else
    fail "h$1. killed picture $pic still answered $(status) through the cache $2 s after the kill (X-Cache $(hdr X-Cache), Age $(hdr Age))"
  fi
}
limit=$((MAX_AGE + 1))

# --- phase 1: max-age alone --------------------------------------------------------------
echo "== phase 1: no purge, the cache keeps a page for max-age ($MAX_AGE s)"

# a. a new story within max-age
m=$(mark a); prime /feeds/all.json; publish "$m"
get "$cdn/feeds/all.json"; first=$(hdr X-Cache); has "$m" && hidden=no || hidden=yes
if wait_for /feeds/all.json "$m" present "$limit"; then
  pass "a. new story through the cache after $took s (limit $limit s; right after the write: $first, story hidden: $hidden)"
else
  fail "a. new story $id not in $cdn/feeds/all.json $limit s after it was filed (X-Cache $(hdr X-Cache), Age $(hdr Age))"
fi

# b. an embargo lift within max-age of the lift, never before it
sleep 1.1
lift_epoch=$(( ${EPOCHREALTIME%.*} + 4 ))
lift=$(date -u -d "@$lift_epoch" +%Y-%m-%dT%H:%M:%SZ)
m=$(mark b); publish "$m" "$lift"
prime /feeds/all.json
early=0
while [ "${EPOCHREALTIME%.*}" -lt "$lift_epoch" ]; do get "$cdn/feeds/all.json"; has "$m" && early=1; sleep 0.2; done
t_lift=$lift_epoch
if wait_for /feeds/all.json "$m" present "$limit"; then
  after=$(since "$t_lift")
  if [ "$early" = 0 ]; then pass "b. embargoed story hidden until its lift, through the cache $after s after it (limit $limit s)"
  else fail "b. embargoed story $id was served before its embargo lifted"; fi
else
  fail "b. embargoed story $id not in $cdn/feeds/all.json $limit s after its lift at $lift (Cache-Control $(hdr Cache-Control), Age $(hdr Age))"
fi

# c. a kill within max-age: gone from all, listed in kills
sleep 1.1
m=$(mark c); publish "$m"; victim=$id
wait_for /feeds/all.json "$m" present "$limit" || die "story $victim for the kill check never appeared"
sleep 1.1
prime /feeds/all.json; prime /feeds/kills.json
kill_story "$victim"; t_kill=$(now)
if wait_for /feeds/all.json "$m" absent "$limit" && wait_for /feeds/kills.json "$m" present "$limit"; then
  pass "c. kill: gone from all.json and in kills.json through the cache $(since "$t_kill") s after it (limit $limit s)"
else
  fail "c. kill of $victim not shown through the cache within $limit s (X-Cache $(hdr X-Cache), Age $(hdr Age))"
fi

# h. a picture: its rendition cached, a kill out of the cache within max-age (Surrogate-Control)
picture_check "" "$limit"

# d. a restricted feed never from the shared cache
hits0=$(vstat cache_hit); pass0=$(vstat s_pass)
d_ok=1; d_seen=()
for round in 1 2; do
  get "$cdn/feeds/embassy-briefing.atom?token=$sub"; d_seen+=("token:$(status)/$(hdr X-Cache)")
  { [ "$(status)" = 200 ] && [ "$(hdr X-Cache)" != HIT ] && [[ "$(hdr Cache-Control)" == private* ]]; } || d_ok=0
  get "$cdn/feeds/embassy-briefing.atom" -H "Authorization: Bearer $sub"; d_seen+=("bearer:$(status)/$(hdr X-Cache)")
  { [ "$(status)" = 200 ] && [ "$(hdr X-Cache)" != HIT ] && [[ "$(hdr Cache-Control)" == private* ]]; } || d_ok=0
done
get "$cdn/feeds/embassy-briefing.atom"; d_seen+=("nokey:$(status)/$(hdr X-Cache)")
[ "$(status)" = 401 ] || d_ok=0
get "$cdn/feeds/embassy-briefing.atom?token=wf_sub_0000"; d_seen+=("badkey:$(status)")
[ "$(status)" = 401 ] || d_ok=0
hits=$(( $(vstat cache_hit) - hits0 )); passes=$(( $(vstat s_pass) - pass0 ))
if [ "$d_ok" = 1 ] && [ "$hits" = 0 ] && [ "$passes" -ge 4 ]; then
  pass "d. restricted feed: ${d_seen[*]}; varnishstat: $hits cache hits, $passes passes"
else
  fail "d. restricted feed: ${d_seen[*]} (want 200/PASS private four times, then 401 twice); varnishstat: $hits cache hits, $passes passes"
fi

# e. a poll storm
sleep 1
conns=$STORM_CONNECTIONS
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -gt $((conns + 100)) ] || conns=$(( $(ulimit -n) - 100 ))
metrics_sum() { # requests both origins have answered (their /metrics), less these two reads
  local n=0 u v
  for u in "$o1" "$o2"; do
    v=$(curl -s "$u/metrics" | awk '/^wirefeed_http_responses_total/ { s += $2 } END { print s + 0 }')
    n=$((n + v))
  done
  echo "$n"
}
be0=$(vstat backend_req); m0=$(metrics_sum)
wrk -t2 -c"$conns" -d"${STORM_SECONDS}s" --timeout 10s -s scripts/cdn_storm.lua "$cdn" >"$work/wrk.out" 2>&1 &
wpid=$!
( t=$EPOCHREALTIME; while kill -0 "$wpid" 2>/dev/null; do # a story every 2 s; each POST's seconds
    body=$(article "$(mark e)")
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 10 -X POST -H "Authorization: Bearer $pub" \
      -H 'Content-Type: application/json' --data-binary "$body" "$o1/api/v1/articles" >>"$work/storm.posts" || true
    t=$(awk -v t="$t" 'BEGIN { printf "%.6f", t + 2 }'); d=$(awk -v t="$t" -v n="$EPOCHREALTIME" 'BEGIN { d = t - n; printf "%.3f", (d > 0 ? d : 0) }')
    sleep "$d"
  done ) &
ppid_loop=$!
wait "$wpid" || true; wpid=""
wait "$ppid_loop" 2>/dev/null || true; ppid_loop=""
be1=$(vstat backend_req); m1=$(metrics_sum)
wv() { awk -v k="$1" '$1 == "STORM" && $2 == k { print $3 }' "$work/wrk.out"; }
reqs=$(wv requests); dur=$(wv duration_us)
if [ -z "$reqs" ] || [ -z "$dur" ] || [ "$reqs" = 0 ]; then
  cat "$work/wrk.out"; fail "e. the storm did not run"
else
  origin=$((be1 - be0)); served=$(( m1 - m0 - 2 ))
  posts=$(grep -c '^201 ' "$work/storm.posts" || true)
  post_ms=$(awk '{ print $2 * 1000 }' "$work/storm.posts" | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "median %.0f ms, slowest %.0f ms", v[int((NR + 1) / 2)], v[NR] }')
  post_codes=$(awk '{ print $1 }' "$work/storm.posts" | sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')
  read -r crps orps frac < <(awk -v r="$reqs" -v d="$dur" -v o="$origin" 'BEGIN { printf "%.0f %.1f %.5f\n", r / (d / 1e6), o / (d / 1e6), o / r }')
  echo "cdn: storm clients=$crps req/s origin=$orps req/s fraction=$frac"
  echo "  $reqs requests from $conns connections in $(awk -v d="$dur" 'BEGIN { printf "%.1f", d / 1e6 }') s: $(wv s200) 200, $(wv s304) 304, $(wv other) other, $(wv socket_errors) socket errors; p50 $(wv p50_ms) ms, p99 $(wv p99_ms) ms"
  echo "  origin: $origin backend requests (varnishstat MAIN.backend_req), $served answered by the two origins (their /metrics, with the ${posts} stories published and health probes); POSTs to the origin: $post_codes, ${post_ms:-no times}"
  if [ "$(wv other)" = 0 ] && [ "$(wv socket_errors)" = 0 ] && le "$frac" 0.01 && [ "$posts" -ge $((STORM_SECONDS / 4)) ]; then
    pass "e. storm: $frac of $reqs requests reached the origins ($posts stories published meanwhile)"
  else
    fail "e. storm: fraction $frac (want <= 0.01), $(wv other) non-200/304 answers, $(wv socket_errors) socket errors (want 0), $posts stories published"
  fi
fi

# g. one origin down: the probes (/healthz) take it out of the round robin
kill "${spids[1]}" 2>/dev/null || true; wait "${spids[1]}" 2>/dev/null || true
sleep 3.5 # .interval 1s, .window 3, .threshold 2: sick after two missed probes
g_codes=""
for n in 1 2 3 4 5 6; do get "$cdn/feeds/migration.rss?limit=$n"; g_codes+="$(status) "; done
if [ "$g_codes" = "200 200 200 200 200 200 " ]; then
  pass "g. second origin stopped: six uncached requests all answered by the first ($g_codes)"
else
  fail "g. second origin stopped: six uncached requests answered $g_codes(want 200 each: the probe should take it out)"
fi

# --- phase 2: purge ------------------------------------------------------------------------
echo "== phase 2: [cdn] purge_urls = [\"$cdn/\"], s_maxage = $S_MAXAGE: only a purge shows a change before $S_MAXAGE s"
if ! "$BIN" --config "$work/purge.toml" --database "$db" check >"$work/check.out" 2>&1; then
  sed 's/^/    /' "$work/check.out" | head -5
  fail "f. this wirefeed does not accept [cdn] purge_urls and s_maxage"
  fail "a'. new story with purge: not run (no [cdn] support)"
  fail "c'. kill with purge: not run (no [cdn] support)"
  fail "b'. embargo lift with s_maxage: not run (no [cdn] support)"
else
  stop_servers
  start_origins "$work/purge.toml"
  sleep 1.1
  # f. scopes named on the response (phase 1's copies, with its headers, dropped first; a topic
  # feed depends on its topic's scope alone: every write to one of its articles moves it)
  curl -s -o /dev/null -X PURGE -H "xkey: wirefeed" "$cdn/"
  get "$cdn/feeds/security.atom"; get "$cdn/feeds/security.atom"
  sk=$(hdr Surrogate-Key); cc=$(hdr Cache-Control)
  if [[ " $sk " == *" wirefeed "* && " $sk " == *" topic:security "* ]] && [[ "$cc" == *s-maxage=$S_MAXAGE* ]]; then
    pass "f. Surrogate-Key: $sk; Cache-Control: $cc; X-Cache $(hdr X-Cache)"
  else
    fail "f. security.atom through the cache: Surrogate-Key '$sk' (want wirefeed, topic:security), Cache-Control '$cc' (want s-maxage=$S_MAXAGE)"
  fi

  # Drop every stored copy (our own PURGE of the key every response carries) and fetch anew, so
  # the copy readers get next has all of s_maxage to live: only wirefeed's purge can replace it.
  fresh() { curl -s -o /dev/null -X PURGE -H "xkey: wirefeed" "$cdn/"; local u; for u in "$@"; do prime "$u"; done; }

  # a'. a new story at once
  m=$(mark p); fresh /feeds/all.json; publish "$m"
  if wait_for /feeds/all.json "$m" present 1 0.05; then
    pass "a'. new story through the cache $took s after it was filed, purged (X-Cache $xcache; limit 1 s)"
  else
    fail "a'. new story $id not through the cache within 1 s: no purge reached Varnish? (X-Cache $(hdr X-Cache), Age $(hdr Age), Cache-Control $(hdr Cache-Control))"
    wait_for /feeds/all.json "$m" present "$S_MAXAGE" && echo "  it showed after $took s more"
  fi

  # c'. a kill at once
  sleep 1.1
  victim=$id
  fresh /feeds/all.json /feeds/kills.json
  kill_story "$victim"; t_kill=$(now)
  if wait_for /feeds/all.json "$m" absent 1 0.05 && wait_for /feeds/kills.json "$m" present 1 0.05; then
    pass "c'. kill: gone from all.json and in kills.json through the cache $(since "$t_kill") s after it, purged (limit 1 s)"
  else
    fail "c'. kill of $victim not shown through the cache within 1 s (X-Cache $(hdr X-Cache), Age $(hdr Age))"
  fi

  # h'. a killed picture purged at once (the cache would keep the bytes a year)
  picture_check "'" 1 2.5

  # b'. an embargo lift within max-age although the cache may keep pages s_maxage
  sleep 1.1
  lift_epoch=$(( ${EPOCHREALTIME%.*} + 4 ))
  m=$(mark q); publish "$m" "$(date -u -d "@$lift_epoch" +%Y-%m-%dT%H:%M:%SZ)"
  prime /feeds/all.json
  early=0
  while [ "${EPOCHREALTIME%.*}" -lt "$lift_epoch" ]; do get "$cdn/feeds/all.json"; has "$m" && early=1; sleep 0.2; done
  if wait_for /feeds/all.json "$m" present "$limit" && [ "$early" = 0 ]; then
    pass "b'. embargoed story through the cache $(since "$lift_epoch") s after its lift (limit $limit s; s_maxage $S_MAXAGE)"
  else
    fail "b'. embargoed story $id: early=$early, not through the cache within $limit s of its lift (Cache-Control $(hdr Cache-Control), Age $(hdr Age))"
  fi
fi

echo "cdn: $passed passed, $failed failed"
[ "$failed" = 0 ]
