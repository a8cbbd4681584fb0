//! The change bus: which change-log scopes (`all`, `kills`, `topic:<id>`, `keys`, …) moved, at
//! which sequence number, and a way to be told when they move.
//!
//! Two publishers:
//! - the writer thread publishes the scopes it has just committed ([`ChangeBus::publish`]), so a
//!   request answered after a write already sees it, with no read-back from SQLite;
//! - the watcher ([`ChangeBus::watch`]) publishes what any process committed (another
//!   `wirefeed import`, `wirefeed keys add`), read from the change log whenever SQLite's
//!   `data_version` moves, every [`POLL_INTERVAL`].
//!
//! Subscribers: the page cache asks whether a page's scopes are still [`current`](ChangeBus::current);
//! the WebSub hub and the CDN purger await [`Subscription::changed`]; background threads (the
//! keyring, article counts) block in [`Subscription::wait`].

use crate::metrics::METRICS;
use crate::store::{Change, Store};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError, RwLock};
use std::time::Duration;

/// How often the change log is checked: changes by other processes show within this.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// The latest known state of the change log, and its subscribers.
pub struct ChangeBus {
    scopes: RwLock<HashMap<String, Change>>,
    /// Whether a watcher keeps this view current (else readers refresh it themselves).
    watching: AtomicBool,
    /// Moves on every publish that changed something: async subscribers.
    generation: tokio::sync::watch::Sender<u64>,
    /// The same generation for blocking subscribers.
    blocking: (Mutex<u64>, Condvar),
}

impl Default for ChangeBus {
    fn default() -> Self {
        ChangeBus {
            scopes: RwLock::default(),
            watching: AtomicBool::new(false),
            generation: tokio::sync::watch::Sender::new(0),
            blocking: (Mutex::new(0), Condvar::new()),
        }
    }
}

/// One subscriber's place on the bus.
pub struct Subscription {
    bus: Arc<ChangeBus>,
    rx: tokio::sync::watch::Receiver<u64>,
    seen: u64,
}

impl Subscription {
    /// Waits until something is published after the last wait.
    pub async fn changed(&mut self) {
        // The sender lives in the bus, which this subscription keeps alive: never an error.
        let _ = self.rx.changed().await;
        self.seen = *self.rx.borrow_and_update();
    }

    /// Blocks until something is published after the last wait, or `timeout` passes; returns
    /// whether something was.
    pub fn wait(&mut self, timeout: Duration) -> bool {
        let (lock, cv) = &self.bus.blocking;
        let g = lock.lock().unwrap_or_else(PoisonError::into_inner);
        let (g, _) = cv
            .wait_timeout_while(g, timeout, |g| *g == self.seen)
            .unwrap_or_else(PoisonError::into_inner);
        let moved = *g != self.seen;
        self.seen = *g;
        moved
    }

    /// The bus this subscription listens to.
    pub fn bus(&self) -> &ChangeBus {
        &self.bus
    }
}

impl ChangeBus {
    /// An empty bus: nothing known until the first publish or refresh.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Publishes changes: each scope keeps the highest sequence number seen (the writer's own
    /// publish and the watcher's later reading of the same commit agree). Returns whether
    /// anything moved; subscribers are woken only then.
    pub fn publish(&self, changes: impl IntoIterator<Item = (String, Change)>) -> bool {
        let mut moved = false;
        {
            let mut map = self.scopes.write().unwrap_or_else(PoisonError::into_inner);
            for (scope, change) in changes {
                match map.get(&scope) {
                    Some(old) if old.seq >= change.seq => {}
                    _ => {
                        map.insert(scope, change);
                        moved = true;
                    }
                }
            }
        }
        if moved {
            self.generation.send_modify(|g| *g += 1);
            let (lock, cv) = &self.blocking;
            *lock.lock().unwrap_or_else(PoisonError::into_inner) += 1;
            cv.notify_all();
        }
        moved
    }

    /// A new subscriber, told of what is published from now on.
    pub fn subscribe(self: &Arc<Self>) -> Subscription {
        let rx = self.generation.subscribe();
        let seen = *rx.borrow();
        Subscription {
            bus: self.clone(),
            rx,
            seen,
        }
    }

    /// Reads the change log now if anything was committed since the last look, and publishes
    /// it. Returns whether something moved.
    pub fn refresh(&self, store: &Store) -> bool {
        match store.poll_changes() {
            Ok(polled) => {
                METRICS
                    .store_read_ok_ms
                    .store(chrono::Utc::now().timestamp_millis(), Ordering::Relaxed);
                polled.is_some_and(|map| self.publish(map))
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the change log");
                false
            }
        }
    }

    /// Reads the change log on the caller's thread if no watcher keeps this view current (a
    /// command-line render, a test); free when one does.
    pub fn refresh_unwatched(&self, store: &Store) {
        if !self.watching() {
            self.refresh(store);
        }
    }

    /// Whether a watcher keeps this view current.
    pub fn watching(&self) -> bool {
        self.watching.load(Ordering::Acquire)
    }

    /// Reads the change log now, then every [`POLL_INTERVAL`] on a background thread for as
    /// long as the bus lives: the request path never touches the database to learn that
    /// nothing changed.
    pub fn watch(self: &Arc<Self>, store: Arc<Store>) {
        self.refresh(&store);
        self.watching.store(true, Ordering::Release);
        let weak = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("wirefeed-changes".into())
            .spawn(move || {
                while let Some(bus) = weak.upgrade() {
                    bus.refresh(&store);
                    drop(bus);
                    std::thread::sleep(POLL_INTERVAL);
                }
            })
            .expect("spawning a thread");
    }

    /// The current sequence number of one scope (0: never changed).
    pub fn seq(&self, scope: &str) -> i64 {
        let map = self.scopes.read().unwrap_or_else(PoisonError::into_inner);
        map.get(scope).map_or(0, |c| c.seq)
    }

    /// The current sequence number of each scope (0: never changed).
    pub fn seqs(&self, scopes: Vec<String>) -> Vec<(String, i64)> {
        let map = self.scopes.read().unwrap_or_else(PoisonError::into_inner);
        scopes
            .into_iter()
            .map(|s| {
                let seq = map.get(&s).map_or(0, |c| c.seq);
                (s, seq)
            })
            .collect()
    }

    /// Every scope's current sequence number.
    pub fn all(&self) -> HashMap<String, i64> {
        let map = self.scopes.read().unwrap_or_else(PoisonError::into_inner);
        map.iter().map(|(s, c)| (s.clone(), c.seq)).collect()
    }

    /// Whether none of `deps` changed since their recorded sequence numbers.
    pub fn current(&self, deps: &[(String, i64)]) -> bool {
        let map = self.scopes.read().unwrap_or_else(PoisonError::into_inner);
        deps.iter()
            .all(|(s, seq)| map.get(s).map_or(0, |c| c.seq) == *seq)
    }

    /// When any of `scopes` last changed (Unix time); a feed that never changed dates from the
    /// database's creation: stable across restarts, and never 1970.
    pub fn changed_at(&self, scopes: &[String]) -> i64 {
        let map = self.scopes.read().unwrap_or_else(PoisonError::into_inner);
        scopes
            .iter()
            .filter_map(|s| map.get(s).map(|c| c.changed_at))
            .max()
            .or_else(|| map.get("created").map(|c| c.changed_at))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(seq: i64) -> Change {
        Change {
            seq,
            changed_at: seq * 10,
        }
    }

    #[test]
    fn a_publish_keeps_the_highest_sequence_and_wakes_only_on_a_move() {
        let bus = ChangeBus::new();
        let mut sub = bus.subscribe();
        assert!(!sub.wait(Duration::from_millis(1)), "nothing published yet");
        assert!(bus.publish([("all".to_owned(), change(5))]));
        assert!(sub.wait(Duration::from_millis(1)));
        // The watcher's later reading of an older log does not move the scope back.
        assert!(!bus.publish([("all".to_owned(), change(4))]));
        assert!(!sub.wait(Duration::from_millis(1)), "no move, no wake");
        assert_eq!(bus.seq("all"), 5);
        assert!(bus.current(&[("all".to_owned(), 5)]));
        assert!(!bus.current(&[("all".to_owned(), 4)]));
        assert_eq!(bus.changed_at(&["all".to_owned()]), 50);
    }

    #[test]
    fn an_async_subscriber_is_woken_by_a_publish() {
        let bus = ChangeBus::new();
        let mut sub = bus.subscribe();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let publisher = bus.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            publisher.publish([("topic:security".to_owned(), change(1))]);
        });
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(5), sub.changed())
                .await
                .expect("woken by the publish");
        });
        assert_eq!(sub.bus().seq("topic:security"), 1);
    }
}
