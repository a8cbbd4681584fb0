#!/usr/bin/env bash
# Pages for the open web (issue 25, contract §15), checked against the real server with
# independent tools: the sitemap index, the Google News sitemap and every archive sitemap against
# the sitemaps.org 0.9 and Google News XSDs (xmllint; tests/data/sitemaps, with their sources),
# robots.txt, and the article pages' schema.org NewsArticle JSON-LD and Open Graph read by extruct
# (PyPI) and checked for what Google's Article structured-data documentation lists
# (scripts/openweb_check.py). Files fresh stories first (a picture, a translation, a correction),
# so the news sitemap of the last two days is not empty whatever the date of the sample data.
#   openweb_check.sh [WIREFEED_BINARY]     (default target/debug/wirefeed)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/wirefeed}
[ -x "$bin" ] || { echo "openweb: $bin is not built" >&2; exit 1; }
command -v xmllint >/dev/null || { echo "openweb: xmllint is not installed (apt-get install libxml2-utils)" >&2; exit 1; }
python3 -c 'import extruct' || { echo "openweb: python3 lacks extruct (pip install extruct)" >&2; exit 1; }
source scripts/lib.sh
start_server
token=$("$bin" --config "$config" --database "$work/wirefeed.db" keys add openweb-desk --role publisher)
sleep 1.2 # the server learns of a key added by another process within a second
api() {
  local code
  code=$(curl -s -o "$work/answer" -w '%{http_code}' -X "$1" "$base$2" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' --data-binary "$3")
  case "$code" in 2*) ;; *) cat "$work/answer" >&2; echo "openweb: $1 $2 answered $code" >&2; exit 1 ;; esac
}
code=$(curl -s -o "$work/pic" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
  -F "file=@data/media/harbour-patrol.jpg;type=image/jpeg" \
  -F 'metadata={"id":"openweb-pic","caption":"A patrol boat leaves Port Ellery","alt_text":"A grey patrol boat at sea","credit":"ANV"};type=application/json' \
  "$base/api/v1/media")
[ "$code" = 201 ] || { cat "$work/pic" >&2; echo "openweb: POST /api/v1/media answered $code" >&2; exit 1; }
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
api POST /api/v1/articles "{\"id\":\"openweb-pic\",\"headline\":\"Coast guard </script><!-- patrols the strait\",\"summary\":\"Patrols began at dawn.\",\"body\":\"The coast guard began patrols of the strait on Monday.\",\"language\":\"en\",\"byline\":[\"Ana Pérez\"],\"dateline\":\"Port Ellery\",\"published_at\":\"$now\",\"topics\":[\"migration\"],\"media\":[\"openweb-pic\"]}"
api POST /api/v1/articles "{\"id\":\"openweb-es\",\"headline\":\"La guardia costera patrulla el estrecho\",\"body\":\"La guardia costera empezó el lunes a patrullar el estrecho.\",\"language\":\"es\",\"published_at\":\"$now\",\"topics\":[\"migration\"],\"translation_of\":\"openweb-pic\"}"
fix='{"id":"openweb-fix","headline":"Parliament passes the budget","body":"Parliament passed the budget by 61 votes.","language":"en","topics":["migration"]}'
api POST /api/v1/articles "$fix"
api PUT /api/v1/articles/openweb-fix "${fix%\}},\"body\":\"Parliament passed the budget by 63 votes.\",\"revision\":\"correction\",\"correction_note\":\"63 votes, not 61.\"}"
python3 scripts/openweb_check.py "$base" tests/data/sitemaps openweb-pic openweb-fix
