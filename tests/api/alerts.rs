//! Email alerts (contract §16) against a real SMTP server: `mailin-embedded` runs in this test
//! process on a loopback socket and speaks the whole protocol (EHLO, MAIL, RCPT, DATA); its
//! handler can refuse with 451 or 550 on purpose. No mock of the store, HTTP or SMTP.

use super::alerts_harness::{Mail, Mode, Smtp};
use super::helpers::*;
use std::net::TcpListener;
use std::time::Duration;

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
