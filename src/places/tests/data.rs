//! The shipped country table and the checks of place data files (file and line of a mistake).

#[test]
fn the_shipped_table_covers_every_un_member_and_the_usual_territories() {
    let t = super::finder().table();
    assert!(t.countries().len() >= 240, "{}", t.countries().len());
    for code in [
        "US", "MX", "GT", "SS", "XK", "PS", "PR", "GL", "HK", "TW", "VA", "NR", "TV",
    ] {
        assert!(t.get(code).is_some(), "{code}");
    }
    let us = t.get("US").unwrap();
    assert_eq!(us.geonameid, 6252001);
    assert_eq!(us.uri(), "https://sws.geonames.org/6252001/");
    assert_eq!(us.name("es-MX"), "Estados Unidos");
    assert_eq!(us.name("en"), "United States");
    assert!(t.get("ZZ").is_none() && t.get("usa").is_none());
    // The codes the lower layers check (`model::country_codes`) are exactly the table's.
    let table: Vec<&str> = t.countries().iter().map(|c| c.code.as_str()).collect();
    let model: Vec<&str> = crate::model::country_codes().iter().copied().collect();
    let mut sorted = table.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, model);
}

#[test]
fn bad_place_data_is_reported_with_file_and_line() {
    let hand = "[countries]\n[exclude]\nterms = []\n[block]\nterms = []\n\
                [capitalised]\nterms = []\npeople = []\n[contextual]\n";
    let header = "# comment\n";
    let e = super::super::Table::parse(
        &format!("{header}US\t6252001\tUnited States\tEstados Unidos\nUS\t1\tX\tX\n"),
        "",
        hand,
    )
    .err()
    .unwrap();
    assert_eq!(e, "data/places/countries.tsv:3: duplicate code US");
    let e = super::super::Table::parse("usa\t1\tX\tX\n", "", hand)
        .err()
        .unwrap();
    assert!(
        e.starts_with("data/places/countries.tsv:1: \"usa\" is not"),
        "{e}"
    );
    let e = super::super::Table::parse(
        "US\t6252001\tUnited States\tEstados Unidos\n",
        "XX\tname\tNowhere\t\n",
        hand,
    )
    .err()
    .unwrap();
    assert_eq!(e, "data/places/terms.tsv:1: unknown country code \"XX\"");
    // Control: the same rows without the mistakes parse.
    let t = super::super::Table::parse(
        "US\t6252001\tUnited States\tEstados Unidos\n",
        "US\tname\tUnited States\t\n",
        hand,
    )
    .unwrap();
    assert_eq!(t.countries().len(), 1);
}
