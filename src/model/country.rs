//! Country codes: which ISO 3166-1 alpha-2 codes this server knows (the first column of the
//! shipped `data/places/countries.tsv`), for every layer that checks a code without finding
//! places in text (the config's `[[feed]] countries`, `?country=`, editor `places`).

use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Whether `s` has the shape of an ISO 3166-1 alpha-2 code: two capital ASCII letters.
pub fn is_country_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// Every code of the shipped countries table.
pub fn country_codes() -> &'static BTreeSet<&'static str> {
    static CODES: OnceLock<BTreeSet<&'static str>> = OnceLock::new();
    CODES.get_or_init(|| {
        include_str!("../../data/places/countries.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split('\t').next())
            .filter(|c| is_country_code(c))
            .collect()
    })
}

/// Whether this server knows the country or territory with this code.
pub fn known_country(code: &str) -> bool {
    country_codes().contains(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_codes_are_read() {
        assert!(known_country("US") && known_country("MX") && known_country("GE"));
        assert!(!known_country("AA") && !known_country("us") && !known_country("USA"));
        assert!(country_codes().len() >= 249, "{}", country_codes().len());
    }
}
