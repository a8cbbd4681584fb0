//! The wire lifecycle in every format (docs/api.md, Wire semantics), driven through the publishing API and
//! the CLI: corrections, updates, minor edits, kills.

use crate::helpers::{Resp, TestApp, publisher_key, spawn_app_with};
use crate::publish::problem;
use serde_json::{Value, json};
use std::time::Duration;

const SIGNAL: &str = "http://cv.iptc.org/newscodes/signal/";
const FORMATS: [&str; 4] = ["rss", "atom", "json", "xml"];
const NOTE: &str = "An earlier version misstated the number of arrivals.";

fn guid(id: &str) -> String {
    format!("tag:anv.example,2026:{id}")
}

fn article(id: &str, headline: &str, body: &str) -> Value {
    json!({
        "id": id,
        "headline": headline,
        "body": body,
        "language": "en",
        "topics": ["migration"],
        "published_at": "2026-11-20T09:00:00Z",
    })
}

/// The element `tag` (`item`, `entry`, `newsItem`) of `doc` that holds `needle`.
fn element(doc: &str, tag: &str, needle: &str) -> Option<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut rest = doc;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        // `<item>` must not match `<itemSet>`, `<entry` not `<entryX`.
        if !after.starts_with([' ', '>', '/', '\n']) {
            rest = after;
            continue;
        }
        let end = after.find(&close)? + close.len();
        let el = &rest[i..i + open.len() + end];
        if el.contains(needle) {
            return Some(el.to_owned());
        }
        rest = &after[end..];
    }
    None
}

/// The text of the first `<name>` element in `xml`.
fn text_of(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let i = xml.find(&open)? + open.len();
    let j = xml[i..].find(&format!("</{name}>"))?;
    Some(xml[i..i + j].to_owned())
}

/// Does `xml` have a `<name …>` tag with all of `attrs` (in any order)?
fn has_tag(xml: &str, name: &str, attrs: &[(&str, &str)]) -> bool {
    xml.match_indices(&format!("<{name} "))
        .map(|(i, _)| &xml[i..i + xml[i..].find('>').unwrap()])
        .any(|tag| {
            attrs
                .iter()
                .all(|(k, v)| tag.contains(&format!("{k}=\"{v}\"")))
        })
}

fn json_item(feed: &str, id: &str) -> Option<Value> {
    let v: Value = serde_json::from_str(feed).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["_wirefeed"]["id"] == id)
        .cloned()
}

/// Every feed document parses (feed-rs for RSS, Atom, JSON Feed; quick-xml for NewsML-G2).
fn valid(ext: &str, r: &Resp) {
    assert_eq!(r.status, 200);
    match ext {
        "xml" => {
            let mut reader = quick_xml::Reader::from_str(&r.body);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("NewsML-G2 not well-formed: {e}"),
                }
            }
        }
        _ => {
            feed_rs::parser::parse(r.body.as_bytes())
                .unwrap_or_else(|e| panic!("{ext} does not parse: {e}"));
        }
    }
}

struct Newsroom {
    app: TestApp,
    token: String,
}

impl Newsroom {
    fn new() -> Self {
        let app = spawn_app_with(None);
        let token = publisher_key(&app);
        Newsroom { app, token }
    }

    fn put(&self, body: &Value) -> Value {
        let id = body["id"].as_str().unwrap();
        let r = self.app.api(
            "PUT",
            &format!("/api/v1/articles/{id}"),
            &self.token,
            Some(body),
        );
        assert!(matches!(r.status, 200 | 201), "{}", r.body);
        r.json()
    }

    fn feed(&self, feed: &str, ext: &str) -> Resp {
        let r = self.app.get(&format!("/feeds/{feed}.{ext}"));
        valid(ext, &r);
        r
    }

    /// Reads every format of `feeds` (so the pages are cached, as for a real poller).
    fn poll(&self, feeds: &[&str]) {
        for f in feeds {
            for ext in FORMATS {
                self.feed(f, ext);
            }
        }
    }

    /// Waits (≤ 2.5 s: a change within the second of the previous one shows at the next
    /// second) until the JSON Feed item of `id` in `feed` satisfies `ok`.
    fn settled(&self, feed: &str, id: &str, ok: impl Fn(&Value) -> bool) {
        self.app.eventually_for(Duration::from_millis(2500), || {
            json_item(&self.feed(feed, "json").body, id).filter(|i| ok(i))
        });
    }
}

#[test]
fn a_correction_is_signalled_in_every_format() {
    let n = Newsroom::new();
    let id = "life-corr";
    let g = guid(id);
    n.put(&article(
        id,
        "Asylum seekers reach Kessel",
        "Two hundred people arrived on Monday.",
    ));
    n.poll(&["all", "migration"]);
    let v1_atom = element(&n.feed("all", "atom").body, "entry", &g).unwrap();
    let v1_updated = text_of(&v1_atom, "updated").unwrap();
    let mut c = article(
        id,
        "Asylum seekers reach Kessel",
        "Two hundred and twelve people arrived on Monday.",
    );
    c["revision"] = json!("correction");
    c["correction_note"] = json!(NOTE);
    let a = n.put(&c);
    assert_eq!(
        (a["version"].as_u64(), a["revision"].as_str()),
        (Some(2), Some("correction"))
    );
    assert_eq!(a["correction_note"], NOTE);
    n.settled("all", id, |i| i["_wirefeed"]["version"] == 2);
    for feed in ["all", "migration"] {
        // JSON Feed.
        let item = json_item(&n.feed(feed, "json").body, id).unwrap();
        let w = &item["_wirefeed"];
        assert_eq!(
            (w["version"].as_u64(), w["revision"].as_str()),
            (Some(2), Some("correction")),
            "{feed}.json"
        );
        assert_eq!(w["correction_note"], NOTE);
        let html = item["content_html"].as_str().unwrap();
        let (note_at, body_at) = (html.find(NOTE).unwrap(), html.find("twelve").unwrap());
        assert!(note_at < body_at, "the note comes first: {html}");
        assert!(
            html.trim_start().starts_with("<p class=\"correction\">"),
            "{html}"
        );
        assert!(item["date_modified"].as_str().unwrap() > item["date_published"].as_str().unwrap());
        // RSS.
        let rss = element(&n.feed(feed, "rss").body, "item", &g).unwrap();
        assert!(
            rss.contains(&format!(
                "<category domain=\"{SIGNAL}\">correction</category>"
            )),
            "{feed}.rss: {rss}"
        );
        let content = text_of(&rss, "content:encoded").unwrap_or_else(|| panic!("{rss}"));
        assert!(
            content.find("misstated").unwrap() < content.find("twelve").unwrap(),
            "{content}"
        );
        // Atom.
        let entry = element(&n.feed(feed, "atom").body, "entry", &g).unwrap();
        assert!(
            has_tag(
                &entry,
                "category",
                &[("term", "correction"), ("scheme", SIGNAL)]
            ),
            "{feed}.atom: {entry}"
        );
        let content = text_of(&entry, "content").or_else(|| {
            let i = entry.find("<content")?;
            Some(entry[i..].to_owned())
        });
        let content = content.unwrap();
        assert!(
            content.find("misstated").unwrap() < content.find("twelve").unwrap(),
            "{content}"
        );
        assert!(
            text_of(&entry, "updated").unwrap() > v1_updated,
            "{feed}.atom updated must move"
        );
        // NewsML-G2.
        let item = element(&n.feed(feed, "xml").body, "newsItem", &g).unwrap();
        assert!(has_tag(&item, "newsItem", &[("version", "2")]), "{item}");
        assert!(
            item.contains("<signal qcode=\"sig:correction\"/>"),
            "{item}"
        );
        assert_eq!(text_of(&item, "edNote").as_deref(), Some(NOTE));
    }
    let xml = n.app.get(&format!("/articles/{id}.xml")).body;
    assert!(has_tag(&xml, "newsItem", &[("version", "2")]), "{xml}");
    assert!(xml.contains("<signal qcode=\"sig:correction\"/>"));
    assert_eq!(text_of(&xml, "edNote").as_deref(), Some(NOTE));
    let ninjs = n.app.get(&format!("/articles/{id}.json")).json();
    assert_eq!(ninjs["version"], "2");
    assert_eq!(ninjs["ednote"], NOTE);
    let page = n.app.get(&format!("/articles/{id}"));
    assert_eq!(page.status, 200);
    let boxed = element(&page.body, "p", "class=\"correction\"").expect("a correction box");
    assert!(boxed.contains(NOTE), "{boxed}");
}

#[test]
fn an_update_moves_the_dates_without_the_correction_marker() {
    let n = Newsroom::new();
    let id = "life-upd";
    let g = guid(id);
    n.put(&article(
        id,
        "Ferry service suspended",
        "Storms closed the port.",
    ));
    n.poll(&["all"]);
    let before_atom = element(&n.feed("all", "atom").body, "entry", &g).unwrap();
    let before_json = json_item(&n.feed("all", "json").body, id).unwrap();
    let before_xml = element(&n.feed("all", "xml").body, "newsItem", &g).unwrap();
    let a = n.put(&article(
        id,
        "Ferry service suspended for a second day",
        "Storms closed the port again.",
    ));
    assert_eq!(
        (a["version"].as_u64(), a["revision"].as_str()),
        (Some(2), Some("update"))
    );
    n.settled("all", id, |i| i["_wirefeed"]["version"] == 2);
    let item = json_item(&n.feed("all", "json").body, id).unwrap();
    assert_eq!(item["_wirefeed"]["revision"], "update");
    assert!(item["_wirefeed"]["correction_note"].is_null());
    assert!(item["date_modified"].as_str() > before_json["date_modified"].as_str());
    assert!(
        !item["content_html"]
            .as_str()
            .unwrap()
            .contains("class=\"correction\"")
    );
    let entry = element(&n.feed("all", "atom").body, "entry", &g).unwrap();
    assert!(text_of(&entry, "updated") > text_of(&before_atom, "updated"));
    assert!(!entry.contains(SIGNAL), "{entry}");
    let rss = element(&n.feed("all", "rss").body, "item", &g).unwrap();
    assert!(!rss.contains(SIGNAL), "{rss}");
    let x = element(&n.feed("all", "xml").body, "newsItem", &g).unwrap();
    assert!(text_of(&x, "versionCreated") > text_of(&before_xml, "versionCreated"));
    assert!(!x.contains("sig:correction"));
    assert!(text_of(&x, "edNote").is_none(), "{x}");
    assert!(
        n.app
            .get(&format!("/articles/{id}.json"))
            .json()
            .get("ednote")
            .is_none()
    );
    assert!(
        !n.app
            .get(&format!("/articles/{id}"))
            .body
            .contains("class=\"correction\"")
    );
}

#[test]
fn a_minor_edit_changes_the_text_but_no_date_readers_see() {
    let n = Newsroom::new();
    let id = "life-minor";
    let g = guid(id);
    n.put(&article(
        id,
        "Minister visits Kessel",
        "The minster met local officials.",
    ));
    n.poll(&["all", "migration"]);
    let all = |ext| n.feed("all", ext).body;
    let before = (
        element(&all("atom"), "entry", &g).unwrap(),
        json_item(&all("json"), id).unwrap(),
        element(&all("xml"), "newsItem", &g).unwrap(),
        element(&all("rss"), "item", &g).unwrap(),
        n.app.get(&format!("/articles/{id}.json")).json(),
    );
    let etag_before = n.feed("all", "atom").header("etag").unwrap().to_owned();
    let mut m = article(
        id,
        "Minister visits Kessel",
        "The minister met local officials.",
    );
    m["revision"] = json!("minor");
    let a = n.put(&m);
    assert_eq!(a["version"], 2, "a minor edit is still a new version");
    n.settled("all", id, |i| {
        i["content_html"].as_str().unwrap().contains("minister")
    });
    let entry = element(&all("atom"), "entry", &g).unwrap();
    assert!(entry.contains("The minister met"), "{entry}");
    assert_eq!(
        text_of(&entry, "updated"),
        text_of(&before.0, "updated"),
        "Atom entry updated"
    );
    assert_eq!(
        text_of(&entry, "published"),
        text_of(&before.0, "published")
    );
    let item = json_item(&all("json"), id).unwrap();
    assert_eq!(
        item["date_modified"], before.1["date_modified"],
        "JSON Feed date_modified"
    );
    assert_eq!(item["date_published"], before.1["date_published"]);
    assert_eq!(
        item["_wirefeed"]["revision"], "update",
        "a minor edit keeps what readers were told"
    );
    let x = element(&all("xml"), "newsItem", &g).unwrap();
    assert_eq!(
        text_of(&x, "versionCreated"),
        text_of(&before.2, "versionCreated"),
        "NewsML versionCreated"
    );
    assert!(x.contains("The minister met"));
    let rss = element(&all("rss"), "item", &g).unwrap();
    assert_eq!(text_of(&rss, "pubDate"), text_of(&before.3, "pubDate"));
    let ninjs = n.app.get(&format!("/articles/{id}.json")).json();
    assert_eq!(ninjs["versioncreated"], before.4["versioncreated"]);
    // The bytes changed, so the validators must (docs/api.md, Wire semantics).
    assert_ne!(
        n.feed("all", "atom").header("etag"),
        Some(etag_before.as_str())
    );
    // The API tells the publisher the truth: version 2, updated_at unchanged.
    let read = n
        .app
        .api("GET", &format!("/api/v1/articles/{id}"), &n.token, None)
        .json();
    assert_eq!(read["version"], 2);
}

/// Checks the kill of `id` (headline `headline`, reason `reason`) in every place.
fn check_killed(n: &Newsroom, id: &str, headline: &str, reason: &str, at_once: bool) {
    let g = guid(id);
    let app = &n.app;
    let wait = |check: &dyn Fn() -> bool| {
        if at_once {
            assert!(check());
        } else {
            app.eventually(|| check().then_some(()));
        }
    };
    // Out of RSS, Atom and JSON Feed.
    for feed in ["all", "migration"] {
        wait(&|| json_item(&n.feed(feed, "json").body, id).is_none());
        let rss = n.feed(feed, "rss").body;
        assert!(
            element(&rss, "item", &g).is_none(),
            "{feed}.rss still has {id}"
        );
        let atom = n.feed(feed, "atom").body;
        assert!(
            element(&atom, "entry", &g).is_none(),
            "{feed}.atom still has {id}"
        );
        // An RFC 6721 tombstone with the reason.
        let t = element(&atom, "at:deleted-entry", &format!("ref=\"{g}\""))
            .unwrap_or_else(|| panic!("{feed}.atom has no tombstone for {id}: {atom}"));
        assert!(has_tag(&t, "at:deleted-entry", &[("ref", &g)]));
        assert!(t.contains("when=\""), "{t}");
        let comment = element(&t, "at:comment", reason).unwrap_or_else(|| panic!("{t}"));
        assert!(comment.contains(reason));
        assert!(atom.contains("xmlns:at=\"http://purl.org/atompub/tombstones/1.0\""));
        // NewsML-G2 keeps it as canceled during the retention window.
        let xml = n.feed(feed, "xml").body;
        let item = element(&xml, "newsItem", &g).unwrap_or_else(|| panic!("{feed}.xml lost {id}"));
        assert!(
            item.contains("<pubStatus qcode=\"stat:canceled\"/>"),
            "{item}"
        );
    }
    // Kill notices, in every format.
    let title = format!("KILL: {headline}");
    let j: Value = serde_json::from_str(&n.feed("kills", "json").body).unwrap();
    let notice = j["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["_wirefeed"]["id"] == id)
        .unwrap_or_else(|| panic!("kills.json: {j}"));
    assert_eq!(notice["title"], title.as_str());
    assert_eq!(notice["_wirefeed"]["killed_guid"], g.as_str());
    assert_eq!(notice["_wirefeed"]["reason"], reason);
    assert!(notice["summary"].as_str().unwrap().contains(reason));
    assert_ne!(
        notice["id"],
        g.as_str(),
        "a notice is a new item, not the story"
    );
    let rss = element(&n.feed("kills", "rss").body, "item", &g).expect("kills.rss");
    assert_eq!(text_of(&rss, "title").as_deref(), Some(title.as_str()));
    assert!(rss.contains(reason));
    let atom = element(&n.feed("kills", "atom").body, "entry", &g).expect("kills.atom");
    assert!(atom.contains(&title), "{atom}");
    assert!(atom.contains(reason));
    let xml = n.feed("kills", "xml").body;
    let item = element(&xml, "newsItem", &g).expect("kills.xml");
    assert!(item.contains(reason), "{item}");
    assert!(item.contains("stat:canceled"));
    assert!(
        item.contains(&title),
        "kills.xml has no title {title:?}: {item}"
    );
    // The article's own documents.
    let page = app.get(&format!("/articles/{id}"));
    assert_eq!(page.status, 410);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.body.contains(reason) && page.body.contains(headline));
    let x = app.get(&format!("/articles/{id}.xml"));
    assert_eq!(x.status, 200);
    assert!(x.body.contains("<pubStatus qcode=\"stat:canceled\"/>"));
    let ninjs = app.get(&format!("/articles/{id}.json"));
    assert_eq!(ninjs.status, 200);
    assert_eq!(ninjs.json()["pubstatus"], "canceled");
}

#[test]
fn a_kill_within_the_second_of_the_last_change_still_leaves_the_feeds_before_delete_returns() {
    let n = Newsroom::new();
    let id = "life-kill";
    n.put(&article(
        id,
        "Camp numbers revised",
        "Officials gave new figures.",
    ));
    n.put(&article(
        "life-stay",
        "Another story stays",
        "Nothing happened to this one.",
    ));
    n.poll(&["all", "migration", "kills"]);
    let r = n.app.api(
        "DELETE",
        &format!("/api/v1/articles/{id}"),
        &n.token,
        Some(&json!({"reason": "Legal advice: names a minor"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    check_killed(
        &n,
        id,
        "Camp numbers revised",
        "Legal advice: names a minor",
        true,
    );
    assert!(json_item(&n.feed("all", "json").body, "life-stay").is_some());
    // A kill in the API is a version; a later PUT is refused.
    problem(
        &n.app.api(
            "PUT",
            &format!("/api/v1/articles/{id}"),
            &n.token,
            Some(&article(id, "x", "y")),
        ),
        409,
    );
}

#[test]
fn a_kill_a_second_after_the_last_change_leaves_the_feeds_at_once() {
    let n = Newsroom::new();
    let id = "life-kill-late";
    n.put(&article(
        id,
        "Harbour strike ends",
        "Dockers returned to work.",
    ));
    // No other change in this second: the new page can be dated at once.
    std::thread::sleep(Duration::from_millis(1100));
    n.poll(&["all", "migration", "kills"]);
    let r = n.app.api(
        "DELETE",
        &format!("/api/v1/articles/{id}"),
        &n.token,
        Some(&json!({"reason": "Wrong port named"})),
    );
    assert_eq!(r.status, 200);
    check_killed(&n, id, "Harbour strike ends", "Wrong port named", true);
}

#[test]
fn wirefeed_kill_from_the_cli_does_the_same_as_delete() {
    let n = Newsroom::new();
    let id = "life-cli-kill";
    n.put(&article(
        id,
        "Visa rules change",
        "New rules start in January.",
    ));
    n.poll(&["all", "migration", "kills"]);
    let (code, out, err) = n
        .app
        .cli(&["kill", id, "--reason", "Embargo broken by mistake"]);
    assert_eq!(code, 0, "{out}{err}");
    check_killed(
        &n,
        id,
        "Visa rules change",
        "Embargo broken by mistake",
        false,
    );
    let a = n
        .app
        .api("GET", &format!("/api/v1/articles/{id}"), &n.token, None)
        .json();
    assert_eq!(a["status"], "canceled");
    assert_eq!(a["kill_reason"], "Embargo broken by mistake");
    let (code, _, _) = n.app.cli(&["kill", "no-such-story"]);
    assert_ne!(code, 0);
}

/// Regression: `kills.xml` carried the canceled story under its own headline and text, so a
/// NewsML-G2 reader could not tell the notice from the story.
#[test]
fn newsml_kill_notices_are_titled_kill_and_carry_the_notice_not_the_story() {
    let n = Newsroom::new();
    let id = "life-nml";
    n.put(&article(
        id,
        "Ministry figures leaked",
        "Secret figures here.",
    ));
    let r = n.app.api(
        "DELETE",
        &format!("/api/v1/articles/{id}"),
        &n.token,
        Some(&json!({"reason": "Source withdrew"})),
    );
    assert_eq!(r.status, 200);
    let xml = n.feed("kills", "xml").body;
    let item = element(&xml, "newsItem", &guid(id)).unwrap();
    assert_eq!(
        text_of(&item, "headline").as_deref(),
        Some("KILL: Ministry figures leaked")
    );
    assert!(item.contains("Source withdrew"));
    assert!(!item.contains("Secret figures"), "{item}");
}
