//! One feed or article request: query → (cache | store → render), with validators.
//!
//! A feed page is rendered once and served from memory until the data behind it changes (the
//! store's change log, seen from any process) or an embargo in it lifts.

mod cache;
mod query;

pub use cache::{Cache, Encoding, Representation};
pub use query::FeedQuery;

use crate::config::{Access, Config, FeedDef, FeedKind};
use crate::model::{Article, Format, PubStatus};
use crate::render::{self, FeedDoc};
use crate::store::{
    Change, Cursor, PageQuery, SCOPE_ALL, SCOPE_KILLS, Selection, Store, StoreError, topic_scope,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

/// Why a request cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// No such feed or article (or not visible yet).
    #[error("{0}")]
    NotFound(String),
    /// The article was killed.
    #[error("{0}")]
    Gone(String),
    /// The feed is for subscribers.
    #[error("{0}")]
    Unauthorized(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How often the change log is checked: changes by other processes show within this.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// The feed service: config, store, cache and the latest view of the change log.
pub struct Feeds {
    /// The checked config.
    pub config: Arc<Config>,
    /// The database.
    pub store: Arc<Store>,
    /// When this service started: the date of documents made from the config alone.
    pub started: DateTime<Utc>,
    cache: Cache,
    scopes: RwLock<HashMap<String, Change>>,
    watching: AtomicBool,
    /// One lock per page being rendered: concurrent misses for the same page wait for the
    /// first render instead of repeating it (a poll burst after a change renders once).
    rendering: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// API keys, reloaded when the change log says they changed.
    pub keyring: crate::auth::Keyring,
    /// Feed pages rendered, per format (in [`Format::ALL`] order): what the cache saved shows here.
    renders: [AtomicU64; 4],
}

fn unix(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

impl Feeds {
    /// A feed service with a rendered-page cache of `feeds.cache_mb`.
    pub fn new(config: Arc<Config>, store: Arc<Store>) -> Self {
        let budget = config.feeds.cache_bytes;
        Feeds {
            config,
            store,
            cache: Cache::new(budget),
            started: DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_default(),
            scopes: RwLock::new(HashMap::new()),
            watching: AtomicBool::new(false),
            rendering: Mutex::new(HashMap::new()),
            renders: Default::default(),
            keyring: Default::default(),
        }
    }

    /// Reads the change log now: after a write by this process, its own readers see it at once.
    pub fn refresh_now(&self) {
        self.refresh();
    }

    /// Reads the change log (and keys) now if nothing watches it in the background.
    pub fn refresh_unwatched(&self) {
        if !self.watching.load(Ordering::Acquire) {
            self.refresh();
        }
    }

    /// Checks the change log every [`POLL_INTERVAL`] on a background thread, so the request
    /// path never touches the database to learn that nothing changed.
    pub fn watch(self: &Arc<Self>) {
        self.refresh();
        self.watching.store(true, Ordering::Release);
        let weak = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("wirefeed-changes".into())
            .spawn(move || {
                while let Some(feeds) = weak.upgrade() {
                    feeds.refresh();
                    drop(feeds);
                    std::thread::sleep(POLL_INTERVAL);
                }
            })
            .expect("spawning a thread");
    }

    /// Reads the change log if anything was committed since the last look.
    fn refresh(&self) {
        match self.store.poll_changes() {
            Ok(Some(map)) => {
                let keys = map.get(crate::store::SCOPE_KEYS).map_or(0, |c| c.seq);
                *self.scopes.write().expect("scopes lock poisoned") = map;
                if let Err(e) = self.keyring.sync(keys, &self.store) {
                    tracing::warn!(error = %e, "cannot reload API keys");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read the change log"),
        }
    }

    fn deps(feed: &FeedDef) -> Vec<String> {
        match &feed.kind {
            FeedKind::All => vec![SCOPE_ALL.to_owned()],
            FeedKind::Kills => vec![SCOPE_KILLS.to_owned()],
            FeedKind::Topics(ts) => ts.iter().map(|t| topic_scope(t)).collect(),
        }
    }

    fn fresh(&self, rep: &Representation, now: i64) -> bool {
        let scopes = self.scopes.read().expect("scopes lock poisoned");
        rep.expires_at.is_none_or(|t| now < t)
            && rep
                .deps
                .iter()
                .all(|(s, seq)| scopes.get(s).map_or(0, |c| c.seq) == *seq)
    }

    fn check_access(&self, feed_id: &str) -> Result<&FeedDef, FeedError> {
        let feed = self
            .config
            .feed(feed_id)
            .ok_or_else(|| FeedError::NotFound(format!("there is no feed {feed_id:?}")))?;
        if feed.access == Access::Subscribers {
            return Err(FeedError::Unauthorized(format!(
                "feed {feed_id:?} is for subscribers; send a subscriber key"
            )));
        }
        Ok(feed)
    }

    fn key(feed: &FeedDef, format: Format, q: &FeedQuery) -> String {
        format!("{}.{}{}|public", feed.id, format.extension(), q.canonical())
    }

    /// The cached page for this request, if it is still current: no database, no rendering.
    pub fn cached(
        &self,
        feed_id: &str,
        format: Format,
        q: &FeedQuery,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<Representation>>, FeedError> {
        let feed = self.check_access(feed_id)?;
        if !self.cache.enabled() || !self.watching.load(Ordering::Acquire) {
            return Ok(None);
        }
        Ok(self.cache.get(&Self::key(feed, format, q), |r| {
            self.fresh(r, now.timestamp())
        }))
    }

    /// One page of one feed: from the cache when current, else rendered (and cached).
    pub fn feed(
        &self,
        feed_id: &str,
        format: Format,
        q: &FeedQuery,
        now: DateTime<Utc>,
    ) -> Result<Arc<Representation>, FeedError> {
        if let Some(rep) = self.cached(feed_id, format, q, now)? {
            return Ok(rep);
        }
        let feed = self.check_access(feed_id)?;
        if !self.cache.enabled() {
            return self.render(feed, format, q, now).map(Arc::new);
        }
        let key = Self::key(feed, format, q);
        let turn = RenderTurn::take(&self.rendering, key);
        let _held = turn.lock.lock().unwrap_or_else(PoisonError::into_inner);
        // Whoever held the lock before us may have rendered this very page.
        if let Some(rep) = self.cached(feed_id, format, q, now)? {
            return Ok(rep);
        }
        let rep = self.render(feed, format, q, now)?;
        let rep = Arc::new(settle(self.cache.peek(&turn.key).as_deref(), rep, now));
        self.cache.put(turn.key.clone(), rep.clone());
        Ok(rep)
    }

    /// How many feed pages this process rendered in `format` (for `/metrics` and tests).
    pub fn renders(&self, format: Format) -> u64 {
        self.renders[format as usize].load(Ordering::Relaxed)
    }

    fn changed_at(&self, feed: &FeedDef) -> i64 {
        let scopes = self.scopes.read().expect("scopes lock poisoned");
        Self::deps(feed)
            .iter()
            .filter_map(|s| scopes.get(s).map(|c| c.changed_at))
            .max()
            // A feed that never changed (an empty kills feed) dates from the database's
            // creation: stable across restarts, and never 1970.
            .or_else(|| scopes.get("created").map(|c| c.changed_at))
            .unwrap_or(0)
    }

    fn render(
        &self,
        feed: &FeedDef,
        format: Format,
        q: &FeedQuery,
        now: DateTime<Utc>,
    ) -> Result<Representation, FeedError> {
        if !self.watching.load(Ordering::Acquire) {
            self.refresh();
        }
        // The scopes are read before the data: a write in between only makes the page stale early.
        let deps: Vec<(String, i64)> = {
            let scopes = self.scopes.read().expect("scopes lock poisoned");
            Self::deps(feed)
                .into_iter()
                .map(|s| {
                    let seq = scopes.get(&s).map_or(0, |c| c.seq);
                    (s, seq)
                })
                .collect()
        };
        let limit = q.limit.unwrap_or(self.config.feeds.default_limit);
        let page = self.page(feed, q, limit, now)?;
        let now_ts = now.timestamp();
        let retention = self.config.feeds.kill_retention.as_secs() as i64;
        let tombstones = if q.before.is_none() && q.after.is_none() {
            self.tombstones(feed, q, now_ts - retention, limit)?
        } else {
            Vec::new()
        };
        let base = format!(
            "{}/feeds/{}.{}",
            self.config.agency.base_url,
            feed.id,
            format.extension()
        );
        let self_url = format!("{base}{}", q.canonical());
        let url = |before: Option<&Cursor>, after: Option<&Cursor>| {
            format!("{base}{}", q.query_string(before, after))
        };
        let mut links = vec![("self", self_url.clone()), ("first", url(None, None))];
        if let Some(c) = &page.next {
            links.push(("next", url(Some(c), None)));
        }
        if let Some(c) = &page.previous {
            links.push(("previous", url(None, Some(c))));
        }
        // Last-Modified moves with any change to the feed's scopes, any item update, and any
        // embargo lift among the items (a lifted article appears without a write).
        let last_modified = page
            .articles
            .iter()
            .chain(&tombstones)
            .flat_map(|a| {
                [
                    Some(a.updated_at.timestamp()),
                    a.content
                        .embargo_until
                        .map(|e| e.timestamp())
                        .filter(|&e| e <= now_ts),
                ]
            })
            .flatten()
            .chain([self.changed_at(feed)])
            .max()
            .unwrap_or(0)
            // RFC 9110 §8.8.2.1: never later than the response's Date (future-dated articles).
            .min(now_ts);
        let doc = FeedDoc {
            config: &self.config,
            feed,
            articles: &page.articles,
            changed: unix(last_modified),
            links: &links,
            lang: q.lang.as_deref(),
            tombstones: &tombstones,
        };
        self.renders[format as usize].fetch_add(1, Ordering::Relaxed);
        let mut rep = Representation::new(
            render::feed(&doc, format),
            format.media_type(),
            unix(last_modified),
            links.clone(),
        );
        // The page also goes stale when its oldest tombstone leaves the retention window.
        let tomb_expiry = tombstones
            .iter()
            .filter_map(|a| a.canceled_at)
            .map(|t| t.timestamp() + retention + 1)
            .min();
        rep.expires_at = match (self.next_lift(feed, now_ts)?, tomb_expiry) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        rep.deps = deps;
        Ok(rep)
    }

    /// Articles of the feed killed after `after`, newest kill first (for tombstones).
    fn tombstones(
        &self,
        feed: &FeedDef,
        q: &FeedQuery,
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
            out.extend(
                self.store
                    .recent_kills(&s, q.lang.as_deref(), after, limit)?,
            );
        }
        out.sort_by(|a, b| (b.canceled_at, &b.id).cmp(&(a.canceled_at, &a.id)));
        out.dedup_by(|a, b| a.id == b.id);
        out.truncate(limit as usize);
        Ok(out)
    }

    /// The next embargo lift among the feed's articles: the page must not outlive it.
    fn next_lift(&self, feed: &FeedDef, now: i64) -> Result<Option<i64>, FeedError> {
        let selections = match &feed.kind {
            FeedKind::All => vec![Selection::All],
            FeedKind::Kills => vec![],
            FeedKind::Topics(ts) => ts.iter().map(|t| Selection::Topic(t.clone())).collect(),
        };
        let mut next: Option<i64> = None;
        for s in selections {
            if let Some(t) = self.store.next_embargo_lift(&s, now)? {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        }
        Ok(next)
    }

    /// Articles of one page, newest first, with the cursors of the pages around it.
    fn page(
        &self,
        feed: &FeedDef,
        q: &FeedQuery,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Page, FeedError> {
        let query = |selection| PageQuery {
            selection,
            lang: q.lang.clone(),
            before: q.before.clone(),
            after: q.after.clone(),
            since: q.since.map(|t| t.timestamp()),
            limit: limit + 1,
            now: now.timestamp(),
        };
        let mut articles = match &feed.kind {
            FeedKind::All => self.store.page(&query(Selection::All))?,
            FeedKind::Kills => self.store.page(&query(Selection::Kills))?,
            FeedKind::Topics(topics) => {
                // One index range per topic, merged: the cost stays that of `topics × limit` rows.
                let mut all = Vec::new();
                for t in topics {
                    all.extend(self.store.page(&query(Selection::Topic(t.clone())))?);
                }
                all.sort_by(|a, b| {
                    (sort_key(&feed.kind, b), &b.id).cmp(&(sort_key(&feed.kind, a), &a.id))
                });
                all.dedup_by(|a, b| a.id == b.id);
                if q.after.is_some() {
                    // Keep the `limit + 1` nearest to the cursor, which are the oldest here.
                    let extra = all.len().saturating_sub(limit as usize + 1);
                    all.drain(..extra);
                }
                all
            }
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
        Ok(Page {
            articles,
            next,
            previous,
        })
    }

    /// An article as one document (`html`, `xml` or `json`), hidden while under embargo.
    pub fn article(
        &self,
        id: &str,
        ext: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Representation, FeedError> {
        let missing = || FeedError::NotFound(format!("there is no article {id:?}"));
        let a = self.store.get(id, now.timestamp())?.ok_or_else(missing)?;
        if a.content.embargo_until.is_some_and(|e| e > now) {
            return Err(missing());
        }
        let cfg = &self.config;
        let url = render::article_url(cfg, a.id.as_str());
        let (body, content_type, self_url) = match ext {
            // A kill notice is served in NewsML-G2 and ninjs, which can say `canceled`.
            Some("xml") => (
                render::news_item(cfg, &a),
                "application/vnd.iptc.g2.newsitem+xml",
                format!("{url}.xml"),
            ),
            Some("json") => (
                render::ninjs(cfg, &a),
                "application/json",
                format!("{url}.json"),
            ),
            // The page of a killed story is gone (410), and says so in the page.
            _ if a.status == PubStatus::Canceled => {
                (render::kill_page(cfg, &a), "text/html; charset=utf-8", url)
            }
            _ => (
                render::article_page(cfg, &a),
                "text/html; charset=utf-8",
                url,
            ),
        };
        // Every recorded change moves it (a minor edit or a kill too), and a lifted embargo.
        let last_modified = unix(a.changed_at.timestamp())
            .max(a.content.embargo_until.unwrap_or_default())
            .min(now);
        let mut rep =
            Representation::new(body, content_type, last_modified, vec![("self", self_url)]);
        if a.status == PubStatus::Canceled && ext.is_none() {
            rep.status = 410;
        }
        Ok(rep)
    }
}

/// Validators always move (CONTRACT §8): a page whose bytes changed gets a `Last-Modified`
/// strictly later than the one served before, and never later than now (RFC 9110 §8.8.2.1).
/// When that is not possible yet (two changes within one second), the previous document is
/// served until the next second begins. Readers such as newsboat drop a 200 whose
/// `Last-Modified` did not advance, and would never see the second change.
fn settle(
    prev: Option<&Representation>,
    mut rep: Representation,
    now: DateTime<Utc>,
) -> Representation {
    let Some(prev) = prev else { return rep };
    if prev.same_body(&rep) {
        // Same bytes: the same validators, whatever the data's dates say now.
        rep.set_last_modified(prev.last_modified);
        return rep;
    }
    if rep.last_modified > prev.last_modified {
        return rep;
    }
    let next = prev.last_modified + chrono::Duration::seconds(1);
    if next <= now {
        rep.set_last_modified(next);
        return rep;
    }
    let mut hold = prev.clone();
    hold.expires_at = Some(next.timestamp());
    hold.deps = rep.deps;
    hold
}

/// A place in line to render one page; leaving the line (even by an error or a panic) removes
/// the page's lock once nobody else waits on it.
struct RenderTurn<'a> {
    map: &'a Mutex<HashMap<String, Arc<Mutex<()>>>>,
    key: String,
    lock: Arc<Mutex<()>>,
}

impl<'a> RenderTurn<'a> {
    fn take(map: &'a Mutex<HashMap<String, Arc<Mutex<()>>>>, key: String) -> Self {
        let lock = map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.clone())
            .or_default()
            .clone();
        RenderTurn { map, key, lock }
    }
}

impl Drop for RenderTurn<'_> {
    fn drop(&mut self) {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let ours = map
            .get(&self.key)
            .is_some_and(|l| Arc::ptr_eq(l, &self.lock));
        // Two holders: the map and us. More means someone is still waiting for this page.
        if ours && Arc::strong_count(&self.lock) == 2 {
            map.remove(&self.key);
        }
    }
}

struct Page {
    articles: Vec<Article>,
    next: Option<Cursor>,
    previous: Option<Cursor>,
}

fn sort_key(kind: &FeedKind, a: &Article) -> i64 {
    match kind {
        FeedKind::Kills => a.canceled_at.unwrap_or(a.updated_at).timestamp(),
        _ => a.published_at.timestamp(),
    }
}
