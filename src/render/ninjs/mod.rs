//! IPTC ninjs: one model of a news item ([`item::Item`]), built from an article or a picture
//! and rendered per version: 2.1 (the default), 3.1 (`?ninjs=3.1`, camelCase) and 1.6
//! (`?ninjs=1.6`, for 1.x readers such as Superdesk's ingest, which cannot read 2.x).

mod item;
mod v1;
mod v2;

use crate::config::Config;
use crate::model::{Article, Picture};
use item::Item;

/// The ninjs versions wirefeed writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NinjsVersion {
    /// IPTC ninjs 1.6.
    V1_6,
    /// IPTC ninjs 2.1: the default.
    V2_1,
    /// IPTC ninjs 3.1.
    V3_1,
}

impl NinjsVersion {
    /// The version as `?ninjs=` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            NinjsVersion::V1_6 => "1.6",
            NinjsVersion::V2_1 => "2.1",
            NinjsVersion::V3_1 => "3.1",
        }
    }
}

fn render(item: &Item, version: NinjsVersion) -> String {
    let doc = match version {
        NinjsVersion::V1_6 => v1::document(item),
        NinjsVersion::V2_1 => v2::document(item, &v2::V2_1),
        NinjsVersion::V3_1 => v2::document(item, &v2::V3_1),
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("a JSON value always serialises");
    out.push('\n');
    out
}

/// One article (or its kill notice) as a ninjs document. `token`: the `?token=` a restricted
/// document read without headers carries into its pictures' rendition links.
pub fn ninjs(config: &Config, a: &Article, version: NinjsVersion, token: Option<&str>) -> String {
    render(&Item::article(config, a, token), version)
}

/// `/media/{id}.json`: a picture as a ninjs document (`type: picture`); `token` as above.
pub fn ninjs_picture(
    config: &Config,
    p: &Picture,
    version: NinjsVersion,
    token: Option<&str>,
) -> String {
    render(&Item::picture(config, p, token), version)
}
