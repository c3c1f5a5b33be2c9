//! `/api/v1/transition/…` beyond plans and closures: mission indicators and their values,
//! drawdown benchmarks with their progress, community mechanisms and their assessments, the
//! staff roster and its summary per place, and knowledge notes. A `POST` without `id`
//! creates; with `id` and the `version` read it changes (409 when changed meanwhile).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use kinga_app::transition::{BenchmarkView, MechanismView};
use kinga_domain::transition::{
    AssessmentInput, Benchmark, BenchmarkInput, Functionality, IndicatorDef, IndicatorInput,
    IndicatorValue, KnowledgeNote, Mechanism, MechanismInput, NoteInput, NoteKind, NoteQuery,
    Progress, Representativeness, RosterSummary, StaffInput, StaffMember, SupportState, ValueInput,
};

use super::transition::day_of;
use super::{ApiJson, ApiQuery};
use crate::auth::ApiUser;
use crate::{AppState, WebError};

type ErrorBody = crate::error::ErrorBody;

/// The version a removal is decided on.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RemoveParams {
    /// The record's version as read.
    pub version: u64,
}

/// A date, and an area.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AreaParams {
    /// `YYYY-MM-DD`; default today (the deployment's date).
    pub date: Option<String>,
    /// P-code: only what concerns the place (inside it or an area holding it).
    pub place: Option<String>,
}

fn area(p: &Option<String>) -> Option<&str> {
    p.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Every mission indicator.
#[utoipa::path(get, path = "/api/v1/transition/indicators", tag = "transition",
    responses((status = 200, body = Vec<IndicatorDef>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_indicators(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<IndicatorDef>>, WebError> {
    Ok(Json(st.app.indicators(&user.caller()).await?))
}

/// Define a mission indicator (no `id`) or change one.
#[utoipa::path(post, path = "/api/v1/transition/indicators", tag = "transition",
    request_body = IndicatorInput,
    responses((status = 200, body = IndicatorDef), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_indicator(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<IndicatorInput>,
) -> Result<Json<IndicatorDef>, WebError> {
    Ok(Json(st.app.save_indicator(&user.caller(), body).await?))
}

/// Remove a mission indicator (refused while values or benchmarks use it).
#[utoipa::path(delete, path = "/api/v1/transition/indicators/{id}", tag = "transition",
    params(("id" = String, Path, description = "Indicator id"), RemoveParams),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_indicator(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<RemoveParams>,
) -> Result<StatusCode, WebError> {
    st.app
        .remove_indicator(&user.caller(), &id, p.version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which values.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ValueParams {
    /// One indicator's id.
    pub indicator: Option<String>,
}

/// Recorded values, oldest first; each computed one with its evidence.
#[utoipa::path(get, path = "/api/v1/transition/indicator-values", tag = "transition",
    params(ValueParams),
    responses((status = 200, body = Vec<IndicatorValue>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_values(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<ValueParams>,
) -> Result<Json<Vec<IndicatorValue>>, WebError> {
    Ok(Json(
        st.app
            .indicator_values(&user.caller(), area(&p.indicator))
            .await?,
    ))
}

/// Record a value: given for a manual indicator; for a computed one, Kinga computes it now
/// over the alerts received in the place from `from` (default 90 days before `on`) to the
/// day before `on`, and keeps that figure as its evidence.
#[utoipa::path(post, path = "/api/v1/transition/indicator-values", tag = "transition",
    request_body = ValueInput,
    responses((status = 201, body = IndicatorValue), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn record_value(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<ValueInput>,
) -> Result<(StatusCode, Json<IndicatorValue>), WebError> {
    let v = st.app.record_indicator_value(&user.caller(), body).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Remove a recorded value.
#[utoipa::path(delete, path = "/api/v1/transition/indicator-values/{id}", tag = "transition",
    params(("id" = String, Path, description = "Value id"), RemoveParams),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_value(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<RemoveParams>,
) -> Result<StatusCode, WebError> {
    st.app
        .remove_indicator_value(&user.caller(), &id, p.version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A benchmark and the progress of each target on the date.
#[derive(Debug, Serialize, ToSchema)]
pub struct BenchmarkBody {
    /// The benchmark.
    #[serde(flatten)]
    pub benchmark: Benchmark,
    /// Each target's progress, in the order of `targets`.
    pub progress: Vec<Progress>,
}

impl From<BenchmarkView> for BenchmarkBody {
    fn from(v: BenchmarkView) -> Self {
        BenchmarkBody {
            progress: v.targets.into_iter().map(|t| t.progress).collect(),
            benchmark: v.benchmark,
        }
    }
}

/// Every benchmark (of the place, the areas holding it and the places inside it, when
/// given), with each target's progress on the date.
#[utoipa::path(get, path = "/api/v1/transition/benchmarks", tag = "transition",
    params(AreaParams),
    responses((status = 200, body = Vec<BenchmarkBody>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_benchmarks(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<AreaParams>,
) -> Result<Json<Vec<BenchmarkBody>>, WebError> {
    let on = day_of(&st, &p.date)?;
    let mut list = st.app.benchmarks(&user.caller(), on).await?;
    if let Some(a) = area(&p.place) {
        let gaz = st.app.gazetteer();
        list.retain(|b| {
            gaz.is_within(&b.benchmark.place, a) || gaz.is_within(a, &b.benchmark.place)
        });
    }
    Ok(Json(list.into_iter().map(BenchmarkBody::from).collect()))
}

/// Set a benchmark (no `id`) or change one (`targets` left out keep the stored ones).
#[utoipa::path(post, path = "/api/v1/transition/benchmarks", tag = "transition",
    request_body = BenchmarkInput,
    responses((status = 200, body = Benchmark), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_benchmark(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<BenchmarkInput>,
) -> Result<Json<Benchmark>, WebError> {
    Ok(Json(st.app.save_benchmark(&user.caller(), body).await?))
}

/// Remove a benchmark.
#[utoipa::path(delete, path = "/api/v1/transition/benchmarks/{id}", tag = "transition",
    params(("id" = String, Path, description = "Benchmark id"), RemoveParams),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_benchmark(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<RemoveParams>,
) -> Result<StatusCode, WebError> {
    st.app
        .remove_benchmark(&user.caller(), &id, p.version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A community mechanism and what is read from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MechanismBody {
    /// The mechanism (`focal_points` empty for callers who may not read the registry).
    #[serde(flatten)]
    pub mechanism: Mechanism,
    /// Members in all.
    pub member_total: u32,
    /// Shares of women, youth, displaced and minorities; groups absent.
    pub representativeness: Representativeness,
    /// From the latest assessment.
    pub functionality: Functionality,
    /// The latest assessment's score (% of the best possible).
    pub score: Option<f64>,
    /// Support after the departure on the date.
    pub support: SupportState,
    /// How many focal points.
    pub focal_point_count: usize,
}

impl From<MechanismView> for MechanismBody {
    fn from(v: MechanismView) -> Self {
        MechanismBody {
            mechanism: v.mechanism,
            member_total: v.members,
            representativeness: v.representativeness,
            functionality: v.functionality,
            score: v.score,
            support: v.support,
            focal_point_count: v.focal_point_count,
        }
    }
}

/// Community mechanisms (of the place, when given), support judged on the date.
#[utoipa::path(get, path = "/api/v1/transition/mechanisms", tag = "transition",
    params(AreaParams),
    responses((status = 200, body = Vec<MechanismBody>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_mechanisms(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<AreaParams>,
) -> Result<Json<Vec<MechanismBody>>, WebError> {
    let on = day_of(&st, &p.date)?;
    let list = st
        .app
        .mechanisms(&user.caller(), area(&p.place), on)
        .await?;
    Ok(Json(list.into_iter().map(MechanismBody::from).collect()))
}

/// Map a community mechanism (no `id`) or change one (its assessments are kept).
#[utoipa::path(post, path = "/api/v1/transition/mechanisms", tag = "transition",
    request_body = MechanismInput,
    responses((status = 200, body = Mechanism), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_mechanism(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<MechanismInput>,
) -> Result<Json<Mechanism>, WebError> {
    Ok(Json(st.app.save_mechanism(&user.caller(), body).await?))
}

/// Record a dated functionality assessment of a mechanism.
#[utoipa::path(post, path = "/api/v1/transition/mechanisms/{id}/assessments", tag = "transition",
    params(("id" = String, Path, description = "Mechanism id")),
    request_body = AssessmentInput,
    responses((status = 200, description = "The mechanism with it", body = Mechanism),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn assess_mechanism(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssessmentInput>,
) -> Result<Json<Mechanism>, WebError> {
    Ok(Json(
        st.app.assess_mechanism(&user.caller(), &id, body).await?,
    ))
}

/// Remove a community mechanism.
#[utoipa::path(delete, path = "/api/v1/transition/mechanisms/{id}", tag = "transition",
    params(("id" = String, Path, description = "Mechanism id"), RemoveParams),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_mechanism(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<RemoveParams>,
) -> Result<StatusCode, WebError> {
    st.app
        .remove_mechanism(&user.caller(), &id, p.version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The staff roster (planners only: it is personnel data).
#[utoipa::path(get, path = "/api/v1/transition/staff", tag = "transition",
    responses((status = 200, body = Vec<StaffMember>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_staff(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<StaffMember>>, WebError> {
    Ok(Json(st.app.staff(&user.caller()).await?))
}

/// Add a staff member (no `id`) or change their record.
#[utoipa::path(post, path = "/api/v1/transition/staff", tag = "transition",
    request_body = StaffInput,
    responses((status = 200, body = StaffMember), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_staff(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<StaffInput>,
) -> Result<Json<StaffMember>, WebError> {
    Ok(Json(st.app.save_staff(&user.caller(), body).await?))
}

/// Remove a staff member from the roster.
#[utoipa::path(delete, path = "/api/v1/transition/staff/{id}", tag = "transition",
    params(("id" = String, Path, description = "Staff member id"), RemoveParams),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_staff(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<RemoveParams>,
) -> Result<StatusCode, WebError> {
    st.app.remove_staff(&user.caller(), &id, p.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which place's roster.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RosterParams {
    /// P-code.
    pub place: String,
}

/// A place's roster in figures: staff who know it, liaison staff and women among them,
/// contracts ending before its handover date (open to every reader of the transition).
#[utoipa::path(get, path = "/api/v1/transition/roster", tag = "transition",
    params(RosterParams),
    responses((status = 200, body = RosterSummary), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn roster(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<RosterParams>,
) -> Result<Json<RosterSummary>, WebError> {
    Ok(Json(
        st.app
            .roster_summary(&user.caller(), p.place.trim())
            .await?,
    ))
}

/// What to look for among the notes.
#[derive(Debug, Deserialize, IntoParams)]
pub struct NoteParams {
    /// Words, all of which must appear (accents and case ignored).
    pub q: Option<String>,
    /// P-code: notes on it, inside it or on an area holding it.
    pub place: Option<String>,
    /// A threat actor's id.
    pub actor: Option<String>,
    /// `threat_actor`, `past_response` or `other`.
    pub kind: Option<String>,
}

/// Knowledge notes (planners and analysts), most recently changed first.
#[utoipa::path(get, path = "/api/v1/transition/notes", tag = "transition", params(NoteParams),
    responses((status = 200, body = Vec<KnowledgeNote>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_notes(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<NoteParams>,
) -> Result<Json<Vec<KnowledgeNote>>, WebError> {
    let kind = match area(&p.kind) {
        Some(k) => Some(
            k.parse::<NoteKind>()
                .map_err(|e| WebError::invalid(e.to_string()))?,
        ),
        None => None,
    };
    let q = NoteQuery {
        text: p.q.unwrap_or_default(),
        place: area(&p.place).map(str::to_string),
        actor: area(&p.actor).map(str::to_string),
        kind,
    };
    Ok(Json(st.app.knowledge_notes(&user.caller(), &q).await?))
}

/// Write a knowledge note (no `id`) or change one.
#[utoipa::path(post, path = "/api/v1/transition/notes", tag = "transition",
    request_body = NoteInput,
    responses((status = 200, body = KnowledgeNote), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_note(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<NoteInput>,
) -> Result<Json<KnowledgeNote>, WebError> {
    Ok(Json(st.app.save_note(&user.caller(), body).await?))
}

/// Remove a knowledge note.
#[utoipa::path(delete, path = "/api/v1/transition/notes/{id}", tag = "transition",
    params(("id" = String, Path, description = "Note id"), RemoveParams),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_note(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<RemoveParams>,
) -> Result<StatusCode, WebError> {
    st.app.remove_note(&user.caller(), &id, p.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
