//! Which of our feeds a WebSub topic URL names, and the document it is now.

use crate::auth::{Keyring, Principal, Refusal};
use crate::config::Config;
use crate::feeds::{FeedError, Feeds, Representation};
use crate::model::Format;
use crate::urls::{FeedQuery, Resource, Urls};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A topic URL resolved to one of our feeds.
#[derive(Debug, Clone)]
pub struct Topic {
    /// Feed id.
    pub feed: String,
    /// Format, from the extension.
    pub format: Format,
    /// The feed query (`lang=`, `limit=`, `token=` ...).
    pub query: FeedQuery,
}

/// Why a topic cannot be subscribed to or delivered.
#[derive(Debug, thiserror::Error)]
pub enum TopicError {
    /// Not one of our feed URLs.
    #[error("{0}")]
    Unknown(String),
    /// The feed is restricted and the topic's `token=` does not reach it (or no longer does).
    #[error("{0}")]
    NotEntitled(String),
    /// Storage failed: try again later.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl Topic {
    /// Resolves `url` if it is `{base_url}/feeds/{feed}.{ext}` with a valid query.
    pub fn parse(config: &Config, url: &str) -> Result<Topic, TopicError> {
        let urls = Urls::of(config);
        let unknown = || {
            TopicError::Unknown(format!(
                "not a feed of this hub: topics are {}/feeds/{{feed}}.{{rss,atom,xml,json}}",
                urls.base()
            ))
        };
        let rest = urls.path_of(url).ok_or_else(unknown)?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let Some(Resource::Feed { feed, format }) = Resource::parse(path) else {
            return Err(unknown());
        };
        if config.feed(feed).is_none() {
            return Err(TopicError::Unknown(format!("there is no feed {feed:?}")));
        }
        let query = FeedQuery::parse_str(query).map_err(|errors| {
            TopicError::Unknown(
                errors
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        Ok(Topic {
            feed: feed.to_owned(),
            format,
            query,
        })
    }

    /// The topic's document now, as a reader of the same URL gets it (a `token=` in the topic
    /// acts as that key, and the document's links carry it). Blocking: database and rendering.
    pub fn document(
        &self,
        feeds: &Feeds,
        keyring: &Keyring,
        now: DateTime<Utc>,
    ) -> Result<Arc<Representation>, TopicError> {
        let who = match &self.query.token {
            None => Principal::Anonymous,
            Some(t) => match keyring.authenticate(&t.0, now.timestamp()) {
                Ok(key) => Principal::Key(key),
                Err(r) => {
                    let why = match r {
                        Refusal::Unknown => "unknown",
                        Refusal::Revoked => "revoked",
                        Refusal::Expired => "expired",
                    };
                    return Err(TopicError::NotEntitled(format!(
                        "the topic's token is {why}"
                    )));
                }
            },
        };
        let link_token = self.query.token.as_ref().map(|t| t.0.as_str());
        match feeds.feed(&self.feed, self.format, &self.query, &who, link_token, now) {
            Ok((rep, _)) => Ok(rep),
            Err(FeedError::Unauthorized(m) | FeedError::Forbidden(m)) => {
                Err(TopicError::NotEntitled(m))
            }
            Err(FeedError::NotFound(m) | FeedError::Gone(m)) => Err(TopicError::Unknown(m)),
            Err(FeedError::Store(e)) => Err(TopicError::Store(e)),
        }
    }
}

/// `url` with every `token` value hidden, for logs, errors and `websub list`: a parameter
/// whose name decodes to `token` (`%74oken=` too), and tokens inside a parameter that is
/// itself a URL (the `hub.topic` of a verification request), at any depth.
pub fn redact(url: &str) -> String {
    let Some((path, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let query: Vec<String> = query
        .split('&')
        .map(|p| {
            let Some((name, value)) = form_urlencoded::parse(p.as_bytes()).next() else {
                return p.to_owned();
            };
            let raw_name = p.split_once('=').map_or(p, |(n, _)| n);
            if name == "token" {
                format!("{raw_name}=…")
            } else if value.contains("://") && value.contains('?') {
                let inner: String =
                    form_urlencoded::byte_serialize(redact(&value).as_bytes()).collect();
                format!("{raw_name}={inner}")
            } else {
                p.to_owned()
            }
        })
        .collect();
    match fragment {
        Some(f) => format!("{path}?{}#{f}", query.join("&")),
        None => format!("{path}?{}", query.join("&")),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn tokens_are_hidden_and_the_rest_kept() {
        assert_eq!(
            redact("http://x/feeds/a.rss?lang=es&token=wf_sub_abc"),
            "http://x/feeds/a.rss?lang=es&token=…"
        );
        assert_eq!(redact("http://x/feeds/a.rss"), "http://x/feeds/a.rss");
        // A name written with an escape is still `token`.
        let r = redact("http://x/feeds/a.rss?%74oken=wf_sub_abc&lang=es");
        assert!(!r.contains("wf_sub_abc"), "{r}");
        assert!(r.contains("lang=es"), "{r}");
        // A verification URL carries the topic, with its token, as a parameter.
        let verify = "http://cb.example/hook?x=1&hub.mode=subscribe&hub.topic=http%3A%2F%2Fw%2Ffeeds%2Fa.rss%3Ftoken%3Dwf_sub_abc&hub.challenge=c";
        let r = redact(verify);
        assert!(!r.contains("wf_sub_abc"), "{r}");
        assert!(r.contains("hub.challenge=c") && r.contains("x=1"), "{r}");
    }
}
