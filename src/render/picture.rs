//! A picture's own NewsML-G2 `newsItem` and the pieces every format uses to carry an
//! article's pictures (its ninjs documents are made by the ninjs model, `ninjs/item.rs`).

use super::xml_clean;
use crate::config::Config;
use crate::model::{Picture, PubStatus, Rendition, Shown, rfc3339};
use crate::urls::Urls;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

/// A picture's GUID: its own, distinct from any article's.
pub fn picture_guid(config: &Config, id: &str) -> String {
    format!("tag:{}:picture:{id}", config.agency.tag_authority)
}

/// The rendition a feed item shows: `web`.
pub fn web(p: &Picture) -> Option<&Rendition> {
    p.rendition("web").or_else(|| p.renditions.first())
}

/// The IPTC rendition NewsCode of a rendition name (`rnd:` scheme).
fn rendition_qcode(name: &str) -> &'static str {
    match name {
        "thumbnail" => "rnd:thumb",
        "web" => "rnd:web",
        "large" => "rnd:highRes",
        _ => "rnd:highRes",
    }
}

fn copyright<'a>(config: &'a Config, p: &'a Picture) -> &'a str {
    p.meta
        .copyright
        .as_deref()
        .unwrap_or(&config.agency.copyright)
}

/// A URL with `?token=` for readers of restricted documents that cannot send headers.
pub fn with_token(url: String, token: Option<&str>) -> String {
    match token {
        Some(t) => format!(
            "{url}?token={}",
            form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>()
        ),
        None => url,
    }
}

/// The lead picture as an HTML `<figure>` (the `web` rendition, its size, alt text, caption and
/// credit) for the HTML content of RSS and Atom items: many readers show only an item's content
/// and ignore image enclosures and Media RSS (newsboat keeps audio and video enclosures only).
/// Empty when the article shows no picture.
pub fn lead_figure(config: &Config, pictures: &[Shown], token: Option<&str>) -> String {
    let Some((s, r)) = pictures.first().and_then(|s| Some((s, web(&s.picture)?))) else {
        return String::new();
    };
    let esc = |t: &str| quick_xml::escape::escape(xml_clean(t).as_ref()).into_owned();
    let src = with_token(Urls::of(config).rendition(s.picture.id.as_str(), r), token);
    let credit = s
        .credit()
        .map(|c| format!(" <small>{}</small>", esc(c)))
        .unwrap_or_default();
    format!(
        "<figure><img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"{}\"><figcaption>{}{credit}</figcaption></figure>\n",
        esc(&src),
        r.width,
        r.height,
        esc(s.alt()),
        esc(&s.caption),
    )
}

type W = Writer<Vec<u8>>;

fn text(w: &mut W, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&xml_clean(value)))?;
    Ok(())
}

/// `/media/{id}.xml`: the picture as a stand-alone NewsML-G2 `newsItem`.
pub fn picture_news_item(config: &Config, p: &Picture, token: Option<&str>) -> String {
    let mut w = Writer::new_with_indent(Vec::with_capacity(4096), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .expect("writing to a Vec cannot fail");
    write_picture_item(&mut w, config, p, true, token).expect("writing to a Vec cannot fail");
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    String::from_utf8(bytes).expect("the writer only writes UTF-8")
}

/// A picture `newsItem` (`ninat:picture`): rights with credit, caption as `drol:caption`,
/// photographer, credit line, and a `remoteContent` per rendition with its size, type and
/// rendition NewsCode (IPTC's picture example, LISTING 3). `token`: the `?token=` of a
/// restricted document read without headers, carried into the rendition links.
pub(super) fn write_picture_item(
    w: &mut W,
    config: &Config,
    p: &Picture,
    root: bool,
    token: Option<&str>,
) -> io::Result<()> {
    let guid = picture_guid(config, p.id.as_str());
    let lang = p
        .meta
        .language
        .as_deref()
        .unwrap_or(&config.agency.language);
    super::g2::item_element(w, root, &guid, p.version, lang, |w| {
        w.create_element("rightsInfo").write_inner_content(|w| {
            w.create_element("copyrightHolder")
                .with_attribute(("uri", format!("{}/", config.agency.base_url).as_str()))
                .write_inner_content(|w| {
                    text(
                        w,
                        "name",
                        p.meta.credit.as_deref().unwrap_or(&config.agency.name),
                    )
                })?;
            text(w, "copyrightNotice", copyright(config, p))?;
            if let Some(u) = super::picture_usage_terms(config, p) {
                text(w, "usageTerms", u)?;
            }
            super::g2::data_mining(w, config)
        })?;
        w.create_element("itemMeta").write_inner_content(|w| {
            w.create_element("itemClass")
                .with_attribute(("qcode", "ninat:picture"))
                .write_empty()?;
            w.create_element("provider")
                .with_attribute(("uri", format!("{}/", config.agency.base_url).as_str()))
                .write_inner_content(|w| text(w, "name", &config.agency.name))?;
            text(w, "versionCreated", &rfc3339(p.changed_at))?;
            text(w, "firstCreated", &rfc3339(p.created_at))?;
            let stat = if p.status == PubStatus::Canceled {
                "stat:canceled"
            } else {
                "stat:usable"
            };
            w.create_element("pubStatus")
                .with_attribute(("qcode", stat))
                .write_empty()?;
            Ok(())
        })?;
        w.create_element("contentMeta").write_inner_content(|w| {
            if let Some(t) = &p.meta.taken_at {
                text(w, "contentCreated", t)?;
            }
            if let Some(d) = &p.meta.dateline {
                w.create_element("located")
                    .with_attribute(("type", "cpnat:geoArea"))
                    .write_inner_content(|w| text(w, "name", d))?;
            }
            if let Some(b) = &p.meta.byline {
                // No role: IPTC's catalog has no creator-role scheme (the examples' `crol:`
                // comes from a photo agency's own catalog), and an undeclared alias is invalid.
                w.create_element("creator")
                    .write_inner_content(|w| text(w, "name", b))?;
            }
            if let Some(c) = p.meta.credit.as_deref() {
                text(w, "creditline", c)?;
            }
            for k in &p.meta.keywords {
                text(w, "keyword", k)?;
            }
            if let Some(c) = &p.meta.caption {
                text(w, "headline", c)?;
                w.create_element("description")
                    .with_attribute(("role", "drol:caption"))
                    .write_text_content(BytesText::new(&xml_clean(c)))?;
            }
            if let Some(a) = &p.meta.alt_text {
                w.create_element("description")
                    .with_attribute(("role", "drol:alternative"))
                    .write_text_content(BytesText::new(&xml_clean(a)))?;
            }
            Ok(())
        })?;
        if p.status == PubStatus::Usable {
            let urls = Urls::of(config);
            w.create_element("contentSet").write_inner_content(|w| {
                for r in &p.renditions {
                    let (size, width, height) = (
                        r.bytes.to_string(),
                        r.width.to_string(),
                        r.height.to_string(),
                    );
                    let href = with_token(urls.rendition(p.id.as_str(), r), token);
                    w.create_element("remoteContent")
                        .with_attribute(("rendition", rendition_qcode(&r.name)))
                        .with_attribute(("href", href.as_str()))
                        .with_attribute(("size", size.as_str()))
                        .with_attribute(("contenttype", r.media_type.as_str()))
                        .with_attribute(("width", width.as_str()))
                        .with_attribute(("height", height.as_str()))
                        .with_attribute(("colourspace", "colsp:sRGB"))
                        .write_empty()?;
                }
                Ok(())
            })?;
        }
        Ok(())
    })?;
    Ok(())
}

/// One Media RSS element, in neither feed crate's types (each renderer converts it).
#[derive(Debug, Clone)]
pub struct El {
    /// Qualified name (`media:content`).
    pub name: &'static str,
    /// Text content.
    pub value: Option<String>,
    /// Attributes.
    pub attrs: Vec<(&'static str, String)>,
    /// Child elements.
    pub children: Vec<El>,
}

/// The Media RSS namespace (`xmlns:media`).
pub const MEDIA_RSS: &str = "http://search.yahoo.com/mrss/";

/// Media RSS for an item's pictures: a `media:content` per picture (its `web` rendition) with
/// `media:description` (the caption), `media:credit`, `media:copyright` and `media:thumbnail`.
pub fn media_rss(config: &Config, pictures: &[Shown], token: Option<&str>) -> Vec<El> {
    let urls = Urls::of(config);
    let el = |name, value: Option<String>, attrs, children| El {
        name,
        value,
        attrs,
        children,
    };
    pictures
        .iter()
        .filter_map(|s| {
            let p = &s.picture;
            let r = web(p)?;
            let url = with_token(urls.rendition(p.id.as_str(), r), token);
            let mut children = vec![el(
                "media:description",
                Some(xml_clean(&s.caption).into_owned()),
                vec![("type", "plain".to_owned())],
                vec![],
            )];
            if let Some(c) = s.credit() {
                children.push(el(
                    "media:credit",
                    Some(xml_clean(c).into_owned()),
                    vec![("role", "photographer".to_owned())],
                    vec![],
                ));
            }
            children.push(el(
                "media:copyright",
                Some(xml_clean(copyright(config, p)).into_owned()),
                vec![],
                vec![],
            ));
            if let Some(t) = p.rendition("thumbnail") {
                children.push(el(
                    "media:thumbnail",
                    None,
                    vec![
                        ("url", with_token(urls.rendition(p.id.as_str(), t), token)),
                        ("width", t.width.to_string()),
                        ("height", t.height.to_string()),
                    ],
                    vec![],
                ));
            }
            Some(el(
                "media:content",
                None,
                vec![
                    ("url", url),
                    ("type", r.media_type.clone()),
                    ("medium", "image".to_owned()),
                    ("width", r.width.to_string()),
                    ("height", r.height.to_string()),
                    ("fileSize", r.bytes.to_string()),
                ],
                children,
            ))
        })
        .collect()
}
