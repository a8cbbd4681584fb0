//! Sweeps over real HTTP (issue 16), each with its positive control: what a restricted-only, a
//! killed or an embargoed story leaves behind in every public place, and paging while writers
//! re-date. Concurrent writes, chunked bodies and SIGTERM are sweeps_writes.rs.

use crate::helpers::{
    TestApp, config_text, json_ids, key, local_path, publisher_key, repo, spawn_app_config,
    spawn_app_with, story,
};
use crate::websub::{BASE, SOON, subscribe};
use crate::websub_harness::Subscriber;
use serde_json::{Value, json};

/// Anonymous GETs of every public place a story can show: each feed in each format, plain, with
/// `?q=`, `?since=` and `?lang=`; the front page, topic pages and search.
fn public_places(word: &str, since: &str) -> Vec<(String, bool)> {
    // (path, whether the public control story belongs there)
    let mut places = Vec::new();
    for feed in ["all", "migration", "kills", "bilateral-relations"] {
        let shows = matches!(feed, "all" | "migration");
        for ext in ["rss", "atom", "json", "xml"] {
            for q in [
                String::new(),
                format!("?q={word}"),
                format!("?since={since}"),
                "?lang=en".to_owned(),
            ] {
                places.push((format!("/feeds/{feed}.{ext}{q}"), shows));
            }
        }
    }
    for (p, shows) in [
        ("/?lang=en".to_owned(), true),
        ("/".to_owned(), false),
        ("/topics/migration?lang=en".to_owned(), true),
        ("/topics/bilateral-relations?lang=en".to_owned(), false),
        (format!("/search?q={word}"), true),
        (format!("/search?q={word}&lang=en"), true),
        ("/feeds.opml".to_owned(), false),
    ] {
        places.push((p, shows));
    }
    places
}

/// Ids on every page of `path` (a JSON Feed), following `next_url`.
fn walk(app: &TestApp, path: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next = Some(path.to_owned());
    let mut pages = 0;
    while let Some(p) = next {
        let r = app.get(&p);
        assert_eq!(r.status, 200, "{p}: {}", r.body);
        let feed = r.json();
        ids.extend(json_ids(&feed));
        next = feed["next_url"].as_str().map(local_path);
        pages += 1;
        assert!(pages < 500, "{path} does not end");
    }
    ids
}

/// The bodies pushed to `path` so far, once one of them holds `needle` (at most [`SOON`]).
fn wait_push(sub: &Subscriber, path: &str, needle: &str) -> Vec<String> {
    let deadline = std::time::Instant::now() + SOON;
    loop {
        let bodies: Vec<String> = sub
            .deliveries(path)
            .iter()
            .map(|d| String::from_utf8_lossy(&d.body).into_owned())
            .collect();
        if bodies.iter().any(|b| b.contains(needle)) {
            return bodies;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{path}: no push with {needle} ({} pushes)",
            bodies.len()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// An Atom document without its `at:deleted-entry` tombstones, and how many there were.
fn without_tombstones(atom: &str) -> (String, usize) {
    let mut out = String::new();
    let mut rest = atom;
    let mut n = 0;
    while let Some(at) = rest.find("<at:deleted-entry") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail
            .find("</at:deleted-entry>")
            .map(|e| e + "</at:deleted-entry>".len())
            .or_else(|| tail.find("/>").map(|e| e + 2))
            .expect("a closed tombstone");
        rest = &tail[end..];
        n += 1;
    }
    out.push_str(rest);
    (out, n)
}

fn post(app: &TestApp, token: &str, body: &Value) -> Value {
    let r = app.api("POST", "/api/v1/articles", token, Some(body));
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()
}

#[test]
fn a_restricted_only_story_never_reaches_an_anonymous_reader_anywhere() {
    // `security` for subscribers only: a story whose only topic is security is restricted.
    let text = config_text(Some(&repo().join("data/articles"))).replace(
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\n",
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\naccess = \"subscribers\"\n",
    );
    assert!(
        text.contains("access = \"subscribers\"\n\n"),
        "the security feed block changed"
    );
    let app = spawn_app_config(&format!(
        "{text}\n[websub]\nallow_private_callbacks = true\ntimeout = \"2s\"\n"
    ));
    let t = publisher_key(&app);
    let entitled = key(
        &app,
        "press-security",
        "subscriber",
        &["--feed", "security"],
    );
    let sub = Subscriber::start();
    for (path, topic) in [
        ("/all", "all.atom"),
        ("/mig", "migration.json"),
        ("/rss", "all.rss"),
    ] {
        subscribe(&app, &sub, path, &format!("{BASE}/feeds/{topic}"), &[]);
    }
    let since = (chrono::Utc::now() - chrono::Duration::milliseconds(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let secret = post(
        &app,
        &t,
        &json!({"id": "sec-only-1", "headline": "Zorvexa cartel cocaine seizure",
            "body": "Cocaine seized in Zorvexa; drug traffickers of the cartel detained by police.",
            "language": "en", "topics": ["security"]}),
    );
    assert_eq!(
        secret["topics"],
        json!(["security"]),
        "the story must be security-only"
    );
    // The public control: the same word, filed after it, in a public topic.
    let control = post(
        &app,
        &t,
        &json!({"id": "pub-ctl-1", "headline": "Zorvexa asylum talks resume",
            "body": "Asylum seekers and refugees reach Zorvexa; the migration ministry met.",
            "language": "en", "topics": ["migration"]}),
    );
    assert!(
        !control["topics"]
            .as_array()
            .unwrap()
            .contains(&json!("security")),
        "{control}"
    );
    // Entitled, the restricted story is found, by the same search too.
    let auth = format!("Bearer {entitled}");
    for p in ["/feeds/security.json", "/feeds/security.json?q=zorvexa"] {
        let r = app.get_with(p, &[("Authorization", &auth)]);
        assert!(r.body.contains("sec-only-1"), "{p}: {}", r.body);
    }
    let leaks = |what: &str, body: &str| {
        assert!(
            !body.contains("sec-only-1") && !body.contains("Zorvexa cartel"),
            "{what} shows the restricted story"
        );
    };
    let mut controls = 0;
    for (path, shows) in public_places("zorvexa", &since) {
        // Wait for the control (a change in the second of the previous one is served from the
        // next second on), then look for the restricted story, filed before it.
        let r = app.eventually(|| {
            let r = app.get(&path);
            let ok = !shows || r.body.contains("pub-ctl-1") || r.body.contains("Zorvexa asylum");
            ok.then_some(r)
        });
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        controls += usize::from(shows);
        leaks(&path, &r.body);
    }
    assert!(controls >= 30, "only {controls} places showed the control");
    // The OPML names public feeds, never the restricted one.
    let opml = app.get("/feeds.opml").body;
    assert!(opml.contains("/feeds/migration.rss"), "{opml}");
    assert!(!opml.contains("/feeds/security."), "{opml}");
    // Paging, plain and searched: the control on some page, the restricted story on none.
    for path in [
        "/feeds/all.json?limit=3",
        "/feeds/all.json?limit=1&q=zorvexa",
        "/feeds/migration.json?limit=2",
        &format!("/feeds/all.json?limit=2&since={since}"),
    ] {
        let ids = walk(&app, path);
        assert!(ids.contains(&"pub-ctl-1".to_owned()), "{path}: {ids:?}");
        assert!(!ids.contains(&"sec-only-1".to_owned()), "{path}: {ids:?}");
    }
    // Pushes to public topics: each topic gets the control's change, none carries the story.
    for path in ["/all", "/mig", "/rss"] {
        for b in wait_push(&sub, path, "pub-ctl-1") {
            leaks(&format!("a push to {path}"), &b);
        }
    }
}

#[test]
fn a_killed_story_leaves_search_q_pages_and_pushes() {
    let app = spawn_app_config(&format!(
        "{}\n[websub]\nallow_private_callbacks = true\ntimeout = \"2s\"\n",
        config_text(None)
    ));
    let t = publisher_key(&app);
    let sub = Subscriber::start();
    for (path, topic) in [
        ("/json", "all.json"),
        ("/rss", "all.rss"),
        ("/mig", "migration.json"),
    ] {
        subscribe(&app, &sub, path, &format!("{BASE}/feeds/{topic}"), &[]);
    }
    let story_of = |id: &str, headline: &str| {
        json!({"id": id, "headline": headline,
            "body": format!("{headline}: asylum seekers and refugees reach Quorrath; the migration ministry met."),
            "language": "en", "topics": ["migration"]})
    };
    post(
        &app,
        &t,
        &story_of("doomed-1", "Quorrath harbour fire spreads"),
    );
    post(&app, &t, &story_of("keep-1", "Quorrath harbour reopens"));
    let since = (chrono::Utc::now() - chrono::Duration::seconds(30))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let places = public_places("quorrath", &since);
    // Before the kill (the positive control): the story is where it belongs (a change in the
    // second of the previous one is served from the next second on: docs/api.md, Validators).
    for (path, shows) in &places {
        if *shows {
            app.eventually(|| {
                app.get(path)
                    .body
                    .contains("Quorrath harbour fire")
                    .then_some(())
            });
        }
    }
    let pushes_before: Vec<usize> = ["/json", "/rss", "/mig"]
        .iter()
        .map(|p| wait_push(&sub, p, "doomed-1").len())
        .collect();
    let r = app.api(
        "DELETE",
        "/api/v1/articles/doomed-1",
        &t,
        Some(&json!({"reason": "Wrong harbour"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let mut tombstones = 0;
    for (path, shows) in &places {
        let r = app.get(path);
        assert_eq!(r.status, 200, "{path}");
        if *shows {
            assert!(
                r.body.contains("Quorrath harbour reopens"),
                "{path}: the control is missing"
            );
        }
        // By design (docs/api.md, Kills) `kills` lists the notice, NewsML keeps a canceled
        // item during the retention window and Atom a tombstone: the rest forget the story.
        if path.starts_with("/feeds/kills") || path.contains(".xml") {
            continue;
        }
        let body = if path.contains(".atom") {
            let (kept, n) = without_tombstones(&r.body);
            tombstones += n;
            kept
        } else {
            r.body.clone()
        };
        assert!(
            !body.contains("Quorrath harbour fire") && !body.contains("doomed-1"),
            "{path} still shows the killed story: {body}"
        );
    }
    assert!(
        tombstones > 0,
        "no Atom tombstone was seen: the stripping proves nothing"
    );
    for path in [
        "/feeds/all.json?limit=1",
        "/feeds/all.json?limit=1&q=quorrath",
    ] {
        let ids = walk(&app, path);
        assert_eq!(ids, ["keep-1"], "{path}");
    }
    // The kill is pushed: a new document per public topic, without the story.
    for (p, before) in ["/json", "/rss", "/mig"].iter().zip(pushes_before) {
        let got = sub.wait_for("POST", p, before + 1, SOON);
        let last = String::from_utf8_lossy(&got.last().unwrap().body).into_owned();
        assert!(last.contains("keep-1"), "{p}: {last}");
        assert!(
            !last.contains("doomed-1") && !last.contains("Quorrath harbour fire"),
            "{p}: the push after the kill still carries the story: {last}"
        );
    }
}

#[test]
fn an_embargoed_story_is_nowhere_until_the_lift_then_everywhere_without_a_write() {
    let app = spawn_app_config(&format!(
        "{}\n[websub]\nallow_private_callbacks = true\ntimeout = \"2s\"\n",
        config_text(None)
    ));
    let t = publisher_key(&app);
    let sub = Subscriber::start();
    for (path, topic) in [("/atom", "all.atom"), ("/mig", "migration.json")] {
        subscribe(&app, &sub, path, &format!("{BASE}/feeds/{topic}"), &[]);
    }
    let since = (chrono::Utc::now() - chrono::Duration::milliseconds(5))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let lift = chrono::Utc::now() + chrono::Duration::seconds(6);
    let mut embargoed = json!({"id": "emb-sw-1", "headline": "Velmora budget under embargo",
        "body": "Asylum seekers and refugees reach Velmora; the migration ministry met.",
        "language": "en", "topics": ["migration"],
        "embargo_until": lift.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)});
    post(&app, &t, &embargoed);
    embargoed["id"] = json!("open-sw-1");
    embargoed["headline"] = json!("Velmora talks resume");
    embargoed.as_object_mut().unwrap().remove("embargo_until");
    post(&app, &t, &embargoed);
    let places = public_places("velmora", &since);
    let hidden = |what: &str, body: &str| {
        assert!(
            !body.contains("emb-sw-1") && !body.contains("Velmora budget"),
            "{what} shows the embargoed story before its lift"
        );
    };
    // Before the lift: the control everywhere it belongs, the embargoed story nowhere.
    for (path, shows) in &places {
        let r = app.eventually(|| {
            let r = app.get(path);
            (!shows || r.body.contains("Velmora talks")).then_some(r)
        });
        assert_eq!(r.status, 200, "{path}");
        hidden(path, &r.body);
    }
    for path in [
        "/feeds/all.json?limit=1",
        "/feeds/all.json?limit=1&q=velmora",
    ] {
        let ids = walk(&app, path);
        assert_eq!(ids, ["open-sw-1"], "{path}");
    }
    for path in ["/atom", "/mig"] {
        for b in wait_push(&sub, path, "open-sw-1") {
            hidden(&format!("a push to {path}"), &b);
        }
    }
    assert_eq!(app.get("/articles/emb-sw-1").status, 404);
    assert!(
        chrono::Utc::now() < lift,
        "the sweep before the lift ran past it: it proves nothing"
    );
    // No write from here on: the lift alone shows it everywhere the control is.
    let after = std::time::Duration::from_secs(12);
    for (path, shows) in &places {
        if *shows {
            app.eventually_for(after, || {
                app.get(path).body.contains("Velmora budget").then_some(())
            });
        }
    }
    for path in [
        "/feeds/all.json?limit=1",
        "/feeds/all.json?limit=1&q=velmora",
    ] {
        let mut ids = walk(&app, path);
        ids.sort();
        assert_eq!(ids, ["emb-sw-1", "open-sw-1"], "{path}");
    }
    assert_eq!(app.get("/articles/emb-sw-1").status, 200);
    for path in ["/atom", "/mig"] {
        wait_push(&sub, path, "emb-sw-1");
    }
}

/// `2026-03-01T00:00:00Z` plus `minutes`.
fn minute(minutes: u64) -> String {
    (chrono::DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z").unwrap()
        + chrono::Duration::minutes(minutes as i64))
    .to_utc()
    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[test]
fn paging_while_writers_back_date_re_date_and_kill_reaches_every_unchanged_article_once() {
    const STORIES: u64 = 80;
    let app = spawn_app_with(None);
    let t = publisher_key(&app);
    let dated = |id: &str, at: u64| {
        let mut s = story(id, &format!("Harbour report {id}"));
        s["published_at"] = json!(minute(at));
        s
    };
    for i in 0..STORIES {
        post(&app, &t, &dated(&format!("pg-{i:02}"), i * 10));
    }
    let initial: Vec<String> = (0..STORIES).map(|i| format!("pg-{i:02}")).collect();
    app.eventually(|| {
        (walk(&app, "/feeds/all.json?limit=50").len() == STORIES as usize).then_some(())
    });
    let done = std::sync::atomic::AtomicBool::new(false);
    let changed = std::sync::Mutex::new(std::collections::HashSet::new());
    let writes = std::sync::atomic::AtomicUsize::new(0);
    let (seen, pages) = std::thread::scope(|s| {
        // The writer: back-dated new stories, re-dated and killed ones, in a loop until the
        // reader is done (a fixed pseudo-random sequence, so a failure can be replayed).
        s.spawn(|| {
            let mut x: u64 = 0x2545_f491_4f6c_dd1d;
            let mut n = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let target = format!("pg-{:02}", x % STORIES);
                let at = (x >> 8) % (STORIES * 10);
                match n % 3 {
                    0 => {
                        post(&app, &t, &dated(&format!("add-{n}"), at));
                    }
                    1 => {
                        changed.lock().unwrap().insert(target.clone());
                        let r = app.api(
                            "PUT",
                            &format!("/api/v1/articles/{target}"),
                            &t,
                            Some(&dated(&target, at)),
                        );
                        // A killed story cannot be changed (409): that is fine here.
                        assert!(matches!(r.status, 200 | 409), "{}", r.body);
                    }
                    _ => {
                        changed.lock().unwrap().insert(target.clone());
                        let r = app.api("DELETE", &format!("/api/v1/articles/{target}"), &t, None);
                        assert_eq!(r.status, 200, "{}", r.body);
                    }
                }
                n += 1;
                writes.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(15));
            }
        });
        // The reader: a page at a time, slowly enough for writes to land between pages.
        let mut seen = Vec::new();
        let mut next = Some("/feeds/all.json?limit=3".to_owned());
        let mut pages = 0;
        while let Some(p) = next {
            let r = app.get(&p);
            assert_eq!(r.status, 200, "{p}: {}", r.body);
            let feed = r.json();
            seen.extend(json_ids(&feed));
            next = feed["next_url"].as_str().map(local_path);
            pages += 1;
            assert!(pages < 1000, "the walk does not end");
            std::thread::sleep(std::time::Duration::from_millis(120));
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (seen, pages)
    });
    let changed = changed.into_inner().unwrap();
    let writes = writes.into_inner();
    // The positive controls: writes landed during the walk, and some articles were left alone.
    assert!(
        writes >= 8 && pages >= 10,
        "{writes} writes over {pages} pages"
    );
    let unchanged: Vec<&String> = initial.iter().filter(|id| !changed.contains(*id)).collect();
    assert!(unchanged.len() >= 10, "only {} unchanged", unchanged.len());
    for id in &unchanged {
        let n = seen.iter().filter(|s| s == id).count();
        assert_eq!(
            n, 1,
            "{id} seen {n} times over {pages} pages ({writes} writes): {seen:?}"
        );
    }
}
