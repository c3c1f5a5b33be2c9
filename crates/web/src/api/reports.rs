//! `/api/v1/reports/response` (response indicators), `/api/v1/reports/spikes` and the
//! MRM/MARA table `/api/v1/reports/mrm` (JSON) and `/api/v1/reports/mrm.csv`.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use kinga_domain::analysis::indicators::ResponseReport;
use kinga_domain::analysis::risk::{RiskReport, RiskSort};
use kinga_domain::analysis::spikes::Spike;
use kinga_domain::incident::report::MrmReport;

use super::ApiQuery;
use super::alerts::when;
use crate::auth::ApiUser;
use crate::{AppState, WebError};

/// Days a report covers when no `from` is given.
pub const DEFAULT_DAYS: i64 = 90;

/// The period of a report.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PeriodParams {
    /// Received on or after (`YYYY-MM-DD` or RFC 3339, UTC); default 90 days before `to`.
    pub from: Option<String>,
    /// Received before (`YYYY-MM-DD`: the whole day included; or RFC 3339); default now.
    pub to: Option<String>,
}

/// Response indicators of the alerts received in the period: shares of steps within their
/// deadlines, median and 90th-percentile minutes per step, uncovered and unplaced alerts by
/// area, feedback reaching reporters; overall, by month and by responder.
#[utoipa::path(get, path = "/api/v1/reports/response", tag = "reports", params(PeriodParams),
    responses((status = 200, body = ResponseReport), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn response(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<PeriodParams>,
) -> Result<Json<ResponseReport>, WebError> {
    let to = when(&p.to, "to", true)?.unwrap_or_else(|| st.app.now());
    let from = when(&p.from, "from", false)?.unwrap_or(to - Duration::days(DEFAULT_DAYS));
    Ok(Json(
        st.app.response_report(&user.caller(), from, to).await?,
    ))
}

/// Local days of a spike report.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DaysParams {
    /// First local day (`YYYY-MM-DD`); default 6 days before `to`.
    pub from: Option<String>,
    /// Last local day, included (`YYYY-MM-DD`); default today.
    pub to: Option<String>,
}

/// Spikes found.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpikeList {
    /// First day.
    pub from: NaiveDate,
    /// Last day (included).
    pub to: NaiveDate,
    /// The spikes, strongest evidence first.
    pub items: Vec<Spike>,
}

fn day(v: &Option<String>, field: &str) -> Result<Option<NaiveDate>, WebError> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                // A bound on the year keeps date arithmetic far from chrono's limits.
                .filter(|d| (1900..=2999).contains(&d.year()))
                .ok_or_else(|| {
                    WebError::invalid(format!("{field} must be YYYY-MM-DD, years 1900-2999"))
                })
        })
        .transpose()
}

/// Days when a territory saw more alerts of one threat type than its own past 28 days make
/// likely (Poisson upper control limit; see the README).
#[utoipa::path(get, path = "/api/v1/reports/spikes", tag = "reports", params(DaysParams),
    responses((status = 200, body = SpikeList), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn spikes(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<DaysParams>,
) -> Result<Json<SpikeList>, WebError> {
    let to = day(&p.to, "to")?.unwrap_or_else(|| st.app.local_today());
    let from = day(&p.from, "from")?.unwrap_or(to - Duration::days(6));
    let items = st.app.spikes(&user.caller(), from, to).await?;
    Ok(Json(SpikeList { from, to, items }))
}

/// The period of the MRM/MARA table.
#[derive(Debug, Deserialize, IntoParams)]
pub struct MrmParams {
    /// A quarter (`2026-Q3`), a month (`2026-09`) or a year (`2026`); default the current
    /// quarter.
    pub period: Option<String>,
}

/// The MRM/MARA aggregate table of a period: per violation, incidents and victims by sex and
/// age group, and incidents by perpetrator category, allegations (reported, under
/// verification) and verified cases apart. Only the compartments the caller may see are
/// counted; counts of sensitive records under the threshold (default 5) read `"<5"`.
#[utoipa::path(get, path = "/api/v1/reports/mrm", tag = "reports", params(MrmParams),
    responses((status = 200, body = MrmReport), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn mrm(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<MrmParams>,
) -> Result<Json<MrmReport>, WebError> {
    Ok(Json(
        st.app
            .mrm_report(&user.caller(), p.period.as_deref())
            .await?,
    ))
}

/// The same table as CSV: a header row, a row of HXL hashtags, then one row per violation
/// and status (`allegation`, `verified`).
#[utoipa::path(get, path = "/api/v1/reports/mrm.csv", tag = "reports", params(MrmParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn mrm_csv(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<MrmParams>,
) -> Result<Response, WebError> {
    let report = st
        .app
        .mrm_report(&user.caller(), p.period.as_deref())
        .await?;
    mrm_csv_answer(&report)
}

/// A report as a CSV download named after its period.
pub fn mrm_csv_answer(report: &MrmReport) -> Result<Response, WebError> {
    let body = crate::exports::csv_lines(report.csv_rows())?;
    let name = format!("kinga-mrm-{}.csv", report.period);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// How the risk table is sorted.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RiskQuery {
    /// `score` (default), `threat`, `vulnerability`, `capacity` (lowest first) or `alerts`;
    /// always highest first, ties by score.
    pub sort: Option<String>,
}

/// The risk index per place (territory) over the last 90 days: threat (alerts weighted by
/// severity and recency), vulnerability (displacement reported), capacity (responder
/// coverage and responses within deadline), each beside the score (formula in the README).
#[utoipa::path(get, path = "/api/v1/reports/risk", tag = "reports", params(RiskQuery),
    responses((status = 200, body = RiskReport), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn risk(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<RiskQuery>,
) -> Result<Json<RiskReport>, WebError> {
    let sort = match p.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => RiskSort::Score,
        Some(s) => RiskSort::parse(s).ok_or_else(|| {
            WebError::invalid("sort must be score, threat, vulnerability, capacity or alerts")
        })?,
    };
    Ok(Json(st.app.risk_report(&user.caller(), sort).await?))
}
