//! The one model of a ninjs item, built from an article, a picture, or a picture as a story
//! shows it. Each version's renderer (`v1`, `v2`) writes what its schema can carry.

use crate::config::Config;
use crate::model::{Article, Picture, PubStatus, Shown, rfc3339};
use crate::render::{
    article_url, body_html, iptc_codes, kill_html, kill_text, kill_title, picture_guid,
    summary_text, with_token,
};
use crate::urls::Urls;

/// A text with a role and a media type (`headlines`, `descriptions`, `bodies`).
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// `main`, `summary`, `caption`, `alt`.
    pub role: &'static str,
    /// The IANA media type, when the version's document names one.
    pub content_type: Option<&'static str>,
    /// The text.
    pub value: String,
}

/// A concept with a name, a URI and a literal (`subjects`, `places`).
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    /// Its name in the item's language.
    pub name: String,
    /// Its URI.
    pub uri: String,
    /// Its QCode or code.
    pub literal: String,
}

/// A person named with the item (`people`).
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// The name.
    pub name: String,
    /// `author`, `photographer`.
    pub rel: &'static str,
}

/// One rendition of the item.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendition {
    /// `html`, `thumbnail`, `web`, …
    pub name: String,
    /// Absolute URL.
    pub href: String,
    /// Its media type.
    pub content_type: String,
    /// Pixels, for pictures.
    pub width: Option<u32>,
    /// Pixels, for pictures.
    pub height: Option<u32>,
    /// Bytes, for pictures.
    pub bytes: Option<u64>,
}

/// A ninjs news item, independent of the version it is written in. Fields are in the order
/// every version writes them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item {
    /// The GUID (a `tag:` URI).
    pub uri: String,
    /// `text`, `picture`.
    pub kind: &'static str,
    /// The media type of a text item's main body, for 1.x `mimetype`.
    pub mimetype: Option<&'static str>,
    /// The version number, as a string.
    pub version: Option<String>,
    /// RFC 3339.
    pub first_created: Option<String>,
    /// RFC 3339.
    pub version_created: Option<String>,
    /// RFC 3339.
    pub content_created: Option<String>,
    /// `usable`, `withheld`, `canceled`.
    pub pub_status: Option<&'static str>,
    /// BCP 47.
    pub language: Option<String>,
    /// Who holds the copyright.
    pub copyright_holder: Option<String>,
    /// The copyright notice.
    pub copyright_notice: Option<String>,
    /// Natural-language usage terms.
    pub usage_terms: Option<String>,
    /// A link to machine-readable rights (`rightsinfo.linkedrights`): the data-mining code's
    /// URI, the closest ninjs comes to NewsML-G2's `dataMining` (it has no such property).
    pub linked_rights: Option<String>,
    /// Headlines, the main one first.
    pub headlines: Vec<Text>,
    /// Descriptions (summary, caption, alternative text).
    pub descriptions: Vec<Text>,
    /// Bodies.
    pub bodies: Vec<Text>,
    /// Media Topics; `Some(empty)` is written as an empty list.
    pub subjects: Option<Vec<Concept>>,
    /// Renditions; `Some(empty)` is written as an empty list (a killed picture).
    pub renditions: Option<Vec<Rendition>>,
    /// The countries the story is about.
    pub places: Vec<Concept>,
    /// IPTC urgency, 1–9.
    pub urgency: Option<u8>,
    /// RFC 3339.
    pub embargoed: Option<String>,
    /// The byline as one string.
    pub by: Option<String>,
    /// The byline's people.
    pub people: Vec<Person>,
    /// The dateline.
    pub located: Option<String>,
    /// A note to the receiving editors (correction note, kill notice).
    pub ednote: Option<String>,
    /// A short newsroom label.
    pub slugline: Option<String>,
    /// As an association: how it relates to the item (ninjs 3.x `rel`; 2.x has no such
    /// property and names the association only).
    pub rel: Option<String>,
    /// Associated items: (association name, item).
    pub associations: Vec<(String, Item)>,
}

/// A story's page as a ninjs rendition.
fn html_rendition(config: &Config, id: &str) -> Rendition {
    Rendition {
        name: "html".to_owned(),
        href: article_url(config, id),
        content_type: "text/html".to_owned(),
        width: None,
        height: None,
        bytes: None,
    }
}

impl Item {
    /// Another story as an association: its GUID, headline and page (a take, a related story).
    fn story_link(config: &Config, id: &str, headline: &str) -> Item {
        Item {
            uri: config.guid(id),
            kind: "text",
            headlines: vec![Text {
                role: "main",
                content_type: None,
                value: headline.to_owned(),
            }],
            renditions: Some(vec![html_rendition(config, id)]),
            ..Item::default()
        }
    }

    /// An article, or its kill notice when it was killed (a kill stops distribution: the
    /// document is the notice, without the story's text; publishers keep every version
    /// through the versions API).
    pub fn article(config: &Config, a: &Article, token: Option<&str>) -> Item {
        let lang = a.content.language.as_str();
        let canceled = a.status == PubStatus::Canceled;
        let (headline, summary, body) = if canceled {
            (kill_title(a), kill_text(config, a), kill_html(config, a))
        } else {
            (
                a.content.headline.clone(),
                summary_text(a),
                body_html(&a.content.body, &config.agency.base_url),
            )
        };
        let subjects = iptc_codes(config, a)
            .iter()
            .map(|c| Concept {
                name: if lang.starts_with("es") {
                    c.es.as_deref().unwrap_or(&c.en)
                } else {
                    &c.en
                }
                .to_owned(),
                uri: c.uri(),
                literal: c.qcode.clone(),
            })
            .collect();
        // The countries the story is about, named in its language.
        let places = crate::places::countries_of(&a.places)
            .iter()
            .map(|c| Concept {
                name: c.name(lang).to_owned(),
                uri: c.uri(),
                literal: c.code.to_owned(),
            })
            .collect();
        let mut associations: Vec<(String, Item)> = a
            .translations
            .iter()
            .map(|(id, tlang)| {
                let t = Item {
                    uri: config.guid(id.as_str()),
                    kind: "text",
                    language: Some(tlang.clone()),
                    ..Item::default()
                };
                ("translation".to_owned(), t)
            })
            .collect();
        // Developing stories (contract §15): the earlier take (IPTC's item relation
        // `evolvedFrom`) and the latest take that replaced this one (no IPTC code that way:
        // `seeAlso`), each a short item with its status, so a killed earlier take says so.
        for (rel, t) in crate::render::take_links(a) {
            let irel = match rel {
                crate::render::TakeRel::Earlier => "evolvedFrom",
                crate::render::TakeRel::Latest => "seeAlso",
            };
            let take = Item {
                pub_status: Some(t.status.as_str()),
                slugline: t.slugline.clone(),
                rel: Some(format!("http://cv.iptc.org/newscodes/itemrelation/{irel}")),
                ..Item::story_link(config, t.id.as_str(), &t.headline)
            };
            associations.push((rel.key().to_owned(), take));
        }
        if !canceled {
            // The pictures, the lead one first: the association a receiver shows with the story.
            for (i, s) in a.pictures.iter().enumerate() {
                let name = if i == 0 { "featureimage" } else { "picture" };
                associations.push((name.to_owned(), Item::shown(config, s, token)));
            }
        }
        // Related stories, the most related first (contract §15): each as a short text item
        // a receiver can fetch (its page, and its guid to match what it already has).
        for r in &a.related {
            let item = Item {
                language: Some(r.language.clone()),
                first_created: Some(rfc3339(r.published_at)),
                ..Item::story_link(config, r.id.as_str(), &r.headline)
            };
            associations.push(("related".to_owned(), item));
        }
        let ednote = if canceled {
            Some(kill_text(config, a))
        } else {
            a.correction_note.clone()
        };
        Item {
            uri: config.guid(a.id.as_str()),
            kind: "text",
            mimetype: Some("text/html"),
            version: Some(a.version.to_string()),
            first_created: Some(rfc3339(a.published_at)),
            version_created: Some(rfc3339(a.updated_at.max(a.published_at))),
            content_created: Some(rfc3339(a.published_at)),
            pub_status: Some(a.status.as_str()),
            language: Some(lang.to_owned()),
            copyright_holder: Some(config.agency.name.clone()),
            copyright_notice: Some(config.agency.copyright.clone()),
            usage_terms: crate::render::usage_terms(config, a).map(str::to_owned),
            linked_rights: linked_rights(config),
            headlines: vec![Text {
                role: "main",
                content_type: None,
                value: headline,
            }],
            descriptions: vec![Text {
                role: "summary",
                content_type: Some("text/plain"),
                value: summary,
            }],
            bodies: vec![Text {
                role: "main",
                content_type: Some("text/html"),
                value: body,
            }],
            subjects: Some(subjects),
            renditions: Some(vec![html_rendition(config, a.id.as_str())]),
            places,
            urgency: a.content.urgency,
            embargoed: a.content.embargo_until.map(rfc3339),
            by: (!a.content.byline.is_empty()).then(|| a.content.byline.join(", ")),
            people: a
                .content
                .byline
                .iter()
                .map(|b| Person {
                    name: b.clone(),
                    rel: "author",
                })
                .collect(),
            located: a.content.dateline.clone(),
            ednote,
            slugline: a.content.slugline.clone().filter(|_| !canceled),
            rel: None,
            associations,
        }
    }

    /// A picture's own document (`/media/{id}.json`).
    pub fn picture(config: &Config, p: &Picture, token: Option<&str>) -> Item {
        let caption = p.meta.caption.clone().unwrap_or_default();
        let renditions = if p.status == PubStatus::Canceled {
            Vec::new()
        } else {
            renditions(config, p, token)
        };
        Item {
            uri: picture_guid(config, p.id.as_str()),
            kind: "picture",
            version: Some(p.version.to_string()),
            first_created: Some(rfc3339(p.created_at)),
            version_created: Some(rfc3339(p.changed_at)),
            content_created: p.meta.taken_at.clone(),
            pub_status: Some(p.status.as_str()),
            language: p.meta.language.clone(),
            copyright_holder: Some(
                p.meta
                    .credit
                    .clone()
                    .unwrap_or_else(|| config.agency.name.clone()),
            ),
            copyright_notice: Some(copyright(config, p).to_owned()),
            usage_terms: crate::render::picture_usage_terms(config, p).map(str::to_owned),
            linked_rights: linked_rights(config),
            headlines: vec![Text {
                role: "main",
                content_type: None,
                value: caption.clone(),
            }],
            descriptions: descriptions(&caption, p.meta.alt_text.as_deref().unwrap_or("")),
            renditions: Some(renditions),
            by: p.meta.byline.clone(),
            people: p
                .meta
                .byline
                .iter()
                .map(|b| Person {
                    name: b.clone(),
                    rel: "photographer",
                })
                .collect(),
            located: p.meta.dateline.clone(),
            // ninjs 2.x has no keywords (1.x had them); the NewsML-G2 document carries them.
            ..Item::default()
        }
    }

    /// A picture as a story shows it (its caption for that story), for the story's
    /// associations. `token`: the `?token=` its rendition links carry.
    pub fn shown(config: &Config, s: &Shown, token: Option<&str>) -> Item {
        let p = &s.picture;
        Item {
            uri: picture_guid(config, p.id.as_str()),
            kind: "picture",
            version: Some(p.version.to_string()),
            pub_status: Some(p.status.as_str()),
            copyright_holder: s.credit().map(str::to_owned),
            copyright_notice: Some(copyright(config, p).to_owned()),
            usage_terms: crate::render::picture_usage_terms(config, p).map(str::to_owned),
            linked_rights: linked_rights(config),
            headlines: vec![Text {
                role: "main",
                content_type: None,
                value: s.caption.clone(),
            }],
            descriptions: descriptions(&s.caption, s.alt()),
            renditions: Some(renditions(config, p, token)),
            by: p.meta.byline.clone(),
            ..Item::default()
        }
    }
}

fn linked_rights(config: &Config) -> Option<String> {
    config.agency.data_mining.map(|d| d.uri())
}

fn descriptions(caption: &str, alt: &str) -> Vec<Text> {
    vec![
        Text {
            role: "caption",
            content_type: Some("text/plain"),
            value: caption.to_owned(),
        },
        Text {
            role: "alt",
            content_type: Some("text/plain"),
            value: alt.to_owned(),
        },
    ]
}

fn copyright<'a>(config: &'a Config, p: &'a Picture) -> &'a str {
    p.meta
        .copyright
        .as_deref()
        .unwrap_or(&config.agency.copyright)
}

fn renditions(config: &Config, p: &Picture, token: Option<&str>) -> Vec<Rendition> {
    let urls = Urls::of(config);
    p.renditions
        .iter()
        .map(|r| Rendition {
            name: r.name.clone(),
            href: with_token(urls.rendition(p.id.as_str(), r), token),
            content_type: r.media_type.clone(),
            width: Some(r.width),
            height: Some(r.height),
            bytes: Some(r.bytes),
        })
        .collect()
}
