//! `/api/v1/alerts/{id}/media/{digest}` (an alert's file) and `/api/v1/alerts/{id}/transcript`
//! (what a person heard on its recording).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::ApiJson;
use super::alerts::TextBody;
use super::views::AlertView;
use crate::auth::ApiUser;
use crate::{AppState, WebError};

/// One file of an alert (a recording, a photo), to a caller who may read the alert; sealed
/// files are opened for the answer and the opening is audited.
#[utoipa::path(get, path = "/api/v1/alerts/{id}/media/{digest}", tag = "alerts",
    params(("id" = String, Path, description = "Alert id or reference"),
        ("digest" = String, Path, description = "The file's BLAKE3 digest, as the alert's `media_attached` timeline entry gives it")),
    responses((status = 200, description = "The file, with its media type", content_type = "application/octet-stream"),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_media(
    State(st): State<AppState>,
    user: ApiUser,
    Path((id, digest)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let file = st.app.alert_media(&user.caller(), &id, &digest).await?;
    Ok((
        [
            (CONTENT_TYPE, file.media.media_type),
            (CACHE_CONTROL, "private, no-store".to_string()),
        ],
        file.bytes,
    )
        .into_response())
}

/// Record what was said on an alert's recording: it becomes the alert's text and the alert
/// is no longer flagged `untranscribed`.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/transcript", tag = "alerts", request_body = TextBody,
    params(("id" = String, Path, description = "Alert id or reference")),
    responses((status = 200, body = AlertView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn transcript(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TextBody>,
) -> Result<Json<AlertView>, WebError> {
    let a = st.app.transcribe(&user.caller(), &id, &b.text).await?;
    Ok(Json(AlertView::new(&a, &st.app.gazetteer(), true)))
}
