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
        published_offset: None,
        embargo_until: None,
        editor_topics: vec![],
        editor_places: vec![],
        keywords: vec![],
        urgency: None,
        translation_of: None,
        media: Vec::new(),
        usage_terms: None,
        evolved_from: None,
        slugline: None,
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

#[test]
fn a_phrase_inside_a_longer_term_of_the_same_topic_counts_once() {
    let config = CONFIG.replace(
        r#"terms = ["border"] }"#,
        r#"terms = ["border", "border security"] }"#,
    );
    let c = Classifier::new(&Config::parse(&config, Path::new(".")).unwrap());
    let scores = c.explain(&content("en", "", "Border security."));
    let s = scores.iter().find(|s| s.topic == "security").unwrap();
    let terms: Vec<&str> = s.hits.iter().map(|h| h.term.as_str()).collect();
    assert_eq!(terms, ["border security"], "{s:?}");
}

#[test]
fn force_and_forbid_phrases_decide_whatever_the_score() {
    let config = CONFIG.replace(
        r#"rules = [{ weight = 3, terms = ["embassy"] }]"#,
        r#"rules = [{ weight = 3, terms = ["embassy"] }]
force = [{ terms = ["joint commission"] }]
forbid = [{ lang = "en", terms = ["friendly match"] }]"#,
    );
    let c = Classifier::new(&Config::parse(&config, Path::new(".")).unwrap());
    assert_eq!(
        c.topics(&content("en", "Weather", "A joint commission met.")),
        ["bilateral-relations"]
    );
    assert!(
        c.topics(&content(
            "en",
            "Embassy staff in friendly match",
            "embassy embassy"
        ))
        .is_empty()
    );
    let s = c.explain(&content("en", "Embassy friendly match", ""));
    let b = s.iter().find(|s| s.topic == "bilateral-relations").unwrap();
    assert!(
        b.reason
            .starts_with("out (forbidden by \"friendly match\")"),
        "{}",
        b.reason
    );
}

/// A hand-written weights file: `migran` carries migration, structure carries bilateral.
const MODEL: &str = r#"{
  "format": "wirefeed-linear-1",
  "trained_on": "a test",
  "stem_length": 6,
  "topics": {
    "migration": { "threshold": 0.5, "veto": 0.1, "bias": -2.0,
                   "weights": { "migran": 30.0, "h:migran": 2.0, "bird": -40.0 } },
    "bilateral-relations": { "threshold": 0.5, "bias": -2.0,
                   "weights": { "@governments-of-2-states": 6.0 } }
  }
}"#;

#[test]
fn the_model_adds_topics_the_rules_miss_and_names_its_features() {
    let c = Classifier::with_model(&Config::parse(CONFIG, Path::new(".")).unwrap(), MODEL).unwrap();
    assert!(c.has_model());
    let a = content(
        "en",
        "Japan hands patrol boats to Honduras",
        "The Japanese ambassador met the Honduran foreign minister.",
    );
    assert_eq!(c.topics(&a), ["bilateral-relations"]);
    let s = c.explain(&a);
    let b = s.iter().find(|s| s.topic == "bilateral-relations").unwrap();
    assert!(b.reason.starts_with("in (model)"), "{}", b.reason);
    assert!(
        b.reason.contains("@governments-of-2-states +3.00"),
        "{}",
        b.reason
    );
    let m = b.model.as_ref().unwrap();
    assert!(m.matched && m.probability > 0.7, "{m:?}");
}

#[test]
fn the_model_can_veto_a_rules_match_it_is_sure_is_wrong() {
    let c = Classifier::with_model(&Config::parse(CONFIG, Path::new(".")).unwrap(), MODEL).unwrap();
    // The rules see "migrantes" twice; the model sees birds.
    let a = content("es", "Migrantes alados", "bird bird bird migrantes");
    let s = c.explain(&a);
    let m = s.iter().find(|s| s.topic == "migration").unwrap();
    assert!(m.rules && !m.matched, "{m:?}");
    assert!(
        m.reason
            .starts_with("out (the rules match, but the model overrules them)")
    );
}

#[test]
fn reclassify_review_gives_the_topics_and_reasons_for_near_misses_only() {
    let c = classifier();
    let (topics, close) = c.review(&content("en", "Police", "police"));
    assert_eq!(topics, ["security"]);
    assert!(close.is_empty());
    let (topics, close) = c.review(&content("en", "", "police"));
    assert!(topics.is_empty());
    assert_eq!(close.len(), 1);
    assert!(
        close[0].reason.starts_with("out, but close"),
        "{}",
        close[0].reason
    );
}

#[test]
fn the_language_of_an_article_is_detected_from_its_words() {
    assert_eq!(
        detect_language(
            "El Gobierno anunció este martes un nuevo programa para los migrantes que regresan al país."
        ),
        Some("es")
    );
    assert_eq!(
        detect_language(
            "The government announced on Tuesday a new programme for migrants returning home."
        ),
        Some("en")
    );
    assert_eq!(detect_language("B"), None);
}

#[test]
fn an_agency_may_name_its_own_topics() {
    let mut config = CONFIG.split("[[topic]]").next().unwrap().to_owned();
    config.push_str(
        r#"[[topic]]
id = "fisheries"
name = { en = "Fisheries" }
iptc = [{ code = "medtop:20000217", en = "fishing industry" }]
rules = [{ weight = 3, terms = ["trawler*"] }]
"#,
    );
    let c = Classifier::new(&Config::parse(&config, Path::new(".")).unwrap());
    assert_eq!(
        c.topics(&content("en", "Trawlers return", "")),
        ["fisheries"]
    );
}

/// A model that is mildly against migration whatever the words (probability 0.119).
const DOUBTFUL_MODEL: &str = r#"{
  "format": "wirefeed-linear-1",
  "trained_on": "a test",
  "stem_length": 6,
  "topics": {
    "migration": { "threshold": 0.5, "veto": 0.3, "bias": -2.0, "weights": { "bird": -40.0 } }
  }
}"#;

#[test]
fn a_veto_needs_more_evidence_than_the_rules_had() {
    // Regression (issue 24): a meeting on "border security, human rights and migration" with
    // several explicit migration matches was vetoed by a model only mildly against it.
    let c = Classifier::with_model(
        &Config::parse(CONFIG, Path::new(".")).unwrap(),
        DOUBTFUL_MODEL,
    )
    .unwrap();
    // Positive control: one main term, once, is weak evidence; the doubtful model overrules it.
    let weak = content("en", "Refugee arrives", "The weather was mild.");
    let s = c.explain(&weak);
    let m = s.iter().find(|s| s.topic == "migration").unwrap();
    assert!(m.rules && !m.matched, "{m:?}");
    let ms = m.model.as_ref().unwrap();
    assert!(
        ms.vetoed
            && (ms.rule_evidence - 1.41).abs() < 1e-9
            && (ms.veto_scaled - 0.212).abs() < 1e-9,
        "{ms:?}"
    );
    assert!(
        m.reason.contains(
            "veto applied: 0.119 is below the veto 0.30 (for this topic's rules alone) divided \
             by the rules' evidence 1.41 (score 6 of 3, 1 main word) is 0.212"
        ),
        "{}",
        m.reason
    );
    // Three different main words, one in the headline: the same doubt is not enough.
    let strong = content(
        "en",
        "Refugee arrives",
        "Ministers discussed the deportations of migrantes.",
    );
    let s = c.explain(&strong);
    let m = s.iter().find(|s| s.topic == "migration").unwrap();
    assert!(m.rules && m.matched, "{m:?}");
    assert!(
        m.reason.starts_with(
            "in (rules): score 12 of 3 needed (\"refugee\" (weight 3) headline×1 = +6"
        ),
        "{}",
        m.reason
    );
    assert!(
        m.reason.contains("no veto: 0.119 is not below the veto 0.30 (for this topic's rules alone) divided by the rules' evidence 3.46 (score 12 of 3, 3 main words) is 0.087"),
        "{}",
        m.reason
    );
    // A model that is sure still overrules them (birds).
    let birds = content("en", "Refugee birds", "bird deportations of migrantes");
    assert!(c.topics(&birds).is_empty());
}

/// As [`DOUBTFUL_MODEL`], with a weaker veto for a match shared with another topic's rules.
const DOUBTFUL_SHARED_MODEL: &str = r#"{
  "format": "wirefeed-linear-1",
  "trained_on": "a test",
  "stem_length": 6,
  "topics": {
    "migration": { "threshold": 0.5, "veto": 0.3, "veto_among": 0.05, "bias": -2.0,
                   "weights": { "bird": -40.0 } }
  }
}"#;

#[test]
fn a_match_shared_with_another_topics_rules_faces_the_veto_for_a_shared_match() {
    // Issue 24: a ministers' meeting naming migration among several subjects (border
    // security here) is one subject among several, not a look-alike: a model only mildly
    // against it does not overrule it.
    let c = Classifier::with_model(
        &Config::parse(CONFIG, Path::new(".")).unwrap(),
        DOUBTFUL_SHARED_MODEL,
    )
    .unwrap();
    let shared = content(
        "en",
        "Refugee arrives",
        "Ministers discussed border security.",
    );
    let s = c.explain(&shared);
    let m = s.iter().find(|s| s.topic == "migration").unwrap();
    assert!(m.rules && m.matched, "{m:?}");
    let ms = m.model.as_ref().unwrap();
    assert_eq!(ms.among, ["security"]);
    assert!(!ms.vetoed && (ms.veto - 0.05).abs() < 1e-9, "{ms:?}");
    assert!(
        m.reason.contains(
            "no veto: 0.119 is not below the veto 0.05 (for a match shared with security) \
             divided by the rules' evidence 1.41 (score 6 of 3, 1 main word) is 0.035"
        ),
        "{}",
        m.reason
    );
    assert_eq!(c.topics(&shared), ["migration", "security"]);
    // Positive control: the same migration words alone face the veto for a match alone.
    let alone = content("en", "Refugee arrives", "Ministers met.");
    assert!(c.topics(&alone).is_empty());
    // A model that is sure still overrules a shared match (birds).
    let birds = content("en", "Refugee birds", "bird bird border security");
    assert_eq!(c.topics(&birds), ["security"]);
}

/// As [`DOUBTFUL_SHARED_MODEL`], with a model sure that ministers make a story bilateral.
const DOUBTFUL_SHARED_BILATERAL_MODEL: &str = r#"{
  "format": "wirefeed-linear-1",
  "trained_on": "a test",
  "stem_length": 6,
  "topics": {
    "migration": { "threshold": 0.5, "veto": 0.3, "veto_among": 0.05, "bias": -2.0,
                   "weights": { "bird": -40.0 } },
    "bilateral-relations": { "threshold": 0.5, "veto": 0.3, "veto_among": 0.05, "bias": -2.0,
                   "weights": { "minist": 40.0 } }
  }
}"#;

#[test]
fn a_match_beside_a_topic_only_the_model_found_is_shared_too() {
    // Issue 24 (tune2): a ministers' meeting that only the model puts in bilateral relations
    // is still one subject among several for migration's rules.
    let c = Classifier::with_model(
        &Config::parse(CONFIG, Path::new(".")).unwrap(),
        DOUBTFUL_SHARED_BILATERAL_MODEL,
    )
    .unwrap();
    let meeting = content("en", "Refugee arrives", "Ministers met.");
    let s = c.explain(&meeting);
    let m = s.iter().find(|s| s.topic == "migration").unwrap();
    let ms = m.model.as_ref().unwrap();
    assert_eq!(ms.among, ["bilateral-relations"], "{ms:?}");
    assert!(m.matched && !ms.vetoed, "{m:?}");
    assert_eq!(c.topics(&meeting), ["bilateral-relations", "migration"]);
    assert!(
        m.reason
            .contains("(for a match shared with bilateral-relations)"),
        "{}",
        m.reason
    );
}

#[test]
fn forms_of_one_word_count_once_in_the_rules_evidence() {
    let config = CONFIG.replace(
        r#"rules = [{ weight = 3, terms = ["embassy"] }]"#,
        r#"rules = [{ weight = 3, terms = ["embass*", "consulate*", "consul", "consular"] }]"#,
    );
    let c = Classifier::new(&Config::parse(&config, Path::new(".")).unwrap());
    let s = c.explain(&content(
        "en",
        "Consul opens consulate",
        "The consular staff of the consulate.",
    ));
    let b = s.iter().find(|s| s.topic == "bilateral-relations").unwrap();
    assert!(b.rules && b.hits.len() >= 3, "{b:?}");
    assert_eq!(main_words(b), 1);
    let s = c.explain(&content("en", "Consul opens embassy", "The embassy."));
    let b = s.iter().find(|s| s.topic == "bilateral-relations").unwrap();
    assert_eq!(main_words(b), 2);
}
