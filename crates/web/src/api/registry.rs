//! Registry endpoints: places (and resolution), responders, actors, focal points (pseudonymous),
//! the outbox and issued digests.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use kinga_app::registry::{FocalPointInput, RegistryRecord};
use kinga_domain::people::Permission;
use kinga_domain::place::Place;
use kinga_domain::registry::{FocalPoint, Responder, ThreatActor};
use kinga_store::OutboxQuery;

use super::views::PlaceCandidateView;
use super::{ApiJson, ApiQuery};
use crate::auth::ApiUser;
use crate::{AppState, WebError};

/// Place resolution query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ResolveParams {
    /// Name as typed, any spelling or accents.
    pub q: String,
    /// At most this many candidates (1–50, default 10).
    pub limit: Option<u32>,
}

/// Ranked place candidates for a typed name.
#[utoipa::path(get, path = "/api/v1/places/resolve", tag = "registries", params(ResolveParams),
    responses((status = 200, body = Vec<PlaceCandidateView>), (status = 401, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn resolve_places(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<ResolveParams>,
) -> Result<Json<Vec<PlaceCandidateView>>, WebError> {
    user.caller().require(Permission::ReadAlerts)?;
    if p.q.chars().count() > 200 {
        return Err(WebError::invalid("q is longer than 200 characters"));
    }
    let c = st.app.resolve_place(&p.q, p.limit.unwrap_or(10) as usize);
    Ok(Json(c.iter().map(Into::into).collect()))
}

/// Place list filters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PlaceParams {
    /// Only places under this P-code (prefix).
    pub under: Option<String>,
    /// At most (default 500, max 5000).
    pub limit: Option<u32>,
}

/// Places, optionally under an area.
#[utoipa::path(get, path = "/api/v1/places", tag = "registries", params(PlaceParams),
    responses((status = 200, description = "Places", body = Object), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_places(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<PlaceParams>,
) -> Result<Json<Value>, WebError> {
    user.caller().require(Permission::ReadAlerts)?;
    let gaz = st.app.caches.gazetteer();
    let under = p.under.unwrap_or_default();
    let items: Vec<_> = gaz
        .places()
        .iter()
        .filter(|pl| pl.pcode.starts_with(under.trim()))
        .take(p.limit.unwrap_or(500).min(5000) as usize)
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// Responders with their coverage.
#[utoipa::path(get, path = "/api/v1/responders", tag = "registries",
    responses((status = 200, description = "Responders", body = Object), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_responders(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Value>, WebError> {
    user.caller().require(Permission::ReadAlerts)?;
    Ok(Json(json!({ "items": *st.app.caches.responders() })))
}

/// Create or replace a responder (administrators and coordinators).
#[utoipa::path(post, path = "/api/v1/responders", tag = "registries", request_body(content = Object, description = "A responder"),
    responses((status = 200, description = "Saved", body = Object), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_responder(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(r): ApiJson<Responder>,
) -> Result<Json<Value>, WebError> {
    if r.id.trim().is_empty() || r.name.trim().is_empty() {
        return Err(WebError::invalid("a responder needs an id and a name"));
    }
    st.app
        .save_records(&user.caller(), vec![RegistryRecord::Responder(r.clone())])
        .await?;
    Ok(Json(json!(r)))
}

/// Threat actors with aliases.
#[utoipa::path(get, path = "/api/v1/actors", tag = "registries",
    responses((status = 200, description = "Actors", body = Object), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_actors(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Value>, WebError> {
    user.caller().require(Permission::ReadAlerts)?;
    Ok(Json(
        json!({ "items": st.app.store.actors().await.map_err(kinga_app::AppError::from)? }),
    ))
}

/// Create or replace a threat actor.
#[utoipa::path(post, path = "/api/v1/actors", tag = "registries", request_body(content = Object, description = "A threat actor"),
    responses((status = 200, description = "Saved", body = Object), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_actor(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(a): ApiJson<ThreatActor>,
) -> Result<Json<Value>, WebError> {
    if a.id.trim().is_empty() || a.name.trim().is_empty() {
        return Err(WebError::invalid("an actor needs an id and a name"));
    }
    st.app
        .save_records(&user.caller(), vec![RegistryRecord::Actor(a.clone())])
        .await?;
    Ok(Json(json!(a)))
}

/// Focal points by pseudonym (identities are never listed).
#[utoipa::path(get, path = "/api/v1/focal-points", tag = "registries",
    responses((status = 200, description = "Focal points", body = Object), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_focal_points(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Value>, WebError> {
    user.caller().require(Permission::ReadAlerts)?;
    let fps = st
        .app
        .store
        .focal_points()
        .await
        .map_err(kinga_app::AppError::from)?;
    let items: Vec<Value> = fps.iter().map(focal_point_view).collect();
    Ok(Json(json!({ "items": items })))
}

fn focal_point_view(f: &FocalPoint) -> Value {
    json!({ "id": f.id, "pseudonym": f.pseudonym, "place": f.place, "language": f.language, "active": f.active })
}

/// Register a focal point (or update one, with its id); the answer never holds the name or
/// the number, which are sealed before they are stored.
#[utoipa::path(post, path = "/api/v1/focal-points", tag = "registries", request_body(content = Object, description = "name, phone, place, language, pseudonym, id"),
    responses((status = 200, description = "Saved (pseudonymous view)", body = Object), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_focal_point(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(input): ApiJson<FocalPointInput>,
) -> Result<Json<Value>, WebError> {
    let caller = user.caller();
    let fp = st.app.seal_focal_point(&caller, &input).await?;
    st.app
        .save_records(&caller, vec![RegistryRecord::FocalPoint(fp.clone())])
        .await?;
    Ok(Json(focal_point_view(&fp)))
}

/// Create or replace a place (a settlement under a territory, a new spelling, coordinates).
#[utoipa::path(post, path = "/api/v1/places", tag = "registries", request_body(content = Object, description = "A place: pcode, name, alt_names, level, parent, country, lat, lon"),
    responses((status = 200, description = "Saved", body = Object), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_place(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(p): ApiJson<Place>,
) -> Result<Json<Value>, WebError> {
    if p.pcode.trim().is_empty() || p.name.trim().is_empty() {
        return Err(WebError::invalid("a place needs a pcode and a name"));
    }
    let bad_point = |v: Option<f64>, max: f64| v.is_some_and(|x| !x.is_finite() || x.abs() > max);
    if bad_point(p.lat, 90.0) || bad_point(p.lon, 180.0) {
        return Err(WebError::invalid(
            "lat must lie within ±90 and lon within ±180",
        ));
    }
    if p.parent.as_deref() == Some(p.pcode.as_str()) {
        return Err(WebError::invalid("a place cannot be its own parent"));
    }
    st.app
        .save_records(&user.caller(), vec![RegistryRecord::Place(p.clone())])
        .await?;
    Ok(Json(json!(p)))
}

/// Outbox filter.
#[derive(Debug, Deserialize, IntoParams)]
pub struct OutboxParams {
    /// Only messages about this alert id.
    pub alert: Option<String>,
    /// At most (default 100, max 1000).
    pub limit: Option<u32>,
}

/// Messages queued or sent (acknowledgements, feedback, escalations, digests).
#[utoipa::path(get, path = "/api/v1/outbox", tag = "registries", params(OutboxParams),
    responses((status = 200, description = "Messages", body = Object), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_outbox(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<OutboxParams>,
) -> Result<Json<Value>, WebError> {
    user.caller().require(Permission::TriageAlerts)?;
    let q = OutboxQuery {
        statuses: vec![],
        alert: p.alert,
        limit: p.limit.unwrap_or(100).min(1000) as usize,
    };
    let msgs = st
        .app
        .store
        .outbox(&q)
        .await
        .map_err(kinga_app::AppError::from)?;
    Ok(Json(json!({ "items": msgs })))
}

/// Daily alert tracking digests, newest first.
#[utoipa::path(get, path = "/api/v1/digests", tag = "registries",
    responses((status = 200, description = "Digests", body = Object), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_digests(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Value>, WebError> {
    user.caller().require(Permission::Coordinate)?;
    Ok(Json(
        json!({ "items": st.app.store.digests(30).await.map_err(kinga_app::AppError::from)? }),
    ))
}
