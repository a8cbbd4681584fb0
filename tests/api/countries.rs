//! Country feeds (contract §14) over HTTP: `?country=` on every feed and format with its own
//! validators and cache entry, `[[feed]] countries`, keys narrowed to countries, the country
//! pages and the OPML's country feeds. Every negative check has its positive control beside it.

use crate::helpers::{
    TestApp, config_text, json_ids, key, publisher_key, spawn_app_config, spawn_app_with,
};
use serde_json::json;

/// A story about `places` only (editor places; the text names no country), in `topics`.
fn file(app: &TestApp, t: &str, id: &str, places: &[&str], topics: &[&str]) {
    let body = json!({
        "id": id,
        "headline": format!("Ministry files report {id}"),
        "body": "The ministry published its quarterly figures on Monday.",
        "language": "en",
        "places": places,
        "topics": topics,
    });
    let r = app.api("POST", "/api/v1/articles", t, Some(&body));
    assert_eq!(r.status, 201, "{}", r.body);
}

fn ids(app: &TestApp, path: &str) -> Vec<String> {
    let r = app.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    let mut v = json_ids(&r.json());
    v.sort();
    v
}

fn three_stories() -> (TestApp, String) {
    let app = spawn_app_with(None);
    let t = publisher_key(&app);
    file(&app, &t, "cty-mx", &["MX"], &["security"]);
    file(&app, &t, "cty-jp", &["JP"], &["migration"]);
    file(&app, &t, "cty-usmx", &["MX", "US"], &["security"]);
    (app, t)
}

#[test]
fn a_country_filter_selects_the_stories_about_it_in_every_format() {
    let (app, _) = three_stories();
    // The control: unfiltered, all three.
    assert_eq!(
        ids(&app, "/feeds/all.json"),
        ["cty-jp", "cty-mx", "cty-usmx"]
    );
    assert_eq!(
        ids(&app, "/feeds/all.json?country=MX"),
        ["cty-mx", "cty-usmx"]
    );
    assert_eq!(ids(&app, "/feeds/all.json?country=jp"), ["cty-jp"]);
    assert_eq!(
        ids(&app, "/feeds/all.json?country=US,JP"),
        ["cty-jp", "cty-usmx"]
    );
    assert!(ids(&app, "/feeds/all.json?country=FR").is_empty());
    // A topic feed, and composed with lang (the stories are English).
    assert_eq!(ids(&app, "/feeds/security.json?country=US"), ["cty-usmx"]);
    assert!(ids(&app, "/feeds/migration.json?country=MX").is_empty());
    assert_eq!(
        ids(&app, "/feeds/all.json?country=MX&lang=en"),
        ["cty-mx", "cty-usmx"]
    );
    assert!(ids(&app, "/feeds/all.json?country=MX&lang=es").is_empty());
    // Every format carries the same selection.
    for format in ["rss", "atom", "xml"] {
        let all = app.get(&format!("/feeds/all.{format}")).body;
        // Items, not mentions: an item's related stories may name another country's story.
        let all = crate::helpers::item_ids(&all);
        assert!(
            all.contains(&"cty-jp".into()) && all.contains(&"cty-mx".into()),
            "{format}: {all:?}"
        );
        let r = app.get(&format!("/feeds/all.{format}?country=MX"));
        assert_eq!(r.status, 200, "{format}: {}", r.body);
        let mx = crate::helpers::item_ids(&r.body);
        assert!(
            mx.contains(&"cty-mx".into()) && mx.contains(&"cty-usmx".into()),
            "{format}: {mx:?}"
        );
        assert!(!mx.contains(&"cty-jp".into()), "{format}: {}", r.body);
    }
    // Paging keeps the filter: the next link carries it, and reaches the older story.
    let first = app.get("/feeds/all.json?country=MX&limit=1").json();
    let next = first["_wirefeed"]["next_url"]
        .as_str()
        .or_else(|| first["next_url"].as_str())
        .unwrap_or_else(|| panic!("no next page: {first}"));
    assert!(next.contains("country=MX"), "{next}");
    let second = app.get(&crate::helpers::local_path(next)).json();
    let mut both = json_ids(&first);
    both.extend(json_ids(&second));
    both.sort();
    assert_eq!(both, ["cty-mx", "cty-usmx"]);
    // `q=` composes: only the story matching the words, among the country's.
    assert_eq!(ids(&app, "/feeds/all.json?country=MX&q=usmx"), ["cty-usmx"]);
    assert_eq!(ids(&app, "/feeds/all.json?q=usmx"), ["cty-usmx"]);
    assert!(ids(&app, "/feeds/all.json?country=JP&q=usmx").is_empty());
}

#[test]
fn a_country_that_is_not_a_code_is_refused_naming_the_parameter() {
    let app = spawn_app_with(None);
    let many = vec!["US"; 200].join(",");
    for bad in ["..%2F", "usa", "USA", "AA", "U1", "", many.as_str()] {
        let r = app.get(&format!("/feeds/all.atom?country={bad}"));
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(
            r.header("content-type")
                .unwrap()
                .starts_with("application/problem+json"),
            "{bad}"
        );
        assert!(r.body.contains("\"country\""), "{bad}: {}", r.body);
    }
    // The controls: a code this server knows, in either case.
    assert_eq!(app.get("/feeds/all.atom?country=US").status, 200);
    assert_eq!(app.get("/feeds/all.atom?country=us,mx").status, 200);
}

#[test]
fn a_country_page_has_its_own_validators_and_follows_the_stories_about_it() {
    let (app, t) = three_stories();
    let all = app.get("/feeds/all.atom");
    let mx = app.get("/feeds/all.atom?country=MX");
    let (tag_all, tag_mx) = (all.header("etag").unwrap(), mx.header("etag").unwrap());
    assert_ne!(tag_all, tag_mx);
    assert!(
        mx.header("surrogate-key")
            .is_some_and(|k| k.contains("wirefeed"))
    );
    // Its own tag gets a 304; the unfiltered page's tag does not.
    let again = app.get_with("/feeds/all.atom?country=MX", &[("If-None-Match", tag_mx)]);
    assert_eq!(again.status, 304);
    let other = app.get_with("/feeds/all.atom?country=MX", &[("If-None-Match", tag_all)]);
    assert_eq!(other.status, 200);
    // A new story about the country shows (its cache entry follows the change log; a page
    // keeps its second, so within a second or two) …
    file(&app, &t, "cty-mx2", &["MX"], &["security"]);
    app.eventually(|| {
        let r = app.get_with("/feeds/all.atom?country=MX", &[("If-None-Match", tag_mx)]);
        (r.status == 200 && r.body.contains("cty-mx2")).then_some(())
    });
    // … and a kill leaves a tombstone in the country's feed, not in another country's.
    let r = app.api(
        "DELETE",
        "/api/v1/articles/cty-mx",
        &t,
        Some(&json!({"reason": "test"})),
    );
    assert!(r.status == 200 || r.status == 204, "{}", r.body);
    let mx = app.eventually(|| {
        let b = app.get("/feeds/all.atom?country=MX").body;
        b.contains("at:deleted-entry").then_some(b)
    });
    assert!(mx.contains("cty-mx"), "{mx}");
    let jp = app.get("/feeds/all.atom?country=JP").body;
    assert!(!jp.contains("at:deleted-entry"), "{jp}");
    assert!(jp.contains("cty-jp"), "{jp}");
}

#[test]
fn a_feed_may_name_countries_in_feeds_toml() {
    let text = format!(
        "{}\n[[feed]]\nid = \"security-mx\"\ntitle = \"Security: Mexico\"\ntopics = [\"security\"]\ncountries = [\"MX\"]\n",
        config_text(None)
    );
    let app = spawn_app_config(&text);
    let t = publisher_key(&app);
    file(&app, &t, "cty-mx", &["MX"], &["security"]);
    file(&app, &t, "cty-us", &["US"], &["security"]);
    file(&app, &t, "cty-mxm", &["MX"], &["migration"]);
    assert_eq!(ids(&app, "/feeds/security.json"), ["cty-mx", "cty-us"]);
    assert_eq!(ids(&app, "/feeds/security-mx.json"), ["cty-mx"]);
    // A query narrows it further, never wider.
    assert!(ids(&app, "/feeds/security-mx.json?country=US").is_empty());
    assert_eq!(
        ids(&app, "/feeds/security-mx.json?country=MX,US"),
        ["cty-mx"]
    );
}

#[test]
fn check_names_file_and_line_of_a_bad_feed_country() {
    for (bad, why) in [
        ("usa", "ISO 3166-1 alpha-2"),
        ("AA", "not a country or territory"),
    ] {
        let text = format!(
            "{}\n[[feed]]\nid = \"x\"\ntitle = \"X\"\ntopics = [\"security\"]\ncountries = [\"MX\", \"{bad}\"]\n",
            config_text(None)
        );
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("feeds.toml");
        std::fs::write(&config, &text).unwrap();
        let line = text.lines().count();
        let (code, _, err) =
            crate::helpers::wirefeed(&config, &dir.path().join("w.db"), &["check"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(&format!("feeds.toml:{line}:")), "{err}");
        assert!(err.contains(why), "{err}");
    }
}

#[test]
fn a_key_narrowed_to_a_country_reads_only_its_stories_privately() {
    let (app, _) = three_stories();
    let token = key(
        &app,
        "embassy-mx",
        "subscriber",
        &[
            "--feed",
            "security",
            "--feed",
            "embassy-briefing",
            "--country",
            "MX",
        ],
    );
    let auth = format!("Bearer {token}");
    // The control: the public feed, read without the key, lists both security stories.
    assert_eq!(ids(&app, "/feeds/security.json"), ["cty-mx", "cty-usmx"]);
    let r = app.get_with("/feeds/security.json", &[("Authorization", &auth)]);
    assert_eq!(r.status, 200);
    let mut got = json_ids(&r.json());
    got.sort();
    assert_eq!(got, ["cty-mx", "cty-usmx"]);
    // Narrowed to MX: the US-only story would be dropped; a US key sees only the US one.
    let us = key(
        &app,
        "embassy-us",
        "subscriber",
        &["--feed", "security", "--country", "US"],
    );
    let r = app.get_with(
        "/feeds/security.json",
        &[("Authorization", &format!("Bearer {us}"))],
    );
    assert_eq!(json_ids(&r.json()), ["cty-usmx"]);
    // A narrowed view is the key's own: never stored by a shared cache.
    assert!(
        r.header("cache-control").unwrap().starts_with("private"),
        "{:?}",
        r.headers
    );
    let public = app.get("/feeds/security.json");
    assert!(
        public
            .header("cache-control")
            .unwrap()
            .starts_with("public")
    );
    // With ?token= too, and the query narrows within the key's countries only.
    let r = app.get(&format!("/feeds/security.json?token={us}&country=MX"));
    assert!(json_ids(&r.json()).is_empty(), "{}", r.body);
    // keys list shows the countries.
    let (code, out, _) = app.cli(&["keys", "list", "--json"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"countries\":[\"US\"]"), "{out}");
    // Bad codes are refused by the command, naming the option.
    let (code, _, err) = app.cli(&[
        "keys",
        "add",
        "x",
        "--role",
        "subscriber",
        "--feed",
        "security",
        "--country",
        "USA",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--country"), "{err}");
}

#[test]
fn a_country_page_lists_its_stories_with_feed_links() {
    let (app, _) = three_stories();
    let r = app.get("/countries/MX?lang=en");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Mexico"), "{}", r.body);
    assert!(r.body.contains("cty-mx") && r.body.contains("cty-usmx"));
    assert!(!r.body.contains("cty-jp"));
    assert!(
        r.body.contains("/feeds/all.atom?lang=en&amp;country=MX"),
        "{}",
        r.body
    );
    let es = app.get("/countries/MX?lang=es").body;
    assert!(es.contains("México"), "{es}");
    // Lower case reaches the same country; what is not a known code is not a page.
    assert_eq!(app.get("/countries/jp").status, 200);
    for bad in ["AA", "usa", "..", "U"] {
        assert_eq!(app.get(&format!("/countries/{bad}")).status, 404, "{bad}");
    }
    // Every story page links its places to their country pages.
    let page = app.get("/articles/cty-usmx").body;
    assert!(page.contains("/countries/US"), "{page}");
}

#[test]
fn the_opml_lists_the_country_feeds_that_have_stories() {
    let (app, t) = three_stories();
    let opml = app.get("/feeds.opml").body;
    assert!(opml.contains("all.rss?country=MX"), "{opml}");
    assert!(opml.contains("all.rss?country=JP"), "{opml}");
    assert!(!opml.contains("country=FR"), "{opml}");
    // A story about another country adds its feed.
    file(&app, &t, "cty-fr", &["FR"], &["security"]);
    app.eventually(|| {
        let opml = app.get("/feeds.opml").body;
        opml.contains("all.rss?country=FR").then_some(())
    });
}

#[test]
fn the_urgent_feed_takes_a_country_like_any_feed() {
    let app = spawn_app_with(None);
    let t = publisher_key(&app);
    for (id, place, urgency) in [
        ("cty-flash-mx", "MX", 1),
        ("cty-flash-jp", "JP", 1),
        ("cty-calm-mx", "MX", 5),
    ] {
        let body = json!({
            "id": id,
            "headline": format!("Ministry files report {id}"),
            "body": "The ministry published its quarterly figures on Monday.",
            "language": "en",
            "places": [place],
            "urgency": urgency,
        });
        assert_eq!(
            app.api("POST", "/api/v1/articles", &t, Some(&body)).status,
            201
        );
    }
    // The control: the urgent feed has both flashes and not the calm story.
    assert_eq!(
        ids(&app, "/feeds/urgent.json"),
        ["cty-flash-jp", "cty-flash-mx"]
    );
    assert_eq!(ids(&app, "/feeds/urgent.json?country=MX"), ["cty-flash-mx"]);
    assert!(ids(&app, "/feeds/urgent.json?country=FR").is_empty());
}
