//! Subjects a story names and what it says is smuggled (`data/subjects.toml`): structure for
//! the learned model.
//!
//! A ministers' meeting that lists several subjects ("comercio, crimen organizado y movilidad
//! humana") gives each subject one word among many diplomacy words: as text features they
//! weigh little (issue 24, multi-subject meetings lost security and migration). A structural
//! feature `@agenda:<subject>` says "this subject is on a meeting's list", whatever the story's
//! length. And a border story about smuggled fuel or cattle is not migration, while smugglers of
//! migrants are: `@smuggled:goods`, `@smuggled:people`, `@smuggled:goods-only` say which.

use crate::text::normalize;
use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// The shipped subjects, compiled into the binary.
const SUBJECTS: &str = include_str!("../../data/subjects.toml");

/// Bytes of normalised text (about twenty words) within which two subjects form a list.
const LIST: usize = 140;
/// Bytes (about six words) within which a smuggling word and what is smuggled belong together.
const NEAR: usize = 40;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    meeting: Vec<String>,
    subjects: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    other_subjects: BTreeMap<String, Vec<String>>,
    smuggling: RawSmuggling,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSmuggling {
    acts: Vec<String>,
    goods: Vec<String>,
    people: Vec<String>,
}

/// What a needle stands for (a term may be in several subjects: "human trafficking").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Meeting,
    Subject(u8),
    Act,
    Goods,
    People,
}

/// Compiled subjects.
pub struct Subjects {
    automaton: AhoCorasick,
    /// Per needle: what it stands for, and whether it is a whole word (not a prefix).
    needles: Vec<(Vec<Kind>, bool)>,
    /// Per subject of `[subjects]` (the first ones): its `@agenda:…` feature.
    agenda: Vec<String>,
}

/// One match: kinds, start, end (bytes of normalised text).
type Found<'a> = (&'a [Kind], usize, usize);

impl Subjects {
    /// The shipped subjects.
    pub fn shipped() -> Subjects {
        Subjects::parse(SUBJECTS).expect("data/subjects.toml is valid (checked by a test)")
    }

    /// Parses subjects TOML.
    pub fn parse(src: &str) -> Result<Subjects, String> {
        let raw: Raw = toml::from_str(src).map_err(|e| e.to_string())?;
        if raw.subjects.len() + raw.other_subjects.len() > usize::from(u8::MAX) {
            return Err("too many subjects".to_owned());
        }
        let mut index: HashMap<(String, bool), usize> = HashMap::new();
        let mut needles: Vec<(Vec<Kind>, bool)> = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut add = |term: &str, kind: Kind| -> Result<(), String> {
            let star = term.ends_with('*');
            let core = normalize(term.trim_end_matches('*'));
            let core = core.trim_end();
            if core.trim().is_empty() || term.trim_end_matches('*').contains('*') {
                return Err(format!("broken term {term:?}"));
            }
            let i = *index.entry((core.to_owned(), star)).or_insert_with(|| {
                patterns.push(core.to_owned());
                needles.push((Vec::new(), !star));
                needles.len() - 1
            });
            if !needles[i].0.contains(&kind) {
                needles[i].0.push(kind);
            }
            Ok(())
        };
        for t in &raw.meeting {
            add(t, Kind::Meeting)?;
        }
        let all = raw.subjects.values().chain(raw.other_subjects.values());
        for (i, terms) in all.enumerate() {
            for t in terms {
                add(t, Kind::Subject(i as u8))?;
            }
        }
        for t in &raw.smuggling.acts {
            add(t, Kind::Act)?;
        }
        for t in &raw.smuggling.goods {
            add(t, Kind::Goods)?;
        }
        for t in &raw.smuggling.people {
            add(t, Kind::People)?;
        }
        // Prefix and whole-word needles of one text are told apart after matching, so the
        // automaton sees each text once.
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| e.to_string())?;
        Ok(Subjects {
            automaton,
            needles,
            agenda: raw
                .subjects
                .keys()
                .map(|s| format!("@agenda:{s}"))
                .collect(),
        })
    }

    fn found<'a>(&'a self, text: &str, out: &mut Vec<Found<'a>>) {
        let bytes = text.as_bytes();
        for m in self.automaton.find_iter(text) {
            let (kinds, exact) = &self.needles[m.pattern().as_usize()];
            let mut end = m.end();
            if *exact {
                if bytes.get(end) != Some(&b' ') {
                    continue;
                }
            } else {
                while end < bytes.len() && bytes[end] != b' ' {
                    end += 1;
                }
            }
            out.push((kinds, m.start(), end));
        }
    }

    /// Structural features of normalised headline and body, passed to `emit` by name.
    pub fn features(&self, headline: &str, body: &str, emit: &mut impl FnMut(&str)) {
        let mut fields: [Vec<Found>; 2] = [Vec::new(), Vec::new()];
        self.found(headline, &mut fields[0]);
        self.found(body, &mut fields[1]);
        let has = |f: &Found, k: Kind| f.0.contains(&k);
        let meeting = fields.iter().flatten().any(|f| has(f, Kind::Meeting));
        let mut listed = vec![false; usize::from(u8::MAX)];
        let (mut goods, mut people) = (false, false);
        for field in &fields {
            for (i, f) in field.iter().enumerate() {
                let near = |dist: usize| {
                    field[..i]
                        .iter()
                        .rev()
                        .take_while(move |o| o.2 + dist >= f.1)
                        .chain(field[i + 1..].iter().take_while(move |o| o.1 <= f.2 + dist))
                };
                if meeting {
                    // A subject in a list: another subject named close by.
                    for &k in f.0 {
                        let Kind::Subject(s) = k else { continue };
                        let other = near(LIST).any(|o| {
                            o.0.iter()
                                .any(|&ok| matches!(ok, Kind::Subject(t) if t != s))
                        });
                        if other {
                            listed[usize::from(s)] = true;
                        }
                    }
                }
                if has(f, Kind::Act) {
                    goods |= has(f, Kind::Goods) || near(NEAR).any(|o| has(o, Kind::Goods));
                    people |= has(f, Kind::People) || near(NEAR).any(|o| has(o, Kind::People));
                }
            }
        }
        for (s, name) in listed.iter().zip(&self.agenda) {
            if *s {
                emit(name);
            }
        }
        if goods {
            emit("@smuggled:goods");
            if !people {
                emit("@smuggled:goods-only");
            }
        }
        if people {
            emit("@smuggled:people");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(headline: &str, body: &str) -> Vec<String> {
        let mut out = Vec::new();
        Subjects::shipped().features(&normalize(headline), &normalize(body), &mut |f| {
            out.push(f.to_owned())
        });
        out
    }

    #[test]
    fn the_shipped_subjects_parse() {
        assert!(Subjects::parse(SUBJECTS).is_ok());
        assert!(
            Subjects::parse(
                "meeting = [\"a*b\"]\n[subjects]\n[smuggling]\nacts = []\ngoods = []\npeople = []"
            )
            .is_err()
        );
    }

    #[test]
    fn a_meeting_lists_each_subject_of_its_agenda() {
        let f = features(
            "Cancilleres acuerdan agenda",
            "Los cancilleres acordaron una hoja de ruta sobre comercio, crimen organizado y movilidad humana.",
        );
        for s in ["@agenda:security", "@agenda:migration"] {
            assert!(f.contains(&s.to_owned()), "{s}: {f:?}");
        }
        // Trade shows the list but is no feature of its own.
        assert!(!f.contains(&"@agenda:trade".to_owned()), "{f:?}");
        // The same words outside a meeting, or one subject alone, are no agenda.
        let f = features(
            "Police report",
            "Police said organised crime and drug trafficking rose.",
        );
        assert!(!f.iter().any(|f| f.starts_with("@agenda")), "{f:?}");
    }

    #[test]
    fn smuggled_goods_are_told_from_smuggled_people() {
        let f = features(
            "Troops sent to curb fuel smuggling",
            "Smugglers move petrol in jerrycans.",
        );
        assert!(f.contains(&"@smuggled:goods-only".to_owned()), "{f:?}");
        let f = features(
            "Smugglers charged",
            "Migrants were found in a lorry carrying smuggled cigarettes; the smugglers of the migrants were charged.",
        );
        assert!(f.contains(&"@smuggled:people".to_owned()), "{f:?}");
        assert!(!f.contains(&"@smuggled:goods-only".to_owned()), "{f:?}");
    }
}
