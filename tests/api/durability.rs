//! A 2xx write is durable (docs/api.md, Publishing API): `kill -9` of the server partway through a stream of
//! writes loses none of the acknowledged ones, nor their version history.

use crate::helpers::{agent, publisher_key, send_to, spawn_app_with};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// (id, version, headline) of every write that was answered 2xx.
type Acked = Arc<Mutex<Vec<(String, u64, String)>>>;

#[test]
fn every_acknowledged_write_survives_kill_9_with_its_versions() {
    let mut app = spawn_app_with(None);
    let t = publisher_key(&app);
    let acked: Acked = Default::default();
    let count = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (address, acked, count, t) =
            (app.address.clone(), acked.clone(), count.clone(), t.clone());
        std::thread::spawn(move || {
            let agent = agent();
            let auth = format!("Bearer {t}");
            let headers = [
                ("Authorization", auth.as_str()),
                ("Content-Type", "application/json"),
            ];
            // 150 new articles, then second versions of the first 50.
            for i in 0..200 {
                let (n, round) = if i < 150 { (i, 1) } else { (i - 150, 2) };
                let id = format!("dur-{n:03}");
                let headline = format!("Durable story {n} round {round}");
                let body = json!({"id": id, "headline": headline, "body": format!("Text {n} {round}."), "language": "en"});
                match send_to(
                    &agent,
                    &address,
                    "PUT",
                    &format!("/api/v1/articles/{id}"),
                    &headers,
                    body.to_string().as_bytes(),
                ) {
                    Ok(r) if (200..300).contains(&r.status) => {
                        let v = r.json()["version"].as_u64().unwrap();
                        assert_eq!(v, round, "{id}: {}", r.body);
                        acked.lock().unwrap().push((id, v, headline));
                        count.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(r) => panic!("{id}: {} {}", r.status, r.body),
                    // The server is gone: what was not acknowledged promises nothing.
                    Err(_) => return i,
                }
            }
            200
        })
    };
    // Kill it partway: after 60 acknowledged writes (bounded wait, not a timing assertion).
    let deadline = Instant::now() + Duration::from_secs(60);
    while count.load(Ordering::SeqCst) < 60 {
        assert!(Instant::now() < deadline, "the writer made no progress");
        std::thread::sleep(Duration::from_millis(1));
    }
    app.kill9();
    let sent = writer.join().unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 60);
    assert!(
        sent < 200,
        "the server was killed after every write: kill it earlier"
    );
    app.restart();
    let h = app.get("/healthz");
    assert_eq!(h.status, 200);
    for (id, version, headline) in &acked {
        let r = app.api("GET", &format!("/api/v1/articles/{id}/versions"), &t, None);
        assert_eq!(r.status, 200, "{id} lost after kill -9: {}", r.body);
        let versions = r.json()["versions"].as_array().unwrap().clone();
        let v = versions
            .iter()
            .find(|v| v["version"] == *version)
            .unwrap_or_else(|| panic!("{id} lost version {version}: {versions:?}"));
        assert_eq!(
            v["content"]["headline"],
            headline.as_str(),
            "{id} v{version}"
        );
        let numbers: Vec<u64> = versions
            .iter()
            .map(|v| v["version"].as_u64().unwrap())
            .collect();
        assert_eq!(
            numbers,
            (1..=numbers.len() as u64).collect::<Vec<_>>(),
            "{id}: a gap in the history"
        );
        let a = app
            .api("GET", &format!("/api/v1/articles/{id}"), &t, None)
            .json();
        assert!(a["version"].as_u64().unwrap() >= *version);
    }
    // The restarted server serves them in its feeds, and keeps writing.
    let all: serde_json::Value =
        serde_json::from_str(&app.get("/feeds/all.json?limit=200").body).unwrap();
    let in_feed = all["items"].as_array().unwrap().len();
    assert!(
        in_feed >= acked.iter().filter(|a| a.1 == 1).count(),
        "{in_feed}"
    );
    let r = app.api(
        "PUT",
        "/api/v1/articles/after-restart",
        &t,
        Some(&json!({"headline": "After", "body": "Back."})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
}
