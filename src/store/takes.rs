//! Developing stories (contract §15): the chain of takes `evolved_from` links, checked on
//! every write (the earlier take exists, no cycle), read with an article (both ways), and the
//! takes whose documents a write changes.

use super::Result;
use super::row::{json_list, ts};
use crate::model::{Article, ArticleId, FieldError, MAX_TAKES, PubStatus, Take};
use rusqlite::{Connection, OptionalExtension};
use std::collections::BTreeSet;

const TAKE_COLUMNS: &str = "id, headline, slugline, evolved_from, status, published_at, embargo_until, restricted, topics, places";

fn read_take(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawTake> {
    Ok(RawTake {
        id: r.get(0)?,
        headline: r.get(1)?,
        slugline: r.get(2)?,
        evolved_from: r.get(3)?,
        status: r.get(4)?,
        published_at: r.get(5)?,
        embargo_until: r.get(6)?,
        restricted: r.get(7)?,
        topics: r.get(8)?,
        places: r.get(9)?,
    })
}

struct RawTake {
    id: String,
    headline: String,
    slugline: Option<String>,
    evolved_from: Option<String>,
    status: String,
    published_at: i64,
    embargo_until: Option<i64>,
    restricted: bool,
    topics: String,
    places: String,
}

impl RawTake {
    fn into_take(self) -> Result<Take> {
        let corrupt = |what: &str, v: &str| super::StoreError::Corrupt(format!("{what} {v:?}"));
        Ok(Take {
            id: ArticleId::parse(&self.id).map_err(|_| corrupt("id", &self.id))?,
            headline: self.headline,
            slugline: self.slugline,
            evolved_from: match self.evolved_from {
                Some(e) => Some(ArticleId::parse(&e).map_err(|_| corrupt("evolved_from", &e))?),
                None => None,
            },
            status: PubStatus::parse(&self.status)
                .ok_or_else(|| corrupt("status", &self.status))?,
            published_at: ts(self.published_at)?,
            embargo_until: self.embargo_until.map(ts).transpose()?,
            restricted: self.restricted,
            topics: json_list(&self.topics)?,
            places: json_list(&self.places)?,
        })
    }
}

/// The earlier take of `id`, if it names one.
fn evolved_from(tx: &Connection, id: &str) -> Result<Option<Option<String>>> {
    Ok(tx
        .prepare_cached("SELECT evolved_from FROM articles WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .optional()?)
}

/// Whether `id` may evolve from `from`: it exists (killed is fine), and following its own
/// earlier takes never comes back to `id`.
pub(super) fn check(tx: &Connection, id: &str, from: &ArticleId) -> Result<Option<FieldError>> {
    let bad = |m: String| Ok(Some(FieldError::new("evolved_from", m)));
    if from.as_str() == id {
        return bad(
            "an article cannot evolve from itself: name the earlier take it updates".into(),
        );
    }
    let mut at = from.as_str().to_owned();
    for _ in 0..MAX_TAKES {
        match evolved_from(tx, &at)? {
            None if at == from.as_str() => {
                return bad(format!(
                    "there is no article {:?} to evolve from",
                    from.as_str()
                ));
            }
            None | Some(None) => return Ok(None),
            Some(Some(next)) if next == id => {
                return bad(format!(
                    "{:?} already evolves from {id:?} (through {:?}): takes cannot form a cycle",
                    from.as_str(),
                    at
                ));
            }
            Some(Some(next)) => at = next,
        }
    }
    bad(format!(
        "the chain of earlier takes from {:?} is longer than {MAX_TAKES}",
        from.as_str()
    ))
}

/// A write to `id` (filed, edited, killed) changes the documents of the takes that link to it:
/// every earlier take (their "latest take") and its direct later takes (their "earlier take").
/// `froms`: the earlier takes it named before and after the write. Each moves like a story
/// whose picture changed: its change time (documents' validators), its `since=` position, and
/// the feeds that list it.
pub(super) fn touch_linked(
    tx: &Connection,
    id: &str,
    froms: &[Option<&ArticleId>],
    now_ms: i64,
    scopes: &mut BTreeSet<String>,
) -> Result<()> {
    let mut linked: BTreeSet<String> = BTreeSet::new();
    for from in froms.iter().flatten() {
        let mut at = Some(from.as_str().to_owned());
        for _ in 0..MAX_TAKES {
            let Some(a) = at.take() else { break };
            if a == id || !linked.insert(a.clone()) {
                break;
            }
            at = evolved_from(tx, &a)?.flatten();
        }
    }
    let later: Vec<String> = tx
        .prepare_cached("SELECT id FROM articles WHERE evolved_from = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    linked.extend(later);
    linked.remove(id);
    for other in linked {
        super::touch::touch_story(tx, &other, now_ms, scopes)?;
    }
    Ok(())
}

/// Reads an article's takes, both ways, whatever their state, and shows what anyone may see
/// (the public rule: a restricted take is linked only once the feed service, which knows the
/// reader, decides it may be).
pub(super) fn load_takes(conn: &Connection, a: &mut Article, now: i64) -> Result<()> {
    let mut takes = crate::model::Takes::default();
    if let Some(from) = &a.content.evolved_from {
        takes.earlier_candidate = conn
            .prepare_cached(&format!(
                "SELECT {TAKE_COLUMNS} FROM articles WHERE id = ?1"
            ))?
            .query_row([from.as_str()], read_take)
            .optional()?
            .map(RawTake::into_take)
            .transpose()?;
    }
    // One probe of the partial index for a story nothing replaced (most of them): the
    // recursive walk sets up temporary tables and costs several times the probe.
    let replaced = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM articles WHERE evolved_from = ?1)")?
        .query_row([a.id.as_str()], |r| r.get::<_, bool>(0))?;
    let raws = if replaced {
        let sql = format!(
            "WITH RECURSIVE later (id, depth) AS ( \
               SELECT id, 1 FROM articles WHERE evolved_from = ?1 \
               UNION SELECT a.id, l.depth + 1 FROM articles a JOIN later l ON a.evolved_from = l.id \
               WHERE l.depth < {MAX_TAKES}) \
             SELECT {TAKE_COLUMNS} FROM articles WHERE id IN (SELECT id FROM later) LIMIT {MAX_TAKES}"
        );
        conn.prepare_cached(&sql)?
            .query_map([a.id.as_str()], read_take)?
            .collect::<rusqlite::Result<Vec<_>>>()?
    } else {
        Vec::new()
    };
    takes.later_candidates = raws
        .into_iter()
        .map(RawTake::into_take)
        .collect::<Result<_>>()?;
    let now = ts(now)?;
    takes.resolve(&a.id, now, |t| !t.restricted);
    *a.takes = takes;
    Ok(())
}
