//! Aggregate GBVIMS statistics: `POST /api/v1/gbvims/imports?provider=…` takes a provider's
//! CSV table; `GET /api/v1/reports/gbvims?period=…` reads them beside the CRSV counts of the
//! MRM/MARA table, small counts hidden.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use kinga_domain::incident::report::gbvims::GbvimsReport;

use super::ApiQuery;
use super::reports::MrmParams;
use crate::auth::ApiUser;
use crate::{AppState, WebError};

/// Who shared the table.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportParams {
    /// The service provider (an organisation's name).
    pub provider: String,
}

/// What was imported.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportAnswer {
    /// The import's id.
    pub id: String,
    /// The provider.
    pub provider: String,
    /// Rows read.
    pub rows: usize,
}

/// Import a provider's GBVIMS table: CSV with the header
/// `month,place,gbv_type,survivor_sex,survivor_age,count` (needs the crsv grant). A newer
/// import of the same provider replaces the months it covers.
#[utoipa::path(post, path = "/api/v1/gbvims/imports", tag = "reports", params(ImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportAnswer), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn import(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<ImportParams>,
    body: String,
) -> Result<(StatusCode, Json<ImportAnswer>), WebError> {
    let i = st
        .app
        .import_gbvims(&user.caller(), &p.provider, &body)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportAnswer {
            id: i.id,
            provider: i.provider,
            rows: i.rows.len(),
        }),
    ))
}

/// GBVIMS figures of a period (what services saw, by type of GBV, survivor's sex and age)
/// beside the CRSV incidents of the MRM/MARA table the caller may see (allegations and
/// verified apart); counts under the threshold read `"<5"`.
#[utoipa::path(get, path = "/api/v1/reports/gbvims", tag = "reports", params(MrmParams),
    responses((status = 200, body = GbvimsReport), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn report(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<MrmParams>,
) -> Result<Json<GbvimsReport>, WebError> {
    Ok(Json(
        st.app
            .gbvims_report(&user.caller(), p.period.as_deref())
            .await?,
    ))
}
