//! Errors of the pages, rendered as a page in the reader's language, and the page for an
//! address no route answers.

use axum::extract::{FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Value, context};

use kinga_app::AppError;

use super::i18n::tr;
use super::{Ctx, login};
use crate::{AppState, WebError};

/// Why a page could not be served; rendered as an HTML page in the user's language.
#[derive(Debug)]
pub struct UiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Message for a person.
    pub message: String,
}

impl UiError {
    /// An error with a status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        UiError {
            status,
            message: message.into(),
        }
    }

    /// 422 with a message.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// 403 with a message.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }
}

impl From<WebError> for UiError {
    fn from(e: WebError) -> Self {
        UiError {
            status: e.status,
            message: e.message,
        }
    }
}

impl From<AppError> for UiError {
    fn from(e: AppError) -> Self {
        WebError::from(e).into()
    }
}

impl From<kinga_app::StoreError> for UiError {
    fn from(e: kinga_app::StoreError) -> Self {
        AppError::from(e).into()
    }
}

/// Result of page handlers.
pub type UiResult<T = Response> = Result<T, UiError>;

/// The title, detail and status an error page shows, in `lang`.
pub(super) fn error_view(lang: &str, e: &UiError) -> Value {
    let title = match e.status {
        StatusCode::FORBIDDEN => "err_forbidden",
        StatusCode::NOT_FOUND => "err_not_found",
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "err_invalid",
        StatusCode::CONFLICT => "err_conflict",
        StatusCode::TOO_MANY_REQUESTS => "err_too_many",
        _ => "err_unavailable",
    };
    // Server faults carry internals (database errors); a person only needs to retry.
    let detail = if e.status.is_server_error() {
        tr(lang, "err_retry").to_string()
    } else if e.status == StatusCode::NOT_FOUND {
        // The application names what is missing in English; the page says it in its language.
        tr(lang, "err_not_found_detail").to_string()
    } else if e.message.starts_with("forbidden:") {
        // The application's refusal names the role in English; say it in the page language.
        tr(lang, "err_forbidden_detail").to_string()
    } else {
        e.message.clone()
    };
    context! { title => tr(lang, title), detail => detail, status => e.status.as_u16() }
}

/// The error page rendered with `ctx`, or a bare status when even that fails.
pub(super) fn error_response(st: &AppState, status: StatusCode, ctx: Value) -> Response {
    match st.ui.render("error.html", ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, "error").into_response(),
    }
}

/// Any address no route answers: a JSON error under `/api/` and `/channels/`, else a page in
/// the reader's language (the signed-in user's, else the browser's).
pub async fn not_found(
    axum::extract::State(st): axum::extract::State<AppState>,
    req: Request,
) -> Response {
    let (mut parts, _) = req.into_parts();
    let path = parts.uri.path();
    if path.starts_with("/api/") || path.starts_with("/channels/") {
        return WebError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
            .into_response();
    }
    match Ctx::from_request_parts(&mut parts, &st).await {
        Ok(cx) => cx.error_page(UiError::new(StatusCode::NOT_FOUND, "")),
        Err(_) => {
            let lang = login::request_lang(&parts.headers, None);
            public_error(&st, lang, UiError::new(StatusCode::NOT_FOUND, ""))
        }
    }
}

/// An error page for someone not signed in.
pub fn public_error(st: &AppState, lang: &'static str, e: UiError) -> Response {
    let ctx = context! { lang => lang, ..error_view(lang, &e) };
    error_response(st, e.status, ctx)
}
