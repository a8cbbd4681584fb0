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
use toml::Spanned;

/// The shipped gazetteer, compiled into the binary so the classifier needs no extra file.
const GAZETTEER: &str = include_str!("../../data/gazetteer.toml");

/// Bytes (about six words of normalised text) within which an actor belongs to a state.
const NEAR: usize = 40;
/// Bytes within which a demonym and a people noun form "nationals of".
const ADJACENT: usize = 24;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGazetteer {
    states: BTreeMap<Spanned<String>, RawState>,
    actors: RawActors,
    /// Names that mean a state only in one language's copy: language → state code → names
    /// (`EU` is Estados Unidos in Spanish copy, the European Union in English).
    #[serde(default)]
    only_in: BTreeMap<String, BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    names: Vec<Spanned<String>>,
    people: Vec<Spanned<String>>,
    capitals: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawActors {
    government: Vec<Spanned<String>>,
    nationals: Vec<Spanned<String>>,
    movement: Vec<Spanned<String>>,
}

/// Why a term cannot be a pattern: it matches nothing, or far too much.
fn broken_pattern(term: &str) -> Option<&'static str> {
    let core = term.strip_suffix('*').unwrap_or(term);
    let star = core.len() != term.len();
    let folded = normalize(core);
    let letters = folded.chars().filter(|c| c.is_alphanumeric()).count();
    if core.contains('*') {
        Some("`*` may only end a term")
    } else if letters == 0 {
        Some("the term has no letters")
    } else if star && letters < 3 {
        Some("a prefix term (`…*`) needs at least three letters")
    } else {
        None
    }
}

/// One problem of a gazetteer file, at a 1-based line (0: the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Every problem of a gazetteer file at once: TOML errors, duplicate state codes (also when
/// they differ only in case), codes in `only_in` that name no state, and broken patterns.
pub fn check(src: &str) -> Vec<Problem> {
    let line = |offset: usize| src[..offset.min(src.len())].matches('\n').count() + 1;
    let raw: RawGazetteer = match toml::from_str(src) {
        Ok(r) => r,
        Err(e) => {
            return vec![Problem {
                line: e.span().map_or(0, |s| line(s.start)),
                message: e.message().to_owned(),
            }];
        }
    };
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut codes: Vec<&Spanned<String>> = raw.states.keys().collect();
    codes.sort_by_key(|c| c.span().start);
    for code in codes {
        let at = line(code.span().start);
        if let Some(first) = seen.insert(code.get_ref().to_lowercase(), at) {
            problems.push(Problem {
                line: at,
                message: format!(
                    "state code {:?} is already used on line {first}",
                    code.get_ref()
                ),
            });
        }
    }
    let mut terms: Vec<&Spanned<String>> = Vec::new();
    for state in raw.states.values() {
        terms.extend(
            state
                .names
                .iter()
                .chain(&state.people)
                .chain(&state.capitals),
        );
    }
    terms.extend(
        raw.actors
            .government
            .iter()
            .chain(&raw.actors.nationals)
            .chain(&raw.actors.movement),
    );
    for names in raw.only_in.values() {
        for (code, list) in names {
            if !raw.states.keys().any(|c| c.get_ref() == code.get_ref()) {
                problems.push(Problem {
                    line: line(code.span().start),
                    message: format!(
                        "only_in names state {:?}, which is not in [states]",
                        code.get_ref()
                    ),
                });
            }
            terms.extend(list);
        }
    }
    for t in terms {
        if let Some(why) = broken_pattern(t.get_ref()) {
            problems.push(Problem {
                line: line(t.span().start),
                message: format!("broken pattern {:?}: {why}", t.get_ref()),
            });
        }
    }
    problems.sort_by_key(|p| p.line);
    problems
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
    /// The only language whose copy a needle counts in (`None`: every language).
    lang: Vec<Option<String>>,
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

    /// Parses gazetteer TOML; a file with problems (see [`check`]) is refused.
    pub fn parse(src: &str) -> Result<Gazetteer, String> {
        if let Some(p) = check(src).first() {
            return Err(format!("line {}: {}", p.line, p.message));
        }
        let raw: RawGazetteer = toml::from_str(src).map_err(|e| e.to_string())?;
        let mut needles = Vec::new();
        let mut kinds = Vec::new();
        let mut exact = Vec::new();
        let mut langs = Vec::new();
        let mut add = |term: &str, kind: Kind, lang: Option<&str>| {
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
            langs.push(lang.map(str::to_owned));
        };
        for (i, state) in raw.states.values().enumerate() {
            let i = i as u16;
            for t in state.names.iter().chain(&state.capitals) {
                add(t.get_ref(), Kind::Place(i), None);
            }
            for t in &state.people {
                add(t.get_ref(), Kind::People(i), None);
            }
        }
        for (lang, names) in &raw.only_in {
            for (code, list) in names {
                let i = raw
                    .states
                    .keys()
                    .position(|c| c.get_ref() == code.get_ref())
                    .expect("checked") as u16;
                for t in list {
                    add(t.get_ref(), Kind::Place(i), Some(lang));
                }
            }
        }
        for t in &raw.actors.government {
            add(t.get_ref(), Kind::Government, None);
        }
        for t in &raw.actors.nationals {
            add(t.get_ref(), Kind::Nationals, None);
        }
        for t in &raw.actors.movement {
            add(t.get_ref(), Kind::Movement, None);
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&needles)
            .map_err(|e| e.to_string())?;
        Ok(Gazetteer {
            automaton,
            kinds,
            exact,
            lang: langs,
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

    fn mentions(&self, text: &str, lang: &str, out: &mut Vec<Mention>) {
        let bytes = text.as_bytes();
        for m in self.automaton.find_iter(text) {
            // Needles start at a word boundary (a space); a whole word must end at one too.
            let p = m.pattern().as_usize();
            if self.lang[p].as_deref().is_some_and(|l| l != lang) {
                continue;
            }
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
    /// `dateline` the place the story was filed from, if any, `lang` the copy's primary
    /// language subtag), passed to `emit` by name.
    pub fn features(
        &self,
        headline: &str,
        body: &str,
        dateline: Option<&str>,
        lang: &str,
        emit: &mut impl FnMut(&'static str),
    ) {
        let mut head = Vec::new();
        self.mentions(headline, lang, &mut head);
        let mut rest = Vec::new();
        self.mentions(body, lang, &mut rest);
        let mut filed_in = None;
        if let Some(d) = dateline {
            let mut m = Vec::new();
            self.mentions(&normalize(d), lang, &mut m);
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
        features_in("en", headline, body)
    }

    fn features_in(lang: &str, headline: &str, body: &str) -> Vec<&'static str> {
        let g = Gazetteer::shipped();
        let mut out = Vec::new();
        g.features(
            &normalize(headline),
            &normalize(body),
            None,
            lang,
            &mut |f| out.push(f),
        );
        out
    }

    #[test]
    fn spanish_abbreviations_of_the_united_states_are_a_state_with_or_without_periods() {
        // Regression (issue 24): "EE. UU." as the only name of the second state lost the
        // story its two states.
        for us in ["EE. UU.", "EE.UU.", "EEUU", "EE UU", "EU"] {
            let f = features_in(
                "es",
                &format!("Honduras y {us} firman un acuerdo de cooperación"),
                &format!("La canciller hondureña y el embajador de {us} firmaron el texto."),
            );
            assert!(f.contains(&"@states:2"), "{us}: {f:?}");
            assert!(f.contains(&"@headline-states:2+"), "{us}: {f:?}");
            assert!(f.contains(&"@governments-of-2-states"), "{us}: {f:?}");
        }
    }

    #[test]
    fn ue_is_the_european_union_and_eu_is_a_state_only_in_spanish_copy() {
        let f = features_in(
            "es",
            "La UE y Honduras firman un acuerdo",
            "La delegación de la UE se reunió con el Gobierno de Honduras.",
        );
        assert!(f.contains(&"@states:1"), "{f:?}");
        let f = features_in(
            "en",
            "EU and Honduras sign a trade deal",
            "The EU delegation met the Honduran government.",
        );
        assert!(f.contains(&"@states:1"), "{f:?}");
    }

    #[test]
    fn sports_are_not_deportation() {
        let f = features_in(
            "es",
            "Deportistas de México y Guatemala llegan a los Juegos",
            "Los deportistas mexicanos viajaron para los deportes de equipo en Guatemala.",
        );
        assert!(f.contains(&"@nationals"), "positive control: {f:?}");
        let g = Gazetteer::shipped();
        let mut m = Vec::new();
        g.mentions(&normalize("los deportes y los deportistas"), "es", &mut m);
        assert!(m.is_empty(), "{m:?}");
        m.clear();
        g.mentions(&normalize("fueron deportados"), "es", &mut m);
        assert_eq!(m.len(), 1, "positive control: {m:?}");
    }

    #[test]
    fn check_sees_a_good_file_then_names_the_line_of_a_duplicate_code_and_a_broken_pattern() {
        // Positive control: the shipped file has no problem.
        assert_eq!(check(GAZETTEER), []);
        let good = "[states]\nab = { names = [\"Abland\"], people = [\"ablander*\"], capitals = [] }\n\
                    cd = { names = [\"Cedia\"], people = [], capitals = [] }\n\
                    [actors]\ngovernment = [\"minister*\"]\nnationals = []\nmovement = []\n";
        assert_eq!(check(good), []);
        assert!(Gazetteer::parse(good).is_ok());
        let dup = good.replace("cd = {", "AB = {");
        let p = check(&dup);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, 3, "{p:?}");
        assert!(p[0].message.contains("already used on line 2"), "{p:?}");
        let dup = good.replace("cd = {", "ab = {");
        let p = check(&dup);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, 3, "{p:?}");
        let broken = good
            .replace("\"ablander*\"", "\"abl*nder\"")
            .replace("\"minister*\"", "\"m*\"");
        let p = check(&broken);
        assert_eq!(
            p.iter().map(|p| p.line).collect::<Vec<_>>(),
            [2, 5],
            "{p:?}"
        );
        assert!(
            p[0].message.contains("broken pattern \"abl*nder\""),
            "{p:?}"
        );
        assert!(Gazetteer::parse(&broken).is_err());
        let p = check(&good.replace("[\"Cedia\"]", "[\"--\"]"));
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, 3, "{p:?}");
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
