//! Verification of intent (W3C WebSub §5.3) and denial (§5.2): nothing changes unless the
//! callback echoes the challenge exactly with a 2xx.

use super::client::{check_host, read_capped};
use super::{Hub, Mode, Request, Topic, TopicError, redact};
use crate::metrics::{METRICS, Registry};
use crate::store::NewSubscription;
use chrono::Utc;
use std::sync::Arc;

pub(super) async fn run(hub: Arc<Hub>, req: Request) {
    let topic_hash = if req.mode == Mode::Subscribe {
        let (h, topic) = (hub.clone(), req.topic.clone());
        let checked = tokio::task::spawn_blocking(move || {
            let t = Topic::parse(&h.feeds.config, &topic)?;
            Ok::<_, TopicError>(
                t.document(&h.feeds, &h.keyring, Utc::now())?
                    .hash()
                    .to_owned(),
            )
        })
        .await;
        match checked {
            Ok(Ok(hash)) => Some(hash),
            Ok(Err(TopicError::Store(e))) => {
                tracing::warn!(error = %e, topic = %redact(&req.topic), "websub: cannot check the topic; request dropped");
                return;
            }
            Ok(Err(e)) => return deny(&hub, &req, &e.to_string()).await,
            Err(e) => {
                tracing::error!(error = %e, "websub: topic check panicked");
                return;
            }
        }
    } else {
        None
    };
    let lease = hub.lease_for(req.lease_seconds);
    let challenge = challenge();
    let mut url = req.callback.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("hub.mode", req.mode.as_str())
            .append_pair("hub.topic", &req.topic)
            .append_pair("hub.challenge", &challenge);
        if req.mode == Mode::Subscribe {
            q.append_pair("hub.lease_seconds", &lease.to_string());
        }
    }
    // A literal address never reaches the client's resolver: checked here, before the request.
    if let Err(why) = check_host(&url, hub.allow_private()) {
        tracing::warn!(callback = %redact(req.callback.as_str()), reason = %why, "websub: callback refused; not verified");
        Registry::inc(&METRICS.websub_verify_failures);
        return;
    }
    let echoed = match hub.client.get(url).send().await {
        Ok(resp) if resp.status().is_success() => read_capped(resp).await == challenge.as_bytes(),
        Ok(resp) => {
            tracing::info!(status = resp.status().as_u16(), callback = %redact(req.callback.as_str()), "websub: verification refused");
            false
        }
        Err(e) => {
            // reqwest's error names the URL, whose hub.topic may carry a token: never logged.
            let e = e.without_url();
            tracing::info!(error = %e, callback = %redact(req.callback.as_str()), "websub: verification failed");
            false
        }
    };
    if !echoed {
        Registry::inc(&METRICS.websub_verify_failures);
        return;
    }
    let store = hub.store.clone();
    let (callback, topic, secret) = (
        req.callback.to_string(),
        req.topic.clone(),
        req.secret.clone(),
    );
    let mode = req.mode;
    let saved = tokio::task::spawn_blocking(move || match mode {
        Mode::Subscribe => store
            .websub_subscribe(&NewSubscription {
                callback: &callback,
                topic: &topic,
                secret: secret.as_deref(),
                lease_seconds: lease as i64,
                now: Utc::now().timestamp(),
                hash: topic_hash.as_deref().unwrap_or_default(),
            })
            .map(|_| ()),
        Mode::Unsubscribe => store.websub_unsubscribe(&callback, &topic).map(|_| ()),
    })
    .await;
    match saved {
        Ok(Ok(())) => {
            Registry::inc(&METRICS.websub_verified);
            tracing::info!(mode = req.mode.as_str(), callback = %redact(req.callback.as_str()), topic = %redact(&req.topic), lease, "websub: verified");
        }
        Ok(Err(e)) => tracing::warn!(error = %e, "websub: cannot save the subscription"),
        Err(e) => tracing::error!(error = %e, "websub: saving the subscription panicked"),
    }
}

/// Tells the callback its subscription is refused (§5.2); its answer does not matter.
async fn deny(hub: &Hub, req: &Request, reason: &str) {
    let mut url = req.callback.clone();
    url.query_pairs_mut()
        .append_pair("hub.mode", "denied")
        .append_pair("hub.topic", &req.topic)
        .append_pair("hub.reason", reason);
    tracing::info!(callback = %redact(req.callback.as_str()), topic = %redact(&req.topic), reason, "websub: subscription denied");
    if check_host(&url, hub.allow_private()).is_err() {
        return;
    }
    if let Ok(resp) = hub.client.get(url).send().await {
        let _ = read_capped(resp).await;
    }
}

/// 256 random bits, hex.
fn challenge() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the OS random source works");
    b.iter().map(|x| format!("{x:02x}")).collect()
}
