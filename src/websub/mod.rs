//! The WebSub hub (W3C Recommendation 2018, docs/api.md, Push (WebSub)): subscription requests verified
//! asynchronously, and each changed feed document pushed to its subscribers from a queue kept
//! in the database.
//!
//! Data flows one way: the change log (any process) → [`deliver::watch`] renders each
//! subscribed topic and, when its document's hash moved, enqueues one delivery per subscriber
//! → [`deliver::dispatch`] claims due deliveries (one at a time per callback, a bounded number
//! at once) and POSTs the topic's latest document.

pub mod address;
pub mod client;
mod deliver;
pub mod topic;
mod verify;

use crate::auth::Keyring;
use crate::changes::ChangeBus;
use crate::config::WebSubSettings;
use crate::feeds::Feeds;
use crate::model::{FieldError, FieldErrors};
use crate::store::Store;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
pub use topic::{Topic, TopicError, redact};

/// `hub.secret` must be shorter than this (W3C WebSub §5.1).
pub const MAX_SECRET: usize = 200;

/// What a subscriber asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `hub.mode=subscribe`.
    Subscribe,
    /// `hub.mode=unsubscribe`.
    Unsubscribe,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Subscribe => "subscribe",
            Mode::Unsubscribe => "unsubscribe",
        }
    }
}

/// A subscription request, checked.
#[derive(Clone)]
pub struct Request {
    /// Subscribe or unsubscribe.
    pub mode: Mode,
    /// Where to verify and deliver, exactly as sent.
    pub callback: reqwest::Url,
    /// The topic URL, exactly as sent.
    pub topic: String,
    /// Lease asked for, in seconds.
    pub lease_seconds: Option<u64>,
    /// HMAC secret for signatures.
    pub secret: Option<String>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("mode", &self.mode)
            .field("callback", &self.callback.as_str())
            .field("topic", &redact(&self.topic))
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Request {
    /// Parses a form-encoded body; unknown parameters are ignored (§5.1), every problem is
    /// reported at once.
    pub fn parse(body: &[u8], allow_private: bool) -> Result<Request, Vec<FieldError>> {
        let (mut mode, mut callback, mut topic, mut lease, mut secret) =
            (None, None, None, None, None);
        for (k, v) in form_urlencoded::parse(body) {
            let slot = match k.as_ref() {
                "hub.mode" => &mut mode,
                "hub.callback" => &mut callback,
                "hub.topic" => &mut topic,
                "hub.lease_seconds" => &mut lease,
                "hub.secret" => &mut secret,
                _ => continue,
            };
            slot.get_or_insert(v.into_owned());
        }
        let mut errors = FieldErrors::new();
        let mode = match mode.as_deref() {
            Some("subscribe") => Some(Mode::Subscribe),
            Some("unsubscribe") => Some(Mode::Unsubscribe),
            Some(m) => {
                errors.add(
                    "hub.mode",
                    format!("hub.mode must be subscribe or unsubscribe, got {m:?}"),
                );
                None
            }
            None => {
                errors.add("hub.mode", "hub.mode is required");
                None
            }
        };
        let callback = match callback.as_deref().map(reqwest::Url::parse) {
            None => {
                errors.add("hub.callback", "hub.callback is required");
                None
            }
            Some(Err(e)) => {
                errors.add(
                    "hub.callback",
                    format!("hub.callback is not an absolute URL: {e}"),
                );
                None
            }
            Some(Ok(u)) => match client::check_callback(&u, allow_private) {
                Ok(()) if u.as_str().len() > 2048 => {
                    errors.add("hub.callback", "hub.callback is longer than 2048 bytes");
                    None
                }
                Ok(()) => Some(u),
                Err(m) => {
                    errors.add("hub.callback", m);
                    None
                }
            },
        };
        if topic.as_deref().is_none_or(str::is_empty) {
            errors.add("hub.topic", "hub.topic is required");
        }
        let lease_seconds = match lease.as_deref().map(str::parse::<u64>) {
            None => None,
            Some(Ok(n)) if n > 0 => Some(n),
            Some(_) => {
                errors.add(
                    "hub.lease_seconds",
                    "hub.lease_seconds must be a positive whole number of seconds",
                );
                None
            }
        };
        if secret.as_ref().is_some_and(|s| s.len() >= MAX_SECRET) {
            errors.add(
                "hub.secret",
                format!("hub.secret must be shorter than {MAX_SECRET} bytes"),
            );
        }
        match (mode, callback, topic) {
            (Some(mode), Some(callback), Some(topic)) => errors.finish(Request {
                mode,
                callback,
                topic,
                lease_seconds,
                secret: secret.filter(|s| !s.is_empty()),
            }),
            // Whatever is missing was recorded above.
            _ => Err(errors.into_vec()),
        }
    }
}

/// The hub: shared by the HTTP handlers and its own workers.
pub struct Hub {
    feeds: Arc<Feeds>,
    store: Arc<Store>,
    keyring: Arc<Keyring>,
    changes: Arc<ChangeBus>,
    settings: WebSubSettings,
    client: reqwest::Client,
    /// `{base_url}/websub`.
    pub url: String,
    /// Callbacks with a delivery in flight from this process.
    in_flight: Mutex<HashSet<String>>,
    /// Woken when a delivery is enqueued or finished.
    queue_moved: tokio::sync::Notify,
    runtime: tokio::runtime::Handle,
    /// Set by [`Hub::stop`]: no delivery is claimed after it.
    stopping: std::sync::atomic::AtomicBool,
}

/// At most this many deliveries are in flight at once (to distinct callbacks).
const MAX_IN_FLIGHT: usize = 64;

impl Hub {
    /// Starts the hub's workers on their own runtime thread.
    pub fn start(
        feeds: Arc<Feeds>,
        store: Arc<Store>,
        keyring: Arc<Keyring>,
        changes: Arc<ChangeBus>,
    ) -> std::io::Result<Arc<Hub>> {
        let settings = feeds.config.websub.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("wirefeed-websub")
            .enable_all()
            .build()?;
        let hub = Arc::new(Hub {
            url: format!("{}/websub", feeds.config.agency.base_url),
            client: client::build(settings.timeout, settings.allow_private_callbacks),
            settings,
            feeds,
            store,
            keyring,
            changes,
            in_flight: Mutex::new(HashSet::new()),
            queue_moved: tokio::sync::Notify::new(),
            runtime: runtime.handle().clone(),
            stopping: std::sync::atomic::AtomicBool::new(false),
        });
        let (w, d) = (hub.clone(), hub.clone());
        runtime.spawn(async move { deliver::watch(w).await });
        runtime.spawn(async move { deliver::dispatch(d).await });
        // The runtime lives as long as the process: its thread parks on it.
        std::thread::Builder::new()
            .name("wirefeed-websub-rt".into())
            .spawn(move || runtime.block_on(std::future::pending::<()>()))?;
        Ok(hub)
    }

    /// Stops at a safe point: no new delivery is claimed, and deliveries in flight get until
    /// `within` to finish. One cut short keeps its claim, which lapses, and is sent again by
    /// this or another process (WebSub delivery is at least once). Returns how many were cut.
    pub fn stop(&self, within: Duration) -> usize {
        self.stopping
            .store(true, std::sync::atomic::Ordering::Release);
        self.queue_moved.notify_one();
        let deadline = std::time::Instant::now() + within;
        while self.in_flight_len() > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.in_flight_len()
    }

    fn stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Whether callbacks on private addresses are allowed.
    pub fn allow_private(&self) -> bool {
        self.settings.allow_private_callbacks
    }

    /// Accepts a checked request: verification (or denial) happens in the background (§5.2).
    pub fn accept(self: &Arc<Self>, req: Request) {
        let hub = self.clone();
        self.runtime
            .spawn(async move { verify::run(hub, req).await });
    }

    fn lease_for(&self, asked: Option<u64>) -> u64 {
        let max = self.settings.lease_max.as_secs();
        asked
            .unwrap_or(self.settings.lease_default.as_secs())
            .clamp(1, max)
    }

    fn busy(&self, callback: &str) -> bool {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(callback)
    }

    fn in_flight_len(&self) -> usize {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn set_in_flight(&self, callback: &str, on: bool) {
        let mut set = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if on {
            set.insert(callback.to_owned());
        } else {
            set.remove(callback);
        }
    }

    /// The `Link` header of a delivery: the hub and the topic (W3C WebSub §7).
    fn link_header(&self, topic: &str) -> String {
        format!("<{}>; rel=\"hub\", <{topic}>; rel=\"self\"", self.url)
    }

    /// The delay before retry `attempt` (1-based): exponential from 1 s, capped at an hour,
    /// with jitter (between half and all of it) so retries from many hubs do not align.
    fn backoff(attempt: u32) -> Duration {
        let full = Duration::from_secs(1u64 << attempt.saturating_sub(1).min(12))
            .min(Duration::from_secs(3600));
        let mut b = [0u8; 2];
        let _ = getrandom::fill(&mut b);
        let f = 0.5 + f64::from(u16::from_le_bytes(b)) / f64::from(u16::MAX) / 2.0;
        full.mul_f64(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_report_every_bad_field_and_ignore_unknown_ones() {
        let e = Request::parse(b"hub.mode=watch&hub.lease_seconds=-4&x=1", false).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["hub.mode", "hub.callback", "hub.topic", "hub.lease_seconds"]
        );
        let long = "s".repeat(200);
        let body = format!(
            "hub.mode=subscribe&hub.callback=https%3A%2F%2Fexample.org%2Fcb%3Fa%3D1&hub.topic=t&hub.secret={long}"
        );
        let e = Request::parse(body.as_bytes(), false).unwrap_err();
        assert_eq!(e[0].field, "hub.secret");
        let ok = Request::parse(
            b"hub.mode=subscribe&hub.callback=https%3A%2F%2Fexample.org%2Fcb%3Fa%3D1&hub.topic=t&hub.unknown=1",
            false,
        )
        .unwrap();
        assert_eq!(ok.callback.as_str(), "https://example.org/cb?a=1");
        assert_eq!(ok.mode, Mode::Subscribe);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempt in 1..20 {
            let full =
                Duration::from_secs(1u64 << (attempt - 1).min(12)).min(Duration::from_secs(3600));
            let d = Hub::backoff(attempt);
            assert!(d >= full / 2 && d <= full, "{attempt}: {d:?}");
        }
    }
}
