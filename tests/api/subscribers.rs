//! Subscribers (docs/api.md, Subscribers and keys): restricted feeds and the articles only they select, for every kind
//! of caller, key transport and request — the exact status, and no restricted byte otherwise.

use crate::helpers::{TestApp, config_text, repo, spawn_app_config};

/// The shipped config with `security` made subscriber-only: security-only stories are then
/// restricted articles, and `embassy-briefing` is a second restricted feed.
fn spawn_restricted() -> TestApp {
    let text = config_text(Some(&repo().join("data/articles"))).replace(
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\n",
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\naccess = \"subscribers\"\n",
    );
    assert!(
        text.contains("access = \"subscribers\"\n\n"),
        "the security feed block changed"
    );
    spawn_app_config(&text)
}

fn key(app: &TestApp, args: &[&str]) -> String {
    let (code, out, err) = app.cli(&[&["keys", "add"], args].concat());
    assert_eq!(code, 0, "{out}{err}");
    out.trim().to_owned()
}

struct Keys {
    entitled: String,
    other: String,
    publisher: String,
    revoked: String,
    expired: String,
}

fn keys(app: &TestApp) -> Keys {
    let k = Keys {
        entitled: key(
            app,
            &[
                "press-security",
                "--role",
                "subscriber",
                "--feed",
                "security",
            ],
        ),
        other: key(
            app,
            &[
                "press-embassy",
                "--role",
                "subscriber",
                "--feed",
                "embassy-briefing",
            ],
        ),
        publisher: key(app, &["desk", "--role", "publisher"]),
        revoked: key(app, &["gone", "--role", "subscriber", "--feed", "security"]),
        expired: key(
            app,
            &[
                "brief",
                "--role",
                "subscriber",
                "--feed",
                "security",
                "--expires",
                "1s",
            ],
        ),
    };
    assert_eq!(app.cli(&["keys", "revoke", "gone"]).0, 0);
    std::thread::sleep(std::time::Duration::from_millis(1500)); // `brief` expires; keys reload
    k
}

/// A security-only story: restricted when `security` is for subscribers.
fn restricted_article(app: &TestApp, publisher: &str) -> String {
    let auth = format!("Bearer {publisher}");
    let list = app
        .get_with("/api/v1/articles?limit=200", &[("Authorization", &auth)])
        .json();
    list["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["topics"] == serde_json::json!(["security"]))
        .expect("the sample data has a security-only story")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn restricted_feeds_and_articles_answer_exactly_by_entitlement_and_leak_nothing() {
    let app = spawn_restricted();
    let k = keys(&app);
    let secret = restricted_article(&app, &k.publisher);
    let headline = {
        let auth = format!("Bearer {}", k.publisher);
        app.get_with(
            &format!("/api/v1/articles/{secret}"),
            &[("Authorization", &auth)],
        )
        .json()["headline"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // The positive control: its id, as searched for below, is in the restricted feed.
    let entitled = format!("Bearer {}", k.entitled);
    for ext in ["json", "atom"] {
        let r = app.get_with(
            &format!("/feeds/security.{ext}?limit=200"),
            &[("Authorization", &entitled)],
        );
        assert!(r.body.contains(&secret), "security.{ext} lacks {secret}");
    }
    // Public feeds never list it, whoever asks, while they list other stories.
    for path in [
        "/feeds/all.json?limit=200",
        "/feeds/all.atom?limit=200",
        "/feeds/kills.json",
    ] {
        let r = app.get(path);
        assert_eq!(r.status, 200, "{path}");
        if path.starts_with("/feeds/all.") {
            assert!(
                r.body.contains("/articles/"),
                "{path} lists no story at all"
            );
        }
        assert!(
            !r.body.contains(&secret),
            "{path} lists the restricted story"
        );
    }
    let paths = [
        "/feeds/security.rss".to_owned(),
        "/feeds/security.atom".to_owned(),
        "/feeds/security.xml".to_owned(),
        "/feeds/security.json".to_owned(),
        format!("/articles/{secret}"),
        format!("/articles/{secret}.xml"),
        format!("/articles/{secret}.json"),
    ];
    // (who, token, status)
    let callers: [(&str, Option<&str>, u16); 7] = [
        ("anonymous", None, 401),
        ("entitled subscriber", Some(&k.entitled), 200),
        ("subscriber of another feed", Some(&k.other), 403),
        ("publisher", Some(&k.publisher), 200),
        ("revoked key", Some(&k.revoked), 401),
        ("expired key", Some(&k.expired), 401),
        (
            "wrong token",
            Some("wf_sub_0000000000000000000000000000000000000000000000000000000000000000"),
            401,
        ),
    ];
    for path in &paths {
        for (who, token, want) in callers {
            for transport in ["header", "query"] {
                if token.is_none() && transport == "query" {
                    continue;
                }
                let (url, headers): (String, Vec<(&str, String)>) = match (token, transport) {
                    (Some(t), "header") => {
                        (path.clone(), vec![("Authorization", format!("Bearer {t}"))])
                    }
                    (Some(t), _) => (format!("{path}?token={t}"), vec![]),
                    (None, _) => (path.clone(), vec![]),
                };
                let h: Vec<(&str, &str)> = headers.iter().map(|(a, b)| (*a, b.as_str())).collect();
                let what = format!("{who} via {transport} on {path}");
                let r = app.get_with(&url, &h);
                assert_eq!(r.status, want, "{what}: {}", r.body);
                let head = app.head_with(&url, &h);
                assert_eq!(head.status, want, "HEAD: {what}");
                if want == 200 {
                    assert!(
                        r.header("cache-control").unwrap().starts_with("private"),
                        "{what}: a keyed response must not be shared"
                    );
                    let etag = r.header("etag").unwrap().to_owned();
                    let again = app.get_with(
                        &url,
                        &[h.as_slice(), &[("If-None-Match", etag.as_str())]].concat(),
                    );
                    assert_eq!(again.status, 304, "{what}: its own ETag revalidates");
                } else {
                    assert_eq!(
                        r.header("content-type"),
                        Some("application/problem+json"),
                        "{what}"
                    );
                    assert!(
                        !r.body.contains(&headline),
                        "{what} leaks the headline: {}",
                        r.body
                    );
                    if want == 401 {
                        assert!(
                            r.header("www-authenticate").unwrap().starts_with("Bearer"),
                            "{what}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn a_304_for_one_keys_etag_is_never_given_to_another_entitlement() {
    let app = spawn_restricted();
    let k = keys(&app);
    let (a, b) = (
        format!("Bearer {}", k.entitled),
        format!("Bearer {}", k.publisher),
    );
    let ra = app.get_with("/feeds/security.atom", &[("Authorization", &a)]);
    let rb = app.get_with("/feeds/security.atom", &[("Authorization", &b)]);
    assert_eq!((ra.status, rb.status), (200, 200));
    assert_eq!(ra.body, rb.body, "entitled keys share one rendered page");
    let (ta, tb) = (ra.header("etag").unwrap(), rb.header("etag").unwrap());
    assert_ne!(ta, tb, "validators belong to the entitlement");
    let cross = app.get_with(
        "/feeds/security.atom",
        &[("Authorization", &b), ("If-None-Match", ta)],
    );
    assert_eq!(cross.status, 200, "another key's ETag must not revalidate");
    let anon = app.get_with("/feeds/all.atom", &[("If-None-Match", ta)]);
    assert_eq!(anon.status, 200);
}

#[test]
fn links_inside_a_document_read_with_token_carry_the_token() {
    let app = spawn_restricted();
    let k = keys(&app);
    let secret = restricted_article(&app, &k.publisher);
    let url = format!("/feeds/security.atom?limit=1&token={}", k.entitled);
    let r = app.get(&url);
    assert_eq!(r.status, 200);
    let doc = feed_rs::parser::parse(r.body.as_bytes()).unwrap();
    let mut rels = Vec::new();
    for l in &doc.links {
        if let Some(rel @ ("self" | "next" | "first")) = l.rel.as_deref() {
            assert!(l.href.contains(&format!("token={}", k.entitled)), "{l:?}");
            rels.push(rel);
        }
    }
    rels.sort_unstable();
    assert_eq!(rels, ["first", "next", "self"], "{:?}", doc.links);
    let whole = app.get(&format!(
        "/feeds/security.atom?limit=200&token={}",
        k.entitled
    ));
    assert!(
        whole
            .body
            .contains(&format!("/articles/{secret}?token={}", k.entitled))
    );
    // With a header key, nothing in the document carries a token.
    let auth = format!("Bearer {}", k.entitled);
    let h = app.get_with(
        "/feeds/security.atom?limit=200",
        &[("Authorization", &auth)],
    );
    assert!(!h.body.contains("token="));
}

#[test]
fn revoking_a_key_in_another_process_is_refused_within_a_second() {
    let app = spawn_restricted();
    let token = key(
        &app,
        &["soon-gone", "--role", "subscriber", "--feed", "security"],
    );
    let auth = format!("Bearer {token}");
    app.eventually(|| {
        (app.get_with("/feeds/security.json", &[("Authorization", &auth)])
            .status
            == 200)
            .then_some(())
    });
    assert_eq!(app.cli(&["keys", "revoke", "soon-gone"]).0, 0);
    let start = std::time::Instant::now();
    app.eventually_for(std::time::Duration::from_millis(1000), || {
        (app.get_with("/feeds/security.json", &[("Authorization", &auth)])
            .status
            == 401)
            .then_some(())
    });
    assert!(start.elapsed() < std::time::Duration::from_secs(1));
}

fn spawn_limited() -> TestApp {
    let text = config_text(Some(&repo().join("data/articles")))
        + "\n[limits]\nanonymous_per_minute = 60\nkey_per_minute = 60\nburst = 5\n";
    // config_text adds its own [limits] only when the text has none: this one wins.
    let text = text.replacen(
        "\n[limits]\nanonymous_per_minute = 0\nkey_per_minute = 0\n",
        "\n",
        1,
    );
    spawn_app_config(&text)
}

#[test]
fn a_burst_past_the_limit_gets_429_with_retry_after_and_the_bucket_refills() {
    let app = spawn_limited();
    // Anonymous: per client address. Five at once, then refused.
    let statuses: Vec<u16> = (0..8)
        .map(|_| app.get("/feeds/all.json?limit=1").status)
        .collect();
    assert_eq!(&statuses[..5], &[200; 5], "{statuses:?}");
    let refused = app.get("/feeds/all.json?limit=1");
    assert_eq!(refused.status, 429);
    assert_eq!(
        refused.header("content-type"),
        Some("application/problem+json")
    );
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "Retry-After {wait}");
    // One request a second refills: after the wait, it answers again.
    std::thread::sleep(std::time::Duration::from_secs(wait));
    assert_eq!(app.get("/feeds/all.json?limit=1").status, 200);
    // A key has its own bucket, and every keyed response says where it stands.
    let token = key(&app, &["poller", "--role", "subscriber"]);
    std::thread::sleep(std::time::Duration::from_millis(400));
    let auth = format!("Bearer {token}");
    let mut remaining = Vec::new();
    for _ in 0..5 {
        let r = app.get_with("/feeds/migration.json?limit=1", &[("Authorization", &auth)]);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.header("x-ratelimit-limit"), Some("60"));
        assert!(
            r.header("x-ratelimit-reset")
                .unwrap()
                .parse::<u64>()
                .is_ok()
        );
        remaining.push(
            r.header("x-ratelimit-remaining")
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
    }
    assert!(remaining.windows(2).all(|w| w[1] < w[0]), "{remaining:?}");
    let over = app.get_with("/feeds/migration.json?limit=1", &[("Authorization", &auth)]);
    assert_eq!(over.status, 429);
    assert!(over.header("retry-after").is_some());
    assert_eq!(over.header("x-ratelimit-remaining"), Some("0"));
    // 304s count too.
    std::thread::sleep(std::time::Duration::from_secs(2));
    let fresh = app.get_with("/feeds/migration.json?limit=1", &[("Authorization", &auth)]);
    let etag = fresh.header("etag").unwrap().to_owned();
    let revalidations: Vec<u16> = (0..6)
        .map(|_| {
            app.get_with(
                "/feeds/migration.json?limit=1",
                &[("Authorization", &auth), ("If-None-Match", &etag)],
            )
            .status
        })
        .collect();
    assert!(
        revalidations.contains(&304) && revalidations.contains(&429),
        "{revalidations:?}"
    );
}

#[test]
fn usage_per_key_is_counted_with_its_304_share_and_written_in_batches() {
    let app = spawn_restricted();
    let k = keys(&app);
    let auth = format!("Bearer {}", k.entitled);
    let first = app.get_with("/feeds/security.json", &[("Authorization", &auth)]);
    let etag = first.header("etag").unwrap().to_owned();
    for _ in 0..3 {
        let r = app.get_with(
            "/feeds/security.json",
            &[("Authorization", &auth), ("If-None-Match", &etag)],
        );
        assert_eq!(r.status, 304);
    }
    let publisher = format!("Bearer {}", k.publisher);
    let list = app
        .get_with("/api/v1/subscribers", &[("Authorization", &publisher)])
        .json();
    let row = list["subscribers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "press-security")
        .unwrap()
        .clone();
    assert_eq!(row["requests"], 4, "{row}");
    assert_eq!(row["not_modified"], 3, "{row}");
    assert_eq!(row["not_modified_share"], 0.75, "{row}");
    assert_eq!(row["last_feed"], "security", "{row}");
    let body = list.to_string();
    assert!(!body.contains(&k.entitled) && !body.contains("token_hash"));
    // `keys list` reads the database: the counts arrive with the next batch.
    app.eventually_for(std::time::Duration::from_secs(8), || {
        let (_, out, _) = app.cli(&["keys", "list", "--json"]);
        out.lines()
            .find(|l| l.contains("\"press-security\""))
            .filter(|l| l.contains("\"requests\":4") && l.contains("\"not_modified\":3"))
            .map(|_| ())
    });
    let (_, out, _) = app.cli(&["keys", "list"]);
    assert!(!out.contains(&k.entitled));
    // Subscribers may not read it.
    let sub = app.get_with("/api/v1/subscribers", &[("Authorization", &auth)]);
    assert_eq!(sub.status, 403);
}

/// A restricted story's picture follows the story: a browser reading the page with `?token=`
/// cannot send headers for its images, so the page names them with the token; read with a
/// header, the page names them without. Without an entitled key the bytes are not served.
#[test]
fn a_restricted_page_read_with_a_token_names_its_pictures_with_it() {
    let app = spawn_restricted();
    let k = keys(&app);
    let id = "anv-20261113-0005"; // security only, with the sample harbour picture
    let page = app.get(&format!("/articles/{id}?token={}", k.entitled));
    assert_eq!(page.status, 200, "{}", page.body);
    let src = page
        .body
        .split("<img src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the page shows its picture")
        .replace("&amp;", "&");
    assert!(src.ends_with(&format!("?token={}", k.entitled)), "{src}");
    let path = src
        .split_once("/media/")
        .map(|(_, p)| format!("/media/{p}"))
        .unwrap();
    assert_eq!(app.head(&path).status, 200, "with the token");
    let (bare, _) = path.split_once('?').unwrap();
    // Control: the same bytes without the token are refused; with the other key too.
    assert_ne!(app.head(bare).status, 200, "without a key");
    assert_ne!(
        app.head(&format!("{bare}?token={}", k.other)).status,
        200,
        "with a key to another feed"
    );
    let auth = format!("Bearer {}", k.entitled);
    let page = app.get_with(&format!("/articles/{id}"), &[("Authorization", &auth)]);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<img src=\"") && !page.body.contains("?token="));
}

/// The same for machine readers without headers: a restricted story's ninjs (2.1 and 3.1) and
/// NewsML-G2, and its picture's own documents, read with `?token=`, name the renditions with it;
/// read with a header, without (the control).
#[test]
fn restricted_ninjs_and_newsml_read_with_a_token_name_the_renditions_with_it() {
    let app = spawn_restricted();
    let k = keys(&app);
    let id = "anv-20261113-0005"; // security only, with the sample harbour picture
    let with = format!("?token={}", k.entitled);
    let auth = format!("Bearer {}", k.entitled);
    let renditions_named = |body: &str| body.matches("/media/img-").count();
    for (doc, query) in [
        (format!("/articles/{id}.json"), with.clone()),
        (format!("/articles/{id}.json"), format!("{with}&ninjs=3.1")),
    ] {
        let r = app.get(&format!("{doc}{query}"));
        assert_eq!(r.status, 200, "{doc}{query}: {}", r.body);
        assert!(renditions_named(&r.body) > 0, "{}", r.body);
        let tokened = r.body.matches(&format!("?token={}", k.entitled)).count();
        assert_eq!(
            tokened,
            renditions_named(&r.body),
            "{doc}{query}: {}",
            r.body
        );
        let h = app.get_with(&doc, &[("Authorization", &auth)]);
        assert_eq!(h.status, 200);
        assert!(
            renditions_named(&h.body) > 0 && !h.body.contains("?token="),
            "{}",
            h.body
        );
    }
    // The picture's own documents.
    let n = app.get(&format!("/articles/{id}.json{with}")).json();
    let pic = n["associations"]
        .as_array()
        .and_then(|a| a.first())
        .and_then(|p| p["uri"].as_str())
        .map(str::to_owned)
        .or_else(|| {
            n["associations"]
                .as_object()
                .and_then(|o| o.values().next())
                .and_then(|p| p["uri"].as_str())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("no association: {n}"));
    let pid = pic.rsplit(':').next().unwrap().to_owned();
    for ext in ["json", "xml"] {
        let r = app.get(&format!("/media/{pid}.{ext}{with}"));
        assert_eq!(r.status, 200, "{ext}: {}", r.body);
        assert!(
            r.body.contains(&format!("?token={}", k.entitled)),
            "{ext}: {}",
            r.body
        );
        let h = app.get_with(&format!("/media/{pid}.{ext}"), &[("Authorization", &auth)]);
        assert_eq!(h.status, 200);
        assert!(!h.body.contains("?token="), "{ext}: {}", h.body);
    }
}
