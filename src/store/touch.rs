//! A story moved by a change to something it shows (one of its pictures, a take it links to):
//! its change time (the documents' validators), its `since=` position and the feeds that list
//! it, as if it had been edited.

use super::Result;
use super::changes::{SCOPE_ALL, topic_scope};
use super::row::json_list;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeSet;

/// Moves story `id` to `now_ms` or, when that is not later, to the start of the next whole
/// second after its last change: `Last-Modified` has one-second resolution, so a change in the
/// same second as the last one must still move it (else an `If-Modified-Since` poller keeps a
/// stale copy). Adds the scopes of the feeds that list it. `false` when there is no such story.
pub(super) fn touch_story(
    tx: &Connection,
    id: &str,
    now_ms: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<bool> {
    let topics: Option<String> = tx
        .prepare_cached(
            "UPDATE articles SET changed_at = max(?2, (changed_at / 1000 + 1) * 1000), \
             seen_at = max(seen_at, max(?2, (changed_at / 1000 + 1) * 1000)) \
             WHERE id = ?1 RETURNING topics",
        )?
        .query_row(params![id, now_ms], |r| r.get(0))
        .optional()?;
    let Some(topics) = topics else {
        return Ok(false);
    };
    tx.prepare_cached(
        "UPDATE article_topics SET seen_at = (SELECT seen_at FROM articles WHERE id = ?1) \
         WHERE article_id = ?1",
    )?
    .execute([id])?;
    scopes.insert(SCOPE_ALL.to_owned());
    scopes.extend(json_list(&topics)?.iter().map(|t| topic_scope(t)));
    Ok(true)
}
