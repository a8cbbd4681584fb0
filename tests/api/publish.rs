//! The publishing API (docs/api.md, Publishing API) over real HTTP: every endpoint and every
//! status code it promises. Keys, methods and embargoes are publish_access.rs.

use crate::helpers::{TestApp, local_path, publisher_key, spawn_app_with, story};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Asserts an RFC 9457 answer with `status`; returns its JSON.
pub fn problem(r: &crate::helpers::Resp, status: u16) -> Value {
    assert_eq!(
        r.status, status,
        "expected {status}, got {}: {}",
        r.status, r.body
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/problem+json"),
        "{status} must be problem+json"
    );
    let p = r.json();
    assert!(p["type"].is_string(), "type: {p}");
    assert!(
        p["title"].as_str().is_some_and(|t| !t.is_empty()),
        "title: {p}"
    );
    assert_eq!(p["status"], status, "status member: {p}");
    assert!(
        p["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "detail: {p}"
    );
    p
}

fn at(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("not a date: {v}"))
        .parse()
        .unwrap()
}

pub(crate) fn app_and_key() -> (TestApp, String) {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    (app, token)
}

#[test]
fn post_creates_an_article_with_201_location_etag_and_the_article() {
    let (app, t) = app_and_key();
    let r = app.api(
        "POST",
        "/api/v1/articles",
        &t,
        Some(&story("api-1", "Border talks resume")),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(
        r.header("location")
            .unwrap()
            .ends_with("/api/v1/articles/api-1"),
        "{:?}",
        r.header("location")
    );
    let etag = r.header("etag").unwrap().to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2,
        "{etag}"
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    let a = r.json();
    assert_eq!(a["id"], "api-1");
    assert_eq!(a["headline"], "Border talks resume");
    assert_eq!(a["version"], 1);
    assert_eq!(a["status"], "usable");
    assert_eq!(a["language"], "en");
    for f in ["created_at", "updated_at", "published_at"] {
        at(&a[f]);
    }
    assert!(
        a["urls"]["html"]
            .as_str()
            .unwrap()
            .ends_with("/articles/api-1")
    );
    // Reading it back gives the same article and the same tag.
    let g = app.api("GET", "/api/v1/articles/api-1", &t, None);
    assert_eq!(g.status, 200);
    assert_eq!(g.header("etag"), Some(etag.as_str()));
    assert_eq!(g.json(), a);
}

#[test]
fn post_without_an_id_generates_one_and_locates_it() {
    let (app, t) = app_and_key();
    let mut body = story("x", "Harvest figures published");
    body.as_object_mut().unwrap().remove("id");
    let r = app.api("POST", "/api/v1/articles", &t, Some(&body));
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    assert!(!id.is_empty());
    let loc = r.header("location").unwrap();
    assert!(loc.ends_with(&format!("/api/v1/articles/{id}")), "{loc}");
    assert_eq!(app.api("GET", &local_path(loc), &t, None).status, 200);
}

#[test]
fn get_answers_304_to_its_own_etag_and_404_for_an_unknown_id() {
    let (app, t) = app_and_key();
    let c = app.api(
        "POST",
        "/api/v1/articles",
        &t,
        Some(&story("api-2", "Port reopens")),
    );
    let etag = c.header("etag").unwrap().to_owned();
    let nm = app.api_with(
        "GET",
        "/api/v1/articles/api-2",
        &t,
        &[("If-None-Match", &etag)],
        None,
    );
    assert_eq!(nm.status, 304);
    assert_eq!(nm.header("etag"), Some(etag.as_str()));
    let other = app.api_with(
        "GET",
        "/api/v1/articles/api-2",
        &t,
        &[("If-None-Match", "\"something-else\"")],
        None,
    );
    assert_eq!(other.status, 200);
    problem(&app.api("GET", "/api/v1/articles/nope", &t, None), 404);
    problem(
        &app.api("GET", "/api/v1/articles/nope/versions", &t, None),
        404,
    );
}

#[test]
fn put_creates_with_201_then_replaces_with_200_as_version_2() {
    let (app, t) = app_and_key();
    let p = "/api/v1/articles/api-3";
    let c = app.api("PUT", p, &t, Some(&story("api-3", "Bridge closed")));
    assert_eq!(c.status, 201, "{}", c.body);
    let v1 = c.json();
    assert_eq!(v1["version"], 1);
    let mut changed = story("api-3", "Bridge closed after flood");
    changed["revision"] = json!("update");
    let u = app.api("PUT", p, &t, Some(&changed));
    assert_eq!(u.status, 200, "{}", u.body);
    let v2 = u.json();
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["headline"], "Bridge closed after flood");
    assert!(at(&v2["updated_at"]) > at(&v1["updated_at"]), "{v1} {v2}");
    assert_eq!(v2["created_at"], v1["created_at"]);
    assert_ne!(u.header("etag"), c.header("etag"));
    // The id in the body may be left out on PUT: the URL names the article.
    let mut no_id = changed.clone();
    no_id.as_object_mut().unwrap().remove("id");
    let same = app.api("PUT", p, &t, Some(&no_id));
    assert_eq!(same.status, 200);
    assert_eq!(
        same.json()["version"],
        2,
        "an unchanged PUT keeps the version"
    );
    assert_eq!(same.header("etag"), u.header("etag"));
    assert_eq!(same.json()["updated_at"], v2["updated_at"]);
}

#[test]
fn delete_kills_and_a_second_delete_answers_the_same_article() {
    let (app, t) = app_and_key();
    let p = "/api/v1/articles/api-4";
    app.api("PUT", p, &t, Some(&story("api-4", "Dam inspection")));
    let k = app.api("DELETE", p, &t, Some(&json!({"reason": "legal"})));
    assert_eq!(k.status, 200, "{}", k.body);
    let a = k.json();
    assert_eq!(a["status"], "canceled");
    assert_eq!(a["version"], 2, "a kill is a new version");
    assert_eq!(a["kill_reason"], "legal");
    let again = app.api("DELETE", p, &t, None);
    assert_eq!(again.status, 200);
    assert_eq!(again.json(), a);
    assert_eq!(again.header("etag"), k.header("etag"));
    // Nothing is erased: it is still readable, as canceled.
    let g = app.api("GET", p, &t, None);
    assert_eq!(g.json()["status"], "canceled");
    problem(
        &app.api("DELETE", "/api/v1/articles/never-was", &t, None),
        404,
    );
}

#[test]
fn a_killed_article_cannot_be_updated_409() {
    let (app, t) = app_and_key();
    let p = "/api/v1/articles/api-5";
    app.api("PUT", p, &t, Some(&story("api-5", "Strike called")));
    app.api("DELETE", p, &t, None);
    let r = app.api("PUT", p, &t, Some(&story("api-5", "Strike called off")));
    problem(&r, 409);
    let g = app.api("GET", p, &t, None).json();
    assert_eq!(g["headline"], "Strike called");
    assert_eq!(g["status"], "canceled");
}

#[test]
fn post_with_an_existing_id_is_409_and_changes_nothing() {
    let (app, t) = app_and_key();
    let c = app.api(
        "POST",
        "/api/v1/articles",
        &t,
        Some(&story("api-6", "Election date set")),
    );
    assert_eq!(c.status, 201);
    let r = app.api(
        "POST",
        "/api/v1/articles",
        &t,
        Some(&story("api-6", "Other text")),
    );
    problem(&r, 409);
    let g = app.api("GET", "/api/v1/articles/api-6", &t, None);
    assert_eq!(g.json()["headline"], "Election date set");
    assert_eq!(g.json()["version"], 1);
    assert_eq!(g.header("etag"), c.header("etag"));
}

#[test]
fn if_match_that_does_not_match_is_412_on_put_and_delete_and_changes_nothing() {
    let (app, t) = app_and_key();
    let p = "/api/v1/articles/api-7";
    let c = app.api("PUT", p, &t, Some(&story("api-7", "Rail fares rise")));
    let etag = c.header("etag").unwrap().to_owned();
    let stale = [("If-Match", "\"stale-tag\"")];
    problem(
        &app.api_with(
            "PUT",
            p,
            &t,
            &stale,
            Some(&story("api-7", "Rail fares rise 5%")),
        ),
        412,
    );
    problem(&app.api_with("DELETE", p, &t, &stale, None), 412);
    // A weak tag never matches (If-Match uses the strong comparison).
    let weak = format!("W/{etag}");
    problem(
        &app.api_with(
            "PUT",
            p,
            &t,
            &[("If-Match", &weak)],
            Some(&story("api-7", "x")),
        ),
        412,
    );
    let g = app.api("GET", p, &t, None);
    assert_eq!(g.header("etag"), Some(etag.as_str()));
    assert_eq!(g.json()["version"], 1);
    assert_eq!(g.json()["status"], "usable");
    let versions = app.api("GET", &format!("{p}/versions"), &t, None).json();
    assert_eq!(versions["versions"].as_array().unwrap().len(), 1);
    // If-Match on an article that does not exist fails too.
    problem(
        &app.api_with(
            "PUT",
            "/api/v1/articles/api-7b",
            &t,
            &[("If-Match", "*")],
            Some(&story("api-7b", "x")),
        ),
        412,
    );
    // The current tag succeeds, and the next write needs the new tag.
    let ok = app.api_with(
        "PUT",
        p,
        &t,
        &[("If-Match", &etag)],
        Some(&story("api-7", "Rail fares rise 5%")),
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    let etag2 = ok.header("etag").unwrap().to_owned();
    problem(
        &app.api_with("DELETE", p, &t, &[("If-Match", &etag)], None),
        412,
    );
    let list = format!("\"a\", {etag2}");
    let k = app.api_with("DELETE", p, &t, &[("If-Match", &list)], None);
    assert_eq!(k.status, 200, "{}", k.body);
    assert_eq!(k.json()["status"], "canceled");
}

fn follow_listing(app: &TestApp, t: &str, first: &str) -> (Vec<Value>, usize) {
    let mut all = Vec::new();
    let mut pages = 0;
    let mut next = Some(first.to_owned());
    while let Some(path) = next {
        let r = app.api("GET", &path, t, None);
        assert_eq!(r.status, 200, "{}", r.body);
        pages += 1;
        assert!(pages < 50, "paging does not end");
        let j = r.json();
        all.extend(j["articles"].as_array().unwrap().iter().cloned());
        let link = r.header("link").map(str::to_owned);
        next = j["next"].as_str().map(local_path);
        match (&link, &next) {
            (Some(l), Some(n)) => {
                assert!(l.contains("rel=\"next\""), "{l}");
                assert!(l.contains(n.as_str()), "{l} vs {n}");
            }
            (None, None) => {}
            _ => panic!("the Link header and the body's next disagree: {link:?} {next:?}"),
        }
    }
    (all, pages)
}

#[test]
fn the_listing_pages_through_every_article_once_newest_update_first() {
    let (app, t) = app_and_key();
    // Distinct and tied dates: ties are broken by id, and paging must not lose them.
    for i in 0..11 {
        let mut s = story(&format!("list-{i:02}"), &format!("Story number {i}"));
        s["published_at"] = json!(format!("2026-11-{:02}T10:00:00Z", 10 + i / 2));
        let r = app.api("POST", "/api/v1/articles", &t, Some(&s));
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let (all, pages) = follow_listing(&app, &t, "/api/v1/articles?limit=3");
    assert_eq!(pages, 4);
    let ids: Vec<&str> = all.iter().map(|a| a["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 11, "every article exactly once: {ids:?}");
    let keys: Vec<(DateTime<Utc>, &str)> = all
        .iter()
        .map(|a| (at(&a["updated_at"]), a["id"].as_str().unwrap()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted, "newest updated_at first, ties by id");
    // Without limit, all fit on one page (default 50) and there is no next link.
    let one = app.api("GET", "/api/v1/articles", &t, None);
    assert_eq!(one.json()["articles"].as_array().unwrap().len(), 11);
    assert!(one.header("link").is_none());
    assert!(one.json()["next"].is_null());
}

#[test]
fn the_listing_filters_by_status_and_since() {
    let (app, t) = app_and_key();
    for (i, day) in [(0, 10), (1, 11), (2, 12)] {
        let mut s = story(&format!("flt-{i}"), &format!("Filter story {i}"));
        s["published_at"] = json!(format!("2026-11-{day}T10:00:00Z"));
        assert_eq!(
            app.api("POST", "/api/v1/articles", &t, Some(&s)).status,
            201
        );
    }
    app.api("DELETE", "/api/v1/articles/flt-0", &t, None);
    let ids = |q: &str| -> Vec<String> {
        let (all, _) = follow_listing(&app, &t, &format!("/api/v1/articles?{q}"));
        all.iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids("status=canceled"), ["flt-0"]);
    assert_eq!(ids("status=usable"), ["flt-2", "flt-1"]);
    assert!(ids("status=withheld").is_empty());
    // The kill moved flt-0's updated_at to now: it is the newest change.
    assert_eq!(ids(""), ["flt-0", "flt-2", "flt-1"]);
    assert_eq!(ids("since=2026-11-11T12:00:00Z&status=usable"), ["flt-2"]);
    assert_eq!(ids("since=2026-11-11T12:00:00Z&limit=1").len(), 2);
    for bad in [
        "status=gone",
        "since=yesterday",
        "limit=0",
        "limit=201",
        "before=zzz",
    ] {
        let p = problem(
            &app.api("GET", &format!("/api/v1/articles?{bad}"), &t, None),
            400,
        );
        let field = bad.split('=').next().unwrap();
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    let p = problem(
        &app.api("GET", "/api/v1/articles?status=gone&limit=0", &t, None),
        400,
    );
    assert_eq!(
        p["errors"].as_array().unwrap().len(),
        2,
        "every bad parameter at once: {p}"
    );
}

#[test]
fn versions_are_listed_oldest_first_with_their_revision_and_content() {
    let (app, t) = app_and_key();
    let p = "/api/v1/articles/ver-1";
    app.api("PUT", p, &t, Some(&story("ver-1", "Quake hits north")));
    let mut c = story("ver-1", "Quake hits north, 12 dead");
    c["revision"] = json!("correction");
    c["correction_note"] = json!("An earlier version gave the wrong toll.");
    assert_eq!(app.api("PUT", p, &t, Some(&c)).status, 200);
    let mut m = story("ver-1", "Quake hits north, 12 dead.");
    m["revision"] = json!("minor");
    assert_eq!(app.api("PUT", p, &t, Some(&m)).status, 200);
    app.api("DELETE", p, &t, Some(&json!({"reason": "duplicate"})));
    let r = app.api("GET", &format!("{p}/versions"), &t, None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let j = r.json();
    assert_eq!(j["id"], "ver-1");
    let v = j["versions"].as_array().unwrap();
    let summary: Vec<(u64, &str, &str)> = v
        .iter()
        .map(|x| {
            (
                x["version"].as_u64().unwrap(),
                x["revision"].as_str().unwrap(),
                x["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, "update", "usable"),
            (2, "correction", "usable"),
            (3, "minor", "usable"),
            (4, "kill", "canceled"),
        ]
    );
    assert_eq!(
        v[1]["correction_note"],
        "An earlier version gave the wrong toll."
    );
    assert!(v[0]["correction_note"].is_null());
    assert_eq!(v[0]["content"]["headline"], "Quake hits north");
    assert_eq!(v[1]["content"]["headline"], "Quake hits north, 12 dead");
    assert_eq!(v[2]["content"]["headline"], "Quake hits north, 12 dead.");
    assert_eq!(v[3]["content"]["headline"], "Quake hits north, 12 dead.");
    let stored: Vec<DateTime<Utc>> = v.iter().map(|x| at(&x["stored_at"])).collect();
    assert!(stored.windows(2).all(|w| w[0] <= w[1]), "{stored:?}");
}
