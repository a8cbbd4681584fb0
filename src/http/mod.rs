//! The actix-web app: routes, handlers, conditional GET, problem+json. The only module that uses `actix_web`.

mod alerts;
mod api;
mod auth;
mod client;
mod conditional;
mod documents;
mod gate;
mod media;
mod observe;
mod ops;
mod pages;
mod problem;
mod send_file;
mod site;
mod websub;

pub use problem::Problem;

use crate::app::App as Context;
use crate::urls::pattern;
use actix_web::dev::Server;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{App, HttpServer, guard, web};
use std::net::TcpListener;
use std::sync::Arc;

/// How long requests in flight get to finish once a graceful shutdown begins.
pub const IN_FLIGHT_GRACE: std::time::Duration = std::time::Duration::from_secs(6);

/// Binds the listener first, so callers (and tests, with port 0) know the address before serving.
pub fn listen(addr: &str) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr)
}

/// Builds the server on a bound listener; await it (or spawn it) to serve.
pub fn server(listener: TcpListener, app: Arc<Context>) -> std::io::Result<Server> {
    let workers = app.config.workers;
    let policy = web::Data::new(conditional::CachePolicy::new(&app.config));
    let app = web::Data::from(app);
    let get = || web::route().guard(guard::Any(guard::Get()).or(guard::Head()));
    // W3C TDMRep on every response while mining is reserved (contract §15).
    let tdm = crate::render::tdm_headers(&app.config);
    let server = HttpServer::new(move || {
        // Every answer: no MIME sniffing; a page opened with ?token= sends no Referer to another
        // site (its links and a story's images); and TDMRep while mining is reserved.
        let mut defaults = vec![
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            ),
        ];
        for (name, value) in &tdm {
            if let Ok(value) = HeaderValue::from_str(value) {
                defaults.push((HeaderName::from_static(name), value));
            }
        }
        let defaults: observe::Defaults = defaults.into();
        App::new()
            .app_data(app.clone())
            .app_data(policy.clone())
            .wrap(actix_web::middleware::from_fn(gate::gate))
            .wrap(actix_web::middleware::from_fn(move |req, next| {
                observe::observe(req, next, defaults.clone())
            }))
            // The busiest URLs first: actix tries routes in order and each pattern with a
            // `{segment}` costs a regex attempt. Their prefixes (/feeds/, /media/{id}/,
            // /articles/) match nothing else in this map, so the order changes no answer.
            .route(pattern::FEED, get().to(documents::feed))
            .route(pattern::RENDITION, get().to(media::rendition))
            .route(pattern::ARTICLE, get().to(documents::article))
            .route(pattern::INDEX, get().to(pages::index))
            .route(pattern::TOPIC, get().to(pages::topic))
            .route(pattern::COUNTRY, get().to(pages::country))
            .route(pattern::SEARCH, get().to(pages::search))
            .route(pattern::OPML, get().to(pages::opml))
            .route(pattern::HEALTHZ, get().to(ops::healthz))
            .route(pattern::READYZ, get().to(ops::readyz))
            .route(pattern::METRICS, get().to(ops::metrics))
            .route(pattern::TDMREP, get().to(ops::tdmrep))
            .route(pattern::SITEMAP, get().to(site::sitemap))
            .route(pattern::SITEMAP_NEWS, get().to(site::sitemap))
            .route(pattern::SITEMAP_DAY, get().to(site::sitemap))
            .route(pattern::ROBOTS, get().to(site::robots))
            .route(pattern::LOGO, get().to(site::logo))
            .service(
                web::resource(pattern::WEBSUB)
                    .route(web::post().to(websub::subscribe))
                    .default_service(web::to(ops::not_allowed("POST"))),
            )
            .route(pattern::MEDIA_DOC, get().to(media::document))
            .service(
                web::resource(pattern::API_MEDIA)
                    .route(web::post().to(media::upload))
                    .default_service(web::to(ops::not_allowed("POST"))),
            )
            .service(
                web::resource(pattern::API_PICTURE)
                    .route(get().to(media::read))
                    .route(web::put().to(media::replace))
                    .route(web::delete().to(media::kill))
                    .default_service(web::to(ops::not_allowed("GET, HEAD, PUT, DELETE"))),
            )
            .service(
                web::resource(pattern::API_OPENAPI)
                    .route(get().to(api::openapi))
                    .default_service(web::to(ops::not_allowed("GET, HEAD"))),
            )
            .service(
                web::resource(pattern::API_SUBSCRIBERS)
                    .route(get().to(api::subscribers))
                    .default_service(web::to(ops::not_allowed("GET, HEAD"))),
            )
            .service(
                web::resource(pattern::API_ARTICLES)
                    .route(get().to(api::list))
                    .route(web::post().to(api::create))
                    .default_service(web::to(ops::not_allowed("GET, HEAD, POST"))),
            )
            .service(
                web::resource(pattern::API_ARTICLE)
                    .route(get().to(api::read))
                    .route(web::put().to(api::replace))
                    .route(web::delete().to(api::kill))
                    .default_service(web::to(ops::not_allowed("GET, HEAD, PUT, DELETE"))),
            )
            .service(
                web::resource(pattern::API_VERSIONS)
                    .route(get().to(api::versions))
                    .default_service(web::to(ops::not_allowed("GET, HEAD"))),
            )
            .service(
                web::resource(pattern::ALERTS)
                    .route(get().to(alerts::form))
                    .route(web::post().to(alerts::subscribe))
                    .default_service(web::to(ops::not_allowed("GET, HEAD, POST"))),
            )
            .service(
                web::resource(pattern::ALERTS_CONFIRM)
                    .route(get().to(alerts::confirm))
                    .default_service(web::to(ops::not_allowed("GET, HEAD"))),
            )
            .service(
                web::resource(pattern::ALERTS_MANAGE)
                    .route(get().to(alerts::manage))
                    .route(web::post().to(alerts::manage_post))
                    .default_service(web::to(ops::not_allowed("GET, HEAD, POST"))),
            )
            .service(
                web::resource(pattern::ALERTS_UNSUBSCRIBE)
                    .route(get().to(alerts::unsubscribe_page))
                    .route(web::post().to(alerts::unsubscribe))
                    .default_service(web::to(ops::not_allowed("GET, HEAD, POST"))),
            )
            .default_service(web::to(ops::not_found))
    })
    .workers(workers)
    // A plain TCP connection keeps its socket for sending renditions with sendfile(2).
    .on_connect(send_file::on_connect)
    // Blocking work is database reads and rendering, bounded by the store's connections anyway;
    // fewer threads also means fewer malloc arenas holding on to freed memory.
    .worker_max_blocking_threads(4)
    // `wirefeed serve` handles SIGTERM and SIGINT itself, both gracefully (actix would stop at
    // once on SIGINT), and gives requests in flight this long.
    .disable_signals()
    .shutdown_timeout(IN_FLIGHT_GRACE.as_secs())
    .listen(listener)?
    .run();
    Ok(server)
}
