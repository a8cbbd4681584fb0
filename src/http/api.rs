//! `/api/v1`: the publishing API (docs/api.md, Publishing API). Thin handlers over [`Newsroom`].

use super::Problem;
use super::auth::publisher;
use crate::app::App;
use crate::config::Config;
use crate::model::{Article, FieldError, FieldErrors, PubStatus};
use crate::publish;
use crate::store::{Cursor, IfMatch, ListQuery};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};

/// Reads a JSON request body: `application/json` (415 otherwise), at most `limit` bytes (413).
/// An empty body is `None` when `optional`.
pub(super) async fn json_body(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
    optional: bool,
) -> Result<Option<web::Bytes>, Problem> {
    let declared: Option<usize> = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let too_large = || {
        Problem::payload_too_large(format!(
            "the body is larger than api.max_body_kb ({} KiB)",
            limit / 1024
        ))
    };
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let body = payload
        .to_bytes_limited(limit)
        .await
        .map_err(|_| too_large())?
        .map_err(|e| Problem::malformed(format!("cannot read the body: {e}")))?;
    if body.is_empty() && optional {
        return Ok(None);
    }
    let media = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if media.as_deref() != Some("application/json") {
        return Err(
            Problem::unsupported_media_type("the body must be application/json")
                .header("Accept-Post", "application/json"),
        );
    }
    Ok(Some(body))
}

/// `If-Match` (RFC 9110 §13.1.1): `*` or a list of entity tags, compared strongly (a weak
/// tag never matches). What does not parse as an entity tag matches nothing, so the request
/// fails with 412 like any other stale precondition.
pub(super) fn if_match(req: &HttpRequest) -> Option<IfMatch> {
    let v = req.headers().get(header::IF_MATCH)?;
    let v = v.to_str().unwrap_or("").trim();
    if v == "*" {
        return Some(IfMatch::Any);
    }
    // #entity-tag, read as quoted strings: a tag may itself contain a comma.
    let mut tags = Vec::new();
    let mut rest = v;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        let weak = rest.starts_with("W/");
        let Some(r) = rest.trim_start_matches("W/").strip_prefix('"') else {
            break;
        };
        let Some(end) = r.find('"') else { break };
        if !weak {
            tags.push(r[..end].to_owned());
        }
        rest = &r[end + 1..];
    }
    Some(IfMatch::Tags(tags))
}

fn article_response(status: StatusCode, config: &Config, a: &Article) -> HttpResponse {
    let mut resp = HttpResponse::build(status);
    resp.insert_header((header::ETAG, format!("\"{}\"", a.etag())))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    if status == StatusCode::CREATED {
        resp.insert_header((
            header::LOCATION,
            crate::urls::Urls::of(config).api_article(a.id.as_str()),
        ));
    }
    resp.content_type("application/json")
        .body(publish::article_json(config, a).to_string())
}

/// `POST /api/v1/articles`: create.
pub(super) async fn create(
    req: HttpRequest,
    payload: web::Payload,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    publisher(&req)?;
    let limit = app.config.api.max_body_bytes;
    let body = json_body(&req, payload, limit, false)
        .await?
        .unwrap_or_default();
    let prepared = app.newsroom.parse(&body, None)?;
    let applied = app.newsroom.upsert(prepared, true, if_match(&req)).await?;
    Ok(article_response(
        StatusCode::CREATED,
        &app.config,
        &applied.article,
    ))
}

/// `PUT /api/v1/articles/{id}`: create or replace.
pub(super) async fn replace(
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    publisher(&req)?;
    let limit = app.config.api.max_body_bytes;
    let body = json_body(&req, payload, limit, false)
        .await?
        .unwrap_or_default();
    let prepared = app.newsroom.parse(&body, Some(&id))?;
    let applied = app.newsroom.upsert(prepared, false, if_match(&req)).await?;
    let status = match applied.outcome {
        crate::store::UpsertOutcome::Created(_) => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
    Ok(article_response(status, &app.config, &applied.article))
}

/// The optional kill body, `{"reason": "…"}`.
fn kill_reason(body: &[u8]) -> Result<Option<String>, Problem> {
    let bad = |m: String| Problem::bad_request(vec![FieldError::new("reason", m)]);
    let v: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Problem::malformed(format!("the body is not valid JSON: {e}")))?;
    let serde_json::Value::Object(map) = v else {
        return Err(bad(
            "the body must be an object such as {\"reason\": \"…\"}".into(),
        ));
    };
    let mut reason = None;
    let mut errors = FieldErrors::new();
    for (k, v) in map {
        match (k.as_str(), v) {
            ("reason", serde_json::Value::String(r)) => reason = Some(r),
            ("reason", _) => errors.add("reason", "must be a string"),
            (other, _) => errors.add(other, "unknown field"),
        }
    }
    errors.finish(reason).map_err(Problem::bad_request)
}

/// `DELETE /api/v1/articles/{id}`: kill. Nothing is erased.
pub(super) async fn kill(
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    publisher(&req)?;
    let limit = app.config.api.max_body_bytes;
    let reason = match json_body(&req, payload, limit, true).await? {
        None => None,
        Some(b) => kill_reason(&b)?,
    };
    let applied = app.newsroom.kill(&id, reason, if_match(&req)).await?;
    // docs/api.md, Wire semantics: a kill leaves the feeds at once, yet a page's Last-Modified must move strictly
    // forward without passing Date. Within the second of the feed's previous change the new page
    // can only be dated from the next second on (feeds::settle holds the old one until then), so
    // the kill is answered once that second has begun: whoever reads after the 200 sees it gone.
    if matches!(applied.outcome, crate::store::UpsertOutcome::Updated(..)) {
        let visible_ms = (applied.article.changed_at.timestamp() + 1) * 1000;
        // Recorded change times are never more than a second ahead of the clock.
        let wait = (visible_ms - Utc::now().timestamp_millis()).min(2_000);
        if wait > 0 {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(wait as u64)).await;
        }
    }
    Ok(article_response(
        StatusCode::OK,
        &app.config,
        &applied.article,
    ))
}

/// `GET /api/v1/articles/{id}`: read, embargoed included.
pub(super) async fn read(
    req: HttpRequest,
    id: web::Path<String>,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let t = Utc::now();
    publisher(&req)?;
    let n = app.newsroom.clone();
    let id = id.into_inner();
    let missing = format!("there is no article {id:?}");
    let a = web::block(move || n.get(&id, t))
        .await??
        .ok_or_else(|| Problem::not_found(missing))?;
    let tag = format!("\"{}\"", a.etag());
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == "*" || t.trim().trim_start_matches("W/") == tag)
        });
    if fresh {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .finish());
    }
    Ok(article_response(StatusCode::OK, &app.config, &a))
}

/// `GET /api/v1/articles/{id}/versions`: every stored version, oldest first.
pub(super) async fn versions(
    req: HttpRequest,
    id: web::Path<String>,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    publisher(&req)?;
    let n = app.newsroom.clone();
    let id = id.into_inner();
    let (i, missing) = (id.clone(), format!("there is no article {id:?}"));
    let v = web::block(move || n.versions(&i))
        .await??
        .ok_or_else(|| Problem::not_found(missing))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .content_type("application/json")
        .body(publish::versions_json(&id, &v).to_string()))
}

/// The listing's cursor: `UNIXTIME:ID` of the last article of the previous page.
fn list_cursor(v: &str) -> Option<Cursor> {
    let (key, id) = v.split_once(':')?;
    if key.is_empty() || key.len() > 18 || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    crate::model::ArticleId::parse(id).ok()?;
    Some(Cursor {
        key: key.parse().ok()?,
        id: id.to_owned(),
    })
}

fn parse_list(raw: &str) -> Result<ListQuery, Problem> {
    let mut q = ListQuery {
        limit: 50,
        ..ListQuery::default()
    };
    let mut errors = FieldErrors::new();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        match k.as_ref() {
            "status" => match PubStatus::parse(&v) {
                Some(s) => q.status = Some(s),
                None => errors.add(
                    "status",
                    format!("status must be usable, withheld or canceled, got {v:?}"),
                ),
            },
            "since" => match DateTime::parse_from_rfc3339(&v) {
                Ok(t) => q.since = Some(t.timestamp()),
                Err(_) => errors.add(
                    "since",
                    format!("since must be an RFC 3339 date-time, got {v:?}"),
                ),
            },
            "limit" => match v.parse::<u32>() {
                Ok(n @ 1..=200) => q.limit = n,
                _ => errors.add(
                    "limit",
                    format!("limit must be a whole number from 1 to 200, got {v:?}"),
                ),
            },
            "before" => match list_cursor(&v) {
                Some(c) => q.before = Some(c),
                None => errors.add(
                    "before",
                    "before must be the cursor from the listing's next link (UNIXTIME:ID)",
                ),
            },
            _ => {}
        }
    }
    errors.finish(q).map_err(Problem::bad_request)
}

/// `GET /api/v1/articles`: newest `updated_at` first, keyset paging.
pub(super) async fn list(req: HttpRequest, app: web::Data<App>) -> Result<HttpResponse, Problem> {
    publisher(&req)?;
    let mut q = parse_list(req.query_string())?;
    let limit = q.limit;
    q.limit += 1;
    let n = app.newsroom.clone();
    let qq = q.clone();
    let mut page = web::block(move || n.list(&qq)).await??;
    let next = if page.len() > limit as usize {
        page.truncate(limit as usize);
        page.last().map(|a| {
            let c = Cursor {
                key: a.updated_at.timestamp(),
                id: a.id.to_string(),
            };
            let mut s = form_urlencoded::Serializer::new(String::new());
            if let Some(st) = q.status {
                s.append_pair("status", st.as_str());
            }
            if let Some(since) = q.since.and_then(|t| DateTime::from_timestamp(t, 0)) {
                s.append_pair("since", &crate::model::rfc3339(since));
            }
            s.append_pair("limit", &limit.to_string());
            s.append_pair("before", &format!("{}:{}", c.key, c.id));
            crate::urls::Urls::of(&app.config).api_articles(&format!("?{}", s.finish()))
        })
    } else {
        None
    };
    let mut resp = HttpResponse::Ok();
    resp.insert_header((header::CACHE_CONTROL, "private, no-cache"));
    if let Some(n) = &next {
        resp.insert_header((header::LINK, format!("<{n}>; rel=\"next\"")));
    }
    Ok(resp
        .content_type("application/json")
        .body(publish::list_json(&app.config, &page, next.as_deref()).to_string()))
}

/// `GET /api/v1/openapi.json`: the OpenAPI 3.1 document.
pub(super) async fn openapi(app: web::Data<App>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .content_type("application/json")
        .body(publish::openapi::document(&app.config).to_string())
}

/// `GET /api/v1/subscribers`: every key with its usage (requests, 304 share, last seen, last
/// feed), including what this server counted and has not written yet. Never a token.
pub(super) async fn subscribers(
    req: HttpRequest,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    publisher(&req)?;
    let n = app.newsroom.clone();
    let mut keys = web::block(move || n.keys()).await??;
    for (name, requests, not_modified, seen, feed) in app.usage.pending() {
        if let Some(k) = keys.iter_mut().find(|k| k.name == name) {
            k.requests += requests;
            k.not_modified += not_modified;
            if let Some(t) = DateTime::from_timestamp(seen, 0) {
                k.last_seen_at = Some(crate::model::rfc3339(t));
            }
            if feed.is_some() {
                k.last_feed = feed;
            }
        }
    }
    let rows: Vec<serde_json::Value> = keys
        .iter()
        .map(|k| {
            let share = if k.requests == 0 {
                serde_json::Value::Null
            } else {
                serde_json::json!(k.not_modified as f64 / k.requests as f64)
            };
            let mut v = serde_json::to_value(k).expect("keys serialise");
            v["not_modified_share"] = share;
            v
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .content_type("application/json")
        .body(serde_json::json!({ "subscribers": rows }).to_string()))
}
