//! Human Rights Due Diligence screening: `/api/v1/hrddp/record` (a unit's documented record
//! and the rule's rating, not stored) and `/api/v1/hrddp/screenings` (recorded screenings).
//! Only incidents the caller may see are counted; a screening drawn from a compartment the
//! caller does not see answers 404 like a missing one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use kinga_domain::incident::hrddp::{RiskRating, Screening, ScreeningDraft, UnitRecord};

use super::{ApiJson, ApiQuery};
use crate::auth::ApiUser;
use crate::{AppState, WebError};

/// Which unit.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UnitParams {
    /// The unit as perpetrators name it.
    pub unit: String,
    /// Its force, to tell apart units of the same name.
    pub actor: Option<String>,
}

/// A unit's documented record with the rating the rule gives it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitRecordAnswer {
    /// The incidents attributed to the unit and their counts.
    pub record: UnitRecord,
    /// The rule's rating.
    pub risk: RiskRating,
}

/// A unit's documented record now, from the incidents the caller may see.
#[utoipa::path(get, path = "/api/v1/hrddp/record", tag = "incidents", params(UnitParams),
    responses((status = 200, body = UnitRecordAnswer), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn record(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<UnitParams>,
) -> Result<Json<UnitRecordAnswer>, WebError> {
    let (record, _) = st
        .app
        .unit_record(&user.caller(), &q.unit, q.actor.as_deref())
        .await?;
    let risk = RiskRating::of(&record);
    Ok(Json(UnitRecordAnswer { record, risk }))
}

/// The screenings the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/hrddp/screenings", tag = "incidents",
    responses((status = 200, body = [Screening]), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<Screening>>, WebError> {
    Ok(Json(st.app.screenings(&user.caller()).await?))
}

/// Screen a unit: its record now, the rating, the mitigation measures; recorded.
#[utoipa::path(post, path = "/api/v1/hrddp/screenings", tag = "incidents", request_body = ScreeningDraft,
    responses((status = 201, body = Screening), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn screen(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<ScreeningDraft>,
) -> Result<(StatusCode, Json<Screening>), WebError> {
    let s = st.app.screen_unit(&user.caller(), body).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// One screening.
#[utoipa::path(get, path = "/api/v1/hrddp/screenings/{id}", tag = "incidents",
    params(("id" = String, Path, description = "Screening id")),
    responses((status = 200, body = Screening), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_one(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Screening>, WebError> {
    Ok(Json(st.app.screening(&user.caller(), &id).await?))
}
