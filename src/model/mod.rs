//! Shared domain types: articles, ids, formats and statuses. No I/O here.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

mod country;
mod picture;
mod rights;
mod takes;
pub use country::{country_codes, is_country_code, known_country};
pub use picture::{
    MediaFile, MediaRef, Picture, PictureId, PictureMeta, RENDITIONS, Rendition, Shown,
};
pub use rights::{DataMining, PLUS_VOCAB};
pub use takes::{MAX_SLUGLINE, MAX_TAKES, Take, Takes};

/// RFC 3339 in UTC with seconds and `Z`.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Primary language subtag, lowercase: what `lang=` compares with.
pub fn lang_key(language: &str) -> String {
    language
        .split('-')
        .next()
        .unwrap_or(language)
        .to_ascii_lowercase()
}

/// The time now, to the second: what documents are dated with, and HTTP dates carry.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// A stable article identifier, `[A-Za-z0-9._-]{1,128}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ArticleId(String);

impl ArticleId {
    /// Parses an id, saying what is wrong with a bad one.
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.is_empty() || s.len() > 128 {
            return Err(format!("id must be 1 to 128 characters, got {}", s.len()));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(format!(
                "id {s:?} contains {c:?}; only A-Z, a-z, 0-9, '.', '_' and '-' are allowed"
            ));
        }
        // RFC 3986 §5.2.4: clients remove "." and ".." path segments, so such an id has no URL.
        if s.bytes().all(|b| b == b'.') {
            return Err(format!(
                "id {s:?} is only dots; it could not appear in a URL"
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A topic id as defined in `feeds.toml` (`security`, `migration`, …).
pub type TopicId = String;

/// The four feed formats, named by their URL extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// RSS 2.0 (`.rss`).
    Rss,
    /// Atom 1.0 (`.atom`).
    Atom,
    /// IPTC NewsML-G2 (`.xml`).
    NewsMl,
    /// JSON Feed 1.1 (`.json`).
    JsonFeed,
}

impl Format {
    /// Maps a URL extension to a feed format.
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext {
            "rss" => Some(Self::Rss),
            "atom" => Some(Self::Atom),
            "xml" => Some(Self::NewsMl),
            "json" => Some(Self::JsonFeed),
            _ => None,
        }
    }

    /// The URL extension of this format.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Rss => "rss",
            Self::Atom => "atom",
            Self::NewsMl => "xml",
            Self::JsonFeed => "json",
        }
    }

    /// The media type a feed in this format is served with (docs/api.md, HTTP).
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Rss => "application/rss+xml; charset=utf-8",
            Self::Atom => "application/atom+xml; charset=utf-8",
            Self::NewsMl => "application/vnd.iptc.g2.newsmessage+xml",
            Self::JsonFeed => "application/feed+json",
        }
    }

    /// All formats, in a fixed order.
    pub const ALL: [Format; 4] = [Self::Rss, Self::Atom, Self::NewsMl, Self::JsonFeed];
}

/// Publication status, as IPTC `stat:` codes and ninjs `pubstatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PubStatus {
    /// Published and usable.
    Usable,
    /// Temporarily withheld.
    Withheld,
    /// Killed: must not be used any more.
    Canceled,
}

impl PubStatus {
    /// The lowercase name used in the database and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Usable => "usable",
            Self::Withheld => "withheld",
            Self::Canceled => "canceled",
        }
    }

    /// Parses the lowercase name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "usable" => Some(Self::Usable),
            "withheld" => Some(Self::Withheld),
            "canceled" => Some(Self::Canceled),
            _ => None,
        }
    }
}

/// The kind of change a new version makes (docs/api.md, Article files `revision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Revision {
    /// An ordinary update: moves the date readers see.
    #[default]
    Update,
    /// A correction: signalled as such in every format.
    Correction,
    /// A typo fix: a new version that does not move the visible date.
    Minor,
}

impl Revision {
    /// The lowercase name used in the database and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Update => "update",
            Self::Correction => "correction",
            Self::Minor => "minor",
        }
    }

    /// Parses the lowercase name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "update" => Some(Self::Update),
            "correction" => Some(Self::Correction),
            "minor" => Some(Self::Minor),
            _ => None,
        }
    }
}

/// The editorial content of an article: everything a writer supplies.
///
/// Two drafts with equal content are the same version; any difference makes a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Content {
    /// Headline, 1–300 characters.
    pub headline: String,
    /// Optional plain-text deck.
    pub summary: Option<String>,
    /// Markdown body.
    pub body: String,
    /// BCP 47 language tag.
    pub language: String,
    /// Authors, in order.
    pub byline: Vec<String>,
    /// Place name of the dateline.
    pub dateline: Option<String>,
    /// Time the article is first shown as published; `None` means "when first stored".
    pub published_at: Option<DateTime<Utc>>,
    /// The UTC offset (seconds east) `published_at` was written with: pages show the story's
    /// own local time. Display only: not part of the stored version's JSON.
    #[serde(skip)]
    pub published_offset: Option<i32>,
    /// Not to be shown before this time.
    pub embargo_until: Option<DateTime<Utc>>,
    /// Topics chosen by the editor (kept whatever the classifier says).
    pub editor_topics: Vec<TopicId>,
    /// Countries chosen by the editor, ISO 3166-1 alpha-2 (kept whatever the place finder says).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub editor_places: Vec<String>,
    /// Free keywords.
    pub keywords: Vec<String>,
    /// IPTC urgency 1–9.
    pub urgency: Option<u8>,
    /// The article this one translates.
    pub translation_of: Option<ArticleId>,
    /// Pictures, the lead picture first (docs/api.md, Pictures).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<MediaRef>,
    /// Natural-language usage terms of this story (else the agency's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_terms: Option<String>,
    /// The earlier take of a developing story this one updates or replaces (contract §15).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evolved_from: Option<ArticleId>,
    /// A short newsroom label for the story, at most [`MAX_SLUGLINE`] characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slugline: Option<String>,
}

/// An article as submitted: an id (maybe generated) plus content and revision info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The id, if the writer gave one.
    pub id: Option<ArticleId>,
    /// What the article says.
    pub content: Content,
    /// What kind of change this is, if it updates an article.
    pub revision: Revision,
    /// What was corrected.
    pub correction_note: Option<String>,
    /// Image files an article file names, not yet pictures (the import makes them and adds
    /// their references to `content.media`). Always empty from the API.
    pub media_files: Vec<MediaFile>,
}

/// An article as stored and served: the current version of its content plus metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Stable id.
    pub id: ArticleId,
    /// Current version number, from 1.
    pub version: u32,
    /// Publication status.
    pub status: PubStatus,
    /// Current content; `published_at` is always set here.
    pub content: Content,
    /// When the article was first shown as published.
    pub published_at: DateTime<Utc>,
    /// Final topics (editor ∪ automatic), sorted.
    pub topics: Vec<TopicId>,
    /// Final places (editor ∪ found), ISO 3166-1 alpha-2 codes, sorted.
    pub places: Vec<String>,
    /// First stored.
    pub created_at: DateTime<Utc>,
    /// Last change readers should see (a `minor` revision leaves it alone).
    pub updated_at: DateTime<Utc>,
    /// When the article was killed, if it was.
    pub canceled_at: Option<DateTime<Utc>>,
    /// Kind of change of the current version.
    pub revision: Revision,
    /// Note shown with a correction.
    pub correction_note: Option<String>,
    /// Translations linked to this article, both ways: (id, language).
    pub translations: Vec<(ArticleId, String)>,
    /// Why the article was killed (shown in every kill notice).
    pub kill_reason: Option<String>,
    /// When this server last recorded any change to the article (a new version, a kill, new
    /// topics): what its documents' `Last-Modified` and entity tag follow.
    pub changed_at: DateTime<Utc>,
    /// Only restricted feeds select it (all its topics are subscriber-only): its documents need
    /// an entitled key, and public feeds never list it.
    pub restricted: bool,
    /// The usable pictures it shows, in its order (the lead first), read with it.
    pub pictures: Vec<Shown>,
    /// The other takes of a developing story, read with it (contract §15).
    pub takes: Box<Takes>,
    /// Related stories (contract §15), the most related first: public, usable and visible
    /// when read, at most `feeds.related`. Empty for a killed story.
    pub related: Vec<Related>,
    /// When the related list last changed (recomputed, or a story in it came out of embargo):
    /// the article's documents are as new as this too.
    pub related_at: Option<DateTime<Utc>>,
}

/// A story listed as related to another: what a link to it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    /// Its id.
    pub id: ArticleId,
    /// Its headline.
    pub headline: String,
    /// Its BCP 47 language.
    pub language: String,
    /// When it was published.
    pub published_at: DateTime<Utc>,
}

impl Article {
    /// The entity tag (unquoted) of this article's state: it changes whenever anything an API
    /// client can read about the article changes (a new version, a kill, new topics).
    pub fn etag(&self) -> String {
        let state = format!(
            "{}|{}|{}|{}|{}|{}",
            self.id,
            self.version,
            self.status.as_str(),
            self.topics.join(","),
            self.changed_at.timestamp_millis(),
            self.kill_reason.as_deref().unwrap_or("")
        );
        format!(
            "a{}-{:016x}",
            self.version,
            crate::text::fnv1a(state.as_bytes())
        )
    }

    /// Whether readers may see it at `now` (embargoes lift by themselves).
    pub fn visible_at(&self, now: DateTime<Utc>) -> bool {
        self.content.embargo_until.is_none_or(|e| e <= now)
    }
}

/// One invalid field of an article or a request (RFC 9457 `errors` member, `file:line` on the CLI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Field or parameter name as in the contract.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Field errors gathered while checking a request or a file: every problem is reported at
/// once, not only the first.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// None yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem with one field.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every problem recorded.
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// `value` if nothing was recorded, else every problem.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

impl FieldError {
    /// A problem with one field.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}
