//! Hand-computed cases of inheritance down the place hierarchy, state rules across dates
//! and closures, and the checks of plans and withdrawals.

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::DomainError;
use crate::place::testdata::place;
use crate::place::{Gazetteer, PlaceLevel};

pub(super) fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// COD › Sud-Kivu (CD61) › Kalehe (CD6102) › Minova; Sud-Kivu › Uvira (CD6105);
/// COD › Ituri (CD54) › Djugu (CD5402).
pub(super) fn gaz() -> Gazetteer {
    Gazetteer::new(vec![
        place("COD", "RDC", PlaceLevel::Country, None, None),
        place("CD61", "Sud-Kivu", PlaceLevel::Admin1, Some("COD"), None),
        place("CD6102", "Kalehe", PlaceLevel::Admin2, Some("CD61"), None),
        place(
            "CD6102-S1",
            "Minova",
            PlaceLevel::Settlement,
            Some("CD6102"),
            None,
        ),
        place("CD6105", "Uvira", PlaceLevel::Admin2, Some("CD61"), None),
        place("CD54", "Ituri", PlaceLevel::Admin1, Some("COD"), None),
        place("CD5402", "Djugu", PlaceLevel::Admin2, Some("CD54"), None),
    ])
}

pub(super) fn plan(place: &str, c: Capacity) -> CapacityPlan {
    CapacityPlan {
        id: CapacityPlan::key(place, c),
        place: place.into(),
        capacity: c,
        providers: vec![],
        successors: vec![],
        handover_on: None,
        milestones: vec![],
        note: String::new(),
        version: 1,
        updated_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        updated_by: "u".into(),
    }
}

fn ms(id: &str, due: &str, status: MilestoneStatus) -> Milestone {
    Milestone {
        id: id.into(),
        kind: MilestoneKind::StaffHired,
        label: String::new(),
        owner: "UNHCR".into(),
        due_on: d(due),
        status,
    }
}

pub(super) fn withdrawal(closures: Vec<BaseClosure>) -> WithdrawalPlan {
    WithdrawalPlan {
        id: "w1".into(),
        mission: "MONUSCO".into(),
        note: String::new(),
        closures,
        version: 1,
        updated_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        updated_by: "u".into(),
    }
}

pub(super) fn closure(base: &str, on: &str, places: &[&str], caps: &[Capacity]) -> BaseClosure {
    BaseClosure {
        id: base.to_lowercase(),
        base: base.into(),
        place: None,
        closes_on: d(on),
        places: places.iter().map(|s| s.to_string()).collect(),
        capacities: caps.to_vec(),
    }
}

use Capacity::*;

pub(super) fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn no_successor(last: &str) -> Reason {
    Reason::NoSuccessor {
        last_day: d(last),
        undated: vec![],
    }
}

#[test]
fn capacity_ids_are_the_ten_of_the_design() {
    let ids: Vec<&str> = Capacity::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        ids,
        [
            "physical_protection",
            "early_warning",
            "community_engagement",
            "political_engagement",
            "protection_strategy",
            "human_rights",
            "mine_action",
            "ddr",
            "rule_of_law",
            "security_logistics"
        ]
    );
    for c in Capacity::ALL {
        assert_eq!(c.as_str().parse::<Capacity>().unwrap(), c);
        assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
    }
    assert!("Early Warning".parse::<Capacity>().is_ok());
    assert!("policing".parse::<Capacity>().is_err());
}

#[test]
fn a_province_plan_holds_down_to_its_villages_unless_a_territory_overrides() {
    let g = gaz();
    let mut prov = plan("CD61", EarlyWarning);
    prov.providers = vec!["MONUSCO CLA".into()];
    let mut kalehe = plan("CD6102", EarlyWarning);
    kalehe.providers = vec!["LPC Kalehe".into()];
    let plans = vec![prov, kalehe];
    let book = Book::new(&plans, &[]);
    let on = d("2026-06-01");
    let minova = book.status(&g, "CD6102-S1", EarlyWarning, on).unwrap();
    assert_eq!(minova.plan_place.as_deref(), Some("CD6102"));
    assert_eq!(
        minova.reason,
        Reason::Provided {
            providers: vec!["LPC Kalehe".into()]
        }
    );
    let uvira = book.status(&g, "CD6105", EarlyWarning, on).unwrap();
    assert_eq!(uvira.plan_place.as_deref(), Some("CD61"));
    assert_eq!(uvira.state, State::Covered);
    assert_eq!(
        uvira.reason,
        Reason::Provided {
            providers: names(&["MONUSCO CLA"])
        }
    );
    // Another capacity, another province: nothing is known.
    assert!(book.status(&g, "CD6105", HumanRights, on).is_none());
    assert!(book.status(&g, "CD5402", EarlyWarning, on).is_none());
    assert_eq!(book.statuses(&g, "CD6102-S1", on).len(), 1);
}

#[test]
fn no_successor_is_at_risk_before_the_departure_and_a_gap_from_it() {
    let g = gaz();
    let mut p = plan("CD61", PhysicalProtection);
    p.providers = vec!["MONUSCO".into()];
    p.handover_on = Some(d("2027-04-01"));
    let plans = vec![p];
    let book = Book::new(&plans, &[]);
    let before = book
        .status(&g, "CD6105", PhysicalProtection, d("2027-03-31"))
        .unwrap();
    assert_eq!(before.state, State::AtRisk);
    assert_eq!(before.reason, no_successor("2027-03-31"));
    assert_eq!(before.departs_on, Some(d("2027-04-01")));
    let after = book
        .status(&g, "CD6105", PhysicalProtection, d("2027-04-01"))
        .unwrap();
    assert_eq!(after.state, State::Gap);
    assert_eq!(after.reason, no_successor("2027-03-31"));
}

#[test]
fn a_successor_on_track_is_covered_on_both_sides_of_the_handover() {
    let g = gaz();
    let mut p = plan("CD6102", EarlyWarning);
    p.providers = vec!["MONUSCO CLA".into()];
    p.successors = vec!["Civil protection".into()];
    p.handover_on = Some(d("2026-09-01"));
    p.milestones = vec![
        ms("a", "2026-07-01", MilestoneStatus::Done),
        ms("b", "2026-08-15", MilestoneStatus::InProgress),
    ];
    let plans = vec![p];
    let book = Book::new(&plans, &[]);
    let s = book
        .status(&g, "CD6102", EarlyWarning, d("2026-08-01"))
        .unwrap();
    assert_eq!(s.state, State::Covered);
    assert_eq!(
        s.reason,
        Reason::SuccessorReady {
            providers: names(&["MONUSCO CLA"]),
            successors: names(&["Civil protection"]),
            handover_on: d("2026-09-01"),
        }
    );
    // On the handover day milestone b (due 08-15) is not done: at risk.
    let s = book
        .status(&g, "CD6102", EarlyWarning, d("2026-09-01"))
        .unwrap();
    assert_eq!(s.state, State::AtRisk);
    assert_eq!(
        s.reason,
        Reason::MilestonesLate {
            late: 1,
            blocked: 0,
            total: 2
        }
    );
}

#[test]
fn late_milestones_put_a_named_successor_at_risk() {
    let g = gaz();
    let mut p = plan("CD61", CommunityEngagement);
    p.providers = vec!["MONUSCO".into()];
    p.successors = vec!["UNHCR".into(), "Provincial government".into()];
    p.handover_on = Some(d("2027-01-01"));
    p.milestones = vec![
        ms("1", "2026-05-01", MilestoneStatus::Done),
        ms("2", "2026-06-01", MilestoneStatus::Pending),
        ms("3", "2026-06-15", MilestoneStatus::Blocked),
        ms("4", "2026-07-01", MilestoneStatus::InProgress),
        ms("5", "2026-12-01", MilestoneStatus::Pending),
    ];
    let plans = vec![p];
    let book = Book::new(&plans, &[]);
    let s = book
        .status(&g, "CD6105", CommunityEngagement, d("2026-06-20"))
        .unwrap();
    assert_eq!(s.state, State::AtRisk);
    assert_eq!(
        s.reason,
        Reason::MilestonesLate {
            late: 2,
            blocked: 1,
            total: 5
        }
    );
    // Before any due date the handover is on track.
    let s = book
        .status(&g, "CD6105", CommunityEngagement, d("2026-05-01"))
        .unwrap();
    assert_eq!(s.state, State::Covered);
}

#[test]
fn a_closure_without_a_plan_makes_the_mission_the_provider_until_it_closes() {
    let g = gaz();
    let w = vec![withdrawal(vec![closure(
        "Bukavu",
        "2026-06-30",
        &["CD61"],
        &[PhysicalProtection, HumanRights],
    )])];
    let book = Book::new(&[], &w);
    let s = book
        .status(&g, "CD6102-S1", PhysicalProtection, d("2026-01-10"))
        .unwrap();
    assert_eq!(s.state, State::AtRisk);
    assert_eq!(s.reason, no_successor("2026-06-29"));
    assert_eq!(s.closure.as_deref(), Some("MONUSCO — Bukavu"));
    let s = book
        .status(&g, "CD6102-S1", PhysicalProtection, d("2026-06-30"))
        .unwrap();
    assert_eq!(s.state, State::Gap);
    assert!(
        book.status(&g, "CD6102", EarlyWarning, d("2026-07-01"))
            .is_none()
    );
}

#[test]
fn a_closure_before_the_handover_opens_a_gap_until_the_successor_comes() {
    let g = gaz();
    let mut p = plan("CD6102", PhysicalProtection);
    p.providers = vec!["MONUSCO battalion".into()];
    p.successors = vec!["FARDC 33rd region".into()];
    p.handover_on = Some(d("2026-10-01"));
    let plans = vec![p];
    let w = vec![withdrawal(vec![
        closure("Kalehe", "2026-09-01", &["CD6102"], &[PhysicalProtection]),
        // A later closure of the same capacity does not move the departure.
        closure("Bukavu", "2026-12-01", &["CD61"], &[PhysicalProtection]),
    ])];
    let book = Book::new(&plans, &w);
    let s = book
        .status(&g, "CD6102", PhysicalProtection, d("2026-08-01"))
        .unwrap();
    assert_eq!(s.state, State::AtRisk);
    assert_eq!(
        s.reason,
        Reason::SuccessorLate {
            last_day: Some(d("2026-08-31")),
            successors: names(&["FARDC 33rd region"]),
            handover_on: d("2026-10-01"),
        }
    );
    assert_eq!(s.closure.as_deref(), Some("MONUSCO — Kalehe"));
    let s = book
        .status(&g, "CD6102", PhysicalProtection, d("2026-09-15"))
        .unwrap();
    assert_eq!(s.state, State::Gap);
    let s = book
        .status(&g, "CD6102", PhysicalProtection, d("2026-10-01"))
        .unwrap();
    assert_eq!(s.state, State::Covered);
    assert_eq!(
        s.reason,
        Reason::HandedOver {
            successors: names(&["FARDC 33rd region"]),
            since: d("2026-10-01"),
        }
    );
    // The closure named Uvira's area only through the province, later.
    let s = book
        .status(&g, "CD6105", PhysicalProtection, d("2026-11-30"))
        .unwrap();
    assert_eq!(s.state, State::AtRisk);
    assert_eq!(s.reason, no_successor("2026-11-30"));
}

#[test]
fn successors_without_a_date_do_not_cover() {
    let g = gaz();
    let mut p = plan("CD54", RuleOfLaw);
    p.providers = vec!["MONUSCO JSCO".into()];
    p.successors = vec!["UNDP".into()];
    let plans = vec![p];
    let w = vec![withdrawal(vec![closure(
        "Bunia",
        "2027-06-30",
        &["CD54"],
        &[RuleOfLaw],
    )])];
    let book = Book::new(&plans, &w);
    let s = book
        .status(&g, "CD5402", RuleOfLaw, d("2027-01-01"))
        .unwrap();
    assert_eq!(s.state, State::AtRisk);
    assert_eq!(
        s.reason,
        Reason::NoSuccessor {
            last_day: d("2027-06-29"),
            undated: names(&["UNDP"]),
        }
    );
    let s = book
        .status(&g, "CD5402", RuleOfLaw, d("2027-07-01"))
        .unwrap();
    assert_eq!(s.state, State::Gap);
}

#[test]
fn a_plan_naming_nobody_is_a_gap() {
    let g = gaz();
    let plans = vec![plan("CD6105", MineAction)];
    let book = Book::new(&plans, &[]);
    let s = book
        .status(&g, "CD6105", MineAction, d("2026-01-01"))
        .unwrap();
    assert_eq!(s.state, State::Gap);
    assert_eq!(s.reason, Reason::NoProvider);
    // Successors to come with nobody now.
    let mut p = plan("CD6105", MineAction);
    p.successors = vec!["UNMAS national".into()];
    p.handover_on = Some(d("2026-03-01"));
    let plans = vec![p];
    let book = Book::new(&plans, &[]);
    let s = book
        .status(&g, "CD6105", MineAction, d("2026-01-01"))
        .unwrap();
    assert_eq!(s.state, State::Gap);
    assert_eq!(
        s.reason,
        Reason::SuccessorLate {
            last_day: None,
            successors: names(&["UNMAS national"]),
            handover_on: d("2026-03-01"),
        }
    );
    let s = book
        .status(&g, "CD6105", MineAction, d("2026-03-01"))
        .unwrap();
    assert_eq!(s.state, State::Covered);
}

#[test]
fn checks_tidy_and_refuse() {
    let g = gaz();
    let mut p = plan("CD61", EarlyWarning);
    p.providers = vec!["  MONUSCO ".into(), "".into()];
    p.id = "whatever".into();
    p.milestones = vec![
        ms("b", "2026-08-01", MilestoneStatus::Pending),
        ms("a", "2026-07-01", MilestoneStatus::Pending),
    ];
    check_plan(&mut p, &g).unwrap();
    assert_eq!(p.providers, vec!["MONUSCO"]);
    assert_eq!(p.id, "CD61:early_warning");
    assert_eq!(p.milestones[0].id, "a");
    let mut bad = p.clone();
    bad.place = "XX99".into();
    assert!(check_plan(&mut bad, &g).is_err());
    let mut bad = p.clone();
    bad.milestones[0].owner = " ".into();
    assert_eq!(check_plan(&mut bad, &g), Err(DomainError::Missing("owner")));
    let mut bad = p.clone();
    bad.milestones[0].kind = MilestoneKind::Other;
    assert_eq!(check_plan(&mut bad, &g), Err(DomainError::Missing("label")));
    let mut bad = p.clone();
    bad.successors = vec!["UN\0HCR".into()];
    assert!(check_plan(&mut bad, &g).is_err());
    let mut bad = p;
    bad.milestones[1].id = "a".into();
    assert!(check_plan(&mut bad, &g).is_err());

    let mut w = withdrawal(vec![
        closure(
            "Bunia",
            "2027-06-30",
            &["CD54"],
            &[Ddr, PhysicalProtection, Ddr],
        ),
        closure("Bukavu", "2026-06-30", &["CD61"], &[HumanRights]),
    ]);
    check_withdrawal(&mut w, &g).unwrap();
    assert_eq!(w.closures[0].base, "Bukavu");
    assert_eq!(w.closures[1].capacities, vec![PhysicalProtection, Ddr]);
    let mut bad = w.clone();
    bad.closures[0].capacities.clear();
    assert_eq!(
        check_withdrawal(&mut bad, &g),
        Err(DomainError::Missing("capacities"))
    );
    let mut bad = w.clone();
    bad.closures[0].places = vec!["CD99".into()];
    assert!(check_withdrawal(&mut bad, &g).is_err());
    let mut bad = w;
    bad.mission = " ".into();
    assert_eq!(
        check_withdrawal(&mut bad, &g),
        Err(DomainError::Missing("mission"))
    );
}
