//! The planners' forms: a capacity plan with its milestones (`/transition/plan`), withdrawal
//! plans and their base closures. Each form posts, is checked for its CSRF token, calls one
//! use case (which checks the permission) and redirects back with a notice.

use axum::response::Response;
use chrono::NaiveDate;
use minijinja::context;
use serde::Deserialize;

use kinga_domain::people::Permission;
use kinga_domain::transition::{
    Capacity, CapacityPlan, ClosureInput, MilestoneInput, MilestoneKind, MilestoneStatus,
    PlanInput, WithdrawalInput,
};

use super::super::login::see_other;
use super::super::{Ctx, FormData, QueryData, UiError, UiResult, urlencode};
use super::{capacity_key, capacity_options, kind_key, place_namer, reason_words, status_key};

fn capacity(s: &str) -> UiResult<Capacity> {
    s.parse()
        .map_err(|e: kinga_domain::DomainError| UiError::invalid(e.to_string()))
}

fn date(cx: &Ctx, s: &str) -> UiResult<Option<NaiveDate>> {
    match s.trim() {
        "" => Ok(None),
        v => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| UiError::invalid(cx.t("err_date"))),
    }
}

/// One name per line, trimmed, empty lines dropped (names may hold commas).
fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

fn plan_url(place: &str, capacity: Capacity, notice: &str) -> String {
    format!(
        "/transition/plan?place={}&capacity={}&notice={notice}",
        urlencode(place),
        capacity.as_str()
    )
}

/// `?place=&capacity=` of the plan editor.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlanQuery {
    place: String,
    capacity: String,
    notice: Option<String>,
}

/// `GET /transition/plan`: the plan of one capacity in one place, its milestones, and (for
/// planners) the forms that change them.
pub async fn plan_page(cx: Ctx, QueryData(q): QueryData<PlanQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadTransition)?;
        let cap = capacity(&q.capacity)?;
        let place = q.place.trim();
        let caller = cx.caller();
        let today = cx.st.app.local_today();
        let overview = cx
            .st
            .app
            .transition_overview(&caller, Some(place), today)
            .await?;
        let status = overview
            .places
            .first()
            .and_then(|p| p.capacities.iter().find(|s| s.capacity == cap))
            .cloned();
        let plans = cx.st.app.capacity_plans(&caller).await?;
        let own: Option<&CapacityPlan> = plans.iter().find(|p| p.id == CapacityPlan::key(place, cap));
        let inherited = status
            .as_ref()
            .and_then(|s| s.plan_place.clone())
            .filter(|p| p != place)
            .and_then(|p| plans.iter().find(|x| x.id == CapacityPlan::key(&p, cap)));
        let names = place_namer(&cx);
        let show = |p: &CapacityPlan| context! {
            place => &p.place, place_name => names(&p.place),
            providers => p.providers.join("\n"), successors => p.successors.join("\n"),
            handover_on => p.handover_on.map(|d| d.to_string()).unwrap_or_default(),
            note => &p.note, version => p.version, updated => cx.time(p.updated_at),
            updated_by => &p.updated_by,
            milestones => p.milestones.iter().map(|m| context! {
                id => &m.id, kind => m.kind.as_str(), kind_label => cx.t(&kind_key(m.kind)),
                label => &m.label, owner => &m.owner, due => m.due_on.to_string(),
                status => m.status.as_str(), status_label => cx.t(&status_key(m.status)),
                late => m.late_on(today),
            }).collect::<Vec<_>>(),
        };
        let view = context! {
            place => place, place_name => names(place),
            capacity => cap.as_str(), capacity_label => cx.t(&capacity_key(cap)),
            status => status.as_ref().map(|s| context! {
                state => s.state.as_str(), state_label => cx.t(super::state_key(s.state)),
                reason => reason_words(cx.lang, &s.reason),
            }),
            today => today.to_string(),
            own => own.map(show),
            inherited => inherited.map(show),
            can_plan => cx.can(Permission::PlanTransition),
            kinds => MilestoneKind::ALL.iter().map(|k| context! { id => k.as_str(), label => cx.t(&kind_key(*k)) }).collect::<Vec<_>>(),
            statuses => MilestoneStatus::ALL.iter().map(|s| context! { id => s.as_str(), label => cx.t(&status_key(*s)) }).collect::<Vec<_>>(),
            capacities => capacity_options(&cx),
            notice => super::super::registry::notice(cx.lang, q.notice.as_deref()),
        };
        cx.render("transition_plan.html", "transition", view)
    }
    .await;
    cx.finish(r)
}

/// The plan form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    csrf: String,
    place: String,
    capacity: String,
    providers: String,
    successors: String,
    handover_on: String,
    note: String,
    version: Option<u64>,
}

/// `POST /transition/plan`: create or replace a capacity plan (its milestones kept).
pub async fn save_plan(cx: Ctx, FormData(f): FormData<PlanForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let cap = capacity(&f.capacity)?;
        let input = PlanInput {
            place: f.place.trim().to_string(),
            capacity: cap,
            providers: lines(&f.providers),
            successors: lines(&f.successors),
            handover_on: date(&cx, &f.handover_on)?,
            milestones: None,
            note: f.note,
            version: f.version,
        };
        let plan = cx.st.app.save_capacity_plan(&cx.caller(), input).await?;
        Ok(see_other(&plan_url(&plan.place, cap, "notice_plan_saved")))
    }
    .await;
    cx.finish(r)
}

/// Which plan to remove, at which version.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemovePlanForm {
    csrf: String,
    place: String,
    capacity: String,
    version: u64,
}

/// `POST /transition/plan/remove`: the place inherits its area's plan again.
pub async fn remove_plan(cx: Ctx, FormData(f): FormData<RemovePlanForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let cap = capacity(&f.capacity)?;
        let place = f.place.trim();
        cx.st
            .app
            .remove_capacity_plan(&cx.caller(), place, cap, f.version)
            .await?;
        Ok(see_other(&plan_url(place, cap, "notice_plan_removed")))
    }
    .await;
    cx.finish(r)
}

/// A milestone as typed (a new one has no id).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MilestoneForm {
    csrf: String,
    place: String,
    capacity: String,
    id: String,
    kind: String,
    label: String,
    owner: String,
    due_on: String,
    status: String,
    remove: Option<String>,
}

/// `POST /transition/milestone`: add a milestone, change one, or remove it (`remove`).
pub async fn save_milestone(cx: Ctx, FormData(f): FormData<MilestoneForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let cap = capacity(&f.capacity)?;
        let place = f.place.trim();
        if f.remove.is_some() {
            cx.st
                .app
                .remove_milestone(&cx.caller(), place, cap, f.id.trim())
                .await?;
            return Ok(see_other(&plan_url(place, cap, "notice_plan_saved")));
        }
        let kind: MilestoneKind = f
            .kind
            .parse()
            .map_err(|e: kinga_domain::DomainError| UiError::invalid(e.to_string()))?;
        let status: MilestoneStatus = if f.status.trim().is_empty() {
            MilestoneStatus::Pending
        } else {
            f.status
                .parse()
                .map_err(|e: kinga_domain::DomainError| UiError::invalid(e.to_string()))?
        };
        let due_on = date(&cx, &f.due_on)?.ok_or_else(|| UiError::invalid(cx.t("err_date")))?;
        let input = MilestoneInput {
            id: Some(f.id.trim().to_string()).filter(|s| !s.is_empty()),
            kind,
            label: f.label,
            owner: f.owner,
            due_on,
            status,
        };
        cx.st
            .app
            .save_milestone(&cx.caller(), place, cap, input)
            .await?;
        Ok(see_other(&plan_url(place, cap, "notice_plan_saved")))
    }
    .await;
    cx.finish(r)
}

/// `POST /transition/milestone/remove`: the same form with `remove` set.
pub async fn remove_milestone(cx: Ctx, FormData(mut f): FormData<MilestoneForm>) -> Response {
    f.remove = Some("1".into());
    save_milestone(cx, FormData(f)).await
}

/// A withdrawal plan as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MissionForm {
    csrf: String,
    id: String,
    mission: String,
    note: String,
    version: Option<u64>,
}

/// `POST /transition/mission`: create a withdrawal plan or rename it.
pub async fn save_mission(cx: Ctx, FormData(f): FormData<MissionForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let input = WithdrawalInput {
            id: Some(f.id.trim().to_string()).filter(|s| !s.is_empty()),
            mission: f.mission,
            note: f.note,
            version: f.version,
        };
        cx.st.app.save_withdrawal(&cx.caller(), input).await?;
        Ok(see_other(
            "/transition?notice=notice_mission_saved#withdrawals",
        ))
    }
    .await;
    cx.finish(r)
}

/// A base closure as typed: areas and capacities are repeated fields (a multiple select and
/// checkboxes).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClosureForm {
    csrf: String,
    withdrawal: String,
    id: String,
    base: String,
    place: String,
    closes_on: String,
    places: Vec<String>,
    capacities: Vec<String>,
}

/// `POST /transition/closure`: record a base closure in a withdrawal plan.
pub async fn save_closure(cx: Ctx, FormData(f): FormData<ClosureForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let closes_on =
            date(&cx, &f.closes_on)?.ok_or_else(|| UiError::invalid(cx.t("err_date")))?;
        let capacities = f
            .capacities
            .iter()
            .map(|c| capacity(c))
            .collect::<UiResult<Vec<_>>>()?;
        let input = ClosureInput {
            id: Some(f.id.trim().to_string()).filter(|s| !s.is_empty()),
            base: f.base,
            place: Some(f.place.trim().to_string()).filter(|s| !s.is_empty()),
            closes_on,
            places: f.places,
            capacities,
        };
        cx.st
            .app
            .save_closure(&cx.caller(), f.withdrawal.trim(), input)
            .await?;
        Ok(see_other(&format!(
            "/transition?date={closes_on}&notice=notice_closure_saved#withdrawals"
        )))
    }
    .await;
    cx.finish(r)
}

/// Which closure to remove.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveClosureForm {
    csrf: String,
    withdrawal: String,
    id: String,
}

/// `POST /transition/closure/remove`.
pub async fn remove_closure(cx: Ctx, FormData(f): FormData<RemoveClosureForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.st
            .app
            .remove_closure(&cx.caller(), f.withdrawal.trim(), f.id.trim())
            .await?;
        Ok(see_other(
            "/transition?notice=notice_closure_removed#withdrawals",
        ))
    }
    .await;
    cx.finish(r)
}
