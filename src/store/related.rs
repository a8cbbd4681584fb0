//! Related stories (contract §15; docs/api.md, Related stories): each article keeps a short
//! ranked list of other stories in its language, written in the same transaction as the
//! article, so a feed page reads them with one index range per item instead of searching.
//!
//! Ranking: stories that share a topic *and* a place with it first, then those sharing more
//! topics and places, then, only to fill the list, the most similar headlines by the search
//! index; newest first among equals. Candidates are the newest stories of each of its topics and
//! countries published up to [`AFTER`] after it (a follow-up filed the next day is related; the
//! archive of ten years later is not).
//!
//! Only public, usable stories are kept; whether one is visible (its embargo) is decided when
//! the list is read, so a story out of embargo joins the lists by itself. When a story is filed,
//! the stories it lists are recomputed too (so they link back to it when it ranks); when one
//! is killed or becomes subscriber-only, every list naming it is recomputed. Each recomputed
//! list that changed moves its article's feeds (their scopes), so no cached feed keeps a stale
//! list.

use super::Result;
use super::changes::{SCOPE_ALL, topic_scope};
use super::fts::{ROWID_MASK_SQL, before_bound, scoped};
use crate::model::Related;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeSet;

/// Stories kept beyond `feeds.related`, shown in place of any that is under embargo when read.
const SPARE: usize = 3;
/// Candidates read from each topic and country, newest first.
const PER_RANGE: i64 = 16;
/// Search matches ranked when the topics and places do not fill the list.
const TEXT_CANDIDATES: i64 = 64;
/// Headline words the text search looks for.
const TEXT_WORDS: usize = 8;
/// How long after a story its related stories may have been published (seconds).
pub const AFTER: i64 = 2 * 86_400;

/// How many related stories lists keep (`feeds.related`, in `meta`, plus the spares).
fn kept(tx: &Connection) -> Result<usize> {
    let shown = tx
        .prepare_cached("SELECT value FROM meta WHERE key = 'related'")?
        .query_row([], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(crate::config::DEFAULT_RELATED);
    Ok(if shown == 0 { 0 } else { shown + SPARE })
}

/// What ranking needs to know about the story whose list is computed.
struct Seed {
    rowid: i64,
    published_at: i64,
    lang: String,
    topics: Vec<String>,
    places: Vec<String>,
    headline: String,
    public: bool,
}

fn seed(tx: &Connection, id: &str) -> Result<Option<Seed>> {
    let row = tx
        .prepare_cached(
            "SELECT rowid, published_at, lang_key, topics, places, headline, \
             status = 'usable' AND restricted = 0 FROM articles WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, bool>(6)?,
            ))
        })
        .optional()?;
    row.map(
        |(rowid, published_at, lang, topics, places, headline, public)| {
            Ok(Seed {
                rowid,
                published_at,
                lang,
                topics: super::row::json_list(&topics)?,
                places: super::row::json_list(&places)?,
                headline,
                public,
            })
        },
    )
    .transpose()
}

/// A candidate's standing: (shares a topic and a place, topics + places shared, published).
type Standing = (bool, usize, i64);

/// One story of a list: its id and when it was published.
type Listed = (String, i64);

/// The ranked list for `id`: at most `n` public, usable stories other than itself.
fn rank(tx: &Connection, id: &str, s: &Seed, n: usize) -> Result<Vec<Listed>> {
    let until = s.published_at.saturating_add(AFTER);
    let mut found: BTreeSet<String> = BTreeSet::new();
    // The primary keys (topic or country, then date): present even during a bulk load, which
    // drops the language indexes.
    let mut by_topic = tx.prepare_cached(
        "SELECT article_id FROM article_topics WHERE topic = ?1 AND published_at <= ?2 \
         AND lang_key = ?3 ORDER BY published_at DESC LIMIT ?4",
    )?;
    for t in &s.topics {
        let rows = by_topic.query_map(params![t, until, s.lang, PER_RANGE], |r| r.get(0))?;
        for r in rows {
            found.insert(r?);
        }
    }
    let mut by_place = tx.prepare_cached(
        "SELECT article_id FROM article_places WHERE country = ?1 AND topic = '' \
         AND published_at <= ?2 AND lang_key = ?3 ORDER BY published_at DESC LIMIT ?4",
    )?;
    for c in &s.places {
        let rows = by_place.query_map(params![c, until, s.lang, PER_RANGE], |r| r.get(0))?;
        for r in rows {
            found.insert(r?);
        }
    }
    found.remove(id);
    let mut details = tx.prepare_cached(
        "SELECT topics, places, published_at FROM articles \
         WHERE id = ?1 AND status = 'usable' AND restricted = 0",
    )?;
    let mut standing: Vec<(Standing, String)> = Vec::with_capacity(found.len());
    for cand in found {
        let Some((topics, places, published)) = details
            .query_row([&cand], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .optional()?
        else {
            continue;
        };
        let topics: Vec<String> = super::row::json_list(&topics)?;
        let places: Vec<String> = super::row::json_list(&places)?;
        let shared_t = topics.iter().filter(|t| s.topics.contains(t)).count();
        let shared_p = places.iter().filter(|p| s.places.contains(p)).count();
        standing.push((
            (shared_t > 0 && shared_p > 0, shared_t + shared_p, published),
            cand,
        ));
    }
    // Best first; newest first among equals; the id last, so the order is total.
    standing.sort_by(|a, b| b.cmp(a));
    let mut out: Vec<Listed> = standing
        .into_iter()
        .take(n)
        .map(|((_, _, published), id)| (id, published))
        .collect();
    if out.len() < n {
        similar_text(tx, id, s, until, n, &mut out)?;
    }
    Ok(out)
}

/// Fills `out` up to `n` with the stories whose text best matches `s`'s headline: the
/// [`TEXT_CANDIDATES`] newest stories the search index finds for its words, ranked by the words
/// each one's headline and summary share with it, a word weighing less the more candidates
/// hold it; newest first among equals. Not `bm25()`: FTS5 counts, for every query, all the rows
/// that hold each word (its whole doclist), so the cost of each story grew with the archive and
/// a bulk import with it (docs/benchmarks.md, Bulk import). Here it is bounded by the candidates.
fn similar_text(
    tx: &Connection,
    id: &str,
    s: &Seed,
    until: i64,
    n: usize,
    out: &mut Vec<Listed>,
) -> Result<()> {
    let mut words: Vec<String> = s
        .headline
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    words.dedup();
    words.truncate(TEXT_WORDS);
    if words.is_empty() {
        return Ok(());
    }
    let any = words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" OR ");
    let expr = scoped(&any, Some(&s.lang), None);
    let mut st = tx.prepare_cached(&format!(
        "SELECT m.entry, a.id, a.published_at, a.headline, coalesce(a.summary, '') FROM \
           (SELECT rowid AS entry, rowid & {ROWID_MASK_SQL} AS article \
            FROM articles_fts WHERE articles_fts MATCH ?1 AND rowid < ?2 ORDER BY rowid DESC LIMIT ?3) m \
         JOIN articles a ON a.rowid = m.article \
         WHERE a.rowid <> ?4 AND a.status = 'usable' AND a.restricted = 0"
    ))?;
    let mut found: Vec<(i64, Listed, String)> = st
        .query_map(
            params![expr, before_bound(until), TEXT_CANDIDATES, s.rowid],
            |r| {
                let text = format!("{} {}", r.get::<_, String>(3)?, r.get::<_, String>(4)?);
                Ok((
                    r.get(0)?,
                    (r.get(1)?, r.get(2)?),
                    crate::text::normalize(&text),
                ))
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    // Newest first, whatever order the join gave: an index entry's rowid is its story's
    // `published_at` second above its row number (store/fts.rs).
    found.sort_by_key(|b| std::cmp::Reverse(b.0));
    // The search folds accents and case (`unicode61 remove_diacritics`); so does `normalize`,
    // which gives each (alphanumeric) word as " word ": a whole-word match in the folded text.
    let keys: Vec<String> = words.iter().map(|w| crate::text::normalize(w)).collect();
    let holds: Vec<Vec<bool>> = found
        .iter()
        .map(|(_, _, text)| keys.iter().map(|k| text.contains(k.as_str())).collect())
        .collect();
    let total = found.len() as f64;
    let weights: Vec<f64> = (0..keys.len())
        .map(|i| {
            let df = holds.iter().filter(|h| h[i]).count() as f64;
            ((total + 1.0) / (df + 0.5)).ln()
        })
        .collect();
    let mut ranked: Vec<(f64, Listed)> = found
        .into_iter()
        .zip(&holds)
        .map(|((_, cand, _), h)| {
            let score = h
                .iter()
                .zip(&weights)
                .filter(|(x, _)| **x)
                .map(|(_, w)| w)
                .sum();
            (score, cand)
        })
        .collect();
    // Best first; the sort is stable, so newest first among equals.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, cand) in ranked {
        if out.len() >= n {
            break;
        }
        if cand.0 != id && !out.iter().any(|o| o.0 == cand.0) {
            out.push(cand);
        }
    }
    Ok(())
}

/// The stored list of `id`, in order.
fn stored(tx: &Connection, id: &str) -> Result<Vec<String>> {
    let mut st = tx.prepare_cached(
        "SELECT related_id FROM article_related WHERE article_id = ?1 ORDER BY rank",
    )?;
    let rows = st.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The scopes of the feeds `id` is in: what must move when its list changes.
fn feeds_of(tx: &Connection, id: &str, scopes: &mut BTreeSet<String>) -> Result<()> {
    let mut st = tx.prepare_cached("SELECT topic FROM article_topics WHERE article_id = ?1")?;
    let rows = st.query_map([id], |r| r.get::<_, String>(0))?;
    for t in rows {
        scopes.insert(topic_scope(&t?));
    }
    scopes.insert(SCOPE_ALL.to_owned());
    Ok(())
}

/// Recomputes the list of `id` and stores it if it changed (then its feeds' scopes join
/// `scopes`). Returns the list, and what ranking knew of `id` (`None`: no such story).
fn recompute(
    tx: &Connection,
    id: &str,
    now_ms: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<(Vec<Listed>, Option<Seed>)> {
    let n = kept(tx)?;
    let s = seed(tx, id)?;
    let list = match &s {
        Some(s) if n > 0 => rank(tx, id, s, n)?,
        _ => Vec::new(),
    };
    if !stored(tx, id)?.iter().eq(list.iter().map(|(r, _)| r)) {
        tx.prepare_cached("DELETE FROM article_related WHERE article_id = ?1")?
            .execute([id])?;
        let mut st = tx.prepare_cached(
            "INSERT INTO article_related (article_id, rank, related_id, headline, language, \
             published_at, embargo_until, computed_at) \
             SELECT ?1, ?2, id, headline, language, published_at, embargo_until, ?4 \
             FROM articles WHERE id = ?3",
        )?;
        for (i, (r, _)) in list.iter().enumerate() {
            st.execute(params![id, i as i64, r, now_ms])?;
        }
        feeds_of(tx, id, scopes)?;
    }
    Ok((list, s))
}

/// After a story was filed or changed: its own list, then the lists of the stories it names
/// that were published at most [`AFTER`] before it (so that they can name it back: it is a
/// candidate of theirs). `bulk`: an import, where only its own list is computed.
pub(super) fn refresh(
    tx: &Connection,
    id: &str,
    now_ms: i64,
    bulk: bool,
    scopes: &mut BTreeSet<String>,
) -> Result<()> {
    let (list, seed) = recompute(tx, id, now_ms, scopes)?;
    if bulk {
        return Ok(());
    }
    // The lists that name it show its new headline, language and dates.
    let named: Vec<String> = {
        let mut st = tx.prepare_cached(
            "UPDATE article_related SET headline = a.headline, language = a.language, \
             published_at = a.published_at, embargo_until = a.embargo_until, computed_at = ?2 \
             FROM (SELECT headline, language, published_at, embargo_until FROM articles WHERE id = ?1) a \
             WHERE related_id = ?1 AND (article_related.headline IS NOT a.headline \
             OR article_related.language IS NOT a.language \
             OR article_related.published_at IS NOT a.published_at \
             OR article_related.embargo_until IS NOT a.embargo_until) \
             RETURNING article_id",
        )?;
        let rows = st.query_map(params![id, now_ms], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for other in named {
        feeds_of(tx, &other, scopes)?;
    }
    let Some(seed) = seed.filter(|s| s.public) else {
        // A story no reader without a key may see never joins other lists; lists that named
        // it before it became subscriber-only drop it.
        return forget(tx, id, now_ms, scopes);
    };
    for (other, published) in list {
        if published.saturating_add(AFTER) >= seed.published_at {
            recompute(tx, &other, now_ms, scopes)?;
        }
    }
    Ok(())
}

/// A story was killed or became subscriber-only: every list naming it is recomputed without
/// it. A killed story keeps no list of its own.
pub(super) fn forget(
    tx: &Connection,
    id: &str,
    now_ms: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<()> {
    let naming: Vec<String> = {
        let mut st = tx.prepare_cached(
            "SELECT article_id FROM article_related WHERE related_id = ?1 AND article_id <> ?1",
        )?;
        let rows = st.query_map([id], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for other in naming {
        recompute(tx, &other, now_ms, scopes)?;
    }
    Ok(())
}

/// After the restricted topics changed: every story now subscriber-only leaves the lists naming
/// it (a scan of the lists: this runs only when the configuration's restricted topics change).
pub(super) fn forget_restricted(tx: &Connection, now_ms: i64) -> Result<()> {
    let named: Vec<String> = {
        let mut st = tx.prepare(
            "SELECT DISTINCT r.related_id FROM article_related r JOIN articles a ON a.id = r.related_id \
             WHERE a.restricted = 1",
        )?;
        let rows = st.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    // Every feed moves with a change of restricted topics anyway (write.rs touches them all).
    let mut scopes = BTreeSet::new();
    for id in named {
        forget(tx, &id, now_ms, &mut scopes)?;
    }
    Ok(())
}

/// A story was killed: its own list goes (its documents are kill notices), and every list
/// naming it is recomputed.
pub(super) fn killed(
    tx: &Connection,
    id: &str,
    now_ms: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<()> {
    tx.prepare_cached("DELETE FROM article_related WHERE article_id = ?1")?
        .execute([id])?;
    forget(tx, id, now_ms, scopes)
}

/// Reads the related stories of `a` that readers may see at `now`: usable, public, out of
/// embargo; at most `shown`, the best first.
pub(super) fn load(
    conn: &Connection,
    a: &mut crate::model::Article,
    now: i64,
    shown: usize,
) -> Result<()> {
    if shown == 0 || a.status == crate::model::PubStatus::Canceled {
        return Ok(());
    }
    // One range of the list's rows: a killed or subscriber-only story has already left every
    // list (forget), and the rows carry what a link shows.
    let mut st = conn.prepare_cached(
        "SELECT related_id, headline, language, published_at, computed_at, coalesce(embargo_until, 0) \
         FROM article_related WHERE article_id = ?1 \
         AND (embargo_until IS NULL OR embargo_until <= ?2) ORDER BY rank LIMIT ?3",
    )?;
    let mut latest: i64 = 0;
    let rows = st.query_map(params![a.id.as_str(), now, shown as i64], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    for row in rows {
        let (id, headline, language, published_at, computed_ms, embargo) = row?;
        latest = latest.max(computed_ms).max(embargo.saturating_mul(1000));
        let Ok(id) = crate::model::ArticleId::parse(&id) else {
            continue;
        };
        a.related.push(Related {
            id,
            headline,
            language,
            published_at: super::row::ts(published_at)?,
        });
    }
    if latest > 0 {
        a.related_at = chrono::DateTime::from_timestamp_millis(latest);
    }
    Ok(())
}
