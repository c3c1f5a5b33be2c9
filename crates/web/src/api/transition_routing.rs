//! `/api/v1/transition` routing that follows the plan: the routed handovers on a date, a
//! planner's reversal or restoration of one, and the simulation of past alerts under the
//! coverage of a date.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use kinga_domain::transition::routing::{PlanSwitch, Simulated};
use kinga_domain::transition::{Capacity, HandoverReversal};

use super::transition::day_of;
use super::{ApiJson, ApiQuery};
use crate::auth::ApiUser;
use crate::{AppState, WebError};

type ErrorBody = crate::error::ErrorBody;

/// A date.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RoutingParams {
    /// `YYYY-MM-DD`; default today (the deployment's date).
    pub date: Option<String>,
}

/// The routed handovers on a date.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingBody {
    /// The date.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// Each plan of early warning or physical protection with a handover date: where it
    /// stands (`scheduled`, `in_force`, `reversed`) and the responders its names match.
    pub plans: Vec<PlanSwitch>,
    /// Responders' names by id.
    pub responders: BTreeMap<String, String>,
}

/// The handovers of early warning and physical protection, and whether alerts follow them on
/// the date: from a plan's handover date, alerts in its area go to the responders its
/// successors name instead of those its providers name, unless a planner reversed it.
#[utoipa::path(get, path = "/api/v1/transition/routing", tag = "transition", params(RoutingParams),
    responses((status = 200, body = RoutingBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn routing(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<RoutingParams>,
) -> Result<Json<RoutingBody>, WebError> {
    let on = day_of(&st, &p.date)?;
    let r = st.app.routing_plans(&user.caller(), on).await?;
    Ok(Json(RoutingBody {
        date: r.date,
        plans: r.plans,
        responders: r.responders,
    }))
}

/// Why a handover is reversed or restored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    /// Why (required; kept in the ledger).
    pub reason: String,
}

fn capacity(s: &str) -> Result<Capacity, WebError> {
    s.parse()
        .map_err(|e: kinga_domain::DomainError| WebError::invalid(e.to_string()))
}

/// Reverse a plan's handover for routing: alerts in its area go back to the providers'
/// responders (until restored, or until the plan is given another handover date).
#[utoipa::path(post, path = "/api/v1/transition/plans/{place}/{capacity}/reverse", tag = "transition",
    params(("place" = String, Path, description = "P-code"),
        ("capacity" = String, Path, description = "early_warning or physical_protection")),
    request_body = DecisionBody,
    responses((status = 200, body = HandoverReversal), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reverse(
    State(st): State<AppState>,
    user: ApiUser,
    Path((place, cap)): Path<(String, String)>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<HandoverReversal>, WebError> {
    Ok(Json(
        st.app
            .reverse_handover(&user.caller(), &place, capacity(&cap)?, &body.reason)
            .await?,
    ))
}

/// Restore a reversed handover: alerts in its area go to the successors' responders again.
#[utoipa::path(post, path = "/api/v1/transition/plans/{place}/{capacity}/restore", tag = "transition",
    params(("place" = String, Path, description = "P-code"),
        ("capacity" = String, Path, description = "early_warning or physical_protection")),
    request_body = DecisionBody,
    responses((status = 200, body = HandoverReversal), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn restore(
    State(st): State<AppState>,
    user: ApiUser,
    Path((place, cap)): Path<(String, String)>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<HandoverReversal>, WebError> {
    Ok(Json(
        st.app
            .restore_handover(&user.caller(), &place, capacity(&cap)?, &body.reason)
            .await?,
    ))
}

/// What to simulate.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SimulateParams {
    /// The day whose coverage is applied (`YYYY-MM-DD`; default today).
    pub date: Option<String>,
    /// P-code of an area: only the alerts in it (default everywhere).
    pub place: Option<String>,
    /// First day of the past alerts (default 90 days before `to`).
    pub from: Option<String>,
    /// Last day of the past alerts, included (default today).
    pub to: Option<String>,
}

/// Past alerts routed again under the coverage of a date.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimulationBody {
    /// The day whose coverage is applied.
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// The area, if any.
    pub place: Option<String>,
    /// First day of the alerts.
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// Last day of the alerts (included).
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// Alerts simulated.
    pub total: usize,
    /// Routed to other responders under the plan.
    pub rerouted: usize,
    /// Routed then, to nobody under the plan.
    pub uncovered: usize,
    /// Routed to nobody then, to someone under the plan.
    pub covered: usize,
    /// Each alert, newest first: `routed_to` (proposed then), `would_route_to`, `change`.
    pub alerts: Vec<Simulated>,
    /// Responders' names by id.
    pub responders: BTreeMap<String, String>,
}

/// For past alerts in a period and place: who they were routed to, and who they would be
/// routed to under the plan's coverage on a given date.
#[utoipa::path(get, path = "/api/v1/transition/simulate", tag = "transition", params(SimulateParams),
    responses((status = 200, body = SimulationBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn simulate(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<SimulateParams>,
) -> Result<Json<SimulationBody>, WebError> {
    let on = day_of(&st, &p.date)?;
    let to = day_of(&st, &p.to)?;
    let from = match p.from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(_) => day_of(&st, &p.from)?,
        None => to.checked_sub_days(Days::new(90)).unwrap_or(to),
    };
    let s = st
        .app
        .simulate_routing(&user.caller(), on, p.place.as_deref(), from, to)
        .await?;
    Ok(Json(SimulationBody {
        date: s.date,
        place: s.place,
        from: s.from,
        to: s.to,
        total: s.total,
        rerouted: s.rerouted,
        uncovered: s.uncovered,
        covered: s.covered,
        alerts: s.alerts,
        responders: s.responders,
    }))
}
