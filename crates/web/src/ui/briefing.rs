//! The printable briefing (`/briefing`): one A4 document, no forms, every date with its year,
//! for a donor meeting or a drawdown decision: the map of the period, the places most at
//! risk, the response indicators, the spikes of the last week and the weekly trend.

use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use minijinja::{Value, context};
use serde::Deserialize;

use kinga_domain::analysis::DbscanParams;
use kinga_domain::analysis::indicators::StepFigures;
use kinga_domain::analysis::risk::RiskSort;
use kinga_domain::people::Permission;

use super::map::{self, MapFilters};
use super::{Ctx, QueryData, UiError, UiResult, charts};
use crate::api::map::{DEFAULT_EPS_KM, DEFAULT_MIN_SAMPLES};

/// Places of the risk table.
const TOP_PLACES: usize = 10;

/// The period, from links (there is no form on the page).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BriefingQuery {
    days: Option<String>,
    back: Option<String>,
}

fn share(s: &StepFigures) -> String {
    s.share_met
        .map_or_else(|| "–".into(), |v| format!("{:.0} %", v * 100.0))
}

/// `GET /briefing`.
pub async fn page(cx: Ctx, QueryData(q): QueryData<BriefingQuery>) -> Response {
    let r = briefing(&cx, q).await;
    cx.finish(r)
}

async fn briefing(cx: &Ctx, q: BriefingQuery) -> UiResult {
    cx.require(Permission::ReadReports)?;
    let f: MapFilters = map::MapQuery::period(q.days, q.back).into();
    let local = cx.local();
    let tz = local.tz();
    let now = cx.st.app.now();
    let today = now.with_timezone(&tz).date_naive();
    let (first, last) = f.days_of(today);
    let (Some(from), Some(to)) = (
        map::midnight(tz, first),
        map::midnight(tz, last + Duration::days(1)),
    ) else {
        return Err(UiError::invalid(cx.t("err_period")));
    };
    let caller = cx.caller();
    let hot = DbscanParams::new(DEFAULT_EPS_KM, DEFAULT_MIN_SAMPLES, None)
        .map_err(|e| UiError::invalid(e.to_string()))?;
    let s = cx
        .st
        .app
        .map_summary(&caller, f.query(from, to), &hot)
        .await?;
    let (classes, legend) = map::count_classes(cx, &s);
    let svg = map::svg(cx, &s, &classes)?;
    let mut areas: Vec<_> = s.areas.iter().filter(|a| a.count > 0).collect();
    areas.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    let risk = cx.st.app.risk_report(&caller, RiskSort::Score).await?;
    let report = cx.st.app.response_report(&caller, from, to).await?;
    let week_start = last - Duration::days(6);
    let spikes = cx.st.app.spikes(&caller, week_start, last).await?;
    let weeks = cx.st.app.weekly_trends(&caller, first, last).await?;
    let (weekly, weekly_legend) = charts::weekly_threats(cx.lang, &weeks);
    let o = &report.overall;
    let day = |d: NaiveDate| local.day(d);
    let view = context! {
        lang => cx.lang,
        title => cx.t("br_title"),
        period => cx.t("br_period").replace("{from}", &day(first)).replace("{to}", &day(last)),
        as_of => cx.time(now),
        zone => local.zone_label(now),
        svg => Value::from_safe_string(svg),
        legend => legend,
        areas => areas.iter().take(TOP_PLACES).map(|a| context! {
            name => a.name_fr.as_deref().filter(|_| cx.lang == "fr").unwrap_or(&a.name),
            country => &a.country, count => a.count, uncovered => a.uncovered,
        }).collect::<Vec<_>>(),
        total => s.total, uncovered => s.uncovered, unlocated => s.unlocated,
        hotspots => s.hotspots.len(),
        risk => risk.places.iter().take(TOP_PLACES).map(|p| context! {
            name => &p.name, area => &p.area, score => format!("{:.1}", p.score),
            threat => format!("{:.2}", p.threat), vulnerability => format!("{:.2}", p.vulnerability),
            capacity => format!("{:.2}", p.capacity), alerts => p.alerts,
        }).collect::<Vec<_>>(),
        risk_window => cx.t("br_risk_window").replace("{days}", &risk.window_days.to_string()).replace("{date}", &local.date(risk.as_of)),
        received => o.received,
        steps => vec![
            context! { label => cx.t("rp_acknowledge"), share => share(&o.acknowledge), met => o.acknowledge.met, missed => o.acknowledge.missed },
            context! { label => cx.t("rp_verify"), share => share(&o.verify), met => o.verify.met, missed => o.verify.missed },
            context! { label => cx.t("rp_respond"), share => share(&o.respond), met => o.respond.met, missed => o.respond.missed },
        ],
        feedback => o.feedback.share_reached.map_or_else(|| "–".into(), |v| format!("{:.0} %", v * 100.0)),
        spikes_period => cx.t("br_spikes_period").replace("{from}", &day(week_start)).replace("{to}", &day(last)),
        spikes => spikes.iter().map(|sp| context! {
            day => day(sp.day), area => format!("{} ({})", sp.area_name, sp.area),
            threat => sp.threat_type.label(cx.lang), count => sp.count,
            baseline => format!("{:.2}", sp.baseline_mean),
        }).collect::<Vec<_>>(),
        weekly => Value::from_safe_string(weekly),
        weekly_legend => weekly_legend,
    };
    // A document of its own: no menu, no language or sign-out forms, nothing to click.
    let html = cx.st.ui.render("briefing.html", view)?;
    Ok(axum::response::Html(html).into_response())
}
