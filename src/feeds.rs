//! One feed or article request: query → store → render, with validators.

use crate::config::{Access, Config, FeedDef, FeedKind, is_language_tag};
use crate::ingest::FieldError;
use crate::model::{Article, Format, PubStatus};
use crate::render::{self, FeedDoc};
use crate::store::{Cursor, PageQuery, Selection, Store, StoreError, lang_key};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Feed query parameters (CONTRACT §3), parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedQuery {
    /// `lang=`: primary language subtag.
    pub lang: Option<String>,
    /// `limit=`: 1–200.
    pub limit: Option<u32>,
    /// `before=`: the cursor from a next link.
    pub before: Option<Cursor>,
    /// `since=`: only items updated after.
    pub since: Option<DateTime<Utc>>,
}

impl FeedQuery {
    /// Parses query pairs; unknown parameters are ignored, bad values name their parameter.
    pub fn parse(pairs: &[(String, String)]) -> Result<FeedQuery, Vec<FieldError>> {
        let mut q = FeedQuery::default();
        let mut errors = Vec::new();
        let mut bad = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            })
        };
        for (k, v) in pairs {
            match k.as_str() {
                "lang" if is_language_tag(v) => q.lang = Some(lang_key(v)),
                "lang" => bad(
                    "lang",
                    format!("{v:?} is not a language tag such as \"es\" or \"en\""),
                ),
                "limit" => match v.parse::<u32>() {
                    Ok(n @ 1..=200) => q.limit = Some(n),
                    _ => bad(
                        "limit",
                        format!("limit must be a whole number from 1 to 200, got {v:?}"),
                    ),
                },
                "before" => match Cursor::decode(v) {
                    Some(c) => q.before = Some(c),
                    None => bad(
                        "before",
                        "before must be the cursor from a feed's next link".into(),
                    ),
                },
                "since" => match DateTime::parse_from_rfc3339(v) {
                    Ok(t) => q.since = Some(t.with_timezone(&Utc)),
                    Err(_) => bad(
                        "since",
                        format!(
                            "since must be an RFC 3339 date-time such as 2026-11-20T09:00:00Z, got {v:?}"
                        ),
                    ),
                },
                _ => {}
            }
        }
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }

    /// The query string that reproduces this query (canonical order), with `before` replaced.
    fn query_string(&self, before: Option<&Cursor>) -> String {
        let mut parts = Vec::new();
        if let Some(l) = &self.lang {
            parts.push(format!("lang={l}"));
        }
        if let Some(n) = self.limit {
            parts.push(format!("limit={n}"));
        }
        if let Some(s) = self.since {
            parts.push(format!("since={}", render::rfc3339(s).replace('+', "%2B")));
        }
        if let Some(c) = before {
            parts.push(format!("before={}", c.encode()));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
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
    /// The feed is for subscribers.
    #[error("{0}")]
    Unauthorized(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A rendered document with what HTTP needs to serve it.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The body.
    pub body: String,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Latest change in it, for `Last-Modified`.
    pub last_modified: DateTime<Utc>,
    /// Absolute URL of the document, for `Link: rel="self"`.
    pub self_url: String,
}

/// The feed service: config and store, shared by every request.
#[derive(Clone)]
pub struct Feeds {
    /// The checked config.
    pub config: Arc<Config>,
    /// The database.
    pub store: Arc<Store>,
}

impl Feeds {
    /// Renders one page of one feed.
    pub fn feed(
        &self,
        feed_id: &str,
        format: Format,
        q: &FeedQuery,
        now: DateTime<Utc>,
    ) -> Result<Rendered, FeedError> {
        let feed = self
            .config
            .feed(feed_id)
            .ok_or_else(|| FeedError::NotFound(format!("there is no feed {feed_id:?}")))?;
        if feed.access == Access::Subscribers {
            return Err(FeedError::Unauthorized(format!(
                "feed {feed_id:?} is for subscribers; send a subscriber key"
            )));
        }
        let limit = q.limit.unwrap_or(self.config.feeds.default_limit);
        let (articles, next) = self.page(feed, q, limit, now)?;
        let base = format!(
            "{}/feeds/{}.{}",
            self.config.agency.base_url,
            feed.id,
            format.extension()
        );
        let self_url = format!("{base}{}", q.query_string(q.before.as_ref()));
        let next_url = next.map(|c| format!("{base}{}", q.query_string(Some(&c))));
        let doc = FeedDoc {
            config: &self.config,
            feed,
            articles: &articles,
            now,
            self_url: self_url.clone(),
            next_url,
            lang: q.lang.as_deref(),
        };
        Ok(Rendered {
            body: render::feed(&doc, format),
            content_type: format.media_type(),
            last_modified: doc.updated(),
            self_url,
        })
    }

    /// Articles of one page, newest first, and the cursor of the next page if there is one.
    fn page(
        &self,
        feed: &FeedDef,
        q: &FeedQuery,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Article>, Option<Cursor>), FeedError> {
        let query = |selection| PageQuery {
            selection,
            lang: q.lang.clone(),
            before: q.before.clone(),
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
                all.sort_by(|a, b| (b.published_at, &b.id).cmp(&(a.published_at, &a.id)));
                all.dedup_by(|a, b| a.id == b.id);
                all
            }
        };
        let next = if articles.len() > limit as usize {
            articles.truncate(limit as usize);
            articles.last().map(|a| Cursor {
                key: sort_key(&feed.kind, a),
                id: a.id.to_string(),
            })
        } else {
            None
        };
        Ok((articles, next))
    }

    /// An article as one document (`html`, `xml` or `json`), hidden while under embargo.
    pub fn article(
        &self,
        id: &str,
        ext: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Rendered, FeedError> {
        let missing = || FeedError::NotFound(format!("there is no article {id:?}"));
        let a = self.store.get(id)?.ok_or_else(missing)?;
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
            _ if a.status == PubStatus::Canceled => {
                return Err(FeedError::Gone(format!(
                    "article {id:?} was killed and must not be used"
                )));
            }
            _ => (
                render::article_page(cfg, &a),
                "text/html; charset=utf-8",
                url,
            ),
        };
        Ok(Rendered {
            body,
            content_type,
            last_modified: a.updated_at.max(a.published_at),
            self_url,
        })
    }
}

fn sort_key(kind: &FeedKind, a: &Article) -> i64 {
    match kind {
        FeedKind::Kills => a.canceled_at.unwrap_or(a.updated_at).timestamp(),
        _ => a.published_at.timestamp(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn bad_parameters_are_named() {
        let e = FeedQuery::parse(&pairs(&[
            ("limit", "0"),
            ("lang", "español"),
            ("since", "yesterday"),
            ("before", "xyz"),
        ]))
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["limit", "lang", "since", "before"]);
    }

    #[test]
    fn the_query_string_is_canonical() {
        let q =
            FeedQuery::parse(&pairs(&[("limit", "5"), ("lang", "es-MX"), ("token", "x")])).unwrap();
        assert_eq!(q.query_string(None), "?lang=es&limit=5");
    }
}
