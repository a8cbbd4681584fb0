//! IPTC NewsML-G2 2.35 (power conformance): a `newsItem` per article, a `newsMessage` per feed.
//!
//! No crate exists for NewsML-G2, so it is written here on quick-xml, element order as the
//! schema demands (itemMeta: itemClass, provider, versionCreated, firstCreated, embargoed,
//! pubStatus, edNote, signal, link; contentMeta: urgency, contentCreated, contentModified,
//! located, creator, then the descriptive elements).

use super::{
    FeedDoc, article_url, body_html, iptc_codes, kill_text, kill_title, summary_text, xml_clean,
};
use crate::config::Config;
use crate::model::rfc3339;
use crate::model::{Article, PubStatus, Revision};
use chrono::{DateTime, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

use super::g2::{CATALOG, NAR};
const XHTML: &str = "http://www.w3.org/1999/xhtml";

type W = Writer<Vec<u8>>;

fn text(w: &mut W, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_clean(value)))?;
    Ok(())
}

fn finish(w: W) -> String {
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    String::from_utf8(bytes).expect("the writer only writes UTF-8")
}

fn new_writer() -> W {
    let mut w = Writer::new_with_indent(Vec::with_capacity(16 * 1024), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .expect("writing to a Vec cannot fail");
    w
}

/// Renders one article as a stand-alone `newsItem` document.
pub fn news_item(config: &Config, a: &Article) -> String {
    let mut w = new_writer();
    write_item(&mut w, config, a, Role::Document).expect("writing to a Vec cannot fail");
    finish(w)
}

pub(super) fn news_message(doc: &FeedDoc<'_>) -> String {
    let cfg = doc.config;
    let mut w = new_writer();
    w.create_element("newsMessage")
        .with_attribute(("xmlns", NAR))
        .write_inner_content(|w| {
            w.create_element("header").write_inner_content(|w| {
                text(w, "sent", &rfc3339(doc.updated()))?;
                w.create_element("catalogRef")
                    .with_attribute(("href", CATALOG))
                    .write_empty()?;
                text(w, "sender", sender(cfg))?;
                text(
                    w,
                    "transmitId",
                    &format!(
                        "tag:{}:msg:{}:{}",
                        cfg.agency.tag_authority,
                        doc.feed.id,
                        doc.updated().timestamp()
                    ),
                )?;
                Ok(())
            })?;
            w.create_element("itemSet").write_inner_content(|w| {
                if doc.articles.is_empty() && doc.tombstones.is_empty() {
                    // The schema requires at least one item: an empty package stands for "no news".
                    return empty_package(w, doc);
                }
                // Killed items stay during the retention window, as `stat:canceled` (docs/api.md, Wire semantics).
                // In `kills` each item is a kill notice: titled and described as one (docs/api.md, Wire semantics).
                let role = if doc.is_kills() {
                    Role::KillNotice
                } else {
                    Role::Item
                };
                for a in doc.articles.iter().chain(doc.tombstones) {
                    write_item(w, cfg, a, role)?;
                }
                // A picture item for each picture the text items link to, once per message.
                let mut seen = std::collections::HashSet::new();
                for a in doc.articles {
                    if a.status == PubStatus::Canceled || role == Role::KillNotice {
                        continue;
                    }
                    for s in &a.pictures {
                        if seen.insert(s.picture.id.as_str()) {
                            super::picture::write_picture_item(
                                w,
                                cfg,
                                &s.picture,
                                false,
                                doc.token_for(a),
                            )?;
                        }
                    }
                }
                Ok(())
            })?;
            Ok(())
        })
        .expect("writing to a Vec cannot fail");
    finish(w)
}

fn empty_package(w: &mut W, doc: &FeedDoc<'_>) -> io::Result<()> {
    let cfg = doc.config;
    let guid = format!("tag:{}:feed:{}", cfg.agency.tag_authority, doc.feed.id);
    w.create_element("packageItem")
        .with_attribute(("guid", guid.as_str()))
        .with_attribute(("version", "1"))
        .with_attribute(("standard", "NewsML-G2"))
        .with_attribute(("standardversion", "2.35"))
        .with_attribute(("conformance", "power"))
        .with_attribute(("xml:lang", doc.language()))
        .write_inner_content(|w| {
            w.create_element("catalogRef")
                .with_attribute(("href", CATALOG))
                .write_empty()?;
            w.create_element("itemMeta").write_inner_content(|w| {
                w.create_element("itemClass")
                    .with_attribute(("qcode", "ninat:composite"))
                    .write_empty()?;
                w.create_element("provider")
                    .with_attribute(("uri", format!("{}/", cfg.agency.base_url).as_str()))
                    .write_inner_content(|w| text(w, "name", &cfg.agency.name))?;
                text(w, "versionCreated", &rfc3339(doc.updated()))?;
                w.create_element("pubStatus")
                    .with_attribute(("qcode", "stat:usable"))
                    .write_empty()?;
                text(w, "title", &format!("{} (no items)", doc.title()))
            })?;
            w.create_element("groupSet")
                .with_attribute(("root", "G1"))
                .write_inner_content(|w| {
                    w.create_element("group")
                        .with_attribute(("id", "G1"))
                        .write_empty()?;
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}

fn sender(cfg: &Config) -> &str {
    let url = &cfg.agency.base_url;
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split(['/', ':']).next().unwrap_or(rest)
}

/// Where a `newsItem` is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The root of `/articles/{id}.xml`.
    Document,
    /// An item of a feed's `newsMessage`.
    Item,
    /// An item of the `kills` feed: the canceled story as its kill notice.
    KillNotice,
}

fn write_item(w: &mut W, cfg: &Config, a: &Article, role: Role) -> io::Result<()> {
    let root = role == Role::Document;
    // A killed story is carried as its kill notice wherever it still appears (a tombstone in a
    // feed, its own document): a kill stops distribution, so no body or summary goes out.
    let notice = role == Role::KillNotice || a.status == PubStatus::Canceled;
    let lang = a.content.language.as_str();
    let guid = cfg.guid(a.id.as_str());
    super::g2::item_element(w, root, &guid, a.version, lang, |w| {
        w.create_element("rightsInfo").write_inner_content(|w| {
            w.create_element("copyrightHolder")
                .with_attribute(("uri", format!("{}/", cfg.agency.base_url).as_str()))
                .write_inner_content(|w| text(w, "name", &cfg.agency.name))?;
            text(w, "copyrightNotice", &cfg.agency.copyright)?;
            if let Some(u) = super::usage_terms(cfg, a) {
                text(w, "usageTerms", u)?;
            }
            super::g2::data_mining(w, cfg)
        })?;
        item_meta(w, cfg, a, &guid)?;
        content_meta(w, cfg, a, notice)?;
        w.create_element("contentSet").write_inner_content(|w| {
            w.create_element("inlineXML")
                .with_attribute(("contenttype", "application/xhtml+xml"))
                .write_inner_content(|w| {
                    w.create_element("html")
                        .with_attribute(("xmlns", XHTML))
                        .write_inner_content(|w| {
                            if notice {
                                let title = kill_title(a);
                                w.create_element("head")
                                    .write_inner_content(|w| text(w, "title", &title))?;
                                w.create_element("body").write_inner_content(|w| {
                                    text(w, "h1", &title)?;
                                    text(w, "p", &kill_text(cfg, a))
                                })?;
                                return Ok(());
                            }
                            w.create_element("head")
                                .write_inner_content(|w| text(w, "title", &a.content.headline))?;
                            w.create_element("body").write_inner_content(|w| {
                                text(w, "h1", &a.content.headline)?;
                                if let (Revision::Correction, Some(note)) =
                                    (a.revision, &a.correction_note)
                                {
                                    w.create_element("p")
                                        .write_inner_content(|w| text(w, "em", note))?;
                                }
                                let html = body_html(&a.content.body, &cfg.agency.base_url);
                                w.write_event(Event::Text(BytesText::from_escaped(html.trim_end())))
                            })?;
                            Ok(())
                        })?;
                    Ok(())
                })?;
            // The same content as an HTML fragment, an alternative in the same contentSet:
            // receivers that read HTML rather than XHTML (Superdesk's NewsML-G2 ingest keeps
            // only the text before a paragraph's first inline element of the XHTML) take
            // the last alternative and lose nothing.
            w.create_element("inlineData")
                .with_attribute(("contenttype", "text/html"))
                .write_text_content(BytesText::new(&html_alternative(cfg, a, notice)))?;
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

/// The item's content as one HTML fragment: the kill notice, or the correction note and body.
fn html_alternative(cfg: &Config, a: &Article, notice: bool) -> String {
    if notice {
        return super::kill_html(cfg, a);
    }
    let mut html = String::new();
    if let (Revision::Correction, Some(note)) = (a.revision, &a.correction_note) {
        html.push_str(&format!(
            "<p><em>{}</em></p>\n",
            quick_xml::escape::escape(xml_clean(note).as_ref())
        ));
    }
    html.push_str(&body_html(&a.content.body, &cfg.agency.base_url));
    html
}

fn item_meta(w: &mut W, cfg: &Config, a: &Article, guid: &str) -> io::Result<()> {
    let first: DateTime<Utc> = a.published_at;
    let version_created = a.updated_at.max(first);
    w.create_element("itemMeta").write_inner_content(|w| {
        w.create_element("itemClass")
            .with_attribute(("qcode", "ninat:text"))
            .write_empty()?;
        w.create_element("provider")
            .with_attribute(("uri", format!("{}/", cfg.agency.base_url).as_str()))
            .write_inner_content(|w| text(w, "name", &cfg.agency.name))?;
        text(w, "versionCreated", &rfc3339(version_created))?;
        text(w, "firstCreated", &rfc3339(first))?;
        if let Some(e) = a.content.embargo_until {
            text(w, "embargoed", &rfc3339(e))?;
        }
        let stat = match a.status {
            PubStatus::Usable => "stat:usable",
            PubStatus::Withheld => "stat:withheld",
            PubStatus::Canceled => "stat:canceled",
        };
        w.create_element("pubStatus")
            .with_attribute(("qcode", stat))
            .write_empty()?;
        if a.status == PubStatus::Canceled {
            text(w, "edNote", &kill_text(cfg, a))?;
        } else if let Some(note) = &a.correction_note {
            text(w, "edNote", note)?;
        }
        if a.revision == Revision::Correction {
            w.create_element("signal")
                .with_attribute(("qcode", "sig:correction"))
                .write_empty()?;
        }
        if a.version > 1 {
            let prev = (a.version - 1).to_string();
            w.create_element("link")
                .with_attribute(("rel", "irel:previousVersion"))
                .with_attribute(("residref", guid))
                .with_attribute(("version", prev.as_str()))
                .write_empty()?;
        }
        if a.status != PubStatus::Canceled {
            // Each picture the story shows, as its own item (in a feed's newsMessage, and at
            // /media/{id}.xml), the lead picture first.
            for s in &a.pictures {
                let pid = s.picture.id.as_str();
                w.create_element("link")
                    .with_attribute(("rel", "irel:seeAlso"))
                    .with_attribute(("residref", super::picture::picture_guid(cfg, pid).as_str()))
                    .with_attribute((
                        "href",
                        crate::urls::Urls::of(cfg).picture_doc(pid, "xml").as_str(),
                    ))
                    .with_attribute(("title", xml_clean(&s.caption).as_ref()))
                    .with_attribute(("contenttype", "application/vnd.iptc.g2.newsitem+xml"))
                    .write_empty()?;
            }
        }
        for (id, tlang) in &a.translations {
            // The same story in another language, both ways (docs/api.md, Wire semantics "Translations").
            w.create_element("link")
                .with_attribute(("rel", "irel:seeAlso"))
                .with_attribute(("residref", cfg.guid(id.as_str()).as_str()))
                .with_attribute(("href", article_url(cfg, id.as_str()).as_str()))
                .with_attribute(("title", format!("translation ({tlang})").as_str()))
                .with_attribute(("contenttype", "text/html"))
                .write_empty()?;
        }
        // Related stories, the most related first (contract §15).
        for r in &a.related {
            w.create_element("link")
                .with_attribute(("rel", "irel:seeAlso"))
                .with_attribute(("residref", cfg.guid(r.id.as_str()).as_str()))
                .with_attribute(("href", article_url(cfg, r.id.as_str()).as_str()))
                .with_attribute(("title", xml_clean(&r.headline).as_ref()))
                .with_attribute(("contenttype", "text/html"))
                .write_empty()?;
        }
        // Developing stories (contract §15): the earlier take with IPTC's item relation
        // `evolvedFrom`; IPTC has no code for the other way, so the latest take that replaced
        // this one is `seeAlso`, titled as such.
        for (rel, t) in super::take_links(a) {
            let irel = match rel {
                super::TakeRel::Earlier => "irel:evolvedFrom",
                super::TakeRel::Latest => "irel:seeAlso",
            };
            w.create_element("link")
                .with_attribute(("rel", irel))
                .with_attribute(("residref", cfg.guid(t.id.as_str()).as_str()))
                .with_attribute((
                    "href",
                    crate::urls::Urls::of(cfg)
                        .article_as(t.id.as_str(), crate::urls::ArticleFormat::NewsMl)
                        .as_str(),
                ))
                .with_attribute(("title", super::take_title(rel, t).as_str()))
                .with_attribute(("contenttype", "application/vnd.iptc.g2.newsitem+xml"))
                .write_empty()?;
        }
        Ok(())
    })?;
    Ok(())
}

fn content_meta(w: &mut W, cfg: &Config, a: &Article, notice: bool) -> io::Result<()> {
    let lang = a.content.language.as_str();
    w.create_element("contentMeta").write_inner_content(|w| {
        if let Some(u) = a.content.urgency {
            text(w, "urgency", &u.to_string())?;
        }
        text(w, "contentCreated", &rfc3339(a.published_at))?;
        if a.version > 1 && a.updated_at > a.published_at {
            text(w, "contentModified", &rfc3339(a.updated_at))?;
        }
        if let Some(d) = &a.content.dateline {
            w.create_element("located")
                .with_attribute(("type", "cpnat:geoArea"))
                .write_inner_content(|w| text(w, "name", d))?;
        }
        for b in &a.content.byline {
            w.create_element("creator")
                .write_inner_content(|w| text(w, "name", b))?;
        }
        w.create_element("language")
            .with_attribute(("tag", lang))
            .write_empty()?;
        for k in &a.content.keywords {
            text(w, "keyword", k)?;
        }
        let topics = iptc_codes(cfg, a);
        // IPTC Subject Codes beside the Media Topics (IPTC's mapping), for receivers that map
        // only `subj:` codes.
        for s in super::subjectcodes::subject_codes(topics.iter().map(|c| c.code())) {
            w.create_element("subject")
                .with_attribute(("type", "cpnat:abstract"))
                .with_attribute(("qcode", s.qcode.as_str()))
                .write_inner_content(|w| {
                    w.create_element("name")
                        .with_attribute(("xml:lang", "en"))
                        .write_text_content(BytesText::new(&s.name))?;
                    Ok(())
                })?;
        }
        for c in topics {
            w.create_element("subject")
                .with_attribute(("type", "cpnat:abstract"))
                .with_attribute(("qcode", c.qcode.as_str()))
                .write_inner_content(|w| {
                    w.create_element("name")
                        .with_attribute(("xml:lang", "en"))
                        .write_text_content(BytesText::new(&xml_clean(&c.en)))?;
                    if let Some(es) = &c.es {
                        w.create_element("name")
                            .with_attribute(("xml:lang", "es"))
                            .write_text_content(BytesText::new(&xml_clean(es)))?;
                    }
                    Ok(())
                })?;
        }
        // Places: GeoNames qcodes in the `geonames` scheme, which IPTC's catalog (the
        // catalogRef above) declares as http://sws.geonames.org/ (contract §14).
        for c in crate::places::countries_of(&a.places) {
            w.create_element("subject")
                .with_attribute(("type", "cpnat:geoArea"))
                .with_attribute(("qcode", format!("geonames:{}", c.geonameid).as_str()))
                .write_inner_content(|w| {
                    w.create_element("name")
                        .with_attribute(("xml:lang", "en"))
                        .write_text_content(BytesText::new(&xml_clean(&c.name_en)))?;
                    w.create_element("name")
                        .with_attribute(("xml:lang", "es"))
                        .write_text_content(BytesText::new(&xml_clean(&c.name_es)))?;
                    Ok(())
                })?;
        }
        if let Some(slug) = a.content.slugline.as_deref().filter(|_| !notice) {
            text(w, "slugline", slug)?;
        }
        if notice {
            text(w, "headline", &kill_title(a))?;
        } else {
            text(w, "headline", &a.content.headline)?;
        }
        if let Some(d) = &a.content.dateline {
            text(w, "dateline", d)?;
        }
        if !a.content.byline.is_empty() {
            text(w, "by", &a.content.byline.join(", "))?;
        }
        text(w, "creditline", &cfg.agency.name)?;
        w.create_element("description")
            .with_attribute(("role", "drol:summary"))
            .write_text_content(BytesText::new(&if notice {
                kill_text(cfg, a)
            } else {
                summary_text(a)
            }))?;
        Ok(())
    })?;
    Ok(())
}
