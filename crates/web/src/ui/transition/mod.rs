//! Transition pages: the state of each capacity per place on a date (`/transition`), the
//! cliff of a date (`/transition/cliff`), a place's printable dossier
//! (`/transition/dossier`), and the planners' forms (`forms.rs`). Every page works without
//! JavaScript; tables fold into cards at 360 px like the others.

pub mod after_closure;
mod broadcasts;
mod community;
mod forms;
mod measures;
mod memory;
pub mod routing;

pub use broadcasts::{page as broadcasts_page, send as send_broadcast};
pub use forms::{
    plan_page, remove_closure, remove_milestone, remove_plan, save_closure, save_milestone,
    save_mission, save_plan,
};

use super::i18n::reason_words;
pub use community::{assess, community_page, record_support, save_mechanism};
pub use measures::{
    benchmarks_page, indicators_page, record_value, remove_record, save_benchmark, save_indicator,
};
pub use memory::{knowledge_page, roster_page, save_note, save_staff};

use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use minijinja::{Value, context};
use serde::Deserialize;

use kinga_app::transition::PlaceState;
use kinga_domain::people::Permission;
use kinga_domain::transition::{Capacity, CapacityStatus, MilestoneKind, MilestoneStatus, State};

use super::{Ctx, QueryData, UiError, UiResult};

/// `?date=&place=` as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DateQuery {
    date: Option<String>,
    place: Option<String>,
    notice: Option<String>,
}

/// The typed day, today when none; an odd one (year 99999) is refused.
fn day(cx: &Ctx, v: &Option<String>) -> UiResult<NaiveDate> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(cx.st.app.local_today()),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .filter(|d| (1900..=2999).contains(&d.year()))
            .ok_or_else(|| UiError::invalid(cx.t("err_date"))),
    }
}

/// Catalogue key of a capacity's name.
pub fn capacity_key(c: Capacity) -> String {
    format!("cap_{}", c.as_str())
}

fn state_key(s: State) -> &'static str {
    match s {
        State::Covered => "tr_covered",
        State::AtRisk => "tr_at_risk",
        State::Gap => "tr_gap",
    }
}

fn kind_key(k: MilestoneKind) -> String {
    format!("ms_{}", k.as_str())
}

fn status_key(s: MilestoneStatus) -> String {
    format!("mst_{}", s.as_str())
}

/// One row of a capacity × state grid.
fn status_row(cx: &Ctx, pcode: &str, s: &CapacityStatus, names: &dyn Fn(&str) -> String) -> Value {
    let inherited = s.plan_place.as_deref().filter(|p| *p != pcode);
    context! {
        id => s.capacity.as_str(),
        label => cx.t(&capacity_key(s.capacity)),
        state => s.state.as_str(),
        state_label => cx.t(state_key(s.state)),
        reason => reason_words(cx.lang, &s.reason),
        inherited => inherited.map(names),
        closure => s.closure.clone(),
    }
}

/// The grid of a place: every capacity, those nothing is known of shown as not planned.
fn place_view(cx: &Ctx, p: &PlaceState, names: &dyn Fn(&str) -> String) -> Value {
    let rows: Vec<Value> = Capacity::ALL
        .into_iter()
        .map(|c| match p.capacities.iter().find(|s| s.capacity == c) {
            Some(s) => status_row(cx, &p.pcode, s, names),
            None => context! {
                id => c.as_str(), label => cx.t(&capacity_key(c)), state => "unknown",
                state_label => cx.t("tr_unknown"), reason => "",
            },
        })
        .collect();
    let count = |st: State| p.capacities.iter().filter(|s| s.state == st).count();
    context! {
        pcode => &p.pcode, name => &p.name, context => &p.context, rows => rows,
        gaps => count(State::Gap), at_risk => count(State::AtRisk), covered => count(State::Covered),
    }
}

/// Capacity options for selects and checkboxes.
fn capacity_options(cx: &Ctx) -> Vec<Value> {
    Capacity::ALL
        .into_iter()
        .map(|c| context! { id => c.as_str(), label => cx.t(&capacity_key(c)) })
        .collect()
}

fn place_namer(cx: &Ctx) -> impl Fn(&str) -> String + use<> {
    let gaz = cx.st.app.gazetteer();
    move |p: &str| gaz.get(p).map_or_else(|| p.to_string(), |x| x.name.clone())
}

/// `GET /transition`: capacities by place on a date, withdrawal plans and the planners' forms.
pub async fn overview(cx: Ctx, QueryData(q): QueryData<DateQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadTransition)?;
        let on = day(&cx, &q.date)?;
        let area = q.place.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let caller = cx.caller();
        let o = cx.st.app.transition_overview(&caller, area, on).await?;
        let withdrawals = cx.st.app.withdrawal_plans(&caller).await?;
        let names = place_namer(&cx);
        let gaz = cx.st.app.gazetteer();
        let view = context! {
            date => on.to_string(),
            place => area.unwrap_or(""),
            areas => cx.st.ui.areas(&gaz).as_ref().clone(),
            places => o.places.iter().map(|p| place_view(&cx, p, &names)).collect::<Vec<_>>(),
            capacities => capacity_options(&cx),
            can_plan => cx.can(Permission::PlanTransition),
            withdrawals => withdrawals.iter().map(|w| context! {
                id => &w.id, mission => &w.mission, note => &w.note, version => w.version,
                closures => w.closures.iter().map(|c| context! {
                    id => &c.id, base => &c.base,
                    place => c.place.as_deref().map(&names),
                    closes_on => c.closes_on.to_string(),
                    closed => c.closes_on <= cx.st.app.local_today(),
                    places => c.places.iter().map(|p| names(p)).collect::<Vec<_>>().join(", "),
                    capacities => c.capacities.iter().map(|k| cx.t(&capacity_key(*k)).to_string()).collect::<Vec<_>>(),
                }).collect::<Vec<_>>(),
            }).collect::<Vec<_>>(),
            notice => super::registry::notice(cx.lang, q.notice.as_deref()),
        };
        cx.render("transition.html", "transition", view)
    }
    .await;
    cx.finish(r)
}

/// Alerts listed under one place of the cliff; the count says how many in all.
const CLIFF_ALERTS_SHOWN: usize = 20;

/// `GET /transition/cliff`: the places and capacities uncovered on a date, with the alerts of
/// the twelve months before it there.
pub async fn cliff(cx: Ctx, QueryData(q): QueryData<DateQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadTransition)?;
        let on = day(&cx, &q.date)?;
        let c = cx.st.app.transition_cliff(&cx.caller(), on).await?;
        let view = context! {
            date => on.to_string(),
            places => c.places.iter().map(|p| context! {
                pcode => &p.pcode, name => &p.name, alerts_12m => p.alerts_12m,
                incidents_12m => p.incidents_12m, incidents_verified_12m => p.incidents_verified_12m,
                capacities => p.capacities.iter().map(|k| context! {
                    id => k.as_str(), label => cx.t(&capacity_key(*k)),
                }).collect::<Vec<_>>(),
                alerts => p.alerts.iter().take(CLIFF_ALERTS_SHOWN).map(|a| context! {
                    id => &a.id, reference => &a.reference, day => a.reported_on.to_string(),
                    threat => a.threat_type.map(|t| t.label(cx.lang)).unwrap_or(""),
                    severity => a.severity.level(),
                    state => cx.t(super::i18n::state_key(a.state)),
                }).collect::<Vec<_>>(),
                more => p.alerts.len().saturating_sub(CLIFF_ALERTS_SHOWN),
            }).collect::<Vec<_>>(),
            incidents_visible => c.incidents_visible,
        };
        cx.render("transition_cliff.html", "transition", view)
    }
    .await;
    cx.finish(r)
}

/// `GET /transition/dossier?place=&date=`: everything about one place's transition, to print.
pub async fn dossier(cx: Ctx, QueryData(q): QueryData<DateQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadTransition)?;
        let on = day(&cx, &q.date)?;
        let place = q.place.as_deref().map(str::trim).unwrap_or_default();
        let d = cx.st.app.transition_dossier(&cx.caller(), place, on).await?;
        let more = more_sections(&cx, place, on).await?;
        let names = place_namer(&cx);
        let view = context! {
            date => on.to_string(),
            place => place_view(&cx, &d.place, &names),
            plans => d.plans.iter().map(|p| context! {
                capacity => cx.t(&capacity_key(p.capacity)),
                place => names(&p.place),
                inherited => p.place != d.place.pcode,
                providers => p.providers.join(", "),
                successors => p.successors.join(", "),
                handover_on => p.handover_on.map(|h| h.to_string()),
                note => &p.note,
                updated => cx.time(p.updated_at),
                milestones => p.milestones.iter().map(|m| context! {
                    kind => cx.t(&kind_key(m.kind)), label => &m.label, owner => &m.owner,
                    due => m.due_on.to_string(), status => cx.t(&status_key(m.status)),
                    late => m.late_on(on),
                }).collect::<Vec<_>>(),
            }).collect::<Vec<_>>(),
            closures => d.closures.iter().map(|(mission, c)| context! {
                mission => mission, base => &c.base, closes_on => c.closes_on.to_string(),
                places => c.places.iter().map(|p| names(p)).collect::<Vec<_>>().join(", "),
                capacities => c.capacities.iter().map(|k| cx.t(&capacity_key(*k)).to_string()).collect::<Vec<_>>().join(", "),
            }).collect::<Vec<_>>(),
            inside => d.inside.iter().map(|p| place_view(&cx, p, &names)).collect::<Vec<_>>(),
            alerts_12m => d.alerts_12m,
            incidents_12m => d.incidents_12m,
            incidents_verified_12m => d.incidents_verified_12m,
            after_closures => after_closure::dossier_lines(&cx, place).await?,
            by_threat => d.alerts_by_threat.iter().map(|(t, n)| context! {
                threat => t.map_or_else(|| cx.t("tr_unknown_threat").to_string(), |t| t.label(cx.lang).to_string()),
                count => n,
            }).collect::<Vec<_>>(),
            more => more,
            notice => super::registry::notice(cx.lang, q.notice.as_deref()),
        };
        cx.render("transition_dossier.html", "transition", view)
    }
    .await;
    cx.finish(r)
}

/// The dossier's sections on benchmarks, community mechanisms, staff, indicators and notes.
async fn more_sections(cx: &Ctx, place: &str, on: NaiveDate) -> UiResult<Value> {
    let caller = cx.caller();
    let s = cx.st.app.dossier_sections(&caller, place, on).await?;
    let names = place_namer(cx);
    let actors = if cx.can(Permission::ReadAlerts) {
        cx.st.app.actors(&caller).await?
    } else {
        vec![]
    };
    let actor_name = |id: &str| {
        actors
            .iter()
            .find(|a| a.id == id)
            .map_or_else(|| id.to_string(), |a| a.name.clone())
    };
    Ok(context! {
        benchmarks => s.benchmarks.iter().map(|b| measures::benchmark_view(cx, b, &names)).collect::<Vec<_>>(),
        mechanisms => s.mechanisms.iter().map(|m| community::mechanism_view(cx, m)).collect::<Vec<_>>(),
        criteria => kinga_domain::transition::Criterion::ALL.iter().map(|c| context! {
            id => c.as_str(), label => cx.t(&format!("cr_{}", c.as_str())),
        }).collect::<Vec<_>>(),
        roster => memory::summary_view(&s.roster),
        staff => s.staff.iter().map(|m| memory::staff_view(cx, m, s.roster.handover_on, &names)).collect::<Vec<_>>(),
        indicators => s.indicators.iter().map(|l| context! {
            name => l.indicator.name(cx.lang), place => &l.place_name, on => l.value.on.to_string(),
            value => format!("{} {}", measures::number(l.value.value), l.indicator.unit),
            evidence => l.value.evidence.as_ref().map(|e| measures::evidence_words(cx, e, &names)),
            source_note => &l.value.source_note, count => l.count,
        }).collect::<Vec<_>>(),
        notes => s.notes.as_ref().map(|n| n.iter().map(|n| memory::note_view(cx, n, &names, &actor_name)).collect::<Vec<_>>()),
        can_plan => cx.can(Permission::PlanTransition),
        today => cx.st.app.local_today().to_string(),
        pcode => place,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_capacity_milestone_and_status_has_both_languages() {
        for c in Capacity::ALL {
            assert!(super::super::i18n::has(&capacity_key(c)), "{c}");
        }
        for k in MilestoneKind::ALL {
            assert!(super::super::i18n::has(&kind_key(k)), "{k:?}");
        }
        for s in MilestoneStatus::ALL {
            assert!(super::super::i18n::has(&status_key(s)), "{s:?}");
        }
    }
}
