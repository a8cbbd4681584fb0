//! Text folding shared by the config checks and the classifier, and a small stable hash.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Lowercases, strips accents and turns everything but letters and digits into single spaces.
///
/// The result starts and ends with a space, so terms can be matched on word boundaries.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    let mut space = true;
    out.push(' ');
    let mut push = |out: &mut String, c: char| {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space && !is_combining_mark(c) {
            out.push(' ');
            space = true;
        }
    };
    for c in text.chars() {
        if c.is_ascii() {
            // Most wire copy is ASCII: no decomposition needed.
            push(&mut out, c.to_ascii_lowercase());
        } else {
            // Canonical decomposition (NFD) without the marks: "ó" → "o", "ñ" → "n".
            decompose_canonical(c, |d| push(&mut out, d));
        }
    }
    if !space {
        out.push(' ');
    }
    out
}

/// FNV-1a, 64 bits: stable across builds and platforms (generated ids and entity tags).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// An error with its causes ("error sending request: connection refused").
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
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
