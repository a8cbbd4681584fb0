//! Data-mining rights: the vocabulary NewsML-G2 2.34 added `rightsInfo/dataMining` for.
//!
//! IPTC keeps no NewsCodes scheme of its own for it (catalog 41 has none): IPTC adopted the PLUS
//! Coalition's Data Mining vocabulary, first in the Photo Metadata Standard 2023.1 ("Values come
//! from the PLUS Data Mining vocabulary", iptc.org/news/exclude-images-from-generative-ai-iptc-
//! photo-metadata-standard-2023-1/), and its NewsML-G2 2.34 unit tests use the same URIs
//! (iptc/newsml-g2, tests/unit_test_files/2.34/should_pass/CR00219_datamining_in_rightsinfo_*.xml:
//! `<dataMining uri="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"/>`). The nine
//! codes below are that vocabulary, word for word; none is made up here.

/// The namespace of the PLUS vocabulary's codes.
pub const PLUS_VOCAB: &str = "http://ns.useplus.org/ldf/vocab/";

/// One code of the PLUS Data Mining vocabulary, with the label IPTC shows for it.
const CODES: [(&str, &str); 9] = [
    ("DMI-UNSPECIFIED", "Unspecified - no prohibition defined"),
    ("DMI-ALLOWED", "Allowed"),
    (
        "DMI-PROHIBITED-AIMLTRAINING",
        "Prohibited for AI/ML training",
    ),
    (
        "DMI-PROHIBITED-GENAIMLTRAINING",
        "Prohibited for Generative AI/ML training",
    ),
    (
        "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING",
        "Prohibited except for search engine indexing",
    ),
    ("DMI-PROHIBITED", "Prohibited"),
    (
        "DMI-PROHIBITED-SEECONSTRAINT",
        "Prohibited, see Other Constraints property",
    ),
    (
        "DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR",
        "Prohibited, see Embedded Encoded Rights Expression property",
    ),
    (
        "DMI-PROHIBITED-SEELINKEDRIGHTSEXPR",
        "Prohibited, see Linked Encoded Rights Expression property",
    ),
];

/// A data-mining permission or prohibition: one code of the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataMining(usize);

impl DataMining {
    /// Reads a code (`DMI-PROHIBITED-AIMLTRAINING`) or its URI; `None` for anything else.
    pub fn parse(s: &str) -> Option<DataMining> {
        let code = s.trim().strip_prefix(PLUS_VOCAB).unwrap_or(s.trim());
        CODES.iter().position(|(c, _)| *c == code).map(DataMining)
    }

    /// Every code, for messages.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        CODES.iter().map(|(c, _)| *c)
    }

    /// The code (`DMI-PROHIBITED-AIMLTRAINING`).
    pub fn code(self) -> &'static str {
        CODES[self.0].0
    }

    /// The code's URI.
    pub fn uri(self) -> String {
        format!("{PLUS_VOCAB}{}", self.code())
    }

    /// IPTC's label for it, in English.
    pub fn label(self) -> &'static str {
        CODES[self.0].1
    }

    /// Whether it reserves text and data mining: every `DMI-PROHIBITED…` code. Then the W3C
    /// TDM Reservation Protocol says so too (`tdm-reservation: 1`).
    pub fn reserves_mining(self) -> bool {
        self.code().starts_with("DMI-PROHIBITED")
    }

    /// The W3C TDMRep `tdm-reservation` value it amounts to: 1 (reserved) for a prohibition,
    /// 0 (not reserved) for `DMI-ALLOWED`, none (unset) for `DMI-UNSPECIFIED`.
    pub fn tdm_reservation(self) -> Option<u8> {
        match self.code() {
            "DMI-UNSPECIFIED" => None,
            "DMI-ALLOWED" => Some(0),
            _ => Some(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_uris_parse_and_nothing_else_does() {
        let d = DataMining::parse("DMI-PROHIBITED-AIMLTRAINING").unwrap();
        assert_eq!(
            d.uri(),
            "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"
        );
        assert_eq!(DataMining::parse(&d.uri()), Some(d));
        assert!(d.reserves_mining());
        assert!(!DataMining::parse("DMI-ALLOWED").unwrap().reserves_mining());
        assert!(
            !DataMining::parse("DMI-UNSPECIFIED")
                .unwrap()
                .reserves_mining()
        );
        assert_eq!(
            DataMining::parse("DMI-UNSPECIFIED")
                .unwrap()
                .tdm_reservation(),
            None
        );
        assert_eq!(
            DataMining::parse("DMI-ALLOWED").unwrap().tdm_reservation(),
            Some(0)
        );
        assert_eq!(d.tdm_reservation(), Some(1));
        for bad in ["", "DMI-FORBIDDEN", "dmi-allowed", "medtop:20000638"] {
            assert_eq!(DataMining::parse(bad), None, "{bad}");
        }
        assert_eq!(DataMining::codes().count(), 9);
    }
}
