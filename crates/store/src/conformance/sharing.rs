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
