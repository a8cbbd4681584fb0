//! ninjs 2.1 and 3.1: one layout, two spellings. 3.x renamed the properties to camelCase
//! (`versionCreated`, `contentType`, `embargoedUntil`, `edNote`, …) and is otherwise a
//! superset for what wirefeed carries, so the versions differ only in their [`Names`].

use super::item::{Concept, Item, Text};
use serde_json::{Map, Value, json};

/// The property names of one version.
pub(super) struct Names {
    version: &'static str,
    schema: &'static str,
    first_created: &'static str,
    version_created: &'static str,
    content_created: &'static str,
    pub_status: &'static str,
    copyright_holder: &'static str,
    copyright_notice: &'static str,
    usage_terms: &'static str,
    rights_info: &'static str,
    linked_rights: &'static str,
    content_type: &'static str,
    size: &'static str,
    embargoed: &'static str,
    ednote: &'static str,
    /// Whether an association may say how it relates (`rel`, added in 3.0).
    association_rel: bool,
}

/// ninjs 2.1 (IPTC, all lower case).
pub(super) const V2_1: Names = Names {
    version: "2.1",
    schema: "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json",
    first_created: "firstcreated",
    version_created: "versioncreated",
    content_created: "contentcreated",
    pub_status: "pubstatus",
    copyright_holder: "copyrightholder",
    copyright_notice: "copyrightnotice",
    usage_terms: "usageterms",
    rights_info: "rightsinfo",
    linked_rights: "linkedrights",
    content_type: "contenttype",
    size: "sizeinbytes",
    embargoed: "embargoed",
    ednote: "ednote",
    association_rel: false,
};

/// ninjs 3.1 (IPTC, 2025; camelCase, not compatible with 2.x).
pub(super) const V3_1: Names = Names {
    version: "3.1",
    schema: "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json",
    first_created: "firstCreated",
    version_created: "versionCreated",
    content_created: "contentCreated",
    pub_status: "pubStatus",
    copyright_holder: "copyrightHolder",
    copyright_notice: "copyrightNotice",
    usage_terms: "usageTerms",
    rights_info: "rightsInfo",
    linked_rights: "linkedRights",
    content_type: "contentType",
    size: "sizeInBytes",
    embargoed: "embargoedUntil",
    ednote: "edNote",
    association_rel: true,
};

/// The whole document: the `standard` block, then the item.
pub(super) fn document(item: &Item, n: &Names) -> Value {
    let mut doc = Map::new();
    doc.insert(
        "standard".into(),
        json!({ "name": "ninjs", "version": n.version, "schema": n.schema }),
    );
    write_item(&mut doc, item, n);
    Value::Object(doc)
}

fn texts(list: &[Text], n: &Names) -> Value {
    list.iter()
        .map(|t| {
            let mut o = Map::new();
            o.insert("role".into(), json!(t.role));
            if let Some(c) = t.content_type {
                o.insert(n.content_type.into(), json!(c));
            }
            o.insert("value".into(), json!(t.value));
            Value::Object(o)
        })
        .collect()
}

fn concepts(list: &[Concept]) -> Value {
    list.iter()
        .map(|c| json!({ "name": c.name, "uri": c.uri, "literal": c.literal }))
        .collect()
}

fn write_item(o: &mut Map<String, Value>, item: &Item, n: &Names) {
    let mut put = |k: &str, v: Value| {
        o.insert(k.to_owned(), v);
    };
    put("uri", json!(item.uri));
    put("type", json!(item.kind));
    if let Some(v) = &item.version {
        put("version", json!(v));
    }
    if let Some(v) = &item.first_created {
        put(n.first_created, json!(v));
    }
    if let Some(v) = &item.version_created {
        put(n.version_created, json!(v));
    }
    if let Some(v) = &item.content_created {
        put(n.content_created, json!(v));
    }
    if let Some(v) = item.pub_status {
        put(n.pub_status, json!(v));
    }
    if let Some(v) = &item.language {
        put("language", json!(v));
    }
    if let Some(v) = &item.copyright_holder {
        put(n.copyright_holder, json!(v));
    }
    if let Some(v) = &item.copyright_notice {
        put(n.copyright_notice, json!(v));
    }
    if let Some(v) = &item.usage_terms {
        put(n.usage_terms, json!(v));
    }
    if let Some(v) = &item.linked_rights {
        let mut r = Map::new();
        r.insert(n.linked_rights.into(), json!(v));
        put(n.rights_info, Value::Object(r));
    }
    if !item.headlines.is_empty() {
        put("headlines", texts(&item.headlines, n));
    }
    if !item.descriptions.is_empty() {
        put("descriptions", texts(&item.descriptions, n));
    }
    if !item.bodies.is_empty() {
        put("bodies", texts(&item.bodies, n));
    }
    if let Some(s) = &item.subjects {
        put("subjects", concepts(s));
    }
    if let Some(list) = &item.renditions {
        let v = list
            .iter()
            .map(|r| {
                let mut o = Map::new();
                o.insert("name".into(), json!(r.name));
                o.insert("href".into(), json!(r.href));
                o.insert(n.content_type.into(), json!(r.content_type));
                if let Some(w) = r.width {
                    o.insert("width".into(), json!(w));
                }
                if let Some(h) = r.height {
                    o.insert("height".into(), json!(h));
                }
                if let Some(b) = r.bytes {
                    o.insert(n.size.into(), json!(b));
                }
                Value::Object(o)
            })
            .collect();
        put("renditions", v);
    }
    if !item.places.is_empty() {
        put("places", concepts(&item.places));
    }
    if let Some(u) = item.urgency {
        put("urgency", json!(u));
    }
    if let Some(e) = &item.embargoed {
        put(n.embargoed, json!(e));
    }
    if let Some(b) = &item.by {
        put("by", json!(b));
    }
    if !item.people.is_empty() {
        let v = item
            .people
            .iter()
            .map(|p| json!({ "name": p.name, "rel": p.rel }))
            .collect();
        put("people", v);
    }
    if let Some(l) = &item.located {
        put("located", json!(l));
    }
    if let Some(s) = &item.slugline {
        put("slugline", json!(s));
    }
    if let Some(e) = &item.ednote {
        put(n.ednote, json!(e));
    }
    if !item.associations.is_empty() {
        let v = item
            .associations
            .iter()
            .map(|(name, a)| {
                // ninjs 2.x and 3.x: an association is a whole item with its `name`.
                let mut o = Map::new();
                o.insert("name".into(), json!(name));
                if let Some(rel) = a.rel.as_ref().filter(|_| n.association_rel) {
                    o.insert("rel".into(), json!(rel));
                }
                write_item(&mut o, a, n);
                Value::Object(o)
            })
            .collect();
        put("associations", v);
    }
}
