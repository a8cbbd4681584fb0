//! Which articles one page of a feed lists: keyset pages merged across topics, the pages
//! around it, the tombstones of recent kills, and when the next embargo lifts.

use super::{FeedError, FeedQuery};
use crate::config::{FeedDef, FeedKind};
use crate::model::Article;
use crate::store::{Cursor, PageQuery, Selection, Store};
use chrono::{DateTime, Utc};

/// The countries a page is narrowed to: `None` for no such limit; `Some` of the countries
/// (an empty list selects nothing).
pub(super) type Countries<'a> = Option<&'a [String]>;

/// Each country of `countries` once, or one unnarrowed pass.
fn each_country(countries: Countries<'_>) -> Vec<Option<String>> {
    match countries {
        None => vec![None],
        Some(cs) => cs.iter().cloned().map(Some).collect(),
    }
}

/// Articles of the feed killed after `after`, newest kill first (for tombstones).
pub(super) fn tombstones(
    store: &Store,
    feed: &FeedDef,
    q: &FeedQuery,
    countries: Countries<'_>,
    after: i64,
    limit: u32,
) -> Result<Vec<Article>, FeedError> {
    let after = q.since.map_or(after, |s| s.timestamp().max(after));
    let selections = match &feed.kind {
        FeedKind::All => vec![Selection::All],
        FeedKind::Kills => return Ok(Vec::new()),
        FeedKind::Topics(ts) => ts.iter().map(|t| Selection::Topic(t.clone())).collect(),
    };
    let mut out: Vec<Article> = Vec::new();
    for s in selections {
        for c in each_country(countries) {
            out.extend(store.recent_kills(&s, q.lang.as_deref(), c.as_deref(), after, limit)?);
        }
    }
    out.sort_by(|a, b| (b.canceled_at, &b.id).cmp(&(a.canceled_at, &a.id)));
    out.dedup_by(|a, b| a.id == b.id);
    out.truncate(limit as usize);
    Ok(out)
}

/// The next embargo lift among the feed's articles: the page must not outlive it.
pub(super) fn next_lift(store: &Store, feed: &FeedDef, now: i64) -> Result<Option<i64>, FeedError> {
    let selections = match &feed.kind {
        FeedKind::All => vec![Selection::All],
        FeedKind::Kills => vec![],
        FeedKind::Topics(ts) => ts.iter().map(|t| Selection::Topic(t.clone())).collect(),
    };
    let mut next: Option<i64> = None;
    for s in selections {
        if let Some(t) = store.next_embargo_lift(&s, now)? {
            next = Some(next.map_or(t, |n| n.min(t)));
        }
    }
    Ok(next)
}

/// The topics whose restricted stories every reader of `feed` may read: a later take with one
/// of them replaces a story for `?latest=true` (a public take always does).
pub(super) fn readable_topics(feed: &FeedDef) -> Vec<crate::model::TopicId> {
    match &feed.kind {
        FeedKind::Topics(ts) => ts.clone(),
        _ => Vec::new(),
    }
}

/// Articles of one page, newest first, with the cursors of the pages around it.
pub(super) fn listing(
    store: &Store,
    feed: &FeedDef,
    q: &FeedQuery,
    countries: Countries<'_>,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Listing, FeedError> {
    let query = |selection: Selection, country: Option<String>| PageQuery {
        selection,
        lang: q.lang.clone(),
        before: q.before.clone(),
        after: q.after.clone(),
        since: q.since.map(|t| t.timestamp_millis()),
        limit: limit + 1,
        now: now.timestamp(),
        search: q.q.as_ref().map(|s| s.match_expr()),
        country,
        latest: q.latest.then(|| readable_topics(feed)),
    };
    let selections = match &feed.kind {
        FeedKind::All => vec![Selection::All],
        FeedKind::Kills => vec![Selection::Kills],
        FeedKind::Topics(topics) => topics.iter().map(|t| Selection::Topic(t.clone())).collect(),
    };
    let ranges: Vec<PageQuery> = selections
        .iter()
        .flat_map(|s| {
            each_country(countries)
                .into_iter()
                .map(|c| query(s.clone(), c))
        })
        .collect();
    let mut articles = if let [one] = ranges.as_slice() {
        store.page(one)?
    } else {
        // One index range per topic and country, merged: the cost stays that of
        // `ranges × limit` rows.
        let mut all = Vec::new();
        for r in &ranges {
            all.extend(store.page(r)?);
        }
        all.sort_by(|a, b| (sort_key(&feed.kind, b), &b.id).cmp(&(sort_key(&feed.kind, a), &a.id)));
        all.dedup_by(|a, b| a.id == b.id);
        if q.after.is_some() {
            // Keep the `limit + 1` nearest to the cursor, which are the oldest here.
            let extra = all.len().saturating_sub(limit as usize + 1);
            all.drain(..extra);
        }
        all
    };
    let more = articles.len() > limit as usize;
    let cursor = |a: &Article| Cursor {
        key: sort_key(&feed.kind, a),
        id: a.id.to_string(),
    };
    let (next, previous);
    if q.after.is_some() {
        // Walking towards newer items: the extra row is the newest one, beyond this page.
        if more {
            articles.remove(0);
        }
        previous = if more {
            articles.first().map(cursor)
        } else {
            None
        };
        next = articles.last().map(cursor);
    } else {
        articles.truncate(limit as usize);
        next = if more {
            articles.last().map(cursor)
        } else {
            None
        };
        previous = if q.before.is_some() {
            articles.first().map(cursor)
        } else {
            None
        };
    }
    Ok(Listing {
        articles,
        next,
        previous,
    })
}

pub(super) struct Listing {
    pub(super) articles: Vec<Article>,
    pub(super) next: Option<Cursor>,
    pub(super) previous: Option<Cursor>,
}

fn sort_key(kind: &FeedKind, a: &Article) -> i64 {
    match kind {
        FeedKind::Kills => a.canceled_at.unwrap_or(a.updated_at).timestamp(),
        _ => a.published_at.timestamp(),
    }
}
