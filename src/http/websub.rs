//! `POST /websub`: the hub's subscription endpoint (W3C WebSub §5.1). A well-formed request is
//! answered 202 at once; verification (or denial) follows from the hub's own workers.

use super::Problem;
use crate::app::App;
use crate::websub::Request;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

/// A subscription request is a few hundred bytes; this is plenty.
const MAX_BODY: usize = 16 * 1024;

pub(super) async fn subscribe(
    req: HttpRequest,
    payload: web::Payload,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let media = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if media.as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(Problem::unsupported_media_type(
            "a WebSub request is application/x-www-form-urlencoded (W3C WebSub §5.1)",
        )
        .header("Accept-Post", "application/x-www-form-urlencoded"));
    }
    let body = payload
        .to_bytes_limited(MAX_BODY)
        .await
        .map_err(|_| {
            Problem::payload_too_large(format!(
                "a WebSub request is at most {} KiB",
                MAX_BODY / 1024
            ))
        })?
        .map_err(|e| Problem::malformed(format!("cannot read the body: {e}")))?;
    let request =
        Request::parse(&body, app.websub.allow_private()).map_err(Problem::bad_request)?;
    app.websub.accept(request);
    Ok(HttpResponse::Accepted()
        .content_type("text/plain; charset=utf-8")
        .body("accepted: the hub will verify this request with the callback\n"))
}
