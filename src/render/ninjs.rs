//! IPTC ninjs for one article: 2.1 (the default) and 1.6 (`?ninjs=1.6`, for 1.x readers such
//! as Superdesk's ingest, which cannot read 2.x).

use super::{article_url, body_html, iptc_codes, summary_text};
use crate::config::Config;
use crate::model::Article;
use crate::model::rfc3339;
use serde_json::{Value, json};

/// Renders one article as a ninjs 2.1 document.
pub fn ninjs(config: &Config, a: &Article) -> String {
    let lang = a.content.language.as_str();
    let mut doc = json!({
        "standard": {
            "name": "ninjs",
            "version": "2.1",
            "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json",
        },
        "uri": config.guid(a.id.as_str()),
        "type": "text",
        "version": a.version.to_string(),
        "firstcreated": rfc3339(a.published_at),
        "versioncreated": rfc3339(a.updated_at.max(a.published_at)),
        "contentcreated": rfc3339(a.published_at),
        "pubstatus": a.status.as_str(),
        "language": lang,
        "copyrightholder": config.agency.name,
        "copyrightnotice": config.agency.copyright,
        "headlines": [{ "role": "main", "value": a.content.headline }],
        "descriptions": [{ "role": "summary", "contenttype": "text/plain", "value": summary_text(a) }],
        "bodies": [{ "role": "main", "contenttype": "text/html", "value": body_html(&a.content.body, &config.agency.base_url) }],
        "subjects": iptc_codes(config, a).iter().map(|c| json!({
            "name": if lang.starts_with("es") { c.es.as_deref().unwrap_or(&c.en) } else { &c.en },
            "uri": c.uri(),
            "literal": c.qcode,
        })).collect::<Vec<_>>(),
        "renditions": [{ "name": "html", "href": article_url(config, a.id.as_str()), "contenttype": "text/html" }],
    });
    let places = crate::places::countries_of(&a.places);
    if !places.is_empty() {
        // ninjs 2.x `places`: the countries the story is about, named in its language.
        doc["places"] = places
            .iter()
            .map(|c| json!({ "name": c.name(lang), "uri": c.uri(), "literal": c.code }))
            .collect();
    }
    shared_fields(&mut doc, a, "by", "people");
    if a.status == crate::model::PubStatus::Canceled {
        // A kill stops distribution: the document is the kill notice, without the story's
        // text (publishers keep every version through the versions API).
        let notice = super::kill_text(config, a);
        doc["headlines"] = json!([{ "role": "main", "value": super::kill_title(a) }]);
        doc["descriptions"] =
            json!([{ "role": "summary", "contenttype": "text/plain", "value": notice }]);
        doc["bodies"] = json!([{ "role": "main", "contenttype": "text/html", "value": super::kill_html(config, a) }]);
        doc["ednote"] = json!(notice);
    } else if let Some(note) = &a.correction_note {
        doc["ednote"] = json!(note);
    }
    let mut associations: Vec<Value> = a
        .translations
        .iter()
        .map(|(id, tlang)| json!({ "name": "translation", "uri": config.guid(id.as_str()), "type": "text", "language": tlang }))
        .collect();
    if a.status != crate::model::PubStatus::Canceled {
        // The pictures, the lead one first: the association a receiver shows with the story.
        for (i, s) in a.pictures.iter().enumerate() {
            let mut v = super::picture::ninjs_association(config, s, None);
            v["name"] = json!(if i == 0 { "featureimage" } else { "picture" });
            associations.push(v);
        }
    }
    if !associations.is_empty() {
        doc["associations"] = Value::Array(associations);
    }
    let mut out = serde_json::to_string_pretty(&doc).expect("a JSON value always serialises");
    out.push('\n');
    out
}

/// Renders one article as a ninjs 1.6 document (IPTC's 1.6 schema: flat `headline`,
/// `body_html`, `description_text`, `subject` with scheme and code, `renditions` by name).
/// A killed story is its kill notice, as in 2.1. Associations are left out: a 1.x reader
/// ingests each as an item of its own.
pub fn ninjs_1_6(config: &Config, a: &Article) -> String {
    let canceled = a.status == crate::model::PubStatus::Canceled;
    let (headline, description, body) = if canceled {
        (
            super::kill_title(a),
            super::kill_text(config, a),
            super::kill_html(config, a),
        )
    } else {
        (
            a.content.headline.clone(),
            summary_text(a),
            body_html(&a.content.body, &config.agency.base_url),
        )
    };
    let lang = a.content.language.as_str();
    let topics = iptc_codes(config, a);
    let mut subject: Vec<Value> = topics
        .iter()
        .map(|c| {
            json!({
                "name": if lang.starts_with("es") { c.es.as_deref().unwrap_or(&c.en) } else { &c.en },
                "scheme": crate::config::MEDTOP_SCHEME,
                "code": c.code(),
            })
        })
        .collect();
    // IPTC Subject Codes without a scheme: what 1.x readers (Superdesk) file as the subject.
    subject.extend(
        super::subjectcodes::subject_codes(topics.iter().map(|c| c.code()))
            .into_iter()
            .map(|s| json!({ "name": s.name, "code": s.code() })),
    );
    let mut doc = json!({
        "$standard": {
            "name": "ninjs",
            "version": "1.6",
            "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_1.6.json",
        },
        "uri": config.guid(a.id.as_str()),
        "type": "text",
        "mimetype": "text/html",
        "version": a.version.to_string(),
        "firstcreated": rfc3339(a.published_at),
        "versioncreated": rfc3339(a.updated_at.max(a.published_at)),
        "contentcreated": rfc3339(a.published_at),
        "pubstatus": a.status.as_str(),
        "language": lang,
        "copyrightholder": config.agency.name,
        "copyrightnotice": config.agency.copyright,
        "headline": headline,
        "description_text": description,
        "body_html": body,
        "subject": subject,
        "renditions": { "html": { "href": article_url(config, a.id.as_str()), "mimetype": "text/html" } },
    });
    shared_fields(&mut doc, a, "byline", "person");
    if canceled {
        doc["ednote"] = json!(super::kill_text(config, a));
    } else if let Some(note) = &a.correction_note {
        doc["ednote"] = json!(note);
    }
    let mut out = serde_json::to_string_pretty(&doc).expect("a JSON value always serialises");
    out.push('\n');
    out
}

/// The fields both versions name alike, and the byline under each version's names (2.x `by`
/// and `people`, 1.x `byline` and `person`).
fn shared_fields(doc: &mut Value, a: &Article, by: &str, people: &str) {
    if let Some(u) = a.content.urgency {
        doc["urgency"] = json!(u);
    }
    if let Some(e) = a.content.embargo_until {
        doc["embargoed"] = json!(rfc3339(e));
    }
    if !a.content.byline.is_empty() {
        doc[by] = json!(a.content.byline.join(", "));
        doc[people] = a
            .content
            .byline
            .iter()
            .map(|b| json!({ "name": b, "rel": "author" }))
            .collect();
    }
    if let Some(d) = &a.content.dateline {
        doc["located"] = json!(d);
    }
}
