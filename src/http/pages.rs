//! Handlers of the pages people read (docs/api.md, Pages, search and discovery): `/`, `/topics/{topic}`, `/search`,
//! `/feeds.opml`. Each picks the page's language, asks the feed service for the document
//! (cached like a feed) off the event loop, and answers it like a feed.

use super::Problem;
use super::auth::principal_of;
use super::conditional::{negotiate, respond};
use crate::app::App;
use crate::feeds::{Entitlement, FeedQuery, Page, Representation};
use crate::model::now;
use crate::model::{FieldErrors, Format};
use crate::pages::{Builder, Ui};
use crate::store::MAX_SEARCH_PAGE;
use crate::store::SearchQuery;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use std::borrow::Cow;
use std::sync::Arc;

fn pairs(req: &HttpRequest) -> Vec<(String, String)> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(k, v): (Cow<'_, str>, Cow<'_, str>)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The page's language: `?lang=` when it names one we have, else the best of
/// `Accept-Language`, else the agency's. The second value says whether the page then depends
/// on `Accept-Language` (it does unless `?lang=` chose).
fn chrome(req: &HttpRequest, app: &App, pairs: &[(String, String)]) -> (Ui, bool) {
    if let Some(ui) = param(pairs, "lang").and_then(Ui::from_tag) {
        return (ui, false);
    }
    let accepted = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Ui::negotiate);
    let ui = accepted
        .or_else(|| Ui::from_tag(&app.config.agency.language))
        .unwrap_or(Ui::En);
    (ui, true)
}

async fn serve(
    req: HttpRequest,
    app: web::Data<App>,
    page: Page,
    ui: Ui,
    negotiated: bool,
) -> Result<HttpResponse, Problem> {
    let t = now();
    let who = principal_of(&req);
    let encoding = negotiate(&req);
    let f = app.feeds.clone();
    let (rep, view): (Arc<Representation>, Entitlement) = web::block(move || {
        let (rep, view) = f.page(&page, ui, negotiated, &who, t)?;
        rep.encoded(encoding);
        Ok::<_, crate::feeds::FeedError>((rep, view))
    })
    .await??;
    Ok(respond(&req, &rep, encoding, t.timestamp(), &view))
}

/// `GET /`: the latest stories by topic, and the feed builder.
pub(super) async fn index(req: HttpRequest, app: web::Data<App>) -> Result<HttpResponse, Problem> {
    let pairs = pairs(&req);
    let (ui, negotiated) = chrome(&req, &app, &pairs);
    // The builder keeps what it can use of its choices and falls back for the rest.
    let feed = param(&pairs, "feed")
        .filter(|id| app.config.feed(id).is_some())
        .unwrap_or("all")
        .to_owned();
    let builder = Builder {
        feed,
        format: param(&pairs, "format")
            .and_then(Format::from_extension)
            .unwrap_or(Format::Atom),
        query: FeedQuery {
            lang: param(&pairs, "feed_lang")
                .and_then(Ui::from_tag)
                .map(|l| l.code().to_owned()),
            q: param(&pairs, "q").and_then(|q| SearchQuery::parse(q).ok()),
            ..FeedQuery::default()
        },
    };
    serve(req, app, Page::Index(builder), ui, negotiated).await
}

/// `GET /topics/{topic}`: the topic's stories in the page's language, paged like its feed.
pub(super) async fn topic(
    req: HttpRequest,
    topic: web::Path<String>,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let pairs = pairs(&req);
    let (ui, negotiated) = chrome(&req, &app, &pairs);
    let mut query = FeedQuery::parse_str(req.query_string()).map_err(Problem::bad_request)?;
    query.lang = Some(ui.code().to_owned());
    query.token = None;
    let page = Page::Topic {
        topic: topic.into_inner(),
        query,
    };
    serve(req, app, page, ui, negotiated).await
}

/// `GET /countries/{cc}`: the stories about a country in the page's language, paged like its
/// feed (`/feeds/all.{format}?country=CC`). A code this server does not know is no page (404).
pub(super) async fn country(
    req: HttpRequest,
    code: web::Path<String>,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let pairs = pairs(&req);
    let (ui, negotiated) = chrome(&req, &app, &pairs);
    let code = code.into_inner().to_ascii_uppercase();
    if !crate::model::known_country(&code) {
        return Err(Problem::not_found(format!(
            "there is no country {code:?}: use an ISO 3166-1 alpha-2 code such as US"
        )));
    }
    let mut query = FeedQuery::parse_str(req.query_string()).map_err(Problem::bad_request)?;
    query.lang = Some(ui.code().to_owned());
    query.countries = vec![code.clone()];
    query.token = None;
    serve(req, app, Page::Country { code, query }, ui, negotiated).await
}

/// `GET /search?q=`: ranked results in every language, with the saved-search feed.
pub(super) async fn search(req: HttpRequest, app: web::Data<App>) -> Result<HttpResponse, Problem> {
    let pairs = pairs(&req);
    let (ui, negotiated) = chrome(&req, &app, &pairs);
    let typed = param(&pairs, "q").unwrap_or("").to_owned();
    let mut errors = FieldErrors::new();
    let query = if typed.trim().is_empty() {
        None
    } else {
        match SearchQuery::parse(&typed) {
            Ok(q) => Some(q),
            Err(e) => {
                errors.add("q", e);
                None
            }
        }
    };
    let page = match param(&pairs, "page") {
        None => 1,
        Some(p) => match p.parse::<u32>() {
            Ok(n @ 1..=MAX_SEARCH_PAGE) => n,
            _ => {
                errors.add(
                    "page",
                    format!("page must be a whole number from 1 to {MAX_SEARCH_PAGE}, got {p:?}"),
                );
                1
            }
        },
    };
    errors.finish(()).map_err(Problem::bad_request)?;
    let page = Page::Search {
        typed: typed.chars().take(crate::store::MAX_QUERY_BYTES).collect(),
        query,
        page,
    };
    serve(req, app, page, ui, negotiated).await
}

/// `GET /feeds.opml`: every public feed, in every language, as RSS and Atom, and the country
/// feeds that have stories.
pub(super) async fn opml(req: HttpRequest, app: web::Data<App>) -> Result<HttpResponse, Problem> {
    let t = now();
    let encoding = negotiate(&req);
    let f = app.feeds.clone();
    // Off the event loop: a render asks the database about each country.
    let rep = web::block(move || {
        let rep = f.opml(t)?;
        rep.encoded(encoding);
        Ok::<_, crate::feeds::FeedError>(rep)
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
