//! What the configuration tells the store beyond the articles: `feeds.urgent_max`, kept in
//! `meta` so every process on the database agrees on it (the restricted topics are kept the
//! same way, in write.rs).

use super::write::{touch, urgent_scope};
use super::{Result, Store};
use chrono::Utc;
use rusqlite::OptionalExtension;
use std::collections::BTreeSet;

impl Store {
    /// Remembers `feeds.related` (contract §15): how many related stories reads attach, and,
    /// in `meta` so every process writing agrees, how many lists keep. A change applies to the
    /// lists computed from then on (a story filed, changed or reclassified); reads show at most
    /// the new number at once.
    pub fn set_related(&self, shown: usize) -> Result<()> {
        self.related_shown
            .store(shown, std::sync::atomic::Ordering::Relaxed);
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO meta (key, value) VALUES ('related', ?1) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [shown.to_string()],
            )?;
            Ok(())
        })
    }

    /// How many related stories reads attach (`feeds.related`).
    pub(super) fn related_shown(&self) -> usize {
        self.related_shown
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Remembers `feeds.urgent_max` and, when it changed, rebuilds the urgent index
    /// (urgent.rs); returns whether it changed.
    pub fn set_urgent_max(&self, max: u8) -> Result<bool> {
        let value = max.to_string();
        self.with_conn(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let old: Option<String> = tx
                .query_row("SELECT value FROM meta WHERE key = 'urgent_max'", [], |r| {
                    r.get(0)
                })
                .optional()?;
            if old.as_deref() == Some(value.as_str()) {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('urgent_max', ?1) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [&value],
            )?;
            super::urgent::rebuild(&tx)?;
            let mut scopes = BTreeSet::new();
            urgent_scope(true, &mut scopes);
            touch(&tx, &scopes, Utc::now().timestamp())?;
            tx.commit()?;
            Ok(true)
        })
    }
}
