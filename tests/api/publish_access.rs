//! The publishing API (docs/api.md, Publishing API) over real HTTP: who may call it (keys from
//! the real CLI: missing, subscriber, revoked, expired), wrong methods, and embargoed articles.
//! The endpoints' own answers are publish.rs.

use crate::helpers::{key, publisher_key, spawn_app_with, story};
use crate::publish::{app_and_key, problem};
use serde_json::json;

#[test]
fn requests_without_a_valid_key_are_401_and_subscriber_keys_403() {
    let (app, _) = app_and_key();
    let sub = key(&app, "reader", "subscriber", &[]);
    let routes = [
        ("GET", "/api/v1/articles"),
        ("POST", "/api/v1/articles"),
        ("GET", "/api/v1/articles/x"),
        ("PUT", "/api/v1/articles/x"),
        ("DELETE", "/api/v1/articles/x"),
        ("GET", "/api/v1/articles/x/versions"),
    ];
    let body = story("x", "Unauthorised write").to_string();
    for (m, p) in routes {
        let none = app.request(
            m,
            p,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        problem(&none, 401);
        assert!(
            none.header("www-authenticate")
                .unwrap()
                .starts_with("Bearer"),
            "{m} {p}"
        );
        for bad in [
            "Bearer wf_pub_garbage",
            "Bearer ",
            "Basic dXNlcjpwYXNz",
            "Bearer totally-not-a-token-0123456789",
        ] {
            let r = app.request(
                m,
                p,
                &[("Authorization", bad), ("Content-Type", "application/json")],
                body.as_bytes(),
            );
            problem(&r, 401);
        }
        let auth = format!("Bearer {sub}");
        let r = app.request(
            m,
            p,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        );
        problem(&r, 403);
    }
    // Nothing was written by any of them.
    let t = publisher_key(&app);
    problem(&app.api("GET", "/api/v1/articles/x", &t, None), 404);
}

#[test]
fn a_key_revoked_from_the_cli_is_refused_by_the_running_server_within_a_second() {
    let app = spawn_app_with(None);
    let t = key(&app, "desk", "publisher", &[]);
    assert_eq!(app.api("GET", "/api/v1/articles", &t, None).status, 200);
    let (code, out, err) = app.cli(&["keys", "revoke", "desk"]);
    assert_eq!(code, 0, "{out}{err}");
    let revoked = std::time::Instant::now();
    let r = app.eventually_for(std::time::Duration::from_secs(1), || {
        let r = app.api("GET", "/api/v1/articles", &t, None);
        (r.status != 200).then_some(r)
    });
    assert!(revoked.elapsed() < std::time::Duration::from_millis(1100));
    let p = problem(&r, 401);
    assert!(p["detail"].as_str().unwrap().contains("revoked"), "{p}");
    // Writes too.
    problem(
        &app.api("POST", "/api/v1/articles", &t, Some(&story("rv", "x"))),
        401,
    );
    let (code, _, _) = app.cli(&["keys", "revoke", "no-such-key"]);
    assert_eq!(code, 1);
}

#[test]
fn an_expired_key_is_401() {
    let app = spawn_app_with(None);
    let (code, out, err) = app.cli(&[
        "keys",
        "add",
        "temp",
        "--role",
        "publisher",
        "--expires",
        "1s",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let t = out.trim().to_owned();
    // Known to the server within a second, expired after one: refused as expired.
    let r = app.eventually_for(std::time::Duration::from_secs(3), || {
        let r = app.api("GET", "/api/v1/articles", &t, None);
        r.body.contains("expired").then_some(r)
    });
    let p = problem(&r, 401);
    assert!(p["detail"].as_str().unwrap().contains("expired"), "{p}");
    let listed = app.cli(&["keys", "list", "--json"]).1;
    assert!(listed.contains("\"expires_at\""), "{listed}");
}

#[test]
fn wrong_methods_are_405_with_allow() {
    let (app, t) = app_and_key();
    let auth = format!("Bearer {t}");
    for (m, p, allow) in [
        ("PUT", "/api/v1/articles", "POST"),
        ("DELETE", "/api/v1/articles", "POST"),
        ("PATCH", "/api/v1/articles", "POST"),
        ("POST", "/api/v1/articles/x", "PUT"),
        ("PATCH", "/api/v1/articles/x", "DELETE"),
        ("POST", "/api/v1/articles/x/versions", "GET"),
        ("DELETE", "/api/v1/articles/x/versions", "GET"),
        ("POST", "/feeds/all.atom", "GET"),
        ("PUT", "/articles/x", "GET"),
    ] {
        let r = app.request(m, p, &[("Authorization", &auth)], b"");
        problem(&r, 405);
        let a = r
            .header("allow")
            .unwrap_or_else(|| panic!("{m} {p}: no Allow"));
        assert!(a.contains(allow), "{m} {p}: Allow: {a}");
        assert!(!a.split(", ").any(|x| x == m), "{m} {p}: Allow: {a}");
    }
}

#[test]
fn an_embargoed_article_is_readable_by_publishers_only_and_in_no_feed() {
    let (app, t) = app_and_key();
    let mut s = story("emb-1", "Budget figures under embargo");
    s["embargo_until"] = json!("2099-01-01T00:00:00Z");
    s["body"] = json!("The migration budget rises. Asylum seekers and refugees at the border.");
    let c = app.api("POST", "/api/v1/articles", &t, Some(&s));
    assert_eq!(c.status, 201, "{}", c.body);
    let a = app.api("GET", "/api/v1/articles/emb-1", &t, None);
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["embargo_until"], "2099-01-01T00:00:00Z");
    let listed = app.api("GET", "/api/v1/articles", &t, None).json();
    assert_eq!(listed["articles"][0]["id"], "emb-1");
    // The positive control: the same story without an embargo, filed after it, shows wherever
    // the embargoed one would (English, migration, the word "budget").
    let mut open = story("ctl-1", "Budget talks resume in the capital");
    open["body"] = s["body"].clone();
    let c = app.api("POST", "/api/v1/articles", &t, Some(&open));
    assert_eq!(c.status, 201, "{}", c.body);
    for p in [
        "/articles/emb-1",
        "/articles/emb-1.xml",
        "/articles/emb-1.json",
    ] {
        problem(&app.get(p), 404);
    }
    let feeds = [
        "all",
        "kills",
        "migration",
        "security",
        "bilateral-relations",
    ];
    for f in feeds {
        for ext in ["rss", "atom", "json", "xml"] {
            let r = app.get(&format!("/feeds/{f}.{ext}"));
            assert_eq!(r.status, 200, "{f}.{ext}");
            if matches!(f, "all" | "migration") {
                assert!(
                    r.body.contains("ctl-1"),
                    "{f}.{ext}: the control is missing"
                );
            }
            assert!(
                !r.body.contains("emb-1"),
                "{f}.{ext} shows the embargoed id"
            );
            assert!(
                !r.body.contains("Budget figures"),
                "{f}.{ext} shows the headline"
            );
        }
    }
    // The front page in the story's language (`/` alone is Spanish: it could never show an
    // English story), the topic page and search: each shows the control, never the embargoed one.
    for p in ["/?lang=en", "/topics/migration?lang=en", "/search?q=budget"] {
        let r = app.get(p);
        assert_eq!(r.status, 200, "{p}");
        assert!(
            r.body.contains("Budget talks"),
            "{p}: the control is missing"
        );
        assert!(
            !r.body.contains("Budget figures"),
            "{p} shows the embargoed story"
        );
        assert!(!r.body.contains("emb-1"), "{p} links the embargoed story");
    }
}
