//! Every request counted in the metrics registry and logged once, and every answer given the
//! headers all answers carry.

use super::auth::principal_of;
use crate::metrics::METRICS;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use std::rc::Rc;
use std::time::Instant;

/// Headers every answer carries unless its handler set them (actix's `DefaultHeaders`, done
/// here: one middleware layer less on every request).
pub(super) type Defaults = Rc<[(HeaderName, HeaderValue)]>;

/// Counts each request in the metrics registry and logs it once, with fields: method, route,
/// status, duration, bytes, whether the page cache answered, and the key's *name* (never a
/// token, never the query string, which may carry one).
pub(super) async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
    defaults: Defaults,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    for (name, value) in defaults.iter() {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), value.clone());
        }
    }
    let took = start.elapsed();
    let status = res.status().as_u16();
    let route = crate::urls::route_class(res.request().path());
    let bytes = match res.response().body().size() {
        actix_web::body::BodySize::Sized(n) => n,
        _ => 0,
    };
    METRICS.request(route, status, took, bytes);
    if logging_requests() {
        let http = res.request();
        let pattern = http.match_pattern();
        let cache = res
            .response()
            .extensions()
            .get::<CacheHit>()
            .map(|c| if c.0 { "hit" } else { "miss" });
        let key = match principal_of(http) {
            crate::auth::Principal::Key(k) => Some(k.name.clone()),
            crate::auth::Principal::Anonymous => None,
        };
        tracing::info!(
            target: crate::logging::REQUEST_TARGET,
            method = %http.method(),
            route = pattern.as_deref().unwrap_or("-"),
            path = http.path(),
            status,
            duration_ms = took.as_secs_f64() * 1000.0,
            bytes,
            cache,
            key,
        );
    }
    Ok(res)
}

/// Whether request lines are logged (`WIREFEED_LOG`): when not, nothing is gathered for them.
pub(super) fn logging_requests() -> bool {
    tracing::enabled!(target: crate::logging::REQUEST_TARGET, tracing::Level::INFO)
}

/// Set on a response answered from (or rendered into) the page cache: what the request log shows.
#[derive(Clone, Copy)]
pub(super) struct CacheHit(pub(super) bool);
