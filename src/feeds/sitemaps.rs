//! The sitemaps and `robots.txt` as documents (docs/api.md, Sitemaps): rendered once, kept in
//! the page cache until the `all` scope moves (a story filed, updated or killed) or an embargo
//! lifts, named by the surrogate key `all` so a shared cache drops them at the same moments.

use super::{FeedError, Feeds, Representation, unix};
use crate::render;
use crate::store::{DAY, SCOPE_ALL, SITEMAP_MAX, Selection, SitemapRow};
use crate::urls::{Sitemap, Urls};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// How far back the news sitemap reaches: Google News takes "articles published in the last
/// 2 days".
pub const NEWS_WINDOW: i64 = 2 * DAY;
/// The most stories the news sitemap lists (Google News: "no more than 1,000 URLs").
pub const NEWS_MAX: u32 = 1_000;

const XML: &str = "application/xml; charset=utf-8";

impl Feeds {
    /// One sitemap; a day without readable stories is no sitemap (404).
    pub fn sitemap(
        &self,
        which: Sitemap,
        now: DateTime<Utc>,
    ) -> Result<Arc<Representation>, FeedError> {
        let key = match which {
            Sitemap::Index => "sitemap:index".to_owned(),
            Sitemap::News => "sitemap:news".to_owned(),
            Sitemap::Day(day) => format!("sitemap:day:{day}"),
        };
        if let Some(rep) = self.cached_at(&key, now) {
            return Ok(rep);
        }
        self.through_cache(key, now, &|now| self.render_sitemap(which, now))
    }

    /// The news sitemap's stories at `now`: readable, published in the last two days, newest
    /// first, at most [`NEWS_MAX`].
    fn news_rows(&self, now: i64) -> Result<Vec<SitemapRow>, FeedError> {
        Ok(self
            .store
            .sitemap_range(now - NEWS_WINDOW, i64::MAX, now, NEWS_MAX)?)
    }

    fn render_sitemap(
        &self,
        which: Sitemap,
        now: DateTime<Utc>,
    ) -> Result<Representation, FeedError> {
        self.refresh_unwatched();
        // The scope is read before the data: a write in between only makes the page stale early.
        let deps = self.changes.seqs(vec![SCOPE_ALL.to_owned()]);
        let now_ts = now.timestamp();
        let urls = Urls::of(&self.config);
        let newest = |rows: &[SitemapRow]| {
            rows.iter()
                .map(|r| render::sitemap_lastmod(r, now_ts))
                .max()
        };
        // A story leaves the news sitemap when it turns two days old.
        let news_expiry =
            |rows: &[SitemapRow]| rows.iter().map(|r| r.published_at + NEWS_WINDOW + 1).min();
        let (body, last_modified, self_url, leaves) = match which {
            Sitemap::Index => {
                let days = self.store.sitemap_days(now_ts)?;
                let news = self.news_rows(now_ts)?;
                let news_lastmod = newest(&news);
                (
                    render::sitemap_index(&self.config, news_lastmod, &days),
                    news_lastmod,
                    urls.sitemap(),
                    news_expiry(&news),
                )
            }
            Sitemap::News => {
                let news = self.news_rows(now_ts)?;
                (
                    render::news_sitemap(&self.config, &news, now_ts),
                    newest(&news),
                    urls.sitemap_news(),
                    news_expiry(&news),
                )
            }
            Sitemap::Day(day) => {
                let rows = self
                    .store
                    .sitemap_range(day, day + DAY, now_ts, SITEMAP_MAX)?;
                if rows.is_empty() {
                    return Err(FeedError::NotFound(
                        "no public story was published that day".into(),
                    ));
                }
                (
                    render::archive_sitemap(&self.config, &rows, now_ts),
                    newest(&rows),
                    urls.sitemap_day(day),
                    None,
                )
            }
        };
        // Dated by what it lists; when its bytes change without a later date (a kill), the
        // page cache moves Last-Modified on (`settle`).
        let last_modified = last_modified
            .unwrap_or(self.started.timestamp())
            .min(now_ts);
        let mut rep = Representation::new(body, XML, unix(last_modified), vec![("self", self_url)]);
        let lift = self.store.next_embargo_lift(&Selection::All, now_ts)?;
        rep.expires_at = match (lift, leaves) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        rep.set_deps(deps);
        Ok(rep)
    }

    /// `/robots.txt`, made from the config alone.
    pub fn robots(&self, now: DateTime<Utc>) -> Result<Arc<Representation>, FeedError> {
        self.through_cache("robots".to_owned(), now, &|_| {
            let url = format!(
                "{}{}",
                Urls::of(&self.config).base(),
                crate::urls::pattern::ROBOTS
            );
            let mut rep = Representation::new(
                render::robots_txt(&self.config),
                "text/plain; charset=utf-8",
                self.started,
                vec![("self", url)],
            );
            rep.set_surrogate_keys(std::iter::empty());
            Ok(rep)
        })
    }
}
