#!/usr/bin/env bash
# Pages people read, checked as a person would see them (issue 11): starts the server, makes a
# correction and a kill, then for the front page, a topic page, an article, two articles with
# their lead picture (a <figure>: axe checks its alt text), a corrected
# article, a kill notice, a search and the email alert pages (form, confirmation, management,
# unsubscribe; issue 26) takes screenshots at 1280 px and 375 px with headless
# Chromium, and runs the Nu Html Checker (vnu) and axe-core on each. Fails on any HTML error or
# accessibility violation. Screenshots go to $OUT (default target/pages).
#   PROFILE=debug|release (default release)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/${PROFILE:-release}/wirefeed
out=${OUT:-target/pages}
[ -x "$bin" ] || cargo build -q ${PROFILE:+$( [ "$PROFILE" = release ] && echo --release )}
for tool in chromium chromedriver vnu node; do
  command -v "$tool" >/dev/null || { echo "pages: $tool is not installed" >&2; exit 1; }
done
# npm may install axe's entry point without its execute bit (install scripts not allowed): run it with node.
axe_js=$(npm root -g)/@axe-core/cli/dist/src/bin/cli.js
[ -f "$axe_js" ] || { echo "pages: @axe-core/cli is not installed (npm install -g @axe-core/cli)" >&2; exit 1; }
source scripts/lib.sh
# Email alert pages (issue 26): an aiosmtpd sink (scripts/alerts_smtp.py) receives the
# confirmation mail, whose token reaches the confirm, manage and unsubscribe pages.
python3 -c 'import aiosmtpd' || { echo "pages: python3 lacks aiosmtpd (pip install aiosmtpd)" >&2; exit 1; }
mail_dir=$(mktemp -d)
smtp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PYTHONPATH=scripts python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c alerts_smtp.Folder "$mail_dir/inbox" >"$mail_dir/smtp.log" 2>&1 &
smtp_pid=$!
export WIREFEED_EXTRA_CONFIG="[mail]
smtp_url = \"smtp://127.0.0.1:$smtp_port\"
from = \"ANV Alerts <alerts@anv.example>\""
start_server
trap 'kill $pid $smtp_pid 2>/dev/null || true; rm -rf "$work" "$mail_dir"' EXIT
mkdir -p "$out"
token=$("$bin" --config "$config" --database "$work/wirefeed.db" keys add pages-desk --role publisher)
sleep 1.2 # the server learns of a key added by another process within a second
api() { curl -sf -o /dev/null -X "$1" "$base$2" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data "$3"; }
story='{"id":"pages-fix","headline":"Reabre el paso fronterizo de Kessel tras las obras","summary":"El paso estuvo cerrado once días.","body":"KESSEL, 30 nov (ANV) - El paso fronterizo de Kessel reabrió el lunes tras once días de obras.\n\nLas autoridades esperan 4.000 cruces diarios.","language":"es","byline":["Lucía Ferrer"],"dateline":"Kessel","published_at":"2026-11-30T07:30:00-05:00","topics":["migration"]}'
api POST /api/v1/articles "$story"
api PUT /api/v1/articles/pages-fix "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["body"]=d["body"].replace("once","doce"); d["summary"]="El paso estuvo cerrado doce días."; d["revision"]="correction"; d["correction_note"]="El cierre duró doce días, no once."; print(json.dumps(d))' "$story")"
api POST /api/v1/articles '{"id":"pages-kill","headline":"Detenido un funcionario de aduanas en Ellery","body":"Texto retirado.","language":"es","dateline":"Puerto Ellery"}'
api DELETE /api/v1/articles/pages-kill '{"reason":"Error de identificación: la persona detenida no es funcionaria."}'
sleep 1.2
code=$(curl -s -o "$out/alerts-accepted.html" -w '%{http_code}' -H 'Accept: text/html' \
  --data 'lang=es&email=prensa%40embajada.example&topics=security&countries=GT&frequency=daily' "$base/alerts")
[ "$code" = 202 ] || { echo "pages: POST /alerts answered $code, not 202" >&2; exit 1; }
confirm_mail=$(python3 scripts/alerts_mail.py wait "$mail_dir/inbox" prensa@embajada.example Confirme 30)
alert_token=$(python3 scripts/alerts_mail.py link "$confirm_mail" /alerts/confirm | sed 's/.*token=//')
declare -A pages=(
  [alerts]="/alerts?lang=es&topics=security"
  [alerts-en]="/alerts?lang=en"
  [alerts-confirm]="/alerts/confirm?token=$alert_token"
  [alerts-manage]="/alerts/manage?token=$alert_token"
  [alerts-unsubscribe]="/alerts/unsubscribe?token=$alert_token"
  [index]="/?lang=es"
  [index-en]="/?lang=en"
  [topic]="/topics/security?lang=es"
  [country]="/countries/ES?lang=es"
  [country-empty]="/countries/US?lang=en"
  [article]="/articles/anv-20261126-0005"
  [picture]="/articles/anv-20261113-0005"
  [picture-es]="/articles/anv-20261110-0002"
  [corrected]="/articles/pages-fix"
  [killed]="/articles/pages-kill"
  [search]="/search?lang=en&q=border"
)
# Positive control: axe must fail a page whose picture lacks alt text, or its passes below say
# nothing about the figures.
printf '<!doctype html><html lang="en"><head><title>control</title></head><body><main><h1>Control</h1><img src="x.jpg" width="10" height="10"></main></body></html>' > "$work/no-alt.html"
if node "$axe_js" "file://$work/no-alt.html" --chromedriver-path "$(command -v chromedriver)" --chrome-options="headless,no-sandbox" --exit >"$out/control.axe.txt" 2>&1 \
   || ! grep -q "image-alt" "$out/control.axe.txt"; then
  cat "$out/control.axe.txt" >&2; echo "pages: axe did not report an image without alt text (control)" >&2; exit 1
fi
echo "pages: control ok (axe reports an image without alt text)"
failed=0
# The page after POST /alerts cannot be fetched by URL: vnu and axe read the saved copy.
vnu --errors-only --stdout "$out/alerts-accepted.html" || { echo "pages: vnu found HTML errors in alerts-accepted" >&2; exit 1; }
node "$axe_js" "file://$(realpath "$out")/alerts-accepted.html" --chromedriver-path "$(command -v chromedriver)" --chrome-options="headless,no-sandbox" --exit >"$out/alerts-accepted.axe.txt" 2>&1 \
  || { cat "$out/alerts-accepted.axe.txt" >&2; echo "pages: axe found accessibility violations in alerts-accepted" >&2; exit 1; }
echo "pages: alerts-accepted ok (202, vnu, axe)"
for name in "${!pages[@]}"; do
  url="$base${pages[$name]}"
  before=$failed; failed=0
  code=$(curl -s -o "$out/$name.html" -w '%{http_code}' "$url")
  want=200; [ "$name" = killed ] && want=410
  [ "$code" = "$want" ] || { echo "pages: $name answered $code, not $want" >&2; failed=1; }
  # The pages with a picture show it: a figure, an image with alt text, a caption.
  if [[ $name == picture* ]] && ! grep -q '<figure><img [^>]*alt="[^"]' "$out/$name.html"; then
    echo "pages: $name has no figure with an alt text" >&2; failed=1
  fi
  for width in 1280 375; do
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
      --window-size="$width,2200" --screenshot="$out/$name-$width.png" "$url" >/dev/null 2>&1 \
      || { echo "pages: chromium failed on $name at $width px" >&2; failed=1; }
  done
  if ! vnu --errors-only --stdout "$out/$name.html"; then
    echo "pages: vnu found HTML errors in $name" >&2; failed=1
  fi
  if ! node "$axe_js" "$url" --chromedriver-path "$(command -v chromedriver)" --chrome-options="headless,no-sandbox" --exit >"$out/$name.axe.txt" 2>&1; then
    cat "$out/$name.axe.txt" >&2; echo "pages: axe found accessibility violations in $name" >&2; failed=1
  fi
  [ "$failed" = 0 ] && echo "pages: $name ok ($code, vnu, axe, 1280 and 375 px screenshots)"
  failed=$((failed | before))
done
[ "$failed" = 0 ] || exit 1
echo "pages: all passed; screenshots in $out"
