//! JSON Feed 1.1, with wire metadata under the `_wirefeed` extension.
//!
//! Typed documents serialised in one pass, borrowing from the articles: building a
//! `serde_json::Value` tree per item (a map and a copy of every string) made JSON pages the
//! slowest format to render.

use super::{
    FeedDoc, article_url, content_html, iptc_codes, kill_guid, kill_html, kill_text, kill_title,
    summary_text,
};
use crate::model::rfc3339;
use crate::model::{Article, TopicId};
use serde::Serialize;

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: String,
    home_page_url: String,
    feed_url: &'a str,
    description: String,
    language: &'a str,
    authors: [Author<'a>; 1],
    items: Vec<Entry<'a>>,
    #[serde(rename = "_wirefeed")]
    wirefeed: FeedExt<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hubs: Option<[Hub<'a>; 1]>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct FeedExt<'a> {
    feed: &'a str,
    copyright: &'a str,
    /// The agency's usage terms (a story's own are on the item).
    #[serde(skip_serializing_if = "Option::is_none")]
    usage_terms: Option<&'a str>,
    /// The agency's data-mining code (contract §15).
    #[serde(skip_serializing_if = "Option::is_none")]
    data_mining: Option<DataMining>,
}

/// A code of the data-mining vocabulary NewsML-G2 `dataMining` takes (PLUS, as IPTC uses it).
#[derive(Serialize)]
struct DataMining {
    code: &'static str,
    uri: String,
    label: &'static str,
    /// W3C TDMRep: whether text and data mining is reserved.
    tdm_reservation: Option<u8>,
}

fn data_mining(cfg: &crate::config::Config) -> Option<DataMining> {
    cfg.agency.data_mining.map(|d| DataMining {
        code: d.code(),
        uri: d.uri(),
        label: d.label(),
        tdm_reservation: d.tdm_reservation(),
    })
}

#[derive(Serialize)]
struct Hub<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Entry<'a> {
    Story(Box<Item<'a>>),
    Kill(Box<KillItem<'a>>),
}

#[derive(Serialize)]
struct Item<'a> {
    id: String,
    url: String,
    title: &'a str,
    summary: String,
    content_html: String,
    date_published: String,
    date_modified: String,
    language: &'a str,
    tags: Vec<&'a str>,
    /// The lead picture's `web` rendition.
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    /// Every picture's `web` rendition.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment>,
    #[serde(rename = "_wirefeed")]
    wirefeed: ItemExt<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
}

#[derive(Serialize)]
struct ItemExt<'a> {
    id: &'a str,
    version: u32,
    status: &'a str,
    revision: &'a str,
    topics: &'a [TopicId],
    iptc_subjects: Vec<Subject<'a>>,
    dateline: Option<&'a str>,
    urgency: Option<u8>,
    correction_note: Option<&'a str>,
    /// The story's usage terms, else the agency's.
    #[serde(skip_serializing_if = "Option::is_none")]
    usage_terms: Option<&'a str>,
    /// The agency's data-mining code, on each item too (an item travels alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    data_mining: Option<DataMining>,
    translations: Vec<Translation<'a>>,
    /// The story's slugline (contract §15).
    #[serde(skip_serializing_if = "Option::is_none")]
    slugline: Option<&'a str>,
    /// The earlier take this story updates or replaces, as the reader may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    evolved_from: Option<TakeJson<'a>>,
    /// The latest take that replaced this story.
    #[serde(skip_serializing_if = "Option::is_none")]
    latest_take: Option<TakeJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pictures: Vec<Picture<'a>>,
    /// The countries the story is about (contract §14).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    places: Vec<Place<'a>>,
    /// Related stories, the most related first (contract §15).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<RelatedItem<'a>>,
}

#[derive(Serialize)]
struct RelatedItem<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    language: &'a str,
    date_published: String,
}

/// A link to another take of a developing story.
#[derive(Serialize)]
struct TakeJson<'a> {
    id: &'a str,
    url: String,
    headline: &'a str,
    /// `usable` or `canceled` (an earlier take may have been killed).
    status: &'a str,
}

#[derive(Serialize)]
struct Place<'a> {
    code: &'a str,
    geonameid: u32,
    uri: String,
    name: &'a str,
}

#[derive(Serialize)]
struct Attachment {
    url: String,
    mime_type: String,
    title: String,
    size_in_bytes: u64,
}

#[derive(Serialize)]
struct Picture<'a> {
    id: &'a str,
    caption: &'a str,
    alt_text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    credit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    copyright: Option<&'a str>,
    renditions: Vec<PictureRendition<'a>>,
}

#[derive(Serialize)]
struct PictureRendition<'a> {
    name: &'a str,
    url: String,
    mime_type: &'a str,
    width: u32,
    height: u32,
    size_in_bytes: u64,
}

#[derive(Serialize)]
struct Subject<'a> {
    qcode: &'a str,
    uri: String,
    name: &'a str,
}

#[derive(Serialize)]
struct Translation<'a> {
    id: &'a str,
    language: &'a str,
    url: String,
}

#[derive(Serialize)]
struct KillItem<'a> {
    id: String,
    url: String,
    title: String,
    summary: String,
    content_html: String,
    date_published: String,
    date_modified: String,
    language: &'a str,
    #[serde(rename = "_wirefeed")]
    wirefeed: KillExt<'a>,
}

#[derive(Serialize)]
struct KillExt<'a> {
    id: &'a str,
    kill_notice: bool,
    killed_guid: String,
    version: u32,
    status: &'a str,
    reason: Option<&'a str>,
    canceled_at: String,
}

pub(super) fn render(doc: &FeedDoc<'_>) -> String {
    let cfg = doc.config;
    let home = format!("{}/", cfg.agency.base_url);
    let feed = Feed {
        version: "https://jsonfeed.org/version/1.1",
        title: doc.title(),
        home_page_url: home.clone(),
        feed_url: doc.self_url(),
        description: doc.description(),
        language: doc.language(),
        authors: [Author {
            name: &cfg.agency.name,
            url: Some(home),
        }],
        items: doc
            .articles
            .iter()
            .map(|a| {
                if doc.is_kills() {
                    Entry::Kill(Box::new(kill_item(doc, a)))
                } else {
                    Entry::Story(Box::new(item(doc, a)))
                }
            })
            .collect(),
        wirefeed: FeedExt {
            feed: &doc.feed.id,
            copyright: &cfg.agency.copyright,
            usage_terms: cfg.agency.usage_terms.as_deref(),
            data_mining: data_mining(cfg),
        },
        next_url: doc.link("next"),
        hubs: doc.link("hub").map(|url| {
            [Hub {
                kind: "WebSub",
                url,
            }]
        }),
    };
    let mut out = Vec::with_capacity(4096 + doc.articles.len() * 4096);
    serde_json::to_writer_pretty(&mut out, &feed).expect("a feed always serialises");
    out.push(b'\n');
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// A kill notice in the `kills` feed.
fn kill_item<'a>(doc: &FeedDoc<'a>, a: &'a Article) -> KillItem<'a> {
    let cfg = doc.config;
    let when = rfc3339(a.canceled_at.unwrap_or(a.updated_at));
    KillItem {
        id: kill_guid(cfg, a),
        url: article_url(cfg, a.id.as_str()),
        title: kill_title(a),
        summary: kill_text(cfg, a),
        content_html: kill_html(cfg, a),
        date_published: when.clone(),
        date_modified: when.clone(),
        language: &a.content.language,
        wirefeed: KillExt {
            id: a.id.as_str(),
            kill_notice: true,
            killed_guid: cfg.guid(a.id.as_str()),
            version: a.version,
            status: a.status.as_str(),
            reason: a.kill_reason.as_deref(),
            canceled_at: when,
        },
    }
}

fn item<'a>(doc: &FeedDoc<'a>, a: &'a Article) -> Item<'a> {
    let cfg = doc.config;
    let urls = crate::urls::Urls::of(cfg);
    let token = doc.token_for(a);
    let href = |p: &crate::model::Picture, r: &crate::model::Rendition| {
        super::picture::with_token(urls.rendition(p.id.as_str(), r), token)
    };
    let attachments: Vec<Attachment> = a
        .pictures
        .iter()
        .filter_map(|s| {
            let r = super::picture::web(&s.picture)?;
            Some(Attachment {
                url: href(&s.picture, r),
                mime_type: r.media_type.clone(),
                title: s.caption.clone(),
                size_in_bytes: r.bytes,
            })
        })
        .collect();
    Item {
        image: attachments.first().map(|x| x.url.clone()),
        attachments,
        id: cfg.guid(a.id.as_str()),
        url: doc.item_url(a, ""),
        title: &a.content.headline,
        summary: summary_text(a),
        content_html: content_html(a, &cfg.agency.base_url),
        date_published: rfc3339(a.published_at),
        date_modified: rfc3339(a.updated_at),
        language: &a.content.language,
        tags: a
            .topics
            .iter()
            .map(|t| t.as_str())
            .chain(a.content.keywords.iter().map(String::as_str))
            .collect(),
        wirefeed: ItemExt {
            id: a.id.as_str(),
            version: a.version,
            status: a.status.as_str(),
            revision: a.revision.as_str(),
            topics: &a.topics,
            iptc_subjects: iptc_codes(cfg, a)
                .into_iter()
                .map(|c| Subject {
                    qcode: &c.qcode,
                    uri: c.uri(),
                    name: &c.en,
                })
                .collect(),
            places: crate::places::countries_of(&a.places)
                .into_iter()
                .map(|c| Place {
                    code: &c.code,
                    geonameid: c.geonameid,
                    uri: c.uri(),
                    name: c.name(&a.content.language),
                })
                .collect(),
            dateline: a.content.dateline.as_deref(),
            urgency: a.content.urgency,
            correction_note: a.correction_note.as_deref(),
            usage_terms: super::usage_terms(cfg, a),
            data_mining: data_mining(cfg),
            translations: a
                .translations
                .iter()
                .map(|(id, lang)| Translation {
                    id: id.as_str(),
                    language: lang,
                    url: article_url(cfg, id.as_str()),
                })
                .collect(),
            related: a
                .related
                .iter()
                .map(|r| RelatedItem {
                    id: r.id.as_str(),
                    url: article_url(cfg, r.id.as_str()),
                    title: &r.headline,
                    language: &r.language,
                    date_published: rfc3339(r.published_at),
                })
                .collect(),
            slugline: a.content.slugline.as_deref(),
            evolved_from: take_json(cfg, a, super::TakeRel::Earlier),
            latest_take: take_json(cfg, a, super::TakeRel::Latest),
            pictures: a
                .pictures
                .iter()
                .map(|s| Picture {
                    id: s.picture.id.as_str(),
                    caption: &s.caption,
                    alt_text: s.alt(),
                    credit: s.credit(),
                    copyright: s.picture.meta.copyright.as_deref(),
                    renditions: s
                        .picture
                        .renditions
                        .iter()
                        .map(|r| PictureRendition {
                            name: &r.name,
                            url: href(&s.picture, r),
                            mime_type: &r.media_type,
                            width: r.width,
                            height: r.height,
                            size_in_bytes: r.bytes,
                        })
                        .collect(),
                })
                .collect(),
        },
        authors: a
            .content
            .byline
            .iter()
            .map(|b| Author { name: b, url: None })
            .collect(),
    }
}

fn take_json<'a>(
    cfg: &crate::config::Config,
    a: &'a Article,
    which: super::TakeRel,
) -> Option<TakeJson<'a>> {
    super::take_links(a)
        .into_iter()
        .find(|(rel, _)| *rel == which)
        .map(|(_, t)| TakeJson {
            id: t.id.as_str(),
            url: article_url(cfg, t.id.as_str()),
            headline: &t.headline,
            status: t.status.as_str(),
        })
}
