//! Pure rendering: (feed, articles, now) → document text, one file per format.
//!
//! The only module that uses the feed crates. Every string that goes into XML passes
//! [`xml_clean`], and every body goes through [`body_html`], so escaping lives in one place.

mod atom;
mod g2;
mod jsonfeed;
mod newsml;
mod ninjs;
mod opml;
mod picture;
mod rights;
mod rss;
mod sitemap;
mod subjectcodes;

pub use newsml::news_item;
pub use ninjs::{NinjsVersion, ninjs, ninjs_picture};
pub use opml::opml;
pub use picture::{picture_guid, picture_news_item, with_token};
pub use rights::{picture_usage_terms, rights_line, tdm_headers, tdmrep_json, usage_terms};
pub use sitemap::{
    archive_sitemap, lastmod as sitemap_lastmod, news_sitemap, robots_txt, sitemap_index,
};

use crate::config::{Config, FeedDef, IptcCode, Topic};
use crate::model::rfc3339;
use crate::model::{Article, Format, Revision};
use chrono::{DateTime, Utc};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};
use std::borrow::Cow;

/// Everything one feed document is made from.
pub struct FeedDoc<'a> {
    /// The configuration (agency, topics).
    pub config: &'a Config,
    /// The feed.
    pub feed: &'a FeedDef,
    /// The page's articles, newest first.
    pub articles: &'a [Article],
    /// When the feed last changed: the document's date when it has no items (output stays
    /// deterministic: no clock is read while rendering).
    pub changed: DateTime<Utc>,
    /// Absolute URLs of this document (`self`) and its neighbours (`first`, `next`, `previous`).
    pub links: &'a [(&'static str, String)],
    /// Language filter, if any.
    pub lang: Option<&'a str>,
    /// Articles of this feed killed within `feeds.kill_retention`: Atom tombstones (RFC 6721)
    /// and canceled NewsML-G2 items.
    pub tombstones: &'a [Article],
    /// The `?token=` of a restricted document read with one: links to subscriber-only
    /// articles carry it, so readers that cannot send headers can follow them.
    pub token: Option<&'a str>,
}

impl FeedDoc<'_> {
    /// Latest visible change in this page (or when the feed changed, for an empty page).
    pub fn updated(&self) -> DateTime<Utc> {
        self.articles
            .iter()
            .chain(self.tombstones)
            .map(|a| a.updated_at)
            .max()
            .unwrap_or(self.changed)
    }

    /// The URL of an item's page (`suffix` `""`, `".xml"`, `".json"`), with the document's
    /// token when the article is for subscribers only.
    pub fn item_url(&self, a: &Article, suffix: &str) -> String {
        let url = format!("{}{suffix}", article_url(self.config, a.id.as_str()));
        match self.token {
            Some(t) if a.restricted => format!(
                "{url}?token={}",
                form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>()
            ),
            _ => url,
        }
    }

    /// The token a restricted article's links carry in this document, if any.
    pub fn token_for(&self, a: &Article) -> Option<&str> {
        self.token.filter(|_| a.restricted)
    }

    /// Whether this is the kill-notice feed.
    pub fn is_kills(&self) -> bool {
        self.feed.kind == crate::config::FeedKind::Kills
    }

    /// The URL of the link with relation `rel`, if there is one.
    pub fn link(&self, rel: &str) -> Option<&str> {
        self.links
            .iter()
            .find(|(r, _)| *r == rel)
            .map(|(_, u)| u.as_str())
    }

    /// Absolute URL of this document.
    pub fn self_url(&self) -> &str {
        self.link("self").unwrap_or_default()
    }

    /// Title shown by readers.
    pub fn title(&self) -> String {
        format!("{}: {}", self.config.agency.name, self.feed.title)
    }

    /// Language of the document as a whole.
    pub fn language(&self) -> &str {
        self.lang.unwrap_or(&self.config.agency.language)
    }

    /// One-line description of the feed.
    pub fn description(&self) -> String {
        match self.lang {
            Some(l) => format!("{} ({l})", self.title()),
            None => self.title(),
        }
    }
}

/// Renders a feed document in one format.
pub fn feed(doc: &FeedDoc<'_>, format: Format) -> String {
    match format {
        Format::Rss => rss::render(doc),
        Format::Atom => atom::render(doc),
        Format::NewsMl => newsml::news_message(doc),
        Format::JsonFeed => jsonfeed::render(doc),
    }
}

/// Removes the characters XML 1.0 forbids (C0 controls but tab, LF, CR; U+FFFE; U+FFFF).
pub fn xml_clean(s: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
    };
    if s.chars().any(bad) {
        Cow::Owned(s.chars().filter(|&c| !bad(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// CommonMark → HTML that is also well-formed XHTML.
///
/// Raw HTML in the Markdown is shown as text rather than passed through (docs/api.md, Article files:
/// "raw HTML is sanitised"), links with script-capable schemes are neutralised, and relative
/// links are made absolute against `base` (feeds are read far from our site).
pub fn body_html(markdown: &str, base: &str) -> String {
    let md = xml_clean(markdown);
    let events =
        Parser::new_ext(&md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|ev| {
            match ev {
                Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => Event::Start(Tag::Link {
                    link_type,
                    dest_url: safe_url(dest_url, base),
                    title,
                    id,
                }),
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => Event::Start(Tag::Image {
                    link_type,
                    dest_url: safe_url(dest_url, base),
                    title,
                    id,
                }),
                other => other,
            }
        });
    let mut out = String::with_capacity(markdown.len() * 5 / 4);
    pulldown_cmark::html::push_html(&mut out, events);
    // Character references (`&#1;`) decode to characters XML forbids: clean after rendering too.
    match xml_clean(&out) {
        std::borrow::Cow::Borrowed(_) => out,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

fn safe_url<'a>(url: CowStr<'a>, base: &str) -> CowStr<'a> {
    let lower = url.trim_start().to_ascii_lowercase();
    let has_scheme = lower.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    if ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|s| lower.starts_with(s))
    {
        CowStr::Borrowed("#")
    } else if has_scheme || lower.starts_with("//") || lower.starts_with('#') {
        url
    } else if let Some(path) = url.strip_prefix('/') {
        CowStr::from(format!("{base}/{path}"))
    } else {
        CowStr::from(format!("{base}/{url}"))
    }
}

/// The plain-text summary: the deck, else the first paragraph of the body, shortened.
pub fn summary_text(a: &Article) -> String {
    if let Some(s) = &a.content.summary {
        return xml_clean(s).into_owned();
    }
    let first = a
        .content
        .body
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty())
        .unwrap_or("");
    let plain: String = Parser::new(first)
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.into_string()),
            Event::SoftBreak | Event::HardBreak => Some(" ".into()),
            _ => None,
        })
        .collect();
    let plain = xml_clean(&plain).into_owned();
    if plain.chars().count() > 400 {
        let cut: String = plain.chars().take(397).collect();
        format!("{}…", cut.trim_end())
    } else {
        plain
    }
}

/// The IPTC signal NewsCodes scheme (`sig:`), for the correction marker in RSS and Atom.
pub const SIGNAL_SCHEME: &str = "http://cv.iptc.org/newscodes/signal/";

/// "Correction" in the article's language.
fn correction_label(lang: &str) -> &'static str {
    if crate::model::lang_key(lang) == "es" {
        "Corrección"
    } else {
        "Correction"
    }
}

/// The body as HTML, with the correction notice at the top when the article was corrected
/// (docs/api.md, Wire semantics: visible where every reader shows content).
pub fn content_html(a: &Article, base: &str) -> String {
    let body = body_html(&a.content.body, base);
    if a.revision != Revision::Correction {
        return body;
    }
    let note = a
        .correction_note
        .as_deref()
        .map(|n| quick_xml::escape::escape(xml_clean(n).as_ref()).into_owned())
        .unwrap_or_default();
    format!(
        "<p class=\"correction\"><strong>{}:</strong> {note}</p>\n{body}",
        correction_label(&a.content.language)
    )
}

/// Title of a kill notice (docs/api.md, Wire semantics).
pub fn kill_title(a: &Article) -> String {
    format!("KILL: {}", xml_clean(&a.content.headline))
}

/// The id of a kill notice: not the killed story's GUID, so readers show it as a new item.
pub fn kill_guid(config: &Config, a: &Article) -> String {
    format!("{}:kill", config.guid(a.id.as_str()))
}

/// The kill notice as plain text: what was killed, why, and that it must not be used.
pub fn kill_text(config: &Config, a: &Article) -> String {
    let es = crate::model::lang_key(&a.content.language) == "es";
    let reason = a.kill_reason.as_deref().map(xml_clean);
    let guid = config.guid(a.id.as_str());
    let when = a.canceled_at.map(rfc3339).unwrap_or_default();
    if es {
        format!(
            "AVISO DE RETIRADA: la noticia «{}» ({guid}) fue retirada el {when}. No debe usarse. Motivo: {}",
            xml_clean(&a.content.headline),
            reason.as_deref().unwrap_or("no indicado")
        )
    } else {
        format!(
            "KILL NOTICE: the story \"{}\" ({guid}) was killed at {when}. It must not be used. Reason: {}",
            xml_clean(&a.content.headline),
            reason.as_deref().unwrap_or("not given")
        )
    }
}

/// The kill notice as HTML.
pub fn kill_html(config: &Config, a: &Article) -> String {
    format!(
        "<p><strong>{}</strong></p>",
        quick_xml::escape::escape(kill_text(config, a))
    )
}

/// Absolute URL of an article's HTML page.
pub fn article_url(config: &Config, id: &str) -> String {
    crate::urls::Urls::of(config).article(id)
}

/// Which way a link between takes of a developing story points (contract §15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TakeRel {
    /// The earlier take this story updates or replaces (`evolved_from`).
    Earlier,
    /// The latest take that replaced this story.
    Latest,
}

impl TakeRel {
    /// The words a link's title starts with.
    pub fn label(self) -> &'static str {
        match self {
            TakeRel::Earlier => "Earlier take",
            TakeRel::Latest => "Latest take",
        }
    }

    /// The name of the link in JSON (`_wirefeed`) and in ninjs associations.
    pub fn key(self) -> &'static str {
        match self {
            TakeRel::Earlier => "evolved_from",
            TakeRel::Latest => "latest_take",
        }
    }
}

/// The takes an article's documents link to, as the reader is shown them (see
/// [`crate::model::Takes::resolve`]): the earlier take first. A kill notice links to none.
pub fn take_links(a: &Article) -> Vec<(TakeRel, &crate::model::Take)> {
    if a.status == crate::model::PubStatus::Canceled {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(t) = &a.takes.earlier {
        out.push((TakeRel::Earlier, t));
    }
    if let Some(t) = &a.takes.latest {
        out.push((TakeRel::Latest, t));
    }
    out
}

/// The title of a link to a take: "Earlier take: headline", "(killed)" when it was killed.
pub fn take_title(rel: TakeRel, t: &crate::model::Take) -> String {
    let killed = if t.killed() { " (killed)" } else { "" };
    format!("{}{killed}: {}", rel.label(), xml_clean(&t.headline))
}

/// The topics of an article with their config entries, in the article's order.
pub fn topics_of<'c>(config: &'c Config, a: &Article) -> Vec<&'c Topic> {
    a.topics.iter().filter_map(|t| config.topic(t)).collect()
}

/// Distinct IPTC codes of an article's topics, in topic order.
pub fn iptc_codes<'c>(config: &'c Config, a: &Article) -> Vec<&'c IptcCode> {
    let mut out: Vec<&IptcCode> = Vec::new();
    for t in topics_of(config, a) {
        for c in &t.iptc {
            if !out.iter().any(|o| o.qcode == c.qcode) {
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_xml_characters_are_removed() {
        assert_eq!(xml_clean("a\u{1}b\tc\u{FFFF}"), "ab\tc");
        assert!(matches!(xml_clean("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn raw_html_is_shown_as_text_and_script_links_neutralised() {
        let h = body_html(
            "Hi <script>alert(1)</script> [x](javascript:alert(1)) [y](/a) [z](https://e.org/)",
            "http://h",
        );
        assert!(!h.contains("<script>"));
        assert!(h.contains("&lt;script&gt;"));
        assert!(h.contains("href=\"#\""));
        assert!(h.contains("href=\"http://h/a\""));
        assert!(h.contains("href=\"https://e.org/\""));
    }
}
