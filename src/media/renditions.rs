//! Renditions: decode once (pure-Rust decoders, dimensions checked before any pixel is
//! allocated), apply the EXIF orientation, flatten transparency onto white, convert to sRGB,
//! then resize with SIMD convolution (each size from the next larger one) and encode JPEG with
//! the picture's metadata (XMP and IIM) written in. GPS never goes in unless kept on purpose.

use super::probe::Kind;
use super::{MediaError, embedded, iim, xmp};
use crate::model::{PictureMeta, RENDITIONS};
use fast_image_resize as fr;
use image::{DynamicImage, ImageDecoder, RgbImage};

/// What rendering needs to know.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Refuse images with more pixels than this (before decoding them).
    pub max_pixels: u64,
    /// Keep the EXIF GPS position (in XMP) in renditions.
    pub keep_gps: bool,
    /// JPEG quality of the resized renditions.
    pub quality: u8,
}

/// One rendition's bytes.
#[derive(Debug, Clone)]
pub struct Made {
    /// `thumbnail`, `web`, `large` or `original`.
    pub name: &'static str,
    /// `image/jpeg` or `image/webp`.
    pub media_type: &'static str,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// The file.
    pub bytes: Vec<u8>,
}

/// A decoded upload: oriented sRGB pixels, and what the file said about itself.
pub struct Decoded {
    /// The picture as it should be seen.
    pub rgb: RgbImage,
    /// Metadata embedded in the file.
    pub embedded: embedded::Embedded,
    /// The upload can be its own `original` with only its metadata rewritten: a JPEG already
    /// upright and in sRGB (no re-encoding, no generation loss).
    pub original_as_is: bool,
    /// The upload is a WebP: its renditions are made as WebP too; `webp_as_is` when it is
    /// upright and in sRGB (its own WebP `original`, metadata rewritten).
    pub webp: bool,
    /// See `webp`.
    pub webp_as_is: bool,
}

fn undecodable(e: image::ImageError) -> MediaError {
    match e {
        image::ImageError::Limits(l) => MediaError::TooManyPixels(format!(
            "decoding the image would need more memory than a picture may use ({l})"
        )),
        image::ImageError::Unsupported(u) => MediaError::Invalid(format!(
            "the image uses a feature wirefeed cannot read: {u}"
        )),
        e => MediaError::Invalid(format!("the image does not decode: {e}")),
    }
}

/// Decodes an upload that [`super::probe::check`] passed.
pub fn decode(bytes: &[u8], kind: Kind, s: &Settings) -> Result<Decoded, MediaError> {
    let mut reader =
        image::ImageReader::with_format(std::io::Cursor::new(bytes), kind.image_format());
    let mut limits = image::Limits::default();
    // RGBA at 8 bits, and room for the decoder's own buffers.
    limits.max_alloc = Some((s.max_pixels * 5).max(64 << 20));
    reader.limits(limits);
    let mut dec = reader.into_decoder().map_err(undecodable)?;
    let (w, h) = dec.dimensions();
    if w == 0 || h == 0 {
        return Err(MediaError::Invalid("the image has no pixels".into()));
    }
    if u64::from(w) * u64::from(h) > s.max_pixels {
        return Err(MediaError::TooManyPixels(format!(
            "the image is {w}×{h} ({} megapixels); the most is {} megapixels (media.max_pixels)",
            u64::from(w) * u64::from(h) / 1_000_000,
            s.max_pixels / 1_000_000
        )));
    }
    let icc = dec.icc_profile().ok().flatten();
    let exif = dec.exif_metadata().ok().flatten();
    let xmp_packet = dec.xmp_metadata().ok().flatten();
    let iptc = dec.iptc_metadata().ok().flatten();
    let orientation = dec
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let embedded = embedded::read(exif.as_deref(), xmp_packet.as_deref(), iptc.as_deref())?;
    let mut img = DynamicImage::from_decoder(dec).map_err(undecodable)?;
    img.apply_orientation(orientation);
    let mut rgb = flatten(img);
    let converted = match icc.as_deref() {
        Some(p) => to_srgb(&mut rgb, p),
        None => false,
    };
    let as_is = orientation == image::metadata::Orientation::NoTransforms && !converted;
    Ok(Decoded {
        rgb,
        embedded,
        original_as_is: kind == Kind::Jpeg && as_is,
        webp: kind == Kind::Webp,
        webp_as_is: kind == Kind::Webp && as_is,
    })
}

/// 8-bit RGB; transparent areas shown on white (what a page behind them usually is).
fn flatten(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = RgbImage::new(w, h);
    for (o, p) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(p[3]);
        for c in 0..3 {
            o[c] = ((u16::from(p[c]) * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    out
}

/// Converts pixels described by an RGB ICC profile to sRGB; returns whether anything was done
/// (a profile that is sRGB already, or that cannot be read, leaves them alone).
fn to_srgb(rgb: &mut RgbImage, icc: &[u8]) -> bool {
    use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};
    let Ok(src) = ColorProfile::new_from_slice(icc) else {
        return false;
    };
    if src.color_space != DataColorSpace::Rgb {
        return false;
    }
    let srgb = ColorProfile::new_srgb();
    let near = |a: &moxcms::Xyzd, b: &moxcms::Xyzd| {
        (a.x - b.x).abs() < 0.002 && (a.y - b.y).abs() < 0.002 && (a.z - b.z).abs() < 0.002
    };
    if near(&src.red_colorant, &srgb.red_colorant)
        && near(&src.green_colorant, &srgb.green_colorant)
        && near(&src.blue_colorant, &srgb.blue_colorant)
    {
        return false;
    }
    let Ok(t) =
        src.create_transform_8bit(Layout::Rgb, &srgb, Layout::Rgb, TransformOptions::default())
    else {
        return false;
    };
    let mut out = vec![0u8; rgb.as_raw().len()];
    if t.transform(rgb.as_raw(), &mut out).is_err() {
        return false;
    }
    let (w, h) = rgb.dimensions();
    *rgb = RgbImage::from_raw(w, h, out).expect("same size");
    true
}

fn resize(src: &RgbImage, width: u32) -> Result<RgbImage, MediaError> {
    let (w, h) = src.dimensions();
    let height =
        ((u64::from(h) * u64::from(width) + u64::from(w) / 2) / u64::from(w)).max(1) as u32;
    let from = fr::images::ImageRef::new(w, h, src.as_raw(), fr::PixelType::U8x3)
        .map_err(|e| MediaError::Invalid(format!("resizing: {e}")))?;
    let mut to = fr::images::Image::new(width, height, fr::PixelType::U8x3);
    let opts =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    fr::Resizer::new()
        .resize(&from, &mut to, &opts)
        .map_err(|e| MediaError::Invalid(format!("resizing: {e}")))?;
    Ok(RgbImage::from_raw(width, height, to.into_vec()).expect("same size"))
}

fn encode(img: &RgbImage, quality: u8) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::with_capacity(img.as_raw().len() / 8);
    let mut enc = jpeg_encoder::Encoder::new(&mut out, quality);
    enc.set_progressive(true);
    enc.set_optimized_huffman_tables(true);
    let (w, h) = img.dimensions();
    enc.encode(
        img.as_raw(),
        w as u16,
        h as u16,
        jpeg_encoder::ColorType::Rgb,
    )
    .map_err(|e| MediaError::Invalid(format!("encoding JPEG: {e}")))?;
    Ok(out)
}

/// The metadata segments every rendition carries.
fn segments(meta: &PictureMeta, gps: Option<(f64, f64)>) -> Vec<(u8, Vec<u8>)> {
    let mut x = xmp::JPEG_XMP_ID.to_vec();
    x.extend_from_slice(xmp::packet(meta, gps).as_bytes());
    vec![(0xe1, x), (0xed, iim::segment(meta))]
}

/// Rewrites a JPEG's metadata: EXIF, XMP and IIM (APP1, APP13) are dropped, comments too, and
/// the picture's own XMP and IIM written in after the JFIF header. The image data is not
/// touched. With `keep_exif`, EXIF stays (GPS kept on purpose).
pub fn restamp(
    jpeg: &[u8],
    meta: &PictureMeta,
    gps: Option<(f64, f64)>,
    keep_exif: bool,
) -> Result<Vec<u8>, MediaError> {
    let bad = || MediaError::Invalid("the JPEG's segments cannot be walked".into());
    let mut out = Vec::with_capacity(jpeg.len() + 4096);
    out.extend_from_slice(&[0xff, 0xd8]);
    let mut i = 2;
    let mut inserted = false;
    let insert = |out: &mut Vec<u8>| -> Result<(), MediaError> {
        for (marker, data) in segments(meta, gps) {
            let len = u16::try_from(data.len() + 2).map_err(|_| {
                MediaError::Invalid("the picture's metadata is too long for a JPEG segment".into())
            })?;
            out.extend_from_slice(&[0xff, marker]);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&data);
        }
        Ok(())
    };
    loop {
        if jpeg.get(i) != Some(&0xff) {
            return Err(bad());
        }
        let marker = *jpeg.get(i + 1).ok_or_else(bad)?;
        if marker == 0xff {
            i += 1;
            continue;
        }
        let len = jpeg
            .get(i + 2..i + 4)
            .map(|l| u16::from_be_bytes([l[0], l[1]]) as usize)
            .ok_or_else(bad)?;
        let seg = jpeg.get(i..i + 2 + len).ok_or_else(bad)?;
        let is_app0 = marker == 0xe0;
        if !is_app0 && !inserted {
            insert(&mut out)?;
            inserted = true;
        }
        if marker == 0xda {
            // From the first scan on, the file is copied as it is.
            out.extend_from_slice(&jpeg[i..]);
            return Ok(out);
        }
        let exif = marker == 0xe1 && seg.get(4..10) == Some(b"Exif\0\0");
        let drop = (marker == 0xe1 && !(exif && keep_exif)) || marker == 0xed || marker == 0xfe;
        if !drop {
            out.extend_from_slice(seg);
        }
        i += 2 + len;
    }
}

/// Every rendition of a decoded picture: `thumbnail`, `web` and `large` at most 320, 1024 and
/// 2048 pixels wide (never wider than the picture), and `original` at full size — the upload
/// itself with its metadata rewritten when it is an upright sRGB JPEG, else re-encoded. A WebP
/// upload gets each of them as WebP as well, after the JPEG ones (same names, `image/webp`).
pub fn make(
    upload: &[u8],
    d: &Decoded,
    meta: &PictureMeta,
    s: &Settings,
) -> Result<Vec<Made>, MediaError> {
    let gps = if s.keep_gps { d.embedded.gps } else { None };
    let (w, h) = d.rgb.dimensions();
    let mut out = Vec::with_capacity(RENDITIONS.len() * 2);
    let mut webps = Vec::new();
    // Largest first, each from the one before: the big convolution runs once.
    let mut source: Option<RgbImage> = None;
    for (name, max) in RENDITIONS.iter().rev() {
        let Some(max) = max else { continue };
        let from = source.as_ref().unwrap_or(&d.rgb);
        let img = if from.width() > *max {
            resize(from, *max)?
        } else {
            from.clone()
        };
        let bytes = restamp(&encode(&img, s.quality)?, meta, gps, false)?;
        out.push(Made {
            name,
            media_type: "image/jpeg",
            width: img.width(),
            height: img.height(),
            bytes,
        });
        if d.webp {
            webps.push(Made {
                name,
                media_type: "image/webp",
                width: img.width(),
                height: img.height(),
                bytes: super::webp::encode(&img, s.quality, meta, gps)?,
            });
        }
        source = Some(img);
    }
    out.reverse();
    webps.reverse();
    let original = if d.original_as_is {
        restamp(upload, meta, gps, s.keep_gps)?
    } else {
        restamp(&encode(&d.rgb, s.quality.max(92))?, meta, gps, false)?
    };
    out.push(Made {
        name: "original",
        media_type: "image/jpeg",
        width: w,
        height: h,
        bytes: original,
    });
    if d.webp {
        let original = if d.webp_as_is {
            super::webp::restamp(upload, meta, gps, s.keep_gps)?
        } else {
            super::webp::encode(&d.rgb, s.quality.max(92), meta, gps)?
        };
        webps.push(Made {
            name: "original",
            media_type: "image/webp",
            width: w,
            height: h,
            bytes: original,
        });
    }
    out.extend(webps);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            max_pixels: 100_000_000,
            keep_gps: false,
            quality: 85,
        }
    }

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        encode(&img, 90).unwrap()
    }

    #[test]
    fn sizes_are_capped_never_upscaled_and_carry_the_metadata() {
        let up = jpeg(1500, 1000);
        let d = decode(&up, Kind::Jpeg, &settings()).unwrap();
        let meta = PictureMeta {
            credit: Some("Agencia".into()),
            copyright: Some("© Agencia".into()),
            ..PictureMeta::default()
        };
        let made = make(&up, &d, &meta, &settings()).unwrap();
        let sizes: Vec<(&str, u32, u32)> =
            made.iter().map(|m| (m.name, m.width, m.height)).collect();
        assert_eq!(
            sizes,
            vec![
                ("thumbnail", 320, 213),
                ("web", 1024, 683),
                ("large", 1500, 1000),
                ("original", 1500, 1000)
            ]
        );
        for m in &made {
            let back = decode(&m.bytes, Kind::Jpeg, &settings()).unwrap();
            assert_eq!(
                back.embedded.meta.credit.as_deref(),
                Some("Agencia"),
                "{}",
                m.name
            );
            assert_eq!(back.embedded.meta.copyright.as_deref(), Some("© Agencia"));
            super::super::probe::check(&m.bytes, Kind::Jpeg).unwrap();
        }
    }

    #[test]
    fn too_many_pixels_is_refused_before_decoding() {
        let up = jpeg(100, 100);
        let s = Settings {
            max_pixels: 9_999,
            ..settings()
        };
        assert!(matches!(
            decode(&up, Kind::Jpeg, &s),
            Err(MediaError::TooManyPixels(_))
        ));
        // Positive control: one pixel more allowed and it decodes.
        let s = Settings {
            max_pixels: 10_000,
            ..settings()
        };
        decode(&up, Kind::Jpeg, &s).unwrap();
    }

    #[test]
    fn transparency_lands_on_white() {
        let mut img = image::RgbaImage::new(4, 4);
        img.put_pixel(0, 0, image::Rgba([0, 0, 0, 255]));
        let rgb = flatten(DynamicImage::ImageRgba8(img));
        assert_eq!(rgb.get_pixel(0, 0).0, [0, 0, 0]);
        assert_eq!(rgb.get_pixel(3, 3).0, [255, 255, 255]);
    }
}
