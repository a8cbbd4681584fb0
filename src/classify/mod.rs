//! Topics of an article: the editor's, the rules' and a learned model's; pure and explainable.
//!
//! The final topics are the editor's ∪ for every other topic: in when a `force` phrase of
//! the topic appears, out when a `forbid` phrase does, else in when the rules reach the
//! topic's `min_score` (see [`rules`]) or the model's probability reaches its threshold (see
//! [`model`]). Rules are what editors write in `feeds.toml`; the model generalises beyond their
//! words, from a labelled corpus, and `wirefeed train` rebuilds it.

mod explain;
pub mod features;
pub mod gazetteer;
pub mod logistic;
mod rules;
pub mod subjects;
pub mod train;

use crate::config::Config;
use crate::model::{Content, TopicId};
pub use crate::text::normalize;
pub use logistic::{Contribution, ModelScore};
use serde::Serialize;

/// Share of the model's threshold from which an unmatched topic is a near miss.
const MODEL_NEAR_MISS: f64 = 0.6;
/// Model features named per decision in `--explain`.
const EXPLAIN_FEATURES: usize = 6;

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
    /// The term's word family: forms of one word (`consulado*`, `consular*`) share it.
    #[serde(skip)]
    pub(crate) family: u32,
}

/// Why an article is or is not in a topic.
#[derive(Debug, Clone, Serialize)]
pub struct TopicScore {
    /// Topic id.
    pub topic: TopicId,
    /// Total rule score.
    pub score: f64,
    /// Rule score needed.
    pub min_score: f64,
    /// Whether the article is in this topic automatically (rules, model or a force phrase).
    pub matched: bool,
    /// Whether the editor chose this topic.
    pub editor: bool,
    /// Not matched, but close (rules within a quarter of `min_score`, or the model near its
    /// threshold): worth an editor's look.
    pub near_miss: bool,
    /// The decision in one sentence, for editors.
    pub reason: String,
    /// Terms that counted.
    pub hits: Vec<Hit>,
    /// Exclusion phrases that cancelled terms.
    pub excluded: Vec<String>,
    /// Whether the rules alone put the article in this topic.
    pub rules: bool,
    /// The `force` phrase that put it in, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forced: Option<String>,
    /// The `forbid` phrase that kept it out, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forbidden: Option<String>,
    /// The learned model's view, when a model is loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelScore>,
    #[serde(skip)]
    rules_near_miss: bool,
    /// A main term (or three supporting ones) in more than one mention.
    #[serde(skip)]
    anchored: bool,
}

/// Compiled rules and, when configured, the learned model.
pub struct Classifier {
    rules: rules::Rules,
    extractor: features::Extractor,
    model: Option<logistic::Model>,
    topics: Vec<(TopicId, f64)>,
}

impl Classifier {
    /// Compiles the rules and loads `classifier.model`. A model that cannot be read is
    /// reported once in the log and the classifier runs on rules alone: feeds keep working.
    pub fn new(config: &Config) -> Classifier {
        match Classifier::load(config) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "topic model not loaded; classifying with rules only");
                Classifier::rules_only(config)
            }
        }
    }

    /// As [`Classifier::new`], failing when the configured model cannot be loaded.
    pub fn load(config: &Config) -> Result<Classifier, String> {
        let mut c = Classifier::rules_only(config);
        if let Some(path) = &config.model {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("{}: cannot read the model: {e}", path.display()))?;
            let ids: Vec<String> = config.topics.iter().map(|t| t.id.clone()).collect();
            let m = logistic::Model::parse(&text, &ids)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            c.model = Some(m);
        }
        Ok(c)
    }

    /// With the model in `text` (a weights file's content) instead of `classifier.model`.
    pub fn with_model(config: &Config, text: &str) -> Result<Classifier, String> {
        let ids: Vec<String> = config.topics.iter().map(|t| t.id.clone()).collect();
        let mut c = Classifier::rules_only(config);
        c.model = Some(logistic::Model::parse(text, &ids)?);
        Ok(c)
    }

    /// Rules only, whatever `classifier.model` says.
    pub fn rules_only(config: &Config) -> Classifier {
        Classifier {
            rules: rules::Rules::new(config),
            extractor: features::Extractor::new(),
            model: None,
            topics: config
                .topics
                .iter()
                .map(|t| (t.id.clone(), t.min_score))
                .collect(),
        }
    }

    /// Whether a learned model is loaded.
    pub fn has_model(&self) -> bool {
        self.model.is_some()
    }

    /// Final topics of an article: the editor's plus those found automatically, sorted.
    pub fn topics(&self, content: &Content) -> Vec<TopicId> {
        let mut out: Vec<TopicId> = self
            .evaluate(content, false)
            .into_iter()
            .filter(|s| s.matched || s.editor)
            .map(|s| s.topic)
            .collect();
        out.sort();
        out
    }

    /// Final topics, and the near misses with their reasons (for `reclassify`): one pass, and
    /// sentences only for the near misses.
    pub fn review(&self, content: &Content) -> (Vec<TopicId>, Vec<TopicScore>) {
        let scores = self.evaluate(content, false);
        let mut topics = Vec::new();
        let mut close = Vec::new();
        for mut s in scores {
            if s.matched || s.editor {
                topics.push(s.topic);
            } else if s.near_miss {
                s.reason = explain::reason(&s);
                close.push(s);
            }
        }
        topics.sort();
        (topics, close)
    }

    /// Scores every topic, with the rules that fired and the model features that counted.
    pub fn explain(&self, content: &Content) -> Vec<TopicScore> {
        self.evaluate(content, true)
    }

    fn evaluate(&self, content: &Content, explain: bool) -> Vec<TopicScore> {
        let lang = features::primary_language(&content.language);
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
                rules: false,
                forced: None,
                forbidden: None,
                model: None,
                rules_near_miss: false,
                anchored: false,
            })
            .collect();
        self.rules.score(&lang, &headline, &body, &mut scores);
        if let Some(m) = &self.model {
            let v = logistic::vectorise_normalised(
                &self.extractor,
                &headline,
                &body,
                content.dateline.as_deref(),
                &lang,
            );
            let mut logits = Vec::with_capacity(scores.len());
            m.logits(&v, &mut logits);
            // Topics the rules or the model put the story in (before any veto).
            let ruled: Vec<bool> = scores
                .iter()
                .enumerate()
                .map(|(j, s)| {
                    s.rules
                        || s.forced.is_some()
                        || m.topics[j]
                            .as_ref()
                            .is_some_and(|t| logistic::sigmoid(logits[j]) >= t.threshold)
                })
                .collect();
            for (ti, s) in scores.iter_mut().enumerate() {
                let Some(t) = &m.topics[ti] else { continue };
                let probability = logistic::sigmoid(logits[ti]);
                let matched = probability >= t.threshold;
                let evidence = if s.rules { rule_evidence(s) } else { 0.0 };
                // A rules match shared with another topic (its rules or the model's) is one
                // subject among several (a ministers' meeting on security and migration);
                // alone, it may be a look-alike (bird migration): each has its own veto.
                let among: Vec<TopicId> = if s.rules {
                    (0..ruled.len())
                        .filter(|&j| j != ti && ruled[j])
                        .map(|j| self.topics[j].0.clone())
                        .collect()
                } else {
                    Vec::new()
                };
                let veto = if among.is_empty() {
                    t.veto
                } else {
                    t.veto_among
                };
                let veto_scaled = scaled_veto(veto, evidence);
                let vetoed = s.rules && !matched && probability < veto_scaled;
                s.model = Some(ModelScore {
                    probability: (probability * 1000.0).round() / 1000.0,
                    threshold: t.threshold,
                    matched,
                    veto,
                    among,
                    rule_evidence: (evidence * 100.0).round() / 100.0,
                    veto_scaled: (veto_scaled * 1000.0).round() / 1000.0,
                    vetoed,
                    features: if explain {
                        m.contributions(&v, ti, matched || (s.rules && !vetoed), EXPLAIN_FEATURES)
                    } else {
                        Vec::new()
                    },
                });
            }
        }
        for s in &mut scores {
            let by_model = s.model.as_ref().is_some_and(|m| m.matched);
            let vetoed = s.model.as_ref().is_some_and(|m| m.vetoed);
            s.matched =
                s.forced.is_some() || (s.forbidden.is_none() && ((s.rules && !vetoed) || by_model));
            let model_close = s
                .model
                .as_ref()
                .is_some_and(|m| m.probability >= MODEL_NEAR_MISS * m.threshold);
            s.near_miss = !s.matched && s.forbidden.is_none() && (s.rules_near_miss || model_close);
            if explain {
                s.reason = explain::reason(s);
            }
        }
        scores
    }
}

/// How much the rules had for a topic they matched: the square root of the score's multiple
/// of `min_score` times the number of different main words (see [`main_words`]), at least 1.
///
/// A model veto must be surer the more the rules found (issue 24: a ministers' meeting on
/// "border security, human rights and migration" with "irregular migration" named among its
/// problems had several explicit matches and was vetoed).
pub fn rule_evidence(s: &TopicScore) -> f64 {
    let strength = if s.min_score > 0.0 {
        s.score / s.min_score
    } else {
        s.score
    };
    // The square root: twice the score with twice the main words asks for a veto twice as
    // sure, not four times (chosen by cross-validation against the plain product).
    (strength * main_words(s).max(1) as f64).sqrt().max(1.0)
}

/// The different main words (terms of weight ≥ 2) that fired, the forms of one word counted
/// once: `consulado*`, `consul` and `consular*` are one word (a story about a consulate's
/// opening hours names all three), `migrant*` and `deportation*` two.
pub fn main_words(s: &TopicScore) -> usize {
    let mut main: Vec<u32> = s
        .hits
        .iter()
        .filter(|h| h.weight >= rules::ANCHOR_WEIGHT)
        .map(|h| h.family)
        .collect();
    main.sort_unstable();
    main.dedup();
    main.len()
}

/// The probability below which the model overrules a rules match with this `evidence`: the
/// topic's veto (`veto` alone, `veto_among` beside another topic) divided by it (the
/// trainer chooses both knowing this).
pub fn scaled_veto(veto: f64, evidence: f64) -> f64 {
    veto / evidence.max(1.0)
}

/// The language of a text by its words, as a primary subtag (`es`, `en`), when reliable.
///
/// For articles that do not say: the agency's default language would apply the wrong
/// language's rules to foreign copy.
pub fn detect_language(text: &str) -> Option<&'static str> {
    let info = whatlang::detect(text)?;
    if !info.is_reliable() {
        return None;
    }
    use whatlang::Lang;
    Some(match info.lang() {
        Lang::Spa => "es",
        Lang::Eng => "en",
        Lang::Por => "pt",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ita => "it",
        Lang::Nld => "nl",
        Lang::Cat => "ca",
        Lang::Rus => "ru",
        Lang::Ukr => "uk",
        Lang::Ara => "ar",
        Lang::Cmn => "zh",
        Lang::Jpn => "ja",
        Lang::Kor => "ko",
        Lang::Tur => "tr",
        Lang::Pol => "pl",
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
