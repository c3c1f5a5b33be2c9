//! Human Rights Due Diligence screening pages: `/hrddp` (the screenings the reader may see, a
//! unit's documented record looked up by name, and the form that records a screening) and
//! `/hrddp/{id}` (one screening). Only incidents the reader may see are listed or counted.

use axum::extract::Path;
use axum::response::Response;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use kinga_app::AppError;
use kinga_domain::incident::hrddp::{RiskRating, Screening, ScreeningDraft, UnitRecord};
use kinga_domain::people::Permission;

use super::{label, place_label};
use crate::ui::login::see_other;
use crate::ui::{Ctx, FormData, QueryData, UiError, UiResult, urlencode};

/// The lookup and screening form, as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ScreenForm {
    csrf: String,
    unit: String,
    actor: String,
    support: String,
    mitigation: String,
}

fn risk_label(cx: &Ctx, r: RiskRating) -> String {
    cx.t(&format!("hr_risk_{}", r.as_str())).to_string()
}

/// A unit's record as table rows.
fn record_view(cx: &Ctx, r: &UnitRecord) -> Value {
    let rows: Vec<Value> = r
        .incidents
        .iter()
        .map(|a| {
            let violations: Vec<String> = a
                .violations
                .iter()
                .map(|v| label(cx.lang, "vio", v))
                .collect();
            context! {
                id => &a.incident,
                date => a.occurred_on.to_string(),
                place => place_label(cx, &a.place),
                violations => violations.join(", "),
                state => label(cx.lang, "ivs", &a.state),
                state_id => a.state.as_str(),
                grave => a.grave,
            }
        })
        .collect();
    context! { rows => rows, verified => r.verified, allegations => r.allegations, dismissed => r.dismissed }
}

fn screening_row(cx: &Ctx, s: &Screening) -> Value {
    context! {
        id => &s.id,
        unit => &s.unit,
        actor => &s.actor,
        support => &s.support,
        risk => risk_label(cx, s.risk),
        risk_id => s.risk.as_str(),
        on => s.screened_on.to_string(),
        by => &s.screened_by,
        verified => s.record.verified,
        allegations => s.record.allegations,
    }
}

async fn render(cx: &Ctx, f: &ScreenForm, error: Option<String>) -> UiResult {
    cx.require(Permission::ReadIncidents)?;
    let caller = cx.caller();
    let list = cx.st.app.screenings(&caller).await?;
    let lookup = if f.unit.trim().is_empty() {
        None
    } else {
        let actor = Some(f.actor.trim()).filter(|a| !a.is_empty());
        let (record, _) = cx.st.app.unit_record(&caller, &f.unit, actor).await?;
        let risk = RiskRating::of(&record);
        Some(
            context! { record => record_view(cx, &record), risk => risk_label(cx, risk), risk_id => risk.as_str() },
        )
    };
    let view = context! {
        f => f,
        error => error,
        screenings => list.iter().map(|s| screening_row(cx, s)).collect::<Vec<_>>(),
        lookup => lookup,
        can_screen => cx.can(Permission::RecordIncidents),
    };
    cx.render("hrddp.html", "incidents", view)
}

/// `GET /hrddp`: the screenings, and a unit's record when `unit` is given.
pub async fn page(cx: Ctx, QueryData(f): QueryData<ScreenForm>) -> Response {
    let r = render(&cx, &f, None).await;
    cx.finish(r)
}

/// `POST /hrddp`: record a screening.
pub async fn screen(cx: Ctx, FormData(f): FormData<ScreenForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let draft = ScreeningDraft {
            unit: f.unit.clone(),
            actor: Some(f.actor.clone()),
            support: f.support.clone(),
            mitigation: f.mitigation.lines().map(String::from).collect(),
        };
        match cx.st.app.screen_unit(&cx.caller(), draft).await {
            Ok(s) => Ok(see_other(&format!("/hrddp/{}", urlencode(&s.id)))),
            Err(e @ (AppError::Domain(_) | AppError::Invalid(_))) => {
                render(&cx, &f, Some(crate::ui::alert::error_text(cx.lang, &e))).await
            }
            Err(e) => Err(UiError::from(e)),
        }
    }
    .await;
    cx.finish(r)
}

/// `GET /hrddp/{id}`: one screening (404 when the reader may not see it).
pub async fn one(cx: Ctx, Path(id): Path<String>) -> Response {
    let r = async {
        cx.require(Permission::ReadIncidents)?;
        let s = cx.st.app.screening(&cx.caller(), &id).await?;
        let compartments: Vec<String> = s
            .compartments
            .iter()
            .map(|c| label(cx.lang, "cmp", c))
            .collect();
        let view = context! {
            s => screening_row(&cx, &s),
            record => record_view(&cx, &s.record),
            mitigation => &s.mitigation,
            compartments => compartments.join(", "),
        };
        cx.render("hrddp_screening.html", "incidents", view)
    }
    .await;
    cx.finish(r)
}
