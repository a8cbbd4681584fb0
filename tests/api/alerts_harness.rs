//! A real SMTP server for the email alert tests: `mailin-embedded` in the test process on a
//! loopback socket speaks the whole protocol (EHLO, MAIL, RCPT, DATA); its handler can refuse
//! with 451 or 550 on purpose. And a small reader of what it received (headers, decoded parts).

use mailin_embedded::response::{self, Response};
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the SMTP server answers to RCPT.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    Accept,
    /// 451 this many times, then accept.
    TempFail(u32),
    /// 550 always.
    Reject,
}

#[derive(Default)]
pub struct State {
    mode: Option<Mode>,
    messages: Vec<Received>,
    pub refused: u32,
}

#[derive(Clone, Debug)]
pub struct Received {
    pub to: Vec<String>,
    pub raw: String,
}

#[derive(Clone)]
struct Inbox {
    state: Arc<Mutex<State>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl mailin_embedded::Handler for Inbox {
    fn rcpt(&mut self, to: &str) -> Response {
        let mut s = self.state.lock().unwrap();
        match s.mode.unwrap_or(Mode::Accept) {
            Mode::Accept => response::OK,
            Mode::TempFail(n) if n > 0 => {
                s.mode = Some(Mode::TempFail(n - 1));
                s.refused += 1;
                Response::custom(451, "4.3.0 try again later".into())
            }
            Mode::TempFail(_) => response::OK,
            Mode::Reject => {
                s.refused += 1;
                let _ = to;
                response::NO_MAILBOX
            }
        }
    }

    fn data_start(&mut self, _d: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let raw = String::from_utf8_lossy(&self.data).into_owned();
        self.state.lock().unwrap().messages.push(Received {
            to: self.to.clone(),
            raw,
        });
        response::OK
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }
}

/// A real SMTP server on a loopback port, in this process.
pub struct Smtp {
    pub port: u16,
    pub state: Arc<Mutex<State>>,
}

impl Smtp {
    pub fn start() -> Smtp {
        Smtp::on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    pub fn on(listener: TcpListener) -> Smtp {
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let handler = Inbox {
            state: state.clone(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = mailin_embedded::Server::new(handler);
        server
            .with_name("mx.test")
            .with_ssl(mailin_embedded::SslConfig::None)
            .unwrap()
            .with_num_threads(4)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Smtp { port, state }
    }

    pub fn set(&self, mode: Mode) {
        self.state.lock().unwrap().mode = Some(mode);
    }

    pub fn messages(&self) -> Vec<Received> {
        self.state.lock().unwrap().messages.clone()
    }

    /// Waits (at most 20 s) for a message to `to` that `pick` accepts.
    pub fn wait_for(&self, to: &str, pick: impl Fn(&Mail) -> bool) -> Mail {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(m) = self
                .messages()
                .into_iter()
                .filter(|m| m.to.iter().any(|t| t == to))
                .map(|m| Mail::parse(&m.raw))
                .find(|m| pick(m))
            {
                return m;
            }
            assert!(
                Instant::now() < deadline,
                "no matching mail to {to} within 20 s; got {:#?}",
                self.messages()
                    .iter()
                    .map(|m| Mail::parse(&m.raw).header("subject").unwrap_or_default())
                    .collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn count_to(&self, to: &str) -> usize {
        self.messages()
            .iter()
            .filter(|m| m.to.iter().any(|t| t == to))
            .count()
    }
}

/// A received message: its headers and decoded parts.
#[derive(Debug, Clone)]
pub struct Mail {
    headers: Vec<(String, String)>,
    parts: Vec<(String, String)>,
}

fn decode(cte: &str, body: &str) -> String {
    use base64::Engine;
    match cte.to_ascii_lowercase().as_str() {
        "base64" => {
            let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8_lossy(
                &base64::engine::general_purpose::STANDARD
                    .decode(clean)
                    .unwrap_or_default(),
            )
            .into_owned()
        }
        "quoted-printable" => {
            let joined = body.replace("=\r\n", "").replace("=\n", "");
            let b = joined.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'='
                    && i + 2 < b.len()
                    && let Ok(v) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
                {
                    out.push(v);
                    i += 3;
                    continue;
                }
                out.push(b[i]);
                i += 1;
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        _ => body.to_owned(),
    }
}

fn split_head(raw: &str) -> (Vec<(String, String)>, String) {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    (headers, body.to_owned())
}

impl Mail {
    fn parse(raw: &str) -> Mail {
        let (headers, body) = split_head(raw);
        let ct = headers
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut parts = Vec::new();
        if let Some(b) = ct.split("boundary=").nth(1) {
            let boundary = format!("--{}", b.trim_matches('"').split(';').next().unwrap());
            for chunk in body.split(&boundary).skip(1) {
                if chunk.starts_with("--") {
                    break;
                }
                let (h, b) = split_head(chunk.trim_start_matches('\n'));
                let get = |n: &str| {
                    h.iter()
                        .find(|(k, _)| k == n)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                parts.push((
                    get("content-type"),
                    decode(&get("content-transfer-encoding"), &b),
                ));
            }
        }
        Mail { headers, parts }
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    pub fn part(&self, media: &str) -> &str {
        self.parts
            .iter()
            .find(|(ct, _)| ct.starts_with(media))
            .map(|(_, b)| b.as_str())
            .unwrap_or_else(|| panic!("no {media} part in {self:#?}"))
    }

    /// The first link to `page` (`/alerts/confirm`, …) in the text part, as a local path.
    pub fn link(&self, page: &str) -> String {
        let text = self.part("text/plain");
        let start = text
            .find(&format!("{page}?token="))
            .unwrap_or_else(|| panic!("no {page} link in {text}"));
        let end = text[start..]
            .find(|c: char| c.is_whitespace())
            .map_or(text.len(), |e| start + e);
        text[start..end].to_owned()
    }
}
