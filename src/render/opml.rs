//! OPML 2.0 (http://opml.org/spec2.opml) of every public feed: each topic, `all` and `kills`,
//! in every language and without a filter, as RSS and as Atom — a reader imports them at once.

use super::xml_clean;
use crate::config::{Access, Config};
use chrono::{DateTime, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

/// The OPML document; `created` is its `dateCreated` (RFC 822, as OPML asks).
pub fn opml(config: &Config, created: DateTime<Utc>, countries: &[String]) -> String {
    let mut w = Writer::new_with_indent(Vec::with_capacity(8 * 1024), b' ', 2);
    write(&mut w, config, created, countries).expect("writing to a Vec cannot fail");
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    String::from_utf8(bytes).expect("the writer only writes UTF-8")
}

fn languages(config: &Config) -> Vec<String> {
    let mut langs: Vec<String> = config
        .topics
        .iter()
        .flat_map(|t| t.names.keys().cloned())
        .collect();
    langs.sort();
    langs.dedup();
    langs
}

/// The country feeds (contract §14): `all?country=CC` as RSS and Atom, for each country with
/// stories, named in the agency's language, linking to the country's page.
fn country_feeds(w: &mut Writer<Vec<u8>>, config: &Config, countries: &[String]) -> io::Result<()> {
    if countries.is_empty() {
        return Ok(());
    }
    let urls = crate::urls::Urls::of(config);
    let lang = config.agency.language.as_str();
    let group = if lang.starts_with("es") {
        "Países"
    } else {
        "Countries"
    };
    w.create_element("outline")
        .with_attribute(("text", group))
        .write_inner_content(|w| {
            for code in countries {
                let name = crate::places::shipped_table()
                    .get(code)
                    .map_or(code.as_str(), |c| c.name(lang));
                let query = format!("?country={code}");
                let html_url = urls.country(code, "");
                for (ext, version, label) in [("rss", "RSS2", "RSS"), ("atom", "Atom", "Atom")] {
                    let text = format!("{name} ({label})");
                    let xml_url = urls.feed_ext("all", ext, &query);
                    w.create_element("outline")
                        .with_attribute(("type", "rss"))
                        .with_attribute(("text", text.as_str()))
                        .with_attribute(("title", text.as_str()))
                        .with_attribute(("version", version))
                        .with_attribute(("xmlUrl", xml_url.as_str()))
                        .with_attribute(("htmlUrl", html_url.as_str()))
                        .write_empty()?;
                }
            }
            Ok(())
        })?;
    Ok(())
}

fn write(
    w: &mut Writer<Vec<u8>>,
    config: &Config,
    created: DateTime<Utc>,
    countries: &[String],
) -> io::Result<()> {
    let urls = crate::urls::Urls::of(config);
    let name = xml_clean(&config.agency.name);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("opml")
        .with_attribute(("version", "2.0"))
        .write_inner_content(|w| {
            w.create_element("head").write_inner_content(|w| {
                w.create_element("title")
                    .write_text_content(BytesText::new(&name))?;
                w.create_element("dateCreated")
                    .write_text_content(BytesText::new(&created.to_rfc2822()))?;
                w.create_element("ownerName")
                    .write_text_content(BytesText::new(&name))?;
                w.create_element("docs")
                    .write_text_content(BytesText::new("http://opml.org/spec2.opml"))?;
                Ok(())
            })?;
            let langs = languages(config);
            w.create_element("body").write_inner_content(|w| {
                for f in config
                    .feed_list
                    .iter()
                    .filter(|f| f.access == Access::Public)
                {
                    let title = xml_clean(&f.title);
                    w.create_element("outline")
                        .with_attribute(("text", title.as_ref()))
                        .write_inner_content(|w| {
                            let variants = std::iter::once(None).chain(langs.iter().map(Some));
                            for lang in variants {
                                for (ext, version, label) in
                                    [("rss", "RSS2", "RSS"), ("atom", "Atom", "Atom")]
                                {
                                    let query =
                                        lang.map(|l| format!("?lang={l}")).unwrap_or_default();
                                    let text = match lang {
                                        Some(l) => format!("{title} ({l}, {label})"),
                                        None => format!("{title} ({label})"),
                                    };
                                    let xml_url = urls.feed_ext(&f.id, ext, &query);
                                    let html_url = if config.topic_is_public(&f.id) {
                                        urls.topic(&f.id, &query)
                                    } else {
                                        urls.index(&query)
                                    };
                                    let mut e = w
                                        .create_element("outline")
                                        .with_attribute(("type", "rss"))
                                        .with_attribute(("text", text.as_str()))
                                        .with_attribute(("title", text.as_str()))
                                        .with_attribute(("version", version))
                                        .with_attribute(("xmlUrl", xml_url.as_str()))
                                        .with_attribute(("htmlUrl", html_url.as_str()));
                                    if let Some(l) = lang {
                                        e = e.with_attribute(("language", l.as_str()));
                                    }
                                    e.write_empty()?;
                                }
                            }
                            Ok(())
                        })?;
                }
                country_feeds(w, config, countries)
            })?;
            Ok(())
        })?;
    Ok(())
}
