#!/usr/bin/env bash
# Benchmarks pictures (issue 23), each figure beside its reference:
#
#   scripts/bench_media.sh          DUR=seconds per wrk run (default 5), CONN=connections (64)
#   PIN=1 scripts/bench_media.sh    both servers on CPU 0 and wrk (one thread) on CPU 1, so that
#                                   the client does not compete with the server for a core
#
# 1. Renditions of a 24-megapixel JPEG (6000×4000, drawn by scripts/media/make_fixtures.py --big):
#    the whole pipeline on one thread (`cargo bench --bench media`) against `vipsthumbnail`
#    (libvips-tools) making the same three sizes (320, 1024, 2048 px wide), run one after another.
# 2. Serving a `web` rendition (~230 KB) and its 304: req/s against nginx (`sendfile on`) serving
#    the same file, interleaved.
# 3. A cached feed while 10 clients upload the 24-megapixel JPEG in a loop: req/s against idle.
# 4. 20 concurrent 20 MB uploads: the server's peak resident memory (VmHWM).
# Installs wrk, nginx, libvips-tools and Pillow when missing. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-5}
CONN=${CONN:-64}
# PIN=1: servers on CPU 0, wrk on CPU 1 (needs two CPUs); otherwise everything shares them all.
if [ "${PIN:-}" = 1 ]; then server_cpu=(taskset -c 0); client=(taskset -c 1 wrk -t1); else server_cpu=(); client=(wrk -t2); fi
command -v wrk >/dev/null && command -v nginx >/dev/null && command -v vipsthumbnail >/dev/null ||
  { apt-get update -qq && apt-get install -y -qq wrk nginx libvips-tools >/dev/null; }
python3 -c 'import PIL' 2>/dev/null || pip install -q Pillow==12.1.1
cargo build --release --quiet
bin=$PWD/target/release/wirefeed
work=$(mktemp -d /tmp/wirefeed-bench-media.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

python3 scripts/media/make_fixtures.py --big "$work/big.jpg" >/dev/null
python3 scripts/media/make_fixtures.py --large-upload "$work/20mb.jpg" 20 >/dev/null

echo "== 1. renditions of a 24-megapixel JPEG"
ours=$(cargo bench --quiet --bench media -- "$work/big.jpg" 7 | tail -1)
echo "wirefeed: $ours"
vips_ms=()
for _ in 1 2 3 4 5 6 7; do
  t0=$(date +%s%N)
  for w in 320 1024 2048; do vipsthumbnail "$work/big.jpg" --size "${w}x" -o "$work/v$w.jpg[Q=85]"; done
  t1=$(date +%s%N)
  vips_ms+=($(( (t1 - t0) / 1000000 )))
done
vips=$(printf '%s\n' "${vips_ms[@]}" | sort -n | sed -n 4p)
echo "vipsthumbnail, three sizes one after another: median $vips ms"
med=$(echo "$ours" | sed -E 's/.*median ([0-9]+) ms.*/\1/')
python3 -c "print(f'ratio (wirefeed / vipsthumbnail): {$med / $vips:.2f}x (goal <= 1.5x)')"

echo "== 2. serving a web rendition and its 304"
sed -e 's/^seed_dir = .*/seed_dir = "'"$(echo "$PWD/data/articles" | sed 's/[\/&]/\\&/g')"'"/' feeds.toml > "$work/feeds.toml"
mkdir -p "$work/data" && cp data/model.json "$work/data/"
printf '\n[limits]\nanonymous_per_minute = 0\nkey_per_minute = 0\n' >> "$work/feeds.toml"
WIREFEED_LOG=warn "${server_cpu[@]}" "$bin" --config "$work/feeds.toml" --database "$work/w.db" serve --bind 127.0.0.1:18091 >"$work/serve.log" 2>&1 &
server=$!
pids+=($server)
for _ in $(seq 1 300); do grep -q '^listening' "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
base=http://127.0.0.1:18091
url=$(curl -s "$base/feeds/all.json" | python3 -c '
import json, sys
items = json.load(sys.stdin)["items"]
print([i for i in items if i.get("image") and "img-974637889bf89c98" in i["image"]][0]["image"])')
path=/${url#*://*/}
curl -s -o "$work/web.jpg" "$base$path"
etag=$(curl -sI "$base$path" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
echo "file: $path ($(stat -c %s "$work/web.jpg") bytes)"
mkdir -p "$work/www"
cp "$work/web.jpg" "$work/www/web.jpg"
# `user root`: the workers must be able to read the 0700 mktemp folder. Without it every nginx
# answer was a 153-byte 403, which wrk counts as requests (runs before 2026-12-07 compared
# against that); rps() below now refuses a run with any answer that is not 2xx or 3xx.
cat > "$work/nginx.conf" <<NGINX
user root;
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  server { listen 127.0.0.1:18092; root $work/www; location / { etag on; } }
}
NGINX
"${server_cpu[@]}" nginx -c "$work/nginx.conf" -p "$work"
netag=$(curl -sI http://127.0.0.1:18092/web.jpg | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
rps() {
  local out
  out=$("${client[@]}" -c"$CONN" -d"${DUR}s" "$@" 2>/dev/null)
  if grep -q 'Non-2xx' <<<"$out"; then echo "wrk $*: answers that are not 2xx or 3xx" >&2; grep 'Non-2xx' <<<"$out" >&2; exit 1; fi
  awk '/Requests\/sec/{print int($2)}' <<<"$out"
}
# Both servers answer the same bytes, and 304 to their own entity tag.
for u in "$base$path" http://127.0.0.1:18092/web.jpg; do
  [ "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$u")" = "200 $(stat -c %s "$work/web.jpg")" ] || { echo "$u: not a 200 with the file" >&2; exit 1; }
done
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$base$path")" = 304 ] || { echo "wirefeed: no 304" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $netag" http://127.0.0.1:18092/web.jpg)" = 304 ] || { echo "nginx: no 304" >&2; exit 1; }
for round in 1 2 3; do
  a=$(rps "$base$path"); b=$(rps http://127.0.0.1:18092/web.jpg)
  c=$(rps -H "If-None-Match: $etag" "$base$path"); d=$(rps -H "If-None-Match: $netag" http://127.0.0.1:18092/web.jpg)
  python3 -c "print(f'round $round: 200 wirefeed $a, nginx $b ({$a/$b:.2f}x); 304 wirefeed $c, nginx $d ({$c/$d:.2f}x)')"
done

echo "== 3. a cached feed while 10 clients upload the 24-megapixel JPEG"
token=$("$bin" --config "$work/feeds.toml" --database "$work/w.db" keys add bench --role publisher | grep -o 'wf_[A-Za-z0-9_]*' | head -1)
idle=$(rps "$base/feeds/all.rss")
stop=$work/stop
for i in $(seq 1 10); do
  ( while [ ! -e "$stop" ]; do
      curl -s -o /dev/null -X POST "$base/api/v1/media" -H "Authorization: Bearer $token" -H 'Content-Type: image/jpeg' --data-binary @"$work/big.jpg"
    done ) &
  pids+=($!)
done
sleep 1
busy=$(rps "$base/feeds/all.rss")
touch "$stop"
wait_uploads=$(date +%s); sleep 3
python3 -c "print(f'cached feed: idle $idle req/s, during uploads $busy req/s ({$busy/$idle:.2f}x, goal >= 0.8x)')"

echo "== 4. 20 concurrent 20 MB uploads: peak memory"
before=$(awk '/VmHWM/{print $2}' "/proc/$server/status")
for i in $(seq 1 20); do
  curl -s -o "$work/up$i.json" -w '%{http_code}\n' -X POST "$base/api/v1/media" -H "Authorization: Bearer $token" -H 'Content-Type: image/jpeg' --data-binary @"$work/20mb.jpg" >"$work/code$i" &
done
wait_for=$(date +%s)
while [ "$(cat "$work"/code* 2>/dev/null | wc -l)" -lt 20 ] && [ $(( $(date +%s) - wait_for )) -lt 300 ]; do sleep 0.5; done
after=$(awk '/VmHWM/{print $2}' "/proc/$server/status")
echo "status codes: $(sort "$work"/code* | uniq -c | tr '\n' ' ')"
echo "peak RSS: before the storm $((before / 1024)) MiB, after $((after / 1024)) MiB"
