//! Import: article files → validated drafts → topics and places → the store, as a two-stage
//! pipeline (reading on one thread and classifying a batch at a time on every core, writing on
//! another thread) with batched transactions.

use crate::articles::{Articles, Prepared};
use crate::config::Config;
use crate::ingest;
use crate::store::{Store, StoreError, UpsertOutcome, WriteError};
use chrono::Utc;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::mpsc;

/// Articles stored per transaction: large enough that commits do not dominate, small enough
/// that readers never wait long.
const BATCH: usize = 10_000;

/// Counts of one import run; its `Display` is the contract's summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    /// New articles.
    pub imported: u64,
    /// Articles that became a new version.
    pub updated: u64,
    /// Articles identical to what was stored.
    pub unchanged: u64,
    /// Entries rejected.
    pub invalid: u64,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "imported {}, updated {}, unchanged {}, invalid {}",
            self.imported, self.updated, self.unchanged, self.invalid
        )
    }
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A path does not exist or cannot be listed.
    #[error("{0}")]
    Paths(String),
    /// The store failed; what was committed before stays.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Prepared articles with the file and line each came from (for errors the store finds).
type Batch = Vec<(Prepared, std::path::PathBuf, usize)>;

/// Imports files and folders: each valid entry is classified and stored; each invalid one is
/// reported on stderr as `file:line: reason` and skipped.
pub fn import(
    config: &Config,
    store: &Store,
    paths: &[PathBuf],
    progress: bool,
) -> Result<ImportSummary, ImportError> {
    let files = ingest::collect_files(paths).map_err(ImportError::Paths)?;
    let bar = if progress && std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(files.len() as u64).with_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files, {msg}")
                .expect("a valid template"),
        )
    } else {
        indicatif::ProgressBar::hidden()
    };
    let bulk = store.begin_bulk_load()?;
    let (tx, rx) = mpsc::sync_channel::<Batch>(2);
    let mut summary = ImportSummary::default();
    let result = std::thread::scope(|scope| {
        let reader = scope.spawn(|| read_and_classify(config, store, &files, &bar, tx));
        let written = write_batches(store, rx, &mut summary, &bar);
        // If writing failed, the reader stops at its next send.
        let invalid = reader.join().expect("the reader thread does not panic");
        written.map(|()| invalid)
    });
    // Indexes come back whatever happened: a server may be reading this database.
    if bulk {
        bar.set_message("building indexes");
        store.finish_bulk_load()?;
    }
    summary.invalid += result?;
    if summary.imported + summary.updated >= OPTIMIZE_AFTER {
        bar.set_message("compacting the search index");
        store.optimize_search_index()?;
    }
    bar.finish_and_clear();
    Ok(summary)
}

/// An import that wrote at least this many articles ends by merging the search index
/// ([`Store::optimize_search_index`]).
const OPTIMIZE_AFTER: u64 = 10_000;

/// Makes the pictures an article file names (`media = [{ file = … }]`, relative to the file)
/// and points the draft at them. Idempotent by content: the same image with the same given
/// metadata is the same picture (`img-` and its hash), processed once.
fn pictures(
    store: &Store,
    media: &crate::media::Media,
    article: &std::path::Path,
    draft: &mut crate::model::Draft,
) -> Result<(), String> {
    use crate::model::{MediaRef, PictureId};
    for f in std::mem::take(&mut draft.media_files) {
        let path = article
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join(&f.file);
        let bytes = std::fs::read(&path)
            .map_err(|e| format!("media: cannot read {}: {e}", path.display()))?;
        let kind = crate::media::Kind::sniff(&bytes)
            .ok_or_else(|| format!("media: {} is not a JPEG, PNG or WebP image", path.display()))?;
        let sha = crate::media::sha256_hex(&bytes);
        let id = PictureId::parse(&format!("img-{}", &sha[..16])).expect("generated ids are valid");
        let given = f.meta;
        let stored = store.picture(id.as_str()).map_err(|e| e.to_string())?;
        let same = stored.as_ref().is_some_and(|p| {
            p.source_sha256 == sha
                && p.given() == given
                && p.status == crate::model::PubStatus::Usable
        });
        if !same {
            let done = media
                .process_now(&bytes, kind, &given)
                .map_err(|e| format!("media: {}: {e}", path.display()))?;
            store
                .put_picture(&crate::store::PictureWrite {
                    id: id.clone(),
                    meta: done.meta,
                    from_file: done.from_file,
                    renditions: done.renditions,
                    source_sha256: done.source_sha256,
                    source_type: done.source_type,
                })
                .map_err(|e| format!("media: {}: {e}", path.display()))?;
        }
        if !draft.content.media.iter().any(|r| r.id == id) {
            draft.content.media.push(MediaRef { id, caption: None });
        }
    }
    Ok(())
}

fn read_and_classify(
    config: &Config,
    store: &Store,
    files: &[PathBuf],
    bar: &indicatif::ProgressBar,
    tx: mpsc::SyncSender<Batch>,
) -> u64 {
    let articles = Articles::new(config);
    let rules = articles.rules();
    let media = crate::media::Media::new(&config.media, config.media.dir_for(store.path()));
    let mut invalid = 0;
    // Drafts are read in order on this thread; classifying and placing them (most of the
    // reader's time) runs on every core, a batch at a time, in order.
    let mut drafts: Vec<(crate::model::Draft, PathBuf, usize)> = Vec::with_capacity(BATCH);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let prepare = |drafts: Vec<(crate::model::Draft, PathBuf, usize)>| -> Batch {
        let per = drafts.len().div_ceil(threads).max(1);
        let mut chunks: Vec<Vec<_>> = Vec::new();
        let mut it = drafts.into_iter().peekable();
        while it.peek().is_some() {
            chunks.push(it.by_ref().take(per).collect());
        }
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .into_iter()
                .map(|chunk| {
                    let articles = &articles;
                    scope.spawn(move || {
                        chunk
                            .into_iter()
                            .map(|(draft, path, line)| {
                                // Ingest always sets an id (the file's, or one derived from the entry).
                                let p = articles.prepare(draft, || unreachable!("ingest sets ids"));
                                (p, path, line)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("classifying does not panic"))
                .collect()
        })
    };
    for file in files {
        let sent = ingest::stream_file(file, &rules, |entry| {
            match entry.result {
                Ok(mut draft) => match pictures(store, &media, &entry.path, &mut draft) {
                    Ok(()) => drafts.push((draft, entry.path.clone(), entry.line)),
                    Err(reason) => {
                        eprintln!(
                            "wirefeed: {}:{}: {reason}",
                            entry.path.display(),
                            entry.line
                        );
                        invalid += 1;
                    }
                },
                Err(reason) => {
                    eprintln!(
                        "wirefeed: {}:{}: {reason}",
                        entry.path.display(),
                        entry.line
                    );
                    invalid += 1;
                }
            }
            if drafts.len() >= BATCH {
                tx.send(prepare(std::mem::replace(
                    &mut drafts,
                    Vec::with_capacity(BATCH),
                )))?;
            }
            Ok::<(), mpsc::SendError<Batch>>(())
        });
        if sent.is_err() {
            return invalid;
        }
        bar.inc(1);
    }
    if !drafts.is_empty() {
        let _ = tx.send(prepare(drafts));
    }
    invalid
}

fn write_batches(
    store: &Store,
    rx: mpsc::Receiver<Batch>,
    summary: &mut ImportSummary,
    bar: &indicatif::ProgressBar,
) -> Result<(), ImportError> {
    for batch in rx {
        let now = Utc::now();
        let writes: Vec<_> = batch.iter().map(|(p, ..)| p.write()).collect();
        for (outcome, (_, path, line)) in store.upsert_batch(&writes, now)?.into_iter().zip(&batch)
        {
            match outcome {
                Ok(UpsertOutcome::Created(_)) => summary.imported += 1,
                Ok(UpsertOutcome::Updated(..)) => summary.updated += 1,
                Ok(UpsertOutcome::Unchanged(_)) => summary.unchanged += 1,
                Err(WriteError::Store(e)) => return Err(e.into()),
                Err(WriteError::Invalid(errors)) => {
                    for e in errors {
                        eprintln!(
                            "wirefeed: {}:{line}: {}: {}",
                            path.display(),
                            e.field,
                            e.message
                        );
                    }
                    summary.invalid += 1;
                }
                Err(e) => {
                    eprintln!("wirefeed: {}:{line}: {e}", path.display());
                    summary.invalid += 1;
                }
            }
        }
        bar.set_message(format!(
            "{} articles",
            summary.imported + summary.updated + summary.unchanged
        ));
    }
    Ok(())
}
