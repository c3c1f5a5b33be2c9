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

/// Which context events to read.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ContextParams {
    /// First day (`YYYY-MM-DD`, included).
    pub from: Option<chrono::NaiveDate>,
    /// Last day (`YYYY-MM-DD`, included).
    pub to: Option<chrono::NaiveDate>,
    /// Only this data set: `ucdp_ged` or `acled`.
    pub dataset: Option<String>,
    /// Only events naming this actor (part of a name, any case or accent).
    pub actor: Option<String>,
    /// The previous page's `next` cursor.
    pub after: Option<String>,
    /// Page size, 1–2000 (default 1000).
    pub limit: Option<usize>,
}

impl ContextParams {
    /// The application's filter, checked.
    pub fn filter(&self) -> Result<kinga_app::context::ContextFilter, WebError> {
        let dataset = match self.dataset.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(d.parse().map_err(
                |e: kinga_domain::analysis::context::ContextError| WebError::invalid(e.to_string()),
            )?),
        };
        let after = match self.after.as_deref() {
            None | Some("") => None,
            Some(c) => Some(parse_cursor(c)?),
        };
        Ok(kinga_app::context::ContextFilter {
            from: self.from,
            to: self.to,
            dataset,
            actor: self.actor.clone(),
            after,
            limit: self.limit.unwrap_or(1000),
        })
    }
}

/// A keyset cursor, `YYYY-MM-DD~<id>`.
fn parse_cursor(c: &str) -> Result<(chrono::NaiveDate, String), WebError> {
    let bad = || WebError::invalid("after must be a cursor given as `next` by a previous page");
    let (day, id) = c.split_once('~').ok_or_else(bad)?;
    let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| bad())?;
    Ok((day, id.to_string()))
}

/// A page of context events.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContextEventPage {
    /// Events of public conflict data sets (UCDP GED, ACLED), newest day first; each keeps
    /// its data set, source and licence note. Never counted in Kinga's own figures.
    pub items: Vec<kinga_domain::analysis::context::ContextEvent>,
    /// Cursor of the next page (`after=`), absent on the last page.
    pub next: Option<String>,
}

/// Imported context events (UCDP GED, ACLED; `kinga import context`) for the map's layer of
/// their own, newest day first, paged by keyset. They are someone else's record: the map
/// shows them beside the alerts and no count of Kinga's includes them.
#[utoipa::path(get, path = "/api/v1/map/context", tag = "map", params(ContextParams),
    responses((status = 200, body = ContextEventPage), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn context(
    State(st): State<AppState>,
    user: ReadUser,
    ApiQuery(p): ApiQuery<ContextParams>,
) -> Result<Json<ContextEventPage>, WebError> {
    let caller = user.caller();
    let page = st.app.context_events(&caller, &p.filter()?).await?;
    Ok(Json(ContextEventPage {
        items: page.items,
        next: page.next.map(|(d, id)| format!("{d}~{id}")),
    }))
}
