//! What every NewsML-G2 item wirefeed writes shares: the namespace, the IPTC catalog and the
//! `newsItem` element (text items in newsml.rs, picture items in picture.rs).

use quick_xml::Writer;
use std::io;

/// The NewsML-G2 namespace.
pub(super) const NAR: &str = "http://iptc.org/std/nar/2006-10-01/";
/// The IPTC catalog every item references (its scheme aliases are the only ones used).
pub(super) const CATALOG: &str = "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_41.xml";

type W = Writer<Vec<u8>>;

/// A `newsItem` element (the document's root, with the namespace, or an item of a
/// `newsMessage`) with its IPTC catalog reference; `inner` writes the rest.
pub(super) fn item_element(
    w: &mut W,
    root: bool,
    guid: &str,
    version: u32,
    lang: &str,
    inner: impl FnOnce(&mut W) -> io::Result<()>,
) -> io::Result<()> {
    let version = version.to_string();
    let mut el = w.create_element("newsItem");
    if root {
        el = el.with_attribute(("xmlns", NAR));
    }
    el.with_attribute(("guid", guid))
        .with_attribute(("version", version.as_str()))
        .with_attribute(("standard", "NewsML-G2"))
        .with_attribute(("standardversion", "2.35"))
        .with_attribute(("conformance", "power"))
        .with_attribute(("xml:lang", lang))
        .write_inner_content(|w| {
            w.create_element("catalogRef")
                .with_attribute(("href", CATALOG))
                .write_empty()?;
            inner(w)
        })?;
    Ok(())
}

/// `rightsInfo/dataMining` (NewsML-G2 2.34) with the agency's code, by its URI: the PLUS
/// vocabulary has no alias in IPTC's catalog, and IPTC's own 2.34 tests write it this way.
pub(super) fn data_mining(w: &mut W, config: &crate::config::Config) -> io::Result<()> {
    if let Some(d) = config.agency.data_mining {
        w.create_element("dataMining")
            .with_attribute(("uri", d.uri().as_str()))
            .write_empty()?;
    }
    Ok(())
}
