//! Golden files: fixed fixture articles and a fixed clock give byte-identical documents.
//! Regenerate with `UPDATE_GOLDEN=1 cargo test golden` and review the diff.

use crate::helpers::repo;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use wirefeed::config::Config;
use wirefeed::feeds::{FeedQuery, Feeds};
use wirefeed::model::Format;
use wirefeed::store::Store;

fn check(name: &str, actual: &str) {
    let path = repo().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden file {name}; run with UPDATE_GOLDEN=1"));
    assert!(
        expected == actual,
        "{name} differs from its golden file; run with UPDATE_GOLDEN=1 and review the diff"
    );
}

#[test]
fn every_format_matches_its_golden_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::load(&repo().join("feeds.toml")).unwrap();
    let store = Store::open(&dir.path().join("golden.db"), true).unwrap();
    let summary = wirefeed::import::import(
        &config,
        &store,
        &[repo().join("tests/fixtures/articles")],
        false,
    )
    .unwrap();
    assert_eq!(summary.imported, 4);
    let feeds = Feeds::new(Arc::new(config), Arc::new(store));
    let now: DateTime<Utc> = "2026-11-22T12:00:00Z".parse().unwrap();
    for feed in ["all", "migration", "kills"] {
        for format in Format::ALL {
            let r = feeds
                .feed(feed, format, &FeedQuery::default(), now)
                .unwrap();
            check(
                &format!("{feed}.{}", format.extension()),
                std::str::from_utf8(&r.body).unwrap(),
            );
        }
    }
    for (ext, name) in [
        (None, "fx-002.html"),
        (Some("xml"), "fx-002.xml"),
        (Some("json"), "fx-002.ninjs.json"),
        (None, "fx-003.html"),
    ] {
        let id = name.split('.').next().unwrap();
        let r = feeds.article(id, ext, now).unwrap();
        check(name, std::str::from_utf8(&r.body).unwrap());
    }
}

/// Applies `op` at `at` (a fixed clock) through the durable writer, as the API does.
fn apply_at(store: &Store, op: wirefeed::store::Op, at: &str) {
    let now: DateTime<Utc> = at.parse().unwrap();
    let mut writer = store.durable_writer().unwrap();
    let mut results = writer.apply(&[op], now).unwrap();
    results.pop().unwrap().unwrap();
}

/// The article body of fixture `id`, changed by `edit`, as the API would receive it.
fn revised(
    newsroom: &wirefeed::publish::Newsroom,
    store: &Store,
    id: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> wirefeed::store::Op {
    let now: DateTime<Utc> = "2026-11-21T00:00:00Z".parse().unwrap();
    let a = store.get(id, now.timestamp()).unwrap().unwrap();
    let c = &a.content;
    let mut body = serde_json::json!({
        "id": id,
        "headline": c.headline,
        "summary": c.summary,
        "body": c.body,
        "language": c.language,
        "byline": c.byline,
        "dateline": c.dateline,
        "published_at": wirefeed::render::rfc3339(a.published_at),
        "keywords": c.keywords,
        "urgency": c.urgency,
        "translation_of": c.translation_of.as_ref().map(|t| t.as_str()),
    });
    edit(&mut body);
    let prepared = newsroom
        .parse(body.to_string().as_bytes(), Some(id))
        .unwrap();
    wirefeed::store::Op::Upsert {
        draft: Box::new(prepared.draft),
        topics: prepared.topics,
        create_only: false,
        if_match: None,
    }
}

#[test]
fn corrected_minor_and_killed_articles_match_their_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let config = Arc::new(Config::load(&repo().join("feeds.toml")).unwrap());
    let store = Arc::new(Store::open(&dir.path().join("golden.db"), true).unwrap());
    wirefeed::import::import(
        &config,
        &store,
        &[repo().join("tests/fixtures/articles")],
        false,
    )
    .unwrap();
    let newsroom = wirefeed::publish::Newsroom::new(config.clone(), store.clone()).unwrap();
    // fx-002 v2: a correction with a note.
    let op = revised(&newsroom, &store, "fx-002", |b| {
        b["body"] = serde_json::json!(
            b["body"]
                .as_str()
                .unwrap()
                .replace("on Friday", "on Thursday")
        );
        b["revision"] = serde_json::json!("correction");
        b["correction_note"] =
            serde_json::json!("An earlier version said the agreement was signed on Friday.");
    });
    apply_at(&store, op, "2026-11-21T08:00:00Z");
    // fx-001 v2: a typo fix, which moves no date readers see.
    let op = revised(&newsroom, &store, "fx-001", |b| {
        b["body"] = serde_json::json!(
            b["body"]
                .as_str()
                .unwrap()
                .replace("firmaron el viernes", "firmaron este viernes")
        );
        b["revision"] = serde_json::json!("minor");
    });
    apply_at(&store, op, "2026-11-21T09:00:00Z");
    // fx-004: killed, with a reason; a tombstone during kill_retention.
    let kill = wirefeed::store::Op::Kill {
        id: wirefeed::model::ArticleId::parse("fx-004").unwrap(),
        reason: Some("Duplicate of an earlier story.".into()),
        if_match: None,
    };
    apply_at(&store, kill, "2026-11-21T10:00:00Z");
    let feeds = Feeds::new(config.clone(), store.clone());
    let now: DateTime<Utc> = "2026-11-22T12:00:00Z".parse().unwrap();
    for feed in ["all", "kills"] {
        for format in Format::ALL {
            let r = feeds
                .feed(feed, format, &FeedQuery::default(), now)
                .unwrap();
            check(
                &format!("lifecycle/{feed}.{}", format.extension()),
                std::str::from_utf8(&r.body).unwrap(),
            );
        }
    }
    for (ext, name) in [
        (None, "fx-002.html"),
        (Some("xml"), "fx-002.xml"),
        (Some("json"), "fx-002.ninjs.json"),
        (None, "fx-001.html"),
        (Some("xml"), "fx-001.xml"),
        (Some("json"), "fx-001.ninjs.json"),
        (None, "fx-004.html"),
        (Some("xml"), "fx-004.xml"),
        (Some("json"), "fx-004.ninjs.json"),
    ] {
        let id = name.split('.').next().unwrap();
        let r = feeds.article(id, ext, now).unwrap();
        if id == "fx-004" && ext.is_none() {
            assert_eq!(r.status, 410, "a killed story's page is gone");
        }
        check(
            &format!("lifecycle/{name}"),
            std::str::from_utf8(&r.body).unwrap(),
        );
    }
}
