//! Answering with a representation: content coding, conditional GET (304), validators, cache
//! lifetimes and surrogate keys.

use crate::feeds::{Encoding, Entitlement, Representation};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, Header, HeaderValue, IfModifiedSince};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::DateTime;
use std::time::SystemTime;

/// The coding to send, from `Accept-Encoding` with its q-values (RFC 9110 §12.5.3): the
/// client's highest-rated of br and gzip, br on a tie, identity when neither is acceptable.
pub(super) fn negotiate(req: &HttpRequest) -> Encoding {
    let Some(value) = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return Encoding::Identity;
    };
    let (mut br, mut gzip, mut star) = (None, None, None);
    for part in value.split(',') {
        let mut params = part.split(';');
        let coding = params.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = params
            .filter_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .or_else(|| p.trim().strip_prefix("Q="))
            })
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match coding.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => star = Some(q),
            _ => {}
        }
    }
    let br = br.or(star).unwrap_or(0.0);
    let gzip = gzip.or(star).unwrap_or(0.0);
    if br > 0.0 && br >= gzip {
        Encoding::Brotli
    } else if gzip > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// RFC 9110 §13.2.2: If-None-Match decides when present; If-Modified-Since only without it.
/// `suffix` is the entitlement's part of a keyed view's entity tag.
fn not_modified(
    req: &HttpRequest,
    rep: &Representation,
    encoding: Encoding,
    suffix: Option<&str>,
) -> bool {
    if let Some(inm) = req.headers().get(header::IF_NONE_MATCH) {
        let Ok(inm) = inm.to_str() else { return false };
        // §13.1.2: If-None-Match uses the weak comparison, so a W/ prefix is ignored.
        return inm.split(',').map(str::trim).any(|t| {
            t == "*"
                || t.trim_start_matches("W/")
                    .strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .is_some_and(|t| match suffix {
                        None => rep.matches(t, encoding),
                        Some(sfx) => t
                            .strip_suffix(sfx)
                            .is_some_and(|t| rep.matches(t, encoding)),
                    })
        });
    }
    match IfModifiedSince::parse(req) {
        Ok(IfModifiedSince(since)) => {
            let since: SystemTime = since.into();
            let last: SystemTime = rep.last_modified.into();
            last <= since
        }
        Err(_) => false,
    }
}

/// The IMF-fixdate of `now` (Unix seconds), formatted once per second per thread.
fn http_date(now: i64) -> HeaderValue {
    thread_local! {
        static LAST: std::cell::RefCell<(i64, Option<HeaderValue>)> = const { std::cell::RefCell::new((i64::MIN, None)) };
    }
    LAST.with(|c| {
        let mut c = c.borrow_mut();
        if c.0 != now || c.1.is_none() {
            let t = DateTime::from_timestamp(now, 0).unwrap_or_default();
            let v = HeaderValue::from_str(&t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
                .expect("an HTTP date is ASCII");
            *c = (now, Some(v));
        }
        c.1.clone().expect("set above")
    })
}

/// A header value the renderer formatted; `None` (the header left out and the bug logged) if
/// anything unsendable slipped into it: a request never panics on a header.
fn value(b: &bytes::Bytes) -> Option<HeaderValue> {
    HeaderValue::from_maybe_shared(b.clone())
        .map_err(
            |e| tracing::error!(error = %e, "a formatted header value is not sendable; left out"),
        )
        .ok()
}

/// How long caches may keep a public answer (`[feeds] max_age`, `[cdn]`), with the header of
/// the common case (no embargo lift ahead) formatted once.
pub struct CachePolicy {
    max_age: u64,
    s_maxage: u64,
    stale_if_error: u64,
    usual_public: HeaderValue,
    usual_private: HeaderValue,
}

impl CachePolicy {
    pub(super) fn new(config: &crate::config::Config) -> Self {
        let mut p = CachePolicy {
            max_age: u64::from(config.feeds.max_age),
            s_maxage: u64::from(config.cdn.s_maxage),
            stale_if_error: u64::from(config.cdn.stale_if_error),
            usual_public: HeaderValue::from_static("public"),
            usual_private: HeaderValue::from_static("private"),
        };
        p.usual_public = p.header(false, u64::MAX);
        p.usual_private = p.header(true, u64::MAX);
        p
    }

    /// `Cache-Control` for a document that goes stale by itself in `left` seconds. Nothing a
    /// cache may serve from its copy, fresh or stale, reaches past that moment (an embargo
    /// lift), so a lifted story is never hidden; `s-maxage` and `stale-if-error` are for
    /// shared caches and only public documents carry them.
    fn header(&self, private: bool, left: u64) -> HeaderValue {
        let max_age = self.max_age.min(left);
        let text = if private {
            let swr = self.max_age.min(left - max_age);
            if swr > 0 {
                format!("private, max-age={max_age}, stale-while-revalidate={swr}")
            } else {
                format!("private, max-age={max_age}")
            }
        } else {
            let s_maxage = self.s_maxage.min(left);
            let rest = left - max_age.max(s_maxage);
            let swr = self.max_age.max(self.s_maxage).min(rest);
            let sie = self.stale_if_error.min(rest);
            let mut t = format!("public, max-age={max_age}, s-maxage={s_maxage}");
            if swr > 0 {
                t.push_str(&format!(", stale-while-revalidate={swr}"));
            }
            if sie > 0 {
                t.push_str(&format!(", stale-if-error={sie}"));
            }
            t
        };
        HeaderValue::from_str(&text).expect("Cache-Control is ASCII")
    }

    fn for_rep(&self, private: bool, expires_at: Option<i64>, now: i64) -> HeaderValue {
        match expires_at {
            None if private => self.usual_private.clone(),
            None => self.usual_public.clone(),
            Some(t) if private => self.header(true, (t - now).max(0) as u64),
            // A public page tells nothing of a pending embargo lift beyond what max-age already
            // implies: further away than max-age, the usual header (a shared cache in front is
            // purged at the lift, `[cdn] purge_urls`; without one it may serve a pre-lift copy
            // while revalidating or while the origin fails, see docs/operations.md); within it,
            // every lifetime ends at the lift and nothing stale may be served past it.
            Some(t) => {
                let left = (t - now).max(0) as u64;
                if left >= self.max_age {
                    self.usual_public.clone()
                } else {
                    HeaderValue::from_str(&format!("public, max-age={left}, s-maxage={left}"))
                        .expect("Cache-Control is ASCII")
                }
            }
        }
    }
}

/// Answers with `rep`: 304 when the client's copy is current, else the body in the negotiated
/// coding. No cache may keep it past the moment the document goes stale by itself. A keyed
/// view is `private` (no shared cache may keep it) and has an entity tag of its own; a public
/// one names its surrogate keys for a shared cache in front.
pub(super) fn respond(
    req: &HttpRequest,
    rep: &Representation,
    encoding: Encoding,
    now: i64,
    view: &Entitlement,
) -> HttpResponse {
    let policy = req
        .app_data::<web::Data<CachePolicy>>()
        .expect("the app registers its CachePolicy");
    let suffix = view.tag_suffix();
    // Only a 200 can become a 304 (RFC 9110 §15.4.5); a 410 kill notice is always sent.
    let status = if rep.status != 200 {
        StatusCode::from_u16(rep.status).unwrap_or(StatusCode::OK)
    } else if not_modified(req, rep, encoding, suffix.as_deref()) {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let cache_control = policy.for_rep(suffix.is_some(), rep.expires_at, now);
    let h = &rep.header_values;
    let mut resp = HttpResponse::build(status);
    // Our own Date, from the clock that dated the page: actix's cached one can lag by up to
    // 500 ms, and Last-Modified must never be later than Date (RFC 9110 §8.8.2.1).
    resp.insert_header((header::DATE, http_date(now)));
    match &suffix {
        None => {
            if let Some(v) = value(&h.etag(encoding)) {
                resp.insert_header((header::ETAG, v));
            }
        }
        Some(sfx) => {
            resp.insert_header((header::ETAG, format!("\"{}{sfx}\"", rep.etag(encoding))));
        }
    };
    if let Some(v) = value(&h.last_modified) {
        resp.insert_header((header::LAST_MODIFIED, v));
    }
    resp.insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((
            header::VARY,
            match (suffix.is_some(), rep.vary) {
                (false, vary) => HeaderValue::from_static(vary),
                (true, "Accept-Encoding") => {
                    HeaderValue::from_static("Accept-Encoding, Authorization")
                }
                (true, vary) => HeaderValue::from_str(&format!("{vary}, Authorization"))
                    .expect("Vary values are ASCII"),
            },
        ));
    // A 304 updates the stored copy's headers (RFC 9111 §4.3.4), keys included.
    if suffix.is_none()
        && let Some((keys, tags)) = &h.surrogate_keys
        && let (Some(keys), Some(tags)) = (value(keys), value(tags))
    {
        resp.insert_header(("surrogate-key", keys))
            .insert_header(("cache-tag", tags));
    }
    if status == StatusCode::NOT_MODIFIED {
        return resp.finish();
    }
    if let Some(link) = value(&h.link) {
        resp.insert_header((header::LINK, link));
    }
    if rep.content_type.starts_with("text/html") {
        resp.insert_header((
            header::CONTENT_SECURITY_POLICY,
            crate::pages::content_security_policy(),
        ));
    }
    if encoding != Encoding::Identity {
        resp.insert_header((header::CONTENT_ENCODING, encoding.token()));
    }
    resp.content_type(rep.content_type)
        .body(rep.encoded(encoding))
}
