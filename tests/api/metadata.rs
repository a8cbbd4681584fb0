//! Metadata subscribers act on (docs/api.md, issue 25): ninjs 3.1 beside 2.1 and 1.6.

use crate::helpers::{TestApp, publisher_key, spawn_app_with, story};
use crate::media::{multipart, sample, upload};
use crate::publish::problem;
use serde_json::{Map, Value, json};

/// ninjs 2.1 names → ninjs 3.1 names, from IPTC's two schemas: 3.x spells in camelCase and
/// renamed `embargoed` and `ednote`. Every other name wirefeed writes is the same in both.
const RENAMED: [(&str, &str); 11] = [
    ("firstcreated", "firstCreated"),
    ("versioncreated", "versionCreated"),
    ("contentcreated", "contentCreated"),
    ("pubstatus", "pubStatus"),
    ("copyrightholder", "copyrightHolder"),
    ("copyrightnotice", "copyrightNotice"),
    ("usageterms", "usageTerms"),
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
