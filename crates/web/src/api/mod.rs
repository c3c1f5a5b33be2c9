//! The JSON API under `/api/v1`, and its OpenAPI document at `/api/openapi.json`.

pub mod agreements;
pub mod alerts;
pub mod care;
pub mod conflicts;
pub mod exports;
pub mod gbvims;
pub mod hrddp;
pub mod incident_exports;
pub mod incidents;
pub mod map;
pub mod me;
pub mod media;
pub mod registry;
pub mod reports;
pub mod sync;
pub mod transition;
pub mod transition_after_closure;
pub mod transition_broadcasts;
pub mod transition_records;
pub mod transition_routing;
pub mod views;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{AppState, WebError};

/// The OpenAPI description of the whole JSON API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Kinga API", description = "Community alerts, registries, places and protection-monitoring incidents of a Kinga instance."),
    paths(
        alerts::create, alerts::list, alerts::get_one, alerts::transition, alerts::triage,
        alerts::link_reporter,
        alerts::ask_reporter, alerts::add_note, alerts::take, alerts::report_response,
        alerts::close_stale,
        registry::resolve_places, registry::list_places, registry::list_responders,
        registry::save_responder, registry::list_actors, registry::save_actor,
        registry::list_focal_points,
        registry::save_focal_point,
        registry::save_place, registry::list_outbox, registry::list_digests,
        me::get_me, me::patch_me, me::get_settings, me::patch_settings, me::inbox,
        incidents::create, incidents::list, incidents::get_one, incidents::attachment, incidents::verification,
        incidents::derive_alert, care::providers, care::save_provider, care::referrals,
        care::refer, care::follow_up, care::interviews, care::log_interview,
        exports::csv, exports::geojson, exports::xlsx, reports::response, reports::spikes,
        reports::mrm, reports::mrm_csv, reports::risk, map::alerts, map::summary,
        transition::capacities, transition::list_plans, transition::save_plan,
        transition::remove_plan, transition::save_milestone, transition::remove_milestone,
        transition::list_withdrawals, transition::save_withdrawal, transition::save_closure,
        transition::remove_closure, transition::state, transition::cliff,
        transition_routing::routing, transition_routing::reverse, transition_routing::restore,
        transition_routing::simulate, transition_broadcasts::send, transition_broadcasts::list,
        transition_broadcasts::get_one, transition_after_closure::list,
        transition_records::list_indicators, transition_records::save_indicator,
        transition_records::remove_indicator, transition_records::list_values,
        transition_records::record_value, transition_records::remove_value,
        transition_records::list_benchmarks, transition_records::save_benchmark,
        transition_records::remove_benchmark, transition_records::list_mechanisms,
        transition_records::save_mechanism, transition_records::assess_mechanism,
        transition_records::remove_mechanism, transition_records::list_staff,
        transition_records::save_staff, transition_records::remove_staff,
        transition_records::roster, transition_records::list_notes,
        transition_records::save_note, transition_records::remove_note,
        agreements::list, agreements::add, agreements::revoke,
        conflicts::list,
        media::get_media, media::transcript,
        hrddp::record, hrddp::list, hrddp::screen, hrddp::get_one,
        gbvims::import, gbvims::report,
        map::context, incident_exports::csv, incident_exports::geojson, incident_exports::map,
        transition_broadcasts::preview
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail)),
    modifiers(&BearerAuth),
    tags((name = "alerts", description = "Community alerts"), (name = "registries", description = "Places, actors, responders, focal points"),
        (name = "people", description = "Users' settings and inboxes"),
        (name = "incidents", description = "Protection monitoring: incidents in compartments"),
        (name = "exports", description = "Alert lists as CSV with HXL hashtags, GeoJSON and XLSX"),
        (name = "reports", description = "Response indicators, spikes, risk and the MRM/MARA table"),
        (name = "map", description = "Alerts as points, counts per area and hotspots for the map"),
        (name = "transition", description = "Transition planning: capacities, plans, closures, the cliff"),
        (name = "agreements", description = "Data-sharing agreements with paired instances"),
        (name = "conflicts", description = "Records saved on two instances while cut off: both versions"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Largest JSON body the API reads; larger ones are refused with 413 before being read.
pub const MAX_BODY: usize = 256 * 1024;

/// Routes of the JSON API.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        // Not part of the API: the intake benchmark's baseline, left out of the document.
        .route("/internal/noop", get(noop))
        .route("/api/v1/alerts", post(alerts::create).get(alerts::list))
        .route("/api/v1/alerts/{id}", get(alerts::get_one))
        .route("/api/v1/alerts/{id}/transitions", post(alerts::transition))
        .route("/api/v1/alerts/{id}/triage", post(alerts::triage))
        .route("/api/v1/alerts/{id}/reporter", post(alerts::link_reporter))
        .route("/api/v1/alerts/{id}/questions", post(alerts::ask_reporter))
        .route("/api/v1/alerts/{id}/notes", post(alerts::add_note))
        .route("/api/v1/alerts/{id}/media/{digest}", get(media::get_media))
        .route("/api/v1/alerts/{id}/transcript", post(media::transcript))
        .route("/api/v1/alerts/{id}/take", post(alerts::take))
        .route(
            "/api/v1/alerts/{id}/response",
            post(alerts::report_response),
        )
        .route("/api/v1/alerts/stale/close", post(alerts::close_stale))
        .route(
            "/api/v1/places",
            get(registry::list_places).post(registry::save_place),
        )
        .route("/api/v1/places/resolve", get(registry::resolve_places))
        .route(
            "/api/v1/responders",
            get(registry::list_responders).post(registry::save_responder),
        )
        .route(
            "/api/v1/actors",
            get(registry::list_actors).post(registry::save_actor),
        )
        .route(
            "/api/v1/focal-points",
            get(registry::list_focal_points).post(registry::save_focal_point),
        )
        .route("/api/v1/outbox", get(registry::list_outbox))
        .route("/api/v1/digests", get(registry::list_digests))
        .route("/api/v1/me", get(me::get_me).patch(me::patch_me))
        .route(
            "/api/v1/users/{name}/settings",
            get(me::get_settings).patch(me::patch_settings),
        )
        .route("/api/v1/inbox", get(me::inbox))
        .route(
            "/api/v1/incidents",
            post(incidents::create).get(incidents::list),
        )
        .route("/api/v1/incidents/{id}", get(incidents::get_one))
        .route(
            "/api/v1/incidents/{id}/attachments/{digest}",
            get(incidents::attachment),
        )
        .route(
            "/api/v1/incidents/{id}/verification",
            post(incidents::verification),
        )
        .route(
            "/api/v1/incidents/{id}/alert",
            post(incidents::derive_alert),
        )
        .route(
            "/api/v1/service-providers",
            get(care::providers).post(care::save_provider),
        )
        .route(
            "/api/v1/incidents/{id}/referrals",
            get(care::referrals).post(care::refer),
        )
        .route(
            "/api/v1/incidents/{id}/referrals/{referral}/follow-ups",
            post(care::follow_up),
        )
        .route(
            "/api/v1/incidents/{id}/interviews",
            get(care::interviews).post(care::log_interview),
        )
        .route("/api/v1/exports/alerts.csv", get(exports::csv))
        .route("/api/v1/exports/alerts.geojson", get(exports::geojson))
        .route("/api/v1/exports/alerts.xlsx", get(exports::xlsx))
        .route("/api/v1/reports/response", get(reports::response))
        .route("/api/v1/reports/spikes", get(reports::spikes))
        .route("/api/v1/reports/mrm", get(reports::mrm))
        .route("/api/v1/reports/mrm.csv", get(reports::mrm_csv))
        .route("/api/v1/reports/risk", get(reports::risk))
        .route("/api/v1/map/alerts", get(map::alerts))
        .route("/api/v1/map/summary", get(map::summary))
        .route("/api/v1/transition/capacities", get(transition::capacities))
        .route(
            "/api/v1/transition/plans",
            get(transition::list_plans).put(transition::save_plan),
        )
        .route(
            "/api/v1/transition/plans/{place}/{capacity}",
            delete(transition::remove_plan),
        )
        .route(
            "/api/v1/transition/plans/{place}/{capacity}/milestones",
            post(transition::save_milestone),
        )
        .route(
            "/api/v1/transition/plans/{place}/{capacity}/milestones/{id}",
            delete(transition::remove_milestone),
        )
        .route(
            "/api/v1/transition/withdrawals",
            get(transition::list_withdrawals).post(transition::save_withdrawal),
        )
        .route(
            "/api/v1/transition/withdrawals/{id}/closures",
            post(transition::save_closure),
        )
        .route(
            "/api/v1/transition/withdrawals/{id}/closures/{closure}",
            delete(transition::remove_closure),
        )
        .route("/api/v1/transition/state", get(transition::state))
        .route("/api/v1/transition/cliff", get(transition::cliff))
        .route(
            "/api/v1/transition/routing",
            get(transition_routing::routing),
        )
        .route(
            "/api/v1/transition/plans/{place}/{capacity}/reverse",
            post(transition_routing::reverse),
        )
        .route(
            "/api/v1/transition/plans/{place}/{capacity}/restore",
            post(transition_routing::restore),
        )
        .route(
            "/api/v1/transition/simulate",
            get(transition_routing::simulate),
        )
        .route(
            "/api/v1/transition/broadcasts",
            get(transition_broadcasts::list).post(transition_broadcasts::send),
        )
        .route(
            "/api/v1/transition/broadcasts/{id}",
            get(transition_broadcasts::get_one),
        )
        .route(
            "/api/v1/transition/broadcasts/preview",
            post(transition_broadcasts::preview),
        )
        .route(
            "/api/v1/transition/after-closure",
            get(transition_after_closure::list),
        )
        .route(
            "/api/v1/transition/indicators",
            get(transition_records::list_indicators).post(transition_records::save_indicator),
        )
        .route(
            "/api/v1/transition/indicators/{id}",
            delete(transition_records::remove_indicator),
        )
        .route(
            "/api/v1/transition/indicator-values",
            get(transition_records::list_values).post(transition_records::record_value),
        )
        .route(
            "/api/v1/transition/indicator-values/{id}",
            delete(transition_records::remove_value),
        )
        .route(
            "/api/v1/transition/benchmarks",
            get(transition_records::list_benchmarks).post(transition_records::save_benchmark),
        )
        .route(
            "/api/v1/transition/benchmarks/{id}",
            delete(transition_records::remove_benchmark),
        )
        .route(
            "/api/v1/transition/mechanisms",
            get(transition_records::list_mechanisms).post(transition_records::save_mechanism),
        )
        .route(
            "/api/v1/transition/mechanisms/{id}",
            delete(transition_records::remove_mechanism),
        )
        .route(
            "/api/v1/transition/mechanisms/{id}/assessments",
            post(transition_records::assess_mechanism),
        )
        .route(
            "/api/v1/transition/staff",
            get(transition_records::list_staff).post(transition_records::save_staff),
        )
        .route(
            "/api/v1/transition/staff/{id}",
            delete(transition_records::remove_staff),
        )
        .route("/api/v1/transition/roster", get(transition_records::roster))
        .route(
            "/api/v1/transition/notes",
            get(transition_records::list_notes).post(transition_records::save_note),
        )
        .route(
            "/api/v1/transition/notes/{id}",
            delete(transition_records::remove_note),
        )
        .route(
            "/api/v1/agreements",
            get(agreements::list).post(agreements::add),
        )
        .route("/api/v1/agreements/{id}/revoke", post(agreements::revoke))
        .route("/api/v1/conflicts", get(conflicts::list))
        .route("/api/v1/hrddp/record", get(hrddp::record))
        .route(
            "/api/v1/hrddp/screenings",
            get(hrddp::list).post(hrddp::screen),
        )
        .route("/api/v1/hrddp/screenings/{id}", get(hrddp::get_one))
        .route("/api/v1/gbvims/imports", post(gbvims::import))
        .route("/api/v1/reports/gbvims", get(gbvims::report))
        .route("/api/v1/map/context", get(map::context))
        .route("/api/v1/exports/incidents.csv", get(incident_exports::csv))
        .route(
            "/api/v1/exports/incidents.geojson",
            get(incident_exports::geojson),
        )
        .route("/api/v1/map/incidents", get(incident_exports::map))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        // Instance-signed replication: batches are larger than any user's request.
        .merge(
            Router::new()
                .route("/api/v1/sync/heads", get(sync::heads))
                .route("/api/v1/sync/pull", post(sync::pull))
                .route("/api/v1/sync/push", post(sync::push))
                .layer(axum::extract::DefaultBodyLimit::max(sync::MAX_SYNC_BODY)),
        )
        // Alert texts and identities must not linger in shared or lost devices' caches.
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            ),
        )
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Does nothing: the baseline the intake benchmark compares against (not in the API document).
pub async fn noop() -> &'static str {
    "{}"
}

/// JSON body whose rejections become [`WebError`]s with clear messages.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(json_rejection(e)),
        }
    }
}

fn json_rejection(e: JsonRejection) -> WebError {
    match e {
        JsonRejection::MissingJsonContentType(_) => WebError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with 'Content-Type: application/json'",
        ),
        JsonRejection::JsonSyntaxError(e) => WebError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "bad_json",
            e.body_text(),
        ),
        e if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => WebError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is larger than {} KiB", MAX_BODY / 1024),
        ),
        e if e.status().is_client_error()
            && e.status() != axum::http::StatusCode::UNPROCESSABLE_ENTITY =>
        {
            WebError::new(e.status(), "bad_request", e.body_text())
        }
        e => WebError::invalid(e.body_text()),
    }
}

/// Query string whose rejections become [`WebError`]s.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| WebError::invalid(e.body_text()))
    }
}

/// Parse an optional identifier of a domain enum, with a clear 422 on error.
pub fn parse_opt<T: std::str::FromStr<Err = kinga_domain::DomainError>>(
    s: &Option<String>,
) -> Result<Option<T>, WebError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<T>()
            .map(Some)
            .map_err(|e| WebError::invalid(e.to_string())),
    }
}
