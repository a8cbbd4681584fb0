//! Which feeds changed, seen from any process: the `changes` table, read only when
//! `PRAGMA data_version` says another connection committed something.

use super::{Result, Store, StoreError, connect};
use rusqlite::Connection;
use std::collections::HashMap;

/// Change-log scope of a topic feed.
pub fn topic_scope(topic: &str) -> String {
    format!("topic:{topic}")
}

/// Change-log scope of every usable article (`all`).
pub const SCOPE_ALL: &str = "all";
/// Change-log scope of kill notices.
pub const SCOPE_KILLS: &str = "kills";

/// The last change of one scope (`all`, `kills`, `topic:<id>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// Sequence number of the transaction that last changed it.
    pub seq: i64,
    /// When (Unix seconds).
    pub changed_at: i64,
}

/// A dedicated connection: `data_version` only means something asked twice on one connection.
pub(super) struct Watcher {
    conn: Connection,
    data_version: Option<i64>,
}

impl Store {
    /// The change log, if anything was committed since the last call (always on the first).
    ///
    /// Cheap when nothing changed: one pragma that reads shared memory, no table access.
    pub fn poll_changes(&self) -> Result<Option<HashMap<String, Change>>> {
        let mut guard = self.watcher.lock().expect("watcher lock poisoned");
        if guard.is_none() {
            *guard = Some(Watcher {
                conn: connect(&self.path)?,
                data_version: None,
            });
        }
        let w = guard.as_mut().expect("set above");
        let v: i64 = w
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(StoreError::from_sqlite)?;
        if w.data_version == Some(v) {
            return Ok(None);
        }
        let mut st = w
            .conn
            .prepare_cached("SELECT scope, seq, changed_at FROM changes")?;
        let map = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Change {
                        seq: r.get(1)?,
                        changed_at: r.get(2)?,
                    },
                ))
            })?
            .collect::<rusqlite::Result<HashMap<_, _>>>()?;
        drop(st);
        w.data_version = Some(v);
        Ok(Some(map))
    }
}
