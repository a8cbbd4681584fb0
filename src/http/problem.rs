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

    /// 400 with one entry per bad field or parameter.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
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
            FeedError::NotFound(d) => Problem::new(StatusCode::NOT_FOUND, d),
            FeedError::Gone(d) => Problem::new(StatusCode::GONE, d),
            FeedError::Unauthorized(d) => Problem::unauthorized(d, false),
            FeedError::Forbidden(d) => Problem::new(StatusCode::FORBIDDEN, d),
            FeedError::Store(e) => e.into(),
        }
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Busy => {
                tracing::warn!(error = %e, "database busy");
                Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the database is busy; try again shortly",
                )
                .header("Retry-After", "1")
            }
            StoreError::BadSearch(m) => Problem::invalid(vec![crate::model::FieldError::new(
                "q",
                format!("the search cannot be run ({m}); search for words or \"a phrase\""),
            )]),
            e => {
                tracing::error!(error = %e, "storage failure");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "an internal error occurred",
                )
            }
        }
    }
}

impl From<actix_web::error::BlockingError> for Problem {
    fn from(e: actix_web::error::BlockingError) -> Self {
        tracing::error!(error = %e, "blocking task failed");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "an internal error occurred",
        )
    }
}

impl From<crate::publish::PublishError> for Problem {
    fn from(e: crate::publish::PublishError) -> Self {
        use crate::publish::PublishError as E;
        match e {
            E::Malformed(d) => Problem::new(StatusCode::BAD_REQUEST, d),
            E::Invalid(errors) => Problem::invalid(errors),
            E::NotFound(d) => Problem::new(StatusCode::NOT_FOUND, d),
            E::Conflict(d) => Problem::new(StatusCode::CONFLICT, d),
            E::PreconditionFailed => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "the article has changed since the entity tag in If-Match; read it again",
            ),
            E::Store(e) => e.into(),
        }
    }
}
