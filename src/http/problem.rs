//! Errors → RFC 9457 `application/problem+json`.
//!
//! Policy: client mistakes say exactly what is wrong; server failures say only that something
//! failed (the cause is logged once, here) so internals never reach clients.

use crate::feeds::FeedError;
use crate::model::FieldError;
use crate::store::StoreError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;
use std::fmt;

/// A problem detail response.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    detail: String,
    errors: Vec<FieldError>,
    headers: Vec<(&'static str, String)>,
}

impl Problem {
    /// A problem with a status and a human-readable detail.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Adds a response header (`Retry-After`, `WWW-Authenticate`, `Allow`).
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// 401: no key, or a key that is not (or no longer) valid (RFC 6750 §3).
    pub fn unauthorized(detail: impl Into<String>, invalid_token: bool) -> Self {
        let challenge = if invalid_token {
            "Bearer realm=\"wirefeed\", error=\"invalid_token\""
        } else {
            "Bearer realm=\"wirefeed\""
        };
        Self::new(StatusCode::UNAUTHORIZED, detail).header("WWW-Authenticate", challenge)
    }

    /// 400 for a request that cannot be read at all (not JSON, not a form).
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 404: nothing here (or nothing this requester may know of).
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// 410: it was here and is gone for good (a killed article).
    pub fn gone(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, detail)
    }

    /// 403: the key sent does not reach this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    /// 409: the request conflicts with what is stored.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// 412: `If-Match` failed.
    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, detail)
    }

    /// 413: the body is larger than allowed.
    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, detail)
    }

    /// 415: the body is not of a media type this resource reads.
    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, detail)
    }

    /// 405 with the methods the resource allows.
    pub fn method_not_allowed(detail: impl Into<String>, allow: &'static str) -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, detail).header("Allow", allow)
    }

    /// 429 with `Retry-After`.
    pub fn too_many_requests(detail: impl Into<String>, retry_after: u64) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, detail)
            .header("Retry-After", retry_after.to_string())
    }

    /// 503 with `Retry-After`: try again shortly.
    pub fn unavailable(detail: impl Into<String>, retry_after: u64) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, detail)
            .header("Retry-After", retry_after.to_string())
    }

    /// 507 with `Retry-After`: no space to store this (RFC 4918 §11.5).
    pub fn insufficient_storage(detail: impl Into<String>, retry_after: u64) -> Self {
        Self::new(StatusCode::INSUFFICIENT_STORAGE, detail)
            .header("Retry-After", retry_after.to_string())
    }

    /// 500: something failed on our side; the detail never says what (it is logged).
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "an internal error occurred",
        )
    }

    /// 400 with one entry per bad field or parameter.
    pub fn bad_request(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            status: StatusCode::BAD_REQUEST,
            detail,
            errors,
            headers: Vec::new(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut body = json!({
            "type": "about:blank",
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if !self.errors.is_empty() {
            body["errors"] = self
                .errors
                .iter()
                .map(|e| json!({ "field": e.field, "message": e.message }))
                .collect();
        }
        let mut resp = HttpResponse::build(self.status);
        // An error must not outlive its cause in a cache (a 404 for an embargoed article).
        resp.content_type("application/problem+json")
            .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
        let has = |name: &str| {
            self.headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
        };
        if self.status == StatusCode::METHOD_NOT_ALLOWED && !has("Allow") {
            resp.insert_header((actix_web::http::header::ALLOW, "GET, HEAD"));
        }
        if self.status == StatusCode::UNAUTHORIZED && !has("WWW-Authenticate") {
            resp.insert_header(("WWW-Authenticate", "Bearer realm=\"wirefeed\""));
        }
        for (name, value) in &self.headers {
            resp.insert_header((*name, value.as_str()));
        }
        resp.body(body.to_string())
    }
}

impl From<FeedError> for Problem {
    fn from(e: FeedError) -> Self {
        match e {
            FeedError::NotFound(d) => Problem::not_found(d),
            FeedError::Gone(d) => Problem::gone(d),
            FeedError::Unauthorized(d) => Problem::unauthorized(d, false),
            FeedError::Forbidden(d) => Problem::forbidden(d),
            FeedError::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Busy => {
                tracing::warn!(error = %e, "database busy");
                Problem::unavailable("the database is busy; try again shortly", 1)
            }
            // Storage that cannot take writes now is not a server bug: nothing was written,
            // and the same request works once space is freed or the file is writable again.
            StoreError::Full(_) => {
                tracing::error!(error = %e, "database disk full");
                Problem::insufficient_storage(
                    "the server has no space to store this; try again later",
                    60,
                )
            }
            StoreError::Unavailable(_) => {
                tracing::error!(error = %e, "database unavailable");
                Problem::unavailable(
                    "the database cannot be written just now; try again later",
                    30,
                )
            }
            StoreError::BadSearch(m) => Problem::bad_request(vec![crate::model::FieldError::new(
                "q",
                format!("the search cannot be run ({m}); search for words or \"a phrase\""),
            )]),
            e => {
                tracing::error!(error = %e, "storage failure");
                Problem::internal()
            }
        }
    }
}

impl From<actix_web::error::BlockingError> for Problem {
    fn from(e: actix_web::error::BlockingError) -> Self {
        tracing::error!(error = %e, "blocking task failed");
        Problem::internal()
    }
}

impl From<crate::publish::PublishError> for Problem {
    fn from(e: crate::publish::PublishError) -> Self {
        use crate::publish::PublishError as E;
        match e {
            E::Malformed(d) => Problem::malformed(d),
            E::Invalid(errors) => Problem::bad_request(errors),
            E::NotFound(d) => Problem::not_found(d),
            E::Conflict(d) => Problem::conflict(d),
            E::PreconditionFailed => Problem::precondition_failed(
                "the article has changed since the entity tag in If-Match; read it again",
            ),
            E::Store(e) => e.into(),
        }
    }
}
