//! Digests and fan-out over a real store on a temporary database, with the clock passed in:
//! a slot is enqueued once, never twice (a second planner, a restart), nothing is mailed when
//! nothing is new, and a story reaches the digest of each frequency once.

use super::*;
use crate::model::{ArticleId, Content, Draft, Revision};
use chrono::{DateTime, TimeZone, Utc};

fn config() -> Config {
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/feeds.toml")).unwrap();
    let text = format!(
        "{shipped}\n[mail]\nsmtp_url = \"smtp://127.0.0.1:9\"\nfrom = \"ANV <alerts@anv.example>\"\ndigest_time = \"07:00\"\ntimezone = \"Europe/Madrid\"\n"
    );
    Config::parse(&text, std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn service(dir: &std::path::Path) -> Alerts {
    let config = Arc::new(config());
    let store = Arc::new(Store::open(&dir.join("t.db"), true).unwrap());
    let changes = ChangeBus::new();
    let feeds = Arc::new(Feeds::with_bus(
        config.clone(),
        store.clone(),
        changes.clone(),
    ));
    Alerts::new(config, store, Arc::new(Keyring::default()), feeds, changes)
        .unwrap()
        .unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn file(a: &Alerts, id: &str, headline: &str, topics: &[&str], when: DateTime<Utc>) {
    file_in(a, id, headline, topics, &[], when);
}

fn file_in(
    a: &Alerts,
    id: &str,
    headline: &str,
    topics: &[&str],
    places: &[&str],
    when: DateTime<Utc>,
) {
    let draft = Draft {
        id: Some(ArticleId::parse(id).unwrap()),
        content: Content {
            headline: headline.into(),
            summary: None,
            body: format!("{headline}."),
            language: "en".into(),
            byline: Vec::new(),
            dateline: None,
            published_at: Some(when),
            published_offset: None,
            embargo_until: None,
            editor_topics: topics.iter().map(|t| t.to_string()).collect(),
            editor_places: Vec::new(),
            keywords: Vec::new(),
            urgency: None,
            translation_of: None,
            media: Vec::new(),
            usage_terms: None,
            evolved_from: None,
            slugline: None,
        },
        revision: Revision::Update,
        correction_note: None,
        media_files: Vec::new(),
    };
    let topics: Vec<String> = topics.iter().map(|t| t.to_string()).collect();
    let places: Vec<String> = places.iter().map(|t| t.to_string()).collect();
    a.store
        .upsert(&draft, draft.id.as_ref().unwrap(), &topics, &places, when)
        .unwrap()
        .unwrap();
}

fn subscribe(a: &Alerts, email: &str, frequency: &str, topics: &[&str], when: DateTime<Utc>) {
    let input = Input {
        email: Some(email.into()),
        topics: topics.iter().map(|t| t.to_string()).collect(),
        frequency: Some(frequency.into()),
        lang: Some("en".into()),
        ..Input::default()
    };
    subscribe_with(a, input, when);
}

fn subscribe_with(a: &Alerts, input: Input, when: DateTime<Utc>) {
    let email = input.email.clone().unwrap();
    a.subscribe(&input, when.timestamp_millis()).unwrap();
    let s = a
        .store
        .alerts_list()
        .unwrap()
        .into_iter()
        .rfind(|s| s.email == email)
        .unwrap();
    assert!(
        a.store
            .alerts_confirm(s.id, when.timestamp_millis())
            .unwrap()
    );
}

fn digests(a: &Alerts) -> Vec<(String, String, Vec<String>)> {
    let now = Utc::now().timestamp_millis() + 86_400_000 * 400;
    a.store
        .alerts_claim(now, 1000, 86_400_000 * 10)
        .unwrap()
        .into_iter()
        .filter(|m| m.row.kind == "digest")
        .map(|m| (m.subscription.email, m.row.digest, m.row.stories))
        .collect()
}

#[test]
fn a_daily_digest_goes_out_once_per_slot_with_only_what_is_new_and_nothing_when_nothing_is() {
    let dir = tempfile::tempdir().unwrap();
    let a = service(dir.path());
    subscribe(
        &a,
        "daily@embassy.example",
        "daily",
        &["security"],
        at("2026-12-06T10:00:00Z"),
    );
    subscribe(
        &a,
        "other@embassy.example",
        "daily",
        &["migration"],
        at("2026-12-06T10:00:00Z"),
    );
    file(
        &a,
        "s1",
        "Security one",
        &["security"],
        at("2026-12-06T12:00:00Z"),
    );
    // A story before the subscription was confirmed is not in its digest.
    // The slot of 7 December, 07:00 in Madrid (06:00 UTC), run at 06:00:30 UTC.
    let n = worker::run_digest(&a, "daily", at("2026-12-07T06:00:30Z")).unwrap();
    assert_eq!(n, 1, "one digest: the migration subscriber has nothing new");
    // The same slot again (a second process, a restart): nothing.
    assert_eq!(
        worker::run_digest(&a, "daily", at("2026-12-07T09:00:00Z")).unwrap(),
        0
    );
    let now = Utc::now().timestamp_millis() + 86_400_000 * 400;
    let claimed: Vec<_> = a
        .store
        .alerts_claim(now, 1000, 86_400_000 * 10)
        .unwrap()
        .into_iter()
        .filter(|m| m.row.kind == "digest")
        .collect();
    let sent: Vec<_> = claimed
        .iter()
        .map(|m| {
            (
                m.subscription.email.clone(),
                m.row.digest.clone(),
                m.row.stories.clone(),
            )
        })
        .collect();
    assert_eq!(
        sent,
        vec![(
            "daily@embassy.example".to_owned(),
            "daily:2026-12-07".to_owned(),
            vec!["s1".to_owned()]
        )]
    );
    // Once sent, the digest counts as having carried s1: a correction or kill of s1 goes to
    // its subscription, replying to the digest (and s2, never mailed, has no recipient).
    assert!(
        a.store.alerts_recipients("s1").unwrap().is_empty(),
        "not sent yet"
    );
    a.store
        .alerts_record(&claimed[0], &crate::store::AlertOutcome::Sent, now)
        .unwrap();
    assert_eq!(
        a.store.alerts_recipients("s1").unwrap(),
        vec![(
            claimed[0].subscription.id,
            claimed[0].row.message_id.clone()
        )]
    );
    // The next day: nothing new, no mail (but the slot is recorded).
    assert_eq!(
        worker::run_digest(&a, "daily", at("2026-12-08T06:05:00Z")).unwrap(),
        0
    );
    assert!(
        a.store
            .alerts_digest_ran("daily", "daily:2026-12-08")
            .unwrap()
    );
    // A story after a slot goes in the next one only, never again in a later one.
    file(
        &a,
        "s2",
        "Security two",
        &["security"],
        at("2026-12-08T08:00:00Z"),
    );
    assert_eq!(
        worker::run_digest(&a, "daily", at("2026-12-09T06:01:00Z")).unwrap(),
        1
    );
    assert_eq!(digests(&a)[0].2, vec!["s2".to_owned()]);
    assert_eq!(
        worker::run_digest(&a, "daily", at("2026-12-10T06:01:00Z")).unwrap(),
        0
    );
}

#[test]
fn a_server_down_over_a_slot_runs_it_when_it_comes_back_and_skips_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = service(dir.path());
    subscribe(
        &a,
        "weekly@embassy.example",
        "weekly",
        &[],
        at("2026-11-30T12:00:00Z"),
    );
    file(
        &a,
        "w1",
        "Any story",
        &["migration"],
        at("2026-12-01T12:00:00Z"),
    );
    file(
        &a,
        "w2",
        "Another story",
        &["security"],
        at("2026-12-03T12:00:00Z"),
    );
    // Monday 7 December 07:00 Madrid passed while the server was down; it starts on Tuesday.
    let tuesday = Utc.with_ymd_and_hms(2026, 12, 8, 15, 0, 0).unwrap();
    assert_eq!(worker::run_digest(&a, "weekly", tuesday).unwrap(), 1);
    let sent = digests(&a);
    assert_eq!(sent[0].1, "weekly:2026-12-07");
    assert_eq!(sent[0].2, vec!["w2".to_owned(), "w1".to_owned()]);
}

#[test]
fn an_immediate_story_goes_to_the_subscriptions_whose_filter_it_matches_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = service(dir.path());
    let t0 = at("2026-12-06T10:00:00Z");
    let sub = |email: &str, f: serde_json::Value| {
        let mut f = f;
        f["email"] = email.into();
        f["lang"] = "en".into();
        subscribe_with(&a, Input::from_json(f.to_string().as_bytes()).unwrap(), t0);
    };
    sub("all@e.example", serde_json::json!({}));
    sub(
        "topic@e.example",
        serde_json::json!({"topics": ["security"]}),
    );
    sub(
        "wrong-topic@e.example",
        serde_json::json!({"topics": ["migration"]}),
    );
    sub(
        "country@e.example",
        serde_json::json!({"countries": ["GT"]}),
    );
    sub(
        "wrong-country@e.example",
        serde_json::json!({"countries": ["MX"]}),
    );
    sub("lang@e.example", serde_json::json!({"language": "en"}));
    sub(
        "wrong-lang@e.example",
        serde_json::json!({"language": "es"}),
    );
    sub("q@e.example", serde_json::json!({"q": "weapons"}));
    sub("wrong-q@e.example", serde_json::json!({"q": "harvest"}));
    sub("daily@e.example", serde_json::json!({"frequency": "daily"}));
    // The confirmations are in the outbox; take them out of the way.
    let now = Utc::now().timestamp_millis();
    a.store.alerts_claim(now, 1000, 86_400_000 * 10).unwrap();
    let t1 = at("2026-12-06T11:00:00Z");
    file_in(
        &a,
        "gt-1",
        "Weapons seized in Guatemala",
        &["security"],
        &["GT"],
        t1,
    );
    assert_eq!(worker::fan_out(&a, Utc::now()).unwrap(), 5);
    // The same event is gone: a second round enqueues nothing.
    assert_eq!(worker::fan_out(&a, Utc::now()).unwrap(), 0);
    let mut to: Vec<String> = a
        .store
        .alerts_claim(Utc::now().timestamp_millis(), 1000, 86_400_000 * 10)
        .unwrap()
        .into_iter()
        .map(|m| m.subscription.email)
        .collect();
    to.sort();
    assert_eq!(
        to,
        [
            "all@e.example",
            "country@e.example",
            "lang@e.example",
            "q@e.example",
            "topic@e.example"
        ]
    );
}
