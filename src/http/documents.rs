//! Feed and article documents: extract, ask the feed service, answer conditionally.

use super::Problem;
use super::auth::principal_of;
use super::conditional::{negotiate, respond};
use super::observe::{CacheHit, logging_requests};
use crate::app::App;
use crate::feeds::{ArticleFormat, FeedQuery, Representation};
use crate::model::now;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use std::sync::Arc;

/// `GET /feeds/{feed}.{format}`.
pub(super) async fn feed(
    req: HttpRequest,
    file: web::Path<String>,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let file = file.into_inner();
    let (id, format) =
        crate::urls::feed_file(&file).map_err(|e| Problem::not_found(e.to_string()))?;
    let query = FeedQuery::parse_str(req.query_string()).map_err(Problem::bad_request)?;
    let t = now();
    let who = principal_of(&req);
    // Links carry the token only when the key came from the URL (a reader without headers).
    let from_url = req.headers().get(header::AUTHORIZATION).is_none();
    let link_token = query.token.clone().filter(|_| from_url).map(|s| s.0);
    // The common case, a poll of a page already rendered, touches neither database nor renderer.
    let encoding = negotiate(&req);
    let plan = app
        .feeds
        .plan(id, format, &query, &who, link_token.as_deref())?;
    let cached = app.feeds.cached(&plan, t);
    let hit = CacheHit(cached.is_some());
    let rep: Arc<Representation> = match cached {
        Some(rep) if rep.is_encoded(encoding) => rep,
        // Compressing a page the first time is CPU work: it runs off the event loop too.
        Some(rep) => {
            web::block(move || {
                rep.encoded(encoding);
                rep
            })
            .await?
        }
        // A miss renders from the plan made above: the feed is resolved once per request.
        None => {
            let (f, plan) = (app.feeds.clone(), plan.clone());
            web::block(move || {
                let rep = f.render_plan(&plan, &query, t)?;
                rep.encoded(encoding);
                Ok::<_, crate::feeds::FeedError>(rep)
            })
            .await??
        }
    };
    let view = plan.view;
    // Negotiated once, above: the same coding was prepared and is sent.
    let mut resp = respond(&req, &rep, encoding, t.timestamp(), &view);
    if logging_requests() {
        resp.extensions_mut().insert(hit);
    }
    Ok(resp)
}

/// `GET /articles/{id}`, `/articles/{id}.xml`, `/articles/{id}.json`.
pub(super) async fn article(
    req: HttpRequest,
    file: web::Path<String>,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let file = file.into_inner();
    let f = app.feeds.clone();
    let t = now();
    let who = principal_of(&req);
    let ninjs = ArticleFormat::ninjs_version(req.query_string())
        .map_err(|e| Problem::bad_request(vec![e]))?;
    let link_token = link_token(&req, &who);
    let (rep, view) = web::block(move || {
        let token = link_token.as_deref();
        // An id may itself contain dots: try the format suffix first, then the whole name.
        match ArticleFormat::split(&file) {
            (_, ArticleFormat::Html) => f.article(&file, ArticleFormat::Html, &who, t, token),
            (id, ArticleFormat::Ninjs) => match f.article(id, ninjs, &who, t, token) {
                Err(crate::feeds::FeedError::NotFound(_)) => {
                    f.article(&file, ArticleFormat::Html, &who, t, token)
                }
                other => other,
            },
            (id, format) => match f.article(id, format, &who, t, token) {
                Err(crate::feeds::FeedError::NotFound(_)) => {
                    f.article(&file, ArticleFormat::Html, &who, t, token)
                }
                other => other,
            },
        }
    })
    .await??;
    Ok(respond(
        &req,
        &rep,
        negotiate(&req),
        // After the read: it may have waited for the next second (see Feeds::article).
        now().timestamp(),
        &view,
    ))
}

/// The key a request sent as `?token=` (no `Authorization` header), which a restricted document
/// carries into the links it unlocks (its pictures' renditions): a browser cannot send headers
/// for a page's images, nor a reader that fetches the links it finds. The key was checked with
/// the request.
pub(super) fn link_token(req: &HttpRequest, who: &crate::auth::Principal) -> Option<String> {
    (req.headers().get(header::AUTHORIZATION).is_none()
        && matches!(who, crate::auth::Principal::Key(_)))
    .then(|| {
        form_urlencoded::parse(req.query_string().as_bytes())
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
    })
    .flatten()
}
