//! One feed or article request: query → (cache | store → render), with validators.
//!
//! A feed page is rendered once and served from memory until the data behind it changes (the
//! store's change log, seen from any process) or an embargo in it lifts.

mod access;
mod article;
mod cache;
mod listing;
mod media;
mod pages;
mod representation;
mod sitemaps;
mod turn;
mod validators;

pub use crate::changes::POLL_INTERVAL;
pub use crate::urls::FeedQuery;
pub use access::Entitlement;
pub use article::ArticleFormat;
pub use cache::Cache;
pub use media::PictureState;
pub use pages::{INDEX_STORIES, Page};
pub use representation::{Encoding, Representation};
pub use sitemaps::{NEWS_MAX, NEWS_WINDOW};

use crate::auth::Principal;
use crate::changes::ChangeBus;
use crate::config::{Config, FeedDef, FeedKind};
use crate::metrics::{METRICS, Registry};
use crate::model::Format;
use crate::render::{self, FeedDoc};
use crate::store::{Cursor, SCOPE_ALL, SCOPE_KILLS, Selection, Store, StoreError, topic_scope};
use crate::urls::Urls;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;
use turn::RenderTurn;
use validators::settle;

/// A feed request resolved once ([`Feeds::plan`]): what a cache lookup and a render on a
/// miss both use.
#[derive(Debug, Clone)]
pub struct FeedPlan {
    /// Index into the config's feed list.
    feed: usize,
    format: Format,
    /// The view the requester gets.
    pub view: Entitlement,
    key: String,
    link_token: Option<String>,
    /// The countries the page is narrowed to (see [`access::narrowed`]).
    countries: Option<Vec<String>>,
}

/// Why a request cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// No such feed or article (or not visible yet).
    #[error("{0}")]
    NotFound(String),
    /// The article was killed.
    #[error("{0}")]
    Gone(String),
    /// The feed or article is for subscribers, and no key was sent.
    #[error("{0}")]
    Unauthorized(String),
    /// The key sent does not reach it.
    #[error("{0}")]
    Forbidden(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The feed service: config, store, cache and the latest view of the change log.
pub struct Feeds {
    /// The checked config.
    pub config: Arc<Config>,
    /// The database.
    pub store: Arc<Store>,
    /// When this service started: the date of documents made from the config alone.
    pub started: DateTime<Utc>,
    cache: Cache,
    changes: Arc<ChangeBus>,
    /// One lock per page being rendered: concurrent misses for the same page wait for the
    /// first render instead of repeating it (a poll burst after a change renders once).
    rendering: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// With the page cache off: the entity tag and Last-Modified last served per page.
    served: Mutex<HashMap<String, (String, DateTime<Utc>)>>,
    /// Pictures and the stories that show them, as last read.
    pictures: media::PictureStates,
}

fn unix(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

impl Feeds {
    /// A feed service with a rendered-page cache of `feeds.cache_mb`, on a change bus of its
    /// own that it reads on demand (until the bus is watched, see [`ChangeBus::watch`]).
    pub fn new(config: Arc<Config>, store: Arc<Store>) -> Self {
        Self::with_bus(config, store, ChangeBus::new())
    }

    /// A feed service whose pages follow `changes`.
    pub fn with_bus(config: Arc<Config>, store: Arc<Store>, changes: Arc<ChangeBus>) -> Self {
        let budget = config.feeds.cache_bytes;
        Feeds {
            config,
            store,
            cache: Cache::new(budget),
            started: DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_default(),
            changes,
            rendering: Mutex::new(HashMap::new()),
            served: Mutex::new(HashMap::new()),
            pictures: media::PictureStates::default(),
        }
    }

    /// `/feeds.opml`: every public feed of the config, and the country feeds of the countries
    /// with stories (contract §14), so it follows `all` like a feed page.
    pub fn opml(&self, now: DateTime<Utc>) -> Result<Arc<Representation>, FeedError> {
        self.through_cache("opml".to_owned(), now, &|now| {
            self.refresh_unwatched();
            let deps = self.changes.seqs(vec![SCOPE_ALL.to_owned()]);
            let now_ts = now.timestamp();
            let codes: Vec<&str> = crate::model::country_codes().iter().copied().collect();
            let countries = self.store.countries_with_stories(&codes, now_ts)?;
            let changed = self
                .changes
                .changed_at(&[SCOPE_ALL.to_owned()])
                .max(self.started.timestamp())
                .min(now_ts);
            let mut rep = Representation::new(
                render::opml(&self.config, self.started, &countries),
                "text/x-opml; charset=utf-8",
                unix(changed),
                vec![("self", Urls::of(&self.config).opml())],
            );
            rep.expires_at = self.store.next_embargo_lift(&Selection::All, now_ts)?;
            rep.set_deps(deps);
            Ok(rep)
        })
    }

    /// The change bus this service reads its scopes from.
    pub fn changes(&self) -> &Arc<ChangeBus> {
        &self.changes
    }

    /// Reads the change log now if nothing watches it in the background (a command-line
    /// render, a test).
    pub fn refresh_unwatched(&self) {
        self.changes.refresh_unwatched(&self.store);
    }

    fn deps(feed: &FeedDef) -> Vec<String> {
        match &feed.kind {
            FeedKind::All => vec![SCOPE_ALL.to_owned()],
            FeedKind::Kills => vec![SCOPE_KILLS.to_owned()],
            FeedKind::Topics(ts) => ts.iter().map(|t| topic_scope(t)).collect(),
        }
    }

    /// Whether a cached page may still be served. A page already dated this second stays until
    /// the next one even if its data changed since: a new render could not show the change yet
    /// (its Last-Modified must be later than this page's, and not in the future), so a burst
    /// of writes costs at most one render per page per second.
    fn fresh(&self, rep: &Representation, now: i64) -> bool {
        rep.expires_at.is_none_or(|t| now < t)
            && (rep.last_modified.timestamp() >= now || self.changes.current(&rep.deps))
    }

    /// Resolves a feed request once: the feed, the view `who` gets of it (401/403 when
    /// none) and the page cache key. `link_token` is the `?token=` the links of a restricted
    /// document carry (a public document's links never do).
    pub fn plan(
        &self,
        feed_id: &str,
        format: Format,
        q: &FeedQuery,
        who: &Principal,
        link_token: Option<&str>,
    ) -> Result<FeedPlan, FeedError> {
        let (index, feed) = self.find(feed_id)?;
        let view = self.authorize_feed(feed, who)?;
        let link_token = link_token
            .filter(|_| view != Entitlement::Public)
            .map(str::to_owned);
        let countries = access::narrowed(feed, who, &q.countries);
        let mut key = Self::key(feed, format, q, &view, link_token.is_some());
        if let Some(cs) = &countries {
            key.push_str("|countries:");
            key.push_str(&cs.join(","));
        }
        Ok(FeedPlan {
            feed: index,
            format,
            view,
            key,
            link_token,
            countries,
        })
    }

    /// The feed with this id, and its place in the config's list (404 when there is none).
    fn find(&self, feed_id: &str) -> Result<(usize, &FeedDef), FeedError> {
        self.config
            .feed_list
            .iter()
            .enumerate()
            .find(|(_, f)| f.id == feed_id)
            .ok_or_else(|| FeedError::NotFound(format!("there is no feed {feed_id:?}")))
    }

    /// The feed, and the view `who` gets of it (401/403 when none).
    fn resolve(
        &self,
        feed_id: &str,
        who: &Principal,
    ) -> Result<(&FeedDef, Entitlement), FeedError> {
        let (_, feed) = self.find(feed_id)?;
        let view = self.authorize_feed(feed, who)?;
        Ok((feed, view))
    }

    /// The page cache key: the feed, format and canonical query, and whose view it is. Entitled
    /// keys share one rendered page; one read with `?token=` has its own (its links carry it).
    fn key(
        feed: &FeedDef,
        format: Format,
        q: &FeedQuery,
        view: &Entitlement,
        link_token: bool,
    ) -> String {
        let whose = match (view, link_token) {
            (Entitlement::Public, _) => "public",
            (Entitlement::Key { .. }, false) => "restricted",
            (Entitlement::Key { name }, true) => {
                return format!(
                    "{}.{}{}|token:{name}",
                    feed.id,
                    format.extension(),
                    q.canonical()
                );
            }
        };
        format!(
            "{}.{}{}|{whose}",
            feed.id,
            format.extension(),
            q.canonical()
        )
    }

    /// The cached page of a planned request, if it is still current: no database, no
    /// rendering.
    pub fn cached(&self, plan: &FeedPlan, now: DateTime<Utc>) -> Option<Arc<Representation>> {
        self.cached_at(&plan.key, now)
    }

    /// The page of a planned request: from the cache when current (another request may have
    /// rendered it meanwhile), else rendered (and cached).
    pub fn render_plan(
        &self,
        plan: &FeedPlan,
        q: &FeedQuery,
        now: DateTime<Utc>,
    ) -> Result<Arc<Representation>, FeedError> {
        let feed = &self.config.feed_list[plan.feed];
        self.through_cache(plan.key.clone(), now, &|now| {
            self.render(feed, plan, q, now)
        })
    }

    /// One page of one feed: from the cache when current, else rendered (and cached).
    pub fn feed(
        &self,
        feed_id: &str,
        format: Format,
        q: &FeedQuery,
        who: &Principal,
        link_token: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(Arc<Representation>, Entitlement), FeedError> {
        let plan = self.plan(feed_id, format, q, who, link_token)?;
        let rep = match self.cached(&plan, now) {
            Some(rep) => rep,
            None => self.render_plan(&plan, q, now)?,
        };
        Ok((rep, plan.view))
    }

    /// The current document under `key`: from the cache, else rendered once however many ask
    /// at the same moment (and cached). Without the page cache, rendered every time but with
    /// validators that still move.
    pub(super) fn through_cache(
        &self,
        key: String,
        now: DateTime<Utc>,
        render: &dyn Fn(DateTime<Utc>) -> Result<Representation, FeedError>,
    ) -> Result<Arc<Representation>, FeedError> {
        if !self.cache.enabled() {
            return Ok(Arc::new(self.render_uncached(&key, now, render)?));
        }
        let turn = RenderTurn::take(&self.rendering, key);
        let _held = turn.lock.lock().unwrap_or_else(PoisonError::into_inner);
        // Whoever held the lock before us may have rendered this very page.
        if let Some(rep) = self
            .cache
            .get(&turn.key, |r| self.fresh(r, now.timestamp()))
        {
            Registry::inc(&METRICS.cache_hits);
            return Ok(rep);
        }
        Registry::inc(&METRICS.cache_misses);
        let rep = render(now)?;
        let rep = Arc::new(settle(self.cache.peek(&turn.key).as_deref(), rep, now));
        self.cache.put(turn.key.clone(), rep.clone());
        Ok(rep)
    }

    /// The cached document under `key` if it is still current: no database, no rendering.
    pub(super) fn cached_at(&self, key: &str, now: DateTime<Utc>) -> Option<Arc<Representation>> {
        if !self.cache.enabled() || !self.changes.watching() {
            return None;
        }
        let rep = self.cache.get(key, |r| self.fresh(r, now.timestamp()));
        if rep.is_some() {
            Registry::inc(&METRICS.cache_hits);
        }
        rep
    }

    /// Renders without the page cache, still keeping validators moving: the entity tag and
    /// Last-Modified served last for each page are remembered, and a page whose bytes changed
    /// within the second of the last one waits for the next second (docs/api.md, Wire semantics).
    fn render_uncached(
        &self,
        key: &str,
        now: DateTime<Utc>,
        render: &dyn Fn(DateTime<Utc>) -> Result<Representation, FeedError>,
    ) -> Result<Representation, FeedError> {
        let mut now = now;
        loop {
            let mut rep = render(now)?;
            let mut served = self.served.lock().unwrap_or_else(PoisonError::into_inner);
            let prev = served.get(key).cloned();
            match prev {
                Some((hash, lm)) if rep.same_hash(&hash) => rep.set_last_modified(lm),
                Some((_, lm)) if rep.last_modified <= lm => {
                    let next = lm + chrono::Duration::seconds(1);
                    if next > now {
                        drop(served);
                        validators::wait_for_second(next.timestamp());
                        now = next;
                        continue;
                    }
                    rep.set_last_modified(next);
                }
                _ => {}
            }
            if served.len() > 10_000 {
                served.clear();
            }
            served.insert(key.to_owned(), (rep.hash().to_owned(), rep.last_modified));
            return Ok(rep);
        }
    }

    /// Whether rendered pages are kept (`feeds.cache_mb` > 0).
    pub fn caching(&self) -> bool {
        self.cache.enabled()
    }

    /// Last-Modified of a document showing `shown` from `scopes`: the latest change of the
    /// scopes, of any article shown, and of any embargo lifted among them (a lifted article
    /// appears without a write); never later than the response's Date (RFC 9110 §8.8.2.1,
    /// future-dated articles).
    fn last_modified<'a>(
        &self,
        shown: impl Iterator<Item = &'a crate::model::Article>,
        scopes: &[String],
        now_ts: i64,
    ) -> i64 {
        shown
            .flat_map(|a| {
                [
                    Some(a.updated_at.timestamp()),
                    a.content
                        .embargo_until
                        .map(|e| e.timestamp())
                        .filter(|&e| e <= now_ts),
                    // A linked take lifted from embargo changes the item's links.
                    a.takes.last_lift(unix(now_ts)).map(|e| e.timestamp()),
                ]
            })
            .flatten()
            .chain([self.changes.changed_at(scopes)])
            .max()
            .unwrap_or(0)
            .min(now_ts)
    }

    fn render(
        &self,
        feed: &FeedDef,
        plan: &FeedPlan,
        q: &FeedQuery,
        now: DateTime<Utc>,
    ) -> Result<Representation, FeedError> {
        let (format, link_token) = (plan.format, plan.link_token.as_deref());
        let started = Instant::now();
        self.refresh_unwatched();
        // The scopes are read before the data: a write in between only makes the page stale early.
        let deps = self.changes.seqs(Self::deps(feed));
        let limit = q.limit.unwrap_or(self.config.feeds.default_limit);
        let countries = plan.countries.as_deref();
        let mut page = listing::listing(&self.store, feed, q, countries, limit, now)?;
        // Developing stories (contract §15): link the takes every reader of this page may read.
        for a in &mut page.articles {
            let id = a.id.clone();
            a.takes
                .resolve(&id, now, |t| access::page_reads(feed, countries, t));
        }
        let now_ts = now.timestamp();
        let retention = self.config.feeds.kill_retention.as_secs() as i64;
        let tombstones = if q.before.is_none() && q.after.is_none() {
            listing::tombstones(&self.store, feed, q, countries, now_ts - retention, limit)?
        } else {
            Vec::new()
        };
        let urls = Urls::of(&self.config);
        let url = |before: Option<&Cursor>, after: Option<&Cursor>| {
            urls.feed(&feed.id, format, &q.link(before, after, link_token))
        };
        let self_url = url(q.before.as_ref(), q.after.as_ref());
        let mut links = vec![("self", self_url.clone()), ("first", url(None, None))];
        if let Some(c) = &page.next {
            links.push(("next", url(Some(c), None)));
        }
        if let Some(c) = &page.previous {
            links.push(("previous", url(None, Some(c))));
        }
        // WebSub discovery (W3C WebSub §4): in the document and in its Link header.
        links.push(("hub", urls.websub()));
        // Last-Modified moves with any item update and any embargo lift among the items (a
        // lifted article appears without a write). A restricted view also moves with any
        // change to the feed's scopes; a public one only with what it shows, so that the
        // moment a restricted or embargoed story is filed or killed is not readable from a
        // public page (when its bytes change without a later date, `settle` moves it on).
        let scopes = match plan.view {
            Entitlement::Public => Vec::new(),
            Entitlement::Key { .. } => Self::deps(feed),
        };
        let last_modified =
            self.last_modified(page.articles.iter().chain(&tombstones), &scopes, now_ts);
        let doc = FeedDoc {
            config: &self.config,
            feed,
            articles: &page.articles,
            changed: unix(last_modified),
            links: &links,
            lang: q.lang.as_deref(),
            tombstones: &tombstones,
            token: link_token,
        };
        let body = render::feed(&doc, format);
        METRICS.rendered(format.into(), started.elapsed());
        let mut rep = Representation::new(
            body,
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
        // And when a take linked from an item lifts from embargo (it may live in another feed).
        let take_lift = page
            .articles
            .iter()
            .filter_map(|a| a.takes.next_lift(now))
            .map(|t| t.timestamp())
            .min();
        rep.expires_at = [
            listing::next_lift(&self.store, feed, now_ts)?,
            tomb_expiry,
            take_lift,
        ]
        .into_iter()
        .flatten()
        .min();
        rep.set_deps(deps);
        Ok(rep)
    }
}
