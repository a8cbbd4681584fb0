//! What an article page tells machines (docs/api.md, Pages for the open web): the canonical URL,
//! `hreflang` alternates, Open Graph and Twitter card tags for link previews, and schema.org
//! `NewsArticle` JSON-LD for search engines (the properties Google's Article structured data
//! documentation lists).
//!
//! The JSON-LD sits in a `<script>` element, whose text the HTML parser ends at the first
//! `</script` and treats `<!--` specially; so every `<`, `>` and `&` in it is written as a JSON
//! `\u` escape ([`script_json`]), and no headline or byline can end the element early.

use crate::config::Config;
use crate::model::{Article, Rendition, Revision, Shown};
use crate::render::{article_url, summary_text, topics_of};
use crate::urls::Urls;
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use maud::{Markup, PreEscaped, html};
use serde_json::{Value, json};

/// The agency's logo (`/logo.png`, 240 × 240 PNG): the `publisher.logo` of every article's
/// structured data. An invented mark (data/logo.png), replaceable by the operator's own.
pub const LOGO_PNG: &[u8] = include_bytes!("../../data/logo.png");
/// Its size in pixels (`ImageObject` width and height).
pub const LOGO_SIZE: u32 = 240;

/// JSON for a `<script type="application/ld+json">` element: `<`, `>` and `&` (and U+2028/9,
/// line ends to old JavaScript) as `\u` escapes, which every JSON parser reads back as the same
/// characters, so the text cannot close the element or open a comment.
pub fn script_json(v: &Value) -> String {
    let text = v.to_string();
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// A time in the story's own offset, with the offset written out (`+00:00` rather than `Z`).
fn with_offset(t: DateTime<Utc>, offset: Option<i32>) -> String {
    let offset = offset
        .and_then(FixedOffset::east_opt)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    t.with_timezone(&offset)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The rendition a picture is shown large with: `large`, else `web`, else any but the original.
fn big(s: &Shown) -> Option<&Rendition> {
    let p = &s.picture;
    p.rendition("large")
        .or_else(|| p.rendition("web"))
        .or_else(|| p.renditions.iter().find(|r| r.name != "original"))
}

/// The lead picture's `web` rendition, for link previews (Open Graph, Twitter): URL, rendition,
/// alt text. Never with a `?token=`: a preview is for whoever the link is shared with.
fn lead<'a>(config: &Config, a: &'a Article) -> Option<(String, &'a Rendition, &'a str)> {
    let s = a.pictures.first()?;
    let r = s.picture.rendition("web").or_else(|| big(s))?;
    Some((
        Urls::of(config).rendition(s.picture.id.as_str(), r),
        r,
        s.alt(),
    ))
}

/// Open Graph's `og:locale` (`language_TERRITORY`): the story's tag with its region when it
/// has one (`es-GT` → `es_GT`), else its language alone (no territory is made up).
fn og_locale(tag: &str) -> String {
    let mut parts = tag.split('-');
    let lang = parts.next().unwrap_or(tag).to_ascii_lowercase();
    match parts.find(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic())) {
        Some(region) => format!("{lang}_{}", region.to_ascii_uppercase()),
        None => lang,
    }
}

/// The story and its translations, one URL per language (the first of a language wins), and
/// the `x-default`: the original (the story translations point at), when readers may see it.
fn language_versions(config: &Config, a: &Article) -> (Vec<(String, String)>, Option<String>) {
    let mut versions: Vec<(String, String)> = vec![(
        a.content.language.clone(),
        article_url(config, a.id.as_str()),
    )];
    for (id, lang) in &a.translations {
        if !versions.iter().any(|(l, _)| l.eq_ignore_ascii_case(lang)) {
            versions.push((lang.clone(), article_url(config, id.as_str())));
        }
    }
    let original = match &a.content.translation_of {
        None => Some(a.id.as_str()),
        Some(o) => a
            .translations
            .iter()
            .find(|(id, _)| id == o)
            .map(|(id, _)| id.as_str()),
    };
    (versions, original.map(|id| article_url(config, id)))
}

/// The `<head>` elements of an article's page: canonical, `hreflang` alternates (when it has
/// translations), description, Open Graph, Twitter card, and the JSON-LD.
pub(super) fn head(config: &Config, a: &Article) -> Markup {
    let url = article_url(config, a.id.as_str());
    let description = summary_text(a);
    let lead = lead(config, a);
    let published = with_offset(a.published_at, a.content.published_offset);
    let modified = with_offset(a.updated_at, a.content.published_offset);
    let (versions, x_default) = language_versions(config, a);
    html! {
        link rel="canonical" href=(url);
        @if versions.len() > 1 {
            @for (lang, href) in &versions {
                link rel="alternate" hreflang=(lang) href=(href);
            }
            @if let Some(href) = &x_default {
                link rel="alternate" hreflang="x-default" href=(href);
            }
        }
        @if !description.is_empty() {
            meta name="description" content=(description);
        }
        meta property="og:type" content="article";
        meta property="og:site_name" content=(config.agency.name);
        meta property="og:title" content=(a.content.headline);
        @if !description.is_empty() {
            meta property="og:description" content=(description);
        }
        meta property="og:url" content=(url);
        meta property="og:locale" content=(og_locale(&a.content.language));
        @for (lang, _) in versions.iter().skip(1) {
            meta property="og:locale:alternate" content=(og_locale(lang));
        }
        @if let Some((src, r, alt)) = &lead {
            meta property="og:image" content=(src);
            meta property="og:image:type" content=(r.media_type);
            meta property="og:image:width" content=(r.width);
            meta property="og:image:height" content=(r.height);
            meta property="og:image:alt" content=(alt);
        }
        meta property="article:published_time" content=(published);
        meta property="article:modified_time" content=(modified);
        @for k in &a.content.keywords {
            meta property="article:tag" content=(k);
        }
        meta name="twitter:card" content=(if lead.is_some() { "summary_large_image" } else { "summary" });
        meta name="twitter:title" content=(a.content.headline);
        @if !description.is_empty() {
            meta name="twitter:description" content=(description);
        }
        @if let Some((src, _, alt)) = &lead {
            meta name="twitter:image" content=(src);
            meta name="twitter:image:alt" content=(alt);
        }
        script type="application/ld+json" { (PreEscaped(script_json(&news_article(config, a)))) }
    }
}

/// The agency as schema.org `Organization`, with its logo.
fn agency(config: &Config) -> Value {
    let urls = Urls::of(config);
    json!({
        "@type": "Organization",
        "name": config.agency.name,
        "url": urls.index(""),
        "logo": {
            "@type": "ImageObject",
            "url": urls.logo(),
            "width": LOGO_SIZE,
            "height": LOGO_SIZE,
        },
    })
}

/// schema.org `NewsArticle` of one story.
pub fn news_article(config: &Config, a: &Article) -> Value {
    let urls = Urls::of(config);
    let url = article_url(config, a.id.as_str());
    let authors: Vec<Value> = if a.content.byline.is_empty() {
        // No byline: the agency wrote it.
        vec![agency(config)]
    } else {
        a.content
            .byline
            .iter()
            .map(|name| json!({"@type": "Person", "name": name}))
            .collect()
    };
    let images: Vec<Value> = a
        .pictures
        .iter()
        .filter_map(|s| {
            let r = big(s)?;
            let src = urls.rendition(s.picture.id.as_str(), r);
            let mut image = json!({
                "@type": "ImageObject",
                "url": src,
                "contentUrl": src,
                "width": r.width,
                "height": r.height,
                "encodingFormat": r.media_type,
            });
            let o = image.as_object_mut().expect("an object");
            if !s.caption.is_empty() {
                o.insert("caption".into(), json!(s.caption));
            }
            if let Some(c) = s.credit() {
                o.insert("creditText".into(), json!(c));
            }
            if let Some(c) = &s.picture.meta.copyright {
                o.insert("copyrightNotice".into(), json!(c));
            }
            Some(image)
        })
        .collect();
    let lang = &a.content.language;
    let sections: Vec<String> = topics_of(config, a)
        .iter()
        .map(|t| t.name(&crate::model::lang_key(lang)).to_owned())
        .collect();
    let modified = with_offset(a.updated_at, a.content.published_offset);
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": url,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": a.content.headline,
        "datePublished": with_offset(a.published_at, a.content.published_offset),
        "dateModified": modified,
        "inLanguage": lang,
        "author": authors,
        "publisher": agency(config),
        "isAccessibleForFree": !a.restricted,
    });
    let o = doc.as_object_mut().expect("an object");
    let description = summary_text(a);
    if !description.is_empty() {
        o.insert("description".into(), json!(description));
    }
    if let Some(d) = &a.content.dateline {
        o.insert("dateline".into(), json!(d));
    }
    if !images.is_empty() {
        o.insert("image".into(), Value::Array(images));
    }
    if !sections.is_empty() {
        o.insert("articleSection".into(), json!(sections));
    }
    if !a.content.keywords.is_empty() {
        o.insert("keywords".into(), json!(a.content.keywords));
    }
    if a.revision == Revision::Correction {
        let mut c = json!({"@type": "CorrectionComment", "datePublished": modified});
        if let Some(note) = &a.correction_note {
            c["text"] = json!(note);
        }
        o.insert("correction".into(), c);
    }
    if !config.agency.copyright.is_empty() {
        o.insert("copyrightNotice".into(), json!(config.agency.copyright));
    }
    o.insert("copyrightHolder".into(), agency(config));
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_its_element_and_reads_back_the_same() {
        let hostile = "</script><script>alert(1)</script><!-- & \u{2028} ]]>";
        let v = json!({"headline": hostile});
        let text = script_json(&v);
        for bad in ["</", "<!--", "<script", ">", "&"] {
            assert!(!text.contains(bad), "{bad:?} in {text}");
        }
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["headline"], hostile);
    }

    #[test]
    fn locales_keep_a_region_and_invent_none() {
        assert_eq!(og_locale("es-GT"), "es_GT");
        assert_eq!(og_locale("en"), "en");
        assert_eq!(og_locale("zh-Hant-TW"), "zh_TW");
    }
}
