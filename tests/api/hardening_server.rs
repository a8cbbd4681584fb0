//! What an outside attack, real clients and a test audit found in the server's own defences
//! (hardening): keys and tokens, logs, trusted proxies, an unwritable disk, import loops and
//! bytes that are not UTF-8. Each check here failed before its fix; the documents' part is
//! hardening.rs.

use crate::helpers::{publisher_key, spawn_app_with};
use serde_json::json;

#[test]
fn a_repeated_token_is_refused_and_nothing_from_a_query_reaches_a_header_raw() {
    let app = spawn_app_with(None);
    let sub = crate::helpers::key(
        &app,
        "embassy",
        "subscriber",
        &["--feed", "embassy-briefing"],
    );
    // The positive control: one token reads the feed.
    let one = app.get(&format!("/feeds/embassy-briefing.atom?token={sub}"));
    assert_eq!(one.status, 200, "{}", one.body);
    for path in [
        format!("/feeds/embassy-briefing.atom?token={sub}&token=%0d%0aX-Evil:%201"),
        format!("/feeds/embassy-briefing.atom?token={sub}&%74oken=other"),
        "/feeds/all.atom?lang=es&lang=en".to_owned(),
    ] {
        let r = app.get(&path);
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert!(r.header("x-evil").is_none());
    }
    // The server still answers (no panic took the worker), and a token with characters that
    // need encoding is carried percent-encoded in every link.
    let odd = app.get("/feeds/embassy-briefing.atom?token=a%0d%0ab");
    assert_eq!(odd.status, 401, "{}", odd.body);
    let again = app.get(&format!("/feeds/embassy-briefing.atom?token={sub}"));
    assert_eq!(again.status, 200);
    let link = again.header("link").unwrap_or_default().to_owned();
    assert!(
        link.contains(&format!("token={sub}")),
        "a restricted document's links carry the reader's token: {link}"
    );
}

#[test]
fn import_follows_folder_links_once_and_never_loops() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("articles");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(
        root.join("sub/one.json"),
        json!({"id": "loop-1", "headline": "One story", "body": "Text.", "language": "en"})
            .to_string(),
    )
    .unwrap();
    // A link back up the tree, and two links to the same folder.
    std::os::unix::fs::symlink("..", root.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(".", root.join("a")).unwrap();
    std::os::unix::fs::symlink(".", root.join("b")).unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, crate::helpers::config_text(None)).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wirefeed"))
        .arg("--config")
        .arg(&config)
        .arg("--database")
        .arg(dir.path().join("w.db"))
        .args(["import", root.to_str().unwrap()])
        .env("WIREFEED_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > std::time::Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("import of a tree with folder links did not finish in 30 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("1 imported") || stdout.contains("imported 1"),
        "{stdout}"
    );
}

#[test]
fn a_key_added_while_the_server_runs_works_at_once() {
    let app = spawn_app_with(None);
    for n in 0..5 {
        let (code, out, err) =
            app.cli(&["keys", "add", &format!("script-{n}"), "--role", "publisher"]);
        assert_eq!(code, 0, "{out}{err}");
        let token = out.trim();
        // No waiting: a script runs `keys add` and calls the API right after.
        let r = app.api("GET", "/api/v1/articles?limit=1", token, None);
        assert_eq!(
            r.status, 200,
            "key {n} refused right after keys add: {}",
            r.body
        );
    }
    // The control: a token nobody issued is still refused.
    let r = app.api(
        "GET",
        "/api/v1/articles?limit=1",
        "wf_pub_0123456789abcdef0123456789abcdef",
        None,
    );
    assert_eq!(r.status, 401, "{}", r.body);
}

#[test]
fn no_token_reaches_a_log_line_or_the_websub_listing() {
    let text = format!(
        "{}\n[websub]\nallow_private_callbacks = true\ntimeout = \"2s\"\n",
        crate::helpers::config_text(None)
    );
    let app = crate::helpers::spawn_app_logged(&text, &[("WIREFEED_LOG", "info")]);
    let token = crate::helpers::key(
        &app,
        "embassy",
        "subscriber",
        &["--feed", "embassy-briefing"],
    );
    let base = "http://127.0.0.1:8080";
    let hub = |callback: &str, topic: &str| {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("hub.mode", "subscribe"),
                ("hub.callback", callback),
                ("hub.topic", topic),
            ])
            .finish();
        let r = app.request(
            "POST",
            "/websub",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        );
        assert_eq!(r.status, 202, "{}", r.body);
    };
    // A callback nobody listens on: verification fails, and says so in the log.
    hub(
        "http://127.0.0.1:9/hook",
        &format!("{base}/feeds/embassy-briefing.atom?token={token}"),
    );
    // A working subscriber, with the token's name percent-encoded in the topic.
    let sub = crate::websub_harness::Subscriber::start();
    let callback = format!("{}/cb", sub.base);
    hub(
        &callback,
        &format!("{base}/feeds/embassy-briefing.atom?%74oken={token}&lang=en"),
    );
    let log_path = app.dir.path().join("stderr.log");
    // The positive controls: both outcomes are in the log, and the subscription is listed.
    app.eventually(|| {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        (log.contains("websub: verification failed") && log.contains("websub: verified"))
            .then_some(())
    });
    let (code, out, err) = app.cli(&["websub", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("embassy-briefing"),
        "the subscription is listed: {out}"
    );
    let (_, plain, _) = app.cli(&["websub", "list"]);
    let log = std::fs::read_to_string(&log_path).unwrap();
    for (what, text) in [
        ("log", &log),
        ("websub list --json", &out),
        ("websub list", &plain),
    ] {
        assert!(
            !text.contains(&token),
            "the {what} carries a token:\n{text}"
        );
    }
}

/// Makes files immutable (`chattr +i`: even root cannot write them) until dropped.
struct Immutable(Vec<std::path::PathBuf>);

impl Immutable {
    fn set(files: &[std::path::PathBuf]) -> Immutable {
        for f in files {
            let ok = std::process::Command::new("chattr")
                .arg("+i")
                .arg(f)
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                ok,
                "chattr +i {} failed: this test needs chattr on ext4 and root",
                f.display()
            );
        }
        Immutable(files.to_vec())
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        for f in &self.0 {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(f)
                .status();
        }
    }
}

#[test]
fn an_unwritable_database_answers_503_keeps_reads_serving_and_recovers_without_a_restart() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let story =
        |id: &str| json!({"id": id, "language": "en", "headline": "Storage", "body": "Text."});
    // The control: a write works.
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&story("s-1")))
            .status,
        201
    );
    let db = app.db_path();
    let wal = db.with_extension("db-wal");
    assert!(
        wal.exists(),
        "the database runs in WAL mode: {}",
        wal.display()
    );
    let guard = Immutable::set(&[db.clone(), wal.clone()]);
    let r = app.api("POST", "/api/v1/articles", &token, Some(&story("s-2")));
    assert!(
        r.status == 503 || r.status == 507,
        "{} {}",
        r.status,
        r.body
    );
    assert!(
        r.header("retry-after").is_some(),
        "a refused write says when to retry"
    );
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    // Reads keep serving.
    let feed = app.get("/feeds/all.json");
    assert_eq!(feed.status, 200);
    assert!(feed.body.contains("s-1"));
    let metrics = app.get("/metrics").body;
    assert!(
        metrics
            .lines()
            .any(|l| (l.starts_with("wirefeed_store_unavailable_total ")
                || l.starts_with("wirefeed_store_full_total "))
                && !l.ends_with(" 0")),
        "counted in /metrics"
    );
    drop(guard);
    // Writable again: the same write goes through, no restart.
    let r = app.api("POST", "/api/v1/articles", &token, Some(&story("s-2")));
    assert_eq!(r.status, 201, "{}", r.body);
}

/// The shipped config with anonymous limits of 2 requests and `trusted` as trusted proxies.
fn limited_config(trusted: &str) -> String {
    let text = std::fs::read_to_string(crate::helpers::repo().join("feeds.toml"))
        .unwrap()
        .replace("seed_dir = \"data/articles\"", "")
        .replace(
            "[server]\n",
            &format!("[server]\ntrusted_proxies = [{trusted}]\n"),
        );
    format!("{text}\n[limits]\nanonymous_per_minute = 2\nburst = 2\nkey_per_minute = 0\n")
}

#[test]
fn behind_a_trusted_proxy_each_client_has_its_own_bucket_and_nobody_else_is_believed() {
    let get = |app: &crate::helpers::TestApp, client: &str| {
        app.get_with("/feeds/all.json", &[("X-Forwarded-For", client)])
            .status
    };
    // The proxy (127.0.0.1, where the tests connect from) is trusted.
    let app = crate::helpers::spawn_app_config(&limited_config("\"127.0.0.1\""));
    assert_eq!(get(&app, "203.0.113.1"), 200);
    assert_eq!(get(&app, "203.0.113.1"), 200);
    assert_eq!(
        get(&app, "203.0.113.1"),
        429,
        "the third request of one client is limited"
    );
    assert_eq!(
        get(&app, "203.0.113.2"),
        200,
        "another client behind the proxy is not"
    );
    // The control: without trusted_proxies the header is ignored and everyone is the peer.
    let app = crate::helpers::spawn_app_config(&limited_config(""));
    assert_eq!(get(&app, "203.0.113.1"), 200);
    assert_eq!(get(&app, "203.0.113.2"), 200);
    assert_eq!(
        get(&app, "203.0.113.3"),
        429,
        "an untrusted peer cannot pick its address"
    );
}

#[test]
fn a_trusted_proxy_that_is_not_a_network_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, limited_config("\"10.0.0.0/33\"")).unwrap();
    let (code, out, err) = crate::helpers::wirefeed(&config, &dir.path().join("w.db"), &["check"]);
    assert_ne!(code, 0, "{out}");
    assert!(
        err.contains("feeds.toml:") && err.contains("trusted_proxies"),
        "file:line and the key: {err}"
    );
}

#[test]
fn invalid_utf8_in_a_path_or_a_query_is_400() {
    let app = crate::helpers::spawn_app();
    // Positive controls: the same places with valid UTF-8 are read (200, or 404 for an id that
    // does not exist), so a 400 below is about the bytes.
    for (path, want) in [
        ("/feeds/all.json?q=caf%C3%A9s", 200),
        ("/search?q=caf%C3%A9s", 200),
        ("/articles/caf%C3%A9", 404),
        ("/feeds/all.json?lang=es", 200),
    ] {
        let (status, head, _) = app.raw("GET", path, &[]);
        assert_eq!(status, want, "{path}: {head}");
    }
    for path in [
        "/feeds/all.json?q=caf%C3%28s",
        "/feeds/all.json?q=%FF%FE",
        "/search?q=%C3%28bad",
        "/feeds/all.json?lang=%FF",
        "/feeds/all.json?since=2026-01-01T00:00:00Z%FF",
        "/articles/caf%C3%28",
        "/articles/%FF.json",
        "/feeds/%FF.json",
        "/topics/%C3%28",
    ] {
        let (status, head, body) = app.raw("GET", path, &[]);
        assert_eq!(status, 400, "{path}: {head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/problem+json"),
            "{path}: {head}"
        );
        let problem: serde_json::Value = serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body:?}"));
        assert_eq!(problem["status"], 400, "{path}: {problem}");
    }
    assert_eq!(app.get("/healthz").body.trim(), "ok");
}
