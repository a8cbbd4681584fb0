//! What the README and docs/api.md promise readers, checked over HTTP against the real server:
//! the default page size, the order of ties, `minor` revisions, embargoes in every format.

use crate::feeds::ids;
use crate::helpers::{TestApp, json_ids, local_path, spawn_app, spawn_app_with};
use chrono::{DateTime, Duration, SecondsFormat, Utc};

const FORMATS: [&str; 4] = ["rss", "atom", "xml", "json"];

/// Writes `text` to `name` in the app's folder and imports it in another process.
fn import_text(app: &TestApp, name: &str, text: &str) {
    let path = app.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let (code, out, err) = app.cli(&["import", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
}

/// A migration story as a JSON line (so it lands in `migration` and `all`).
fn story(id: &str, published: &str, extra: &str) -> String {
    format!(
        "{{\"id\":\"{id}\",\"headline\":\"Asylum seekers reach Kessel reception centre ({id})\",\
         \"body\":\"KESSEL (ANV) - Two hundred asylum seekers and refugees arrived on Monday.\",\
         \"language\":\"en\",\"published_at\":\"{published}\"{extra}}}\n"
    )
}

/// The target of `rel` in a `Link` header (`<url>; rel="next", <url>; rel="self"`).
fn link_rel(link: &str, rel: &str) -> Option<String> {
    link.split(", <").find_map(|part| {
        let (url, params) = part.trim_start_matches('<').split_once('>')?;
        params
            .contains(&format!("rel=\"{rel}\""))
            .then(|| url.to_owned())
    })
}

#[test]
fn a_feed_without_limit_has_the_default_50_items_and_a_next_link_to_the_rest() {
    let app = spawn_app_with(None);
    let lines: String = (0..55)
        .map(|i| {
            story(
                &format!("bulk-{i:02}"),
                &format!("2026-11-{:02}T{:02}:00:00Z", 1 + i / 24, i % 24),
                "",
            )
        })
        .collect();
    import_text(&app, "bulk.jsonl", &lines);
    let everything = json_ids(&app.get("/feeds/all.json?limit=200").json());
    assert_eq!(everything.len(), 55);
    for feed in ["all", "migration"] {
        for ext in FORMATS {
            let r = app.get(&format!("/feeds/{feed}.{ext}"));
            assert_eq!(r.status, 200, "{feed}.{ext}");
            let first = ids(ext, &r.body);
            assert_eq!(first, everything[..50], "{feed}.{ext}: feeds.default_limit");
            let link = r
                .header("link")
                .unwrap_or_else(|| panic!("{feed}.{ext}: no Link"));
            let next = link_rel(link, "next").unwrap_or_else(|| panic!("{feed}.{ext}: {link}"));
            if ext == "json" {
                assert_eq!(r.json()["next_url"].as_str(), Some(next.as_str()));
            } else if ext != "xml" {
                let doc = feed_rs::parser::parse(r.body.as_bytes()).unwrap();
                assert!(
                    doc.links
                        .iter()
                        .any(|l| l.rel.as_deref() == Some("next") && l.href == next),
                    "{feed}.{ext}: the document links to the next page too"
                );
            }
            let rest = app.get(&local_path(&next));
            assert_eq!(
                ids(ext, &rest.body),
                everything[50..],
                "{feed}.{ext} page 2"
            );
            assert!(
                link_rel(rest.header("link").unwrap(), "next").is_none(),
                "{feed}.{ext}: the last page has no next link"
            );
        }
    }
}

#[test]
fn articles_published_in_the_same_second_come_in_descending_id_order_in_every_format() {
    let app = spawn_app_with(None);
    let same = "2026-11-20T10:00:00Z";
    // Filed out of order, so neither the file nor the insertion order gives the answer.
    let text = [
        story("tie-b", same, ""),
        story("old-1", "2026-11-19T10:00:00Z", ""),
        story("tie-c", same, ""),
        story("new-1", "2026-11-21T10:00:00Z", ""),
        story("tie-a", same, ""),
    ]
    .concat();
    import_text(&app, "ties.jsonl", &text);
    let want = ["new-1", "tie-c", "tie-b", "tie-a", "old-1"];
    for feed in ["all", "migration"] {
        for ext in FORMATS {
            let body = app.get(&format!("/feeds/{feed}.{ext}")).body;
            assert_eq!(ids(ext, &body), want, "{feed}.{ext}");
        }
        // Keyset paging through the tie neither skips nor repeats an article.
        for limit in [1, 2] {
            let mut seen = Vec::new();
            let mut path = format!("/feeds/{feed}.json?limit={limit}");
            loop {
                let page = app.get(&path).json();
                seen.extend(json_ids(&page));
                match page["next_url"].as_str() {
                    Some(next) => path = local_path(next),
                    None => break,
                }
            }
            assert_eq!(seen, want, "{feed} paged by {limit}");
        }
    }
}

/// Every date a reader sees for article `id`, by where it was read.
fn reader_dates(app: &TestApp, id: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut put = |what: &str, v: String| out.push((what.to_owned(), v));
    let json = app.get("/feeds/migration.json").json();
    let item = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["_wirefeed"]["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in migration.json"))
        .clone();
    put("json date_published", item["date_published"].to_string());
    put("json date_modified", item["date_modified"].to_string());
    for ext in ["rss", "atom"] {
        let doc =
            feed_rs::parser::parse(app.get(&format!("/feeds/all.{ext}")).body.as_bytes()).unwrap();
        let e = doc
            .entries
            .iter()
            .find(|e| e.id.ends_with(&format!(":{id}")))
            .unwrap();
        put(&format!("{ext} published"), format!("{:?}", e.published));
        put(&format!("{ext} updated"), format!("{:?}", e.updated));
    }
    let between = |text: &str, tag: &str| -> String {
        let open = format!("<{tag}>");
        let start = text.find(&open).unwrap_or_else(|| panic!("no {open}")) + open.len();
        text[start..start + text[start..].find('<').unwrap()].to_owned()
    };
    let feed_xml = app.get("/feeds/migration.xml").body;
    let item_xml = &feed_xml[feed_xml.find(&format!(":{id}\"")).unwrap()..];
    put(
        "newsml feed versionCreated",
        between(item_xml, "versionCreated"),
    );
    let xml = app.get(&format!("/articles/{id}.xml")).body;
    put("newsml versionCreated", between(&xml, "versionCreated"));
    put("newsml firstCreated", between(&xml, "firstCreated"));
    let ninjs = app.get(&format!("/articles/{id}.json")).json();
    put("ninjs versioncreated", ninjs["versioncreated"].to_string());
    put("ninjs firstcreated", ninjs["firstcreated"].to_string());
    let html = app.get(&format!("/articles/{id}")).body;
    // Distinct values: a version 2 page also says "updated <time>", which may repeat the date.
    let mut times: Vec<String> = html
        .match_indices("datetime=\"")
        .map(|(i, _)| html[i + 10..].chars().take_while(|&c| c != '"').collect())
        .collect();
    times.sort();
    times.dedup();
    assert!(!times.is_empty(), "the page shows a date");
    put("html time", times.join(" "));
    out
}

fn http_date(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc2822(s).unwrap().into()
}

#[test]
fn a_minor_revision_changes_the_text_but_no_date_readers_see() {
    let app = spawn_app_with(None);
    let v1 = story("typo-1", "2026-11-20T10:00:00Z", "").replace("Monday", "Mondya");
    import_text(&app, "v1.jsonl", &v1);
    let before = reader_dates(&app, "typo-1");
    let atom = app.get("/feeds/migration.atom");
    let etag = atom.header("etag").unwrap().to_owned();
    let modified = http_date(atom.header("last-modified").unwrap());
    let minor = story("typo-1", "2026-11-20T10:00:00Z", ",\"revision\":\"minor\"");
    import_text(&app, "v2.jsonl", &minor);
    let fixed = app.eventually(|| {
        let r = app.get("/feeds/migration.json");
        (r.body.contains("Monday") && !r.body.contains("Mondya")).then_some(r)
    });
    assert_eq!(fixed.json()["items"][0]["_wirefeed"]["version"], 2);
    assert!(
        app.get("/articles/typo-1.xml")
            .body
            .contains("version=\"2\"")
    );
    assert_eq!(
        reader_dates(&app, "typo-1"),
        before,
        "a minor revision moved a date"
    );
    // The bytes changed, so the validators do (docs/api.md, Wire semantics: validators always move; a second
    // change within the same second may show at the next second, so only "not back" here).
    let atom = app.get("/feeds/migration.atom");
    assert_ne!(atom.header("etag"), Some(etag.as_str()));
    assert!(http_date(atom.header("last-modified").unwrap()) >= modified);
    // The control: an ordinary update does move the updated dates, so this test can fail.
    let update = story("typo-1", "2026-11-20T10:00:00Z", "").replace("two hundred", "250");
    let update = update.replace("Two hundred", "250");
    import_text(&app, "v3.jsonl", &update);
    app.eventually(|| {
        app.get("/feeds/migration.json")
            .body
            .contains("250")
            .then_some(())
    });
    let after = reader_dates(&app, "typo-1");
    let moved: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).collect();
    assert!(
        moved.iter().any(|(b, _)| b.0 == "json date_modified")
            && moved.iter().any(|(b, _)| b.0 == "atom updated"),
        "an update moves the updated date: {moved:?}"
    );
}

#[test]
fn an_embargoed_story_is_in_no_format_until_the_embargo_lifts() {
    let app = spawn_app_with(None);
    import_text(
        &app,
        "open.jsonl",
        &story("open-1", "2026-11-20T10:00:00Z", ""),
    );
    let lift = Utc::now() + Duration::seconds(6);
    let lift_text = lift.to_rfc3339_opts(SecondsFormat::Secs, true);
    let embargoed = story(
        "emb-1",
        "2026-11-21T10:00:00Z",
        &format!(",\"embargo_until\":\"{lift_text}\""),
    )
    .replace("Asylum seekers", "Zephyrine asylum seekers");
    // A visible translation of the embargoed story must not link to it either.
    let translation = story(
        "emb-1-es",
        "2026-11-21T10:05:00Z",
        ",\"translation_of\":\"emb-1\"",
    );
    import_text(&app, "emb.jsonl", &(embargoed + &translation));
    app.eventually(|| {
        app.get("/feeds/all.json")
            .body
            .contains("emb-1-es")
            .then_some(())
    });
    let hidden = |body: &str| {
        !body.contains("\"emb-1\"")
            && !body.contains(":emb-1<")
            && !body.contains("/emb-1\"")
            && !body.contains(":emb-1\"")
            && !body.contains("Zephyrine")
    };
    let mut last_date = String::new();
    for feed in ["all", "migration", "kills"] {
        for ext in FORMATS {
            for query in ["", "?lang=en", "?since=2026-01-01T00:00:00Z", "?limit=1"] {
                let path = format!("/feeds/{feed}.{ext}{query}");
                let r = app.get(&path);
                assert_eq!(r.status, 200, "{path}");
                assert!(
                    hidden(&r.body),
                    "{path} shows the embargoed story:\n{}",
                    r.body
                );
                last_date = r.header("date").unwrap().to_owned();
            }
        }
    }
    for path in [
        "/articles/emb-1",
        "/articles/emb-1.xml",
        "/articles/emb-1.json",
    ] {
        assert_eq!(app.get(path).status, 404, "{path}");
        assert_eq!(app.head(path).status, 404, "HEAD {path}");
    }
    for path in [
        "/articles/emb-1-es",
        "/articles/emb-1-es.xml",
        "/articles/emb-1-es.json",
    ] {
        let r = app.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert!(
            hidden(&r.body),
            "{path} links to the embargoed story:\n{}",
            r.body
        );
    }
    let checked: DateTime<Utc> = DateTime::parse_from_rfc2822(&last_date).unwrap().into();
    assert!(
        checked < lift,
        "the checks ran past the lift ({checked} >= {lift}): they proved nothing"
    );
    // The lift alone (no write) makes it appear everywhere.
    app.eventually_for(std::time::Duration::from_secs(10), || {
        app.get("/feeds/all.json")
            .body
            .contains("Zephyrine")
            .then_some(())
    });
    for feed in ["all", "migration"] {
        for ext in FORMATS {
            let body = app.get(&format!("/feeds/{feed}.{ext}")).body;
            assert!(body.contains("Zephyrine"), "{feed}.{ext} after the lift");
        }
    }
    for path in [
        "/articles/emb-1",
        "/articles/emb-1.xml",
        "/articles/emb-1.json",
    ] {
        assert_eq!(app.get(path).status, 200, "{path} after the lift");
    }
    assert!(
        app.get("/articles/emb-1-es")
            .body
            .contains("/articles/emb-1\"")
    );
}

#[test]
fn every_atom_entry_carries_the_agency_rights_and_its_own_self_link() {
    let app = spawn_app();
    let body = app.get("/feeds/all.atom?limit=10").body;
    let entries: Vec<&str> = body.split("<entry").skip(1).collect();
    assert_eq!(entries.len(), 10);
    for e in entries {
        let e = &e[..e.find("</entry>").unwrap()];
        let id = e.split("<id>").nth(1).unwrap().split('<').next().unwrap();
        assert!(e.contains("<rights>"), "{id}: no rights");
        assert!(e.contains("rel=\"self\""), "{id}: no self link");
    }
}

#[test]
fn an_empty_feed_is_dated_by_its_last_change_never_1970() {
    let app = spawn_app();
    let since_2026: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
    for ext in FORMATS {
        let path = format!("/feeds/kills.{ext}");
        let r = app.get(&path);
        assert_eq!(r.status, 200, "{path}");
        let modified = http_date(r.header("last-modified").unwrap());
        assert!(modified > since_2026, "{path}: Last-Modified {modified}");
        assert!(!r.body.contains("1970"), "{path}:\n{}", r.body);
    }
}
