//! `/metrics`: the registry in the Prometheus text format (0.0.4).

use super::{BOUNDS_US, Histogram, Registry, Rendered, Route, STATUSES};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

impl Registry {
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
        histograms(
            o,
            "wirefeed_http_request_duration_seconds",
            "Time from request to response headers, by route class.",
            Route::ALL.iter().map(|&r| {
                (
                    format!("route=\"{}\"", r.as_str()),
                    &self.latency[r as usize],
                )
            }),
        );
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
        histograms(
            o,
            "wirefeed_render_duration_seconds",
            "Time to read and render one document, by format (html: pages; article: any article format).",
            Rendered::ALL.iter().map(|&f| {
                (
                    format!("format=\"{}\"", f.as_str()),
                    &self.renders[f as usize],
                )
            }),
        );
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
            "wirefeed_store_full_total",
            "Database writes refused because the disk is full (answered 507).",
            &self.store_full,
        );
        counter(
            o,
            "wirefeed_store_unavailable_total",
            "Database calls that failed as read-only, with an I/O error or unable to open (answered 503).",
            &self.store_unavailable,
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
        gauge(
            o,
            "wirefeed_alerts_queue_depth",
            "Email alerts waiting in the outbox (every process on this database).",
            self.alerts_queue_depth.load(Relaxed),
        );
        counter(
            o,
            "wirefeed_alerts_sent_total",
            "Email alerts an SMTP server accepted from this process.",
            &self.alerts_sent,
        );
        counter(
            o,
            "wirefeed_alerts_failed_total",
            "Email alerts that ended failed (permanent refusal or out of attempts).",
            &self.alerts_failed,
        );
        counter(
            o,
            "wirefeed_alerts_retries_total",
            "Email alert attempts that will be retried (transient refusal or no answer).",
            &self.alerts_retried,
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
        family(
            o,
            "wirefeed_media_jobs_total",
            "counter",
            "Picture jobs (checks and renditions of an upload, restamps) by outcome: ok, refused (bad input), busy (queue full, 503).",
        );
        for (outcome, c) in [
            ("ok", &self.media_jobs_ok),
            ("refused", &self.media_jobs_refused),
            ("busy", &self.media_jobs_busy),
        ] {
            let _ = writeln!(
                o,
                "wirefeed_media_jobs_total{{outcome=\"{outcome}\"}} {}",
                c.load(Relaxed)
            );
        }
        family(
            o,
            "wirefeed_media_job_seconds_total",
            "counter",
            "Time the picture workers spent on jobs.",
        );
        let _ = writeln!(
            o,
            "wirefeed_media_job_seconds_total {}",
            seconds(self.media_job_us.load(Relaxed))
        );
        gauge(
            o,
            "wirefeed_media_jobs_in_flight",
            "Picture jobs queued or running.",
            self.media_jobs_in_flight.load(Relaxed),
        );
        counter(
            o,
            "wirefeed_media_sendfile_bytes_total",
            "Rendition bytes sent from their file with sendfile(2), not copied through user space.",
            &self.media_sendfile_bytes,
        );
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

impl Histogram {
    pub(super) fn render(&self, out: &mut String, name: &str, labels: &str) {
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

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A histogram family: one histogram per label set.
fn histograms<'a>(
    out: &mut String,
    name: &str,
    help: &str,
    each: impl Iterator<Item = (String, &'a Histogram)>,
) {
    family(out, name, "histogram", help);
    for (labels, h) in each {
        h.render(out, name, &labels);
    }
}

fn counter(out: &mut String, name: &str, help: &str, c: &AtomicU64) {
    family(out, name, "counter", help);
    let _ = writeln!(out, "{name} {}", c.load(Relaxed));
}

fn gauge(out: &mut String, name: &str, help: &str, v: i64) {
    family(out, name, "gauge", help);
    let _ = writeln!(out, "{name} {v}");
}
