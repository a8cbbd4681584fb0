//! Article counts by status for `/metrics`, kept current by following the change bus.

use crate::metrics::METRICS;
use crate::store::Store;
use std::sync::atomic::Ordering;
use std::time::Duration;

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
