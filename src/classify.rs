//! Topic rules compiled once at load; classification is pure, infallible and explainable.
//!
//! Text and terms are normalised the same way (accents removed, lowercase, punctuation to
//! spaces, padded with spaces), so one Aho-Corasick automaton finds every term on word
//! boundaries: `" asylum "` matches a whole word, `" deport"` (from `deport*`) any word that
//! starts with it.

use crate::config::Config;
use crate::model::{Content, TopicId};
pub use crate::text::normalize;
use aho_corasick::{AhoCorasick, MatchKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many times one term counts in one field: a story that repeats a word is not more on topic.
const MAX_HITS_PER_TERM: usize = 3;

#[derive(Debug, Clone)]
struct Pattern {
    topic: usize,
    term: String,
    lang: Option<String>,
    /// `None` for an exclusion.
    weight: Option<f64>,
}

/// Compiled topic rules.
pub struct Classifier {
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
    topics: Vec<(TopicId, f64)>,
    headline_weight: f64,
}

/// Where a term was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    /// The headline (weighs more).
    Headline,
    /// Summary and body.
    Body,
}

/// One rule that fired.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The term as written in `feeds.toml`.
    pub term: String,
    /// Where it was found.
    pub field: Field,
    /// How many times it counted.
    pub count: usize,
    /// What it added to the score.
    pub score: f64,
}

/// Why an article is or is not in a topic.
#[derive(Debug, Clone, Serialize)]
pub struct TopicScore {
    /// Topic id.
    pub topic: TopicId,
    /// Total score.
    pub score: f64,
    /// Score needed.
    pub min_score: f64,
    /// Whether the rules put the article in this topic.
    pub matched: bool,
    /// Whether the editor chose this topic.
    pub editor: bool,
    /// Terms that counted.
    pub hits: Vec<Hit>,
    /// Exclusion phrases that cancelled terms.
    pub excluded: Vec<String>,
}

impl Classifier {
    /// Compiles every topic's rules into one automaton.
    pub fn new(config: &Config) -> Classifier {
        let mut patterns = Vec::new();
        let mut needles = Vec::new();
        for (ti, topic) in config.topics.iter().enumerate() {
            let lists = topic
                .rules
                .iter()
                .map(|r| (r, Some(r.weight)))
                .chain(topic.exclude.iter().map(|r| (r, None)));
            for (rule, weight) in lists {
                for term in &rule.terms {
                    let star = term.ends_with('*');
                    let core = normalize(term.trim_end_matches('*'));
                    let core = core.trim_end();
                    if core.trim().is_empty() {
                        continue;
                    }
                    needles.push(if star {
                        core.to_owned()
                    } else {
                        format!("{core} ")
                    });
                    patterns.push(Pattern {
                        topic: ti,
                        term: term.clone(),
                        lang: rule.lang.clone(),
                        weight,
                    });
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&needles)
            .expect("normalised terms always build an automaton");
        Classifier {
            automaton,
            patterns,
            topics: config
                .topics
                .iter()
                .map(|t| (t.id.clone(), t.min_score))
                .collect(),
            headline_weight: config.headline_weight,
        }
    }

    /// Final topics of an article: the editor's plus those the rules find, sorted.
    pub fn topics(&self, content: &Content) -> Vec<TopicId> {
        let mut out: Vec<TopicId> = self
            .explain(content)
            .into_iter()
            .filter(|s| s.matched || s.editor)
            .map(|s| s.topic)
            .collect();
        out.sort();
        out
    }

    /// Scores every topic, with the rules that fired.
    pub fn explain(&self, content: &Content) -> Vec<TopicScore> {
        let lang = content
            .language
            .split('-')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let headline = normalize(&content.headline);
        let mut body = normalize(content.summary.as_deref().unwrap_or(""));
        body.push_str(&normalize(&content.body));
        let mut scores: Vec<TopicScore> = self
            .topics
            .iter()
            .map(|(id, min)| TopicScore {
                topic: id.clone(),
                score: 0.0,
                min_score: *min,
                matched: false,
                editor: content.editor_topics.contains(id),
                hits: Vec::new(),
                excluded: Vec::new(),
            })
            .collect();
        // Every match in both fields first: exclusions decide the sense for the whole article.
        let mut terms: Vec<(Field, usize, usize, usize)> = Vec::new();
        let mut exclusions: Vec<(Field, usize, usize, usize)> = Vec::new();
        for (field, text) in [(Field::Headline, &headline), (Field::Body, &body)] {
            for m in self.automaton.find_overlapping_iter(text.as_str()) {
                let pi = m.pattern().as_usize();
                let p = &self.patterns[pi];
                if p.lang.as_deref().is_some_and(|l| l != lang) {
                    continue;
                }
                let hit = (field, pi, m.start(), m.end());
                if p.weight.is_none() {
                    exclusions.push(hit)
                } else {
                    terms.push(hit)
                }
            }
        }
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
            let count = count.min(MAX_HITS_PER_TERM);
            let factor = if field == Field::Headline {
                self.headline_weight
            } else {
                1.0
            };
            let score = p.weight.unwrap_or(0.0) * factor * count as f64;
            let s = &mut scores[p.topic];
            s.score += score;
            s.hits.push(Hit {
                term: p.term.clone(),
                field,
                count,
                score,
            });
        }
        for s in &mut scores {
            s.score = (s.score * 100.0).round() / 100.0;
            s.matched = s.score >= s.min_score;
        }
        scores
    }
}
