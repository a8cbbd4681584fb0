//! What an outside attack, real clients and a test audit found in the documents (hardening):
//! markup, killed stories, dates, bylines, pages and their validators. Each check here failed
//! before its fix; the server's own defences are in hardening_server.rs.

use crate::helpers::{publisher_key, spawn_app_with};
use serde_json::json;

/// Every `<description>` of an RSS document, as a reader gets it after XML parsing.
fn rss_descriptions(xml: &str) -> Vec<String> {
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("the RSS parses");
    feed.entries
        .iter()
        .filter_map(|e| e.summary.as_ref().map(|s| s.content.clone()))
        .collect()
}

#[test]
fn rss_descriptions_carry_no_live_markup_from_summaries_bodies_or_kill_reasons() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let hostile = [
        json!({"id": "x-summary", "language": "en", "headline": "Summary with markup",
               "summary": "Officials said <img src=x onerror=alert(1)> & more.",
               "body": "The ministry confirmed it."}),
        json!({"id": "x-body", "language": "en", "headline": "Body with markup",
               "body": "Officials said `<script>alert(1)</script>` and &lt;script&gt;alert(2)&lt;/script&gt; appeared.\n\nMore."}),
    ];
    for body in &hostile {
        let r = app.api("POST", "/api/v1/articles", &token, Some(body));
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = app.api(
        "DELETE",
        "/api/v1/articles/x-body",
        &token,
        Some(&json!({"reason": "<script>alert(3)</script>"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    let all = app.get("/feeds/all.rss");
    let descriptions = rss_descriptions(&all.body);
    // The positive control: the hostile text is there, as text.
    assert!(
        descriptions.iter().any(|d| d.contains("&lt;img src=x")),
        "the summary is shown, escaped: {descriptions:?}"
    );
    let kills = app.get("/feeds/kills.rss");
    let notices = rss_descriptions(&kills.body);
    assert!(
        notices.iter().any(|d| d.contains("&lt;script&gt;alert(3)")),
        "the kill reason is shown, escaped: {notices:?}"
    );
    for d in descriptions.iter().chain(&notices) {
        let lower = d.to_ascii_lowercase();
        assert!(
            !lower.contains("<img") && !lower.contains("<script"),
            "live markup in an RSS description: {d:?}"
        );
    }
}

#[test]
fn a_killed_story_has_no_body_or_summary_left_in_any_public_document() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let body = json!({"id": "k-1", "language": "en", "headline": "A story to withdraw",
        "summary": "SECRETSUMMARY of the story.",
        "body": "SECRETBODY first paragraph.\n\nSECRETBODY second paragraph."});
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&body))
            .status,
        201
    );
    let docs = [
        "/articles/k-1.json",
        "/articles/k-1.xml",
        "/feeds/all.xml",
        "/feeds/all.atom",
        "/feeds/all.rss",
        "/feeds/all.json",
        "/feeds/kills.xml",
        "/feeds/kills.atom",
        "/feeds/kills.rss",
        "/feeds/kills.json",
    ];
    // The positive control: before the kill the text is served.
    for d in &docs[..6] {
        let r = app.get(d);
        assert!(
            r.body.contains("SECRETBODY"),
            "{d} carries the body before the kill"
        );
    }
    let r = app.api(
        "DELETE",
        "/api/v1/articles/k-1",
        &token,
        Some(&json!({"reason": "Legal: do not use"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    for d in docs {
        let r = app.get(d);
        assert!(
            r.status == 200 || r.status == 410,
            "{d}: {} {}",
            r.status,
            r.body
        );
        assert!(
            !r.body.contains("SECRETBODY") && !r.body.contains("SECRETSUMMARY"),
            "{d} still carries the killed story's text:\n{}",
            r.body
        );
    }
    // The notice is what they carry: GUID, headline and reason.
    let ninjs = app.get("/articles/k-1.json").json();
    assert_eq!(ninjs["pubstatus"], "canceled");
    assert!(
        ninjs["ednote"]
            .as_str()
            .unwrap()
            .contains("Legal: do not use")
    );
    assert!(
        ninjs["headlines"][0]["value"]
            .as_str()
            .unwrap()
            .contains("A story to withdraw")
    );
    // Publishers keep every version.
    let versions = app.api("GET", "/api/v1/articles/k-1/versions", &token, None);
    assert!(versions.body.contains("SECRETBODY"), "{}", versions.body);
}

#[test]
fn rss_items_date_their_corrections_atom_carries_keywords_and_bylines_keep_every_name() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let mut body = json!({"id": "c-1", "language": "en", "headline": "Border talks resume",
        "byline": ["Ana Ruiz", "John Doe", "Li Wei"], "keywords": ["frontera", "aduanas"],
        "body": "The talks resumed on Monday."});
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&body))
            .status,
        201
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    body["body"] = json!("The talks resumed on Tuesday.");
    body["revision"] = json!("correction");
    body["correction_note"] = json!("An earlier version gave the wrong day.");
    let r = app.api("PUT", "/api/v1/articles/c-1", &token, Some(&body));
    assert_eq!(r.status, 200, "{}", r.body);
    let json = app.get("/feeds/all.json").json();
    let modified = json["items"][0]["date_modified"]
        .as_str()
        .unwrap()
        .to_owned();
    let published = json["items"][0]["date_published"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(
        modified, published,
        "the control: the correction moved the item's date"
    );

    let rss = app.get("/feeds/all.rss").body;
    let m: chrono::DateTime<chrono::Utc> = rss
        .split("<dcterms:modified>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_else(|| panic!("no dcterms:modified in the RSS item:\n{rss}"))
        .parse()
        .unwrap();
    assert_eq!(
        m,
        modified.parse::<chrono::DateTime<chrono::Utc>>().unwrap()
    );
    assert!(rss.contains("xmlns:dcterms=\"http://purl.org/dc/terms/\""));
    let creators: Vec<&str> = rss
        .split("<dc:creator>")
        .skip(1)
        .filter_map(|s| s.split("</dc:creator>").next())
        .collect();
    assert_eq!(
        creators,
        ["Ana Ruiz, John Doe and Li Wei"],
        "one dc:creator with every name"
    );

    let atom = feed_rs::parser::parse(app.get("/feeds/all.atom").body.as_bytes()).unwrap();
    let terms: Vec<&str> = atom.entries[0]
        .categories
        .iter()
        .map(|c| c.term.as_str())
        .collect();
    assert!(
        terms.contains(&"frontera") && terms.contains(&"aduanas"),
        "Atom carries the keywords: {terms:?}"
    );
    let authors: Vec<&str> = atom.entries[0]
        .authors
        .iter()
        .filter_map(|p| p.name.as_deref())
        .collect();
    assert_eq!(authors, ["Ana Ruiz", "John Doe", "Li Wei"]);
}

#[test]
fn pages_carry_a_csp_that_allows_only_their_own_inline_code_and_keyed_answers_vary() {
    use base64::Engine;
    use sha2::Digest;
    let app = crate::helpers::spawn_app();
    let page = app.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("same-origin"));
    let csp = page
        .header("content-security-policy")
        .expect("a CSP")
        .to_owned();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    // The inline script and style are allowed by their exact hashes, and nothing else is.
    for (open, close) in [("<script>", "</script>"), ("<style>", "</style>")] {
        let inner = page
            .body
            .split(open)
            .nth(1)
            .and_then(|s| s.split(close).next())
            .unwrap_or_else(|| panic!("no {open} in the front page"));
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(inner));
        assert!(
            csp.contains(&format!("'sha256-{hash}'")),
            "{open} is not allowed by {csp}"
        );
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let token = publisher_key(&app);
    let keyed = app.get_with(
        "/feeds/all.rss",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(keyed.status, 200);
    let vary = keyed
        .header("vary")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        vary.contains("authorization"),
        "a keyed answer varies by Authorization: {vary}"
    );
    let anonymous = app.get("/feeds/all.rss");
    let vary = anonymous
        .header("vary")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        !vary.contains("authorization"),
        "an anonymous one does not: {vary}"
    );
}

#[test]
fn an_article_with_endless_lists_is_refused_with_the_field_named() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let mut body = json!({"id": "lists-1", "language": "en", "headline": "Lists",
        "body": "Text.", "keywords": (0..10).map(|i| format!("k{i}")).collect::<Vec<_>>()});
    // The control: a story's usual lists are accepted.
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&body))
            .status,
        201
    );
    body["id"] = json!("lists-2");
    body["keywords"] = json!((0..100_000).map(|i| format!("k{i}")).collect::<Vec<_>>());
    let r = app.api("POST", "/api/v1/articles", &token, Some(&body));
    assert_eq!(r.status, 400, "{}", &r.body[..r.body.len().min(300)]);
    assert_eq!(r.json()["errors"][0]["field"], "keywords");
    body["keywords"] = json!(["k"]);
    body["byline"] = json!(
        (0..500)
            .map(|i| format!("Reporter {i}"))
            .collect::<Vec<_>>()
    );
    let r = app.api("POST", "/api/v1/articles", &token, Some(&body));
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "byline");
}

#[test]
fn superdesk_era_readers_get_ninjs_1_6_subject_codes_and_an_html_body_alternative() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let body = json!({"id": "sd-1", "language": "en", "headline": "Ministers meet",
        "topics": ["bilateral-relations"],
        "body": "The ministers **agreed** on [a plan](https://example.org/p) today.\n\n- first point\n- second point\n\n> a quoted line"});
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&body))
            .status,
        201
    );
    // ninjs 2.1 stays the default; 1.6 on request; anything else is a 400 naming the parameter.
    let v21 = app.get("/articles/sd-1.json").json();
    assert_eq!(v21["standard"]["version"], "2.1");
    let v16 = app.get("/articles/sd-1.json?ninjs=1.6").json();
    assert_eq!(v16["$standard"]["version"], "1.6");
    assert_eq!(v16["headline"], "Ministers meet");
    assert!(
        v16["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>agreed</strong>")
    );
    let codes: Vec<&str> = v16["subject"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"11002002"),
        "the Subject Code beside the Media Topic: {codes:?}"
    );
    for bad in ["9", "2.0", "1.6&ninjs=2.1"] {
        let r = app.get(&format!("/articles/sd-1.json?ninjs={bad}"));
        assert_eq!(r.status, 400, "ninjs={bad}: {}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "ninjs");
    }
    // NewsML-G2: the XHTML body and, after it in the same contentSet, an HTML alternative
    // with every word; Subject Codes beside the Media Topics.
    let xml = app.get("/articles/sd-1.xml").body;
    let inline_xml = xml.find("<inlineXML").expect("inlineXML");
    let inline_data = xml
        .find("<inlineData contenttype=\"text/html\">")
        .expect("inlineData");
    assert!(inline_data > inline_xml, "the HTML alternative comes last");
    let data = &xml[inline_data..xml.find("</inlineData>").unwrap()];
    for word in ["agreed", "a plan", "second point", "a quoted line"] {
        assert!(
            data.contains(word),
            "{word} in the HTML alternative: {data}"
        );
    }
    assert!(xml.contains("qcode=\"subj:11002002\""), "{xml}");
}

#[test]
fn a_public_page_does_not_move_when_a_story_it_does_not_show_is_filed_or_killed() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let validators = |path: &str| {
        let r = app.get(path);
        assert_eq!(r.status, 200, "{path}");
        (
            r.header("etag").unwrap().to_owned(),
            r.header("last-modified").unwrap().to_owned(),
            r.body,
        )
    };
    let story =
        |id: &str| json!({"id": id, "language": "en", "headline": "Talks", "body": "Text."});
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&story("p-1")))
            .status,
        201
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let empty_fr = validators("/feeds/all.atom?lang=fr");
    let kills_fr = validators("/feeds/kills.atom?lang=fr");
    let kills = validators("/feeds/kills.atom");
    // An embargoed story is filed, and a visible English one killed, a second later.
    let mut embargoed = story("p-2");
    embargoed["embargo_until"] = json!("2099-01-01T00:00:00Z");
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&embargoed))
            .status,
        201
    );
    let r = app.api(
        "DELETE",
        "/api/v1/articles/p-1",
        &token,
        Some(&json!({"reason": "Test."})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // The positive control: the page that shows the kill moved.
    let after = validators("/feeds/kills.atom");
    assert_ne!(after.0, kills.0, "kills.atom shows the notice");
    // Pages that show neither did not, in any byte or validator.
    assert_eq!(
        validators("/feeds/all.atom?lang=fr"),
        empty_fr,
        "the empty French page moved"
    );
    assert_eq!(
        validators("/feeds/kills.atom?lang=fr"),
        kills_fr,
        "the French kills page moved"
    );
}

#[test]
fn a_public_page_tells_nothing_of_a_pending_lift_beyond_max_age() {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    let story = |id: &str, topic: &str| json!({"id": id, "language": "en", "headline": "Talks", "topics": [topic], "body": "Text."});
    assert_eq!(
        app.api(
            "POST",
            "/api/v1/articles",
            &token,
            Some(&story("l-0", "security"))
        )
        .status,
        201
    );
    assert_eq!(
        app.api(
            "POST",
            "/api/v1/articles",
            &token,
            Some(&story("l-1", "migration"))
        )
        .status,
        201
    );
    let usual = app
        .get("/feeds/security.json")
        .header("cache-control")
        .unwrap()
        .to_owned();
    assert!(
        usual.contains("stale-if-error"),
        "the control: the usual header: {usual}"
    );
    // Files a migration story that lifts `secs` from now.
    let embargoed = |id: &str, secs: i64| {
        let mut body = story(id, "migration");
        let lift = chrono::Utc::now() + chrono::Duration::seconds(secs);
        body["embargo_until"] = json!(lift.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let r = app.api("POST", "/api/v1/articles", &token, Some(&body));
        assert_eq!(r.status, 201, "{}", r.body);
    };
    let cache_control = || {
        app.get("/feeds/migration.json")
            .header("cache-control")
            .unwrap()
            .to_owned()
    };
    // A lift five minutes away: within stale-if-error, beyond max-age (60 s).
    embargoed("l-2", 300);
    let cc = cache_control();
    assert_eq!(cc, usual, "a lift five minutes away shows in no lifetime");
    // One 20 s away: everything ends at the lift, nothing stale past it. (A page stays for
    // the rest of the second it was rendered in: file it in the next.)
    std::thread::sleep(std::time::Duration::from_millis(1100));
    embargoed("l-3", 20);
    let cc = cache_control();
    let left: u64 = cc
        .split("max-age=")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| panic!("{cc}"));
    assert!(left <= 20, "{cc}");
    assert!(
        cc.contains(&format!("s-maxage={left}")) && !cc.contains("stale"),
        "{cc}"
    );
}
