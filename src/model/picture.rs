//! Pictures (docs/api.md, Pictures): items of their own that articles point at, with IPTC photo
//! metadata and renditions made by the server.

use super::{ArticleId, PubStatus};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A picture id: the same rules as an article id, `[A-Za-z0-9._-]{1,128}`.
pub type PictureId = ArticleId;

/// What a picture says about itself (IPTC Photo Metadata, as the API names it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PictureMeta {
    /// Plain-text caption (IPTC Description).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Alternative text for readers who cannot see the picture (IPTC Alt Text (Accessibility)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alt_text: Option<String>,
    /// Credit line (IPTC Credit Line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
    /// Photographer (IPTC Creator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// Copyright notice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copyright: Option<String>,
    /// Rights usage terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_terms: Option<String>,
    /// BCP 47 language of the caption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// When the picture was taken (IPTC Date Created), RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<String>,
    /// Where it was taken, as a dateline (`Tegucigalpa`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dateline: Option<String>,
    /// Keywords.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
}

/// The rendition names the server makes, smallest first, with the width each is held to.
pub const RENDITIONS: [(&str, Option<u32>); 4] = [
    ("thumbnail", Some(320)),
    ("web", Some(1024)),
    ("large", Some(2048)),
    ("original", None),
];

/// One stored image of a picture: exact bytes, named by their SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Rendition {
    /// `thumbnail`, `web`, `large` or `original`.
    pub name: String,
    /// `image/jpeg` or `image/webp`.
    pub media_type: String,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// Size of the file.
    pub bytes: u64,
    /// SHA-256 of the file, lowercase hex: its name on disk and part of its URL.
    pub sha256: String,
}

impl Rendition {
    /// The file extension of its media type.
    pub fn extension(&self) -> &'static str {
        if self.media_type == "image/webp" {
            "webp"
        } else {
            "jpg"
        }
    }

    /// What its URL carries of the hash: enough to tell one picture's versions apart forever.
    pub fn tag(&self) -> &str {
        &self.sha256[..16]
    }
}

/// A picture as stored: its current version.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// Stable id.
    pub id: PictureId,
    /// Current version, from 1: a new image or new metadata makes a new one.
    pub version: u32,
    /// `usable` or `canceled` (killed).
    pub status: PubStatus,
    /// The metadata as it stands (given, or read from the file).
    pub meta: PictureMeta,
    /// Which metadata fields were read from the file rather than given.
    pub from_file: Vec<String>,
    /// The renditions, smallest first (a WebP original follows its JPEG).
    pub renditions: Vec<Rendition>,
    /// SHA-256 of the file as uploaded (kept, never served).
    pub source_sha256: String,
    /// Media type of the upload.
    pub source_type: String,
    /// First stored.
    pub created_at: DateTime<Utc>,
    /// When this server last changed it (milliseconds): its validators follow this.
    pub changed_at: DateTime<Utc>,
    /// When it was killed.
    pub canceled_at: Option<DateTime<Utc>>,
}

impl Picture {
    /// The entity tag (unquoted) of this picture's state.
    pub fn etag(&self) -> String {
        let state = format!(
            "{}|{}|{}|{}",
            self.id,
            self.version,
            self.status.as_str(),
            self.changed_at.timestamp_millis()
        );
        format!(
            "p{}-{:016x}",
            self.version,
            crate::text::fnv1a(state.as_bytes())
        )
    }

    /// One rendition by name (the JPEG one where there are two).
    pub fn rendition(&self, name: &str) -> Option<&Rendition> {
        self.renditions.iter().find(|r| r.name == name)
    }

    /// The rendition a URL names: its name, hash tag and extension must all match.
    pub fn rendition_at(&self, name: &str, tag: &str, ext: &str) -> Option<&Rendition> {
        self.renditions
            .iter()
            .find(|r| r.name == name && r.tag() == tag && r.extension() == ext)
    }

    /// The metadata that was given rather than read from the file.
    pub fn given(&self) -> PictureMeta {
        let mut m = self.meta.clone();
        let from = |f: &str| self.from_file.iter().any(|x| x == f);
        for (name, slot) in [
            ("caption", &mut m.caption),
            ("alt_text", &mut m.alt_text),
            ("credit", &mut m.credit),
            ("byline", &mut m.byline),
            ("copyright", &mut m.copyright),
            ("usage_terms", &mut m.usage_terms),
            ("taken_at", &mut m.taken_at),
            ("dateline", &mut m.dateline),
        ] {
            if from(name) {
                *slot = None;
            }
        }
        if from("keywords") {
            m.keywords.clear();
        }
        m
    }

    /// Whether it may be attached to a usable article: caption and alt text are known.
    pub fn missing_for_use(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.meta.caption.as_deref().is_none_or(str::is_empty) {
            out.push("caption");
        }
        if self.meta.alt_text.as_deref().is_none_or(str::is_empty) {
            out.push("alt_text");
        }
        out
    }
}

/// An article's pointer at a picture, with the caption this story gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediaRef {
    /// The picture.
    pub id: PictureId,
    /// A caption for this story only (else the picture's own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// An image file named by an article file, with the metadata the article gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    /// Path relative to the article file.
    pub file: String,
    /// Metadata given in the article file (the file's own fills the rest).
    pub meta: PictureMeta,
}

/// A picture as one article shows it: usable pictures only, in the article's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// The picture.
    pub picture: Picture,
    /// The caption this story gives it (its own, or the picture's).
    pub caption: String,
}

impl Shown {
    /// The alternative text.
    pub fn alt(&self) -> &str {
        self.picture.meta.alt_text.as_deref().unwrap_or("")
    }

    /// `credit`, else the photographer: what a credit line shows.
    pub fn credit(&self) -> Option<&str> {
        self.picture
            .meta
            .credit
            .as_deref()
            .or(self.picture.meta.byline.as_deref())
    }
}
