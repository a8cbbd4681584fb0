//! The search page: a form, ranked results, and the saved-search feed of the same query.

use super::{Layout, Ui, feed_alternates, story_item};
use crate::config::Config;
use crate::model::Article;
use maud::html;

/// What a search page shows.
pub struct SearchView<'a> {
    /// The chrome's language.
    pub ui: Ui,
    /// The query as the reader typed it (shown back in the form).
    pub typed: &'a str,
    /// The canonical query, when it could be searched.
    pub query: Option<String>,
    /// The results, best first.
    pub results: &'a [Article],
    /// Page number, from 1.
    pub page: u32,
    /// Whether a next page exists.
    pub more: bool,
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The search page.
pub fn search_page(config: &Config, v: &SearchView<'_>) -> String {
    let ui = v.ui;
    let urls = crate::urls::Urls::of(config);
    let head = match &v.query {
        Some(q) => feed_alternates(config, "all", q, &format!("?q={}", enc(q))),
        None => html! {},
    };
    let page_link = |n: u32| {
        let q = v.query.as_deref().unwrap_or("");
        urls.search(&format!("?lang={}&q={}&page={n}", ui.code(), enc(q)))
    };
    let main = html! {
        h1 { (ui.t("search_title")) }
        form.search role="search" method="get" action=(urls.search("")) {
            input type="hidden" name="lang" value=(ui.code());
            div {
                label for="q" { (ui.t("search_label")) }
                input #q type="search" name="q" value=(v.typed) maxlength="500";
            }
            button type="submit" { (ui.t("search")) }
        }
        @if let Some(q) = &v.query {
            h2 { (ui.t("results_for")) " " q { (q) } }
            @if v.results.is_empty() {
                p { (ui.t("no_results")) }
            } @else {
                ol.stories start=((v.page - 1) * crate::store::SEARCH_PAGE + 1) {
                    @for a in v.results { (story_item(config, ui, a)) }
                }
            }
            @if v.page > 1 || v.more {
                nav.paging aria-label=(ui.t("results_for")) {
                    @if v.page > 1 { a rel="prev" href=(page_link(v.page - 1)) { "← " (ui.t("previous_results")) } } @else { span {} }
                    @if v.more { a rel="next" href=(page_link(v.page + 1)) { (ui.t("next_results")) " →" } }
                }
            }
            p.feeds {
                (ui.t("search_feed")) ": "
                @for (ext, label) in [("atom", "Atom"), ("rss", "RSS"), ("json", "JSON Feed")] {
                    a href={ (urls.feed_ext("all", ext, &format!("?q={}", enc(q)))) } { (label) }
                }
            }
        }
    };
    let switch = Ui::ALL
        .into_iter()
        .filter(|&l| l != ui)
        .map(|l| {
            let q = v
                .query
                .as_deref()
                .map(|q| format!("&q={}", enc(q)))
                .unwrap_or_default();
            (l, urls.search(&format!("?lang={}{q}", l.code())))
        })
        .collect();
    Layout {
        config,
        ui,
        title: ui.t("search_title"),
        head,
        switch,
    }
    .render(main)
}
