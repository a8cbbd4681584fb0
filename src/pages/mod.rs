//! Pages people read (docs/api.md, Pages, search and discovery): the front page, topic pages, article pages and kill
//! notices, search. Templates are maud: compiled into the binary, checked by the compiler, and
//! escaping every interpolated value unless it is explicitly marked as already HTML.
//!
//! Pages need no JavaScript to read, load nothing from elsewhere (no fonts, no CDNs), follow
//! `prefers-color-scheme`, fit a 375 px phone and print cleanly.

mod article;
mod country;
mod index;
mod labels;
mod search;
mod structured;
mod topic;

pub use article::{article_page, kill_page};
pub use country::{CountryView, country_page};
pub use index::{Builder, IndexPage, URGENT_HOURS, index_page};
pub use labels::Ui;
pub use search::{SearchView, search_page};
pub use structured::{LOGO_PNG, LOGO_SIZE, news_article, script_json};
pub use topic::{TopicView, topic_page};

use crate::config::Config;
use crate::model::Article;
use chrono::{DateTime, FixedOffset, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};

const STYLE: &str = include_str!("style.css");

/// The Content-Security-Policy of every page: our inline style sheet and the feed builder's
/// script by their SHA-256 (nothing else may run), images from anywhere over https (a story's
/// body may show one), forms only to us, no framing, no `<base>`.
pub fn content_security_policy() -> &'static str {
    static CSP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "default-src 'none'; style-src '{}'; script-src '{}'; img-src 'self' https: data:; \
             form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            sha256_source(STYLE),
            sha256_source(index::BUILDER_JS)
        )
    });
    &CSP
}

/// A CSP hash source (`sha256-…`) of an inline element's exact text.
fn sha256_source(text: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The whole page around `main`: header with the agency and its navigation, the language
/// switch, and the footer. `alternates` are `<link>` elements for the head (feeds, formats).
pub(crate) struct Layout<'a> {
    pub config: &'a Config,
    pub ui: Ui,
    pub title: &'a str,
    pub head: Markup,
    /// The same page in the other languages: (lang, URL).
    pub switch: Vec<(Ui, String)>,
}

impl Layout<'_> {
    pub(crate) fn render(&self, main: Markup) -> String {
        let urls = crate::urls::Urls::of(self.config);
        let ui = self.ui;
        html! {
            (DOCTYPE)
            html lang=(ui.code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta name="color-scheme" content="light dark";
                    // W3C TDMRep: text and data mining reserved (contract §15).
                    @if self.config.agency.reserves_mining() {
                        meta name="tdm-reservation" content="1";
                        @if let Some(p) = &self.config.agency.tdm_policy {
                            meta name="tdm-policy" content=(p);
                        }
                    }
                    title { (self.title) " · " (self.config.agency.name) }
                    style { (PreEscaped(STYLE)) }
                    link rel="alternate" type="text/x-opml" title=(ui.t("opml")) href={ (urls.opml()) };
                    (self.head)
                }
                body {
                    a.skip href="#main" { (ui.t("skip")) }
                    header.site {
                        p.agency { a href={ (urls.index(&format!("?lang={}", ui.code()))) } { (self.config.agency.name) } }
                        nav aria-label=(ui.t("sections")) {
                            ul {
                                li { a href={ (urls.index(&format!("?lang={}", ui.code()))) } { (ui.t("home")) } }
                                @for t in &self.config.topics {
                                    @if self.config.topic_is_public(&t.id) {
                                        li { a href={ (urls.topic(&t.id, &format!("?lang={}", ui.code()))) } { (t.name(ui.code())) } }
                                    }
                                }
                                li { a href={ (urls.search(&format!("?lang={}", ui.code()))) } { (ui.t("search")) } }
                            }
                        }
                        @if !self.switch.is_empty() {
                            p.switch {
                                @for (other, url) in &self.switch {
                                    a href=(url) hreflang=(other.code()) lang=(other.code()) { (other.t("this_language")) }
                                }
                            }
                        }
                    }
                    main #main { (main) }
                    footer.site {
                        p { (self.config.agency.copyright) }
                        p { a href={ (urls.opml()) } { (ui.t("opml")) } }
                    }
                }
            }
        }
        .into_string()
    }
}

/// An article's publication time in the story's own offset (as its writer gave it), with
/// the machine-readable instant in `datetime`.
pub(crate) fn story_time(ui: Ui, t: DateTime<Utc>, offset: Option<i32>) -> Markup {
    let offset = offset
        .and_then(FixedOffset::east_opt)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    let local = t.with_timezone(&offset);
    html! {
        time datetime=(local.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)) { (ui.date_time(&local)) }
    }
}

/// One line of a story list: headline link, then dateline, time and language.
pub(crate) fn story_item(config: &Config, ui: Ui, a: &Article) -> Markup {
    let url = crate::render::article_url(config, a.id.as_str());
    html! {
        li.story lang=(a.content.language) {
            a.headline href=(url) { (a.content.headline) }
            p.meta {
                @if let Some(d) = &a.content.dateline { span.dateline { (d) } " · " }
                (story_time(ui, a.published_at, a.content.published_offset))
                " · " span.language { (ui.language_name(&a.content.language)) }
            }
            @if let Some(s) = &a.content.summary { p.summary { (s) } }
        }
    }
}

/// `<link rel="alternate">` autodiscovery for one feed in the three reader formats.
pub(crate) fn feed_alternates(config: &Config, feed_id: &str, title: &str, query: &str) -> Markup {
    let urls = crate::urls::Urls::of(config);
    html! {
        @for (ext, mime) in [("atom", "application/atom+xml"), ("rss", "application/rss+xml"), ("json", "application/feed+json")] {
            link rel="alternate" type=(mime) title=(title) href={ (urls.feed_ext(feed_id, ext, query)) };
        }
    }
}
