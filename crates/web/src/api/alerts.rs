//! `/api/v1/alerts`: intake, lists, detail, lifecycle moves and triage corrections.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use kinga_app::alerts::IntakeCommand;
use kinga_app::{AlertQuery, AlertSort};
use kinga_domain::alert::{OutcomeCategory, TriageUpdate, Verification, VerificationMethod};
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
    /// Comma-separated areas (P-code prefixes): alerts in any of them.
    pub area: Option<String>,
    /// A place name as people type it: alerts at the places it may mean.
    pub place_name: Option<String>,
    /// Words of the text, or a reference.
    pub q: Option<String>,
    /// Received on or after (`YYYY-MM-DD` or RFC 3339, UTC).
    pub from: Option<String>,
    /// Received before (`YYYY-MM-DD`: the whole day included; or RFC 3339).
    pub to: Option<String>,
    /// Only alerts with no place settled yet.
    pub unplaced: Option<bool>,
    /// Only alerts taken by this user (`me` for the caller).
    pub taken_by: Option<String>,
    /// `queue` (severity, then deadline), `newest`, or `arrivals` (unheard calls first, then
    /// newest: the queue's new section, meant with `state=received`).
    pub sort: Option<String>,
    /// Page size (1–500, default 50).
    pub limit: Option<u32>,
    /// Offset.
    pub offset: Option<u32>,
}

/// A date or a time of a filter: `YYYY-MM-DD` (midnight UTC, or the next midnight for an end)
/// or RFC 3339.
pub fn when(v: &Option<String>, field: &str, end: bool) -> Result<Option<DateTime<Utc>>, WebError> {
    let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    let day = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| WebError::invalid(format!("{field} must be YYYY-MM-DD or RFC 3339")))?;
    let day = if end {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    Ok(day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
}

impl ListParams {
    /// The store query these filters describe for `caller`: `taken_by=me` is the caller, and
    /// a place name becomes the places it may mean. The alert list and the exports share it.
    pub fn resolve(
        &self,
        st: &AppState,
        caller: &kinga_app::Caller,
    ) -> Result<AlertQuery, WebError> {
        let mut q = self.query(st.app.now())?;
        if q.taken_by.as_deref() == Some("me") {
            q.taken_by = Some(caller.name.clone());
        }
        if let Some(name) = self.place_name.as_deref().filter(|n| !n.trim().is_empty()) {
            let meant = st.app.places_meant(caller, name)?;
            // A name that means no place must find nothing, not everything.
            if meant.is_empty() {
                q.areas.push("~no-place~".into());
            }
            q.areas.extend(meant);
        }
        Ok(q)
    }

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
            "arrivals" => AlertSort::Arrivals,
            other => {
                return Err(WebError::invalid(format!(
                    "unknown sort '{other}' (queue, newest, arrivals)"
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
            areas: self
                .area
                .as_deref()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(String::from)
                .collect(),
            unplaced_only: self.unplaced.unwrap_or(false),
            text: self.q.clone().filter(|q| !q.trim().is_empty()),
            received_from: when(&self.from, "from", false)?,
            received_to: when(&self.to, "to", true)?,
            taken_by: self.taken_by.clone().filter(|t| !t.trim().is_empty()),
            sort,
            limit: self.limit.unwrap_or(50).clamp(1, 500) as usize,
            offset: self.offset.unwrap_or(0).min(10_000_000) as usize,
            before: None,
            no_total: false,
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
    let caller = user.caller();
    let q = p.resolve(&st, &caller)?;
    let (limit, offset) = (q.limit, q.offset);
    let page = st.app.alerts(&caller, q).await?;
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
    /// On closing: `responded`, `referred`, `no_responder`, `false_alarm`,
    /// `resolved_itself` or `other` (required to close a verified alert).
    pub outcome_category: Option<String>,
    /// Who the alert was referred to (required with `referred`).
    pub referred_to: Option<String>,
    /// On a move to `verified`: how it was verified.
    pub verification: Option<VerificationBody>,
    /// On closing: why the reporter is not sent the feedback SMS (contact could endanger them).
    pub withhold_feedback: Option<String>,
}

/// How an alert was verified.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VerificationBody {
    /// `call_back`, `second_source`, `field_visit`, `mission_patrol` or `other`.
    pub method: String,
    /// Who or what confirmed it.
    #[serde(default)]
    pub sources: Vec<String>,
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
    let verification = match b.verification {
        None => None,
        Some(v) => Some(Verification {
            method: v
                .method
                .parse::<VerificationMethod>()
                .map_err(|e| WebError::invalid(e.to_string()))?,
            sources: v.sources,
        }),
    };
    let req = TransitionRequest {
        to: Some(to),
        reason: b.reason,
        responders: b.responders,
        outcome: b.outcome,
        merged_into: b.merged_into,
        outcome_category: parse_opt::<OutcomeCategory>(&b.outcome_category)?,
        referred_to: b.referred_to,
        verification,
        withhold_feedback: b.withhold_feedback,
    };
    // The same move twice changes nothing and answers 200 with the alert as it is.
    let moved = st.app.transition(&user.caller(), &id, req).await?;
    Ok(Json(AlertView::new(
        &moved.alert,
        &st.app.gazetteer(),
        true,
    )))
}

/// A note, a response report: one text.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TextBody {
    /// The words.
    pub text: String,
}

/// Add an internal note to an alert (never sent to anyone).
#[utoipa::path(post, path = "/api/v1/alerts/{id}/notes", tag = "alerts", request_body = TextBody,
    params(("id" = String, Path, description = "Alert id or reference")),
    responses((status = 200, body = AlertView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_note(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TextBody>,
) -> Result<Json<AlertView>, WebError> {
    let a = st.app.add_note(&user.caller(), &id, &b.text).await?;
    Ok(Json(AlertView::new(&a, &st.app.gazetteer(), true)))
}

/// Taking an alert.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TakeBody {
    /// True to take it as one's own, false to let it go.
    pub take: bool,
}

/// Take an alert as one's own ("mine"), or let it go.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/take", tag = "alerts", request_body = TakeBody,
    params(("id" = String, Path, description = "Alert id or reference")),
    responses((status = 200, body = AlertView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn take(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TakeBody>,
) -> Result<Json<AlertView>, WebError> {
    let a = st.app.take(&user.caller(), &id, b.take).await?;
    Ok(Json(AlertView::new(&a, &st.app.gazetteer(), true)))
}

/// A responder reports what it did about an alert assigned to it.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/response", tag = "alerts", request_body = TextBody,
    params(("id" = String, Path, description = "Alert id or reference")),
    responses((status = 200, body = AlertView), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn report_response(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TextBody>,
) -> Result<Json<AlertView>, WebError> {
    let a = st.app.report_response(&user.caller(), &id, &b.text).await?;
    Ok(Json(AlertView::new(&a, &st.app.gazetteer(), true)))
}

/// Stale alerts to close.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StaleBody {
    /// Ids or references; each must be open and past its deadline by two weeks or more.
    pub alerts: Vec<String>,
    /// Why they are closed (kept on each timeline).
    pub reason: String,
    /// Tell each reporter their alert is closed.
    #[serde(default)]
    pub notify_reporters: bool,
}

/// What a bulk close did.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct StaleClosed {
    /// References closed (alerts no longer stale were left alone).
    pub closed: Vec<String>,
}

/// Close stale alerts in bulk, with a reason (coordinators).
#[utoipa::path(post, path = "/api/v1/alerts/stale/close", tag = "alerts", request_body = StaleBody,
    responses((status = 200, body = StaleClosed), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn close_stale(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<StaleBody>,
) -> Result<Json<StaleClosed>, WebError> {
    let closed = st
        .app
        .close_stale(&user.caller(), &b.alerts, &b.reason, b.notify_reporters)
        .await?;
    Ok(Json(StaleClosed { closed }))
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
