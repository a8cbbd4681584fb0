//! Metadata subscribers act on (docs/api.md, issue 25): ninjs 3.1 beside 2.1 and 1.6, usage
//! terms and data-mining reservations. The urgent feed is urgent.rs.

use crate::helpers::{
    TestApp, config_text, publisher_key, spawn_app_config, spawn_app_with, story, wirefeed,
};
use crate::media::{multipart, sample, upload};
use crate::publish::problem;
use serde_json::{Map, Value, json};

/// ninjs 2.1 names → ninjs 3.1 names, from IPTC's two schemas: 3.x spells in camelCase and
/// renamed `embargoed` and `ednote`. Every other name wirefeed writes is the same in both.
const RENAMED: [(&str, &str); 13] = [
    ("firstcreated", "firstCreated"),
    ("versioncreated", "versionCreated"),
    ("contentcreated", "contentCreated"),
    ("pubstatus", "pubStatus"),
    ("copyrightholder", "copyrightHolder"),
    ("copyrightnotice", "copyrightNotice"),
    ("usageterms", "usageTerms"),
    ("rightsinfo", "rightsInfo"),
    ("linkedrights", "linkedRights"),
    ("contenttype", "contentType"),
    ("sizeinbytes", "sizeInBytes"),
    ("embargoed", "embargoedUntil"),
    ("ednote", "edNote"),
];

/// A 2.1 document with every name as 3.1 spells it, `standard` left out.
fn as_3_1(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| k.as_str() != "standard")
                .map(|(k, v)| {
                    let k = RENAMED
                        .iter()
                        .find(|(old, _)| old == k)
                        .map_or(k.as_str(), |(_, new)| new);
                    (k.to_owned(), as_3_1(v))
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(as_3_1).collect()),
        other => other.clone(),
    }
}

fn without_standard(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("standard");
    v
}

/// Every key of a document, nested ones as `outer.inner`.
fn keys(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.push(path.clone());
                keys(v, &path, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| keys(v, prefix, out)),
        _ => {}
    }
}

/// A picture with every metadata field, and a story (and its translation) using every field a
/// ninjs document carries: byline, dateline, urgency, embargo, places, topics, a picture, a
/// translation, a correction note.
fn every_field(app: &TestApp, token: &str) {
    let meta = json!({"id": "pic", "caption": "Boats <b>at</b> sea", "alt_text": "Grey boats",
        "credit": "Desk", "byline": "A. Photographer", "copyright": "(c) Desk", "usage_terms": "Editorial use only",
        "language": "en", "taken_at": "2026-11-01T10:00:00Z", "dateline": "Madrid"});
    let (ctype, body) = multipart(&meta, &sample("harbour-patrol.jpg"), "image/jpeg");
    assert_eq!(upload(app, token, &ctype, &body).status, 201);
    let mut s = story("orig", "Coast guard patrols the strait");
    s["byline"] = json!(["Ana Pérez", "John Smith"]);
    s["dateline"] = json!("Madrid");
    s["urgency"] = json!(2);
    s["topics"] = json!(["security"]);
    s["places"] = json!(["ES"]);
    s["media"] = json!([{"id": "pic"}]);
    // An embargo that has lifted: the documents still say until when it held.
    s["embargo_until"] = json!("2026-01-01T00:00:00Z");
    assert_eq!(
        app.api("POST", "/api/v1/articles", token, Some(&s)).status,
        201
    );
    let mut t = story("tr", "La guardia costera patrulla el estrecho");
    t["language"] = json!("es");
    t["translation_of"] = json!("orig");
    // Shown by a story out of embargo too, so its own document is served.
    t["media"] = json!([{"id": "pic"}]);
    assert_eq!(
        app.api("POST", "/api/v1/articles", token, Some(&t)).status,
        201
    );
    s["revision"] = json!("correction");
    s["correction_note"] = json!("The strait was misnamed.");
    s["body"] = json!("Coast guard patrols the strait. Corrected.");
    let r = app.api("PUT", "/api/v1/articles/orig", token, Some(&s));
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn ninjs_3_1_carries_every_field_of_the_2_1_document_under_its_3_1_name() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    every_field(&app, &token);
    let auth = format!("Bearer {token}");
    let get = |path: &str| {
        let r = app.get_with(path, &[("Authorization", &auth)]);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        r.json()
    };
    for (path, must) in [
        (
            "/articles/orig.json",
            &[
                "urgency",
                "embargoed",
                "by",
                "people",
                "located",
                "ednote",
                "places",
                "subjects",
                "associations.renditions.sizeinbytes",
                "associations.usageterms",
                "associations.language",
                "usageterms",
                "rightsinfo.linkedrights",
            ][..],
        ),
        (
            "/media/pic.json",
            &[
                "contentcreated",
                "usageterms",
                "language",
                "people",
                "located",
            ][..],
        ),
    ] {
        let (v21, v31) = (get(path), get(&format!("{path}?ninjs=3.1")));
        // The positive control: the story really uses every field this test is about.
        let mut seen = Vec::new();
        keys(&v21, "", &mut seen);
        for k in must {
            assert!(
                seen.iter().any(|s| s == k),
                "{path}: 2.1 has no {k}: {v21:#}"
            );
        }
        assert_eq!(v21["standard"]["version"], "2.1");
        assert_eq!(v31["standard"]["version"], "3.1");
        assert_eq!(
            v31["standard"]["schema"],
            "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json"
        );
        assert_eq!(as_3_1(&v21), without_standard(v31.clone()), "{path}");
        // No 2.x spelling is left in the 3.1 document.
        let mut seen31 = Vec::new();
        keys(&v31, "", &mut seen31);
        for (old, _) in RENAMED {
            assert!(
                !seen31.iter().any(|k| k.rsplit('.').next() == Some(old)),
                "{path}?ninjs=3.1 still says {old}"
            );
        }
    }
    // A kill notice too: the 3.1 document says canceled, with the notice as its edNote.
    assert_eq!(
        app.api("DELETE", "/api/v1/articles/tr", &token, None)
            .status,
        200
    );
    let (v21, v31) = (get("/articles/tr.json"), get("/articles/tr.json?ninjs=3.1"));
    assert_eq!(v31["pubStatus"], "canceled");
    assert!(v31["edNote"].as_str().unwrap().contains("RETIRADA"));
    assert_eq!(as_3_1(&v21), without_standard(v31));
    // The self link names the version asked for; 2.1 stays the default.
    let r = app.get_with("/articles/orig.json?ninjs=3.1", &[("Authorization", &auth)]);
    assert!(
        r.header("link")
            .unwrap()
            .contains("/articles/orig.json?ninjs=3.1>"),
        "{:?}",
        r.header("link")
    );
}

#[test]
fn an_unknown_ninjs_version_is_a_400_naming_the_parameter_on_articles_and_pictures() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let meta = json!({"id": "p1", "caption": "A boat", "alt_text": "A boat"});
    let (ctype, body) = multipart(&meta, &sample("harbour-patrol.jpg"), "image/jpeg");
    assert_eq!(upload(&app, &token, &ctype, &body).status, 201);
    let mut s = story("a1", "Patrol boats leave the harbour");
    s["media"] = json!([{"id": "p1"}]);
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&s)).status,
        201
    );
    for doc in ["/articles/a1.json", "/media/p1.json"] {
        // Positive controls: every version this server writes.
        for (q, field, version) in [
            ("", "standard", "2.1"),
            ("?ninjs=2.1", "standard", "2.1"),
            ("?ninjs=3.1", "standard", "3.1"),
            ("?ninjs=1.6", "$standard", "1.6"),
        ] {
            let r = app.get(&format!("{doc}{q}"));
            assert_eq!(r.status, 200, "{doc}{q}: {}", r.body);
            assert_eq!(r.json()[field]["version"], version, "{doc}{q}");
        }
        for bad in ["9", "3.0", "3.1&ninjs=2.1", ""] {
            let p = problem(&app.get(&format!("{doc}?ninjs={bad}")), 400);
            assert_eq!(p["errors"][0]["field"], "ninjs", "{doc}?ninjs={bad}: {p}");
        }
    }
}

const PROHIBITED: &str = "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING";

const AGENCY_TERMS: &str =
    "Editorial use only. No archiving, resale or use in advertising without permission.";

#[test]
fn usage_terms_and_data_mining_reach_every_format_with_markup_kept_as_text() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let terms = "Editorial <b>use</b> only & \"no\" resale <script>alert(1)</script>";
    let mut s = story("ut", "Ministry limits reuse of its figures");
    s["usage_terms"] = json!(terms);
    s["topics"] = json!(["security"]);
    let r = app.api("POST", "/api/v1/articles", &token, Some(&s));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["usage_terms"], terms, "read back through the API");
    // The positive control: a story without terms of its own carries the agency's.
    let mut plain = story("plain", "Ministry publishes its figures");
    plain["topics"] = json!(["security"]);
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&plain))
            .status,
        201
    );
    let escaped = "Editorial &lt;b&gt;use&lt;/b&gt; only &amp;";
    for (id, want) in [("ut", terms), ("plain", AGENCY_TERMS)] {
        let n21 = app.get(&format!("/articles/{id}.json")).json();
        assert_eq!(n21["usageterms"], want, "{id}");
        assert_eq!(n21["rightsinfo"]["linkedrights"], PROHIBITED);
        let n31 = app.get(&format!("/articles/{id}.json?ninjs=3.1")).json();
        assert_eq!(n31["usageTerms"], want, "{id}");
        assert_eq!(n31["rightsInfo"]["linkedRights"], PROHIBITED);
        let n16 = app.get(&format!("/articles/{id}.json?ninjs=1.6")).json();
        assert_eq!(n16["usageterms"], want, "{id}");
        let xml = app.get(&format!("/articles/{id}.xml")).body;
        assert!(
            xml.contains(&format!("<dataMining uri=\"{PROHIBITED}\"/>")),
            "{xml}"
        );
        assert!(xml.contains("<usageTerms>"), "{xml}");
    }
    let xml = app.get("/articles/ut.xml").body;
    assert!(xml.contains(&format!("<usageTerms>{escaped}")), "{xml}");
    assert!(!xml.contains("<b>use</b>") && !xml.contains("<script>"));
    // Feeds: RSS dc:rights and Atom entry rights (copyright, then the terms), JSON Feed
    // _wirefeed; the markup is text in every one, read back by independent parsers' eyes.
    let rss = app.get("/feeds/security.rss").body;
    assert!(rss.contains("<dc:rights>© 2026"), "{rss}");
    assert!(rss.contains(escaped), "{rss}");
    assert!(rss.contains(&format!("{AGENCY_TERMS}</dc:rights>")));
    assert!(!rss.contains("<b>use</b>") && !rss.contains("<script>"));
    let atom = app.get("/feeds/security.atom").body;
    assert!(atom.contains(escaped), "{atom}");
    assert!(atom.contains(&format!("{AGENCY_TERMS}</rights>")), "{atom}");
    assert!(!atom.contains("<b>use</b>") && !atom.contains("<script>"));
    let jf = app.get("/feeds/security.json").json();
    let item = |id: &str| {
        jf["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["_wirefeed"]["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(item("ut")["_wirefeed"]["usage_terms"], terms);
    assert_eq!(item("plain")["_wirefeed"]["usage_terms"], AGENCY_TERMS);
    assert_eq!(
        item("ut")["_wirefeed"]["data_mining"]["code"],
        "DMI-PROHIBITED-AIMLTRAINING"
    );
    assert_eq!(jf["_wirefeed"]["data_mining"]["uri"], PROHIBITED);
    assert_eq!(jf["_wirefeed"]["data_mining"]["tdm_reservation"], 1);
    assert_eq!(jf["_wirefeed"]["usage_terms"], AGENCY_TERMS);
    // The page: a usage-terms line, escaped.
    let page = app.get("/articles/ut").body;
    assert!(
        page.contains("Usage terms: Editorial &lt;b&gt;use&lt;/b&gt;"),
        "{page}"
    );
    assert!(!page.contains("<b>use</b>") && !page.contains("<script>alert"));
}

#[test]
fn usage_terms_over_2000_characters_are_a_field_error_in_the_api_and_in_files() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    // The positive control: 2,000 characters are accepted.
    let mut s = story("long-ok", "Terms at the limit");
    s["usage_terms"] = json!("é".repeat(2000));
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&s)).status,
        201
    );
    for n in [2001, 100_000] {
        let mut s = story("long-bad", "Terms over the limit");
        s["usage_terms"] = json!("x".repeat(n));
        let p = problem(&app.api("POST", "/api/v1/articles", &token, Some(&s)), 400);
        assert_eq!(p["errors"][0]["field"], "usage_terms", "{p}");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("the most is 2000"),
            "{p}"
        );
    }
    let mut s = story("long-bad", "Terms of the wrong type");
    s["usage_terms"] = json!(["a list"]);
    let p = problem(&app.api("POST", "/api/v1/articles", &token, Some(&s)), 400);
    assert_eq!(p["errors"][0]["field"], "usage_terms", "{p}");
    // Article files: front matter `usage_terms`, the same limit, reported as file:line.
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.md");
    std::fs::write(
        &good,
        "+++\nid = \"file-terms\"\nheadline = \"Terms from a file\"\nlanguage = \"en\"\nusage_terms = \"No <i>resale</i>\"\n+++\nThe body.\n",
    )
    .unwrap();
    let (code, out, err) = app.cli(&["import", good.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let n = app.eventually(|| {
        let r = app.get("/articles/file-terms.json");
        (r.status == 200).then(|| r.json())
    });
    assert_eq!(n["usageterms"], "No <i>resale</i>");
    let bad = dir.path().join("bad.md");
    std::fs::write(
        &bad,
        format!(
            "+++\nid = \"file-bad\"\nheadline = \"Too long\"\nlanguage = \"en\"\nusage_terms = \"{}\"\n+++\nThe body.\n",
            "x".repeat(100_000)
        ),
    )
    .unwrap();
    let (code, out, err) = app.cli(&["import", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains(&format!("{}:", bad.display())) && err.contains("usage_terms"),
        "{err}"
    );
    assert!(out.contains("invalid 1"), "{out}");
}

/// The headers a TDMRep agent reads, on one answer.
fn tdm(app: &TestApp, path: &str) -> (u16, Option<String>, Option<String>) {
    let r = app.get(path);
    (
        r.status,
        r.header("tdm-reservation").map(str::to_owned),
        r.header("tdm-policy").map(str::to_owned),
    )
}

#[test]
fn reserved_mining_is_declared_by_tdmrep_on_every_answer_the_well_known_file_and_pages() {
    const POLICY: &str = "https://wire.example.org/tdm-policy.json";
    let text = config_text(None).replace(
        "# tdm_policy = \"https://wire.example.org/tdm-policy.json\"",
        &format!("tdm_policy = \"{POLICY}\""),
    );
    assert!(
        text.contains("\ntdm_policy = "),
        "the shipped config names tdm_policy"
    );
    let app = spawn_app_config(&text);
    let token = publisher_key(&app);
    let mut s = story("tdm", "A story to mine");
    s["topics"] = json!(["security"]);
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&s)).status,
        201
    );
    // Every kind of answer: documents, pages, the API, errors, health, the well-known file.
    for path in [
        "/",
        "/feeds/all.atom",
        "/feeds/all.json",
        "/feeds/all.xml",
        "/articles/tdm",
        "/articles/tdm.json",
        "/articles/tdm.xml",
        "/search?q=mine",
        "/feeds.opml",
        "/healthz",
        "/api/v1/openapi.json",
        "/articles/no-such-story",
        "/feeds/all.rss?limit=0",
        "/.well-known/tdmrep.json",
    ] {
        let (_, reservation, policy) = tdm(&app, path);
        assert_eq!(reservation.as_deref(), Some("1"), "{path}");
        assert_eq!(policy.as_deref(), Some(POLICY), "{path}");
    }
    let r = app.head("/feeds/all.rss");
    assert_eq!(r.header("tdm-reservation"), Some("1"), "HEAD");
    let etag = app.get("/feeds/all.rss").header("etag").unwrap().to_owned();
    let r = app.get_with("/feeds/all.rss", &[("If-None-Match", &etag)]);
    assert_eq!((r.status, r.header("tdm-reservation")), (304, Some("1")));
    let file = app.get("/.well-known/tdmrep.json");
    assert_eq!(file.header("content-type"), Some("application/json"));
    assert_eq!(
        file.json(),
        json!([{ "location": "/", "tdm-reservation": 1, "tdm-policy": POLICY }])
    );
    let page = app.get("/articles/tdm").body;
    assert!(
        page.contains("<meta name=\"tdm-reservation\" content=\"1\">"),
        "{page}"
    );
    assert!(page.contains(&format!("<meta name=\"tdm-policy\" content=\"{POLICY}\">")));
    assert!(
        app.get("/")
            .body
            .contains("<meta name=\"tdm-reservation\" content=\"1\">")
    );
}

#[test]
fn allowed_or_undeclared_mining_sends_no_reservation() {
    // DMI-ALLOWED: not reserved; the file says 0 and no answer carries the header.
    let allowed = config_text(None).replace("DMI-PROHIBITED-AIMLTRAINING", "DMI-ALLOWED");
    let app = spawn_app_config(&allowed);
    let token = publisher_key(&app);
    let s = story("free", "A story anyone may mine");
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&s)).status,
        201
    );
    assert_eq!(tdm(&app, "/"), (200, None, None));
    assert_eq!(tdm(&app, "/feeds/all.atom"), (200, None, None));
    assert!(!app.get("/").body.contains("tdm-reservation"));
    assert_eq!(
        app.get("/.well-known/tdmrep.json").json(),
        json!([{ "location": "/", "tdm-reservation": 0 }])
    );
    let xml = app.get("/articles/free.xml").body;
    assert!(
        xml.contains("DMI-ALLOWED"),
        "the code is still carried: {xml}"
    );
    drop(app);
    // No code at all: nothing declared, the file is a 404 problem.
    let none = config_text(None).replace("data_mining = \"DMI-PROHIBITED-AIMLTRAINING\"", "");
    let app = spawn_app_config(&none);
    let token = publisher_key(&app);
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&s)).status,
        201
    );
    assert_eq!(tdm(&app, "/"), (200, None, None));
    problem(&app.get("/.well-known/tdmrep.json"), 404);
    let xml = app.get("/articles/free.xml").body;
    assert!(
        xml.contains("<rightsInfo>") && !xml.contains("dataMining"),
        "{xml}"
    );
}

#[test]
fn check_names_the_line_of_an_unknown_data_mining_code_or_a_policy_without_a_reservation() {
    let dir = tempfile::tempdir().unwrap();
    let (config, db) = (dir.path().join("feeds.toml"), dir.path().join("w.db"));
    // The positive control: the shipped code passes.
    std::fs::write(&config, config_text(None)).unwrap();
    let (code, _, err) = wirefeed(&config, &db, &["check"]);
    assert_eq!(code, 0, "{err}");
    for (key, from, to, says) in [
        (
            "data_mining",
            "DMI-PROHIBITED-AIMLTRAINING",
            "DMI-PROHIBITED-AI",
            "agency.data_mining \"DMI-PROHIBITED-AI\" is not a code",
        ),
        (
            "data_mining",
            "data_mining = \"DMI-PROHIBITED-AIMLTRAINING\"",
            "data_mining = \"medtop:20000638\"",
            "is not a code of the data-mining vocabulary",
        ),
        (
            "tdm_policy",
            "data_mining = \"DMI-PROHIBITED-AIMLTRAINING\"\n# tdm_policy = \"https://wire.example.org/tdm-policy.json\"",
            "data_mining = \"DMI-ALLOWED\"\ntdm_policy = \"https://wire.example.org/tdm-policy.json\"",
            "agency.tdm_policy is sent only while mining is reserved",
        ),
        (
            "tdm_policy",
            "# tdm_policy = \"https://wire.example.org/tdm-policy.json\"",
            "tdm_policy = \"policy.json\"",
            "must be an absolute http(s) URL",
        ),
        (
            "usage_terms",
            "usage_terms = \"Editorial use only.",
            &format!("usage_terms = \"{}", "x".repeat(2001)),
            "agency.usage_terms has",
        ),
    ] {
        let text = config_text(None).replace(from, to);
        assert_ne!(text, config_text(None), "{from}");
        std::fs::write(&config, &text).unwrap();
        let line = text.lines().position(|l| l.starts_with(key)).unwrap() + 1;
        let (code, _, err) = wirefeed(&config, &db, &["check"]);
        assert_eq!(code, 2, "{to}: {err}");
        assert!(
            err.contains(&format!("{}:{line}: ", config.display())) && err.contains(says),
            "{to}: expected line {line} and {says:?} in {err}"
        );
    }
}
