//! The change log as this process last read it: which feed scopes changed at which sequence
//! number, refreshed by a background thread whenever SQLite's `data_version` moves.

use crate::auth::Keyring;
use crate::store::{Change, SCOPE_KEYS, Store};
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often the change log is checked: changes by other processes show within this.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);

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
    /// keys when theirs moved.
    pub(super) fn refresh(&self, store: &Store, keyring: &Keyring) {
        match store.poll_changes() {
            Ok(Some(map)) => {
                let keys = map.get(SCOPE_KEYS).map_or(0, |c| c.seq);
                *self.scopes.write().expect("scopes lock poisoned") = map;
                self.moved.notify_one();
                if let Err(e) = keyring.sync(keys, store) {
                    tracing::warn!(error = %e, "cannot reload API keys");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read the change log"),
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
