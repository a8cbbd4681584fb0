//! States and government actors (`data/gazetteer.toml`), and the structure they reveal.
//!
//! Two different states acting toward each other through their governments is bilateral
//! whatever the verb; nationals of one state in another, or crossing between them, is
//! migration. These become features of the learned model (named `@…`), so their weight is
//! learned from the labelled corpus like any word's, and `--explain` names them.

use crate::text::normalize;
use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The shipped gazetteer, compiled into the binary so the classifier needs no extra file.
const GAZETTEER: &str = include_str!("../../data/gazetteer.toml");

/// Bytes (about six words of normalised text) within which an actor belongs to a state.
const NEAR: usize = 40;
/// Bytes within which a demonym and a people noun form "nationals of".
const ADJACENT: usize = 24;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGazetteer {
    states: BTreeMap<String, RawState>,
    actors: RawActors,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    names: Vec<String>,
    people: Vec<String>,
    capitals: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawActors {
    government: Vec<String>,
    nationals: Vec<String>,
    movement: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A state's name or capital.
    Place(u16),
    /// A demonym.
    People(u16),
    Government,
    Nationals,
    Movement,
}

/// The compiled gazetteer.
pub struct Gazetteer {
    automaton: AhoCorasick,
    kinds: Vec<Kind>,
    /// Whether a needle is a whole word (not a prefix).
    exact: Vec<bool>,
    states: usize,
}

/// One mention in normalised text.
#[derive(Debug, Clone, Copy)]
struct Mention {
    kind: Kind,
    start: usize,
    end: usize,
    /// The matched word ends in "s": a plural demonym ("Mexicans", "hondureños").
    plural: bool,
}

impl Gazetteer {
    /// The shipped gazetteer.
    pub fn shipped() -> Gazetteer {
        Gazetteer::parse(GAZETTEER).expect("data/gazetteer.toml is valid (checked by a test)")
    }

    /// Parses gazetteer TOML.
    pub fn parse(src: &str) -> Result<Gazetteer, String> {
        let raw: RawGazetteer = toml::from_str(src).map_err(|e| e.to_string())?;
        let mut needles = Vec::new();
        let mut kinds = Vec::new();
        let mut exact = Vec::new();
        let mut add = |term: &str, kind: Kind| {
            let star = term.ends_with('*');
            let core = normalize(term.trim_end_matches('*'));
            let core = core.trim_end();
            if core.trim().is_empty() {
                return;
            }
            // Without the trailing space, so that the next word's leading space stays free
            // for the next match; whole words are checked after matching.
            needles.push(core.to_owned());
            kinds.push(kind);
            exact.push(!star);
        };
        for (i, state) in raw.states.values().enumerate() {
            let i = i as u16;
            for t in state.names.iter().chain(&state.capitals) {
                add(t, Kind::Place(i));
            }
            for t in &state.people {
                add(t, Kind::People(i));
            }
        }
        for t in &raw.actors.government {
            add(t, Kind::Government);
        }
        for t in &raw.actors.nationals {
            add(t, Kind::Nationals);
        }
        for t in &raw.actors.movement {
            add(t, Kind::Movement);
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&needles)
            .map_err(|e| e.to_string())?;
        Ok(Gazetteer {
            automaton,
            kinds,
            exact,
            states: raw.states.len(),
        })
    }

    /// How many states it knows.
    pub fn len(&self) -> usize {
        self.states
    }

    /// Whether it knows no state.
    pub fn is_empty(&self) -> bool {
        self.states == 0
    }

    fn mentions(&self, text: &str, out: &mut Vec<Mention>) {
        let bytes = text.as_bytes();
        for m in self.automaton.find_iter(text) {
            // Needles start at a word boundary (a space); a whole word must end at one too.
            let p = m.pattern().as_usize();
            let mut end = m.end();
            if self.exact[p] {
                if bytes.get(end) != Some(&b' ') {
                    continue;
                }
            } else {
                while end < bytes.len() && bytes[end] != b' ' {
                    end += 1;
                }
            }
            let plural = end >= 2 && bytes[end - 1] == b's';
            out.push(Mention {
                kind: self.kinds[p],
                start: m.start(),
                end,
                plural,
            });
        }
    }

    /// Structural features of normalised text (`headline` and `body` as from [`normalize`],
    /// `dateline` the place the story was filed from, if any), passed to `emit` by name.
    pub fn features(
        &self,
        headline: &str,
        body: &str,
        dateline: Option<&str>,
        emit: &mut impl FnMut(&'static str),
    ) {
        let mut head = Vec::new();
        self.mentions(headline, &mut head);
        let mut rest = Vec::new();
        self.mentions(body, &mut rest);
        let mut filed_in = None;
        if let Some(d) = dateline {
            let mut m = Vec::new();
            self.mentions(&normalize(d), &mut m);
            filed_in = m.iter().find_map(|m| match m.kind {
                Kind::Place(s) => Some(s),
                _ => None,
            });
        }
        let mut states: Vec<u16> = Vec::new();
        let mut governed: Vec<u16> = Vec::new();
        let mut nationals: Vec<u16> = Vec::new();
        let mut moving_nationals = false;
        let mut moving_to_state = false;
        let mut any_government = false;
        let mut head_states: Vec<u16> = Vec::new();
        for (mentions, is_head) in [(&head, true), (&rest, false)] {
            for (i, m) in mentions.iter().enumerate() {
                let near = |kind: fn(Kind) -> bool, dist: usize| {
                    mentions[..i]
                        .iter()
                        .rev()
                        .take_while(|o| o.end + dist >= m.start)
                        .chain(
                            mentions[i + 1..]
                                .iter()
                                .take_while(|o| o.start <= m.end + dist),
                        )
                        .any(|o| kind(o.kind))
                };
                let state = match m.kind {
                    Kind::Place(s) | Kind::People(s) => s,
                    Kind::Government => {
                        any_government = true;
                        continue;
                    }
                    _ => continue,
                };
                if !states.contains(&state) {
                    states.push(state);
                }
                if is_head && !head_states.contains(&state) {
                    head_states.push(state);
                }
                let government = near(|k| k == Kind::Government, NEAR);
                if government && !governed.contains(&state) {
                    governed.push(state);
                }
                if let Kind::People(_) = m.kind {
                    let people = near(|k| k == Kind::Nationals, ADJACENT)
                        || (m.plural && !near(|k| k == Kind::Government, ADJACENT));
                    if people {
                        if !nationals.contains(&state) {
                            nationals.push(state);
                        }
                        if near(|k| k == Kind::Movement, NEAR + NEAR / 2) {
                            moving_nationals = true;
                        }
                    }
                } else if near(|k| k == Kind::Movement, NEAR) {
                    moving_to_state = true;
                }
            }
        }
        if let Some(s) = filed_in
            && !states.contains(&s)
        {
            states.push(s);
        }
        match states.len() {
            0 => {}
            1 => emit("@states:1"),
            2 => emit("@states:2"),
            _ => emit("@states:3+"),
        }
        if head_states.len() >= 2 {
            emit("@headline-states:2+");
        }
        if any_government {
            emit("@government");
        }
        match governed.len() {
            0 => {}
            1 => {
                emit("@government-of-state");
                if states.len() >= 2 {
                    emit("@government-of-state+other-state");
                }
            }
            _ => emit("@governments-of-2-states"),
        }
        if !nationals.is_empty() {
            emit("@nationals");
            if states.iter().any(|s| !nationals.contains(s)) || nationals.len() >= 2 {
                emit("@nationals-of-one-state-in-another");
            }
            if moving_nationals {
                emit("@nationals-moving");
            }
        }
        if moving_to_state && states.len() >= 2 {
            emit("@movement-between-states");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(headline: &str, body: &str) -> Vec<&'static str> {
        let g = Gazetteer::shipped();
        let mut out = Vec::new();
        g.features(&normalize(headline), &normalize(body), None, &mut |f| {
            out.push(f)
        });
        out
    }

    #[test]
    fn the_shipped_gazetteer_parses_and_covers_every_region() {
        let g = Gazetteer::shipped();
        assert!(g.len() > 100, "{}", g.len());
    }

    #[test]
    fn two_governments_are_structure_whatever_the_verb() {
        let f = features(
            "Japan donates patrol boats to Honduras",
            "The Japanese ambassador handed the boats to the Honduran government in Tegucigalpa.",
        );
        assert!(f.contains(&"@governments-of-2-states"), "{f:?}");
        let f = features(
            "La canciller de México recibe al embajador de Guatemala",
            "Ambos gobiernos hablaron de comercio.",
        );
        assert!(f.contains(&"@governments-of-2-states"), "{f:?}");
    }

    #[test]
    fn nationals_of_one_state_in_another_are_structure() {
        let f = features(
            "Consulado atiende a hondureños en Houston",
            "Miles de ciudadanos hondureños que viven en Estados Unidos renovaron su pasaporte.",
        );
        assert!(f.contains(&"@nationals-of-one-state-in-another"), "{f:?}");
        let f = features(
            "Venezuelans cross into Colombia",
            "Thousands of Venezuelans crossed the bridge.",
        );
        assert!(f.contains(&"@nationals-moving"), "{f:?}");
    }

    #[test]
    fn a_match_between_national_teams_names_states_but_no_government() {
        let f = features(
            "Mexico beat Canada 2-1",
            "The striker scored twice in the final.",
        );
        assert!(f.contains(&"@states:2"), "{f:?}");
        assert!(!f.iter().any(|f| f.starts_with("@government")), "{f:?}");
    }
}
