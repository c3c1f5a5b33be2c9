//! `/api/v1/transition`: the ten capacities, capacity plans with their milestones, withdrawal
//! plans with their base closures, the state of each capacity per place on a date, and the
//! cliff of a date (places and capacities uncovered, with the alerts of the twelve months
//! before it there).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use kinga_domain::transition::{
    Capacity, CapacityPlan, CapacityStatus, ClosureInput, MilestoneInput, PlanInput,
    WithdrawalInput, WithdrawalPlan,
};

use super::{ApiJson, ApiQuery};
use crate::auth::ApiUser;
use crate::{AppState, WebError};

type ErrorBody = crate::error::ErrorBody;

/// A capacity and its name.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapacityInfo {
    /// Identifier (`physical_protection`, `early_warning`, …).
    pub id: Capacity,
    /// English name.
    pub label: &'static str,
}

/// The ten protection capacities a mission's departure affects.
#[utoipa::path(get, path = "/api/v1/transition/capacities", tag = "transition",
    responses((status = 200, body = Vec<CapacityInfo>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn capacities(user: ApiUser) -> Result<Json<Vec<CapacityInfo>>, WebError> {
    user.caller()
        .require(kinga_domain::people::Permission::ReadTransition)?;
    Ok(Json(
        Capacity::ALL
            .into_iter()
            .map(|c| CapacityInfo {
                id: c,
                label: c.label(),
            })
            .collect(),
    ))
}

/// Every capacity plan.
#[utoipa::path(get, path = "/api/v1/transition/plans", tag = "transition",
    responses((status = 200, body = Vec<CapacityPlan>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_plans(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<CapacityPlan>>, WebError> {
    Ok(Json(st.app.capacity_plans(&user.caller()).await?))
}

/// Create the plan of a capacity in a place (no `version`), or replace it (`version` = the
/// one read; a plan changed meanwhile answers 409). Milestones left out keep the stored ones.
#[utoipa::path(put, path = "/api/v1/transition/plans", tag = "transition", request_body = PlanInput,
    responses((status = 200, body = CapacityPlan), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_plan(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<PlanInput>,
) -> Result<Json<CapacityPlan>, WebError> {
    Ok(Json(st.app.save_capacity_plan(&user.caller(), body).await?))
}

/// The version a removal is decided on.
#[derive(Debug, Deserialize, IntoParams)]
pub struct VersionParams {
    /// The plan's version as read.
    pub version: u64,
}

fn capacity(s: &str) -> Result<Capacity, WebError> {
    s.parse()
        .map_err(|e: kinga_domain::DomainError| WebError::invalid(e.to_string()))
}

/// Remove the plan of a capacity in a place: it inherits its area's plan again.
#[utoipa::path(delete, path = "/api/v1/transition/plans/{place}/{capacity}", tag = "transition",
    params(("place" = String, Path, description = "P-code"),
        ("capacity" = String, Path, description = "Capacity id"), VersionParams),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_plan(
    State(st): State<AppState>,
    user: ApiUser,
    Path((place, cap)): Path<(String, String)>,
    ApiQuery(p): ApiQuery<VersionParams>,
) -> Result<StatusCode, WebError> {
    st.app
        .remove_capacity_plan(&user.caller(), &place, capacity(&cap)?, p.version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a milestone to a plan (no `id`), or change the one with that `id`.
#[utoipa::path(post, path = "/api/v1/transition/plans/{place}/{capacity}/milestones", tag = "transition",
    params(("place" = String, Path, description = "P-code"),
        ("capacity" = String, Path, description = "Capacity id")),
    request_body = MilestoneInput,
    responses((status = 200, description = "The plan with the milestone", body = CapacityPlan),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_milestone(
    State(st): State<AppState>,
    user: ApiUser,
    Path((place, cap)): Path<(String, String)>,
    ApiJson(body): ApiJson<MilestoneInput>,
) -> Result<Json<CapacityPlan>, WebError> {
    Ok(Json(
        st.app
            .save_milestone(&user.caller(), &place, capacity(&cap)?, body)
            .await?,
    ))
}

/// Remove a milestone from a plan.
#[utoipa::path(delete, path = "/api/v1/transition/plans/{place}/{capacity}/milestones/{id}", tag = "transition",
    params(("place" = String, Path, description = "P-code"),
        ("capacity" = String, Path, description = "Capacity id"),
        ("id" = String, Path, description = "Milestone id")),
    responses((status = 200, description = "The plan without it", body = CapacityPlan),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_milestone(
    State(st): State<AppState>,
    user: ApiUser,
    Path((place, cap, id)): Path<(String, String, String)>,
) -> Result<Json<CapacityPlan>, WebError> {
    Ok(Json(
        st.app
            .remove_milestone(&user.caller(), &place, capacity(&cap)?, &id)
            .await?,
    ))
}

/// Every withdrawal plan, closures earliest first.
#[utoipa::path(get, path = "/api/v1/transition/withdrawals", tag = "transition",
    responses((status = 200, body = Vec<WithdrawalPlan>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_withdrawals(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<WithdrawalPlan>>, WebError> {
    Ok(Json(st.app.withdrawal_plans(&user.caller()).await?))
}

/// Create a mission's withdrawal plan (no `id`), or change its mission name and note.
#[utoipa::path(post, path = "/api/v1/transition/withdrawals", tag = "transition",
    request_body = WithdrawalInput,
    responses((status = 200, body = WithdrawalPlan), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_withdrawal(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<WithdrawalInput>,
) -> Result<Json<WithdrawalPlan>, WebError> {
    Ok(Json(st.app.save_withdrawal(&user.caller(), body).await?))
}

/// Add a base closure to a withdrawal plan (no `id`), or change the one with that `id`.
#[utoipa::path(post, path = "/api/v1/transition/withdrawals/{id}/closures", tag = "transition",
    params(("id" = String, Path, description = "Withdrawal plan id")),
    request_body = ClosureInput,
    responses((status = 200, description = "The plan with the closure", body = WithdrawalPlan),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_closure(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ClosureInput>,
) -> Result<Json<WithdrawalPlan>, WebError> {
    Ok(Json(st.app.save_closure(&user.caller(), &id, body).await?))
}

/// Remove a base closure.
#[utoipa::path(delete, path = "/api/v1/transition/withdrawals/{id}/closures/{closure}", tag = "transition",
    params(("id" = String, Path, description = "Withdrawal plan id"),
        ("closure" = String, Path, description = "Closure id")),
    responses((status = 200, description = "The plan without it", body = WithdrawalPlan),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_closure(
    State(st): State<AppState>,
    user: ApiUser,
    Path((id, closure)): Path<(String, String)>,
) -> Result<Json<WithdrawalPlan>, WebError> {
    Ok(Json(
        st.app.remove_closure(&user.caller(), &id, &closure).await?,
    ))
}

/// A date, and for the state an area.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DateParams {
    /// `YYYY-MM-DD`; default today (the deployment's date).
    pub date: Option<String>,
    /// P-code of an area: only the places inside it (state only).
    pub place: Option<String>,
}

/// The date asked for, or today.
pub fn day_of(st: &AppState, s: &Option<String>) -> Result<NaiveDate, WebError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(st.app.local_today()),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| WebError::invalid("date must be YYYY-MM-DD")),
    }
}

/// One place and the state of each capacity known there.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceStateBody {
    /// P-code.
    pub pcode: String,
    /// Name.
    pub name: String,
    /// Each capacity a plan or closure concerns there: state, reason, where the plan comes
    /// from.
    pub capacities: Vec<CapacityStatusBody>,
}

/// A capacity's state with its structured reason and the reason in plain English (worded by
/// the catalogue, like the pages).
#[derive(Debug, Serialize, ToSchema)]
pub struct CapacityStatusBody {
    /// The state and what it rests on.
    #[serde(flatten)]
    pub status: CapacityStatus,
    /// The reason in plain English.
    pub reason_text: String,
}

impl From<CapacityStatus> for CapacityStatusBody {
    fn from(status: CapacityStatus) -> Self {
        CapacityStatusBody {
            reason_text: crate::ui::i18n::reason_words("en", &status.reason),
            status,
        }
    }
}

/// The state of the transition on a date.
#[derive(Debug, Serialize, ToSchema)]
pub struct StateBody {
    /// The date.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// The places a plan or closure names.
    pub places: Vec<PlaceStateBody>,
}

/// The state (covered, at risk, gap, with the reason) of every capacity on a date, for each
/// place a plan or closure names.
#[utoipa::path(get, path = "/api/v1/transition/state", tag = "transition", params(DateParams),
    responses((status = 200, body = StateBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn state(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<DateParams>,
) -> Result<Json<StateBody>, WebError> {
    let on = day_of(&st, &p.date)?;
    let area = p.place.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let o = st.app.transition_overview(&user.caller(), area, on).await?;
    Ok(Json(StateBody {
        date: o.date,
        places: o
            .places
            .into_iter()
            .map(|p| PlaceStateBody {
                pcode: p.pcode,
                name: p.name,
                capacities: p.capacities.into_iter().map(Into::into).collect(),
            })
            .collect(),
    }))
}

/// One place of the cliff.
#[derive(Debug, Serialize, ToSchema)]
pub struct CliffPlaceBody {
    /// P-code.
    pub pcode: String,
    /// Name.
    pub name: String,
    /// Capacity ids uncovered on the date.
    pub capacities: Vec<Capacity>,
    /// Alerts reported in the place (and the places inside it) in the twelve months before
    /// the date; for a date to come, in the last twelve months (what would go unanswered).
    pub alerts_12m: u64,
    /// Incidents that occurred there in the same twelve months, counted only in the
    /// compartments the caller may see; left out when the caller sees none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incidents_12m: Option<u64>,
    /// Of those incidents, the verified ones; left out with `incidents_12m`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incidents_verified_12m: Option<u64>,
}

/// The cliff of a date.
#[derive(Debug, Serialize, ToSchema)]
pub struct CliffBody {
    /// The date.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// Places with a capacity uncovered on the date, by P-code.
    pub places: Vec<CliffPlaceBody>,
    /// False when the caller sees no incident compartment: the places then carry alert
    /// figures only.
    pub incidents_visible: bool,
}

/// The cliff: for a date, the places and capacities nobody will provide, with the alerts of
/// the twelve months before it there (what would have gone unanswered).
#[utoipa::path(get, path = "/api/v1/transition/cliff", tag = "transition", params(DateParams),
    responses((status = 200, body = CliffBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn cliff(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<DateParams>,
) -> Result<Json<CliffBody>, WebError> {
    let on = day_of(&st, &p.date)?;
    let c = st.app.transition_cliff(&user.caller(), on).await?;
    Ok(Json(CliffBody {
        date: c.date,
        places: c
            .places
            .into_iter()
            .map(|p| CliffPlaceBody {
                pcode: p.pcode,
                name: p.name,
                capacities: p.capacities,
                alerts_12m: p.alerts_12m,
                incidents_12m: p.incidents_12m,
                incidents_verified_12m: p.incidents_verified_12m,
            })
            .collect(),
        incidents_visible: c.incidents_visible,
    }))
}
