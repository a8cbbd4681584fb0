//! Purging a shared cache in front (`[cdn] purge_urls`): when the change log moves, every
//! configured cache gets `PURGE` with the scopes that changed in `xkey` and `Surrogate-Key`
//! (the keys every public answer names), so a change shows through it at once instead of
//! after `s-maxage`.
//!
//! Each purge is sent twice: at once, and again [`AGAIN_AFTER`] later. Between the two, a
//! second origin that has not read the change log yet may answer a refetch with the old page,
//! which the cache would then keep for all of `s-maxage`; the second purge drops that copy.
//! A purge that fails is retried with backoff; a cache that stays down costs only log lines.

use crate::changes::ChangeBus;
use crate::config::Config;
use crate::metrics::{METRICS, Registry};
use crate::store::SCOPE_KEYS;
use crate::store::{Selection, Store};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The second purge of a change follows the first by this much: longer than the change
/// watcher's poll, so every origin has seen the change by then.
pub const AGAIN_AFTER: Duration = Duration::from_millis(1500);
/// Attempts per purge before giving up (delays 0.5, 1, 2, 4 s between them).
const ATTEMPTS: u32 = 5;
/// A cache that does not answer within this is counted as failed (and retried).
const TIMEOUT: Duration = Duration::from_secs(3);

/// Scopes no shared copy depends on: keys (restricted answers are never shared), the
/// database's creation, and `*` (the change log's own counter, moved by every change).
fn purgeable(scope: &str) -> bool {
    !matches!(scope, SCOPE_KEYS | "created" | "*")
}

/// The scopes whose sequence moved between two readings of the change log, sorted.
pub fn changed(before: &HashMap<String, i64>, now: &HashMap<String, i64>) -> Vec<String> {
    let mut out: Vec<String> = now
        .iter()
        .filter(|(s, seq)| purgeable(s) && before.get(*s) != Some(seq))
        .map(|(s, _)| s.clone())
        .collect();
    out.sort();
    out
}

/// Starts the purger on its own thread and runtime if `[cdn] purge_urls` names any cache.
pub fn start(config: &Config, changes: &Arc<ChangeBus>, store: Arc<Store>) -> std::io::Result<()> {
    let urls = config.cdn.purge_urls.clone();
    if urls.is_empty() {
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!("wirefeed/", env!("CARGO_PKG_VERSION"), " (purge)"))
        .build()
        .map_err(std::io::Error::other)?;
    let bus = changes.clone();
    std::thread::Builder::new()
        .name("wirefeed-cdn".into())
        .spawn(move || runtime.block_on(run(bus, store, client, urls)))?;
    Ok(())
}

async fn run(bus: Arc<ChangeBus>, store: Arc<Store>, client: reqwest::Client, urls: Vec<String>) {
    let mut changes = bus.subscribe();
    let mut seen = bus.all();
    loop {
        let lift = next_lift(&store).await;
        let until_lift = async {
            match lift {
                // Just after the second it lifts: a page rendered then shows the story.
                Some(t) => {
                    let wait = (t * 1000 + 50 - chrono::Utc::now().timestamp_millis()).max(0);
                    tokio::time::sleep(Duration::from_millis(wait as u64)).await;
                }
                None => std::future::pending().await,
            }
        };
        let scopes = tokio::select! {
            () = changes.changed() => {
                let now = bus.all();
                let mut scopes = changed(&seen, &now);
                // A lift that came due while this change was read is purged now: the next
                // look for a lift starts after it.
                if lift.is_some_and(|t| t <= chrono::Utc::now().timestamp()) {
                    scopes.extend(lifted(&now));
                    scopes.sort();
                    scopes.dedup();
                }
                seen = now;
                scopes
            }
            // An embargo lift changes public pages without a write: the lifted story may be in
            // `all` and any topic feed, so every public scope is purged.
            () = until_lift => lifted(&bus.all()),
        };
        if scopes.is_empty() {
            continue;
        }
        let keys = scopes.join(" ");
        for url in &urls {
            for delay in [Duration::ZERO, AGAIN_AFTER] {
                let (client, url, keys) = (client.clone(), url.clone(), keys.clone());
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    purge(&client, &url, &keys).await;
                });
            }
        }
    }
}

/// The next moment a public story's embargo lifts, if any (read off the event loop).
async fn next_lift(store: &Arc<Store>) -> Option<i64> {
    let store = store.clone();
    let now = chrono::Utc::now().timestamp();
    match tokio::task::spawn_blocking(move || store.next_embargo_lift(&Selection::All, now)).await {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "cannot read the next embargo lift; purging on changes only");
            None
        }
        Err(_) => None,
    }
}

/// The scopes an embargo lift may change: `all` and every topic (not kills, keys, counters).
pub fn lifted(scopes: &HashMap<String, i64>) -> Vec<String> {
    let mut out: Vec<String> = scopes
        .keys()
        .filter(|s| purgeable(s) && s.as_str() != crate::store::SCOPE_KILLS)
        .cloned()
        .collect();
    if !out.iter().any(|s| s == crate::store::SCOPE_ALL) {
        out.push(crate::store::SCOPE_ALL.to_owned());
    }
    out.sort();
    out
}

/// Sends one purge, retrying with backoff until it is accepted or [`ATTEMPTS`] are spent.
async fn purge(client: &reqwest::Client, url: &str, keys: &str) {
    let method = reqwest::Method::from_bytes(b"PURGE").expect("PURGE is a token");
    for attempt in 1..=ATTEMPTS {
        let sent = client
            .request(method.clone(), url)
            .header("xkey", keys)
            .header("Surrogate-Key", keys)
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => {
                Registry::inc(&METRICS.cdn_purges);
                tracing::debug!(%url, keys, "purged");
                return;
            }
            Ok(r) => {
                Registry::inc(&METRICS.cdn_purge_failures);
                tracing::warn!(%url, keys, status = r.status().as_u16(), attempt, "the cache refused a purge");
            }
            Err(e) => {
                Registry::inc(&METRICS.cdn_purge_failures);
                tracing::warn!(%url, keys, error = %e, attempt, "cannot reach the cache to purge");
            }
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(Duration::from_millis(500) * 2u32.pow(attempt - 1)).await;
        }
    }
    tracing::warn!(%url, keys, "purge given up; the cache shows the change after s-maxage");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_moved_scopes_that_shared_copies_depend_on_are_purged() {
        let before = HashMap::from([
            ("all".to_owned(), 3),
            ("topic:security".to_owned(), 2),
            ("keys".to_owned(), 1),
        ]);
        let now = HashMap::from([
            ("all".to_owned(), 4),
            ("topic:security".to_owned(), 2),
            ("topic:migration".to_owned(), 4),
            ("keys".to_owned(), 5),
            ("*".to_owned(), 5),
            ("created".to_owned(), 1),
        ]);
        assert_eq!(changed(&before, &now), ["all", "topic:migration"]);
        // A lift may change `all` and any topic page, never kills (nor keys or counters).
        assert_eq!(lifted(&now), ["all", "topic:migration", "topic:security"]);
        assert_eq!(lifted(&HashMap::new()), ["all"]);
        assert!(changed(&now, &now).is_empty());
    }
}
