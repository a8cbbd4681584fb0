//! WebP renditions of WebP uploads (contract §13: "JPEG, or WebP as well where the original is
//! WebP"): lossy encoding by libwebp (the `webp` crate; the `image` crate only writes lossless
//! WebP, several times larger for photographs), and the RIFF container rewritten so that every
//! file carries the picture's XMP (credit, copyright) in an extended (`VP8X`) header, and no
//! EXIF (so no GPS) unless asked.

use super::MediaError;
use super::xmp;
use crate::model::PictureMeta;
use image::RgbImage;

/// `VP8X` flags (WebP container specification, "Extended File Format").
const FLAG_XMP: u8 = 0x04;
const FLAG_EXIF: u8 = 0x08;
const FLAG_ALPHA: u8 = 0x10;
const FLAG_ICC: u8 = 0x20;

fn bad(why: &str) -> MediaError {
    MediaError::Invalid(format!("the WebP's chunks cannot be walked: {why}"))
}

/// Encodes pixels as a lossy WebP at `quality` (0–100) with the picture's metadata.
pub fn encode(
    img: &RgbImage,
    quality: u8,
    meta: &PictureMeta,
    gps: Option<(f64, f64)>,
) -> Result<Vec<u8>, MediaError> {
    let (w, h) = img.dimensions();
    if w > 16383 || h > 16383 {
        return Err(MediaError::Invalid(format!(
            "a WebP is at most 16383 pixels a side; this picture is {w}×{h}"
        )));
    }
    let out = ::webp::Encoder::from_rgb(img.as_raw(), w, h).encode(f32::from(quality));
    restamp(&out, meta, gps, false)
}

/// One RIFF chunk: its four-character code and payload.
struct Chunk<'a> {
    fourcc: [u8; 4],
    data: &'a [u8],
}

/// The chunks of a WebP file, checked against its RIFF header.
fn chunks(file: &[u8]) -> Result<Vec<Chunk<'_>>, MediaError> {
    if file.len() < 12 || &file[..4] != b"RIFF" || &file[8..12] != b"WEBP" {
        return Err(bad("no RIFF WEBP header"));
    }
    let size = u32::from_le_bytes(file[4..8].try_into().expect("4 bytes")) as usize;
    let end = size
        .checked_add(8)
        .filter(|&e| e <= file.len())
        .ok_or_else(|| bad("short file"))?;
    let mut out = Vec::new();
    let mut i = 12;
    while i < end {
        let head = file
            .get(i..i + 8)
            .ok_or_else(|| bad("a chunk header is cut"))?;
        let len = u32::from_le_bytes(head[4..8].try_into().expect("4 bytes")) as usize;
        let data = file
            .get(i + 8..i + 8 + len)
            .filter(|_| i + 8 + len <= end)
            .ok_or_else(|| bad("a chunk runs past the file"))?;
        out.push(Chunk {
            fourcc: head[..4].try_into().expect("4 bytes"),
            data,
        });
        i += 8 + len + (len & 1);
    }
    Ok(out)
}

/// The canvas size of a WebP's image data (`VP8 ` or `VP8L` bitstream, or a `VP8X` header).
fn canvas(chunks: &[Chunk<'_>]) -> Result<(u32, u32), MediaError> {
    for c in chunks {
        let d = c.data;
        match &c.fourcc {
            b"VP8X" if d.len() >= 10 => {
                let w = u32::from_le_bytes([d[4], d[5], d[6], 0]) + 1;
                let h = u32::from_le_bytes([d[7], d[8], d[9], 0]) + 1;
                return Ok((w, h));
            }
            // Key frame: 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height.
            b"VP8 " if d.len() >= 10 && d[3..6] == [0x9d, 0x01, 0x2a] => {
                let w = u32::from(u16::from_le_bytes([d[6], d[7]]) & 0x3fff);
                let h = u32::from(u16::from_le_bytes([d[8], d[9]]) & 0x3fff);
                return Ok((w, h));
            }
            // Signature 0x2f, then 14-bit width − 1 and height − 1.
            b"VP8L" if d.len() >= 5 && d[0] == 0x2f => {
                let bits = u32::from_le_bytes([d[1], d[2], d[3], d[4]]);
                return Ok(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1));
            }
            _ => {}
        }
    }
    Err(bad("no image data"))
}

/// Rewrites a still WebP's metadata: EXIF (unless `keep_exif`) and XMP are dropped and the
/// picture's own XMP written in an extended header; the image data (and any ICC profile and
/// alpha) is not touched.
pub fn restamp(
    file: &[u8],
    meta: &PictureMeta,
    gps: Option<(f64, f64)>,
    keep_exif: bool,
) -> Result<Vec<u8>, MediaError> {
    let all = chunks(file)?;
    let (w, h) = canvas(&all)?;
    let kept: Vec<&Chunk<'_>> = all
        .iter()
        .filter(|c| match &c.fourcc {
            b"VP8X" | b"XMP " => false,
            b"EXIF" => keep_exif,
            _ => true,
        })
        .collect();
    let xmp = xmp::packet(meta, gps);
    let mut flags = FLAG_XMP;
    for c in &kept {
        flags |= match &c.fourcc {
            b"EXIF" => FLAG_EXIF,
            b"ALPH" => FLAG_ALPHA,
            b"ICCP" => FLAG_ICC,
            _ => 0,
        };
    }
    let mut vp8x = [0u8; 10];
    vp8x[0] = flags;
    vp8x[4..7].copy_from_slice(&(w - 1).to_le_bytes()[..3]);
    vp8x[7..10].copy_from_slice(&(h - 1).to_le_bytes()[..3]);
    // Order (specification): VP8X, ICCP, ANIM/image data with ALPH, then EXIF and XMP.
    let mut ordered: Vec<(&[u8; 4], &[u8])> = vec![(b"VP8X", &vp8x)];
    ordered.extend(
        kept.iter()
            .filter(|c| &c.fourcc == b"ICCP")
            .map(|c| (&c.fourcc, c.data)),
    );
    ordered.extend(
        kept.iter()
            .filter(|c| !matches!(&c.fourcc, b"ICCP" | b"EXIF"))
            .map(|c| (&c.fourcc, c.data)),
    );
    ordered.extend(
        kept.iter()
            .filter(|c| &c.fourcc == b"EXIF")
            .map(|c| (&c.fourcc, c.data)),
    );
    ordered.push((b"XMP ", xmp.as_bytes()));
    let mut out = Vec::with_capacity(file.len() + xmp.len() + 64);
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    for (fourcc, data) in ordered {
        let len = u32::try_from(data.len()).map_err(|_| bad("a chunk is over 4 GiB"))?;
        out.extend_from_slice(fourcc);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(data);
        if data.len() % 2 == 1 {
            out.push(0);
        }
    }
    let riff = u32::try_from(out.len() - 8).map_err(|_| bad("the file is over 4 GiB"))?;
    out[4..8].copy_from_slice(&riff.to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> PictureMeta {
        PictureMeta {
            credit: Some("Agencia".into()),
            copyright: Some("© Agencia".into()),
            ..PictureMeta::default()
        }
    }

    #[test]
    fn an_encoded_webp_decodes_at_its_size_with_the_picture_s_xmp() {
        let img = RgbImage::from_fn(301, 200, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let file = encode(&img, 80, &meta(), None).unwrap();
        super::super::probe::check(&file, super::super::probe::Kind::Webp).unwrap();
        let back = image::load_from_memory_with_format(&file, image::ImageFormat::WebP).unwrap();
        assert_eq!((back.width(), back.height()), (301, 200));
        let all = chunks(&file).unwrap();
        let codes: Vec<&[u8; 4]> = all.iter().map(|c| &c.fourcc).collect();
        assert_eq!(codes, [b"VP8X", b"VP8 ", b"XMP "]);
        let read = xmp::read(all[2].data).unwrap();
        assert_eq!(read.meta.credit.as_deref(), Some("Agencia"));
        assert_eq!(read.meta.copyright.as_deref(), Some("© Agencia"));
    }

    #[test]
    fn restamping_drops_exif_unless_kept_and_replaces_the_xmp() {
        let img = RgbImage::from_pixel(16, 9, image::Rgb([10, 20, 30]));
        let plain = ::webp::Encoder::from_rgb(img.as_raw(), 16, 9).encode(75.0);
        // A file with an EXIF chunk (the positive control: it is there before the restamp).
        let mut with_exif = plain.to_vec();
        with_exif.extend_from_slice(b"EXIF\x03\0\0\0abc\0");
        let riff = (with_exif.len() - 8) as u32;
        with_exif[4..8].copy_from_slice(&riff.to_le_bytes());
        assert!(
            chunks(&with_exif)
                .unwrap()
                .iter()
                .any(|c| &c.fourcc == b"EXIF")
        );
        let dropped = restamp(&with_exif, &meta(), None, false).unwrap();
        assert!(
            !chunks(&dropped)
                .unwrap()
                .iter()
                .any(|c| &c.fourcc == b"EXIF")
        );
        let kept = restamp(&with_exif, &meta(), None, true).unwrap();
        let kept_chunks = chunks(&kept).unwrap();
        assert!(kept_chunks.iter().any(|c| &c.fourcc == b"EXIF"));
        assert_eq!(kept_chunks[0].data[0] & FLAG_EXIF, FLAG_EXIF);
        // Restamping twice leaves one XMP chunk.
        let twice = restamp(&dropped, &meta(), None, false).unwrap();
        let n = chunks(&twice)
            .unwrap()
            .iter()
            .filter(|c| &c.fourcc == b"XMP ")
            .count();
        assert_eq!(n, 1);
        assert_eq!(canvas(&chunks(&twice).unwrap()).unwrap(), (16, 9));
        image::load_from_memory_with_format(&twice, image::ImageFormat::WebP).unwrap();
    }

    #[test]
    fn a_broken_container_is_refused() {
        assert!(restamp(b"RIFF\x10\0\0\0WEBPVP8 \xff\0\0\0", &meta(), None, false).is_err());
        assert!(restamp(b"not a webp", &meta(), None, false).is_err());
    }
}
