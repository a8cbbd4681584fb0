//! Developing stories (contract §15): `evolved_from` and `slugline` over the API, the takes
//! linked both ways in every format, `?latest=true`, and the earlier take's documents following
//! its later takes. Each refusal comes after the same request's accepted control.

use crate::helpers::{
    TestApp, config_text, publisher_key, repo, spawn_app, spawn_app_config, story,
};
use crate::publish::problem;
use serde_json::{Value, json};

fn post(app: &TestApp, token: &str, body: &Value) -> crate::helpers::Resp {
    app.api("POST", "/api/v1/articles", token, Some(body))
}

fn take(id: &str, headline: &str, from: Option<&str>) -> Value {
    let mut s = story(id, headline);
    if let Some(f) = from {
        s["evolved_from"] = json!(f);
    }
    s
}

fn field_error(r: &crate::helpers::Resp, field: &str) {
    let p = problem(r, 400);
    assert_eq!(p["errors"][0]["field"], field, "{p}");
}

/// Runs one of IPTC's checkers from the conformance kit beside the repository on a document.
fn conforms(checker: &str, args: &[&str], name: &str, body: &str) {
    let kit = repo().join("../shared/conformance");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, body).unwrap();
    let out = std::process::Command::new(if checker.ends_with(".py") {
        "python3"
    } else {
        checker
    })
    .arg(kit.join(checker))
    .args(args)
    .arg(&file)
    .output()
    .expect("the conformance kit runs");
    assert!(
        out.status.success(),
        "{checker} {name}: {}{}\n{body}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bad_earlier_takes_and_long_sluglines_are_field_errors_after_their_good_controls() {
    let app = spawn_app();
    let t = publisher_key(&app);
    assert_eq!(
        post(&app, &t, &take("dev-a", "Floods reach the capital", None)).status,
        201
    );
    // Control: a known earlier take and a slugline of 64 characters.
    let mut b = take("dev-b", "Floods: river peaks", Some("dev-a"));
    b["slugline"] = json!("ñ".repeat(64));
    let r = post(&app, &t, &b);
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["evolved_from"], "dev-a");
    // An unknown id.
    let mut c = take("dev-c", "Floods: rescue", Some("dev-b"));
    assert_eq!(post(&app, &t, &c).status, 201);
    c["id"] = json!("dev-c2");
    c["evolved_from"] = json!("no-such-story");
    field_error(&post(&app, &t, &c), "evolved_from");
    // A slugline one character too long.
    let mut long = take("dev-d", "Floods: toll", Some("dev-a"));
    long["slugline"] = json!("ñ".repeat(65));
    field_error(&post(&app, &t, &long), "slugline");
    // Itself, in the body and through the URL of a PUT.
    let own = take("dev-e", "Floods: itself", Some("dev-e"));
    field_error(&post(&app, &t, &own), "evolved_from");
    let mut own_put = take("dev-e", "Floods: itself", None);
    own_put.as_object_mut().unwrap().remove("id");
    own_put["evolved_from"] = json!("dev-e");
    field_error(
        &app.api("PUT", "/api/v1/articles/dev-e", &t, Some(&own_put)),
        "evolved_from",
    );
    // Cycles, short and long: a PUT of dev-a naming a take that already evolves from it.
    let ok_put = take("dev-a", "Floods reach the capital (update)", None);
    assert_eq!(
        app.api("PUT", "/api/v1/articles/dev-a", &t, Some(&ok_put))
            .status,
        200
    );
    for later in ["dev-b", "dev-c"] {
        let cycle = take("dev-a", "Floods reach the capital", Some(later));
        field_error(
            &app.api("PUT", "/api/v1/articles/dev-a", &t, Some(&cycle)),
            "evolved_from",
        );
    }
    // A killed earlier take is allowed, and linked as killed.
    assert_eq!(
        post(&app, &t, &take("dev-k", "Floods: wrong toll", None)).status,
        201
    );
    assert_eq!(
        app.api("DELETE", "/api/v1/articles/dev-k", &t, None).status,
        200
    );
    let r = post(
        &app,
        &t,
        &take("dev-k2", "Floods: right toll", Some("dev-k")),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let page = app.get("/articles/dev-k2").body;
    assert!(
        page.contains("Earlier take") && page.contains("(killed)"),
        "{page}"
    );
    let ninjs = app.get("/articles/dev-k2.json").json();
    let assoc = &ninjs["associations"][0];
    assert_eq!(assoc["name"], "evolved_from", "{ninjs}");
    assert_eq!(assoc["pubstatus"], "canceled", "{ninjs}");
}

#[test]
fn every_format_links_the_takes_both_ways_and_carries_the_slugline() {
    let app = spawn_app();
    let t = publisher_key(&app);
    assert_eq!(
        post(&app, &t, &take("wave-1", "Quake strikes the coast", None)).status,
        201
    );
    // The control: nothing replaced the first take yet.
    let before = app.get("/articles/wave-1").body;
    assert!(!before.contains("Latest take"), "{before}");
    let before_xml = app.get("/articles/wave-1.xml").body;
    assert!(!before_xml.contains("Latest take"), "{before_xml}");
    let mut b = take("wave-2", "Quake: death toll rises", Some("wave-1"));
    b["slugline"] = json!("QUAKE-COAST <b>&");
    assert_eq!(post(&app, &t, &b).status, 201);

    // NewsML-G2: evolvedFrom one way, seeAlso titled "Latest take" the other; valid against 2.35.
    let x1 = app.get("/articles/wave-1.xml").body;
    let x2 = app.get("/articles/wave-2.xml").body;
    assert!(
        x1.contains(r#"rel="irel:seeAlso""#) && x1.contains("Latest take: Quake: death toll rises"),
        "{x1}"
    );
    assert!(
        x2.contains(r#"rel="irel:evolvedFrom""#) && x2.contains("/articles/wave-1.xml"),
        "{x2}"
    );
    assert!(
        x2.contains("<slugline>QUAKE-COAST &lt;b&gt;&amp;</slugline>"),
        "{x2}"
    );
    conforms("newsml-g2/check_newsml.py", &[], "wave-1.xml", &x1);
    conforms("newsml-g2/check_newsml.py", &[], "wave-2.xml", &x2);
    let feed_xml = app.get("/feeds/all.xml").body;
    conforms("newsml-g2/check_newsml.py", &[], "all.xml", &feed_xml);

    // ninjs 2.1 and 3.1: associations both ways (3.1 with IPTC's item relation), the slugline.
    for (q, schema) in [("", "2.1"), ("?ninjs=3.1", "3.1")] {
        let n1 = app.get(&format!("/articles/wave-1.json{q}")).body;
        let n2 = app.get(&format!("/articles/wave-2.json{q}")).body;
        let (j1, j2): (Value, Value) = (
            serde_json::from_str(&n1).unwrap(),
            serde_json::from_str(&n2).unwrap(),
        );
        assert_eq!(j1["associations"][0]["name"], "latest_take", "{j1}");
        assert!(
            j1["associations"][0]["uri"]
                .as_str()
                .unwrap()
                .contains("wave-2"),
            "{j1}"
        );
        assert_eq!(j2["associations"][0]["name"], "evolved_from", "{j2}");
        assert!(
            j2["associations"][0]["uri"]
                .as_str()
                .unwrap()
                .contains("wave-1"),
            "{j2}"
        );
        assert_eq!(j2["slugline"], "QUAKE-COAST <b>&", "{j2}");
        if schema == "3.1" {
            assert_eq!(
                j2["associations"][0]["rel"],
                "http://cv.iptc.org/newscodes/itemrelation/evolvedFrom"
            );
        } else {
            assert!(j2["associations"][0].get("rel").is_none(), "{j2}");
        }
        conforms(
            "ninjs/check_ninjs.py",
            &["--schema", schema],
            "wave-1.json",
            &n1,
        );
        conforms(
            "ninjs/check_ninjs.py",
            &["--schema", schema],
            "wave-2.json",
            &n2,
        );
    }

    // Atom and RSS: rel="related" (RSS through atom:link in the item).
    let atom = app.get("/feeds/all.atom").body;
    let entries: Vec<&str> = atom.split("<entry").skip(1).collect();
    let e1 = entries
        .iter()
        .find(|e| e.contains("/articles/wave-1\""))
        .unwrap();
    assert!(
        e1.contains(r#"rel="related""#) && e1.contains("/articles/wave-2"),
        "{e1}"
    );
    let rss = app.get("/feeds/all.rss").body;
    let i2 = rss
        .split("<item>")
        .find(|i| i.contains("<title>Quake: death toll rises"))
        .unwrap();
    assert!(
        i2.contains(r#"<atom:link"#)
            && i2.contains(r#"rel="related""#)
            && i2.contains("/articles/wave-1"),
        "{i2}"
    );
    let feeds = feed_rs::parser::parse(atom.as_bytes()).unwrap();
    assert!(!feeds.entries.is_empty());
    feed_rs::parser::parse(rss.as_bytes()).expect("RSS still parses");

    // JSON Feed `_wirefeed`.
    let jf = app.get("/feeds/all.json").json();
    let item = |id: &str| {
        jf["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["_wirefeed"]["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(item("wave-1")["_wirefeed"]["latest_take"]["id"], "wave-2");
    assert_eq!(item("wave-2")["_wirefeed"]["evolved_from"]["id"], "wave-1");
    assert_eq!(
        item("wave-2")["_wirefeed"]["evolved_from"]["status"],
        "usable"
    );
    assert_eq!(item("wave-2")["_wirefeed"]["slugline"], "QUAKE-COAST <b>&");

    // The pages: "Latest take" and "Earlier take", the slugline escaped.
    let p1 = app.get("/articles/wave-1").body;
    let p2 = app.get("/articles/wave-2").body;
    assert!(
        p1.contains("Latest take") && p1.contains("/articles/wave-2\""),
        "{p1}"
    );
    assert!(
        p2.contains("Earlier take") && p2.contains("/articles/wave-1\""),
        "{p2}"
    );
    assert!(p2.contains("QUAKE-COAST &lt;b&gt;&amp;"), "{p2}");
}

#[test]
fn latest_true_drops_a_replaced_take_in_every_format_and_latest_maybe_is_a_problem() {
    let app = spawn_app();
    let t = publisher_key(&app);
    assert_eq!(
        post(&app, &t, &take("storm-1", "Storm nears the port", None)).status,
        201
    );
    assert_eq!(
        post(
            &app,
            &t,
            &take("storm-2", "Storm hits the port", Some("storm-1"))
        )
        .status,
        201
    );
    for q in ["", "?latest=false"] {
        let ids = crate::helpers::json_ids(&app.get(&format!("/feeds/all.json{q}")).json());
        assert!(
            ids.contains(&"storm-1".to_owned()) && ids.contains(&"storm-2".to_owned()),
            "{q}: {ids:?}"
        );
    }
    let ids = crate::helpers::json_ids(&app.get("/feeds/all.json?latest=true").json());
    assert!(
        ids.contains(&"storm-2".to_owned()) && !ids.contains(&"storm-1".to_owned()),
        "{ids:?}"
    );
    for ext in ["rss", "atom", "xml"] {
        let all = app.get(&format!("/feeds/all.{ext}")).body;
        assert!(all.contains("Storm nears the port"), "{ext}");
        let latest = app.get(&format!("/feeds/all.{ext}?latest=true"));
        assert_eq!(latest.status, 200);
        assert!(
            !latest.body.contains("<title>Storm nears the port")
                && !latest.body.contains("<headline>Storm nears the port"),
            "{ext}: {}",
            latest.body
        );
        assert!(latest.body.contains("Storm hits the port"), "{ext}");
        // Its own page: the self link (in the Link header) says latest=true.
        let link = latest.header("link").unwrap_or_default();
        assert!(link.contains("latest=true"), "{ext}: {link}");
    }
    // An embargoed later take replaces nothing yet.
    assert_eq!(
        post(&app, &t, &take("calm-1", "Calm returns", None)).status,
        201
    );
    let mut later = take("calm-2", "Calm returns: schools reopen", Some("calm-1"));
    later["embargo_until"] = json!("2099-01-01T00:00:00Z");
    assert_eq!(post(&app, &t, &later).status, 201);
    // A feed page rendered this second may be served until the next one: poll.
    app.eventually(|| {
        let ids = crate::helpers::json_ids(&app.get("/feeds/all.json?latest=true").json());
        ids.contains(&"calm-1".to_owned()).then_some(())
    });
    assert!(!app.get("/articles/calm-1").body.contains("Latest take"));
    // Control first, then the bad value: a 400 problem naming the parameter.
    assert_eq!(app.get("/feeds/all.atom?latest=true").status, 200);
    let p = problem(&app.get("/feeds/all.atom?latest=maybe"), 400);
    assert_eq!(p["errors"][0]["field"], "latest", "{p}");
}

#[test]
fn the_earlier_take_follows_its_later_takes_through_every_cache() {
    let app = spawn_app();
    let t = publisher_key(&app);
    assert_eq!(
        post(&app, &t, &take("fire-1", "Fire in the old town", None)).status,
        201
    );
    // Cached and validated before any later take exists.
    let page = app.get("/articles/fire-1");
    let etag = page.header("etag").unwrap().to_owned();
    let feed = app.get("/feeds/all.json?latest=true");
    assert!(crate::helpers::json_ids(&feed.json()).contains(&"fire-1".to_owned()));
    let feed_tag = feed.header("etag").unwrap().to_owned();
    // Control: unchanged, the validators answer 304.
    assert_eq!(
        app.get_with("/articles/fire-1", &[("If-None-Match", &etag)])
            .status,
        304
    );
    assert_eq!(
        app.get_with(
            "/feeds/all.json?latest=true",
            &[("If-None-Match", &feed_tag)]
        )
        .status,
        304
    );

    // A later take is filed: the earlier one's page and the latest feed move at once.
    assert_eq!(
        post(&app, &t, &take("fire-2", "Fire contained", Some("fire-1"))).status,
        201
    );
    let r = app.get_with("/articles/fire-1", &[("If-None-Match", &etag)]);
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("Latest take") && r.body.contains("Fire contained"),
        "{}",
        r.body
    );
    // A feed page rendered this second may be served until the next one: poll.
    app.eventually(|| {
        let r = app.get_with(
            "/feeds/all.json?latest=true",
            &[("If-None-Match", &feed_tag)],
        );
        (r.status == 200 && !crate::helpers::json_ids(&r.json()).contains(&"fire-1".to_owned()))
            .then_some(())
    });
    app.eventually(|| {
        let atom = app.get("/feeds/all.atom").body;
        atom.contains("Latest take: Fire contained").then_some(())
    });

    // The later take is edited: the earlier one names its new headline.
    let edit = take("fire-2", "Fire contained, two hurt", Some("fire-1"));
    assert_eq!(
        app.api("PUT", "/api/v1/articles/fire-2", &t, Some(&edit))
            .status,
        200
    );
    assert!(
        app.get("/articles/fire-1")
            .body
            .contains("Fire contained, two hurt")
    );
    app.eventually(|| {
        let atom = app.get("/feeds/all.atom").body;
        atom.contains("Latest take: Fire contained, two hurt")
            .then_some(())
    });
    assert!(
        app.get("/articles/fire-1.xml")
            .body
            .contains("Latest take: Fire contained, two hurt")
    );

    // A third take: the first names the newest.
    assert_eq!(
        post(&app, &t, &take("fire-3", "Fire out", Some("fire-2"))).status,
        201
    );
    assert!(app.get("/articles/fire-1.json").body.contains("fire-3"));

    // Killed, the third replaced nothing: the first links the second again, and the second is
    // back in the latest feed.
    assert_eq!(
        app.api("DELETE", "/api/v1/articles/fire-3", &t, None)
            .status,
        200
    );
    let p1 = app.get("/articles/fire-1").body;
    assert!(
        p1.contains("Fire contained, two hurt") && !p1.contains("Fire out"),
        "{p1}"
    );
    app.eventually(|| {
        let ids = crate::helpers::json_ids(&app.get("/feeds/all.json?latest=true").json());
        (ids.contains(&"fire-2".to_owned()) && !ids.contains(&"fire-1".to_owned())).then_some(())
    });
}

#[test]
fn a_restricted_later_take_is_linked_only_for_a_reader_entitled_to_it() {
    let text = config_text(Some(&repo().join("data/articles"))).replace(
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\n",
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\naccess = \"subscribers\"\n",
    );
    let app = spawn_app_config(&text);
    let t = publisher_key(&app);
    let (code, out, err) = app.cli(&[
        "keys",
        "add",
        "press",
        "--role",
        "subscriber",
        "--feed",
        "security",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let sub = out.trim().to_owned();
    assert_eq!(
        post(&app, &t, &take("gate-1", "Border talks open", None)).status,
        201
    );
    let mut b = take("gate-2", "Border talks: security annex", Some("gate-1"));
    b["topics"] = json!(["security"]);
    let r = post(&app, &t, &b);
    assert_eq!(r.status, 201, "{}", r.body);
    // Control: the entitled key sees the link (header and ?token=).
    let bearer = format!("Bearer {sub}");
    let keyed = app.get_with("/articles/gate-1", &[("Authorization", &bearer)]);
    assert!(keyed.body.contains("Latest take"), "{}", keyed.body);
    assert!(
        app.get(&format!("/articles/gate-1.json?token={sub}"))
            .body
            .contains("gate-2")
    );
    // Anyone else: no link, and the public latest feed keeps the first take.
    let public = app.get("/articles/gate-1");
    assert_eq!(public.status, 200);
    assert!(!public.body.contains("Latest take") && !public.body.contains("gate-2"));
    assert!(!app.get("/articles/gate-1.xml").body.contains("gate-2"));
    let ids = crate::helpers::json_ids(&app.get("/feeds/all.json?latest=true").json());
    assert!(ids.contains(&"gate-1".to_owned()), "{ids:?}");
}
