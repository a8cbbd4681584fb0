#!/usr/bin/env bash
# Email alert benchmarks (issue 26), against aiosmtpd (scripts/alerts_smtp.py) on loopback:
#   1. immediate alert latency: one confirmed subscription, $STORIES stories filed over the API
#      0.3 s apart; latency = the SMTP server writing the message − the API's 2xx (p50, p99);
#   2. a daily digest to $SUBS subscriptions (10 new stories each): from the server's start to
#      the SMTP server writing the last message;
#   3. feed serving during that digest: wrk on /feeds/all.rss (page cache hits, 16 connections)
#      for $WRK_SECONDS while the digest is sent, against the same run idle just before.
# Usage: scripts/bench_alerts.sh [WIREFEED_BINARY]   (default target/release/wirefeed)
#   SUBS (10000), STORIES (60), WRK_SECONDS (5), CONNECTIONS (mail.connections; default the server's, 8)
set -euo pipefail
bin=$(realpath "${1:-target/release/wirefeed}")
cd "$(dirname "$0")/.."
subs=${SUBS:-10000}; stories=${STORIES:-60}; wrk_s=${WRK_SECONDS:-5}
python3 -c 'import aiosmtpd' || { echo "bench_alerts: pip install aiosmtpd" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench_alerts: wrk is not installed" >&2; exit 1; }
source scripts/lib.sh

mail_dir=$(mktemp -d)
inbox=$mail_dir/inbox
smtp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PYTHONPATH=scripts python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c alerts_smtp.Folder "$inbox" >"$mail_dir/smtp.log" 2>&1 &
smtp_pid=$!
# The digest slot an hour away: the first start records yesterday's slot (no subscriber yet);
# today's stays free for part 2. (Run it at least an hour before midnight UTC.)
later=$(date -u -d '+1 hour' +%H:%M)
[ "$(date -u -d '+1 hour' +%d)" = "$(date -u +%d)" ] || { echo "bench_alerts: run it before 23:00 UTC" >&2; exit 1; }
mail_config() {
  printf '[mail]\nsmtp_url = "smtp://127.0.0.1:%s"\nfrom = "ANV Alerts <alerts@anv.example>"\ndigest_time = "%s"\ntimezone = "UTC"\n' "$smtp_port" "$1"
  [ -z "${CONNECTIONS:-}" ] || printf 'connections = %s\n' "$CONNECTIONS"
}
export WIREFEED_EXTRA_CONFIG=$(mail_config "$later")
start_server
trap 'kill $pid $smtp_pid 2>/dev/null || true; rm -rf "$work" "$mail_dir"' EXIT
cli() { "$bin" --config "$config" --database "$work/wirefeed.db" "$@"; }
key=$(cli keys add bench --role publisher)
sleep 1.2
m() { python3 scripts/alerts_mail.py "$@"; }
file_story() { # ID HEADLINE → prints the ms the API answered
  curl -sf -o /dev/null -X PUT "$base/api/v1/articles/$1" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    --data "{\"headline\":\"$2\",\"body\":\"$2. Figures from the ministry.\",\"language\":\"en\",\"topics\":[\"security\"]}"
  date +%s%3N
}

echo "== 1. immediate: publish → SMTP accept, $stories stories"
curl -sf -o /dev/null -H 'Content-Type: application/json' --data '{"email":"desk@bench.example","lang":"en"}' "$base/alerts"
f=$(m wait "$inbox" desk@bench.example Confirm 30)
curl -sf -o /dev/null "$base$(m link "$f" /alerts/confirm)"
: > "$mail_dir/filed"
for i in $(seq 1 "$stories"); do
  echo "$i $(file_story "lat-$i" "Latency story number $i")" >> "$mail_dir/filed"
  sleep 0.3
done
m wait "$inbox" desk@bench.example "Latency story number $stories" 60 >/dev/null
python3 - "$inbox" "$mail_dir/filed" <<'EOF'
import email, email.policy, glob, os, re, statistics, sys
filed = {int(a): int(b) for a, b in (l.split() for l in open(sys.argv[2]))}
lat = []
for p in glob.glob(os.path.join(sys.argv[1], "*.eml")):
    with open(p, "rb") as f:
        subject = str(email.message_from_bytes(f.read(), policy=email.policy.default)["Subject"])
    mm = re.search(r"Latency story number (\d+)$", subject)
    if mm:
        lat.append(os.stat(p).st_mtime_ns / 1e6 - filed[int(mm.group(1))])
lat.sort()
q = lambda x: lat[min(len(lat) - 1, int(round(x * (len(lat) - 1))))]
print(f"immediate: n={len(lat)} p50={q(0.5):.0f} ms p99={q(0.99):.0f} ms max={lat[-1]:.0f} ms")
EOF

echo "== 2. daily digest to $subs subscriptions"
now_ms=$(date +%s%3N)
python3 - "$work/wirefeed.db" "$subs" "$now_ms" <<'EOF'
import sqlite3, sys, hashlib
db, n, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = sqlite3.connect(db, timeout=30)
rows = []
for i in range(n):
    e = f"reader{i}@bench.example"
    rows.append((e, hashlib.sha256(e.encode()).hexdigest(), now - 1000))
c.executemany("INSERT INTO alert_subscriptions (email, email_hash, topics, countries, language, ui, q, frequency, "
              "key_name, state, created_at, confirmed_at, digest_from) VALUES (?, ?, '[]', '[]', NULL, 'en', NULL, "
              "'daily', NULL, 'active', ?3, ?3, ?3)", rows)
c.commit()
EOF
for i in $(seq 1 10); do file_story "dig-$i" "Digest story number $i" >/dev/null; done
# The slot must come after the stories: wait for the next minute, then restart with the digest
# at that minute (the slot is due at once, as after a server that was down over it).
sleep $((61 - $(date -u +%-S)))
slot=$(date -u +%H:%M)
port=${base##*:}
wrk -t2 -c16 -d"${wrk_s}s" "$base/feeds/all.rss" > "$mail_dir/wrk-idle.txt"
kill "$pid"; wait "$pid" 2>/dev/null || true
sed -i "s/^digest_time = .*/digest_time = \"$slot\"/" "$config"
before=$(ls "$inbox" | grep -c '\.eml$')
start_ms=$(date +%s%3N)
WIREFEED_LOG=warn "$bin" --config "$config" --database "$work/wirefeed.db" serve --bind "127.0.0.1:$port" --base-url "$base" >"$work/stdout" 2>>"$work/stderr" &
pid=$!
for _ in $(seq 1 300); do grep -q '^listening' "$work/stdout" 2>/dev/null && break; sleep 0.05; done
wrk -t2 -c16 -d"${wrk_s}s" "$base/feeds/all.rss" > "$mail_dir/wrk-digest.txt"
want=$((before + subs))
for _ in $(seq 1 600); do
  [ "$(ls "$inbox" | grep -c '\.eml$')" -ge "$want" ] && break
  sleep 0.2
done
got=$(( $(ls "$inbox" | grep -c '\.eml$') - before ))
last_ms=$(python3 -c 'import glob,os,sys; print(int(max(os.stat(p).st_mtime_ns for p in glob.glob(sys.argv[1] + "/*.eml")) / 1e6))' "$inbox")
echo "digest: $got of $subs messages in $(( (last_ms - start_ms) )) ms from the server's start"
idle=$(awk '/Requests\/sec/ {print $2}' "$mail_dir/wrk-idle.txt")
during=$(awk '/Requests\/sec/ {print $2}' "$mail_dir/wrk-digest.txt")
echo "feed serving: idle $idle req/s, during the digest $during req/s, ratio $(python3 -c "print(round($during / $idle, 2))")"
