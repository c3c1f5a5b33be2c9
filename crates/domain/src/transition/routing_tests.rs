//! The routing switch: on the handover date and not the day before, inherited down the
//! hierarchy unless a place has its own plan, reversed and restored, and the simulation.

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::analysis::testkit;
use crate::place::testdata::place;
use crate::place::{Gazetteer, PlaceLevel};
use crate::registry::{ContactPreference, Hours, ResponderKind};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// COD › Sud-Kivu (CD61) › Kalehe (CD6102) › Minova; Sud-Kivu › Uvira (CD6105).
fn gaz() -> Gazetteer {
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
    ])
}

fn responder(id: &str, name: &str, places: &[&str]) -> Responder {
    Responder {
        id: id.into(),
        name: name.into(),
        kind: ResponderKind::MissionMilitary,
        places: places.iter().map(|p| p.to_string()).collect(),
        threat_types: vec![],
        hours: Hours::ALWAYS,
        phone: None,
        email: None,
        prefers: ContactPreference::Sms,
        community_consent: true,
        active: true,
    }
}

/// The mission's base covers the province; civil protection is registered for nowhere yet;
/// an army unit communities have not consented to.
fn registry() -> Vec<Responder> {
    let mut army = responder("fardc", "FARDC 33e région", &["CD61"]);
    army.community_consent = false;
    vec![
        responder("base", "MONUSCO – base de Bukavu", &["CD61"]),
        responder("protciv", "Protection civile Sud-Kivu", &[]),
        army,
    ]
}

fn plan(
    place: &str,
    c: Capacity,
    providers: &[&str],
    successors: &[&str],
    on: Option<&str>,
) -> CapacityPlan {
    CapacityPlan {
        id: CapacityPlan::key(place, c),
        place: place.into(),
        capacity: c,
        providers: providers.iter().map(|s| s.to_string()).collect(),
        successors: successors.iter().map(|s| s.to_string()).collect(),
        handover_on: on.map(d),
        milestones: vec![],
        note: String::new(),
        version: 1,
        updated_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        updated_by: "u".into(),
    }
}

fn reversal(plan: &str, on: &str, reversed: bool) -> HandoverReversal {
    HandoverReversal {
        plan: plan.into(),
        handover_on: d(on),
        reversed,
        reason: "successor not ready".into(),
        at: Utc.with_ymd_and_hms(2026, 7, 1, 9, 0, 0).unwrap(),
        by: "coord".into(),
    }
}

fn routed(rules: &HandoverRules, place: &str, on: &str) -> Vec<String> {
    rules
        .route(Some(place), None, 600, d(on), &registry(), &gaz())
        .proposed
}

/// Early warning in South Kivu moves from the base (named by its name, spelt differently) to
/// civil protection (named by id) on 30 June 2026.
fn province_plan() -> CapacityPlan {
    plan(
        "CD61",
        Capacity::EarlyWarning,
        &["Monusco - Base de BUKAVU"],
        &["protciv"],
        Some("2026-06-30"),
    )
}

#[test]
fn routing_switches_on_the_handover_date_not_the_day_before() {
    let rules = HandoverRules::new(vec![province_plan()], &[], vec![]);
    assert_eq!(routed(&rules, "CD6102-S1", "2026-06-29"), ["base"]);
    assert_eq!(routed(&rules, "CD6102-S1", "2026-06-30"), ["protciv"]);
    assert_eq!(routed(&rules, "CD6102-S1", "2027-01-01"), ["protciv"]);
    assert_eq!(
        rules.state(&province_plan(), d("2026-06-29")),
        SwitchState::Scheduled
    );
    assert_eq!(
        rules.state(&province_plan(), d("2026-06-30")),
        SwitchState::InForce
    );
}

#[test]
fn the_switch_is_inherited_down_unless_a_place_has_its_own_plan() {
    // Kalehe keeps the base for early warning (its own plan, no date yet); Uvira inherits.
    let own = plan(
        "CD6102",
        Capacity::EarlyWarning,
        &["base"],
        &["protciv"],
        None,
    );
    let rules = HandoverRules::new(vec![province_plan(), own], &[], vec![]);
    assert_eq!(routed(&rules, "CD6105", "2026-07-01"), ["protciv"]);
    assert_eq!(routed(&rules, "CD61", "2026-07-01"), ["protciv"]);
    assert_eq!(routed(&rules, "CD6102-S1", "2026-07-01"), ["base"]);
    assert_eq!(routed(&rules, "CD6102", "2026-07-01"), ["base"]);
    // Outside the plan's area nothing changes: the base covers only South Kivu anyway.
    assert!(routed(&rules, "COD", "2026-07-01").is_empty());
}

#[test]
fn a_reversal_sends_routing_back_and_a_restore_forward_again() {
    let id = CapacityPlan::key("CD61", Capacity::EarlyWarning);
    let reversed = HandoverRules::new(
        vec![province_plan()],
        &[],
        vec![reversal(&id, "2026-06-30", true)],
    );
    assert_eq!(routed(&reversed, "CD6105", "2026-07-01"), ["base"]);
    assert_eq!(
        reversed.state(&province_plan(), d("2026-07-01")),
        SwitchState::Reversed
    );
    let restored = HandoverRules::new(
        vec![province_plan()],
        &[],
        vec![reversal(&id, "2026-06-30", false)],
    );
    assert_eq!(routed(&restored, "CD6105", "2026-07-01"), ["protciv"]);
    // A reversal of another date does not hold once the plan is given a new one.
    let mut later = province_plan();
    later.handover_on = Some(d("2026-09-01"));
    let stale = HandoverRules::new(vec![later], &[], vec![reversal(&id, "2026-06-30", true)]);
    assert_eq!(routed(&stale, "CD6105", "2026-08-31"), ["base"]);
    assert_eq!(routed(&stale, "CD6105", "2026-09-01"), ["protciv"]);
}

#[test]
fn physical_protection_switches_too_and_other_capacities_do_not() {
    let pp = plan(
        "CD61",
        Capacity::PhysicalProtection,
        &["base"],
        &["protciv"],
        Some("2026-06-30"),
    );
    let rules = HandoverRules::new(vec![pp.clone()], &[], vec![]);
    assert_eq!(routed(&rules, "CD6105", "2026-06-30"), ["protciv"]);
    let mut hr = pp;
    hr.capacity = Capacity::HumanRights;
    hr.id = CapacityPlan::key("CD61", Capacity::HumanRights);
    let rules = HandoverRules::new(vec![hr], &[], vec![]);
    assert!(rules.is_empty());
    assert_eq!(routed(&rules, "CD6105", "2026-06-30"), ["base"]);
}

#[test]
fn a_successor_without_consent_is_never_proposed_and_unknown_names_switch_nobody() {
    let to_army = plan(
        "CD61",
        Capacity::EarlyWarning,
        &["base"],
        &["FARDC 33e région", "Réseau inconnu"],
        Some("2026-06-30"),
    );
    let rules = HandoverRules::new(vec![to_army], &[], vec![]);
    let r = rules.route(
        Some("CD6105"),
        None,
        600,
        d("2026-07-01"),
        &registry(),
        &gaz(),
    );
    assert!(
        r.proposed.is_empty() && r.uncovered,
        "the plan leaves a gap"
    );
    let sw = rules.switches(d("2026-07-01"), &registry());
    assert_eq!(sw.len(), 1);
    assert_eq!(sw[0].successors[0].responders, ["fardc"]);
    assert!(sw[0].successors[1].responders.is_empty());
    assert_eq!(sw[0].providers[0].responders, ["base"]);
}

#[test]
fn a_responder_both_leaving_and_arriving_stays() {
    // Early warning leaves the base, physical protection moves to it.
    let ew = plan(
        "CD61",
        Capacity::EarlyWarning,
        &["base"],
        &["protciv"],
        Some("2026-06-30"),
    );
    let pp = plan(
        "CD61",
        Capacity::PhysicalProtection,
        &["protciv"],
        &["base"],
        Some("2026-06-30"),
    );
    let rules = HandoverRules::new(vec![ew, pp], &[], vec![]);
    let mut got = routed(&rules, "CD6105", "2026-06-30");
    got.sort();
    assert_eq!(got, ["base", "protciv"]);
}

#[test]
fn the_simulation_routes_past_alerts_under_the_coverage_of_a_day() {
    let rules = HandoverRules::new(vec![province_plan()], &[], vec![]);
    let g = gaz();
    let mut a1 = testkit::alert("1", testkit::at(0), 3, Some("CD6105"), None);
    a1.proposed_responders = vec!["base".into()];
    let mut a2 = testkit::alert("2", testkit::at(60), 3, Some("COD"), None);
    a2.proposed_responders = vec![];
    let a3 = testkit::alert("3", testkit::at(90), 3, None, None);
    let mut a4 = testkit::alert("4", testkit::at(120), 3, Some("CD6102-S1"), None);
    a4.proposed_responders = vec!["base".into()];
    let alerts = vec![a1, a2, a3, a4];
    let before = simulate(
        &rules,
        &alerts,
        &registry(),
        &g,
        d("2026-06-29"),
        chrono_tz::UTC,
    );
    assert_eq!(before.len(), 3, "the unplaced alert is left out");
    assert!(before.iter().all(|s| s.change == Change::Same));
    let after = simulate(
        &rules,
        &alerts,
        &registry(),
        &g,
        d("2026-06-30"),
        chrono_tz::UTC,
    );
    let by_ref = |r: &str| after.iter().find(|s| s.reference == r).unwrap();
    assert_eq!(by_ref("K-1").routed_to, ["base"]);
    assert_eq!(by_ref("K-1").would_route_to, ["protciv"]);
    assert_eq!(by_ref("K-1").change, Change::Rerouted);
    assert_eq!(by_ref("K-2").change, Change::Same);
    assert_eq!(by_ref("K-4").change, Change::Rerouted);
    // Without a successor in the registry, the simulation shows the alerts left uncovered.
    let gone = plan(
        "CD61",
        Capacity::EarlyWarning,
        &["base"],
        &[],
        Some("2026-06-30"),
    );
    let rules = HandoverRules::new(vec![gone], &[], vec![]);
    let after = simulate(
        &rules,
        &alerts,
        &registry(),
        &g,
        d("2026-06-30"),
        chrono_tz::UTC,
    );
    assert_eq!(
        after
            .iter()
            .filter(|s| s.change == Change::Uncovered)
            .count(),
        2
    );
}

fn closing(on: &str, places: &[&str], caps: &[Capacity]) -> WithdrawalPlan {
    WithdrawalPlan {
        id: "w".into(),
        mission: "MONUSCO".into(),
        note: String::new(),
        closures: vec![super::super::BaseClosure {
            id: "c".into(),
            base: "Bukavu".into(),
            place: None,
            closes_on: d(on),
            places: places.iter().map(|s| s.to_string()).collect(),
            capacities: caps.to_vec(),
        }],
        version: 1,
        updated_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        updated_by: "u".into(),
    }
}

#[test]
fn a_base_closure_takes_the_providers_out_but_not_the_base_still_providing() {
    // Early warning handed over on 30 June; the base keeps physical protection (no date)
    // until its closure on 15 August removes it from Kalehe.
    let ew = province_plan();
    let pp = plan("CD61", Capacity::PhysicalProtection, &["base"], &[], None);
    let w = [closing(
        "2026-08-15",
        &["CD6102"],
        &[Capacity::PhysicalProtection],
    )];
    let rules = HandoverRules::new(vec![ew, pp], &w, vec![]);
    let mut got = routed(&rules, "CD6102-S1", "2026-07-01");
    got.sort();
    assert_eq!(got, ["base", "protciv"], "the base still patrols");
    assert_eq!(routed(&rules, "CD6102-S1", "2026-08-14").len(), 2);
    assert_eq!(routed(&rules, "CD6102-S1", "2026-08-15"), ["protciv"]);
    // Uvira is outside the closure's area: the base stays there.
    assert_eq!(routed(&rules, "CD6105", "2026-08-15").len(), 2);
    // A closure before the handover leaves a gap until the successor comes.
    let late = plan(
        "CD61",
        Capacity::EarlyWarning,
        &["base"],
        &["protciv"],
        Some("2026-09-01"),
    );
    let w = [closing("2026-08-15", &["CD61"], &[Capacity::EarlyWarning])];
    let rules = HandoverRules::new(vec![late], &w, vec![]);
    assert_eq!(routed(&rules, "CD6105", "2026-08-14"), ["base"]);
    assert!(routed(&rules, "CD6105", "2026-08-15").is_empty());
    assert_eq!(routed(&rules, "CD6105", "2026-09-01"), ["protciv"]);
    // Reversing the handover does not reopen a closed base.
    let id = CapacityPlan::key("CD61", Capacity::EarlyWarning);
    let late = plan(
        "CD61",
        Capacity::EarlyWarning,
        &["base"],
        &["protciv"],
        Some("2026-09-01"),
    );
    let rules = HandoverRules::new(vec![late], &w, vec![reversal(&id, "2026-09-01", true)]);
    assert!(routed(&rules, "CD6105", "2026-09-02").is_empty());
}

#[test]
fn of_two_plans_for_one_place_and_capacity_the_last_given_routes() {
    let first = province_plan();
    let mut last = plan(
        "CD61",
        Capacity::EarlyWarning,
        &["base"],
        &["fardc"],
        Some("2026-06-30"),
    );
    last.id = "second".into();
    let rules = HandoverRules::new(vec![first, last], &[], vec![]);
    let s = rules.switch(&gaz(), "CD6102-S1", d("2026-07-01"), &registry());
    assert_eq!(s.plans, ["second"]);
    assert_eq!(s.out, ["base"]);
    assert_eq!(s.into, [("fardc".to_string(), "CD61".to_string())]);
}

proptest::proptest! {
    /// A plan's names, folded once when the rules are built, name the same responders as
    /// [`names`] folding both sides at every call.
    #[test]
    fn names_folded_once_match_as_names_does(
        name in "[ \\-A-Za-zÉéèÀàç']{0,16}",
        id in "[a-z]{1,4}",
        r_name in "[ \\-A-Za-zÉéèÀàç']{0,16}",
        same_id in proptest::bool::ANY,
    ) {
        let r = responder(&id, &r_name, &[]);
        let name = if same_id { format!(" {id} ") } else { name };
        let once = PlanName::of(&name).names(&r, &fold(&r.name));
        proptest::prop_assert_eq!(once, names(&name, &r));
    }
}
