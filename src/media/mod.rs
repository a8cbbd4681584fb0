//! Pictures' bytes (docs/api.md, Pictures): an upload is checked (type, structure, size),
//! decoded and rendered on a bounded pool of worker threads (never on the event loop), its
//! embedded metadata read, and its files written to the media folder before any row names
//! them. The rows themselves are the store's; who may fetch a rendition is `feeds::access`'s.

mod blobs;
mod embedded;
mod iim;
mod probe;
mod renditions;
mod webp;
mod xmp;

pub use blobs::{Blobs, sha256_hex};
pub use embedded::merge;
pub use probe::Kind;

use crate::config::MediaSettings;
use crate::model::{Picture, PictureMeta, Rendition};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};

/// Why an upload or a change was refused.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Not an image, not the type claimed, truncated, undecodable, animated, or metadata that
    /// tries entity expansion (400).
    #[error("{0}")]
    Invalid(String),
    /// More pixels than `media.max_pixels` (400), found before decoding.
    #[error("{0}")]
    TooManyPixels(String),
    /// A type that is not JPEG, PNG or WebP (415).
    #[error("{0}")]
    Unsupported(String),
    /// Every worker busy and the queue full (503).
    #[error("the picture workers are busy; retry shortly")]
    Busy,
    /// The media folder cannot be written (500, or 507 when full).
    #[error("the media folder cannot be written: {0}")]
    Storage(#[from] std::io::Error),
}

/// A processed upload: its files are on disk; what the row will say.
#[derive(Debug, Clone)]
pub struct Processed {
    /// Metadata: the given fields, the rest from the file.
    pub meta: PictureMeta,
    /// Which fields came from the file.
    pub from_file: Vec<String>,
    /// The renditions, stored.
    pub renditions: Vec<Rendition>,
    /// SHA-256 of the upload, stored.
    pub source_sha256: String,
    /// Its media type.
    pub source_type: String,
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads taking jobs from a bounded queue.
struct Pool {
    tx: mpsc::SyncSender<Job>,
}

impl Pool {
    fn start(workers: usize) -> Pool {
        let (tx, rx) = mpsc::sync_channel::<Job>(workers * 4);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..workers {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("wirefeed-media-{i}"))
                .spawn(move || {
                    // Renditions are background work: the threads that answer requests come
                    // first, so uploads never starve feed serving.
                    crate::threads::run_in_background();
                    loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .expect("spawning a thread");
        }
        Pool { tx }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, MediaError> + Send + 'static,
    ) -> Result<T, MediaError> {
        use crate::metrics::METRICS;
        use std::sync::atomic::Ordering::Relaxed;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let started = std::time::Instant::now();
            let result = f();
            METRICS
                .media_job_us
                .fetch_add(started.elapsed().as_micros() as u64, Relaxed);
            let outcome = match &result {
                Ok(_) => &METRICS.media_jobs_ok,
                Err(_) => &METRICS.media_jobs_refused,
            };
            crate::metrics::Registry::inc(outcome);
            let _ = reply.send(result);
        });
        if self.tx.try_send(job).is_err() {
            crate::metrics::Registry::inc(&METRICS.media_jobs_busy);
            return Err(MediaError::Busy);
        }
        // Counted down however the wait ends (a client that goes away drops this future).
        struct InFlight;
        impl Drop for InFlight {
            fn drop(&mut self) {
                METRICS.media_jobs_in_flight.fetch_sub(1, Relaxed);
            }
        }
        METRICS.media_jobs_in_flight.fetch_add(1, Relaxed);
        let _in_flight = InFlight;
        answer.await.map_err(|_| MediaError::Busy)?
    }
}

/// The media service.
pub struct Media {
    blobs: Blobs,
    settings: renditions::Settings,
    /// Largest upload, bytes.
    pub max_upload_bytes: usize,
    pool: Pool,
    /// Uploads whose bodies may be read at once: the rest wait before reading theirs, so
    /// memory stays bounded however many arrive.
    admission: Arc<tokio::sync::Semaphore>,
    /// Rendition files recently served, by hash (their bytes never change).
    files: Mutex<FileCache>,
}

/// The most bytes of rendition files kept in memory, and the largest file kept.
const FILE_CACHE_BYTES: usize = 128 << 20;
const FILE_CACHE_MAX_FILE: usize = 8 << 20;
/// The most open files kept (each a descriptor), and the smallest file kept open: smaller ones
/// are written from memory with their head (`actix_http::h1::BodyFile` wants 16 KiB).
const FILE_CACHE_HANDLES: usize = 1024;
const FILE_HANDLE_MIN: usize = 16 << 10;

/// A byte- and descriptor-bounded map of files, emptied when full (cheap, and files refill on
/// demand).
#[derive(Default)]
struct FileCache {
    map: std::collections::HashMap<String, StoredFile>,
    bytes: usize,
    handles: usize,
}

/// A stored file: its bytes, and (from 16 KiB) the open file they were read from, so that it
/// can be sent to a socket without copying (`sendfile`). Files are named by their hash and never
/// change, so the two always agree.
#[derive(Clone)]
pub struct StoredFile {
    pub bytes: bytes::Bytes,
    pub file: Option<Arc<std::fs::File>>,
}

impl Media {
    /// The service over the media folder `dir`, its workers started.
    pub fn new(s: &MediaSettings, dir: PathBuf) -> Media {
        let blobs = Blobs::new(dir);
        blobs.sweep_tmp();
        Media {
            blobs,
            settings: renditions::Settings {
                max_pixels: s.max_pixels,
                keep_gps: s.keep_gps,
                quality: s.quality,
            },
            max_upload_bytes: s.max_upload_bytes,
            pool: Pool::start(s.workers),
            admission: Arc::new(tokio::sync::Semaphore::new(s.workers * 2 + 2)),
            files: Mutex::new(FileCache::default()),
        }
    }

    /// A stored file's bytes (and, from 16 KiB, the open file): from memory when served
    /// recently, else read off the event loop.
    pub async fn file(&self, sha256: &str) -> std::io::Result<StoredFile> {
        if let Some(f) = self
            .files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .map
            .get(sha256)
        {
            return Ok(f.clone());
        }
        let path = self.blobs.path(sha256);
        let stored = tokio::task::spawn_blocking(move || -> std::io::Result<StoredFile> {
            use std::io::Read;
            let mut file = std::fs::File::open(path)?;
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)?;
            let keep = bytes.len() >= FILE_HANDLE_MIN;
            Ok(StoredFile {
                bytes: bytes.into(),
                file: keep.then(|| Arc::new(file)),
            })
        })
        .await
        .map_err(std::io::Error::other)??;
        if stored.bytes.len() <= FILE_CACHE_MAX_FILE {
            let mut c = self
                .files
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if c.bytes + stored.bytes.len() > FILE_CACHE_BYTES || c.handles >= FILE_CACHE_HANDLES {
                c.map.clear();
                c.bytes = 0;
                c.handles = 0;
            }
            c.bytes += stored.bytes.len();
            c.handles += usize::from(stored.file.is_some());
            c.map.insert(sha256.to_owned(), stored.clone());
        }
        Ok(stored)
    }

    /// The media folder.
    pub fn blobs(&self) -> &Blobs {
        &self.blobs
    }

    /// Waits for a turn to read an upload's body.
    pub async fn admit(&self) -> tokio::sync::OwnedSemaphorePermit {
        self.admission
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }

    /// Checks, decodes and renders an upload on the worker pool and stores its files.
    pub async fn process(
        &self,
        bytes: bytes::Bytes,
        kind: Kind,
        given: PictureMeta,
    ) -> Result<Processed, MediaError> {
        let blobs = self.blobs.clone();
        let s = self.settings;
        self.pool
            .run(move || process(&blobs, &bytes, kind, &given, &s))
            .await
    }

    /// The same, on the caller's thread (the import).
    pub fn process_now(
        &self,
        bytes: &[u8],
        kind: Kind,
        given: &PictureMeta,
    ) -> Result<Processed, MediaError> {
        process(&self.blobs, bytes, kind, given, &self.settings)
    }

    /// New metadata for a stored picture: the given fields, the rest read again from its
    /// file; every rendition rewritten with it (new bytes, so new URLs; the pixels are not
    /// encoded again).
    pub async fn restamp(
        &self,
        picture: &Picture,
        given: PictureMeta,
    ) -> Result<Processed, MediaError> {
        let blobs = self.blobs.clone();
        let s = self.settings;
        let picture = picture.clone();
        self.pool
            .run(move || restamp(&blobs, &picture, &given, &s))
            .await
    }
}

fn process(
    blobs: &Blobs,
    bytes: &[u8],
    kind: Kind,
    given: &PictureMeta,
    s: &renditions::Settings,
) -> Result<Processed, MediaError> {
    probe::check(bytes, kind)?;
    let decoded = renditions::decode(bytes, kind, s)?;
    let (meta, from_file) = embedded::merge(given, &decoded.embedded.meta);
    let made = renditions::make(bytes, &decoded, &meta, s)?;
    drop(decoded);
    let source_sha256 = blobs.put(bytes)?;
    let renditions = store_all(blobs, made)?;
    Ok(Processed {
        meta,
        from_file,
        renditions,
        source_sha256,
        source_type: kind.media_type().to_owned(),
    })
}

fn store_all(blobs: &Blobs, made: Vec<renditions::Made>) -> Result<Vec<Rendition>, MediaError> {
    made.into_iter()
        .map(|m| {
            let sha256 = blobs.put(&m.bytes)?;
            Ok(Rendition {
                name: m.name.to_owned(),
                media_type: m.media_type.to_owned(),
                width: m.width,
                height: m.height,
                bytes: m.bytes.len() as u64,
                sha256,
            })
        })
        .collect()
}

/// The metadata a stored upload carries (its header only: no pixel is decoded).
fn embedded_of(
    bytes: &[u8],
    kind: Kind,
) -> Result<(embedded::Embedded, image::metadata::Orientation), MediaError> {
    use image::ImageDecoder;
    let reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), kind.image_format());
    let mut dec = reader
        .into_decoder()
        .map_err(|e| MediaError::Invalid(format!("the stored upload does not decode: {e}")))?;
    let exif = dec.exif_metadata().ok().flatten();
    let xmp_packet = dec.xmp_metadata().ok().flatten();
    let iptc = dec.iptc_metadata().ok().flatten();
    let o = dec
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    Ok((
        embedded::read(exif.as_deref(), xmp_packet.as_deref(), iptc.as_deref())?,
        o,
    ))
}

fn restamp(
    blobs: &Blobs,
    picture: &Picture,
    given: &PictureMeta,
    s: &renditions::Settings,
) -> Result<Processed, MediaError> {
    let source = blobs.get(&picture.source_sha256)?;
    let kind = Kind::from_media_type(&picture.source_type)
        .ok_or_else(|| MediaError::Invalid("the stored upload has an unknown type".into()))?;
    let (file, _) = embedded_of(&source, kind)?;
    let (meta, from_file) = embedded::merge(given, &file.meta);
    let gps = if s.keep_gps { file.gps } else { None };
    let mut made = Vec::with_capacity(picture.renditions.len());
    for r in &picture.renditions {
        let bytes = blobs.get(&r.sha256)?;
        made.push(renditions::Made {
            name: crate::model::RENDITIONS
                .iter()
                .find(|(n, _)| *n == r.name)
                .map_or("original", |(n, _)| n),
            media_type: if r.media_type == "image/webp" {
                "image/webp"
            } else {
                "image/jpeg"
            },
            width: r.width,
            height: r.height,
            bytes: if r.media_type == "image/webp" {
                webp::restamp(&bytes, &meta, gps, false)?
            } else {
                renditions::restamp(&bytes, &meta, gps, false)?
            },
        });
    }
    Ok(Processed {
        meta,
        from_file,
        renditions: store_all(blobs, made)?,
        source_sha256: picture.source_sha256.clone(),
        source_type: picture.source_type.clone(),
    })
}
