//! Related stories (contract §15) over HTTP: the ranking (topics and places first, newest first
//! among equals), every format and the page, links back from earlier stories, cached feeds kept
//! fresh, and never a story the reader may not see. Every negative check has its positive
//! control beside it.

use crate::helpers::{
    TestApp, config_text, publisher_key, spawn_app_config, spawn_app_with, wirefeed,
};
use serde_json::{Value, json};

/// A story in `topic`, about `place` (editor topics and places; bland text, so the classifier
/// and place finder add nothing that would change the ranking).
fn file(app: &TestApp, t: &str, id: &str, headline: &str, topic: &str, place: &str) {
    file_with(app, t, id, headline, topic, place, json!({}));
}

fn file_with(
    app: &TestApp,
    t: &str,
    id: &str,
    headline: &str,
    topic: &str,
    place: &str,
    extra: Value,
) {
    let mut body = json!({
        "id": id,
        "headline": headline,
        "body": format!("Officials gave the figures for {id} on Monday."),
        "language": "en",
        "topics": [topic],
        "places": [place],
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let r = app.api("POST", "/api/v1/articles", t, Some(&body));
    assert_eq!(r.status, 201, "{id}: {}", r.body);
}

/// The ids a ninjs association `uri` (`tag:…:ID`) names.
fn tag_id(uri: &str) -> String {
    uri.rsplit(':').next().unwrap().to_owned()
}

/// The related stories of `id`, from its ninjs 2.1 document.
fn related(app: &TestApp, id: &str) -> Vec<String> {
    let r = app.get(&format!("/articles/{id}.json"));
    assert_eq!(r.status, 200, "{id}: {}", r.body);
    r.json()["associations"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|x| x["name"] == "related")
                .map(|x| tag_id(x["uri"].as_str().unwrap()))
                .collect()
        })
        .unwrap_or_default()
}

/// The related stories of item `id` in a JSON Feed (`None` when the item is not in it).
fn feed_related(app: &TestApp, feed: &str, id: &str) -> Option<Vec<String>> {
    let f = app.get(feed).json();
    let item = f["items"]
        .as_array()?
        .iter()
        .find(|i| i["_wirefeed"]["id"] == id)?
        .clone();
    Some(
        item["_wirefeed"]["related"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| r["id"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default(),
    )
}

#[test]
fn related_stories_rank_topics_and_places_first_in_every_format_and_link_back() {
    let app = spawn_app_with(None);
    let t = publisher_key(&app);
    file(
        &app,
        &t,
        "rel-a1",
        "Crossings fall at the northern post",
        "migration",
        "MX",
    );
    file(
        &app,
        &t,
        "rel-a2",
        "Asylum office opens a second desk",
        "migration",
        "MX",
    );
    file(
        &app,
        &t,
        "rel-a3",
        "Visa rules reviewed after hearing",
        "migration",
        "JP",
    );
    file(
        &app,
        &t,
        "rel-a4",
        "Chamber hosts an annual trade fair",
        "bilateral-relations",
        "FR",
    );
    // Before the seed story: a1 lists its neighbours, and the migration feed (cached now)
    // says so.
    assert_eq!(related(&app, "rel-a1"), ["rel-a2", "rel-a3"]);
    app.eventually(|| {
        (feed_related(&app, "/feeds/migration.json", "rel-a1")
            == Some(vec!["rel-a2".into(), "rel-a3".into()]))
        .then_some(())
    });

    file(
        &app,
        &t,
        "rel-s",
        "Shelters expand near the northern post",
        "migration",
        "MX",
    );
    // Topic and place first (a2 and a1: a2 is newer, or the same second and the greater id),
    // then topic only (a3); a4 shares neither, nor a headline word, and is not listed, though
    // it is public (the control).
    assert_eq!(related(&app, "rel-s"), ["rel-a2", "rel-a1", "rel-a3"]);
    assert_eq!(app.get("/articles/rel-a4").status, 200);

    // Every format: NewsML-G2 links, ninjs 3.1 associations, the page's list in order.
    let xml = app.get("/articles/rel-s.xml").body;
    for id in ["rel-a1", "rel-a2", "rel-a3"] {
        let at = xml
            .find(&format!(":{id}\" href="))
            .unwrap_or_else(|| panic!("{id}: {xml}"));
        assert!(
            xml[..at].ends_with(&format!(
                "irel:seeAlso\" residref=\"{}",
                &xml[xml[..at].rfind('"').unwrap() + 1..at]
            )),
            "{id}: {xml}"
        );
    }
    assert!(!xml.contains(":rel-a4\""), "{xml}");
    let v31 = app.get("/articles/rel-s.json?ninjs=3.1").json();
    let names: Vec<String> = v31["associations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["name"] == "related")
        .map(|a| tag_id(a["uri"].as_str().unwrap()))
        .collect();
    assert_eq!(names, ["rel-a2", "rel-a1", "rel-a3"]);
    let page = app.get("/articles/rel-s").body;
    let at = |id: &str| {
        page.find(&format!("/articles/{id}\""))
            .unwrap_or_else(|| panic!("{id} is not linked: {page}"))
    };
    assert!(page.contains("Related stories"), "{page}");
    assert!(at("rel-a2") < at("rel-a1") && at("rel-a1") < at("rel-a3"));
    assert!(!page.contains("/articles/rel-a4\""));

    // Links back: a1 now lists the seed first (newest among its equals), and the cached
    // migration feed follows, in JSON Feed and Atom.
    assert_eq!(related(&app, "rel-a1"), ["rel-s", "rel-a2", "rel-a3"]);
    app.eventually(|| {
        (feed_related(&app, "/feeds/migration.json", "rel-a1")
            == Some(vec!["rel-s".into(), "rel-a2".into(), "rel-a3".into()]))
        .then_some(())
    });
    let atom = app.get("/feeds/migration.atom").body;
    let entry = atom
        .split("<entry>")
        .find(|e| e.contains(":rel-a1</id>"))
        .unwrap_or_else(|| panic!("{atom}"));
    assert!(
        entry.contains("rel=\"related\"") && entry.contains("/articles/rel-s\""),
        "{entry}"
    );
    // RSS carries them as atom:link in the item, like Atom.
    let rss = app.get("/feeds/migration.rss").body;
    let item = rss
        .split("<item>")
        .find(|e| e.contains(":rel-a1</guid>"))
        .unwrap_or_else(|| panic!("{rss}"));
    assert!(
        item.contains("rel=\"related\"") && item.contains("/articles/rel-s\""),
        "{item}"
    );
    // A listed story's new headline shows in the lists naming it (and their cached feeds).
    assert!(
        app.get("/articles/rel-s")
            .body
            .contains("Asylum office opens a second desk")
    );
    let edit = json!({
        "headline": "Asylum office opens a third desk",
        "body": "Officials gave the figures for rel-a2 on Monday.",
        "language": "en",
        "topics": ["migration"],
        "places": ["MX"],
    });
    let r = app.api("PUT", "/api/v1/articles/rel-a2", &t, Some(&edit));
    assert_eq!(r.status, 200, "{}", r.body);
    let page = app.get("/articles/rel-s").body;
    assert!(page.contains("Asylum office opens a third desk"), "{page}");
    assert!(!page.contains("opens a second desk"));
    app.eventually(|| {
        let f = app.get("/feeds/migration.json").body;
        (f.contains("opens a third desk") && !f.contains("opens a second desk")).then_some(())
    });
    // The unrelated story's list does not name the seed.
    assert!(!related(&app, "rel-a4").contains(&"rel-s".to_owned()));
}

#[test]
fn related_stories_are_never_ones_the_reader_may_not_see() {
    // `security` subscriber-only: a security-only story is restricted.
    let text = config_text(None).replace(
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\n",
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\naccess = \"subscribers\"\n",
    );
    assert!(text.contains("access = \"subscribers\"\n\n"));
    let app = spawn_app_config(&text);
    let t = publisher_key(&app);
    // Dated apart, so the newest-first order does not come down to the ids.
    let hours_ago = |h: i64| {
        (chrono::Utc::now() - chrono::Duration::hours(h))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    file_with(
        &app,
        &t,
        "vis-p1",
        "Ministry counts the week's arrivals",
        "migration",
        "MX",
        json!({ "published_at": hours_ago(2) }),
    );
    file_with(
        &app,
        &t,
        "vis-r1",
        "Ministry counts the week's patrols",
        "security",
        "MX",
        json!({}),
    );
    let lift = chrono::Utc::now() + chrono::Duration::seconds(3);
    file_with(
        &app,
        &t,
        "vis-e1",
        "Ministry counts the week's visas",
        "migration",
        "MX",
        json!({ "embargo_until": lift.to_rfc3339_opts(chrono::SecondsFormat::Secs, true) }),
    );
    file_with(
        &app,
        &t,
        "vis-k1",
        "Ministry counts the week's returns",
        "migration",
        "MX",
        json!({ "published_at": hours_ago(1) }),
    );
    file(
        &app,
        &t,
        "vis-s",
        "Ministry counts the week's shelters",
        "migration",
        "MX",
    );
    // The restricted and the embargoed stories exist (the controls) but are not listed.
    let auth = format!("Bearer {t}");
    for id in ["vis-r1", "vis-e1"] {
        let r = app.request(
            "GET",
            &format!("/api/v1/articles/{id}"),
            &[("Authorization", &auth)],
            b"",
        );
        assert_eq!(r.status, 200, "{id}");
    }
    assert_eq!(related(&app, "vis-s"), ["vis-k1", "vis-p1"]);
    // A kill takes the story out of every list at once, and out of the cached feed.
    app.eventually(|| {
        (feed_related(&app, "/feeds/all.json", "vis-s")
            == Some(vec!["vis-k1".into(), "vis-p1".into()]))
        .then_some(())
    });
    let r = app.api("DELETE", "/api/v1/articles/vis-k1", &t, None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(related(&app, "vis-s"), ["vis-p1"]);
    app.eventually(|| {
        (feed_related(&app, "/feeds/all.json", "vis-s") == Some(vec!["vis-p1".into()]))
            .then_some(())
    });
    // Once its embargo lifts, the embargoed story joins (it was kept, not shown).
    app.eventually_for(std::time::Duration::from_secs(6), || {
        (related(&app, "vis-s") == ["vis-e1", "vis-p1"]).then_some(())
    });
    // The restricted story never does.
    assert!(!related(&app, "vis-s").contains(&"vis-r1".to_owned()));
}

#[test]
fn feeds_related_sets_how_many_and_zero_turns_them_off() {
    for (setting, want) in [(1, vec!["cnt-2"]), (0, vec![])] {
        let text = config_text(None).replace(
            "urgent_max = 2 ",
            &format!("related = {setting}\nurgent_max = 2 "),
        );
        assert!(text.contains(&format!("related = {setting}\n")));
        let app = spawn_app_config(&text);
        let t = publisher_key(&app);
        file(
            &app,
            &t,
            "cnt-1",
            "Harbour reopens after the storm",
            "migration",
            "CL",
        );
        file(
            &app,
            &t,
            "cnt-2",
            "Harbour clears its backlog",
            "migration",
            "CL",
        );
        file(
            &app,
            &t,
            "cnt-3",
            "Harbour names a new pilot",
            "migration",
            "CL",
        );
        assert_eq!(related(&app, "cnt-3"), want, "related = {setting}");
        assert_eq!(
            app.get("/articles/cnt-3").body.contains("Related stories"),
            setting > 0
        );
    }
    // Out of range: `check` names the file and line.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    let text = config_text(None).replace("urgent_max = 2 ", "related = 21\nurgent_max = 2 ");
    std::fs::write(&config, &text).unwrap();
    let line = text.lines().position(|l| l == "related = 21").unwrap() + 1;
    let (code, _, err) = wirefeed(&config, &dir.path().join("db"), &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!(
            "{}:{line}: feeds.related must be 0 (none) to 20",
            config.display()
        )),
        "{err}"
    );
}

#[test]
fn headline_words_fill_the_list_the_rarer_word_first_and_no_shared_word_no_place() {
    let app = spawn_app_with(None);
    let t = publisher_key(&app);
    // Neither topic nor country in common with the seed (security, JP): only the text step
    // can list these. The one sharing the seed's rare word is the oldest; three newer ones share
    // only a word they all hold; one shares nothing (the control: the list has room for it).
    file(
        &app,
        &t,
        "txt-rare",
        "Zenobia recovery fund approved",
        "bilateral-relations",
        "FR",
    );
    for (i, h) in [
        "District council meets on budget",
        "District elections set for spring",
        "District schools reopen on time",
    ]
    .iter()
    .enumerate()
    {
        file(
            &app,
            &t,
            &format!("txt-common{i}"),
            h,
            "bilateral-relations",
            "FR",
        );
    }
    file(
        &app,
        &t,
        "txt-none",
        "Chamber hosts an annual trade fair",
        "bilateral-relations",
        "FR",
    );
    file(
        &app,
        &t,
        "txt-seed",
        "Cyclone Zenobia batters harbour district",
        "security",
        "JP",
    );
    // The rare word outweighs recency; the common word's stories follow, newest first.
    assert_eq!(
        related(&app, "txt-seed"),
        ["txt-rare", "txt-common2", "txt-common1", "txt-common0"]
    );
    // A public story with no word in common is not listed, though it is there and the list
    // (feeds.related = 5) has room.
    assert_eq!(app.get("/articles/txt-none").status, 200);
}
