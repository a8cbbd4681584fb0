//! The process's metrics: a registry of atomics that every layer updates where the thing
//! happens, and that `/metrics` renders in the Prometheus text format (0.0.4). No I/O and no
//! locks here: an update is one or two relaxed atomic adds, cheap enough for the hot path.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

mod text;

/// The one registry of this process.
pub static METRICS: Registry = Registry::new();

/// What kind of resource a request was for: the `route` label (a bounded set, never a path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `/feeds/{feed}.{format}`.
    Feed,
    /// `/articles/{id}` and its formats.
    Article,
    /// `/media/…`: pictures' documents and renditions.
    Media,
    /// `/`, `/topics/…`, `/search`, `/feeds.opml`.
    Page,
    /// `/api/v1/…`.
    Api,
    /// `/websub`.
    WebSub,
    /// `/healthz`, `/readyz`, `/metrics`.
    Ops,
    /// Anything unrouted (404s).
    Other,
}

impl Route {
    const ALL: [Route; 8] = [
        Route::Feed,
        Route::Article,
        Route::Media,
        Route::Page,
        Route::Api,
        Route::WebSub,
        Route::Ops,
        Route::Other,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Route::Feed => "feed",
            Route::Article => "article",
            Route::Media => "media",
            Route::Page => "page",
            Route::Api => "api",
            Route::WebSub => "websub",
            Route::Ops => "ops",
            Route::Other => "other",
        }
    }
}

/// What was rendered: the `format` label of render metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendered {
    /// A feed page in RSS 2.0.
    Rss,
    /// A feed page in Atom 1.0.
    Atom,
    /// A feed page in NewsML-G2.
    NewsMl,
    /// A feed page in JSON Feed 1.1.
    JsonFeed,
    /// An HTML page (index, topic, search).
    Html,
    /// An article in any of its formats.
    Article,
}

impl Rendered {
    const ALL: [Rendered; 6] = [
        Rendered::Rss,
        Rendered::Atom,
        Rendered::NewsMl,
        Rendered::JsonFeed,
        Rendered::Html,
        Rendered::Article,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Rendered::Rss => "rss",
            Rendered::Atom => "atom",
            Rendered::NewsMl => "xml",
            Rendered::JsonFeed => "json",
            Rendered::Html => "html",
            Rendered::Article => "article",
        }
    }
}

impl From<crate::model::Format> for Rendered {
    fn from(f: crate::model::Format) -> Self {
        use crate::model::Format;
        match f {
            Format::Rss => Rendered::Rss,
            Format::Atom => Rendered::Atom,
            Format::NewsMl => Rendered::NewsMl,
            Format::JsonFeed => Rendered::JsonFeed,
        }
    }
}

/// Upper bounds of the latency buckets, in microseconds (100 µs to 10 s).
const BOUNDS_US: [u64; 16] = [
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
    1_000_000, 2_500_000, 5_000_000, 10_000_000,
];

/// A latency histogram with [`BOUNDS_US`] buckets (each counted on its own, summed when rendered).
pub struct Histogram {
    buckets: [AtomicU64; BOUNDS_US.len() + 1],
    sum_us: AtomicU64,
}

impl Histogram {
    const fn new() -> Self {
        Histogram {
            buckets: [const { AtomicU64::new(0) }; BOUNDS_US.len() + 1],
            sum_us: AtomicU64::new(0),
        }
    }

    /// Records one observation.
    pub fn observe(&self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let i = BOUNDS_US.partition_point(|&b| b < us);
        self.buckets[i].fetch_add(1, Relaxed);
        self.sum_us.fetch_add(us, Relaxed);
    }

    fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Relaxed)).sum()
    }
}

/// Status codes counted one by one (100–599); others are not HTTP.
const STATUSES: usize = 500;

/// Every metric of the process.
pub struct Registry {
    requests: [[AtomicU64; STATUSES]; Route::ALL.len()],
    latency: [Histogram; Route::ALL.len()],
    response_bytes: [AtomicU64; Route::ALL.len()],
    /// Documents served from the page cache.
    pub cache_hits: AtomicU64,
    /// Lookups that had to render (the page was missing or stale).
    pub cache_misses: AtomicU64,
    /// Documents dropped to stay within `feeds.cache_mb`.
    pub cache_evictions: AtomicU64,
    /// Bytes the page cache holds (its own estimate, the one the budget uses).
    pub cache_bytes: AtomicI64,
    /// Documents the page cache holds.
    pub cache_entries: AtomicI64,
    renders: [Histogram; Rendered::ALL.len()],
    /// Callers that waited for a free database connection.
    pub pool_waits: AtomicU64,
    pool_wait_us: AtomicU64,
    /// SQLite answers of "busy" or "locked" past the busy timeout.
    pub store_busy: AtomicU64,
    /// SQLite answers of "disk full" (answered 507).
    pub store_full: AtomicU64,
    /// SQLite answers of "read-only", "I/O error" or "cannot open" (answered 503).
    pub store_unavailable: AtomicU64,
    /// Requests refused with 429.
    pub rate_limited: AtomicU64,
    /// Requests with a malformed, unknown, revoked or expired key.
    pub auth_failures: AtomicU64,
    /// Deliveries waiting in the WebSub queue (all processes), as last read by the hub.
    pub websub_queue_depth: AtomicI64,
    /// When the oldest queued delivery was enqueued (Unix ms), 0 when the queue is empty.
    pub websub_oldest_ms: AtomicI64,
    /// Delivery attempts made by this process.
    pub websub_attempts: AtomicU64,
    /// Delivery attempts that failed.
    pub websub_failures: AtomicU64,
    /// Subscription requests verified.
    pub websub_verified: AtomicU64,
    /// Verifications that failed.
    pub websub_verify_failures: AtomicU64,
    /// Articles stored, by status, as last counted by the change watcher.
    pub articles_usable: AtomicI64,
    /// Withheld articles.
    pub articles_withheld: AtomicI64,
    /// Killed articles.
    pub articles_canceled: AtomicI64,
    /// Usable articles whose embargo has not lifted yet (also counted in usable).
    pub articles_embargoed: AtomicI64,
    /// PURGE requests a shared cache answered with 2xx.
    pub cdn_purges: AtomicU64,
    /// PURGE requests that failed.
    pub cdn_purge_failures: AtomicU64,
    /// Picture jobs (upload checks and renditions, restamps) finished, by outcome.
    pub media_jobs_ok: AtomicU64,
    /// Picture jobs that refused their input (not an image, too large, does not decode …).
    pub media_jobs_refused: AtomicU64,
    /// Picture jobs refused because the worker pool's queue was full (answered 503).
    pub media_jobs_busy: AtomicU64,
    /// Time the picture workers spent on jobs, µs.
    pub media_job_us: AtomicU64,
    /// Picture jobs queued or running now.
    pub media_jobs_in_flight: AtomicI64,
    /// Rendition bytes sent from their file with `sendfile(2)` (never copied through user space).
    pub media_sendfile_bytes: AtomicU64,
    /// Email alerts waiting in the outbox (every process), as last read by the sender.
    pub alerts_queue_depth: AtomicI64,
    /// Alert messages an SMTP server accepted from this process.
    pub alerts_sent: AtomicU64,
    /// Alert messages that ended failed (a permanent refusal, or out of attempts).
    pub alerts_failed: AtomicU64,
    /// Alert delivery attempts that will be retried (a transient refusal, no answer).
    pub alerts_retried: AtomicU64,
    /// When the change watcher last read the database successfully (Unix ms; 0: never).
    pub store_read_ok_ms: AtomicI64,
    /// When this process started (Unix seconds).
    pub started: AtomicI64,
}

impl Registry {
    const fn new() -> Self {
        Registry {
            requests: [const { [const { AtomicU64::new(0) }; STATUSES] }; Route::ALL.len()],
            latency: [const { Histogram::new() }; Route::ALL.len()],
            response_bytes: [const { AtomicU64::new(0) }; Route::ALL.len()],
            cache_hits: AtomicU64::new(0),
            cache_misses: AtomicU64::new(0),
            cache_evictions: AtomicU64::new(0),
            cache_bytes: AtomicI64::new(0),
            cache_entries: AtomicI64::new(0),
            renders: [const { Histogram::new() }; Rendered::ALL.len()],
            pool_waits: AtomicU64::new(0),
            pool_wait_us: AtomicU64::new(0),
            store_busy: AtomicU64::new(0),
            store_full: AtomicU64::new(0),
            store_unavailable: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            auth_failures: AtomicU64::new(0),
            websub_queue_depth: AtomicI64::new(0),
            websub_oldest_ms: AtomicI64::new(0),
            websub_attempts: AtomicU64::new(0),
            websub_failures: AtomicU64::new(0),
            websub_verified: AtomicU64::new(0),
            websub_verify_failures: AtomicU64::new(0),
            articles_usable: AtomicI64::new(0),
            articles_withheld: AtomicI64::new(0),
            articles_canceled: AtomicI64::new(0),
            articles_embargoed: AtomicI64::new(0),
            cdn_purges: AtomicU64::new(0),
            cdn_purge_failures: AtomicU64::new(0),
            alerts_queue_depth: AtomicI64::new(0),
            alerts_sent: AtomicU64::new(0),
            alerts_failed: AtomicU64::new(0),
            alerts_retried: AtomicU64::new(0),
            media_jobs_ok: AtomicU64::new(0),
            media_jobs_refused: AtomicU64::new(0),
            media_jobs_busy: AtomicU64::new(0),
            media_job_us: AtomicU64::new(0),
            media_jobs_in_flight: AtomicI64::new(0),
            media_sendfile_bytes: AtomicU64::new(0),
            store_read_ok_ms: AtomicI64::new(0),
            started: AtomicI64::new(0),
        }
    }

    /// One answered request.
    pub fn request(&self, route: Route, status: u16, took: Duration, bytes: u64) {
        let r = route as usize;
        if let Some(c) = usize::from(status)
            .checked_sub(100)
            .and_then(|i| self.requests[r].get(i))
        {
            c.fetch_add(1, Relaxed);
        }
        self.latency[r].observe(took);
        self.response_bytes[r].fetch_add(bytes, Relaxed);
    }

    /// One render (cache miss, or an uncached document) and how long it took, data read included.
    pub fn rendered(&self, what: Rendered, took: Duration) {
        self.renders[what as usize].observe(took);
    }

    /// How many feed pages were rendered in `format` (tests read this through `/metrics`).
    pub fn renders(&self, what: Rendered) -> u64 {
        self.renders[what as usize].count()
    }

    /// A wait for a database connection.
    pub fn pool_waited(&self, took: Duration) {
        self.pool_waits.fetch_add(1, Relaxed);
        self.pool_wait_us
            .fetch_add(u64::try_from(took.as_micros()).unwrap_or(u64::MAX), Relaxed);
    }

    /// Adds one to `counter`.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_end_with_the_count() {
        let h = Histogram::new();
        h.observe(Duration::from_micros(50));
        h.observe(Duration::from_micros(700));
        h.observe(Duration::from_secs(60));
        let mut out = String::new();
        h.render(&mut out, "x", "r=\"a\"");
        assert!(out.contains("x_bucket{r=\"a\",le=\"0.0001\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{r=\"a\",le=\"0.001\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{r=\"a\",le=\"10\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{r=\"a\",le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("x_count{r=\"a\"} 3\n"), "{out}");
        assert!(out.contains("x_sum{r=\"a\"} 60.00075\n"), "{out}");
    }
}
