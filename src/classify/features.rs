//! What the learned model sees of an article: stemmed word 1–2-grams and structure.
//!
//! Text is normalised as for the rules (accents folded, lowercase, punctuation to spaces).
//! Function words of either language are dropped, so "ministro de exteriores" gives the bigram
//! `ministr exteri`. Stemming is deliberately light and language-blind: a plural ending is
//! removed and the word cut to [`STEM`] letters, which joins `migrante`, `migrantes`, `migrants`
//! and `migration` under `migran` / `migrat`, and `deportado`, `deportation` under `deport`.
//! Headline words are features of their own (`h:…`); structural features start with `@`.
//!
//! A stem alone must not carry a topic when unrelated words share it (issue 24):
//! - a **look-alike word** (`deportes` is sport, not `deport`; a wildlife `refuge` is not a
//!   `refugee`; `temporada` is a season) is a feature of its own, `=` and the whole word;
//! - a **modifier** whose sense is its neighbour's (`temporary` closure or `temporary` work
//!   visa, `temporal` storm or `permiso temporal`) gives no one-word feature, only its bigrams;
//! - a **look-alike phrase** (`lunatic asylum`, `bird migration`, `security update`,
//!   `seguridad alimentaria`) decides the sense of its ambiguous word for the whole article
//!   ("one sense per discourse", as the rules' `exclude`): that word gives no one-word feature
//!   anywhere in the article. The rules use the same phrases (see [`LOOKALIKE_PHRASES`]).

use super::gazetteer::Gazetteer;
use super::subjects::Subjects;
use crate::model::Content;
use crate::text::normalize;

/// Letters kept of each word.
pub const STEM: usize = 6;

/// Function words of Spanish and English (normalised), sorted for binary search.
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "al", "all", "also", "an", "and", "ante", "are", "as", "at", "be",
    "been", "but", "by", "como", "con", "cual", "de", "del", "desde", "durante", "el", "en",
    "entre", "era", "es", "esa", "ese", "esta", "este", "esto", "for", "from", "fue", "ha", "had",
    "han", "has", "have", "hay", "he", "her", "his", "in", "into", "is", "it", "its", "la", "las",
    "le", "les", "lo", "los", "mas", "more", "muy", "ni", "no", "not", "o", "of", "on", "or",
    "otra", "otro", "para", "pero", "por", "que", "se", "segun", "ser", "she", "si", "sin",
    "sobre", "son", "su", "sus", "than", "that", "the", "their", "them", "they", "this", "to",
    "tras", "un", "una", "unas", "unos", "was", "we", "were", "which", "who", "will", "with", "y",
    "ya",
];

/// Words (normalised) that share the stem of a topic word but mean something unrelated: each is
/// a feature of its own. A trailing `*` matches any ending.
const LOOKALIKE_WORDS: &[&str] = &[
    // Sport, not deportation ("deported" starts with "deporte": whole words only).
    "deporte",
    "deportes",
    "deportiv*",
    "deportist*",
    // A season, not a temporary permit.
    "temporada*",
    // A shelter for animals or climbers, not a refugee.
    "refuge",
    "refuges",
    "refugio*",
];

/// Modifiers whose sense is their neighbour's: no one-word feature, only bigrams.
const MODIFIERS: &[&str] = &["tempor*"];

/// Phrases in which a topic word has an unrelated sense, by language; the ambiguous word is in
/// brackets. Found anywhere in an article, the phrase takes that word in its sense for the
/// whole article: no one-word model feature, and no rule term inside the word counts (as an
/// `exclude` phrase of every topic). Common senses of the language, not any one story's words.
pub const LOOKALIKE_PHRASES: &[(&str, &str)] = &[
    ("en", "lunatic [asylum]"),
    ("en", "insane [asylum]"),
    ("en", "mental [asylum]"),
    ("en", "psychiatric [asylum]"),
    ("en", "orphan [asylum]"),
    ("en", "[asylum] for the insane"),
    ("en", "bird [migration]"),
    ("en", "animal [migration]"),
    ("en", "data [migration]"),
    ("en", "cloud [migration]"),
    ("en", "[migration] to the cloud"),
    ("en", "[security] update"),
    ("en", "[security] patch"),
    ("en", "[security] fix"),
    ("en", "[security] feature"),
    ("en", "[security] settings"),
    ("en", "food [security]"),
    ("en", "job [security]"),
    ("en", "social [security]"),
    ("en", "[security] deposit"),
    ("en", "flower [border]"),
    ("en", "herbaceous [border]"),
    ("en", "garden [border]"),
    ("en", "decorative [border]"),
    ("en", "lace [border]"),
    ("en", "gilded [border]"),
    ("en", "painted [border]"),
    ("es", "[seguridad] alimentaria"),
    ("es", "[seguridad] social"),
    ("es", "[seguridad] vial"),
    ("es", "[seguridad] laboral"),
    ("es", "[seguridad] industrial"),
    ("es", "[migracion] de datos"),
    ("es", "[migracion] a la nube"),
    ("es", "[migracion] de aves"),
    ("es", "[migracion] de sistemas"),
    ("es", "aves [migratorias]"),
    ("es", "[frontera] agricola"),
    ("es", "[frontera] tecnologica"),
    ("es", "[frontera] del conocimiento"),
    ("es", "[asilo] de ancianos"),
    ("es", "[asilo] para ancianos"),
    ("es", "[asilo] psiquiatrico"),
];

/// The phrase of a [`LOOKALIKE_PHRASES`] entry without its brackets (for the rules).
pub fn lookalike_phrase(entry: &str) -> String {
    entry.replace(['[', ']'], "")
}

fn listed(list: &[&str], word: &str) -> bool {
    list.iter().any(|t| match t.strip_suffix('*') {
        Some(prefix) => word.starts_with(prefix),
        None => word == *t,
    })
}

/// A look-alike phrase as stems: (language, stems, index of the ambiguous word).
struct Phrase {
    lang: &'static str,
    stems: Vec<String>,
    ambiguous: usize,
}

fn phrases() -> Vec<Phrase> {
    LOOKALIKE_PHRASES
        .iter()
        .map(|&(lang, entry)| {
            let stems = words(&normalize(&lookalike_phrase(entry)))
                .map(|w| stem(w).to_owned())
                .collect();
            // The bracketed word: as many words in as there are before the bracket.
            let before = entry.split('[').next().unwrap_or("");
            let ambiguous = words(&normalize(before)).count();
            Phrase {
                lang,
                stems,
                ambiguous,
            }
        })
        .collect()
}

/// A word's stem: plural ending removed, then cut to [`STEM`] characters.
pub fn stem(word: &str) -> &str {
    let w = if word.len() > 5 && word.ends_with("es") {
        &word[..word.len() - 2]
    } else if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") {
        &word[..word.len() - 1]
    } else {
        word
    };
    match w.char_indices().nth(STEM) {
        Some((i, _)) => &w[..i],
        None => w,
    }
}

fn words(normalised: &str) -> impl Iterator<Item = &str> {
    normalised.split(' ').filter(|w| {
        !w.is_empty()
            && !w.bytes().all(|b| b.is_ascii_digit())
            // Every stopword is short: most words skip the search.
            && (w.len() > MAX_STOPWORD || STOPWORDS.binary_search(w).is_err())
    })
}

/// Length of the longest stopword.
const MAX_STOPWORD: usize = 7;

/// Kinds of feature, which are weighted differently in the article's vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A word or two-word stem, in the article or the headline: one of many, so its value
    /// shrinks with the article's length.
    Text,
    /// A structural fact: worth the same in a short and a long story.
    Structure,
}

/// Turns articles into features.
pub struct Extractor {
    gazetteer: Gazetteer,
    subjects: Subjects,
    phrases: Vec<Phrase>,
}

impl Default for Extractor {
    fn default() -> Self {
        Self::new()
    }
}

impl Extractor {
    /// With the shipped gazetteer.
    pub fn new() -> Extractor {
        Extractor {
            gazetteer: Gazetteer::shipped(),
            subjects: Subjects::shipped(),
            phrases: phrases(),
        }
    }

    /// Passes every feature of an article to `emit`; text features may repeat.
    pub fn features(&self, content: &Content, emit: &mut impl FnMut(&str, Kind)) {
        let headline = normalize(&content.headline);
        let mut body = normalize(content.summary.as_deref().unwrap_or(""));
        body.push_str(&normalize(&content.body));
        let lang = primary_language(&content.language);
        self.features_of(&headline, &body, content.dateline.as_deref(), &lang, emit);
    }

    /// Stems of look-alike phrases' ambiguous words found in either field (for `lang`).
    fn ambiguous_in(&self, fields: [&[String]; 2], lang: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.phrases {
            if !lang.is_empty() && p.lang != lang {
                continue;
            }
            let n = p.stems.len();
            let found = fields.iter().any(|f| {
                f.windows(n)
                    .any(|w| w.iter().zip(&p.stems).all(|(a, b)| a == b))
            });
            if found {
                out.push(&p.stems[p.ambiguous]);
            }
        }
        out
    }

    /// As [`Extractor::features`], from text already normalised; `lang` is the primary
    /// language subtag (`es`), empty when unknown.
    pub fn features_of(
        &self,
        headline: &str,
        body: &str,
        dateline: Option<&str>,
        lang: &str,
        emit: &mut impl FnMut(&str, Kind),
    ) {
        // A word's feature: its stem, the whole word for a look-alike, none for a modifier.
        let unit = |w: &str| -> String {
            if listed(LOOKALIKE_WORDS, w) {
                let w = w.strip_suffix('s').unwrap_or(w);
                format!("={w}")
            } else {
                stem(w).to_owned()
            }
        };
        let head: Vec<(String, bool)> = words(headline)
            .map(|w| (unit(w), listed(MODIFIERS, w)))
            .collect();
        let rest: Vec<(String, bool)> = words(body)
            .map(|w| (unit(w), listed(MODIFIERS, w)))
            .collect();
        let stems = |f: &[(String, bool)]| f.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>();
        let (hs, bs) = (stems(&head), stems(&rest));
        let ambiguous = self.ambiguous_in([&hs, &bs], lang);
        let alone = |s: &str, modifier: bool| !modifier && !ambiguous.contains(&s);
        let mut buf = String::with_capacity(32);
        for (s, modifier) in &head {
            if alone(s, *modifier) {
                buf.clear();
                buf.push_str("h:");
                buf.push_str(s);
                emit(&buf, Kind::Text);
            }
        }
        for field in [&head, &rest] {
            let mut prev: Option<&str> = None;
            for (s, modifier) in field {
                let s = s.as_str();
                if alone(s, *modifier) {
                    emit(s, Kind::Text);
                }
                if let Some(p) = prev {
                    buf.clear();
                    buf.push_str(p);
                    buf.push(' ');
                    buf.push_str(s);
                    emit(&buf, Kind::Text);
                }
                prev = Some(s);
            }
        }
        self.gazetteer
            .features(headline, body, dateline, lang, &mut |f| {
                emit(f, Kind::Structure)
            });
        self.subjects
            .features(headline, body, &mut |f| emit(f, Kind::Structure));
    }
}

/// The primary subtag of a language tag, lowercase (`es-MX` → `es`).
pub fn primary_language(tag: &str) -> String {
    tag.split('-').next().unwrap_or("").to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_look_alike_phrase_brackets_one_word_of_its_own() {
        for (p, (_, entry)) in phrases().iter().zip(LOOKALIKE_PHRASES) {
            assert!(p.ambiguous < p.stems.len() && p.stems.len() >= 2, "{entry}");
            assert_eq!(entry.matches('[').count(), 1, "{entry}");
        }
    }

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(STOPWORDS.iter().map(|w| w.len()).max(), Some(MAX_STOPWORD));
    }

    #[test]
    fn stems_join_inflections_across_both_languages() {
        assert_eq!(stem("migrantes"), "migran");
        assert_eq!(stem("migrants"), "migran");
        assert_eq!(stem("deportados"), "deport");
        assert_eq!(stem("deportation"), "deport");
        assert_eq!(stem("visas"), "visa");
        assert_eq!(stem("ss"), "ss");
    }

    #[test]
    fn function_words_do_not_make_bigrams() {
        let x = Extractor::new();
        let mut out = Vec::new();
        x.features_of(
            &normalize("x"),
            &normalize("El ministro de Exteriores"),
            None,
            "es",
            &mut |f, _| out.push(f.to_owned()),
        );
        assert!(out.contains(&"minist exteri".to_owned()), "{out:?}");
    }

    fn features(lang: &str, headline: &str, body: &str) -> Vec<String> {
        let mut out = Vec::new();
        Extractor::new().features_of(
            &normalize(headline),
            &normalize(body),
            None,
            lang,
            &mut |f, _| out.push(f.to_owned()),
        );
        out
    }

    #[test]
    fn sport_seasons_and_shelters_do_not_share_a_stem_with_migration_words() {
        // Regression (issue 24): `deportes` gave `deport`, `temporada` gave `tempor`, a
        // wildlife `refuge` gave `refuge` (refugee).
        let f = features(
            "es",
            "Los deportes de invierno",
            "La temporada de esquí y el refugio.",
        );
        for shared in ["deport", "tempor", "refugi", "h:deport"] {
            assert!(!f.contains(&shared.to_owned()), "{shared}: {f:?}");
        }
        assert!(f.contains(&"=deporte".to_owned()), "{f:?}");
        let f = features("en", "Ducks at the refuge", "The refuge and the refuges.");
        assert!(!f.contains(&"refuge".to_owned()), "{f:?}");
        // Positive control: the words they look like keep their stems.
        let f = features(
            "es",
            "Deportados y refugiados",
            "Los deportados, refugiados.",
        );
        assert!(
            f.contains(&"deport".to_owned()) && f.contains(&"refugi".to_owned()),
            "{f:?}"
        );
        let f = features("en", "Refugees", "The refugees were deported.");
        assert!(
            f.contains(&"refuge".to_owned()) && f.contains(&"deport".to_owned()),
            "{f:?}"
        );
    }

    #[test]
    fn a_temporary_thing_counts_only_with_its_neighbour() {
        let f = features(
            "en",
            "Temporary closure of the museum",
            "A temporary closure.",
        );
        assert!(!f.iter().any(|f| f == "tempor" || f == "h:tempor"), "{f:?}");
        assert!(f.contains(&"tempor closur".to_owned()), "{f:?}");
        let f = features("en", "x", "Temporary work visas for farm hands.");
        assert!(f.contains(&"tempor work".to_owned()), "{f:?}");
        assert!(f.contains(&"visa".to_owned()), "{f:?}");
    }

    #[test]
    fn a_look_alike_phrase_takes_its_word_in_that_sense_for_the_whole_article() {
        let f = features(
            "en",
            "Old asylum becomes a hotel",
            "The former lunatic asylum reopens. The asylum kept its tower.",
        );
        assert!(!f.iter().any(|f| f == "asylum" || f == "h:asylum"), "{f:?}");
        let f = features("en", "Asylum claims rise", "More people claim asylum.");
        assert!(f.contains(&"asylum".to_owned()), "positive control: {f:?}");
        let f = features(
            "es",
            "La seguridad alimentaria",
            "Seguridad alimentaria y cosechas.",
        );
        assert!(!f.contains(&"seguri".to_owned()), "{f:?}");
        let f = features(
            "es",
            "Migración de datos",
            "La migración de los datos a la nube.",
        );
        assert!(
            !f.contains(&"migrac".to_owned()),
            "function words do not matter: {f:?}"
        );
        let f = features(
            "en",
            "App gets a security update",
            "The security updates fix a bug.",
        );
        assert!(!f.contains(&"securi".to_owned()), "{f:?}");
        // Another language's phrase does not decide.
        let f = features("es", "Security update", "security update");
        assert!(f.contains(&"securi".to_owned()), "{f:?}");
    }
}
