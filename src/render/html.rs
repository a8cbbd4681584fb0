//! HTML pages: one article, and the index of feeds with autodiscovery links.

use super::{article_url, body_html, rfc3339, topics_of, xml_clean};
use crate::config::{Access, Config};
use crate::model::{Article, Format};
use quick_xml::escape::escape;
use std::fmt::Write;

fn esc(s: &str) -> String {
    escape(xml_clean(s).as_ref()).into_owned()
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5}\
.meta{color:#555;font-size:.9rem}.topics a{margin-right:.5rem}.correction{background:#fff4d6;padding:.5rem}";

/// The HTML page of one article.
pub fn article_page(config: &Config, a: &Article) -> String {
    let lang = esc(&a.content.language);
    let url = article_url(config, a.id.as_str());
    let mut head = String::new();
    let _ = write!(
        head,
        "<link rel=\"canonical\" href=\"{url}\">\n\
         <link rel=\"alternate\" type=\"application/vnd.iptc.g2.newsitem+xml\" href=\"{url}.xml\">\n\
         <link rel=\"alternate\" type=\"application/json\" href=\"{url}.json\">\n"
    );
    for (id, tlang) in &a.translations {
        let _ = writeln!(
            head,
            "<link rel=\"alternate\" hreflang=\"{}\" href=\"{}\">",
            esc(tlang),
            article_url(config, id.as_str())
        );
    }
    let mut body = String::new();
    let _ = write!(
        body,
        "<article>\n<h1>{}</h1>\n<p class=\"meta\">",
        esc(&a.content.headline)
    );
    if !a.content.byline.is_empty() {
        let _ = write!(
            body,
            "<span class=\"byline\">{}</span> · ",
            esc(&a.content.byline.join(", "))
        );
    }
    if let Some(d) = &a.content.dateline {
        let _ = write!(body, "<span class=\"dateline\">{}</span> · ", esc(d));
    }
    let _ = write!(
        body,
        "<time datetime=\"{p}\">{p}</time>",
        p = rfc3339(a.published_at)
    );
    if a.version > 1 {
        let _ = write!(
            body,
            " · updated <time datetime=\"{u}\">{u}</time> (version {})",
            a.version,
            u = rfc3339(a.updated_at)
        );
    }
    body.push_str("</p>\n");
    if a.revision == crate::model::Revision::Correction {
        let label = if lang.starts_with("es") {
            "Corrección"
        } else {
            "Correction"
        };
        let _ = writeln!(
            body,
            "<p class=\"correction\"><strong>{label}:</strong> {}</p>",
            esc(a.correction_note.as_deref().unwrap_or(""))
        );
    }
    if let Some(s) = &a.content.summary {
        let _ = writeln!(body, "<p><strong>{}</strong></p>", esc(s));
    }
    body.push_str(&body_html(&a.content.body, &config.agency.base_url));
    body.push_str("<p class=\"topics\">");
    for t in topics_of(config, a) {
        let _ = write!(
            body,
            "<a href=\"{}/feeds/{}.atom\">{}</a>",
            config.agency.base_url,
            esc(&t.id),
            esc(t.name(&a.content.language))
        );
    }
    body.push_str("</p>\n");
    if !a.translations.is_empty() {
        body.push_str("<p class=\"translations\">");
        for (id, tlang) in &a.translations {
            let _ = write!(
                body,
                "<a hreflang=\"{l}\" href=\"{}\">{l}</a> ",
                article_url(config, id.as_str()),
                l = esc(tlang)
            );
        }
        body.push_str("</p>\n");
    }
    let _ = write!(
        body,
        "<footer class=\"meta\">{}</footer>\n</article>",
        esc(&config.agency.copyright)
    );
    page(&lang, &esc(&a.content.headline), &head, &body)
}

/// The page of a killed article, served with 410 Gone: the kill notice, not the story.
pub fn kill_page(config: &Config, a: &Article) -> String {
    let lang = esc(&a.content.language);
    let url = article_url(config, a.id.as_str());
    let head = format!(
        "<meta name=\"robots\" content=\"noindex\">\n\
         <link rel=\"alternate\" type=\"application/vnd.iptc.g2.newsitem+xml\" href=\"{url}.xml\">\n"
    );
    let body = format!(
        "<article class=\"kill\">\n<h1>{}</h1>\n<p class=\"correction\">{}</p>\n<footer class=\"meta\">{}</footer>\n</article>",
        esc(&super::kill_title(a)),
        esc(&super::kill_text(config, a)),
        esc(&config.agency.copyright)
    );
    page(&lang, &esc(&super::kill_title(a)), &head, &body)
}

fn page(lang: &str, title: &str, head: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n{head}</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
}

/// The index of feeds by topic and language, with autodiscovery links for every public feed.
pub fn index_page(config: &Config) -> String {
    let base = &config.agency.base_url;
    let mut langs: Vec<&str> = config
        .topics
        .iter()
        .flat_map(|t| t.names.keys().map(String::as_str))
        .collect();
    langs.sort();
    langs.dedup();
    let mut head = String::new();
    let mut body = format!(
        "<h1>{}</h1>\n<table>\n<tr><th>Feed</th><th>Formats</th>",
        esc(&config.agency.name)
    );
    for l in &langs {
        let _ = write!(body, "<th>{}</th>", esc(l));
    }
    body.push_str("</tr>\n");
    for f in &config.feed_list {
        let title = esc(&f.title);
        let restricted = f.access == Access::Subscribers;
        if !restricted {
            for (format, mime) in [
                (Format::Rss, "application/rss+xml"),
                (Format::Atom, "application/atom+xml"),
                (Format::JsonFeed, "application/feed+json"),
            ] {
                let _ = writeln!(
                    head,
                    "<link rel=\"alternate\" type=\"{mime}\" title=\"{title}\" href=\"{base}/feeds/{}.{}\">",
                    esc(&f.id),
                    format.extension()
                );
            }
        }
        let _ = write!(
            body,
            "<tr><td>{title}{}</td><td>",
            if restricted { " (subscribers)" } else { "" }
        );
        for format in Format::ALL {
            let _ = write!(
                body,
                "<a href=\"{base}/feeds/{id}.{e}\">{e}</a> ",
                id = esc(&f.id),
                e = format.extension()
            );
        }
        body.push_str("</td>");
        for l in &langs {
            let _ = write!(
                body,
                "<td><a hreflang=\"{l}\" href=\"{base}/feeds/{}.atom?lang={l}\">{l}</a></td>",
                esc(&f.id),
                l = esc(l)
            );
        }
        body.push_str("</tr>\n");
    }
    body.push_str("</table>\n");
    page(
        &esc(&config.agency.language),
        &esc(&config.agency.name),
        &head,
        &body,
    )
}
