//! A byte-bounded LRU cache of rendered pages; each page knows which change-log scopes it
//! depends on (see [`Representation`]).

use super::representation::Representation;
use crate::metrics::{METRICS, Registry};
use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};

/// Feed pages by request key, bounded by bytes, least recently used first out.
pub struct Cache {
    budget: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    map: HashMap<String, (Arc<Representation>, u64)>,
    bytes: usize,
    tick: u64,
}

impl Cache {
    /// A cache of at most `budget` bytes; 0 disables it.
    pub fn new(budget: usize) -> Self {
        Cache {
            budget,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The cached document for `key`, if `fresh` says it is still current.
    pub fn get(
        &self,
        key: &str,
        fresh: impl Fn(&Representation) -> bool,
    ) -> Option<Arc<Representation>> {
        let mut inner = self.inner.lock().expect("cache lock poisoned");
        inner.tick += 1;
        let tick = inner.tick;
        let (rep, used) = inner.map.get_mut(key)?;
        // A stale page stays until its replacement is put: the next render compares with it.
        if !fresh(rep) {
            return None;
        }
        *used = tick;
        Some(rep.clone())
    }

    /// The document under `key`, current or stale.
    pub fn peek(&self, key: &str) -> Option<Arc<Representation>> {
        let inner = self.inner.lock().expect("cache lock poisoned");
        inner.map.get(key).map(|(r, _)| r.clone())
    }

    /// Keeps `rep` under `key`, evicting the least recently used documents beyond the budget.
    pub fn put(&self, key: String, rep: Arc<Representation>) {
        let w = rep.weight();
        if w > self.budget {
            return;
        }
        let mut inner = self.inner.lock().expect("cache lock poisoned");
        inner.tick += 1;
        let tick = inner.tick;
        if let Some((old, _)) = inner.map.insert(key, (rep, tick)) {
            inner.bytes -= old.weight();
        }
        inner.bytes += w;
        while inner.bytes > self.budget {
            let oldest = inner
                .map
                .iter()
                .min_by_key(|(_, (_, t))| *t)
                .map(|(k, _)| k.clone());
            let Some(k) = oldest else { break };
            if let Some((old, _)) = inner.map.remove(&k) {
                inner.bytes -= old.weight();
                Registry::inc(&METRICS.cache_evictions);
            }
        }
        METRICS.cache_bytes.store(inner.bytes as i64, Relaxed);
        METRICS.cache_entries.store(inner.map.len() as i64, Relaxed);
    }

    /// Bytes held (by the estimate the budget uses).
    pub fn bytes(&self) -> usize {
        self.inner.lock().expect("cache lock poisoned").bytes
    }

    /// Whether caching is on.
    pub fn enabled(&self) -> bool {
        self.budget > 0
    }
}

#[cfg(test)]
mod tests {
    use super::super::representation::sample as rep;
    use super::*;

    #[test]
    fn the_least_recently_used_page_goes_first() {
        let one = rep(&"a".repeat(1000)).weight();
        let cache = Cache::new(one * 2);
        cache.put("a".into(), rep(&"a".repeat(1000)));
        cache.put("b".into(), rep(&"b".repeat(1000)));
        assert!(cache.get("a", |_| true).is_some());
        cache.put("c".into(), rep(&"c".repeat(1000)));
        assert!(cache.get("b", |_| true).is_none());
        assert!(cache.get("a", |_| true).is_some());
        assert!(cache.get("c", |_| true).is_some());
        assert!(cache.bytes() <= one * 2);
    }

    #[test]
    fn stale_pages_are_not_served_but_kept_for_comparison() {
        let cache = Cache::new(1 << 20);
        cache.put("a".into(), rep("x"));
        assert!(cache.get("a", |_| false).is_none());
        assert!(cache.peek("a").is_some());
        cache.put("a".into(), rep("y"));
        assert_eq!(cache.peek("a").unwrap().body, "y");
    }
}
