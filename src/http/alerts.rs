//! `/alerts`: the email alert pages and requests (contract §16). Thin handlers over
//! [`crate::alerts::Alerts`]; storage runs off the event loop.

use super::Problem;
use crate::alerts::{AlertError, Alerts, Input, pages};
use crate::app::App;
use crate::pages::Ui;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use std::sync::Arc;

/// A subscription request is a few hundred bytes; this is plenty.
const MAX_BODY: usize = 16 * 1024;

impl From<AlertError> for Problem {
    fn from(e: AlertError) -> Self {
        match e {
            AlertError::Invalid(errors) => Problem::bad_request(errors),
            // The same answer for a forged token, an expired one and an ended subscription.
            AlertError::NotFound => Problem::not_found(
                "this link is not valid (it may have expired, or the subscription has ended)",
            ),
            AlertError::Store(e) => e.into(),
        }
    }
}

fn service(app: &App) -> Result<Arc<Alerts>, Problem> {
    app.alerts
        .clone()
        .ok_or_else(|| Problem::not_found("email alerts are not set up on this server ([mail])"))
}

fn query(req: &HttpRequest) -> Vec<(String, String)> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect()
}

fn token(req: &HttpRequest) -> String {
    query(req)
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// The page language: `?lang=` (or the form's `lang`), else `Accept-Language`, else the
/// agency's.
fn ui_of(req: &HttpRequest, alerts: &Alerts, asked: Option<Ui>) -> Ui {
    asked
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Ui::negotiate)
        })
        .unwrap_or_else(|| alerts.default_ui())
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            crate::pages::content_security_policy(),
        ))
        // Pages reached by a token are the subscriber's alone; none is ever stored.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::VARY, "Accept-Language"))
        .content_type("text/html; charset=utf-8")
        .body(body)
}

fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

async fn block<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AlertError> + Send + 'static,
) -> Result<T, AlertError> {
    web::block(f)
        .await
        .map_err(|_| AlertError::Store(crate::store::StoreError::Busy))?
}

/// Reads a form or JSON body into an [`Input`]; whether it was a form.
async fn input(req: &HttpRequest, payload: web::Payload) -> Result<(Input, bool), Problem> {
    let media = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    let form = match media.as_deref() {
        Some("application/x-www-form-urlencoded") => true,
        Some("application/json") => false,
        _ => {
            return Err(Problem::unsupported_media_type(
                "send application/x-www-form-urlencoded (the form) or application/json",
            )
            .header(
                "Accept-Post",
                "application/x-www-form-urlencoded, application/json",
            ));
        }
    };
    let body = payload
        .to_bytes_limited(MAX_BODY)
        .await
        .map_err(|_| {
            Problem::payload_too_large(format!(
                "an alert request is at most {} KiB",
                MAX_BODY / 1024
            ))
        })?
        .map_err(|e| Problem::malformed(format!("cannot read the body: {e}")))?;
    if form {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
        Ok((
            Input::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            true,
        ))
    } else {
        Ok((
            Input::from_json(&body).map_err(Problem::bad_request)?,
            false,
        ))
    }
}

/// `GET /alerts`: the form, filled in from the query (`?topics=security&countries=GT`).
pub(super) async fn form(req: HttpRequest, app: web::Data<App>) -> Result<HttpResponse, Problem> {
    let alerts = service(&app)?;
    let q = query(&req);
    let prefill = Input::from_pairs(q.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let ui = ui_of(&req, &alerts, prefill.ui());
    let page = pages::form_page(
        alerts.config(),
        ui,
        &pages::Prefill::of_input(&prefill),
        &[],
    );
    Ok(html(StatusCode::OK, page))
}

/// `POST /alerts`: 202 whatever the address; 400 naming each bad field.
pub(super) async fn subscribe(
    req: HttpRequest,
    payload: web::Payload,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let alerts = service(&app)?;
    let (input, form) = input(&req, payload).await?;
    let ui = ui_of(&req, &alerts, input.ui());
    let a = alerts.clone();
    let i = input.clone();
    let now = chrono::Utc::now().timestamp_millis();
    match block(move || a.subscribe(&i, now)).await {
        Ok(()) if form => Ok(html(
            StatusCode::ACCEPTED,
            pages::accepted_page(alerts.config(), ui),
        )),
        Ok(()) => Ok(HttpResponse::Accepted()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .content_type("application/json")
            .body(
                serde_json::json!({
                    "status": "accepted",
                    "detail": "if the address is valid, a confirmation mail is on its way; the subscription starts when its link is followed (within 48 hours)"
                })
                .to_string(),
            )),
        // A person at the form sees it again with the problems; a program gets problem+json.
        Err(AlertError::Invalid(errors)) if form && wants_html(&req) => Ok(html(
            StatusCode::BAD_REQUEST,
            pages::form_page(
                alerts.config(),
                ui,
                &pages::Prefill::of_input(&input),
                &errors,
            ),
        )),
        Err(e) => Err(e.into()),
    }
}

/// `GET /alerts/confirm?token=`: confirms, then shows the management page.
pub(super) async fn confirm(
    req: HttpRequest,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let alerts = service(&app)?;
    let t = token(&req);
    let (a, tk) = (alerts.clone(), t.clone());
    let now = chrono::Utc::now().timestamp_millis();
    let s = block(move || a.confirm(&tk, now)).await?;
    let ui = Ui::from_tag(&s.ui).unwrap_or(Ui::En);
    Ok(html(
        StatusCode::OK,
        pages::manage_page(
            alerts.config(),
            ui,
            &s,
            &t,
            Some(crate::alerts::pages::notice(ui, "confirmed")),
            &[],
        ),
    ))
}

/// `GET /alerts/manage?token=`: the subscription's choices.
pub(super) async fn manage(req: HttpRequest, app: web::Data<App>) -> Result<HttpResponse, Problem> {
    let alerts = service(&app)?;
    let t = token(&req);
    let (a, tk) = (alerts.clone(), t.clone());
    let s = block(move || a.by_token(&tk)).await?;
    let ui = Ui::from_tag(&s.ui).unwrap_or(Ui::En);
    Ok(html(
        StatusCode::OK,
        pages::manage_page(alerts.config(), ui, &s, &t, None, &[]),
    ))
}

/// `POST /alerts/manage?token=`: saves changes (`action=unsubscribe` ends it instead).
pub(super) async fn manage_post(
    req: HttpRequest,
    payload: web::Payload,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let alerts = service(&app)?;
    let t = token(&req);
    let (input, form) = input(&req, payload).await?;
    let (a, tk, i) = (alerts.clone(), t.clone(), input.clone());
    let now = chrono::Utc::now().timestamp_millis();
    match block(move || a.update(&tk, &i, now)).await {
        Ok(s) => {
            let ui = Ui::from_tag(&s.ui).unwrap_or(Ui::En);
            Ok(html(
                StatusCode::OK,
                pages::manage_page(
                    alerts.config(),
                    ui,
                    &s,
                    &t,
                    Some(crate::alerts::pages::notice(ui, "saved")),
                    &[],
                ),
            ))
        }
        Err(AlertError::Invalid(errors)) if form && wants_html(&req) => {
            let (a, tk) = (alerts.clone(), t.clone());
            let s = block(move || a.by_token(&tk)).await?;
            let ui = Ui::from_tag(&s.ui).unwrap_or(Ui::En);
            Ok(html(
                StatusCode::BAD_REQUEST,
                pages::manage_page(alerts.config(), ui, &s, &t, None, &errors),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /alerts/unsubscribe?token=`: a button; a GET never unsubscribes.
pub(super) async fn unsubscribe_page(
    req: HttpRequest,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let alerts = service(&app)?;
    let t = token(&req);
    let (a, tk) = (alerts.clone(), t.clone());
    let s = block(move || a.by_token(&tk)).await?;
    let ui = Ui::from_tag(&s.ui).unwrap_or(Ui::En);
    Ok(html(
        StatusCode::OK,
        pages::unsubscribe_page(alerts.config(), ui, &t),
    ))
}

/// `POST /alerts/unsubscribe?token=`: RFC 8058 one-click (the body, if any, is
/// `List-Unsubscribe=One-Click`); 200 with a page saying so.
pub(super) async fn unsubscribe(
    req: HttpRequest,
    app: web::Data<App>,
) -> Result<HttpResponse, Problem> {
    let alerts = service(&app)?;
    let t = token(&req);
    let a = alerts.clone();
    let ui = block(move || a.unsubscribe(&t)).await?;
    Ok(html(
        StatusCode::OK,
        pages::unsubscribed_page(alerts.config(), ui),
    ))
}
