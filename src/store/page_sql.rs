//! The SQL of one feed page: which index range it walks (by feed order, or by change time for a
//! `since=` poll that few rows answer, or the search index for a saved search), with its
//! language, search and paging conditions.

use super::Result;
use super::fts;
use super::row::{COLUMNS, PageQuery, RawRow, Selection};
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
    let n: i64 = match (&q.selection, &q.country) {
        (Selection::All | Selection::Topic(_), Some(country)) => conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM article_places INDEXED BY article_places_by_seen \
                 WHERE country = ?1 AND topic = ?2 AND seen_at > ?3 LIMIT ?4)",
            )?
            .query_row(
                params![country, place_scope(&q.selection), since, FEW_CHANGES + 1],
                |r| r.get(0),
            )?,
        (Selection::Topic(t), None) => conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM article_topics INDEXED BY article_topics_by_seen \
                 WHERE topic = ?1 AND seen_at > ?2 LIMIT ?3)",
            )?
            .query_row(params![t, since, FEW_CHANGES + 1], |r| r.get(0))?,
        (_, _) => conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM articles INDEXED BY articles_by_seen \
                 WHERE seen_at > ?1 LIMIT ?2)",
            )?
            .query_row(params![since, FEW_CHANGES + 1], |r| r.get(0))?,
    };
    Ok(n <= FEW_CHANGES)
}

/// The `topic` column of `article_places` a selection reads: '' for the `all` feed.
fn place_scope(selection: &Selection) -> &str {
    match selection {
        Selection::Topic(t) => t.as_str(),
        _ => "",
    }
}

/// `?latest=true` (contract §15): leave out a story a later take replaced, one usable and out of
/// embargo that the page's readers may read (public, or with one of the topics in `?11`, a
/// JSON array). One probe of the partial index `articles_by_evolved_from` per row the walk
/// reaches: the page stays one index range.
fn not_replaced(q: &PageQuery, a: &str) -> String {
    if q.latest.is_none() {
        return "AND ?11 IS NULL".to_owned();
    }
    format!(
        "AND NOT EXISTS (SELECT 1 FROM articles r INDEXED BY articles_by_evolved_from \
         WHERE r.evolved_from = {a}.id AND r.status = 'usable' \
         AND (r.embargo_until IS NULL OR r.embargo_until <= ?5) \
         AND (r.restricted = 0 OR EXISTS (SELECT 1 FROM article_topics rt \
         WHERE rt.article_id = r.id AND rt.topic IN (SELECT value FROM json_each(?11)))))"
    )
}

pub(super) fn page_sql(q: &PageQuery, by_change: bool) -> String {
    let lang = q.lang.is_some();
    let since = q.since.is_some();
    let search = q.search.is_some();
    // Few changed rows: find them by change time and sort them. Many: walk the feed order and
    // filter (`+` keeps SQLite off the change-time index).
    let recent = since && by_change;
    if walks_search_index(q, by_change) {
        return search_page_sql(q, false);
    }
    // The few rows a change-time or kills walk reaches each ask the search index about
    // themselves (gathering every match of a common word first cost 100–650 ms at 1M). A prefix
    // is the exception: FTS5 merges the postings of every word it starts at each question
    // (60 questions took 690 ms for `migra*`), so its matches are gathered once instead, from
    // the oldest changed row's second up (the changed rows are few, see `few_changes`).
    let prefix = q.search.as_deref().is_some_and(is_prefix_search);
    let matching = |a: &str| {
        if !search {
            "AND ?8 IS NULL".to_owned()
        } else if prefix {
            let oldest = match &q.selection {
                Selection::Topic(_) => Some(
                    "SELECT min(published_at) FROM article_topics INDEXED BY article_topics_by_seen \
                     WHERE topic = ?1 AND seen_at > ?6",
                ),
                Selection::All => Some(
                    "SELECT min(published_at) FROM articles INDEXED BY articles_by_seen WHERE seen_at > ?6",
                ),
                // Kills are few and not walked by change time: every match.
                Selection::Kills => None,
            };
            let from = oldest
                .map(|o| format!("AND rowid >= {}", fts::first_key_sql(&format!("({o})"))))
                .unwrap_or_default();
            format!(
                "AND {} IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?8 {from})",
                fts::key_sql(a)
            )
        } else {
            format!(
                "AND EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ?8 AND rowid = {})",
                fts::key_sql(a)
            )
        }
    };
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
        // A country's page of a feed: one index range of `article_places` (scope '' is `all`,
        // which never lists subscriber-only stories).
        Selection::Topic(_) | Selection::All if q.country.is_some() => format!(
            "SELECT {cols} FROM article_places p {hint} JOIN articles a ON a.id = p.article_id \
             WHERE p.country = ?10 AND p.topic = coalesce(?1, '') {lang} AND (p.published_at, p.article_id) {cmp} (?3, ?4) \
             AND a.status = 'usable' {public} AND (a.embargo_until IS NULL OR a.embargo_until <= ?5) {since} {search} \
             AND ?9 IS NOT NULL {latest} ORDER BY p.published_at {dir}, p.article_id {dir} LIMIT ?7",
            search = matching("a"),
            latest = not_replaced(q, "a"),
            cols = if recent {
                "a.rowid".to_owned()
            } else {
                prefixed("a.")
            },
            hint = if recent {
                "INDEXED BY article_places_by_seen"
            } else {
                ""
            },
            public = if q.selection == Selection::All {
                "AND a.restricted = 0"
            } else {
                ""
            },
            lang = opt(lang, "p.lang_key = ?2", "?2"),
            since = opt(since, &format!("{plus}p.seen_at > ?6"), "?6"),
        ),
        // With `since`, the changed rows are few: find them by update time, then sort them.
        Selection::Topic(_) => format!(
            "SELECT {cols} FROM article_topics t {hint} JOIN articles a ON a.id = t.article_id \
             WHERE t.topic = ?1 {lang} AND (t.published_at, t.article_id) {cmp} (?3, ?4) \
             AND a.status = 'usable' AND (a.embargo_until IS NULL OR a.embargo_until <= ?5) {since} {search} \
             AND ?9 IS NOT NULL AND ?10 IS NULL {latest} ORDER BY t.published_at {dir}, t.article_id {dir} LIMIT ?7",
            search = matching("a"),
            latest = not_replaced(q, "a"),
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
             AND ?9 IS NOT NULL AND ?10 IS NULL {latest} ORDER BY published_at {dir}, id {dir} LIMIT ?7",
            search = matching("articles"),
            latest = not_replaced(q, "articles"),
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
             AND ?9 IS NOT NULL AND (?10 IS NULL OR EXISTS (SELECT 1 FROM article_places p \
             WHERE p.article_id = articles.id AND p.country = ?10 AND p.topic = '')) {latest} \
             ORDER BY canceled_at {dir}, id {dir} LIMIT ?7",
            search = matching("articles"),
            latest = not_replaced(q, "articles"),
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

/// Whether a MATCH expression made by [`super::SearchQuery::match_expr`] has a prefix term
/// (written `"text" *`; a term's text holds only letters, digits and spaces).
fn is_prefix_search(expr: &str) -> bool {
    expr.contains("\" *")
}

/// Whether a page is a saved search's walk of the search index (see [`search_page_sql`]).
pub(super) fn walks_search_index(q: &PageQuery, by_change: bool) -> bool {
    q.search.is_some() && !(q.since.is_some() && by_change) && q.selection != Selection::Kills
}

/// A saved search's page (`?q=` on a feed): the search index hands out its matches in feed
/// order to the second (see [`fts`]), so the walk stops after the page's last item whatever
/// the number of matches. It reads one row past the page: when that row shares the last item's
/// second, the caller reads that whole second again (`tie`, parameter `?12`) and sorts by
/// `(published_at, id)` like every feed.
fn search_page_sql(q: &PageQuery, tie: bool) -> String {
    let (cmp, bound, dir) = if q.after.is_some() {
        (">", ">=", "ASC")
    } else {
        ("<", "<", "DESC")
    };
    let selection = match &q.selection {
        // The topic is a facet in the MATCH expression.
        Selection::Topic(_) => "?1 IS NOT NULL",
        _ => "?1 IS NULL AND a.restricted = 0",
    };
    let since = if q.since.is_some() {
        "a.seen_at > ?6"
    } else {
        "?6 IS NULL"
    };
    let (second, limit) = if tie {
        (
            format!(
                "AND f.rowid >= (?12 << {b}) AND f.rowid < ((?12 + 1) << {b}) AND ?7 IS NOT NULL",
                b = fts::ROWID_BITS
            ),
            "",
        )
    } else {
        (String::new(), "LIMIT ?7 + 1")
    };
    format!(
        "SELECT {cols} FROM articles_fts f CROSS JOIN articles a ON a.rowid = (f.rowid & {mask}) \
         WHERE articles_fts MATCH ?8 AND f.rowid {bound} ?9 {second} AND {selection} AND (?2 IS NULL OR 1) \
         AND (a.published_at, a.id) {cmp} (?3, ?4) AND a.status = 'usable' \
         AND (a.embargo_until IS NULL OR a.embargo_until <= ?5) AND {since} \
         AND (?10 IS NULL OR EXISTS (SELECT 1 FROM article_places p \
         WHERE p.article_id = a.id AND p.country = ?10 AND p.topic = coalesce(?1, ''))) {latest} \
         ORDER BY f.rowid {dir} {limit}",
        latest = not_replaced(q, "a"),
        cols = prefixed("a."),
        mask = fts::ROWID_MASK_SQL,
    )
}

/// A saved search's page in feed order: the search index's walk (in `published_at` order to the
/// second), completed by the whole second of its last item when that second runs past the page,
/// then sorted by `(published_at, id)` in the page's direction.
pub(super) fn search_page(conn: &Connection, q: &PageQuery) -> Result<Vec<RawRow>> {
    let limit = q.limit as usize;
    let params = page_params(q);
    let mut rows = conn
        .prepare_cached(&search_page_sql(q, false))?
        .query_map(rusqlite::params_from_iter(params.iter()), RawRow::read)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if limit > 0 && rows.len() > limit {
        let edge = fts::second(rows[limit - 1].published_at);
        if fts::second(rows[limit].published_at) == edge {
            // The edge second runs past the page: read all of it instead.
            rows.retain(|r| fts::second(r.published_at) != edge);
            let mut st = conn.prepare_cached(&search_page_sql(q, true))?;
            let tie = params.iter().cloned().chain([Value::from(edge)]);
            rows.extend(
                st.query_map(rusqlite::params_from_iter(tie), RawRow::read)?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
            );
        }
    }
    if q.after.is_some() {
        rows.sort_unstable_by(|a, b| (a.published_at, &a.id).cmp(&(b.published_at, &b.id)));
    } else {
        rows.sort_unstable_by(|a, b| (b.published_at, &b.id).cmp(&(a.published_at, &a.id)));
    }
    rows.truncate(limit);
    Ok(rows)
}

pub(super) fn prefixed(prefix: &str) -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("{prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The parameters `?1`–`?11` of [`page_sql`].
pub(super) fn page_params(q: &PageQuery) -> [Value; 11] {
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
        q.search
            .as_ref()
            .map(|text| {
                let topic = match &q.selection {
                    Selection::Topic(t) => Some(t.as_str()),
                    _ => None,
                };
                fts::scoped(text, q.lang.as_deref(), topic)
            })
            .into(),
        // The search index's bound for the cursor (see `search_page_sql`).
        match (&q.before, &q.after) {
            (Some(c), _) => fts::before_bound(c.key),
            (None, Some(c)) => fts::first_key(c.key),
            (None, None) => i64::MAX,
        }
        .into(),
        q.country.clone().into(),
        q.latest
            .as_ref()
            .map(|topics| serde_json::to_string(topics).expect("topic ids always serialise"))
            .into(),
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
