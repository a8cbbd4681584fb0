//! JSON Feed 1.1, with wire metadata under the `_wirefeed` extension.

use super::{
    FeedDoc, article_url, content_html, iptc_codes, kill_guid, kill_html, kill_text, kill_title,
    rfc3339, summary_text,
};
use crate::model::Article;
use serde_json::{Value, json};

pub(super) fn render(doc: &FeedDoc<'_>) -> String {
    let cfg = doc.config;
    let mut feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": doc.title(),
        "home_page_url": format!("{}/", cfg.agency.base_url),
        "feed_url": doc.self_url(),
        "description": doc.description(),
        "language": doc.language(),
        "authors": [{ "name": cfg.agency.name, "url": format!("{}/", cfg.agency.base_url) }],
        "items": doc.articles.iter().map(|a| if doc.is_kills() { kill_item(doc, a) } else { item(doc, a) }).collect::<Vec<_>>(),
        "_wirefeed": { "feed": doc.feed.id, "copyright": cfg.agency.copyright },
    });
    if let Some(next) = doc.link("next") {
        feed["next_url"] = Value::String(next.to_owned());
    }
    if let Some(hub) = doc.link("hub") {
        feed["hubs"] = json!([{ "type": "WebSub", "url": hub }]);
    }
    let mut out = serde_json::to_string_pretty(&feed).expect("a JSON value always serialises");
    out.push('\n');
    out
}

/// A kill notice in the `kills` feed.
fn kill_item(doc: &FeedDoc<'_>, a: &Article) -> Value {
    let cfg = doc.config;
    let when = rfc3339(a.canceled_at.unwrap_or(a.updated_at));
    json!({
        "id": kill_guid(cfg, a),
        "url": article_url(cfg, a.id.as_str()),
        "title": kill_title(a),
        "summary": kill_text(cfg, a),
        "content_html": kill_html(cfg, a),
        "date_published": when,
        "date_modified": when,
        "language": a.content.language,
        "_wirefeed": {
            "id": a.id.as_str(),
            "kill_notice": true,
            "killed_guid": cfg.guid(a.id.as_str()),
            "version": a.version,
            "status": a.status.as_str(),
            "reason": a.kill_reason,
            "canceled_at": when,
        },
    })
}

fn item(doc: &FeedDoc<'_>, a: &Article) -> Value {
    let cfg = doc.config;
    let mut tags: Vec<String> = a.topics.clone();
    tags.extend(a.content.keywords.iter().cloned());
    let mut item = json!({
        "id": cfg.guid(a.id.as_str()),
        "url": doc.item_url(a, ""),
        "title": a.content.headline,
        "summary": summary_text(a),
        "content_html": content_html(a, &cfg.agency.base_url),
        "date_published": rfc3339(a.published_at),
        "date_modified": rfc3339(a.updated_at),
        "language": a.content.language,
        "tags": tags,
        "_wirefeed": {
            "id": a.id.as_str(),
            "version": a.version,
            "status": a.status.as_str(),
            "revision": a.revision.as_str(),
            "topics": a.topics,
            "iptc_subjects": iptc_codes(cfg, a).iter().map(|c| json!({"qcode": c.qcode, "uri": c.uri(), "name": c.en})).collect::<Vec<_>>(),
            "dateline": a.content.dateline,
            "urgency": a.content.urgency,
            "correction_note": a.correction_note,
            "translations": a.translations.iter().map(|(id, lang)| json!({"id": id.as_str(), "language": lang, "url": article_url(cfg, id.as_str())})).collect::<Vec<_>>(),
        },
    });
    if !a.content.byline.is_empty() {
        item["authors"] = a
            .content
            .byline
            .iter()
            .map(|b| json!({ "name": b }))
            .collect();
    }
    item
}
