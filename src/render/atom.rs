//! Atom 1.0 (RFC 4287): `tag:` ids, `xml:lang` on entry text, IPTC categories, `rel="self"`.

use super::{FeedDoc, article_url, body_html, iptc_codes, summary_text, topics_of, xml_clean};
use crate::config::MEDTOP_SCHEME;
use crate::model::Article;
use atom_syndication::{Category, Content, Entry, Feed, Generator, Link, Person, Text};
use chrono::FixedOffset;

fn link(href: String, rel: &str, mime: &str, hreflang: Option<&str>) -> Link {
    Link {
        href,
        rel: rel.into(),
        mime_type: Some(mime.into()),
        hreflang: hreflang.map(str::to_owned),
        ..Default::default()
    }
}

fn text(value: &str, lang: &str) -> Text {
    let mut t = Text::plain(xml_clean(value));
    t.lang = Some(lang.to_owned());
    t
}

pub(super) fn render(doc: &FeedDoc<'_>) -> String {
    let cfg = doc.config;
    // RFC 5005 §3: paged feeds carry first, next and previous links.
    let mut links: Vec<Link> = doc
        .links
        .iter()
        .map(|(rel, href)| link(href.clone(), rel, "application/atom+xml", None))
        .collect();
    links.push(link(
        format!("{}/", cfg.agency.base_url),
        "alternate",
        "text/html",
        None,
    ));
    let id = match doc.lang {
        Some(l) => format!("tag:{}:feed:{}:{l}", cfg.agency.tag_authority, doc.feed.id),
        None => format!("tag:{}:feed:{}", cfg.agency.tag_authority, doc.feed.id),
    };
    let feed = Feed {
        title: Text::plain(xml_clean(&doc.title())),
        id,
        updated: doc
            .updated()
            .with_timezone(&FixedOffset::east_opt(0).expect("zero offset")),
        authors: vec![Person {
            name: xml_clean(&cfg.agency.name).into_owned(),
            uri: Some(format!("{}/", cfg.agency.base_url)),
            ..Default::default()
        }],
        generator: Some(Generator {
            value: "wirefeed".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
            ..Default::default()
        }),
        links,
        rights: Some(Text::plain(xml_clean(&cfg.agency.copyright))),
        entries: doc.articles.iter().map(|a| entry(doc, a)).collect(),
        lang: Some(doc.language().to_owned()),
        ..Default::default()
    };
    feed.to_string()
}

fn entry(doc: &FeedDoc<'_>, a: &Article) -> Entry {
    let cfg = doc.config;
    let lang = a.content.language.as_str();
    let utc = FixedOffset::east_opt(0).expect("zero offset");
    let mut links = vec![link(
        article_url(cfg, a.id.as_str()),
        "alternate",
        "text/html",
        Some(lang),
    )];
    // RFC 4287 §4.1.1: no two alternate links with the same type and hreflang.
    let mut langs = vec![lang.to_owned()];
    for (id, tlang) in &a.translations {
        if langs.contains(tlang) {
            continue;
        }
        langs.push(tlang.clone());
        links.push(link(
            article_url(cfg, id.as_str()),
            "alternate",
            "text/html",
            Some(tlang),
        ));
    }
    let mut categories: Vec<Category> = iptc_codes(cfg, a)
        .iter()
        .map(|c| Category {
            term: c.code().to_owned(),
            scheme: Some(MEDTOP_SCHEME.to_owned()),
            label: Some(
                xml_clean(if lang.starts_with("es") {
                    c.es.as_deref().unwrap_or(&c.en)
                } else {
                    &c.en
                })
                .into_owned(),
            ),
        })
        .collect();
    categories.extend(topics_of(cfg, a).iter().map(|t| Category {
        term: t.id.clone(),
        scheme: Some(format!("{}/feeds/", cfg.agency.base_url)),
        label: Some(xml_clean(t.name(lang)).into_owned()),
    }));
    Entry {
        title: text(&a.content.headline, lang),
        id: cfg.guid(a.id.as_str()),
        updated: a.updated_at.with_timezone(&utc),
        published: Some(a.published_at.with_timezone(&utc)),
        authors: a
            .content
            .byline
            .iter()
            .map(|b| Person {
                name: xml_clean(b).into_owned(),
                ..Default::default()
            })
            .collect(),
        categories,
        links,
        summary: Some(text(&summary_text(a), lang)),
        content: Some(Content {
            lang: Some(lang.to_owned()),
            value: Some(body_html(&a.content.body, &cfg.agency.base_url)),
            content_type: Some("html".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}
