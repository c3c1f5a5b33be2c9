//! The analysis page (`/reports`: response indicators of a period and the spikes of its last
//! week) and the queue's downloads (`/alerts/export.csv|geojson|xlsx`, the queue's filters).

use axum::response::Response;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use minijinja::{Value, context};
use serde::Deserialize;

use kinga_domain::analysis::indicators::Figures;
use kinga_domain::people::Permission;

use super::figures::{pct, step};
use super::queue::{Filters, QueueParams, areas};
use super::{Ctx, QueryData, UiResult};
use crate::exports::{ExportFormat, respond};

/// Days the page covers when no start is given.
const DEFAULT_DAYS: i64 = 90;

/// The period asked, as typed (local days).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

/// A typed day; an odd one (a year like 99999) is ignored, so date arithmetic cannot overflow.
fn parse_day(v: &Option<String>) -> Option<NaiveDate> {
    v.as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .filter(|d| (1900..=2999).contains(&d.year()))
}

fn group_row(label: String, f: &Figures) -> Value {
    context! {
        label => label,
        received => f.received,
        ack => pct(f.acknowledge.share_met),
        verify => pct(f.verify.share_met),
        respond => pct(f.respond.share_met),
        feedback => pct(f.feedback.share_reached),
    }
}

/// `GET /reports`: response indicators and spikes, for coordinators and analysts.
pub async fn page(cx: Ctx, QueryData(q): QueryData<PeriodQuery>) -> Response {
    let r = report_page(&cx, q).await;
    cx.finish(r)
}

async fn report_page(cx: &Ctx, q: PeriodQuery) -> UiResult {
    cx.require(Permission::ReadReports)?;
    let local = cx.local();
    let now = cx.st.app.now();
    let today = now.with_timezone(&local.tz()).date_naive();
    let to_day = parse_day(&q.to).unwrap_or(today);
    let from_day = parse_day(&q.from).unwrap_or(to_day - Duration::days(DEFAULT_DAYS - 1));
    let midnight = |d: NaiveDate| -> Option<DateTime<Utc>> {
        local
            .tz()
            .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(from), Some(to)) = (midnight(from_day), midnight(to_day + Duration::days(1))) else {
        return Err(super::UiError::invalid(cx.t("err_period")));
    };
    let caller = cx.caller();
    let report = cx.st.app.response_report(&caller, from, to).await?;
    let spikes = cx
        .st
        .app
        .spikes(&caller, to_day - Duration::days(6), to_day)
        .await?;
    let weeks = cx.st.app.weekly_trends(&caller, from_day, to_day).await?;
    let (weekly, weekly_legend) = super::charts::weekly_threats(cx.lang, &weeks);
    let monthly = super::charts::monthly_response(cx.lang, &report);
    let responders = cx.st.app.responders(&caller)?;
    let responder_name = |id: &str| {
        responders
            .iter()
            .find(|r| r.id == id)
            .map_or_else(|| id.to_string(), |r| r.name.clone())
    };
    let o = &report.overall;
    let view = context! {
        from => from_day.to_string(),
        to => to_day.to_string(),
        as_of => cx.time(report.as_of),
        weekly => Value::from_safe_string(weekly),
        weekly_legend => weekly_legend,
        monthly => Value::from_safe_string(monthly),
        overall => context! {
            received => o.received, uncovered => o.uncovered, unplaced => o.unplaced,
            feedback => context! {
                closed => o.feedback.closed, queued => o.feedback.queued, sent => o.feedback.sent,
                delivered => o.feedback.delivered, failed => o.feedback.failed,
                share => pct(o.feedback.share_reached),
            },
        },
        steps => vec![
            step(cx, "rp_acknowledge", &o.acknowledge),
            step(cx, "rp_verify", &o.verify),
            step(cx, "rp_respond", &o.respond),
        ],
        by_month => report.by_month.iter().map(|g| group_row(g.key.clone(), &g.figures)).collect::<Vec<_>>(),
        by_responder => report.by_responder.iter().map(|g| group_row(responder_name(&g.key), &g.figures)).collect::<Vec<_>>(),
        by_area => report.by_area.iter().map(|a| context! {
            name => a.name.clone().or_else(|| a.area.clone()).unwrap_or_else(|| cx.t("rp_no_place").to_string()),
            area => a.area.clone(),
            received => a.received, uncovered => a.uncovered, unplaced => a.unplaced,
        }).collect::<Vec<_>>(),
        spikes => spikes.iter().map(|s| context! {
            day => s.day.to_string(),
            area => format!("{} ({})", s.area_name, s.area),
            threat => s.threat_type.label(cx.lang),
            count => s.count,
            baseline => format!("{:.2}", s.baseline_mean),
            limit => s.upper_limit,
        }).collect::<Vec<_>>(),
        spikes_from => (to_day - Duration::days(6)).to_string(),
    };
    cx.render("reports.html", "reports", view)
}

async fn export(cx: Ctx, q: QueueParams, format: ExportFormat) -> Response {
    let r = async {
        let f: Filters = q.into();
        let (areas, _) = areas(&cx, &f)?;
        let now = cx.st.app.now();
        let mut query = f.query(now, &cx.local(), areas, &cx.pu.user.name);
        // The default view lists new alerts in a section of their own: export them too.
        if f.state.is_empty() && !f.stale {
            query.states.clear();
        }
        let export = cx.st.app.export_alerts(&cx.caller(), query)?;
        Ok(respond(export, format).await?)
    }
    .await;
    cx.finish(r)
}

/// `GET /alerts/export.csv`: the queue's alerts as CSV with HXL hashtags.
pub async fn csv(cx: Ctx, QueryData(q): QueryData<QueueParams>) -> Response {
    export(cx, q, ExportFormat::Csv).await
}

/// `GET /alerts/export.geojson`: the queue's alerts as GeoJSON.
pub async fn geojson(cx: Ctx, QueryData(q): QueryData<QueueParams>) -> Response {
    export(cx, q, ExportFormat::GeoJson).await
}

/// `GET /alerts/export.xlsx`: the queue's alerts as an Excel workbook.
pub async fn xlsx(cx: Ctx, QueryData(q): QueryData<QueueParams>) -> Response {
    export(cx, q, ExportFormat::Xlsx).await
}
