//! ninjs 1.6 (IPTC's 1.6 schema: flat `headline`, `body_html`, `description_text`,
//! `subject` with scheme and code, `renditions` by name), for 1.x readers such as
//! Superdesk's ingest, which cannot read 2.x. Associations are left out: a 1.x reader
//! ingests each as an item of its own.

use super::item::Item;
use crate::config::MEDTOP_SCHEME;
use crate::render::subjectcodes::subject_codes;
use serde_json::{Map, Value, json};

/// The whole 1.6 document.
pub(super) fn document(item: &Item) -> Value {
    let mut o = Map::new();
    let mut put = |k: &str, v: Value| {
        o.insert(k.to_owned(), v);
    };
    put(
        "$standard",
        json!({
            "name": "ninjs",
            "version": "1.6",
            "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_1.6.json",
        }),
    );
    put("uri", json!(item.uri));
    put("type", json!(item.kind));
    if let Some(m) = item.mimetype {
        put("mimetype", json!(m));
    }
    if let Some(v) = &item.version {
        put("version", json!(v));
    }
    if let Some(v) = &item.first_created {
        put("firstcreated", json!(v));
    }
    if let Some(v) = &item.version_created {
        put("versioncreated", json!(v));
    }
    if let Some(v) = &item.content_created {
        put("contentcreated", json!(v));
    }
    if let Some(v) = item.pub_status {
        put("pubstatus", json!(v));
    }
    if let Some(v) = &item.language {
        put("language", json!(v));
    }
    if let Some(v) = &item.copyright_holder {
        put("copyrightholder", json!(v));
    }
    if let Some(v) = &item.copyright_notice {
        put("copyrightnotice", json!(v));
    }
    if let Some(v) = &item.usage_terms {
        put("usageterms", json!(v));
    }
    if let Some(v) = &item.linked_rights {
        put("rightsinfo", json!({ "linkedrights": v }));
    }
    if let Some(h) = item.headlines.first() {
        put("headline", json!(h.value));
    }
    // The first plain-text description (a story's summary, a picture's caption).
    if let Some(d) = item
        .descriptions
        .iter()
        .find(|d| d.content_type == Some("text/plain"))
    {
        put("description_text", json!(d.value));
    }
    if let Some(b) = item
        .bodies
        .iter()
        .find(|b| b.content_type == Some("text/html"))
    {
        put("body_html", json!(b.value));
    }
    if let Some(subjects) = &item.subjects {
        let medtop: Vec<&str> = subjects
            .iter()
            .filter_map(|c| c.literal.strip_prefix("medtop:"))
            .collect();
        let mut list: Vec<Value> = subjects
            .iter()
            .filter_map(|c| {
                let code = c.literal.strip_prefix("medtop:")?;
                Some(json!({ "name": c.name, "scheme": MEDTOP_SCHEME, "code": code }))
            })
            .collect();
        // IPTC Subject Codes without a scheme: what 1.x readers (Superdesk) file as the subject.
        list.extend(
            subject_codes(medtop)
                .into_iter()
                .map(|s| json!({ "name": s.name, "code": s.code() })),
        );
        put("subject", Value::Array(list));
    }
    if let Some(renditions) = &item.renditions {
        let mut by_name = Map::new();
        for r in renditions {
            let mut v = Map::new();
            v.insert("href".into(), json!(r.href));
            v.insert("mimetype".into(), json!(r.content_type));
            if let Some(w) = r.width {
                v.insert("width".into(), json!(w));
            }
            if let Some(h) = r.height {
                v.insert("height".into(), json!(h));
            }
            if let Some(b) = r.bytes {
                v.insert("sizeinbytes".into(), json!(b));
            }
            by_name.insert(r.name.clone(), Value::Object(v));
        }
        put("renditions", Value::Object(by_name));
    }
    if let Some(u) = item.urgency {
        put("urgency", json!(u));
    }
    if let Some(e) = &item.embargoed {
        put("embargoed", json!(e));
    }
    if let Some(b) = &item.by {
        put("byline", json!(b));
    }
    if !item.people.is_empty() {
        let v = item
            .people
            .iter()
            .map(|p| json!({ "name": p.name, "rel": p.rel }))
            .collect();
        put("person", v);
    }
    if let Some(l) = &item.located {
        put("located", json!(l));
    }
    if let Some(s) = &item.slugline {
        put("slugline", json!(s));
    }
    if let Some(e) = &item.ednote {
        put("ednote", json!(e));
    }
    Value::Object(o)
}
