//! Article reads: one article, feed pages by index range, embargo bounds.

use super::page_sql::{few_changes, page_params, page_sql, search_page, walks_search_index};
use super::row::{COLUMNS, Cursor, PageQuery, RawRow, Selection, json_list, ts};
use super::{Result, Store, StoreError};
use crate::model::{Article, ArticleId, PubStatus};
use rusqlite::{Connection, OptionalExtension, params};

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

/// What an article links to, read with it: translations, pictures, and up to `related`
/// related stories.
pub(super) fn load_links(
    conn: &Connection,
    a: &mut Article,
    now: i64,
    related: usize,
) -> Result<()> {
    load_translations(conn, a, now)?;
    super::related::load(conn, a, now, related)?;
    super::takes::load_takes(conn, a, now)?;
    super::media::load_pictures(conn, a)
}

pub(super) fn get_in(
    conn: &Connection,
    id: &str,
    now: i64,
    related: usize,
) -> Result<Option<Article>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM articles WHERE id = ?1"))?;
    let raw = st.query_row([id], RawRow::read).optional()?;
    raw.map(|r| {
        let mut a = r.into_article()?;
        load_links(conn, &mut a, now, related)?;
        Ok(a)
    })
    .transpose()
}

impl Store {
    /// Reads the current version of one article, whatever its status or embargo.
    ///
    /// Translation links only point to articles visible at `now`.
    pub fn get(&self, id: &str, now: i64) -> Result<Option<Article>> {
        self.with_snapshot(|c| get_in(c, id, now, self.related_shown()))
    }

    /// Reads one feed page, newest first.
    pub fn page(&self, q: &PageQuery) -> Result<Vec<Article>> {
        self.with_snapshot(|conn| {
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
                    load_links(conn, &mut a, q.now, self.related_shown())?;
                    Ok(a)
                })
                .collect::<Result<Vec<_>>>()?;
            if q.after.is_some() {
                out.reverse();
            }
            Ok(out)
        })
    }

    /// Of `codes`, the countries with at least one public, usable, visible story (the OPML's
    /// country feeds): one probe of `article_places` per code, newest story first.
    pub fn countries_with_stories(&self, codes: &[&str], now: i64) -> Result<Vec<String>> {
        self.with_conn(|c| {
            let mut st = c.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM article_places p JOIN articles a ON a.id = p.article_id \
                 WHERE p.country = ?1 AND p.topic = '' AND a.status = 'usable' AND a.restricted = 0 \
                 AND (a.embargo_until IS NULL OR a.embargo_until <= ?2))",
            )?;
            let mut out = Vec::new();
            for code in codes {
                if st.query_row(params![code, now], |r| r.get::<_, bool>(0))? {
                    out.push((*code).to_owned());
                }
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
        country: Option<&str>,
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
                 AND (?5 IS NULL OR EXISTS (SELECT 1 FROM article_places p WHERE p.article_id = articles.id \
                 AND p.country = ?5 AND p.topic = coalesce(?3, ''))) \
                 ORDER BY canceled_at DESC, id DESC LIMIT ?4"
            ))?;
            let raws = st
                .query_map(
                    params![after, lang, topic, i64::from(limit), country],
                    RawRow::read,
                )?
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
