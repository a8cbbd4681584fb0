//! The change log as this process last read it: which feed scopes changed at which sequence
//! number, refreshed by a background thread whenever SQLite's `data_version` moves.

use crate::auth::Keyring;
use crate::metrics::METRICS;
use crate::store::{Change, SCOPE_KEYS, Store};
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often the change log is checked: changes by other processes show within this.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// Articles are counted by status for `/metrics` this often after a change, and at least this
/// often anyway (embargoes lift without a write).
const COUNT_AFTER_CHANGE: Duration = Duration::from_secs(5);
const COUNT_AT_LEAST: Duration = Duration::from_secs(60);

/// Counts articles by status into the metrics registry.
pub(super) fn count_articles(store: &Store) {
    match store.status_counts(chrono::Utc::now().timestamp()) {
        Ok(c) => {
            METRICS.articles_usable.store(c.usable, Ordering::Relaxed);
            METRICS
                .articles_withheld
                .store(c.withheld, Ordering::Relaxed);
            METRICS
                .articles_canceled
                .store(c.canceled, Ordering::Relaxed);
            METRICS
                .articles_embargoed
                .store(c.embargoed, Ordering::Relaxed);
        }
        Err(e) => tracing::warn!(error = %e, "cannot count articles for /metrics"),
    }
}

/// When articles were last counted and whether the change log moved since.
pub(super) struct Counting {
    at: std::time::Instant,
    dirty: bool,
}

impl Counting {
    pub(super) fn new(store: &Store) -> Self {
        count_articles(store);
        Counting {
            at: std::time::Instant::now(),
            dirty: false,
        }
    }

    /// Counts again if due, `moved` being whether the change log moved in the last look.
    pub(super) fn tick(&mut self, store: &Store, moved: bool) {
        self.dirty |= moved;
        let age = self.at.elapsed();
        if (self.dirty && age >= COUNT_AFTER_CHANGE) || age >= COUNT_AT_LEAST {
            count_articles(store);
            self.at = std::time::Instant::now();
            self.dirty = false;
        }
    }
}

/// The latest view of the change log.
#[derive(Default)]
pub(super) struct Changes {
    scopes: RwLock<HashMap<String, Change>>,
    watching: AtomicBool,
    /// Woken whenever the change log moved (the WebSub hub waits on it).
    pub(super) moved: tokio::sync::Notify,
}

impl Changes {
    /// Reads the change log if anything was committed since the last look, and reloads the
    /// keys when theirs moved. Returns whether it moved.
    pub(super) fn refresh(&self, store: &Store, keyring: &Keyring) -> bool {
        let polled = store.poll_changes();
        if polled.is_ok() {
            METRICS
                .store_read_ok_ms
                .store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
        }
        match polled {
            Ok(Some(map)) => {
                let keys = map.get(SCOPE_KEYS).map_or(0, |c| c.seq);
                *self.scopes.write().expect("scopes lock poisoned") = map;
                self.moved.notify_one();
                if let Err(e) = keyring.sync(keys, store) {
                    tracing::warn!(error = %e, "cannot reload API keys");
                }
                true
            }
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the change log");
                false
            }
        }
    }

    /// Whether a background thread keeps this view current.
    pub(super) fn watching(&self) -> bool {
        self.watching.load(Ordering::Acquire)
    }

    pub(super) fn set_watching(&self) {
        self.watching.store(true, Ordering::Release);
    }

    /// The current sequence number of each scope (0: never changed).
    pub(super) fn seqs(&self, scopes: Vec<String>) -> Vec<(String, i64)> {
        let map = self.scopes.read().expect("scopes lock poisoned");
        scopes
            .into_iter()
            .map(|s| {
                let seq = map.get(&s).map_or(0, |c| c.seq);
                (s, seq)
            })
            .collect()
    }

    /// Every scope's current sequence number.
    pub(super) fn all(&self) -> HashMap<String, i64> {
        let map = self.scopes.read().expect("scopes lock poisoned");
        map.iter().map(|(s, c)| (s.clone(), c.seq)).collect()
    }

    /// Whether none of `deps` changed since their recorded sequence numbers.
    pub(super) fn current(&self, deps: &[(String, i64)]) -> bool {
        let map = self.scopes.read().expect("scopes lock poisoned");
        deps.iter()
            .all(|(s, seq)| map.get(s).map_or(0, |c| c.seq) == *seq)
    }

    /// When any of `scopes` last changed (Unix time); a feed that never changed dates from the
    /// database's creation: stable across restarts, and never 1970.
    pub(super) fn changed_at(&self, scopes: &[String]) -> i64 {
        let map = self.scopes.read().expect("scopes lock poisoned");
        scopes
            .iter()
            .filter_map(|s| map.get(s).map(|c| c.changed_at))
            .max()
            .or_else(|| map.get("created").map(|c| c.changed_at))
            .unwrap_or(0)
    }
}
