//! Transition planning: capacity plans (providers, successors, handover, milestones) and
//! withdrawal plans (base closures), recorded by those who plan; the state of every capacity
//! per place on a date, the cliff and a place's dossier for those who read (`views.rs`).
//! Every change is one ledger event with its projection row, decided on the version the
//! planner saw: a plan changed meanwhile is a conflict, never a silent overwrite.

mod after_closure;
mod broadcast;
mod routing;

pub use after_closure::ClosureWatch;
pub use broadcast::{BroadcastInput, BroadcastPreview, BroadcastView, DEFAULT_FALLBACK};
pub use routing::{RoutingPlans, Simulation};
mod benchmarks;
mod community;
mod indicators;
mod knowledge;
mod records;
mod roster;
mod sections;
mod views;

pub use benchmarks::{BenchmarkView, TargetView};
pub use community::MechanismView;
pub use indicators::DEFAULT_PERIOD_DAYS;
pub use sections::{DossierSections, LatestValue};
pub use views::{Cliff, CliffAlert, CliffEntry, Dossier, Overview, PlaceState};

use kinga_domain::people::Permission;
use kinga_domain::transition::{
    BaseClosure, Capacity, CapacityPlan, ClosureInput, Milestone, MilestoneInput, PlanInput,
    WithdrawalInput, WithdrawalPlan, check_plan, check_withdrawal,
};
use kinga_ledger::Payload;
use kinga_store::{Commit, StoreError, Write};

use crate::{App, AppError, AppResult, Caller, limits};

fn conflict(what: &str) -> AppError {
    AppError::Store(StoreError::Conflict(format!(
        "{what} was changed by someone else; reload and try again"
    )))
}

impl App {
    /// Every capacity plan.
    pub async fn capacity_plans(&self, caller: &Caller) -> AppResult<Vec<CapacityPlan>> {
        caller.require(Permission::ReadTransition)?;
        Ok(self.store.capacity_plans().await?)
    }

    /// Every withdrawal plan, its closures earliest first.
    pub async fn withdrawal_plans(&self, caller: &Caller) -> AppResult<Vec<WithdrawalPlan>> {
        caller.require(Permission::ReadTransition)?;
        Ok(self.store.withdrawal_plans().await?)
    }

    async fn stored_plan(
        &self,
        place: &str,
        capacity: Capacity,
    ) -> AppResult<Option<CapacityPlan>> {
        let id = CapacityPlan::key(place, capacity);
        Ok(self.store.capacity_plan(&id).await?)
    }

    /// Create or replace the plan of a capacity in a place.
    pub async fn save_capacity_plan(
        &self,
        caller: &Caller,
        input: PlanInput,
    ) -> AppResult<CapacityPlan> {
        caller.require(Permission::PlanTransition)?;
        let place = input.place.trim().to_string();
        limits::check("place", &place, limits::ID)?;
        let capacity = input.capacity;
        let stored = self.stored_plan(&place, capacity).await?;
        if let (Some(s), Some(v)) = (&stored, input.version) {
            if s.version != v {
                return Err(conflict(&format!("the plan {}", s.id)));
            }
        }
        if stored.is_some() && input.version.is_none() {
            return Err(conflict(&format!(
                "the plan of {capacity} in {place} already exists and"
            )));
        }
        let milestones = match input.milestones {
            Some(list) => list
                .into_iter()
                .map(|m| self.milestone(m))
                .collect::<AppResult<Vec<_>>>()?,
            None => stored
                .as_ref()
                .map(|s| s.milestones.clone())
                .unwrap_or_default(),
        };
        let plan = CapacityPlan {
            id: CapacityPlan::key(&place, capacity),
            place,
            capacity,
            providers: input.providers,
            successors: input.successors,
            handover_on: input.handover_on,
            milestones,
            note: input.note,
            version: stored.as_ref().map_or(1, |s| s.version + 1),
            updated_at: self.now(),
            updated_by: caller.name.clone(),
        };
        self.write_plan(caller, plan, stored.map(|s| s.version))
            .await
    }

    fn milestone(&self, m: MilestoneInput) -> AppResult<Milestone> {
        let id = match m.id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
            Some(id) => {
                limits::check("id", &id, limits::ID)?;
                id
            }
            None => self.new_id(),
        };
        Ok(Milestone {
            id,
            kind: m.kind,
            label: m.label,
            owner: m.owner,
            due_on: m.due_on,
            status: m.status,
        })
    }

    async fn write_plan(
        &self,
        caller: &Caller,
        mut plan: CapacityPlan,
        expected_version: Option<u64>,
    ) -> AppResult<CapacityPlan> {
        check_plan(&mut plan, &self.gazetteer())?;
        self.commit(Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::CapacityPlanSaved { plan: plan.clone() },
            )],
            writes: vec![Write::CapacityPlan {
                plan: Box::new(plan.clone()),
                expected_version,
            }],
        })
        .await?;
        // Routing follows the plan from the next alert on.
        self.caches.reload_handovers(self.store.as_ref()).await?;
        Ok(plan)
    }

    /// Remove the plan of a capacity in a place (the place inherits its area's plan again).
    pub async fn remove_capacity_plan(
        &self,
        caller: &Caller,
        place: &str,
        capacity: Capacity,
        version: u64,
    ) -> AppResult<()> {
        caller.require(Permission::PlanTransition)?;
        let stored = self
            .stored_plan(place, capacity)
            .await?
            .ok_or_else(|| AppError::NotFound("capacity plan".into()))?;
        if stored.version != version {
            return Err(conflict(&format!("the plan {}", stored.id)));
        }
        self.commit(Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::CapacityPlanRemoved {
                    plan: stored.id.clone(),
                },
            )],
            writes: vec![Write::RemoveCapacityPlan {
                id: stored.id,
                expected_version: version,
            }],
        })
        .await?;
        self.caches.reload_handovers(self.store.as_ref()).await?;
        Ok(())
    }

    /// Add a milestone to a plan, or change the one with the same id.
    pub async fn save_milestone(
        &self,
        caller: &Caller,
        place: &str,
        capacity: Capacity,
        input: MilestoneInput,
    ) -> AppResult<CapacityPlan> {
        caller.require(Permission::PlanTransition)?;
        let mut plan = self
            .stored_plan(place, capacity)
            .await?
            .ok_or_else(|| AppError::NotFound("capacity plan".into()))?;
        let m = self.milestone(input)?;
        match plan.milestones.iter_mut().find(|x| x.id == m.id) {
            Some(x) => *x = m,
            None => plan.milestones.push(m),
        }
        let expected = plan.version;
        plan.version += 1;
        plan.updated_at = self.now();
        plan.updated_by = caller.name.clone();
        self.write_plan(caller, plan, Some(expected)).await
    }

    /// Remove a milestone from a plan.
    pub async fn remove_milestone(
        &self,
        caller: &Caller,
        place: &str,
        capacity: Capacity,
        milestone: &str,
    ) -> AppResult<CapacityPlan> {
        caller.require(Permission::PlanTransition)?;
        let mut plan = self
            .stored_plan(place, capacity)
            .await?
            .ok_or_else(|| AppError::NotFound("capacity plan".into()))?;
        let before = plan.milestones.len();
        plan.milestones.retain(|m| m.id != milestone);
        if plan.milestones.len() == before {
            return Err(AppError::NotFound("milestone".into()));
        }
        let expected = plan.version;
        plan.version += 1;
        plan.updated_at = self.now();
        plan.updated_by = caller.name.clone();
        self.write_plan(caller, plan, Some(expected)).await
    }

    async fn stored_withdrawal(&self, id: &str) -> AppResult<WithdrawalPlan> {
        self.store
            .withdrawal_plan(id)
            .await?
            .ok_or_else(|| AppError::NotFound("withdrawal plan".into()))
    }

    /// Create a mission's withdrawal plan, or change its mission name and note.
    pub async fn save_withdrawal(
        &self,
        caller: &Caller,
        input: WithdrawalInput,
    ) -> AppResult<WithdrawalPlan> {
        caller.require(Permission::PlanTransition)?;
        let (plan, expected) = match input.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(id) => {
                limits::check("id", id, limits::ID)?;
                let mut w = self.stored_withdrawal(id).await?;
                if input.version.is_some_and(|v| v != w.version) {
                    return Err(conflict(&format!("the withdrawal plan {id}")));
                }
                let expected = w.version;
                w.mission = input.mission;
                w.note = input.note;
                w.version += 1;
                (w, Some(expected))
            }
            None => (
                WithdrawalPlan {
                    id: self.new_id(),
                    mission: input.mission,
                    note: input.note,
                    closures: vec![],
                    version: 1,
                    updated_at: self.now(),
                    updated_by: caller.name.clone(),
                },
                None,
            ),
        };
        self.write_withdrawal(caller, plan, expected).await
    }

    async fn write_withdrawal(
        &self,
        caller: &Caller,
        mut plan: WithdrawalPlan,
        expected_version: Option<u64>,
    ) -> AppResult<WithdrawalPlan> {
        plan.updated_at = self.now();
        plan.updated_by = caller.name.clone();
        check_withdrawal(&mut plan, &self.gazetteer())?;
        self.commit(Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::WithdrawalPlanSaved { plan: plan.clone() },
            )],
            writes: vec![Write::WithdrawalPlan {
                plan: Box::new(plan.clone()),
                expected_version,
            }],
        })
        .await?;
        // A closure takes the providers out of routing from its date.
        self.caches.reload_handovers(self.store.as_ref()).await?;
        Ok(plan)
    }

    /// Add a base closure to a withdrawal plan, or change the one with the same id.
    pub async fn save_closure(
        &self,
        caller: &Caller,
        withdrawal: &str,
        input: ClosureInput,
    ) -> AppResult<WithdrawalPlan> {
        caller.require(Permission::PlanTransition)?;
        let mut plan = self.stored_withdrawal(withdrawal).await?;
        let id = match input
            .id
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
        {
            Some(id) => {
                limits::check("id", &id, limits::ID)?;
                id
            }
            None => self.new_id(),
        };
        let closure = BaseClosure {
            id,
            base: input.base,
            place: input
                .place
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty()),
            closes_on: input.closes_on,
            places: input.places,
            capacities: input.capacities,
        };
        match plan.closures.iter_mut().find(|c| c.id == closure.id) {
            Some(c) => *c = closure,
            None => plan.closures.push(closure),
        }
        let expected = plan.version;
        plan.version += 1;
        self.write_withdrawal(caller, plan, Some(expected)).await
    }

    /// Remove a base closure from a withdrawal plan.
    pub async fn remove_closure(
        &self,
        caller: &Caller,
        withdrawal: &str,
        closure: &str,
    ) -> AppResult<WithdrawalPlan> {
        caller.require(Permission::PlanTransition)?;
        let mut plan = self.stored_withdrawal(withdrawal).await?;
        let before = plan.closures.len();
        plan.closures.retain(|c| c.id != closure);
        if plan.closures.len() == before {
            return Err(AppError::NotFound("base closure".into()));
        }
        let expected = plan.version;
        plan.version += 1;
        self.write_withdrawal(caller, plan, Some(expected)).await
    }
}
