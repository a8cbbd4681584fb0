//! What an upload is, before a pixel is decoded: its type from its first bytes (which must be
//! the type it claims), its structure walked to the end (nothing may follow the image: a
//! polyglot is refused), animation, and its dimensions from the header.

use super::MediaError;

/// The image types wirefeed takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// JPEG (JFIF/EXIF).
    Jpeg,
    /// PNG.
    Png,
    /// WebP (RIFF).
    Webp,
}

impl Kind {
    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Webp => "image/webp",
        }
    }

    /// From a `Content-Type` value (parameters ignored); `None` for any other type.
    pub fn from_media_type(t: &str) -> Option<Kind> {
        match t.split(';').next()?.trim().to_ascii_lowercase().as_str() {
            "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(Kind::Jpeg),
            "image/png" => Some(Kind::Png),
            "image/webp" => Some(Kind::Webp),
            _ => None,
        }
    }

    /// From the first bytes.
    pub fn sniff(b: &[u8]) -> Option<Kind> {
        if b.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Kind::Jpeg)
        } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Kind::Png)
        } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
            Some(Kind::Webp)
        } else {
            None
        }
    }

    pub(super) fn image_format(self) -> image::ImageFormat {
        match self {
            Kind::Jpeg => image::ImageFormat::Jpeg,
            Kind::Png => image::ImageFormat::Png,
            Kind::Webp => image::ImageFormat::WebP,
        }
    }
}

/// Checks that `bytes` are one image of the type claimed and nothing else.
pub fn check(bytes: &[u8], claimed: Kind) -> Result<(), MediaError> {
    let actual = Kind::sniff(bytes).ok_or_else(|| {
        MediaError::Invalid(format!(
            "the body is not an image: it does not start like a JPEG, PNG or WebP file (sent as {})",
            claimed.media_type()
        ))
    })?;
    if actual != claimed {
        return Err(MediaError::Invalid(format!(
            "the body is a {} file sent as {}: send it with its own type",
            actual.media_type(),
            claimed.media_type()
        )));
    }
    match actual {
        Kind::Jpeg => jpeg_end(bytes),
        Kind::Png => png_end(bytes),
        Kind::Webp => webp_end(bytes),
    }
}

fn truncated(what: &str) -> MediaError {
    MediaError::Invalid(format!(
        "the {what} file is truncated: it ends before the image does"
    ))
}

fn trailing(what: &str, n: usize) -> MediaError {
    MediaError::Invalid(format!(
        "{n} bytes follow the end of the {what} image: a file with something appended (an archive, a page, a video) is refused; send the image alone"
    ))
}

/// Walks a JPEG's segments and entropy-coded data to its EOI. What follows may only be further
/// JPEG images (a CIPA Multi-Picture file: gain maps, previews) or zero padding.
fn jpeg_end(b: &[u8]) -> Result<(), MediaError> {
    let end = jpeg_eoi(b, 0)?;
    let mut rest = &b[end..];
    while let Some(next) = rest.iter().position(|&x| x != 0) {
        rest = &rest[next..];
        if rest.starts_with(&[0xff, 0xd8, 0xff]) {
            let e = jpeg_eoi(rest, 0).map_err(|_| trailing("JPEG", rest.len()))?;
            rest = &rest[e..];
        } else {
            return Err(trailing("JPEG", rest.len()));
        }
    }
    Ok(())
}

/// The offset just past the EOI marker of the JPEG starting at `start`.
fn jpeg_eoi(b: &[u8], start: usize) -> Result<usize, MediaError> {
    let mut i = start + 2;
    let mut frames = 0;
    loop {
        // Fill bytes (0xff) may precede a marker.
        while b.get(i) == Some(&0xff) && b.get(i + 1) == Some(&0xff) {
            i += 1;
        }
        if b.get(i) != Some(&0xff) {
            return Err(if i >= b.len() {
                truncated("JPEG")
            } else {
                MediaError::Invalid(format!("the JPEG is malformed: no marker at byte {i}"))
            });
        }
        let marker = *b.get(i + 1).ok_or_else(|| truncated("JPEG"))?;
        i += 2;
        match marker {
            0xd9 => {
                if frames == 0 {
                    return Err(MediaError::Invalid("the JPEG has no image frame".into()));
                }
                return Ok(i);
            }
            0x01 | 0xd0..=0xd7 => continue,
            _ => {}
        }
        let len = b
            .get(i..i + 2)
            .map(|l| u16::from_be_bytes([l[0], l[1]]) as usize)
            .ok_or_else(|| truncated("JPEG"))?;
        if len < 2 {
            return Err(MediaError::Invalid(
                "the JPEG is malformed: a segment shorter than its own length field".into(),
            ));
        }
        if i + len > b.len() {
            return Err(truncated("JPEG"));
        }
        if matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
            frames += 1;
        }
        i += len;
        if marker == 0xda {
            // Entropy-coded data: runs to the next marker that is not a stuffed 0xff00 or a
            // restart marker.
            loop {
                let at = b[i..]
                    .iter()
                    .position(|&x| x == 0xff)
                    .ok_or_else(|| truncated("JPEG"))?;
                i += at;
                match b.get(i + 1) {
                    None => return Err(truncated("JPEG")),
                    Some(0x00) | Some(0xd0..=0xd7) | Some(0xff) => i += 1,
                    Some(_) => break,
                }
            }
        }
    }
}

/// Walks a PNG's chunks to IEND; nothing may follow it. An animated PNG is refused.
fn png_end(b: &[u8]) -> Result<(), MediaError> {
    let mut i = 8;
    loop {
        let head = b.get(i..i + 8).ok_or_else(|| truncated("PNG"))?;
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = &head[4..8];
        let end = i
            .checked_add(12)
            .and_then(|x| x.checked_add(len))
            .filter(|&e| e <= b.len())
            .ok_or_else(|| truncated("PNG"))?;
        if kind == b"acTL" {
            return Err(MediaError::Invalid(
                "the PNG is animated (APNG): send a still picture".into(),
            ));
        }
        i = end;
        if kind == b"IEND" {
            return if i == b.len() {
                Ok(())
            } else {
                Err(trailing("PNG", b.len() - i))
            };
        }
    }
}

/// A WebP's RIFF size must cover the file exactly; an animated WebP is refused.
fn webp_end(b: &[u8]) -> Result<(), MediaError> {
    let size = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
    let total = size + 8 + (size % 2);
    if total > b.len() {
        return Err(truncated("WebP"));
    }
    if total < b.len() {
        return Err(trailing("WebP", b.len() - total));
    }
    if b.get(12..16) == Some(b"VP8X") && b.get(20).is_some_and(|flags| flags & 0x02 != 0) {
        return Err(MediaError::Invalid(
            "the WebP is animated: send a still picture".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_pixel(8, 8, image::Rgb([10, 20, 30]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut out)
            .encode_image(&img)
            .unwrap();
        out
    }

    fn tiny_png() -> Vec<u8> {
        let img = image::RgbImage::from_pixel(8, 8, image::Rgb([10, 20, 30]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_whole_image_passes_and_anything_appended_is_refused() {
        let j = tiny_jpeg();
        check(&j, Kind::Jpeg).unwrap();
        let mut zip = j.clone();
        zip.extend_from_slice(b"PK\x03\x04 an archive");
        assert!(
            matches!(check(&zip, Kind::Jpeg), Err(MediaError::Invalid(m)) if m.contains("follow"))
        );
        // A second JPEG after the first (a Multi-Picture file) is fine.
        let mut mpf = j.clone();
        mpf.extend_from_slice(&j);
        check(&mpf, Kind::Jpeg).unwrap();
        let p = tiny_png();
        check(&p, Kind::Png).unwrap();
        let mut html = p.clone();
        html.extend_from_slice(b"<html>");
        assert!(check(&html, Kind::Png).is_err());
    }

    #[test]
    fn truncation_and_a_false_type_are_refused() {
        let j = tiny_jpeg();
        let cut = &j[..j.len() / 2];
        assert!(
            matches!(check(cut, Kind::Jpeg), Err(MediaError::Invalid(m)) if m.contains("truncated"))
        );
        let p = tiny_png();
        assert!(
            matches!(check(&p, Kind::Jpeg), Err(MediaError::Invalid(m)) if m.contains("image/png file sent as image/jpeg"))
        );
        assert!(check(b"hello, world", Kind::Png).is_err());
    }
}
