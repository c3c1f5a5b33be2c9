//! `/transition/closures`: for every closed base, what changed in its areas — alerts,
//! incidents (the reader's compartments only) and response times before and after.

use axum::response::Response;
use minijinja::{Value, context};
use serde::Deserialize;

use kinga_domain::analysis::indicators::StepFigures;
use kinga_domain::people::Permission;
use kinga_domain::transition::after_closure::WindowFigures;

use super::super::{Ctx, QueryData, UiError};
use super::place_namer;

/// `?days=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClosuresQuery {
    days: Option<String>,
}

fn minutes(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |m| format!("{m:.0}"))
}

fn share(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |s| format!("{:.0} %", s * 100.0))
}

fn step(s: &StepFigures) -> Value {
    context! {
        median => minutes(s.median_minutes), p90 => minutes(s.p90_minutes),
        share => share(s.share_met), missed => s.missed,
    }
}

fn window(w: &WindowFigures) -> Value {
    context! {
        from => w.span.from.to_string(),
        to => w.span.until.pred_opt().unwrap_or(w.span.until).to_string(),
        alerts => w.alerts, uncovered => w.uncovered,
        incidents => w.incidents, verified => w.incidents_verified,
        acknowledge => step(&w.acknowledge), respond => step(&w.respond),
    }
}

/// `GET /transition/closures`.
pub async fn page(cx: Ctx, QueryData(q): QueryData<ClosuresQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadTransition)?;
        let days = match q.days.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                s.parse::<u32>()
                    .map_err(|_| UiError::invalid(cx.t("err_invalid")))?,
            ),
        };
        let all = cx.st.app.after_closures(&cx.caller(), days).await?;
        let names = place_namer(&cx);
        let view = context! {
            days => days.unwrap_or(kinga_domain::transition::after_closure::DEFAULT_DAYS),
            closures => all.iter().map(|w| context! {
                id => &w.closure.id, base => &w.closure.base, mission => &w.mission,
                closes_on => w.closure.closes_on.to_string(), days => w.days,
                places => w.closure.places.iter().map(|p| names(p)).collect::<Vec<_>>().join(", "),
                incidents_visible => w.incidents_visible,
                before => window(&w.before), after => window(&w.after),
            }).collect::<Vec<_>>(),
        };
        cx.render("transition_closures.html", "transition", view)
    }
    .await;
    cx.finish(r)
}

/// One line per closed base whose areas hold `pcode` or lie inside it, for the dossier.
pub async fn dossier_lines(cx: &Ctx, pcode: &str) -> Result<Vec<String>, UiError> {
    let gaz = cx.st.app.gazetteer();
    let all = cx.st.app.after_closures(&cx.caller(), None).await?;
    Ok(all
        .iter()
        .filter(|w| {
            w.closure
                .places
                .iter()
                .any(|a| a == pcode || gaz.is_within(pcode, a) || gaz.is_within(a, pcode))
        })
        .map(|w| {
            let (b, a) = (&w.before, &w.after);
            let mut line = format!(
                "{} — {} ({}, ±{} d): {} {} → {}",
                w.mission,
                w.closure.base,
                w.closure.closes_on,
                w.days,
                cx.t("ac_alerts"),
                b.alerts,
                a.alerts
            );
            if w.incidents_visible {
                line.push_str(&format!(
                    " · {} {} → {}",
                    cx.t("ac_incidents"),
                    b.incidents,
                    a.incidents
                ));
            }
            line.push_str(&format!(
                " · {} {} → {} min, {} → {} · {} {} → {} min, {} → {}",
                cx.t("ac_ack"),
                minutes(b.acknowledge.median_minutes),
                minutes(a.acknowledge.median_minutes),
                share(b.acknowledge.share_met),
                share(a.acknowledge.share_met),
                cx.t("ac_respond"),
                minutes(b.respond.median_minutes),
                minutes(a.respond.median_minutes),
                share(b.respond.share_met),
                share(a.respond.share_met),
            ));
            line
        })
        .collect())
}
