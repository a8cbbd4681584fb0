//! What the learned model sees of an article: stemmed word 1–2-grams and structure.
//!
//! Text is normalised as for the rules (accents folded, lowercase, punctuation to spaces).
//! Function words of either language are dropped, so "ministro de exteriores" gives the bigram
//! `ministr exteri`. Stemming is deliberately light and language-blind: a plural ending is
//! removed and the word cut to [`STEM`] letters, which joins `migrante`, `migrantes`, `migrants`
//! and `migration` under `migran` / `migrat`, and `deportado`, `deportation` under `deport`.
//! Headline words are features of their own (`h:…`); structural features start with `@`.

use super::gazetteer::Gazetteer;
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
        }
    }

    /// Passes every feature of an article to `emit`; text features may repeat.
    pub fn features(&self, content: &Content, emit: &mut impl FnMut(&str, Kind)) {
        let headline = normalize(&content.headline);
        let mut body = normalize(content.summary.as_deref().unwrap_or(""));
        body.push_str(&normalize(&content.body));
        self.features_of(&headline, &body, content.dateline.as_deref(), emit);
    }

    /// As [`Extractor::features`], from text already normalised.
    pub fn features_of(
        &self,
        headline: &str,
        body: &str,
        dateline: Option<&str>,
        emit: &mut impl FnMut(&str, Kind),
    ) {
        let mut buf = String::with_capacity(32);
        for w in words(headline) {
            buf.clear();
            buf.push_str("h:");
            buf.push_str(stem(w));
            emit(&buf, Kind::Text);
        }
        for text in [headline, body] {
            let mut prev: Option<&str> = None;
            for w in words(text) {
                let s = stem(w);
                emit(s, Kind::Text);
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
            .features(headline, body, dateline, &mut |f| emit(f, Kind::Structure));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            &mut |f, _| out.push(f.to_owned()),
        );
        assert!(out.contains(&"minist exteri".to_owned()), "{out:?}");
    }
}
