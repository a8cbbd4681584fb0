//! Thin handlers: extract, call one function, build the response.

use super::{Metrics, Problem};
use crate::feeds::{FeedQuery, Feeds, Rendered};
use crate::model::Format;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{
    self, CacheControl, CacheDirective, EntityTag, Header, HttpDate, IfModifiedSince, IfNoneMatch,
};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use std::time::{Instant, SystemTime};

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp(), 0).expect("the clock is within chrono's range")
}

/// Logs each request once, with fields, and counts responses for `/metrics`.
pub(super) async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let res = next.call(req).await?;
    let status = res.status().as_u16();
    if let Some(m) = metrics {
        *m.responses
            .lock()
            .expect("metrics lock")
            .entry(status)
            .or_default() += 1;
    }
    tracing::info!(%method, %path, status, duration_ms = start.elapsed().as_secs_f64() * 1000.0, "request");
    Ok(res)
}

/// Strong validator of a representation: FNV-1a over its bytes and media type.
fn etag(r: &Rendered) -> EntityTag {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in r.content_type.bytes().chain(r.body.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    EntityTag::new_strong(format!("{h:016x}"))
}

/// RFC 9110 §13.2.2: If-None-Match first; If-Modified-Since only without it.
fn not_modified(req: &HttpRequest, tag: &EntityTag, last_modified: SystemTime) -> bool {
    if req.headers().contains_key(header::IF_NONE_MATCH) {
        return match IfNoneMatch::parse(req) {
            Ok(IfNoneMatch::Any) => true,
            // §13.1.2: If-None-Match uses the weak comparison.
            Ok(IfNoneMatch::Items(items)) => items.iter().any(|t| t.weak_eq(tag)),
            Err(_) => false,
        };
    }
    match IfModifiedSince::parse(req) {
        Ok(IfModifiedSince(since)) => {
            let since: SystemTime = since.into();
            last_modified <= since
        }
        Err(_) => false,
    }
}

fn respond(req: &HttpRequest, r: Rendered, max_age: u32) -> HttpResponse {
    let tag = etag(&r);
    let last_modified: SystemTime = r.last_modified.into();
    let status = if not_modified(req, &tag, last_modified) {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let mut resp = HttpResponse::build(status);
    resp.insert_header(header::ETag(tag))
        .insert_header(header::LastModified(HttpDate::from(last_modified)))
        .insert_header(CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(max_age),
            CacheDirective::Extension("stale-while-revalidate".into(), Some(max_age.to_string())),
        ]))
        .insert_header((header::LINK, format!("<{}>; rel=\"self\"", r.self_url)));
    if status == StatusCode::NOT_MODIFIED {
        return resp.finish();
    }
    resp.content_type(r.content_type).body(r.body)
}

/// `GET /feeds/{feed}.{format}`.
pub(super) async fn feed(
    req: HttpRequest,
    file: web::Path<String>,
    feeds: web::Data<Feeds>,
) -> Result<HttpResponse, Problem> {
    let file = file.into_inner();
    let (id, ext) = file.rsplit_once('.').ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            format!("no feed at {file:?}; feed URLs end in .rss, .atom, .xml or .json"),
        )
    })?;
    let format = Format::from_extension(ext).ok_or_else(|| {
        Problem::new(
            StatusCode::NOT_FOUND,
            format!("unknown feed format {ext:?}; use rss, atom, xml or json"),
        )
    })?;
    let pairs =
        web::Query::<Vec<(String, String)>>::from_query(req.query_string()).map_err(|e| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                format!("malformed query string: {e}"),
            )
        })?;
    let query = FeedQuery::parse(&pairs).map_err(Problem::invalid)?;
    let id = id.to_owned();
    let f = feeds.clone();
    let rendered = web::block(move || f.feed(&id, format, &query, now())).await??;
    Ok(respond(&req, rendered, feeds.config.feeds.max_age))
}

/// `GET /articles/{id}`, `/articles/{id}.xml`, `/articles/{id}.json`.
pub(super) async fn article(
    req: HttpRequest,
    file: web::Path<String>,
    feeds: web::Data<Feeds>,
) -> Result<HttpResponse, Problem> {
    let file = file.into_inner();
    let f = feeds.clone();
    let rendered = web::block(move || {
        let t = now();
        // An id may itself contain dots: try the format suffix first, then the whole name.
        match file.rsplit_once('.') {
            Some((id, ext @ ("xml" | "json"))) => match f.article(id, Some(ext), t) {
                Err(crate::feeds::FeedError::NotFound(_)) => f.article(&file, None, t),
                other => other,
            },
            _ => f.article(&file, None, t),
        }
    })
    .await??;
    Ok(respond(&req, rendered, feeds.config.feeds.max_age))
}

/// `GET /`: the feed index.
pub(super) async fn index(req: HttpRequest, feeds: web::Data<Feeds>) -> HttpResponse {
    let r = Rendered {
        body: crate::render::index_page(&feeds.config),
        content_type: "text/html; charset=utf-8",
        last_modified: DateTime::from_timestamp(0, 0).expect("epoch"),
        self_url: format!("{}/", feeds.config.agency.base_url),
    };
    respond(&req, r, feeds.config.feeds.max_age)
}

/// `GET /healthz`: 200 `ok` while the database answers.
pub(super) async fn healthz(feeds: web::Data<Feeds>) -> HttpResponse {
    let f = feeds.clone();
    match web::block(move || f.store.count()).await {
        Ok(Ok(_)) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("ok"),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("database unavailable")
        }
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

/// `GET /metrics`: Prometheus text format.
pub(super) async fn metrics(
    feeds: web::Data<Feeds>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, Problem> {
    let f = feeds.clone();
    let articles = web::block(move || f.store.count()).await??;
    let mut out = String::from(
        "# HELP wirefeed_articles Articles stored, whatever their status.\n# TYPE wirefeed_articles gauge\n",
    );
    out.push_str(&format!("wirefeed_articles {articles}\n"));
    out.push_str("# HELP wirefeed_http_responses_total HTTP responses sent, by status.\n# TYPE wirefeed_http_responses_total counter\n");
    for (status, n) in metrics.responses.lock().expect("metrics lock").iter() {
        out.push_str(&format!(
            "wirefeed_http_responses_total{{status=\"{status}\"}} {n}\n"
        ));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out))
}

/// Anything else: 404 (or 405 for a known path with another method) as problem+json.
pub(super) async fn not_found(req: HttpRequest) -> Result<HttpResponse, Problem> {
    let p = req.path();
    let known = p == "/"
        || p == "/healthz"
        || p == "/metrics"
        || p.starts_with("/feeds/")
        || p.starts_with("/articles/");
    if known
        && req.method() != actix_web::http::Method::GET
        && req.method() != actix_web::http::Method::HEAD
    {
        return Err(Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{} is not allowed on {p}", req.method()),
        ));
    }
    Err(Problem::new(
        StatusCode::NOT_FOUND,
        format!("nothing at {p}"),
    ))
}
