//! Operating the server: metrics, health and readiness, request logs, graceful shutdown,
//! backups, and `check` catching what would fail at start.

use crate::helpers::{
    config_text, key, publisher_key, repo, spawn_app, spawn_app_logged, start_server, story,
    wirefeed,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The value of the sample `name` (with its labels, as written) in a metrics page.
fn sample(metrics: &str, name: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// Checks the text format's structure (Prometheus exposition 0.0.4): every sample belongs to
/// a family declared by `# TYPE` before it, values are numbers, and each histogram's buckets
/// never decrease and end at `+Inf` with its `_count`.
fn assert_well_formed(metrics: &str) {
    let mut types: HashMap<String, String> = HashMap::new();
    let mut buckets: HashMap<String, f64> = HashMap::new();
    for line in metrics.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            assert!(
                types.insert(name.into(), kind.into()).is_none(),
                "declared twice: {line}"
            );
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a sample is `series value`");
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {line}"));
        let name = series.split('{').next().unwrap();
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| types.get(*f).is_some_and(|k| k == "histogram"))
            })
            .unwrap_or(name);
        let kind = types
            .get(family)
            .unwrap_or_else(|| panic!("no # TYPE before {line}"));
        if kind == "counter" {
            assert!(family.ends_with("_total"), "counters end in _total: {line}");
        }
        if name.ends_with("_bucket") {
            let labels = series.split(",le=").next().unwrap().to_owned();
            let prev = buckets.insert(labels.clone(), value).unwrap_or(0.0);
            assert!(value >= prev, "buckets decrease: {line}");
        }
        if name.ends_with("_count") && kind == "histogram" {
            let labels = series.replace("_count{", "_bucket{");
            let labels = labels.trim_end_matches('}');
            assert_eq!(buckets.get(labels), Some(&value), "+Inf bucket vs {line}");
        }
    }
}

#[test]
fn metrics_count_requests_cache_renders_and_articles_in_the_prometheus_text_format() {
    let app = spawn_app();
    assert_eq!(app.get("/feeds/security.atom").status, 200);
    let etag = app.get("/feeds/security.atom");
    let etag = etag.header("etag").unwrap();
    assert_eq!(
        app.get_with("/feeds/security.atom", &[("If-None-Match", etag)])
            .status,
        304
    );
    assert_eq!(app.get("/no/such/thing").status, 404);
    assert_eq!(app.get("/").status, 200);
    let m = app.get("/metrics");
    assert_eq!(m.status, 200);
    assert!(
        m.header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
        "{:?}",
        m.header("content-type")
    );
    let m = m.body;
    assert_well_formed(&m);
    let at = |name: &str| sample(&m, name).unwrap_or_else(|| panic!("no {name} in:\n{m}"));
    assert_eq!(
        at("wirefeed_http_requests_total{route=\"feed\",status=\"200\"}"),
        2.0
    );
    assert_eq!(
        at("wirefeed_http_requests_total{route=\"feed\",status=\"304\"}"),
        1.0
    );
    assert_eq!(
        at("wirefeed_http_requests_total{route=\"other\",status=\"404\"}"),
        1.0
    );
    assert_eq!(
        at("wirefeed_http_requests_total{route=\"page\",status=\"200\"}"),
        1.0
    );
    assert!((at("wirefeed_http_not_modified_ratio") - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(
        at("wirefeed_http_request_duration_seconds_count{route=\"feed\"}"),
        3.0
    );
    assert!(at("wirefeed_http_response_body_bytes_total{route=\"feed\"}") > 1000.0);
    // One render of the Atom page, then two answers from the cache.
    assert_eq!(at("wirefeed_feed_renders_total{format=\"atom\"}"), 1.0);
    assert_eq!(
        at("wirefeed_render_duration_seconds_count{format=\"atom\"}"),
        1.0
    );
    assert!(at("wirefeed_page_cache_hits_total") >= 2.0);
    assert!(
        at("wirefeed_page_cache_misses_total") >= 2.0,
        "the feed and the index page"
    );
    assert!(at("wirefeed_page_cache_bytes") > 0.0);
    let total = at("wirefeed_articles");
    assert_eq!(total, 44.0);
    let by_status: f64 = ["usable", "withheld", "canceled"]
        .iter()
        .map(|s| at(&format!("wirefeed_articles_by_status{{status=\"{s}\"}}")))
        .sum();
    assert_eq!(by_status, total);
    for name in [
        "wirefeed_store_pool_waits_total",
        "wirefeed_store_busy_total",
        "wirefeed_rate_limited_total",
        "wirefeed_auth_failures_total",
        "wirefeed_websub_queue_depth",
        "wirefeed_websub_queue_oldest_age_seconds",
        "wirefeed_websub_delivery_attempts_total",
        "wirefeed_websub_delivery_failures_total",
        "wirefeed_cdn_purges_total",
        "process_start_time_seconds",
    ] {
        at(name);
    }

    // A kill by another process shows in the status counts within the watcher's 5 s.
    let canceled = at("wirefeed_articles_by_status{status=\"canceled\"}");
    let id = app.get("/feeds/all.json").json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .to_owned();
    let (code, _, err) = app.cli(&["kill", &id, "--reason", "metrics test"]);
    assert_eq!(code, 0, "{err}");
    app.eventually_for(Duration::from_secs(10), || {
        let m = app.get("/metrics").body;
        (sample(&m, "wirefeed_articles_by_status{status=\"canceled\"}") == Some(canceled + 1.0))
            .then_some(())
    });
}

#[test]
fn health_and_readiness_answer_without_being_cached() {
    let app = spawn_app();
    let h = app.get("/healthz");
    assert_eq!((h.status, h.body.as_str()), (200, "ok"));
    assert_eq!(h.header("cache-control"), Some("no-store"));
    let r = app.get("/readyz");
    assert_eq!((r.status, r.body.as_str()), (200, "ready"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(app.head("/readyz").status, 200);
    assert_eq!(
        app.request("POST", "/readyz", &[], b"").status,
        405,
        "a known path with another method"
    );
}

#[test]
fn sigterm_finishes_requests_in_flight_and_exits_cleanly_within_ten_seconds() {
    let mut app = spawn_app_logged(
        &config_text(Some(&repo().join("data/articles"))),
        &[("WIREFEED_LOG", "info")],
    );
    let address = app.address.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let broken = Arc::new(Mutex::new(Vec::new()));
    let answered = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let refused = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let pollers: Vec<_> = (0..4)
        .map(|i| {
            let (address, stop, broken, answered, refused) = (
                address.clone(),
                stop.clone(),
                broken.clone(),
                answered.clone(),
                refused.clone(),
            );
            std::thread::spawn(move || {
                // A new connection for each request: a refused connect is then the only way a
                // request can go unanswered, never a pooled connection closed under it.
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .max_idle_connections(0)
                    .max_idle_connections_per_host(0)
                    .timeout_global(Some(Duration::from_secs(30)))
                    .build()
                    .into();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    // Distinct searches: each one is read and rendered, not served from memory.
                    let url = format!(
                        "{address}/feeds/all.json?q=ministry&limit={}",
                        1 + (i * 97 + n) % 50
                    );
                    let mut resp = match agent.get(&url).call() {
                        Ok(resp) => resp,
                        // Refused once the listener closed: never accepted, nothing lost.
                        Err(ureq::Error::Io(e))
                            if e.kind() == std::io::ErrorKind::ConnectionRefused =>
                        {
                            refused.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                        // Anything else (reset, closed before the head, timeout) is an accepted
                        // request dropped: what SIGTERM must not cause.
                        Err(e) => {
                            broken.lock().unwrap().push(format!("dropped: {e}"));
                            continue;
                        }
                    };
                    match resp.body_mut().read_to_string() {
                        Ok(body) if resp.status() == 200 && body.trim_end().ends_with('}') => {
                            answered.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(body) => broken
                            .lock()
                            .unwrap()
                            .push(format!("{}: {body:.200}", resp.status())),
                        Err(e) => broken.lock().unwrap().push(format!("cut short: {e}")),
                    }
                }
            })
        })
        .collect();
    app.eventually_for(Duration::from_secs(15), || {
        (answered.load(Ordering::Relaxed) >= 8).then_some(())
    });
    assert!(
        broken.lock().unwrap().is_empty(),
        "{:?}",
        broken.lock().unwrap()
    );
    let (status, took) = app.terminate();
    // The positive control for "refused, not dropped": the pollers go on until each has seen
    // the closed listener refuse it.
    app.eventually_for(Duration::from_secs(10), || {
        (refused.load(Ordering::Relaxed) >= 4).then_some(())
    });
    stop.store(true, Ordering::Relaxed);
    for p in pollers {
        p.join().unwrap();
    }
    assert!(status.success(), "exit status {status:?}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let broken = broken.lock().unwrap();
    assert!(broken.is_empty(), "answers cut short or failed: {broken:?}");
    let log = std::fs::read_to_string(app.dir.path().join("stderr.log")).unwrap();
    assert!(log.contains("stopped"), "{log}");
    // Closed cleanly: the database opens and checks as healthy.
    let (code, out, err) = wirefeed(&app.config_path(), &app.db_path(), &["check"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn request_logs_are_json_lines_naming_the_key_never_its_token() {
    let mut app = spawn_app_logged(
        &config_text(Some(&repo().join("data/articles"))),
        &[
            ("WIREFEED_LOG", "warn,wirefeed::request=info"),
            ("WIREFEED_LOG_FORMAT", "json"),
        ],
    );
    let token = key(
        &app,
        "embassy-log-test",
        "subscriber",
        &["--feed", "embassy-briefing"],
    );
    let bearer = format!("Bearer {token}");
    assert_eq!(
        app.get_with("/feeds/embassy-briefing.rss", &[("Authorization", &bearer)])
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/feeds/embassy-briefing.rss?token={token}"))
            .status,
        200
    );
    assert_eq!(
        app.get("/feeds/embassy-briefing.rss?token=wrong-token-xyz")
            .status,
        401
    );
    assert_eq!(app.get("/feeds/all.rss").status, 200);
    assert_eq!(app.get("/feeds/all.rss").status, 200);
    let _ = app.terminate();
    let log = std::fs::read_to_string(app.dir.path().join("stderr.log")).unwrap();
    assert!(!log.contains(&token), "a token in the log:\n{log}");
    assert!(
        !log.contains("wrong-token-xyz"),
        "a query string in the log:\n{log}"
    );
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let requests: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["target"] == "wirefeed::request")
        .collect();
    let feed: Vec<&&serde_json::Value> = requests
        .iter()
        .filter(|l| l["route"] == "/feeds/{file}")
        .collect();
    assert_eq!(feed.len(), 5, "one line per feed request: {requests:?}");
    for l in &feed {
        assert_eq!(l["method"], "GET", "{l}");
        assert!(l["status"].is_u64() && l["bytes"].is_u64(), "{l}");
        assert!(l["duration_ms"].as_f64().is_some_and(|d| d >= 0.0), "{l}");
    }
    let keyed: Vec<_> = feed
        .iter()
        .filter(|l| l["key"] == "embassy-log-test")
        .collect();
    assert_eq!(keyed.len(), 2, "both keyed requests name the key: {feed:?}");
    let public: Vec<_> = feed
        .iter()
        .filter(|l| l["path"] == "/feeds/all.rss")
        .map(|l| l["cache"].as_str().unwrap_or("-").to_owned())
        .collect();
    assert_eq!(public, ["miss", "hit"]);
    assert!(
        feed.iter()
            .any(|l| l["status"] == 401 && l.get("key").is_none())
    );
}

#[test]
fn a_backup_under_write_load_restores_every_article_committed_before_it_began() {
    let app = spawn_app_logged(&config_text(None), &[]);
    let token = publisher_key(&app);
    let committed = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (address, token, committed, stop) = (
            app.address.clone(),
            token.clone(),
            committed.clone(),
            stop.clone(),
        );
        std::thread::spawn(move || {
            let agent = crate::helpers::agent();
            let auth = format!("Bearer {token}");
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let id = format!("backup-{n}");
                let body = story(&id, &format!("Border crossings reopen at post {n}")).to_string();
                let r = crate::helpers::send_to(
                    &agent,
                    &address,
                    "POST",
                    "/api/v1/articles",
                    &[
                        ("Authorization", &auth),
                        ("Content-Type", "application/json"),
                    ],
                    body.as_bytes(),
                )
                .unwrap();
                assert_eq!(r.status, 201, "{}", r.body);
                committed.lock().unwrap().push(id);
            }
        })
    };
    app.eventually(|| (committed.lock().unwrap().len() >= 30).then_some(()));
    // Every write acknowledged before the backup starts must be in it.
    let before: Vec<String> = committed.lock().unwrap().clone();
    let copy = app.dir.path().join("copy.db");
    let (code, out, err) = app.cli(&["backup", copy.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("backed up "), "{out}");
    // The writer went on during the backup.
    app.eventually(|| (committed.lock().unwrap().len() > before.len() + 5).then_some(()));
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(
        !copy.with_extension("db-wal").exists(),
        "a self-contained file"
    );

    // A second backup never overwrites the first.
    let len = std::fs::metadata(&copy).unwrap().len();
    let (code, _, err) = app.cli(&["backup", copy.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::metadata(&copy).unwrap().len(), len);

    // Restored: a server on the copy has every article committed before the backup began,
    // and the keys (it is the whole database).
    let (mut restored, address) = start_server(&app.config_path(), &copy);
    let agent = crate::helpers::agent();
    let auth = format!("Bearer {token}");
    let missing: Vec<&String> = before
        .iter()
        .filter(|id| {
            let r = crate::helpers::send_to(
                &agent,
                &address,
                "GET",
                &format!("/api/v1/articles/{id}"),
                &[("Authorization", &auth)],
                b"",
            )
            .unwrap();
            r.status != 200
        })
        .collect();
    let _ = restored.kill();
    let _ = restored.wait();
    assert!(missing.is_empty(), "missing from the backup: {missing:?}");
}

#[test]
fn check_catches_what_would_fail_at_start_with_the_line_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = config_text(None);
    let run = |text: &str, args: &[&str]| {
        let config = dir.path().join("feeds.toml");
        std::fs::write(&config, text).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("WIREFEED_LOG", "warn")
            .env_remove("WIREFEED_DATABASE")
            .current_dir(dir.path())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let line_of = |text: &str, needle: &str| {
        1 + text
            .lines()
            .position(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("no {needle} in the config"))
    };

    let bad_bind = shipped.replace("bind = \"127.0.0.1:8080\"", "bind = \"localhost\"");
    let (code, err) = run(&bad_bind, &["check"]);
    assert_eq!(code, 2, "{err}");
    let line = line_of(&bad_bind, "bind = ");
    assert!(
        err.contains(&format!("feeds.toml:{line}: server.bind must be host:port")),
        "{err}"
    );
    // serve refuses it before touching anything: no database is created.
    let (code, err) = run(&bad_bind, &["--database", "x.db", "serve"]);
    assert_eq!(code, 2, "{err}");
    assert!(!dir.path().join("x.db").exists());

    let no_folder = shipped.replace(
        "database = \"data/wirefeed.db\"",
        "database = \"no-such-folder/wirefeed.db\"",
    );
    let line = line_of(&no_folder, "database = ");
    for cmd in ["check", "import"] {
        let (code, err) = run(
            &no_folder,
            &[cmd, repo().join("data/articles").to_str().unwrap()]
                [..if cmd == "check" { 1 } else { 2 }],
        );
        assert_eq!(code, 2, "{cmd}: {err}");
        assert!(
            err.contains(&format!("feeds.toml:{line}: storage.database:"))
                && err.contains("no-such-folder"),
            "{cmd}: {err}"
        );
    }

    let typo = format!(
        "{}\n",
        shipped.replace("[storage]\n", "[storage]\nseed_dir = \"data/artcles\"\n")
    );
    let (code, err) = run(&typo, &["check"]);
    assert_eq!(code, 2, "{err}");
    let line = line_of(&typo, "seed_dir = ");
    assert!(
        err.contains(&format!("feeds.toml:{line}: storage.seed_dir:"))
            && err.contains("does not exist"),
        "{err}"
    );
}

#[test]
fn a_change_is_purged_from_the_shared_cache_by_the_scopes_it_moved_twice() {
    let cache = crate::websub_harness::Subscriber::start();
    let text = format!(
        "{}\n[cdn]\npurge_urls = [\"{}/purge\"]\n",
        config_text(None),
        cache.base
    );
    let app = crate::helpers::spawn_app_config(&text);
    let token = publisher_key(&app);
    // Keys changed (a scope no shared copy depends on): nothing to purge. Purges are sent in
    // order, so the article's purge below (the positive control) would come after one for the
    // keys: the first purge seen must be the article's.
    let r = app.api(
        "POST",
        "/api/v1/articles",
        &token,
        Some(&story(
            "purge-1",
            "Police close the border crossing at Kessel",
        )),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let first = cache.wait_for("PURGE", "/purge", 1, Duration::from_secs(3));
    let keys = first[0].headers.get("xkey").expect("xkey header").clone();
    assert_eq!(first[0].headers.get("surrogate-key"), Some(&keys));
    let scopes: Vec<&str> = keys.split(' ').collect();
    assert!(
        scopes.contains(&"all"),
        "the first purge is not the article's (one for the key change?): {keys}"
    );
    assert!(!scopes.contains(&"keys"), "{keys}");
    // The same purge again, after every origin has seen the change.
    let both = cache.wait_for("PURGE", "/purge", 2, Duration::from_secs(4));
    assert_eq!(both[1].headers.get("xkey"), Some(&keys));
    // And no more while nothing changes.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(cache.seen("/purge").len(), 2, "{:?}", cache.seen("/purge"));
    let m = app.get("/metrics").body;
    assert_eq!(sample(&m, "wirefeed_cdn_purges_total"), Some(2.0), "{m}");
}
