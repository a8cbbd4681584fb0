//! `wirefeed backup`: a consistent copy of a live database with SQLite's online backup API.

use super::{Result, StoreError, connect};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// What a backup copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    /// Articles in the copy.
    pub articles: i64,
    /// Bytes of the copy.
    pub bytes: u64,
}

/// Copies the database at `source` to `dest`, which must not exist: the copy is the database
/// as one read transaction saw it (every commit before it began, none after), however many
/// servers keep writing. The copy is checked (`quick_check`) before it is reported; a failed
/// backup leaves nothing at `dest`. The source is neither migrated nor written.
pub fn backup(source: &Path, dest: &Path) -> Result<BackupSummary> {
    if !source.is_file() {
        return Err(StoreError::Missing(format!(
            "{}: database does not exist",
            source.display()
        )));
    }
    // Claimed atomically first, so two backups (or a file appearing meanwhile) never share it.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dest)
        .map_err(|e| {
            StoreError::Missing(match e.kind() {
                std::io::ErrorKind::AlreadyExists => {
                    format!(
                        "{}: already exists; backup never overwrites",
                        dest.display()
                    )
                }
                _ => format!("{}: cannot create the backup: {e}", dest.display()),
            })
        })?;
    let copied = copy(source, dest);
    if copied.is_err() {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = dest.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    copied
}

fn copy(source: &Path, dest: &Path) -> Result<BackupSummary> {
    let src = connect(source)?;
    let mut dst = Connection::open_with_flags(
        dest,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    {
        let b = rusqlite::backup::Backup::new(&src, &mut dst)?;
        // One step copies every page inside one read transaction of the source: a consistent
        // snapshot that writers in WAL mode never wait for (nor restart).
        match b.step(-1)? {
            rusqlite::backup::StepResult::Done => {}
            other => {
                return Err(StoreError::Corrupt(format!(
                    "the backup did not complete ({other:?})"
                )));
            }
        }
    }
    let check: String = dst.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Corrupt(format!(
            "the copy fails quick_check: {check}"
        )));
    }
    let articles = dst.query_row("SELECT count(*) FROM articles", [], |r| r.get(0))?;
    // A self-contained file: the copy's WAL folded in and removed.
    dst.execute_batch("PRAGMA journal_mode = DELETE")?;
    dst.close().map_err(|(_, e)| StoreError::from(e))?;
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(BackupSummary { articles, bytes })
}
