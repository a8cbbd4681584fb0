//! Sitemaps (docs/api.md, Sitemaps): the sitemaps.org 0.9 index and archive `urlset`s, the
//! Google News sitemap (namespace `http://www.google.com/schemas/sitemap-news/0.9`), and
//! `robots.txt`. Checked against the published XSDs by `scripts/openweb_check.sh`.

use super::xml_clean;
use crate::config::Config;
use crate::store::SitemapRow;
use crate::urls::Urls;
use chrono::{DateTime, FixedOffset, SecondsFormat};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

/// The sitemaps.org namespace (index and `urlset` alike).
pub const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
/// Google's News sitemap extension.
pub const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

fn finish(w: Writer<Vec<u8>>) -> String {
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    String::from_utf8(bytes).expect("the writer only writes UTF-8")
}

fn writer() -> Writer<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::with_capacity(16 * 1024), b' ', 1);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .expect("writing to a Vec cannot fail");
    w
}

/// W3C datetime of a Unix second, in UTC (`lastmod`).
fn utc(t: i64) -> String {
    crate::model::rfc3339(DateTime::from_timestamp(t, 0).unwrap_or_default())
}

/// W3C datetime of a Unix second in the writer's own offset (`news:publication_date`: "the
/// original date and time at which the article was published").
fn local(t: i64, offset: Option<i32>) -> String {
    let offset = offset
        .and_then(FixedOffset::east_opt)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .with_timezone(&offset)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The sitemap index: the news sitemap first, then one archive sitemap per day with stories,
/// newest first. `news_lastmod` is the news sitemap's latest change, when it lists any story.
pub fn sitemap_index(config: &Config, news_lastmod: Option<i64>, days: &[i64]) -> String {
    let urls = Urls::of(config);
    let mut w = writer();
    write_index(&mut w, &urls, news_lastmod, days).expect("writing to a Vec cannot fail");
    finish(w)
}

fn write_index(
    w: &mut Writer<Vec<u8>>,
    urls: &Urls<'_>,
    news_lastmod: Option<i64>,
    days: &[i64],
) -> io::Result<()> {
    w.create_element("sitemapindex")
        .with_attribute(("xmlns", SITEMAP_NS))
        .write_inner_content(|w| {
            w.create_element("sitemap").write_inner_content(|w| {
                w.create_element("loc")
                    .write_text_content(BytesText::new(&urls.sitemap_news()))?;
                if let Some(t) = news_lastmod {
                    w.create_element("lastmod")
                        .write_text_content(BytesText::new(&utc(t)))?;
                }
                Ok(())
            })?;
            for &day in days.iter().rev() {
                w.create_element("sitemap").write_inner_content(|w| {
                    w.create_element("loc")
                        .write_text_content(BytesText::new(&urls.sitemap_day(day)))?;
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// The latest change a sitemap entry's page shows: an update, or the lift of its embargo.
pub fn lastmod(r: &SitemapRow, now: i64) -> i64 {
    r.updated_at
        .max(r.embargo_until.filter(|&e| e <= now).unwrap_or(i64::MIN))
        .min(now)
}

/// One day's archive sitemap: each story's page with its `lastmod`.
pub fn archive_sitemap(config: &Config, rows: &[SitemapRow], now: i64) -> String {
    let urls = Urls::of(config);
    let mut w = writer();
    w.create_element("urlset")
        .with_attribute(("xmlns", SITEMAP_NS))
        .write_inner_content(|w| {
            for r in rows {
                w.create_element("url").write_inner_content(|w| {
                    w.create_element("loc")
                        .write_text_content(BytesText::new(&urls.article(&r.id)))?;
                    w.create_element("lastmod")
                        .write_text_content(BytesText::new(&utc(lastmod(r, now))))?;
                    Ok(())
                })?;
            }
            Ok::<_, io::Error>(())
        })
        .expect("writing to a Vec cannot fail");
    finish(w)
}

/// `news:language`: "an ISO 639 language code (2 or 3 letters)", except `zh-cn` and `zh-tw`.
/// Chinese is told apart by script or region when the story's tag says; `None` for a
/// primary subtag the schema does not take (such a story is left out of the news sitemap).
pub fn news_language(tag: &str) -> Option<String> {
    let lang_key = crate::model::lang_key(tag);
    if lang_key == "zh" {
        let tag = tag.to_ascii_lowercase();
        let traditional = ["-hant", "-tw", "-hk", "-mo"]
            .iter()
            .any(|s| tag.contains(s));
        return Some(if traditional { "zh-tw" } else { "zh-cn" }.to_owned());
    }
    let ok = (2..=3).contains(&lang_key.len()) && lang_key.bytes().all(|b| b.is_ascii_lowercase());
    ok.then(|| lang_key.to_owned())
}

/// The Google News sitemap: each story with the publication (the agency's name, the story's
/// language), its original publication date in the writer's offset, and its headline.
pub fn news_sitemap(config: &Config, rows: &[SitemapRow], now: i64) -> String {
    let urls = Urls::of(config);
    let name = xml_clean(&config.agency.name);
    let mut w = writer();
    // With nothing of the last two days this is the urlset alone: well formed, though the
    // XSD wants at least one <url> (crawlers read it as "nothing new").
    w.create_element("urlset")
        .with_attribute(("xmlns", SITEMAP_NS))
        .with_attribute(("xmlns:news", NEWS_NS))
        .write_inner_content(|w| {
            for r in rows {
                let Some(lang) = news_language(&r.language) else {
                    continue;
                };
                w.create_element("url").write_inner_content(|w| {
                    w.create_element("loc")
                        .write_text_content(BytesText::new(&urls.article(&r.id)))?;
                    w.create_element("lastmod")
                        .write_text_content(BytesText::new(&utc(lastmod(r, now))))?;
                    w.create_element("news:news").write_inner_content(|w| {
                        w.create_element("news:publication")
                            .write_inner_content(|w| {
                                w.create_element("news:name")
                                    .write_text_content(BytesText::new(&name))?;
                                w.create_element("news:language")
                                    .write_text_content(BytesText::new(&lang))?;
                                Ok(())
                            })?;
                        w.create_element("news:publication_date")
                            .write_text_content(BytesText::new(&local(
                                r.published_at,
                                r.published_offset,
                            )))?;
                        w.create_element("news:title")
                            .write_text_content(BytesText::new(&xml_clean(&r.headline)))?;
                        Ok(())
                    })?;
                    Ok(())
                })?;
            }
            Ok::<_, io::Error>(())
        })
        .expect("writing to a Vec cannot fail");
    finish(w)
}

/// `robots.txt` (RFC 9309): everything readable may be crawled but the API, the alert pages
/// (reached by personal tokens) and search results (endless combinations of one archive);
/// the sitemap index is named so crawlers find every story.
pub fn robots_txt(config: &Config) -> String {
    let urls = Urls::of(config);
    format!(
        "# {}\nUser-agent: *\nAllow: /\nDisallow: /api/\nDisallow: /alerts/\nDisallow: /search\n\nSitemap: {}\n",
        config.agency.name.replace(['\r', '\n'], " "),
        urls.sitemap()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_languages_are_what_the_schema_takes() {
        assert_eq!(news_language("es-GT").as_deref(), Some("es"));
        assert_eq!(news_language("fil").as_deref(), Some("fil"));
        assert_eq!(news_language("zh-Hant-TW").as_deref(), Some("zh-tw"));
        assert_eq!(news_language("zh").as_deref(), Some("zh-cn"));
        assert_eq!(news_language("i-klingon"), None);
        assert_eq!(news_language("abcd"), None);
    }

    #[test]
    fn publication_dates_keep_the_writers_offset() {
        assert_eq!(local(0, Some(-6 * 3600)), "1969-12-31T18:00:00-06:00");
        assert_eq!(local(0, None), "1970-01-01T00:00:00Z");
    }
}
