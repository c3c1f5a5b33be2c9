//! Incidents, compartment grants and compartment keys: written with their events, listed
//! only within the compartments asked for, counted per state, searched, versioned.

use chrono::NaiveDate;

use kinga_domain::compartment::{Compartment, CompartmentKey, UserGrant};
use kinga_domain::incident::{
    AgeGroup, DatePrecision, Incident, Perpetrator, PerpetratorCategory, Sex, VerificationState,
    Victim, Violation,
};
use kinga_ledger::Payload;

use super::fixtures::{at, draft, namespace, unique};
use super::{commit_err, commit_ok};
use crate::{Commit, IncidentQuery, Projection, Store, StoreError, Write};

fn incident(place: &str, compartment: Compartment, violation: Violation, day: u32) -> Incident {
    let when = at(2033, 1, day, 8, 0, 0);
    Incident {
        id: unique("01INC"),
        compartment,
        occurred_on: NaiveDate::from_ymd_opt(2033, 1, day).unwrap_or_default(),
        date_precision: DatePrecision::Day,
        place: place.to_string(),
        narrative: if compartment.is_sensitive() {
            "v1.sealed".into()
        } else {
            "Houses burnt near the market".into()
        },
        sources: vec![],
        alerts: vec![],
        perpetrators: vec![Perpetrator {
            category: PerpetratorCategory::ArmedGroup,
            actor: Some("Zebra Brigade".into()),
            unit: None,
        }],
        victims: vec![Victim {
            sex: Sex::Female,
            age_group: AgeGroup::Age12To17,
            disability: false,
            displaced: true,
            name: None,
        }],
        violations: vec![violation],
        state: VerificationState::Reported,
        verification: vec![],
        recorded_by: "monitor".into(),
        recorded_at: when,
        updated_at: when,
        version: 1,
        attachments: vec![],
    }
}

fn saved(i: &Incident, expected_version: Option<u64>) -> Commit {
    Commit {
        events: vec![draft(
            "monitor",
            i.updated_at,
            Payload::IncidentSaved {
                incident: i.clone(),
            },
        )],
        writes: vec![Write::Incident {
            incident: Box::new(i.clone()),
            expected_version,
        }],
    }
}

/// Incidents are stored whole, listed newest first within the compartments asked (none when
/// none are asked), counted per state, filtered and searched; a stale update conflicts.
pub async fn check_incidents(store: &dyn Store) {
    let ns = namespace();
    let general = incident(
        &format!("{ns}01"),
        Compartment::General,
        Violation::Looting,
        3,
    );
    let crsv = incident(&format!("{ns}02"), Compartment::Crsv, Violation::Rape, 5);
    let mut child = incident(
        &format!("{ns}01"),
        Compartment::Children,
        Violation::RecruitmentAndUse,
        4,
    );
    child.perpetrators[0].actor = Some("Other Group".into());
    for i in [&general, &crsv, &child] {
        commit_ok(store, saved(i, None)).await;
    }
    assert_eq!(
        store.incident(&crsv.id).await.unwrap().as_ref(),
        Some(&crsv)
    );
    assert!(store.incident("01NOPE").await.unwrap().is_none());
    let dup = commit_err(store, saved(&crsv, None)).await;
    assert!(matches!(dup, StoreError::Duplicate(_)), "{dup}");

    let q = |compartments: Vec<Compartment>| IncidentQuery {
        compartments,
        place_prefix: Some(ns.clone()),
        limit: 50,
        ..Default::default()
    };
    let none = store.incidents(&q(vec![])).await.unwrap();
    assert_eq!(none.total, 0, "no compartment asked: nothing matches");
    assert!(none.items.is_empty() && none.by_state.is_empty());
    let page = store
        .incidents(&q(Compartment::ALL.to_vec()))
        .await
        .unwrap();
    let ids: Vec<&str> = page.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![crsv.id.as_str(), child.id.as_str(), general.id.as_str()],
        "newest first"
    );
    assert_eq!(page.total, 3);
    assert_eq!(page.by_state, vec![(VerificationState::Reported, 3)]);
    let page = store
        .incidents(&q(vec![Compartment::General]))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, general.id);

    let mut search = q(Compartment::ALL.to_vec());
    search.text = Some("ZEBRA".into());
    let found = store.incidents(&search).await.unwrap();
    assert_eq!(found.total, 2);
    search.compartments = vec![Compartment::General, Compartment::Children];
    assert_eq!(store.incidents(&search).await.unwrap().total, 1);
    search.text = Some("market".into());
    assert_eq!(store.incidents(&search).await.unwrap().total, 1);
    search.text = Some("100%_".into());
    assert_eq!(store.incidents(&search).await.unwrap().total, 0);

    let mut v = q(Compartment::ALL.to_vec());
    v.violation = Some(Violation::Rape);
    assert_eq!(store.incidents(&v).await.unwrap().items[0].id, crsv.id);
    v.violation = None;
    v.place_prefix = Some(format!("{ns}01"));
    v.occurred_from = NaiveDate::from_ymd_opt(2033, 1, 4);
    v.occurred_to = NaiveDate::from_ymd_opt(2033, 1, 4);
    let page = store.incidents(&v).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].id, child.id);
    let mut paged = q(Compartment::ALL.to_vec());
    paged.limit = 1;
    paged.offset = 1;
    let page = store.incidents(&paged).await.unwrap();
    assert_eq!((page.items.len(), page.total), (1, 3));
    assert_eq!(page.items[0].id, child.id);

    // An update must be decided on the stored version.
    let mut moved = general.clone();
    moved.state = VerificationState::UnderVerification;
    moved.version = 2;
    commit_ok(store, saved(&moved, Some(1))).await;
    let stale = commit_err(store, saved(&moved, Some(1))).await;
    assert!(matches!(stale, StoreError::Conflict(_)), "{stale}");
    let mut states = q(Compartment::ALL.to_vec());
    states.states = vec![VerificationState::UnderVerification];
    let page = store.incidents(&states).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0], moved);
    let all = store
        .incidents(&q(Compartment::ALL.to_vec()))
        .await
        .unwrap();
    assert_eq!(
        all.by_state,
        vec![
            (VerificationState::Reported, 2),
            (VerificationState::UnderVerification, 1)
        ],
        "allegations and cases under verification counted apart"
    );
    let rows = store
        .projection_rows(Projection::Incidents, None, 100_000)
        .await
        .unwrap();
    assert!(rows.iter().any(|r| r.key == moved.id));
    assert!(store.column_faults(10).await.unwrap().is_empty());
}

/// Grants are per user and compartment, replaced in place and revoked; compartment keys are
/// versioned, retired in place, and a second key under a taken version is refused.
pub async fn check_grants_and_keys(store: &dyn Store) {
    let user = unique("user");
    let grant = |c: Compartment| UserGrant {
        user: user.clone(),
        compartment: c,
        granted_by: "admin".into(),
        granted_at: at(2033, 2, 1, 8, 0, 0),
    };
    for c in [Compartment::Crsv, Compartment::Children, Compartment::Crsv] {
        let g = grant(c);
        commit_ok(
            store,
            Commit {
                events: vec![draft(
                    "admin",
                    g.granted_at,
                    Payload::GrantSaved { grant: g.clone() },
                )],
                writes: vec![Write::Grant(g)],
            },
        )
        .await;
    }
    let mine = store.grants_of(&user).await.unwrap();
    let comps: Vec<Compartment> = mine.iter().map(|g| g.compartment).collect();
    assert_eq!(comps, vec![Compartment::Children, Compartment::Crsv]);
    assert!(store.grants_of(&unique("nobody")).await.unwrap().is_empty());
    for _ in 0..2 {
        commit_ok(
            store,
            Commit {
                events: vec![draft(
                    "admin",
                    at(2033, 2, 2, 8, 0, 0),
                    Payload::GrantRevoked {
                        user: user.clone(),
                        compartment: Compartment::Crsv,
                    },
                )],
                writes: vec![Write::RevokeGrant {
                    user: user.clone(),
                    compartment: Compartment::Crsv,
                }],
            },
        )
        .await;
    }
    let mine = store.grants_of(&user).await.unwrap();
    assert_eq!(mine, vec![grant(Compartment::Children)]);

    let before = store.compartment_keys().await.unwrap().len();
    let key = CompartmentKey {
        compartment: Compartment::HumanRights,
        version: 900_000 + u32::try_from(before).unwrap_or(0),
        wrapped: unique("v1.wrapped"),
        created_at: at(2033, 2, 3, 8, 0, 0),
        retired: false,
    };
    let save = |k: &CompartmentKey| Commit {
        events: vec![draft(
            "admin",
            k.created_at,
            Payload::CompartmentKeySaved { key: k.clone() },
        )],
        writes: vec![Write::CompartmentKey(k.clone())],
    };
    commit_ok(store, save(&key)).await;
    let mut retired = key.clone();
    retired.retired = true;
    commit_ok(store, save(&retired)).await;
    let mut other = key.clone();
    other.wrapped = unique("v1.another");
    let e = commit_err(store, save(&other)).await;
    assert!(matches!(e, StoreError::Duplicate(_)), "{e}");
    let keys = store.compartment_keys().await.unwrap();
    assert_eq!(keys.len(), before + 1);
    assert!(keys.contains(&retired));
}

/// The report's counts: per state, violation, victim and perpetrator category, only within
/// the compartments and days asked; an incident without a perpetrator counts as unidentified.
pub async fn check_incident_tallies(store: &dyn Store) {
    use kinga_domain::incident::report::{IncidentTally, PerpetratorTally, VictimTally};
    let day = |d: u32| NaiveDate::from_ymd_opt(2087, 3, d).unwrap_or_default();
    let before = store
        .incident_tallies(&Compartment::ALL, day(1), day(31))
        .await
        .unwrap();
    let ns = namespace();
    let mut a = incident(&format!("{ns}01"), Compartment::Crsv, Violation::Rape, 5);
    a.occurred_on = day(5);
    a.violations.push(Violation::Torture);
    a.victims.push(a.victims[0].clone());
    a.perpetrators.push(a.perpetrators[0].clone());
    let mut b = incident(
        &format!("{ns}02"),
        Compartment::General,
        Violation::Torture,
        6,
    );
    b.occurred_on = day(6);
    b.state = VerificationState::Verified;
    b.perpetrators.clear();
    let mut outside = b.clone();
    outside.id = unique("01INC");
    outside.occurred_on = NaiveDate::from_ymd_opt(2087, 4, 1).unwrap_or_default();
    for i in [&a, &b, &outside] {
        commit_ok(store, saved(i, None)).await;
    }
    let after = store
        .incident_tallies(&Compartment::ALL, day(1), day(31))
        .await
        .unwrap();
    let new = |old: &[IncidentTally], now: &[IncidentTally]| -> Vec<IncidentTally> {
        now.iter()
            .filter_map(|t| {
                let was = old
                    .iter()
                    .find(|o| {
                        (o.compartment, o.state, o.violation)
                            == (t.compartment, t.state, t.violation)
                    })
                    .map_or(0, |o| o.n);
                (t.n > was).then_some(IncidentTally { n: t.n - was, ..*t })
            })
            .collect()
    };
    let mut added = new(&before.incidents, &after.incidents);
    added.sort_by_key(|t| (t.compartment, t.violation));
    assert_eq!(
        added,
        vec![
            IncidentTally {
                compartment: Compartment::General,
                state: VerificationState::Verified,
                violation: Violation::Torture,
                n: 1
            },
            IncidentTally {
                compartment: Compartment::Crsv,
                state: VerificationState::Reported,
                violation: Violation::Torture,
                n: 1
            },
            IncidentTally {
                compartment: Compartment::Crsv,
                state: VerificationState::Reported,
                violation: Violation::Rape,
                n: 1
            },
        ]
    );
    let victims = |t: &[VictimTally], c: Compartment, v: Violation| -> u64 {
        t.iter()
            .filter(|x| {
                x.compartment == c
                    && x.violation == v
                    && x.sex == Sex::Female
                    && x.age_group == AgeGroup::Age12To17
            })
            .map(|x| x.n)
            .sum()
    };
    assert_eq!(
        victims(&after.victims, Compartment::Crsv, Violation::Rape)
            - victims(&before.victims, Compartment::Crsv, Violation::Rape),
        2,
        "both victims count under each violation"
    );
    let perp = |t: &[PerpetratorTally], c: Compartment, cat: PerpetratorCategory| -> u64 {
        t.iter()
            .filter(|x| {
                x.compartment == c && x.category == cat && x.violation == Violation::Torture
            })
            .map(|x| x.n)
            .sum()
    };
    assert_eq!(
        perp(
            &after.perpetrators,
            Compartment::Crsv,
            PerpetratorCategory::ArmedGroup
        ) - perp(
            &before.perpetrators,
            Compartment::Crsv,
            PerpetratorCategory::ArmedGroup
        ),
        1,
        "two perpetrators of one category count the incident once"
    );
    assert_eq!(
        perp(
            &after.perpetrators,
            Compartment::General,
            PerpetratorCategory::Unidentified
        ) - perp(
            &before.perpetrators,
            Compartment::General,
            PerpetratorCategory::Unidentified
        ),
        1,
        "no perpetrator recorded: unidentified"
    );
    let general_only = store
        .incident_tallies(&[Compartment::General], day(1), day(31))
        .await
        .unwrap();
    assert!(
        general_only
            .incidents
            .iter()
            .all(|t| t.compartment == Compartment::General)
    );
    assert!(
        general_only
            .by_state
            .iter()
            .all(|t| t.0 == Compartment::General)
    );
    let none = store.incident_tallies(&[], day(1), day(31)).await.unwrap();
    assert_eq!(none, Default::default(), "no compartment, no counts");

    // A change moves the incident's counts out of its old state and violations into the new
    // ones (the tallies are kept per day beside the incidents, not recounted).
    let mut moved = a.clone();
    moved.state = VerificationState::Verified;
    moved.violations = vec![Violation::Rape];
    moved.version = a.version + 1;
    commit_ok(store, saved(&moved, Some(a.version))).await;
    let later = store
        .incident_tallies(&Compartment::ALL, day(1), day(31))
        .await
        .unwrap();
    let crsv = |t: &[IncidentTally], s: VerificationState, v: Violation| -> u64 {
        t.iter()
            .filter(|x| x.compartment == Compartment::Crsv && x.state == s && x.violation == v)
            .map(|x| x.n)
            .sum()
    };
    use VerificationState::{Reported, Verified};
    for (s, v, more) in [
        (Reported, Violation::Rape, 0),
        (Reported, Violation::Torture, 0),
        (Verified, Violation::Rape, 1),
        (Verified, Violation::Torture, 0),
    ] {
        assert_eq!(
            crsv(&later.incidents, s, v),
            crsv(&before.incidents, s, v) + more,
            "{s:?} {v:?}"
        );
    }
    let reported = |t: &[(Compartment, VerificationState, u64)]| -> u64 {
        t.iter()
            .filter(|x| x.0 == Compartment::Crsv && x.1 == Reported)
            .map(|x| x.2)
            .sum()
    };
    assert_eq!(reported(&later.by_state), reported(&before.by_state));
}
