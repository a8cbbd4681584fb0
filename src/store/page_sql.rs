//! The SQL of one feed page: which index range it walks (by feed order, or by change time for a
//! `since=` poll that few rows answer), with its language, search and paging conditions.

use super::Result;
use super::read::{COLUMNS, PageQuery, Selection};
use rusqlite::types::Value;
use rusqlite::{Connection, params};

/// Up to this many changed rows (twice a full page), a `since=` page is found by change time and
/// sorted; beyond,
/// the feed order is walked and filtered (the changed rows are then dense near its top).
const FEW_CHANGES: i64 = 100;

/// Whether few enough rows of the selection changed since `q.since` to find them by change time.
pub(super) fn few_changes(conn: &Connection, q: &PageQuery) -> Result<bool> {
    let Some(since) = q.since else {
        return Ok(false);
    };
    let n: i64 = match &q.selection {
        Selection::Topic(t) => conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM article_topics INDEXED BY article_topics_by_seen \
                 WHERE topic = ?1 AND seen_at > ?2 LIMIT ?3)",
            )?
            .query_row(params![t, since, FEW_CHANGES + 1], |r| r.get(0))?,
        _ => conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM articles INDEXED BY articles_by_seen \
                 WHERE seen_at > ?1 LIMIT ?2)",
            )?
            .query_row(params![since, FEW_CHANGES + 1], |r| r.get(0))?,
    };
    Ok(n <= FEW_CHANGES)
}

pub(super) fn page_sql(q: &PageQuery, by_change: bool) -> String {
    let lang = q.lang.is_some();
    let since = q.since.is_some();
    let search = q.search.is_some();
    let matching = |rowid: &str| {
        if search {
            format!("AND {rowid} IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?8)")
        } else {
            "AND ?8 IS NULL".to_owned()
        }
    };
    // Few changed rows: find them by change time and sort them. Many: walk the feed order and
    // filter (`+` keeps SQLite off the change-time index).
    let recent = since && by_change;
    let plus = if recent { "" } else { "+" };
    // Newer-than pages walk the same index upwards; the caller reverses them.
    let (cmp, dir) = if q.after.is_some() {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    let opt = |on: bool, clause: &str, param: &str| {
        if on {
            format!("AND {clause}")
        } else {
            format!("AND {param} IS NULL")
        }
    };
    let sql = match &q.selection {
        // With `since`, the changed rows are few: find them by update time, then sort them.
        Selection::Topic(_) => format!(
            "SELECT {cols} FROM article_topics t {hint} JOIN articles a ON a.id = t.article_id \
             WHERE t.topic = ?1 {lang} AND (t.published_at, t.article_id) {cmp} (?3, ?4) \
             AND a.status = 'usable' AND (a.embargo_until IS NULL OR a.embargo_until <= ?5) {since} {search} \
             ORDER BY t.published_at {dir}, t.article_id {dir} LIMIT ?7",
            search = matching("a.rowid"),
            cols = if recent {
                "a.rowid".to_owned()
            } else {
                prefixed("a.")
            },
            hint = if recent {
                "INDEXED BY article_topics_by_seen"
            } else {
                ""
            },
            lang = opt(lang, "t.lang_key = ?2", "?2"),
            since = opt(since, &format!("{plus}t.seen_at > ?6"), "?6"),
        ),
        Selection::All => format!(
            "SELECT {cols} FROM articles {hint} \
             WHERE ?1 IS NULL {lang} AND (published_at, id) {cmp} (?3, ?4) \
             AND status = 'usable' AND restricted = 0 AND (embargo_until IS NULL OR embargo_until <= ?5) {since} {search} \
             ORDER BY published_at {dir}, id {dir} LIMIT ?7",
            search = matching("rowid"),
            cols = if recent { "rowid" } else { COLUMNS },
            hint = if recent {
                "INDEXED BY articles_by_seen"
            } else {
                ""
            },
            lang = opt(lang, "lang_key = ?2", "?2"),
            since = opt(since, &format!("{plus}seen_at > ?6"), "?6"),
        ),
        Selection::Kills => format!(
            "SELECT {COLUMNS} FROM articles \
             WHERE ?1 IS NULL {lang} AND canceled_at IS NOT NULL AND (canceled_at, id) {cmp} (?3, ?4) \
             AND ?5 IS NOT NULL AND restricted = 0 {since} {search} \
             ORDER BY canceled_at {dir}, id {dir} LIMIT ?7",
            search = matching("rowid"),
            lang = opt(lang, "lang_key = ?2", "?2"),
            since = opt(since, "seen_at > ?6", "?6"),
        ),
    };
    if recent && q.selection != Selection::Kills {
        // The changed rows are sorted by their keys alone, then only the page's rows are read
        // whole: sorting hundreds of full rows (bodies included) cost more than finding them.
        format!(
            "SELECT {COLUMNS} FROM articles WHERE rowid IN ({sql}) ORDER BY published_at {dir}, id {dir}"
        )
    } else {
        sql
    }
}

pub(super) fn prefixed(prefix: &str) -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("{prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The parameters `?1`–`?8` of [`page_sql`].
pub(super) fn page_params(q: &PageQuery) -> [Value; 8] {
    let topic = match &q.selection {
        Selection::Topic(t) => Some(t.clone()),
        _ => None,
    };
    let (key, id) = match (&q.before, &q.after) {
        (Some(c), _) | (None, Some(c)) => (c.key, c.id.clone()),
        (None, None) => (i64::MAX, String::new()),
    };
    [
        topic.into(),
        q.lang.clone().into(),
        key.into(),
        id.into(),
        q.now.into(),
        q.since.into(),
        i64::from(q.limit).into(),
        q.search.clone().into(),
    ]
}

pub(super) fn explain_page(
    conn: &Connection,
    q: &PageQuery,
    by_change: bool,
) -> Result<Vec<String>> {
    let sql = format!("EXPLAIN QUERY PLAN {}", page_sql(q, by_change));
    let p = page_params(q);
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(rusqlite::params_from_iter(p), |r| r.get::<_, String>(3))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
