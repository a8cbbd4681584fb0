//! SQLite storage: open, pragmas, migrations, reads and writes. The only module that uses `rusqlite`.

mod alerts;
mod alerts_outbox;
mod backup;
mod changes;
mod durable;
mod fts;
mod keys;
mod media;
mod media_write;
mod page_sql;
mod read;
mod reclassify;
mod related;
mod row;
mod schema;
mod search;
mod settings;
mod sitemap;
mod takes;
mod touch;
mod urgent;
mod websub;
mod write;

pub use alerts::{AlertFilter, AlertSubscription, OutboxRow};
pub use alerts_outbox::{AlertOutcome, ClaimedMessage, OutboxStats, StoryEvent};
pub use backup::{BackupSummary, backup};
pub use changes::Change;
pub use durable::{Applied, AppliedPicture, Done, DurableWriter, IfMatch, Op};
pub use keys::{KeyRecord, NewKey, SCOPE_KEYS};
pub use media::{PictureUse, PictureWrite, picture_scope};
pub use read::{ListQuery, StatusCounts, StoredVersion};
pub use row::{Cursor, PageQuery, Selection};
pub use search::{MAX_QUERY_BYTES, MAX_SEARCH_PAGE, SEARCH_PAGE, SearchPage, SearchQuery};
pub use sitemap::{DAY, SITEMAP_MAX, SitemapRow};
pub use websub::{Claimed, ListedSubscription, NewSubscription, QueueStats, Subscription};
pub use write::{SCOPE_ALL, SCOPE_KILLS, UpsertOutcome, Write, WriteError, topic_scope};

use crate::metrics::{METRICS, Registry};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// Storage failures, mapped once at the HTTP and CLI boundaries.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file or its folder is missing and must not be created.
    #[error("{0}")]
    Missing(String),
    /// The database was written by a newer wirefeed.
    #[error("database schema version {found} is newer than this wirefeed supports ({supported})")]
    TooNew {
        /// Version in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// The database is locked by another writer for longer than the busy timeout.
    #[error("database is busy")]
    Busy,
    /// The disk (or the database's size limit) is full: writes fail until space is freed.
    #[error("database disk is full: {0}")]
    Full(String),
    /// The database cannot be written or read just now: read-only file or mount, an I/O
    /// error, a file that cannot be opened. Retried, it works again once that is fixed.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else from SQLite.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// The full-text engine refused a search query (the reader's mistake: a 400).
    #[error("the search query cannot be run: {0}")]
    BadSearch(String),
    /// A stored value could not be decoded.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
}

/// Every `?` on a SQLite call goes through here, so a busy or locked database is always
/// [`StoreError::Busy`] (503 with `Retry-After` over HTTP), never a generic failure.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                Registry::inc(&METRICS.store_busy);
                Self::Busy
            }
            Some(rusqlite::ErrorCode::DiskFull) => {
                Registry::inc(&METRICS.store_full);
                Self::Full(e.to_string())
            }
            Some(
                rusqlite::ErrorCode::ReadOnly
                | rusqlite::ErrorCode::SystemIoFailure
                | rusqlite::ErrorCode::CannotOpen,
            ) => {
                Registry::inc(&METRICS.store_unavailable);
                Self::Unavailable(e.to_string())
            }
            // FTS5 refusing a query is about the query (a reader's search), not the database.
            _ => match &e {
                rusqlite::Error::SqliteFailure(_, Some(m)) if m.starts_with("fts5:") => {
                    Self::BadSearch(m.clone())
                }
                _ => Self::Sqlite(e),
            },
        }
    }
}

impl StoreError {
    fn from_sqlite(e: rusqlite::Error) -> Self {
        e.into()
    }

    /// The same failure for another caller (a failed write group answers every write in it):
    /// busy stays busy (503), anything else keeps its message.
    pub fn duplicate(&self) -> StoreError {
        match self {
            StoreError::Busy => StoreError::Busy,
            StoreError::Full(m) => StoreError::Full(m.clone()),
            StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
            other => StoreError::Corrupt(other.to_string()),
        }
    }
}

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle to the database: a small pool of connections, safe to share between threads.
pub struct Store {
    pub(crate) path: PathBuf,
    pool: Mutex<Pool>,
    returned: Condvar,
    watcher: Mutex<Option<changes::Watcher>>,
    /// `feeds.related`: how many related stories reads attach (store/related.rs).
    related_shown: AtomicUsize,
    /// Set by [`Store::bulk_mode`]: an import computes each story's own related list only.
    bulk: AtomicBool,
}

/// At most this many connections exist at once; more callers wait for one. Each holds its own
/// page cache, so the bound is also a bound on memory under a burst of cache misses.
const MAX_CONNECTIONS: usize = 8;

struct Pool {
    idle: Vec<Connection>,
    open: usize,
}

/// A connection taken from the pool, returned (or its slot freed) when dropped.
struct Lease<'a> {
    store: &'a Store,
    conn: Option<Connection>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let mut pool = self
            .store
            .pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match self.conn.take() {
            Some(c) if !c.is_autocommit() => pool.open -= 1, // abandoned mid-transaction
            Some(c) => pool.idle.push(c),
            None => pool.open -= 1,
        }
        drop(pool);
        self.store.returned.notify_one();
    }
}

impl Store {
    /// Opens (and, if `create`, creates) the database, then migrates it to the current schema.
    ///
    /// The folder must exist: a typo in a path must not silently create an empty database elsewhere.
    pub fn open(path: &Path, create: bool) -> Result<Store> {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !parent.is_dir() {
            return Err(StoreError::Missing(format!(
                "{}: folder does not exist",
                parent.display()
            )));
        }
        if !create && !path.exists() {
            return Err(StoreError::Missing(format!(
                "{}: database does not exist",
                path.display()
            )));
        }
        let mut conn = connect(path)?;
        migrate(&mut conn)?;
        ensure_read_indexes(&conn)?;
        Ok(Store {
            path: path.to_owned(),
            pool: Mutex::new(Pool {
                idle: vec![conn],
                open: 1,
            }),
            returned: Condvar::new(),
            watcher: Mutex::new(None),
            related_shown: AtomicUsize::new(crate::config::DEFAULT_RELATED),
            bulk: AtomicBool::new(false),
        })
    }

    /// Runs `f` with a pooled connection.
    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs several reads on one snapshot: one read transaction instead of one per statement.
    /// A feed page's 150-odd statements (the page, then each story's translations, takes and
    /// related list) each took and released the WAL read lock on their own, a third of a cold
    /// render's time; in one transaction they also see one state of the database.
    pub(crate) fn with_snapshot<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.with_conn(|c| {
            let tx = c.transaction()?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    pub(crate) fn with_conn<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let conn = {
            let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
            let mut waited = None;
            let conn = loop {
                if let Some(c) = pool.idle.pop() {
                    break Some(c);
                }
                if pool.open < MAX_CONNECTIONS {
                    pool.open += 1;
                    break None;
                }
                waited.get_or_insert_with(std::time::Instant::now);
                pool = self
                    .returned
                    .wait(pool)
                    .unwrap_or_else(PoisonError::into_inner);
            };
            if let Some(since) = waited {
                METRICS.pool_waited(since.elapsed());
            }
            conn
        };
        // From here the lease gives the slot back however `f` ends, a panic included.
        let mut lease = Lease { store: self, conn };
        if lease.conn.is_none() {
            lease.conn = Some(connect(&self.path)?);
        }
        f(lease.conn.as_mut().expect("set above"))
    }

    /// Closes the idle connections after a passive WAL checkpoint (one that waits for nobody),
    /// so a clean stop leaves the database file current and the WAL short. Connections still
    /// leased close when they are dropped; SQLite needs nothing more for durability.
    pub fn close(&self) {
        let idle = std::mem::take(
            &mut self
                .pool
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .idle,
        );
        for (i, conn) in idle.into_iter().enumerate() {
            if i == 0
                && let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)")
            {
                tracing::warn!(error = %e, "checkpoint at shutdown failed");
            }
            if let Err((_, e)) = conn.close() {
                tracing::warn!(error = %e, "closing a database connection failed");
            }
            self.pool
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .open -= 1;
        }
    }

    /// Prepares for a large import: a bigger page cache (index pages stay in memory instead of
    /// being re-read for every insert) and rarer WAL checkpoints. Costs memory, not safety.
    pub fn bulk_mode(&self) -> Result<()> {
        self.bulk.store(true, Ordering::Relaxed);
        self.with_conn(|c| {
            c.execute_batch("PRAGMA cache_size = -1048576; PRAGMA wal_autocheckpoint = 20000; PRAGMA mmap_size = 4294967296;")?;
            Ok(())
        })
    }

    /// Starts a bulk load if the database holds no article yet: read-only indexes are dropped
    /// and rebuilt by [`Store::finish_bulk_load`]. Returns whether it did.
    pub fn begin_bulk_load(&self) -> Result<bool> {
        self.with_conn(|c| {
            let empty: bool =
                c.query_row("SELECT NOT EXISTS (SELECT 1 FROM articles)", [], |r| {
                    r.get(0)
                })?;
            if empty {
                for (name, _) in schema::READ_INDEXES {
                    c.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
                }
            }
            Ok(empty)
        })
    }

    /// Rebuilds the indexes a bulk load dropped.
    pub fn finish_bulk_load(&self) -> Result<()> {
        self.with_conn(|c| ensure_read_indexes(c))
    }

    /// Merges the search index into one segment (FTS5 `optimize`). Row-by-row writes leave it in
    /// many segments, and every search reads each of them: at 1M articles a fresh import answered
    /// a common word in a language where it never appears in 90 ms, 47 ms once merged. It
    /// takes about 10 s per million articles, holding the write lock, so only large imports
    /// end with it.
    pub fn optimize_search_index(&self) -> Result<()> {
        self.with_conn(|c| {
            c.execute_batch("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")?;
            Ok(())
        })
    }

    /// The query plan SQLite chooses for one feed page (for tests and diagnostics); with
    /// `since`, `by_change` picks the plan for few changed rows (found by change time).
    pub fn explain_page(&self, q: &PageQuery, by_change: bool) -> Result<Vec<String>> {
        self.with_conn(|c| page_sql::explain_page(c, q, by_change))
    }
}

const MIGRATIONS_LEN: i64 = schema::MIGRATIONS.len() as i64;

pub(crate) fn connect(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(StoreError::from_sqlite)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!(
            "could not switch {} to WAL (journal_mode is {mode})",
            path.display()
        )));
    }
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA synchronous = NORMAL;
         PRAGMA temp_store = MEMORY;
         PRAGMA mmap_size = 4294967296;",
    )?;
    // Reads map the file (SQLite caps the map at its compile-time maximum) instead of copying
    // every page with pread: cold renders at 1M articles spent a third of their time there.
    conn.set_prepared_statement_cache_capacity(64);
    // Plans never depend on bound values (the query planner stability guarantee). Without it,
    // SQLite compared parameters with the partial indexes' conditions and so recompiled the
    // cached translation lookups at every new id: 100 parses and plans per 50-item page.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(conn)
}

fn ensure_read_indexes(conn: &Connection) -> Result<()> {
    for (_, sql) in schema::READ_INDEXES {
        conn.execute_batch(sql).map_err(StoreError::from_sqlite)?;
    }
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)
        .map_err(StoreError::from_sqlite)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > MIGRATIONS_LEN {
        return Err(StoreError::TooNew {
            found: current,
            supported: MIGRATIONS_LEN,
        });
    }
    for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

/// Inspects a database file without changing it (for `wirefeed check`).
///
/// Returns `None` when the file does not exist yet, else the problems found.
pub fn inspect(path: &Path) -> Result<Option<Vec<String>>> {
    if !path.exists() {
        return Ok(None);
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(StoreError::from_sqlite)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let mut problems = Vec::new();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if v > MIGRATIONS_LEN {
        problems.push(format!(
            "schema version {v} is newer than this wirefeed supports ({MIGRATIONS_LEN})"
        ));
    } else if v < MIGRATIONS_LEN {
        problems.push(format!("schema version {v} is older than {MIGRATIONS_LEN}; `wirefeed serve` or `import` migrates it"));
    }
    let ok: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if ok != "ok" {
        problems.push(format!("integrity check: {ok}"));
    }
    Ok(Some(problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_failures_keep_their_kind() {
        let sqlite =
            |code: i32| rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
        assert!(matches!(
            StoreError::from(sqlite(rusqlite::ffi::SQLITE_FULL)),
            StoreError::Full(_)
        ));
        for code in [
            rusqlite::ffi::SQLITE_READONLY,
            rusqlite::ffi::SQLITE_IOERR,
            rusqlite::ffi::SQLITE_CANTOPEN,
        ] {
            let e = StoreError::from(sqlite(code));
            assert!(matches!(e, StoreError::Unavailable(_)), "{code}: {e:?}");
            // A failed write group answers every write in it with the same kind.
            assert!(matches!(e.duplicate(), StoreError::Unavailable(_)));
        }
        assert!(matches!(
            StoreError::from(sqlite(rusqlite::ffi::SQLITE_BUSY)),
            StoreError::Busy
        ));
        // The control: anything else stays a plain SQLite error.
        assert!(matches!(
            StoreError::from(sqlite(rusqlite::ffi::SQLITE_CONSTRAINT)),
            StoreError::Sqlite(_)
        ));
    }

    #[test]
    fn the_read_index_list_matches_what_the_migrations_create() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db"), true).unwrap();
        store
            .with_conn(|c| {
                for (name, sql) in schema::READ_INDEXES {
                    let created: String = c.query_row(
                        "SELECT sql FROM sqlite_master WHERE name = ?1",
                        [name],
                        |r| r.get(0),
                    )?;
                    assert_eq!(
                        created.replace("IF NOT EXISTS ", ""),
                        sql.replace("IF NOT EXISTS ", ""),
                        "{name}"
                    );
                }
                Ok(())
            })
            .unwrap();
        assert!(store.begin_bulk_load().unwrap());
        store.finish_bulk_load().unwrap();
    }
}
