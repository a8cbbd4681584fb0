#!/usr/bin/env bash
# Several bylines reach real readers whole: a story by three reporters, read through RSS and Atom
# by newsboat (its cache's rss_item.author) and feedparser (entry.author for RSS, where one
# dc:creator carries every name; entry.authors for Atom, one <author> per name). Needs newsboat,
# sqlite3 and feedparser (.ci/run installs them). Exits 1 when a name is lost.
#   scripts/bylines.sh [SERVER_BINARY]    (default target/debug/wirefeed)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/wirefeed}
source scripts/lib.sh
start_server
token=$("$bin" --config "$config" --database "$work/wirefeed.db" keys add bylines --role publisher)
for _ in 1 2 3 4 5; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
    -H "Content-Type: application/json" \
    -d '{"id":"bylines-3","language":"en","headline":"Three reporters","byline":["Ana Ruiz","John Doe","Li Wei"],"body":"Text."}' \
    "$base/api/v1/articles")
  [ "$code" = 401 ] || break
  sleep 0.5 # a server older than the key look-up learns of new keys within a second
done
[ "$code" = 201 ] || { echo "bylines: cannot file the story ($code)"; exit 1; }
passed=0; failed=0
check() { # what text
  if grep -q "Ana Ruiz" <<<"$2" && grep -q "John Doe" <<<"$2" && grep -q "Li Wei" <<<"$2"; then
    echo "PASS $1: $2"; passed=$((passed + 1))
  else
    echo "FAIL $1 lost a name: '$2'"; failed=$((failed + 1))
  fi
}
for f in rss atom; do
  d=$(mktemp -d -p "$work")
  echo "$base/feeds/all.$f" > "$d/urls"
  newsboat -u "$d/urls" -c "$d/cache.db" -C /dev/null -x reload >/dev/null 2>&1 || true
  check "newsboat $f" "$(sqlite3 "$d/cache.db" "SELECT author FROM rss_item WHERE guid LIKE '%bylines-3%'")"
done
check "feedparser rss author" "$(python3 -c 'import feedparser,sys; e=[e for e in feedparser.parse(sys.argv[1]).entries if "bylines-3" in e.id][0]; print(e.get("author",""))' "$base/feeds/all.rss")"
check "feedparser atom authors" "$(python3 -c 'import feedparser,sys; e=[e for e in feedparser.parse(sys.argv[1]).entries if "bylines-3" in e.id][0]; print(", ".join(a.get("name","") for a in e.get("authors",[])))' "$base/feeds/all.atom")"
echo "bylines: $passed passed, $failed failed"
[ "$failed" = 0 ]
