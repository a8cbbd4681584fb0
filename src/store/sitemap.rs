//! What the sitemaps list (docs/api.md, Sitemaps): public stories a crawler may read, found by
//! index ranges of `articles_by_published` only (no OFFSET, no sort): the UTC days that have
//! any (one seek per day), one day's stories, and the newest stories since a moment.
//!
//! A story is listed when anyone may read its page now: usable (not withheld, not killed),
//! not subscriber-only, and out of embargo.

use super::{Result, Store};
use rusqlite::{Connection, params};

/// The most URLs one sitemap file may hold (sitemaps.org 0.9), and the most sitemaps one index
/// may name.
pub const SITEMAP_MAX: u32 = 50_000;

/// Seconds in a UTC day: the archive sitemaps are one per day.
pub const DAY: i64 = 86_400;

/// The condition every sitemap query adds (`?now` is its parameter number).
fn readable(now: &str) -> String {
    format!(
        "status = 'usable' AND restricted = 0 AND (embargo_until IS NULL OR embargo_until <= {now})"
    )
}

/// One story as a sitemap names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapRow {
    /// Article id.
    pub id: String,
    /// Headline (the news sitemap's `news:title`).
    pub headline: String,
    /// BCP 47 language tag, as written.
    pub language: String,
    /// Unix seconds.
    pub published_at: i64,
    /// The writer's UTC offset in seconds, when given.
    pub published_offset: Option<i32>,
    /// Unix seconds of the last change readers see.
    pub updated_at: i64,
    /// Unix seconds of a lifted embargo (a story appears then, without a write).
    pub embargo_until: Option<i64>,
}

const COLUMNS: &str =
    "id, headline, language, published_at, published_offset, updated_at, embargo_until";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SitemapRow> {
    Ok(SitemapRow {
        id: r.get(0)?,
        headline: r.get(1)?,
        language: r.get(2)?,
        published_at: r.get(3)?,
        published_offset: r.get::<_, Option<i64>>(4)?.map(|o| o as i32),
        updated_at: r.get(5)?,
        embargo_until: r.get(6)?,
    })
}

fn first_sql() -> String {
    format!(
        "SELECT published_at FROM articles INDEXED BY articles_by_published \
         WHERE published_at >= ?1 AND {} ORDER BY published_at ASC, id ASC LIMIT 1",
        readable("?2")
    )
}

fn range_sql() -> String {
    format!(
        "SELECT {COLUMNS} FROM articles INDEXED BY articles_by_published \
         WHERE published_at >= ?1 AND published_at < ?2 AND {} \
         ORDER BY published_at DESC, id DESC LIMIT ?4",
        readable("?3")
    )
}

/// The first readable story's `published_at` at or after `from`: one walk of the index from
/// `from` up, stopping at the first match.
fn first_from(conn: &Connection, from: i64, now: i64) -> Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(&first_sql())?
        .query_row(params![from, now], |r| r.get(0))
        .optional()?)
}

impl Store {
    /// The UTC days (as the Unix second each starts at) with at least one readable story,
    /// oldest first, at most [`SITEMAP_MAX`]: a skip scan, one index seek per day.
    pub fn sitemap_days(&self, now: i64) -> Result<Vec<i64>> {
        self.with_conn(|c| {
            let mut days = Vec::new();
            let mut from = i64::MIN;
            while days.len() < SITEMAP_MAX as usize {
                let Some(t) = first_from(c, from, now)? else {
                    break;
                };
                let day = t.div_euclid(DAY) * DAY;
                days.push(day);
                from = day + DAY;
            }
            Ok(days)
        })
    }

    /// The readable stories published in `[start, end)`, newest first, at most `limit`.
    pub fn sitemap_range(
        &self,
        start: i64,
        end: i64,
        now: i64,
        limit: u32,
    ) -> Result<Vec<SitemapRow>> {
        self.with_conn(|c| {
            let rows = c
                .prepare_cached(&range_sql())?
                .query_map(params![start, end, now, limit], row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ArticleId, Content, Draft, Revision};
    use chrono::DateTime;

    fn draft(id: &str, published_at: i64, embargo: Option<i64>) -> Draft {
        Draft {
            id: Some(ArticleId::parse(id).unwrap()),
            content: Content {
                headline: format!("Story {id}"),
                summary: None,
                body: "The ministry confirmed the figures.".into(),
                language: "en".into(),
                byline: Vec::new(),
                dateline: None,
                published_at: DateTime::from_timestamp(published_at, 0),
                published_offset: None,
                embargo_until: embargo.and_then(|e| DateTime::from_timestamp(e, 0)),
                editor_topics: Vec::new(),
                editor_places: Vec::new(),
                keywords: Vec::new(),
                urgency: None,
                translation_of: None,
                media: Vec::new(),
                usage_terms: None,
                evolved_from: None,
                slugline: None,
            },
            revision: Revision::Update,
            correction_note: None,
            media_files: Vec::new(),
        }
    }

    fn store_with(stories: &[(&str, i64, Option<i64>)]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db"), true).unwrap();
        let now = DateTime::from_timestamp(2_000_000_000, 0).unwrap();
        for (id, at, embargo) in stories {
            let d = draft(id, *at, *embargo);
            let id = d.id.clone().unwrap();
            store.upsert(&d, &id, &[], &[], now).unwrap().unwrap();
        }
        (dir, store)
    }

    #[test]
    fn a_range_is_capped_newest_first_and_never_lists_an_embargoed_story() {
        let base = 1_800_000_000;
        let mut stories: Vec<(String, i64, Option<i64>)> = (0..7)
            .map(|i| (format!("s{i}"), base + i * 60, None))
            .collect();
        // Embargoed until after `now`: readable by nobody yet.
        stories.push(("held".into(), base + 600, Some(base + 10_000)));
        let refs: Vec<(&str, i64, Option<i64>)> = stories
            .iter()
            .map(|(i, t, e)| (i.as_str(), *t, *e))
            .collect();
        let (_dir, store) = store_with(&refs);
        let now = base + 1_000;
        // The control: with room for everything, all seven readable stories, newest first.
        let all = store.sitemap_range(base, base + DAY, now, 1_000).unwrap();
        let ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["s6", "s5", "s4", "s3", "s2", "s1", "s0"]);
        // The cap keeps the newest (the news sitemap's 1,000, here 3).
        let capped = store.sitemap_range(base, base + DAY, now, 3).unwrap();
        let ids: Vec<&str> = capped.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["s6", "s5", "s4"]);
        // After the lift, the held story is listed too.
        let later = store
            .sitemap_range(base, base + DAY, base + 10_000, 1_000)
            .unwrap();
        assert_eq!(later.first().map(|r| r.id.as_str()), Some("held"));
    }

    #[test]
    fn both_queries_are_ranges_of_the_published_index_without_a_sort() {
        let (_dir, store) = store_with(&[]);
        let (two, four): (&[i64], &[i64]) = (&[0, 1], &[0, 1, 2, 3]);
        for (sql, params) in [(first_sql(), two), (range_sql(), four)] {
            let plan: Vec<String> = store
                .with_conn(|c| {
                    let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let rows = st
                        .query_map(rusqlite::params_from_iter(params), |r| {
                            r.get::<_, String>(3)
                        })?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    Ok(rows)
                })
                .unwrap();
            let text = plan.join("\n");
            assert!(
                text.contains("SEARCH articles USING INDEX articles_by_published (published_at>"),
                "{sql}:\n{text}"
            );
            assert!(!text.contains("TEMP B-TREE"), "{sql} sorts:\n{text}");
        }
    }

    #[test]
    fn days_are_found_one_seek_each_oldest_first() {
        let d0 = 1_800_000_000 / DAY * DAY;
        let (_dir, store) = store_with(&[
            ("a", d0 + 10, None),
            ("b", d0 + 20, None),
            ("c", d0 + 3 * DAY + 5, None),
            // Only an embargoed story that day: no sitemap for it yet.
            ("d", d0 + 5 * DAY, Some(d0 + 9 * DAY)),
        ]);
        assert_eq!(
            store.sitemap_days(d0 + 6 * DAY).unwrap(),
            vec![d0, d0 + 3 * DAY]
        );
        assert_eq!(
            store.sitemap_days(d0 + 9 * DAY).unwrap(),
            vec![d0, d0 + 3 * DAY, d0 + 5 * DAY]
        );
    }
}
