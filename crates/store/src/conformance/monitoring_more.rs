//! Checks of the further monitoring tables: Human Rights Due Diligence screenings (newest
//! first, replaced by id) and imported GBVIMS tables (oldest first), each read back by
//! `kinga verify` exactly as written.

use kinga_domain::compartment::Compartment;
use kinga_domain::incident::Sex;
use kinga_domain::incident::hrddp::{RiskRating, Screening, UnitRecord};
use kinga_domain::incident::report::gbvims::{GbvAge, GbvType, GbvimsImport, GbvimsRow};
use kinga_ledger::Payload;

use super::commit_ok;
use super::fixtures::{at, draft, unique};
use crate::{Commit, Projection, Store, Write};

/// Screenings and GBVIMS imports round trip, in their order, and as `kinga verify` reads them.
pub async fn check_monitoring_more(store: &dyn Store) {
    let when = at(2032, 9, 1, 8, 0, 0);
    let mut ids = Vec::new();
    for unit in ["3411e régiment", "12e bataillon"] {
        let s = Screening {
            id: unique("01SCR"),
            unit: unit.into(),
            actor: Some("FARDC".into()),
            support: "fuel".into(),
            record: UnitRecord::default(),
            risk: RiskRating::Low,
            mitigation: vec!["observers".into()],
            compartments: vec![Compartment::General, Compartment::Crsv],
            screened_on: when.date_naive(),
            screened_by: "hro".into(),
            recorded_at: when,
        };
        commit_ok(
            store,
            Commit {
                events: vec![draft(
                    "hro",
                    when,
                    Payload::HrddpScreeningSaved {
                        screening: s.clone(),
                    },
                )],
                writes: vec![Write::HrddpScreening(Box::new(s.clone()))],
            },
        )
        .await;
        ids.push(s);
    }
    let all = store.hrddp_screenings().await.unwrap();
    assert!(ids.iter().all(|s| all.contains(s)));
    // Ids are ULIDs in use: descending id order is newest first.
    assert!(all.windows(2).all(|w| w[0].id > w[1].id));
    let rows = store
        .projection_rows(Projection::HrddpScreenings, None, 10_000)
        .await
        .unwrap();
    let row = rows.iter().find(|r| r.key == ids[0].id).expect("row");
    assert_eq!(row.doc, serde_json::to_value(&ids[0]).unwrap());

    let import = GbvimsImport {
        id: unique("01GBV"),
        provider: "IRC".into(),
        rows: vec![GbvimsRow {
            month: at(2032, 8, 1, 0, 0, 0).date_naive(),
            place: "CD6111".into(),
            gbv_type: GbvType::Rape,
            sex: Sex::Female,
            age: GbvAge::Adult,
            count: 12,
        }],
        imported_by: "hro".into(),
        imported_at: when,
    };
    commit_ok(
        store,
        Commit {
            events: vec![draft(
                "hro",
                when,
                Payload::GbvimsImported {
                    import: import.clone(),
                },
            )],
            writes: vec![Write::GbvimsImport(Box::new(import.clone()))],
        },
    )
    .await;
    assert!(store.gbvims_imports().await.unwrap().contains(&import));
    let rows = store
        .projection_rows(Projection::GbvimsImports, None, 10_000)
        .await
        .unwrap();
    let row = rows.iter().find(|r| r.key == import.id).expect("row");
    assert_eq!(row.doc, serde_json::to_value(&import).unwrap());
}
