//! One article as a document: its HTML page, NewsML-G2 item or ninjs, or its kill notice.

use super::{Entitlement, FeedError, Feeds, Representation, unix};
use crate::auth::Principal;
use crate::metrics::{METRICS, Rendered};
use crate::model::PubStatus;
use crate::render::{self, NinjsVersion};
use crate::store::SCOPE_ALL;
pub use crate::urls::ArticleFormat;
use chrono::{DateTime, Utc};

impl Feeds {
    /// An article as one document, hidden while under embargo. `link_token`: the `?token=` of
    /// a reader without headers, which a restricted page's pictures carry.
    pub fn article(
        &self,
        id: &str,
        format: ArticleFormat,
        who: &Principal,
        now: DateTime<Utc>,
        link_token: Option<&str>,
    ) -> Result<(Representation, Entitlement), FeedError> {
        let started = std::time::Instant::now();
        let missing = || FeedError::NotFound(format!("there is no article {id:?}"));
        let mut a = self.store.get(id, now.timestamp())?.ok_or_else(missing)?;
        // Two changes within one second: the second is recorded at the next second, so that its
        // Last-Modified moves forward (docs/api.md, Wire semantics). Until that second begins it cannot be
        // served without a Last-Modified in the future, so wait for it (at most a second, and
        // only right after such a burst of edits), then read again.
        let mut now = now;
        let ahead = a.changed_at.timestamp() - now.timestamp();
        if (1..=2).contains(&ahead) {
            let until = a.changed_at.timestamp();
            super::validators::wait_for_second(until);
            now = unix(until);
            a = self.store.get(id, now.timestamp())?.ok_or_else(missing)?;
        }
        if a.content.embargo_until.is_some_and(|e| e > now) {
            return Err(missing());
        }
        let view = self.authorize_article(&a, who)?;
        // The store linked the takes anyone may see; a key may see more (contract §15).
        if matches!(who, Principal::Key(_)) {
            let id = a.id.clone();
            a.takes.resolve(&id, now, |t| self.may_read_take(t, who));
        }
        let cfg = &self.config;
        let urls = crate::urls::Urls::of(cfg);
        let url = urls.article(a.id.as_str());
        // A restricted story read with `?token=` names its pictures with it (readers that cannot
        // send headers cannot fetch them otherwise); a public one never carries a token.
        let token = link_token.filter(|_| a.restricted);
        let (body, content_type, self_url) = match format {
            // A kill notice is served in NewsML-G2 and ninjs, which can say `canceled`.
            ArticleFormat::NewsMl => (
                render::news_item(cfg, &a),
                "application/vnd.iptc.g2.newsitem+xml",
                urls.article_as(a.id.as_str(), ArticleFormat::NewsMl),
            ),
            ArticleFormat::Ninjs => (
                render::ninjs(cfg, &a, NinjsVersion::V2_1, token),
                "application/json",
                urls.article_as(a.id.as_str(), ArticleFormat::Ninjs),
            ),
            ArticleFormat::Ninjs16 | ArticleFormat::Ninjs31 => {
                let version = if format == ArticleFormat::Ninjs16 {
                    NinjsVersion::V1_6
                } else {
                    NinjsVersion::V3_1
                };
                (
                    render::ninjs(cfg, &a, version, token),
                    "application/json",
                    format!(
                        "{}?ninjs={}",
                        urls.article_as(a.id.as_str(), ArticleFormat::Ninjs),
                        version.as_str()
                    ),
                )
            }
            // The page of a killed story is gone (410), and says so in the page.
            ArticleFormat::Html if a.status == PubStatus::Canceled => (
                crate::pages::kill_page(cfg, &a),
                "text/html; charset=utf-8",
                url,
            ),
            ArticleFormat::Html => (
                crate::pages::article_page(cfg, &a, token),
                "text/html; charset=utf-8",
                url,
            ),
        };
        // Every recorded change moves it (a minor edit or a kill too), a lifted embargo, a
        // linked take's embargo lifting (the links change), and a change to its related stories.
        let last_modified = unix(a.changed_at.timestamp())
            .max(a.content.embargo_until.unwrap_or_default())
            .max(a.takes.last_lift(now).unwrap_or_default())
            .max(
                a.related_at
                    .map_or_else(Default::default, |t| unix(t.timestamp())),
            )
            .min(now);
        METRICS.rendered(Rendered::Article, started.elapsed());
        let mut rep =
            Representation::new(body, content_type, last_modified, vec![("self", self_url)]);
        // Every change to an article moves `all`, so a purge of it reaches the article too.
        rep.set_surrogate_keys([format!("article:{}", a.id.as_str()).as_str(), SCOPE_ALL]);
        if a.status == PubStatus::Canceled && format == ArticleFormat::Html {
            rep.status = 410;
        }
        Ok((rep, view))
    }
}
