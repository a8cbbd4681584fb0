//! Metadata subscribers act on (docs/api.md, issue 25): the urgent feed of flashes, in every
//! format, pushed by WebSub and first on the front page.

use crate::helpers::{
    TestApp, config_text, publisher_key, spawn_app_config, spawn_app_with, story,
};
use serde_json::json;

/// A story with an urgency (or none) and a topic, created now.
fn file(app: &TestApp, token: &str, id: &str, urgency: Option<u8>, topic: &str) {
    let mut s = story(id, &format!("Flash {id}: border crossing closed"));
    s["topics"] = json!([topic]);
    if let Some(u) = urgency {
        s["urgency"] = json!(u);
    }
    let r = app.api("POST", "/api/v1/articles", token, Some(&s));
    assert_eq!(r.status, 201, "{}", r.body);
}

fn urgent_ids(app: &TestApp) -> Vec<String> {
    crate::helpers::json_ids(&app.get("/feeds/urgent.json").json())
}

/// Waits until the urgent feed lists `want` (in any order): a page rendered this second is
/// served until the next (docs/api.md, validators always move).
fn urgent_becomes(app: &TestApp, want: &[&str]) {
    app.eventually(|| {
        let mut ids = urgent_ids(app);
        ids.sort();
        (ids == want).then_some(())
    });
}

#[test]
fn the_urgent_feed_lists_stories_up_to_urgent_max_in_every_format_as_they_change() {
    // `security` restricted: a restricted urgent story stays out of the public urgent feed.
    let text = config_text(None).replace(
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\n",
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\naccess = \"subscribers\"\n",
    );
    assert!(text.contains("access = \"subscribers\"\n\n"));
    let app = spawn_app_config(&text);
    let token = publisher_key(&app);
    file(&app, &token, "u1", Some(1), "migration");
    file(&app, &token, "u2", Some(2), "migration");
    file(&app, &token, "u3", Some(3), "migration");
    file(&app, &token, "u0", None, "migration");
    file(&app, &token, "secret", Some(1), "security");
    // Urgency ≤ 2 (the default), public stories only.
    urgent_becomes(&app, &["u1", "u2"]);
    // The same stories in RSS, Atom and NewsML-G2.
    for ext in ["rss", "atom", "xml"] {
        let body = app.get(&format!("/feeds/urgent.{ext}")).body;
        for (id, listed) in [
            ("u1", true),
            ("u2", true),
            ("u3", false),
            ("u0", false),
            ("secret", false),
        ] {
            // Items, not mentions: an urgent item's related stories may name any story.
            assert_eq!(
                crate::helpers::item_ids(&body).contains(&id.to_owned()),
                listed,
                "urgent.{ext} and {id}: {body}"
            );
        }
    }
    // The positive control of the restriction: the story is in its own feed, for a key.
    let auth = format!("Bearer {token}");
    let r = app.get_with("/feeds/security.json", &[("Authorization", &auth)]);
    assert!(crate::helpers::json_ids(&r.json()).contains(&"secret".to_owned()));
    // A story whose urgency drops leaves; one that rises joins; a kill leaves with a tombstone.
    let mut s = story("u2", "Flash u2: border crossing closed");
    s["topics"] = json!(["migration"]);
    s["urgency"] = json!(5);
    assert_eq!(
        app.api("PUT", "/api/v1/articles/u2", &token, Some(&s))
            .status,
        200
    );
    let mut s = story("u3", "Flash u3: border crossing closed");
    s["topics"] = json!(["migration"]);
    s["urgency"] = json!(1);
    assert_eq!(
        app.api("PUT", "/api/v1/articles/u3", &token, Some(&s))
            .status,
        200
    );
    urgent_becomes(&app, &["u1", "u3"]);
    assert_eq!(
        app.api("DELETE", "/api/v1/articles/u1", &token, None)
            .status,
        200
    );
    urgent_becomes(&app, &["u3"]);
    let atom = app.get("/feeds/urgent.atom").body;
    assert!(
        atom.contains("at:deleted-entry ref=\"tag:anv.example,2026:u1\""),
        "{atom}"
    );
    drop(app);
    // feeds.urgent_max moves the bound.
    let app = spawn_app_config(&text.replace("urgent_max = 2 ", "urgent_max = 3 "));
    let token = publisher_key(&app);
    file(&app, &token, "u3", Some(3), "migration");
    file(&app, &token, "u4", Some(4), "migration");
    urgent_becomes(&app, &["u3"]);
}

#[test]
fn a_websub_subscriber_to_urgent_gets_a_flash_within_a_second_of_the_write() {
    use crate::websub::{BASE, subscribe};
    use crate::websub_harness::Subscriber;
    use std::time::{Duration, Instant};
    let app = spawn_app_config(&format!(
        "{}\n[websub]\nallow_private_callbacks = true\ntimeout = \"2s\"\n",
        config_text(None)
    ));
    let sub = Subscriber::start();
    let token = publisher_key(&app);
    subscribe(
        &app,
        &sub,
        "/urgent",
        &format!("{BASE}/feeds/urgent.json"),
        &[],
    );
    // The control: a routine story changes the urgent feed not at all, and nothing is pushed.
    file(&app, &token, "routine", Some(5), "migration");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        sub.deliveries("/urgent").is_empty(),
        "a routine story is not pushed as urgent"
    );
    // A flash: pushed within a second of the write's answer.
    let started = Instant::now();
    file(&app, &token, "flash", Some(1), "migration");
    let written = started.elapsed();
    let d = sub
        .wait_for("POST", "/urgent", 1, Duration::from_secs(1))
        .pop()
        .unwrap();
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "delivered {took:?} after the write began"
    );
    eprintln!("urgent flash: written in {written:?}, delivered {took:?} after the write began");
    let doc: serde_json::Value = serde_json::from_slice(&d.body).unwrap();
    assert_eq!(crate::helpers::json_ids(&doc), ["flash"]);
    assert!(d.headers["link"].contains(&format!("<{BASE}/feeds/urgent.json>; rel=\"self\"")));
}

#[test]
fn the_front_page_shows_current_urgent_stories_first() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    file(&app, &token, "calm", Some(4), "migration");
    // The control: no urgent story, no urgent section.
    let page = app.get("/?lang=en").body;
    assert!(!page.contains("id=\"t-urgent\""), "{page}");
    file(&app, &token, "flash", Some(1), "migration");
    let page = app.eventually(|| {
        let page = app.get("/?lang=en").body;
        page.contains("id=\"t-urgent\"").then_some(page)
    });
    let urgent = page.find("id=\"t-urgent\"").expect("an urgent section");
    let first_topic = page.find("id=\"t-security\"").expect("the topic sections");
    assert!(urgent < first_topic, "urgent stories come first");
    let section = &page[urgent..first_topic];
    assert!(
        section.contains("Flash flash") && !section.contains("Flash calm"),
        "{section}"
    );
    assert!(section.contains("/feeds/urgent.atom?lang=en"), "{section}");
    // An old urgent story is not current: it stays off the top of the page.
    let mut old = story("old-flash", "Old flash from last month");
    old["urgency"] = json!(1);
    old["published_at"] = json!("2026-01-01T00:00:00Z");
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&old))
            .status,
        201
    );
    app.eventually(|| {
        urgent_ids(&app)
            .contains(&"old-flash".to_owned())
            .then_some(())
    });
    // The front page was rendered before it: past the second, it is rendered again.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let page = app.get("/?lang=en").body;
    let urgent = page.find("id=\"t-urgent\"").unwrap();
    assert!(
        !page[urgent..]
            .split("id=\"t-security\"")
            .next()
            .unwrap()
            .contains("Old flash")
    );
}
