//! Transition planning: capacity plans and withdrawal plans written with their events, read
//! back whole, versioned (a stale change is a conflict, a second insert a duplicate), removed.

use chrono::NaiveDate;

use kinga_domain::transition::{
    BaseClosure, Capacity, CapacityPlan, Milestone, MilestoneKind, MilestoneStatus, WithdrawalPlan,
};
use kinga_ledger::Payload;

use super::fixtures::{at, draft, namespace, unique};
use super::{commit_err, commit_ok};
use crate::{Commit, Store, StoreError, Write};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn saved_plan(p: &CapacityPlan, expected_version: Option<u64>) -> Commit {
    Commit {
        events: vec![draft(
            "coordinator",
            p.updated_at,
            Payload::CapacityPlanSaved { plan: p.clone() },
        )],
        writes: vec![Write::CapacityPlan {
            plan: Box::new(p.clone()),
            expected_version,
        }],
    }
}

fn saved_withdrawal(w: &WithdrawalPlan, expected_version: Option<u64>) -> Commit {
    Commit {
        events: vec![draft(
            "coordinator",
            w.updated_at,
            Payload::WithdrawalPlanSaved { plan: w.clone() },
        )],
        writes: vec![Write::WithdrawalPlan {
            plan: Box::new(w.clone()),
            expected_version,
        }],
    }
}

/// Capacity plans and withdrawal plans on one store.
pub async fn check_transition(store: &dyn Store) {
    let place = namespace();
    let mut plan = CapacityPlan {
        id: CapacityPlan::key(&place, Capacity::EarlyWarning),
        place: place.clone(),
        capacity: Capacity::EarlyWarning,
        providers: vec!["Mission CLA".into()],
        successors: vec!["Civil protection".into()],
        handover_on: Some(day(2034, 6, 1)),
        milestones: vec![Milestone {
            id: "m1".into(),
            kind: MilestoneKind::AlertNumbersMoved,
            label: String::new(),
            owner: "Provincial government".into(),
            due_on: day(2034, 5, 1),
            status: MilestoneStatus::InProgress,
        }],
        note: "Éviter les doublons".into(),
        version: 1,
        updated_at: at(2034, 1, 1, 8, 0, 0),
        updated_by: "coordinator".into(),
    };
    commit_ok(store, saved_plan(&plan, None)).await;
    let e = commit_err(store, saved_plan(&plan, None)).await;
    assert!(matches!(e, StoreError::Duplicate(_)), "{e}");
    let mine = |all: Vec<CapacityPlan>| -> Vec<CapacityPlan> {
        all.into_iter().filter(|p| p.place == place).collect()
    };
    assert_eq!(
        mine(store.capacity_plans().await.unwrap()),
        vec![plan.clone()]
    );

    // An update decided on version 1 lands once; the second, stale, is a conflict.
    let mut next = plan.clone();
    next.version = 2;
    next.milestones[0].status = MilestoneStatus::Done;
    commit_ok(store, saved_plan(&next, Some(1))).await;
    let e = commit_err(store, saved_plan(&next, Some(1))).await;
    assert!(matches!(e, StoreError::Conflict(_)), "{e}");
    plan = next;
    let mut other = plan.clone();
    other.capacity = Capacity::PhysicalProtection;
    other.id = CapacityPlan::key(&place, Capacity::PhysicalProtection);
    other.version = 1;
    commit_ok(store, saved_plan(&other, None)).await;
    assert_eq!(
        mine(store.capacity_plans().await.unwrap()),
        vec![plan.clone(), other.clone()]
    );
    let remove = |id: &str, v: u64| Commit {
        events: vec![draft(
            "coordinator",
            at(2034, 1, 2, 8, 0, 0),
            Payload::CapacityPlanRemoved { plan: id.into() },
        )],
        writes: vec![Write::RemoveCapacityPlan {
            id: id.into(),
            expected_version: v,
        }],
    };
    let e = commit_err(store, remove(&other.id, 7)).await;
    assert!(matches!(e, StoreError::Conflict(_)), "{e}");
    commit_ok(store, remove(&other.id, 1)).await;
    assert_eq!(
        mine(store.capacity_plans().await.unwrap()),
        vec![plan.clone()]
    );
    // Read by id: the one held, none for the one removed.
    assert_eq!(
        store.capacity_plan(&plan.id).await.unwrap(),
        Some(plan.clone())
    );
    assert_eq!(store.capacity_plan(&other.id).await.unwrap(), None);

    let mut w = WithdrawalPlan {
        id: unique("01WP"),
        mission: "MISSION".into(),
        note: String::new(),
        closures: vec![BaseClosure {
            id: "c1".into(),
            base: "Base A".into(),
            place: Some(place.clone()),
            closes_on: day(2034, 3, 31),
            places: vec![place.clone()],
            capacities: vec![Capacity::PhysicalProtection, Capacity::Ddr],
        }],
        version: 1,
        updated_at: at(2034, 1, 3, 8, 0, 0),
        updated_by: "coordinator".into(),
    };
    commit_ok(store, saved_withdrawal(&w, None)).await;
    let e = commit_err(store, saved_withdrawal(&w, None)).await;
    assert!(matches!(e, StoreError::Duplicate(_)), "{e}");
    let mut next = w.clone();
    next.version = 2;
    next.closures.push(BaseClosure {
        id: "c2".into(),
        base: "Base B".into(),
        place: None,
        closes_on: day(2034, 9, 30),
        places: vec![place.clone()],
        capacities: vec![Capacity::EarlyWarning],
    });
    commit_ok(store, saved_withdrawal(&next, Some(1))).await;
    let e = commit_err(store, saved_withdrawal(&next, Some(1))).await;
    assert!(matches!(e, StoreError::Conflict(_)), "{e}");
    w = next;
    let found: Vec<WithdrawalPlan> = store
        .withdrawal_plans()
        .await
        .unwrap()
        .into_iter()
        .filter(|x| x.id == w.id)
        .collect();
    assert_eq!(found, vec![w.clone()]);
    assert_eq!(store.withdrawal_plan(&w.id).await.unwrap(), Some(w));
    assert_eq!(store.withdrawal_plan(&unique("01WP")).await.unwrap(), None);
}
