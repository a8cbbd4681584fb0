//! Files for crawlers and link previews (docs/api.md, Sitemaps): `/sitemap.xml`,
//! `/sitemap-news.xml`, `/sitemap-YYYY-MM-DD.xml`, `/robots.txt` (cached and answered like
//! the pages) and `/logo.png`.

use super::Problem;
use super::conditional::{negotiate, respond};
use crate::app::App;
use crate::feeds::{Entitlement, FeedError, Representation};
use crate::model::now;
use crate::urls::Sitemap;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use std::sync::Arc;

/// `GET /sitemap.xml`, `/sitemap-news.xml`, `/sitemap-YYYY-MM-DD.xml`.
pub(super) async fn sitemap(
    req: HttpRequest,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let which = Sitemap::parse(req.path())
        .ok_or_else(|| Problem::not_found(format!("nothing at {}", req.path())))?;
    let t = now();
    let encoding = negotiate(&req);
    let f = app.feeds.clone();
    // Off the event loop: a miss reads the database.
    let rep: Arc<Representation> = web::block(move || {
        let rep = f.sitemap(which, t)?;
        rep.encoded(encoding);
        Ok::<_, FeedError>(rep)
    })
    .await??;
    Ok(respond(
        &req,
        &rep,
        encoding,
        t.timestamp(),
        &Entitlement::Public,
    ))
}

/// `GET /robots.txt`.
pub(super) async fn robots(req: HttpRequest, app: web::Data<App>) -> Result<HttpResponse, Problem> {
    let t = now();
    let encoding = negotiate(&req);
    let rep = app.feeds.robots(t)?;
    let rep = web::block(move || {
        rep.encoded(encoding);
        rep
    })
    .await?;
    Ok(respond(
        &req,
        &rep,
        encoding,
        t.timestamp(),
        &Entitlement::Public,
    ))
}

/// `GET /logo.png`: the agency's logo, compiled in; its entity tag is its hash.
pub(super) async fn logo(req: HttpRequest) -> HttpResponse {
    static ETAG: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("\"{:016x}\"", crate::text::fnv1a(crate::pages::LOGO_PNG))
    });
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == "*" || t == ETAG.as_str())
        });
    let mut resp = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header((header::ETAG, ETAG.as_str()))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"));
    if matches {
        return resp.finish();
    }
    resp.content_type("image/png").body(crate::pages::LOGO_PNG)
}
