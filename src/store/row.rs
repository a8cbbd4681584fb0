//! The shapes rows are read in: cursors, page selections, the article columns and their
//! conversion to [`Article`], shared by the reads and the page SQL.

use super::{Result, StoreError};
use crate::model::{Article, ArticleId, Content, PubStatus, Revision, TopicId};
use chrono::{DateTime, Utc};
use rusqlite::Row;

/// A position in a feed: the sort key (a Unix time) and id of the last item seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// `published_at` (or `canceled_at` in the kills feed) of the last item.
    pub key: i64,
    /// Id of the last item.
    pub id: String,
}

impl Cursor {
    /// An opaque, URL-safe token.
    pub fn encode(&self) -> String {
        let raw = format!("{}:{}", self.key, self.id);
        raw.bytes().map(|b| format!("{b:02x}")).collect()
    }

    /// Reads a token made by [`Cursor::encode`].
    pub fn decode(token: &str) -> Option<Cursor> {
        if !token.len().is_multiple_of(2) || token.len() > 400 {
            return None;
        }
        let bytes = (0..token.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(token.get(i..i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        let raw = String::from_utf8(bytes).ok()?;
        let (key, id) = raw.split_once(':')?;
        ArticleId::parse(id).ok()?;
        Some(Cursor {
            key: key.parse().ok()?,
            id: id.to_owned(),
        })
    }
}

/// Which articles a page selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every usable article.
    All,
    /// Canceled articles, newest kill first.
    Kills,
    /// Usable articles in this topic.
    Topic(TopicId),
}

/// One page of one feed.
#[derive(Debug, Clone)]
pub struct PageQuery {
    /// Which articles.
    pub selection: Selection,
    /// Primary language subtag, lowercase.
    pub lang: Option<String>,
    /// Older than this position (the next page).
    pub before: Option<Cursor>,
    /// Newer than this position (the previous page); exclusive with `before`.
    pub after: Option<Cursor>,
    /// Only articles whose last visible change this server recorded after this moment (Unix
    /// milliseconds): filed, updated, killed, or lifted from embargo.
    pub since: Option<i64>,
    /// Page size.
    pub limit: u32,
    /// Current Unix time: embargoed articles are hidden until then.
    pub now: i64,
    /// Only articles matching this full-text search (an FTS5 expression from
    /// [`super::SearchQuery::match_expr`]).
    pub search: Option<String>,
    /// Only articles about this country (ISO 3166-1 alpha-2, upper case).
    pub country: Option<String>,
    /// `?latest=true`: leave out articles that a later take replaced, one usable and out of
    /// embargo that is public or has one of these topics (the feed's, for a restricted view:
    /// a take its readers may read). `None`: every take.
    pub latest: Option<Vec<TopicId>>,
}

pub(super) const COLUMNS: &str = "id, version, status, headline, summary, body, language, byline, dateline, \
     published_at, embargo_until, editor_topics, topics, keywords, urgency, translation_of, \
     revision, correction_note, created_at, updated_at, canceled_at, kill_reason, changed_at, restricted, published_offset, media, editor_places, places, usage_terms, evolved_from, slugline";

pub(super) fn ts(t: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(t, 0).ok_or_else(|| StoreError::Corrupt(format!("timestamp {t}")))
}

pub(super) fn json_list(s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("list {s:?}: {e}")))
}

pub(super) fn to_json(v: &[String]) -> String {
    serde_json::to_string(v).expect("a list of strings always serialises")
}

pub(super) struct RawRow {
    pub(super) id: String,
    version: i64,
    status: String,
    headline: String,
    summary: Option<String>,
    body: String,
    language: String,
    byline: String,
    dateline: Option<String>,
    pub(super) published_at: i64,
    embargo_until: Option<i64>,
    editor_topics: String,
    topics: String,
    keywords: String,
    urgency: Option<i64>,
    translation_of: Option<String>,
    revision: String,
    correction_note: Option<String>,
    created_at: i64,
    updated_at: i64,
    canceled_at: Option<i64>,
    kill_reason: Option<String>,
    changed_at: i64,
    restricted: bool,
    published_offset: Option<i64>,
    media: String,
    editor_places: String,
    places: String,
    usage_terms: Option<String>,
    evolved_from: Option<String>,
    slugline: Option<String>,
}

impl RawRow {
    pub(super) fn read(r: &Row<'_>) -> rusqlite::Result<RawRow> {
        Ok(RawRow {
            id: r.get(0)?,
            version: r.get(1)?,
            status: r.get(2)?,
            headline: r.get(3)?,
            summary: r.get(4)?,
            body: r.get(5)?,
            language: r.get(6)?,
            byline: r.get(7)?,
            dateline: r.get(8)?,
            published_at: r.get(9)?,
            embargo_until: r.get(10)?,
            editor_topics: r.get(11)?,
            topics: r.get(12)?,
            keywords: r.get(13)?,
            urgency: r.get(14)?,
            translation_of: r.get(15)?,
            revision: r.get(16)?,
            correction_note: r.get(17)?,
            created_at: r.get(18)?,
            updated_at: r.get(19)?,
            canceled_at: r.get(20)?,
            kill_reason: r.get(21)?,
            changed_at: r.get(22)?,
            restricted: r.get(23)?,
            published_offset: r.get(24)?,
            media: r.get(25)?,
            editor_places: r.get(26)?,
            places: r.get(27)?,
            usage_terms: r.get(28)?,
            evolved_from: r.get(29)?,
            slugline: r.get(30)?,
        })
    }

    pub(super) fn into_article(self) -> Result<Article> {
        let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("{what} {v:?}"));
        let published_at = ts(self.published_at)?;
        let translation_of = match self.translation_of {
            Some(t) => Some(ArticleId::parse(&t).map_err(|_| corrupt("translation_of", &t))?),
            None => None,
        };
        let evolved_from = match self.evolved_from {
            Some(t) => Some(ArticleId::parse(&t).map_err(|_| corrupt("evolved_from", &t))?),
            None => None,
        };
        Ok(Article {
            id: ArticleId::parse(&self.id).map_err(|_| corrupt("id", &self.id))?,
            version: self.version as u32,
            status: PubStatus::parse(&self.status)
                .ok_or_else(|| corrupt("status", &self.status))?,
            content: Content {
                headline: self.headline,
                summary: self.summary,
                body: self.body,
                language: self.language,
                byline: json_list(&self.byline)?,
                dateline: self.dateline,
                published_at: Some(published_at),
                published_offset: self.published_offset.map(|o| o as i32),
                embargo_until: self.embargo_until.map(ts).transpose()?,
                editor_topics: json_list(&self.editor_topics)?,
                editor_places: json_list(&self.editor_places)?,
                keywords: json_list(&self.keywords)?,
                urgency: self.urgency.map(|u| u as u8),
                translation_of,
                media: parse_media(&self.media)?,
                usage_terms: self.usage_terms,
                evolved_from,
                slugline: self.slugline,
            },
            published_at,
            topics: json_list(&self.topics)?,
            places: json_list(&self.places)?,
            created_at: ts(self.created_at)?,
            updated_at: ts(self.updated_at)?,
            canceled_at: self.canceled_at.map(ts).transpose()?,
            revision: Revision::parse(&self.revision)
                .ok_or_else(|| corrupt("revision", &self.revision))?,
            correction_note: self.correction_note,
            translations: Vec::new(),
            kill_reason: self.kill_reason,
            changed_at: DateTime::from_timestamp_millis(self.changed_at)
                .ok_or_else(|| StoreError::Corrupt(format!("changed_at {}", self.changed_at)))?,
            restricted: self.restricted,
            pictures: Vec::new(),
            related: Vec::new(),
            related_at: None,
            takes: Default::default(),
        })
    }
}

/// An article's picture references as stored (`articles.media`).
pub(super) fn media_json(media: &[crate::model::MediaRef]) -> String {
    serde_json::to_string(media).expect("references always serialise")
}

pub(super) fn parse_media(s: &str) -> Result<Vec<crate::model::MediaRef>> {
    #[derive(serde::Deserialize)]
    struct Raw {
        id: String,
        caption: Option<String>,
    }
    let raw: Vec<Raw> =
        serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("media {s:?}: {e}")))?;
    raw.into_iter()
        .map(|r| {
            Ok(crate::model::MediaRef {
                id: crate::model::PictureId::parse(&r.id)
                    .map_err(|_| StoreError::Corrupt(format!("media id {:?}", r.id)))?,
                caption: r.caption,
            })
        })
        .collect()
}
