//! XMP packets (ISO 16684-1, RDF/XML): the IPTC Photo Metadata properties read from an upload,
//! and the packet every rendition carries. Namespaces are resolved, so any prefix works; a
//! packet with a DOCTYPE is refused (no entity is ever expanded).

use crate::model::PictureMeta;
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const DC: &str = "http://purl.org/dc/elements/1.1/";
const PHOTOSHOP: &str = "http://ns.adobe.com/photoshop/1.0/";
const IPTC_CORE: &str = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/";
const XMP_RIGHTS: &str = "http://ns.adobe.com/xap/1.0/rights/";

/// The APP1 identifier of an XMP packet in a JPEG (with its NUL).
pub const JPEG_XMP_ID: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";

/// What an XMP packet says, by property.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Read {
    /// The metadata found (absent properties stay `None`).
    pub meta: PictureMeta,
    /// `photoshop:City` and `photoshop:Country`.
    pub city: Option<String>,
    /// See `city`.
    pub country: Option<String>,
}

/// Why a packet was refused.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused(pub String);

/// The property a (namespace, local name) pair is, if it is one we read.
fn property(ns: &str, local: &str) -> Option<&'static str> {
    Some(match (ns, local) {
        (DC, "description") => "caption",
        (DC, "creator") => "byline",
        (DC, "rights") => "copyright",
        (DC, "subject") => "keywords",
        (PHOTOSHOP, "Credit") => "credit",
        (PHOTOSHOP, "DateCreated") => "taken_at",
        (PHOTOSHOP, "City") => "city",
        (PHOTOSHOP, "Country") => "country",
        (IPTC_CORE, "AltTextAccessibility") => "alt_text",
        (XMP_RIGHTS, "UsageTerms") => "usage_terms",
        _ => return None,
    })
}

fn set(out: &mut Read, prop: &str, values: Vec<String>) {
    let first = values.iter().find(|v| !v.trim().is_empty()).cloned();
    match prop {
        "caption" => out.meta.caption = first,
        "byline" => out.meta.byline = (!values.is_empty()).then(|| values.join(", ")),
        "copyright" => out.meta.copyright = first,
        "keywords" => out.meta.keywords = values,
        "credit" => out.meta.credit = first,
        "taken_at" => out.meta.taken_at = first,
        "city" => out.city = first,
        "country" => out.country = first,
        "alt_text" => out.meta.alt_text = first,
        "usage_terms" => out.meta.usage_terms = first,
        _ => {}
    }
}

/// Reads the properties wirefeed knows from a packet. Language alternatives give their
/// `x-default` entry first.
pub fn read(packet: &[u8]) -> Result<Read, Refused> {
    let text =
        std::str::from_utf8(packet).map_err(|_| Refused("the XMP packet is not UTF-8".into()))?;
    // A packet may end with padding and a NUL; the XML is what comes before.
    let text = text.trim_end_matches(['\0', ' ', '\n', '\r', '\t']);
    let mut r = NsReader::from_str(text);
    let mut out = Read::default();
    let mut depth = 0usize;
    // The property being read: its name, the depth it opened at, direct text, list items.
    let mut prop: Option<(&'static str, usize, String, Vec<String>)> = None;
    // The list item being read: its depth and text, and whether it is the x-default one.
    let mut li: Option<(usize, String, bool)> = None;
    let mut events = 0usize;
    loop {
        events += 1;
        if events > 100_000 {
            return Err(Refused("the XMP packet is too complex".into()));
        }
        let (ns, ev) = r
            .read_resolved_event()
            .map_err(|e| Refused(format!("the XMP packet is not well-formed XML: {e}")))?;
        let ns: String = match ns {
            ResolveResult::Bound(n) => n.into_inner().to_owned(),
            _ => String::new(),
        };
        match ev {
            Event::DocType(_) => {
                return Err(Refused(
                    "the XMP packet declares a DOCTYPE; XMP never needs one, and its entities are never expanded".into(),
                ));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                depth += 1;
                let local = e.local_name().into_inner().to_owned();
                if ns == RDF && local == "Description" {
                    // Simple properties may be attributes of rdf:Description.
                    for a in e.attributes().flatten() {
                        let (ans, alocal) = r.resolver().resolve_attribute(a.key);
                        if let ResolveResult::Bound(n) = ans
                            && let Some(p) = property(n.into_inner(), alocal.into_inner())
                            && let Ok(v) = a.normalized_value(XmlVersion::Implicit1_0)
                        {
                            set(&mut out, p, vec![v.into_owned()]);
                        }
                    }
                } else if prop.is_none() {
                    if let Some(p) = property(&ns, &local) {
                        if empty {
                            // `<photoshop:Credit rdf:resource=…/>` and the like: no text.
                        } else {
                            prop = Some((p, depth, String::new(), Vec::new()));
                        }
                    }
                } else if ns == RDF && local == "li" && !empty {
                    let default = e.attributes().flatten().any(|a| {
                        a.key.as_ref() == "xml:lang"
                            && a.normalized_value(XmlVersion::Implicit1_0)
                                .is_ok_and(|v| v == "x-default")
                    });
                    li = Some((depth, String::new(), default));
                }
                if empty {
                    depth -= 1;
                }
            }
            Event::Text(t) => {
                let t: &str = &t;
                if let Some((_, s, _)) = &mut li {
                    s.push_str(t);
                } else if let Some((_, _, s, _)) = &mut prop {
                    s.push_str(t);
                }
            }
            Event::GeneralRef(g) => {
                // &amp; and the other predefined entities, and character references; any
                // other entity is undefined (there is no DOCTYPE): refused.
                let name: String = g.to_string();
                let c = match g.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&name)
                        .map(str::to_owned)
                        .ok_or_else(|| {
                            Refused(format!("the XMP packet uses an undefined entity &{name};"))
                        })?,
                };
                if let Some((_, s, _)) = &mut li {
                    s.push_str(&c);
                } else if let Some((_, _, s, _)) = &mut prop {
                    s.push_str(&c);
                }
            }
            Event::End(_) => {
                if let Some((d, text, default)) = li.take() {
                    if d == depth {
                        if let Some((_, _, _, items)) = &mut prop {
                            let text = text.trim().to_owned();
                            if default {
                                items.insert(0, text);
                            } else {
                                items.push(text);
                            }
                        }
                    } else {
                        li = Some((d, text, default));
                    }
                }
                if prop.as_ref().is_some_and(|(_, d, _, _)| *d == depth) {
                    let (p, _, text, items) = prop.take().expect("checked above");
                    let values = if items.is_empty() {
                        vec![text.trim().to_owned()]
                    } else {
                        items
                    };
                    set(&mut out, p, values);
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

/// The packet a rendition carries: caption, alt text, creator, credit, copyright, usage terms,
/// date and keywords (IPTC asks senders to keep credit and copyright in every copy), and the
/// GPS position only when it is to be kept.
pub fn packet(meta: &PictureMeta, gps: Option<(f64, f64)>) -> String {
    let mut props = String::new();
    let alt = |name: &str, v: &Option<String>, props: &mut String| {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            props.push_str(&format!(
                "<{name}><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></{name}>",
                escape(v)
            ));
        }
    };
    alt("dc:description", &meta.caption, &mut props);
    alt("dc:rights", &meta.copyright, &mut props);
    alt("xmpRights:UsageTerms", &meta.usage_terms, &mut props);
    alt(
        "Iptc4xmpCore:AltTextAccessibility",
        &meta.alt_text,
        &mut props,
    );
    if let Some(b) = meta.byline.as_deref().filter(|v| !v.is_empty()) {
        props.push_str(&format!(
            "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>",
            escape(b)
        ));
    }
    if !meta.keywords.is_empty() {
        props.push_str("<dc:subject><rdf:Bag>");
        for k in &meta.keywords {
            props.push_str(&format!("<rdf:li>{}</rdf:li>", escape(k)));
        }
        props.push_str("</rdf:Bag></dc:subject>");
    }
    let simple = |name: &str, v: &Option<String>, props: &mut String| {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            props.push_str(&format!("<{name}>{}</{name}>", escape(v)));
        }
    };
    simple("photoshop:Credit", &meta.credit, &mut props);
    simple("photoshop:DateCreated", &meta.taken_at, &mut props);
    simple("photoshop:City", &meta.dateline, &mut props);
    if let Some((lat, lon)) = gps {
        props.push_str(&format!(
            "<exif:GPSLatitude>{}</exif:GPSLatitude><exif:GPSLongitude>{}</exif:GPSLongitude>",
            gps_coordinate(lat, 'N', 'S'),
            gps_coordinate(lon, 'E', 'W')
        ));
    }
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\" \
xmlns:Iptc4xmpCore=\"http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/\" \
xmlns:xmpRights=\"http://ns.adobe.com/xap/1.0/rights/\" \
xmlns:exif=\"http://ns.adobe.com/exif/1.0/\">{props}</rdf:Description></rdf:RDF></x:xmpmeta>\
<?xpacket end=\"r\"?>"
    )
}

/// XMP's GPS coordinate form, `DDD,MM.mmmmmmK`.
fn gps_coordinate(v: f64, pos: char, neg: char) -> String {
    let hemi = if v < 0.0 { neg } else { pos };
    let v = v.abs();
    let deg = v.trunc();
    format!("{},{:.6}{hemi}", deg as u32, (v - deg) * 60.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packet_reads_back_what_it_carries_with_markup_escaped() {
        let meta = PictureMeta {
            caption: Some("<script>alert(1)</script> & \"q\" ]]>".into()),
            alt_text: Some("Alt".into()),
            credit: Some("Agencia & Co".into()),
            byline: Some("Ana Ruiz".into()),
            copyright: Some("© 2026 Agencia".into()),
            keywords: vec!["frontera".into(), "noche".into()],
            taken_at: Some("2026-03-14T18:30:00-06:00".into()),
            ..PictureMeta::default()
        };
        let p = packet(&meta, None);
        assert!(!p.contains("<script>"));
        let back = read(p.as_bytes()).unwrap();
        assert_eq!(back.meta.caption, meta.caption);
        assert_eq!(back.meta.alt_text, meta.alt_text);
        assert_eq!(back.meta.credit, meta.credit);
        assert_eq!(back.meta.byline, meta.byline);
        assert_eq!(back.meta.copyright, meta.copyright);
        assert_eq!(back.meta.keywords, meta.keywords);
        assert_eq!(back.meta.taken_at, meta.taken_at);
    }

    #[test]
    fn any_prefix_and_attribute_properties_are_read() {
        let x = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><r:RDF xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<r:Description xmlns:ps="http://ns.adobe.com/photoshop/1.0/" ps:Credit="Foto &amp; Co" xmlns:d="http://purl.org/dc/elements/1.1/">
<d:description><r:Alt><r:li xml:lang="es">Texto</r:li><r:li xml:lang="x-default">Default</r:li></r:Alt></d:description>
</r:Description></r:RDF></x:xmpmeta>"#;
        let back = read(x.as_bytes()).unwrap();
        assert_eq!(back.meta.credit.as_deref(), Some("Foto & Co"));
        assert_eq!(back.meta.caption.as_deref(), Some("Default"));
    }

    #[test]
    fn a_doctype_or_an_undefined_entity_is_refused() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description>&lol2;</dc:description></rdf:Description></rdf:RDF></x:xmpmeta>"#;
        assert!(read(bomb.as_bytes()).unwrap_err().0.contains("DOCTYPE"));
        let undefined = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description>&lol;</dc:description></rdf:Description></rdf:RDF></x:xmpmeta>"#;
        assert!(
            read(undefined.as_bytes())
                .unwrap_err()
                .0
                .contains("undefined")
        );
        // Positive control: the same packet with a predefined entity reads.
        let fine = undefined.replace("&lol;", "&amp;");
        assert_eq!(
            read(fine.as_bytes()).unwrap().meta.caption.as_deref(),
            Some("&")
        );
    }
}
