//! IPTC Subject Codes beside Media Topics: receivers that predate Media Topics (Superdesk's
//! NewsML-G2 and ninjs 1.x ingest map `subj:` codes only) still learn what a story is about.
//! The mapping is IPTC's own (`data/iptc-subject-mapping.toml`, with its source and licence),
//! embedded at build time; a Media Topic with no entry there gets no Subject Code.

use std::collections::HashMap;
use std::sync::LazyLock;

/// One Subject Code: its QCode (`subj:11002002`) and English name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectCode {
    /// `subj:NNNNNNNN`.
    pub qcode: String,
    /// The name IPTC gives it.
    pub name: String,
}

impl SubjectCode {
    /// The eight digits.
    pub fn code(&self) -> &str {
        self.qcode.trim_start_matches("subj:")
    }
}

static MAPPING: LazyLock<HashMap<String, Vec<SubjectCode>>> = LazyLock::new(|| {
    parse(include_str!("../../data/iptc-subject-mapping.toml"))
        .expect("data/iptc-subject-mapping.toml is checked by its unit test")
});

fn parse(text: &str) -> Result<HashMap<String, Vec<SubjectCode>>, String> {
    let table: toml::Table = text.parse().map_err(|e| format!("{e}"))?;
    let topics = table
        .get("medtop")
        .and_then(|t| t.as_table())
        .ok_or("no [medtop] table")?;
    let mut out = HashMap::new();
    for (code, entry) in topics {
        let list = |key: &str| -> Result<Vec<String>, String> {
            entry
                .get(key)
                .and_then(|v| v.as_array())
                .ok_or(format!("medtop.{code}: no {key}"))?
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or(format!("medtop.{code}.{key}"))
                })
                .collect()
        };
        let (codes, names) = (list("subj")?, list("subj_names")?);
        if codes.len() != names.len() || codes.iter().any(|c| !is_subject_qcode(c)) {
            return Err(format!(
                "medtop.{code}: subj and subj_names disagree or a code is malformed"
            ));
        }
        let entries = codes
            .into_iter()
            .zip(names)
            .map(|(qcode, name)| SubjectCode { qcode, name })
            .collect();
        out.insert(code.clone(), entries);
    }
    Ok(out)
}

fn is_subject_qcode(q: &str) -> bool {
    q.strip_prefix("subj:")
        .is_some_and(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The Subject Codes IPTC maps these Media Topic codes (`20000638`) to, each once, in order.
pub fn subject_codes<'a>(
    medtop_codes: impl IntoIterator<Item = &'a str>,
) -> Vec<&'static SubjectCode> {
    let mut out: Vec<&'static SubjectCode> = Vec::new();
    for m in medtop_codes {
        for s in MAPPING.get(m).map(Vec::as_slice).unwrap_or(&[]) {
            if !out.iter().any(|o| o.qcode == s.qcode) {
                out.push(s);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mapping_file_parses_and_maps_the_topics_feeds_toml_uses() {
        parse(include_str!("../../data/iptc-subject-mapping.toml")).unwrap();
        let s = subject_codes(["20000638", "20000639", "20000638"]);
        let codes: Vec<&str> = s.iter().map(|c| c.qcode.as_str()).collect();
        assert_eq!(codes, ["subj:11002002", "subj:11002000"]);
        assert!(subject_codes(["99999999"]).is_empty());
        // Every Media Topic of the shipped config has its Subject Code.
        let config = crate::config::Config::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds.toml"),
        )
        .unwrap();
        for t in &config.topics {
            for c in &t.iptc {
                assert!(
                    !subject_codes([c.code()]).is_empty(),
                    "{} has no Subject Code",
                    c.qcode
                );
            }
        }
    }
}
