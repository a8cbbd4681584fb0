//! Topic rules from `feeds.toml`, compiled once into one automaton.
//!
//! Text and terms are normalised the same way (accents removed, lowercase, punctuation to
//! spaces, padded with spaces), so one Aho-Corasick automaton finds every term on word
//! boundaries: `" asylum "` matches a whole word, `" deport"` (from `deport*`) any word that
//! starts with it.

use super::features::{LOOKALIKE_PHRASES, lookalike_phrase, stem};
use super::{Field, Hit, TopicScore};
use crate::config::Config;
use crate::text::normalize;
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::{BTreeMap, HashMap};

/// How many times one term counts in one field: a story that repeats a word is not more on topic.
const MAX_HITS_PER_TERM: usize = 3;

/// Terms weighing less than this only support a topic: a topic needs one of its main terms
/// (or three different supporting ones), and more than one word repeated in the body.
pub(super) const ANCHOR_WEIGHT: f64 = 2.0;

/// Share of `min_score` from which an unmatched topic is reported as a near miss.
const NEAR_MISS: f64 = 0.75;

/// What a term does.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    /// Adds its weight to the score.
    Weighted(f64),
    /// Cancels the topic's terms inside it, in the whole article.
    Exclude,
    /// Puts the article in the topic.
    Force,
    /// Keeps the article out of the topic.
    Forbid,
}

#[derive(Debug, Clone)]
struct Pattern {
    topic: usize,
    term: String,
    lang: Option<String>,
    role: Role,
    /// The term's word family (see [`family_of`]).
    family: u32,
}

/// A term's word family: its words stemmed as the model stems them, so `consulado*`, `consul`
/// and `consular*` are one family (`consul`), and `migrant*` and `migration` two.
fn family_of(term: &str) -> String {
    normalize(term.trim_end_matches('*'))
        .split_whitespace()
        .map(stem)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Compiled topic rules.
pub struct Rules {
    automaton: AhoCorasick,
    /// Pattern of each needle (a term has one needle, or three with its plurals).
    owners: Vec<usize>,
    patterns: Vec<Pattern>,
    headline_weight: f64,
}

type Match = (Field, usize, usize, usize);

impl Rules {
    /// Compiles every topic's rules into one automaton.
    pub fn new(config: &Config) -> Rules {
        let mut patterns = Vec::new();
        let mut needles = Vec::new();
        let mut owners = Vec::new();
        let mut families: HashMap<String, u32> = HashMap::new();
        for (ti, topic) in config.topics.iter().enumerate() {
            let lists = topic
                .rules
                .iter()
                .map(|r| (r, Role::Weighted(r.weight)))
                .chain(topic.exclude.iter().map(|r| (r, Role::Exclude)))
                .chain(topic.force.iter().map(|r| (r, Role::Force)))
                .chain(topic.forbid.iter().map(|r| (r, Role::Forbid)));
            // Look-alike phrases ("lunatic asylum") exclude for every topic, as if listed in
            // its `exclude`: the shared list of the rules and the model's features.
            let lookalikes: Vec<(Option<String>, Vec<String>)> = LOOKALIKE_PHRASES
                .iter()
                .map(|(lang, p)| (Some((*lang).to_owned()), vec![lookalike_phrase(p)]))
                .collect();
            let lookalikes = lookalikes
                .iter()
                .map(|(lang, terms)| (lang, terms, Role::Exclude));
            let lists = lists
                .map(|(r, role)| (&r.lang, &r.terms, role))
                .chain(lookalikes);
            for (lang, terms, role) in lists {
                for term in terms {
                    let star = term.ends_with('*');
                    let core = normalize(term.trim_end_matches('*'));
                    let core = core.trim_end();
                    if core.trim().is_empty() {
                        continue;
                    }
                    if star {
                        needles.push(core.to_owned());
                        owners.push(patterns.len());
                    } else {
                        // Whole words, and their regular plurals in both languages
                        // (refugee → refugees, frontera → fronteras, acción → acciones).
                        for suffix in ["", "s", "es"] {
                            needles.push(format!("{core}{suffix} "));
                            owners.push(patterns.len());
                        }
                    }
                    let next = families.len() as u32;
                    let family = *families.entry(family_of(term)).or_insert(next);
                    patterns.push(Pattern {
                        topic: ti,
                        term: term.clone(),
                        lang: lang.clone(),
                        role,
                        family,
                    });
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&needles)
            .expect("normalised terms always build an automaton");
        Rules {
            automaton,
            owners,
            patterns,
            headline_weight: config.headline_weight,
        }
    }

    /// Scores normalised text into `scores` (one per topic, in config order): score, hits,
    /// exclusions, force and forbid phrases, and whether the rules alone would match.
    pub fn score(&self, lang: &str, headline: &str, body: &str, scores: &mut [TopicScore]) {
        // Every match in both fields first: exclusions decide the sense for the whole article.
        let mut terms: Vec<Match> = Vec::new();
        let mut exclusions: Vec<Match> = Vec::new();
        for (field, text) in [(Field::Headline, headline), (Field::Body, body)] {
            for m in self.automaton.find_overlapping_iter(text) {
                let pi = self.owners[m.pattern().as_usize()];
                let p = &self.patterns[pi];
                if p.lang.as_deref().is_some_and(|l| l != lang) {
                    continue;
                }
                let hit = (field, pi, m.start(), m.end());
                match p.role {
                    Role::Exclude => exclusions.push(hit),
                    Role::Weighted(_) => terms.push(hit),
                    Role::Force => {
                        let s = &mut scores[p.topic];
                        s.forced.get_or_insert_with(|| p.term.clone());
                    }
                    Role::Forbid => {
                        let s = &mut scores[p.topic];
                        s.forbidden.get_or_insert_with(|| p.term.clone());
                    }
                }
            }
        }
        // Overlapping terms of one topic count once: "inmigra*" and "inmigracion" on the same
        // word, or "border security" and "security" on the same words: the longest match wins
        // and a match inside another one of the same topic is dropped.
        terms.sort_by_key(|&(field, pi, start, end)| {
            (
                field,
                self.patterns[pi].topic,
                start,
                std::cmp::Reverse(end),
            )
        });
        let mut kept: Vec<Match> = Vec::with_capacity(terms.len());
        for t in terms {
            let (field, pi, start, end) = t;
            let topic = self.patterns[pi].topic;
            let inside = kept.last().is_some_and(|&(kf, kpi, ks, ke)| {
                kf == field && self.patterns[kpi].topic == topic && ks <= start && end <= ke + 1
            });
            if !inside {
                kept.push(t);
            }
        }
        let terms = kept;
        // "One sense per discourse": a term found inside an exclusion ("migración de aves") is
        // taken in that sense everywhere in the article, so all its matches are cancelled.
        let mut cancelled: BTreeMap<usize, usize> = BTreeMap::new();
        for &(field, pi, start, end) in &terms {
            let topic = self.patterns[pi].topic;
            if let Some(&(_, ei, _, _)) = exclusions.iter().find(|&&(ef, ei, es, ee)| {
                ef == field && self.patterns[ei].topic == topic && es <= start && end <= ee + 1
            }) {
                cancelled.insert(pi, ei);
            }
        }
        for (&pi, &ei) in &cancelled {
            let s = &mut scores[self.patterns[pi].topic];
            let term = &self.patterns[ei].term;
            if !s.excluded.contains(term) {
                s.excluded.push(term.clone());
            }
        }
        let mut counts: BTreeMap<(Field, usize), usize> = BTreeMap::new();
        for (field, pi, _, _) in terms {
            if !cancelled.contains_key(&pi) {
                *counts.entry((field, pi)).or_default() += 1;
            }
        }
        for ((field, pi), count) in counts {
            let p = &self.patterns[pi];
            let Role::Weighted(weight) = p.role else {
                continue;
            };
            let count = count.min(MAX_HITS_PER_TERM);
            let factor = if field == Field::Headline {
                self.headline_weight
            } else {
                1.0
            };
            let score = weight * factor * count as f64;
            let s = &mut scores[p.topic];
            s.score += score;
            s.hits.push(Hit {
                term: p.term.clone(),
                field,
                count,
                weight,
                score,
                family: p.family,
            });
        }
        for s in scores.iter_mut() {
            s.score = (s.score * 100.0).round() / 100.0;
            // Supporting terms (weight below 2: "border", "agreement") add to a score but
            // cannot carry a topic alone: at least one main term must be there.
            let terms: std::collections::BTreeSet<&str> = s
                .hits
                .iter()
                .filter(|h| h.weight > 0.0)
                .map(|h| h.term.as_str())
                .collect();
            let anchored = s.hits.iter().any(|h| h.weight >= ANCHOR_WEIGHT) || terms.len() >= 3;
            // One word repeated in the body is a mention, not a subject.
            let substantive = terms.len() >= 2
                || s.hits
                    .iter()
                    .any(|h| h.field == Field::Headline && h.weight > 0.0);
            s.rules = anchored && substantive && s.score >= s.min_score;
            s.rules_near_miss = !s.rules && s.score >= NEAR_MISS * s.min_score;
            s.anchored = anchored && substantive;
        }
    }
}
