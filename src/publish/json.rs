//! The article as the publishing API shows it (docs/api.md, Article files "Read back").

use crate::config::Config;
use crate::model::Article;
use crate::model::rfc3339;
use crate::store::StoredVersion;
use crate::urls::{ArticleFormat, Urls};
use serde_json::{Value, json};

/// An article as JSON: the fields of docs/api.md, Article files plus its state and its URLs.
pub fn article_json(config: &Config, a: &Article) -> Value {
    let c = &a.content;
    let urls = Urls::of(config);
    let html = urls.article(a.id.as_str());
    json!({
        "id": a.id.as_str(),
        "headline": c.headline,
        "summary": c.summary,
        "body": c.body,
        "language": c.language,
        "byline": c.byline,
        "dateline": c.dateline,
        "published_at": rfc3339(a.published_at),
        "embargo_until": c.embargo_until.map(rfc3339),
        "topics": a.topics,
        "editor_topics": c.editor_topics,
        "places": a.places,
        "editor_places": c.editor_places,
        "keywords": c.keywords,
        "urgency": c.urgency,
        "translation_of": c.translation_of.as_ref().map(|t| t.as_str()),
        "evolved_from": c.evolved_from.as_ref().map(|t| t.as_str()),
        "slugline": c.slugline,
        "revision": a.revision.as_str(),
        "correction_note": a.correction_note,
        "usage_terms": c.usage_terms,
        "version": a.version,
        "status": a.status.as_str(),
        "created_at": rfc3339(a.created_at),
        "updated_at": rfc3339(a.updated_at),
        "canceled_at": a.canceled_at.map(rfc3339),
        "kill_reason": a.kill_reason,
        "media": c.media,
        "urls": {
            "html": html,
            "newsml": urls.article_as(a.id.as_str(), ArticleFormat::NewsMl),
            "ninjs": urls.article_as(a.id.as_str(), ArticleFormat::Ninjs),
            "api": urls.api_article(a.id.as_str()),
        },
    })
}

/// A page of the publisher listing.
pub fn list_json(config: &Config, articles: &[Article], next: Option<&str>) -> Value {
    json!({
        "articles": articles.iter().map(|a| article_json(config, a)).collect::<Vec<_>>(),
        "next": next,
    })
}

/// Every version of one article, oldest first.
pub fn versions_json(id: &str, versions: &[StoredVersion]) -> Value {
    json!({ "id": id, "versions": versions })
}

/// A picture as the publishing API answers it: its metadata, which fields came from the file,
/// and its renditions with their URLs.
pub fn picture_json(config: &Config, p: &crate::model::Picture) -> Value {
    let urls = Urls::of(config);
    let mut v = serde_json::to_value(&p.meta).expect("metadata always serialises");
    v["id"] = json!(p.id.as_str());
    v["version"] = json!(p.version);
    v["status"] = json!(p.status.as_str());
    v["from_file"] = json!(p.from_file);
    v["missing_for_use"] = json!(p.missing_for_use());
    v["created_at"] = json!(rfc3339(p.created_at));
    v["updated_at"] = json!(rfc3339(p.changed_at));
    v["canceled_at"] = json!(p.canceled_at.map(rfc3339));
    v["renditions"] = p
        .renditions
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "href": urls.rendition(p.id.as_str(), r),
                "media_type": r.media_type,
                "width": r.width,
                "height": r.height,
                "bytes": r.bytes,
                "sha256": r.sha256,
            })
        })
        .collect();
    v["urls"] = json!({
        "ninjs": urls.picture_doc(p.id.as_str(), "json"),
        "newsml": urls.picture_doc(p.id.as_str(), "xml"),
        "api": urls.api_picture(p.id.as_str()),
    });
    v
}
