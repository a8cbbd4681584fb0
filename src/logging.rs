//! Logging with `tracing` to stderr: `WIREFEED_LOG` filters (default `info`), and
//! `WIREFEED_LOG_FORMAT=json` makes every line a JSON object.
//!
//! Everything is written by a background thread (`tracing-appender`), so a slow terminal or
//! journal never stalls a request; if it falls far behind, lines are dropped, not requests.
//! The per-request lines (target [`REQUEST_TARGET`], one per request at tens of thousands a
//! second) have a layer of their own: formatted straight into a per-thread buffer — no
//! allocation per line, the timestamp's date part formatted once a second — and handed to the
//! writer in 16 KiB batches (at the latest every 200 ms), which keeps them within a few percent
//! of the cost of not logging at all. Their shape is the same as every other line's.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tracing::field::{Field, Visit};
use tracing_appender::non_blocking::{NonBlocking, WorkerGuard};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The target of the one line each request is logged with.
pub const REQUEST_TARGET: &str = "wirefeed::request";

/// A batch is handed to the writer once it holds this much.
const BATCH: usize = 16 * 1024;
/// Partly filled batches are handed over this often.
const SWEEP: Duration = Duration::from_millis(200);

/// Keeps logging alive: dropping it hands over what is still buffered and waits for the
/// writer to write it.
pub struct Guard {
    _writer: WorkerGuard,
}

impl Drop for Guard {
    fn drop(&mut self) {
        sweep();
    }
}

/// Sets up logging for the process; keep the guard until the process returns.
pub fn init() -> Guard {
    use std::io::IsTerminal;
    let (writer, guard) = tracing_appender::non_blocking(std::io::BufWriter::with_capacity(
        64 * 1024,
        std::io::stderr(),
    ));
    let json = std::env::var("WIREFEED_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let filter = tracing_subscriber::EnvFilter::try_from_env("WIREFEED_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let others = filter_fn(|m| m.target() != REQUEST_TARGET);
    let fmt = if json {
        tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_writer(writer.clone())
            .with_filter(others)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer()
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(writer.clone())
            .with_filter(others)
            .boxed()
    };
    let _ = SINK.set(Sink { json, writer });
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(RequestLines)
        .init();
    let _ = std::thread::Builder::new()
        .name("wirefeed-log".into())
        .spawn(|| {
            loop {
                std::thread::sleep(SWEEP);
                sweep();
            }
        });
    Guard { _writer: guard }
}

struct Sink {
    json: bool,
    writer: NonBlocking,
}

static SINK: OnceLock<Sink> = OnceLock::new();
/// Every thread's batch, so that the sweeper can hand over partly filled ones.
static BATCHES: Mutex<Vec<Arc<Mutex<Vec<u8>>>>> = Mutex::new(Vec::new());

struct Local {
    batch: Arc<Mutex<Vec<u8>>>,
    /// The second `stamp` was formatted for, and `YYYY-MM-DDTHH:MM:SS.` of it.
    second: u64,
    stamp: String,
    scratch: String,
}

thread_local! {
    static LOCAL: RefCell<Local> = RefCell::new({
        let batch = Arc::new(Mutex::new(Vec::with_capacity(BATCH + 1024)));
        BATCHES.lock().unwrap_or_else(PoisonError::into_inner).push(batch.clone());
        Local { batch, second: u64::MAX, stamp: String::new(), scratch: String::new() }
    });
}

fn sweep() {
    let Some(sink) = SINK.get() else { return };
    let batches = BATCHES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    for b in batches {
        let chunk = std::mem::take(&mut *b.lock().unwrap_or_else(PoisonError::into_inner));
        if !chunk.is_empty() {
            let _ = sink.writer.clone().write_all(&chunk);
        }
    }
}

/// The layer that writes request lines.
struct RequestLines;

impl<S: tracing::Subscriber> Layer<S> for RequestLines {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let meta = event.metadata();
        if meta.target() != REQUEST_TARGET {
            return;
        }
        let Some(sink) = SINK.get() else { return };
        LOCAL.with(|l| {
            let l = &mut *l.borrow_mut();
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            if now.as_secs() != l.second {
                l.second = now.as_secs();
                l.stamp.clear();
                let t =
                    chrono::DateTime::from_timestamp(now.as_secs() as i64, 0).unwrap_or_default();
                let _ = write!(l.stamp, "{}.", t.format("%Y-%m-%dT%H:%M:%S"));
            }
            let mut batch = l.batch.lock().unwrap_or_else(PoisonError::into_inner);
            let out = &mut *batch;
            if sink.json {
                out.extend_from_slice(b"{\"timestamp\":\"");
                out.extend_from_slice(l.stamp.as_bytes());
                let _ = write!(
                    out,
                    "{:06}Z\",\"level\":\"{}\"",
                    now.subsec_micros(),
                    meta.level()
                );
            } else {
                out.extend_from_slice(l.stamp.as_bytes());
                let _ = write!(
                    out,
                    "{:06}Z {:>5} {}:",
                    now.subsec_micros(),
                    meta.level(),
                    REQUEST_TARGET
                );
            }
            event.record(&mut Fields {
                json: sink.json,
                out,
                scratch: &mut l.scratch,
            });
            if sink.json {
                out.extend_from_slice(b",\"target\":\"");
                out.extend_from_slice(REQUEST_TARGET.as_bytes());
                out.extend_from_slice(b"\"}\n");
            } else {
                out.push(b'\n');
            }
            if out.len() >= BATCH {
                let chunk = std::mem::replace(out, Vec::with_capacity(BATCH + 1024));
                drop(batch);
                let _ = sink.writer.clone().write_all(&chunk);
            }
        });
    }
}

/// Writes an event's fields as `,"name":value` (JSON) or ` name=value` (text).
struct Fields<'a> {
    json: bool,
    out: &'a mut Vec<u8>,
    scratch: &'a mut String,
}

impl Fields<'_> {
    fn name(&mut self, field: &Field) {
        if self.json {
            let _ = write!(self.out, ",\"{}\":", field.name());
        } else {
            let _ = write!(self.out, " {}=", field.name());
        }
    }

    fn text(&mut self, s: &str) {
        if !self.json {
            self.out.extend_from_slice(s.as_bytes());
            return;
        }
        self.out.push(b'"');
        for &b in s.as_bytes() {
            match b {
                b'"' => self.out.extend_from_slice(b"\\\""),
                b'\\' => self.out.extend_from_slice(b"\\\\"),
                0..0x20 | 0x7f => {
                    let _ = write!(self.out, "\\u{b:04x}");
                }
                _ => self.out.push(b),
            }
        }
        self.out.push(b'"');
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.name(field);
        self.text(value);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.name(field);
        let _ = write!(self.out, "{value}");
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.name(field);
        let _ = write!(self.out, "{value}");
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.name(field);
        let _ = write!(self.out, "{value}");
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.name(field);
        if value.is_finite() {
            let _ = write!(self.out, "{value:.3}");
        } else {
            self.out.extend_from_slice(b"null");
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut s = std::mem::take(self.scratch);
        s.clear();
        let _ = write!(s, "{value:?}");
        self.name(field);
        self.text(&s);
        *self.scratch = s;
    }
}
