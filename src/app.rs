//! The application context: built once by `wirefeed serve`, it holds the config, the store, the
//! change bus, the keyring, the rate limits, key usage and every service, and starts and stops
//! their background work. HTTP handlers receive it whole; each service receives only the parts
//! it uses. (The metrics registry is the process-wide [`crate::metrics::METRICS`].)

use crate::auth::{Key, Keyring, Refusal};
use crate::changes::{ChangeBus, POLL_INTERVAL};
use crate::config::Config;
use crate::feeds::Feeds;
use crate::limits::Limits;
use crate::metrics::METRICS;
use crate::publish::Newsroom;
use crate::store::{SCOPE_KEYS, Store, StoreError};
use crate::usage::Usage;
use crate::websub::Hub;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// Everything a request may need, shared by all workers.
pub struct App {
    /// The checked config.
    pub config: Arc<Config>,
    /// The database.
    pub store: Arc<Store>,
    /// What changed, for every subscriber.
    pub changes: Arc<ChangeBus>,
    /// API keys, reloaded when the change bus says they moved.
    pub keyring: Arc<Keyring>,
    /// Rate limits per key and per client address.
    pub limits: Limits,
    /// Key usage, counted in memory and written in batches.
    pub usage: Arc<Usage>,
    /// Feed, article and page documents.
    pub feeds: Arc<Feeds>,
    /// The publishing service (the durable writer).
    pub newsroom: Arc<Newsroom>,
    /// The WebSub hub.
    pub websub: Arc<Hub>,
    /// Pictures' files: checks, renditions, the media folder.
    pub media: Arc<crate::media::Media>,
    /// Email alerts, when `[mail]` is configured.
    pub alerts: Option<Arc<crate::alerts::Alerts>>,
    /// Set when a graceful shutdown begins (`/readyz` answers 503 from then on).
    stopping: AtomicBool,
    /// When an unknown token last made us look for new keys (Unix ms).
    looked_up_ms: AtomicI64,
}

/// At most one look-up for new keys per this many ms, whatever the number of unknown tokens
/// sent: a flood of random tokens costs at most one indexed read of the change log per interval.
const LOOKUP_EVERY_MS: i64 = 5;

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be used.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A background worker could not be started.
    #[error("{0}")]
    Worker(String),
}

/// How often key usage counted in memory is written to the database.
const USAGE_FLUSH: Duration = Duration::from_secs(5);

/// How long WebSub deliveries in flight get at shutdown once the HTTP side has stopped.
const WEBSUB_GRACE: Duration = Duration::from_secs(2);

/// Articles are counted by status for `/metrics` this often after a change, and at least this
/// often anyway (embargoes lift without a write).
const COUNT_AFTER_CHANGE: Duration = Duration::from_secs(5);
const COUNT_AT_LEAST: Duration = Duration::from_secs(60);

impl App {
    /// Builds every service over one store and one change bus, and starts the background
    /// work: the change watcher, the keyring and article counts following it, the WebSub hub,
    /// the CDN purger and the usage flush.
    pub fn start(config: Config, store: Store) -> Result<Arc<App>, StartError> {
        let (config, store) = (Arc::new(config), Arc::new(store));
        let changes = ChangeBus::new();
        let newsroom = Arc::new(Newsroom::start(
            config.clone(),
            store.clone(),
            changes.clone(),
        )?);
        let feeds = Arc::new(Feeds::with_bus(
            config.clone(),
            store.clone(),
            changes.clone(),
        ));
        changes.watch(store.clone());
        let keyring = Arc::new(Keyring::default());
        let websub = Hub::start(
            feeds.clone(),
            store.clone(),
            keyring.clone(),
            changes.clone(),
        )
        .map_err(|e| StartError::Worker(format!("cannot start the WebSub hub: {e}")))?;
        crate::cdn::start(&config, &changes, store.clone())
            .map_err(|e| StartError::Worker(format!("cannot start the cache purger: {e}")))?;
        let alerts = crate::alerts::Alerts::start(
            config.clone(),
            store.clone(),
            keyring.clone(),
            feeds.clone(),
            changes.clone(),
        )
        .map_err(|e| StartError::Worker(format!("cannot start email alerts: {e}")))?;
        let media = Arc::new(crate::media::Media::new(
            &config.media,
            config.media.dir_for(store.path()),
        ));
        let app = Arc::new(App {
            media,
            alerts,
            limits: Limits::new(&config.limits),
            usage: Arc::new(Usage::default()),
            config,
            store,
            changes,
            keyring,
            feeds,
            newsroom,
            websub,
            stopping: AtomicBool::new(false),
            looked_up_ms: AtomicI64::new(0),
        });
        app.sync_keys();
        follow(Arc::downgrade(&app));
        flush_usage(Arc::downgrade(&app));
        Ok(app)
    }

    /// The key `token` names. A token the keyring does not know may belong to a key added a
    /// moment ago by another process (`wirefeed keys add`): the change log is read then,
    /// at most once per [`LOOKUP_EVERY_MS`], before it is refused.
    pub fn authenticate(&self, token: &str, now: i64) -> Result<Arc<Key>, Refusal> {
        match self.keyring.authenticate(token, now) {
            Err(Refusal::Unknown) if self.may_look_up() => {
                // Read from the log itself, not the bus: the watcher may be between reading a
                // move and publishing it.
                match self.store.keys_seq() {
                    Ok(seq) => {
                        if let Err(e) = self.keyring.sync(seq, &self.store) {
                            tracing::warn!(error = %e, "cannot reload API keys");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot read the keys' change"),
                }
                self.keyring.authenticate(token, now)
            }
            other => other,
        }
    }

    fn may_look_up(&self) -> bool {
        let now = chrono::Utc::now().timestamp_millis();
        let last = self.looked_up_ms.load(Ordering::Acquire);
        now - last >= LOOKUP_EVERY_MS
            && self
                .looked_up_ms
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
    }

    /// Reloads the keys if the change bus says they moved since the last load.
    fn sync_keys(&self) {
        if let Err(e) = self.keyring.sync(self.changes.seq(SCOPE_KEYS), &self.store) {
            tracing::warn!(error = %e, "cannot reload API keys");
        }
    }

    /// Marks the application as shutting down: `/readyz` answers 503 from now on.
    pub fn begin_shutdown(&self) {
        self.stopping.store(true, Ordering::Release);
    }

    /// Whether a graceful shutdown has begun.
    pub fn shutting_down(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// Stops the background work once the HTTP side has stopped: WebSub deliveries in flight
    /// get [`WEBSUB_GRACE`], the last key usage is written, the database is closed.
    pub fn stop(&self) {
        if let Some(a) = &self.alerts {
            a.stop();
        }
        let cut = self.websub.stop(WEBSUB_GRACE);
        if cut > 0 {
            tracing::warn!(
                cut,
                "websub: deliveries cut short by the shutdown; their claims lapse and they are sent again"
            );
        }
        if let Err(e) = self.usage.flush(&self.store) {
            tracing::warn!(error = %e, "cannot write the last key usage");
        }
        self.store.close();
    }
}

/// The keyring and the article counts follow the change bus on one thread.
fn follow(app: Weak<App>) {
    let Some(a) = app.upgrade() else { return };
    let mut sub = a.changes.subscribe();
    count_articles(&a.store);
    drop(a);
    let mut counted = std::time::Instant::now();
    let mut dirty = false;
    std::thread::Builder::new()
        .name("wirefeed-follow".into())
        .spawn(move || {
            loop {
                let moved = sub.wait(POLL_INTERVAL);
                let Some(app) = app.upgrade() else { break };
                if moved {
                    app.sync_keys();
                }
                dirty |= moved;
                let age = counted.elapsed();
                if (dirty && age >= COUNT_AFTER_CHANGE) || age >= COUNT_AT_LEAST {
                    count_articles(&app.store);
                    counted = std::time::Instant::now();
                    dirty = false;
                }
            }
        })
        .expect("spawning a thread");
}

/// Counts articles by status into the metrics registry.
fn count_articles(store: &Store) {
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

/// Writes key usage in batches, never a write per request.
fn flush_usage(app: Weak<App>) {
    std::thread::Builder::new()
        .name("wirefeed-usage".into())
        .spawn(move || {
            loop {
                std::thread::sleep(USAGE_FLUSH);
                let Some(app) = app.upgrade() else { break };
                if let Err(e) = app.usage.flush(&app.store) {
                    tracing::warn!(error = %e, "cannot write key usage; kept for the next flush");
                }
            }
        })
        .expect("spawning a thread");
}
