//! The metadata a file carries about itself: XMP first, then IPTC IIM, then EXIF (the order
//! the IPTC and Metadata Working Group guidelines give when they disagree), merged under what
//! the newsroom gave, which always wins.

use super::{MediaError, iim, xmp};
use crate::model::PictureMeta;

/// The most bytes of EXIF read (a JPEG segment holds 64 KiB; a PNG chunk could hold more).
const MAX_EXIF: usize = 1 << 20;
/// The longest caption kept (IIM's own limit is 2,000 bytes; XMP has none).
const MAX_TEXT: usize = 4000;

/// Metadata read from a file.
#[derive(Debug, Default, PartialEq)]
pub struct Embedded {
    /// The fields found.
    pub meta: PictureMeta,
    /// EXIF GPS latitude and longitude, if any.
    pub gps: Option<(f64, f64)>,
}

/// Reads what the three blocks say. A malformed EXIF or IIM block is ignored (cameras write
/// odd ones); an XMP packet that tries entity expansion is refused.
pub fn read(
    exif: Option<&[u8]>,
    xmp_packet: Option<&[u8]>,
    iptc: Option<&[u8]>,
) -> Result<Embedded, MediaError> {
    let mut out = Embedded::default();
    let (from_exif, gps) = exif.map(read_exif).unwrap_or_default();
    out.gps = gps;
    let from_iim = iptc.map(iim::read).unwrap_or_default();
    let from_xmp = match xmp_packet {
        Some(p) => xmp::read(p).map_err(|e| MediaError::Invalid(e.0))?,
        None => xmp::Read::default(),
    };
    let m = &mut out.meta;
    let pick = |a: &Option<String>, b: &Option<String>, c: &Option<String>| {
        a.clone()
            .or_else(|| b.clone())
            .or_else(|| c.clone())
            .map(|s| clip(&s))
            .filter(|s| !s.is_empty())
    };
    m.caption = pick(
        &from_xmp.meta.caption,
        &from_iim.meta.caption,
        &from_exif.caption,
    );
    m.alt_text = pick(&from_xmp.meta.alt_text, &None, &None);
    m.byline = pick(
        &from_xmp.meta.byline,
        &from_iim.meta.byline,
        &from_exif.byline,
    );
    m.credit = pick(&from_xmp.meta.credit, &from_iim.meta.credit, &None);
    m.copyright = pick(
        &from_xmp.meta.copyright,
        &from_iim.meta.copyright,
        &from_exif.copyright,
    );
    m.usage_terms = pick(&from_xmp.meta.usage_terms, &None, &None);
    m.taken_at = pick(
        &from_xmp.meta.taken_at,
        &from_iim.meta.taken_at,
        &from_exif.taken_at,
    )
    .and_then(|t| normalise_date(&t));
    m.dateline = pick(&from_xmp.city, &from_iim.city, &None)
        .or_else(|| pick(&from_xmp.country, &from_iim.country, &None));
    m.keywords = if from_xmp.meta.keywords.is_empty() {
        from_iim.meta.keywords
    } else {
        from_xmp.meta.keywords
    };
    m.keywords.retain(|k| !k.trim().is_empty());
    m.keywords.truncate(50);
    Ok(out)
}

fn clip(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(MAX_TEXT) {
        Some((i, _)) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

/// A file's date as RFC 3339: XMP's may be a bare date or lack seconds; one with no zone is
/// read as UTC.
fn normalise_date(s: &str) -> Option<String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat};
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.to_rfc3339_opts(SecondsFormat::Secs, true));
    }
    for f in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M:%S%.f%:z"] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.to_rfc3339_opts(SecondsFormat::Secs, true));
        }
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y:%m:%d %H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true));
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| format!("{}T00:00:00Z", d.format("%Y-%m-%d")))
}

/// EXIF's ImageDescription, Artist, Copyright, DateTimeOriginal (with OffsetTimeOriginal), and
/// the GPS position.
fn read_exif(data: &[u8]) -> (PictureMeta, Option<(f64, f64)>) {
    use exif::{In, Tag, Value};
    let data = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
    if data.len() > MAX_EXIF {
        return Default::default();
    }
    let Ok(e) = exif::Reader::new().read_raw(data.to_vec()) else {
        return Default::default();
    };
    let ascii = |tag: Tag| -> Option<String> {
        match &e.get_field(tag, In::PRIMARY)?.value {
            Value::Ascii(v) => {
                let s: Vec<String> = v
                    .iter()
                    .map(|b| String::from_utf8_lossy(b).trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                (!s.is_empty()).then(|| s.join(" "))
            }
            _ => None,
        }
    };
    let taken_at = ascii(Tag::DateTimeOriginal).and_then(|t| {
        let offset = ascii(Tag::OffsetTimeOriginal);
        let naive = chrono::NaiveDateTime::parse_from_str(&t, "%Y:%m:%d %H:%M:%S").ok()?;
        Some(match offset {
            Some(o) => {
                let fixed = chrono::DateTime::parse_from_str(
                    &format!("{} {o}", naive.format("%Y-%m-%d %H:%M:%S")),
                    "%Y-%m-%d %H:%M:%S %:z",
                )
                .ok()?;
                fixed.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            }
            None => naive
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
    });
    let meta = PictureMeta {
        caption: ascii(Tag::ImageDescription),
        byline: ascii(Tag::Artist),
        copyright: ascii(Tag::Copyright),
        taken_at,
        ..PictureMeta::default()
    };
    let coord = |tag: Tag, r: Tag, neg: u8| -> Option<f64> {
        let Value::Rational(v) = &e.get_field(tag, In::PRIMARY)?.value else {
            return None;
        };
        if v.len() < 3 || v.iter().any(|x| x.denom == 0) {
            return None;
        }
        let d = v[0].to_f64() + v[1].to_f64() / 60.0 + v[2].to_f64() / 3600.0;
        let sign = match &e.get_field(r, In::PRIMARY)?.value {
            Value::Ascii(a) if a.first().and_then(|s| s.first()) == Some(&neg) => -1.0,
            _ => 1.0,
        };
        Some(d * sign)
    };
    let gps = coord(Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S').zip(coord(
        Tag::GPSLongitude,
        Tag::GPSLongitudeRef,
        b'W',
    ));
    (meta, gps)
}

/// The fields of `given` that are absent, filled from `file`; and the names of those that
/// were (what the API reports as read from the file).
pub fn merge(given: &PictureMeta, file: &PictureMeta) -> (PictureMeta, Vec<String>) {
    let mut out = given.clone();
    let mut from_file = Vec::new();
    let mut fill = |name: &str, slot: &mut Option<String>, v: &Option<String>| {
        if slot.is_none()
            && let Some(v) = v
        {
            *slot = Some(v.clone());
            from_file.push(name.to_owned());
        }
    };
    fill("caption", &mut out.caption, &file.caption);
    fill("alt_text", &mut out.alt_text, &file.alt_text);
    fill("credit", &mut out.credit, &file.credit);
    fill("byline", &mut out.byline, &file.byline);
    fill("copyright", &mut out.copyright, &file.copyright);
    fill("usage_terms", &mut out.usage_terms, &file.usage_terms);
    fill("taken_at", &mut out.taken_at, &file.taken_at);
    fill("dateline", &mut out.dateline, &file.dateline);
    if out.keywords.is_empty() && !file.keywords.is_empty() {
        out.keywords = file.keywords.clone();
        from_file.push("keywords".into());
    }
    (out, from_file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xmp_wins_over_iim_and_the_given_metadata_over_both() {
        let x = xmp::packet(
            &PictureMeta {
                caption: Some("from xmp".into()),
                ..PictureMeta::default()
            },
            None,
        );
        let i = iim::segment(&PictureMeta {
            caption: Some("from iim".into()),
            credit: Some("IIM credit".into()),
            ..PictureMeta::default()
        });
        let e = read(None, Some(x.as_bytes()), Some(&i)).unwrap();
        assert_eq!(e.meta.caption.as_deref(), Some("from xmp"));
        assert_eq!(e.meta.credit.as_deref(), Some("IIM credit"));
        let given = PictureMeta {
            credit: Some("Desk".into()),
            ..PictureMeta::default()
        };
        let (m, from) = merge(&given, &e.meta);
        assert_eq!(m.credit.as_deref(), Some("Desk"));
        assert_eq!(m.caption.as_deref(), Some("from xmp"));
        assert_eq!(from, vec!["caption"]);
    }

    #[test]
    fn malformed_exif_is_ignored() {
        // A TIFF header whose first IFD claims 65,535 entries far past the end.
        let bad = b"MM\0\x2a\0\0\0\x08\xff\xff\0\0";
        assert_eq!(read(Some(bad), None, None).unwrap(), Embedded::default());
        let loop_ifd = b"II\x2a\0\x08\0\0\0\x00\x00\x08\0\0\0";
        assert_eq!(
            read(Some(loop_ifd), None, None).unwrap(),
            Embedded::default()
        );
    }

    #[test]
    fn dates_become_rfc3339() {
        assert_eq!(
            normalise_date("2026-03-14T18:30-06:00").as_deref(),
            Some("2026-03-14T18:30:00-06:00")
        );
        assert_eq!(
            normalise_date("2026-03-14").as_deref(),
            Some("2026-03-14T00:00:00Z")
        );
        assert_eq!(normalise_date("yesterday"), None);
    }
}
