//! `/api/v1/exports/alerts.{csv,geojson,xlsx}`: the alert list's filters, as files.

use axum::extract::State;
use axum::response::Response;

use super::ApiQuery;
use super::alerts::ListParams;
use crate::auth::ApiUser;
use crate::exports::{ExportFormat, respond};
use crate::{AppState, WebError};

async fn export(
    st: AppState,
    user: ApiUser,
    p: ListParams,
    format: ExportFormat,
) -> Result<Response, WebError> {
    let caller = user.caller();
    let q = p.resolve(&st, &caller)?;
    let export = st.app.export_alerts(&caller, q)?;
    respond(export, format).await
}

/// Alerts as CSV: a header row, then a row of HXL hashtags, then one row per alert, newest
/// first. Takes the filters of `GET /api/v1/alerts` (its `sort`, `limit` and `offset` do not
/// apply: every matching alert is exported). No reporter's name or number, nor alert text.
#[utoipa::path(get, path = "/api/v1/exports/alerts.csv", tag = "exports", params(ListParams),
    responses((status = 200, description = "CSV with an HXL hashtag row", content_type = "text/csv", body = String),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn csv(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Response, WebError> {
    export(st, user, p, ExportFormat::Csv).await
}

/// Alerts as a GeoJSON FeatureCollection: one Point feature per alert at its place (or the
/// nearest enclosing area with a point), with the CSV's columns as properties; an alert with
/// no located place has a `null` geometry, so the file holds every alert the CSV holds.
#[utoipa::path(get, path = "/api/v1/exports/alerts.geojson", tag = "exports", params(ListParams),
    responses((status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json", body = Object),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn geojson(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Response, WebError> {
    export(st, user, p, ExportFormat::GeoJson).await
}

/// Alerts as an Excel workbook: the CSV's header row, its HXL row, then the alerts, typed.
#[utoipa::path(get, path = "/api/v1/exports/alerts.xlsx", tag = "exports", params(ListParams),
    responses((status = 200, description = "XLSX workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn xlsx(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Response, WebError> {
    export(st, user, p, ExportFormat::Xlsx).await
}
