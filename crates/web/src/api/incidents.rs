//! `/api/v1/incidents`: protection monitoring. Records the caller may not see answer 404
//! exactly like missing ones, and are left out of lists, searches and counts.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use kinga_app::IncidentQuery;
use kinga_domain::compartment::Compartment;
use kinga_domain::incident::{
    DatePrecision, Incident, IncidentDraft, Perpetrator, Source, Taxonomy, VerificationMethod,
    VerificationMove, VerificationState, Victim, Violation,
};

use super::{ApiJson, ApiQuery, parse_opt};
use crate::auth::ApiUser;
use crate::{AppState, WebError};

/// A new incident.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateIncident {
    /// When it happened (`YYYY-MM-DD`; with a month or year precision, any day of it).
    #[schema(value_type = String, format = Date)]
    pub occurred_on: NaiveDate,
    /// `day` (default), `month` or `year`.
    pub date_precision: Option<DatePrecision>,
    /// Where: a P-code.
    pub place: String,
    /// What happened (sealed at rest in sensitive compartments).
    pub narrative: String,
    /// `general`, `human_rights`, `crsv` or `children`.
    pub compartment: Compartment,
    /// Violations, by their taxonomies' snake_case names (`killing`, `rape`, `recruitment_and_use`, …).
    pub violations: Vec<Violation>,
    /// Victims, one by one.
    #[serde(default)]
    pub victims: Vec<Victim>,
    /// Perpetrators.
    #[serde(default)]
    pub perpetrators: Vec<Perpetrator>,
    /// Sources.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Ids of alerts this incident follows from.
    #[serde(default)]
    pub alerts: Vec<String>,
}

/// Record an incident in a compartment the caller may see.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = CreateIncident,
    responses(
        (status = 201, description = "Recorded", body = Incident),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<CreateIncident>,
) -> Result<(StatusCode, Json<Incident>), WebError> {
    let draft = IncidentDraft {
        compartment: body.compartment,
        occurred_on: body.occurred_on,
        date_precision: body.date_precision.unwrap_or_default(),
        place: body.place,
        narrative: body.narrative,
        sources: body.sources,
        alerts: body.alerts,
        perpetrators: body.perpetrators,
        victims: body.victims,
        violations: body.violations,
    };
    let i = st.app.record_incident(&user.caller(), draft).await?;
    Ok((StatusCode::CREATED, Json(i)))
}

/// Filters of the incident list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// Words to find: place, violation, perpetrator, id, and the narrative of `general`
    /// incidents (sealed narratives are not searchable).
    pub q: Option<String>,
    /// Comma-separated verification states.
    pub state: Option<String>,
    /// Comma-separated compartments (only those the caller may see count).
    pub compartment: Option<String>,
    /// A violation.
    pub violation: Option<String>,
    /// A violation family: `human_rights`, `crsv` or `mrm`.
    pub taxonomy: Option<String>,
    /// P-code of an area (its places included).
    pub place: Option<String>,
    /// Occurred on or after (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Occurred on or before (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Page size (1–500, default 50).
    pub limit: Option<u32>,
    /// Offset.
    pub offset: Option<u32>,
}

/// A page of incidents, identities withheld (open one to read them).
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentList {
    /// The incidents, newest first; in sensitive compartments `narrative` is empty, and
    /// names and contacts are left out.
    pub items: Vec<Incident>,
    /// How many match in all (only in compartments the caller may see).
    pub total: u64,
    /// How many match per verification state: allegations and verified cases apart.
    pub counts: BTreeMap<String, u64>,
    /// Page size.
    pub limit: usize,
    /// Offset.
    pub offset: usize,
}

fn date(v: &Option<String>, field: &str) -> Result<Option<NaiveDate>, WebError> {
    match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| WebError::invalid(format!("{field} must be YYYY-MM-DD"))),
    }
}

fn list_of<T: std::str::FromStr<Err = kinga_domain::DomainError>>(
    v: &Option<String>,
) -> Result<Vec<T>, WebError> {
    v.as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<T>().map_err(|e| WebError::invalid(e.to_string())))
        .collect()
}

/// List and search incidents.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", params(ListParams),
    responses((status = 200, body = IncidentList), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<IncidentList>, WebError> {
    let query = IncidentQuery {
        // Asking only for compartments one may not see finds nothing, never everything.
        compartments: list_of::<Compartment>(&p.compartment)?,
        states: list_of::<VerificationState>(&p.state)?,
        place_prefix: p.place.clone().filter(|x| !x.trim().is_empty()),
        violation: parse_opt::<Violation>(&p.violation)?,
        taxonomy: parse_opt::<Taxonomy>(&p.taxonomy)?,
        text: p.q.clone().filter(|q| !q.trim().is_empty()),
        occurred_from: date(&p.from, "from")?,
        occurred_to: date(&p.to, "to")?,
        limit: p.limit.unwrap_or(50).clamp(1, 500) as usize,
        offset: p.offset.unwrap_or(0).min(10_000_000) as usize,
    };
    let (limit, offset) = (query.limit, query.offset);
    let page = st.app.incidents(&user.caller(), query).await?;
    Ok(Json(IncidentList {
        items: page.items,
        total: page.total,
        counts: page
            .by_state
            .into_iter()
            .map(|(s, n)| (s.as_str().to_string(), n))
            .collect(),
        limit,
        offset,
    }))
}

/// Why a sensitive record is opened.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ReadParams {
    /// Why the record is opened; required for the sensitive compartments (`human_rights`,
    /// `crsv`, `children`), recorded in the audit trail. The `X-Kinga-Reason` header may carry
    /// it instead.
    pub reason: Option<String>,
}

/// One incident, identities included. Reading a record of a sensitive compartment needs a
/// reason and is audited.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = String, Path, description = "Incident id"), ReadParams,
        ("X-Kinga-Reason" = Option<String>, Header, description = "The reason, as a header instead of the query")),
    responses((status = 200, body = Incident), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody),
        (status = 404, description = "No such incident, or one the caller may not see", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_one(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<ReadParams>,
) -> Result<Json<Incident>, WebError> {
    let reason = reason_of(p, &headers);
    let i = st
        .app
        .incident(&user.caller(), &id, reason.as_deref())
        .await?;
    Ok(Json(i))
}

/// The reason a read gives: the query's, else the `X-Kinga-Reason` header's.
fn reason_of(p: ReadParams, headers: &HeaderMap) -> Option<String> {
    p.reason.or_else(|| {
        headers
            .get("x-kinga-reason")
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    })
}

/// One file of an incident (the photo a field form carried), to a reader of its
/// compartment; a sensitive incident's file needs a reason, as the record does, and every
/// opening is audited.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/attachments/{digest}", tag = "incidents",
    params(("id" = String, Path, description = "Incident id"),
        ("digest" = String, Path, description = "The file's BLAKE3 digest, as the incident's `attachments` give it"),
        ReadParams,
        ("X-Kinga-Reason" = Option<String>, Header, description = "The reason, as a header instead of the query")),
    responses((status = 200, description = "The file, with its media type", content_type = "application/octet-stream"),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, description = "No such file or incident, or one the caller may not see", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn attachment(
    State(st): State<AppState>,
    user: ApiUser,
    Path((id, digest)): Path<(String, String)>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<ReadParams>,
) -> Result<Response, WebError> {
    let reason = reason_of(p, &headers);
    let file = st
        .app
        .incident_media(&user.caller(), &id, &digest, reason.as_deref())
        .await?;
    Ok((
        [
            (CONTENT_TYPE, file.media.media_type),
            (CACHE_CONTROL, "private, no-store".to_string()),
        ],
        file.bytes,
    )
        .into_response())
}

/// A verification move.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveIncident {
    /// `under_verification`, `verified`, `not_verified` or `unfounded`.
    pub to: VerificationState,
    /// How a conclusion was reached (required for conclusions).
    pub method: Option<VerificationMethod>,
    /// The incident's sources (0-based indexes) a conclusion rests on (required to verify).
    #[serde(default)]
    pub sources: Vec<usize>,
    /// When the conclusion was reached (`YYYY-MM-DD`, default today): apart from the
    /// incident's own date.
    #[schema(value_type = Option<String>, format = Date)]
    pub verified_on: Option<NaiveDate>,
    /// The officer's note (sealed in sensitive compartments).
    pub note: Option<String>,
}

/// Move an incident through verification; the caller is the verifying officer.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/verification", tag = "incidents",
    params(("id" = String, Path, description = "Incident id")), request_body = MoveIncident,
    responses((status = 200, description = "Moved (or already there); identities withheld", body = Incident),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn verification(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MoveIncident>,
) -> Result<Json<Incident>, WebError> {
    let mv = VerificationMove {
        to: body.to,
        method: body.method,
        sources: body.sources,
        verified_on: body.verified_on,
        note: body.note,
    };
    Ok(Json(st.app.move_incident(&user.caller(), &id, mv).await?))
}

/// What to derive: the threat, when not the gravest the violations show.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DeriveAlert {
    /// Threat type of the alert (default: from the incident's violations).
    pub threat_type: Option<kinga_domain::ThreatType>,
}

/// The alert derived.
#[derive(Debug, Serialize, ToSchema)]
pub struct DerivedAlert {
    /// The alert's id.
    pub id: String,
    /// Its reference (`/api/v1/alerts/{reference}`).
    pub reference: String,
    /// Its threat type.
    pub threat_type: Option<kinga_domain::ThreatType>,
    /// Its place.
    pub place: Option<String>,
}

/// Derive a sanitised alert (place, time, threat; no identities) from an incident into the
/// alert queue, for those who must act on the threat. Audited against the incident; deriving
/// the same threat again answers the same alert.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/alert", tag = "incidents",
    params(("id" = String, Path, description = "Incident id")), request_body = DeriveAlert,
    responses((status = 201, description = "Derived (or derived before)", body = DerivedAlert),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, description = "No such incident, or one the caller may not see", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn derive_alert(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeriveAlert>,
) -> Result<(StatusCode, Json<DerivedAlert>), WebError> {
    let a = st
        .app
        .derive_alert(&user.caller(), &id, body.threat_type)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(DerivedAlert {
            id: a.id,
            reference: a.reference,
            threat_type: a.threat_type,
            place: a.place,
        }),
    ))
}
