//! The care of survivors: `/api/v1/service-providers` (the referral directory),
//! `/api/v1/incidents/{id}/referrals` (with follow-ups) and `/api/v1/incidents/{id}/interviews`
//! (the log shown before any new interview). An incident the caller may not see answers 404.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use kinga_app::incidents::{InterviewRequest, ReferralRequest};
use kinga_domain::incident::care::{
    Interview, Referral, ReferralService, ReferralStatus, ServiceProvider,
};

use super::ApiJson;
use crate::auth::ApiUser;
use crate::{AppState, WebError};

/// The referral directory.
#[utoipa::path(get, path = "/api/v1/service-providers", tag = "incidents",
    responses((status = 200, body = [ServiceProvider]), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn providers(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<ServiceProvider>>, WebError> {
    Ok(Json(st.app.service_providers(&user.caller()).await?))
}

/// Add (no or empty `id`) or change an entry of the directory (those who manage registries).
#[utoipa::path(post, path = "/api/v1/service-providers", tag = "incidents", request_body = ServiceProvider,
    responses((status = 200, body = ServiceProvider), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_provider(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<ServiceProvider>,
) -> Result<Json<ServiceProvider>, WebError> {
    Ok(Json(
        st.app.save_service_provider(&user.caller(), body).await?,
    ))
}

/// A referral to make.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewReferral {
    /// The victim: index into the incident's victims, from 0.
    pub victim: usize,
    /// The provider's directory id.
    pub provider: String,
    /// `medical`, `psychosocial`, `legal`, `safety_shelter` or `socio_economic`.
    pub service: ReferralService,
    /// The survivor gave informed consent to this referral (required).
    pub consent: bool,
    /// Consent given by a parent or guardian with the child's assent (required for a child).
    #[serde(default)]
    pub by_guardian: bool,
}

/// The referrals of an incident, oldest first.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/referrals", tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    responses((status = 200, body = [Referral]), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn referrals(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<Referral>>, WebError> {
    Ok(Json(st.app.referrals(&user.caller(), &id).await?))
}

/// Refer a victim to a provider, only with the survivor's recorded consent.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/referrals", tag = "incidents",
    params(("id" = String, Path, description = "Incident id")), request_body = NewReferral,
    responses((status = 201, body = Referral), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn refer(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewReferral>,
) -> Result<(StatusCode, Json<Referral>), WebError> {
    let req = ReferralRequest {
        victim: b.victim,
        provider: b.provider,
        service: b.service,
        consent: b.consent,
        by_guardian: b.by_guardian,
    };
    let r = st.app.refer(&user.caller(), &id, req).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// A follow-up of a referral.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewFollowUp {
    /// `accepted`, `declined`, `completed` or `lost_to_follow_up` (from `pending`: accepted,
    /// declined, lost; from `accepted`: completed, lost).
    pub status: ReferralStatus,
}

/// Follow a referral up.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/referrals/{referral}/follow-ups", tag = "incidents",
    params(("id" = String, Path, description = "Incident id"), ("referral" = String, Path, description = "Referral id")),
    request_body = NewFollowUp,
    responses((status = 200, body = Referral), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn follow_up(
    State(st): State<AppState>,
    user: ApiUser,
    Path((id, referral)): Path<(String, String)>,
    ApiJson(b): ApiJson<NewFollowUp>,
) -> Result<Json<Referral>, WebError> {
    Ok(Json(
        st.app
            .follow_up_referral(&user.caller(), &id, &referral, b.status)
            .await?,
    ))
}

/// An interview to log.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewInterview {
    /// The victim: index into the incident's victims, from 0.
    pub victim: usize,
    /// Who interviewed, when not the caller (an organisation).
    pub by: Option<String>,
    /// Organisations the account was shared with, with consent.
    #[serde(default)]
    pub shared_with: Vec<String>,
    /// Why another interview is needed (required when the survivor was already interviewed).
    pub reason: Option<String>,
}

/// The interview log of an incident, newest first: read it before any new interview.
#[utoipa::path(get, path = "/api/v1/incidents/{id}/interviews", tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    responses((status = 200, body = [Interview]), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn interviews(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<Interview>>, WebError> {
    Ok(Json(st.app.interviews(&user.caller(), &id).await?))
}

/// Log an interview; a survivor already interviewed needs a reason.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/interviews", tag = "incidents",
    params(("id" = String, Path, description = "Incident id")), request_body = NewInterview,
    responses((status = 201, body = Interview), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn log_interview(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NewInterview>,
) -> Result<(StatusCode, Json<Interview>), WebError> {
    let req = InterviewRequest {
        victim: b.victim,
        by: b.by,
        shared_with: b.shared_with,
        reason: b.reason,
    };
    let i = st.app.log_interview(&user.caller(), &id, req).await?;
    Ok((StatusCode::CREATED, Json(i)))
}
