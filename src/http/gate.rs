//! The gate every request passes: who it acts as (the key, once per request), whether its
//! bucket allows it (429 otherwise), the `X-RateLimit-*` headers, and the key's usage.

use super::Problem;
use super::auth::principal_with;
use crate::app::App;
use crate::auth::Principal;
use crate::limits::Verdict;
use crate::metrics::{METRICS, Registry};
use crate::urls::Resource;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};

/// Health and metrics are for the operator's monitoring: never limited.
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// `?token=` is accepted on feeds and article pages (readers that cannot send headers).
/// `Some("path")` or `Some("query")` when that part, percent-decoded, is not UTF-8.
fn not_utf8(path: &str, query: &str) -> Option<&'static str> {
    fn decodes(s: &str) -> bool {
        let b = s.as_bytes();
        if !b.contains(&b'%') {
            return true; // the request line is ASCII or UTF-8 already
        }
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            match (
                b[i],
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                (b'%', Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                (c, _, _) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        std::str::from_utf8(&out).is_ok()
    }
    if !decodes(path) {
        Some("path")
    } else if !decodes(query) {
        Some("query")
    } else {
        None
    }
}

/// A second `token=` is refused: the gate and the feed must read the same one.
fn query_token(req: &ServiceRequest) -> Result<Option<String>, Problem> {
    if !Resource::parse(req.path()).is_some_and(|r| r.takes_query_token()) {
        return Ok(None);
    }
    let q = req.query_string();
    // A name may be percent-encoded (`%74oken=`): only a query with neither is skipped.
    if !q.contains("token=") && !q.contains('%') {
        return Ok(None);
    }
    let mut tokens = form_urlencoded::parse(q.as_bytes()).filter(|(k, _)| k == "token");
    let first = tokens.next().map(|(_, v)| v.into_owned());
    if tokens.next().is_some() {
        return Err(Problem::bad_request(vec![crate::model::FieldError::new(
            "token",
            "token is given more than once",
        )]));
    }
    Ok(first)
}

fn vary_by_authorization(headers: &mut actix_web::http::header::HeaderMap) {
    use actix_web::http::header::VARY;
    let current = headers
        .get(VARY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if current
        .split(',')
        .any(|v| v.trim().eq_ignore_ascii_case("authorization"))
    {
        return;
    }
    let next = if current.is_empty() {
        "Authorization".to_owned()
    } else {
        format!("{current}, Authorization")
    };
    if let Ok(v) = HeaderValue::from_str(&next) {
        headers.insert(VARY, v);
    }
}

fn rate_headers(headers: &mut actix_web::http::header::HeaderMap, v: &Verdict) {
    for (name, value) in [
        ("x-ratelimit-limit", v.limit as u64),
        ("x-ratelimit-remaining", u64::from(v.remaining)),
        ("x-ratelimit-reset", v.reset),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}

fn too_many(v: &Verdict) -> Problem {
    Problem::too_many_requests(
        format!(
            "rate limited: {} requests a minute; retry after {} s",
            v.limit, v.retry_after
        ),
        v.retry_after,
    )
}

pub(super) async fn gate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if exempt(req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    // Bytes that are not UTF-8 once decoded would otherwise be read lossily (U+FFFD) by
    // whatever decodes them later: refused here, once, for every route.
    if let Some(part) = not_utf8(req.uri().path(), req.query_string()) {
        let problem = Problem::bad_request(vec![crate::model::FieldError::new(
            part,
            format!("the {part} is not valid UTF-8 once percent-decoded"),
        )]);
        return Ok(req.into_response(problem.error_response()));
    }
    let Some(app) = req.app_data::<web::Data<App>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let now = chrono::Utc::now().timestamp();
    let ip = super::client::client_ip(
        req.peer_addr().map(|a| a.ip()),
        req.headers(),
        &app.config.trusted_proxies,
        app.config.forwarded_header,
    );
    let token = match query_token(&req) {
        Ok(t) => t,
        Err(problem) => return Ok(req.into_response(problem.error_response())),
    };
    let who = match principal_with(req.request(), token.as_deref(), &app, now) {
        Ok(p) => p,
        Err(problem) => {
            // A failed key counts against the client's address, like anonymous traffic: a
            // burst of guesses is throttled.
            Registry::inc(&METRICS.auth_failures);
            if let Some(v) = ip
                .and_then(|ip| app.limits.check_ip(ip))
                .filter(|v| !v.allowed)
            {
                return Ok(req.into_response(too_many(&v).error_response()));
            }
            return Ok(req.into_response(problem.error_response()));
        }
    };
    let verdict = match &who {
        Principal::Key(k) => app.limits.check_key(k),
        Principal::Anonymous => ip.and_then(|ip| app.limits.check_ip(ip)),
    };
    if let Some(v) = verdict.filter(|v| !v.allowed) {
        Registry::inc(&METRICS.rate_limited);
        let mut resp = too_many(&v).error_response();
        if matches!(who, Principal::Key(_)) {
            rate_headers(resp.headers_mut(), &v);
        }
        return Ok(req.into_response(resp));
    }
    // Usage is counted per key: anonymous requests (the hot path) allocate nothing here.
    let key = match &who {
        Principal::Key(k) => Some((
            k.name.clone(),
            match Resource::parse(req.path()) {
                Some(Resource::Feed { feed, .. }) => Some(feed.to_owned()),
                _ => None,
            },
        )),
        Principal::Anonymous => None,
    };
    req.extensions_mut().insert(who);
    let mut res = next.call(req).await?.map_into_boxed_body();
    if let Some((name, feed)) = key {
        if let Some(v) = &verdict {
            rate_headers(res.headers_mut(), v);
        }
        // A keyed answer carries that key's X-RateLimit-*: a shared cache may keep a public
        // document, but only for requests with the same Authorization.
        vary_by_authorization(res.headers_mut());
        app.usage.record(
            &name,
            res.status() == StatusCode::NOT_MODIFIED,
            feed.as_deref(),
            now,
        );
    }
    Ok(res)
}
