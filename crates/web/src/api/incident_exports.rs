//! `/api/v1/exports/incidents.{csv,geojson}` and `/api/v1/map/incidents`: incidents of the
//! compartments the caller may see as rows (identities never included), and for every other
//! compartment only counts per territory, small counts hidden.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use kinga_app::incidents::geo::IncidentGeoFilter;
use kinga_domain::incident::geo::{HEADERS, HXL_TAGS, IncidentRow};

use super::ApiQuery;
use crate::auth::{ApiUser, ReadUser};
use crate::exports::csv_lines;
use crate::{AppState, WebError};

/// Which incidents.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct IncidentGeoParams {
    /// First day of occurrence (`YYYY-MM-DD`, included).
    pub from: Option<chrono::NaiveDate>,
    /// Last day of occurrence (`YYYY-MM-DD`, included).
    pub to: Option<chrono::NaiveDate>,
    /// Only incidents naming this perpetrator (part of the actor's name, or its category).
    pub actor: Option<String>,
}

impl IncidentGeoParams {
    fn filter(&self) -> Result<IncidentGeoFilter, WebError> {
        if matches!((self.from, self.to), (Some(f), Some(t)) if f > t) {
            return Err(WebError::invalid("from must not be after to"));
        }
        if self
            .actor
            .as_deref()
            .is_some_and(|a| a.chars().count() > 100)
        {
            return Err(WebError::invalid("actor is at most 100 characters"));
        }
        Ok(IncidentGeoFilter {
            from: self.from,
            to: self.to,
            actor: self.actor.clone(),
        })
    }
}

fn collection(rows: &[IncidentRow]) -> Value {
    json!({
        "type": "FeatureCollection",
        "features": rows.iter().map(IncidentRow::feature).collect::<Vec<_>>(),
    })
}

fn file(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Incidents as CSV: a header row, a row of HXL hashtags, then one `record` row per incident
/// of a compartment the caller may see (newest first; no victim's name, source or narrative)
/// and one `aggregate` row per territory counting the incidents of the other compartments
/// (`incidents` empty and `suppressed` true when fewer than the suppression threshold).
#[utoipa::path(get, path = "/api/v1/exports/incidents.csv", tag = "exports", params(IncidentGeoParams),
    responses((status = 200, description = "CSV with an HXL hashtag row", content_type = "text/csv", body = String),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn csv(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<IncidentGeoParams>,
) -> Result<Response, WebError> {
    let rows = st
        .app
        .export_incidents(&user.caller(), &p.filter()?)
        .await?;
    let lines = std::iter::once(HEADERS.iter().map(|h| h.to_string()).collect())
        .chain(std::iter::once(
            HXL_TAGS.iter().map(|h| h.to_string()).collect(),
        ))
        .chain(rows.iter().map(IncidentRow::cells));
    Ok(file(
        csv_lines(lines)?,
        "text/csv; charset=utf-8",
        "incidents.csv",
    ))
}

/// Incidents as a GeoJSON FeatureCollection: the CSV's rows as features (a Point at the
/// place or the counted territory, `null` geometry when it has none), columns as properties.
#[utoipa::path(get, path = "/api/v1/exports/incidents.geojson", tag = "exports", params(IncidentGeoParams),
    responses((status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json", body = Object),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn geojson(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<IncidentGeoParams>,
) -> Result<Response, WebError> {
    let rows = st
        .app
        .export_incidents(&user.caller(), &p.filter()?)
        .await?;
    Ok(file(
        collection(&rows).to_string().into_bytes(),
        "application/geo+json",
        "incidents.geojson",
    ))
}

/// Incidents for the map (the page's script or a bearer token): the export's GeoJSON, for
/// those who read incidents.
#[utoipa::path(get, path = "/api/v1/map/incidents", tag = "map", params(IncidentGeoParams),
    responses((status = 200, description = "GeoJSON FeatureCollection", body = Object),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn map(
    State(st): State<AppState>,
    user: ReadUser,
    ApiQuery(p): ApiQuery<IncidentGeoParams>,
) -> Result<Json<Value>, WebError> {
    let rows = st.app.incident_rows(&user.caller(), &p.filter()?).await?;
    Ok(Json(collection(&rows)))
}
