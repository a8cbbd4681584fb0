//! The OpenAPI 3.1 document of `/api/v1` (docs/api.md, Publishing API): every operation, its security, bodies,
//! every status it can answer, and links from create to read, replace, kill and versions.
//!
//! Built from the config (topic ids are an enum) and checked against the live server by
//! schemathesis in CI, so it cannot drift from what the handlers do without failing there.

use crate::config::Config;
use crate::ingest::{MAX_BYLINE, MAX_KEYWORDS, MAX_MEDIA, MAX_NAME_CHARS, MAX_TOPICS};
use serde_json::{Value, json};

/// A headline or body: at least one character that is not blank (see `ingest::blank`).
const BLANK_FREE: &str = r"[^\s\u0085]";
const ID_PATTERN: &str = r"^(?!\.+$)[A-Za-z0-9._-]{1,128}$";

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } },
    })
}

fn errors(codes: &[u16]) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    for c in codes {
        let d = match c {
            304 => {
                m.insert("304".into(), json!({ "description": "Not modified: the entity tag in If-None-Match is current" }));
                continue;
            }
            400 => "Bad input: every bad field is listed in `errors`",
            401 => "No key, or the key is unknown, revoked or expired",
            403 => "The key is not a publisher key",
            404 => "No such article",
            405 => "Method not allowed",
            409 => "The id exists (create), or the article was killed (update)",
            412 => "If-Match does not match the article's current entity tag",
            413 => "The body is larger than api.max_body_kb",
            415 => "The body is not application/json",
            429 => "Rate limited; retry after Retry-After seconds",
            503 => "Storage is busy; retry after Retry-After seconds",
            _ => "Error",
        };
        m.insert(c.to_string(), problem(d));
    }
    m
}

fn with(mut base: serde_json::Map<String, Value>, extra: Value) -> Value {
    if let Value::Object(e) = extra {
        base.extend(e);
    }
    Value::Object(base)
}

fn article_response(description: &str, links: bool) -> Value {
    let mut r = json!({
        "description": description,
        "headers": {
            "ETag": { "description": "Entity tag of the article's state, for If-Match", "schema": { "type": "string" } },
        },
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Article" } } },
    });
    if links {
        r["headers"]["Location"] = json!({ "description": "The article's API URL", "schema": { "type": "string", "format": "uri" } });
        r["links"] = json!({
            "read": { "operationId": "readArticle", "parameters": { "id": "$response.body#/id" } },
            "replace": { "operationId": "replaceArticle", "parameters": { "id": "$response.body#/id" } },
            "kill": { "operationId": "killArticle", "parameters": { "id": "$response.body#/id" } },
            "versions": { "operationId": "articleVersions", "parameters": { "id": "$response.body#/id" } },
        });
    }
    r
}

/// The article fields a client sends (docs/api.md, Article files).
fn input_schema(topics: &[&str]) -> Value {
    let time = json!({ "type": "string", "format": "date-time" });
    let place_codes: Vec<&str> = crate::places::shipped_table()
        .countries()
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["headline", "body"],
        "properties": {
            "id": { "type": "string", "pattern": ID_PATTERN, "description": "Generated if absent; stable forever" },
            "headline": { "type": "string", "minLength": 1, "maxLength": 300, "pattern": BLANK_FREE },
            "summary": { "type": "string" },
            "body": { "type": "string", "minLength": 1, "pattern": BLANK_FREE, "description": "Markdown (CommonMark); raw HTML is shown as text" },
            "language": { "type": "string", "maxLength": crate::config::MAX_LANGUAGE_TAG, "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", "description": "BCP 47; default agency.language" },
            "byline": { "oneOf": [{ "type": "string", "maxLength": MAX_NAME_CHARS }, { "type": "array", "maxItems": MAX_BYLINE, "items": { "type": "string", "maxLength": MAX_NAME_CHARS } }] },
            "dateline": { "type": "string" },
            "published_at": time,
            "embargo_until": time,
            "topics": { "type": "array", "maxItems": MAX_TOPICS, "items": { "type": "string", "enum": topics }, "description": "Editor topics, kept whatever the classifier says" },
            "places": { "type": "array", "maxItems": MAX_TOPICS, "items": { "type": "string", "enum": place_codes }, "description": "Editor places: ISO 3166-1 alpha-2 codes of the countries and territories this server knows, kept whatever the place finder says (contract §14)" },
            "keywords": { "type": "array", "maxItems": MAX_KEYWORDS, "items": { "type": "string", "maxLength": MAX_NAME_CHARS } },
            "urgency": { "type": "integer", "minimum": 1, "maximum": 9 },
            "translation_of": { "type": "string", "pattern": ID_PATTERN },
            "evolved_from": { "type": "string", "pattern": ID_PATTERN, "description": "Developing stories (contract §15): the id of the earlier take this story updates or replaces. It must name a stored article (a killed one is allowed, and linked as killed), not this one, and not a take that already evolves from this one (no cycles): otherwise a field error" },
            "slugline": { "type": "string", "maxLength": crate::model::MAX_SLUGLINE, "description": "A short newsroom label for the story (at most 64 characters), carried in NewsML-G2, ninjs, JSON Feed and the HTML page" },
            "revision": { "type": "string", "enum": ["update", "correction", "minor"] },
            "correction_note": { "type": "string" },
            "usage_terms": { "type": "string", "maxLength": crate::config::MAX_USAGE_TERMS, "description": "Usage terms of this story in plain text (else agency.usage_terms), carried in every format" },
            "media": { "type": "array", "maxItems": MAX_MEDIA, "description": "Pictures shown, the lead first: ids from /api/v1/media, or {id, caption} to give the picture this story's caption. An unknown id, or a picture without caption and alt text on a usable story, is a field error", "items": { "oneOf": [
                { "type": "string", "pattern": ID_PATTERN },
                { "type": "object", "additionalProperties": false, "required": ["id"], "properties": {
                    "id": { "type": "string", "pattern": ID_PATTERN },
                    "caption": { "type": "string", "maxLength": 4000 },
                } },
            ] } },
        },
    })
}

/// The metadata of a picture (`POST` multipart part `metadata`, `PUT` JSON body).
fn picture_meta_schema() -> Value {
    let text = |max: u32| json!({ "type": "string", "maxLength": max });
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "id": { "type": "string", "pattern": ID_PATTERN, "description": "On upload only; generated (img-<hash>) if absent" },
            "caption": text(4000),
            "alt_text": text(1000),
            "credit": text(200),
            "byline": text(200),
            "copyright": text(500),
            "usage_terms": text(2000),
            "dateline": text(200),
            "language": { "type": "string", "maxLength": crate::config::MAX_LANGUAGE_TAG, "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$" },
            "taken_at": { "type": "string", "format": "date-time" },
            "keywords": { "type": "array", "maxItems": 50, "items": { "type": "string", "maxLength": 200 } },
        },
    })
}

/// A picture as the API answers it.
fn picture_schema() -> Value {
    let s = json!({ "type": "string" });
    json!({
        "type": "object",
        "required": ["id", "version", "status", "from_file", "missing_for_use", "created_at", "updated_at", "renditions", "urls"],
        "properties": {
            "id": s, "version": { "type": "integer", "minimum": 1 },
            "status": { "type": "string", "enum": ["usable", "canceled"] },
            "caption": s, "alt_text": s, "credit": s, "byline": s, "copyright": s,
            "usage_terms": s, "language": s, "taken_at": s, "dateline": s,
            "keywords": { "type": "array", "items": s },
            "from_file": { "type": "array", "items": s, "description": "The fields read from the file's embedded metadata (IPTC IIM, XMP, EXIF)" },
            "missing_for_use": { "type": "array", "items": s, "description": "Fields a usable story needs before it may show the picture" },
            "created_at": { "type": "string", "format": "date-time" },
            "updated_at": { "type": "string", "format": "date-time" },
            "canceled_at": { "type": ["string", "null"], "format": "date-time" },
            "renditions": { "type": "array", "items": {
                "type": "object",
                "required": ["name", "href", "media_type", "width", "height", "bytes", "sha256"],
                "properties": {
                    "name": { "type": "string", "enum": ["thumbnail", "web", "large", "original"] },
                    "href": s, "media_type": s,
                    "width": { "type": "integer", "minimum": 1 }, "height": { "type": "integer", "minimum": 1 },
                    "bytes": { "type": "integer", "minimum": 1 }, "sha256": s,
                },
            } },
            "urls": { "type": "object", "properties": { "ninjs": s, "newsml": s, "api": s } },
        },
    })
}

fn picture_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Picture" } } },
    })
}

/// The document, with `base` as the server URL.
pub fn document(config: &Config) -> Value {
    let base = &config.agency.base_url;
    let topics: Vec<&str> = config.topics.iter().map(|t| t.id.as_str()).collect();
    let id_param = json!({
        "name": "id", "in": "path", "required": true,
        "schema": { "type": "string", "pattern": ID_PATTERN },
    });
    let if_match = json!({
        "name": "If-Match", "in": "header", "required": false,
        "description": "Only if the article's entity tag is one of these (RFC 9110 §13.1.1)",
        "schema": { "type": "string", "pattern": r#"^(\*|(W/)?"[^"]*"(\s*,\s*(W/)?"[^"]*")*)$"# },
    });
    let body_of = |schema: &str| {
        json!({
            "required": true,
            "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } },
        })
    };
    let input = input_schema(&topics);
    // The PUT body: the same without `id`, since the URL names the article (an `id` in the
    // body is accepted only when it is the URL's, and refused with 400 otherwise).
    let mut replace = input.clone();
    if let Some(p) = replace["properties"].as_object_mut() {
        p.remove("id");
    }
    let string_or_null = json!({ "type": ["string", "null"] });
    let time = json!({ "type": "string", "format": "date-time" });
    let time_or_null = json!({ "type": ["string", "null"], "format": "date-time" });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "wirefeed publishing API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Create, correct and kill wire stories. Every write answered 2xx is durable.",
        },
        "servers": [{ "url": base }],
        "security": [{ "bearer": [] }],
        "paths": {
            "/api/v1/articles": {
                "get": {
                    "operationId": "listArticles",
                    "summary": "Articles, newest updated_at first (embargoed and killed included)",
                    "parameters": [
                        { "name": "status", "in": "query", "schema": { "type": "string", "enum": ["usable", "withheld", "canceled"] } },
                        { "name": "since", "in": "query", "schema": time, "description": "Only articles updated after this instant" },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 200, "default": 50 } },
                        { "name": "before", "in": "query", "schema": { "type": "string", "pattern": r"^[0-9]{1,18}:(?!\.+$)[A-Za-z0-9._-]{1,128}$" }, "description": "The cursor from the previous page's `next` link" },
                    ],
                    "responses": with(errors(&[400, 401, 403, 429, 503]), json!({
                        "200": {
                            "description": "One page",
                            "headers": { "Link": { "description": "rel=\"next\" when there is a next page", "schema": { "type": "string" } } },
                            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ArticleList" } } },
                        },
                    })),
                },
                "post": {
                    "operationId": "createArticle",
                    "summary": "Create an article (409 if its id exists)",
                    "requestBody": body_of("ArticleInput"),
                    "responses": with(errors(&[400, 401, 403, 409, 412, 413, 415, 429, 503]), json!({
                        "201": article_response("Created", true),
                    })),
                },
            },
            "/api/v1/articles/{id}": {
                "parameters": [id_param],
                "get": {
                    "operationId": "readArticle",
                    "summary": "One article, whatever its status or embargo",
                    "parameters": [{ "name": "If-None-Match", "in": "header", "required": false, "schema": { "type": "string" } }],
                    "responses": with(errors(&[304, 401, 403, 404, 429, 503]), json!({
                        "200": article_response("The article", false),
                    })),
                },
                "put": {
                    "operationId": "replaceArticle",
                    "summary": "Create or replace: a changed article becomes version n+1",
                    "parameters": [if_match],
                    "requestBody": body_of("ArticleReplace"),
                    "responses": with(errors(&[400, 401, 403, 409, 412, 413, 415, 429, 503]), json!({
                        "200": article_response("Replaced (or unchanged)", false),
                        "201": article_response("Created", true),
                    })),
                },
                "delete": {
                    "operationId": "killArticle",
                    "summary": "Kill: status canceled, kill notices in every feed; nothing is erased. Killing twice answers 200.",
                    "parameters": [if_match],
                    "requestBody": {
                        "required": false,
                        "content": { "application/json": { "schema": {
                            "type": "object", "additionalProperties": false,
                            "properties": { "reason": { "type": "string", "description": "Shown in every kill notice" } },
                        } } },
                    },
                    "responses": with(errors(&[400, 401, 403, 404, 412, 413, 415, 429, 503]), json!({
                        "200": article_response("Killed", false),
                    })),
                },
            },
            "/api/v1/articles/{id}/versions": {
                "parameters": [id_param],
                "get": {
                    "operationId": "articleVersions",
                    "summary": "Every stored version, oldest first",
                    "responses": with(errors(&[401, 403, 404, 429, 503]), json!({
                        "200": {
                            "description": "The versions",
                            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/VersionList" } } },
                        },
                    })),
                },
            },
            "/api/v1/media": {
                "post": {
                    "operationId": "uploadPicture",
                    "summary": "Upload a picture: the image itself, or multipart/form-data with parts `file` and `metadata` (JSON). Renditions are made before the answer",
                    "requestBody": {
                        "required": true,
                        "content": {
                            "image/jpeg": { "schema": { "type": "string", "format": "binary" } },
                            "image/png": { "schema": { "type": "string", "format": "binary" } },
                            "image/webp": { "schema": { "type": "string", "format": "binary" } },
                            "multipart/form-data": { "schema": {
                                "type": "object", "required": ["file"],
                                "properties": { "file": { "type": "string", "format": "binary" }, "metadata": { "$ref": "#/components/schemas/PictureMeta" } },
                            }, "encoding": { "metadata": { "contentType": "application/json" } } },
                        },
                    },
                    "responses": with(errors(&[400, 401, 403, 409, 413, 415, 429, 503, 507]), json!({
                        "201": picture_response("Created"),
                    })),
                },
            },
            "/api/v1/media/{id}": {
                "parameters": [id_param],
                "get": {
                    "operationId": "readPicture",
                    "summary": "One picture, whatever its status",
                    "responses": with(errors(&[401, 403, 404, 429, 503]), json!({
                        "200": picture_response("The picture"),
                    })),
                },
                "put": {
                    "operationId": "replacePicture",
                    "summary": "Replace the metadata (JSON: fields left out are read from the file again) or the image (an image body): a changed picture becomes version n+1 and gets new rendition URLs when its bytes change",
                    "parameters": [if_match],
                    "requestBody": {
                        "required": true,
                        "content": {
                            "application/json": { "schema": { "$ref": "#/components/schemas/PictureMeta" } },
                            "image/jpeg": { "schema": { "type": "string", "format": "binary" } },
                            "image/png": { "schema": { "type": "string", "format": "binary" } },
                            "image/webp": { "schema": { "type": "string", "format": "binary" } },
                        },
                    },
                    "responses": with(errors(&[400, 401, 403, 404, 412, 413, 415, 429, 503, 507]), json!({
                        "200": picture_response("Replaced (or unchanged)"),
                        "201": picture_response("Created"),
                    })),
                },
                "delete": {
                    "operationId": "killPicture",
                    "summary": "Kill: the picture leaves every story's outputs and its files answer 410",
                    "parameters": [if_match],
                    "responses": with(errors(&[401, 403, 404, 412, 429, 503]), json!({
                        "200": picture_response("Killed"),
                    })),
                },
            },
            "/api/v1/subscribers": {
                "get": {
                    "operationId": "listSubscribers",
                    "summary": "Every key with its usage: requests, 304s and their share, last seen, last feed (never a token)",
                    "responses": with(errors(&[401, 403, 429, 503]), json!({
                        "200": {
                            "description": "The keys",
                            "content": { "application/json": { "schema": {
                                "type": "object",
                                "required": ["subscribers"],
                                "properties": { "subscribers": { "type": "array", "items": {
                                    "type": "object",
                                    "required": ["name", "role", "feeds", "created_at", "requests", "not_modified"],
                                    "properties": {
                                        "name": { "type": "string" },
                                        "role": { "type": "string", "enum": ["publisher", "subscriber"] },
                                        "feeds": { "type": "array", "items": { "type": "string" } },
                                        "rate_per_minute": { "type": "integer" },
                                        "created_at": time,
                                        "expires_at": time_or_null,
                                        "revoked_at": time_or_null,
                                        "last_seen_at": time_or_null,
                                        "requests": { "type": "integer", "minimum": 0 },
                                        "not_modified": { "type": "integer", "minimum": 0 },
                                        "not_modified_share": { "type": ["number", "null"] },
                                        "last_feed": { "type": "string" },
                                    },
                                } } },
                            } } },
                        },
                    })),
                },
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": { "schema": { "type": "object" } } } } },
                },
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "A publisher key from `wirefeed keys add NAME --role publisher`" },
            },
            "schemas": {
                "ArticleInput": input,
                "PictureMeta": picture_meta_schema(),
                "Picture": picture_schema(),
                "ArticleReplace": replace,
                "Article": {
                    "type": "object",
                    "required": ["id", "headline", "body", "language", "topics", "version", "status", "created_at", "updated_at", "urls"],
                    "properties": {
                        "id": { "type": "string" },
                        "headline": { "type": "string" },
                        "summary": string_or_null,
                        "body": { "type": "string" },
                        "language": { "type": "string" },
                        "byline": { "type": "array", "items": { "type": "string" } },
                        "dateline": string_or_null,
                        "published_at": time,
                        "embargo_until": time_or_null,
                        "topics": { "type": "array", "items": { "type": "string" }, "description": "Final topics: editor ∪ automatic" },
                        "places": { "type": "array", "items": { "type": "string" }, "description": "Final places: ISO 3166-1 alpha-2 codes, editor ∪ found (contract §14)" },
                        "editor_places": { "type": "array", "items": { "type": "string" }, "description": "The editor's places" },
                        "editor_topics": { "type": "array", "items": { "type": "string" } },
                        "keywords": { "type": "array", "items": { "type": "string" } },
                        "urgency": { "type": ["integer", "null"] },
                        "translation_of": string_or_null,
                        "evolved_from": string_or_null,
                        "slugline": string_or_null,
                        "revision": { "type": "string", "enum": ["update", "correction", "minor"] },
                        "correction_note": string_or_null,
                        "usage_terms": string_or_null,
                        "version": { "type": "integer", "minimum": 1 },
                        "status": { "type": "string", "enum": ["usable", "withheld", "canceled"] },
                        "created_at": time,
                        "updated_at": time,
                        "canceled_at": time_or_null,
                        "kill_reason": string_or_null,
                        "urls": {
                            "type": "object",
                            "properties": {
                                "html": { "type": "string" }, "newsml": { "type": "string" },
                                "ninjs": { "type": "string" }, "api": { "type": "string" },
                            },
                        },
                    },
                },
                "ArticleList": {
                    "type": "object",
                    "required": ["articles", "next"],
                    "properties": {
                        "articles": { "type": "array", "items": { "$ref": "#/components/schemas/Article" } },
                        "next": { "type": ["string", "null"] },
                    },
                },
                "VersionList": {
                    "type": "object",
                    "required": ["id", "versions"],
                    "properties": {
                        "id": { "type": "string" },
                        "versions": { "type": "array", "items": {
                            "type": "object",
                            "required": ["version", "revision", "status", "stored_at", "content"],
                            "properties": {
                                "version": { "type": "integer", "minimum": 1 },
                                "revision": { "type": "string", "enum": ["update", "correction", "minor", "kill"] },
                                "correction_note": string_or_null,
                                "status": { "type": "string" },
                                "stored_at": time,
                                "kill_reason": { "type": "string" },
                                "content": { "type": "object" },
                                "topics": { "type": "array", "items": { "type": "string" } },
                            },
                        } },
                    },
                },
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status", "detail"],
                    "properties": {
                        "type": { "type": "string" },
                        "title": { "type": "string" },
                        "status": { "type": "integer" },
                        "detail": { "type": "string" },
                        "errors": { "type": "array", "items": {
                            "type": "object", "required": ["field", "message"],
                            "properties": { "field": { "type": "string" }, "message": { "type": "string" } },
                        } },
                    },
                },
            },
        },
    })
}
