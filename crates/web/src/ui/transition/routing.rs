//! `/transition/routing`: the handovers of early warning and physical protection that alert
//! routing follows, where each stands on a date, the planners' reversal and restoration, and
//! the simulation of past alerts under the coverage of a date.

use axum::response::Response;
use chrono::{Days, NaiveDate};
use minijinja::{Value, context};
use serde::Deserialize;

use kinga_domain::people::Permission;
use kinga_domain::transition::routing::{Change, Named, SwitchState};

use super::super::login::see_other;
use super::super::{Ctx, FormData, QueryData, UiError, UiResult, urlencode};
use super::{capacity_key, day, place_namer};

/// `?date=&place=&from=&to=` as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoutingQuery {
    date: Option<String>,
    place: Option<String>,
    from: Option<String>,
    to: Option<String>,
    notice: Option<String>,
}

/// Alerts listed by the simulation; the counts cover all of them.
const SIMULATED_SHOWN: usize = 100;

fn switch_key(s: SwitchState) -> &'static str {
    match s {
        SwitchState::Scheduled => "rt_scheduled",
        SwitchState::InForce => "rt_in_force",
        SwitchState::Reversed => "rt_reversed",
    }
}

fn change_key(c: Change) -> &'static str {
    match c {
        Change::Same => "rt_same",
        Change::Rerouted => "rt_rerouted",
        Change::Uncovered => "rt_uncovered",
        Change::Covered => "rt_covered",
    }
}

fn names_view(list: &[Named], who: &dyn Fn(&str) -> String) -> Vec<Value> {
    list.iter()
        .map(|n| {
            context! {
                name => &n.name,
                responders => n.responders.iter().map(|r| who(r)).collect::<Vec<_>>(),
            }
        })
        .collect()
}

fn optional_day(cx: &Ctx, v: &Option<String>) -> UiResult<Option<NaiveDate>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(_) => day(cx, v).map(Some),
    }
}

/// `GET /transition/routing`.
pub async fn page(cx: Ctx, QueryData(q): QueryData<RoutingQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadTransition)?;
        let on = day(&cx, &q.date)?;
        let caller = cx.caller();
        let plans = cx.st.app.routing_plans(&caller, on).await?;
        let names = place_namer(&cx);
        let who = |id: &str| {
            plans
                .responders
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.to_string())
        };
        let place = q.place.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let to = optional_day(&cx, &q.to)?.unwrap_or_else(|| cx.st.app.local_today());
        let from = optional_day(&cx, &q.from)?
            .unwrap_or_else(|| to.checked_sub_days(Days::new(90)).unwrap_or(to));
        let simulation = if cx.can(Permission::ReadAlerts) {
            let s = cx
                .st
                .app
                .simulate_routing(&caller, on, place, from, to)
                .await?;
            let sim_who = |id: &String| {
                s.responders
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| id.to_string())
            };
            let zone = cx.st.app.settings.zone();
            Some(context! {
                total => s.total, rerouted => s.rerouted, uncovered => s.uncovered,
                covered => s.covered,
                more => s.alerts.iter().filter(|a| a.change != Change::Same).count().saturating_sub(SIMULATED_SHOWN),
                alerts => s.alerts.iter().filter(|a| a.change != Change::Same).take(SIMULATED_SHOWN).map(|a| context! {
                    id => &a.alert, reference => &a.reference,
                    day => a.received_at.with_timezone(&zone).date_naive().to_string(),
                    place => names(&a.place),
                    threat => a.threat_type.map(|t| t.label(cx.lang)).unwrap_or(""),
                    routed_to => a.routed_to.iter().map(sim_who).collect::<Vec<_>>().join(", "),
                    would_route_to => a.would_route_to.iter().map(sim_who).collect::<Vec<_>>().join(", "),
                    change => a.change.as_str(),
                    change_label => cx.t(change_key(a.change)),
                }).collect::<Vec<_>>(),
            })
        } else {
            None
        };
        let gaz = cx.st.app.gazetteer();
        let view = context! {
            date => on.to_string(),
            place => place.unwrap_or(""),
            from => from.to_string(),
            to => to.to_string(),
            areas => cx.st.ui.areas(&gaz).as_ref().clone(),
            can_plan => cx.can(Permission::PlanTransition),
            plans => plans.plans.iter().map(|p| context! {
                id => &p.plan, pcode => &p.place, place => names(&p.place),
                capacity => p.capacity.as_str(), capacity_label => cx.t(&capacity_key(p.capacity)),
                handover_on => p.handover_on.map(|h| h.to_string()),
                state => p.state.as_str(),
                state_label => cx.t(switch_key(p.state)),
                providers => names_view(&p.providers, &who),
                successors => names_view(&p.successors, &who),
                reversal => p.reversal.as_ref().map(|r| context! {
                    reason => &r.reason, by => &r.by, at => cx.time(r.at),
                }),
            }).collect::<Vec<_>>(),
            simulation => simulation,
            notice => super::super::registry::notice(cx.lang, q.notice.as_deref()),
        };
        cx.render("transition_routing.html", "transition", view)
    }
    .await;
    cx.finish(r)
}

/// A planner's decision on a handover.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    csrf: String,
    place: String,
    capacity: String,
    /// `reverse` or `restore`.
    action: String,
    reason: String,
    date: String,
}

/// `POST /transition/routing/decide`: reverse or restore a handover, with the reason.
pub async fn decide(cx: Ctx, FormData(f): FormData<DecisionForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let cap = f
            .capacity
            .parse()
            .map_err(|e: kinga_domain::DomainError| UiError::invalid(e.to_string()))?;
        let caller = cx.caller();
        let notice = match f.action.as_str() {
            "reverse" => {
                cx.st
                    .app
                    .reverse_handover(&caller, &f.place, cap, &f.reason)
                    .await?;
                "notice_handover_reversed"
            }
            "restore" => {
                cx.st
                    .app
                    .restore_handover(&caller, &f.place, cap, &f.reason)
                    .await?;
                "notice_handover_restored"
            }
            _ => return Err(UiError::invalid(cx.t("err_invalid"))),
        };
        Ok(see_other(&format!(
            "/transition/routing?date={}&notice={notice}",
            urlencode(f.date.trim())
        )))
    }
    .await;
    cx.finish(r)
}
