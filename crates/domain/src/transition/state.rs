//! The state of a capacity in a place on a date, with the reason a planner can act on.
//!
//! The plan that holds for a place is its own for that capacity, else the nearest one above
//! it. The current providers leave on the *departure day*: the plan's handover date, or the
//! first closure of a base removing the capacity from the place (or an area holding it),
//! whichever comes first. Where no plan exists but a closure removes the capacity, the mission
//! (its base) is the provider until the closure. On a day `d`:
//!
//! 1. successors named with a handover date on or before `d`: **covered** ("handed over"),
//!    but **at risk** while any milestone due before `d` is not done;
//! 2. else providers still there on `d`:
//!    - no departure day known: **covered**;
//!    - departure known and no successor (or no handover date): **at risk**, "no successor
//!      after <last day>";
//!    - successors arriving after the providers leave: **at risk**, the days between;
//!    - milestones due before `d` not done (or blocked): **at risk**, "successor named but
//!      n of m milestones late";
//!    - otherwise **covered**, providers then successors;
//! 3. else **gap**: successors named but not there yet ("successor takes over only on …"),
//!    or "no successor after <last day>", or nobody named at all.
//!
//! A place and capacity with neither a plan nor a closure has no state: nothing is known of
//! it, and the cliff does not count it.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{BaseClosure, Capacity, CapacityPlan, WithdrawalPlan};
use crate::place::Gazetteer;

/// Covered, at risk or gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum State {
    /// Someone provides it, and the handover (if any) is on track.
    Covered,
    /// Provided today, but the handover is not on track.
    AtRisk,
    /// Nobody provides it.
    Gap,
}

impl State {
    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Covered => "covered",
            State::AtRisk => "at_risk",
            State::Gap => "gap",
        }
    }
}

/// Why a capacity is in its state: structured, each variant reads as one sentence (the
/// wordings, in each language, are the web catalogue's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Reason {
    /// Provided, no departure known.
    Provided {
        /// Providers.
        providers: Vec<String>,
    },
    /// Provided now; successors take over on the handover date with everything on track.
    SuccessorReady {
        /// Providers.
        providers: Vec<String>,
        /// Successors.
        successors: Vec<String>,
        /// Handover date.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        handover_on: NaiveDate,
    },
    /// Handed over; the successors provide it.
    HandedOver {
        /// Successors.
        successors: Vec<String>,
        /// Handover date.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        since: NaiveDate,
    },
    /// Successors named, but milestones due before the day are not done.
    MilestonesLate {
        /// Milestones due before the day and not done (blocked ones included).
        late: usize,
        /// Of them, blocked.
        blocked: usize,
        /// All milestones of the plan.
        total: usize,
    },
    /// The providers leave and nobody is named (or nobody has a handover date).
    NoSuccessor {
        /// The providers' last day.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        last_day: NaiveDate,
        /// Successors named without a handover date.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        undated: Vec<String>,
    },
    /// The successors arrive after the providers leave.
    SuccessorLate {
        /// The providers' last day (none when nobody provides it now).
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
        last_day: Option<NaiveDate>,
        /// Successors.
        successors: Vec<String>,
        /// Handover date.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        handover_on: NaiveDate,
    },
    /// Nobody provides it and nobody is named.
    NoProvider,
    /// A planner reversed the handover: the successors do not take over, the providers stay
    /// until a closure (if any) removes them.
    HandoverReversed {
        /// The providers who stay (none when nobody provided it before the handover).
        providers: Vec<String>,
        /// The successors who no longer take over.
        successors: Vec<String>,
        /// The handover date reversed.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        handover_on: NaiveDate,
        /// The providers' last day, when a closure removes them.
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_day: Option<NaiveDate>,
    },
}

/// The day before (the same day at the calendar's start).
pub fn day_before(d: NaiveDate) -> NaiveDate {
    d.checked_sub_days(Days::new(1)).unwrap_or(d)
}

/// The day after (the same day at the calendar's end).
pub fn day_after(d: NaiveDate) -> NaiveDate {
    d.checked_add_days(Days::new(1)).unwrap_or(d)
}

/// The state of one capacity in one place on one day, and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapacityStatus {
    /// The capacity.
    pub capacity: Capacity,
    /// Its state.
    pub state: State,
    /// Why.
    pub reason: Reason,
    /// The place whose plan holds here (this place, or the area it inherits from), if any.
    pub plan_place: Option<String>,
    /// The closure that ends the current provision, as `<mission> — <base>`, if one does.
    pub closure: Option<String>,
    /// The providers' departure day, if known.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub departs_on: Option<NaiveDate>,
}

/// A closure with the mission it belongs to.
#[derive(Debug, Clone)]
struct Closing<'a> {
    mission: &'a str,
    closure: &'a BaseClosure,
}

/// Every plan and closure, indexed for computing states.
#[derive(Debug, Clone, Default)]
pub struct Book<'a> {
    plans: HashMap<(&'a str, Capacity), &'a CapacityPlan>,
    closures: Vec<Closing<'a>>,
    /// Plans (by id) whose handover a planner reversed, for the date they still have.
    reversed: HashMap<&'a str, NaiveDate>,
}

impl<'a> Book<'a> {
    /// Index the plans and withdrawal plans.
    pub fn new(plans: &'a [CapacityPlan], withdrawals: &'a [WithdrawalPlan]) -> Book<'a> {
        let plans = plans
            .iter()
            .map(|p| ((p.place.as_str(), p.capacity), p))
            .collect();
        let mut closures: Vec<Closing<'a>> = withdrawals
            .iter()
            .flat_map(|w| {
                w.closures.iter().map(move |c| Closing {
                    mission: &w.mission,
                    closure: c,
                })
            })
            .collect();
        closures.sort_by(|a, b| {
            (a.closure.closes_on, &a.closure.base).cmp(&(b.closure.closes_on, &b.closure.base))
        });
        Book {
            plans,
            closures,
            reversed: HashMap::new(),
        }
    }

    /// Take the planners' reversals into account: a reversed handover (for the date the plan
    /// still has) does not happen, as in routing; a restored one does.
    pub fn with_reversals(mut self, reversals: &'a [super::HandoverReversal]) -> Book<'a> {
        self.reversed = reversals
            .iter()
            .filter(|r| r.reversed)
            .map(|r| (r.plan.as_str(), r.handover_on))
            .collect();
        self
    }

    /// The handover date of `plan` a planner reversed, if its reversal holds.
    fn reversal(&self, plan: &CapacityPlan) -> Option<NaiveDate> {
        self.reversed
            .get(plan.id.as_str())
            .copied()
            .filter(|h| Some(*h) == plan.handover_on)
    }

    /// Every place that has a plan of its own or that a closure names.
    pub fn places(&self) -> Vec<&'a str> {
        let mut out: Vec<&'a str> = self.plans.keys().map(|(p, _)| *p).collect();
        for c in &self.closures {
            out.extend(c.closure.places.iter().map(String::as_str));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The plan holding for `capacity` in `place`: its own, else the nearest above it.
    pub fn plan_for(
        &self,
        gaz: &Gazetteer,
        place: &str,
        capacity: Capacity,
    ) -> Option<&'a CapacityPlan> {
        let lineage = lineage(gaz, place);
        lineage
            .iter()
            .find_map(|p| self.plans.get(&(*p, capacity)).copied())
    }

    /// The state of `capacity` in `place` on `on`; none when neither a plan nor a closure
    /// concerns it.
    pub fn status(
        &self,
        gaz: &Gazetteer,
        place: &str,
        capacity: Capacity,
        on: NaiveDate,
    ) -> Option<CapacityStatus> {
        let lineage = lineage(gaz, place);
        let plan = lineage
            .iter()
            .find_map(|p| self.plans.get(&(*p, capacity)).copied());
        // The closures are sorted by date: the first that applies ends the provision.
        let closing = self.closures.iter().find(|c| {
            c.closure.capacities.contains(&capacity)
                && c.closure
                    .places
                    .iter()
                    .any(|a| lineage.contains(&a.as_str()))
        });
        if plan.is_none() && closing.is_none() {
            return None;
        }
        let closure_label = closing.map(|c| format!("{} — {}", c.mission, c.closure.base));
        let mut providers: Vec<String> = plan.map(|p| p.providers.clone()).unwrap_or_default();
        if providers.is_empty() && plan.is_none() {
            providers.extend(closure_label.clone());
        }
        let successors: Vec<String> = plan.map(|p| p.successors.clone()).unwrap_or_default();
        // A reversed handover does not happen: the providers stay until a closure, if any.
        let reversed = plan.and_then(|p| self.reversal(p));
        let handover = plan
            .and_then(|p| p.handover_on)
            .filter(|_| reversed.is_none());
        let closes = closing.map(|c| c.closure.closes_on);
        let departs = if providers.is_empty() {
            None
        } else {
            match (handover, closes) {
                (Some(h), Some(c)) => Some(h.min(c)),
                (h, c) => h.or(c),
            }
        };
        let milestones = plan.map(|p| p.milestones.as_slice()).unwrap_or_default();
        let late = milestones.iter().filter(|m| m.late_on(on)).count();
        let blocked = milestones
            .iter()
            .filter(|m| m.late_on(on) && m.status == super::MilestoneStatus::Blocked)
            .count();
        let late_reason = Reason::MilestonesLate {
            late,
            blocked,
            total: milestones.len(),
        };
        let provided = !providers.is_empty() && departs.is_none_or(|d| on < d);
        let succeeded = !successors.is_empty() && handover.is_some_and(|h| h <= on);
        let (state, reason) = if let Some(h) = reversed {
            let reason = Reason::HandoverReversed {
                providers: providers.clone(),
                successors: successors.clone(),
                handover_on: h,
                last_day: departs.map(day_before),
            };
            let state = match departs {
                _ if !provided => State::Gap,
                None => State::Covered,
                Some(_) => State::AtRisk,
            };
            (state, reason)
        } else if succeeded {
            if late > 0 {
                (State::AtRisk, late_reason)
            } else {
                (
                    State::Covered,
                    Reason::HandedOver {
                        successors: successors.clone(),
                        since: handover.unwrap_or(on),
                    },
                )
            }
        } else if provided {
            match (departs, handover) {
                (None, _) => (
                    State::Covered,
                    Reason::Provided {
                        providers: providers.clone(),
                    },
                ),
                (Some(d), h) if successors.is_empty() || h.is_none() => (
                    State::AtRisk,
                    Reason::NoSuccessor {
                        last_day: day_before(d),
                        undated: successors.clone(),
                    },
                ),
                (Some(d), Some(h)) if h > d => (
                    State::AtRisk,
                    Reason::SuccessorLate {
                        last_day: Some(day_before(d)),
                        successors: successors.clone(),
                        handover_on: h,
                    },
                ),
                (_, _) if late > 0 => (State::AtRisk, late_reason),
                (_, h) => (
                    State::Covered,
                    Reason::SuccessorReady {
                        providers: providers.clone(),
                        successors: successors.clone(),
                        handover_on: h.unwrap_or(on),
                    },
                ),
            }
        } else {
            let reason = match (handover, departs) {
                (Some(h), d) if !successors.is_empty() => Reason::SuccessorLate {
                    last_day: d.map(day_before),
                    successors: successors.clone(),
                    handover_on: h,
                },
                (_, Some(d)) => Reason::NoSuccessor {
                    last_day: day_before(d),
                    undated: successors.clone(),
                },
                _ => Reason::NoProvider,
            };
            (State::Gap, reason)
        };
        // Only name the closure when it, not the handover, ends the provision.
        let closure = match (closes, departs) {
            (Some(c), Some(d)) if c == d => closure_label,
            _ => None,
        };
        Some(CapacityStatus {
            capacity,
            state,
            reason,
            plan_place: plan.map(|p| p.place.clone()),
            closure,
            departs_on: departs,
        })
    }

    /// The state of every capacity in `place` on `on` (capacities nothing is known of are
    /// left out), in the order of [`Capacity::ALL`].
    pub fn statuses(&self, gaz: &Gazetteer, place: &str, on: NaiveDate) -> Vec<CapacityStatus> {
        Capacity::ALL
            .into_iter()
            .filter_map(|c| self.status(gaz, place, c, on))
            .collect()
    }

    /// The closures (with their mission) whose areas hold `place` or lie inside it.
    pub fn closures_touching(
        &self,
        gaz: &Gazetteer,
        place: &str,
    ) -> Vec<(&'a str, &'a BaseClosure)> {
        self.closures
            .iter()
            .filter(|c| {
                c.closure
                    .places
                    .iter()
                    .any(|a| gaz.is_within(place, a) || gaz.is_within(a, place) || a == place)
            })
            .map(|c| (c.mission, c.closure))
            .collect()
    }
}

/// The place and its ancestors, nearest first; an unknown place is its own lineage (a plan
/// made for a P-code the gazetteer has lost still holds for that P-code).
fn lineage<'g>(gaz: &'g Gazetteer, place: &'g str) -> Vec<&'g str> {
    let l: Vec<&str> = gaz
        .lineage(place)
        .iter()
        .map(|p| p.pcode.as_str())
        .collect();
    if l.is_empty() { vec![place] } else { l }
}
