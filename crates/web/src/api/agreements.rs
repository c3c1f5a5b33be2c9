//! `/api/v1/agreements`: data-sharing agreements with paired instances — list, record, revoke.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use kinga_domain::agreement::{Agreement, AgreementInput};

use super::ApiJson;
use crate::auth::ApiUser;
use crate::{AppState, WebError};

type ErrorBody = crate::error::ErrorBody;

/// Every agreement, oldest first, revoked and expired ones included (administrators).
#[utoipa::path(get, path = "/api/v1/agreements", tag = "agreements",
    responses((status = 200, body = Vec<Agreement>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<Agreement>>, WebError> {
    Ok(Json(st.app.agreements(&user.caller()).await?))
}

/// Record an agreement with a paired instance (administrators). `withheld_fields` are
/// `record_type:field` (`alert:text`): a record carrying one never leaves, not even sealed.
#[utoipa::path(post, path = "/api/v1/agreements", tag = "agreements", request_body = AgreementInput,
    responses((status = 201, body = Agreement), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<AgreementInput>,
) -> Result<(StatusCode, Json<Agreement>), WebError> {
    let a = st.app.add_agreement(&user.caller(), &body).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// Why an agreement ends early.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RevokeBody {
    /// The reason, in words.
    pub reason: String,
}

/// End an agreement before its term: nothing crosses under it any more (administrators).
#[utoipa::path(post, path = "/api/v1/agreements/{id}/revoke", tag = "agreements",
    params(("id" = String, Path, description = "Agreement id")), request_body = RevokeBody,
    responses((status = 200, body = Agreement), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RevokeBody>,
) -> Result<Json<Agreement>, WebError> {
    Ok(Json(
        st.app
            .revoke_agreement(&user.caller(), &id, &body.reason)
            .await?,
    ))
}
