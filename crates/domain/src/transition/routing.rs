//! Alert routing that follows the plan.
//!
//! The rule, applied when an alert is routed (at intake and when its place or type changes)
//! for the alert's place `P` on the deployment's local day `d`:
//!
//! 1. For each of the two routed capacities, `early_warning` and `physical_protection`, the
//!    plan holding for `P` is found as everywhere else: `P`'s own plan for that capacity, else
//!    the nearest one above it (a place with a plan of its own is never switched by its area's
//!    plan, even when its own plan has no handover date yet).
//! 2. That plan's handover is *in force* on `d` when it has a handover date on or before `d`
//!    and no planner has reversed that handover (a reversal names the date it reversed; a plan
//!    given a new date is switched again on the new date).
//! 3. The plan's providers have *left* on `d` when its handover is in force, or when a base
//!    closure removing that capacity from `P` (or an area holding it) took effect on or before
//!    `d` (as for the state: the providers leave on the first of the two). A reversal undoes
//!    the handover, not a closure: a closed base stays closed.
//! 4. The responders the providers name lose their cover of `P` once the providers have left,
//!    unless they still provide the other routed capacity here (a base that handed early
//!    warning over but still patrols still hears of alerts). The responders the successors of
//!    a plan in force name gain cover of the plan's area (hence of `P`), with their own threat
//!    types, hours, activity and community consent: a successor communities have not
//!    consented to is still never proposed. A responder named as a successor of one plan in
//!    force is never taken out by the other.
//! 5. The alert is then routed by [`crate::routing::route`] over the responders so adjusted.
//!
//! A plan names responders by id or by name (compared folded: case, accents and punctuation
//! ignored). A name matching no responder switches nobody in or out: the page lists such
//! names so that a planner can register the successor before the date.
//!
//! Nothing is written on the handover date: the switch is computed from the plans, the
//! reversals and the day, each time an alert is routed, and the responders proposed are
//! recorded in the alert's own ledger event. A restarted server, another server on the same
//! database and `kinga verify` all see the same switch, and no job can be late or missed.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{Capacity, CapacityPlan, WithdrawalPlan};
use crate::ThreatType;
use crate::place::Gazetteer;
use crate::registry::Responder;
use crate::routing::{Routing, minute_of_day, route};
use crate::text::fold;
use crate::{Alert, AlertState};

/// The capacities whose handover moves alert routing.
pub const ROUTED: [Capacity; 2] = [Capacity::EarlyWarning, Capacity::PhysicalProtection];

/// A planner's reversal of one plan's handover, as far as routing goes: while it holds,
/// alerts keep going to the providers' responders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandoverReversal {
    /// The plan (`<P-code>:<capacity>`).
    pub plan: String,
    /// The handover date reversed; the reversal holds only while the plan keeps this date.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub handover_on: NaiveDate,
    /// True while reversed; false once a planner restored the handover.
    pub reversed: bool,
    /// Why (required).
    pub reason: String,
    /// When it was decided.
    pub at: DateTime<Utc>,
    /// Who decided (user name).
    pub by: String,
}

/// Where a plan's handover stands for routing on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SwitchState {
    /// The handover date is still to come (or there is none).
    Scheduled,
    /// Alerts go to the successors.
    InForce,
    /// A planner reversed it: alerts go to the providers.
    Reversed,
}

impl SwitchState {
    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            SwitchState::Scheduled => "scheduled",
            SwitchState::InForce => "in_force",
            SwitchState::Reversed => "reversed",
        }
    }
}

/// A name a plan lists and the responders it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Named {
    /// As the plan lists it.
    pub name: String,
    /// Ids of the responders it names (none: not in the registry).
    pub responders: Vec<String>,
}

/// One routed plan and its effect on routing on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanSwitch {
    /// Plan id.
    pub plan: String,
    /// Its area.
    pub place: String,
    /// Its capacity.
    pub capacity: Capacity,
    /// Its handover date.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub handover_on: Option<NaiveDate>,
    /// Where it stands.
    pub state: SwitchState,
    /// Providers and their responders.
    pub providers: Vec<Named>,
    /// Successors and their responders.
    pub successors: Vec<Named>,
    /// The reversal holding, if any.
    pub reversal: Option<HandoverReversal>,
}

/// What the plans change for the routing of one alert.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Switch {
    /// Responders taken out (ids).
    pub out: Vec<String>,
    /// Responders added, with the area they cover the place through.
    pub into: Vec<(String, String)>,
    /// The plans in force that made the change.
    pub plans: Vec<String>,
}

impl Switch {
    /// True when routing is as the registry says.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty() && self.into.is_empty()
    }
}

/// True when a plan's `name` names responder `r`: its id, or its name folded.
pub fn names(name: &str, r: &Responder) -> bool {
    let n = name.trim();
    !n.is_empty() && (n == r.id || fold(n) == fold(&r.name))
}

/// A plan's name of a responder, trimmed and folded once when the rules are built, so
/// routing an alert does not fold every plan's names against every responder's again.
#[derive(Debug, Clone)]
struct PlanName {
    trimmed: String,
    folded: String,
}

impl PlanName {
    fn of(name: &str) -> PlanName {
        let trimmed = name.trim().to_string();
        PlanName {
            folded: fold(&trimmed),
            trimmed,
        }
    }

    /// [`names`], with the responder's name already folded.
    fn names(&self, r: &Responder, r_folded: &str) -> bool {
        !self.trimmed.is_empty() && (self.trimmed == r.id || self.folded == r_folded)
    }
}

/// The providers and successors of the plan of the same index.
#[derive(Debug, Clone, Default)]
struct PlanNames {
    providers: Vec<PlanName>,
    successors: Vec<PlanName>,
}

/// A closure's part in routing: from `closes_on`, the mission no longer provides
/// `capacities` in the areas `places`.
#[derive(Debug, Clone)]
struct Closing {
    closes_on: NaiveDate,
    places: Vec<String>,
    capacities: Vec<Capacity>,
}

/// The routed plans, the base closures and the reversals, indexed for routing.
#[derive(Debug, Clone, Default)]
pub struct HandoverRules {
    plans: Vec<CapacityPlan>,
    /// `plans`' names, index for index.
    names: Vec<PlanNames>,
    /// The plan of each place and capacity (the last given, when two share both), by place
    /// so that a look-up borrows the P-code instead of copying it.
    by_place: HashMap<String, Vec<(Capacity, usize)>>,
    closures: Vec<Closing>,
    reversals: HashMap<String, HandoverReversal>,
}

impl HandoverRules {
    /// Keep the plans of the routed capacities (all of them, dated or not: an undated plan
    /// of a place still keeps its area's handover out of it), the closures removing a routed
    /// capacity, and the reversals.
    pub fn new(
        plans: Vec<CapacityPlan>,
        withdrawals: &[WithdrawalPlan],
        reversals: Vec<HandoverReversal>,
    ) -> HandoverRules {
        let plans: Vec<CapacityPlan> = plans
            .into_iter()
            .filter(|p| ROUTED.contains(&p.capacity))
            .collect();
        let mut by_place: HashMap<String, Vec<(Capacity, usize)>> = HashMap::new();
        for (i, p) in plans.iter().enumerate() {
            let here = by_place.entry(p.place.clone()).or_default();
            match here.iter_mut().find(|(c, _)| *c == p.capacity) {
                Some(slot) => slot.1 = i,
                None => here.push((p.capacity, i)),
            }
        }
        let names = plans
            .iter()
            .map(|p| PlanNames {
                providers: p.providers.iter().map(|n| PlanName::of(n)).collect(),
                successors: p.successors.iter().map(|n| PlanName::of(n)).collect(),
            })
            .collect();
        let mut closures: Vec<Closing> = withdrawals
            .iter()
            .flat_map(|w| &w.closures)
            .filter(|c| c.capacities.iter().any(|k| ROUTED.contains(k)))
            .map(|c| Closing {
                closes_on: c.closes_on,
                places: c.places.clone(),
                capacities: c.capacities.clone(),
            })
            .collect();
        closures.sort_by_key(|c| c.closes_on);
        let reversals = reversals.into_iter().map(|r| (r.plan.clone(), r)).collect();
        HandoverRules {
            plans,
            names,
            by_place,
            closures,
            reversals,
        }
    }

    /// True when no plan can switch anything.
    pub fn is_empty(&self) -> bool {
        self.plans.iter().all(|p| {
            p.handover_on.is_none() && (p.providers.is_empty() || self.closures.is_empty())
        })
    }

    /// The reversal holding for a plan: reversed, and for the date the plan still has.
    pub fn reversal_of(&self, plan: &CapacityPlan) -> Option<&HandoverReversal> {
        self.reversals
            .get(&plan.id)
            .filter(|r| r.reversed && Some(r.handover_on) == plan.handover_on)
    }

    /// Where a plan's handover stands on `on`.
    pub fn state(&self, plan: &CapacityPlan, on: NaiveDate) -> SwitchState {
        match plan.handover_on {
            Some(h) if h <= on => {
                if self.reversal_of(plan).is_some() {
                    SwitchState::Reversed
                } else {
                    SwitchState::InForce
                }
            }
            _ => SwitchState::Scheduled,
        }
    }

    /// The routed plan with this id.
    pub fn plan(&self, id: &str) -> Option<&CapacityPlan> {
        self.plans.iter().find(|p| p.id == id)
    }

    /// The first day without the mission's `capacity` at a place of `lineage`, if a closure
    /// removes it.
    fn closed_on(&self, lineage: &[&str], capacity: Capacity) -> Option<NaiveDate> {
        self.closures
            .iter()
            .find(|c| {
                c.capacities.contains(&capacity)
                    && c.places.iter().any(|a| lineage.contains(&a.as_str()))
            })
            .map(|c| c.closes_on)
    }

    /// What the plans change for an alert at `place` on `on`.
    pub fn switch(
        &self,
        gaz: &Gazetteer,
        place: &str,
        on: NaiveDate,
        responders: &[Responder],
    ) -> Switch {
        let found = gaz.lineage(place);
        let lineage: Vec<&str> = if found.is_empty() {
            vec![place]
        } else {
            found.iter().map(|p| p.pcode.as_str()).collect()
        };
        let mut s = Switch::default();
        // Responders still providing a routed capacity here: never taken out.
        let mut staying: Vec<&str> = Vec::new();
        // The responders' names folded once, and only where a plan is found.
        let mut folded: Option<Vec<String>> = None;
        for c in ROUTED {
            let Some(i) = lineage.iter().find_map(|p| {
                self.by_place
                    .get(*p)?
                    .iter()
                    .find(|(k, _)| *k == c)
                    .map(|(_, i)| *i)
            }) else {
                continue;
            };
            let (plan, named) = (&self.plans[i], &self.names[i]);
            let handed_over = self.state(plan, on) == SwitchState::InForce;
            let closed = self.closed_on(&lineage, c).is_some_and(|d| d <= on);
            if handed_over || closed {
                s.plans.push(plan.id.clone());
            }
            let folded =
                folded.get_or_insert_with(|| responders.iter().map(|r| fold(&r.name)).collect());
            for (r, r_folded) in responders.iter().zip(folded.iter()) {
                if named.providers.iter().any(|n| n.names(r, r_folded)) {
                    if handed_over || closed {
                        if !s.out.contains(&r.id) {
                            s.out.push(r.id.clone());
                        }
                    } else {
                        staying.push(&r.id);
                    }
                }
                if handed_over
                    && named.successors.iter().any(|n| n.names(r, r_folded))
                    && !s.into.iter().any(|(id, _)| id == &r.id)
                {
                    s.into.push((r.id.clone(), plan.place.clone()));
                }
            }
        }
        let into = &s.into;
        s.out
            .retain(|id| !into.iter().any(|(i, _)| i == id) && !staying.contains(&id.as_str()));
        s
    }

    /// The responders as routing sees them for an alert at `place` on `on`: the registry,
    /// less the providers of the handovers in force, with the successors covering the plans'
    /// areas. Borrowed unchanged when nothing is switched.
    pub fn responders_for<'r>(
        &self,
        gaz: &Gazetteer,
        place: Option<&str>,
        on: NaiveDate,
        responders: &'r [Responder],
    ) -> Cow<'r, [Responder]> {
        let Some(place) = place.map(str::trim).filter(|p| !p.is_empty()) else {
            return Cow::Borrowed(responders);
        };
        if self.is_empty() {
            return Cow::Borrowed(responders);
        }
        let s = self.switch(gaz, place, on, responders);
        if s.is_empty() {
            return Cow::Borrowed(responders);
        }
        Cow::Owned(
            responders
                .iter()
                .filter(|r| !s.out.contains(&r.id))
                .map(|r| {
                    let mut r = r.clone();
                    for (id, area) in &s.into {
                        if id == &r.id && !r.places.contains(area) {
                            r.places.push(area.clone());
                        }
                    }
                    r
                })
                .collect(),
        )
    }

    /// Route an alert as the plan says on `on` (see the module's rule).
    pub fn route(
        &self,
        place: Option<&str>,
        threat: Option<ThreatType>,
        minute: u16,
        on: NaiveDate,
        responders: &[Responder],
        gaz: &Gazetteer,
    ) -> Routing {
        let adjusted = self.responders_for(gaz, place, on, responders);
        route(place, threat, minute, &adjusted, gaz)
    }

    /// Every routed plan with a handover date, and where it stands on `on`, by place then
    /// capacity.
    pub fn switches(&self, on: NaiveDate, responders: &[Responder]) -> Vec<PlanSwitch> {
        let named = |list: &[String]| -> Vec<Named> {
            list.iter()
                .map(|n| Named {
                    name: n.clone(),
                    responders: responders
                        .iter()
                        .filter(|r| names(n, r))
                        .map(|r| r.id.clone())
                        .collect(),
                })
                .collect()
        };
        let mut out: Vec<PlanSwitch> = self
            .plans
            .iter()
            .filter(|p| p.handover_on.is_some())
            .map(|p| PlanSwitch {
                plan: p.id.clone(),
                place: p.place.clone(),
                capacity: p.capacity,
                handover_on: p.handover_on,
                state: self.state(p, on),
                providers: named(&p.providers),
                successors: named(&p.successors),
                reversal: self.reversal_of(p).cloned(),
            })
            .collect();
        out.sort_by(|a, b| (&a.place, a.capacity).cmp(&(&b.place, b.capacity)));
        out
    }
}

/// How an alert's routing would change under the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Change {
    /// The same responders.
    Same,
    /// Other responders.
    Rerouted,
    /// Routed to someone then, to nobody under the plan.
    Uncovered,
    /// Routed to nobody then, to someone under the plan.
    Covered,
}

impl Change {
    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Same => "same",
            Change::Rerouted => "rerouted",
            Change::Uncovered => "uncovered",
            Change::Covered => "covered",
        }
    }
}

/// One past alert: who it was routed to, and who it would be routed to under the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Simulated {
    /// Alert id.
    pub alert: String,
    /// Reference (`K-1042`).
    pub reference: String,
    /// Received.
    pub received_at: DateTime<Utc>,
    /// P-code.
    pub place: String,
    /// Threat type.
    pub threat_type: Option<ThreatType>,
    /// Responders proposed when it came in (or when last triaged), best first.
    pub routed_to: Vec<String>,
    /// Responders it was assigned to.
    pub assigned: Vec<String>,
    /// Responders the plan's coverage on the simulated day would propose, best first.
    pub would_route_to: Vec<String>,
    /// What changes.
    pub change: Change,
}

/// The routing of past alerts under the coverage of `on`: each alert is routed at the minute
/// of the day it was received (responders' hours are local, in `zone`) with the handovers in
/// force on `on`. Alerts without a place, and merged ones, are left out.
pub fn simulate(
    rules: &HandoverRules,
    alerts: &[Alert],
    responders: &[Responder],
    gaz: &Gazetteer,
    on: NaiveDate,
    zone: Tz,
) -> Vec<Simulated> {
    alerts
        .iter()
        .filter(|a| a.state != AlertState::Merged)
        .filter_map(|a| {
            let place = a.place.as_deref()?;
            let minute = minute_of_day(a.received_at, zone);
            let r = rules.route(Some(place), a.threat_type, minute, on, responders, gaz);
            let change = match (a.proposed_responders.is_empty(), r.proposed.is_empty()) {
                (false, true) => Change::Uncovered,
                (true, false) => Change::Covered,
                _ if same_set(&a.proposed_responders, &r.proposed) => Change::Same,
                _ => Change::Rerouted,
            };
            Some(Simulated {
                alert: a.id.clone(),
                reference: a.reference.clone(),
                received_at: a.received_at,
                place: place.to_string(),
                threat_type: a.threat_type,
                routed_to: a.proposed_responders.clone(),
                assigned: a.assigned.clone(),
                would_route_to: r.proposed,
                change,
            })
        })
        .collect()
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

#[cfg(test)]
#[path = "routing_tests.rs"]
mod tests;
