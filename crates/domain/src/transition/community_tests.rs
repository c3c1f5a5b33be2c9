//! Hand-computed mechanisms: members merged, representativeness, functionality from the
//! latest assessment, support after the departure, and the scores refused.

use super::*;
use chrono::{TimeZone, Utc};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn mech() -> Mechanism {
    Mechanism {
        id: "m".into(),
        mechanism_kind: MechanismKind::ProtectionCommittee,
        name: " CLP Minova ".into(),
        place: "CD6102-S1".into(),
        members: vec![
            MemberCount {
                sex: Sex::Male,
                age: AgeBand::Adult,
                group: Community::Resident,
                count: 6,
            },
            MemberCount {
                sex: Sex::Female,
                age: AgeBand::Adult,
                group: Community::Resident,
                count: 2,
            },
            MemberCount {
                sex: Sex::Male,
                age: AgeBand::Youth,
                group: Community::Displaced,
                count: 1,
            },
            MemberCount {
                sex: Sex::Female,
                age: AgeBand::Adult,
                group: Community::Resident,
                count: 1,
            },
        ],
        focal_points: vec![],
        supporters_now: vec!["MONUSCO CAD".into()],
        supporters_after: vec![],
        assessments: vec![],
        note: String::new(),
        stamp: Stamp {
            version: 1,
            updated_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            updated_by: "c".into(),
        },
    }
}

fn assess(on: &str, scores: &[(Criterion, u8)]) -> Assessment {
    let scores = scores
        .iter()
        .map(|&(criterion, score)| Score { criterion, score })
        .collect();
    Assessment {
        id: on.into(),
        on: d(on),
        scores,
        note: String::new(),
        by: "c".into(),
    }
}

#[test]
fn members_are_merged_and_representativeness_flags_absent_groups() {
    let gaz = super::super::tests::gaz();
    let mut m = mech();
    check_mechanism(&mut m, &gaz).unwrap();
    assert_eq!(m.name, "CLP Minova");
    assert_eq!(m.members.len(), 3);
    assert_eq!(m.total(), 10);
    let r = m.representativeness();
    assert_eq!(
        (r.groups[0].group, r.groups[0].count, r.groups[0].share),
        (Represented::Women, 3, Some(30.0))
    );
    assert_eq!(
        (r.groups[1].group, r.groups[1].count, r.groups[1].share),
        (Represented::Youth, 1, Some(10.0))
    );
    assert_eq!(r.absent, vec![Represented::Minorities]);
    m.members.clear();
    assert!(m.representativeness().absent.is_empty());
}

#[test]
fn functionality_comes_from_the_latest_assessment() {
    let mut m = mech();
    assert_eq!(m.functionality(), Functionality::NotAssessed);
    m.assessments.push(assess(
        "2026-02-01",
        &[(Criterion::MeetsRegularly, 3), (Criterion::Trained, 3)],
    ));
    m.assessments.push(assess(
        "2026-05-01",
        &[(Criterion::MeetsRegularly, 1), (Criterion::Trained, 2)],
    ));
    assert_eq!(m.functionality(), Functionality::PartlyFunctional);
    assert_eq!(m.latest().and_then(Assessment::percent), Some(50.0));
    m.assessments.push(assess(
        "2026-06-01",
        &[(Criterion::MeetsRegularly, 0), (Criterion::Trained, 0)],
    ));
    assert_eq!(m.functionality(), Functionality::NotFunctional);
    m.assessments.push(assess(
        "2026-07-01",
        &[(Criterion::MeetsRegularly, 2), (Criterion::Trained, 2)],
    ));
    assert_eq!(m.functionality(), Functionality::Functional);
}

#[test]
fn support_after_the_departure_is_a_gap_at_risk_or_covered() {
    let mut m = mech();
    assert_eq!(m.support_state(d("2026-07-01")), SupportState::Gap);
    m.supporters_after = vec!["Diocese".into()];
    assert_eq!(m.support_state(d("2026-07-01")), SupportState::AtRisk);
    m.assessments
        .push(assess("2026-06-01", &[(Criterion::RaisesAlerts, 3)]));
    assert_eq!(m.support_state(d("2026-07-01")), SupportState::Covered);
    // A year and more later, the assessment is stale.
    assert_eq!(m.support_state(d("2027-06-02")), SupportState::AtRisk);
}

#[test]
fn scores_above_three_or_twice_are_refused() {
    let gaz = super::super::tests::gaz();
    let mut m = mech();
    m.assessments
        .push(assess("2026-06-01", &[(Criterion::RaisesAlerts, 4)]));
    assert!(check_mechanism(&mut m, &gaz).is_err());
    let mut m = mech();
    m.assessments.push(assess(
        "2026-06-01",
        &[(Criterion::RaisesAlerts, 1), (Criterion::RaisesAlerts, 2)],
    ));
    assert!(check_mechanism(&mut m, &gaz).is_err());
    let mut m = mech();
    m.name = " ".into();
    assert_eq!(
        check_mechanism(&mut m, &gaz),
        Err(DomainError::Missing("name"))
    );
}
