//! Validators always move (docs/api.md, Wire semantics): two changes to one feed within one second still give
//! the second poll a strictly later `Last-Modified` (never past `Date`) and a new `ETag`.

use crate::helpers::{Resp, publisher_key, spawn_app_with};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::time::Duration;

fn http_date(r: &Resp, name: &str) -> DateTime<Utc> {
    let v = r.header(name).unwrap_or_else(|| panic!("no {name}"));
    DateTime::parse_from_rfc2822(v)
        .unwrap_or_else(|e| panic!("{name}: {v:?}: {e}"))
        .with_timezone(&Utc)
}

fn body(n: usize) -> serde_json::Value {
    json!({
        "id": "val-1",
        "headline": "Asylum seekers reach Kessel",
        "body": format!("Change number {n} of the story about the border."),
        "language": "en",
        "topics": ["migration"],
        "published_at": "2026-11-20T09:00:00Z",
    })
}

#[test]
fn two_changes_within_one_second_each_move_last_modified_and_etag_in_every_feed_format() {
    changes_move_validators(&[
        "/feeds/all.atom",
        "/feeds/migration.rss",
        "/feeds/all.json",
        "/feeds/migration.xml",
    ]);
}

#[test]
fn two_changes_within_one_second_move_the_article_pages_last_modified() {
    changes_move_validators(&[
        "/articles/val-1",
        "/articles/val-1.xml",
        "/articles/val-1.json",
    ]);
}

fn changes_move_validators(paths: &[&str]) {
    let app = spawn_app_with(None);
    let t = publisher_key(&app);
    let put = |n: usize| {
        let r = app.api("PUT", "/api/v1/articles/val-1", &t, Some(&body(n)));
        assert!(matches!(r.status, 200 | 201), "{}", r.body);
    };
    put(0);
    for &path in paths {
        let mut last = app.get(path);
        assert_eq!(last.status, 200);
        // Pairs of changes in quick succession: the second of each pair lands within the
        // second of the first (or of the poll between them).
        for n in 1..=4 {
            let marker = format!("{path} change {n}");
            put(n * 100 + path.len());
            let expected = format!("Change number {} of", n * 100 + path.len());
            let r = app.eventually_for(Duration::from_millis(2500), || {
                let r = app.get(path);
                r.body.contains(&expected).then_some(r)
            });
            let (lm, prev_lm) = (
                http_date(&r, "last-modified"),
                http_date(&last, "last-modified"),
            );
            assert!(
                lm > prev_lm,
                "{marker}: Last-Modified {lm} did not move past {prev_lm}"
            );
            assert!(
                lm <= http_date(&r, "date"),
                "{marker}: Last-Modified {lm} is after Date"
            );
            assert_ne!(
                r.header("etag"),
                last.header("etag"),
                "{marker}: the ETag did not change"
            );
            // A poller that sends the previous validators gets the new document.
            let cond = app.get_with(
                path,
                &[
                    ("If-None-Match", last.header("etag").unwrap()),
                    ("If-Modified-Since", last.header("last-modified").unwrap()),
                ],
            );
            assert_eq!(cond.status, 200, "{marker}");
            let lm_only = app.get_with(
                path,
                &[("If-Modified-Since", last.header("last-modified").unwrap())],
            );
            assert_eq!(
                lm_only.status, 200,
                "{marker}: If-Modified-Since alone must see the change"
            );
            last = r;
        }
    }
}

#[test]
fn a_held_page_never_goes_backwards_and_never_passes_date() {
    // Many quick changes to two stories in one feed; every poll's Last-Modified is
    // non-decreasing and at most Date, and whenever the bytes differ the date moved.
    let app = spawn_app_with(None);
    let t = publisher_key(&app);
    let mut prev: Option<Resp> = None;
    for n in 0..12 {
        let mut b = body(n);
        b["id"] = json!(format!("val-{}", n % 2));
        let r = app.api(
            "PUT",
            &format!("/api/v1/articles/val-{}", n % 2),
            &t,
            Some(&b),
        );
        assert!(matches!(r.status, 200 | 201));
        let r = app.get("/feeds/all.atom");
        let lm = http_date(&r, "last-modified");
        assert!(lm <= http_date(&r, "date"));
        if let Some(p) = &prev {
            let plm = http_date(p, "last-modified");
            assert!(lm >= plm, "Last-Modified went back: {plm} → {lm}");
            if p.body != r.body {
                assert!(lm > plm, "new bytes under the old Last-Modified {plm}");
                assert_ne!(p.header("etag"), r.header("etag"));
            } else {
                assert_eq!(p.header("etag"), r.header("etag"));
            }
        }
        prev = Some(r);
    }
}

/// Regression: each edit within a second pushed the recorded change time a further second
/// ahead, so twenty quick edits dated the story twenty seconds into the future and a DELETE
/// then waited that long (schemathesis' stateful phase timed out on it).
#[test]
fn rapid_edits_never_push_an_articles_dates_more_than_a_second_ahead() {
    let app = crate::helpers::spawn_app_with(None);
    let token = crate::helpers::publisher_key(&app);
    for i in 0..20 {
        let mut body = crate::helpers::story("rapid-1", "Border talks resume");
        body["body"] = serde_json::json!(format!("KESSEL (ANV) - Edit {i}."));
        let r = app.api("PUT", "/api/v1/articles/rapid-1", &token, Some(&body));
        assert!(r.status == 200 || r.status == 201, "{}", r.body);
    }
    let a = app
        .api("GET", "/api/v1/articles/rapid-1", &token, None)
        .json();
    let updated: chrono::DateTime<chrono::Utc> = a["updated_at"].as_str().unwrap().parse().unwrap();
    assert!(
        updated <= chrono::Utc::now() + chrono::Duration::seconds(2),
        "{updated}"
    );
    let start = std::time::Instant::now();
    let r = app.api("DELETE", "/api/v1/articles/rapid-1", &token, None);
    assert_eq!(r.status, 200);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}
