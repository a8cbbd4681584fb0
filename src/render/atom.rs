//! Atom 1.0 (RFC 4287): `tag:` ids, `xml:lang` on entry text, IPTC categories, `rel="self"`.

use super::{
    FeedDoc, SIGNAL_SCHEME, article_url, content_html, iptc_codes, kill_guid, kill_html, kill_text,
    kill_title, summary_text, topics_of, xml_clean,
};
use crate::config::MEDTOP_SCHEME;
use crate::model::rfc3339;
use crate::model::{Article, Revision};
use atom_syndication::extension::{Extension, ExtensionMap};
use atom_syndication::{Category, Content, Entry, Feed, Generator, Link, Person, Text};
use std::collections::BTreeMap;

/// RFC 6721 tombstones.
const TOMBSTONES: &str = "http://purl.org/atompub/tombstones/1.0";
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
        .map(|(rel, href)| match *rel {
            "hub" => Link {
                href: href.clone(),
                rel: "hub".into(),
                ..Default::default()
            },
            _ => link(href.clone(), rel, "application/atom+xml", None),
        })
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
        entries: doc
            .articles
            .iter()
            .map(|a| {
                if doc.is_kills() {
                    kill_entry(doc, a)
                } else {
                    entry(doc, a)
                }
            })
            .collect(),
        lang: Some(doc.language().to_owned()),
        extensions: tombstones(doc),
        namespaces: {
            let mut ns = BTreeMap::new();
            if !doc.tombstones.is_empty() {
                ns.insert("at".to_owned(), TOMBSTONES.to_owned());
            }
            if doc.articles.iter().any(|a| !a.pictures.is_empty()) {
                ns.insert("media".to_owned(), super::picture::MEDIA_RSS.to_owned());
            }
            ns
        },
        ..Default::default()
    };
    feed.to_string()
}

/// `<at:deleted-entry ref="GUID" when="…">` with the kill reason as `at:comment` (RFC 6721 §2).
fn tombstones(doc: &FeedDoc<'_>) -> ExtensionMap {
    if doc.tombstones.is_empty() {
        return ExtensionMap::new();
    }
    let items = doc
        .tombstones
        .iter()
        .map(|a| {
            let mut children = BTreeMap::new();
            children.insert(
                "comment".to_owned(),
                vec![Extension {
                    name: "at:comment".into(),
                    value: Some(kill_text(doc.config, a)),
                    attrs: BTreeMap::from([("xml:lang".to_owned(), a.content.language.clone())]),
                    children: BTreeMap::new(),
                }],
            );
            Extension {
                name: "at:deleted-entry".into(),
                value: None,
                attrs: BTreeMap::from([
                    ("ref".to_owned(), doc.config.guid(a.id.as_str())),
                    (
                        "when".to_owned(),
                        rfc3339(a.canceled_at.unwrap_or(a.updated_at)),
                    ),
                ]),
                children,
            }
        })
        .collect();
    BTreeMap::from([(
        "at".to_owned(),
        BTreeMap::from([("deleted-entry".to_owned(), items)]),
    )])
}

/// A kill notice in the `kills` feed: its own id, the killed story's GUID in the text.
fn kill_entry(doc: &FeedDoc<'_>, a: &Article) -> Entry {
    let cfg = doc.config;
    let lang = a.content.language.as_str();
    let utc = FixedOffset::east_opt(0).expect("zero offset");
    let when = a.canceled_at.unwrap_or(a.updated_at).with_timezone(&utc);
    Entry {
        title: text(&kill_title(a), lang),
        id: kill_guid(cfg, a),
        updated: when,
        published: Some(when),
        links: vec![link(
            article_url(cfg, a.id.as_str()),
            "related",
            "text/html",
            Some(lang),
        )],
        summary: Some(text(&kill_text(cfg, a), lang)),
        content: Some(Content {
            lang: Some(lang.to_owned()),
            value: Some(kill_html(cfg, a)),
            content_type: Some("html".into()),
            ..Default::default()
        }),
        rights: Some(Text::plain(xml_clean(&cfg.agency.copyright))),
        ..Default::default()
    }
}

fn entry(doc: &FeedDoc<'_>, a: &Article) -> Entry {
    let cfg = doc.config;
    let lang = a.content.language.as_str();
    let utc = FixedOffset::east_opt(0).expect("zero offset");
    let mut links = vec![link(
        doc.item_url(a, ""),
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
    // Developing stories (contract §15): the earlier and the latest take, RFC 4287 §4.2.7.2.
    for (rel, t) in super::take_links(a) {
        links.push(Link {
            title: Some(super::take_title(rel, t)),
            ..link(
                article_url(cfg, t.id.as_str()),
                "related",
                "text/html",
                None,
            )
        });
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
    // Places: the GeoNames URI, labelled in the feed's language (contract §14).
    categories.extend(
        crate::places::countries_of(&a.places)
            .into_iter()
            .map(|c| Category {
                term: c.uri(),
                scheme: Some(crate::places::GEONAMES_SCHEME.to_owned()),
                label: Some(xml_clean(c.name(lang)).into_owned()),
            }),
    );
    categories.extend(topics_of(cfg, a).iter().map(|t| Category {
        term: t.id.clone(),
        scheme: Some(format!("{}/feeds/", cfg.agency.base_url)),
        label: Some(xml_clean(t.name(lang)).into_owned()),
    }));
    // Keywords, as RSS and JSON Feed carry them.
    categories.extend(a.content.keywords.iter().map(|k| Category {
        term: xml_clean(k).into_owned(),
        scheme: Some(format!("{}/keywords", cfg.agency.base_url)),
        label: None,
    }));
    if a.revision == Revision::Correction {
        categories.push(Category {
            term: "correction".into(),
            scheme: Some(SIGNAL_SCHEME.into()),
            label: Some(
                if lang.starts_with("es") {
                    "corrección"
                } else {
                    "correction"
                }
                .into(),
            ),
        });
    }
    // RFC 4287 §4.2.7.2: the entry's own document, in the format most readers can act on.
    links.push(link(
        doc.item_url(a, ".xml"),
        "self",
        "application/vnd.iptc.g2.newsitem+xml",
        None,
    ));
    // The pictures: each `web` rendition as an enclosure, with its size (RFC 4287 §4.2.7.2).
    let urls = crate::urls::Urls::of(cfg);
    for s in &a.pictures {
        if let Some(r) = super::picture::web(&s.picture) {
            links.push(Link {
                href: super::picture::with_token(
                    urls.rendition(s.picture.id.as_str(), r),
                    doc.token_for(a),
                ),
                rel: "enclosure".into(),
                mime_type: Some(r.media_type.clone()),
                length: Some(r.bytes.to_string()),
                title: Some(xml_clean(&s.caption).into_owned()),
                ..Default::default()
            });
        }
    }
    // Related stories, the most related first (contract §15; RFC 4287 §4.2.7.2 `related`).
    for r in &a.related {
        links.push(Link {
            href: article_url(cfg, r.id.as_str()),
            rel: "related".into(),
            mime_type: Some("text/html".into()),
            hreflang: Some(r.language.clone()),
            title: Some(xml_clean(&r.headline).into_owned()),
            ..Default::default()
        });
    }
    let media = super::picture::media_rss(cfg, &a.pictures, doc.token_for(a));
    let mut extensions = ExtensionMap::default();
    if !media.is_empty() {
        extensions
            .entry("media".into())
            .or_default()
            .insert("content".into(), media.into_iter().map(atom_ext).collect());
    }
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
            value: Some(format!(
                "{}{}",
                super::picture::lead_figure(cfg, &a.pictures, doc.token_for(a)),
                content_html(a, &cfg.agency.base_url)
            )),
            content_type: Some("html".into()),
            ..Default::default()
        }),
        // The entry's rights replace the feed's for it (RFC 4287 §4.2.10): the copyright and
        // the story's usage terms.
        rights: Some(Text::plain(xml_clean(&super::rights_line(cfg, a)))),
        extensions,
        ..Default::default()
    }
}

/// A Media RSS element in atom_syndication's form.
fn atom_ext(e: super::picture::El) -> Extension {
    let mut children: BTreeMap<String, Vec<Extension>> = BTreeMap::new();
    for c in e.children {
        children
            .entry(c.name.to_owned())
            .or_default()
            .push(atom_ext(c));
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
