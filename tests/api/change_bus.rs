//! The change bus hears of a write from the writer itself: no read of the change log is needed
//! for this process's caches, WebSub hub and CDN purger to see it.

use std::sync::Arc;
use std::time::Duration;
use wirefeed::changes::ChangeBus;
use wirefeed::config::Config;
use wirefeed::store::Store;

fn repo() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_write_is_published_by_the_writer_without_reading_the_change_log() {
    let dir = tempfile::tempdir().unwrap();
    let config = Arc::new(Config::load(&repo().join("feeds.toml")).unwrap());
    let store = Arc::new(Store::open(&dir.path().join("bus.db"), true).unwrap());
    wirefeed::import::import(
        &config,
        &store,
        &[repo().join("tests/fixtures/articles")],
        false,
    )
    .unwrap();
    // Nobody watches this bus and nobody refreshes it: only the writer can move it.
    let bus = ChangeBus::new();
    let mut sub = bus.subscribe();
    let newsroom =
        wirefeed::publish::Newsroom::start(config.clone(), store.clone(), bus.clone()).unwrap();
    assert_eq!(
        bus.seq("all"),
        0,
        "the control: nothing published before the write"
    );
    assert!(!sub.wait(Duration::from_millis(10)));
    actix_web::rt::System::new()
        .block_on(newsroom.kill("fx-004", Some("Duplicate.".into()), None))
        .unwrap();
    assert!(bus.seq("all") > 0, "the kill moved `all` on the bus");
    assert!(bus.seq("kills") > 0, "and `kills`");
    assert!(sub.wait(Duration::from_secs(1)), "a subscriber was woken");
    assert!(!bus.watching(), "no watcher was involved");
}
