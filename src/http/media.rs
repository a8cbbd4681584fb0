//! Pictures over HTTP (docs/api.md, Pictures): renditions served like static files (strong
//! entity tags, `Range`, immutable caching for public pictures), a picture's own documents,
//! and the publishing API's upload, read, replace and kill.

use super::Problem;
use super::api::{if_match, json_body};
use super::auth::{principal_of, publisher};
use super::conditional::{negotiate, respond};
use crate::app::App;
use crate::feeds::Entitlement;
use crate::media::{Kind, MediaError};
use crate::model::{FieldError, FieldErrors, Picture, PictureId, PictureMeta, now};
use crate::store::{PictureWrite, UpsertOutcome};
use crate::urls::ArticleFormat;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use futures_util::StreamExt;

impl From<MediaError> for Problem {
    fn from(e: MediaError) -> Self {
        match e {
            MediaError::Invalid(m) | MediaError::TooManyPixels(m) => {
                Problem::bad_request(vec![FieldError::new("file", m)])
            }
            MediaError::Unsupported(m) => Problem::unsupported_media_type(m).header(
                "Accept-Post",
                "image/jpeg, image/png, image/webp, multipart/form-data",
            ),
            MediaError::Busy => Problem::unavailable(e.to_string(), 2),
            MediaError::Storage(io) => {
                tracing::error!(error = %io, "the media folder cannot be written");
                if io.raw_os_error() == Some(28) {
                    Problem::insufficient_storage("the media folder's disk is full", 60)
                } else {
                    Problem::internal()
                }
            }
        }
    }
}

/// `GET /media/{id}/{name}-{tag}.{ext}`: one rendition's bytes.
pub(super) async fn rendition(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let (id, file) = path.into_inner();
    let missing =
        || Problem::not_found(format!("there is no rendition {file:?} of picture {id:?}"));
    let (name, tag, ext) = crate::urls::rendition_file(&file).ok_or_else(missing)?;
    let t = now();
    let state = match app.feeds.picture_state_cached(&id, t) {
        Some(s) => s,
        None => {
            let (f, id2) = (app.feeds.clone(), id.clone());
            web::block(move || f.picture_state(&id2, t)).await??
        }
    };
    let who = principal_of(&req);
    let view = app.feeds.authorize_picture(&state, &who, t)?;
    let r = state
        .picture
        .rendition_at(name, tag, ext)
        .ok_or_else(missing)?;
    let etag = format!("\"{}\"", r.sha256);
    let public = view == Entitlement::Public;
    let mut resp = HttpResponse::build(StatusCode::OK);
    // Constant values are not copied (the busiest answer, a rendition's 304, is mostly these).
    resp.insert_header((header::ETAG, etag.as_str()))
        .insert_header((header::ACCEPT_RANGES, HeaderValue::from_static("bytes")))
        .insert_header((
            header::CACHE_CONTROL,
            HeaderValue::from_static(if public {
                "public, max-age=31536000, immutable"
            } else {
                "private, no-cache"
            }),
        ));
    if public {
        resp.insert_header((
            HeaderName::from_static("surrogate-key"),
            crate::store::picture_scope(&id),
        ));
        // A shared cache that nobody purges keeps the bytes only `feeds.max_age` before it
        // revalidates (a 304 against the strong tag), so a kill reaches it that soon; browsers
        // keep `immutable`. With `[cdn] purge_urls` the kill is purged and the CDN keeps a year.
        // (Surrogate-Control, W3C Edge Architecture: Fastly honours it, deploy/varnish.vcl too,
        // and a surrogate removes it before the response goes on.)
        if app.config.cdn.purge_urls.is_empty() {
            resp.insert_header((
                HeaderName::from_static("surrogate-control"),
                format!("max-age={}", app.config.feeds.max_age),
            ));
        }
    } else {
        resp.insert_header((header::VARY, HeaderValue::from_static("Authorization")));
    }
    // RFC 9110 §13.1.2: If-None-Match with the (strong) tag: the client has these bytes.
    if let Some(inm) = req.headers().get(header::IF_NONE_MATCH) {
        let v = inm.to_str().unwrap_or("");
        if v.trim() == "*"
            || v.split(',')
                .any(|x| x.trim().trim_start_matches("W/") == etag)
        {
            return Ok(resp.status(StatusCode::NOT_MODIFIED).finish());
        }
    }
    let stored = app.media.file(&r.sha256).await.map_err(|e| {
        tracing::error!(error = %e, sha256 = %r.sha256, "a rendition's file cannot be read");
        Problem::internal()
    })?;
    let bytes = stored.bytes;
    // The bytes from `start` to `end` also go from the open file, without a copy.
    let from_file = |resp: &mut actix_web::HttpResponseBuilder, start: u64, end: u64| {
        if let Some(file) = &stored.file {
            resp.extensions_mut().insert(super::send_file::body_file(
                file.clone(),
                start,
                end + 1 - start,
            ));
        }
    };
    resp.content_type(r.media_type.as_str());
    let len = bytes.len() as u64;
    // RFC 9110 §14: one range is served as 206; several (or a stale If-Range) get the whole.
    let if_range_ok = req
        .headers()
        .get(header::IF_RANGE)
        .is_none_or(|v| v.to_str().is_ok_and(|v| v.trim() == etag));
    if let Some(range) = req.headers().get(header::RANGE).filter(|_| if_range_ok) {
        match parse_range(range.to_str().unwrap_or(""), len) {
            Range::One(start, end) => {
                resp.status(StatusCode::PARTIAL_CONTENT)
                    .insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}")));
                from_file(&mut resp, start, end);
                return Ok(resp.body(bytes.slice(start as usize..=end as usize)));
            }
            Range::Unsatisfiable => {
                return Ok(resp
                    .status(StatusCode::RANGE_NOT_SATISFIABLE)
                    .insert_header((header::CONTENT_RANGE, format!("bytes */{len}")))
                    .finish());
            }
            Range::Whole => {}
        }
    }
    if len > 0 {
        from_file(&mut resp, 0, len - 1);
    }
    Ok(resp.body(bytes))
}

#[derive(Debug, PartialEq, Eq)]
enum Range {
    Whole,
    One(u64, u64),
    Unsatisfiable,
}

/// A `Range` header (RFC 9110 §14.1.2) for a representation of `len` bytes: one byte range is
/// honoured; anything else (several ranges, another unit, a malformed value) is ignored.
fn parse_range(v: &str, len: u64) -> Range {
    let Some(spec) = v.trim().strip_prefix("bytes=") else {
        return Range::Whole;
    };
    if spec.contains(',') {
        return Range::Whole;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Range::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    if len == 0 {
        return Range::Unsatisfiable;
    }
    match (a.parse::<u64>().ok(), b.parse::<u64>().ok()) {
        (Some(s), _) if s >= len => Range::Unsatisfiable,
        (Some(s), Some(e)) if e >= s => Range::One(s, e.min(len - 1)),
        (Some(_), Some(_)) => Range::Whole,
        (Some(s), None) if b.is_empty() => Range::One(s, len - 1),
        (None, Some(0)) if a.is_empty() => Range::Unsatisfiable,
        (None, Some(n)) if a.is_empty() => Range::One(len.saturating_sub(n), len - 1),
        _ => Range::Whole,
    }
}

/// `GET /media/{id}.json` (ninjs) and `/media/{id}.xml` (NewsML-G2).
pub(super) async fn document(
    req: HttpRequest,
    file: web::Path<String>,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let file = file.into_inner();
    let (id, format) = if let Some(id) = file.strip_suffix(".json") {
        // `?ninjs=` as on articles: 2.1 by default, 1.6 or 3.1 on request.
        let format = ArticleFormat::ninjs_version(req.query_string())
            .map_err(|e| Problem::bad_request(vec![e]))?;
        (id.to_owned(), format)
    } else if let Some(id) = file.strip_suffix(".xml") {
        (id.to_owned(), ArticleFormat::NewsMl)
    } else {
        return Err(Problem::not_found(format!(
            "there is no {file:?}: a picture is /media/{{id}}.json (ninjs) or /media/{{id}}.xml (NewsML-G2)"
        )));
    };
    let (f, t, who) = (app.feeds.clone(), now(), principal_of(&req));
    let link_token = super::documents::link_token(&req, &who);
    let (rep, view) =
        web::block(move || f.picture_document(&id, format, &who, t, link_token.as_deref()))
            .await??;
    Ok(respond(
        &req,
        &rep,
        negotiate(&req),
        now().timestamp(),
        &view,
    ))
}

/// The metadata JSON of an upload or a `PUT` (docs/api.md, Pictures): every field a string
/// but `keywords`; unknown fields are errors, and every problem is reported at once.
fn parse_meta(body: &[u8]) -> Result<(PictureMeta, Option<String>), Problem> {
    let v: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Problem::malformed(format!("the metadata is not valid JSON: {e}")))?;
    let serde_json::Value::Object(map) = v else {
        return Err(Problem::bad_request(vec![FieldError::new(
            "",
            "the metadata must be a JSON object",
        )]));
    };
    let mut m = PictureMeta::default();
    let mut id = None;
    let mut errors = FieldErrors::new();
    for (k, v) in map {
        let text =
            |v: &serde_json::Value, errors: &mut FieldErrors, max: usize| -> Option<String> {
                match v.as_str() {
                    Some(s) if s.chars().count() > max => {
                        errors.add(
                            &k,
                            format!("has {} characters; the most is {max}", s.chars().count()),
                        );
                        None
                    }
                    Some(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
                    None => {
                        errors.add(&k, "must be a string");
                        None
                    }
                }
            };
        match k.as_str() {
            "id" => id = text(&v, &mut errors, 128),
            "caption" => m.caption = text(&v, &mut errors, 4000),
            "alt_text" => m.alt_text = text(&v, &mut errors, 1000),
            "credit" => m.credit = text(&v, &mut errors, 200),
            "byline" => m.byline = text(&v, &mut errors, 200),
            "copyright" => m.copyright = text(&v, &mut errors, 500),
            "usage_terms" => m.usage_terms = text(&v, &mut errors, 2000),
            "dateline" => m.dateline = text(&v, &mut errors, 200),
            "language" => {
                m.language = text(&v, &mut errors, crate::config::MAX_LANGUAGE_TAG);
                if let Some(l) = &m.language
                    && !crate::config::is_language_tag(l)
                {
                    errors.add("language", format!("{l:?} is not a BCP 47 language tag"));
                }
            }
            "taken_at" => {
                if let Some(s) = text(&v, &mut errors, 64) {
                    match chrono::DateTime::parse_from_rfc3339(&s) {
                        Ok(t) => {
                            m.taken_at = Some(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                        }
                        Err(_) => {
                            errors.add("taken_at", format!("{s:?} is not an RFC 3339 date-time"))
                        }
                    }
                }
            }
            "keywords" => match v.as_array() {
                Some(a) if a.iter().all(serde_json::Value::is_string) && a.len() <= 50 => {
                    m.keywords = a
                        .iter()
                        .filter_map(|k| k.as_str())
                        .map(|k| k.trim().to_owned())
                        .filter(|k| !k.is_empty())
                        .collect();
                }
                _ => errors.add("keywords", "must be an array of at most 50 strings"),
            },
            _ => errors.add(&k, "unknown field"),
        }
    }
    if let Some(i) = &id
        && let Err(e) = PictureId::parse(i)
    {
        errors.add("id", e);
    }
    errors.finish((m, id)).map_err(Problem::bad_request)
}

/// The upload in a request: the image itself (`image/*`), or `multipart/form-data` with parts
/// `file` and `metadata`. Read only once admitted, and never past `media.max_upload_mb`.
async fn read_upload(
    req: &HttpRequest,
    payload: web::Payload,
    app: &App,
) -> Result<(Option<(Bytes, Kind)>, Option<Bytes>), Problem> {
    let limit = app.media.max_upload_bytes;
    let too_large = || {
        Problem::payload_too_large(format!(
            "the upload is larger than media.max_upload_mb ({} MiB)",
            limit / (1024 * 1024)
        ))
    };
    let declared: Option<usize> = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    if declared.is_some_and(|n| n > limit + 64 * 1024) {
        return Err(too_large());
    }
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let media_type = ctype
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media_type == "multipart/form-data" {
        let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
        let (mut file, mut meta) = (None, None);
        while let Some(part) = parts.next().await {
            let mut part = part
                .map_err(|e| Problem::malformed(format!("the multipart body is malformed: {e}")))?;
            let name = part.name().unwrap_or("").to_owned();
            let part_type = part.content_type().map(|m| m.essence_str().to_owned());
            let mut buf = Vec::new();
            while let Some(chunk) = part.next().await {
                let chunk = chunk.map_err(|e| {
                    Problem::malformed(format!("the upload is truncated or malformed: {e}"))
                })?;
                if buf.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                buf.extend_from_slice(&chunk);
            }
            match name.as_str() {
                "file" => {
                    let t = part_type.unwrap_or_default();
                    let kind = Kind::from_media_type(&t).ok_or_else(|| unsupported(&t))?;
                    file = Some((Bytes::from(buf), kind));
                }
                "metadata" => meta = Some(Bytes::from(buf)),
                other => {
                    return Err(Problem::bad_request(vec![FieldError::new(
                        other,
                        "unknown part: a multipart upload has parts \"file\" and \"metadata\"",
                    )]));
                }
            }
        }
        return Ok((file, meta));
    }
    if media_type == "application/json" {
        let body = json_body(req, payload, app.config.api.max_body_bytes, false)
            .await?
            .unwrap_or_default();
        return Ok((None, Some(body)));
    }
    let kind = Kind::from_media_type(&media_type).ok_or_else(|| unsupported(&media_type))?;
    let body = payload
        .to_bytes_limited(limit)
        .await
        .map_err(|_| too_large())?
        .map_err(|e| Problem::malformed(format!("the upload is truncated: {e}")))?;
    if declared.is_some_and(|n| n != body.len()) {
        return Err(Problem::malformed("the upload is truncated"));
    }
    Ok((Some((body, kind)), None))
}

fn unsupported(t: &str) -> Problem {
    Problem::from(MediaError::Unsupported(format!(
        "pictures are image/jpeg, image/png or image/webp (or multipart/form-data with a \"file\" part of one of those), not {:?}",
        if t.is_empty() { "no type" } else { t }
    )))
}

fn picture_response(status: StatusCode, app: &App, p: &Picture) -> HttpResponse {
    let mut resp = HttpResponse::build(status);
    resp.insert_header((header::ETAG, format!("\"{}\"", p.etag())))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    if status == StatusCode::CREATED {
        resp.insert_header((
            header::LOCATION,
            crate::urls::Urls::of(&app.config).api_picture(p.id.as_str()),
        ));
    }
    resp.content_type("application/json")
        .body(crate::publish::picture_json(&app.config, p).to_string())
}

/// A new picture id: `img-` and the first 16 hex digits of the upload's SHA-256 (the same
/// image uploaded twice gets the same id, and a 409 the second time).
fn new_picture_id(sha256: &str) -> PictureId {
    PictureId::parse(&format!("img-{}", &sha256[..16])).expect("generated ids are valid")
}

/// `POST /api/v1/media`: upload.
pub(super) async fn upload(
    req: HttpRequest,
    payload: web::Payload,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    publisher(&req)?;
    let _turn = app.media.admit().await;
    let (file, meta) = read_upload(&req, payload, &app).await?;
    let (given, id) = match &meta {
        Some(m) => parse_meta(m)?,
        None => (PictureMeta::default(), None),
    };
    let (bytes, kind) = file.ok_or_else(|| {
        Problem::bad_request(vec![FieldError::new(
            "file",
            "no image: send the image as the body (image/jpeg, image/png, image/webp) or as the \"file\" part of multipart/form-data",
        )])
    })?;
    // The upload's hash (its generated id) is taken on the worker pool with the rest.
    let processed = app.media.process(bytes, kind, given).await?;
    let id = match id {
        Some(i) => PictureId::parse(&i).expect("checked"),
        None => new_picture_id(&processed.source_sha256),
    };
    let write = PictureWrite {
        id,
        meta: processed.meta,
        from_file: processed.from_file,
        renditions: processed.renditions,
        source_sha256: processed.source_sha256,
        source_type: processed.source_type,
    };
    let applied = app
        .newsroom
        .put_picture(write, true, if_match(&req))
        .await?;
    Ok(picture_response(
        StatusCode::CREATED,
        &app,
        &applied.picture,
    ))
}

/// `GET /api/v1/media/{id}`.
pub(super) async fn read(
    req: HttpRequest,
    id: web::Path<String>,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    publisher(&req)?;
    let (n, id2) = (app.newsroom.clone(), id.clone());
    let p = web::block(move || n.picture(&id2))
        .await??
        .ok_or_else(|| Problem::not_found(format!("there is no picture {:?}", id.as_str())))?;
    Ok(picture_response(StatusCode::OK, &app, &p))
}

/// `PUT /api/v1/media/{id}`: new metadata (JSON) or a new image (an image body, or multipart).
pub(super) async fn replace(
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    publisher(&req)?;
    let id = id.into_inner();
    let pid =
        PictureId::parse(&id).map_err(|e| Problem::bad_request(vec![FieldError::new("id", e)]))?;
    let _turn = app.media.admit().await;
    let (file, meta) = read_upload(&req, payload, &app).await?;
    let given_meta = match &meta {
        Some(m) => {
            let (m, body_id) = parse_meta(m)?;
            if body_id.is_some_and(|b| b != id) {
                return Err(Problem::bad_request(vec![FieldError::new(
                    "id",
                    "the metadata's id is not the id in the URL",
                )]));
            }
            Some(m)
        }
        None => None,
    };
    let (n, id2) = (app.newsroom.clone(), id.clone());
    let current = web::block(move || n.picture(&id2)).await??;
    let processed = match (file, &current) {
        (Some((bytes, kind)), _) => {
            // A new image: the metadata given now, else what the picture had been given.
            let given = given_meta
                .unwrap_or_else(|| current.as_ref().map(Picture::given).unwrap_or_default());
            app.media.process(bytes, kind, given).await?
        }
        (None, Some(p)) => app.media.restamp(p, given_meta.unwrap_or_default()).await?,
        (None, None) => {
            return Err(Problem::not_found(format!(
                "there is no picture {id:?}: upload its image first"
            )));
        }
    };
    let write = PictureWrite {
        id: pid,
        meta: processed.meta,
        from_file: processed.from_file,
        renditions: processed.renditions,
        source_sha256: processed.source_sha256,
        source_type: processed.source_type,
    };
    let applied = app
        .newsroom
        .put_picture(write, false, if_match(&req))
        .await?;
    let status = match applied.outcome {
        UpsertOutcome::Created(_) => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
    settled(&applied).await;
    Ok(picture_response(status, &app, &applied.picture))
}

/// A changed picture moves the feeds of the stories that show it; a feed page's Last-Modified
/// only moves forward by whole seconds, so (as for a kill) the answer waits for the second in
/// which the new pages can be served: whoever reads after the 200 sees the change.
async fn settled(applied: &crate::store::AppliedPicture) {
    if matches!(applied.outcome, UpsertOutcome::Updated(..)) {
        let visible_ms = (applied.picture.changed_at.timestamp() + 1) * 1000;
        let wait = (visible_ms - chrono::Utc::now().timestamp_millis()).min(2_000);
        if wait > 0 {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(wait as u64)).await;
        }
    }
}

/// `DELETE /api/v1/media/{id}`: kill the picture; it leaves every story and its files answer 410.
pub(super) async fn kill(
    req: HttpRequest,
    id: web::Path<String>,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    publisher(&req)?;
    let applied = app.newsroom.kill_picture(&id, if_match(&req)).await?;
    settled(&applied).await;
    Ok(picture_response(StatusCode::OK, &app, &applied.picture))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Range::One(0, 9));
        assert_eq!(parse_range("bytes=90-200", 100), Range::One(90, 99));
        assert_eq!(parse_range("bytes=-10", 100), Range::One(90, 99));
        assert_eq!(parse_range("bytes=10-", 100), Range::One(10, 99));
        assert_eq!(parse_range("bytes=100-", 100), Range::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Range::Whole);
        assert_eq!(parse_range("items=0-1", 100), Range::Whole);
        assert_eq!(parse_range("bytes=9-2", 100), Range::Whole);
    }
}
