//! RSS 2.0 following the RSS Advisory Board profile, with `content:encoded`, `dc:creator`
//! and `atom:link rel="self"`.

use super::{
    FeedDoc, SIGNAL_SCHEME, article_url, content_html, iptc_codes, kill_guid, kill_html, kill_text,
    kill_title, summary_text, topics_of, xml_clean,
};
use crate::config::MEDTOP_SCHEME;
use crate::model::{Article, Revision};
use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::extension::{Extension, ExtensionMap};
use rss::{Category, Channel, Guid, Item};

pub(super) fn render(doc: &FeedDoc<'_>) -> String {
    let cfg = doc.config;
    // RFC 5005 paging relations work in RSS through atom:link too.
    let links = doc
        .links
        .iter()
        .filter(|(rel, _)| matches!(*rel, "self" | "next" | "previous" | "first" | "hub"))
        .map(|(rel, href)| Link {
            href: href.clone(),
            rel: (*rel).into(),
            mime_type: (*rel != "hub").then(|| "application/rss+xml".into()),
            ..Default::default()
        })
        .collect();
    let channel = Channel {
        title: xml_clean(&doc.title()).into_owned(),
        link: format!("{}/", cfg.agency.base_url),
        description: xml_clean(&doc.description()).into_owned(),
        language: Some(doc.language().to_owned()),
        copyright: Some(xml_clean(&cfg.agency.copyright).into_owned()),
        last_build_date: Some(doc.updated().to_rfc2822()),
        generator: Some(concat!("wirefeed ", env!("CARGO_PKG_VERSION")).into()),
        docs: Some("https://www.rssboard.org/rss-specification".into()),
        ttl: Some((cfg.feeds.max_age.div_ceil(60)).max(1).to_string()),
        atom_ext: Some(AtomExtension { links }),
        namespaces: [
            ("dcterms".to_owned(), "http://purl.org/dc/terms/".to_owned()),
            ("media".to_owned(), super::picture::MEDIA_RSS.to_owned()),
        ]
        .into(),
        items: doc
            .articles
            .iter()
            .map(|a| {
                if doc.is_kills() {
                    kill_item(doc, a)
                } else {
                    item(doc, a)
                }
            })
            .collect(),
        ..Default::default()
    };
    channel.to_string()
}

/// A kill notice in the `kills` feed.
fn kill_item(doc: &FeedDoc<'_>, a: &Article) -> Item {
    let cfg = doc.config;
    Item {
        title: Some(kill_title(a)),
        link: Some(article_url(cfg, a.id.as_str())),
        // Readers render <description> as HTML: plain text goes in escaped.
        description: Some(html_text(&kill_text(cfg, a))),
        guid: Some(Guid {
            value: kill_guid(cfg, a),
            permalink: false,
        }),
        pub_date: Some(a.canceled_at.unwrap_or(a.updated_at).to_rfc2822()),
        content: Some(kill_html(cfg, a)),
        ..Default::default()
    }
}

fn item(doc: &FeedDoc<'_>, a: &Article) -> Item {
    let cfg = doc.config;
    let lang = &a.content.language;
    let mut categories: Vec<Category> = topics_of(cfg, a)
        .iter()
        .map(|t| Category {
            name: xml_clean(t.name(lang)).into_owned(),
            domain: Some(format!("{}/feeds/{}.rss", cfg.agency.base_url, t.id)),
        })
        .collect();
    categories.extend(iptc_codes(cfg, a).iter().map(|c| Category {
        name: c.code().to_owned(),
        domain: Some(MEDTOP_SCHEME.to_owned()),
    }));
    // Places: the GeoNames URI in the GeoNames domain (contract §14).
    categories.extend(
        crate::places::countries_of(&a.places)
            .into_iter()
            .map(|c| Category {
                name: c.uri(),
                domain: Some(crate::places::GEONAMES_SCHEME.to_owned()),
            }),
    );
    if a.revision == Revision::Correction {
        categories.push(Category {
            name: "correction".into(),
            domain: Some(SIGNAL_SCHEME.to_owned()),
        });
    }
    // Keywords as categories, not dc:subject: the W3C validator warns on both in one item.
    categories.extend(a.content.keywords.iter().map(|k| Category {
        name: xml_clean(k).into_owned(),
        domain: Some(format!("{}/keywords", cfg.agency.base_url)),
    }));
    let dc = DublinCoreExtension {
        // One dc:creator with every name: readers keep only the first (or the last) of several.
        creators: byline(a).into_iter().collect(),
        languages: vec![lang.clone()],
        coverages: a
            .content
            .dateline
            .iter()
            .map(|d| xml_clean(d).into_owned())
            .collect(),
        // RSS 2.0 has rights for the channel only (`copyright`): an item's own, with its usage
        // terms, goes in dc:rights.
        rights: vec![xml_clean(&super::rights_line(cfg, a)).into_owned()],
        ..Default::default()
    };
    Item {
        title: Some(xml_clean(&a.content.headline).into_owned()),
        link: Some(doc.item_url(a, "")),
        // Readers render <description> as HTML: plain text goes in escaped.
        description: Some(html_text(&summary_text(a))),
        categories,
        guid: Some(Guid {
            value: cfg.guid(a.id.as_str()),
            permalink: false,
        }),
        pub_date: Some(a.published_at.to_rfc2822()),
        content: Some(format!(
            "{}{}",
            super::picture::lead_figure(cfg, &a.pictures, doc.token_for(a)),
            content_html(a, &cfg.agency.base_url)
        )),
        dublin_core_ext: Some(dc),
        // The lead picture's `web` rendition (RSS allows one enclosure per item).
        enclosure: a.pictures.first().and_then(|s| {
            let r = super::picture::web(&s.picture)?;
            Some(rss::Enclosure {
                url: super::picture::with_token(
                    crate::urls::Urls::of(cfg).rendition(s.picture.id.as_str(), r),
                    doc.token_for(a),
                ),
                length: r.bytes.to_string(),
                mime_type: r.media_type.clone(),
            })
        }),
        // When the item last changed (a correction): date-keyed readers such as Superdesk's
        // RSS ingest and feedparser's `updated` see it move.
        extensions: {
            let mut map = modified(a);
            // Developing stories, then related stories (contract §15): atom:link rel="related"
            // in the item, as Atom has.
            let mut takes: Vec<Extension> = super::take_links(a)
                .into_iter()
                .map(|(rel, t)| Extension {
                    name: "atom:link".into(),
                    attrs: [
                        ("rel".to_owned(), "related".to_owned()),
                        ("type".to_owned(), "text/html".to_owned()),
                        ("href".to_owned(), super::article_url(cfg, t.id.as_str())),
                        ("title".to_owned(), super::take_title(rel, t)),
                    ]
                    .into(),
                    ..Default::default()
                })
                .collect();
            takes.extend(a.related.iter().map(|r| {
                Extension {
                    name: "atom:link".into(),
                    attrs: [
                        ("rel".to_owned(), "related".to_owned()),
                        ("type".to_owned(), "text/html".to_owned()),
                        ("hreflang".to_owned(), r.language.clone()),
                        ("href".to_owned(), super::article_url(cfg, r.id.as_str())),
                        ("title".to_owned(), xml_clean(&r.headline).into_owned()),
                    ]
                    .into(),
                    ..Default::default()
                }
            }));
            if !takes.is_empty() {
                map.entry("atom".into())
                    .or_default()
                    .insert("link".into(), takes);
            }
            let media = super::picture::media_rss(cfg, &a.pictures, doc.token_for(a));
            if !media.is_empty() {
                map.entry("media".into())
                    .or_default()
                    .insert("content".into(), media.into_iter().map(rss_ext).collect());
            }
            map
        },
        ..Default::default()
    }
}

/// A Media RSS element in the rss crate's form.
fn rss_ext(e: super::picture::El) -> Extension {
    let mut children: std::collections::BTreeMap<String, Vec<Extension>> = Default::default();
    for c in e.children {
        children
            .entry(c.name.to_owned())
            .or_default()
            .push(rss_ext(c));
    }
    Extension {
        name: e.name.to_owned(),
        value: e.value,
        attrs: e
            .attrs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        children,
    }
}

/// Every name of the byline in one string: "A, B and C" ("A, B y C" in Spanish).
fn byline(a: &Article) -> Option<String> {
    let names: Vec<String> = a
        .content
        .byline
        .iter()
        .map(|b| xml_clean(b).into_owned())
        .collect();
    let and = if crate::model::lang_key(&a.content.language) == "es" {
        "y"
    } else {
        "and"
    };
    match names.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        [rest @ .., last] => Some(format!("{} {and} {last}", rest.join(", "))),
    }
}

/// `dcterms:modified` of an item: its last change.
fn modified(a: &Article) -> ExtensionMap {
    let when = a.updated_at.max(a.published_at);
    let ext = Extension {
        name: "dcterms:modified".into(),
        value: Some(crate::model::rfc3339(when)),
        ..Default::default()
    };
    let mut map = ExtensionMap::default();
    map.entry("dcterms".into())
        .or_default()
        .insert("modified".into(), vec![ext]);
    map
}

/// Plain text for a field readers show as HTML: `<`, `>`, `&` and quotes escaped, so a summary
/// that speaks of `<script>` shows the word instead of running it.
fn html_text(text: &str) -> String {
    // Only `<`, `>` and `&`: `&apos;` is not an HTML 4 entity, and some readers would show it.
    quick_xml::escape::partial_escape(text).into_owned()
}
