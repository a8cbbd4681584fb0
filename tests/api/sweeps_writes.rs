//! Sweeps over real HTTP (issue 16), each with its positive control: concurrent writes to one
//! article, chunked bodies the wire layer must refuse, and a SIGTERM with writes in flight.
//! What stories leave behind in public places is sweeps.rs.

use crate::helpers::{TestApp, agent, publisher_key, send_to, spawn_app_with, story};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::sync::Barrier;

/// `n` threads, released together, each running `f(i)`; their results in thread order.
fn at_once<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let barrier = Barrier::new(n);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (barrier, f) = (&barrier, &f);
                s.spawn(move || {
                    barrier.wait();
                    f(i)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn put(
    app: &TestApp,
    token: &str,
    id: &str,
    headline: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let auth = format!("Bearer {token}");
    let mut headers = vec![
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    headers.extend_from_slice(extra);
    let body = story(id, headline).to_string();
    let r = send_to(
        &agent(),
        &app.address,
        "PUT",
        &format!("/api/v1/articles/{id}"),
        &headers,
        body.as_bytes(),
    )
    .unwrap_or_else(|e| panic!("PUT {id}: {e}"));
    let v = serde_json::from_str(&r.body).unwrap_or(Value::Null);
    (r.status, v)
}

/// Every stored version of `id`: (version, headline), oldest first.
fn versions(app: &TestApp, token: &str, id: &str) -> Vec<(u64, String)> {
    let r = app.api(
        "GET",
        &format!("/api/v1/articles/{id}/versions"),
        token,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    let list = v
        .as_array()
        .or_else(|| v["versions"].as_array())
        .unwrap_or_else(|| panic!("no version list: {}", r.body));
    list.iter()
        .map(|x| {
            (
                x["version"].as_u64().unwrap(),
                x["content"]["headline"]
                    .as_str()
                    .unwrap_or_else(|| panic!("no content.headline: {x}"))
                    .to_owned(),
            )
        })
        .collect()
}

#[test]
fn n_puts_with_one_if_match_give_one_200_and_the_rest_412() {
    const N: usize = 8;
    let app = spawn_app_with(None);
    let t = publisher_key(&app);
    let c = app.api(
        "POST",
        "/api/v1/articles",
        &t,
        Some(&story("race-1", "First take")),
    );
    assert_eq!(c.status, 201, "{}", c.body);
    let etag = c.header("etag").unwrap().to_owned();
    let results = at_once(N, |i| {
        put(
            &app,
            &t,
            "race-1",
            &format!("Take number {i}"),
            &[("If-Match", &etag)],
        )
    });
    let statuses: Vec<u16> = results.iter().map(|r| r.0).collect();
    let winners: Vec<usize> = (0..N).filter(|&i| statuses[i] == 200).collect();
    assert_eq!(winners.len(), 1, "exactly one 200: {statuses:?}");
    assert_eq!(
        statuses.iter().filter(|&&s| s == 412).count(),
        N - 1,
        "the others 412: {statuses:?}"
    );
    let won = format!("Take number {}", winners[0]);
    assert_eq!(
        versions(&app, &t, "race-1"),
        [(1, "First take".to_owned()), (2, won.clone())],
        "one new version, the winner's"
    );
    let now = app.api("GET", "/api/v1/articles/race-1", &t, None).json();
    assert_eq!(now["headline"], won.as_str());
}

#[test]
fn n_puts_without_if_match_keep_versions_contiguous_and_the_last_acknowledged_write_wins() {
    const N: usize = 8;
    const EACH: usize = 5;
    let app = spawn_app_with(None);
    let t = publisher_key(&app);
    let c = app.api(
        "POST",
        "/api/v1/articles",
        &t,
        Some(&story("race-2", "Opening take")),
    );
    assert_eq!(c.status, 201, "{}", c.body);
    let acked: Vec<Vec<(u64, String)>> = at_once(N, |i| {
        (0..EACH)
            .map(|j| {
                let headline = format!("Writer {i} take {j}");
                let (status, v) = put(&app, &t, "race-2", &headline, &[]);
                assert_eq!(status, 200, "{headline}: {v}");
                assert_eq!(v["headline"], headline.as_str(), "the answer is this write");
                (v["version"].as_u64().unwrap(), headline)
            })
            .collect()
    });
    let mut acked: Vec<(u64, String)> = acked.into_iter().flatten().collect();
    acked.sort();
    // Every acknowledged write is one version, numbered without a gap or a repeat after the
    // first, and stored as acknowledged.
    let expected: Vec<u64> = (2..=(1 + N * EACH) as u64).collect();
    assert_eq!(
        acked.iter().map(|a| a.0).collect::<Vec<_>>(),
        expected,
        "versions of the acknowledged writes"
    );
    let stored = versions(&app, &t, "race-2");
    assert_eq!(stored[0], (1, "Opening take".to_owned()));
    assert_eq!(
        stored[1..],
        acked[..],
        "the stored versions are the acknowledged writes"
    );
    // Within each writer (sequential requests) the versions rise.
    for i in 0..N {
        let mine: Vec<u64> = acked
            .iter()
            .filter(|a| a.1.starts_with(&format!("Writer {i} ")))
            .map(|a| a.0)
            .collect();
        assert_eq!(mine.len(), EACH);
    }
    // The last acknowledged write (the highest version) is what everyone reads.
    let last = acked.last().unwrap().1.clone();
    let now = app.api("GET", "/api/v1/articles/race-2", &t, None).json();
    assert_eq!(now["headline"], last.as_str());
    let page = app.get("/articles/race-2.json");
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&last), "{}", page.body);
}

/// Sends `head` and then `body` in chunks of `chunk` bytes over one connection (ignoring a
/// connection the server closed early), and returns the status line's code and the whole answer.
fn send_chunked(app: &TestApp, head: &str, body: &[u8], chunk: usize) -> (u16, String) {
    let host = app.address.strip_prefix("http://").unwrap();
    let mut s = std::net::TcpStream::connect(host).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let mut out = Vec::new();
    write!(
        out,
        "{head}Host: {host}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    for part in body.chunks(chunk) {
        write!(out, "{:x}\r\n", part.len()).unwrap();
        out.extend_from_slice(part);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    // The server may answer 413 and close before the last chunk: that is its right.
    for piece in out.chunks(64 * 1024) {
        if s.write_all(piece).is_err() {
            break;
        }
    }
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text:.300}"));
    (status, text)
}

#[test]
fn a_chunked_body_over_the_limit_is_413_and_one_under_it_is_accepted() {
    let app = spawn_app_with(None);
    let t = publisher_key(&app);
    let head = format!(
        "POST /api/v1/articles HTTP/1.1\r\nAuthorization: Bearer {t}\r\nContent-Type: application/json\r\n"
    );
    // The positive control: the same transfer coding with a small body is read and stored.
    let small = story("chunked-1", "Chunked but small").to_string();
    let (status, text) = send_chunked(&app, &head, small.as_bytes(), 17);
    assert_eq!(status, 201, "{text:.500}");
    assert_eq!(app.get("/articles/chunked-1.json").status, 200);
    let mut big = story("chunked-2", "Chunked and huge");
    big["body"] = json!("a".repeat(4 * 1024 * 1024));
    let (status, text) = send_chunked(&app, &head, big.to_string().as_bytes(), 8192);
    assert_eq!(status, 413, "{text:.500}");
    assert!(
        text.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{text:.500}"
    );
    assert_eq!(app.get("/articles/chunked-2.json").status, 404);
    assert_eq!(app.get("/healthz").body.trim(), "ok");
}

#[test]
fn sigterm_with_writes_in_flight_answers_each_whole_or_refuses_and_keeps_every_2xx() {
    let mut app = crate::helpers::spawn_app_with(None);
    let t = crate::helpers::publisher_key(&app);
    let address = app.address.clone();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let acked = std::sync::Mutex::new(Vec::<String>::new());
    let broken = std::sync::Mutex::new(Vec::<String>::new());
    let refused = std::sync::atomic::AtomicUsize::new(0);
    let (status, took) = std::thread::scope(|s| {
        for w in 0..6 {
            let (address, t, stop, acked, broken, refused) =
                (&address, &t, &stop, &acked, &broken, &refused);
            s.spawn(move || {
                // A new connection per request: refused is the only unanswered outcome allowed.
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .max_idle_connections(0)
                    .max_idle_connections_per_host(0)
                    .timeout_global(Some(std::time::Duration::from_secs(30)))
                    .build()
                    .into();
                let auth = format!("Bearer {t}");
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    n += 1;
                    let id = format!("term-{w}-{n}");
                    let body =
                        crate::helpers::story(&id, &format!("Shutdown story {w} {n}")).to_string();
                    match crate::helpers::send_to(
                        &agent,
                        address,
                        "POST",
                        "/api/v1/articles",
                        &[
                            ("Authorization", &auth),
                            ("Content-Type", "application/json"),
                        ],
                        body.as_bytes(),
                    ) {
                        Ok(r) if (200..300).contains(&r.status) => {
                            if serde_json::from_str::<serde_json::Value>(&r.body)
                                .map(|v| v["id"] == id.as_str())
                                .unwrap_or(false)
                            {
                                acked.lock().unwrap().push(id);
                            } else {
                                broken.lock().unwrap().push(format!("{id}: {}", r.body));
                            }
                        }
                        // A whole answer refusing the write (503 while stopping) is allowed.
                        Ok(r) => {
                            let _: serde_json::Value = serde_json::from_str(&r.body)
                                .unwrap_or_else(|e| {
                                    panic!(
                                        "{id}: {} not a whole problem ({e}): {}",
                                        r.status, r.body
                                    )
                                });
                        }
                        Err(ureq::Error::Io(e))
                            if e.kind() == std::io::ErrorKind::ConnectionRefused =>
                        {
                            refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Err(e) => broken.lock().unwrap().push(format!("{id}: dropped: {e}")),
                    }
                }
            });
        }
        // Writes are landing (the positive control), then SIGTERM in the middle of them.
        app.eventually_for(std::time::Duration::from_secs(15), || {
            (acked.lock().unwrap().len() >= 20).then_some(())
        });
        let result = app.terminate();
        app.eventually_for(std::time::Duration::from_secs(10), || {
            (refused.load(std::sync::atomic::Ordering::Relaxed) >= 6).then_some(())
        });
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        result
    });
    assert!(status.success(), "exit status {status:?} after {took:?}");
    let broken = broken.into_inner().unwrap();
    app.restart();
    assert!(
        broken.is_empty(),
        "requests neither answered whole nor refused: {broken:?}"
    );
    let acked = acked.into_inner().unwrap();
    for id in &acked {
        let r = app.api("GET", &format!("/api/v1/articles/{id}"), &t, None);
        assert_eq!(
            r.status, 200,
            "{id} was acknowledged but is gone: {}",
            r.body
        );
    }
}
