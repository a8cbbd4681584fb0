//! Article reads: one article, feed pages by index range, embargo bounds.

use super::page_sql::{few_changes, page_params, page_sql, search_page, walks_search_index};
use super::{Result, Store, StoreError};
use crate::model::{Article, ArticleId, Content, PubStatus, Revision, TopicId};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

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
}

pub(super) const COLUMNS: &str = "id, version, status, headline, summary, body, language, byline, dateline, \
     published_at, embargo_until, editor_topics, topics, keywords, urgency, translation_of, \
     revision, correction_note, created_at, updated_at, canceled_at, kill_reason, changed_at, restricted, published_offset";

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
        })
    }

    pub(super) fn into_article(self) -> Result<Article> {
        let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("{what} {v:?}"));
        let published_at = ts(self.published_at)?;
        let translation_of = match self.translation_of {
            Some(t) => Some(ArticleId::parse(&t).map_err(|_| corrupt("translation_of", &t))?),
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
                keywords: json_list(&self.keywords)?,
                urgency: self.urgency.map(|u| u as u8),
                translation_of,
            },
            published_at,
            topics: json_list(&self.topics)?,
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
        })
    }
}

/// Links to translations, both ways, of articles that are visible at `now` (an embargoed or
/// killed article must not be announced through its translation).
pub(super) fn load_translations(conn: &Connection, a: &mut Article, now: i64) -> Result<()> {
    let mut out = Vec::new();
    if let Some(orig) = &a.content.translation_of {
        let mut st = conn.prepare_cached(
            "SELECT id, language FROM articles WHERE id = ?1 AND status = 'usable' AND restricted = 0 \
             AND (embargo_until IS NULL OR embargo_until <= ?2)",
        )?;
        if let Some(pair) = st
            .query_row(params![orig.as_str(), now], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?
        {
            out.push(pair);
        }
    }
    let mut st = conn.prepare_cached(
        "SELECT id, language FROM articles WHERE translation_of = ?1 AND status = 'usable' AND restricted = 0 \
         AND (embargo_until IS NULL OR embargo_until <= ?2) ORDER BY id",
    )?;
    let rows = st.query_map(params![a.id.as_str(), now], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        out.push(row?);
    }
    a.translations = out
        .into_iter()
        .filter_map(|(id, lang)| ArticleId::parse(&id).ok().map(|id| (id, lang)))
        .collect();
    Ok(())
}

pub(super) fn get_in(conn: &Connection, id: &str, now: i64) -> Result<Option<Article>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM articles WHERE id = ?1"))?;
    let raw = st.query_row([id], RawRow::read).optional()?;
    raw.map(|r| {
        let mut a = r.into_article()?;
        load_translations(conn, &mut a, now)?;
        Ok(a)
    })
    .transpose()
}

impl Store {
    /// Reads the current version of one article, whatever its status or embargo.
    ///
    /// Translation links only point to articles visible at `now`.
    pub fn get(&self, id: &str, now: i64) -> Result<Option<Article>> {
        self.with_conn(|c| get_in(c, id, now))
    }

    /// Reads one feed page, newest first.
    pub fn page(&self, q: &PageQuery) -> Result<Vec<Article>> {
        self.with_conn(|conn| {
            let by_change = few_changes(conn, q)?;
            let raws = if walks_search_index(q, by_change) {
                search_page(conn, q)?
            } else {
                let mut st = conn.prepare_cached(&page_sql(q, by_change))?;
                st.query_map(rusqlite::params_from_iter(page_params(q)), RawRow::read)?
                    .collect::<rusqlite::Result<Vec<_>>>()?
            };
            let mut out = raws
                .into_iter()
                .map(|r| {
                    let mut a = r.into_article()?;
                    load_translations(conn, &mut a, q.now)?;
                    Ok(a)
                })
                .collect::<Result<Vec<_>>>()?;
            if q.after.is_some() {
                out.reverse();
            }
            Ok(out)
        })
    }

    /// The next time an embargo lifts in `selection` after `now`: cached pages of it expire then.
    pub fn next_embargo_lift(&self, selection: &Selection, now: i64) -> Result<Option<i64>> {
        self.with_conn(|c| {
            let v = match selection {
                Selection::Kills => None,
                Selection::All => c
                    .prepare_cached(
                        "SELECT min(embargo_until) FROM articles WHERE embargo_until > ?1 AND status = 'usable' AND restricted = 0",
                    )?
                    .query_row([now], |r| r.get(0))?,
                Selection::Topic(t) => c
                    .prepare_cached(
                        // Walks the embargo index from `now` up to the first lift in the
                        // topic (a join from the topic side reads the whole topic: 1.9 s at 1M).
                        "SELECT a.embargo_until FROM articles a INDEXED BY articles_by_embargo \
                         WHERE a.embargo_until > ?1 AND a.status = 'usable' \
                         AND EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = a.id AND t.topic = ?2) \
                         ORDER BY a.embargo_until LIMIT 1",
                    )?
                    .query_row(params![now, t], |r| r.get(0))
                    .optional()?,
            };
            Ok(v)
        })
    }

    /// Number of stored articles, whatever their status.
    pub fn count(&self) -> Result<u64> {
        self.with_conn(|c| {
            Ok(c.query_row("SELECT count(*) FROM articles", [], |r| r.get::<_, i64>(0))? as u64)
        })
    }

    /// How many articles are stored by status, and how many usable ones are still under
    /// embargo at `now` (for `/metrics`; indexed, no table scan beyond `count(*)`).
    pub fn status_counts(&self, now: i64) -> Result<StatusCounts> {
        self.with_conn(|c| {
            let total: i64 = c.query_row("SELECT count(*) FROM articles", [], |r| r.get(0))?;
            let mut counts = StatusCounts::default();
            let mut st = c.prepare_cached(
                "SELECT status, count(*) FROM articles WHERE status != 'usable' GROUP BY status",
            )?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let n: i64 = r.get(1)?;
                match r.get_ref(0)?.as_str().unwrap_or("") {
                    "withheld" => counts.withheld = n,
                    _ => counts.canceled += n,
                }
            }
            counts.usable = total - counts.withheld - counts.canceled;
            counts.embargoed = c.query_row(
                "SELECT count(*) FROM articles WHERE embargo_until > ?1 AND status = 'usable'",
                [now],
                |r| r.get(0),
            )?;
            Ok(counts)
        })
    }
}

/// Articles by status (see [`Store::status_counts`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    /// Usable, embargoed or not.
    pub usable: i64,
    /// Withheld.
    pub withheld: i64,
    /// Killed.
    pub canceled: i64,
    /// Usable and still under embargo.
    pub embargoed: i64,
}

/// One stored version of an article (docs/api.md, Publishing API `versions`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredVersion {
    /// 1, 2, …
    pub version: u32,
    /// `update`, `correction`, `minor`, or `kill` for the version a kill made.
    pub revision: String,
    /// What was corrected.
    pub correction_note: Option<String>,
    /// Status after this version.
    pub status: String,
    /// When it was stored (RFC 3339).
    pub stored_at: String,
    /// Why it was killed, for a kill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kill_reason: Option<String>,
    /// The content as submitted.
    pub content: serde_json::Value,
    /// Final topics of this version.
    pub topics: Vec<String>,
}

/// The publisher listing (docs/api.md, Publishing API): newest `updated_at` first, ties by id.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Only this status.
    pub status: Option<PubStatus>,
    /// Only articles updated after this Unix time.
    pub since: Option<i64>,
    /// Older than this position (`updated_at`, id).
    pub before: Option<Cursor>,
    /// Page size.
    pub limit: u32,
}

impl Store {
    /// Every stored version of an article, oldest first (`None`: no such article).
    pub fn versions(&self, id: &str) -> Result<Option<Vec<StoredVersion>>> {
        self.with_conn(|c| {
            let mut st = c.prepare_cached(
                "SELECT version, revision, correction_note, status, stored_at, content, topics, kill_reason \
                 FROM article_versions WHERE article_id = ?1 ORDER BY version",
            )?;
            let rows = st
                .query_map([id], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, Option<String>>(7)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            if rows.is_empty() {
                return Ok(None);
            }
            rows.into_iter()
                .map(|(v, rev, note, status, stored, content, topics, reason)| {
                    Ok(StoredVersion {
                        version: v as u32,
                        revision: rev,
                        correction_note: note,
                        status,
                        stored_at: crate::model::rfc3339(ts(stored)?),
                        kill_reason: reason,
                        content: serde_json::from_str(&content)
                            .map_err(|e| StoreError::Corrupt(format!("version content: {e}")))?,
                        topics: json_list(&topics)?,
                    })
                })
                .collect::<Result<Vec<_>>>()
                .map(Some)
        })
    }

    /// One page of the publisher listing; embargoed articles included.
    pub fn list(&self, q: &ListQuery) -> Result<Vec<Article>> {
        self.with_conn(|c| {
            let (key, id) = match &q.before {
                Some(cur) => (cur.key, cur.id.clone()),
                None => (i64::MAX, String::new()),
            };
            let mut st = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM articles INDEXED BY articles_by_updated_id \
                 WHERE (updated_at, id) < (?1, ?2) AND (?3 IS NULL OR status = ?3) \
                 AND (?4 IS NULL OR updated_at > ?4) \
                 ORDER BY updated_at DESC, id DESC LIMIT ?5"
            ))?;
            let raws = st
                .query_map(
                    params![
                        key,
                        id,
                        q.status.map(PubStatus::as_str),
                        q.since,
                        i64::from(q.limit)
                    ],
                    RawRow::read,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            raws.into_iter().map(RawRow::into_article).collect()
        })
    }

    /// Articles of `selection` killed after `after` (Unix time), newest kill first: the
    /// tombstones (RFC 6721) and canceled items a feed carries during `feeds.kill_retention`.
    pub fn recent_kills(
        &self,
        selection: &Selection,
        lang: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Article>> {
        self.with_conn(|c| {
            let topic = match selection {
                Selection::Topic(t) => Some(t.as_str()),
                _ => None,
            };
            let mut st = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM articles INDEXED BY articles_by_canceled \
                 WHERE canceled_at IS NOT NULL AND canceled_at > ?1 AND (?2 IS NULL OR lang_key = ?2) \
                 AND (?3 IS NOT NULL OR restricted = 0) \
                 AND (?3 IS NULL OR EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = articles.id AND t.topic = ?3)) \
                 ORDER BY canceled_at DESC, id DESC LIMIT ?4"
            ))?;
            let raws = st
                .query_map(params![after, lang, topic, i64::from(limit)], RawRow::read)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            raws.into_iter().map(RawRow::into_article).collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor {
            key: 1_764_000_000,
            id: "anv-1.a_b".into(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("zz"), None);
        assert_eq!(Cursor::decode("abc"), None);
        assert_eq!(Cursor::decode(""), None);
    }
}
