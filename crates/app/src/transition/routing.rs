//! Alert routing that follows the plan (the rule is in
//! `kinga_domain::transition::routing`): routing of every alert through the plans in force on
//! its local day, the planners' reversal and restoration of a handover (one ledger event each,
//! with the reason), the list of routed handovers, and the simulation of past alerts under the
//! coverage of a day.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;

use kinga_domain::ThreatType;
use kinga_domain::people::Permission;
use kinga_domain::place::Gazetteer;
use kinga_domain::routing::{Routing, minute_of_day};
use kinga_domain::transition::routing::{Change, PlanSwitch, ROUTED, Simulated, simulate};
use kinga_domain::transition::{Capacity, CapacityPlan, HandoverReversal};
use kinga_ledger::Payload;
use kinga_store::{Commit, Write};

use crate::{App, AppError, AppResult, Caller, limits};

/// The routed handovers on a day.
#[derive(Debug, Clone, Serialize)]
pub struct RoutingPlans {
    /// The day.
    pub date: NaiveDate,
    /// Each routed plan with a handover date, by place then capacity.
    pub plans: Vec<PlanSwitch>,
    /// Responders' names, by id (for the ids the plans name).
    pub responders: BTreeMap<String, String>,
}

/// Past alerts routed again under the coverage of a day.
#[derive(Debug, Clone, Serialize)]
pub struct Simulation {
    /// The day whose coverage is simulated.
    pub date: NaiveDate,
    /// The area (P-code), if one was chosen.
    pub place: Option<String>,
    /// First day of the alerts (local).
    pub from: NaiveDate,
    /// Last day of the alerts (local, included).
    pub to: NaiveDate,
    /// Alerts simulated (placed, not merged).
    pub total: usize,
    /// Of them, routed to other responders.
    pub rerouted: usize,
    /// Of them, routed to someone then and to nobody under the plan.
    pub uncovered: usize,
    /// Of them, routed to nobody then and to someone under the plan.
    pub covered: usize,
    /// Each alert, newest first.
    pub alerts: Vec<Simulated>,
    /// Responders' names, by id (for every id listed).
    pub responders: BTreeMap<String, String>,
}

/// Most days a simulation may span: a year and a bit, as the cliff looks back.
const MAX_SPAN_DAYS: i64 = 400;

impl App {
    /// Route an alert at `place` of type `threat` at `at`: the registry's cover, switched by
    /// the handovers in force on the deployment's local day of `at`.
    pub(crate) fn route_alert(
        &self,
        gaz: &Gazetteer,
        place: Option<&str>,
        threat: Option<ThreatType>,
        at: DateTime<Utc>,
    ) -> Routing {
        let zone = self.settings.zone();
        self.caches.handovers().route(
            place,
            threat,
            minute_of_day(at, zone),
            at.with_timezone(&zone).date_naive(),
            &self.caches.responders(),
            gaz,
        )
    }

    fn responder_names<'a>(
        &self,
        ids: impl Iterator<Item = &'a String>,
    ) -> BTreeMap<String, String> {
        let all = self.caches.responders();
        ids.filter_map(|id| {
            all.iter()
                .find(|r| &r.id == id)
                .map(|r| (id.clone(), r.name.clone()))
        })
        .collect()
    }

    /// The routed handovers (early warning, physical protection) and where each stands on
    /// `on`.
    pub async fn routing_plans(&self, caller: &Caller, on: NaiveDate) -> AppResult<RoutingPlans> {
        caller.require(Permission::ReadTransition)?;
        let rules = self.caches.handovers();
        let plans = rules.switches(on, &self.caches.responders());
        let ids: Vec<&String> = plans
            .iter()
            .flat_map(|p| p.providers.iter().chain(&p.successors))
            .flat_map(|n| &n.responders)
            .collect();
        Ok(RoutingPlans {
            date: on,
            responders: self.responder_names(ids.into_iter()),
            plans,
        })
    }

    /// Reverse the handover of a routed plan: alerts in its area go back to the providers'
    /// responders until the handover is restored or the plan gets another date.
    pub async fn reverse_handover(
        &self,
        caller: &Caller,
        place: &str,
        capacity: Capacity,
        reason: &str,
    ) -> AppResult<HandoverReversal> {
        self.decide_handover(caller, place, capacity, reason, true)
            .await
    }

    /// Restore a reversed handover: alerts in its area go to the successors again from the
    /// handover date.
    pub async fn restore_handover(
        &self,
        caller: &Caller,
        place: &str,
        capacity: Capacity,
        reason: &str,
    ) -> AppResult<HandoverReversal> {
        self.decide_handover(caller, place, capacity, reason, false)
            .await
    }

    async fn decide_handover(
        &self,
        caller: &Caller,
        place: &str,
        capacity: Capacity,
        reason: &str,
        reversed: bool,
    ) -> AppResult<HandoverReversal> {
        caller.require(Permission::PlanTransition)?;
        let place = place.trim();
        limits::check("place", place, limits::ID)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(kinga_domain::DomainError::Missing("reason").into());
        }
        limits::check("reason", reason, limits::REASON)?;
        if !ROUTED.contains(&capacity) {
            return Err(AppError::Invalid(format!(
                "only the handovers of early_warning and physical_protection move routing, not {capacity}"
            )));
        }
        let id = CapacityPlan::key(place, capacity);
        let plan = self
            .store
            .capacity_plan(&id)
            .await?
            .ok_or_else(|| AppError::NotFound("capacity plan".into()))?;
        let Some(handover_on) = plan.handover_on else {
            return Err(AppError::Invalid(format!(
                "the plan {id} has no handover date: there is nothing to reverse"
            )));
        };
        let rules = self.caches.handovers();
        let holding = rules.plan(&id).and_then(|p| rules.reversal_of(p)).is_some()
            || self
                .store
                .handover_reversals()
                .await?
                .iter()
                .any(|r| r.plan == id && r.reversed && r.handover_on == handover_on);
        if holding == reversed {
            return Err(AppError::Invalid(if reversed {
                format!("the handover of {id} on {handover_on} is already reversed")
            } else {
                format!("the handover of {id} on {handover_on} is not reversed")
            }));
        }
        let reversal = HandoverReversal {
            plan: id,
            handover_on,
            reversed,
            reason: reason.to_string(),
            at: self.now(),
            by: caller.name.clone(),
        };
        self.commit(Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::HandoverReversalSaved {
                    reversal: reversal.clone(),
                },
            )],
            writes: vec![Write::HandoverReversal(reversal.clone())],
        })
        .await?;
        self.caches.reload_handovers(self.store.as_ref()).await?;
        Ok(reversal)
    }

    /// Past alerts received from `from` to `to` (local days, both included) in `area` (the
    /// place and every place inside it; everywhere when none), routed again with the
    /// handovers in force on `on`, beside the responders they were proposed then.
    pub async fn simulate_routing(
        &self,
        caller: &Caller,
        on: NaiveDate,
        area: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Simulation> {
        caller.require(Permission::ReadTransition)?;
        caller.require(Permission::ReadAlerts)?;
        let gaz = self.gazetteer();
        let area = area.map(str::trim).filter(|a| !a.is_empty());
        if let Some(a) = area {
            limits::check("place", a, limits::ID)?;
            if gaz.get(a).is_none() {
                return Err(AppError::NotFound(format!("place {a}")));
            }
        }
        if to < from {
            return Err(AppError::Invalid("the period ends before it starts".into()));
        }
        if (to - from).num_days() > MAX_SPAN_DAYS {
            return Err(AppError::Invalid(format!(
                "a simulation spans at most {MAX_SPAN_DAYS} days"
            )));
        }
        let end = to
            .checked_add_days(Days::new(1))
            .ok_or_else(|| AppError::Invalid(format!("no day after {to}")))?;
        let mut alerts = self
            .store
            .alerts_reported_between(self.local_midnight(from)?, self.local_midnight(end)?)
            .await?;
        if let Some(a) = area {
            alerts.retain(|x| x.place.as_deref().is_some_and(|p| gaz.is_within(p, a)));
        }
        alerts.sort_by_key(|a| std::cmp::Reverse(a.received_at));
        let rules = self.caches.handovers();
        let responders = self.caches.responders();
        let list = simulate(&rules, &alerts, &responders, &gaz, on, self.settings.zone());
        let count = |c: Change| list.iter().filter(|s| s.change == c).count();
        let ids: Vec<&String> = list
            .iter()
            .flat_map(|s| {
                s.routed_to
                    .iter()
                    .chain(&s.would_route_to)
                    .chain(&s.assigned)
            })
            .collect();
        Ok(Simulation {
            date: on,
            place: area.map(str::to_string),
            from,
            to,
            total: list.len(),
            rerouted: count(Change::Rerouted),
            uncovered: count(Change::Uncovered),
            covered: count(Change::Covered),
            responders: self.responder_names(ids.into_iter()),
            alerts: list,
        })
    }
}
