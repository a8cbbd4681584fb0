//! Who is polling what: per-key request counts, 304s, last seen and last feed, counted in
//! memory and written to the database in batches (never a write per request).

use crate::store::{Store, StoreError};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Default, Clone)]
struct Counts {
    requests: u64,
    not_modified: u64,
    last_seen: i64,
    last_feed: Option<String>,
}

/// Usage not yet written to the database.
#[derive(Default)]
pub struct Usage {
    pending: Mutex<HashMap<String, Counts>>,
}

/// One key's usage since the last flush: (name, requests, 304s, last seen, last feed).
pub type Pending = (String, u64, u64, i64, Option<String>);

impl Usage {
    /// Counts one request made with key `name`.
    pub fn record(&self, name: &str, not_modified: bool, feed: Option<&str>, now: i64) {
        let mut map = self.pending.lock().expect("usage lock");
        let c = match map.get_mut(name) {
            Some(c) => c,
            None => map.entry(name.to_owned()).or_default(),
        };
        c.requests += 1;
        c.not_modified += u64::from(not_modified);
        c.last_seen = c.last_seen.max(now);
        if let Some(f) = feed
            && c.last_feed.as_deref() != Some(f)
        {
            c.last_feed = Some(f.to_owned());
        }
    }

    /// What has not been written yet, without taking it.
    pub fn pending(&self) -> Vec<Pending> {
        let map = self.pending.lock().expect("usage lock");
        map.iter()
            .map(|(k, c)| {
                (
                    k.clone(),
                    c.requests,
                    c.not_modified,
                    c.last_seen,
                    c.last_feed.clone(),
                )
            })
            .collect()
    }

    /// Writes what was counted to the database, in one transaction; on failure it is kept
    /// for the next flush.
    pub fn flush(&self, store: &Store) -> Result<(), StoreError> {
        let batch: Vec<Pending> = {
            let mut map = self.pending.lock().expect("usage lock");
            std::mem::take(&mut *map)
                .into_iter()
                .map(|(k, c)| (k, c.requests, c.not_modified, c.last_seen, c.last_feed))
                .collect()
        };
        if let Err(e) = store.record_key_usage(&batch) {
            let mut map = self.pending.lock().expect("usage lock");
            for (k, r, n, seen, feed) in batch {
                let c = map.entry(k).or_default();
                c.requests += r;
                c.not_modified += n;
                c.last_seen = c.last_seen.max(seen);
                if c.last_feed.is_none() {
                    c.last_feed = feed;
                }
            }
            return Err(e);
        }
        Ok(())
    }
}
