//! `/api/v1/alerts`: intake, lists, detail, lifecycle moves and triage corrections.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use kinga_app::alerts::IntakeCommand;
use kinga_app::{AlertQuery, AlertSort};
use kinga_domain::alert::TriageUpdate;
use kinga_domain::{AlertState, Channel, Severity, ThreatType, TransitionRequest};

use super::views::{AlertList, AlertView};
use super::{ApiJson, ApiQuery, parse_opt};
use crate::auth::ApiUser;
use crate::{AppState, WebError};

/// Longest accepted `Idempotency-Key`.
const MAX_KEY: usize = 200;

/// A new alert.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateAlert {
    /// What the reporter said (required).
    pub text: String,
    /// One of the threat types of DESIGN.md (`armed_presence`, `killing`, …).
    pub threat_type: Option<String>,
    /// 1–4; defaults from the threat type.
    #[schema(minimum = 1, maximum = 4)]
    pub severity: Option<i64>,
    /// P-code, when known.
    pub place: Option<String>,
    /// Free-text place name to resolve.
    pub place_name: Option<String>,
    /// Reporter's phone number.
    pub reporter_phone: Option<String>,
    /// When it happened (RFC 3339).
    pub reported_at: Option<DateTime<Utc>>,
    /// Language of the text (`fr`, `en`, `sw`, `ar`).
    pub language: Option<String>,
}

fn severity(v: Option<i64>) -> Result<Option<Severity>, WebError> {
    v.map(|s| {
        u8::try_from(s)
            .map_err(|_| WebError::invalid(format!("severity {s} is not between 1 and 4")))
            .and_then(|s| Severity::new(s).map_err(|e| WebError::invalid(e.to_string())))
    })
    .transpose()
}

/// Create an alert. With an `Idempotency-Key` header, retries return the first answer.
#[utoipa::path(post, path = "/api/v1/alerts", tag = "alerts", request_body = CreateAlert,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key return the first answer and create nothing")),
    responses(
        (status = 201, description = "Created (or the first answer to this key)", body = AlertView),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(st): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateAlert>,
) -> Result<(StatusCode, Json<AlertView>), WebError> {
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => {
            let k = v
                .to_str()
                .map_err(|_| WebError::invalid("Idempotency-Key must be printable ASCII"))?
                .trim();
            if k.is_empty() || k.len() > MAX_KEY {
                return Err(WebError::invalid(format!(
                    "Idempotency-Key must be 1 to {MAX_KEY} characters"
                )));
            }
            Some(format!("api:{}:{k}", user.0.id))
        }
    };
    let cmd = IntakeCommand {
        channel: Some(Channel::Api),
        text: body.text,
        threat_type: parse_opt::<ThreatType>(&body.threat_type)?,
        severity: severity(body.severity)?,
        place: body.place.filter(|p| !p.trim().is_empty()),
        place_name: body.place_name,
        reporter_phone: body.reporter_phone,
        reported_at: body.reported_at,
        language: body
            .language
            .filter(|l| matches!(l.as_str(), "fr" | "en" | "sw" | "ar")),
        idempotency_key: key,
    };
    let intake = st.app.intake(&user.caller(), cmd).await?;
    let gaz = st.app.gazetteer();
    Ok((
        StatusCode::CREATED,
        Json(AlertView::new(&intake.alert, &gaz, false)),
    ))
}

/// Filters of the alert list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// Comma-separated states.
    pub state: Option<String>,
    /// P-code of an area (its places included).
    pub place: Option<String>,
    /// Threat type.
    pub threat_type: Option<String>,
    /// Only uncovered alerts.
    pub uncovered: Option<bool>,
    /// Only open alerts.
    pub open: Option<bool>,
    /// Only alerts past their current deadline.
    pub overdue: Option<bool>,
    /// `queue` (severity, then deadline) or `newest`.
    pub sort: Option<String>,
    /// Page size (1–500, default 50).
    pub limit: Option<u32>,
    /// Offset.
    pub offset: Option<u32>,
}

impl ListParams {
    /// The store query these filters describe.
    pub fn query(&self, now: DateTime<Utc>) -> Result<AlertQuery, WebError> {
        let mut states = vec![];
        for s in self
            .state
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            states.push(
                s.parse::<AlertState>()
                    .map_err(|e| WebError::invalid(e.to_string()))?,
            );
        }
        let sort = match self.sort.as_deref().unwrap_or("queue") {
            "queue" | "" => AlertSort::Queue,
            "newest" => AlertSort::Newest,
            other => {
                return Err(WebError::invalid(format!(
                    "unknown sort '{other}' (queue, newest)"
                )));
            }
        };
        Ok(AlertQuery {
            states,
            open_only: self.open.unwrap_or(false),
            place_prefix: self.place.clone().filter(|p| !p.trim().is_empty()),
            threat_type: parse_opt::<ThreatType>(&self.threat_type)?,
            uncovered_only: self.uncovered.unwrap_or(false),
            overdue_at: self.overdue.unwrap_or(false).then_some(now),
            assigned_to: None,
            sort,
            limit: self.limit.unwrap_or(50).clamp(1, 500) as usize,
            offset: self.offset.unwrap_or(0).min(10_000_000) as usize,
        })
    }
}

/// List alerts, the triage queue by default.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(ListParams),
    responses((status = 200, body = AlertList), (status = 401, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<AlertList>, WebError> {
    let q = p.query(st.app.now())?;
    let (limit, offset) = (q.limit, q.offset);
    let page = st.app.alerts(&user.caller(), q).await?;
    let gaz = st.app.gazetteer();
    Ok(Json(AlertList {
        items: page
            .items
            .iter()
            .map(|a| AlertView::new(a, &gaz, false))
            .collect(),
        total: page.total,
        limit,
        offset,
    }))
}

/// One alert with its timeline, by id or reference.
#[utoipa::path(get, path = "/api/v1/alerts/{id}", tag = "alerts",
    params(("id" = String, Path, description = "Alert id or reference (K-1042)")),
    responses((status = 200, body = AlertView), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_one(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<AlertView>, WebError> {
    let a = st.app.alert(&user.caller(), &id).await?;
    Ok(Json(AlertView::new(&a, &st.app.gazetteer(), true)))
}

/// A lifecycle move.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionBody {
    /// Target state.
    pub to: String,
    /// Why (required for `unverifiable`, `false_alarm`).
    pub reason: Option<String>,
    /// Responder ids (required for `assigned`).
    #[serde(default)]
    pub responders: Vec<String>,
    /// Outcome told to the community (required to close a responded alert).
    pub outcome: Option<String>,
    /// Id or reference of the alert this one duplicates (required for `merged`).
    pub merged_into: Option<String>,
}

/// Move an alert along its lifecycle; invalid moves are refused with the allowed ones.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/transitions", tag = "alerts", request_body = TransitionBody,
    params(("id" = String, Path, description = "Alert id or reference")),
    responses((status = 200, body = AlertView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn transition(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TransitionBody>,
) -> Result<Json<AlertView>, WebError> {
    let to =
        b.to.parse::<AlertState>()
            .map_err(|e| WebError::invalid(e.to_string()))?;
    let req = TransitionRequest {
        to: Some(to),
        reason: b.reason,
        responders: b.responders,
        outcome: b.outcome,
        merged_into: b.merged_into,
    };
    let a = st.app.transition(&user.caller(), &id, req).await?;
    Ok(Json(AlertView::new(&a, &st.app.gazetteer(), true)))
}

/// Triage corrections.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TriageBody {
    /// P-code chosen among the candidates.
    pub place: Option<String>,
    /// Corrected threat type.
    pub threat_type: Option<String>,
    /// Corrected severity 1–4.
    #[schema(minimum = 1, maximum = 4)]
    pub severity: Option<i64>,
}

/// Correct an alert's place, threat type or severity; routing and deadlines follow.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/triage", tag = "alerts", request_body = TriageBody,
    params(("id" = String, Path, description = "Alert id or reference")),
    responses((status = 200, body = AlertView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn triage(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TriageBody>,
) -> Result<Json<AlertView>, WebError> {
    let update = TriageUpdate {
        place: b.place.filter(|p| !p.trim().is_empty()),
        threat_type: parse_opt::<ThreatType>(&b.threat_type)?,
        severity: severity(b.severity)?,
    };
    let a = st.app.triage(&user.caller(), &id, update).await?;
    Ok(Json(AlertView::new(&a, &st.app.gazetteer(), true)))
}

/// The registered focal point an alert from an unknown number came from.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReporterBody {
    /// Focal point id (see `GET /api/v1/focal-points`).
    pub focal_point: String,
}

/// Link an alert from an unknown number to the registered focal point who sent it.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/reporter", tag = "alerts", request_body = ReporterBody,
    params(("id" = String, Path, description = "Alert id or reference")),
    responses((status = 200, body = AlertView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn link_reporter(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReporterBody>,
) -> Result<Json<AlertView>, WebError> {
    let a = st
        .app
        .link_reporter(&user.caller(), &id, &b.focal_point)
        .await?;
    Ok(Json(AlertView::new(&a, &st.app.gazetteer(), true)))
}

/// A question to the reporter of an alert.
#[derive(Debug, Deserialize, ToSchema)]
pub struct QuestionBody {
    /// What to ask; sent by SMS as "Kinga K-1042: <text>", cut to three SMS parts.
    pub text: String,
}

/// Ask the reporter a question by SMS; the answer comes back attached to the alert.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/questions", tag = "alerts", request_body = QuestionBody,
    params(("id" = String, Path, description = "Alert id or reference")),
    responses((status = 200, body = AlertView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn ask_reporter(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<QuestionBody>,
) -> Result<Json<AlertView>, WebError> {
    let a = st.app.ask_reporter(&user.caller(), &id, &b.text).await?;
    Ok(Json(AlertView::new(&a, &st.app.gazetteer(), true)))
}
