//! `/api/v1/map/alerts` (alerts as points, paged) and `/api/v1/map/summary` (counts per
//! first-level area, hotspots): the alert list's filters and permissions. The map page's
//! script calls them with the session cookie; other clients with a bearer token.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use kinga_domain::analysis::DbscanParams;
use kinga_domain::analysis::map::{MapPoint, MapSummary};

use super::ApiQuery;
use super::alerts::ListParams;
use crate::auth::ReadUser;
use crate::{AppState, WebError};

/// Hotspot radius when none is given, km.
pub const DEFAULT_EPS_KM: f64 = 10.0;
/// Alerts that make a hotspot when none is given.
pub const DEFAULT_MIN_SAMPLES: usize = 5;
/// Largest radius asked, km: beyond it a "hotspot" is a country.
pub const MAX_EPS_KM: f64 = 500.0;
/// Smallest radius asked, km (10 m): finer than any place's coordinates, and it keeps the
/// clustering's grid cells a sane size.
pub const MIN_EPS_KM: f64 = 0.01;

/// A page of alerts as points.
#[derive(Debug, Serialize, ToSchema)]
pub struct MapPointPage {
    /// Located alerts of the page, newest first.
    pub items: Vec<MapPoint>,
    /// Alerts of the page without a position (not in `items`).
    pub unlocated: usize,
    /// Alerts matching the filters, located or not.
    pub total: u64,
    /// Offset of the next page (`offset=`), absent on the last page.
    pub next_offset: Option<usize>,
}

/// Alerts matching the alert list's filters, newest first, as points at their place (or its
/// nearest enclosing area with a position); `limit` (1–500) and `offset` page them. A
/// responder sees the alerts assigned to it, as in the list.
#[utoipa::path(get, path = "/api/v1/map/alerts", tag = "map", params(ListParams),
    responses((status = 200, body = MapPointPage), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn alerts(
    State(st): State<AppState>,
    user: ReadUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<MapPointPage>, WebError> {
    let caller = user.caller();
    let mut q = p.resolve(&st, &caller)?;
    if p.limit.is_none() {
        q.limit = 500;
    }
    let page = st.app.map_points(&caller, q).await?;
    Ok(Json(MapPointPage {
        items: page.items,
        unlocated: page.unlocated,
        total: page.total,
        next_offset: page.next_offset,
    }))
}

/// How hotspots are found.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct HotspotParams {
    /// Radius within which alerts are neighbours, km (0.01–500; default 10).
    pub eps_km: Option<f64>,
    /// Alerts within the radius (the alert itself included) that make a hotspot's core
    /// (1–10,000; default 5).
    pub min_samples: Option<u32>,
}

impl HotspotParams {
    /// The clustering parameters, checked.
    pub fn params(&self) -> Result<DbscanParams, WebError> {
        let eps = self.eps_km.unwrap_or(DEFAULT_EPS_KM);
        if !(MIN_EPS_KM..=MAX_EPS_KM).contains(&eps) {
            return Err(WebError::invalid(format!(
                "eps_km must be {MIN_EPS_KM}-{MAX_EPS_KM}"
            )));
        }
        let min = self.min_samples.map_or(DEFAULT_MIN_SAMPLES, |m| m as usize);
        if !(1..=10_000).contains(&min) {
            return Err(WebError::invalid("min_samples must be 1-10000"));
        }
        DbscanParams::new(eps, min, None).map_err(|e| WebError::invalid(e.to_string()))
    }
}

/// Every alert matching the alert list's filters (`sort`, `limit`, `offset` do not apply),
/// counted per first-level area of the map (with the choropleth's classes) and clustered into
/// hotspots (DBSCAN, great-circle distance; see `kinga cluster`).
#[utoipa::path(get, path = "/api/v1/map/summary", tag = "map", params(ListParams, HotspotParams),
    responses((status = 200, body = MapSummary), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn summary(
    State(st): State<AppState>,
    user: ReadUser,
    ApiQuery(p): ApiQuery<ListParams>,
    ApiQuery(h): ApiQuery<HotspotParams>,
) -> Result<Json<MapSummary>, WebError> {
    let caller = user.caller();
    let q = p.resolve(&st, &caller)?;
    let params = h.params()?;
    Ok(Json(st.app.map_summary(&caller, q, &params).await?))
}
