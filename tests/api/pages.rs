//! Pages people read (docs/api.md, Pages, search and discovery) over real HTTP: the front page, topic pages, article and
//! kill pages, search (with hostile input), saved-search feeds and the OPML.

use crate::helpers::*;
use serde_json::json;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn the_front_page_speaks_the_visitors_language() {
    let app = spawn_app();
    let es = app.get_with("/", &[("Accept-Language", "es-MX,es;q=0.9,en;q=0.5")]);
    assert_eq!(es.status, 200);
    assert!(es.body.contains("<html lang=\"es\""), "{}", &es.body[..300]);
    assert!(es.body.contains("Últimas noticias"));
    assert!(es.body.contains("Crea tu feed"));
    assert_eq!(es.header("vary"), Some("Accept-Encoding, Accept-Language"));
    // Stories are those in the page's language, with dateline, time and language.
    assert!(es.body.contains("class=\"dateline\""));
    assert!(es.body.contains("<time datetime=\""));
    assert!(es.body.contains("español"));
    assert!(!es.body.contains("lang=\"en\"><a class=\"headline\""));
    let en = app.get_with("/", &[("Accept-Language", "en-GB")]);
    assert!(en.body.contains("<html lang=\"en\"") && en.body.contains("Latest stories"));
    assert_ne!(es.header("etag"), en.header("etag"));
    // ?lang= overrides the header, and the page then does not vary by it.
    let chosen = app.get_with("/?lang=en", &[("Accept-Language", "es")]);
    assert!(chosen.body.contains("Latest stories"));
    assert_eq!(chosen.header("vary"), Some("Accept-Encoding"));
    // Unknown languages fall back to the agency's (Spanish).
    let fr = app.get_with("/", &[("Accept-Language", "fr")]);
    assert!(fr.body.contains("<html lang=\"es\""));
    // Autodiscovery, the OPML, and no external assets or XSLT.
    assert!(
        es.body
            .contains("rel=\"alternate\" type=\"application/atom+xml\"")
    );
    assert!(es.body.contains("/feeds.opml"));
    for page in [&es.body, &en.body] {
        assert!(!page.contains("xml-stylesheet"));
        for attr in [
            "src=\"http",
            "href=\"https://fonts",
            "<link rel=\"stylesheet\"",
        ] {
            assert!(!page.contains(attr), "{attr}");
        }
    }
}

#[test]
fn the_feed_builder_works_without_javascript() {
    let app = spawn_app();
    let r = app.get("/?lang=en&feed=migration&feed_lang=es&format=rss&q=asilo");
    assert_eq!(r.status, 200);
    let url = "http://127.0.0.1:8080/feeds/migration.rss?lang=es&amp;q=asilo";
    assert!(r.body.contains(url), "the built URL is in the page");
    // What it built is a working feed.
    let feed = app.get("/feeds/migration.rss?lang=es&q=asilo");
    assert_eq!(feed.status, 200);
    assert!(feed.body.contains("<item>"));
    // Nonsense choices fall back instead of failing.
    let r = app.get("/?feed=nope&format=doc&feed_lang=xx");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("/feeds/all.atom</output>"));
}

#[test]
fn topic_pages_are_paged_and_link_their_feeds() {
    let app = spawn_app();
    let r = app.get("/topics/security?lang=es&limit=2");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<h1>Seguridad</h1>"));
    assert_eq!(r.body.matches("<li class=\"story\"").count(), 2);
    assert!(r.body.contains("/feeds/security.atom?lang=es"));
    let next = r
        .body
        .split("rel=\"next\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a next page")
        .replace("&amp;", "&");
    let second = app.get(&local_path(&next));
    assert_eq!(second.status, 200);
    assert!(second.body.contains("rel=\"prev\""));
    assert_eq!(app.get("/topics/nope").status, 404);
    assert_eq!(app.get("/topics/security?limit=0").status, 400);
    // Validators as for feeds.
    let etag = r.header("etag").unwrap().to_owned();
    let again = app.get_with(
        "/topics/security?lang=es&limit=2",
        &[("If-None-Match", &etag)],
    );
    assert_eq!(again.status, 304);
}

#[test]
fn article_pages_show_local_times_localised_labels_and_topic_links() {
    let app = spawn_app();
    let r = app.get("/articles/anv-20261126-0005");
    assert_eq!(r.status, 200);
    // Written as 18:45 −05:00: shown so, not as 23:45Z.
    assert!(
        r.body.contains("datetime=\"2026-11-26T18:45:00-05:00\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("26 nov 2026, 18:45 (UTC\u{2212}05:00)"));
    assert!(r.body.contains("<html lang=\"es\""));
    assert!(r.body.contains("Por Marta Quiroga, Andrés Cuadrado"));
    assert!(r.body.contains("Temas"));
    assert!(r.body.contains("/topics/migration?lang=es"));
    assert!(
        !r.body.contains(".atom\">"),
        "topics link to pages, not raw feeds"
    );
    assert!(r.body.contains("Portada"), "a way back to the index");
}

#[test]
fn a_spanish_correction_is_labelled_in_spanish_and_a_kill_is_a_410_page() {
    let app = spawn_app();
    let token = key(&app, "desk", "publisher", &[]);
    let body = json!({"id": "pg-1", "headline": "Cierre temporal del paso de Kessel",
        "body": "El paso fronterizo de Kessel cierra por obras.", "language": "es",
        "dateline": "Kessel", "published_at": "2026-11-30T08:00:00-05:00"});
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&body))
            .status,
        201
    );
    let mut fixed = body.clone();
    fixed["body"] = json!("El paso fronterizo de Kessel cierra por obras hasta el viernes.");
    fixed["revision"] = json!("correction");
    fixed["correction_note"] = json!("La fecha de reapertura era errónea.");
    assert_eq!(
        app.api("PUT", "/api/v1/articles/pg-1", &token, Some(&fixed))
            .status,
        200
    );
    let r = app.eventually(|| {
        let r = app.get("/articles/pg-1");
        r.body.contains("class=\"correction\"").then_some(r)
    });
    assert!(
        r.body
            .contains("<strong>Corrección: </strong>La fecha de reapertura era errónea.")
    );
    assert!(r.body.contains("(versión 2)"));
    // No English label on the page (the JSON-LD's schema.org type name `CorrectionComment` is
    // not a label: left out of the check).
    let (head, rest) = r
        .body
        .split_once("<script type=\"application/ld+json\">")
        .expect("the page's JSON-LD");
    let visible = format!("{head}{}", rest.split_once("</script>").unwrap().1);
    assert!(visible.contains("Corrección"), "the control");
    assert!(!visible.contains("Correction"));
    let k = app.api(
        "DELETE",
        "/api/v1/articles/pg-1",
        &token,
        Some(&json!({"reason": "Información no verificada"})),
    );
    assert_eq!(k.status, 200);
    let gone = app.get("/articles/pg-1");
    assert_eq!(gone.status, 410);
    assert!(gone.body.contains("Noticia retirada"));
    assert!(gone.body.contains("Información no verificada"));
    assert!(
        !gone.body.contains("hasta el viernes"),
        "no killed copy in the notice"
    );
}

#[test]
fn search_is_accent_and_case_insensitive_in_both_languages() {
    let app = spawn_app();
    // "cocaina" without its accent finds the Spanish story with "cocaína", and case is ignored.
    let r = app.get("/search?q=COCAINA&lang=es");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Resultados para"));
    assert!(r.body.contains("anv-20261013"), "{}", r.body);
    let en = app.get("/search?q=cocaine&lang=en");
    assert!(en.body.contains("Results for") && en.body.contains("<li class=\"story\""));
    let none = app.get("/search?q=zzyzxqq");
    assert_eq!(none.status, 200);
    assert!(
        none.body.contains("Ninguna noticia coincide") || none.body.contains("No story matches")
    );
    // The form alone, with no query.
    let form = app.get("/search");
    assert_eq!(form.status, 200);
    assert!(form.body.contains("role=\"search\""));
    // The saved-search feed of the same query.
    assert!(r.body.contains("/feeds/all.atom?q=COCAINA"));
}

#[test]
fn a_search_sees_a_write_at_once_and_never_an_embargoed_story() {
    let app = spawn_app();
    let token = key(&app, "desk", "publisher", &[]);
    let body = json!({"id": "pg-new", "headline": "Inauguran el puente Quelmar", "body": "Obra binacional.",
        "language": "es"});
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&body))
            .status,
        201
    );
    let embargoed = json!({"id": "pg-emb", "headline": "Quelmar embargado", "body": "Secreto.",
        "language": "es", "embargo_until": "2099-01-01T00:00:00Z"});
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&embargoed))
            .status,
        201
    );
    let r = app.eventually(|| {
        let r = app.get("/search?q=quelmar");
        r.body.contains("pg-new").then_some(r)
    });
    assert!(!r.body.contains("pg-emb"));
    let feed = app.get("/feeds/all.json?q=quelmar");
    let ids = json_ids(&feed.json());
    assert_eq!(ids.len(), 1, "{ids:?}");
    // An edit moves the index in the same transaction: the old words no longer match.
    let mut edited = body.clone();
    edited["headline"] = json!("Inauguran el viaducto");
    edited["body"] = json!("Obra binacional.");
    assert_eq!(
        app.api("PUT", "/api/v1/articles/pg-new", &token, Some(&edited))
            .status,
        200
    );
    app.eventually(|| (!app.get("/search?q=quelmar").body.contains("pg-new")).then_some(()));
    assert!(app.get("/search?q=viaducto").body.contains("pg-new"));
}

#[test]
fn hostile_search_input_gets_results_or_a_400_never_a_500() {
    let app = spawn_app();
    let long = "frontera ".repeat(1200);
    let inputs = [
        "\"",
        "*",
        "NEAR(",
        "NEAR(frontera",
        "\"unbalanced phrase",
        "a AND OR NOT b",
        "frontera:*",
        "col:frontera",
        "^frontera",
        "frontera -migración",
        "((((",
        "\u{0645}\u{0631}\u{062D}\u{0628}\u{0627}",
        "\u{202E}arretnorf",
        "\u{0000}",
        "'; DROP TABLE articles; --",
        "migra*",
        "**",
        "\"\"",
        "-",
        long.as_str(),
    ];
    for q in inputs {
        for path in [
            format!("/search?q={}", enc(q)),
            format!("/feeds/all.atom?q={}", enc(q)),
            format!("/feeds/security.json?q={}", enc(q)),
            format!("/feeds/all.xml?q={}", enc(q)),
            format!("/feeds/kills.rss?q={}", enc(q)),
        ] {
            let r = app.get(&path);
            assert!(
                r.status == 200 || r.status == 400,
                "{path}: {} {}",
                r.status,
                r.body
            );
            if r.status == 400 {
                assert_eq!(r.header("content-type"), Some("application/problem+json"));
                assert!(r.json()["errors"][0]["field"] == "q", "{}", r.body);
            }
        }
    }
    assert_eq!(app.get(&format!("/search?q={}", enc(&long))).status, 400);
    assert_eq!(app.get("/search?q=frontera&page=0").status, 400);
    assert_eq!(app.get("/search?q=frontera&page=51").status, 400);
    // The database is unharmed.
    assert_eq!(app.get("/feeds/all.json").status, 200);
}

/// The article ids a search page lists, in order.
fn result_ids(body: &str) -> Vec<String> {
    body.split("<li class=\"story\"")
        .skip(1)
        .map(|li| {
            let from = li.find("/articles/").unwrap() + "/articles/".len();
            li[from..].split('"').next().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn a_search_ranks_headline_hits_first_and_its_pages_do_not_overlap() {
    let app = spawn_app();
    let token = key(&app, "desk", "publisher", &[]);
    // Filed first and published earliest: the only story with the word in its headline.
    let best = json!({"id": "rk-head", "headline": "Zorvana cierra su frontera", "body": "Sin detalles.",
        "language": "es", "published_at": "2026-01-05T10:00:00Z"});
    assert_eq!(
        app.api("POST", "/api/v1/articles", &token, Some(&best))
            .status,
        201
    );
    for i in 0..24 {
        let body = json!({"id": format!("rk-body-{i:02}"), "headline": format!("Lluvias número {i}"),
            "body": "Llueve también en Zorvana.", "language": "es",
            "published_at": format!("2026-02-{:02}T10:00:00Z", i + 1)});
        assert_eq!(
            app.api("POST", "/api/v1/articles", &token, Some(&body))
                .status,
            201
        );
    }
    let first = app.eventually(|| {
        let r = app.get("/search?q=zorvana&lang=es");
        (result_ids(&r.body).len() == 20).then_some(r)
    });
    let first_ids = result_ids(&first.body);
    assert_eq!(first_ids[0], "rk-head", "the headline hit ranks first");
    // Then the body hits, newest first.
    assert_eq!(first_ids[1], "rk-body-23");
    assert!(first.body.contains("rel=\"next\""));
    let second = app.get("/search?q=zorvana&lang=es&page=2");
    let second_ids = result_ids(&second.body);
    assert_eq!(second_ids.len(), 5);
    assert!(!second.body.contains("rel=\"next\""));
    let mut all = [first_ids, second_ids].concat();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 25, "no story on both pages, none missing");
    // Past the last page: an empty page, not an error.
    let third = app.get("/search?q=zorvana&page=3");
    assert_eq!(third.status, 200);
    assert!(result_ids(&third.body).is_empty());
    // The saved-search feed of the same query has them all, newest first.
    let feed = json_ids(&app.get("/feeds/all.json?q=zorvana").json());
    assert_eq!(feed.len(), 25);
    assert_eq!(feed[0], "rk-body-23");
}

#[test]
fn a_prefix_too_short_to_search_is_a_400_on_pages_and_feeds() {
    let app = spawn_app();
    for path in [
        "/search?q=de*",
        "/search?q=frontera%20a*",
        "/feeds/all.atom?q=de*",
        "/feeds/security.json?q=mi*",
    ] {
        let r = app.get(path);
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(r.json()["errors"][0]["field"], "q", "{}", r.body);
        assert!(r.body.contains("at least 3 letters"), "{}", r.body);
    }
    assert_eq!(app.get("/search?q=fro*").status, 200);
    assert_eq!(app.get("/feeds/all.atom?q=fro*").status, 200);
}

#[test]
fn saved_search_feeds_have_their_own_validators() {
    let app = spawn_app();
    let a = app.get("/feeds/all.atom?q=frontera");
    let b = app.get("/feeds/all.atom?q=asilo");
    let plain = app.get("/feeds/all.atom");
    assert_eq!(a.status, 200);
    assert_ne!(a.header("etag"), b.header("etag"));
    assert_ne!(a.header("etag"), plain.header("etag"));
    assert!(a.body.contains("rel=\"self\""));
    assert!(a.body.contains("q=frontera"), "self links keep the search");
    let etag = a.header("etag").unwrap().to_owned();
    assert_eq!(
        app.get_with("/feeds/all.atom?q=frontera", &[("If-None-Match", &etag)])
            .status,
        304
    );
    // Some entries, fewer than the plain feed's, and every one of them matches: its JSON Feed
    // item (the same search) holds the word in its title, summary or text.
    let entries = a.body.matches("<entry>").count();
    assert!(entries > 0 && entries < plain.body.matches("<entry>").count());
    let items = app.get("/feeds/all.json?q=frontera").json()["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        items.len(),
        entries,
        "the JSON Feed has the Atom feed's entries"
    );
    for item in &items {
        let text = ["title", "summary", "content_html", "content_text"]
            .iter()
            .filter_map(|f| item[*f].as_str())
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        assert!(
            text.contains("frontera"),
            "an entry without the word: {item}"
        );
    }
}

#[test]
fn the_opml_lists_every_public_feed_in_every_language_as_rss_and_atom() {
    let app = spawn_app();
    let r = app.get("/feeds.opml");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/x-opml"));
    assert!(r.body.contains("<opml version=\"2.0\">"));
    for feed in [
        "security",
        "migration",
        "bilateral-relations",
        "all",
        "kills",
    ] {
        for q in ["", "?lang=es", "?lang=en"] {
            for ext in ["rss", "atom"] {
                let url = format!("xmlUrl=\"http://127.0.0.1:8080/feeds/{feed}.{ext}{q}\"");
                assert!(r.body.contains(&url), "{url}");
            }
        }
    }
    // Restricted feeds are not advertised.
    assert!(!r.body.contains("embassy"), "{}", r.body);
    assert!(r.header("etag").is_some());
}
