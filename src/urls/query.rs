//! Feed query parameters (docs/api.md, HTTP), parsed once, with their canonical form.

use crate::config::is_language_tag;
use crate::model::{FieldError, FieldErrors};
use crate::model::{lang_key, rfc3339};
use crate::store::{Cursor, SearchQuery};
use chrono::{DateTime, Utc};

/// The parameters a feed reads (anything else is ignored).
const KNOWN: [&str; 9] = [
    "lang", "country", "limit", "before", "after", "q", "since", "token", "latest",
];

/// At most this many codes in one `country=`.
pub const MAX_COUNTRIES: usize = 20;

/// Feed query parameters, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedQuery {
    /// `lang=`: primary language subtag.
    pub lang: Option<String>,
    /// `country=`: stories about any of these countries (ISO 3166-1 alpha-2, upper case,
    /// sorted, no duplicates); empty when not asked.
    pub countries: Vec<String>,
    /// `limit=`: 1–200.
    pub limit: Option<u32>,
    /// `before=`: the cursor from a `next` link (older items).
    pub before: Option<Cursor>,
    /// `after=`: the cursor from a `previous` link (newer items).
    pub after: Option<Cursor>,
    /// `since=`: only items updated after.
    pub since: Option<DateTime<Utc>>,
    /// `q=`: a saved search (docs/api.md, Pages, search and discovery): only articles matching it.
    pub q: Option<SearchQuery>,
    /// `latest=true`: leave out stories that a later take replaced (contract §15);
    /// `latest=false` is the default and canonically absent.
    pub latest: bool,
    /// `token=`: a subscriber key for readers that cannot send headers. Never part of the
    /// canonical query or a cache key; its `Debug` hides it.
    pub token: Option<crate::auth::Secret>,
}

impl FeedQuery {
    /// Parses a raw query string (`lang=es&limit=5`); no allocation unless something is encoded.
    pub fn parse_str(raw: &str) -> Result<FeedQuery, Vec<FieldError>> {
        let pairs: Vec<(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)> =
            form_urlencoded::parse(raw.as_bytes()).collect();
        Self::parse(pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
    }

    /// Parses query pairs; unknown parameters are ignored, bad values name their parameter.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<FeedQuery, Vec<FieldError>> {
        let mut q = FeedQuery::default();
        let mut errors = FieldErrors::new();
        let mut seen: Vec<&str> = Vec::new();
        for (k, v) in pairs {
            // One value per parameter: a second `token=` (or `lang=` …) would be read one way
            // by the gate and another by the feed.
            if KNOWN.contains(&k) {
                if seen.contains(&k) {
                    errors.add(k, format!("{k} is given more than once"));
                    continue;
                }
                seen.push(k);
            }
            match k {
                "lang" if is_language_tag(v) => q.lang = Some(lang_key(v)),
                "lang" => errors.add(
                    "lang",
                    format!("{v:?} is not a language tag such as \"es\" or \"en\""),
                ),
                "limit" => match v.parse::<u32>() {
                    Ok(n @ 1..=200) => q.limit = Some(n),
                    _ => errors.add(
                        "limit",
                        format!("limit must be a whole number from 1 to 200, got {v:?}"),
                    ),
                },
                "before" | "after" => match Cursor::decode(v) {
                    Some(c) if k == "before" => q.before = Some(c),
                    Some(c) => q.after = Some(c),
                    None => errors.add(
                        k,
                        format!("{k} must be the cursor from a feed's paging link"),
                    ),
                },
                "q" => match SearchQuery::parse(v) {
                    Ok(s) => q.q = Some(s),
                    Err(e) => errors.add("q", e),
                },
                "token" => q.token = Some(crate::auth::Secret(v.to_owned())),
                "latest" => match v {
                    "true" => q.latest = true,
                    "false" => q.latest = false,
                    _ => {
                        let shown: String = v.chars().take(20).collect();
                        errors.add(
                            "latest",
                            format!("latest must be true or false, got {shown:?}"),
                        )
                    }
                },
                "country" => match parse_countries(v) {
                    Ok(cs) => q.countries = cs,
                    Err(e) => errors.add("country", e),
                },
                "since" => match DateTime::parse_from_rfc3339(v) {
                    // Changes are recorded in milliseconds: finer digits say nothing more.
                    Ok(t) => {
                        let t = t.with_timezone(&Utc);
                        q.since = DateTime::from_timestamp_millis(t.timestamp_millis());
                    }
                    Err(_) => errors.add(
                        "since",
                        format!(
                            "since must be an RFC 3339 date-time such as 2026-11-20T09:00:00Z, got {v:?}"
                        ),
                    ),
                },
                _ => {}
            }
        }
        if q.before.is_some() && q.after.is_some() {
            errors.add("after", "give before or after, not both");
        }
        errors.finish(q)
    }

    /// The query string of this query with the position replaced (canonical order).
    pub fn query_string(&self, before: Option<&Cursor>, after: Option<&Cursor>) -> String {
        let mut parts = Vec::new();
        if let Some(l) = &self.lang {
            parts.push(format!("lang={l}"));
        }
        if !self.countries.is_empty() {
            parts.push(format!("country={}", self.countries.join(",")));
        }
        if self.latest {
            parts.push("latest=true".to_owned());
        }
        if let Some(n) = self.limit {
            parts.push(format!("limit={n}"));
        }
        if let Some(s) = &self.q {
            let q: String = form_urlencoded::byte_serialize(s.canonical().as_bytes()).collect();
            parts.push(format!("q={q}"));
        }
        if let Some(s) = self.since {
            // Milliseconds are kept (and all that is compared): two polls within one second
            // with different `since` are different pages.
            let s = if s.timestamp_subsec_millis() == 0 {
                rfc3339(s)
            } else {
                s.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            };
            parts.push(format!("since={s}"));
        }
        if let Some(c) = before {
            parts.push(format!("before={}", c.encode()));
        }
        if let Some(c) = after {
            parts.push(format!("after={}", c.encode()));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// This query's own canonical query string.
    pub fn canonical(&self) -> String {
        self.query_string(self.before.as_ref(), self.after.as_ref())
    }

    /// A link to this feed at another position, carrying `token` (restricted documents read
    /// with `?token=` link onwards with it).
    pub fn link(
        &self,
        before: Option<&Cursor>,
        after: Option<&Cursor>,
        token: Option<&str>,
    ) -> String {
        let q = self.query_string(before, after);
        match token {
            None => q,
            Some(t) => {
                let t: String = form_urlencoded::byte_serialize(t.as_bytes()).collect();
                if q.is_empty() {
                    format!("?token={t}")
                } else {
                    format!("{q}&token={t}")
                }
            }
        }
    }
}

/// Reads `country=`: comma-separated ISO 3166-1 alpha-2 codes of countries this server knows
/// (either case), at most [`MAX_COUNTRIES`]; sorted and without duplicates.
pub fn parse_countries(v: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for (i, c) in v.split(',').enumerate() {
        if i >= MAX_COUNTRIES {
            return Err(format!(
                "country takes at most {MAX_COUNTRIES} codes, comma-separated"
            ));
        }
        let code = c.trim().to_ascii_uppercase();
        if !crate::model::is_country_code(&code) {
            let shown: String = c.chars().take(20).collect();
            return Err(format!(
                "{shown:?} is not an ISO 3166-1 alpha-2 country code such as \"US\" or \"MX\""
            ));
        }
        if !crate::model::known_country(&code) {
            return Err(format!(
                "{code:?} is not a country or territory this server knows"
            ));
        }
        out.push(code);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_parameters_are_named() {
        let e = FeedQuery::parse_str("limit=0&lang=espa%C3%B1ol&since=yesterday&before=xyz")
            .unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["limit", "lang", "since", "before"]);
    }

    #[test]
    fn countries_are_codes_this_server_knows() {
        let q = FeedQuery::parse_str("country=us,MX,US").unwrap();
        assert_eq!(q.countries, ["MX", "US"]);
        assert_eq!(q.canonical(), "?country=MX,US");
        for bad in ["../", "usa", "USA", "", "U", "AA", "US,", "1A"] {
            let e = FeedQuery::parse_str(&format!("country={bad}")).unwrap_err();
            assert_eq!(e[0].field, "country", "{bad:?}");
        }
        let many = vec!["US"; MAX_COUNTRIES + 1].join(",");
        assert!(FeedQuery::parse_str(&format!("country={many}")).is_err());
        let enough = vec!["US"; MAX_COUNTRIES].join(",");
        assert!(FeedQuery::parse_str(&format!("country={enough}")).is_ok());
    }

    #[test]
    fn latest_is_true_or_false_and_false_is_the_default() {
        assert!(FeedQuery::parse_str("latest=true").unwrap().latest);
        assert_eq!(
            FeedQuery::parse_str("latest=false").unwrap(),
            FeedQuery::default()
        );
        assert_eq!(
            FeedQuery::parse_str("limit=5&latest=true&lang=es")
                .unwrap()
                .canonical(),
            "?lang=es&latest=true&limit=5"
        );
        for bad in ["maybe", "1", "TRUE", "", "yes"] {
            let e = FeedQuery::parse_str(&format!("latest={bad}")).unwrap_err();
            assert_eq!(e[0].field, "latest", "{bad:?}");
        }
    }

    #[test]
    fn the_query_string_is_canonical() {
        let q = FeedQuery::parse_str("limit=5&lang=es-MX&token=x").unwrap();
        assert_eq!(q.canonical(), "?lang=es&limit=5");
        assert!(!format!("{q:?}").contains("token: Some(Secret(\"x"));
    }
}
