//! A topic's page and a country's page: their stories, newest first, paged like their feeds,
//! with their feed links.

use super::{Layout, Ui, feed_alternates, story_item};
use crate::config::{Config, Topic};
use crate::model::Article;
use maud::html;

/// What a topic or country page shows.
pub struct TopicView<'a> {
    /// The chrome's language, and the language of the stories.
    pub ui: Ui,
    /// The topic.
    pub topic: &'a Topic,
    /// This page's stories.
    pub articles: &'a [Article],
    /// The query (from `?`) of the next (older) page, if any.
    pub next: Option<String>,
    /// The query of the previous (newer) page, if any.
    pub previous: Option<String>,
}

/// The topic page.
pub fn topic_page(config: &Config, v: &TopicView<'_>) -> String {
    let urls = crate::urls::Urls::of(config);
    let lang_q = format!("?lang={}", v.ui.code());
    stories_page(
        config,
        &Stories {
            ui: v.ui,
            title: v.topic.name(v.ui.code()),
            page_url: urls.topic(&v.topic.id, ""),
            feed: &v.topic.id,
            feed_query: lang_q,
            feeds_label: "feeds_of",
            alerts_filter: format!("topics={}", v.topic.id),
            articles: v.articles,
            next: v.next.as_deref(),
            previous: v.previous.as_deref(),
        },
    )
}

/// A page of stories with its feed links.
pub(super) struct Stories<'a> {
    pub ui: Ui,
    pub title: &'a str,
    /// The page's own URL, without a query.
    pub page_url: String,
    /// The feed whose formats the page links to, and that feed's query (`?…`).
    pub feed: &'a str,
    pub feed_query: String,
    /// The label of the feed links' heading.
    pub feeds_label: &'static str,
    /// The email alert form's filter for this page (`topics=security`, `countries=MX`).
    pub alerts_filter: String,
    pub articles: &'a [Article],
    pub next: Option<&'a str>,
    pub previous: Option<&'a str>,
}

pub(super) fn stories_page(config: &Config, v: &Stories<'_>) -> String {
    let ui = v.ui;
    let urls = crate::urls::Urls::of(config);
    let (page_url, name) = (&v.page_url, v.title);
    let head = feed_alternates(config, v.feed, name, &v.feed_query);
    let main = html! {
        h1 { (name) }
        @if v.articles.is_empty() {
            p { (ui.t("no_stories")) }
        } @else {
            ul.stories {
                @for a in v.articles { (story_item(config, ui, a)) }
            }
        }
        @if v.next.is_some() || v.previous.is_some() {
            nav.paging aria-label=(ui.t("sections")) {
                @if let Some(p) = &v.previous { a rel="prev" href={ (page_url) (p) } { "← " (ui.t("newer")) } } @else { span {} }
                @if let Some(n) = &v.next { a rel="next" href={ (page_url) (n) } { (ui.t("older")) " →" } }
            }
        }
        section aria-labelledby="feeds-title" {
            h2 #feeds-title { (ui.t(v.feeds_label)) }
            p.feeds {
                @for (ext, label) in [("atom", "Atom"), ("rss", "RSS"), ("json", "JSON Feed"), ("xml", "NewsML-G2")] {
                    a href={ (urls.feed_ext(v.feed, ext, &v.feed_query)) } { (label) }
                }
            }
            @if config.mail.is_some() {
                p.alerts {
                    a href={ (urls.alerts(&format!("?{}&lang={}", v.alerts_filter, ui.code()))) } { (ui.t("email_alerts")) }
                }
            }
        }
    };
    let switch = Ui::ALL
        .into_iter()
        .filter(|&l| l != ui)
        .map(|l| (l, format!("{page_url}?lang={}", l.code())))
        .collect();
    Layout {
        config,
        ui,
        title: name,
        head,
        switch,
    }
    .render(main)
}
