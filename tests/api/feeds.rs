//! Every feed × format over HTTP: status, media type, well-formedness, filtering, order, paging, language.

use crate::helpers::{json_ids, local_path, spawn_app};
use crate::http_cache::assert_no_body;
use std::collections::HashSet;

const FEEDS: [&str; 5] = [
    "security",
    "migration",
    "bilateral-relations",
    "all",
    "kills",
];
const FORMATS: [(&str, &str); 4] = [
    ("rss", "application/rss+xml; charset=utf-8"),
    ("atom", "application/atom+xml; charset=utf-8"),
    ("xml", "application/vnd.iptc.g2.newsmessage+xml"),
    ("json", "application/feed+json"),
];

fn well_formed_xml(body: &str) {
    let mut reader = quick_xml::Reader::from_str(body);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
}

/// Ids of entries in document order, whatever the format, as the article ids.
pub(crate) fn ids(format: &str, body: &str) -> Vec<String> {
    let strip = |guid: &str| guid.rsplit(':').next().unwrap().to_owned();
    match format {
        "json" => json_ids(&serde_json::from_str(body).unwrap()),
        "xml" => {
            let re_guid = "<newsItem";
            body.match_indices(re_guid)
                .map(|(i, _)| {
                    let rest = &body[i..];
                    rest.split("guid=\"")
                        .nth(1)
                        .unwrap()
                        .split('"')
                        .next()
                        .unwrap()
                })
                // The text items: a story's pictures travel as items of their own.
                .filter(|g| !g.contains(":picture:"))
                .map(strip)
                .collect()
        }
        _ => {
            let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
            feed.entries.iter().map(|e| strip(&e.id)).collect()
        }
    }
}

#[test]
fn every_feed_in_every_format_is_served_well_formed_with_its_media_type() {
    let app = spawn_app();
    for feed in FEEDS {
        for (ext, media) in FORMATS {
            let r = app.get(&format!("/feeds/{feed}.{ext}"));
            assert_eq!(r.status, 200, "{feed}.{ext}: {}", r.body);
            assert_eq!(r.header("content-type"), Some(media), "{feed}.{ext}");
            assert!(
                r.header("etag").is_some()
                    && r.header("last-modified").is_some()
                    && r.header("cache-control").is_some()
            );
            if ext == "json" {
                r.json();
            } else {
                well_formed_xml(&r.body);
            }
            if ext == "rss" || ext == "atom" {
                feed_rs::parser::parse(r.body.as_bytes())
                    .unwrap_or_else(|e| panic!("{feed}.{ext}: {e}"));
            }
        }
    }
}

#[test]
fn all_formats_list_the_same_articles_newest_first() {
    let app = spawn_app();
    for feed in ["security", "migration", "bilateral-relations", "all"] {
        let json = app.get(&format!("/feeds/{feed}.json")).json();
        let expected = json_ids(&json);
        assert!(!expected.is_empty(), "{feed} is empty");
        let dates: Vec<&str> = json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["date_published"].as_str().unwrap())
            .collect();
        assert!(
            dates.windows(2).all(|w| w[0] >= w[1]),
            "{feed} not newest first: {dates:?}"
        );
        for (ext, _) in FORMATS {
            let body = app.get(&format!("/feeds/{feed}.{ext}")).body;
            assert_eq!(ids(ext, &body), expected, "{feed}.{ext}");
        }
    }
}

#[test]
fn topic_feeds_hold_exactly_the_articles_of_their_topic() {
    let app = spawn_app();
    let all = app.get("/feeds/all.json?limit=200").json();
    for topic in ["security", "migration", "bilateral-relations"] {
        let want: Vec<String> = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| {
                i["_wirefeed"]["topics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t == topic)
            })
            .map(|i| i["_wirefeed"]["id"].as_str().unwrap().to_owned())
            .collect();
        let got = json_ids(&app.get(&format!("/feeds/{topic}.json?limit=200")).json());
        assert_eq!(got, want, "{topic}");
    }
}

#[test]
fn sample_articles_land_in_the_right_topic_feeds() {
    let app = spawn_app();
    let topics = |id: &str| -> Vec<String> {
        let a = app.get(&format!("/articles/{id}.json")).json();
        assert!(a["subjects"].is_array());
        let all = app.get("/feeds/all.json?limit=200").json();
        let item = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["_wirefeed"]["id"] == id)
            .unwrap()
            .clone();
        item["_wirefeed"]["topics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_owned())
            .collect()
    };
    // One clear case per topic, a combination, and hard negatives.
    assert_eq!(topics("anv-20261013-0005"), ["security"]); // cocaine seizure
    assert_eq!(topics("anv-20261020-0007"), ["migration"]); // asylum applications
    assert_eq!(topics("anv-20261021-0004"), ["bilateral-relations"]); // embassy
    assert_eq!(
        topics("anv-20261126-0005"),
        ["bilateral-relations", "migration", "security"]
    );
    assert!(topics("anv-20261006-0003").is_empty()); // food security
    assert!(topics("anv-20261102-0003").is_empty()); // social security
    assert!(topics("anv-20261022-0006").is_empty()); // data migration
    assert!(topics("anv-20261118-0007").is_empty()); // public relations
    assert!(topics("anv-20261016-0002").is_empty()); // bird migration
    assert!(topics("anv-20261012-0008").is_empty()); // football: "Deportivo" is no deportation
}

#[test]
fn limit_and_before_page_through_a_feed_with_no_gap_or_duplicate() {
    let app = spawn_app();
    let everything = json_ids(&app.get("/feeds/all.json?limit=200").json());
    assert!(everything.len() >= 40);
    for ext in ["json", "atom", "rss"] {
        let mut seen = Vec::new();
        let mut path = format!("/feeds/all.{ext}?limit=7");
        loop {
            let r = app.get(&path);
            assert_eq!(r.status, 200);
            let page = ids(ext, &r.body);
            assert!(page.len() <= 7);
            seen.extend(page);
            let next = match ext {
                "json" => r.json()["next_url"].as_str().map(str::to_owned),
                _ => feed_rs::parser::parse(r.body.as_bytes())
                    .unwrap()
                    .links
                    .iter()
                    .find(|l| l.rel.as_deref() == Some("next"))
                    .map(|l| l.href.clone()),
            };
            match next {
                Some(url) => path = local_path(&url),
                None => break,
            }
        }
        assert_eq!(seen, everything, "{ext} paging");
    }
}

#[test]
fn lang_filters_by_primary_language() {
    let app = spawn_app();
    for lang in ["es", "en"] {
        let feed = app
            .get(&format!("/feeds/all.json?lang={lang}&limit=200"))
            .json();
        let items = feed["items"].as_array().unwrap();
        assert!(!items.is_empty());
        assert!(items.iter().all(|i| i["language"] == lang), "{lang}");
        assert_eq!(feed["language"], lang);
    }
    let es = json_ids(&app.get("/feeds/all.json?lang=es&limit=200").json());
    let en = json_ids(&app.get("/feeds/all.json?lang=en&limit=200").json());
    let all: HashSet<_> = json_ids(&app.get("/feeds/all.json?limit=200").json())
        .into_iter()
        .collect();
    assert_eq!(es.len() + en.len(), all.len());
    let atom =
        feed_rs::parser::parse(app.get("/feeds/migration.atom?lang=en").body.as_bytes()).unwrap();
    assert_eq!(atom.language.as_deref(), Some("en"));
    assert!(!atom.entries.is_empty());
}

#[test]
fn unknown_feeds_and_formats_are_404_problems() {
    let app = spawn_app();
    for path in [
        "/feeds/sport.rss",
        "/feeds/security.html",
        "/feeds/security",
        "/articles/nope",
        "/articles/nope.xml",
        "/nowhere",
    ] {
        let r = app.get(path);
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{path}"
        );
        let p = r.json();
        assert_eq!(p["status"], 404);
        assert!(p["title"].is_string() && p["detail"].is_string() && p["type"].is_string());
    }
}

#[test]
fn bad_query_parameters_are_400_problems_naming_the_parameter() {
    let app = spawn_app();
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("lang=espa%C3%B1ol", "lang"),
        ("lang=e", "lang"),
        ("before=zzz", "before"),
        ("since=yesterday", "since"),
    ] {
        let r = app.get(&format!("/feeds/all.atom?{query}"));
        assert_eq!(r.status, 400, "{query}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let p = r.json();
        assert_eq!(p["errors"][0]["field"], field, "{query}: {p}");
    }
}

/// docs/api.md, Wire semantics: `since=` selects by the moment this server recorded the change, so copy filed
/// after its own `published_at` (routine on a wire) is not lost. Regression: `since=` used to
/// key on the story's dates, and a story filed now but dated ten minutes ago never reached a
/// poller that passed "one minute ago".
#[test]
fn since_returns_what_the_server_recorded_after_it_even_if_the_story_is_dated_earlier() {
    let app = spawn_app();
    let ids = |q: &str| json_ids(&app.get(&format!("/feeds/all.json?limit=200&{q}")).json());
    let everything = ids("");
    assert!(everything.len() > 10);
    // The sample stories were all recorded when the server started: an old `since` has them all.
    assert_eq!(ids("since=2026-01-01T00:00:00Z"), everything);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let before_filing = chrono::Utc::now();
    let stamp = before_filing.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    assert!(
        ids(&format!("since={stamp}")).is_empty(),
        "nothing was filed since {stamp}"
    );
    let dated = (before_filing - chrono::Duration::minutes(10)).to_rfc3339();
    let path = app.dir.path().join("late.md");
    std::fs::write(
        &path,
        format!("+++\nid = \"late-copy\"\nheadline = \"Asylum seekers reach Kessel\"\nlanguage = \"en\"\npublished_at = \"{dated}\"\n+++\nKESSEL (ANV) - Two hundred asylum seekers arrived.\n"),
    )
    .unwrap();
    let (code, out, err) = app.cli(&["import", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let got = app.eventually(|| {
        let got = ids(&format!("since={stamp}"));
        (!got.is_empty()).then_some(got)
    });
    assert_eq!(got, ["late-copy"]);
    // The same in a topic feed, and exactly once: a later `since` no longer lists it.
    let topic = json_ids(
        &app.get(&format!("/feeds/migration.json?since={stamp}"))
            .json(),
    );
    assert_eq!(topic, ["late-copy"]);
    let after = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    assert!(ids(&format!("since={after}")).is_empty());
}

#[test]
fn articles_are_served_as_html_newsml_and_ninjs() {
    let app = spawn_app();
    let html = app.get("/articles/anv-20261013-0005");
    assert_eq!(html.status, 200);
    assert_eq!(
        html.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(html.body.contains("<html lang=\"es\">"));
    // Translations link both ways.
    assert!(
        html.body
            .contains("hreflang=\"en\" href=\"http://127.0.0.1:8080/articles/anv-20261013-0006\"")
    );
    let xml = app.get("/articles/anv-20261013-0006.xml");
    assert_eq!(
        xml.header("content-type"),
        Some("application/vnd.iptc.g2.newsitem+xml")
    );
    well_formed_xml(&xml.body);
    assert!(
        xml.body
            .contains("guid=\"tag:anv.example,2026:anv-20261013-0006\"")
    );
    assert!(
        xml.body
            .contains("residref=\"tag:anv.example,2026:anv-20261013-0005\"")
    );
    let ninjs = app.get("/articles/anv-20261013-0006.json");
    assert_eq!(ninjs.header("content-type"), Some("application/json"));
    let n = ninjs.json();
    assert_eq!(n["uri"], "tag:anv.example,2026:anv-20261013-0006");
    assert_eq!(n["headlines"][0]["role"], "main");
    assert_eq!(n["bodies"][0]["contenttype"], "text/html");
    assert_eq!(
        n["associations"][0]["uri"],
        "tag:anv.example,2026:anv-20261013-0005"
    );
    assert!(n["subjects"].as_array().unwrap().iter().any(|s| {
        s["uri"]
            .as_str()
            .unwrap()
            .starts_with("http://cv.iptc.org/newscodes/mediatopic/")
    }));
}

#[test]
fn head_works_wherever_get_does_and_has_no_body() {
    let app = spawn_app();
    for path in [
        "/",
        "/healthz",
        "/feeds/all.rss",
        "/feeds/security.atom?limit=5",
        "/feeds/migration.xml",
        "/feeds/all.json?lang=en",
        "/articles/anv-20261013-0005",
        "/articles/anv-20261013-0005.xml",
        "/articles/anv-20261013-0005.json",
        "/feeds/nope.rss",
    ] {
        let get = app.get(path);
        let head = app.head(path);
        assert_eq!(head.status, get.status, "{path}");
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "{path}"
        );
        assert_eq!(head.header("etag"), get.header("etag"), "{path}");
        // ureq reads no body for HEAD, so `head.body` is empty whatever the server does: what
        // counts is the length HEAD announces and the bytes really on the wire.
        assert_eq!(
            head.content_length(),
            Some(get.body.len()),
            "{path}: HEAD announces the length of the GET's body"
        );
        assert_no_body(&app, "HEAD", path, &[]);
    }
    // The same for a compressed variant: the length is that of the gzip bytes.
    let gz = app.get_raw("/feeds/all.atom", &[("Accept-Encoding", "gzip")]);
    let head = app.head_with("/feeds/all.atom", &[("Accept-Encoding", "gzip")]);
    assert_eq!(head.header("content-encoding"), Some("gzip"));
    assert_eq!(head.content_length(), Some(gz.bytes.len()));
}

#[test]
fn if_none_match_with_the_current_etag_is_304_and_repeats_the_validators() {
    let app = spawn_app();
    let first = app.get("/feeds/security.atom");
    let etag = first.header("etag").unwrap().to_owned();
    let again = app.get_with("/feeds/security.atom", &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(again.header("last-modified"), first.header("last-modified"));
    assert_no_body(
        &app,
        "GET",
        "/feeds/security.atom",
        &[("If-None-Match", &etag)],
    );
    let other = app.get_with(
        "/feeds/security.atom",
        &[("If-None-Match", "\"something-else\"")],
    );
    assert_eq!(other.status, 200);
    assert_eq!(other.body, first.body);
}

#[test]
fn index_lists_every_feed_with_autodiscovery_links() {
    let app = spawn_app();
    let r = app.get("/");
    assert_eq!(r.status, 200);
    for feed in FEEDS {
        assert!(
            r.body.contains("type=\"application/atom+xml\" title="),
            "{feed}"
        );
        assert!(
            r.body.contains(&format!(
                "href=\"http://127.0.0.1:8080/feeds/{feed}.atom\">"
            )),
            "{feed}"
        );
    }
    assert_eq!(app.get("/healthz").body, "ok");
    assert!(app.get("/metrics").body.contains("wirefeed_articles 44"));
}
