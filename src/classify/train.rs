//! `wirefeed train`: fits the model on labelled stories, deterministically, in seconds.
//!
//! One logistic regression per topic, fitted by AdaGrad with L2 regularisation over the
//! stories in a fixed order (shuffled by a hash of their id and the epoch: the same corpus
//! always gives the same file). Each topic's threshold is chosen by cross-validation (one fold
//! per writer of the corpus, so the model is always judged on a writer it has not seen) of
//! the final decision, so the model adds recall where the rules miss, and vetoes rule matches
//! it is sure are wrong, without pulling precision below [`MIN_PRECISION`]: one veto for a
//! topic's rules matching alone (where a look-alike word in another sense shows), one for
//! rules shared with another topic, its rules' or the model's (one subject among several, see
//! [`choose`] and [`shared_views`]). A fifth of
//! the stories (by a hash of their id, [`is_held_out`]) is never trained on: the test suite
//! measures on it.

use super::features::Extractor;
use super::logistic::{self, FORMAT, ModelFile, TopicWeights, feature_hash, sigmoid};
use super::{Classifier, scaled_veto};
use crate::config::Config;
use crate::model::{Content, TopicId};
use crate::text::fnv1a;
use serde_json::json;
use std::collections::HashMap;

/// Passes over the stories.
const EPOCHS: u64 = 10;
/// AdaGrad step.
const STEP: f64 = 0.5;
/// L2 penalty per update.
const L2: f64 = 1e-4;
/// Weight of a positive story's gradient (topics are a minority of the wire).
const POSITIVE_WEIGHT: f64 = 1.0;
/// A text feature must occur in this many training stories to be kept.
const MIN_STORIES: u32 = 2;
/// Weights smaller than this are left out of the file.
const MIN_WEIGHT: f64 = 0.005;
/// Cross-validation folds when stories do not name their writer.
const FOLDS: u64 = 5;
/// Precision the chosen threshold must keep in cross-validation, where it can.
const MIN_PRECISION: f64 = 0.96;

/// A labelled story.
#[derive(Debug, Clone)]
pub struct Example {
    /// Story id (decides the held-out split and the order).
    pub id: String,
    /// The article.
    pub content: Content,
    /// Its correct topics.
    pub labels: Vec<TopicId>,
}

/// Whether a story belongs to the held-out fifth that training never sees.
pub fn is_held_out(id: &str) -> bool {
    fnv1a(id.as_bytes()).is_multiple_of(5)
}

/// Precision, recall and F1 of one topic.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quality {
    /// True positives.
    pub tp: u32,
    /// False positives.
    pub fp: u32,
    /// False negatives.
    pub fn_: u32,
}

impl Quality {
    /// Counts one decision.
    pub fn add(&mut self, want: bool, got: bool) {
        match (want, got) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => {}
        }
    }
    /// Precision (1 when nothing was predicted).
    pub fn precision(self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(self.tp + self.fp)
        }
    }
    /// Recall (1 when nothing was to be found).
    pub fn recall(self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(self.tp + self.fn_)
        }
    }
    /// F1.
    pub fn f1(self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// What training did, per topic.
#[derive(Debug, Clone)]
pub struct TopicReport {
    /// Topic id.
    pub topic: TopicId,
    /// Chosen probability threshold.
    pub threshold: f64,
    /// Chosen veto: the probability a rules match of this topic alone needs to stay in
    /// (before the rules' evidence divides it).
    pub veto: f64,
    /// Chosen veto for a rules match shared with another topic (its rules or the model's).
    pub veto_among: f64,
    /// Features with a weight in the file.
    pub features: usize,
    /// Cross-validated, model alone.
    pub model: Quality,
    /// Cross-validated, rules alone.
    pub rules: Quality,
    /// Cross-validated, the final decision (rules ∪ model).
    pub combined: Quality,
    /// Cross-validated mistakes of the final decision: (story id, labelled in, probability).
    pub mistakes: Vec<(String, bool, f64)>,
}

type Sparse = Vec<(u32, f32)>;

/// One topic's labels, out-of-fold probabilities and first threshold.
type FirstPass = (Vec<bool>, Vec<f64>, f64);

struct Prepared {
    vectors: Vec<Sparse>,
    names: Vec<String>,
    /// Per story, per topic: what the rules say.
    rules: Vec<Vec<RuleView>>,
}

/// What the rules say of one story for one topic.
#[derive(Debug, Clone, Copy)]
struct RuleView {
    /// `Some(true)` forced, `Some(false)` forbidden, `None` open.
    lock: Option<bool>,
    /// Whether the rules alone match.
    matched: bool,
    /// Their evidence (see [`super::rule_evidence`]), which divides the veto.
    evidence: f64,
    /// Whether another topic's rules (or, after the first pass, the model; see
    /// [`shared_views`]) put the story in it too: then the veto for a shared match applies
    /// (one subject among several), else the veto for a match alone.
    shared: bool,
}

impl RuleView {
    /// The decision when the rules settle it, for the model's probability `p` and the vetoes
    /// (alone, shared): forced, forbidden, or a match the model does not veto; `None` when the
    /// model's threshold decides.
    fn settled(&self, p: f64, (alone, among): (f64, f64)) -> Option<bool> {
        let veto = if self.shared { among } else { alone };
        let kept = self.matched && p >= scaled_veto(veto, self.evidence);
        self.lock.or(kept.then_some(true))
    }
}

fn prepare(config: &Config, examples: &[Example]) -> Prepared {
    let extractor = Extractor::new();
    let classifier = Classifier::rules_only(config);
    let mut names_by_hash: HashMap<u64, String> = HashMap::new();
    let raw: Vec<logistic::Vector> = examples
        .iter()
        .map(|e| logistic::vectorise(&extractor, &e.content, Some(&mut names_by_hash)))
        .collect();
    let mut df: HashMap<u64, u32> = HashMap::new();
    for v in &raw {
        for (h, _) in v {
            *df.entry(*h).or_default() += 1;
        }
    }
    let mut kept: Vec<&String> = names_by_hash
        .iter()
        .filter(|(h, name)| name.starts_with('@') || df[h] >= MIN_STORIES)
        .map(|(_, n)| n)
        .collect();
    kept.sort();
    let index: HashMap<u64, u32> = kept
        .iter()
        .enumerate()
        .map(|(i, n)| (feature_hash(n), i as u32))
        .collect();
    let vectors = raw
        .iter()
        .map(|v| {
            v.iter()
                .filter_map(|(h, x)| index.get(h).map(|&i| (i, *x)))
                .collect()
        })
        .collect();
    let rules = examples
        .iter()
        .map(|e| {
            let scores = classifier.explain(&e.content);
            let ruled = scores.iter().filter(|s| s.rules).count();
            scores
                .iter()
                .map(|s| RuleView {
                    lock: match (&s.forced, &s.forbidden) {
                        (Some(_), _) => Some(true),
                        (None, Some(_)) => Some(false),
                        _ => None,
                    },
                    matched: s.rules,
                    evidence: if s.rules {
                        super::rule_evidence(s)
                    } else {
                        0.0
                    },
                    shared: s.rules && ruled > 1,
                })
                .collect()
        })
        .collect();
    Prepared {
        vectors,
        names: kept.into_iter().cloned().collect(),
        rules,
    }
}

/// Fits one topic on the stories `which`; returns (weights, bias).
fn fit(p: &Prepared, labels: &[bool], which: &[usize], ids: &[&str]) -> (Vec<f64>, f64) {
    let n = p.names.len();
    let mut w = vec![0.0f64; n];
    let mut g = vec![1e-8f64; n];
    let (mut b, mut gb) = (0.0f64, 1e-8f64);
    let mut order: Vec<usize> = which.to_vec();
    for epoch in 0..EPOCHS {
        order.sort_by_key(|&i| fnv1a(format!("{}#{epoch}", ids[i]).as_bytes()));
        for &i in &order {
            let v = &p.vectors[i];
            let z = b + v
                .iter()
                .map(|&(j, x)| w[j as usize] * f64::from(x))
                .sum::<f64>();
            let y = if labels[i] { 1.0 } else { 0.0 };
            let scale = if labels[i] { POSITIVE_WEIGHT } else { 1.0 };
            let err = (sigmoid(z) - y) * scale;
            for &(j, x) in v {
                let j = j as usize;
                let grad = err * f64::from(x) + L2 * w[j];
                g[j] += grad * grad;
                w[j] -= STEP * grad / g[j].sqrt();
            }
            gb += err * err;
            b -= STEP * err / gb.sqrt();
        }
    }
    (w, b)
}

fn probability(p: &Prepared, i: usize, w: &[f64], b: f64) -> f64 {
    sigmoid(
        b + p.vectors[i]
            .iter()
            .map(|&(j, x)| w[j as usize] * f64::from(x))
            .sum::<f64>(),
    )
}

/// Each story's decision when the rules settle it under these vetoes (alone, shared); `None`
/// where the model's threshold decides.
fn settle(oof: &[f64], views: &[RuleView], vetoes: (f64, f64)) -> Vec<Option<bool>> {
    views
        .iter()
        .zip(oof)
        .map(|(r, &p)| r.settled(p, vetoes))
        .collect()
}

/// Quality of the final decision with threshold `t` where the rules did not settle it.
fn quality(labels: &[bool], oof: &[f64], t: f64, settled: &[Option<bool>]) -> Quality {
    let mut q = Quality::default();
    for ((&want, &p), s) in labels.iter().zip(oof).zip(settled) {
        q.add(want, s.unwrap_or(p >= t));
    }
    q
}

/// The threshold and the vetoes (alone, shared) of one topic, from its out-of-fold
/// probabilities: the best cross-validated F1 of the final decision keeping precision ≥
/// [`MIN_PRECISION`] where it can; the weakest vetoes that reach it (rules are trusted unless
/// the model is sure); and the middle of that plateau of thresholds (the least sensitive to
/// new copy). A rules match stays in only if the model gives it at least the veto divided by
/// the rules' evidence: the more the rules found, the surer a veto must be.
fn choose(labels: &[bool], oof: &[f64], views: &[RuleView]) -> (f64, (f64, f64)) {
    // Both vetoes in fiftieths, the weakest first: the lowest sum, then the lowest veto for a
    // shared match (rules are trusted most when the story is another topic's too).
    let mut pairs: Vec<(u32, u32)> = (0..=25u32)
        .flat_map(|a| (0..=25u32).map(move |b| (a, b)))
        .collect();
    pairs.sort_by_key(|&(a, b)| (a + b, b));
    let vetoes = |k: usize| {
        let (a, b) = pairs[k];
        (f64::from(a) / 50.0, f64::from(b) / 50.0)
    };
    let thresholds: Vec<f64> = (10..=90).map(|c| f64::from(c) / 100.0).collect();
    // Most pairs settle the same stories: each distinct outcome is scored once.
    let mut memo: HashMap<Vec<Option<bool>>, Vec<Quality>> = HashMap::new();
    let mut scored: Vec<(f64, usize, Quality)> = Vec::new();
    for k in 0..pairs.len() {
        let qs = memo
            .entry(settle(oof, views, vetoes(k)))
            .or_insert_with_key(|settled| {
                thresholds
                    .iter()
                    .map(|&t| quality(labels, oof, t, settled))
                    .collect()
            });
        scored.extend(thresholds.iter().zip(qs.iter()).map(|(&t, &q)| (t, k, q)));
    }
    let precise: Vec<&(f64, usize, Quality)> = scored
        .iter()
        .filter(|(_, _, q)| q.precision() >= MIN_PRECISION)
        .collect();
    let pool: Vec<&(f64, usize, Quality)> = if precise.is_empty() {
        scored.iter().collect()
    } else {
        precise
    };
    let best = pool.iter().map(|(_, _, q)| q.f1()).fold(0.0, f64::max);
    let top: Vec<&&(f64, usize, Quality)> = pool
        .iter()
        .filter(|(_, _, q)| q.f1() >= best - 1e-9)
        .collect();
    let chosen = top.iter().map(|(_, k, _)| *k).min().expect("a best pair");
    let plateau: Vec<f64> = top
        .iter()
        .filter(|(_, k, _)| *k == chosen)
        .map(|(t, _, _)| *t)
        .collect();
    (plateau[plateau.len() / 2], vetoes(chosen))
}

/// Each story's rules view of topic `ti`, shared when another topic's rules match it or the
/// model (out of fold) puts it in another topic: a ministers' meeting that only the model
/// finds bilateral is still one subject among several for the rules' security match.
fn shared_views(p: &Prepared, model_in: &[Vec<bool>], ti: usize) -> Vec<RuleView> {
    p.rules
        .iter()
        .zip(model_in)
        .map(|(r, m)| {
            let mut v = r[ti];
            let other = (0..r.len()).any(|j| j != ti && (m[j] || r[j].lock == Some(true)));
            v.shared = v.matched && (v.shared || other);
            v
        })
        .collect()
}

/// Trains on `examples` (none of them held out: the caller splits) for the config's topics.
pub fn train(config: &Config, examples: &[Example]) -> (ModelFile, Vec<TopicReport>) {
    let p = prepare(config, examples);
    let ids: Vec<&str> = examples.iter().map(|e| e.id.as_str()).collect();
    let all: Vec<usize> = (0..examples.len()).collect();
    let folds = folds(&ids);
    let fold = |i: usize| folds[i];
    let n_folds = folds.iter().copied().max().map_or(0, |m| m + 1);
    let mut topics = serde_json::Map::new();
    let mut reports = Vec::new();
    // First every topic's out-of-fold probabilities and threshold: whether the model puts a
    // story in another topic decides which veto a rules match faces (see [`shared_views`]).
    let mut first: Vec<Option<FirstPass>> = Vec::new();
    for (ti, topic) in config.topics.iter().enumerate() {
        let labels: Vec<bool> = examples
            .iter()
            .map(|e| e.labels.contains(&topic.id))
            .collect();
        if !labels.iter().any(|&l| l) {
            first.push(None);
            continue;
        }
        let mut oof = vec![0.0; examples.len()];
        for k in 0..n_folds {
            let train: Vec<usize> = all.iter().copied().filter(|&i| fold(i) != k).collect();
            let (w, b) = fit(&p, &labels, &train, &ids);
            for i in all.iter().copied().filter(|&i| fold(i) == k) {
                oof[i] = probability(&p, i, &w, b);
            }
        }
        let views: Vec<RuleView> = p.rules.iter().map(|r| r[ti]).collect();
        let (threshold, _) = choose(&labels, &oof, &views);
        first.push(Some((labels, oof, threshold)));
    }
    let model_in: Vec<Vec<bool>> = (0..examples.len())
        .map(|i| {
            first
                .iter()
                .map(|f| f.as_ref().is_some_and(|(_, oof, t)| oof[i] >= *t))
                .collect()
        })
        .collect();
    for (ti, topic) in config.topics.iter().enumerate() {
        let Some((labels, oof, _)) = first[ti].take() else {
            continue;
        };
        let views = shared_views(&p, &model_in, ti);
        let (threshold, (veto, veto_among)) = choose(&labels, &oof, &views);
        let mut rules_q = Quality::default();
        for (&want, r) in labels.iter().zip(&views) {
            rules_q.add(want, r.lock.unwrap_or(r.matched));
        }
        let (w, b) = fit(&p, &labels, &all, &ids);
        let mut weights: Vec<(&String, f64)> = p
            .names
            .iter()
            .zip(&w)
            .filter(|(_, w)| w.abs() >= MIN_WEIGHT)
            .map(|(n, w)| (n, (w * 1000.0).round() / 1000.0))
            .collect();
        weights.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let settled = settle(&oof, &views, (veto, veto_among));
        let combined = quality(&labels, &oof, threshold, &settled);
        let mistakes = labels
            .iter()
            .enumerate()
            .filter_map(|(i, &want)| {
                let got = settled[i].unwrap_or(oof[i] >= threshold);
                (got != want).then(|| (ids[i].to_owned(), want, round3(oof[i])))
            })
            .collect();
        let alone = quality(&labels, &oof, threshold, &vec![None; labels.len()]);
        let cv = |q: Quality| {
            json!({
                "precision": round3(q.precision()),
                "recall": round3(q.recall()),
                "f1": round3(q.f1()),
            })
        };
        let tw = TopicWeights {
            threshold,
            veto,
            veto_among,
            bias: (b * 1000.0).round() / 1000.0,
            cross_validated: Some(json!({
                "rules": cv(rules_q),
                "model": cv(alone),
                "rules_or_model": cv(combined),
            })),
            weights: weights
                .iter()
                .map(|(n, w)| ((*n).clone(), json!(w)))
                .collect(),
        };
        reports.push(TopicReport {
            topic: topic.id.clone(),
            threshold,
            veto,
            veto_among,
            features: weights.len(),
            model: alone,
            rules: rules_q,
            combined,
            mistakes,
        });
        topics.insert(
            topic.id.clone(),
            serde_json::to_value(tw).expect("weights serialise"),
        );
    }
    let file = ModelFile {
        format: FORMAT.to_owned(),
        trained_on: format!(
            "{} labelled stories; {} features",
            examples.len(),
            p.names.len()
        ),
        stem_length: super::features::STEM,
        topics,
    };
    (file, reports)
}

/// The writer of a story, from its id (`train-a-en-055` → `train-a`, `eval-es-001` → `eval`).
fn writer(id: &str) -> &str {
    let mut parts = id.rsplitn(3, '-');
    let (num, lang) = (parts.next(), parts.next());
    match (num, lang, parts.next()) {
        (Some(n), Some(l), Some(w)) if n.bytes().all(|b| b.is_ascii_digit()) && l.len() == 2 => w,
        _ => id,
    }
}

/// Cross-validation folds: one per writer when the corpus has several (a model is then always
/// judged on a writer it has not seen, as it will be on the wire), else by a hash of the id.
fn folds(ids: &[&str]) -> Vec<u64> {
    let mut writers: Vec<&str> = ids.iter().map(|id| writer(id)).collect();
    writers.sort_unstable();
    writers.dedup();
    if (3..=12).contains(&writers.len()) {
        ids.iter()
            .map(|id| writers.binary_search(&writer(id)).expect("listed") as u64)
            .collect()
    } else {
        ids.iter()
            .map(|id| (fnv1a(id.as_bytes()) / 5) % FOLDS)
            .collect()
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(matched: bool, shared: bool) -> RuleView {
        RuleView {
            lock: None,
            matched,
            evidence: if matched { 1.0 } else { 0.0 },
            shared,
        }
    }

    #[test]
    fn a_look_alike_alone_is_vetoed_and_a_subject_among_several_is_kept() {
        // (labelled in, model probability, rules match, another topic's rules match too)
        let kinds = [
            (true, 0.05, true, true),    // a meeting naming the topic among its subjects
            (false, 0.05, true, false),  // one word in another sense, nothing else on topic
            (true, 0.9, true, false),    // plainly on topic
            (false, 0.01, false, false), // off topic
        ];
        let stories: Vec<_> = kinds.iter().flat_map(|k| [*k; 10]).collect();
        let labels: Vec<bool> = stories.iter().map(|s| s.0).collect();
        let oof: Vec<f64> = stories.iter().map(|s| s.1).collect();
        let views: Vec<RuleView> = stories.iter().map(|s| view(s.2, s.3)).collect();
        let (threshold, (alone, among)) = choose(&labels, &oof, &views);
        // The weakest veto alone that overrules 0.05, none for a shared match.
        assert_eq!((alone, among), (0.06, 0.0));
        let settled = settle(&oof, &views, (alone, among));
        let q = quality(&labels, &oof, threshold, &settled);
        assert_eq!((q.tp, q.fp, q.fn_), (20, 0, 0));
    }
}
