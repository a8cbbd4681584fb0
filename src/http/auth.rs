//! Who a request acts as: the `Authorization: Bearer` key (or `?token=` where allowed), decided
//! once per request; handlers take the [`Principal`] and never parse headers themselves.

use super::Problem;
use crate::app::App;
use crate::auth::{Principal, Refusal};
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest};

/// The principal of a feed or article request: the `Authorization: Bearer` key, else the
/// `?token=` one (for readers that cannot send headers).
pub(super) fn principal_with(
    req: &HttpRequest,
    query_token: Option<&str>,
    app: &App,
    now: i64,
) -> Result<Principal, Problem> {
    let token = match req.headers().get(header::AUTHORIZATION) {
        Some(value) => value
            .to_str()
            .unwrap_or("")
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .ok_or_else(|| {
                Problem::unauthorized("the Authorization header must be \"Bearer <token>\"", true)
            })?,
        None => match query_token {
            Some(t) => t,
            None => return Ok(Principal::Anonymous),
        },
    };
    match app.authenticate(token, now) {
        Ok(key) => Ok(Principal::Key(key)),
        Err(r) => Err(Problem::unauthorized(
            match r {
                Refusal::Unknown => "the key is not valid",
                Refusal::Revoked => "the key was revoked",
                Refusal::Expired => "the key has expired",
            },
            true,
        )),
    }
}

/// The principal, who must hold a publisher key.
pub(super) fn publisher(req: &HttpRequest) -> Result<Principal, Problem> {
    match principal_of(req) {
        p if p.is_publisher() => Ok(p),
        Principal::Anonymous => Err(Problem::unauthorized(
            "the publishing API needs a publisher key: Authorization: Bearer <token>",
            false,
        )),
        Principal::Key(_) => Err(Problem::forbidden("this key is not a publisher key")),
    }
}

/// The principal the gate decided for this request (anonymous if it did not run).
pub(super) fn principal_of(req: &HttpRequest) -> Principal {
    req.extensions()
        .get::<Principal>()
        .cloned()
        .unwrap_or(Principal::Anonymous)
}
