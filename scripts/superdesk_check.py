#!/usr/bin/env python3
"""What does a Superdesk 2.5.3 newsroom keep of our wire? (issue item 15)

Usage: superdesk_check.py BASE_URL        (run by scripts/superdesk.sh inside its Python 3.8 venv)

Fetches every sample article from the live server (listed by /feeds/all.json?limit=200) as
  - NewsML-G2 newsItem   /articles/{id}.xml
  - NewsML-G2 newsMessage /feeds/all.xml (one document, every item in it)
  - ninjs 2.1            /articles/{id}.json
  - ninjs 1.x            /articles/{id}.json?ninjs=1.6   (for 1.x readers such as Superdesk)
feeds each to superdesk-core's own NewsMLTwoFeedParser().parse(root) / NINJSFeedParser().parse(path),
as Superdesk's file/HTTP ingest does (lxml tree for XML, a file path for ninjs), inside a Flask app
context set up the way a Superdesk app is (IPTC Subject Codes registered on app.subjects), and
compares what Superdesk kept with what we sent. The reference for the body is the JSON Feed's
content_html with the tags stripped (every word of every block), for the rest the JSON Feed item and
its _wirefeed extension.

Must not be lost (issue item 15): the body text, the subjects (as IPTC Subject Codes, which is what
Superdesk's Subject field holds), and a ninjs document that Superdesk can parse at all. Any of these
makes the exit status 1, unless SUPERDESK_STRICT=0 (then it only reports). Setup problems exit 2.
Fields Superdesk's parsers never read from any sender (NewsML-G2: dateline, keywords; ninjs: version)
are reported as "not read" and never fail the check.

Also prints a "what-if" section: the same articles with the changes proposed in the issue applied on
this side (an HTML inlineData alternative and subj: subjects in the newsItem; the 2.1 document
rewritten as ninjs 1.6), run through the same parsers. It shows whether those changes would be
enough; it never changes the exit status.

Environment: SUPERDESK_STRICT (1), SUPERDESK_NINJS1_QUERY ("ninjs=1.6"), SUPERDESK_MAPPING
(data/iptc-subject-mapping.toml), SUPERDESK_SHARED (../shared, for IPTC's ninjs 1.6 JSON Schema
and the NewsML-G2 XSD; validation is skipped when absent), SUPERDESK_REPORT (full | summary).
"""

import collections
import html.parser
import json
import logging
import os
import re
import sys
import tempfile
import traceback
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STRICT = os.environ.get("SUPERDESK_STRICT", "1") != "0"
NINJS1_QUERY = os.environ.get("SUPERDESK_NINJS1_QUERY", "ninjs=1.6")
MAPPING_PATH = os.environ.get("SUPERDESK_MAPPING", os.path.join(ROOT, "data", "iptc-subject-mapping.toml"))
SHARED = os.environ.get("SUPERDESK_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
FULL = os.environ.get("SUPERDESK_REPORT", "full") != "summary"

MEDTOP_URI = "http://cv.iptc.org/newscodes/mediatopic/"
SUBJ_URI = "http://cv.iptc.org/newscodes/subjectcode/"
G2_NS = "http://iptc.org/std/nar/2006-10-01/"
NINJS16_SCHEMA_ID = "http://www.iptc.org/std/ninjs/ninjs-schema_1.6.json"


def die(msg):
    print(f"superdesk_check: {msg}", file=sys.stderr)
    sys.exit(2)


# Superdesk prints a SECRET_KEY warning on import (superdesk.default_settings); it is not ours to set.
logging.disable(logging.WARNING)
try:
    import flask
    from lxml import etree
    from superdesk.io import iptc as sd_iptc
    from superdesk.io import subjectcodes as sd_subjectcodes
    from superdesk.io.feed_parsers.newsml_2_0 import NewsMLTwoFeedParser
    from superdesk.io.feed_parsers.ninjs import NINJSFeedParser
    import superdesk
except ImportError as e:  # pragma: no cover - the venv is made by scripts/superdesk.sh
    die(f"cannot import superdesk-core ({e}); run scripts/superdesk.sh, which makes the venv")
finally:
    logging.disable(logging.NOTSET)
logging.basicConfig(level=logging.ERROR)

try:
    import tomli
except ImportError:
    die("tomli is missing from the venv (scripts/superdesk.sh installs it)")
try:
    import jsonschema
except ImportError:
    jsonschema = None


def superdesk_app():
    """The smallest Flask app Superdesk's parsers work in.

    NewsMLTwoFeedParser reads app.config["QCODE_MISSING_VOC"] (default "continue") and names subj:
    subjects from app.subjects, which a Superdesk app fills from superdesk/io/data/subject_codes.json
    (superdesk.io.subjectcodes and superdesk.io.iptc are in default_settings.CORE_APPS). Superdesk's
    own newsml2_parser_test.py registers only subjectcodes, so there every subj: code is unknown and
    dropped; a real newsroom has the IPTC list, so this registers it too. NINJSFeedParser needs no app.
    """
    app = flask.Flask("superdesk_check")
    app.api_prefix = "/api"
    app.config["QCODE_MISSING_VOC"] = "continue"
    sd_subjectcodes.init_app(app)
    sd_iptc.init_app(app)
    return app


# ---------------------------------------------------------------- text


BLOCKS = {"p", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dd", "dt", "td", "th",
          "figcaption", "caption", "div", "ul", "ol", "dl", "table", "tr", "section", "article", "body"}


class Blocks(html.parser.HTMLParser):
    """Text of an HTML fragment, one string per innermost block (p, li, blockquote ...)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.buf, self.stack = [], [], []

    def flush(self):
        text = norm("".join(self.buf))
        if text:
            ctx = [t for t in self.stack if t not in ("body", "div", "section", "article")][-2:]
            self.blocks.append(("/".join(ctx) or "text", text))
        self.buf = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.flush()
            self.stack.append(tag)
        elif tag == "br":
            self.buf.append(" ")

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.flush()
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass

    def handle_data(self, data):
        self.buf.append(data)


def norm(s):
    return " ".join((s or "").split())


def blocks_of(fragment):
    p = Blocks()
    p.feed(fragment or "")
    p.close()
    p.flush()
    return p.blocks


def text_of(fragment):
    return " ".join(t for _, t in blocks_of(fragment))


def clip(s, n=60):
    s = norm(s)
    return s if len(s) <= n else s[: n - 1] + "…"


def body_loss(ref_html, got_html):
    """Compare every word of every block of ref_html with the text Superdesk kept."""
    ref_blocks = blocks_of(ref_html)
    got_text = text_of(got_html)
    ref_words = [w for _, t in ref_blocks for w in t.split()]
    missing = collections.Counter(ref_words) - collections.Counter(got_text.split())
    lost = []  # (tag, text, words kept from its start)
    for tag, text in ref_blocks:
        if text in got_text:
            continue
        words = text.split()
        k = 0
        while k < len(words) and " ".join(words[: k + 1]) in got_text:
            k += 1
        lost.append((tag, text, k))
    return {"words": len(ref_words), "missing": sum(missing.values()), "blocks": len(ref_blocks), "lost": lost}


def describe_body(b):
    if not b["lost"] and not b["missing"]:
        return "ok", [f"body: ok ({b['words']} words, {b['blocks']} blocks)"]
    tags = collections.Counter(t for t, _, _ in b["lost"])
    lines = [f"body: LOST {b['missing']} of {b['words']} words; {len(b['lost'])} of {b['blocks']} blocks not whole "
             f"({', '.join(f'{n} {t}' for t, n in sorted(tags.items()))})"]
    for tag, text, k in b["lost"][:2]:
        words = text.split()
        if k == 0:
            lines.append(f"  e.g. <{tag}> «{clip(text)}» — absent")
        else:
            lines.append(f"  e.g. <{tag}> kept «…{clip(' '.join(words[max(0, k - 6):k]), 50)}» then cut: "
                         f"«{clip(' '.join(words[k:]), 50)}» ({len(words) - k} of {len(words)} words lost)")
    return "LOST", lines


# ---------------------------------------------------------------- references


def load_mapping():
    try:
        with open(MAPPING_PATH, "rb") as f:
            data = tomli.load(f)
    except OSError as e:
        die(f"cannot read the IPTC mapping {MAPPING_PATH}: {e}")
    out = {}
    for code, entry in data.get("medtop", {}).items():
        subj = [s.split(":", 1)[1] for s in entry.get("subj", [])]
        out[code] = {"subj": subj, "names": entry.get("subj_names", []), "match": entry.get("match", "")}
    return out


def fetch(url):
    req = urllib.request.Request(url, headers={"User-Agent": "wirefeed-superdesk-check"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
    except (urllib.error.URLError, OSError) as e:
        die(f"{url}: {e}")


def fetch_ok(url):
    status, _, body = fetch(url)
    if status != 200:
        die(f"{url}: HTTP {status}: {body[:200]!r}")
    return body


class Ref:
    """What we sent, from the JSON Feed item."""

    def __init__(self, item):
        w = item.get("_wirefeed", {})
        self.id = w["id"]
        self.guid = item["id"]
        self.version = str(w.get("version"))
        self.status = w.get("status")
        self.headline = item.get("title", "")
        self.language = item.get("language")
        self.urgency = w.get("urgency")
        self.dateline = w.get("dateline")
        topics = set(w.get("topics", []))
        self.keywords = [t for t in item.get("tags", []) if t not in topics]
        self.authors = [a.get("name") for a in item.get("authors", []) if a.get("name")]
        self.medtop = [s["qcode"].split(":", 1)[1] for s in w.get("iptc_subjects", []) if s.get("qcode", "").startswith("medtop:")]
        self.html = item.get("content_html", "")


# ---------------------------------------------------------------- comparison


def subjects_result(ref, got_subjects, mapping):
    native = {s.get("qcode") for s in got_subjects if not s.get("scheme")}
    qualified = {s.get("qcode") for s in got_subjects if s.get("scheme") in (SUBJ_URI, "subj")}
    medtop_kept = {s.get("qcode") for s in got_subjects if s.get("scheme") in (MEDTOP_URI, "medtop")}
    kept, lost, detail = 0, [], []
    for code in ref.medtop:
        m = mapping.get(code)
        if not m or not m["subj"]:
            lost.append(f"medtop:{code} (no IPTC subj mapping)")
            continue
        if all(s in native for s in m["subj"]):
            kept += 1
        else:
            where = " (sent with a subjectcode scheme: not Superdesk's Subject field)" if all(s in qualified for s in m["subj"]) else ""
            lost.append(f"medtop:{code}→subj:{','.join(m['subj'])}{where}")
    n = len(ref.medtop)
    if n == 0:
        return "n/a", ["subjects: n/a (none sent)"]
    extra = f"; media topics kept verbatim: {len(medtop_kept)}" if medtop_kept else ""
    if not lost:
        return "ok", [f"subjects: ok ({kept} of {n} as IPTC Subject Codes{extra})"]
    detail.append(f"subjects: LOST {len(lost)} of {n} (Superdesk's Subject field got {kept}{extra})")
    detail.append("  lost: " + ", ".join(lost[:6]) + (" …" if len(lost) > 6 else ""))
    return "LOST", detail


def field_results(ref, got, fmt):
    """fmt: 'g2' or 'ninjs'. Returns {field: (status, note)}"""
    r = {}

    def same(name, want, have):
        if want in (None, "", []):
            r[name] = ("n/a", "")
        elif have in (None, "", []):
            r[name] = ("LOST", f"sent {clip(str(want), 40)!r}")
        elif norm(str(want)) == norm(str(have)):
            r[name] = ("ok", "")
        else:
            r[name] = ("differs", f"sent {clip(str(want), 40)!r}, kept {clip(str(have), 40)!r}")

    same("headline", ref.headline, got.get("headline"))
    if not ref.authors:
        r["byline"] = ("n/a", "")
    else:
        by = got.get("byline") or ""
        missing = [a for a in ref.authors if a not in by]
        r["byline"] = ("ok", "") if not missing else ("LOST" if not by else "differs", f"missing {', '.join(missing)}")
    same("language", ref.language, got.get("language"))
    same("urgency", ref.urgency, got.get("urgency"))
    same("pubstatus", ref.status, got.get("pubstatus"))
    same("guid", ref.guid, got.get("uri"))
    if fmt == "g2":
        same("version", ref.version, got.get("version"))
        r["dateline"] = ("not read", "NewsMLTwoFeedParser reads no <dateline>/<located>") if ref.dateline else ("n/a", "")
        r["keywords"] = ("not read", "NewsMLTwoFeedParser reads no <keyword>") if ref.keywords else ("n/a", "")
    else:
        r["version"] = ("not read", "NINJSFeedParser copies no version")
        same("dateline", ref.dateline, ((got.get("dateline") or {}).get("located") or {}).get("city"))
        if not ref.keywords:
            r["keywords"] = ("n/a", "")
        else:
            have = set(got.get("keywords") or [])
            missing = [k for k in ref.keywords if k not in have]
            r["keywords"] = ("ok", "") if not missing else ("not in standard", "ninjs 1.6 and 2.1 have no keywords property (Superdesk reads a non-standard one)")
    return r


def describe_fields(fr):
    parts = []
    for name in ("headline", "byline", "language", "urgency", "pubstatus", "guid", "version", "dateline", "keywords"):
        st, note = fr[name]
        parts.append(f"{name} {st}" + (f" ({note})" if note and st not in ("ok", "n/a") else ""))
    return "; ".join(parts)


# ---------------------------------------------------------------- parsers


def run_g2(app, root):
    with app.app_context():
        return NewsMLTwoFeedParser().parse(root, {"name": "wirefeed"})


def main_item(items, uri):
    """NINJSFeedParser appends the items it makes of associations BEFORE the item itself."""
    return next((i for i in items if i.get("uri") == uri), items[-1])


def run_ninjs(doc_bytes):
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as f:
        f.write(doc_bytes)
        path = f.name
    try:
        return NINJSFeedParser().parse(path, {"name": "wirefeed"})
    finally:
        os.unlink(path)


def crash_site(exc):
    """The innermost frame inside superdesk's source, with its line."""
    tb = traceback.extract_tb(exc.__traceback__)
    sd = [f for f in tb if f"{os.sep}superdesk{os.sep}" in f.filename] or tb
    f = sd[-1]
    rel = f.filename.split(f"site-packages{os.sep}", 1)[-1]
    return f"{type(exc).__name__}: {exc} at {rel}:{f.lineno} `{(f.line or '').strip()}`", "".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__))


def g2_crash_site(exc):
    cause = exc.__cause__ or exc.__context__ or exc
    return crash_site(cause)


# ---------------------------------------------------------------- ninjs 1.6


def ninjs_version(doc):
    std = doc.get("$standard") or doc.get("standard") or {}
    return str(std.get("version", "?"))


def key_name(s, used):
    k = re.sub(r"[^a-zA-Z0-9_]", "_", s or "item") or "item"
    base, n = k, 2
    while k in used:
        k, n = f"{base}_{n}", n + 1
    used.add(k)
    return k


def ninjs21_to_16(doc, mapping, associations=False):
    """The 2.1 document as ninjs 1.6 (the shape IPTC's 1.6 schema and Superdesk's reader want)."""
    out = {"$standard": {"name": "ninjs", "version": "1.6", "schema": NINJS16_SCHEMA_ID}}
    for k in ("uri", "type", "version", "firstcreated", "versioncreated", "contentcreated", "embargoed", "pubstatus",
              "urgency", "copyrightholder", "copyrightnotice", "usageterms", "ednote", "language", "located",
              "profile", "slugline", "title", "expires", "representationtype", "altids"):
        if k in doc:
            out[k] = doc[k]
    for i, h in enumerate(doc.get("headlines", [])):
        if i == 0 or h.get("role") == "main":
            out.setdefault("headline", h["value"])
        else:
            out[f"headline_{key_name(h.get('role') or str(i), set())}"] = h["value"]
    kinds = {"text/plain": "text", "text/html": "html", "application/xhtml+xml": "xhtml"}
    for d in doc.get("descriptions", []):
        out.setdefault(f"description_{kinds.get(d.get('contenttype'), 'text')}", d["value"])
    for b in doc.get("bodies", []):
        out.setdefault(f"body_{kinds.get(b.get('contenttype'), 'text')}", b["value"])
    if doc.get("by"):
        out["byline"] = doc["by"]
    people = [{k: p[k] for k in ("name", "rel") if k in p} for p in doc.get("people", [])]
    if people:
        out["person"] = people
    subject, seen = [], set()
    for s in doc.get("subjects", []):
        uri = s.get("uri", "")
        if uri.startswith(MEDTOP_URI):
            code = uri[len(MEDTOP_URI):]
            subject.append({"name": s.get("name", ""), "scheme": MEDTOP_URI, "code": code})
            m = mapping.get(code) or {"subj": [], "names": []}
            for i, sc in enumerate(m["subj"]):
                if sc not in seen:
                    seen.add(sc)
                    # no scheme: Superdesk's Subject field holds scheme-less IPTC Subject Codes
                    subject.append({"name": m["names"][i] if i < len(m["names"]) else "", "code": sc})
        elif s.get("uri") or s.get("literal"):
            subject.append({k: v for k, v in (("name", s.get("name")), ("code", s.get("literal") or uri)) if v})
    if subject:
        out["subject"] = subject
    used = set()
    rend = {}
    for r in doc.get("renditions", []):
        x = {"href": r["href"]} if r.get("href") else {}
        if r.get("contenttype"):
            x["mimetype"] = r["contenttype"]
        for k in ("title", "height", "width", "sizeinbytes", "duration", "format"):
            if k in r:
                x[k] = r[k]
        rend[key_name(r.get("name"), used)] = x
    if rend:
        out["renditions"] = rend
    if associations and doc.get("associations"):
        used = set()
        out["associations"] = {
            key_name(f"{a.get('name', 'item')}_{a.get('language', '')}".rstrip("_"), used):
                {k: a[k] for k in ("uri", "type", "language", "headline") if k in a}
            for a in doc["associations"]}
    return out


class Validators:
    def __init__(self):
        self.ninjs16 = self.xsd = None
        self.notes = []
        path = os.path.join(SHARED, "conformance", "ninjs", "ninjs-schema_1.6.json")
        if jsonschema is None:
            self.notes.append("ninjs 1.6 schema check skipped: jsonschema not installed")
        elif not os.path.exists(path):
            self.notes.append(f"ninjs 1.6 schema check skipped: {path} not found")
        else:
            with open(path) as f:
                schema = json.load(f)
            checker = jsonschema.FormatChecker()
            self.ninjs16 = jsonschema.Draft7Validator(schema, format_checker=checker)
            unchecked = [f for f in ("uri", "date-time") if f not in checker.checkers]
            if unchecked:
                self.notes.append(f"ninjs 1.6 schema check does not check the formats {', '.join(unchecked)}")
        xsd = os.path.join(SHARED, "conformance", "newsml-g2", "NewsML-G2_2.35-spec-All-Power.xsd")
        if os.path.exists(xsd):
            try:
                self.xsd = etree.XMLSchema(etree.parse(xsd))
            except etree.XMLSchemaParseError as e:
                self.notes.append(f"NewsML-G2 XSD not usable: {e}")
        else:
            self.notes.append(f"NewsML-G2 XSD check skipped: {xsd} not found")

    def ninjs(self, doc):
        if self.ninjs16 is None:
            return None
        errs = sorted(self.ninjs16.iter_errors(doc), key=lambda e: list(e.path))
        return ["/".join(map(str, e.path)) + ": " + e.message for e in errs]

    def g2(self, root):
        if self.xsd is None:
            return None
        if self.xsd.validate(root):
            return []
        return [f"line {e.line}: {e.message}" for e in self.xsd.error_log][:3]


# ---------------------------------------------------------------- NewsML-G2 what-if


def q(tag):
    return f"{{{G2_NS}}}{tag}"


def g2_with_fixes(root, ref, mapping):
    """The served newsItem + subj: subjects (beside the medtop ones) + an HTML inlineData alternative
    placed after the inlineXML (Superdesk's parse_content_set keeps the LAST alternative it meets)."""
    root = etree.fromstring(etree.tostring(root))
    meta = root.find(q("contentMeta"))
    subjects = meta.findall(q("subject"))
    anchor = subjects[-1] if subjects else meta.find(q("language"))
    added = {s.get("qcode", "").split(":", 1)[1] for s in subjects if s.get("qcode", "").startswith("subj:")}
    for code in ref.medtop:
        m = mapping.get(code) or {"subj": [], "names": []}
        for i, sc in enumerate(m["subj"]):
            if sc in added:
                continue
            added.add(sc)
            el = etree.Element(q("subject"), type="cpnat:abstract", qcode=f"subj:{sc}")
            if i < len(m["names"]):
                name = etree.SubElement(el, q("name"))
                name.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
                name.text = m["names"][i]
            if anchor is not None:
                anchor.addnext(el)
            else:
                meta.append(el)
            anchor = el
    cs = root.find(q("contentSet"))
    last = cs[-1] if len(cs) else None
    if last is None or last.tag != q("inlineData") or "html" not in (last.get("contenttype") or ""):
        data = etree.SubElement(cs, q("inlineData"), contenttype="text/html")
        data.text = ref.html
    return root


# ---------------------------------------------------------------- inline-markup probe

# Invented text with the inline elements the issue names (bold, links, lists, quotes). No sample
# article has bold or links, so without this probe the "text after the first inline element" loss
# could not show.
PROBE_HTML = (
    "<p>The ministers said <strong>on Tuesday</strong> that the accord, <a href=\"https://example.org/accord\">"
    "published in full</a>, takes effect <em>in January</em> for every applicant.</p>\n"
    "<p><b>Lussan</b> will host the second round of talks next spring.</p>\n"
    "<ul>\n<li>temporary work visas for <strong>seasonal</strong> workers;</li>\n<li>a joint registry of arrivals.</li>\n</ul>\n"
    "<blockquote><p>Nobody should have to cross the border in the hands of a smuggler, the minister said.</p></blockquote>\n"
)
XHTML = "http://www.w3.org/1999/xhtml"


def with_probe_body(root):
    """The served newsItem with PROBE_HTML as its body, in every alternative the server sent:
    the XHTML inlineXML body, and any text/html inlineData."""
    root = etree.fromstring(etree.tostring(root))
    cs = root.find(q("contentSet"))
    if cs is None:
        return None
    frag = etree.fromstring(f'<body xmlns="{XHTML}">{PROBE_HTML}</body>')
    for alt in cs:
        if alt.tag == q("inlineXML"):
            body = alt.find(f".//{{{XHTML}}}body")
            if body is not None:
                for child in list(body):
                    body.remove(child)
                body.text = frag.text
                for child in frag:
                    body.append(etree.fromstring(etree.tostring(child)))
        elif alt.tag == q("inlineData") and "html" in (alt.get("contenttype") or ""):
            alt.text = PROBE_HTML
    return root


# ---------------------------------------------------------------- main

W = 24  # width of the run label


class Tally:
    def __init__(self):
        self.rows = collections.OrderedDict()  # run -> field -> Counter(status)
        self.fail = []

    def add(self, run, field, status):
        self.rows.setdefault(run, collections.OrderedDict()).setdefault(field, collections.Counter())[status] += 1


def emit(out, run, lines):
    out.append(f"  {run:<{W}} {lines[0]}")
    out.extend(f"  {'':<{W}} {line}" for line in lines[1:])


def main():
    if len(sys.argv) != 2:
        die("usage: superdesk_check.py BASE_URL")
    base = sys.argv[1].rstrip("/")
    mapping = load_mapping()
    app = superdesk_app()
    val = Validators()
    print(f"superdesk-core {getattr(superdesk, '__version__', '?')} parsers, Python {sys.version.split()[0]}, "
          f"server {base}; strict={'on' if STRICT else 'off (SUPERDESK_STRICT=0)'}")
    for n in val.notes:
        print(f"note: {n}")

    feed = json.loads(fetch_ok(f"{base}/feeds/all.json?limit=200"))
    refs = [Ref(i) for i in feed.get("items", [])]
    if not refs:
        die("/feeds/all.json lists no article")
    unmapped = sorted({c for r in refs for c in r.medtop if c not in mapping})
    if unmapped:
        print(f"note: media topics without an entry in {os.path.relpath(MAPPING_PATH, ROOT)}: {', '.join(unmapped)}")

    msg_items, msg_error = {}, None
    try:
        for it in run_g2(app, etree.fromstring(fetch_ok(f"{base}/feeds/all.xml"))):
            msg_items[it.get("uri")] = it
    except Exception as e:  # noqa: BLE001 - we report whatever Superdesk raises
        msg_error = g2_crash_site(e)[0]

    tally = Tally()
    G2I, G2M, NJ2, NJ1 = "G2 newsItem", "G2 newsMessage", "ninjs 2.1 (served)", f"ninjs 1.x (?{NINJS1_QUERY})"
    IFG2, IF16 = "what-if G2 +inlineData", "what-if ninjs 1.6"
    crash_sites = collections.OrderedDict()  # site -> (article, traceback)
    probe_root = None

    def judge(run, ref, item, fmt, strict=True):
        """Lines describing what Superdesk kept of one article in one run; tallies it."""
        tally.add(run, "parse", "ok")
        st, lines = describe_body(body_loss(ref.html, item.get("body_html")))
        sst, slines = subjects_result(ref, item.get("subject", []), mapping)
        fr = field_results(ref, item, fmt)
        tally.add(run, "body", st)
        tally.add(run, "subjects", sst)
        for k, (s, _) in fr.items():
            tally.add(run, k, s)
        if strict and st == "LOST":
            tally.fail.append(f"{ref.id}: {run}: body text lost")
        if strict and sst == "LOST":
            tally.fail.append(f"{ref.id}: {run}: subjects lost")
        return lines + slines + [describe_fields(fr)]

    for ref in refs:
        out = []
        quoted = urllib.parse.quote(ref.id)

        # NewsML-G2 newsItem and the same article in the newsMessage
        status, _, body = fetch(f"{base}/articles/{quoted}.xml")
        g2_root = etree.fromstring(body) if status == 200 else None
        item_lines = None
        if g2_root is None:
            emit(out, G2I, [f"HTTP {status}"])
            tally.add(G2I, "parse", f"HTTP {status}")
            tally.fail.append(f"{ref.id}: {G2I}: not served")
        else:
            probe_root = probe_root if probe_root is not None else g2_root
            try:
                item_lines = judge(G2I, ref, run_g2(app, g2_root)[0], "g2")
                emit(out, G2I, item_lines)
            except Exception as e:  # noqa: BLE001
                emit(out, G2I, [f"CRASH {g2_crash_site(e)[0]}"])
                tally.add(G2I, "parse", "CRASH")
                tally.fail.append(f"{ref.id}: {G2I}: Superdesk cannot parse it")
        if msg_error:
            emit(out, G2M, [f"CRASH {msg_error}"])
            tally.add(G2M, "parse", "CRASH")
            tally.fail.append(f"{ref.id}: {G2M}: Superdesk cannot parse it")
        elif ref.guid not in msg_items:
            emit(out, G2M, [f"absent: no item with uri {ref.guid}"])
            tally.add(G2M, "parse", "absent")
            tally.fail.append(f"{ref.id}: {G2M}: the article is not in it")
        else:
            lines = judge(G2M, ref, msg_items[ref.guid], "g2")
            emit(out, G2M, ["same as G2 newsItem"] if lines == item_lines else lines)

        # ninjs 2.1 as served: Superdesk reads 1.x, so a crash here is expected and not counted
        status, _, body21 = fetch(f"{base}/articles/{quoted}.json")
        doc21 = json.loads(body21) if status == 200 else None
        if doc21 is None:
            emit(out, NJ2, [f"HTTP {status}"])
        else:
            try:
                items = run_ninjs(body21)
                lines = judge(NJ2, ref, main_item(items, ref.guid), "ninjs", strict=False)
                emit(out, NJ2, [f"parsed (ninjs {ninjs_version(doc21)})"] + lines)
            except Exception as e:  # noqa: BLE001
                site, tb = crash_site(e)
                emit(out, NJ2, [f"CRASH (expected: Superdesk reads ninjs 1.x): {site}"])
                tally.add(NJ2, "parse", "CRASH (expected)")
                crash_sites.setdefault(site, (ref.id, tb))

        # ninjs 1.x for 1.x readers, if the server offers it
        status, _, body1 = fetch(f"{base}/articles/{quoted}.json?{NINJS1_QUERY}")
        doc1 = json.loads(body1) if status == 200 else None
        if doc1 is None or not ninjs_version(doc1).startswith("1."):
            why = f"HTTP {status}" if doc1 is None else f"the server answered ninjs {ninjs_version(doc1)}"
            emit(out, NJ1, [f"NOT OFFERED: {why}"])
            tally.add(NJ1, "parse", "not offered")
            tally.fail.append(f"{ref.id}: {NJ1}: no ninjs 1.x for 1.x readers ({why})")
        else:
            lines = []
            errs = val.ninjs(doc1)
            if errs is not None:
                tally.add(NJ1, "schema", "INVALID" if errs else "ok")
            if errs:
                lines.append(f"INVALID against IPTC's ninjs 1.6 schema: {'; '.join(errs[:3])}")
                tally.fail.append(f"{ref.id}: {NJ1}: not valid ninjs 1.6")
            try:
                items = run_ninjs(body1)
                lines += judge(NJ1, ref, main_item(items, ref.guid), "ninjs")
                if len(items) > 1:
                    lines.append(f"note: Superdesk also made {len(items) - 1} bare item(s) out of associations: "
                                 + "; ".join(f"guid {i.get('guid')}" for i in items if i.get("uri") != ref.guid))
            except Exception as e:  # noqa: BLE001
                lines.append(f"CRASH {crash_site(e)[0]}")
                tally.add(NJ1, "parse", "CRASH")
                tally.fail.append(f"{ref.id}: {NJ1}: Superdesk cannot parse it")
            emit(out, NJ1, lines)

        # what-if: the changes the issue proposes, applied here; never counted
        if g2_root is not None:
            fixed = g2_with_fixes(g2_root, ref, mapping)
            xsd = val.g2(fixed)
            try:
                lines = judge(IFG2, ref, run_g2(app, fixed)[0], "g2", strict=False)
                if xsd is not None:
                    tally.add(IFG2, "schema", "INVALID" if xsd else "ok")
                    lines[0] += f"; NewsML-G2 2.35 XSD {'INVALID: ' + xsd[0] if xsd else 'ok'}"
                emit(out, IFG2, lines[:2])
            except Exception as e:  # noqa: BLE001
                emit(out, IFG2, [f"CRASH {g2_crash_site(e)[0]}"])
                tally.add(IFG2, "parse", "CRASH")
        if doc21 is not None:
            doc16 = ninjs21_to_16(doc21, mapping)
            errs = val.ninjs(doc16)
            try:
                lines = judge(IF16, ref, main_item(run_ninjs(json.dumps(doc16).encode()), ref.guid), "ninjs", strict=False)
                if errs is not None:
                    tally.add(IF16, "schema", "INVALID" if errs else "ok")
                    lines[0] += f"; IPTC ninjs 1.6 schema {'INVALID: ' + errs[0] if errs else 'ok'}"
                if doc21.get("associations"):
                    try:
                        items = run_ninjs(json.dumps(ninjs21_to_16(doc21, mapping, associations=True)).encode())
                        bare = [i for i in items if i.get("uri") != ref.guid]
                        lines.append(f"associations left out: kept as a 1.6 object, Superdesk would ingest {len(bare)} "
                                     "bare item(s) of them (no headline, no body), under the guid the linked article "
                                     "gets when ingested itself: " + "; ".join(f"{i.get('guid')}" for i in bare))
                    except Exception as e:  # noqa: BLE001
                        lines.append(f"associations left out: kept, they CRASH the parser: {crash_site(e)[0]}")
                emit(out, IF16, lines)
            except Exception as e:  # noqa: BLE001
                emit(out, IF16, [f"CRASH {crash_site(e)[0]}"])
                tally.add(IF16, "parse", "CRASH")

        if FULL:
            print(f"\n== {ref.id} ({ref.language}, v{ref.version}, {ref.status}) «{clip(ref.headline, 70)}»")
            print("\n".join(out))

    # the inline-markup probe: counted, since no sample article has bold or links
    PROBE = "inline-markup probe"
    if probe_root is not None:
        print(f"\n== {PROBE}: the first article's served newsItem with this body in every alternative it has:")
        print("   " + PROBE_HTML.strip().replace("\n", "\n   "))
        try:
            item = run_g2(app, with_probe_body(probe_root))[0]
            st, lines = describe_body(body_loss(PROBE_HTML, item.get("body_html")))
            tally.add(PROBE, "body", st)
            if st == "LOST":
                tally.fail.append(f"probe: {PROBE}: body text after inline markup lost")
            print(f"   Superdesk kept: {clip(item.get('body_html') or '', 400)!r}")
            out = []
            emit(out, PROBE, lines)
            print("\n".join(out))
        except Exception as e:  # noqa: BLE001
            print(f"   CRASH {g2_crash_site(e)[0]}")
            tally.add(PROBE, "body", "CRASH")
            tally.fail.append(f"probe: {PROBE}: Superdesk cannot parse it")
        try:  # the same, after the proposed change (never counted)
            fixed = with_probe_body(g2_with_fixes(probe_root, Ref({"id": "", "_wirefeed": {"id": "probe"}}), mapping))
            st, lines = describe_body(body_loss(PROBE_HTML, run_g2(app, fixed)[0].get("body_html")))
            out = []
            emit(out, "what-if +inlineData", lines)
            print("\n".join(out))
        except Exception as e:  # noqa: BLE001
            print(f"   what-if +inlineData: CRASH {g2_crash_site(e)[0]}")

    if crash_sites:
        print("\n-- why NINJSFeedParser crashes on our ninjs 2.1 (one traceback per crash site):")
        for site, (aid, tb) in crash_sites.items():
            print(f"[first seen on {aid}]\n{tb.rstrip()}")

    # ------------------------------------------------------------ summary
    n = len(refs)
    fields = ["parse", "schema", "body", "subjects", "headline", "byline", "language", "urgency", "pubstatus", "guid",
              "version", "dateline", "keywords"]
    cols = [G2I, G2M, NJ2, NJ1, IFG2, IF16]
    short = ["G2 item", "G2 msg", "ninjs 2.1", "ninjs 1.x", "if: G2 fixed", "if: ninjs 1.6"]

    def cell(run, field):
        c = tally.rows.get(run, {}).get(field)
        if not c:
            return "-"
        bad = {k: v for k, v in c.items() if k not in ("ok", "n/a")}
        if not bad:
            return f"ok {c.get('ok', 0)}" if c.get("ok") else "n/a"
        k, v = max(bad.items(), key=lambda kv: kv[1])
        return f"{k} {v}" if len(bad) == 1 else f"{k} {v}+{sum(bad.values()) - v}"

    print(f"\n== Summary, {n} articles. Each cell: how many articles are not ok (LOST, CRASH, ...), or 'ok N' when all N "
          "that sent the field are fine. 'not read': the parser reads it from no sender; '-': not reached.")
    w = [10] + [max(len(s), 21) for s in short]
    print(" | ".join(["field".ljust(w[0])] + [s.ljust(w[i + 1]) for i, s in enumerate(short)]).rstrip())
    print("-+-".join("-" * x for x in w))
    for f in fields:
        print(" | ".join([f.ljust(w[0])] + [cell(r, f).ljust(w[i + 1]) for i, r in enumerate(cols)]).rstrip())
    print("G2 item = /articles/{id}.xml; G2 msg = /feeds/all.xml; ninjs 2.1 = /articles/{id}.json; "
          f"ninjs 1.x = /articles/{{id}}.json?{NINJS1_QUERY};\n"
          "if: = what Superdesk would keep with the proposed changes, applied by this script (never counted)")
    if PROBE in tally.rows:
        print(f"{PROBE} (bold, link, em, list, blockquote in every body alternative the server sends): "
              f"body {cell(PROBE, 'body')}")

    fails = tally.fail
    if not fails:
        print("\nsuperdesk: OK: a Superdesk newsroom loses no body text and no subject, and can parse our ninjs")
        return 0
    kinds = collections.Counter(f.split(": ", 1)[1] for f in fails)
    arts = {f.split(": ", 1)[0] for f in fails} - {"probe"}
    print(f"\nsuperdesk: {len(fails)} losses, in {len(arts)} of {n} articles" + (" and the probe" if any(f.startswith("probe") for f in fails) else "") + ":")
    for k, v in kinds.most_common():
        print(f"  {v:>3} × {k}")
    if STRICT:
        print("superdesk: FAILED (SUPERDESK_STRICT=0 reports without failing)")
        return 1
    print("superdesk: these would fail the check; SUPERDESK_STRICT=0, so exit 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
