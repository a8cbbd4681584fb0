//! HTTP for pollers: conditional GET (RFC 9110 §13), caching headers, compression, paging
//! under concurrent writes, and freshness across processes.

use crate::helpers::{TestApp, json_ids, local_path, spawn_app, spawn_app_with};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use std::io::Read;

fn write_article(app: &TestApp, name: &str, text: &str) -> std::path::PathBuf {
    let path = app.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn import(app: &TestApp, path: &std::path::Path) {
    let (code, out, err) = app.cli(&["import", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
}

fn migration_story(id: &str, published: &str) -> String {
    format!(
        "+++\nid = \"{id}\"\nheadline = \"Asylum seekers reach Kessel reception centre\"\nlanguage = \"en\"\npublished_at = \"{published}\"\n+++\nKESSEL (ANV) - Two hundred asylum seekers and refugees arrived on Monday.\n"
    )
}

/// (what the client sends, its request headers, the status it must get)
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], u16);

#[test]
fn conditional_get_follows_rfc_9110_in_every_case() {
    let app = spawn_app();
    let path = "/feeds/security.atom";
    let first = app.get(path);
    let etag = first.header("etag").unwrap().to_owned();
    let lm = first.header("last-modified").unwrap().to_owned();
    let bare = etag.trim_matches('"');
    let weak = format!("W/{etag}");
    let list = format!("\"x\", {etag}");
    let gz = format!("\"{bare}-gz\"");
    let earlier = httpdate(
        chrono::DateTime::parse_from_rfc2822(&lm)
            .unwrap()
            .with_timezone(&Utc)
            - Duration::seconds(1),
    );
    let later = httpdate(Utc::now() + Duration::days(1));
    let cases: &[Case<'_>] = &[
        ("no validators", &[], 200),
        ("the current tag", &[("If-None-Match", &etag)], 304),
        (
            "the current tag, weak (weak comparison)",
            &[("If-None-Match", &weak)],
            304,
        ),
        (
            "a list holding the current tag",
            &[("If-None-Match", &list)],
            304,
        ),
        ("any tag", &[("If-None-Match", "*")], 304),
        ("another tag", &[("If-None-Match", "\"other\"")], 200),
        (
            "the gzip coding's tag on an identity request (RFC 9110 §13.1.2: the selected one counts)",
            &[("If-None-Match", &gz)],
            200,
        ),
        (
            "modified since its own date",
            &[("If-Modified-Since", &lm)],
            304,
        ),
        (
            "modified since tomorrow",
            &[("If-Modified-Since", &later)],
            304,
        ),
        (
            "modified since a second before",
            &[("If-Modified-Since", &earlier)],
            200,
        ),
        (
            "an unparsable date",
            &[("If-Modified-Since", "yesterday")],
            200,
        ),
        (
            "If-None-Match wins over a matching date",
            &[
                ("If-None-Match", "\"other\""),
                ("If-Modified-Since", &later),
            ],
            200,
        ),
        (
            "If-None-Match wins over an old date",
            &[("If-None-Match", &etag), ("If-Modified-Since", &earlier)],
            304,
        ),
    ];
    for (name, headers, status) in cases {
        let r = app.get_with(path, headers);
        assert_eq!(r.status, *status, "{name}");
        assert_eq!(
            r.header("etag"),
            Some(etag.as_str()),
            "{name}: validators are repeated"
        );
        assert_eq!(r.header("last-modified"), Some(lm.as_str()), "{name}");
        assert!(
            r.header("cache-control")
                .unwrap()
                .starts_with("public, max-age="),
            "{name}"
        );
        assert_eq!(r.header("vary"), Some("Accept-Encoding"), "{name}");
        if *status == 304 {
            assert_no_body(&app, "GET", path, headers);
        } else {
            assert_eq!(r.body, first.body, "{name}");
        }
    }
    let head = app.head_with(path, &[("If-None-Match", &etag)]);
    assert_eq!(head.status, 304);
    assert_no_body(&app, "HEAD", path, &[("If-None-Match", &etag)]);
}

/// A HEAD or 304 answer carries no body: no `Content-Length` above 0 (RFC 9110 §8.6 lets a
/// HEAD announce the GET's length, so only 304s are held to that) and no byte after the head
/// on a raw connection (ureq never reads those bodies, so `Resp::body` proves nothing).
pub fn assert_no_body(app: &TestApp, method: &str, path: &str, headers: &[(&str, &str)]) {
    let (status, head, bytes) = app.raw(method, path, headers);
    assert!(
        bytes.is_empty(),
        "{method} {path} answered {status} with {} body bytes:\n{head}\n{}",
        bytes.len(),
        String::from_utf8_lossy(&bytes)
    );
    if status == 304 {
        let length = head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<u64>().unwrap())
        });
        assert!(
            length.unwrap_or(0) == 0,
            "{method} {path}: a 304 announces a body:\n{head}"
        );
    }
}

fn httpdate(t: chrono::DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[test]
fn validators_belong_to_the_exact_feed_format_and_filter() {
    let app = spawn_app();
    let tags: Vec<String> = [
        "/feeds/security.atom",
        "/feeds/security.rss",
        "/feeds/security.atom?lang=en",
        "/feeds/security.atom?limit=3",
        "/feeds/migration.atom",
    ]
    .iter()
    .map(|p| app.get(p).header("etag").unwrap().to_owned())
    .collect();
    let mut unique = tags.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), tags.len(), "{tags:?}");
    let renders = app.renders("atom");
    assert_eq!(
        app.get("/feeds/security.atom?lang=en").header("etag"),
        Some(tags[2].as_str()),
        "stable across requests"
    );
    assert_eq!(app.renders("atom"), renders, "and served without a render");
    // Parameter order and unknown parameters do not make another document.
    assert_eq!(
        app.get("/feeds/security.atom?limit=3&utm=x").header("etag"),
        Some(tags[3].as_str())
    );
}

#[test]
fn an_import_in_another_process_changes_exactly_the_feeds_it_touches() {
    let app = spawn_app();
    let validators = |p: &str| {
        let r = app.get(p);
        assert_eq!(r.status, 200, "{p}");
        (
            r.header("etag").unwrap().to_owned(),
            r.header("last-modified").unwrap().to_owned(),
        )
    };
    let untouched = ["/feeds/security.rss", "/feeds/security.json?lang=en"];
    let before: Vec<_> = untouched.iter().map(|p| validators(p)).collect();
    let migration = validators("/feeds/migration.rss");
    let old_all = app.get("/feeds/all.rss");
    // Cached pages are served without a render: the counter tells a hit from a render.
    let (rss, json) = (app.renders("rss"), app.renders("json"));
    for p in untouched {
        validators(p);
    }
    assert_eq!((app.renders("rss"), app.renders("json")), (rss, json));
    let file = write_article(
        &app,
        "m.md",
        &migration_story("mig-new", "2026-11-28T10:00:00Z"),
    );
    import(&app, &file);
    app.eventually(|| (validators("/feeds/migration.rss").0 != migration.0).then_some(()));
    let (rss, json) = (app.renders("rss"), app.renders("json"));
    for (p, old) in untouched.iter().zip(&before) {
        assert_eq!(
            &validators(p),
            old,
            "{p} does not contain the new article: same ETag and Last-Modified"
        );
    }
    assert_eq!(
        (app.renders("rss"), app.renders("json")),
        (rss, json),
        "a change to migration must not re-render the security pages"
    );
    // The touched feeds are rendered again, once, with validators that moved.
    let all = validators("/feeds/all.rss");
    assert_eq!(app.renders("rss"), rss + 1, "all.rss is rendered again");
    validators("/feeds/all.rss");
    assert_eq!(
        app.renders("rss"),
        rss + 1,
        "and then served from the cache"
    );
    assert_ne!(all.0, old_all.header("etag").unwrap());
    assert!(
        httpdate_parse(&all.1) >= httpdate_parse(old_all.header("last-modified").unwrap()),
        "Last-Modified never goes back"
    );
    // The old validator no longer matches.
    let r = app.get_with(
        "/feeds/all.rss",
        &[("If-None-Match", old_all.header("etag").unwrap())],
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("mig-new"));
}

fn httpdate_parse(s: &str) -> chrono::DateTime<Utc> {
    chrono::DateTime::parse_from_rfc2822(s)
        .unwrap_or_else(|e| panic!("Last-Modified {s:?}: {e}"))
        .with_timezone(&Utc)
}

#[test]
fn gzip_and_brotli_are_negotiated_by_q_value_and_round_trip() {
    let app = spawn_app();
    let plain = app.get("/feeds/all.atom");
    assert!(plain.header("content-encoding").is_none());
    let cases = [
        ("gzip", Some("gzip")),
        ("br", Some("br")),
        ("gzip, br", Some("br")),
        ("gzip;q=1.0, br;q=0.5", Some("gzip")),
        ("br;q=0, gzip;q=0.1", Some("gzip")),
        ("*", Some("br")),
        ("br;q=0, gzip;q=0", None),
        ("identity", None),
        ("deflate", None),
    ];
    for (accept, want) in cases {
        let r = app.get_raw("/feeds/all.atom", &[("Accept-Encoding", accept)]);
        assert_eq!(r.header("content-encoding"), want, "{accept}");
        assert_eq!(r.header("vary"), Some("Accept-Encoding"));
        let body = match want {
            Some("gzip") => {
                let mut s = String::new();
                flate2::read::GzDecoder::new(&r.bytes[..])
                    .read_to_string(&mut s)
                    .unwrap();
                s
            }
            Some("br") => {
                let mut s = String::new();
                brotli::Decompressor::new(&r.bytes[..], 4096)
                    .read_to_string(&mut s)
                    .unwrap();
                s
            }
            _ => String::from_utf8(r.bytes.clone()).unwrap(),
        };
        assert_eq!(body, plain.body, "{accept}");
        if want.is_some() {
            assert!(r.bytes.len() < plain.body.len() / 2, "{accept} compresses");
            assert_ne!(
                r.header("etag"),
                plain.header("etag"),
                "each coding has its own tag"
            );
        }
    }
}

#[test]
fn walking_the_pages_reaches_every_article_once_while_new_ones_arrive() {
    let app = spawn_app();
    let snapshot = json_ids(&app.get("/feeds/all.json?limit=200").json());
    let mut seen = Vec::new();
    let mut path = "/feeds/all.json?limit=5".to_owned();
    let mut n = 0;
    loop {
        let page = app.get(&path).json();
        seen.extend(json_ids(&page));
        // Between pages, the desk publishes a newer story.
        n += 1;
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        import(
            &app,
            &write_article(
                &app,
                &format!("n{n}.md"),
                &migration_story(&format!("live-{n}"), &now),
            ),
        );
        match page["next_url"].as_str() {
            Some(next) => path = local_path(next),
            None => break,
        }
    }
    assert_eq!(
        seen, snapshot,
        "every article once, in order, none of the new ones"
    );
    // The previous links walk back up without a gap either.
    let last = app.get(&path).json();
    let atom =
        feed_rs::parser::parse(app.get(&path.replace(".json", ".atom")).body.as_bytes()).unwrap();
    let previous = atom
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some("previous"))
        .map(|l| local_path(&l.href));
    assert!(previous.is_some(), "a later page links to the previous one");
    let back = app.get(&previous.unwrap().replace(".atom", ".json")).json();
    let back_ids = json_ids(&back);
    let last_ids = json_ids(&last);
    let i = snapshot.iter().position(|id| id == &last_ids[0]).unwrap();
    assert_eq!(
        back_ids,
        snapshot[i - back_ids.len()..i],
        "previous page is exactly the one before"
    );
}

#[test]
fn max_age_stops_at_the_next_embargo_lift_and_the_article_appears_by_itself() {
    let app = spawn_app_with(None);
    import(
        &app,
        &write_article(
            &app,
            "a.md",
            &migration_story("open-1", "2026-11-20T10:00:00Z"),
        ),
    );
    let lift = (Utc::now() + Duration::seconds(3)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let embargoed = migration_story("emb-1", "2026-11-21T10:00:00Z").replacen(
        "+++\nKESSEL",
        &format!("embargo_until = \"{lift}\"\n+++\nKESSEL"),
        1,
    );
    import(&app, &write_article(&app, "e.md", &embargoed));
    let r = app.eventually(|| {
        let r = app.get("/feeds/migration.json");
        r.body.contains("open-1").then_some(r)
    });
    // The poller's last look: after the embargoed story was filed, before its lift. Only the
    // lift itself is a change after this instant.
    let looked = Utc::now();
    assert!(
        looked < DateTime::parse_from_rfc3339(&lift).unwrap(),
        "the setup took past the lift ({lift}): the poll below would prove nothing"
    );
    assert!(
        !r.body.contains("emb-1"),
        "embargoed articles are in no feed"
    );
    assert_eq!(app.get("/articles/emb-1").status, 404);
    let max_age: u64 = r
        .header("cache-control")
        .unwrap()
        .split("max-age=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        max_age <= 3,
        "max-age {max_age} reaches past the embargo lift"
    );
    // No write happens: the lift alone must show the article, cached page or not.
    app.eventually_for(std::time::Duration::from_secs(6), || {
        app.get("/feeds/migration.json")
            .body
            .contains("emb-1")
            .then_some(())
    });
    assert_eq!(app.get("/articles/emb-1").status, 200);
    // A poller that last looked before the lift (but after the filing) is told about it: the
    // lift is the change `since=` selects by, not the filing.
    let since = looked.to_rfc3339_opts(SecondsFormat::Millis, true);
    let polled = app.get(&format!("/feeds/migration.json?since={since}"));
    assert_eq!(polled.status, 200, "{}", polled.body);
    assert!(
        json_ids(&polled.json()).contains(&"emb-1".to_owned()),
        "since={since} (after the filing, before the lift) misses the lifted story: {}",
        polled.body
    );
}

#[test]
fn responses_advertise_themselves_in_link_headers() {
    let app = spawn_app();
    let r = app.get("/feeds/all.rss?limit=5");
    let link = r.header("link").unwrap();
    assert!(
        link.contains("<http://127.0.0.1:8080/feeds/all.rss?limit=5>; rel=\"self\""),
        "{link}"
    );
    assert!(link.contains("rel=\"next\""), "{link}");
}

#[test]
fn a_burst_of_polls_for_an_unrendered_page_gets_one_consistent_answer() {
    let app = spawn_app();
    let renders = app.renders("xml");
    let tags: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                s.spawn(|| {
                    app.get("/feeds/all.xml?limit=40&lang=es")
                        .header("etag")
                        .unwrap()
                        .to_owned()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(tags.iter().all(|t| t == &tags[0]), "{tags:?}");
    assert_eq!(
        app.renders("xml"),
        renders + 1,
        "16 concurrent misses of one page render it once"
    );
    assert!(
        app.get("/metrics")
            .body
            .contains("wirefeed_http_responses_total{status=\"200\"}")
    );
}

#[test]
fn public_answers_name_their_scopes_for_a_shared_cache() {
    let app = spawn_app();
    let r = app.get("/feeds/migration.atom");
    let cc = r.header("cache-control").unwrap();
    assert!(cc.starts_with("public, max-age="), "{cc}");
    assert!(
        cc.contains("s-maxage=") && cc.contains("stale-if-error="),
        "{cc}"
    );
    assert_eq!(
        r.header("surrogate-key").unwrap(),
        "wirefeed topic:migration"
    );
    assert_eq!(r.header("cache-tag").unwrap(), "wirefeed,topic:migration");
    let all = app.get("/feeds/all.json");
    assert_eq!(all.header("surrogate-key").unwrap(), "wirefeed all");
}
