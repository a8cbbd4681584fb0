//! Article reads and writes: upsert with versions, feed pages, reclassification.

use super::{Result, Store, StoreError};
use crate::model::{Article, ArticleId, Content, Draft, PubStatus, Revision, TopicId};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

/// What one upsert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// A new article, version 1.
    Created(ArticleId),
    /// A changed article, now at this version.
    Updated(ArticleId, u32),
    /// Identical to what is stored: nothing written.
    Unchanged(ArticleId),
}

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
    /// Start after this position.
    pub before: Option<Cursor>,
    /// Only articles updated after this Unix time.
    pub since: Option<i64>,
    /// Page size.
    pub limit: u32,
    /// Current Unix time: embargoed articles are hidden until then.
    pub now: i64,
}

const COLUMNS: &str = "id, version, status, headline, summary, body, language, byline, dateline, \
     published_at, embargo_until, editor_topics, topics, keywords, urgency, translation_of, \
     revision, correction_note, created_at, updated_at, canceled_at";

fn ts(t: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp(t, 0).ok_or_else(|| StoreError::Corrupt(format!("timestamp {t}")))
}

fn json_list(s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("list {s:?}: {e}")))
}

fn to_json(v: &[String]) -> String {
    serde_json::to_string(v).expect("a list of strings always serialises")
}

/// Primary language subtag, lowercase: what `lang=` compares with.
pub fn lang_key(language: &str) -> String {
    language
        .split('-')
        .next()
        .unwrap_or(language)
        .to_ascii_lowercase()
}

struct RawRow {
    id: String,
    version: i64,
    status: String,
    headline: String,
    summary: Option<String>,
    body: String,
    language: String,
    byline: String,
    dateline: Option<String>,
    published_at: i64,
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
}

impl RawRow {
    fn read(r: &Row<'_>) -> rusqlite::Result<RawRow> {
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
        })
    }

    fn into_article(self) -> Result<Article> {
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
        })
    }
}

fn load_translations(conn: &Connection, a: &mut Article) -> Result<()> {
    let mut out = Vec::new();
    if let Some(orig) = &a.content.translation_of {
        let mut st = conn.prepare_cached("SELECT id, language FROM articles WHERE id = ?1")?;
        if let Some(pair) = st
            .query_row([orig.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?
        {
            out.push(pair);
        }
    }
    let mut st = conn.prepare_cached(
        "SELECT id, language FROM articles WHERE translation_of = ?1 AND status = 'usable' ORDER BY id",
    )?;
    let rows = st.query_map([a.id.as_str()], |r| {
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

fn get_in(conn: &Connection, id: &str) -> Result<Option<Article>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM articles WHERE id = ?1"))?;
    let raw = st.query_row([id], RawRow::read).optional()?;
    raw.map(|r| {
        let mut a = r.into_article()?;
        load_translations(conn, &mut a)?;
        Ok(a)
    })
    .transpose()
}

fn page_sql(q: &PageQuery) -> String {
    let lang = q.lang.is_some();
    let since = q.since.is_some();
    match &q.selection {
        Selection::Topic(_) => format!(
            "SELECT {cols} FROM article_topics t JOIN articles a ON a.id = t.article_id \
             WHERE t.topic = ?1 {lang} AND (t.published_at, t.article_id) < (?3, ?4) \
             AND a.status = 'usable' AND (a.embargo_until IS NULL OR a.embargo_until <= ?5) {since} \
             ORDER BY t.published_at DESC, t.article_id DESC LIMIT ?7",
            cols = prefixed("a."),
            lang = if lang {
                "AND t.lang_key = ?2"
            } else {
                "AND ?2 IS NULL"
            },
            since = if since {
                "AND a.updated_at > ?6"
            } else {
                "AND ?6 IS NULL"
            },
        ),
        Selection::All => format!(
            "SELECT {COLUMNS} FROM articles \
             WHERE ?1 IS NULL {lang} AND (published_at, id) < (?3, ?4) \
             AND status = 'usable' AND (embargo_until IS NULL OR embargo_until <= ?5) {since} \
             ORDER BY published_at DESC, id DESC LIMIT ?7",
            lang = if lang {
                "AND lang_key = ?2"
            } else {
                "AND ?2 IS NULL"
            },
            since = if since {
                "AND updated_at > ?6"
            } else {
                "AND ?6 IS NULL"
            },
        ),
        Selection::Kills => format!(
            "SELECT {COLUMNS} FROM articles \
             WHERE ?1 IS NULL {lang} AND canceled_at IS NOT NULL AND (canceled_at, id) < (?3, ?4) \
             AND ?5 IS NOT NULL {since} \
             ORDER BY canceled_at DESC, id DESC LIMIT ?7",
            lang = if lang {
                "AND lang_key = ?2"
            } else {
                "AND ?2 IS NULL"
            },
            since = if since {
                "AND updated_at > ?6"
            } else {
                "AND ?6 IS NULL"
            },
        ),
    }
}

fn prefixed(prefix: &str) -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("{prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn page_params(
    q: &PageQuery,
) -> (
    Option<String>,
    Option<String>,
    i64,
    String,
    i64,
    Option<i64>,
    i64,
) {
    let topic = match &q.selection {
        Selection::Topic(t) => Some(t.clone()),
        _ => None,
    };
    let (key, id) = match &q.before {
        Some(c) => (c.key, c.id.clone()),
        None => (i64::MAX, String::new()),
    };
    (
        topic,
        q.lang.clone(),
        key,
        id,
        q.now,
        q.since,
        i64::from(q.limit),
    )
}

pub(super) fn explain_page(conn: &Connection, q: &PageQuery) -> Result<Vec<String>> {
    let sql = format!("EXPLAIN QUERY PLAN {}", page_sql(q));
    let p = page_params(q);
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params![p.0, p.1, p.2, p.3, p.4, p.5, p.6], |r| {
        r.get::<_, String>(3)
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn insert_topics(
    conn: &Connection,
    id: &str,
    published_at: i64,
    lang: &str,
    topics: &[TopicId],
) -> Result<()> {
    conn.prepare_cached("DELETE FROM article_topics WHERE article_id = ?1")?
        .execute([id])?;
    let mut st = conn.prepare_cached(
        "INSERT INTO article_topics (topic, published_at, article_id, lang_key) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for t in topics {
        st.execute(params![t, published_at, id, lang])?;
    }
    Ok(())
}

impl Store {
    /// Stores a draft with its final topics: creates it, adds a version, or changes nothing.
    ///
    /// `id` is used when the draft has none. Every version is kept in `article_versions`.
    pub fn upsert(
        &self,
        draft: &Draft,
        id: &ArticleId,
        topics: &[TopicId],
        now: DateTime<Utc>,
    ) -> Result<UpsertOutcome> {
        self.with_conn(|conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(StoreError::from_sqlite)?;
            let existing = get_in(&tx, id.as_str())?;
            let mut content = draft.content.clone();
            let now_ts = now.timestamp();
            let outcome = match &existing {
                Some(old) => {
                    if content.published_at.is_none() {
                        content.published_at = Some(old.published_at);
                    }
                    if content == old.content && topics == old.topics.as_slice() {
                        return Ok(UpsertOutcome::Unchanged(id.clone()));
                    }
                    UpsertOutcome::Updated(id.clone(), old.version + 1)
                }
                None => UpsertOutcome::Created(id.clone()),
            };
            let published_at = content.published_at.map(|t| t.timestamp()).unwrap_or(now_ts);
            let (version, created_at, updated_at, status) = match &existing {
                Some(old) => {
                    let updated = if draft.revision == Revision::Minor {
                        old.updated_at.timestamp()
                    } else {
                        now_ts
                    };
                    (old.version + 1, old.created_at.timestamp(), updated, old.status)
                }
                // A first version is as new as its publication date says.
                None => (1, now_ts, published_at, PubStatus::Usable),
            };
            let lang = lang_key(&content.language);
            tx.prepare_cached(
                "INSERT INTO articles (id, version, status, headline, summary, body, language, lang_key, \
                 byline, dateline, published_at, embargo_until, editor_topics, topics, keywords, urgency, \
                 translation_of, revision, correction_note, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21) \
                 ON CONFLICT (id) DO UPDATE SET version = excluded.version, headline = excluded.headline, \
                 summary = excluded.summary, body = excluded.body, language = excluded.language, \
                 lang_key = excluded.lang_key, byline = excluded.byline, dateline = excluded.dateline, \
                 published_at = excluded.published_at, embargo_until = excluded.embargo_until, \
                 editor_topics = excluded.editor_topics, topics = excluded.topics, keywords = excluded.keywords, \
                 urgency = excluded.urgency, translation_of = excluded.translation_of, \
                 revision = excluded.revision, correction_note = excluded.correction_note, \
                 updated_at = excluded.updated_at",
            )?
            .execute(params![
                id.as_str(),
                version,
                status.as_str(),
                content.headline,
                content.summary,
                content.body,
                content.language,
                lang,
                to_json(&content.byline),
                content.dateline,
                published_at,
                content.embargo_until.map(|t| t.timestamp()),
                to_json(&content.editor_topics),
                to_json(topics),
                to_json(&content.keywords),
                content.urgency,
                content.translation_of.as_ref().map(ArticleId::as_str),
                draft.revision.as_str(),
                draft.correction_note,
                created_at,
                updated_at,
            ])?;
            tx.prepare_cached(
                "INSERT INTO article_versions (article_id, version, status, revision, correction_note, content, topics, stored_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                id.as_str(),
                version,
                status.as_str(),
                draft.revision.as_str(),
                draft.correction_note,
                serde_json::to_string(&draft.content).expect("content always serialises"),
                to_json(topics),
                now_ts,
            ])?;
            insert_topics(&tx, id.as_str(), published_at, &lang, topics)?;
            tx.commit().map_err(StoreError::from_sqlite)?;
            Ok(outcome)
        })
    }

    /// Reads the current version of one article, whatever its status or embargo.
    pub fn get(&self, id: &str) -> Result<Option<Article>> {
        self.with_conn(|c| get_in(c, id))
    }

    /// Reads one feed page, newest first.
    pub fn page(&self, q: &PageQuery) -> Result<Vec<Article>> {
        self.with_conn(|conn| {
            let sql = page_sql(q);
            let p = page_params(q);
            let mut st = conn.prepare_cached(&sql)?;
            let raws = st
                .query_map(params![p.0, p.1, p.2, p.3, p.4, p.5, p.6], RawRow::read)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            drop(st);
            raws.into_iter()
                .map(|r| {
                    let mut a = r.into_article()?;
                    load_translations(conn, &mut a)?;
                    Ok(a)
                })
                .collect()
        })
    }

    /// Number of stored articles, whatever their status.
    pub fn count(&self) -> Result<u64> {
        self.with_conn(|c| {
            Ok(c.query_row("SELECT count(*) FROM articles", [], |r| r.get::<_, i64>(0))? as u64)
        })
    }

    /// Number of stored versions of one article.
    pub fn version_count(&self, id: &str) -> Result<u64> {
        self.with_conn(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM article_versions WHERE article_id = ?1",
                [id],
                |r| r.get::<_, i64>(0),
            )? as u64)
        })
    }

    /// Recomputes every article's final topics with `classify`; returns how many changed.
    ///
    /// Topic changes are not new versions: the text did not change, only our reading of it.
    pub fn reclassify(&self, mut classify: impl FnMut(&Article) -> Vec<TopicId>) -> Result<u64> {
        self.with_conn(|conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(StoreError::from_sqlite)?;
            let raws = {
                let mut st = tx.prepare(&format!("SELECT {COLUMNS} FROM articles"))?;
                st.query_map([], RawRow::read)?
                    .collect::<rusqlite::Result<Vec<_>>>()?
            };
            let mut changed = 0;
            for raw in raws {
                let a = raw.into_article()?;
                let topics = classify(&a);
                if topics != a.topics {
                    tx.prepare_cached("UPDATE articles SET topics = ?2 WHERE id = ?1")?
                        .execute(params![a.id.as_str(), to_json(&topics)])?;
                    insert_topics(
                        &tx,
                        a.id.as_str(),
                        a.published_at.timestamp(),
                        &lang_key(&a.content.language),
                        &topics,
                    )?;
                    changed += 1;
                }
            }
            tx.commit().map_err(StoreError::from_sqlite)?;
            Ok(changed)
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
