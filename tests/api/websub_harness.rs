//! A WebSub subscriber for the hub tests: a real HTTP server on 127.0.0.1:0 (plain std TCP,
//! nothing shared with the server under test) that answers verifications and records
//! deliveries, with behaviours switched per test.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the subscriber answers a verification GET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Echo `hub.challenge` with 200.
    Echo,
    /// Answer 200 with something else.
    WrongEcho,
    /// Answer with this status and the right challenge.
    Status(u16),
}

/// One request the hub made.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Query parameters, decoded.
    pub query: HashMap<String, String>,
    /// Header names lowercased.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

#[derive(Debug)]
struct State {
    verify: Verify,
    deliver_status: u16,
    seen: Vec<Seen>,
}

/// The subscriber; the server thread runs until the process ends.
#[derive(Clone)]
pub struct Subscriber {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl Subscriber {
    pub fn start() -> Subscriber {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            verify: Verify::Echo,
            deliver_status: 204,
            seen: Vec::new(),
        }));
        let s = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let s = s.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &s);
                });
            }
        });
        Subscriber { base, state }
    }

    pub fn set_verify(&self, v: Verify) {
        self.state.lock().unwrap().verify = v;
    }

    pub fn set_deliver_status(&self, status: u16) {
        self.state.lock().unwrap().deliver_status = status;
    }

    /// Every request seen so far whose path starts with `path`.
    pub fn seen(&self, path: &str) -> Vec<Seen> {
        let st = self.state.lock().unwrap();
        st.seen
            .iter()
            .filter(|r| r.target.starts_with(path))
            .cloned()
            .collect()
    }

    pub fn verifications(&self, path: &str) -> Vec<Seen> {
        self.seen(path)
            .into_iter()
            .filter(|r| r.method == "GET")
            .collect()
    }

    pub fn deliveries(&self, path: &str) -> Vec<Seen> {
        self.seen(path)
            .into_iter()
            .filter(|r| r.method == "POST")
            .collect()
    }

    /// Waits (at most `limit`) until `path` has seen `n` requests matching `method`.
    pub fn wait_for(&self, method: &str, path: &str, n: usize, limit: Duration) -> Vec<Seen> {
        let deadline = Instant::now() + limit;
        loop {
            let got: Vec<Seen> = self
                .seen(path)
                .into_iter()
                .filter(|r| r.method == method)
                .collect();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{path}: {} {method} requests after {limit:?}, wanted {n}: {got:?}",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    let query: HashMap<String, String> = target
        .split_once('?')
        .map(|(_, q)| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let (status, answer) = {
        let mut st = state.lock().unwrap();
        let reply = if method == "GET" {
            let challenge = query.get("hub.challenge").cloned().unwrap_or_default();
            match st.verify {
                Verify::Echo => (200, challenge),
                Verify::WrongEcho => (200, format!("{challenge}x")),
                Verify::Status(s) => (s, challenge),
            }
        } else {
            (st.deliver_status, String::new())
        };
        st.seen.push(Seen {
            method,
            target,
            query,
            headers,
            body,
        });
        reply
    };
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    )?;
    out.flush()
}
