//! The learned model: one logistic regression per topic over [`features`](super::features).
//!
//! The weights file (`[classifier] model`, written by `wirefeed train`) is JSON an editor can
//! read: per topic a bias, the probability threshold, and every feature's weight, largest first.
//! An article's text features are binary and scaled to unit length together (a long story is
//! not more on topic than a short one); structural features count [`STRUCTURE_VALUE`] each.

use super::features::{Extractor, Kind};
use crate::model::Content;
use crate::text::{fnv1a, normalize};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Keys are already FNV-1a hashes of feature names: hashing them again would only cost time.
#[derive(Default)]
pub struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Version tag of the weights file.
pub const FORMAT: &str = "wirefeed-linear-1";
/// Value of a structural feature that is present.
pub const STRUCTURE_VALUE: f32 = 0.5;

/// The weights file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// [`FORMAT`].
    pub format: String,
    /// What it was trained on, for people.
    pub trained_on: String,
    /// Letters per stem (must match the code's).
    pub stem_length: usize,
    /// Per topic id.
    pub topics: serde_json::Map<String, serde_json::Value>,
}

/// One topic's part of the weights file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicWeights {
    /// Probability from which the model puts an article in the topic.
    pub threshold: f64,
    /// Probability below which the model overrules a rules match of this topic alone (0 =
    /// never), before the rules' evidence divides it.
    #[serde(default)]
    pub veto: f64,
    /// As `veto`, for a rules match shared with another topic (its rules or the model put the
    /// story in it too: one subject among several). A file without it never overrules a shared
    /// match.
    #[serde(default)]
    pub veto_among: f64,
    /// Intercept.
    pub bias: f64,
    /// Cross-validated quality on the training stories, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_validated: Option<serde_json::Value>,
    /// Feature → weight (largest first in the file).
    pub weights: serde_json::Map<String, serde_json::Value>,
}

/// A feature vector: sorted, distinct feature hashes with their values.
pub type Vector = Vec<(u64, f32)>;

/// Hash of a feature name.
pub fn feature_hash(name: &str) -> u64 {
    fnv1a(name.as_bytes())
}

/// An article's feature vector; `names` collects each feature's name when given (training).
pub fn vectorise(
    extractor: &Extractor,
    content: &Content,
    names: Option<&mut HashMap<u64, String>>,
) -> Vector {
    let headline = normalize(&content.headline);
    let mut body = normalize(content.summary.as_deref().unwrap_or(""));
    body.push_str(&normalize(&content.body));
    let lang = super::features::primary_language(&content.language);
    vectorise_with(
        extractor,
        &headline,
        &body,
        content.dateline.as_deref(),
        &lang,
        names,
    )
}

/// As [`vectorise`], from a headline and body already normalised (`lang`: primary subtag).
pub fn vectorise_normalised(
    extractor: &Extractor,
    headline: &str,
    body: &str,
    dateline: Option<&str>,
    lang: &str,
) -> Vector {
    vectorise_with(extractor, headline, body, dateline, lang, None)
}

fn vectorise_with(
    extractor: &Extractor,
    headline: &str,
    body: &str,
    dateline: Option<&str>,
    lang: &str,
    mut names: Option<&mut HashMap<u64, String>>,
) -> Vector {
    let mut text: Vec<u64> = Vec::with_capacity(512);
    let mut structure: Vec<u64> = Vec::new();
    extractor.features_of(headline, body, dateline, lang, &mut |f, kind| {
        let h = feature_hash(f);
        if let Some(n) = names.as_deref_mut() {
            n.entry(h).or_insert_with(|| f.to_owned());
        }
        match kind {
            Kind::Text => text.push(h),
            Kind::Structure => structure.push(h),
        }
    });
    text.sort_unstable();
    text.dedup();
    let value = 1.0 / (text.len().max(1) as f32).sqrt();
    let mut v: Vector = text.into_iter().map(|h| (h, value)).collect();
    v.extend(structure.into_iter().map(|h| (h, STRUCTURE_VALUE)));
    v.sort_unstable_by_key(|&(h, _)| h);
    v.dedup_by_key(|&mut (h, _)| h);
    v
}

/// One topic of a loaded model.
#[derive(Debug, Clone)]
pub struct TopicModel {
    /// Probability threshold.
    pub threshold: f64,
    /// Probability a rules match of this topic alone needs to stay in (before the evidence).
    pub veto: f64,
    /// The same for a rules match shared with another topic (its rules or the model's).
    pub veto_among: f64,
    bias: f64,
}

/// A loaded model, for the config's topics (by index).
pub struct Model {
    /// Per config topic; `None` when the file has no weights for it.
    pub topics: Vec<Option<TopicModel>>,
    /// Feature hash → row of `weights`.
    rows: HashMap<u64, u32, BuildHasherDefault<Prehashed>>,
    /// Row-major: `rows × topics`.
    weights: Vec<f32>,
    /// Feature name per row.
    names: Vec<String>,
}

/// The model's view of one topic for one article.
#[derive(Debug, Clone, Serialize)]
pub struct ModelScore {
    /// Probability that the article is in the topic.
    pub probability: f64,
    /// Probability from which the model says it is.
    pub threshold: f64,
    /// Whether the model says it is.
    pub matched: bool,
    /// Probability a rules match needs to stay in, before the rules' evidence scales it: the
    /// topic's veto for a match alone, or for a match shared with the topics in `among`.
    pub veto: f64,
    /// The other topics whose rules, or the model, put this article in them too (then `veto`
    /// is the topic's veto for a shared match); empty when this topic's rules match alone or
    /// not at all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub among: Vec<crate::model::TopicId>,
    /// How much the rules had for this topic (see [`super::rule_evidence`]): 0 when they
    /// did not match, else at least 1.
    pub rule_evidence: f64,
    /// The veto this article's rule match faces: `veto` divided by `rule_evidence`.
    pub veto_scaled: f64,
    /// Whether the model overruled the rules' match.
    pub vetoed: bool,
    /// The features that carried the decision, strongest first: positive ones when in, the
    /// strongest of either sign when out.
    pub features: Vec<Contribution>,
}

/// What one feature added to the model's score (log-odds).
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    /// Feature name (`@…` for structure, `h:…` for headline words).
    pub feature: String,
    /// Weight × value.
    pub score: f64,
}

impl Model {
    /// Parses a weights file for the given topic ids (in config order).
    pub fn parse(src: &str, topic_ids: &[String]) -> Result<Model, String> {
        let file: ModelFile = serde_json::from_str(src).map_err(|e| e.to_string())?;
        if file.format != FORMAT {
            return Err(format!(
                "format {:?} is not {FORMAT:?}; retrain with `wirefeed train`",
                file.format
            ));
        }
        if file.stem_length != super::features::STEM {
            return Err(format!(
                "trained with stems of {} letters, this version uses {}; retrain with `wirefeed train`",
                file.stem_length,
                super::features::STEM
            ));
        }
        let n = topic_ids.len();
        let mut rows: HashMap<u64, u32, BuildHasherDefault<Prehashed>> = HashMap::default();
        let mut names: Vec<String> = Vec::new();
        let mut weights: Vec<f32> = Vec::new();
        let mut topics = vec![None; n];
        for (ti, id) in topic_ids.iter().enumerate() {
            let Some(value) = file.topics.get(id) else {
                continue;
            };
            let tw: TopicWeights =
                serde_json::from_value(value.clone()).map_err(|e| format!("topic {id:?}: {e}"))?;
            for (feature, w) in &tw.weights {
                let w = w.as_f64().ok_or_else(|| {
                    format!("topic {id:?}: weight of {feature:?} is not a number")
                })?;
                let h = feature_hash(feature);
                let row = *rows.entry(h).or_insert_with(|| {
                    names.push(feature.clone());
                    weights.extend(std::iter::repeat_n(0.0, n));
                    (names.len() - 1) as u32
                });
                weights[row as usize * n + ti] = w as f32;
            }
            topics[ti] = Some(TopicModel {
                threshold: tw.threshold,
                veto: tw.veto,
                veto_among: tw.veto_among,
                bias: tw.bias,
            });
        }
        Ok(Model {
            topics,
            rows,
            weights,
            names,
        })
    }

    /// Log-odds per topic (0 for topics without weights).
    pub fn logits(&self, v: &Vector, out: &mut Vec<f64>) {
        let n = self.topics.len();
        out.clear();
        out.extend(
            self.topics
                .iter()
                .map(|t| t.as_ref().map_or(0.0, |t| t.bias)),
        );
        for (h, x) in v {
            if let Some(&row) = self.rows.get(h) {
                let w = &self.weights[row as usize * n..row as usize * n + n];
                for (o, w) in out.iter_mut().zip(w) {
                    *o += f64::from(w * x);
                }
            }
        }
    }

    /// The features that carried topic `ti` for this vector, strongest first.
    pub fn contributions(
        &self,
        v: &Vector,
        ti: usize,
        positive: bool,
        k: usize,
    ) -> Vec<Contribution> {
        let n = self.topics.len();
        let mut c: Vec<Contribution> = v
            .iter()
            .filter_map(|(h, x)| {
                let row = *self.rows.get(h)? as usize;
                let score = f64::from(self.weights[row * n + ti] * x);
                (score != 0.0 && (!positive || score > 0.0)).then(|| Contribution {
                    feature: self.names[row].clone(),
                    score: (score * 100.0).round() / 100.0,
                })
            })
            .collect();
        c.sort_by(|a, b| {
            b.score
                .abs()
                .total_cmp(&a.score.abs())
                .then_with(|| a.feature.cmp(&b.feature))
        });
        c.truncate(k);
        c
    }
}

/// The logistic function.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}
