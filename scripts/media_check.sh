#!/usr/bin/env bash
# Pictures through the validators and real readers (issue 23), on the sample data, which gives
# five stories a picture:
#   - feedparser reads media_content, media_thumbnail, media_credit and enclosures from RSS and
#     Atom for every story with a picture, and none for a story without;
#   - JSON Feed (strict) carries image and attachments;
#   - NewsML-G2: the article's newsMessage, each picture's own newsItem and the all feed, with
#     picture items, against the 2.35 XSD (the shared kit's checker);
#   - ninjs: each picture's own document and an article with associations against the 2.1
#     and 3.1 schemas;
#   - every rendition a feed names answers 200 with the type and length the feed says;
#   - newsboat keeps the enclosure (its cache's rss_item.enclosure_url / enclosure_type).
# Usage: scripts/media_check.sh CONFORMANCE_DIR WIREFEED_BINARY
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 CONFORMANCE_DIR WIREFEED_BINARY" >&2; exit 2; }
conformance=$(cd "$1" && pwd)
bin=$2
cd "$(dirname "$0")/.."
die() { echo "media: FAIL: $*" >&2; exit 1; }
for tool in curl xmllint newsboat sqlite3; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
python3 -c 'import feedparser, jsonschema' || die "python3 lacks feedparser or jsonschema"
source scripts/lib.sh
start_server

passed=0; failed=0
ninjs() { fetch "$1" > "$work/doc.json" && python3 "$conformance/ninjs/check_ninjs.py" --schema 2.1 "$work/doc.json"; }
ninjs31() { fetch "$1" > "$work/doc.json" && python3 "$conformance/ninjs/check_ninjs.py" --schema 3.1 "$work/doc.json"; }

# The stories with pictures and their pictures, from the JSON Feed (the reference for the rest).
fetch "$base/feeds/all.json?limit=200" > "$work/all.json" || die "cannot fetch all.json"
python3 - "$work/all.json" > "$work/pictured" <<'EOF' || die "cannot read all.json"
import json, sys
for item in json.load(open(sys.argv[1]))["items"]:
    if item.get("image") and item.get("attachments") and item["_wirefeed"].get("pictures"):
        print(item["_wirefeed"]["id"], item["id"])
EOF
n=$(wc -l < "$work/pictured")
[ "$n" -ge 5 ] || die "only $n stories of the sample data carry a picture in all.json (expected 5)"
plain=$(python3 -c 'import json,sys; print(next(i["_wirefeed"]["id"] for i in json.load(open(sys.argv[1]))["items"] if not i.get("image") and not i.get("attachments")))' "$work/all.json") \
  || die "no story without a picture in all.json"

# feedparser: every pictured story has its media fields in RSS and in Atom; the plain one none.
check_feedparser() { # format
  python3 - "$base/feeds/all.$1?limit=200" "$work/pictured" "$plain" <<'EOF'
import sys, feedparser
d = feedparser.parse(sys.argv[1])
if d.bozo:
    sys.exit(f"not well-formed: {d.bozo_exception}")
pictured = [line.split()[1] for line in open(sys.argv[2])]
by_id = {e.id: e for e in d.entries}
problems = []
for guid in pictured:
    e = by_id.get(guid)
    if e is None:
        problems.append(f"{guid}: not in the feed"); continue
    mc, mt, cr, enc = (e.get(k) or [] for k in ("media_content", "media_thumbnail", "media_credit", "enclosures"))
    if not mc or not all(m.get("url", "").startswith("http") and m.get("type", "").startswith("image/") and m.get("width") and m.get("height") for m in mc):
        problems.append(f"{guid}: media_content {mc}")
    if not mt or not all(t.get("url") and t.get("width") for t in mt):
        problems.append(f"{guid}: media_thumbnail {mt}")
    if not cr or not all(c.get("content") for c in cr):
        problems.append(f"{guid}: media_credit {cr}")
    if not enc or not all(x.get("href", "").startswith("http") and x.get("type", "").startswith("image/") and int(x.get("length") or 0) > 0 for x in enc):
        problems.append(f"{guid}: enclosures {enc}")
plain = [e for e in d.entries if sys.argv[3] in e.id]
if not plain:
    problems.append(f"{sys.argv[3]}: the story without a picture is not in the feed")
elif plain[0].get("media_content") or plain[0].get("enclosures"):
    problems.append(f"{sys.argv[3]}: a story without a picture has media")
if problems:
    sys.exit("\n".join(problems))
print(f"{len(pictured)} stories with media_content, media_thumbnail, media_credit and enclosures")
EOF
}
run "feedparser: all.rss media fields" check_feedparser rss
run "feedparser: all.atom media fields" check_feedparser atom
run "JSON Feed strict: all.json" python3 "$conformance/feeds/check_jsonfeed.py" "$base/feeds/all.json" --strict

# Every rendition a feed names is served with the type and length the feed gives.
check_renditions() {
  python3 - "$base/feeds/all.rss?limit=200" <<'EOF'
import sys, urllib.request, feedparser
d = feedparser.parse(sys.argv[1])
seen = 0
for e in d.entries:
    for m in e.get("media_content", []) + [{"url": x["href"], "type": x["type"], "fileSize": x["length"]} for x in e.get("enclosures", [])]:
        with urllib.request.urlopen(m["url"]) as r:
            body = r.read()
            if r.headers["Content-Type"] != m["type"]:
                sys.exit(f"{m['url']}: {r.headers['Content-Type']}, the feed says {m['type']}")
            size = m.get("filesize") or m.get("fileSize")
            if size and int(size) != len(body):
                sys.exit(f"{m['url']}: {len(body)} bytes, the feed says {size}")
            if "immutable" not in r.headers.get("Cache-Control", ""):
                sys.exit(f"{m['url']}: Cache-Control {r.headers.get('Cache-Control')}")
        seen += 1
    for t in e.get("media_thumbnail", []):
        urllib.request.urlopen(t["url"]).read(); seen += 1
if seen < 10:
    sys.exit(f"only {seen} renditions named")
print(f"{seen} renditions served as named")
EOF
}
run "every rendition the RSS feed names is served as named" check_renditions

# NewsML-G2 and ninjs, per pictured story and per picture.
pictures=$(python3 -c '
import json, sys
ids = set()
for item in json.load(open(sys.argv[1]))["items"]:
    for p in item["_wirefeed"].get("pictures", []):
        ids.add(p["id"])
print(" ".join(sorted(ids)))' "$work/all.json") || die "cannot list the pictures"
npictures=$(wc -w <<<"$pictures")
[ "$npictures" -ge 5 ] || die "only $npictures pictures named in all.json's _wirefeed.pictures"
run "NewsML-G2: feeds/all.xml with picture items" newsml "$base/feeds/all.xml"
run "feeds/all.xml holds ninat:picture items" bash -c "curl -sSf '$base/feeds/all.xml' | grep -q 'ninat:picture'"
while read -r id _; do
  run "NewsML-G2: articles/$id.xml" newsml "$base/articles/$id.xml"
  run "ninjs 2.1: articles/$id.json (associations)" ninjs "$base/articles/$id.json"
  run "ninjs 3.1: articles/$id.json?ninjs=3.1 (associations)" ninjs31 "$base/articles/$id.json?ninjs=3.1"
  run "articles/$id.json has a featureimage association" bash -c "curl -sSf '$base/articles/$id.json' | python3 -c 'import json,sys; a=[x for x in json.load(sys.stdin)[\"associations\"] if x[\"name\"] == \"featureimage\"]; assert a and a[0][\"renditions\"], a'"
done < "$work/pictured"
for p in $pictures; do
  run "NewsML-G2: media/$p.xml" newsml "$base/media/$p.xml"
  run "ninjs 2.1: media/$p.json" ninjs "$base/media/$p.json"
  run "ninjs 3.1: media/$p.json?ninjs=3.1" ninjs31 "$base/media/$p.json?ninjs=3.1"
done

# newsboat shows each pictured story's lead picture. Debian's newsboat (2.21) keeps only audio and
# video enclosures, by design (newsboat#1615; 2.28 and later keep others too), so an image
# enclosure never reaches its cache: the picture it shows is the <figure> at the top of the item's
# content (its alt text and caption with it). If a newer newsboat keeps the enclosure, that is
# checked too.
check_newsboat() { # format
  local d; d=$(mktemp -d -p "$work")
  echo "$base/feeds/all.$1?limit=200" > "$d/urls"
  newsboat -u "$d/urls" -c "$d/cache.db" -C /dev/null -x reload >/dev/null 2>&1 || true
  local got enclosures
  got=$(sqlite3 "$d/cache.db" "SELECT count(*) FROM rss_item WHERE content LIKE '%<img src=\"$base/media/%' AND content LIKE '%<figcaption>%'")
  [ "$got" -eq "$n" ] || { echo "newsboat's cache has $got items showing a picture, expected $n"; return 1; }
  enclosures=$(sqlite3 "$d/cache.db" "SELECT count(*) FROM rss_item WHERE enclosure_url LIKE '$base/media/%'")
  if [ "$enclosures" -gt 0 ] && [ "$enclosures" -ne "$n" ]; then
    echo "newsboat kept $enclosures image enclosures, expected $n or none"; return 1
  fi
  echo "$got items show their picture (newsboat $(newsboat --version | head -1 | cut -d' ' -f2) kept $enclosures image enclosures)"
}
run "newsboat: all.rss shows the pictures" check_newsboat rss
run "newsboat: all.atom shows the pictures" check_newsboat atom

expected=$((6 + n * 4 + npictures * 3 + 2))
total=$((passed + failed))
echo "media: $passed passed, $failed failed ($total checks, $n stories with pictures, $npictures pictures)"
[ "$total" -eq "$expected" ] || die "$total checks ran, $expected expected"
[ "$failed" -eq 0 ]
