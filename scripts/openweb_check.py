#!/usr/bin/env python3
"""Pages for the open web, checked with independent tools against a live server (issue 25).

  openweb_check.py BASE XSD_DIR STORY_WITH_PICTURE CORRECTED_STORY

- /robots.txt names BASE/sitemap.xml.
- /sitemap.xml validates against sitemaps.org's siteindex.xsd (xmllint); every sitemap it names
  answers application/xml and validates: /sitemap-news.xml against sitemap.xsd + Google's
  sitemap-news.xsd (news-sitemap.xsd imports both), each archive sitemap against sitemap.xsd.
- Every story of the news sitemap and a sample of the archive: extruct (PyPI) reads the page's
  JSON-LD and Open Graph, and the NewsArticle has what Google's Article structured data
  documentation lists (headline, image, datePublished and dateModified in ISO 8601 with an
  offset, author with @type and name) plus publisher with a logo, inLanguage, url and
  mainEntityOfPage; the logo and every image URL answer as images.
- Positive controls: a sitemap with a <loc> removed must fail xmllint, and a NewsArticle without
  a headline must fail the checks here.
Exits 1 on any failure, or when fewer checks ran than the sitemaps promise.
"""

import datetime
import json
import re
import subprocess
import sys
import tempfile
import urllib.request

import extruct

base, xsd_dir, picture_story, corrected_story = sys.argv[1:5]
failures = []
checks = 0


def fail(msg):
    failures.append(msg)
    print(f"openweb: FAIL: {msg}", file=sys.stderr)


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read()


def local(url):
    """Links name the server's base URL; fetch them from it."""
    if not url.startswith(base + "/"):
        fail(f"{url} is not under {base}")
    return url


def xmllint(body, xsd):
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        f.write(body)
        f.flush()
        p = subprocess.run(["xmllint", "--noout", "--schema", f"{xsd_dir}/{xsd}", f.name],
                           capture_output=True, text=True)
        return p.returncode == 0, p.stderr.strip()


def validate(url, xsd):
    global checks
    status, ctype, body = get(url)
    if status != 200 or not ctype.startswith("application/xml"):
        fail(f"{url}: {status} {ctype}")
    ok, err = xmllint(body, xsd)
    checks += 1
    if not ok:
        fail(f"{url} is not valid against {xsd}: {err}")
    return body


def locs(body):
    return re.findall(r"<loc>([^<]+)</loc>", body.decode())


OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$")


def article_problems(a, want_image):
    """What Google's Article documentation lists, and the rest of what the pages promise."""
    p = []
    if a.get("@type") != "NewsArticle":
        p.append(f"@type {a.get('@type')!r}")
    if not isinstance(a.get("headline"), str) or not a["headline"].strip():
        p.append("no headline")
    for k in ("datePublished", "dateModified"):
        v = a.get(k)
        if not isinstance(v, str) or not OFFSET.match(v):
            p.append(f"{k} {v!r} is not ISO 8601 with an offset")
        else:
            datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
    authors = a.get("author")
    if not isinstance(authors, list) or not authors:
        p.append("no author")
    else:
        for au in authors:
            if au.get("@type") not in ("Person", "Organization") or not au.get("name"):
                p.append(f"author {au!r} lacks @type or name")
    pub = a.get("publisher") or {}
    if pub.get("@type") != "Organization" or not pub.get("name") or not (pub.get("logo") or {}).get("url"):
        p.append(f"publisher {pub!r} lacks name or logo")
    for k in ("inLanguage", "url"):
        if not a.get(k):
            p.append(f"no {k}")
    if (a.get("mainEntityOfPage") or {}).get("@id") != a.get("url"):
        p.append("mainEntityOfPage is not the page")
    if not isinstance(a.get("isAccessibleForFree"), bool):
        p.append("isAccessibleForFree is not a boolean")
    if want_image and not a.get("image"):
        p.append("no image for a story with a picture")
    return p


def check_page(url, want_image=False, want_correction=False):
    global checks
    status, ctype, body = get(url)
    html = body.decode()
    data = extruct.extract(html, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True)
    articles = [d for d in data["json-ld"] if d.get("@type") == "NewsArticle"]
    checks += 1
    if len(articles) != 1:
        fail(f"{url}: {len(articles)} NewsArticle JSON-LD blocks")
        return
    a = articles[0]
    for problem in article_problems(a, want_image):
        fail(f"{url}: {problem}")
    if a.get("url") != url:
        fail(f"{url}: JSON-LD url {a.get('url')!r}")
    # The picture story's headline carries "</script><!--": it must come back whole.
    if want_image and a.get("headline") != "Coast guard </script><!-- patrols the strait":
        fail(f"{url}: the hostile headline came back as {a.get('headline')!r}")
    if want_correction and (a.get("correction") or {}).get("@type") != "CorrectionComment":
        fail(f"{url}: a corrected story without a CorrectionComment")
    for img in a.get("image") or []:
        s, t, _ = get(local(img["url"]))
        if s != 200 or not t.startswith("image/"):
            fail(f"{url}: image {img['url']} answers {s} {t}")
    s, t, _ = get(local(a["publisher"]["logo"]["url"]))
    if s != 200 or t != "image/png":
        fail(f"{url}: logo answers {s} {t}")
    og = data["opengraph"][0] if data["opengraph"] else {}
    # uniform=True gives og:type as "@type".
    og_type = og.get("og:type", og.get("@type"))
    for k in ("og:title", "og:url", "og:locale", "og:description"):
        if not og.get(k):
            fail(f"{url}: no {k} (extruct read {sorted(og)})")
    if og_type != "article" or og.get("og:url") != url:
        fail(f"{url}: og:type {og_type!r}, og:url {og.get('og:url')!r}")
    if want_image and not og.get("og:image"):
        fail(f"{url}: no og:image")


# robots.txt
status, ctype, body = get(f"{base}/robots.txt")
checks += 1
if f"Sitemap: {base}/sitemap.xml" not in body.decode().splitlines():
    fail(f"robots.txt does not name {base}/sitemap.xml:\n{body.decode()}")

# The index and every sitemap it names.
index = validate(f"{base}/sitemap.xml", "siteindex.xsd")
sitemaps = locs(index)
if not sitemaps or sitemaps[0] != f"{base}/sitemap-news.xml":
    fail(f"the index does not start with the news sitemap: {sitemaps[:2]}")
news = validate(local(sitemaps[0]), "news-sitemap.xsd")
news_urls = locs(news)
if not news_urls:
    fail("the news sitemap is empty (the script filed stories just now)")
archive_urls = []
for sm in sitemaps[1:]:
    archive_urls += locs(validate(local(sm), "sitemap.xsd"))
if len(archive_urls) < len(news_urls):
    fail(f"the archive lists {len(archive_urls)} stories, fewer than the news sitemap's {len(news_urls)}")

# Positive control: the validator notices a broken sitemap.
broken = index.replace(b"<loc>", b"<location>", 1).replace(b"</loc>", b"</location>", 1)
if xmllint(broken, "siteindex.xsd")[0]:
    fail("positive control: xmllint accepted a sitemap index with a <loc> renamed")
# Positive control: the checks here notice a NewsArticle without a headline.
if not article_problems({"@type": "NewsArticle", "datePublished": "2026-01-01T00:00:00+00:00"}, False):
    fail("positive control: a NewsArticle without headline passed")

# Pages: every story of the news sitemap, every 10th of the archive, and the two named ones.
for url in news_urls:
    check_page(local(url), want_image=url.endswith("/" + picture_story),
               want_correction=url.endswith("/" + corrected_story))
for url in archive_urls[::10]:
    check_page(local(url))
for story in (picture_story, corrected_story):
    if f"{base}/articles/{story}" not in news_urls:
        fail(f"{story} is not in the news sitemap")

expected = 1 + 1 + 1 + (len(sitemaps) - 1) + len(news_urls) + len(archive_urls[::10])
if checks < expected or len(sitemaps) < 2:
    fail(f"only {checks} checks ran, {expected} expected ({len(sitemaps)} sitemaps)")
print(f"openweb: {checks} checks: {len(sitemaps)} sitemaps valid (index, news, {len(sitemaps) - 1} archive days), "
      f"{len(news_urls)} + {len(archive_urls[::10])} pages' JSON-LD and Open Graph through extruct; "
      f"{len(failures)} failed")
sys.exit(1 if failures else 0)
