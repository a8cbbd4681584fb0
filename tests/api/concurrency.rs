//! SLOW (~20 s): 16 concurrent writers and 64 concurrent readers against one server. No errors,
//! no lost writes, every feed still valid.

use crate::helpers::{agent, publisher_key, send_to, spawn_app_with};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WRITERS: usize = 16;
const READERS: usize = 64;
const SECONDS: u64 = 20;
/// A bound on writes per writer, so a fast machine does not grow the database without end.
const MAX_WRITES: usize = 400;

fn valid(path: &str, body: &str) -> Result<(), String> {
    if path.ends_with(".xml") {
        let mut reader = quick_xml::Reader::from_str(body);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(format!("{path}: not well-formed: {e}")),
            }
        }
    }
    if path.ends_with(".json") {
        let v: Value = serde_json::from_str(body).map_err(|e| format!("{path}: {e}"))?;
        if !v["items"].is_array() {
            return Err(format!("{path}: no items"));
        }
    }
    feed_rs::parser::parse(body.as_bytes())
        .map(|_| ())
        .map_err(|e| format!("{path}: {e}"))
}

#[test]
fn sixteen_writers_and_sixty_four_readers_for_twenty_seconds_lose_nothing() {
    let app = spawn_app_with(None);
    let t = publisher_key(&app);
    let stop = Arc::new(AtomicBool::new(false));
    let errors: Arc<Mutex<Vec<String>>> = Default::default();
    let reads = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + Duration::from_secs(SECONDS);
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (address, t, errors) = (app.address.clone(), t.clone(), errors.clone());
            std::thread::spawn(move || {
                let agent = agent();
                let auth = format!("Bearer {t}");
                let headers = [
                    ("Authorization", auth.as_str()),
                    ("Content-Type", "application/json"),
                ];
                // id → (version, headline) of its last acknowledged write.
                let mut acked: HashMap<String, (u64, String)> = HashMap::new();
                let mut i = 0;
                while i < MAX_WRITES && Instant::now() < end {
                    // Every fourth write is a new version of an earlier article.
                    let n = if i % 4 == 3 { i / 2 } else { i };
                    let id = format!("cc-{w:02}-{n:04}");
                    let headline = format!("Writer {w} story {n} write {i}");
                    let topic = if n % 2 == 0 { "migration" } else { "security" };
                    let body = json!({
                        "id": id, "headline": headline, "language": "en", "topics": [topic],
                        "body": format!("Concurrent text {w} {n} {i} & <escaped> \"quotes\"."),
                    });
                    let path = format!("/api/v1/articles/{id}");
                    match send_to(
                        &agent,
                        &address,
                        "PUT",
                        &path,
                        &headers,
                        body.to_string().as_bytes(),
                    ) {
                        Ok(r) if (200..300).contains(&r.status) => {
                            let v = r.json()["version"].as_u64().unwrap();
                            acked.insert(id, (v, headline));
                        }
                        Ok(r) => errors
                            .lock()
                            .unwrap()
                            .push(format!("PUT {path}: {} {}", r.status, r.body)),
                        Err(e) => errors.lock().unwrap().push(format!("PUT {path}: {e}")),
                    }
                    i += 1;
                }
                acked
            })
        })
        .collect();
    let paths: Vec<String> = ["all", "migration", "security", "kills"]
        .iter()
        .flat_map(|f| ["rss", "atom", "json", "xml"].map(|e| format!("/feeds/{f}.{e}")))
        .collect();
    let readers: Vec<_> = (0..READERS)
        .map(|r| {
            let (address, stop, errors, reads, paths) = (
                app.address.clone(),
                stop.clone(),
                errors.clone(),
                reads.clone(),
                paths.clone(),
            );
            std::thread::spawn(move || {
                let agent = agent();
                let mut k = r;
                while !stop.load(Ordering::Relaxed) && Instant::now() < end {
                    let path = &paths[k % paths.len()];
                    k += 1;
                    match send_to(&agent, &address, "GET", path, &[], b"") {
                        Ok(resp) if resp.status == 200 => {
                            if let Err(e) = valid(path, &resp.body) {
                                errors.lock().unwrap().push(e);
                            }
                        }
                        Ok(resp) => errors
                            .lock()
                            .unwrap()
                            .push(format!("GET {path}: {}", resp.status)),
                        Err(e) => errors.lock().unwrap().push(format!("GET {path}: {e}")),
                    }
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let acked: Vec<HashMap<String, (u64, String)>> =
        writers.into_iter().map(|w| w.join().unwrap()).collect();
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    let errors = errors.lock().unwrap().clone();
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
    let writes: usize = acked.iter().map(HashMap::len).sum();
    assert!(writes > 0 && reads.load(Ordering::Relaxed) > 0);
    // No lost write: each article is at its last acknowledged version, with that text.
    for (id, (version, headline)) in acked.iter().flatten() {
        let r = app.api("GET", &format!("/api/v1/articles/{id}"), &t, None);
        assert_eq!(r.status, 200, "{id} lost");
        let a = r.json();
        assert_eq!(a["version"], *version, "{id}");
        assert_eq!(a["headline"], headline.as_str(), "{id}");
    }
    // The feeds are valid and hold the newest writes.
    for p in &paths {
        let r = app.get(p);
        assert_eq!(r.status, 200);
        valid(p, &r.body).unwrap();
    }
    eprintln!(
        "concurrency: {writes} articles written, {} reads",
        reads.load(Ordering::Relaxed)
    );
}
