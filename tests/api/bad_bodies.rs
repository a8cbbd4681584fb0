//! Bad request bodies: each gets a clear problem+json answer, nothing is stored, and the
//! server stays healthy.

use crate::helpers::{TestApp, publisher_key, spawn_app_with, story};
use crate::publish::problem;
use serde_json::{Value, json};

/// What the store shows: the listing and one article's versions.
fn snapshot(app: &TestApp, t: &str) -> (String, String) {
    let list = app.api("GET", "/api/v1/articles?limit=200", t, None);
    let versions = app.api("GET", "/api/v1/articles/base/versions", t, None);
    assert_eq!(list.status, 200);
    assert_eq!(versions.status, 200);
    (list.body, versions.body)
}

fn setup() -> (TestApp, String, (String, String)) {
    let app = spawn_app_with(None);
    let t = publisher_key(&app);
    let r = app.api(
        "PUT",
        "/api/v1/articles/base",
        &t,
        Some(&story("base", "Base story")),
    );
    assert_eq!(r.status, 201);
    let before = snapshot(&app, &t);
    (app, t, before)
}

/// Sends `body` with `content_type` to `method path`; expects `status`; checks nothing changed.
fn refused(
    app: &TestApp,
    t: &str,
    before: &(String, String),
    (method, path): (&str, &str),
    content_type: Option<&str>,
    body: &[u8],
    status: u16,
) -> Value {
    let auth = format!("Bearer {t}");
    let mut h = vec![("Authorization", auth.as_str())];
    if let Some(c) = content_type {
        h.push(("Content-Type", c));
    }
    let r = app.request(method, path, &h, body);
    let p = problem(&r, status);
    assert_eq!(
        &snapshot(app, t),
        before,
        "{method} {path} stored something"
    );
    let h = app.get("/healthz");
    assert_eq!((h.status, h.body.trim()), (200, "ok"));
    p
}

const JSON: Option<&str> = Some("application/json");

fn fields(p: &Value) -> Vec<String> {
    let mut f: Vec<String> = p["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors array: {p}"))
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
            e["field"].as_str().unwrap().to_owned()
        })
        .collect();
    f.sort();
    f
}

#[test]
fn wrong_types_and_unknown_fields_are_400_with_every_field_named() {
    let (app, t, before) = setup();
    for path in [
        ("POST", "/api/v1/articles"),
        ("PUT", "/api/v1/articles/base"),
    ] {
        let mut wrong = story("base", "x");
        wrong["headline"] = json!(42);
        let p = refused(
            &app,
            &t,
            &before,
            path,
            JSON,
            wrong.to_string().as_bytes(),
            400,
        );
        assert_eq!(fields(&p), ["headline"]);
        let mut unknown = story("base", "x");
        unknown["headlnie"] = json!("typo");
        let p = refused(
            &app,
            &t,
            &before,
            path,
            JSON,
            unknown.to_string().as_bytes(),
            400,
        );
        assert_eq!(fields(&p), ["headlnie"]);
        let many = json!({
            "id": "base",
            "headline": "",
            "body": 7,
            "urgency": 12,
            "language": ["en"],
            "topics": ["no-such-topic"],
            "published_at": "last tuesday",
            "revision": "rewrite",
            "colour": "red",
        });
        let p = refused(
            &app,
            &t,
            &before,
            path,
            JSON,
            many.to_string().as_bytes(),
            400,
        );
        assert_eq!(
            fields(&p),
            [
                "body",
                "colour",
                "headline",
                "language",
                "published_at",
                "revision",
                "topics",
                "urgency"
            ],
            "{p}"
        );
        // The detail names them too, for humans.
        assert!(p["detail"].as_str().unwrap().contains("colour"), "{p}");
    }
}

#[test]
fn a_body_over_max_body_kb_is_413() {
    let (app, t, before) = setup();
    let mut big = story("huge", "Huge");
    big["body"] = json!("a".repeat(2 * 1024 * 1024));
    let bytes = big.to_string();
    for path in [
        ("POST", "/api/v1/articles"),
        ("PUT", "/api/v1/articles/huge"),
    ] {
        refused(&app, &t, &before, path, JSON, bytes.as_bytes(), 413);
    }
}

#[test]
fn invalid_utf8_deep_nesting_and_non_objects_are_400() {
    let (app, t, before) = setup();
    let mut bad_utf8 = br#"{"id": "u8", "headline": "caf"#.to_vec();
    bad_utf8.extend_from_slice(&[0xC3, 0x28, 0xFF]);
    bad_utf8.extend_from_slice(br#"", "body": "x"}"#);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_obj = format!(
        "{{\"id\": \"deep\", \"headline\": \"x\", \"body\": \"x\", \"keywords\": {}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    for path in [
        ("POST", "/api/v1/articles"),
        ("PUT", "/api/v1/articles/base"),
    ] {
        refused(&app, &t, &before, path, JSON, &bad_utf8, 400);
        refused(&app, &t, &before, path, JSON, deep.as_bytes(), 400);
        refused(&app, &t, &before, path, JSON, deep_obj.as_bytes(), 400);
        for not_object in ["[]", "\"story\"", "42", "null", "true", ""] {
            refused(&app, &t, &before, path, JSON, not_object.as_bytes(), 400);
        }
        refused(
            &app,
            &t,
            &before,
            path,
            JSON,
            b"{\"id\": \"trunc\", \"headline\": ",
            400,
        );
    }
}

#[test]
fn a_wrong_or_missing_content_type_is_415() {
    let (app, t, before) = setup();
    let body = story("ct", "Content type").to_string();
    for path in [("POST", "/api/v1/articles"), ("PUT", "/api/v1/articles/ct")] {
        for ct in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("application/jsonx"),
        ] {
            refused(&app, &t, &before, path, ct, body.as_bytes(), 415);
        }
    }
    refused(
        &app,
        &t,
        &before,
        ("DELETE", "/api/v1/articles/base"),
        Some("text/plain"),
        b"{\"reason\": \"x\"}",
        415,
    );
    // Parameters on the media type are fine.
    let auth = format!("Bearer {t}");
    let r = app.request(
        "PUT",
        "/api/v1/articles/ct",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json; charset=utf-8"),
        ],
        body.as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.body);
}

#[test]
fn bad_ids_in_the_url_or_the_body_are_refused() {
    let (app, t, before) = setup();
    let body = |id: &str| story(id, "Bad id").to_string();
    // A slash (encoded or not) never reaches an article.
    for (path, id) in [
        ("/api/v1/articles/a/b", "a/b"),
        ("/api/v1/articles/a%2Fb", "a/b"),
        ("/api/v1/articles/..", ".."),
        ("/api/v1/articles/%2E%2E", ".."),
        ("/api/v1/articles/a%20b", "a b"),
    ] {
        let auth = format!("Bearer {t}");
        let r = app.request(
            "PUT",
            path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body(id).as_bytes(),
        );
        assert!(
            matches!(r.status, 400 | 404 | 405),
            "PUT {path}: {} {}",
            r.status,
            r.body
        );
        problem(&r, r.status);
        assert_eq!(snapshot(&app, &t), before, "PUT {path}");
    }
    for id in ["a/b", "..", ".", "a b", "", &"x".repeat(129), "ü"] {
        let p = refused(
            &app,
            &t,
            &before,
            ("POST", "/api/v1/articles"),
            JSON,
            body(id).as_bytes(),
            400,
        );
        assert_eq!(fields(&p), ["id"], "{id:?}: {p}");
    }
    // The body's id must be the URL's.
    let p = refused(
        &app,
        &t,
        &before,
        ("PUT", "/api/v1/articles/base"),
        JSON,
        body("other").as_bytes(),
        400,
    );
    assert_eq!(fields(&p), ["id"], "{p}");
    assert_eq!(
        app.api("GET", "/api/v1/articles/other", &t, None).status,
        404
    );
}

#[test]
fn a_bad_kill_body_is_400_and_kills_nothing() {
    let (app, t, before) = setup();
    for b in [&b"{\"reason\": 5}"[..], b"{\"why\": \"x\"}", b"[1]", b"{"] {
        refused(
            &app,
            &t,
            &before,
            ("DELETE", "/api/v1/articles/base"),
            JSON,
            b,
            400,
        );
    }
}

/// Blank means what the OpenAPI pattern says (`[^\s\u0085]`): U+0085 (NEL) and U+FEFF are blank
/// like spaces; a no-break space before a word is not a blank headline. Found by schemathesis.
#[test]
fn a_headline_of_unicode_blanks_is_refused_as_the_schema_says() {
    let (app, t, before) = setup();
    for blank in ["\u{85}", "\u{feff} \u{3000}", "\u{2028}\t"] {
        let mut s = story("blank-1", "x");
        s["headline"] = json!(blank);
        let p = refused(
            &app,
            &t,
            &before,
            ("POST", "/api/v1/articles"),
            Some("application/json"),
            s.to_string().as_bytes(),
            400,
        );
        assert_eq!(fields(&p), ["headline"], "{blank:?}");
    }
    let mut s = story("blank-2", "x");
    s["headline"] = json!("\u{a0}Kessel");
    let r = app.api("POST", "/api/v1/articles", &t, Some(&s));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["headline"], "Kessel");
}
