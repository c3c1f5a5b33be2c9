use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::compartment::Compartment;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn victim(age: AgeGroup) -> Victim {
    Victim {
        sex: Sex::Female,
        age_group: age,
        disability: false,
        displaced: true,
        name: None,
    }
}

fn draft(compartment: Compartment, violations: Vec<Violation>) -> IncidentDraft {
    IncidentDraft {
        compartment,
        occurred_on: day(2026, 9, 14),
        date_precision: DatePrecision::Day,
        place: "CD6101".into(),
        narrative: "  Men in uniform came at night.  ".into(),
        sources: vec![Source {
            kind: SourceKind::Witness,
            reliability: Reliability::Reliable,
            remote: false,
            contact: None,
        }],
        alerts: vec![],
        perpetrators: vec![Perpetrator {
            category: PerpetratorCategory::ArmedGroup,
            actor: Some("M23".into()),
            unit: None,
        }],
        victims: vec![victim(AgeGroup::Age18To59)],
        violations,
    }
}

fn record(d: IncidentDraft) -> Result<Incident, crate::DomainError> {
    let at = Utc.with_ymd_and_hms(2026, 10, 1, 8, 0, 0).unwrap();
    d.record("I1".into(), "monitor", at, day(2026, 10, 1))
}

#[test]
fn every_violation_has_a_unique_name_and_taxonomy() {
    let mut names: Vec<&str> = Violation::ALL.iter().map(|v| v.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), Violation::ALL.len());
    for v in Violation::ALL {
        assert_eq!(v.as_str().parse::<Violation>(), Ok(*v));
        assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
    }
    assert_eq!(Violation::Rape.taxonomy(), Taxonomy::Crsv);
    assert_eq!(Violation::RecruitmentAndUse.taxonomy(), Taxonomy::Mrm);
    assert_eq!(
        Violation::ArbitraryDetention.taxonomy(),
        Taxonomy::HumanRights
    );
    let mrm = Violation::ALL
        .iter()
        .filter(|v| v.taxonomy() == Taxonomy::Mrm);
    assert_eq!(mrm.count(), 6, "six grave violations");
    let crsv = Violation::ALL
        .iter()
        .filter(|v| v.taxonomy() == Taxonomy::Crsv);
    assert_eq!(crsv.count(), 8, "the MARA categories");
    assert!("genocide-ish".parse::<Violation>().is_err());
}

#[test]
fn age_groups_and_sexes_use_the_fixed_names() {
    for (g, s) in [
        (AgeGroup::Age0To4, "0-4"),
        (AgeGroup::Age5To11, "5-11"),
        (AgeGroup::Age12To17, "12-17"),
        (AgeGroup::Age18To59, "18-59"),
        (AgeGroup::Age60Plus, "60+"),
        (AgeGroup::Unknown, "unknown"),
    ] {
        assert_eq!(serde_json::to_value(g).unwrap(), s);
        assert_eq!(g.as_str(), s);
    }
    assert!(AgeGroup::Age12To17.is_child() && !AgeGroup::Unknown.is_child());
    assert_eq!(serde_json::to_value(Sex::Unknown).unwrap(), "unknown");
}

#[test]
fn a_valid_draft_is_recorded_as_reported_and_trimmed() {
    let i = record(draft(Compartment::General, vec![Violation::Killing])).unwrap();
    assert_eq!(i.state, VerificationState::Reported);
    assert_eq!(i.narrative, "Men in uniform came at night.");
    assert_eq!(i.version, 1);
    assert!(i.search_text().contains("men in uniform"));
    assert!(i.search_text().contains("m23"));
}

#[test]
fn precision_moves_the_date_to_the_start_of_its_period_and_refuses_the_future() {
    let mut d = draft(Compartment::General, vec![Violation::Looting]);
    d.date_precision = DatePrecision::Month;
    assert_eq!(record(d.clone()).unwrap().occurred_on, day(2026, 9, 1));
    d.date_precision = DatePrecision::Year;
    assert_eq!(record(d.clone()).unwrap().occurred_on, day(2026, 1, 1));
    d.date_precision = DatePrecision::Day;
    d.occurred_on = day(2026, 10, 2);
    assert!(record(d).unwrap_err().to_string().contains("future"));
}

#[test]
fn child_violations_need_a_child_or_an_unknown_age() {
    let d = draft(Compartment::Children, vec![Violation::RecruitmentAndUse]);
    let e = record(d.clone()).unwrap_err().to_string();
    assert!(e.contains("under 18"), "{e}");
    let mut ok = d.clone();
    ok.victims.push(victim(AgeGroup::Age12To17));
    assert!(record(ok).is_ok());
    let mut unknown = d;
    unknown.victims = vec![victim(AgeGroup::Unknown)];
    assert!(record(unknown).is_ok());
    // Attacks on schools strike a building, not a counted child.
    let school = draft(
        Compartment::Children,
        vec![Violation::AttacksOnSchoolsAndHospitals],
    );
    assert!(record(school).is_ok());
}

#[test]
fn compartments_hold_only_their_taxonomies() {
    let e = record(draft(Compartment::General, vec![Violation::Rape]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("crsv"), "{e}");
    assert!(record(draft(Compartment::Crsv, vec![Violation::Rape])).is_ok());
    let mut child = draft(Compartment::HumanRights, vec![Violation::Abduction]);
    child.victims = vec![victim(AgeGroup::Age5To11)];
    assert!(record(child.clone()).is_err());
    child.compartment = Compartment::Children;
    assert!(record(child).is_ok());
    let mut svc = draft(
        Compartment::Crsv,
        vec![Violation::SexualViolenceAgainstChildren],
    );
    svc.victims = vec![victim(AgeGroup::Age12To17)];
    assert!(record(svc).is_ok());
    assert!(record(draft(Compartment::General, vec![])).is_err());
}

#[test]
fn identities_only_in_sensitive_compartments_and_all_of_them_are_sealable() {
    let mut d = draft(Compartment::General, vec![Violation::Injury]);
    d.victims[0].name = Some("Amani".into());
    assert!(
        record(d.clone())
            .unwrap_err()
            .to_string()
            .contains("sensitive")
    );
    d.compartment = Compartment::HumanRights;
    d.sources[0].contact = Some("+243990000001".into());
    let mut i = record(d).unwrap();
    let texts: Vec<String> = i.identifying_mut().into_iter().map(|s| s.clone()).collect();
    assert_eq!(
        texts,
        vec!["Men in uniform came at night.", "Amani", "+243990000001"]
    );
    assert!(
        !i.search_text().contains("uniform"),
        "sealed narrative is not searched"
    );
    assert!(!i.search_text().contains("amani"));
}

#[test]
fn unidentified_perpetrators_have_no_name() {
    let mut d = draft(Compartment::General, vec![Violation::Killing]);
    d.perpetrators = vec![Perpetrator {
        category: PerpetratorCategory::Unidentified,
        actor: Some("someone".into()),
        unit: None,
    }];
    assert!(record(d).is_err());
}

#[test]
fn remote_information_weighs_less() {
    let mut s = Source {
        kind: SourceKind::Witness,
        reliability: Reliability::Reliable,
        remote: true,
        contact: None,
    };
    assert_eq!(s.weight(), Reliability::UsuallyReliable);
    s.reliability = Reliability::UsuallyReliable;
    assert_eq!(s.weight(), Reliability::Unknown);
    s.remote = false;
    assert_eq!(s.weight(), Reliability::UsuallyReliable);
}

fn mv(to: VerificationState) -> VerificationMove {
    VerificationMove {
        to,
        method: None,
        sources: vec![],
        verified_on: None,
        note: None,
    }
}

#[test]
fn verification_follows_its_lifecycle() {
    let mut i = record(draft(Compartment::General, vec![Violation::Killing])).unwrap();
    let at = Utc.with_ymd_and_hms(2027, 3, 1, 8, 0, 0).unwrap();
    let today = day(2027, 3, 1);
    // Straight to verified is refused: it must be looked into first.
    let e = i
        .decide_verification(mv(VerificationState::Verified), "hro", at, today)
        .unwrap_err();
    assert!(e.to_string().contains("under_verification"), "{e}");
    let step = i
        .decide_verification(mv(VerificationState::UnderVerification), "hro", at, today)
        .unwrap()
        .unwrap();
    i.apply_verification(step);
    assert_eq!(i.version, 2);
    // Repeating a move is a no-op.
    assert!(
        i.decide_verification(mv(VerificationState::UnderVerification), "hro", at, today)
            .unwrap()
            .is_none()
    );
    // A conclusion needs a method and sources; the source must exist.
    let mut m = mv(VerificationState::Verified);
    assert!(i.decide_verification(m.clone(), "hro", at, today).is_err());
    m.method = Some(VerificationMethod::WitnessInterview);
    assert!(i.decide_verification(m.clone(), "hro", at, today).is_err());
    m.sources = vec![3];
    assert!(i.decide_verification(m.clone(), "hro", at, today).is_err());
    m.sources = vec![0, 0];
    m.verified_on = Some(day(2026, 9, 1));
    let e = i
        .decide_verification(m.clone(), "hro", at, today)
        .unwrap_err();
    assert!(e.to_string().contains("before the incident"), "{e}");
    m.verified_on = None;
    let step = i.decide_verification(m, "hro", at, today).unwrap().unwrap();
    // Verified months after the incident: both dates are kept.
    assert_eq!(step.verified_on, Some(today));
    assert_eq!(step.sources, vec![0]);
    i.apply_verification(step);
    assert!(i.is_verified());
    assert_eq!(i.occurred_on, day(2026, 9, 14));
    assert_eq!(i.conclusion().unwrap().by, "hro");
    // Reopened on new information.
    let step = i
        .decide_verification(mv(VerificationState::UnderVerification), "hro", at, today)
        .unwrap()
        .unwrap();
    i.apply_verification(step);
    assert!(i.conclusion().is_none());
}

#[test]
fn an_allegation_may_be_dismissed_as_unfounded() {
    let i = record(draft(Compartment::General, vec![Violation::Killing])).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 10, 2, 8, 0, 0).unwrap();
    let mut m = mv(VerificationState::Unfounded);
    m.method = Some(VerificationMethod::SiteVisit);
    let step = i
        .decide_verification(m, "hro", at, day(2026, 10, 2))
        .unwrap()
        .unwrap();
    assert_eq!(step.from, VerificationState::Reported);
}

mod care {
    use super::*;
    use crate::incident::care::*;

    fn provider() -> ServiceProvider {
        ServiceProvider {
            id: "osc-goma".into(),
            name: "One-stop centre Goma".into(),
            kind: ProviderKind::OneStopCentre,
            services: vec![ReferralService::Medical, ReferralService::Psychosocial],
            places: vec!["CD61".into()],
        }
    }

    fn consent(given: bool, by_guardian: bool) -> Consent {
        Consent {
            given,
            by_guardian,
            recorded_by: "wpa".into(),
            at: Utc.with_ymd_and_hms(2026, 10, 2, 8, 0, 0).unwrap(),
        }
    }

    #[test]
    fn referrals_need_consent_a_counted_victim_and_the_service() {
        let mut d = draft(Compartment::Crsv, vec![Violation::Rape]);
        d.victims.push(victim(AgeGroup::Age12To17));
        let i = record(d).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 10, 2, 9, 0, 0).unwrap();
        let make = |victim, service, c| {
            Referral::make("R1".into(), &i, victim, &provider(), service, c, at)
        };
        assert!(make(0, ReferralService::Medical, consent(false, false)).is_err());
        assert!(make(5, ReferralService::Medical, consent(true, false)).is_err());
        assert!(make(0, ReferralService::Legal, consent(true, false)).is_err());
        assert!(
            make(1, ReferralService::Medical, consent(true, false)).is_err(),
            "a child"
        );
        assert!(make(1, ReferralService::Medical, consent(true, true)).is_ok());
        let mut r = make(0, ReferralService::Medical, consent(true, false)).unwrap();
        assert_eq!(r.status, ReferralStatus::Pending);
        let f = |status| FollowUp {
            at,
            by: "wpa".into(),
            status,
        };
        assert!(r.follow_up(f(ReferralStatus::Completed)).is_err());
        r.follow_up(f(ReferralStatus::Accepted)).unwrap();
        r.follow_up(f(ReferralStatus::Completed)).unwrap();
        assert_eq!(r.follow_ups.len(), 2);
        assert_eq!(
            sexual_violence_response_rate(std::slice::from_ref(&i), &[r]),
            Some(1.0)
        );
        assert_eq!(sexual_violence_response_rate(&[i], &[]), Some(0.0));
        assert_eq!(sexual_violence_response_rate(&[], &[]), None);
    }

    #[test]
    fn an_open_referral_is_due_a_week_after_its_last_contact() {
        let i = record(draft(Compartment::Crsv, vec![Violation::Rape])).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 10, 2, 9, 0, 0).unwrap();
        let mut r = Referral::make(
            "R1".into(),
            &i,
            0,
            &provider(),
            ReferralService::Medical,
            consent(true, false),
            at,
        )
        .unwrap();
        let week = chrono::Duration::days(FOLLOW_UP_EVERY_DAYS);
        assert!(!r.follow_up_due(at + week - chrono::Duration::seconds(1)));
        assert!(r.follow_up_due(at + week), "pending for a week");
        let checked = at + chrono::Duration::days(5);
        r.follow_up(FollowUp {
            at: checked,
            by: "wpa".into(),
            status: ReferralStatus::Accepted,
        })
        .unwrap();
        assert_eq!(r.last_contact(), checked);
        assert!(!r.follow_up_due(at + week), "checked two days ago");
        assert_eq!(r.follow_up_due_at(), Some(checked + week));
        r.follow_up(FollowUp {
            at: checked,
            by: "wpa".into(),
            status: ReferralStatus::Completed,
        })
        .unwrap();
        assert!(!r.is_open() && r.follow_up_due_at().is_none());
        assert!(!r.follow_up_due(at + week * 10), "closed, never due");
    }

    #[test]
    fn a_second_interview_needs_a_reason() {
        let at = |d| Utc.with_ymd_and_hms(2026, 10, d, 9, 0, 0).unwrap();
        let interview = |d, by: &str| Interview {
            id: format!("IV{d}"),
            incident: "I1".into(),
            victim: 0,
            by: by.into(),
            at: at(d),
            shared_with: vec![],
            reason: None,
        };
        let log = vec![interview(2, "hro"), interview(3, "unicef")];
        assert_eq!(prior_interviews(&log, "I1", 0)[0].by, "unicef");
        assert!(prior_interviews(&log, "I1", 1).is_empty());
        let e = check_new_interview(&log, &interview(4, "wpa"), None).unwrap_err();
        assert!(e.to_string().contains("unicef"), "{e}");
        assert!(check_new_interview(&log, &interview(4, "wpa"), Some("court hearing")).is_ok());
        assert!(check_new_interview(&[], &interview(4, "wpa"), None).is_ok());
    }
}

#[test]
fn field_forms_keep_each_record_in_the_compartment_its_violations_call_for() {
    use Violation::*;
    assert_eq!(
        Violation::compartment_for(&[Killing, Rape, Abduction]),
        Compartment::Children
    );
    assert_eq!(
        Violation::compartment_for(&[Looting, Rape]),
        Compartment::Crsv
    );
    assert_eq!(
        Violation::compartment_for(&[Looting]),
        Compartment::HumanRights
    );
    // Whatever it picks, the violations may be recorded there.
    for v in Violation::ALL {
        assert!(
            v.allowed_in().contains(&Violation::compartment_for(&[*v])),
            "{v}"
        );
    }
}
