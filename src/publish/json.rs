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
