#!/usr/bin/env python3
"""No live markup from hostile article text in any format (hardening, RSS/Atom/JSON Feed/NewsML-G2/ninjs/HTML).

usage: check_hostile.py BASE_URL ID...
For each field a reader renders as HTML (RSS description and content:encoded, Atom content of
type html, JSON Feed content_html, NewsML-G2 inlineXML and inlineData, ninjs bodies, the HTML
page) parses that HTML and fails on any <script>, <iframe>, <svg>/<img> with an on* handler, any
on* attribute or a javascript: URL. Fields readers show as text (Atom text constructs, JSON Feed
summary, ninjs descriptions) must keep the hostile characters as text. Exit 1 on any finding.
"""
import json
import sys
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

BAD_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "base", "meta", "style"}


class Live(HTMLParser):
    def __init__(self, bad, data_blocks=False):
        super().__init__()
        self.found = []
        self.bad = bad
        # A page's schema.org JSON-LD: <script type="application/ld+json"> is a data block
        # (HTML: a script whose type is not JavaScript is never run). Allowed on pages only, and
        # then its text must be JSON with no raw "<" (so no headline can close the element).
        self.data_blocks = data_blocks
        self.in_block = None

    def handle_starttag(self, tag, attrs):
        kind = dict(attrs).get("type", "") or ""
        if tag == "script" and self.data_blocks and kind.strip().lower() == "application/ld+json":
            self.in_block = []
        elif tag in self.bad:
            self.found.append(f"<{tag}>")
        for k, v in attrs:
            if k.lower().startswith("on"):
                self.found.append(f"<{tag} {k}=…>")
            if v and v.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {k}=javascript:…>")


    def handle_data(self, data):
        if self.in_block is not None:
            self.in_block.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self.in_block is not None:
            text = "".join(self.in_block)
            self.in_block = None
            if "<" in text:
                self.found.append("<script type=application/ld+json> with a raw '<' in it")
            try:
                json.loads(text)
            except ValueError as e:
                self.found.append(f"<script type=application/ld+json> that is not JSON ({e})")


def live(html, bad=BAD_TAGS, data_blocks=False):
    p = Live(bad, data_blocks)
    p.feed(html or "")
    return p.found


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode("utf-8")


def main():
    base, ids = sys.argv[1], sys.argv[2:]
    problems = []

    def check(where, html, bad=BAD_TAGS, data_blocks=False):
        for f in live(html, bad, data_blocks):
            problems.append(f"{where}: live {f}")

    rss = ET.fromstring(get(f"{base}/feeds/all.rss?limit=200"))
    ns = {"content": "http://purl.org/rss/1.0/modules/content/"}
    for item in rss.iter("item"):
        guid = item.findtext("guid")
        if not any(i in (guid or "") for i in ids):
            continue
        check(f"RSS {guid} description", item.findtext("description"))
        check(f"RSS {guid} content:encoded", item.findtext("content:encoded", namespaces=ns))
    atom = ET.fromstring(get(f"{base}/feeds/all.atom?limit=200"))
    a = "{http://www.w3.org/2005/Atom}"
    for e in atom.iter(f"{a}entry"):
        eid = e.findtext(f"{a}id") or ""
        if not any(i in eid for i in ids):
            continue
        for c in e.iter(f"{a}content"):
            if c.get("type") == "html":
                check(f"Atom {eid} content", c.text)
        for t in [e.find(f"{a}title"), e.find(f"{a}summary")]:
            if t is not None and t.get("type", "text") == "html":
                check(f"Atom {eid} {t.tag}", t.text)
    feed = json.loads(get(f"{base}/feeds/all.json?limit=200"))
    for item in feed["items"]:
        if not any(i in item["id"] for i in ids):
            continue
        check(f"JSON Feed {item['id']} content_html", item.get("content_html"))
    for i in ids:
        xml = ET.fromstring(get(f"{base}/articles/{i}.xml"))
        nar = "{http://iptc.org/std/nar/2006-10-01/}"
        for d in xml.iter(f"{nar}inlineData"):
            check(f"NewsML-G2 {i} inlineData", d.text)
        for x in xml.iter(f"{nar}inlineXML"):
            check(f"NewsML-G2 {i} inlineXML", ET.tostring(x, encoding="unicode"))
        ninjs = json.loads(get(f"{base}/articles/{i}.json"))
        for b in ninjs.get("bodies", []):
            check(f"ninjs {i} body", b.get("value"))
        # A whole page has its own <meta> and <style> in <head>, and its JSON-LD data block;
        # no other script may appear at all.
        check(f"page /articles/{i}", get(f"{base}/articles/{i}"), BAD_TAGS - {"meta", "style"}, True)
        ninjs16 = json.loads(get(f"{base}/articles/{i}.json?ninjs=1.6"))
        check(f"ninjs 1.6 {i} body_html", ninjs16.get("body_html"))
    seen = sum(1 for it in feed["items"] if any(i in it["id"] for i in ids))
    if seen < len(ids):
        problems.append(f"only {seen} of the {len(ids)} hostile stories are in all.json: nothing was checked for the rest")
    for p in problems:
        print(f"check_hostile: {p}")
    print(f"check_hostile: {len(ids)} hostile stories, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
