//! The built-in feed `urgent` (contract §15): stories with an IPTC urgency up to
//! `feeds.urgent_max`, indexed in `article_topics` under the reserved key `urgent` beside their
//! topics, so the feed pages, tombstones, `since=`, the page cache and the hub read it exactly
//! as they read a topic's feed. Only public stories are indexed (the feed is public; restricted
//! ones stay in their restricted feeds). The bound lives in `meta` like the restricted topics,
//! so every process on the database agrees on it (`Store::set_urgent_max`, settings.rs).

use super::Result;
use crate::config::URGENT;
use rusqlite::{Connection, OptionalExtension, params};

/// Whether the article is in the urgent index now.
pub(super) fn indexed(tx: &Connection, id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM article_topics WHERE article_id = ?1 AND topic = ?2")?
        .query_row(params![id, URGENT], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Puts the article in the urgent index or takes it out, from its stored row; returns whether
/// it is in now. Run after the article's row and topic rows are written.
pub(super) fn sync(tx: &Connection, id: &str) -> Result<bool> {
    tx.prepare_cached("DELETE FROM article_topics WHERE article_id = ?1 AND topic = ?2")?
        .execute(params![id, URGENT])?;
    let n = tx
        .prepare_cached(
            "INSERT INTO article_topics (topic, published_at, article_id, lang_key, updated_at, seen_at) \
             SELECT ?2, published_at, id, lang_key, updated_at, seen_at FROM articles \
             WHERE id = ?1 AND restricted = 0 AND urgency IS NOT NULL \
             AND urgency <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'urgent_max')",
        )?
        .execute(params![id, URGENT])?;
    Ok(n > 0)
}

/// Rebuilds the whole index (after the bound or the restricted topics changed).
pub(super) fn rebuild(tx: &Connection) -> Result<()> {
    // Its country pages too (`article_places`, migration 14).
    tx.execute("DELETE FROM article_places WHERE topic = ?1", [URGENT])?;
    tx.execute(
        "INSERT OR IGNORE INTO article_places (country, topic, published_at, article_id, lang_key, seen_at) \
         SELECT p.value, ?1, a.published_at, a.id, a.lang_key, a.seen_at FROM articles a, json_each(a.places) p \
         WHERE a.restricted = 0 AND a.urgency <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'urgent_max')",
        [URGENT],
    )?;
    tx.execute("DELETE FROM article_topics WHERE topic = ?1", [URGENT])?;
    tx.execute(
        "INSERT INTO article_topics (topic, published_at, article_id, lang_key, updated_at, seen_at) \
         SELECT ?1, published_at, id, lang_key, updated_at, seen_at FROM articles \
         WHERE restricted = 0 AND urgency IS NOT NULL \
         AND urgency <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'urgent_max')",
        [URGENT],
    )?;
    Ok(())
}
