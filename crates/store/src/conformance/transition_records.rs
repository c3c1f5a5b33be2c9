//! Transition records (benchmarks, indicators, values, mechanisms, staff, notes): written
//! with their events, read back whole by kind, versioned (a stale change is a conflict, a
//! second insert a duplicate), removed.

use chrono::NaiveDate;

use kinga_domain::transition::{
    AgeBand, Assessment, Community, Criterion, Evidence, Figure, IndicatorDef, IndicatorSource,
    IndicatorValue, Mechanism, MechanismKind, MemberCount, RecordKind, Score, Sex, Stamp,
    TransitionRecord,
};
use kinga_ledger::Payload;

use super::fixtures::{at, draft, unique};
use super::{commit_err, commit_ok};
use crate::{Commit, Store, StoreError, Write};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn saved(r: &TransitionRecord, expected_version: Option<u64>) -> Commit {
    Commit {
        events: vec![draft(
            "coordinator",
            r.stamp().updated_at,
            Payload::TransitionRecordSaved { record: r.clone() },
        )],
        writes: vec![Write::TransitionRecord {
            record: Box::new(r.clone()),
            expected_version,
        }],
    }
}

fn stamp(version: u64) -> Stamp {
    Stamp {
        version,
        updated_at: at(2034, 1, 1, 8, 0, 0),
        updated_by: "coordinator".into(),
    }
}

async fn of_kind(store: &dyn Store, kind: RecordKind, id: &str) -> Vec<TransitionRecord> {
    let all = store.transition_records(kind).await.unwrap();
    assert!(
        all.iter().all(|r| r.kind() == kind),
        "{kind} read other kinds"
    );
    all.into_iter().filter(|r| r.id() == id).collect()
}

/// Transition records on one store.
pub async fn check_transition_records(store: &dyn Store) {
    let mech_id = unique("mech");
    let mut mech = Mechanism {
        id: mech_id.clone(),
        mechanism_kind: MechanismKind::WomenNetwork,
        name: "Réseau des femmes de Kalehe".into(),
        place: "CD6102".into(),
        members: vec![MemberCount {
            sex: Sex::Female,
            age: AgeBand::Youth,
            group: Community::Displaced,
            count: 12,
        }],
        focal_points: vec!["fp-1".into()],
        supporters_now: vec!["Mission".into()],
        supporters_after: vec![],
        assessments: vec![Assessment {
            id: "a1".into(),
            on: day(2034, 1, 1),
            scores: vec![Score {
                criterion: Criterion::RaisesAlerts,
                score: 2,
            }],
            note: "Réunions mensuelles".into(),
            by: "coordinator".into(),
        }],
        note: String::new(),
        stamp: stamp(1),
    };
    let rec = TransitionRecord::Mechanism(mech.clone());
    commit_ok(store, saved(&rec, None)).await;
    let e = commit_err(store, saved(&rec, None)).await;
    assert!(matches!(e, StoreError::Duplicate(_)), "{e}");
    assert_eq!(
        of_kind(store, RecordKind::Mechanism, &mech_id).await,
        vec![rec.clone()]
    );
    assert!(of_kind(store, RecordKind::Staff, &mech_id).await.is_empty());

    // A change decided on the stored version lands; one on a stale version is a conflict.
    mech.supporters_after = vec!["Diocèse".into()];
    mech.stamp = stamp(2);
    let rec2 = TransitionRecord::Mechanism(mech.clone());
    commit_ok(store, saved(&rec2, Some(1))).await;
    let e = commit_err(store, saved(&rec2, Some(1))).await;
    assert!(matches!(e, StoreError::Conflict(_)), "{e}");
    assert_eq!(
        of_kind(store, RecordKind::Mechanism, &mech_id).await,
        vec![rec2.clone()]
    );
    // Read by id, whatever its kind.
    assert_eq!(store.transition_record(&mech_id).await.unwrap(), Some(rec2));
    assert_eq!(
        store.transition_record(&unique("none")).await.unwrap(),
        None
    );

    // Values keep their evidence, figures and all.
    let def_id = unique("ind");
    let def = TransitionRecord::Indicator(IndicatorDef {
        id: def_id.clone(),
        name_fr: "Alertes répondues".into(),
        name_en: "Alerts answered".into(),
        unit: "%".into(),
        source: IndicatorSource::Computed(Figure::ResponseShare),
        higher_is_better: true,
        note: String::new(),
        stamp: stamp(1),
    });
    commit_ok(store, saved(&def, None)).await;
    let value_id = unique("val");
    let value = TransitionRecord::IndicatorValue(IndicatorValue {
        id: value_id.clone(),
        indicator: def_id.clone(),
        place: "CD6102".into(),
        on: day(2034, 2, 1),
        value: 62.5,
        evidence: Some(Evidence {
            figure: Figure::ResponseShare,
            value: 62.5,
            count: 5,
            of: Some(8),
            place: "CD6102".into(),
            from: day(2034, 1, 1),
            to: day(2034, 2, 1),
            computed_at: at(2034, 2, 1, 9, 0, 0),
        }),
        source_note: String::new(),
        stamp: stamp(1),
    });
    commit_ok(store, saved(&value, None)).await;
    assert_eq!(
        of_kind(store, RecordKind::Indicator, &def_id).await,
        vec![def]
    );
    assert_eq!(
        of_kind(store, RecordKind::IndicatorValue, &value_id).await,
        vec![value]
    );

    // Removal on a stale version is a conflict; on the stored one it goes.
    let remove = |v: u64| Commit {
        events: vec![draft(
            "coordinator",
            at(2034, 3, 1, 8, 0, 0),
            Payload::TransitionRecordRemoved {
                id: value_id.clone(),
            },
        )],
        writes: vec![Write::RemoveTransitionRecord {
            id: value_id.clone(),
            expected_version: v,
        }],
    };
    let e = commit_err(store, remove(7)).await;
    assert!(matches!(e, StoreError::Conflict(_)), "{e}");
    commit_ok(store, remove(1)).await;
    assert!(
        of_kind(store, RecordKind::IndicatorValue, &value_id)
            .await
            .is_empty()
    );
}
