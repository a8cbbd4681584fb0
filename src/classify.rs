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

/// Terms weighing less than this only support a topic: a topic needs one of its main terms
/// (or three different supporting ones), and more than one word repeated in the body.
const ANCHOR_WEIGHT: f64 = 2.0;

/// Share of `min_score` from which an unmatched topic is reported as a near miss.
const NEAR_MISS: f64 = 0.75;

fn reason(s: &TopicScore) -> String {
    let verdict = match (s.matched, s.editor, s.near_miss) {
        (_, true, _) => "in (chosen by the editor)",
        (true, false, _) => "in",
        (false, false, _) if s.score >= s.min_score => {
            "out, but close: only supporting terms (weight below 2) or one word mentioned in passing"
        }
        (false, false, true) => "out, but close: worth a look",
        (false, false, false) => "out",
    };
    let hits: Vec<String> = s
        .hits
        .iter()
        .map(|h| {
            let field = match h.field {
                Field::Headline => "headline",
                Field::Body => "body",
            };
            format!("\"{}\" {}×{} = {:+}", h.term, field, h.count, h.score)
        })
        .collect();
    let mut out = format!("{verdict}: score {} of {} needed", s.score, s.min_score);
    if !hits.is_empty() {
        out.push_str(&format!(" ({})", hits.join(", ")));
    }
    if !s.excluded.is_empty() {
        out.push_str(&format!(
            "; not counted because of {}",
            s.excluded
                .iter()
                .map(|e| format!("\"{e}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}

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
    /// Pattern of each needle (a term has one needle, or three with its plurals).
    owners: Vec<usize>,
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
    /// The term's weight in `feeds.toml`.
    pub weight: f64,
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
    /// Not matched, but within a quarter of the threshold: worth an editor's look.
    pub near_miss: bool,
    /// The decision in one sentence, for editors.
    pub reason: String,
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
        let mut owners = Vec::new();
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
            owners,
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
                near_miss: false,
                reason: String::new(),
                hits: Vec::new(),
                excluded: Vec::new(),
            })
            .collect();
        // Every match in both fields first: exclusions decide the sense for the whole article.
        let mut terms: Vec<(Field, usize, usize, usize)> = Vec::new();
        let mut exclusions: Vec<(Field, usize, usize, usize)> = Vec::new();
        for (field, text) in [(Field::Headline, &headline), (Field::Body, &body)] {
            for m in self.automaton.find_overlapping_iter(text.as_str()) {
                let pi = self.owners[m.pattern().as_usize()];
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
        // Terms of one topic that match the same word ("inmigra*" and "inmigracion") count once:
        // the longest match wins.
        terms.sort_by_key(|&(field, pi, start, end)| {
            (
                field,
                self.patterns[pi].topic,
                start,
                std::cmp::Reverse(end),
            )
        });
        terms.dedup_by_key(|&mut (field, pi, start, _)| (field, self.patterns[pi].topic, start));
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
                weight: p.weight.unwrap_or(0.0),
                score,
            });
        }
        for s in &mut scores {
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
            s.matched = anchored && substantive && s.score >= s.min_score;
            s.near_miss = !s.matched && s.score >= NEAR_MISS * s.min_score;
            s.reason = reason(s);
        }
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const CONFIG: &str = r#"
[agency]
name = "A"
base_url = "http://a.example"
language = "es"
copyright = "c"

[[topic]]
id = "security"
name = { en = "Security" }
iptc = [{ code = "medtop:20000598", en = "national security" }]
min_score = 4
rules = [
  { lang = "es", weight = 3, terms = ["narcotrafico", "policia*"] },
  { lang = "en", weight = 3, terms = ["police", "security"] },
  { lang = "en", weight = 1, terms = ["border"] },
  { lang = "en", weight = -3, terms = ["football"] },
]
exclude = [{ lang = "en", terms = ["food security"] }]

[[topic]]
id = "migration"
name = { en = "Migration" }
iptc = [{ code = "medtop:20000771", en = "immigration" }]
rules = [
  { weight = 3, terms = ["deportation*", "migrante*", "refugee"] },
]

[[topic]]
id = "bilateral-relations"
name = { en = "Bilateral" }
iptc = [{ code = "medtop:20000638", en = "international relations" }]
rules = [{ weight = 3, terms = ["embassy"] }]
"#;

    fn classifier() -> Classifier {
        Classifier::new(&Config::parse(CONFIG, Path::new(".")).unwrap())
    }

    fn content(lang: &str, headline: &str, body: &str) -> Content {
        Content {
            headline: headline.into(),
            summary: None,
            body: body.into(),
            language: lang.into(),
            byline: vec![],
            dateline: None,
            published_at: None,
            embargo_until: None,
            editor_topics: vec![],
            keywords: vec![],
            urgency: None,
            translation_of: None,
        }
    }

    #[test]
    fn matching_ignores_case_and_accents_on_word_boundaries() {
        let c = classifier();
        assert_eq!(
            c.topics(&content("es", "NARCOTRÁFICO en el puerto", "")),
            ["security"]
        );
        assert_eq!(c.topics(&content("es", "narcotrafico", "")), ["security"]);
        // "policiaco" starts with "policia": a prefix term matches it; "apolicia" is not a word start.
        assert_eq!(c.topics(&content("es", "Policías", "")), ["security"]);
        assert!(c.topics(&content("es", "apolicia", "")).is_empty());
    }

    #[test]
    fn prefix_terms_and_plurals_tolerate_inflection() {
        let c = classifier();
        for h in ["Migrantes llegan", "Los migrantes", "El migrante"] {
            assert_eq!(c.topics(&content("es", h, "")), ["migration"], "{h}");
        }
        assert_eq!(
            c.topics(&content("en", "Deportations rise", "")),
            ["migration"]
        );
        assert_eq!(
            c.topics(&content("en", "Refugees arrive", "")),
            ["migration"]
        );
    }

    #[test]
    fn headline_matches_weigh_more_than_body_matches() {
        let c = classifier();
        assert_eq!(c.topics(&content("en", "Police", "")), ["security"]);
        assert!(c.topics(&content("en", "", "Police")).is_empty());
    }

    #[test]
    fn an_exclusion_cancels_the_term_in_the_whole_article() {
        let c = classifier();
        let scores = c.explain(&content(
            "en",
            "Food security summit",
            "Security of supply and security of harvests.",
        ));
        let s = scores.iter().find(|s| s.topic == "security").unwrap();
        assert!(!s.matched, "{s:?}");
        assert_eq!(s.excluded, ["food security"]);
        assert!(
            s.reason
                .contains("not counted because of \"food security\""),
            "{}",
            s.reason
        );
    }

    #[test]
    fn supporting_terms_alone_do_not_make_a_topic() {
        let c = classifier();
        assert!(
            c.topics(&content("en", "Border border", "border border border"))
                .is_empty()
        );
        assert_eq!(c.topics(&content("en", "Border police", "")), ["security"]);
    }

    #[test]
    fn one_word_repeated_in_the_body_is_a_mention_not_a_subject() {
        let c = classifier();
        assert!(
            c.topics(&content("en", "Marathon day", "Police police police."))
                .is_empty()
        );
        assert_eq!(
            c.topics(&content("en", "Marathon day", "Police and security.")),
            ["security"]
        );
    }

    #[test]
    fn overlapping_terms_count_once() {
        let config = CONFIG.replace(
            r#"terms = ["deportation*", "migrante*", "refugee"]"#,
            r#"terms = ["migra*", "migrante*"]"#,
        );
        let c = Classifier::new(&Config::parse(&config, Path::new(".")).unwrap());
        let scores = c.explain(&content("es", "", "Los migrantes y los migrantes."));
        let s = scores.iter().find(|s| s.topic == "migration").unwrap();
        assert_eq!(s.hits.len(), 1, "{s:?}");
        assert!(!s.matched, "one word repeated in the body: {s:?}");
    }

    #[test]
    fn negative_context_argues_against_a_topic() {
        let c = classifier();
        assert!(
            c.topics(&content(
                "en",
                "Police at the football final",
                "football football"
            ))
            .is_empty()
        );
    }

    #[test]
    fn rules_for_another_language_do_not_fire() {
        let c = classifier();
        assert!(c.topics(&content("en", "narcotrafico", "")).is_empty());
        // Rules without `lang` apply to every language.
        assert_eq!(c.topics(&content("fr", "Les migrantes", "")), ["migration"]);
    }

    #[test]
    fn editor_topics_are_always_kept() {
        let c = classifier();
        let mut a = content("en", "Weather", "Sunny.");
        a.editor_topics = vec!["bilateral-relations".into()];
        assert_eq!(c.topics(&a), ["bilateral-relations"]);
        a.headline = "Police embassy".into();
        assert_eq!(c.topics(&a), ["bilateral-relations", "security"]);
    }

    #[test]
    fn near_misses_are_flagged() {
        let c = classifier();
        let scores = c.explain(&content("en", "", "police"));
        let s = scores.iter().find(|s| s.topic == "security").unwrap();
        assert!(!s.matched && s.near_miss, "{s:?}");
        assert!(s.reason.starts_with("out, but close"));
    }
}
