//! A rendered document: its body, validators, header values formatted once, and its
//! compressed variants, made once each.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use std::io::Write;
use std::sync::OnceLock;

/// The surrogate key on every document a shared cache may keep: purging it drops them all.
pub const SURROGATE_ALL: &str = "wirefeed";

/// A content coding the server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// As rendered.
    Identity = 0,
    /// gzip (RFC 1952).
    Gzip = 1,
    /// Brotli (RFC 7932).
    Brotli = 2,
}

impl Encoding {
    /// What this coding adds to the document's entity tag.
    fn etag_suffix(self) -> &'static str {
        match self {
            Self::Identity => "",
            Self::Gzip => "-gz",
            Self::Brotli => "-br",
        }
    }

    /// The `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Gzip => "gzip",
            Self::Brotli => "br",
        }
    }
}

/// One rendered document with everything needed to answer for it.
#[derive(Debug, Clone)]
pub struct Representation {
    /// The body, as rendered.
    pub body: Bytes,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
    /// Hash of the body: the strong validator, whatever the coding (see [`Self::etag`]).
    hash: String,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Latest change of what the document shows, for `Last-Modified`.
    pub last_modified: DateTime<Utc>,
    /// Links for the `Link` header: (relation, absolute URL), `self` first.
    pub links: Vec<(&'static str, String)>,
    /// Unix time when the document goes stale by itself (the next embargo lift in it).
    pub expires_at: Option<i64>,
    /// The status it is served with (200, or 410 for a kill notice page).
    pub status: u16,
    /// The request headers the body depends on, for `Vary` (pages chosen by `Accept-Language`
    /// add it).
    pub vary: &'static str,
    /// Change-log scopes and the sequence numbers this document was rendered at.
    pub(super) deps: Vec<(String, i64)>,
    /// Header values formatted once, since a page is served many times: the quoted entity
    /// tag per coding, the HTTP-date of `last_modified`, and the `Link` header.
    pub header_values: HeaderValues,
}

/// Response header values of a [`Representation`], ready to send.
#[derive(Debug, Clone)]
pub struct HeaderValues {
    /// `"tag"`, `"tag-gz"`, `"tag-br"`.
    etags: [Bytes; 3],
    /// `Last-Modified` (IMF-fixdate, RFC 9110 §5.6.7).
    pub last_modified: Bytes,
    /// `Link: <url>; rel="self", …`.
    pub link: Bytes,
    /// `Surrogate-Key` (space-separated) and `Cache-Tag` (comma-separated): the change-log
    /// scopes the document depends on, so that a shared cache can drop exactly the pages a
    /// change touches. `None` for a document no shared cache should index.
    pub surrogate_keys: Option<(Bytes, Bytes)>,
}

impl HeaderValues {
    /// The quoted entity tag of the body in `encoding`.
    pub fn etag(&self, encoding: Encoding) -> Bytes {
        self.etags[encoding as usize].clone()
    }
}

impl Representation {
    /// Wraps a rendered body.
    pub fn new(
        body: String,
        content_type: &'static str,
        last_modified: DateTime<Utc>,
        links: Vec<(&'static str, String)>,
    ) -> Self {
        // XXH3-128 of the body, seeded with its type and length: stable across builds, processes
        // and machines (an entity tag must not change when nothing did), and fast enough that a
        // 200 KB page costs about 10 µs (byte-wise FNV-1a took 20 times that).
        let seed = crate::text::fnv1a(format!("{content_type}{}", body.len()).as_bytes());
        let h = xxhash_rust::xxh3::xxh3_128_with_seed(body.as_bytes(), seed);
        let hash = format!("{:016x}{:08x}", (h >> 64) as u64, h as u32);
        let header_values = HeaderValues {
            etags: [Encoding::Identity, Encoding::Gzip, Encoding::Brotli]
                .map(|e| Bytes::from(format!("\"{hash}{}\"", e.etag_suffix()))),
            last_modified: Bytes::from(
                last_modified
                    .format("%a, %d %b %Y %H:%M:%S GMT")
                    .to_string(),
            ),
            link: Bytes::from(
                links
                    .iter()
                    .map(|(rel, url)| format!("<{url}>; rel=\"{rel}\""))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            surrogate_keys: None,
        };
        Representation {
            header_values,
            hash,
            body: Bytes::from(body),
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
            content_type,
            last_modified,
            links,
            expires_at: None,
            status: 200,
            vary: "Accept-Encoding",
            deps: Vec::new(),
        }
    }

    /// Names the scopes this document depends on as its surrogate keys; every one also carries
    /// [`SURROGATE_ALL`] (purge everything).
    pub fn set_surrogate_keys<'a>(&mut self, scopes: impl IntoIterator<Item = &'a str>) {
        let keys: Vec<&str> = std::iter::once(SURROGATE_ALL).chain(scopes).collect();
        self.header_values.surrogate_keys =
            Some((Bytes::from(keys.join(" ")), Bytes::from(keys.join(","))));
    }

    /// Records the scopes (and sequence numbers) the document was rendered at; they are also
    /// its surrogate keys.
    pub(super) fn set_deps(&mut self, deps: Vec<(String, i64)>) {
        self.set_surrogate_keys(deps.iter().map(|(s, _)| s.as_str()));
        self.deps = deps;
    }

    /// The hash of the body (what entity tags are made of).
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// Whether the body's hash is `hash`.
    pub fn same_hash(&self, hash: &str) -> bool {
        self.hash == hash
    }

    /// Whether two documents have the same bytes.
    pub fn same_body(&self, other: &Representation) -> bool {
        self.hash == other.hash
    }

    /// Replaces `Last-Modified` (validators must move forward even when the data's own dates
    /// do not: two changes within one second).
    pub fn set_last_modified(&mut self, t: DateTime<Utc>) {
        self.last_modified = t;
        self.header_values.last_modified =
            Bytes::from(t.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    }

    /// The strong entity tag (without quotes) of the body in `encoding`: each coding is its own
    /// representation (RFC 9110 §8.8.3), so they carry different tags.
    pub fn etag(&self, encoding: Encoding) -> String {
        format!("{}{}", self.hash, encoding.etag_suffix())
    }

    /// Whether `tag` (unquoted) is this document's tag in `encoding`: validators are compared
    /// with the representation the request selects (RFC 9110 §13.1.2).
    pub fn matches(&self, tag: &str, encoding: Encoding) -> bool {
        tag.strip_prefix(self.hash.as_str()) == Some(encoding.etag_suffix())
    }

    /// Whether the body in `encoding` is ready (compressing it may take a moment).
    pub fn is_encoded(&self, encoding: Encoding) -> bool {
        match encoding {
            Encoding::Identity => true,
            Encoding::Gzip => self.gzip.get().is_some(),
            Encoding::Brotli => self.brotli.get().is_some(),
        }
    }

    /// The body in `encoding`, compressed on first use and kept.
    pub fn encoded(&self, encoding: Encoding) -> Bytes {
        match encoding {
            Encoding::Identity => self.body.clone(),
            Encoding::Gzip => self
                .gzip
                .get_or_init(|| {
                    let mut e = flate2::write::GzEncoder::new(
                        Vec::with_capacity(self.body.len() / 3),
                        flate2::Compression::new(6),
                    );
                    e.write_all(&self.body)
                        .expect("writing to a Vec cannot fail");
                    Bytes::from(e.finish().expect("writing to a Vec cannot fail"))
                })
                .clone(),
            Encoding::Brotli => self
                .brotli
                .get_or_init(|| {
                    let mut out = Vec::with_capacity(self.body.len() / 4);
                    {
                        let mut w = brotli::CompressorWriter::new(&mut out, 8192, 5, 22);
                        w.write_all(&self.body)
                            .expect("writing to a Vec cannot fail");
                    }
                    Bytes::from(out)
                })
                .clone(),
        }
    }

    /// Bytes it may hold once compressed both ways (an estimate: compressed variants are small).
    pub(super) fn weight(&self) -> usize {
        self.body.len() * 3 / 2 + 512
    }
}

/// A document of `body` dated 1970, for tests.
#[cfg(test)]
pub(super) fn sample(body: &str) -> std::sync::Arc<Representation> {
    std::sync::Arc::new(Representation::new(
        body.to_owned(),
        "text/plain",
        DateTime::from_timestamp(0, 0).unwrap(),
        vec![],
    ))
}

#[cfg(test)]
mod tests {
    use super::sample as rep;
    use super::*;

    #[test]
    fn etags_differ_by_coding_and_match_only_their_own() {
        let r = rep("hello");
        let codings = [Encoding::Identity, Encoding::Gzip, Encoding::Brotli];
        for a in codings {
            for b in codings {
                assert_eq!(r.matches(&r.etag(a), b), a == b);
            }
        }
        assert!(!r.matches("nope", Encoding::Identity));
        assert_ne!(
            rep("hello").etag(Encoding::Identity),
            rep("hellO").etag(Encoding::Identity)
        );
    }
}
