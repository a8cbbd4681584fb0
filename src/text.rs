//! Text folding shared by the config checks and the classifier.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lowercases, strips accents and turns everything but letters and digits into single spaces.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_strips_accents_case_and_punctuation() {
        assert_eq!(
            normalize("Narcotráfico, MIGRACIÓN!"),
            " narcotrafico migracion "
        );
        assert_eq!(normalize(""), " ");
        assert_eq!(normalize("«Ñandú»"), " nandu ");
    }
}
