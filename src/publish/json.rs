//! The article as the publishing API shows it (CONTRACT §2 "Read back").

use crate::config::Config;
use crate::model::Article;
use crate::render::{article_url, rfc3339};
use crate::store::StoredVersion;
use serde_json::{Value, json};

/// An article as JSON: the fields of CONTRACT §2 plus its state and its URLs.
pub fn article_json(config: &Config, a: &Article) -> Value {
    let c = &a.content;
    let html = article_url(config, a.id.as_str());
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
        "keywords": c.keywords,
        "urgency": c.urgency,
        "translation_of": c.translation_of.as_ref().map(|t| t.as_str()),
        "revision": a.revision.as_str(),
        "correction_note": a.correction_note,
        "version": a.version,
        "status": a.status.as_str(),
        "created_at": rfc3339(a.created_at),
        "updated_at": rfc3339(a.updated_at),
        "canceled_at": a.canceled_at.map(rfc3339),
        "kill_reason": a.kill_reason,
        "urls": {
            "html": html,
            "newsml": format!("{html}.xml"),
            "ninjs": format!("{html}.json"),
            "api": format!("{}/api/v1/articles/{}", config.agency.base_url, a.id),
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
