//! The front page: the latest stories of each topic in the visitor's language, and a feed
//! builder that makes the URL to paste into a reader.

use super::{Layout, Ui, feed_alternates, story_item};
use crate::config::{Access, Config, Topic};
use crate::model::{Article, Format};
use crate::urls::FeedQuery;
use maud::{PreEscaped, html};

/// The feed builder's choices (from the form's query, or its defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builder {
    /// Feed id.
    pub feed: String,
    /// The format.
    pub format: Format,
    /// The feed's query: `lang=` and a saved search `q=`, if chosen.
    pub query: FeedQuery,
}

impl Builder {
    /// The feed URL these choices make.
    pub fn url(&self, config: &Config) -> String {
        crate::urls::Urls::of(config).feed(&self.feed, self.format, &self.query.canonical())
    }
}

/// What the front page shows.
pub struct IndexPage<'a> {
    /// The chrome's language, which is also the language of the stories shown.
    pub ui: Ui,
    /// Current urgent stories (the `urgent` feed's, of the last [`URGENT_HOURS`]), shown first.
    pub urgent: Vec<Article>,
    /// Each public topic with its latest stories.
    pub sections: Vec<(&'a Topic, Vec<Article>)>,
    /// The builder's current choices.
    pub builder: Builder,
}

/// Progressive enhancement: the URL follows the form as it changes, and a copy button
/// appears. Without JavaScript the form's button shows the URL instead.
pub(super) const BUILDER_JS: &str = r#"(function(){var f=document.getElementById("builder");if(!f)return;var o=document.getElementById("feed-url"),b=document.getElementById("copy");function u(){var p=[],l=f.elements.feed_lang.value,q=f.elements.q.value.trim();if(l)p.push("lang="+encodeURIComponent(l));if(q)p.push("q="+encodeURIComponent(q));o.value=f.dataset.base+"/feeds/"+f.elements.feed.value+"."+f.elements.format.value+(p.length?"?"+p.join("&"):"");}f.addEventListener("input",u);f.addEventListener("change",u);b.hidden=false;b.addEventListener("click",function(){navigator.clipboard.writeText(o.value).then(function(){b.textContent=b.dataset.copied;});});})();"#;

/// How long an urgent story stays at the top of the front page.
pub const URGENT_HOURS: i64 = 24;

/// The front page.
pub fn index_page(config: &Config, page: &IndexPage<'_>) -> String {
    let ui = page.ui;
    let urls = crate::urls::Urls::of(config);
    let head = html! {
        @for f in config.feed_list.iter().filter(|f| f.access == Access::Public) {
            (feed_alternates(config, &f.id, &feed_title(config, ui, f), ""))
        }
    };
    let b = &page.builder;
    let main = html! {
        h1 { (ui.t("latest")) }
        @if !page.urgent.is_empty() {
            section.urgent aria-labelledby="t-urgent" {
                h2 #t-urgent { (ui.t("urgent")) }
                ul.stories {
                    @for a in &page.urgent { (story_item(config, ui, a)) }
                }
                p.feeds {
                    (ui.t("urgent_feed")) ": "
                    a href={ (urls.feed_ext(crate::config::URGENT, "atom", &format!("?lang={}", ui.code()))) } { "Atom" }
                    a href={ (urls.feed_ext(crate::config::URGENT, "rss", &format!("?lang={}", ui.code()))) } { "RSS" }
                    a href={ (urls.feed_ext(crate::config::URGENT, "json", &format!("?lang={}", ui.code()))) } { "JSON Feed" }
                }
            }
        }
        @if config.mail.is_some() {
            p.alerts { a href={ (urls.alerts(&format!("?lang={}", ui.code()))) } { (ui.t("email_alerts")) } }
        }
        @for (topic, stories) in &page.sections {
            section aria-labelledby={ "t-" (topic.id) } {
                h2 #{ "t-" (topic.id) } { (topic.name(ui.code())) }
                @if stories.is_empty() {
                    p { (ui.t("no_stories")) }
                } @else {
                    ul.stories {
                        @for a in stories { (story_item(config, ui, a)) }
                    }
                }
                p.feeds {
                    a href={ (urls.topic(&topic.id, &format!("?lang={}", ui.code()))) } { (ui.t("more_in")) " " (topic.name(ui.code())) }
                    " · "
                    a href={ (urls.feed_ext(&topic.id, "atom", &format!("?lang={}", ui.code()))) } { "Atom" }
                    a href={ (urls.feed_ext(&topic.id, "rss", &format!("?lang={}", ui.code()))) } { "RSS" }
                    a href={ (urls.feed_ext(&topic.id, "json", &format!("?lang={}", ui.code()))) } { "JSON Feed" }
                    @if config.mail.is_some() {
                        " · "
                        a href={ (urls.alerts(&format!("?topics={}&lang={}", topic.id, ui.code()))) } { (ui.t("email_alerts")) }
                    }
                }
            }
        }
        section aria-labelledby="builder-title" {
            h2 #builder-title { (ui.t("builder")) }
            p { (ui.t("builder_help")) }
            form.builder #builder method="get" action=(urls.index("")) data-base=(urls.base()) {
                input type="hidden" name="lang" value=(ui.code());
                div {
                    label for="b-feed" { (ui.t("feed")) }
                    select #b-feed name="feed" {
                        @for f in &config.feed_list {
                            option value=(f.id) selected[f.id == b.feed] {
                                (feed_title(config, ui, f))
                                @if f.access == Access::Subscribers { " (" (ui.t("subscribers")) ")" }
                            }
                        }
                    }
                }
                div {
                    label for="b-lang" { (ui.t("language")) }
                    select #b-lang name="feed_lang" {
                        option value="" selected[b.query.lang.is_none()] { (ui.t("any_language")) }
                        @for l in Ui::ALL {
                            option value=(l.code()) selected[b.query.lang.as_deref() == Some(l.code())] { (ui.language_name(l.code())) }
                        }
                    }
                }
                div {
                    label for="b-format" { (ui.t("format")) }
                    select #b-format name="format" {
                        @for (f, name) in [(Format::Atom, "Atom 1.0"), (Format::Rss, "RSS 2.0"), (Format::JsonFeed, "JSON Feed 1.1"), (Format::NewsMl, "IPTC NewsML-G2")] {
                            option value=(f.extension()) selected[f == b.format] { (name) }
                        }
                    }
                }
                div {
                    label for="b-q" { (ui.t("search_optional")) }
                    input #b-q type="search" name="q" value=(b.query.q.as_ref().map(|q| q.canonical()).unwrap_or_default());
                }
                button type="submit" { (ui.t("show_url")) }
                div.url {
                    label for="feed-url" { (ui.t("feed_url")) }
                    output #feed-url for="b-feed b-lang b-format b-q" { (b.url(config)) }
                    button #copy type="button" hidden data-copied=(ui.t("copied")) { (ui.t("copy")) }
                }
            }
            script { (PreEscaped(BUILDER_JS)) }
        }
    };
    let switch = Ui::ALL
        .into_iter()
        .filter(|&l| l != ui)
        .map(|l| (l, urls.index(&format!("?lang={}", l.code()))))
        .collect();
    Layout {
        config,
        ui,
        title: ui.t("latest"),
        head,
        switch,
    }
    .render(main)
}

/// A feed's name in the page's language: its topic's name when it is one topic's feed.
pub(crate) fn feed_title(config: &Config, ui: Ui, f: &crate::config::FeedDef) -> String {
    match &f.kind {
        crate::config::FeedKind::All => ui.t("all_feed").to_owned(),
        crate::config::FeedKind::Kills => ui.t("kills_feed").to_owned(),
        crate::config::FeedKind::Topics(_) if f.id == crate::config::URGENT => {
            ui.t("urgent_feed").to_owned()
        }
        crate::config::FeedKind::Topics(ts) if ts.len() == 1 && ts[0] == f.id => config
            .topic(&ts[0])
            .map_or_else(|| f.title.clone(), |t| t.name(ui.code()).to_owned()),
        _ => f.title.clone(),
    }
}
