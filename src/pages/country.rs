//! A country's page (contract §14): the stories about it in the page's language, paged like
//! its feed (`all?country=CC`), with that feed's links.

use super::Ui;
use super::topic::{Stories, stories_page};
use crate::config::Config;
use crate::model::Article;

/// What a country page shows.
pub struct CountryView<'a> {
    /// The chrome's language, and the language of the stories.
    pub ui: Ui,
    /// ISO 3166-1 alpha-2, capitals.
    pub code: &'a str,
    /// This page's stories.
    pub articles: &'a [Article],
    /// The query (from `?`) of the next (older) page, if any.
    pub next: Option<String>,
    /// The query of the previous (newer) page, if any.
    pub previous: Option<String>,
}

/// The country page.
pub fn country_page(config: &Config, v: &CountryView<'_>) -> String {
    let urls = crate::urls::Urls::of(config);
    let name = crate::places::shipped_table()
        .get(v.code)
        .map_or(v.code, |c| c.name(v.ui.code()));
    stories_page(
        config,
        &Stories {
            ui: v.ui,
            title: name,
            page_url: urls.country(v.code, ""),
            feed: "all",
            feed_query: format!("?lang={}&country={}", v.ui.code(), v.code),
            feeds_label: "feeds_of_country",
            alerts_filter: format!("countries={}", v.code),
            articles: v.articles,
            next: v.next.as_deref(),
            previous: v.previous.as_deref(),
        },
    )
}
