//! Article files and API bodies → validated [`Draft`]s, with `file:line` errors.
//!
//! Formats (docs/api.md, Command line): `.md` with TOML front matter between `+++` lines and a Markdown
//! body, `.json` with one article, `.jsonl` with one article per line.

use crate::config::is_language_tag;
use crate::model::{
    ArticleId, Content, Draft, MediaFile, MediaRef, PictureId, PictureMeta, Revision, TopicId,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// An article as written by an editor or sent to the API (docs/api.md, Article files). Unknown fields are an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    id: Option<String>,
    headline: Option<String>,
    summary: Option<String>,
    body: Option<String>,
    language: Option<String>,
    byline: Option<OneOrMany>,
    dateline: Option<String>,
    published_at: Option<String>,
    embargo_until: Option<String>,
    topics: Option<Vec<String>>,
    places: Option<Vec<String>>,
    keywords: Option<Vec<String>>,
    urgency: Option<i64>,
    translation_of: Option<String>,
    revision: Option<String>,
    correction_note: Option<String>,
    media: Option<Vec<MediaInput>>,
    usage_terms: Option<String>,
    evolved_from: Option<String>,
    slugline: Option<String>,
}

/// One entry of `media`: a picture id, or an object naming a picture (`id`) or, in article
/// files, an image file (`file`, relative to the article file) with its metadata.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum MediaInput {
    Id(String),
    Object(MediaObject),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MediaObject {
    id: Option<String>,
    file: Option<String>,
    caption: Option<String>,
    alt_text: Option<String>,
    credit: Option<String>,
    byline: Option<String>,
    copyright: Option<String>,
}

/// The most pictures one article shows.
pub const MAX_MEDIA: usize = 20;

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

pub use crate::model::FieldError;

mod files;
#[cfg(test)]
use files::split_front_matter;
pub use files::{Entry, collect_files, generated_id, read_file, read_json_lines, stream_file};

/// What validation needs to know beyond the article itself.
pub struct Rules<'a> {
    /// Language of articles that do not say.
    pub default_language: &'a str,
    /// Topic ids that exist.
    pub topics: &'a [TopicId],
}

/// The JSON type of a value, for error messages.
fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The most names in a byline, keywords and editor topics of one article, and the longest
/// each may be: a story's lists are short; a list of 100,000 made a 10 MB page.
pub const MAX_BYLINE: usize = 20;
/// See [`MAX_BYLINE`].
pub const MAX_KEYWORDS: usize = 50;
/// See [`MAX_BYLINE`].
pub const MAX_TOPICS: usize = 20;
/// See [`MAX_BYLINE`].
pub const MAX_NAME_CHARS: usize = 200;

/// Records a field error when a list is longer than `max` or an entry than `chars`.
fn bounded(field: &str, list: &[String], max: usize, chars: usize, errors: &mut Vec<FieldError>) {
    if list.len() > max {
        errors.push(FieldError::new(
            field,
            format!("{field} has {} entries; the most is {max}", list.len()),
        ));
    } else if let Some(long) = list.iter().find(|s| s.chars().count() > chars) {
        errors.push(FieldError::new(
            field,
            format!(
                "an entry of {field} has {} characters; the most is {chars}",
                long.chars().count()
            ),
        ));
    }
}

/// `media` in an API body: ids, or objects with an `id` and an optional `caption` (a file is
/// uploaded first, with `POST /api/v1/media`).
fn media_entries(v: &serde_json::Value) -> bool {
    v.as_array().is_some_and(|a| {
        a.iter().all(|e| match e {
            serde_json::Value::String(_) => true,
            serde_json::Value::Object(o) => {
                o.get("id").is_some_and(serde_json::Value::is_string)
                    && o.get("caption").is_none_or(serde_json::Value::is_string)
                    && o.keys().all(|k| k == "id" || k == "caption")
            }
            _ => false,
        })
    })
}

fn strings(v: &serde_json::Value) -> bool {
    v.as_array()
        .is_some_and(|a| a.iter().all(serde_json::Value::is_string))
}

impl ArticleInput {
    /// Reads an API body, reporting every bad field at once: unknown fields, wrong types
    /// and (through [`ArticleInput::validate`]) bad values. A field is given a value or left
    /// out; `null` is a type error like any other.
    pub fn from_json(
        value: serde_json::Value,
        rules: &Rules<'_>,
    ) -> Result<Draft, Vec<FieldError>> {
        let serde_json::Value::Object(map) = value else {
            return Err(vec![FieldError::new(
                "",
                format!(
                    "the body must be a JSON object (an article), got {}",
                    json_kind(&value)
                ),
            )]);
        };
        let mut errors = Vec::new();
        let mut clean = serde_json::Map::new();
        for (k, mut v) in map {
            // JSON Schema's "integer" includes 5.0: a number with no fraction.
            if let Some(f) = v
                .as_f64()
                .filter(|f| !v.is_i64() && f.fract() == 0.0 && f.abs() < 1e15)
            {
                v = serde_json::Value::from(f as i64);
            }
            let (ok, expected) = match k.as_str() {
                "id" | "headline" | "summary" | "body" | "language" | "dateline"
                | "published_at" | "embargo_until" | "translation_of" | "revision"
                | "correction_note" | "usage_terms" | "evolved_from" | "slugline" => {
                    (v.is_string(), "a string")
                }
                "byline" => (
                    v.is_string() || strings(&v),
                    "a string or an array of strings",
                ),
                "topics" | "keywords" => (strings(&v), "an array of strings"),
                "places" => (strings(&v), "an array of ISO 3166-1 alpha-2 country codes"),
                "urgency" => (v.is_i64(), "an integer from 1 to 9"),
                "media" => (
                    media_entries(&v),
                    "an array of picture ids or of {\"id\", \"caption\"} objects",
                ),
                _ => {
                    errors.push(FieldError::new(&k, "unknown field"));
                    continue;
                }
            };
            if ok {
                clean.insert(k, v);
            } else {
                errors.push(FieldError::new(
                    &k,
                    format!("must be {expected}, got {}", json_kind(&v)),
                ));
            }
        }
        let input: ArticleInput = serde_json::from_value(serde_json::Value::Object(clean))
            .unwrap_or_else(|e| unreachable!("types were checked: {e}"));
        match input.validate(rules) {
            Ok(d) if errors.is_empty() => Ok(d),
            Ok(_) => Err(errors),
            Err(more) => {
                // A field with a type error is absent for validation: do not report it twice.
                for e in more {
                    if !errors.iter().any(|x| x.field == e.field) {
                        errors.push(e);
                    }
                }
                Err(errors)
            }
        }
    }

    /// Checks every field, returning all problems at once.
    pub fn validate(self, rules: &Rules<'_>) -> Result<Draft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let id = optional_id("id", self.id.as_deref(), &mut errors);
        let headline = self
            .headline
            .map(|h| h.trim_matches(blank).to_owned())
            .unwrap_or_default();
        let n = headline.chars().count();
        if n == 0 {
            errors.push(FieldError::new("headline", "headline is required"));
        } else if n > 300 {
            errors.push(FieldError::new(
                "headline",
                format!("headline has {n} characters; the most is 300"),
            ));
        }
        let body = self.body.unwrap_or_default();
        if body.trim_matches(blank).is_empty() {
            errors.push(FieldError::new("body", "body is required"));
        }
        let language = self.language.unwrap_or_else(|| {
            crate::classify::detect_language(&format!("{headline}\n{body}"))
                .unwrap_or(rules.default_language)
                .to_owned()
        });
        if !is_language_tag(&language) {
            errors.push(FieldError::new(
                "language",
                format!("{language:?} is not a BCP 47 language tag such as \"es\" or \"en-GB\""),
            ));
        }
        let byline = match self.byline {
            None => Vec::new(),
            Some(OneOrMany::One(s)) => vec![s],
            Some(OneOrMany::Many(v)) => v,
        };
        let byline: Vec<String> = byline
            .into_iter()
            .map(|b| b.trim().to_owned())
            .filter(|b| !b.is_empty())
            .collect();
        bounded("byline", &byline, MAX_BYLINE, MAX_NAME_CHARS, &mut errors);
        if let Some(k) = &self.keywords {
            bounded("keywords", k, MAX_KEYWORDS, MAX_NAME_CHARS, &mut errors);
        }
        if let Some(t) = &self.topics {
            bounded("topics", t, MAX_TOPICS, MAX_NAME_CHARS, &mut errors);
        }
        let mut time = |field: &str, v: Option<String>| match v {
            None => None,
            Some(s) => match DateTime::parse_from_rfc3339(s.trim()) {
                Ok(t) => Some(t),
                Err(_) => {
                    errors.push(FieldError::new(field, format!("{s:?} is not an RFC 3339 date-time such as \"2026-11-20T09:15:00-05:00\"")));
                    None
                }
            },
        };
        let published = time("published_at", self.published_at);
        let published_at = published.map(|t| t.with_timezone(&Utc));
        let published_offset = published.map(|t| t.offset().local_minus_utc());
        let embargo_until =
            time("embargo_until", self.embargo_until).map(|t| t.with_timezone(&Utc));
        let mut editor_topics = self.topics.unwrap_or_default();
        for t in &editor_topics {
            if !rules.topics.contains(t) {
                errors.push(FieldError::new(
                    "topics",
                    format!(
                        "topic {t:?} is not defined in feeds.toml (known: {})",
                        rules.topics.join(", ")
                    ),
                ));
            }
        }
        editor_topics.sort();
        editor_topics.dedup();
        let mut editor_places = self.places.unwrap_or_default();
        if editor_places.len() > MAX_TOPICS {
            errors.push(FieldError::new(
                "places",
                format!("at most {MAX_TOPICS} places"),
            ));
        }
        for p in &editor_places {
            if !crate::places::is_code(p) {
                errors.push(FieldError::new(
                    "places",
                    format!(
                        "{p:?} is not an ISO 3166-1 alpha-2 code (two capital letters: \"US\")"
                    ),
                ));
            } else if !crate::places::known(p) {
                errors.push(FieldError::new(
                    "places",
                    format!("{p:?} is not a country or territory this server knows"),
                ));
            }
        }
        editor_places.sort();
        editor_places.dedup();
        let urgency = match self.urgency {
            Some(u @ 1..=9) => Some(u as u8),
            Some(u) => {
                errors.push(FieldError::new(
                    "urgency",
                    format!("urgency must be 1 to 9, got {u}"),
                ));
                None
            }
            None => None,
        };
        let translation_of = optional_id(
            "translation_of",
            self.translation_of.as_deref(),
            &mut errors,
        );
        if let (Some(t), Some(id)) = (&translation_of, &id)
            && t == id
        {
            errors.push(FieldError::new(
                "translation_of",
                "an article cannot be a translation of itself",
            ));
        }
        let evolved_from = optional_id("evolved_from", self.evolved_from.as_deref(), &mut errors);
        if let (Some(e), Some(id)) = (&evolved_from, &id)
            && e == id
        {
            errors.push(FieldError::new(
                "evolved_from",
                "an article cannot evolve from itself: name the earlier take it updates",
            ));
        }
        let slugline = self
            .slugline
            .map(|s| s.trim_matches(blank).to_owned())
            .filter(|s| !s.is_empty());
        if let Some(s) = &slugline
            && s.chars().count() > crate::model::MAX_SLUGLINE
        {
            errors.push(FieldError::new(
                "slugline",
                format!(
                    "slugline has {} characters; the most is {}",
                    s.chars().count(),
                    crate::model::MAX_SLUGLINE
                ),
            ));
        }
        let (media, media_files) = media_refs(self.media.unwrap_or_default(), &mut errors);
        if let Some(u) = &self.usage_terms
            && u.chars().count() > crate::config::MAX_USAGE_TERMS
        {
            errors.push(FieldError::new(
                "usage_terms",
                format!(
                    "usage_terms has {} characters; the most is {}",
                    u.chars().count(),
                    crate::config::MAX_USAGE_TERMS
                ),
            ));
        }
        let revision = match self.revision.as_deref() {
            None => Revision::Update,
            Some(r) => Revision::parse(r).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    "revision",
                    format!("revision must be \"update\", \"correction\" or \"minor\", got {r:?}"),
                ));
                Revision::Update
            }),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let non_empty =
            |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(Draft {
            id,
            content: Content {
                headline,
                summary: non_empty(self.summary),
                body: body.replace("\r\n", "\n"),
                language,
                byline,
                dateline: non_empty(self.dateline),
                published_at,
                published_offset,
                embargo_until,
                editor_topics,
                editor_places,
                keywords: self
                    .keywords
                    .unwrap_or_default()
                    .into_iter()
                    .map(|k| k.trim().to_owned())
                    .filter(|k| !k.is_empty())
                    .collect(),
                urgency,
                translation_of,
                media,
                usage_terms: non_empty(self.usage_terms),
                evolved_from,
                slugline,
            },
            revision,
            correction_note: non_empty(self.correction_note),
            media_files,
        })
    }
}

/// `media` entries → picture references, and the image files an article file names (their
/// pictures are made by the import, which fills in the references).
fn media_refs(
    entries: Vec<MediaInput>,
    errors: &mut Vec<FieldError>,
) -> (Vec<MediaRef>, Vec<MediaFile>) {
    if entries.len() > MAX_MEDIA {
        errors.push(FieldError::new(
            "media",
            format!(
                "media has {} entries; the most is {MAX_MEDIA}",
                entries.len()
            ),
        ));
        return (Vec::new(), Vec::new());
    }
    let (mut refs, mut files) = (Vec::new(), Vec::new());
    let clean = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    for e in entries {
        let (id, file, caption, meta) = match e {
            MediaInput::Id(id) => (Some(id), None, None, PictureMeta::default()),
            MediaInput::Object(o) => {
                let meta = PictureMeta {
                    alt_text: clean(o.alt_text),
                    credit: clean(o.credit),
                    byline: clean(o.byline),
                    copyright: clean(o.copyright),
                    ..PictureMeta::default()
                };
                (o.id, o.file, clean(o.caption), meta)
            }
        };
        match (id, file) {
            (Some(id), None) => {
                if meta != PictureMeta::default() {
                    errors.push(FieldError::new(
                        "media",
                        "an entry that names a picture by id may only set its caption for this story; change the picture itself with PUT /api/v1/media/{id}",
                    ));
                }
                match PictureId::parse(id.trim()) {
                    Ok(id) if refs.iter().any(|r: &MediaRef| r.id == id) => errors.push(
                        FieldError::new("media", format!("picture {id} is listed twice")),
                    ),
                    Ok(id) => refs.push(MediaRef { id, caption }),
                    Err(e) => errors.push(FieldError::new("media", e)),
                }
            }
            (None, Some(file)) => files.push(MediaFile {
                file,
                meta: PictureMeta { caption, ..meta },
            }),
            _ => errors.push(FieldError::new(
                "media",
                "each entry names a picture by \"id\" or, in an article file, an image by \"file\"",
            )),
        }
    }
    (refs, files)
}

fn optional_id(
    field: &str,
    value: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<ArticleId> {
    match ArticleId::parse(value?) {
        Ok(id) => Some(id),
        Err(e) => {
            errors.push(FieldError::new(field, e));
            None
        }
    }
}

/// What makes a headline or body blank: Unicode White_Space (Rust's `char::is_whitespace`) and
/// U+FEFF. That is exactly ECMA-262's `\s` plus U+0085, so the OpenAPI document's pattern
/// `[^\s\u0085]` (one character that is not blank) accepts what this accepts, whichever regex
/// dialect a JSON Schema validator uses.
pub(crate) fn blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules<'static> {
        static TOPICS: std::sync::LazyLock<Vec<String>> =
            std::sync::LazyLock::new(|| vec!["security".into()]);
        Rules {
            default_language: "es",
            topics: &TOPICS,
        }
    }

    #[test]
    fn front_matter_and_body_are_split_with_the_body_line() {
        let (front, body, line) = split_front_matter("id = \"a\"\n+++\n\nBody\n").unwrap();
        assert_eq!(front, "id = \"a\"\n");
        assert_eq!(body, "Body\n");
        assert_eq!(line, 5);
    }

    #[test]
    fn a_bad_field_names_its_line_in_the_front_matter() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.md");
        std::fs::write(
            &p,
            "+++\nid = \"x\"\nheadline = \"H\"\nurgency = 12\n+++\nBody\n",
        )
        .unwrap();
        let e = read_file(&p, &rules());
        assert_eq!(e[0].line, 4);
        assert!(e[0].result.as_ref().unwrap_err().contains("urgency"));
    }

    #[test]
    fn unknown_fields_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.jsonl");
        std::fs::write(&p, "{\"headline\":\"H\",\"body\":\"B\"}\n{\"headline\":\"H\",\"body\":\"B\",\"colour\":1}\n").unwrap();
        let e = read_file(&p, &rules());
        assert!(e[0].result.is_ok());
        assert_eq!(e[1].line, 2);
        assert!(e[1].result.as_ref().unwrap_err().contains("colour"));
    }

    #[test]
    fn a_slugline_has_at_most_64_characters_and_a_story_cannot_evolve_from_itself() {
        let ok = format!(
            r#"{{"id":"b","headline":"H","body":"B","slugline":"{}","evolved_from":"a"}}"#,
            "ñ".repeat(64)
        );
        let d = ArticleInput::from_json(serde_json::from_str(&ok).unwrap(), &rules()).unwrap();
        assert_eq!(d.content.evolved_from.unwrap().as_str(), "a");
        assert_eq!(d.content.slugline.unwrap().chars().count(), 64);
        let long = ok.replace(&"ñ".repeat(64), &"ñ".repeat(65));
        let e =
            ArticleInput::from_json(serde_json::from_str(&long).unwrap(), &rules()).unwrap_err();
        assert_eq!(e[0].field, "slugline");
        let own = ok.replace(r#""evolved_from":"a""#, r#""evolved_from":"b""#);
        let e = ArticleInput::from_json(serde_json::from_str(&own).unwrap(), &rules()).unwrap_err();
        assert_eq!(e[0].field, "evolved_from");
    }

    #[test]
    fn the_language_defaults_to_the_agency_language() {
        let input: ArticleInput =
            serde_json::from_str(r#"{"headline":"H","body":"B","byline":"Ana"}"#).unwrap();
        let d = input.validate(&rules()).unwrap();
        assert_eq!(d.content.language, "es");
        assert_eq!(d.content.byline, vec!["Ana"]);
    }
}
