//! Health, readiness, metrics, and the answers for what is not there (404, 405).

use super::Problem;
use crate::app::App;
use crate::metrics::{METRICS, Route};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use std::sync::atomic::Ordering;

/// How long the change watcher (which reads the database every 200 ms) may go without a
/// successful read before this process says it cannot read its database.
const READ_STALE_MS: i64 = 5_000;

fn plain(status: StatusCode, body: &'static str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// Whether the change watcher read the database within [`READ_STALE_MS`]: what health and
/// readiness report, with no query of their own (a probe storm never reaches SQLite).
fn database_readable() -> bool {
    let last = METRICS.store_read_ok_ms.load(Ordering::Relaxed);
    last > 0 && Utc::now().timestamp_millis() - last <= READ_STALE_MS
}

/// `GET /healthz`: 200 `ok` while the server can read its database (docs/api.md, HTTP), as its change
/// watcher last found it; the process answering at all is the liveness part.
pub(super) async fn healthz() -> HttpResponse {
    if database_readable() {
        plain(StatusCode::OK, "ok")
    } else {
        plain(StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

/// `GET /readyz`: 200 `ready` once the database is open, migrated to this build's schema and
/// readable, 503 before (and while shutting down): what a load balancer routes by.
pub(super) async fn readyz(app: web::Data<App>) -> HttpResponse {
    if app.shutting_down() {
        plain(StatusCode::SERVICE_UNAVAILABLE, "shutting down")
    } else if database_readable() {
        plain(StatusCode::OK, "ready")
    } else {
        plain(StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

/// `GET /metrics`: the registry in the Prometheus text format.
pub(super) async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(METRICS.render(Utc::now().timestamp_millis()))
}

/// `GET /.well-known/tdmrep.json`: the W3C TDMRep file, one rule for the whole site, from
/// `agency.data_mining` (and `agency.tdm_policy`); 404 when the agency declares nothing.
pub(super) async fn tdmrep(app: web::Data<App>) -> Result<HttpResponse, Problem> {
    let body = crate::render::tdmrep_json(&app.config).ok_or_else(|| {
        Problem::not_found(
            "this server declares no text and data mining reservation (agency.data_mining is not set)",
        )
    })?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body))
}

/// 405 with the methods a resource allows.
pub(super) fn not_allowed(
    allow: &'static str,
) -> impl Fn(HttpRequest) -> std::future::Ready<Result<HttpResponse, Problem>> + Clone {
    move |req: HttpRequest| {
        std::future::ready(Err(Problem::method_not_allowed(
            format!("{} is not allowed on {}", req.method(), req.path()),
            allow,
        )))
    }
}

/// Anything else: 404 (or 405 for a known path with another method) as problem+json.
pub(super) async fn not_found(req: HttpRequest) -> Result<HttpResponse, Problem> {
    let p = req.path();
    // A read-only resource, or a path under the feeds (a format we do not have is still 405).
    let known = matches!(
        crate::urls::route_class(p),
        Route::Feed | Route::Article | Route::Page | Route::Ops
    );
    if known
        && req.method() != actix_web::http::Method::GET
        && req.method() != actix_web::http::Method::HEAD
    {
        return Err(Problem::method_not_allowed(
            format!("{} is not allowed on {p}", req.method()),
            "GET, HEAD",
        ));
    }
    Err(Problem::not_found(format!("nothing at {p}")))
}
