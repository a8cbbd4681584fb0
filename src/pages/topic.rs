//! A topic's page: its stories, newest first, paged like its feeds, with its feed links.

use super::{Layout, Ui, feed_alternates, story_item};
use crate::config::{Config, Topic};
use crate::model::Article;
use maud::html;

/// What a topic page shows.
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
    let ui = v.ui;
    let urls = crate::urls::Urls::of(config);
    let name = v.topic.name(ui.code());
    let page_url = urls.topic(&v.topic.id, "");
    let lang_q = format!("?lang={}", ui.code());
    let head = feed_alternates(config, &v.topic.id, name, &lang_q);
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
            h2 #feeds-title { (ui.t("feeds_of")) }
            p.feeds {
                @for (ext, label) in [("atom", "Atom"), ("rss", "RSS"), ("json", "JSON Feed"), ("xml", "NewsML-G2")] {
                    a href={ (urls.feed_ext(&v.topic.id, ext, &lang_q)) } { (label) }
                }
            }
            @if config.mail.is_some() {
                p.alerts {
                    a href={ (urls.alerts(&format!("?topics={}&lang={}", v.topic.id, ui.code()))) } { (ui.t("email_alerts")) }
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
