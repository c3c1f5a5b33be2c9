//! Checks of data-sharing agreements: round trip, replacement by id (a revocation), order.

use std::collections::BTreeMap;

use kinga_domain::agreement::{Agreement, Level, RecordType, Revocation};
use kinga_domain::compartment::Compartment;
use kinga_ledger::Payload;

use super::commit_ok;
use super::fixtures::{at, draft, unique};
use crate::{Commit, Projection, Store, Write};

/// Agreements round trip exactly (compartments, withheld fields per record type, dates), are
/// replaced by id when revoked, are listed by id, and `kinga verify` reads them back.
pub async fn check_agreements(store: &dyn Store) {
    let when = at(2032, 7, 1, 8, 0, 0);
    let id = unique("AGR");
    let mut fields = BTreeMap::new();
    fields.insert(RecordType::Alert, vec!["text".to_string()]);
    fields.insert(RecordType::FocalPoint, vec!["name".into(), "phone".into()]);
    let mut agreement = Agreement {
        id: id.clone(),
        peer: "cndh".into(),
        organisation: "Commission nationale des droits de l'homme".into(),
        compartments: vec![Compartment::General, Compartment::HumanRights],
        withheld_fields: fields,
        level: Level::Records,
        purpose: "Protection monitoring after the mission".into(),
        valid_from: when.date_naive(),
        valid_until: at(2033, 6, 30, 0, 0, 0).date_naive(),
        recorded_by: "admin".into(),
        recorded_at: when,
        revoked: None,
    };
    let save = |a: &Agreement| Commit {
        events: vec![draft(
            "admin",
            when,
            Payload::AgreementSaved {
                agreement: a.clone(),
            },
        )],
        writes: vec![Write::Agreement(a.clone())],
    };
    commit_ok(store, save(&agreement)).await;
    assert!(store.agreements().await.unwrap().contains(&agreement));
    agreement.revoked = Some(Revocation {
        by: "admin".into(),
        at: at(2032, 8, 1, 8, 0, 0),
        reason: "the commission asked for aggregates only".into(),
    });
    commit_ok(store, save(&agreement)).await;
    let all = store.agreements().await.unwrap();
    assert_eq!(all.iter().filter(|a| a.id == id).count(), 1);
    assert!(all.contains(&agreement));
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    let rows = store
        .projection_rows(Projection::Agreements, None, 10_000)
        .await
        .unwrap();
    let row = rows
        .iter()
        .find(|r| r.key == id)
        .expect("the agreement's row");
    assert_eq!(row.doc, serde_json::to_value(&agreement).unwrap());
}

/// Conflicts between concurrent versions of a record round trip exactly (both versions, the
/// compartment), are replaced by id, are listed newest first, and `kinga verify` reads them.
pub async fn check_record_conflicts(store: &dyn Store) {
    use kinga_domain::conflict::{RecordConflict, Version, VersionedKind};
    let plan = unique("PLAN");
    let conflict = |id: &str, hour: u32, note: &str| RecordConflict {
        id: id.to_string(),
        kind: VersionedKind::CapacityPlan,
        record: plan.clone(),
        compartment: None,
        found_at: at(2032, 9, 1, hour, 0, 0),
        origin: "field-office".into(),
        in_force: Version {
            version: 3,
            doc: serde_json::json!({"id": plan, "version": 3, "note": "HQ"}),
        },
        other: Version {
            version: 3,
            doc: serde_json::json!({"id": plan, "version": 3, "note": note}),
        },
        fields: vec!["note".into()],
    };
    let older = conflict(&unique("EV"), 8, "field");
    let newer = conflict(&unique("EV"), 9, "field, later");
    let mut incident = conflict(&unique("EV"), 7, "crsv");
    incident.kind = VersionedKind::Incident;
    incident.compartment = Some("crsv".into());
    let save = |c: &RecordConflict| Commit {
        events: vec![draft(
            "sync",
            c.found_at,
            Payload::DigestIssued {
                digest: serde_json::json!({"day": c.found_at.date_naive().to_string()}),
            },
        )],
        writes: vec![Write::RecordConflict(Box::new(c.clone()))],
    };
    for c in [&older, &newer, &incident] {
        commit_ok(store, save(c)).await;
    }
    // Written again (a rebuild): replaced, not doubled.
    commit_ok(store, save(&older)).await;
    let all = store.record_conflicts().await.unwrap();
    let mine: Vec<&RecordConflict> = all.iter().filter(|c| c.record == plan).collect();
    assert_eq!(mine, vec![&newer, &older, &incident]);
    let rows = store
        .projection_rows(Projection::RecordConflicts, None, 10_000)
        .await
        .unwrap();
    let row = rows
        .iter()
        .find(|r| r.key == incident.id)
        .expect("the conflict's row");
    assert_eq!(row.doc, serde_json::to_value(&incident).unwrap());
    let faults = store.column_faults(100).await.unwrap();
    assert!(
        faults.iter().all(|f| !f.contains("record_conflicts")),
        "{faults:?}"
    );
}
