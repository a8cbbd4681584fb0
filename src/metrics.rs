//! The process's metrics: a registry of atomics that every layer updates where the thing
//! happens, and that `/metrics` renders in the Prometheus text format (0.0.4). No I/O and no
//! locks here: an update is one or two relaxed atomic adds, cheap enough for the hot path.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// The one registry of this process.
pub static METRICS: Registry = Registry::new();

/// What kind of resource a request was for: the `route` label (a bounded set, never a path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `/feeds/{feed}.{format}`.
    Feed,
    /// `/articles/{id}` and its formats.
    Article,
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
    const ALL: [Route; 7] = [
        Route::Feed,
        Route::Article,
        Route::Page,
        Route::Api,
        Route::WebSub,
        Route::Ops,
        Route::Other,
    ];

    /// The class of a request path, decided without allocating (the matched pattern would
    /// cost a `String` per request): what the routes in `http/` serve under each prefix.
    pub fn of_path(path: &str) -> Route {
        match path {
            "/healthz" | "/readyz" | "/metrics" => Route::Ops,
            "/" | "/search" | "/feeds.opml" => Route::Page,
            "/websub" => Route::WebSub,
            p if p.starts_with("/feeds/") => Route::Feed,
            p if p.starts_with("/articles/") => Route::Article,
            p if p.starts_with("/topics/") => Route::Page,
            p if p.starts_with("/api/") => Route::Api,
            _ => Route::Other,
        }
    }

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Route::Feed => "feed",
            Route::Article => "article",
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

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        for (i, b) in self.buckets.iter().enumerate() {
            cumulative += b.load(Relaxed);
            let le = BOUNDS_US
                .get(i)
                .map_or_else(|| "+Inf".to_owned(), |&us| seconds(us));
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{le}\"}} {cumulative}");
        }
        let sum = seconds(self.sum_us.load(Relaxed));
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {cumulative}");
    }
}

fn seconds(us: u64) -> String {
    format!("{}", us as f64 / 1e6)
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

    /// The registry in the Prometheus text format, `now_ms` being the current Unix time.
    pub fn render(&self, now_ms: i64) -> String {
        let mut out = String::with_capacity(16 * 1024);
        let o = &mut out;
        family(
            o,
            "wirefeed_http_requests_total",
            "counter",
            "HTTP requests answered, by route class and status.",
        );
        for route in Route::ALL {
            for (i, c) in self.requests[route as usize].iter().enumerate() {
                let n = c.load(Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        o,
                        "wirefeed_http_requests_total{{route=\"{}\",status=\"{}\"}} {n}",
                        route.as_str(),
                        i + 100
                    );
                }
            }
        }
        // Kept from the first release: the same counts summed over routes.
        family(
            o,
            "wirefeed_http_responses_total",
            "counter",
            "HTTP responses sent, by status.",
        );
        for i in 0..STATUSES {
            let n: u64 = Route::ALL
                .iter()
                .map(|&r| self.requests[r as usize][i].load(Relaxed))
                .sum();
            if n > 0 {
                let _ = writeln!(
                    o,
                    "wirefeed_http_responses_total{{status=\"{}\"}} {n}",
                    i + 100
                );
            }
        }
        family(
            o,
            "wirefeed_http_not_modified_ratio",
            "gauge",
            "Share of feed 200s and 304s that were 304 (pollers sending validators).",
        );
        let feed = &self.requests[Route::Feed as usize];
        let (ok, nm) = (feed[100].load(Relaxed), feed[204].load(Relaxed));
        let ratio = if ok + nm == 0 {
            0.0
        } else {
            nm as f64 / (ok + nm) as f64
        };
        let _ = writeln!(o, "wirefeed_http_not_modified_ratio {ratio}");
        family(
            o,
            "wirefeed_http_request_duration_seconds",
            "histogram",
            "Time from request to response headers, by route class.",
        );
        for route in Route::ALL {
            self.latency[route as usize].render(
                o,
                "wirefeed_http_request_duration_seconds",
                &format!("route=\"{}\"", route.as_str()),
            );
        }
        family(
            o,
            "wirefeed_http_response_body_bytes_total",
            "counter",
            "Response body bytes sent (as encoded), by route class.",
        );
        for route in Route::ALL {
            let _ = writeln!(
                o,
                "wirefeed_http_response_body_bytes_total{{route=\"{}\"}} {}",
                route.as_str(),
                self.response_bytes[route as usize].load(Relaxed)
            );
        }
        counter(
            o,
            "wirefeed_page_cache_hits_total",
            "Documents served from the rendered-page cache.",
            &self.cache_hits,
        );
        counter(
            o,
            "wirefeed_page_cache_misses_total",
            "Page-cache lookups that had to render.",
            &self.cache_misses,
        );
        counter(
            o,
            "wirefeed_page_cache_evictions_total",
            "Documents evicted to stay within feeds.cache_mb.",
            &self.cache_evictions,
        );
        gauge(
            o,
            "wirefeed_page_cache_bytes",
            "Bytes held by the page cache.",
            self.cache_bytes.load(Relaxed),
        );
        gauge(
            o,
            "wirefeed_page_cache_entries",
            "Documents held by the page cache.",
            self.cache_entries.load(Relaxed),
        );
        family(
            o,
            "wirefeed_feed_renders_total",
            "counter",
            "Feed pages rendered (cache misses), by format.",
        );
        for f in [
            Rendered::Rss,
            Rendered::Atom,
            Rendered::NewsMl,
            Rendered::JsonFeed,
        ] {
            let _ = writeln!(
                o,
                "wirefeed_feed_renders_total{{format=\"{}\"}} {}",
                f.as_str(),
                self.renders(f)
            );
        }
        family(
            o,
            "wirefeed_render_duration_seconds",
            "histogram",
            "Time to read and render one document, by format (html: pages; article: any article format).",
        );
        for f in Rendered::ALL {
            self.renders[f as usize].render(
                o,
                "wirefeed_render_duration_seconds",
                &format!("format=\"{}\"", f.as_str()),
            );
        }
        counter(
            o,
            "wirefeed_store_pool_waits_total",
            "Database calls that waited for a free connection.",
            &self.pool_waits,
        );
        family(
            o,
            "wirefeed_store_pool_wait_seconds_total",
            "counter",
            "Time spent waiting for a free database connection.",
        );
        let _ = writeln!(
            o,
            "wirefeed_store_pool_wait_seconds_total {}",
            seconds(self.pool_wait_us.load(Relaxed))
        );
        counter(
            o,
            "wirefeed_store_busy_total",
            "Database calls that found it locked past the busy timeout (answered 503).",
            &self.store_busy,
        );
        counter(
            o,
            "wirefeed_rate_limited_total",
            "Requests refused with 429.",
            &self.rate_limited,
        );
        counter(
            o,
            "wirefeed_auth_failures_total",
            "Requests with a malformed, unknown, revoked or expired key.",
            &self.auth_failures,
        );
        gauge(
            o,
            "wirefeed_websub_queue_depth",
            "WebSub deliveries waiting (every process on this database).",
            self.websub_queue_depth.load(Relaxed),
        );
        let oldest = self.websub_oldest_ms.load(Relaxed);
        let age = if oldest == 0 {
            0.0
        } else {
            (now_ms - oldest).max(0) as f64 / 1000.0
        };
        family(
            o,
            "wirefeed_websub_queue_oldest_age_seconds",
            "gauge",
            "Age of the oldest waiting WebSub delivery (0 when none waits).",
        );
        let _ = writeln!(o, "wirefeed_websub_queue_oldest_age_seconds {age}");
        counter(
            o,
            "wirefeed_websub_delivery_attempts_total",
            "WebSub delivery attempts made by this process.",
            &self.websub_attempts,
        );
        counter(
            o,
            "wirefeed_websub_delivery_failures_total",
            "WebSub delivery attempts that failed (each retry counts).",
            &self.websub_failures,
        );
        counter(
            o,
            "wirefeed_websub_verifications_total",
            "WebSub subscription requests verified.",
            &self.websub_verified,
        );
        counter(
            o,
            "wirefeed_websub_verification_failures_total",
            "WebSub subscription requests whose verification failed.",
            &self.websub_verify_failures,
        );
        let (usable, withheld, canceled) = (
            self.articles_usable.load(Relaxed),
            self.articles_withheld.load(Relaxed),
            self.articles_canceled.load(Relaxed),
        );
        gauge(
            o,
            "wirefeed_articles",
            "Articles stored, whatever their status.",
            usable + withheld + canceled,
        );
        family(
            o,
            "wirefeed_articles_by_status",
            "gauge",
            "Articles stored, by status (embargoed: usable, embargo not lifted yet).",
        );
        for (status, n) in [
            ("usable", usable),
            ("withheld", withheld),
            ("canceled", canceled),
            ("embargoed", self.articles_embargoed.load(Relaxed)),
        ] {
            let _ = writeln!(o, "wirefeed_articles_by_status{{status=\"{status}\"}} {n}");
        }
        counter(
            o,
            "wirefeed_cdn_purges_total",
            "PURGE requests a shared cache accepted.",
            &self.cdn_purges,
        );
        counter(
            o,
            "wirefeed_cdn_purge_failures_total",
            "PURGE requests refused or unanswered.",
            &self.cdn_purge_failures,
        );
        gauge(
            o,
            "process_start_time_seconds",
            "When this process started (Unix time).",
            self.started.load(Relaxed),
        );
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn counter(out: &mut String, name: &str, help: &str, c: &AtomicU64) {
    family(out, name, "counter", help);
    let _ = writeln!(out, "{name} {}", c.load(Relaxed));
}

fn gauge(out: &mut String, name: &str, help: &str, v: i64) {
    family(out, name, "gauge", help);
    let _ = writeln!(out, "{name} {v}");
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

    #[test]
    fn route_classes_are_a_bounded_set() {
        assert_eq!(Route::of_path("/feeds/all.rss"), Route::Feed);
        assert_eq!(Route::of_path("/feeds.opml"), Route::Page);
        assert_eq!(Route::of_path("/api/v1/articles/x"), Route::Api);
        assert_eq!(Route::of_path("/topics/security"), Route::Page);
        assert_eq!(Route::of_path("/readyz"), Route::Ops);
        assert_eq!(Route::of_path("/wp-login.php"), Route::Other);
    }
}
