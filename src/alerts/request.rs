//! What a subscriber asks for, from the HTML form or JSON, parsed once into an address and an
//! [`AlertFilter`], every bad field reported at once (problem+json names each).

use crate::auth::{Keyring, Role};
use crate::config::{Config, is_language_tag};
use crate::model::{FieldError, FieldErrors, lang_key};
use crate::pages::Ui;
use crate::store::{AlertFilter, SearchQuery};
use std::str::FromStr;

/// Longest address accepted (RFC 5321 §4.5.3.1.3: a path is at most 256 octets, brackets
/// included).
pub const MAX_ADDRESS: usize = 254;

/// An address that parses as one mailbox, with nothing that could end or add a header.
#[derive(Clone, PartialEq, Eq)]
pub struct Address(String);

impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Address({})", super::token::address_hash(&self.0))
    }
}

impl Address {
    /// Parses an address as typed (surrounding spaces ignored, the domain lower-cased).
    pub fn parse(raw: &str) -> Result<Address, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("email is required".into());
        }
        if s.len() > MAX_ADDRESS {
            return Err(format!(
                "email is {} characters long; an address has at most {MAX_ADDRESS}",
                s.len()
            ));
        }
        if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("email must not contain spaces, line breaks or control characters".into());
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err("email must look like name@example.org".into());
        };
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
            return Err("email must have a domain such as example.org after the @".into());
        }
        let addr = format!("{local}@{}", domain.to_ascii_lowercase());
        lettre::Address::from_str(&addr)
            .map_err(|_| "email must look like name@example.org".to_owned())?;
        Ok(Address(addr))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A subscription request, as sent.
#[derive(Debug, Default, Clone)]
pub struct Input {
    /// `email`.
    pub email: Option<String>,
    /// `topics` (repeated, or comma-separated).
    pub topics: Vec<String>,
    /// `countries` (repeated, or comma-separated).
    pub countries: Vec<String>,
    /// `language` (`""`: any).
    pub language: Option<String>,
    /// `q`.
    pub q: Option<String>,
    /// `frequency`.
    pub frequency: Option<String>,
    /// `key`: a subscriber token.
    pub key: Option<String>,
    /// `lang`: the language of the pages and mails.
    pub lang: Option<String>,
    /// Fields that are not ours.
    pub unknown: Vec<String>,
}

fn split_list(v: &str) -> impl Iterator<Item = String> + '_ {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl Input {
    /// From `application/x-www-form-urlencoded` pairs (a form, or a query string to prefill
    /// the form with).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Input {
        let mut i = Input::default();
        for (k, v) in pairs {
            match k {
                "email" => i.email = Some(v.to_owned()),
                "topics" | "topic" => i.topics.extend(split_list(v)),
                "countries" | "country" => i.countries.extend(split_list(v)),
                "language" => i.language = Some(v.to_owned()),
                "q" => i.q = Some(v.to_owned()),
                "frequency" => i.frequency = Some(v.to_owned()),
                "key" => i.key = Some(v.to_owned()),
                "lang" => i.lang = Some(v.to_owned()),
                // The form's buttons and the one-click body.
                "action" | "List-Unsubscribe" => {}
                other => i.unknown.push(other.to_owned()),
            }
        }
        i
    }

    /// From a JSON object; a wrong type is reported against its field.
    pub fn from_json(body: &[u8]) -> Result<Input, Vec<FieldError>> {
        let v: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| vec![FieldError::new("body", format!("not JSON: {e}"))])?;
        let serde_json::Value::Object(map) = v else {
            return Err(vec![FieldError::new("body", "must be a JSON object")]);
        };
        let mut i = Input::default();
        let mut errors = FieldErrors::new();
        for (k, v) in &map {
            let text = |errors: &mut FieldErrors| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Null => None,
                _ => {
                    errors.add(k, "must be a string");
                    None
                }
            };
            let list = |errors: &mut FieldErrors| match v {
                serde_json::Value::Array(a) => a
                    .iter()
                    .filter_map(|x| match x {
                        serde_json::Value::String(s) => Some(s.clone()),
                        _ => {
                            errors.add(k, "must be an array of strings");
                            None
                        }
                    })
                    .collect(),
                serde_json::Value::String(s) => split_list(s).collect(),
                _ => {
                    errors.add(k, "must be an array of strings");
                    Vec::new()
                }
            };
            match k.as_str() {
                "email" => i.email = text(&mut errors),
                "topics" => i.topics = list(&mut errors),
                "countries" => i.countries = list(&mut errors),
                "language" => i.language = text(&mut errors),
                "q" => i.q = text(&mut errors),
                "frequency" => i.frequency = text(&mut errors),
                "key" => i.key = text(&mut errors),
                "lang" => i.lang = text(&mut errors),
                other => i.unknown.push(other.to_owned()),
            }
        }
        errors.finish(i)
    }

    /// The page language this request asks for, if it names one we have.
    pub fn ui(&self) -> Option<Ui> {
        self.lang.as_deref().and_then(Ui::from_tag)
    }
}

/// Checks a request: the address (unless `need_email` is false: the management page keeps
/// the subscription's), the filter, the key. Every problem at once.
pub fn check(
    config: &Config,
    keyring: &Keyring,
    input: &Input,
    need_email: bool,
    default_ui: Ui,
    now: i64,
) -> Result<(Option<Address>, AlertFilter), Vec<FieldError>> {
    let mut errors = FieldErrors::new();
    for u in &input.unknown {
        errors.add(u, "is not a field of an alert subscription");
    }
    let email = if need_email {
        match Address::parse(input.email.as_deref().unwrap_or("")) {
            Ok(a) => Some(a),
            Err(e) => {
                errors.add("email", e);
                None
            }
        }
    } else {
        None
    };
    let mut topics = Vec::new();
    for t in &input.topics {
        if config.topic(t).is_some() {
            if !topics.contains(t) {
                topics.push(t.clone());
            }
        } else {
            errors.add(
                "topics",
                format!("{:?} is not a topic of this wire", truncate(t)),
            );
        }
    }
    topics.sort();
    let mut countries = Vec::new();
    for c in &input.countries {
        let code = c.to_ascii_uppercase();
        if crate::places::known(&code) {
            if !countries.contains(&code) {
                countries.push(code);
            }
        } else {
            errors.add(
                "countries",
                format!(
                    "{:?} is not an ISO 3166-1 alpha-2 country code this wire knows",
                    truncate(c)
                ),
            );
        }
    }
    countries.sort();
    let language = match input.language.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(l) if is_language_tag(l) => Some(lang_key(l)),
        Some(l) => {
            errors.add(
                "language",
                format!("{:?} is not a language tag such as es or en", truncate(l)),
            );
            None
        }
    };
    let q = match input.q.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(q) => match SearchQuery::parse(q) {
            Ok(parsed) => Some(parsed.canonical()),
            Err(e) => {
                errors.add("q", e);
                None
            }
        },
    };
    let frequency = match input.frequency.as_deref().unwrap_or("immediate") {
        f @ ("immediate" | "daily" | "weekly") => f.to_owned(),
        f => {
            errors.add(
                "frequency",
                format!("{:?}: frequency is immediate, daily or weekly", truncate(f)),
            );
            String::new()
        }
    };
    let key_name = match input.key.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(token) => match keyring.authenticate(token, now) {
            Ok(k) if k.role == Role::Subscriber => Some(k.name.clone()),
            _ => {
                errors.add("key", "is not a valid subscriber key");
                None
            }
        },
    };
    let ui = input
        .ui()
        .or_else(|| language.as_deref().and_then(Ui::from_tag))
        .unwrap_or(default_ui);
    errors.finish((
        email,
        AlertFilter {
            topics,
            countries,
            language,
            ui: ui.code().to_owned(),
            q,
            frequency,
            key_name,
        },
    ))
}

/// A value as quoted back in an error: at most 40 characters.
fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::Address;

    #[test]
    fn addresses_parse_and_hostile_ones_do_not() {
        assert_eq!(
            Address::parse(" desk@Embassy.Example ").unwrap().as_str(),
            "desk@embassy.example"
        );
        for bad in [
            "",
            "no-at-sign",
            "a@b",
            "desk@embassy.example\r\nBcc: x@y.z",
            "desk@embassy.example\nX: y",
            "two words@embassy.example",
        ] {
            assert!(Address::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@embassy.example", "a".repeat(2000));
        assert!(Address::parse(&long).unwrap_err().contains("at most 254"));
    }
}
