//! Rights every format carries (contract §15): the copyright, the usage terms (the story's,
//! else the agency's), the data-mining code, and the W3C TDM Reservation Protocol (TDMRep,
//! Community Group final report 2024, w3c/tdm-reservation-protocol `spec/index.html`) while
//! mining is reserved: the `tdm-reservation`/`tdm-policy` header fields and
//! `/.well-known/tdmrep.json`.

use crate::config::Config;
use crate::model::{Article, Picture};
use serde_json::json;

/// The usage terms of a story: its own, else the agency's.
pub fn usage_terms<'a>(config: &'a Config, a: &'a Article) -> Option<&'a str> {
    a.content
        .usage_terms
        .as_deref()
        .or(config.agency.usage_terms.as_deref())
}

/// The usage terms of a picture: its own, else the agency's.
pub fn picture_usage_terms<'a>(config: &'a Config, p: &'a Picture) -> Option<&'a str> {
    p.meta
        .usage_terms
        .as_deref()
        .or(config.agency.usage_terms.as_deref())
}

/// One line for a story's rights in formats with a single rights field (Atom `rights`, RSS
/// `dc:rights`): the copyright notice, then the usage terms. Atom's entry `rights` replaces
/// the feed's for that entry (RFC 4287 §4.2.10), so it repeats the copyright.
pub fn rights_line(config: &Config, a: &Article) -> String {
    match usage_terms(config, a) {
        Some(u) => format!("{} {u}", config.agency.copyright),
        None => config.agency.copyright.clone(),
    }
}

/// The TDMRep header fields every response carries while mining is reserved (§ "TDM Header
/// Field in HTTP Responses"); none otherwise.
pub fn tdm_headers(config: &Config) -> Vec<(&'static str, String)> {
    if !config.agency.reserves_mining() {
        return Vec::new();
    }
    let mut h = vec![("tdm-reservation", "1".to_owned())];
    if let Some(p) = &config.agency.tdm_policy {
        h.push(("tdm-policy", p.clone()));
    }
    h
}

/// `/.well-known/tdmrep.json` (§ "TDM File on the Origin Server"): one rule for the whole
/// origin. `None` when `agency.data_mining` is not set or `DMI-UNSPECIFIED`: the server then
/// declares nothing, and answers 404 (the protocol's "not implemented").
pub fn tdmrep_json(config: &Config) -> Option<String> {
    let d = config.agency.data_mining?;
    let mut rule = json!({
        "location": "/",
        "tdm-reservation": d.tdm_reservation()?,
    });
    if d.reserves_mining()
        && let Some(p) = &config.agency.tdm_policy
    {
        rule["tdm-policy"] = json!(p);
    }
    let mut out = serde_json::to_string_pretty(&json!([rule])).expect("JSON always serialises");
    out.push('\n');
    Some(out)
}
