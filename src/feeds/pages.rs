//! Pages people read (docs/api.md, Pages, search and discovery) as documents like feeds: rendered once, kept in the page
//! cache until the change-log scopes they show move or an embargo in them lifts, with
//! validators that always move.

use super::{Entitlement, FeedError, FeedQuery, Feeds, Representation, listing, unix};
use crate::auth::Principal;
use crate::config::{Access, FeedDef, FeedKind};
use crate::metrics::{METRICS, Rendered};
use crate::pages::{self, Builder, CountryView, IndexPage, SearchView, TopicView, Ui};
use crate::store::{PageQuery, SEARCH_PAGE, SearchQuery, Selection};
use crate::urls::Urls;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Stories per topic on the front page.
pub const INDEX_STORIES: u32 = 5;

/// Which page.
#[derive(Debug, Clone)]
pub enum Page {
    /// `/`, with the feed builder's choices.
    Index(Builder),
    /// `/topics/{topic}`: `query` pages it like its feed (its `lang` is the page's language).
    Topic {
        /// Topic id.
        topic: String,
        /// Paging and language.
        query: FeedQuery,
    },
    /// `/countries/{cc}`: `query` pages it like its feed (`all?country=cc`; its `lang` is the
    /// page's language, its `countries` the one country).
    Country {
        /// ISO 3166-1 alpha-2, capitals.
        code: String,
        /// Paging, language and the country.
        query: FeedQuery,
    },
    /// `/search?q=`.
    Search {
        /// What the reader typed.
        typed: String,
        /// The parsed query, when there is one.
        query: Option<SearchQuery>,
        /// From 1.
        page: u32,
    },
}

const HTML: &str = "text/html; charset=utf-8";

/// What the front page and search show: every public, visible story.
fn everything() -> FeedDef {
    FeedDef {
        id: "all".into(),
        title: String::new(),
        kind: FeedKind::All,
        countries: Vec::new(),
        access: Access::Public,
    }
}

impl Feeds {
    /// One page in the chrome language `ui`; `negotiated` when `ui` came from
    /// `Accept-Language` (the page then varies by it).
    pub fn page(
        &self,
        which: &Page,
        ui: Ui,
        negotiated: bool,
        who: &Principal,
        now: DateTime<Utc>,
    ) -> Result<(Arc<Representation>, Entitlement), FeedError> {
        let (feed, view) = match which {
            Page::Topic { topic, .. } => {
                if self.config.topic(topic).is_none() {
                    return Err(FeedError::NotFound(format!("there is no topic {topic:?}")));
                }
                let (feed, view) = self.resolve(topic, who)?;
                (feed.clone(), view)
            }
            _ => (everything(), Entitlement::Public),
        };
        let whose = match &view {
            Entitlement::Public => "public",
            Entitlement::Key { .. } => "restricted",
        };
        let what = match which {
            Page::Index(b) => format!(
                "index|{}.{}{}",
                b.feed,
                b.format.extension(),
                b.query.canonical()
            ),
            Page::Topic { topic, query } => format!("topic:{topic}{}", query.canonical()),
            Page::Country { code, query } => format!("country:{code}{}", query.canonical()),
            Page::Search { query, page, .. } => format!(
                "search:{}|{page}",
                query
                    .as_ref()
                    .map(SearchQuery::canonical)
                    .unwrap_or_default()
            ),
        };
        let key = format!(
            "page:{what}|{}|{}|{whose}",
            ui.code(),
            if negotiated { "n" } else { "x" }
        );
        if let Some(rep) = self.cached_at(&key, now) {
            return Ok((rep, view));
        }
        let rep = self.through_cache(key, now, &|now| {
            let started = std::time::Instant::now();
            let mut rep = self.render_page(which, &feed, ui, now)?;
            METRICS.rendered(Rendered::Html, started.elapsed());
            if negotiated {
                rep.vary = "Accept-Encoding, Accept-Language";
            }
            Ok(rep)
        })?;
        Ok((rep, view))
    }

    /// One page of a paged listing page (a topic's, a country's) like its feed, with the
    /// queries (`?…`) of the older and newer pages.
    fn paged(
        &self,
        feed: &FeedDef,
        query: &FeedQuery,
        countries: listing::Countries<'_>,
        now: DateTime<Utc>,
    ) -> Result<(listing::Listing, Option<String>, Option<String>), FeedError> {
        let limit = query.limit.unwrap_or(self.config.feeds.default_limit);
        let found = listing::listing(&self.store, feed, query, countries, limit, now)?;
        let next = found
            .next
            .as_ref()
            .map(|c| query.query_string(Some(c), None));
        let previous = found
            .previous
            .as_ref()
            .map(|c| query.query_string(None, Some(c)));
        Ok((found, next, previous))
    }

    fn render_page(
        &self,
        which: &Page,
        feed: &FeedDef,
        ui: Ui,
        now: DateTime<Utc>,
    ) -> Result<Representation, FeedError> {
        self.refresh_unwatched();
        let deps = Self::deps(feed);
        let seqs = self.changes.seqs(deps.clone());
        let now_ts = now.timestamp();
        let cfg = &self.config;
        let (body, last_modified, self_url) = match which {
            Page::Index(builder) => {
                let mut sections = Vec::new();
                for t in cfg.topics.iter().filter(|t| cfg.topic_is_public(&t.id)) {
                    let stories = self.store.page(&PageQuery {
                        selection: Selection::Topic(t.id.clone()),
                        lang: Some(ui.code().to_owned()),
                        before: None,
                        after: None,
                        since: None,
                        limit: INDEX_STORIES,
                        now: now_ts,
                        search: None,
                        country: None,
                        latest: None,
                    })?;
                    sections.push((t, stories));
                }
                // Current urgent stories first (contract §15): the urgent feed's newest, of the
                // last day, in the page's language.
                let since = now_ts - crate::pages::URGENT_HOURS * 3600;
                let urgent = self
                    .store
                    .page(&PageQuery {
                        selection: Selection::Topic(crate::config::URGENT.to_owned()),
                        lang: Some(ui.code().to_owned()),
                        before: None,
                        after: None,
                        since: None,
                        limit: INDEX_STORIES,
                        now: now_ts,
                        search: None,
                        country: None,
                        latest: None,
                    })?
                    .into_iter()
                    .filter(|a| a.published_at.timestamp() >= since)
                    .collect();
                let page = IndexPage {
                    ui,
                    urgent,
                    sections,
                    builder: builder.clone(),
                };
                let shown = page
                    .sections
                    .iter()
                    .flat_map(|(_, s)| s)
                    .chain(page.urgent.iter());
                (
                    pages::index_page(cfg, &page),
                    self.last_modified(shown, &[], now_ts),
                    Urls::of(cfg).index(""),
                )
            }
            Page::Topic { topic, query } => {
                let (found, next, previous) = self.paged(feed, query, None, now)?;
                let topic_def = cfg
                    .topic(topic)
                    .ok_or_else(|| FeedError::NotFound(format!("there is no topic {topic:?}")))?;
                let view = TopicView {
                    ui,
                    topic: topic_def,
                    articles: &found.articles,
                    next,
                    previous,
                };
                (
                    pages::topic_page(cfg, &view),
                    self.last_modified(found.articles.iter(), &[], now_ts),
                    Urls::of(cfg).topic(topic, ""),
                )
            }
            Page::Country { code, query } => {
                let (found, next, previous) =
                    self.paged(feed, query, Some(&query.countries), now)?;
                let view = CountryView {
                    ui,
                    code,
                    articles: &found.articles,
                    next,
                    previous,
                };
                (
                    pages::country_page(cfg, &view),
                    self.last_modified(found.articles.iter(), &[], now_ts),
                    Urls::of(cfg).country(code, ""),
                )
            }
            Page::Search { typed, query, page } => {
                let found = match query {
                    Some(q) => Some(self.store.search(
                        q,
                        None,
                        SEARCH_PAGE,
                        (page - 1) * SEARCH_PAGE,
                        now_ts,
                    )?),
                    None => None,
                };
                let view = SearchView {
                    ui,
                    typed,
                    query: query.as_ref().map(SearchQuery::canonical),
                    results: found.as_ref().map_or(&[], |f| &f.articles),
                    page: *page,
                    more: found.as_ref().is_some_and(|f| f.more),
                };
                let shown = found.iter().flat_map(|f| &f.articles);
                (
                    pages::search_page(cfg, &view),
                    self.last_modified(shown, &[], now_ts),
                    Urls::of(cfg).search(""),
                )
            }
        };
        let mut rep =
            Representation::new(body, HTML, unix(last_modified), vec![("self", self_url)]);
        rep.expires_at = listing::next_lift(&self.store, feed, now_ts)?;
        rep.set_deps(seqs);
        Ok(rep)
    }
}
