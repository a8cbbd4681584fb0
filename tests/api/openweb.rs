//! Pages for the open web (docs/api.md, Pages for the open web; issue 25): JSON-LD, Open Graph
//! and Twitter tags, canonical and hreflang on article pages; the sitemaps and robots.txt.

use crate::helpers::{TestApp, config_text, local_path, publisher_key, spawn_app_config, story};
use crate::media::{multipart, sample, upload};
use chrono::{Duration, SecondsFormat, Utc};
use quick_xml::events::Event;
use serde_json::{Value, json};

/// A fresh server (no seed) with `security` subscriber-only, so a security-only story is
/// restricted.
fn spawn() -> TestApp {
    let text = config_text(None).replace(
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\n",
        "id = \"security\"\ntitle = \"Seguridad / Security\"\ntopics = [\"security\"]\naccess = \"subscribers\"\n",
    );
    assert!(
        text.contains("access = \"subscribers\"\n\n"),
        "the security feed block changed"
    );
    spawn_app_config(&text)
}

fn post(app: &TestApp, token: &str, body: &Value) {
    let r = app.api("POST", "/api/v1/articles", token, Some(body));
    assert_eq!(r.status, 201, "{}", r.body);
}

fn ago(d: Duration) -> String {
    (Utc::now() - d).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The one JSON-LD block of a page, parsed, and its raw text.
fn json_ld(page: &str) -> (Value, String) {
    let open = "<script type=\"application/ld+json\">";
    assert_eq!(page.matches(open).count(), 1, "one JSON-LD block");
    let start = page.find(open).unwrap() + open.len();
    let len = page[start..].find("</script>").expect("the script ends");
    let text = page[start..start + len].to_owned();
    (serde_json::from_str(&text).expect("JSON-LD is JSON"), text)
}

/// `<meta property|name="key" content="…">` values of a page, in order.
fn meta(page: &str, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["property", "name"] {
        let needle = format!("<meta {attr}=\"{key}\" content=\"");
        let mut rest = page;
        while let Some(i) = rest.find(&needle) {
            rest = &rest[i + needle.len()..];
            out.push(rest[..rest.find('"').unwrap()].to_owned());
        }
    }
    out
}

/// The text of every element named `name` (qualified name) in an XML document, read by
/// quick-xml (entity and character references resolved).
fn texts(xml: &str, name: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut inside, mut out) = (false, Vec::new());
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                inside = e.name().as_ref() == name;
                if inside {
                    out.push(String::new());
                }
            }
            Event::Text(t) if inside => out.last_mut().unwrap().push_str(&t.xml10_content()),
            Event::GeneralRef(r) if inside => {
                let c = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => match &*r {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("entity {other:?}"),
                    }
                    .to_owned(),
                };
                out.last_mut().unwrap().push_str(&c);
            }
            Event::End(_) => inside = false,
            Event::Eof => return out,
            _ => {}
        }
    }
}

/// The shipped config's `agency.base_url`: what every link starts with.
fn base() -> String {
    let text = config_text(None);
    let line = text
        .lines()
        .find(|l| l.starts_with("base_url = "))
        .expect("base_url in feeds.toml");
    line.split('"').nth(1).unwrap().to_owned()
}

fn article_url(_app: &TestApp, id: &str) -> String {
    format!("{}/articles/{id}", base())
}

#[test]
fn an_article_page_carries_news_article_json_ld_with_offsets_bylines_publisher_and_pictures() {
    let app = spawn();
    let token = publisher_key(&app);
    let meta_json = json!({"id": "pic", "caption": "Boats at sea", "alt_text": "Grey boats",
        "credit": "Desk", "copyright": "(c) Desk", "language": "en"});
    let (ctype, body) = multipart(&meta_json, &sample("harbour-patrol.jpg"), "image/jpeg");
    assert_eq!(upload(&app, &token, &ctype, &body).status, 201);
    let mut s = story("ld-1", "Coast guard patrols the strait");
    s["byline"] = json!(["Ana Pérez", "John Smith"]);
    s["dateline"] = json!("Guatemala City");
    s["summary"] = json!("The patrol began at dawn.");
    s["published_at"] = json!("2026-11-02T08:30:00-06:00");
    s["topics"] = json!(["migration"]);
    s["media"] = json!([{"id": "pic"}]);
    post(&app, &token, &s);
    let page = app.get("/articles/ld-1");
    assert_eq!(page.status, 200);
    let (ld, _) = json_ld(&page.body);
    let url = article_url(&app, "ld-1");
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], "Coast guard patrols the strait");
    // In the writer's own offset, written out.
    assert_eq!(ld["datePublished"], "2026-11-02T08:30:00-06:00");
    assert!(ld["dateModified"].as_str().unwrap().ends_with("-06:00"));
    assert_eq!(ld["inLanguage"], "en");
    assert_eq!(ld["dateline"], "Guatemala City");
    assert_eq!(ld["url"], url.as_str());
    assert_eq!(ld["mainEntityOfPage"]["@id"], url.as_str());
    assert_eq!(ld["isAccessibleForFree"], true);
    assert_eq!(ld["description"], "The patrol began at dawn.");
    assert_eq!(
        ld["author"],
        json!([{"@type": "Person", "name": "Ana Pérez"}, {"@type": "Person", "name": "John Smith"}])
    );
    assert_eq!(ld["publisher"]["@type"], "Organization");
    let logo = ld["publisher"]["logo"]["url"].as_str().unwrap();
    let logo_resp = app.get_raw(&local_path(logo), &[]);
    assert_eq!(logo_resp.header("content-type"), Some("image/png"));
    assert!(logo_resp.bytes.starts_with(b"\x89PNG"));
    // The picture, by a rendition URL the server serves as an image.
    let image = &ld["image"][0];
    assert_eq!(image["@type"], "ImageObject");
    assert_eq!(image["caption"], "Boats at sea");
    assert_eq!(image["creditText"], "Desk");
    assert!(image["width"].as_u64().unwrap() > 0);
    let src = local_path(image["url"].as_str().unwrap());
    let r = app.get_raw(&src, &[]);
    assert_eq!(r.header("content-type"), Some("image/jpeg"));
    assert!(ld.get("correction").is_none(), "not corrected yet");

    // A correction is a CorrectionComment; a story without byline is by the agency.
    let mut c = s.clone();
    c["body"] = json!("Coast guard patrols the strait. It began at six, not five.");
    c["revision"] = json!("correction");
    c["correction_note"] = json!("The patrol began at six.");
    assert_eq!(
        app.api("PUT", "/api/v1/articles/ld-1", &token, Some(&c))
            .status,
        200
    );
    let (ld, _) = json_ld(&app.get("/articles/ld-1").body);
    assert_eq!(ld["correction"]["@type"], "CorrectionComment");
    assert_eq!(ld["correction"]["text"], "The patrol began at six.");
    post(
        &app,
        &token,
        &story("ld-2", "Ministry publishes the figures"),
    );
    let (ld, _) = json_ld(&app.get("/articles/ld-2").body);
    assert_eq!(ld["author"][0]["@type"], "Organization");
    assert_eq!(ld["author"][0]["name"], ld["publisher"]["name"]);
    assert!(ld.get("image").is_none(), "no picture, no image");
}

#[test]
fn a_hostile_headline_cannot_break_out_of_the_json_ld_script() {
    let app = spawn();
    let token = publisher_key(&app);
    let hostile = "</script><script>alert(1)</script><!-- & </SCRIPT >";
    let mut s = story("hostile", hostile);
    s["byline"] = json!(["<!--", "</script>"]);
    s["dateline"] = json!("</script><img src=x onerror=alert(1)>");
    post(&app, &token, &s);
    let page = app.get("/articles/hostile").body;
    let (ld, text) = json_ld(&page);
    // The control: the text really is in there, read back exactly.
    assert_eq!(ld["headline"], hostile);
    assert_eq!(ld["author"][1]["name"], "</script>");
    for bad in ["</", "<!--", "<script", "<img"] {
        assert!(
            !text.to_ascii_lowercase().contains(bad),
            "{bad:?} in {text}"
        );
    }
    // No script element but the JSON-LD one on an article page, and no live markup anywhere.
    assert_eq!(page.to_ascii_lowercase().matches("<script").count(), 1);
    assert!(!page.contains("<img src=x"));
}

#[test]
fn open_graph_twitter_canonical_and_hreflang_describe_a_translated_story() {
    let app = spawn();
    let token = publisher_key(&app);
    let meta_json = json!({"id": "pic", "caption": "Boats", "alt_text": "Grey boats at sea"});
    let (ctype, body) = multipart(&meta_json, &sample("harbour-patrol.jpg"), "image/jpeg");
    assert_eq!(upload(&app, &token, &ctype, &body).status, 201);
    let mut orig = story("og-en", "Coast guard patrols the strait");
    orig["media"] = json!([{"id": "pic"}]);
    orig["summary"] = json!("Patrols began at dawn.");
    // A public topic: security alone is subscriber-only in this config.
    orig["topics"] = json!(["migration"]);
    post(&app, &token, &orig);
    let mut tr = story("og-es", "La guardia costera patrulla el estrecho");
    tr["language"] = json!("es-GT");
    tr["translation_of"] = json!("og-en");
    tr["topics"] = json!(["migration"]);
    post(&app, &token, &tr);
    let page = app.get("/articles/og-es").body;
    let (es, en) = (article_url(&app, "og-es"), article_url(&app, "og-en"));
    assert!(page.contains(&format!("<link rel=\"canonical\" href=\"{es}\">")));
    assert!(page.contains(&format!(
        "<link rel=\"alternate\" hreflang=\"es-GT\" href=\"{es}\">"
    )));
    assert!(page.contains(&format!(
        "<link rel=\"alternate\" hreflang=\"en\" href=\"{en}\">"
    )));
    // x-default is the original.
    assert!(page.contains(&format!(
        "<link rel=\"alternate\" hreflang=\"x-default\" href=\"{en}\">"
    )));
    assert_eq!(meta(&page, "og:type"), ["article"]);
    assert_eq!(meta(&page, "og:url"), [es.as_str()]);
    assert_eq!(
        meta(&page, "og:title"),
        ["La guardia costera patrulla el estrecho"]
    );
    assert_eq!(meta(&page, "og:locale"), ["es_GT"]);
    assert_eq!(meta(&page, "og:locale:alternate"), ["en"]);
    assert_eq!(meta(&page, "article:published_time").len(), 1);
    assert_eq!(meta(&page, "article:modified_time").len(), 1);
    // No picture: a plain summary card.
    assert_eq!(meta(&page, "twitter:card"), ["summary"]);
    assert!(meta(&page, "og:image").is_empty());

    // The original has the picture: a large card, og:image with its alt text.
    let page = app.get("/articles/og-en").body;
    assert_eq!(meta(&page, "twitter:card"), ["summary_large_image"]);
    assert_eq!(meta(&page, "og:image:alt"), ["Grey boats at sea"]);
    assert_eq!(meta(&page, "og:description"), ["Patrols began at dawn."]);
    let img = meta(&page, "og:image");
    assert_eq!(img.len(), 1);
    assert!(img[0].starts_with(&format!("{}/media/pic/web-", base())));
    assert_eq!(meta(&page, "twitter:image"), img);
    assert!(page.contains(&format!(
        "<link rel=\"alternate\" hreflang=\"x-default\" href=\"{en}\">"
    )));
    // A story without translations has no hreflang set.
    post(
        &app,
        &token,
        &story("alone", "Ministry publishes the figures"),
    );
    assert!(!app.get("/articles/alone").body.contains("hreflang"));
}

#[test]
fn sitemaps_list_public_stories_and_never_restricted_embargoed_or_killed_ones() {
    let app = spawn();
    let token = publisher_key(&app);
    let mut public = story("pub-1", "Ministry publishes the migration figures");
    public["topics"] = json!(["migration"]);
    post(&app, &token, &public);
    let mut secret = story("sec-1", "Navy guards the strait");
    secret["topics"] = json!(["security"]);
    post(&app, &token, &secret);
    let mut held = story("held-1", "Embargoed migration report");
    held["topics"] = json!(["migration"]);
    held["embargo_until"] =
        json!((Utc::now() + Duration::seconds(4)).to_rfc3339_opts(SecondsFormat::Secs, true));
    post(&app, &token, &held);

    let news = app.get("/sitemap-news.xml");
    assert_eq!(news.status, 200);
    assert_eq!(
        news.header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    let locs = texts(&news.body, "loc");
    // The positive control: the public story is listed, with its title and publication.
    assert!(locs.contains(&article_url(&app, "pub-1")), "{}", news.body);
    assert!(
        texts(&news.body, "news:title")
            .contains(&"Ministry publishes the migration figures".to_owned())
    );
    assert_eq!(texts(&news.body, "news:language")[0], "en");
    // Restricted: its page needs a key (the control that it is restricted), and no sitemap
    // names it.
    assert_eq!(app.get("/articles/pub-1").status, 200);
    assert_eq!(app.get("/articles/sec-1").status, 401);
    assert!(!locs.contains(&article_url(&app, "sec-1")));
    // Embargoed: out until the lift, then in by itself (the cached sitemap expires then).
    assert!(!locs.contains(&article_url(&app, "held-1")));
    let index = app.get("/sitemap.xml");
    let sitemaps = texts(&index.body, "loc");
    assert_eq!(sitemaps[0], format!("{}/sitemap-news.xml", base()));
    let today = format!("{}/sitemap-{}.xml", base(), Utc::now().format("%Y-%m-%d"));
    assert!(sitemaps.contains(&today), "{}", index.body);
    let day = app.get(&local_path(&today));
    let day_locs = texts(&day.body, "loc");
    assert!(day_locs.contains(&article_url(&app, "pub-1")));
    assert!(!day_locs.contains(&article_url(&app, "sec-1")));
    assert!(!day_locs.contains(&article_url(&app, "held-1")));
    assert_eq!(texts(&day.body, "lastmod").len(), day_locs.len());
    app.eventually_for(std::time::Duration::from_secs(8), || {
        texts(&app.get("/sitemap-news.xml").body, "loc")
            .contains(&article_url(&app, "held-1"))
            .then_some(())
    });
    assert!(
        texts(&app.get(&local_path(&today)).body, "loc").contains(&article_url(&app, "held-1"))
    );

    // Killed: in (above), then out of every sitemap at once.
    assert_eq!(
        app.api("DELETE", "/api/v1/articles/pub-1", &token, None)
            .status,
        200
    );
    assert!(
        !texts(&app.get("/sitemap-news.xml").body, "loc").contains(&article_url(&app, "pub-1"))
    );
    assert!(
        !texts(&app.get(&local_path(&today)).body, "loc").contains(&article_url(&app, "pub-1"))
    );
    // A day without public stories has no sitemap; a malformed day is no URL at all.
    assert_eq!(app.get("/sitemap-2001-01-01.xml").status, 404);
    assert_eq!(app.get("/sitemap-2001-1-1.xml").status, 404);
}

#[test]
fn the_news_sitemap_holds_the_last_two_days_and_the_archive_keeps_the_rest() {
    let app = spawn();
    let token = publisher_key(&app);
    let mut recent = story("recent", "Ministry publishes the figures");
    recent["published_at"] = json!(ago(Duration::hours(40)));
    post(&app, &token, &recent);
    let mut old = story("old", "Ministry published last week's figures");
    let old_at = Utc::now() - Duration::hours(60);
    old["published_at"] = json!(old_at.to_rfc3339_opts(SecondsFormat::Secs, true));
    post(&app, &token, &old);
    let news = texts(&app.get("/sitemap-news.xml").body, "loc");
    // The control: the 40-hour-old story is in; the 60-hour-old one is not.
    assert_eq!(news, [article_url(&app, "recent")]);
    let day = format!("/sitemap-{}.xml", old_at.format("%Y-%m-%d"));
    let archived = texts(&app.get(&day).body, "loc");
    assert!(archived.contains(&article_url(&app, "old")));
    // Each publication date keeps the writer's offset and parses as a W3C datetime.
    for d in texts(&app.get("/sitemap-news.xml").body, "news:publication_date") {
        chrono::DateTime::parse_from_rfc3339(&d).unwrap();
    }
}

#[test]
fn sitemaps_are_cached_with_validators_and_follow_every_filing() {
    let app = spawn();
    let token = publisher_key(&app);
    post(
        &app,
        &token,
        &story("first", "Ministry publishes the figures"),
    );
    let a = app.get("/sitemap-news.xml");
    let etag = a.header("etag").unwrap().to_owned();
    assert!(a.header("last-modified").is_some());
    let keys = a.header("surrogate-key").unwrap();
    assert!(keys.split(' ').any(|k| k == "all"), "{keys}");
    let again = app.get_with("/sitemap-news.xml", &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    let index = app.get("/sitemap.xml");
    let index_tag = index.header("etag").unwrap().to_owned();
    assert_eq!(
        app.get_with("/sitemap.xml", &[("If-None-Match", &index_tag)])
            .status,
        304
    );
    // A story filed: the cached sitemap gives way at once, with a new validator.
    post(
        &app,
        &token,
        &story("second", "Parliament debates the budget"),
    );
    // (Within the second the cached copy was dated, the page cache keeps it: a render then
    // could not date the change later than the copy. So: by the next second.)
    let b = app.eventually(|| {
        let r = app.get_with("/sitemap-news.xml", &[("If-None-Match", &etag)]);
        (r.status == 200).then_some(r)
    });
    assert!(texts(&b.body, "loc").contains(&article_url(&app, "second")));
    assert_ne!(b.header("etag").unwrap(), etag);
    // Gzip like every page.
    let gz = app.get_raw("/sitemap-news.xml", &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
}

#[test]
fn robots_txt_names_the_sitemap_index() {
    let app = spawn();
    let r = app.get("/robots.txt");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    assert!(r.body.contains("User-agent: *"));
    assert!(r.body.contains("Disallow: /api/"));
    assert!(
        r.body
            .lines()
            .any(|l| l == format!("Sitemap: {}/sitemap.xml", base())),
        "{}",
        r.body
    );
    let tag = r.header("etag").unwrap().to_owned();
    assert_eq!(
        app.get_with("/robots.txt", &[("If-None-Match", &tag)])
            .status,
        304
    );
}
