//! The rules every plan and withdrawal plan passes, whatever brought it (form, API, demo).

use super::{CapacityPlan, MAX_ITEMS, MilestoneKind, WithdrawalPlan};
use crate::DomainError;
use crate::limits;
use crate::place::Gazetteer;

pub(super) fn names(field: &'static str, list: &mut Vec<String>) -> Result<(), DomainError> {
    for s in list.iter_mut() {
        *s = s.trim().to_string();
    }
    list.retain(|s| !s.is_empty());
    list.dedup();
    if list.len() > MAX_ITEMS {
        return Err(DomainError::TooMany {
            field,
            max: MAX_ITEMS,
        });
    }
    for s in list.iter() {
        limits::check(field, s, limits::NAME)?;
    }
    Ok(())
}

pub(super) fn text(field: &'static str, s: &mut String, max: usize) -> Result<(), DomainError> {
    *s = s.trim().to_string();
    // Also refuses a NUL, which PostgreSQL cannot store.
    limits::check(field, s, max)
}

pub(super) fn known(gaz: &Gazetteer, field: &'static str, pcode: &str) -> Result<(), DomainError> {
    limits::check(field, pcode, limits::ID)?;
    if gaz.get(pcode).is_none() {
        return Err(DomainError::invalid(
            field,
            format!("unknown place '{pcode}'"),
        ));
    }
    Ok(())
}

/// Tidy a capacity plan (trimmed names, no empty lines) and refuse what cannot stand: an
/// unknown place, successors without words, milestones without an owner, an `other`
/// milestone without a label, lists or texts past their limits.
pub fn check_plan(plan: &mut CapacityPlan, gaz: &Gazetteer) -> Result<(), DomainError> {
    known(gaz, "place", &plan.place)?;
    plan.id = CapacityPlan::key(&plan.place, plan.capacity);
    names("providers", &mut plan.providers)?;
    names("successors", &mut plan.successors)?;
    text("note", &mut plan.note, limits::TEXT)?;
    if plan.milestones.len() > MAX_ITEMS {
        return Err(DomainError::TooMany {
            field: "milestones",
            max: MAX_ITEMS,
        });
    }
    for m in &mut plan.milestones {
        text("owner", &mut m.owner, limits::NAME)?;
        text("label", &mut m.label, limits::NAME)?;
        if m.owner.is_empty() {
            return Err(DomainError::Missing("owner"));
        }
        if m.kind == MilestoneKind::Other && m.label.is_empty() {
            return Err(DomainError::Missing("label"));
        }
    }
    let mut ids: Vec<&str> = plan.milestones.iter().map(|m| m.id.as_str()).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(DomainError::invalid(
            "milestones",
            "two milestones share an id",
        ));
    }
    plan.milestones
        .sort_by(|a, b| a.due_on.cmp(&b.due_on).then_with(|| a.id.cmp(&b.id)));
    Ok(())
}

/// Tidy a withdrawal plan and refuse what cannot stand: no mission name, a closure without a
/// base, areas or capacities, an unknown place.
pub fn check_withdrawal(plan: &mut WithdrawalPlan, gaz: &Gazetteer) -> Result<(), DomainError> {
    text("mission", &mut plan.mission, limits::NAME)?;
    if plan.mission.is_empty() {
        return Err(DomainError::Missing("mission"));
    }
    text("note", &mut plan.note, limits::TEXT)?;
    if plan.closures.len() > MAX_ITEMS {
        return Err(DomainError::TooMany {
            field: "closures",
            max: MAX_ITEMS,
        });
    }
    for c in &mut plan.closures {
        text("base", &mut c.base, limits::NAME)?;
        if c.base.is_empty() {
            return Err(DomainError::Missing("base"));
        }
        if let Some(p) = &c.place {
            known(gaz, "place", p)?;
        }
        names("places", &mut c.places)?;
        if c.places.is_empty() {
            return Err(DomainError::Missing("places"));
        }
        for p in &c.places {
            known(gaz, "places", p)?;
        }
        c.capacities.sort_unstable();
        c.capacities.dedup();
        if c.capacities.is_empty() {
            return Err(DomainError::Missing("capacities"));
        }
    }
    let mut ids: Vec<&str> = plan.closures.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(DomainError::invalid("closures", "two closures share an id"));
    }
    plan.sort_closures();
    Ok(())
}
