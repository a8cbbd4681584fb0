#!/usr/bin/env bash
# Email alerts (issue 26, contract §16) against a real SMTP server process: PyPI aiosmtpd on
# 127.0.0.1 (scripts/alerts_smtp.py writes each message to a folder and can answer 451 or 550),
# and PyPI dkimpy verifying the DKIM signature against the public key this script made:
#   - `wirefeed check` loads the DKIM key (and refuses a PKCS#8 one: the control);
#   - a press office subscribes through the HTML form, reads the confirmation mail and follows
#     its link; a publisher files an urgent story over the API; the mail that arrives has
#     Message-ID, Date, List-Id, List-Unsubscribe (http(s) + mailto), List-Unsubscribe-Post,
#     both parts with the story, and a DKIM signature dkimpy verifies (a tampered copy fails);
#   - one-click unsubscribe (RFC 8058 POST), then nothing more arrives while a control
#     subscriber gets the next story;
#   - 451 twice then accept: the mail arrives after retries; 550: the message fails once, is not
#     retried, and `wirefeed alerts list` shows it;
#   - the SMTP server down, the wirefeed server killed (-9) and restarted, the SMTP server back:
#     the queued mail arrives exactly once, and nothing mailed before is mailed again.
# Usage: scripts/alerts_check.sh WIREFEED_BINARY
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 WIREFEED_BINARY" >&2; exit 2; }
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
die() { echo "alerts: FAIL: $*" >&2; exit 1; }
for tool in curl openssl base64; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
python3 -c 'import aiosmtpd, dkim' || die "python3 lacks aiosmtpd or dkimpy (pip install aiosmtpd dkimpy)"
source scripts/lib.sh

mail_dir=$(mktemp -d)
inbox="$mail_dir/inbox"
smtp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
smtp_pid=
start_smtp() {
  PYTHONPATH=scripts python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c alerts_smtp.Folder "$inbox" \
    >>"$mail_dir/smtp.log" 2>&1 &
  smtp_pid=$!
  for _ in $(seq 1 100); do
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' "$smtp_port" 2>/dev/null && return
    sleep 0.1
  done
  cat "$mail_dir/smtp.log" >&2; die "aiosmtpd did not start"
}
openssl genrsa -traditional -out "$mail_dir/dkim.pem" 2048 2>/dev/null
openssl rsa -in "$mail_dir/dkim.pem" -pubout -outform DER 2>/dev/null | base64 -w0 > "$mail_dir/dkim.pub"
export WIREFEED_EXTRA_CONFIG="[mail]
smtp_url = \"smtp://127.0.0.1:$smtp_port\"
from = \"ANV Alerts <alerts@anv.example>\"
dkim_selector = \"wire2026\"
dkim_key = \"$mail_dir/dkim.pem\"
retry_base = \"1s\"
max_failures = 1"
start_smtp
start_server
trap 'kill $pid $smtp_pid 2>/dev/null || true; rm -rf "$work" "$mail_dir"' EXIT

restart_server() {
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  WIREFEED_LOG=warn "$bin" --config "$config" --database "$work/wirefeed.db" \
    serve --bind "127.0.0.1:${base##*:}" --base-url "$base" >"$work/stdout" 2>>"$work/stderr" &
  pid=$!
  for _ in $(seq 1 300); do grep -q "^listening on" "$work/stdout" 2>/dev/null && return; sleep 0.1; done
  cat "$work/stderr" >&2; die "the server did not restart"
}

passed=0; failed=0
m() { python3 scripts/alerts_mail.py "$@"; }
cli() { "$bin" --config "$config" --database "$work/wirefeed.db" "$@"; }
form_subscribe() { # ADDRESS EXTRA_FIELDS → the HTTP status
  curl -s -o "$mail_dir/answer.html" -w '%{http_code}' -H 'Accept: text/html' \
    --data-urlencode "email=$1" --data "lang=en&frequency=immediate$2" "$base/alerts"
}
confirm() { # ADDRESS: the confirmation mail's link followed, the management page says so
  local f link
  f=$(m wait "$inbox" "$1" "Confirm" 30)
  link=$(m link "$f" /alerts/confirm)
  curl -sf "$base$link" | grep -q "Subscription confirmed"
}
key=$(cli keys add alerts-desk --role publisher)
sleep 1.2 # the server learns of a key added by another process within a second
publish() { # ID HEADLINE
  curl -sf -o /dev/null -X PUT "$base/api/v1/articles/$1" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    --data "{\"headline\":\"$2\",\"summary\":\"Customs officers found the cache at dawn.\",\"body\":\"$2. The ministry of security confirmed it on Monday.\",\"language\":\"en\",\"topics\":[\"security\"],\"urgency\":1}"
}

# wirefeed check loads the key as the server does; a PKCS#8 key is refused (the control).
run "wirefeed check loads [mail] and the DKIM key" cli check
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$mail_dir/pkcs8.pem" 2>/dev/null
sed "s|$mail_dir/dkim.pem|$mail_dir/pkcs8.pem|" "$config" > "$mail_dir/bad.toml"
run "wirefeed check refuses a PKCS#8 DKIM key (exit 2, naming mail.dkim_key)" bash -c \
  "out=\$('$bin' --config '$mail_dir/bad.toml' --database '$work/wirefeed.db' check 2>&1); [ \$? -eq 2 ] && grep -q 'mail.dkim_key' <<<\"\$out\""

desk=desk@embassy.example; control=control@embassy.example
run "the form is served without JavaScript" bash -c "curl -sf '$base/alerts?lang=en&topics=security' | grep -q 'name=\"email\"' && ! curl -sf '$base/alerts' | grep -q '<script'"
run "POST /alerts from the form answers 202" test "$(form_subscribe "$desk" "&topics=security")" = 202
run "an unknown address gets the same 202" test "$(form_subscribe "control@embassy.example" "")" = 202
run "the desk's confirmation link confirms" confirm "$desk"
run "the control's confirmation link confirms" confirm "$control"

publish ci-urgent-1 "Border guards seize weapons cache in Kessel"
story=$(m wait "$inbox" "$desk" "Border guards seize weapons cache" 20 || true)
run "the urgent story is mailed" test -n "$story"
[ -n "$story" ] && run "headers, both parts, DKIM verified by dkimpy (a tampered copy fails)" \
  m check "$story" "$base" "$mail_dir/dkim.pub" "Border guards seize weapons cache in Kessel"

if [ -n "$story" ]; then
  url=$(m unsubscribe "$story")
  run "one-click unsubscribe (RFC 8058 POST) answers 200" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
    -H 'Content-Type: application/x-www-form-urlencoded' --data 'List-Unsubscribe=One-Click' "$url")" = 200
  before=$(m count "$inbox" "$desk")
  publish ci-urgent-2 "Second security story after unsubscribing"
  run "the control gets the next story (the positive control)" m wait "$inbox" "$control" "Second security story" 20
  run "the unsubscribed desk gets nothing more" test "$(m count "$inbox" "$desk")" = "$before"
fi

# 451 twice, then accept.
echo "451 2" > "$inbox/mode"
form_subscribe retry@embassy.example "" >/dev/null
run "after two 451s the confirmation arrives on a retry" m wait "$inbox" retry@embassy.example "Confirm" 30
run "the server refused it twice with 451" test "$(grep -c '^451 ' "$inbox/refused.log")" = 2

# 550: permanent, not retried.
echo 550 > "$inbox/mode"
form_subscribe reject@embassy.example "" >/dev/null
failed_550() {
  for _ in $(seq 1 100); do
    cli alerts list --json | python3 -c 'import json,sys; rows=[json.loads(l) for l in sys.stdin]; r=[x for x in rows if x["email"]=="reject@embassy.example"]; sys.exit(0 if r and r[0]["failed"]==1 and r[0]["queued"]==0 else 1)' && return
    sleep 0.1
  done
  return 1
}
run "a 550 ends the message: alerts list shows it failed, nothing queued" failed_550
sleep 1.5
run "a 550 is not retried (one refusal)" test "$(grep -c '^550 ' "$inbox/refused.log")" = 1
run "the accepted subscriptions have no failure (control)" bash -c \
  "'$bin' --config '$config' --database '$work/wirefeed.db' alerts list --json | python3 -c 'import json,sys; sys.exit(0 if [json.loads(l)[\"failed\"] for l in sys.stdin if \"control@\" in l] == [0] else 1)'"
echo accept > "$inbox/mode"

# Down for a while, across a restart of wirefeed.
retries_before=$(curl -sf "$base/metrics" | awk '/^wirefeed_alerts_retries_total /{print $2}')
kill "$smtp_pid"; wait "$smtp_pid" 2>/dev/null || true
total_before=$(ls "$inbox"/*.eml | wc -l)
form_subscribe down@embassy.example "" >/dev/null
retried() {
  for _ in $(seq 1 100); do
    [ "$(curl -sf "$base/metrics" | awk '/^wirefeed_alerts_retries_total /{print $2}')" -gt "$retries_before" ] && return
    sleep 0.1
  done
  return 1
}
run "with the SMTP server down the mail waits for a retry" retried
restart_server
start_smtp
run "after the restart the queued mail arrives" m wait "$inbox" down@embassy.example "Confirm" 40
sleep 2
run "it arrives exactly once" test "$(m count "$inbox" down@embassy.example)" = 1
run "nothing mailed before the restart is mailed again" test "$(ls "$inbox"/*.eml | wc -l)" = "$((total_before + 1))"

echo "alerts: $passed passed, $failed failed"
[ "$failed" = 0 ]
