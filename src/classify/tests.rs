//! Unit tests of the combined classifier on a small config (rules only: no model key).
use super::*;
use std::path::Path;

const CONFIG: &str = r#"
[agency]
name = "A"
base_url = "http://a.example"
language = "es"
copyright = "c"

[[topic]]
id = "security"
name = { en = "Security" }
iptc = [{ code = "medtop:20000598", en = "national security" }]
min_score = 4
rules = [
  { lang = "es", weight = 3, terms = ["narcotrafico", "policia*"] },
  { lang = "en", weight = 3, terms = ["police", "security"] },
  { lang = "en", weight = 1, terms = ["border"] },
  { lang = "en", weight = -3, terms = ["football"] },
]
exclude = [{ lang = "en", terms = ["food security"] }]

[[topic]]
id = "migration"
name = { en = "Migration" }
iptc = [{ code = "medtop:20000771", en = "immigration" }]
rules = [
  { weight = 3, terms = ["deportation*", "migrante*", "refugee"] },
]

[[topic]]
id = "bilateral-relations"
name = { en = "Bilateral" }
iptc = [{ code = "medtop:20000638", en = "international relations" }]
rules = [{ weight = 3, terms = ["embassy"] }]
"#;

fn classifier() -> Classifier {
    Classifier::new(&Config::parse(CONFIG, Path::new(".")).unwrap())
}

fn content(lang: &str, headline: &str, body: &str) -> Content {
    Content {
        headline: headline.into(),
        summary: None,
        body: body.into(),
        language: lang.into(),
        byline: vec![],
        dateline: None,
        published_at: None,
        embargo_until: None,
        editor_topics: vec![],
        keywords: vec![],
        urgency: None,
        translation_of: None,
    }
}

#[test]
fn matching_ignores_case_and_accents_on_word_boundaries() {
    let c = classifier();
    assert_eq!(
        c.topics(&content("es", "NARCOTRÁFICO en el puerto", "")),
        ["security"]
    );
    assert_eq!(c.topics(&content("es", "narcotrafico", "")), ["security"]);
    // "policiaco" starts with "policia": a prefix term matches it; "apolicia" is not a word start.
    assert_eq!(c.topics(&content("es", "Policías", "")), ["security"]);
    assert!(c.topics(&content("es", "apolicia", "")).is_empty());
}

#[test]
fn prefix_terms_and_plurals_tolerate_inflection() {
    let c = classifier();
    for h in ["Migrantes llegan", "Los migrantes", "El migrante"] {
        assert_eq!(c.topics(&content("es", h, "")), ["migration"], "{h}");
    }
    assert_eq!(
        c.topics(&content("en", "Deportations rise", "")),
        ["migration"]
    );
    assert_eq!(
        c.topics(&content("en", "Refugees arrive", "")),
        ["migration"]
    );
}

#[test]
fn headline_matches_weigh_more_than_body_matches() {
    let c = classifier();
    assert_eq!(c.topics(&content("en", "Police", "")), ["security"]);
    assert!(c.topics(&content("en", "", "Police")).is_empty());
}

#[test]
fn an_exclusion_cancels_the_term_in_the_whole_article() {
    let c = classifier();
    let scores = c.explain(&content(
        "en",
        "Food security summit",
        "Security of supply and security of harvests.",
    ));
    let s = scores.iter().find(|s| s.topic == "security").unwrap();
    assert!(!s.matched, "{s:?}");
    assert_eq!(s.excluded, ["food security"]);
    assert!(
        s.reason
            .contains("not counted because of \"food security\""),
        "{}",
        s.reason
    );
}

#[test]
fn supporting_terms_alone_do_not_make_a_topic() {
    let c = classifier();
    assert!(
        c.topics(&content("en", "Border border", "border border border"))
            .is_empty()
    );
    assert_eq!(c.topics(&content("en", "Border police", "")), ["security"]);
}

#[test]
fn one_word_repeated_in_the_body_is_a_mention_not_a_subject() {
    let c = classifier();
    assert!(
        c.topics(&content("en", "Marathon day", "Police police police."))
            .is_empty()
    );
    assert_eq!(
        c.topics(&content("en", "Marathon day", "Police and security.")),
        ["security"]
    );
}

#[test]
fn overlapping_terms_count_once() {
    let config = CONFIG.replace(
        r#"terms = ["deportation*", "migrante*", "refugee"]"#,
        r#"terms = ["migra*", "migrante*"]"#,
    );
    let c = Classifier::new(&Config::parse(&config, Path::new(".")).unwrap());
    let scores = c.explain(&content("es", "", "Los migrantes y los migrantes."));
    let s = scores.iter().find(|s| s.topic == "migration").unwrap();
    assert_eq!(s.hits.len(), 1, "{s:?}");
    assert!(!s.matched, "one word repeated in the body: {s:?}");
}

#[test]
fn negative_context_argues_against_a_topic() {
    let c = classifier();
    assert!(
        c.topics(&content(
            "en",
            "Police at the football final",
            "football football"
        ))
        .is_empty()
    );
}

#[test]
fn rules_for_another_language_do_not_fire() {
    let c = classifier();
    assert!(c.topics(&content("en", "narcotrafico", "")).is_empty());
    // Rules without `lang` apply to every language.
    assert_eq!(c.topics(&content("fr", "Les migrantes", "")), ["migration"]);
}

#[test]
fn editor_topics_are_always_kept() {
    let c = classifier();
    let mut a = content("en", "Weather", "Sunny.");
    a.editor_topics = vec!["bilateral-relations".into()];
    assert_eq!(c.topics(&a), ["bilateral-relations"]);
    a.headline = "Police embassy".into();
    assert_eq!(c.topics(&a), ["bilateral-relations", "security"]);
}

#[test]
fn near_misses_are_flagged() {
    let c = classifier();
    let scores = c.explain(&content("en", "", "police"));
    let s = scores.iter().find(|s| s.topic == "security").unwrap();
    assert!(!s.matched && s.near_miss, "{s:?}");
    assert!(s.reason.starts_with("out, but close"));
}
