//! Email alerts (contract §16) against a real SMTP server: `mailin-embedded` runs in this test
//! process on a loopback socket and speaks the whole protocol (EHLO, MAIL, RCPT, DATA); its
//! handler can refuse with 451 or 550 on purpose. No mock of the store, HTTP or SMTP.

use super::helpers::*;
use mailin_embedded::response::{self, Response};
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the SMTP server answers to RCPT.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Accept,
    /// 451 this many times, then accept.
    TempFail(u32),
    /// 550 always.
    Reject,
}

#[derive(Default)]
struct State {
    mode: Option<Mode>,
    messages: Vec<Received>,
    refused: u32,
}

#[derive(Clone, Debug)]
struct Received {
    to: Vec<String>,
    raw: String,
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
struct Smtp {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl Smtp {
    fn start() -> Smtp {
        Smtp::on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    fn on(listener: TcpListener) -> Smtp {
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

    fn set(&self, mode: Mode) {
        self.state.lock().unwrap().mode = Some(mode);
    }

    fn messages(&self) -> Vec<Received> {
        self.state.lock().unwrap().messages.clone()
    }

    /// Waits (at most 20 s) for a message to `to` that `pick` accepts.
    fn wait_for(&self, to: &str, pick: impl Fn(&Mail) -> bool) -> Mail {
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

    fn count_to(&self, to: &str) -> usize {
        self.messages()
            .iter()
            .filter(|m| m.to.iter().any(|t| t == to))
            .count()
    }
}

/// A received message: its headers and decoded parts.
#[derive(Debug, Clone)]
struct Mail {
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

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    fn part(&self, media: &str) -> &str {
        self.parts
            .iter()
            .find(|(ct, _)| ct.starts_with(media))
            .map(|(_, b)| b.as_str())
            .unwrap_or_else(|| panic!("no {media} part in {self:#?}"))
    }

    /// The first link to `page` (`/alerts/confirm`, …) in the text part, as a local path.
    fn link(&self, page: &str) -> String {
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

fn mail_config(port: u16, extra: &str) -> String {
    format!(
        "{}\n[mail]\nsmtp_url = \"smtp://127.0.0.1:{port}\"\nfrom = \"ANV Alerts <alerts@anv.example>\"\nretry_base = \"1s\"\n{extra}",
        config_text(None)
    )
}

fn subscribe(app: &TestApp, body: serde_json::Value) -> Resp {
    app.request(
        "POST",
        "/alerts",
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    )
}

/// Subscribes `email` and follows the confirmation link; returns the confirmation mail.
fn subscribed(app: &TestApp, smtp: &Smtp, email: &str, filter: serde_json::Value) -> Mail {
    let mut body = filter;
    body["email"] = email.into();
    let r = subscribe(app, body);
    assert_eq!(r.status, 202, "{}", r.body);
    let confirm = smtp.wait_for(email, |m| {
        m.header("subject")
            .is_some_and(|s| s.contains("Confirm") || s.contains("Confirme"))
    });
    let r = app.get(&confirm.link("/alerts/confirm"));
    assert_eq!(r.status, 200, "{}", r.body);
    confirm
}

fn publish(app: &TestApp, key: &str, id: &str, headline: &str, extra: serde_json::Value) {
    let mut s = story(id, headline);
    if let (Some(o), Some(e)) = (s.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            o.insert(k.clone(), v.clone());
        }
    }
    let r = app.api("PUT", &format!("/api/v1/articles/{id}"), key, Some(&s));
    assert!(r.status == 201 || r.status == 200, "{}", r.body);
}

#[test]
fn a_press_office_subscribes_confirms_gets_stories_corrections_kills_and_unsubscribes_in_one_click()
{
    let smtp = Smtp::start();
    let app = spawn_app_config(&mail_config(smtp.port, ""));
    let key = publisher_key(&app);
    let desk = "desk@embassy.example";
    let confirm = subscribed(
        &app,
        &smtp,
        desk,
        serde_json::json!({"topics": ["security"], "lang": "en"}),
    );
    // The confirmation mail itself carries the list headers.
    assert!(confirm.header("list-unsubscribe").is_some());
    // A control subscriber to every topic.
    let control = "control@embassy.example";
    subscribed(&app, &smtp, control, serde_json::json!({}));

    publish(
        &app,
        &key,
        "alert-1",
        "Border guards seize weapons cache",
        serde_json::json!({"topics": ["security"], "urgency": 1, "summary": "A cache of rifles was found."}),
    );
    let m = smtp.wait_for(desk, |m| {
        m.header("subject")
            .is_some_and(|s| s.contains("Border guards seize weapons cache"))
    });
    // Headers (RFC 5322, RFC 2919, RFC 2369, RFC 8058).
    let mid = m.header("message-id").expect("Message-ID");
    assert!(
        mid.starts_with('<') && mid.ends_with("@anv.example>"),
        "{mid}"
    );
    assert!(m.header("date").is_some());
    assert!(
        m.header("list-id")
            .unwrap()
            .contains("<alerts.anv.example>")
    );
    let lu = m.header("list-unsubscribe").unwrap();
    assert!(
        lu.contains("/alerts/unsubscribe?token=wfa_") && lu.contains("<mailto:alerts@anv.example"),
        "{lu}"
    );
    assert_eq!(
        m.header("list-unsubscribe-post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(m.header("subject").unwrap().starts_with("URGENT: "));
    // Both parts, the same story.
    assert!(
        m.header("content-type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    assert!(
        m.part("text/plain")
            .contains("A cache of rifles was found.")
    );
    let html = m.part("text/html");
    assert!(
        html.contains("Border guards seize weapons cache") && html.contains("/articles/alert-1")
    );
    // The address appears in no URL of the mail.
    assert!(!lu.contains("embassy"));

    // A correction replies to the first mail.
    publish(
        &app,
        &key,
        "alert-1",
        "Border guards seize weapons cache",
        serde_json::json!({"topics": ["security"], "urgency": 1, "revision": "correction",
            "correction_note": "The cache held rifles, not mortars.", "body": "Corrected body."}),
    );
    let c = smtp.wait_for(desk, |m| {
        m.header("subject")
            .is_some_and(|s| s.starts_with("Correction:"))
    });
    assert_eq!(c.header("in-reply-to").as_deref(), Some(mid.as_str()));
    assert!(c.part("text/plain").contains("rifles, not mortars"));
    // A kill goes to everyone who got the story.
    let r = app.api("DELETE", "/api/v1/articles/alert-1", &key, None);
    assert_eq!(r.status, 200, "{}", r.body);
    let k = smtp.wait_for(desk, |m| {
        m.header("subject").is_some_and(|s| s.starts_with("KILL:"))
    });
    assert_eq!(k.header("in-reply-to").as_deref(), Some(mid.as_str()));

    // One click (RFC 8058): a POST with the body mail clients send.
    let unsubscribe = m.link("/alerts/unsubscribe");
    let r = app.request(
        "POST",
        &unsubscribe,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"List-Unsubscribe=One-Click",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let before = smtp.count_to(desk);
    publish(
        &app,
        &key,
        "alert-2",
        "Second security story",
        serde_json::json!({"topics": ["security"]}),
    );
    // The control gets it (so the fan-out has happened), the unsubscribed desk does not.
    smtp.wait_for(control, |m| {
        m.header("subject")
            .is_some_and(|s| s.contains("Second security story"))
    });
    assert_eq!(smtp.count_to(desk), before, "mail after unsubscribing");
    // Its links now answer 404, like a forged one.
    assert_eq!(app.get(&m.link("/alerts/manage")).status, 404);
}

#[test]
fn bad_requests_are_400_naming_the_field_and_send_nothing_and_forged_tokens_are_404() {
    let smtp = Smtp::start();
    let app = spawn_app_config(&mail_config(smtp.port, ""));
    for (body, field) in [
        (
            serde_json::json!({"email": "desk@embassy.example\r\nBcc: x@evil.example"}),
            "email",
        ),
        (
            serde_json::json!({"email": format!("{}@embassy.example", "a".repeat(2000))}),
            "email",
        ),
        (serde_json::json!({"email": "not-an-address"}), "email"),
        (
            serde_json::json!({"email": "d@embassy.example", "topics": ["securty"]}),
            "topics",
        ),
        (
            serde_json::json!({"email": "d@embassy.example", "countries": ["XX"]}),
            "countries",
        ),
        (
            serde_json::json!({"email": "d@embassy.example", "frequency": "hourly"}),
            "frequency",
        ),
        (
            serde_json::json!({"email": "d@embassy.example", "key": "wf_sub_nope"}),
            "key",
        ),
        (
            serde_json::json!({"email": "d@embassy.example", "colour": "red"}),
            "colour",
        ),
    ] {
        let r = subscribe(&app, body.clone());
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let fields: Vec<String> = r.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        assert!(fields.contains(&field.to_owned()), "{body}: {fields:?}");
    }
    // The positive control: a good request is accepted and its mail sent; it is the only one.
    let r = subscribe(
        &app,
        serde_json::json!({"email": "ok@embassy.example", "countries": ["gt"]}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    smtp.wait_for("ok@embassy.example", |_| true);
    assert_eq!(smtp.messages().len(), 1, "only the good request sent mail");
    // The same 202 for a second request within the interval, and no second mail.
    let again = subscribe(&app, serde_json::json!({"email": "ok@embassy.example"}));
    assert_eq!((again.status, again.body.clone()), (202, r.body.clone()));
    // Forged and malformed tokens: 404, saying nothing about any address.
    let forged = format!("wfa_{}", "0".repeat(64));
    for path in [
        format!("/alerts/confirm?token={forged}"),
        format!("/alerts/manage?token={forged}"),
        "/alerts/manage?token=garbage".to_owned(),
    ] {
        assert_eq!(app.get(&path).status, 404, "{path}");
    }
    let r = app.request(
        "POST",
        &format!("/alerts/unsubscribe?token={forged}"),
        &[],
        b"",
    );
    assert_eq!(r.status, 404);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(smtp.messages().len(), 1, "nothing more was sent");
}

#[test]
fn a_451_is_retried_and_a_550_ends_the_message_and_suspends_the_subscription() {
    let smtp = Smtp::start();
    let app = spawn_app_config(&mail_config(smtp.port, "max_failures = 1\n"));
    // 451 twice, then the confirmation goes through on a later attempt.
    smtp.set(Mode::TempFail(2));
    let desk = "desk@embassy.example";
    subscribed(&app, &smtp, desk, serde_json::json!({}));
    assert_eq!(smtp.state.lock().unwrap().refused, 2);
    let metrics = app.get("/metrics").body;
    assert!(
        metrics.contains("wirefeed_alerts_retries_total 2"),
        "{metrics}"
    );
    // 550: permanent. The message fails once, is not retried, and the subscription is
    // suspended (max_failures = 1).
    smtp.set(Mode::Reject);
    let key = publisher_key(&app);
    publish(
        &app,
        &key,
        "refused-1",
        "Refused story",
        serde_json::json!({}),
    );
    let listed = app.eventually_for(Duration::from_secs(10), || {
        let (code, out, _) = app.cli(&["alerts", "list", "--json"]);
        assert_eq!(code, 0);
        let row: serde_json::Value = serde_json::from_str(out.lines().next()?).ok()?;
        (row["state"] == "suspended").then_some(row)
    });
    assert_eq!(listed["failed"], 1);
    assert_eq!(
        smtp.state.lock().unwrap().refused,
        3,
        "a 550 is not retried"
    );
    let metrics = app.get("/metrics").body;
    assert!(
        metrics.contains("wirefeed_alerts_failed_total 1"),
        "{metrics}"
    );
    // Suspended: the next story is not attempted at all.
    smtp.set(Mode::Accept);
    let before = smtp.messages().len();
    publish(
        &app,
        &key,
        "refused-2",
        "After suspension",
        serde_json::json!({}),
    );
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(smtp.messages().len(), before);
}

#[test]
fn the_outbox_survives_a_dead_smtp_server_and_a_restart_with_nothing_lost_or_doubled() {
    // A port with nothing listening: the SMTP server is down.
    let reserved = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = reserved.local_addr().unwrap().port();
    drop(reserved);
    let mut app = spawn_app_config(&mail_config(port, ""));
    let r = subscribe(&app, serde_json::json!({"email": "late@embassy.example"}));
    assert_eq!(r.status, 202);
    // The attempt fails (connection refused) and is queued for a retry.
    app.eventually_for(Duration::from_secs(10), || {
        let m = app.get("/metrics").body;
        (!m.contains("wirefeed_alerts_retries_total 0")).then_some(())
    });
    // The server dies; the SMTP server comes up; a new server sends the queued mail once.
    app.kill9();
    let smtp = Smtp::on(TcpListener::bind(("127.0.0.1", port)).unwrap());
    app.restart();
    smtp.wait_for("late@embassy.example", |_| true);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        smtp.count_to("late@embassy.example"),
        1,
        "sent exactly once"
    );
}

#[test]
fn alerts_list_shows_subscriptions_and_remove_erases_the_address() {
    let smtp = Smtp::start();
    let app = spawn_app_config(&mail_config(smtp.port, ""));
    subscribed(
        &app,
        &smtp,
        "gone@embassy.example",
        serde_json::json!({"frequency": "daily", "language": "es"}),
    );
    let (code, out, err) = app.cli(&["alerts", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let row: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(row["email"], "gone@embassy.example");
    assert_eq!(row["state"], "active");
    assert_eq!(row["frequency"], "daily");
    assert_eq!(row["sent"], 1);
    let (code, _, _) = app.cli(&["alerts", "remove", "Gone@Embassy.example"]);
    assert_eq!(code, 0);
    let (_, out, _) = app.cli(&["alerts", "list", "--json"]);
    assert!(out.trim().is_empty(), "{out}");
    // Removing it again: nothing to remove.
    let (code, _, err) = app.cli(&["alerts", "remove", "gone@embassy.example"]);
    assert_eq!(code, 1, "{err}");
}

#[test]
fn the_form_works_without_javascript_in_the_visitors_language() {
    let smtp = Smtp::start();
    let app = spawn_app_config(&mail_config(smtp.port, ""));
    let r = app.get("/alerts?topics=security&countries=GT&lang=es");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<html lang=\"es\""));
    assert!(r.body.contains("value=\"security\" checked"));
    assert!(r.body.contains("value=\"GT\" selected"));
    assert!(!r.body.contains("<script"));
    let r = app.get_with("/alerts", &[("Accept-Language", "en")]);
    assert!(r.body.contains("<html lang=\"en\""));
    // A form post, as a browser sends it: 202 with a page, whatever the address.
    let r = app.request(
        "POST",
        "/alerts",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "text/html"),
        ],
        b"lang=en&email=form%40embassy.example&topics=security&frequency=weekly",
    );
    assert_eq!(r.status, 202, "{}", r.body);
    assert!(r.body.contains("Check your inbox"));
    let confirm = smtp.wait_for("form@embassy.example", |_| true);
    let manage = app.get(&confirm.link("/alerts/confirm"));
    assert!(manage.body.contains("Subscription confirmed"));
    assert!(manage.body.contains("value=\"weekly\" checked"));
    // A bad form post is shown again with its problems (the person, not a program, reads it).
    let r = app.request(
        "POST",
        "/alerts",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "text/html"),
        ],
        b"lang=en&email=nope",
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("role=\"alert\"") && r.body.contains("email"));
}

#[test]
fn restricted_stories_reach_only_entitled_keys_and_an_embargoed_story_is_mailed_when_it_lifts() {
    let smtp = Smtp::start();
    // `security` made subscriber-only: security-only stories are restricted.
    let text = mail_config(smtp.port, "").replace(
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\n",
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\naccess = \"subscribers\"\n",
    );
    assert!(text.contains("access = \"subscribers\"\n\n"));
    let app = spawn_app_config(&text);
    let entitled = key(&app, "embassy-a", "subscriber", &["--feed", "security"]);
    let other = key(
        &app,
        "embassy-b",
        "subscriber",
        &["--feed", "embassy-briefing"],
    );
    let publisher = publisher_key(&app);
    let (a, b, c) = (
        "a@embassy.example",
        "b@embassy.example",
        "c@embassy.example",
    );
    subscribed(
        &app,
        &smtp,
        a,
        serde_json::json!({"key": entitled, "lang": "en"}),
    );
    subscribed(
        &app,
        &smtp,
        b,
        serde_json::json!({"key": other, "lang": "en"}),
    );
    subscribed(&app, &smtp, c, serde_json::json!({"lang": "en"}));
    publish(
        &app,
        &publisher,
        "secret-1",
        "Restricted security briefing",
        serde_json::json!({"topics": ["security"]}),
    );
    publish(
        &app,
        &publisher,
        "public-1",
        "Public migration story",
        serde_json::json!({"topics": ["migration"]}),
    );
    // The public story reaches all three (the control: b and c are active and were fanned out
    // to after the restricted story, whose event came first).
    for who in [a, b, c] {
        smtp.wait_for(who, |m| {
            m.header("subject")
                .is_some_and(|s| s.contains("Public migration story"))
        });
    }
    smtp.wait_for(a, |m| {
        m.header("subject")
            .is_some_and(|s| s.contains("Restricted security briefing"))
    });
    for who in [b, c] {
        let got = smtp
            .messages()
            .iter()
            .filter(|m| m.to.iter().any(|t| t == who))
            .any(|m| m.raw.contains("Restricted security briefing"));
        assert!(!got, "{who} got a restricted story it is not entitled to");
    }

    // An embargoed story is mailed when its embargo lifts, not when it is filed.
    let lift = chrono::Utc::now() + chrono::Duration::seconds(4);
    publish(
        &app,
        &publisher,
        "embargoed-1",
        "Embargoed migration figures",
        serde_json::json!({"topics": ["migration"], "embargo_until": lift.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}),
    );
    publish(
        &app,
        &publisher,
        "public-2",
        "Second public story",
        serde_json::json!({"topics": ["migration"]}),
    );
    smtp.wait_for(c, |m| {
        m.header("subject")
            .is_some_and(|s| s.contains("Second public story"))
    });
    let early = smtp
        .messages()
        .iter()
        .any(|m| m.raw.contains("Embargoed migration figures"));
    assert!(
        !early || chrono::Utc::now() >= lift,
        "mailed before its embargo lifted"
    );
    let m = smtp.wait_for(c, |m| {
        m.header("subject")
            .is_some_and(|s| s.contains("Embargoed migration figures"))
    });
    let date = chrono::DateTime::parse_from_rfc2822(&m.header("date").unwrap()).unwrap();
    assert!(
        date.timestamp() >= lift.timestamp() - 1,
        "sent at {date}, lift at {lift}"
    );
}
