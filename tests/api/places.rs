//! Places (contract §14) over HTTP: editor places kept and checked, found places read back with
//! the article and carried by every format.

use crate::helpers::{TestApp, publisher_key, spawn_app_with};
use serde_json::json;

fn app_and_key() -> (TestApp, String) {
    let app = spawn_app_with(None);
    let token = publisher_key(&app);
    (app, token)
}

#[test]
fn found_and_editor_places_are_stored_read_back_and_in_every_format() {
    let (app, t) = app_and_key();
    let body = json!({
        "id": "plc-1",
        "headline": "Japan and Peru sign a fisheries deal",
        "body": "Japanese and Peruvian ministers signed the deal in Lima on Monday.",
        "language": "en",
        "places": ["UY"],
    });
    let r = app.api("POST", "/api/v1/articles", &t, Some(&body));
    assert_eq!(r.status, 201, "{}", r.body);
    let a = r.json();
    assert_eq!(a["places"], json!(["JP", "PE", "UY"]), "{a}");
    assert_eq!(a["editor_places"], json!(["UY"]), "{a}");
    // Read back.
    let a = app.api("GET", "/api/v1/articles/plc-1", &t, None).json();
    assert_eq!(a["places"], json!(["JP", "PE", "UY"]), "{a}");
    // ninjs 2.1: places with name and GeoNames URI.
    let n = app.get("/articles/plc-1.json").json();
    let uris: Vec<&str> = n["places"]
        .as_array()
        .unwrap_or_else(|| panic!("{n}"))
        .iter()
        .map(|p| p["uri"].as_str().unwrap())
        .collect();
    assert!(uris.contains(&"https://sws.geonames.org/1861060/"), "{n}");
    assert!(
        n["places"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Japan"),
        "{n}"
    );
    // NewsML-G2: a geoArea subject in the geonames scheme IPTC's catalog declares.
    let x = app.get("/articles/plc-1.xml").body;
    assert!(
        x.contains(r#"<subject type="cpnat:geoArea" qcode="geonames:1861060">"#),
        "{x}"
    );
    // Feeds: Atom and RSS categories in the GeoNames scheme, JSON Feed `_wirefeed.places`.
    let atom = app.get("/feeds/all.atom").body;
    assert!(
        atom.contains(r#"term="https://sws.geonames.org/1861060/""#)
            && atom.contains(r#"scheme="http://www.geonames.org/""#),
        "{atom}"
    );
    let rss = app.get("/feeds/all.rss").body;
    assert!(
        rss.contains(r#"<category domain="http://www.geonames.org/">https://sws.geonames.org/3932488/</category>"#),
        "{rss}"
    );
    let jf = app.get("/feeds/all.json").json();
    let item = jf["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["_wirefeed"]["id"] == "plc-1")
        .unwrap();
    assert_eq!(item["_wirefeed"]["places"][0]["code"], "JP", "{item}");
    // The HTML page lists them.
    let page = app.get("/articles/plc-1").body;
    assert!(page.contains("Places") && page.contains("Peru"), "{page}");
}

#[test]
fn a_story_that_names_no_country_has_no_places_in_any_format() {
    let (app, t) = app_and_key();
    let body = json!({
        "id": "plc-2",
        "headline": "Markets rally on rate hopes",
        "body": "Stocks rose on Tuesday as traders bet on lower rates.",
        "language": "en",
    });
    let r = app.api("POST", "/api/v1/articles", &t, Some(&body));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["places"], json!([]));
    assert!(
        app.get("/articles/plc-2.json")
            .json()
            .get("places")
            .is_none()
    );
    assert!(
        !app.get("/articles/plc-2.xml")
            .body
            .contains("cpnat:geoArea")
    );
}

#[test]
fn an_editor_place_that_is_not_a_code_is_a_field_error() {
    let (app, t) = app_and_key();
    for bad in ["usa", "U", "ZZ", "../", "us"] {
        let body = json!({
            "id": "plc-3", "headline": "Talks resume", "body": "Talks resumed.",
            "language": "en", "places": [bad],
        });
        let r = app.api("POST", "/api/v1/articles", &t, Some(&body));
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{bad}"
        );
        let p = r.json();
        assert_eq!(p["errors"][0]["field"], "places", "{bad}: {p}");
    }
    // Control: a real code is accepted.
    let body = json!({
        "id": "plc-3", "headline": "Talks resume", "body": "Talks resumed.",
        "language": "en", "places": ["US"],
    });
    let r = app.api("POST", "/api/v1/articles", &t, Some(&body));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["places"], json!(["US"]));
}

#[test]
fn classify_prints_places_beside_topics_and_explain_names_the_words() {
    let app = spawn_app_with(None);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.json");
    std::fs::write(
        &f,
        json!({
            "id": "plc-4", "headline": "Floods in Chad", "body": "Rain in Chad displaced families.",
            "language": "en",
        })
        .to_string(),
    )
    .unwrap();
    let (code, out, err) = app.cli(&["classify", f.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let line: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(line["places"], json!(["TD"]), "{out}");
    let (code, out, err) = app.cli(&["classify", "--explain", "--json", f.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let line: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let td = &line["place_matches"][0];
    assert_eq!(td["code"], "TD", "{line}");
    assert_eq!(td["evidence"][0]["term"], "Chad", "{line}");
    assert_eq!(td["evidence"][0]["where"], "headline", "{line}");
}
