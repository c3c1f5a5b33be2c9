//! Hand-computed cases of the cliff on a date, and of handovers reversed: who still provides,
//! what a closure still takes away, and what the cliff then lists.

use chrono::{TimeZone, Utc};

use super::tests::{closure, d, gaz, names, plan, withdrawal};
use super::*;

use Capacity::*;

#[test]
fn the_cliff_lists_planned_places_with_their_gaps_on_the_day() {
    let g = gaz();
    let mut ew = plan("CD6102", EarlyWarning);
    ew.providers = vec!["MONUSCO CLA".into()];
    ew.successors = vec!["Civil protection".into()];
    ew.handover_on = Some(d("2026-09-01"));
    let plans = vec![ew];
    let w = vec![withdrawal(vec![
        closure(
            "Bukavu",
            "2026-06-30",
            &["CD61"],
            &[PhysicalProtection, EarlyWarning],
        ),
        closure("Bunia", "2027-06-30", &["CD54"], &[PhysicalProtection, Ddr]),
    ])];
    let book = Book::new(&plans, &w);
    // 2026-07-15: Sud-Kivu lost both; Kalehe's early warning waits for its successor.
    let c = cliff(&book, &g, d("2026-07-15"));
    let got: Vec<(&str, Vec<Capacity>)> = c
        .iter()
        .map(|p| (p.pcode.as_str(), p.capacities.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("CD61", vec![PhysicalProtection, EarlyWarning]),
            ("CD6102", vec![PhysicalProtection, EarlyWarning]),
        ]
    );
    assert_eq!(c[0].name, "Sud-Kivu");
    // 2026-09-01: Kalehe's early warning handed over; Ituri still there.
    let c = cliff(&book, &g, d("2026-09-01"));
    let got: Vec<(&str, Vec<Capacity>)> = c
        .iter()
        .map(|p| (p.pcode.as_str(), p.capacities.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("CD61", vec![PhysicalProtection, EarlyWarning]),
            ("CD6102", vec![PhysicalProtection]),
        ]
    );
    // After the last closure Ituri joins.
    let c = cliff(&book, &g, d("2027-07-01"));
    assert_eq!(c.len(), 3);
    assert_eq!(c[0].pcode, "CD54");
    assert_eq!(c[0].capacities, vec![PhysicalProtection, Ddr]);
    // Before anything closes, no gap.
    assert!(cliff(&book, &g, d("2026-01-01")).is_empty());
    assert_eq!(anchors(&book, &g, Some("CD61")), vec!["CD61", "CD6102"]);
}

fn reversal(plan: &CapacityPlan, reversed: bool) -> HandoverReversal {
    HandoverReversal {
        plan: plan.id.clone(),
        handover_on: plan.handover_on.unwrap(),
        reversed,
        reason: "no phones yet".into(),
        at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        by: "u".into(),
    }
}

#[test]
fn a_reversed_handover_keeps_the_providers_and_says_so() {
    let g = gaz();
    let mut p = plan("CD61", EarlyWarning);
    p.providers = vec!["MONUSCO CLA".into()];
    p.successors = vec!["Civil protection".into()];
    p.handover_on = Some(d("2027-04-01"));
    let plans = vec![p.clone()];
    let reversals = vec![reversal(&p, true)];
    let book = Book::new(&plans, &[]).with_reversals(&reversals);
    // Inherited by Minova, after the date: the providers stay, no gap.
    let s = book
        .status(&g, "CD6102-S1", EarlyWarning, d("2027-05-01"))
        .unwrap();
    assert_eq!(s.state, State::Covered);
    assert_eq!(s.departs_on, None);
    assert_eq!(
        s.reason,
        Reason::HandoverReversed {
            providers: names(&["MONUSCO CLA"]),
            successors: names(&["Civil protection"]),
            handover_on: d("2027-04-01"),
            last_day: None,
        }
    );
    // Before the date too: the handover is no longer planned to happen.
    let s = book
        .status(&g, "CD61", EarlyWarning, d("2027-01-01"))
        .unwrap();
    assert_eq!(s.state, State::Covered);
    assert!(matches!(s.reason, Reason::HandoverReversed { .. }));
    // Restored (or reversed for another date): the handover holds again.
    let restored = vec![reversal(&p, false)];
    let book = Book::new(&plans, &[]).with_reversals(&restored);
    let s = book
        .status(&g, "CD61", EarlyWarning, d("2027-05-01"))
        .unwrap();
    assert!(matches!(s.reason, Reason::HandedOver { .. }));
    let mut moved = p.clone();
    moved.handover_on = Some(d("2027-06-01"));
    let plans = vec![moved];
    let book = Book::new(&plans, &[]).with_reversals(&reversals);
    let s = book
        .status(&g, "CD61", EarlyWarning, d("2027-06-01"))
        .unwrap();
    assert_eq!(s.state, State::Covered);
    assert!(matches!(s.reason, Reason::HandedOver { .. }));
}

#[test]
fn a_reversal_undoes_the_handover_not_the_closure() {
    let g = gaz();
    let mut p = plan("CD6102", EarlyWarning);
    p.providers = vec!["MONUSCO Kalehe".into()];
    p.successors = vec!["Civil protection".into()];
    p.handover_on = Some(d("2026-10-01"));
    let plans = vec![p.clone()];
    let w = vec![withdrawal(vec![closure(
        "Kalehe",
        "2026-09-15",
        &["CD6102"],
        &[EarlyWarning],
    )])];
    let reversals = vec![reversal(&p, true)];
    let book = Book::new(&plans, &w).with_reversals(&reversals);
    let s = book
        .status(&g, "CD6102", EarlyWarning, d("2026-09-01"))
        .unwrap();
    assert_eq!(s.state, State::AtRisk);
    assert_eq!(s.closure.as_deref(), Some("MONUSCO — Kalehe"));
    assert!(matches!(
        s.reason,
        Reason::HandoverReversed {
            last_day: Some(_),
            ..
        }
    ));
    let s = book
        .status(&g, "CD6102", EarlyWarning, d("2026-10-15"))
        .unwrap();
    assert_eq!(s.state, State::Gap);
    assert_eq!(
        s.reason,
        Reason::HandoverReversed {
            providers: vec!["MONUSCO Kalehe".into()],
            successors: vec!["Civil protection".into()],
            handover_on: d("2026-10-01"),
            last_day: Some(d("2026-09-14")),
        }
    );
    // The cliff of that day lists Kalehe; without the reversal it does not.
    let listed = cliff(&book, &g, d("2026-10-15"));
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].capacities, vec![EarlyWarning]);
    let book = Book::new(&plans, &w);
    assert!(cliff(&book, &g, d("2026-10-15")).is_empty());
    // A plan with nobody before the handover: reversed, nobody provides it.
    let mut q = plan("CD6105", EarlyWarning);
    q.successors = vec!["Civil protection".into()];
    q.handover_on = Some(d("2026-10-01"));
    let plans = vec![q.clone()];
    let reversals = vec![reversal(&q, true)];
    let book = Book::new(&plans, &[]).with_reversals(&reversals);
    let s = book
        .status(&g, "CD6105", EarlyWarning, d("2026-10-15"))
        .unwrap();
    assert_eq!(s.state, State::Gap);
    assert!(matches!(
        s.reason,
        Reason::HandoverReversed { ref providers, .. } if providers.is_empty()
    ));
}
