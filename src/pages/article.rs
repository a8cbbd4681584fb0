//! The page of one article, and the kill notice a killed article's page becomes (410).

use super::{Layout, Ui, story_time};
use crate::config::Config;
use crate::model::{Article, Revision};
use crate::render::{article_url, body_html, kill_text, topics_of};
use maud::{Markup, PreEscaped, html};

/// The chrome of an article's page: the article's own language when there is one for it.
fn ui_of(config: &Config, a: &Article) -> Ui {
    Ui::from_tag(&a.content.language)
        .or_else(|| Ui::from_tag(&config.agency.language))
        .unwrap_or(Ui::En)
}

fn switch(config: &Config, a: &Article) -> Vec<(Ui, String)> {
    a.translations
        .iter()
        .filter_map(|(id, lang)| Some((Ui::from_tag(lang)?, article_url(config, id.as_str()))))
        .collect()
}

/// The HTML page of one article: byline, dateline, time in the story's own offset,
/// correction box, deck, body, topics (linking to their pages), translations, other formats.
pub fn article_page(config: &Config, a: &Article, token: Option<&str>) -> String {
    let ui = ui_of(config, a);
    let url = article_url(config, a.id.as_str());
    let base = &config.agency.base_url;
    let head = html! {
        link rel="alternate" type="application/vnd.iptc.g2.newsitem+xml" href={ (url) ".xml" };
        link rel="alternate" type="application/json" href={ (url) ".json" };
        // Canonical, hreflang, Open Graph, Twitter card, JSON-LD (structured.rs).
        (super::structured::head(config, a))
    };
    let main = html! {
        article lang=(a.content.language) {
            @if let Some(slug) = &a.content.slugline {
                p.meta.slugline { (ui.t("slugline")) ": " (slug) }
            }
            h1 { (a.content.headline) }
            // Developing stories (contract §15): the earlier take and the latest one.
            @for (rel, t) in crate::render::take_links(a) {
                p.meta.take {
                    (ui.t(rel.key())) ": "
                    a href=(article_url(config, t.id.as_str())) { (t.headline) }
                    @if t.killed() { " (" (ui.t("take_killed")) ")" }
                }
            }
            p.meta {
                @if !a.content.byline.is_empty() {
                    span.byline { (ui.t("by")) " " (a.content.byline.join(", ")) } " · "
                }
                @if let Some(d) = &a.content.dateline { span.dateline { (d) } " · " }
                (story_time(ui, a.published_at, a.content.published_offset))
            }
            @if a.version > 1 && a.revision != Revision::Minor {
                p.meta {
                    (ui.t("updated")) " " (story_time(ui, a.updated_at, a.content.published_offset))
                    " (" (ui.t("version")) " " (a.version) ")"
                }
            }
            @if a.revision == Revision::Correction {
                p.correction role="note" {
                    strong { (ui.t("correction")) ": " }
                    (a.correction_note.as_deref().unwrap_or(""))
                }
            }
            @if let Some(s) = &a.content.summary { p.deck { (s) } }
            @for s in &a.pictures { (figure(config, ui, s, token)) }
            (PreEscaped(body_html(&a.content.body, base)))
            (facts(config, ui, a, &url))
        }
        (related(config, ui, a))
    };
    Layout {
        config,
        ui,
        title: &a.content.headline,
        head,
        switch: switch(config, a),
    }
    .render(main)
}

/// A picture: `srcset` over its sized renditions so the browser picks, `width`/`height` so the
/// page does not jump as it loads, the alt text, and the caption with its credit.
fn figure(config: &Config, ui: Ui, s: &crate::model::Shown, token: Option<&str>) -> Markup {
    let urls = crate::urls::Urls::of(config);
    let p = &s.picture;
    let url = |r: &crate::model::Rendition| {
        crate::render::with_token(urls.rendition(p.id.as_str(), r), token)
    };
    let sized: Vec<&crate::model::Rendition> = p
        .renditions
        .iter()
        .filter(|r| r.name != "original")
        .collect();
    let srcset = sized
        .iter()
        .map(|r| format!("{} {}w", url(r), r.width))
        .collect::<Vec<_>>()
        .join(", ");
    let src = p.rendition("web").or(sized.first().copied());
    html! {
        @if let Some(r) = src {
            figure {
                img src=(url(r)) srcset=(srcset)
                    sizes="(max-width: 46rem) 100vw, 46rem"
                    width=(r.width) height=(r.height) alt=(s.alt()) loading="lazy";
                figcaption {
                    (s.caption)
                    @if let Some(c) = s.credit() { " " span.credit { "(" (ui.t("photo")) ": " (c) ")" } }
                }
            }
        }
    }
}

/// "Related stories" (contract §15): the most related first, each with its date.
fn related(config: &Config, ui: Ui, a: &Article) -> Markup {
    html! {
        @if !a.related.is_empty() {
            section.related aria-labelledby="related-stories" {
                h2 #related-stories { (ui.t("related")) }
                ul {
                    @for r in &a.related {
                        li lang=(r.language) {
                            a href=(article_url(config, r.id.as_str())) { (r.headline) }
                            " " span.meta { (story_time(ui, r.published_at, None)) }
                        }
                    }
                }
            }
        }
    }
}

fn facts(config: &Config, ui: Ui, a: &Article, url: &str) -> Markup {
    let urls = crate::urls::Urls::of(config);
    let topics = topics_of(config, a);
    html! {
        @if !topics.is_empty() {
            p.meta.topics {
                (ui.t("topics")) ": "
                @for (i, t) in topics.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={ (urls.topic(&t.id, &format!("?lang={}", ui.code()))) } { (t.name(ui.code())) }
                }
            }
        }
        @let places = crate::places::countries_of(&a.places);
        @if !places.is_empty() {
            p.meta.places {
                (ui.t("places")) ": "
                @for (i, c) in places.iter().enumerate() {
                    @if i > 0 { ", " }
                    a lang=(ui.code()) href={ (urls.country(&c.code, &format!("?lang={}", ui.code()))) } { (c.name(ui.code())) }
                }
            }
        }
        @if !a.translations.is_empty() {
            p.meta.translations {
                (ui.t("translations")) ": "
                @for (id, lang) in &a.translations {
                    a hreflang=(lang) href=(article_url(config, id.as_str())) { (ui.language_name(lang)) } " "
                }
            }
        }
        @if let Some(u) = crate::render::usage_terms(config, a) {
            p.meta.usage-terms { (ui.t("usage_terms")) ": " (u) }
        }
        p.meta.formats {
            (ui.t("formats")) ": "
            a href={ (url) ".xml" } { "NewsML-G2" } " · "
            a href={ (url) ".json" } { "ninjs" }
        }
    }
}

/// The page of a killed article, served with 410 Gone: the kill notice, not the story.
pub fn kill_page(config: &Config, a: &Article) -> String {
    let ui = ui_of(config, a);
    let url = article_url(config, a.id.as_str());
    let head = html! {
        meta name="robots" content="noindex";
        link rel="alternate" type="application/vnd.iptc.g2.newsitem+xml" href={ (url) ".xml" };
        link rel="alternate" type="application/json" href={ (url) ".json" };
    };
    let main = html! {
        article lang=(a.content.language) {
            h1 { (ui.t("killed")) }
            div.kill role="alert" {
                p { strong { (crate::render::kill_title(a)) } }
                p { (kill_text(config, a)) }
                @if let Some(r) = &a.kill_reason { p { (ui.t("reason")) ": " (r) } }
            }
            p.meta { (ui.t("killed_help")) }
            p.meta.formats {
                (ui.t("formats")) ": "
                a href={ (url) ".xml" } { "NewsML-G2" } " · "
                a href={ (url) ".json" } { "ninjs" }
            }
        }
    };
    Layout {
        config,
        ui,
        title: &crate::render::kill_title(a),
        head,
        switch: Vec::new(),
    }
    .render(main)
}
