//! The one place where errors become HTTP answers.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use kinga_app::{AppError, StoreError};

/// An error on its way to becoming an HTTP answer.
#[derive(Debug)]
pub struct WebError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Message for a person.
    pub message: String,
}

/// JSON body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Error details.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code (`invalid`, `not_found`, `unauthorized`, …).
    pub code: String,
    /// Message for a person.
    pub message: String,
}

impl WebError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        WebError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 422 with a message.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }

    /// 401 with a message.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        let (status, code) = match &e {
            AppError::Domain(_) | AppError::Invalid(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
            }
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::KeyReused(_) => (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"),
            AppError::Store(StoreError::Conflict(_)) => (StatusCode::CONFLICT, "conflict"),
            AppError::Store(StoreError::Duplicate(_)) => (StatusCode::CONFLICT, "duplicate"),
            AppError::Store(_) | AppError::Crypto(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
        };
        if status.is_server_error() {
            // The driver's words stay in the log; the person gets a reference to quote.
            let reference = hex::encode(rand::random::<[u8; 4]>());
            tracing::error!(error = %e, reference = %reference, "request failed");
            return WebError::new(
                status,
                code,
                format!(
                    "Kinga could not complete this request; try again in a moment. If it keeps \
                     failing, give your administrator this reference: {reference}"
                ),
            );
        }
        WebError::new(status, code, e.to_string())
    }
}

impl From<kinga_channels::ChannelError> for WebError {
    fn from(e: kinga_channels::ChannelError) -> Self {
        use kinga_channels::ChannelError;
        // Nothing is stored on any of these: the gateway learns why from the status alone.
        let (status, code) = match &e {
            e if e.is_authentication_failure() => (StatusCode::FORBIDDEN, "gateway_auth"),
            ChannelError::BodyTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            _ => (StatusCode::BAD_REQUEST, "bad_request"),
        };
        if status == StatusCode::FORBIDDEN {
            tracing::warn!(error = %e, "gateway request refused");
        }
        WebError::new(status, code, e.to_string())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
            },
        };
        let mut r = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        r
    }
}
