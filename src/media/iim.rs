//! IPTC IIM (Information Interchange Model 4.2) records as JPEGs carry them: in APP13, inside a
//! Photoshop image resource block (`8BIM`, resource 0x0404). Read for the caption, by-line,
//! credit, copyright, date, city and country; written into every rendition so credit and
//! copyright travel with the bytes.

use crate::model::PictureMeta;

/// The APP13 identifier of a Photoshop resource block (with its NUL).
pub const PHOTOSHOP_ID: &[u8] = b"Photoshop 3.0\0";

/// What the records say.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Read {
    /// The metadata found.
    pub meta: PictureMeta,
    /// 2:90 City.
    pub city: Option<String>,
    /// 2:101 Country name.
    pub country: Option<String>,
}

/// The IIM records inside a Photoshop resource block (or the records themselves).
fn records(data: &[u8]) -> Option<&[u8]> {
    let data = data.strip_prefix(PHOTOSHOP_ID).unwrap_or(data);
    if data.first() == Some(&0x1c) {
        return Some(data);
    }
    let mut i = 0;
    while i + 12 <= data.len() {
        if &data[i..i + 4] != b"8BIM" {
            return None;
        }
        let id = u16::from_be_bytes([data[i + 4], data[i + 5]]);
        // A Pascal string name, padded to an even length.
        let name_len = data[i + 6] as usize;
        let mut j = i + 7 + name_len;
        if (name_len + 1) % 2 == 1 {
            j += 1;
        }
        let size_bytes = data.get(j..j + 4)?;
        let size = u32::from_be_bytes(size_bytes.try_into().ok()?) as usize;
        let start = j + 4;
        let end = start.checked_add(size)?;
        let body = data.get(start..end)?;
        if id == 0x0404 {
            return Some(body);
        }
        i = end + (size % 2);
    }
    None
}

/// Reads the datasets wirefeed knows. Text is UTF-8 when 1:90 says so (or when it simply is
/// valid UTF-8), else ISO 8859-1.
pub fn read(data: &[u8]) -> Read {
    let mut out = Read::default();
    let Some(recs) = records(data) else {
        return out;
    };
    let mut fields: Vec<(u8, u8, &[u8])> = Vec::new();
    let mut i = 0;
    while i + 5 <= recs.len() && recs[i] == 0x1c {
        let (record, dataset) = (recs[i + 1], recs[i + 2]);
        let len = u16::from_be_bytes([recs[i + 3], recs[i + 4]]);
        if len & 0x8000 != 0 {
            // An extended dataset (over 32 KiB): nothing wirefeed reads is that long.
            break;
        }
        let Some(value) = recs.get(i + 5..i + 5 + len as usize) else {
            break;
        };
        fields.push((record, dataset, value));
        i += 5 + len as usize;
    }
    let utf8 = fields
        .iter()
        .any(|(r, d, v)| *r == 1 && *d == 90 && v.windows(3).any(|w| w == b"\x1b%G"));
    let text = |v: &[u8]| -> String {
        match std::str::from_utf8(v) {
            Ok(s) => s.to_owned(),
            Err(_) if utf8 => String::from_utf8_lossy(v).into_owned(),
            Err(_) => v.iter().map(|&b| b as char).collect(),
        }
        .trim()
        .to_owned()
    };
    let mut date = None;
    let mut time = None;
    for (r, d, v) in fields {
        if r != 2 {
            continue;
        }
        let t = text(v);
        if t.is_empty() {
            continue;
        }
        match d {
            120 => out.meta.caption = Some(t),
            80 => {
                out.meta.byline = Some(match out.meta.byline.take() {
                    Some(b) => format!("{b}, {t}"),
                    None => t,
                })
            }
            110 => out.meta.credit = Some(t),
            116 => out.meta.copyright = Some(t),
            25 => out.meta.keywords.push(t),
            55 => date = Some(t),
            60 => time = Some(t),
            90 => out.city = Some(t),
            101 => out.country = Some(t),
            _ => {}
        }
    }
    out.meta.taken_at = date.and_then(|d| iim_date(&d, time.as_deref()));
    out
}

/// 2:55 `CCYYMMDD` and 2:60 `HHMMSS±HHMM` → RFC 3339 (a date with no time is midnight UTC).
fn iim_date(date: &str, time: Option<&str>) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y%m%d").ok()?;
    let parsed = time.and_then(|t| {
        chrono::DateTime::parse_from_str(&format!("{date}{t}"), "%Y%m%d%H%M%S%z").ok()
    });
    Some(match parsed {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        None => format!("{}T00:00:00Z", d.format("%Y-%m-%d")),
    })
}

fn dataset(out: &mut Vec<u8>, record: u8, dataset: u8, value: &[u8]) {
    out.extend_from_slice(&[0x1c, record, dataset]);
    out.extend_from_slice(&(value.len() as u16).to_be_bytes());
    out.extend_from_slice(value);
}

/// Cuts `s` to at most `max` bytes at a character boundary (IIM's dataset limits).
fn cut(s: &str, max: usize) -> &[u8] {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s.as_bytes()[..end]
}

/// The APP13 payload of a rendition: UTF-8 records for caption, by-line, credit, copyright
/// and keywords, inside a Photoshop resource block.
pub fn segment(meta: &PictureMeta) -> Vec<u8> {
    let mut recs = Vec::new();
    dataset(&mut recs, 1, 90, b"\x1b%G");
    dataset(&mut recs, 2, 0, &[0, 4]);
    if let Some(v) = &meta.caption {
        dataset(&mut recs, 2, 120, cut(v, 2000));
    }
    if let Some(v) = &meta.byline {
        dataset(&mut recs, 2, 80, cut(v, 32));
    }
    if let Some(v) = &meta.credit {
        dataset(&mut recs, 2, 110, cut(v, 32));
    }
    if let Some(v) = &meta.copyright {
        dataset(&mut recs, 2, 116, cut(v, 128));
    }
    for k in meta.keywords.iter().take(50) {
        dataset(&mut recs, 2, 25, cut(k, 64));
    }
    let mut out = PHOTOSHOP_ID.to_vec();
    out.extend_from_slice(b"8BIM");
    out.extend_from_slice(&0x0404u16.to_be_bytes());
    out.extend_from_slice(&[0, 0]); // empty name, padded
    out.extend_from_slice(&(recs.len() as u32).to_be_bytes());
    out.extend_from_slice(&recs);
    if recs.len() % 2 == 1 {
        out.push(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_reads_back() {
        let meta = PictureMeta {
            caption: Some("Paso fronterizo al atardecer".into()),
            byline: Some("Ana Ruiz".into()),
            credit: Some("Agencia".into()),
            copyright: Some("© 2026 Agencia".into()),
            keywords: vec!["frontera".into()],
            ..PictureMeta::default()
        };
        let back = read(&segment(&meta));
        assert_eq!(back.meta.caption, meta.caption);
        assert_eq!(back.meta.byline, meta.byline);
        assert_eq!(back.meta.credit, meta.credit);
        assert_eq!(back.meta.copyright, meta.copyright);
        assert_eq!(back.meta.keywords, meta.keywords);
    }

    #[test]
    fn latin1_without_the_utf8_marker_and_dates() {
        let mut recs = Vec::new();
        dataset(&mut recs, 2, 120, b"Le\xf3n");
        dataset(&mut recs, 2, 55, b"20260314");
        dataset(&mut recs, 2, 60, b"183000-0600");
        let r = read(&recs);
        assert_eq!(r.meta.caption.as_deref(), Some("León"));
        assert_eq!(
            r.meta.taken_at.as_deref(),
            Some("2026-03-14T18:30:00-06:00")
        );
    }

    #[test]
    fn truncated_or_lying_blocks_read_as_nothing() {
        let mut s = segment(&PictureMeta {
            caption: Some("x".into()),
            ..PictureMeta::default()
        });
        // Positive control first: the whole block reads.
        assert_eq!(read(&s).meta.caption.as_deref(), Some("x"));
        let n = s.len();
        s.truncate(n - 3);
        assert_eq!(read(&s), Read::default());
        let mut lying = PHOTOSHOP_ID.to_vec();
        lying.extend_from_slice(b"8BIM\x04\x04\x00\x00\xff\xff\xff\xff");
        assert_eq!(read(&lying), Read::default());
    }
}
