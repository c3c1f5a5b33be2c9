//! The MRM/MARA table against hand-computed cases.

use super::*;
use Compartment::*;
use VerificationState::*;

fn inc(
    compartment: Compartment,
    state: VerificationState,
    violation: Violation,
    n: u64,
) -> IncidentTally {
    IncidentTally {
        compartment,
        state,
        violation,
        n,
    }
}

fn vic(
    compartment: Compartment,
    state: VerificationState,
    violation: Violation,
    sex: Sex,
    age_group: AgeGroup,
    n: u64,
) -> VictimTally {
    VictimTally {
        compartment,
        state,
        violation,
        sex,
        age_group,
        n,
    }
}

fn q3() -> Period {
    "2026-Q3".parse().unwrap()
}

fn row(r: &MrmReport, v: Violation) -> &ViolationRow {
    r.rows.iter().find(|x| x.violation == v).unwrap()
}

fn pair(a: u64, v: u64) -> Pair {
    Pair {
        allegations: Shown::Count(a),
        verified: Shown::Count(v),
    }
}

/// General records only: nothing is hidden, and every figure is a plain sum.
#[test]
fn allegations_and_verified_are_counted_apart() {
    let t = Tallies {
        by_state: vec![
            (General, Reported, 3),
            (General, UnderVerification, 2),
            (General, Verified, 4),
            (General, Unfounded, 1),
            (General, NotVerified, 2),
        ],
        incidents: vec![
            inc(General, Reported, Violation::Killing, 3),
            inc(General, UnderVerification, Violation::Killing, 2),
            inc(General, Verified, Violation::Killing, 4),
            // Dismissed incidents are not in the violation rows.
            inc(General, Unfounded, Violation::Killing, 1),
            inc(General, Verified, Violation::Looting, 1),
        ],
        victims: vec![
            vic(
                General,
                Reported,
                Violation::Killing,
                Sex::Male,
                AgeGroup::Age18To59,
                3,
            ),
            vic(
                General,
                UnderVerification,
                Violation::Killing,
                Sex::Female,
                AgeGroup::Age60Plus,
                1,
            ),
            vic(
                General,
                Verified,
                Violation::Killing,
                Sex::Female,
                AgeGroup::Age18To59,
                2,
            ),
            vic(
                General,
                Verified,
                Violation::Killing,
                Sex::Unknown,
                AgeGroup::Unknown,
                5,
            ),
        ],
        perpetrators: vec![
            PerpetratorTally {
                compartment: General,
                state: Reported,
                violation: Violation::Killing,
                category: PerpetratorCategory::ArmedGroup,
                n: 3,
            },
            PerpetratorTally {
                compartment: General,
                state: Verified,
                violation: Violation::Killing,
                category: PerpetratorCategory::StateForces,
                n: 1,
            },
            PerpetratorTally {
                compartment: General,
                state: Verified,
                violation: Violation::Killing,
                category: PerpetratorCategory::Unidentified,
                n: 3,
            },
        ],
    };
    let r = MrmReport::build(&q3(), vec![General], &t, DEFAULT_THRESHOLD);
    assert_eq!(r.period, "2026-Q3");
    assert!(!r.suppressed);
    assert_eq!(
        r.totals,
        Totals {
            allegations: Shown::Count(5),
            verified: Shown::Count(4),
            dismissed: Shown::Count(3),
        }
    );
    let k = row(&r, Violation::Killing);
    assert_eq!(k.incidents, pair(5, 4));
    assert_eq!(k.victims, pair(4, 7));
    // female, male, unknown
    assert_eq!(k.by_sex, vec![pair(1, 2), pair(3, 0), pair(0, 5)]);
    // 0-4, 5-11, 12-17, 18-59, 60+, unknown
    assert_eq!(
        k.by_age,
        vec![
            pair(0, 0),
            pair(0, 0),
            pair(0, 0),
            pair(3, 2),
            pair(1, 0),
            pair(0, 5)
        ]
    );
    // state forces, UN, other peacekeeping, PMSC, armed group, unidentified
    assert_eq!(
        k.by_perpetrator,
        vec![
            pair(0, 1),
            pair(0, 0),
            pair(0, 0),
            pair(0, 0),
            pair(3, 0),
            pair(0, 3)
        ]
    );
    assert_eq!(row(&r, Violation::Looting).incidents, pair(0, 1));
    // Rows follow the taxonomies' order and leave out violations with nothing.
    let order: Vec<Violation> = r.rows.iter().map(|x| x.violation).collect();
    assert_eq!(order, vec![Violation::Killing, Violation::Looting]);
}

/// CRSV counts below five are hidden; when one part of a shown total is hidden, the smallest
/// other part goes too; zero stays zero; general records mixed in do not unhide a cell.
#[test]
fn small_sensitive_counts_are_hidden_and_cannot_be_subtracted() {
    let t = Tallies {
        by_state: vec![
            (Crsv, Reported, 7),
            (Crsv, Verified, 2),
            (General, Verified, 9),
        ],
        incidents: vec![
            inc(Crsv, Reported, Violation::Rape, 7),
            inc(Crsv, Verified, Violation::Rape, 2),
            inc(General, Verified, Violation::Killing, 9),
        ],
        victims: vec![
            // Allegations: 5 women 18-59, 2 girls 12-17 → total 7 shown, girls hidden.
            vic(
                Crsv,
                Reported,
                Violation::Rape,
                Sex::Female,
                AgeGroup::Age18To59,
                5,
            ),
            vic(
                Crsv,
                Reported,
                Violation::Rape,
                Sex::Female,
                AgeGroup::Age12To17,
                2,
            ),
            // Verified: 2 women → everything under five, hidden.
            vic(
                Crsv,
                Verified,
                Violation::Rape,
                Sex::Female,
                AgeGroup::Age18To59,
                2,
            ),
        ],
        perpetrators: vec![],
    };
    let r = MrmReport::build(&q3(), vec![General, Crsv], &t, DEFAULT_THRESHOLD);
    let h = Shown::Suppressed(5);
    assert!(r.suppressed);
    assert_eq!(r.totals.allegations, Shown::Count(7));
    assert_eq!(
        r.totals.verified,
        Shown::Count(11),
        "9 general + 2 crsv: not small"
    );
    let rape = row(&r, Violation::Rape);
    assert_eq!(
        rape.incidents,
        Pair {
            allegations: Shown::Count(7),
            verified: h
        }
    );
    assert_eq!(
        rape.victims,
        Pair {
            allegations: Shown::Count(7),
            verified: h
        }
    );
    // By sex: 7 female allegations shown; 2 verified hidden; zeros stay zeros.
    assert_eq!(
        rape.by_sex,
        vec![
            Pair {
                allegations: Shown::Count(7),
                verified: h
            },
            pair(0, 0),
            pair(0, 0)
        ]
    );
    // By age: the 2 girls are hidden, and so is the 5 beside them (else 7 − 5 = 2).
    assert_eq!(
        rape.by_age[2],
        Pair {
            allegations: h,
            verified: Shown::Count(0)
        }
    );
    assert_eq!(
        rape.by_age[3],
        Pair {
            allegations: h,
            verified: h
        }
    );
    assert_eq!(rape.by_age[0], pair(0, 0));
    // General records are not hidden, however few.
    let k = row(&r, Violation::Killing);
    assert_eq!(k.incidents, pair(0, 9));
    let few = Tallies {
        by_state: vec![(General, Verified, 1)],
        incidents: vec![inc(General, Verified, Violation::Killing, 1)],
        ..Default::default()
    };
    let r = MrmReport::build(&q3(), vec![General], &few, DEFAULT_THRESHOLD);
    assert_eq!(row(&r, Violation::Killing).incidents, pair(0, 1));
    assert!(!r.suppressed);
}

/// The threshold is configurable; 1 hides nothing.
#[test]
fn the_threshold_is_configurable() {
    let t = Tallies {
        by_state: vec![(Children, Verified, 6)],
        incidents: vec![inc(Children, Verified, Violation::RecruitmentAndUse, 6)],
        ..Default::default()
    };
    let r = MrmReport::build(&q3(), vec![Children], &t, 10);
    assert_eq!(
        row(&r, Violation::RecruitmentAndUse).incidents.verified,
        Shown::Suppressed(10)
    );
    assert_eq!(Shown::Suppressed(10).text(), "<10");
    let r = MrmReport::build(&q3(), vec![Children], &t, 1);
    assert_eq!(
        row(&r, Violation::RecruitmentAndUse).incidents.verified,
        Shown::Count(6)
    );
}

#[test]
fn the_csv_has_headers_hashtags_and_two_rows_per_violation() {
    let t = Tallies {
        by_state: vec![(General, Reported, 6), (General, Verified, 1)],
        incidents: vec![
            inc(General, Reported, Violation::Killing, 6),
            inc(General, Verified, Violation::Killing, 1),
        ],
        victims: vec![vic(
            General,
            Reported,
            Violation::Killing,
            Sex::Male,
            AgeGroup::Age5To11,
            6,
        )],
        perpetrators: vec![],
    };
    let r = MrmReport::build(&q3(), vec![General], &t, 5);
    let rows = r.csv_rows();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].len(), rows[1].len());
    assert_eq!(rows[0].len(), 6 + 3 + 6 + 6);
    assert!(rows[1].iter().all(|t| t.starts_with('#')));
    assert_eq!(rows[1][7], "#affected+m+num");
    assert_eq!(rows[1][10], "#affected+age5_11+num");
    assert_eq!(
        rows[2][..6],
        ["2026-Q3", "human_rights", "killing", "allegation", "6", "6"].map(String::from)
    );
    assert_eq!(rows[2][7], "6", "male");
    assert_eq!(rows[2][10], "6", "5-11");
    assert_eq!(rows[3][3], "verified");
    assert_eq!(rows[3][4], "1");
    // JSON shows hidden cells as text.
    let j = serde_json::to_value(Shown::Suppressed(5)).unwrap();
    assert_eq!(j, serde_json::json!("<5"));
    assert_eq!(
        serde_json::to_value(Shown::Count(3)).unwrap(),
        serde_json::json!(3)
    );
}

#[test]
fn the_referral_rate_hides_small_counts_and_itself_with_them() {
    let r = ReferralRate::of(12, 6, 5);
    assert_eq!(
        (r.incidents, r.referred),
        (Shown::Count(12), Shown::Count(6))
    );
    assert_eq!(r.rate, Some(0.5));
    // 3 not referred: the referred count would give them away, and the rate too.
    let r = ReferralRate::of(12, 9, 5);
    assert_eq!(
        (r.incidents, r.referred, r.rate),
        (Shown::Count(12), Shown::Suppressed(5), None)
    );
    // A lower threshold hides less.
    let r = ReferralRate::of(12, 9, 2);
    assert_eq!(r.rate, Some(0.75));
    let r = ReferralRate::of(4, 4, 5);
    assert_eq!(
        (r.incidents, r.referred, r.rate),
        (Shown::Suppressed(5), Shown::Suppressed(5), None)
    );
    let r = ReferralRate::of(10, 2, 5);
    assert_eq!(
        (r.incidents, r.referred, r.rate),
        (Shown::Count(10), Shown::Suppressed(5), None)
    );
    let r = ReferralRate::of(10, 7, 5);
    assert_eq!(
        (r.referred, r.rate),
        (Shown::Suppressed(5), None),
        "3 not referred"
    );
    let r = ReferralRate::of(0, 0, 5);
    assert_eq!((r.incidents, r.rate), (Shown::Count(0), None));
}
