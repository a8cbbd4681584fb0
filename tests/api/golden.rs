//! Golden files: fixed fixture articles and a fixed clock give byte-identical documents.
//! Regenerate with `UPDATE_GOLDEN=1 cargo test golden` and review the diff.

use crate::helpers::repo;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use wirefeed::config::Config;
use wirefeed::feeds::ArticleFormat;
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
    for (format, name) in [
        (ArticleFormat::Html, "fx-002.html"),
        (ArticleFormat::NewsMl, "fx-002.xml"),
        (ArticleFormat::Ninjs, "fx-002.ninjs.json"),
        (ArticleFormat::Html, "fx-003.html"),
    ] {
        let id = name.split('.').next().unwrap();
        let r = feeds.article(id, format, now).unwrap();
        check(name, std::str::from_utf8(&r.body).unwrap());
    }
}
