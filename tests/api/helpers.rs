//! Test harness: starts the real `wirefeed` binary on port 0 against a temporary database.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped config, with its `[storage]` section pointed at `seed` (or no seed).
pub fn config_text(seed: Option<&Path>) -> String {
    let shipped = std::fs::read_to_string(repo().join("feeds.toml")).unwrap();
    let seed_line = match seed {
        Some(p) => format!("seed_dir = {:?}", p.display().to_string()),
        None => String::new(),
    };
    let text = shipped.replace("seed_dir = \"data/articles\"", &seed_line);
    // Tests send bursts from one address; the rate-limit tests set their own [limits].
    if text.contains("\n[limits]") {
        text
    } else {
        format!("{text}\n[limits]\nanonymous_per_minute = 0\nkey_per_minute = 0\n")
    }
}

/// A running server and its temporary files; the process is killed on drop.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The temporary folder with `feeds.toml` and the database.
    pub dir: tempfile::TempDir,
    child: Child,
    agent: ureq::Agent,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response, read whole.
pub struct Resp {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `Content-Length` header as a number (ureq reads no body for HEAD and 304, so a
    /// body check on those must look here, or at the raw bytes of [`TestApp::raw`]).
    pub fn content_length(&self) -> Option<usize> {
        self.header("content-length").map(|v| {
            v.parse()
                .unwrap_or_else(|e| panic!("Content-Length {v:?}: {e}"))
        })
    }
}

/// A response with its raw body.
pub struct RawResp {
    pub headers: ureq::http::HeaderMap,
    pub bytes: Vec<u8>,
}

impl RawResp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Runs the binary with `args` against `config` and `db`; returns (exit code, stdout, stderr).
pub fn wirefeed(config: &Path, db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wirefeed"))
        .arg("--config")
        .arg(config)
        .arg("--database")
        .arg(db)
        .args(args)
        .env("WIREFEED_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Starts the server seeded with the shipped sample articles.
pub fn spawn_app() -> TestApp {
    spawn_app_with(Some(&repo().join("data/articles")))
}

/// Starts the server with the shipped rules, seeded from `seed` (or empty).
pub fn spawn_app_with(seed: Option<&Path>) -> TestApp {
    spawn_app_config(&config_text(seed))
}

/// A temporary folder with `text` as its `feeds.toml`, and `wirefeed serve` on port 0 against
/// a database in it, not yet started.
fn serve_command(text: &str) -> (tempfile::TempDir, Command) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, text).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wirefeed"));
    cmd.arg("--config")
        .arg(&config)
        .arg("--database")
        .arg(dir.path().join("wirefeed.db"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("WIREFEED_LOG", "warn");
    (dir, cmd)
}

/// Starts the server with this `feeds.toml` text, extra environment variables, and its stderr
/// written to `stderr.log` in its folder.
pub fn spawn_app_logged(text: &str, env: &[(&str, &str)]) -> TestApp {
    let (dir, mut cmd) = serve_command(text);
    let log = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
    cmd.envs(env.iter().copied()).stderr(log);
    spawn_command(dir, cmd)
}

/// Starts the server with this `feeds.toml` text.
pub fn spawn_app_config(text: &str) -> TestApp {
    let (dir, cmd) = serve_command(text);
    spawn_command(dir, cmd)
}

/// The server prints its address once it is bound: no sleeping, no polling.
fn listening_address(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    line.trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned()
}

/// Runs `cmd` (a `wirefeed serve`) with stdout piped and waits for its address.
pub fn spawn_command(dir: tempfile::TempDir, mut cmd: Command) -> TestApp {
    let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
    let address = listening_address(&mut child);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    TestApp {
        address,
        dir,
        child,
        agent,
    }
}

impl TestApp {
    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("feeds.toml")
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("wirefeed.db")
    }

    fn send(
        &self,
        head: bool,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, ureq::http::HeaderMap, Vec<u8>) {
        let url = format!("{}{path}", self.address);
        let mut req = if head {
            self.agent.head(url)
        } else {
            self.agent.get(url)
        };
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut resp = req.call().unwrap_or_else(|e| panic!("{path}: {e}"));
        // A body that cannot be read is a failure, never an empty body.
        let bytes = resp
            .body_mut()
            .read_to_vec()
            .unwrap_or_else(|e| panic!("{path}: reading the body: {e}"));
        (resp.status().as_u16(), resp.headers().clone(), bytes)
    }

    /// GET `path` (with query) with extra headers.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let (status, headers, bytes) = self.send(false, path, headers);
        Resp {
            status,
            headers,
            body: String::from_utf8(bytes).unwrap(),
        }
    }

    pub fn get(&self, path: &str) -> Resp {
        self.get_with(path, &[])
    }

    /// GET returning the raw bytes (for compressed bodies).
    pub fn get_raw(&self, path: &str, headers: &[(&str, &str)]) -> RawResp {
        let (_, headers, bytes) = self.send(false, path, headers);
        RawResp { headers, bytes }
    }

    pub fn head(&self, path: &str) -> Resp {
        self.head_with(path, &[])
    }

    pub fn head_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let (status, headers, bytes) = self.send(true, path, headers);
        Resp {
            status,
            headers,
            body: String::from_utf8(bytes).unwrap(),
        }
    }

    /// Retries `check` until it returns `Some`, for at most 1.5 s: what another process writes
    /// must be served within one second (the change log is polled every 200 ms).
    pub fn eventually<T>(&self, check: impl Fn() -> Option<T>) -> T {
        self.eventually_for(std::time::Duration::from_millis(1500), check)
    }

    /// Retries `check` until it returns `Some`, for at most `limit`.
    pub fn eventually_for<T>(
        &self,
        limit: std::time::Duration,
        check: impl Fn() -> Option<T>,
    ) -> T {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(v) = check() {
                return v;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the change was not served within 1.5 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// The request sent by hand over TCP (`Connection: close`), answered as (status, head, every
    /// byte after the head): what a HEAD or 304 really carries, which ureq never reads.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, String, Vec<u8>) {
        let host = self.address.strip_prefix("http://").unwrap();
        let mut s = std::net::TcpStream::connect(host).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let extra: String = headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}\r\n"))
            .collect();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}\r\n"
        )
        .unwrap();
        let mut all = Vec::new();
        s.read_to_end(&mut all)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let end = all
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete head");
        let head = String::from_utf8(all[..end].to_vec()).unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, head, all[end + 4..].to_vec())
    }

    /// `wirefeed_feed_renders_total` of `/metrics` for `format` (rss, atom, xml, json): how many
    /// feed pages of that format this server rendered, so a test can tell a cache hit from a render.
    pub fn renders(&self, format: &str) -> u64 {
        let metrics = self.get("/metrics").body;
        let key = format!("wirefeed_feed_renders_total{{format=\"{format}\"}} ");
        let line = metrics
            .lines()
            .find_map(|l| l.strip_prefix(&key))
            .unwrap_or_else(|| panic!("no {key} in /metrics:\n{metrics}"));
        line.trim().parse().unwrap()
    }

    /// Runs a CLI command against this server's config and database.
    pub fn cli(&self, args: &[&str]) -> (i32, String, String) {
        wirefeed(&self.config_path(), &self.db_path(), args)
    }
}

/// Ids (the `_wirefeed.id` extension) of a JSON Feed, in order.
/// The ids of the items an RSS (`<guid>`), Atom (`<entry>`'s `<id>`) or NewsML-G2
/// (`<newsItem guid=…>`) feed lists: the part of each GUID after its last `:`. Links to other
/// stories inside an item (related stories, takes, translations) are not items.
pub fn item_ids(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |guid: &str| out.push(guid.rsplit(':').next().unwrap_or(guid).to_owned());
    for part in body.split("<guid").skip(1) {
        if let Some((v, _)) = part
            .split_once('>')
            .and_then(|(_, r)| r.split_once("</guid>"))
        {
            push(v);
        }
    }
    for part in body.split("<entry").skip(1) {
        if let Some((v, _)) = part
            .split_once("<id>")
            .and_then(|(_, r)| r.split_once("</id>"))
        {
            push(v);
        }
    }
    for part in body.split("<newsItem ").skip(1) {
        if let Some((v, _)) = part
            .split_once("guid=\"")
            .and_then(|(_, r)| r.split_once('"'))
        {
            push(v);
        }
    }
    out
}

pub fn json_ids(feed: &serde_json::Value) -> Vec<String> {
    feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["_wirefeed"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Path and query of an absolute URL from the server, for following links.
pub fn local_path(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    rest[rest.find('/').unwrap()..].to_owned()
}

// ---- Publishing API helpers (requests with bodies, keys, restarts) ----

impl TestApp {
    /// Sends any request; a transport error is returned, not hidden.
    pub fn try_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Resp, ureq::Error> {
        send_to(&self.agent, &self.address, method, path, headers, body)
    }

    /// Sends any request and reads the whole answer; panics on a transport error.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        self.try_request(method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// A publishing API call with `token` and, for a body, `Content-Type: application/json`.
    pub fn api(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<&serde_json::Value>,
    ) -> Resp {
        self.api_with(method, path, token, &[], body)
    }

    /// [`TestApp::api`] with extra headers (`If-Match`, …).
    pub fn api_with(
        &self,
        method: &str,
        path: &str,
        token: &str,
        extra: &[(&str, &str)],
        body: Option<&serde_json::Value>,
    ) -> Resp {
        let auth = format!("Bearer {token}");
        let mut headers = vec![("Authorization", auth.as_str())];
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        headers.extend_from_slice(extra);
        self.request(method, path, &headers, &bytes)
    }

    /// Stops the server with SIGKILL (`Child::kill`), as a crash or `kill -9` would.
    pub fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Sends SIGTERM (what systemd and container runtimes send) and waits for the exit, at most
    /// 20 s; returns the exit status and how long it took.
    pub fn terminate(&mut self) -> (std::process::ExitStatus, std::time::Duration) {
        let started = std::time::Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM failed");
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, started.elapsed());
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "the server did not exit within 20 s of SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Starts a new server on the same folder, config and database (after [`TestApp::kill9`]).
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, address) = start_server(&self.config_path(), &self.db_path());
        self.child = child;
        self.address = address;
    }
}

/// Runs `wirefeed serve` on port 0 against `config` and `db`; returns it and its address.
pub fn start_server(config: &Path, db: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wirefeed"))
        .arg("--config")
        .arg(config)
        .arg("--database")
        .arg(db)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("WIREFEED_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let address = listening_address(&mut child);
    (child, address)
}

/// An agent that reports statuses instead of failing on them.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into()
}

/// Sends one request with `agent` to `address` (for client threads).
pub fn send_to(
    agent: &ureq::Agent,
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Resp, ureq::Error> {
    let url = format!("{address}{path}");
    macro_rules! with_headers {
        ($req:expr) => {{
            let mut r = $req;
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            r
        }};
    }
    let mut resp = match method {
        "GET" => with_headers!(agent.get(&url)).call()?,
        "HEAD" => with_headers!(agent.head(&url)).call()?,
        "DELETE" if body.is_empty() => with_headers!(agent.delete(&url)).call()?,
        "DELETE" => with_headers!(agent.delete(&url))
            .force_send_body()
            .send(body)?,
        "POST" => with_headers!(agent.post(&url)).send(body)?,
        "PUT" => with_headers!(agent.put(&url)).send(body)?,
        "PATCH" => with_headers!(agent.patch(&url)).send(body)?,
        "OPTIONS" => with_headers!(agent.options(&url)).call()?,
        other => panic!("no helper for method {other}"),
    };
    let bytes = if method == "HEAD" {
        Vec::new()
    } else {
        resp.body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()?
    };
    Ok(Resp {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: String::from_utf8(bytes).expect("the server answers UTF-8"),
    })
}

/// Creates a key with `wirefeed keys add NAME --role ROLE [extra...]`; returns its token.
pub fn key(app: &TestApp, name: &str, role: &str, extra: &[&str]) -> String {
    let mut args = vec!["keys", "add", name, "--role", role];
    args.extend_from_slice(extra);
    let (code, out, err) = app.cli(&args);
    assert_eq!(code, 0, "keys add {name}: {out}{err}");
    let token = out.trim().to_owned();
    assert!(
        !token.is_empty() && !token.contains(char::is_whitespace),
        "keys add prints the token alone: {out:?}"
    );
    // Another process added it: the server learns of it from the change log (≤ 1 s).
    let auth = format!("Bearer {token}");
    app.eventually(|| {
        let r = app.request(
            "GET",
            "/api/v1/articles?limit=1",
            &[("Authorization", &auth)],
            b"",
        );
        (r.status != 401).then_some(())
    });
    token
}

/// A new publisher key (`wirefeed keys add NAME --role publisher`), its token.
pub fn publisher_key(app: &TestApp) -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    key(app, &format!("newsroom-{n}"), "publisher", &[])
}

/// A minimal valid article body.
pub fn story(id: &str, headline: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "headline": headline,
        "body": format!("{headline}. The ministry confirmed the figures on Monday."),
        "language": "en",
    })
}
