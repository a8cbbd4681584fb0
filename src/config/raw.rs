//! The literal shape of `feeds.toml`, with source spans, before it is checked.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub agency: Spanned<RawAgency>,
    #[serde(default)]
    pub server: RawServer,
    #[serde(default)]
    pub storage: RawStorage,
    #[serde(default)]
    pub feeds: RawFeeds,
    #[serde(default)]
    pub classifier: RawClassifier,
    #[serde(default)]
    pub api: RawApi,
    #[serde(default)]
    pub limits: RawLimits,
    #[serde(default)]
    pub websub: RawWebSub,
    #[serde(default)]
    pub cdn: RawCdn,
    #[serde(default)]
    pub media: RawMedia,
    pub mail: Option<Spanned<RawMail>>,
    #[serde(default)]
    pub topic: Vec<Spanned<RawTopic>>,
    #[serde(default)]
    pub feed: Vec<Spanned<RawFeed>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAgency {
    pub name: Spanned<String>,
    pub base_url: Spanned<String>,
    pub language: Spanned<String>,
    pub copyright: Spanned<String>,
    pub tag_authority: Option<Spanned<String>>,
    pub usage_terms: Option<Spanned<String>>,
    pub data_mining: Option<Spanned<String>>,
    pub tdm_policy: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServer {
    pub bind: Option<Spanned<String>>,
    pub workers: Option<Spanned<i64>>,
    pub trusted_proxies: Option<Vec<Spanned<String>>>,
    pub forwarded_header: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStorage {
    pub database: Option<Spanned<String>>,
    pub seed_dir: Option<Spanned<String>>,
    pub media_dir: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMedia {
    pub max_upload_mb: Option<Spanned<i64>>,
    pub max_pixels: Option<Spanned<i64>>,
    pub keep_gps: Option<bool>,
    pub workers: Option<Spanned<i64>>,
    pub quality: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFeeds {
    pub default_limit: Option<Spanned<i64>>,
    pub max_age: Option<Spanned<i64>>,
    pub kill_retention: Option<Spanned<String>>,
    pub cache_mb: Option<Spanned<i64>>,
    pub urgent_max: Option<Spanned<i64>>,
    pub related: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClassifier {
    pub headline_weight: Option<Spanned<f64>>,
    pub model: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTopic {
    pub id: Spanned<String>,
    pub name: Spanned<BTreeMap<String, String>>,
    pub iptc: Spanned<Vec<Spanned<RawIptc>>>,
    pub min_score: Option<Spanned<f64>>,
    #[serde(default)]
    pub rules: Vec<Spanned<RawRule>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<RawExclude>>,
    #[serde(default)]
    pub force: Vec<Spanned<RawExclude>>,
    #[serde(default)]
    pub forbid: Vec<Spanned<RawExclude>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIptc {
    pub code: Spanned<String>,
    pub en: String,
    pub es: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub lang: Option<Spanned<String>>,
    pub weight: Spanned<f64>,
    pub terms: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExclude {
    pub lang: Option<Spanned<String>>,
    pub terms: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFeed {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    #[serde(default)]
    pub topics: Vec<Spanned<String>>,
    #[serde(default)]
    pub countries: Vec<Spanned<String>>,
    pub access: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApi {
    pub max_body_kb: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLimits {
    pub anonymous_per_minute: Option<Spanned<i64>>,
    pub key_per_minute: Option<Spanned<i64>>,
    pub burst: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWebSub {
    pub lease_default: Option<Spanned<String>>,
    pub lease_max: Option<Spanned<String>>,
    pub max_attempts: Option<Spanned<i64>>,
    pub timeout: Option<Spanned<String>>,
    pub allow_private_callbacks: Option<Spanned<bool>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCdn {
    pub s_maxage: Option<Spanned<i64>>,
    pub stale_if_error: Option<Spanned<i64>>,
    #[serde(default)]
    pub purge_urls: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMail {
    pub smtp_url: Option<Spanned<String>>,
    pub from: Option<Spanned<String>>,
    pub dkim_selector: Option<Spanned<String>>,
    pub dkim_key: Option<Spanned<String>>,
    pub digest_time: Option<Spanned<String>>,
    pub timezone: Option<Spanned<String>>,
    pub weekly_day: Option<Spanned<String>>,
    pub confirm_interval: Option<Spanned<String>>,
    pub retry_base: Option<Spanned<String>>,
    pub max_attempts: Option<Spanned<i64>>,
    pub max_failures: Option<Spanned<i64>>,
    pub timeout: Option<Spanned<String>>,
    pub connections: Option<Spanned<i64>>,
    pub unsubscribe_mailto: Option<Spanned<String>>,
}
