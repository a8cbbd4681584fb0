//! The one URL map: every resource the server answers, read from a request path
//! ([`Resource::parse`]) and written as a link ([`Urls`]). Routing, the gate, metrics route
//! classes, WebSub topics, every format's links and the pages all go through here, so a URL
//! is spelled in one place.

mod query;

pub use query::{FeedQuery, MAX_COUNTRIES, parse_countries};

use crate::config::Config;
use crate::metrics::Route;
use crate::model::Format;

/// The route patterns the HTTP server registers (actix syntax), one per resource.
pub mod pattern {
    /// The front page.
    pub const INDEX: &str = "/";
    /// A topic's page.
    pub const TOPIC: &str = "/topics/{topic}";
    /// A country's page (contract §14).
    pub const COUNTRY: &str = "/countries/{country}";
    /// Search.
    pub const SEARCH: &str = "/search";
    /// OPML of every public feed.
    pub const OPML: &str = "/feeds.opml";
    /// One feed page in one format.
    pub const FEED: &str = "/feeds/{file}";
    /// One article in one format.
    pub const ARTICLE: &str = "/articles/{file}";
    /// The WebSub hub.
    pub const WEBSUB: &str = "/websub";
    /// Liveness.
    pub const HEALTHZ: &str = "/healthz";
    /// Readiness.
    pub const READYZ: &str = "/readyz";
    /// Prometheus metrics.
    pub const METRICS: &str = "/metrics";
    /// The publishing API's OpenAPI document.
    pub const API_OPENAPI: &str = "/api/v1/openapi.json";
    /// Who is polling.
    pub const API_SUBSCRIBERS: &str = "/api/v1/subscribers";
    /// The article collection.
    pub const API_ARTICLES: &str = "/api/v1/articles";
    /// One article.
    pub const API_ARTICLE: &str = "/api/v1/articles/{id}";
    /// One article's versions.
    pub const API_VERSIONS: &str = "/api/v1/articles/{id}/versions";
    /// A picture's own document (`{id}.json`, `{id}.xml`).
    pub const MEDIA_DOC: &str = "/media/{file}";
    /// One rendition of a picture (`{name}-{tag}.{ext}`).
    pub const RENDITION: &str = "/media/{id}/{file}";
    /// The picture collection (uploads).
    pub const API_MEDIA: &str = "/api/v1/media";
    /// One picture.
    pub const API_PICTURE: &str = "/api/v1/media/{id}";
    /// W3C TDMRep: the site-wide text and data mining reservation.
    pub const TDMREP: &str = "/.well-known/tdmrep.json";
    /// The email alerts form, and subscribing (contract §16).
    pub const ALERTS: &str = "/alerts";
    /// Confirming an alert subscription (double opt-in).
    pub const ALERTS_CONFIRM: &str = "/alerts/confirm";
    /// Changing or ending an alert subscription.
    pub const ALERTS_MANAGE: &str = "/alerts/manage";
    /// One-click unsubscribe (RFC 8058).
    pub const ALERTS_UNSUBSCRIBE: &str = "/alerts/unsubscribe";
    /// The sitemap index (sitemaps.org 0.9).
    pub const SITEMAP: &str = "/sitemap.xml";
    /// The Google News sitemap: public stories of the last two days.
    pub const SITEMAP_NEWS: &str = "/sitemap-news.xml";
    /// One UTC day's archive sitemap (`/sitemap-YYYY-MM-DD.xml`). Sitemaps sit at the root:
    /// a sitemap may only name URLs under its own folder (sitemaps.org, "Sitemap file location").
    pub const SITEMAP_DAY: &str = "/sitemap-{day}.xml";
    /// Rules for crawlers, naming the sitemap.
    pub const ROBOTS: &str = "/robots.txt";
    /// The agency's logo (the publisher logo of the pages' structured data).
    pub const LOGO: &str = "/logo.png";
}

/// Which sitemap a `/sitemap….xml` path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sitemap {
    /// `/sitemap.xml`: the index.
    Index,
    /// `/sitemap-news.xml`.
    News,
    /// `/sitemap-YYYY-MM-DD.xml`: the day starting at this Unix second (UTC).
    Day(i64),
}

impl Sitemap {
    /// The sitemap at `path`, if one could be there (a day sitemap's date must be a real date
    /// written `YYYY-MM-DD`, so each day has one URL).
    pub fn parse(path: &str) -> Option<Sitemap> {
        match path {
            pattern::SITEMAP => Some(Sitemap::Index),
            pattern::SITEMAP_NEWS => Some(Sitemap::News),
            p => {
                let day = p.strip_prefix("/sitemap-")?.strip_suffix(".xml")?;
                Self::day(day)
            }
        }
    }

    /// The day sitemap of `YYYY-MM-DD`.
    pub fn day(day: &str) -> Option<Sitemap> {
        let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
        // Exactly as the index writes it (no `+`, no missing zero).
        (date.format("%Y-%m-%d").to_string() == day).then(|| {
            Sitemap::Day(
                date.and_hms_opt(0, 0, 0)
                    .expect("midnight exists")
                    .and_utc()
                    .timestamp(),
            )
        })
    }
}

/// A rendition file name, `{name}-{tag}.{ext}`, as (name, tag, ext).
pub fn rendition_file(file: &str) -> Option<(&str, &str, &str)> {
    let (stem, ext) = file.rsplit_once('.')?;
    let (name, tag) = stem.rsplit_once('-')?;
    Some((name, tag, ext))
}

const FEEDS: &str = "/feeds/";
const ARTICLES: &str = "/articles/";
const TOPICS: &str = "/topics/";
const COUNTRIES: &str = "/countries/";
const API: &str = "/api/";
const MEDIA: &str = "/media/";

/// The documents an article is served as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleFormat {
    /// `/articles/{id}`: the HTML page.
    Html,
    /// `/articles/{id}.xml`: a NewsML-G2 `newsItem`.
    NewsMl,
    /// `/articles/{id}.json`: IPTC ninjs 2.1.
    Ninjs,
    /// `/articles/{id}.json?ninjs=1.6`: IPTC ninjs 1.6, for 1.x readers.
    Ninjs16,
    /// `/articles/{id}.json?ninjs=3.1`: IPTC ninjs 3.1.
    Ninjs31,
}

impl ArticleFormat {
    /// Splits `/articles/{file}` into the id and the format. An id may itself contain dots,
    /// so `a.b.json` is (`a.b`, ninjs); the caller falls back to [`ArticleFormat::Html`] with
    /// the whole name when no article has the shorter id.
    pub fn split(file: &str) -> (&str, ArticleFormat) {
        match file.rsplit_once('.') {
            Some((id, "xml")) => (id, ArticleFormat::NewsMl),
            Some((id, "json")) => (id, ArticleFormat::Ninjs),
            _ => (file, ArticleFormat::Html),
        }
    }

    /// The ninjs version `?ninjs=` asks for (`1.6`, `2.1`, `3.1`; none is 2.1), or an error naming
    /// the parameter. Only `.json` documents read it.
    pub fn ninjs_version(query: &str) -> Result<ArticleFormat, crate::model::FieldError> {
        let mut asked = form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k == "ninjs");
        let first = asked.next();
        if asked.next().is_some() {
            return Err(crate::model::FieldError::new(
                "ninjs",
                "ninjs is given more than once",
            ));
        }
        match first.as_ref().map(|(_, v)| v.as_ref()) {
            None | Some("2.1") => Ok(ArticleFormat::Ninjs),
            Some("1.6") => Ok(ArticleFormat::Ninjs16),
            Some("3.1") => Ok(ArticleFormat::Ninjs31),
            Some(v) => Err(crate::model::FieldError::new(
                "ninjs",
                format!("ninjs must be 1.6, 2.1 or 3.1, got {v:?}"),
            )),
        }
    }

    /// The file suffix after the id (`""` for the page).
    pub fn suffix(self) -> &'static str {
        match self {
            ArticleFormat::Html => "",
            ArticleFormat::NewsMl => ".xml",
            ArticleFormat::Ninjs | ArticleFormat::Ninjs16 | ArticleFormat::Ninjs31 => ".json",
        }
    }
}

/// Why `/feeds/{file}` names no feed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAFeed {
    /// No `.{format}` at all.
    NoFormat(String),
    /// A suffix that is not a feed format.
    UnknownFormat(String),
}

impl std::fmt::Display for NotAFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotAFeed::NoFormat(file) => write!(
                f,
                "no feed at {file:?}; feed URLs end in .rss, .atom, .xml or .json"
            ),
            NotAFeed::UnknownFormat(ext) => {
                write!(f, "unknown feed format {ext:?}; use rss, atom, xml or json")
            }
        }
    }
}

/// Splits `/feeds/{file}` into the feed id and its format.
pub fn feed_file(file: &str) -> Result<(&str, Format), NotAFeed> {
    let (id, ext) = file
        .rsplit_once('.')
        .ok_or_else(|| NotAFeed::NoFormat(file.to_owned()))?;
    let format =
        Format::from_extension(ext).ok_or_else(|| NotAFeed::UnknownFormat(ext.to_owned()))?;
    Ok((id, format))
}

/// A resource named by a request path (the query is separate: [`FeedQuery`] and friends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// `/`.
    Index,
    /// `/topics/{topic}`.
    Topic(&'a str),
    /// `/countries/{country}`.
    Country(&'a str),
    /// `/search`.
    Search,
    /// `/feeds.opml`.
    Opml,
    /// `/feeds/{feed}.{format}`.
    Feed {
        /// Feed id.
        feed: &'a str,
        /// Format, from the extension.
        format: Format,
    },
    /// `/articles/{file}`: an id, with a format suffix or not (see [`ArticleFormat::split`]).
    Article(&'a str),
    /// `/media/{file}` (a picture's document) or `/media/{id}/{file}` (a rendition).
    Media(&'a str),
    /// `/websub`.
    WebSub,
    /// `/healthz`, `/readyz`, `/metrics`.
    Ops(&'a str),
    /// `/api/…`.
    Api(&'a str),
    /// `/alerts` and its pages (confirm, manage, unsubscribe).
    Alerts(&'a str),
    /// `/sitemap.xml`, `/sitemap-news.xml`, `/sitemap-YYYY-MM-DD.xml`.
    Sitemap(Sitemap),
    /// `/robots.txt` and `/logo.png`: files for crawlers and link previews.
    Site(&'a str),
}

impl<'a> Resource<'a> {
    /// The resource at `path`, if the server has one there (without allocating: this runs
    /// for every request).
    pub fn parse(path: &'a str) -> Option<Resource<'a>> {
        Some(match path {
            "/" => Resource::Index,
            "/search" => Resource::Search,
            "/feeds.opml" => Resource::Opml,
            "/websub" => Resource::WebSub,
            "/healthz" | "/readyz" | "/metrics" => Resource::Ops(path),
            "/alerts" | "/alerts/confirm" | "/alerts/manage" | "/alerts/unsubscribe" => {
                Resource::Alerts(path)
            }
            pattern::ROBOTS | pattern::LOGO => Resource::Site(path),
            p if p.starts_with("/sitemap") => Resource::Sitemap(Sitemap::parse(p)?),
            p => {
                if let Some(file) = p.strip_prefix(FEEDS) {
                    let (feed, format) = feed_file(file).ok()?;
                    Resource::Feed { feed, format }
                } else if let Some(file) = p.strip_prefix(ARTICLES) {
                    Resource::Article(file)
                } else if let Some(rest) = p.strip_prefix(MEDIA) {
                    Resource::Media(rest)
                } else if let Some(topic) = p.strip_prefix(TOPICS) {
                    Resource::Topic(topic)
                } else if let Some(country) = p.strip_prefix(COUNTRIES) {
                    Resource::Country(country)
                } else if p.starts_with(API) {
                    Resource::Api(p)
                } else {
                    return None;
                }
            }
        })
    }

    /// Whether `?token=` may carry a key here (readers that cannot send headers).
    pub fn takes_query_token(&self) -> bool {
        matches!(
            self,
            Resource::Feed { .. } | Resource::Article(_) | Resource::Media(_)
        )
    }
}

/// The metrics route class of a request path: the resource's, and the prefix's for paths
/// under a resource's prefix that name nothing (a 404 under `/feeds/` is still a feed request).
pub fn route_class(path: &str) -> Route {
    match Resource::parse(path) {
        Some(Resource::Feed { .. }) => Route::Feed,
        Some(Resource::Article(_)) => Route::Article,
        Some(Resource::Media(_)) => Route::Media,
        Some(
            Resource::Index
            | Resource::Search
            | Resource::Opml
            | Resource::Topic(_)
            | Resource::Country(_)
            | Resource::Alerts(_)
            | Resource::Sitemap(_)
            | Resource::Site(_),
        ) => Route::Page,
        Some(Resource::Api(_)) => Route::Api,
        Some(Resource::WebSub) => Route::WebSub,
        Some(Resource::Ops(_)) => Route::Ops,
        None if path.starts_with(FEEDS) => Route::Feed,
        None => Route::Other,
    }
}

/// Absolute URLs under the agency's `base_url`.
#[derive(Debug, Clone, Copy)]
pub struct Urls<'a> {
    base: &'a str,
}

impl<'a> Urls<'a> {
    /// The URLs of the site `config` describes.
    pub fn of(config: &'a Config) -> Self {
        Urls {
            base: &config.agency.base_url,
        }
    }

    /// The base URL itself (no trailing slash).
    pub fn base(&self) -> &'a str {
        self.base
    }

    /// The path of `url` if it is one of ours (`None` for another site's).
    pub fn path_of<'u>(&self, url: &'u str) -> Option<&'u str> {
        url.strip_prefix(self.base).filter(|p| p.starts_with('/'))
    }

    /// The front page, with a query string (`""` or `"?…"`).
    pub fn index(&self, query: &str) -> String {
        format!("{}/{query}", self.base)
    }

    /// A feed document, with a query string (`""` or `"?…"`).
    pub fn feed(&self, feed: &str, format: Format, query: &str) -> String {
        format!("{}{FEEDS}{feed}.{}{query}", self.base, format.extension())
    }

    /// A feed document by its extension, with a query string (`""` or `"?…"`); for pages
    /// whose templates iterate over extensions.
    pub fn feed_ext(&self, feed: &str, ext: &str, query: &str) -> String {
        format!("{}{FEEDS}{feed}.{ext}{query}", self.base)
    }

    /// An article's HTML page.
    pub fn article(&self, id: &str) -> String {
        format!("{}{ARTICLES}{id}", self.base)
    }

    /// An article in one of its formats.
    pub fn article_as(&self, id: &str, format: ArticleFormat) -> String {
        format!("{}{ARTICLES}{id}{}", self.base, format.suffix())
    }

    /// A topic's page, with a query string (`""` or `"?…"`).
    pub fn topic(&self, topic: &str, query: &str) -> String {
        format!("{}{TOPICS}{topic}{query}", self.base)
    }

    /// A country's page (`code` in capitals), with a query string (`""` or `"?…"`).
    pub fn country(&self, code: &str, query: &str) -> String {
        format!("{}{COUNTRIES}{code}{query}", self.base)
    }

    /// The search page, with a query string (`""` or `"?…"`).
    pub fn search(&self, query: &str) -> String {
        format!("{}/search{query}", self.base)
    }

    /// The OPML of every public feed.
    pub fn opml(&self) -> String {
        format!("{}/feeds.opml", self.base)
    }

    /// The WebSub hub.
    pub fn websub(&self) -> String {
        format!("{}/websub", self.base)
    }

    /// An article in the publishing API.
    pub fn api_article(&self, id: &str) -> String {
        format!("{}/api/v1/articles/{id}", self.base)
    }

    /// A picture's own document (`json`: ninjs; `xml`: NewsML-G2).
    pub fn picture_doc(&self, id: &str, ext: &str) -> String {
        format!("{}{MEDIA}{id}.{ext}", self.base)
    }

    /// One rendition's bytes: the URL names these exact bytes forever.
    pub fn rendition(&self, id: &str, r: &crate::model::Rendition) -> String {
        format!(
            "{}{MEDIA}{id}/{}-{}.{}",
            self.base,
            r.name,
            r.tag(),
            r.extension()
        )
    }

    /// A picture in the publishing API.
    pub fn api_picture(&self, id: &str) -> String {
        format!("{}/api/v1/media/{id}", self.base)
    }

    /// The email alerts form, with a query string (`""` or `"?…"`) that fills it in.
    pub fn alerts(&self, query: &str) -> String {
        format!("{}{}{query}", self.base, pattern::ALERTS)
    }

    /// An alert page reached by a management token (`pattern::ALERTS_CONFIRM`, `_MANAGE`,
    /// `_UNSUBSCRIBE`); the token is the only thing in its query, never an address.
    pub fn alerts_with_token(&self, page: &str, token: &str) -> String {
        format!("{}{page}?token={token}", self.base)
    }

    /// The sitemap index.
    pub fn sitemap(&self) -> String {
        format!("{}{}", self.base, pattern::SITEMAP)
    }

    /// The Google News sitemap.
    pub fn sitemap_news(&self) -> String {
        format!("{}{}", self.base, pattern::SITEMAP_NEWS)
    }

    /// The archive sitemap of the UTC day starting at `day` (Unix seconds).
    pub fn sitemap_day(&self, day: i64) -> String {
        let date = chrono::DateTime::from_timestamp(day, 0).unwrap_or_default();
        format!("{}/sitemap-{}.xml", self.base, date.format("%Y-%m-%d"))
    }

    /// The agency's logo.
    pub fn logo(&self) -> String {
        format!("{}{}", self.base, pattern::LOGO)
    }

    /// The publishing API's article list, with a query string (`""` or `"?…"`).
    pub fn api_articles(&self, query: &str) -> String {
        format!("{}/api/v1/articles{query}", self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_to_their_resources_and_classes() {
        assert_eq!(
            Resource::parse("/feeds/all.rss"),
            Some(Resource::Feed {
                feed: "all",
                format: Format::Rss
            })
        );
        assert_eq!(Resource::parse("/feeds/all"), None);
        assert_eq!(
            Resource::parse("/articles/a.b.json"),
            Some(Resource::Article("a.b.json"))
        );
        assert!(
            Resource::parse("/feeds/all.atom")
                .unwrap()
                .takes_query_token()
        );
        assert!(!Resource::parse("/search").unwrap().takes_query_token());
        assert_eq!(route_class("/feeds/all.rss"), Route::Feed);
        assert_eq!(route_class("/feeds/all.pdf"), Route::Feed);
        assert_eq!(route_class("/feeds.opml"), Route::Page);
        assert_eq!(route_class("/api/v1/articles/x"), Route::Api);
        assert_eq!(route_class("/topics/security"), Route::Page);
        assert_eq!(route_class("/countries/US"), Route::Page);
        assert_eq!(
            Resource::parse("/countries/US"),
            Some(Resource::Country("US"))
        );
        assert_eq!(route_class("/readyz"), Route::Ops);
        assert_eq!(route_class("/websub"), Route::WebSub);
        assert_eq!(route_class("/alerts/manage"), Route::Page);
        assert_eq!(route_class("/alerts/other"), Route::Other);
        assert_eq!(route_class("/wp-login.php"), Route::Other);
        assert_eq!(
            Resource::parse("/sitemap-news.xml"),
            Some(Resource::Sitemap(Sitemap::News))
        );
        assert_eq!(route_class("/sitemap.xml"), Route::Page);
        assert_eq!(route_class("/robots.txt"), Route::Page);
    }

    #[test]
    fn a_day_sitemap_has_one_url_per_day() {
        let u = Urls {
            base: "https://wire.example",
        };
        let Some(Sitemap::Day(day)) = Sitemap::parse("/sitemap-2026-10-05.xml") else {
            panic!("a day sitemap");
        };
        assert_eq!(day % 86_400, 0);
        assert_eq!(
            u.sitemap_day(day),
            "https://wire.example/sitemap-2026-10-05.xml"
        );
        // The control above parses; each of these names no day.
        for bad in [
            "/sitemap-2026-1-5.xml",
            "/sitemap-2026-02-30.xml",
            "/sitemap-+2026-10-05.xml",
            "/sitemap-2026-10-05.xml.gz",
            "/sitemap-.xml",
            "/sitemaps.xml",
        ] {
            assert_eq!(Sitemap::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn links_are_spelled_once() {
        let u = Urls {
            base: "https://wire.example",
        };
        assert_eq!(
            u.feed("security", Format::Atom, "?lang=es"),
            "https://wire.example/feeds/security.atom?lang=es"
        );
        assert_eq!(
            u.article_as("a-1", ArticleFormat::Ninjs),
            "https://wire.example/articles/a-1.json"
        );
        assert_eq!(
            u.path_of("https://wire.example/feeds/x.rss"),
            Some("/feeds/x.rss")
        );
        assert_eq!(u.path_of("https://wire.example.evil/feeds/x.rss"), None);
        // Every link parses back to the resource it names.
        let url = u.topic("security", "");
        let path = u.path_of(&url).map(Resource::parse);
        assert_eq!(path, Some(Some(Resource::Topic("security"))));
    }
}
