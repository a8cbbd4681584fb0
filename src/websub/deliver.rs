//! From the change log to the callbacks: [`watch`] notices each subscribed topic whose
//! document changed and enqueues deliveries; [`dispatch`] sends them.

use super::client::{check_host, read_capped};
use super::{Hub, MAX_IN_FLIGHT, Topic, TopicError, redact};
use crate::metrics::{METRICS, Registry};
use crate::store::{Claimed, StoreError};
use chrono::Utc;
use hmac::{Hmac, Mac};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

/// Topics are also checked this often without a change-log signal: an embargo lifts, or a
/// page kept for the rest of its second is re-rendered, without any write.
const CHECK: Duration = Duration::from_millis(250);
/// Ended leases are removed this often.
const EXPIRE_EVERY: Duration = Duration::from_secs(5);

pub(super) async fn watch(hub: Arc<Hub>) {
    let mut expired_at = Instant::now();
    // Without the page cache every check renders every topic: check less often unprompted.
    let every = if hub.feeds.caching() {
        CHECK
    } else {
        Duration::from_secs(1)
    };
    let mut changes = hub.changes.subscribe();
    while !hub.stopping() {
        tokio::select! {
            () = changes.changed() => {}
            () = tokio::time::sleep(every) => {}
        }
        let expire = expired_at.elapsed() >= EXPIRE_EVERY;
        if expire {
            expired_at = Instant::now();
        }
        let h = hub.clone();
        match tokio::task::spawn_blocking(move || check_topics(&h, expire)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(_)) => hub.queue_moved.notify_one(),
            Ok(Err(e)) => tracing::warn!(error = %e, "websub: cannot check topics"),
            Err(e) => tracing::error!(error = %e, "websub: topic check panicked"),
        }
    }
}

/// Renders every subscribed topic (from the page cache when current) and enqueues deliveries
/// for those whose document changed; returns how many were enqueued.
fn check_topics(hub: &Hub, expire: bool) -> Result<usize, StoreError> {
    let store = &hub.store;
    let now = Utc::now();
    if expire {
        let n = store.websub_expire(now.timestamp())?;
        if n > 0 {
            tracing::info!(subscriptions = n, "websub: leases ended");
        }
    }
    let mut enqueued = 0;
    for (url, hash) in store.websub_topics(now.timestamp())? {
        let doc = match Topic::parse(&hub.feeds.config, &url)
            .and_then(|t| t.document(&hub.feeds, &hub.keyring, now))
        {
            Ok(doc) => doc,
            Err(TopicError::Store(e)) => return Err(e),
            Err(e) => {
                // The key was revoked or expired, or the feed left the config: deliveries end.
                for s in store.websub_subscribers(&url, now.timestamp())? {
                    store.websub_drop(s.id)?;
                }
                tracing::info!(topic = %redact(&url), reason = %e, "websub: subscriptions ended");
                continue;
            }
        };
        if doc.hash() != hash {
            enqueued +=
                store.websub_topic_changed(&url, &hash, doc.hash(), now.timestamp_millis())?;
        }
    }
    Ok(enqueued)
}

pub(super) async fn dispatch(hub: Arc<Hub>) {
    // A claim outlives a crash by this much, then another process (or this one, restarted)
    // sends the delivery again.
    let lease_ms = (hub.settings.timeout * 2 + Duration::from_secs(5)).as_millis() as i64;
    let mut counted: Option<std::time::Instant> = None;
    while !hub.stopping() {
        // The queue's depth and age for /metrics, read at most once a second.
        let count = counted.is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
        if count {
            counted = Some(std::time::Instant::now());
        }
        let free = MAX_IN_FLIGHT.saturating_sub(hub.in_flight_len());
        let h = hub.clone();
        let claimed = tokio::task::spawn_blocking(move || {
            let now = Utc::now().timestamp_millis();
            let claimed = if free == 0 {
                Vec::new()
            } else {
                h.feeds
                    .store
                    .websub_claim(now, &|cb| h.busy(cb), free, lease_ms)?
            };
            let next = h.store.websub_next_due()?;
            if count {
                let q = h.store.websub_queue()?;
                METRICS.websub_queue_depth.store(q.pending, Relaxed);
                METRICS
                    .websub_oldest_ms
                    .store(q.oldest_ms.unwrap_or(0), Relaxed);
            }
            Ok::<_, StoreError>((claimed, next.map(|t| t - now)))
        })
        .await;
        let wait = match claimed {
            Ok(Ok((claimed, next))) if claimed.is_empty() => next
                .filter(|&ms| ms > 0)
                .map_or(Duration::from_secs(1), |ms| {
                    Duration::from_millis(ms as u64)
                })
                .min(Duration::from_secs(1)),
            Ok(Ok((claimed, _))) => {
                for c in claimed {
                    hub.set_in_flight(&c.subscription.callback, true);
                    let h = hub.clone();
                    tokio::spawn(async move { send(h, c).await });
                }
                Duration::ZERO
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "websub: cannot read the delivery queue");
                Duration::from_secs(1)
            }
            Err(e) => {
                tracing::error!(error = %e, "websub: claiming deliveries panicked");
                Duration::from_secs(1)
            }
        };
        if !wait.is_zero() {
            tokio::select! {
                () = hub.queue_moved.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}

/// What became of one delivery attempt.
enum Outcome {
    Delivered(u16),
    /// 410 Gone, or the topic no longer reachable: the subscription ends.
    Ended(String),
    Failed(String, Option<u16>),
}

async fn send(hub: Arc<Hub>, c: Claimed) {
    let outcome = attempt(&hub, &c).await;
    let s = &c.subscription;
    let h = hub.clone();
    let (id, generation) = (s.id, c.generation);
    let attempts = c.attempts + 1;
    let max = i64::from(hub.settings.max_attempts);
    let (callback, topic) = (redact(&s.callback), redact(&s.topic));
    let saved = tokio::task::spawn_blocking(move || {
        let store = &h.store;
        let now = Utc::now().timestamp_millis();
        match outcome {
            Outcome::Delivered(status) => {
                Registry::inc(&METRICS.websub_attempts);
                store.websub_delivered(id, generation, status, now)
            }
            Outcome::Ended(why) => {
                Registry::inc(&METRICS.websub_attempts);
                tracing::info!(%callback, %topic, reason = %why, "websub: subscription ended");
                store.websub_drop(id)
            }
            Outcome::Failed(why, status) => {
                Registry::inc(&METRICS.websub_attempts);
                Registry::inc(&METRICS.websub_failures);
                let retry = (attempts < max).then(|| {
                    now + Hub::backoff(attempts as u32).as_millis() as i64
                });
                if retry.is_none() {
                    tracing::warn!(%callback, %topic, attempts, error = %why, "websub: delivery dropped after its last attempt");
                } else {
                    tracing::info!(%callback, %topic, attempts, error = %why, "websub: delivery failed; will retry");
                }
                store.websub_failed(id, attempts, retry, &why, status, now)
            }
        }
    })
    .await;
    if let Ok(Err(e)) = saved {
        tracing::warn!(error = %e, "websub: cannot record a delivery (it will be sent again)");
    }
    hub.set_in_flight(&s.callback, false);
    hub.queue_moved.notify_one();
}

async fn attempt(hub: &Arc<Hub>, c: &Claimed) -> Outcome {
    let s = &c.subscription;
    let (h, topic) = (hub.clone(), s.topic.clone());
    let doc = tokio::task::spawn_blocking(move || {
        Topic::parse(&h.feeds.config, &topic)?.document(&h.feeds, &h.keyring, Utc::now())
    })
    .await;
    let doc = match doc {
        Ok(Ok(doc)) => doc,
        Ok(Err(TopicError::Store(e))) => return Outcome::Failed(e.to_string(), None),
        Ok(Err(e)) => return Outcome::Ended(e.to_string()),
        Err(e) => return Outcome::Failed(e.to_string(), None),
    };
    let url = match reqwest::Url::parse(&s.callback) {
        Ok(url) => url,
        Err(e) => return Outcome::Failed(format!("the callback is not a URL: {e}"), None),
    };
    // A literal address never reaches the client's resolver: checked here, before the request.
    // It cannot change, so the subscription ends.
    if let Err(why) = check_host(&url, hub.allow_private()) {
        return Outcome::Ended(format!("the callback is not a public address: {why}"));
    }
    let mut req = hub
        .client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, doc.content_type)
        .header(reqwest::header::LINK, hub.link_header(&s.topic))
        .body(doc.body.clone());
    if let Some(secret) = &s.secret {
        req = req.header("X-Hub-Signature", signature(secret, &doc.body));
    }
    match req.send().await {
        Ok(resp) if resp.status().is_success() => {
            let status = resp.status().as_u16();
            let _ = read_capped(resp).await;
            Outcome::Delivered(status)
        }
        Ok(resp) if resp.status() == reqwest::StatusCode::GONE => {
            Outcome::Ended("the callback answered 410 Gone".into())
        }
        Ok(resp) => {
            let status = resp.status();
            let _ = read_capped(resp).await;
            Outcome::Failed(format!("HTTP {}", status.as_u16()), Some(status.as_u16()))
        }
        Err(e) => Outcome::Failed(crate::text::error_chain(&e.without_url()), None),
    }
}

/// `sha256=<hex HMAC of the exact body>` (W3C WebSub §8).
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_matches_a_known_hmac() {
        // RFC 4231 test case 2.
        assert_eq!(
            super::signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
