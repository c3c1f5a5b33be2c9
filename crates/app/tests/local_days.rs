//! Days are the deployment's local days (Goma, UTC+2 by default), not UTC's: from 22:00 UTC
//! it is already tomorrow there.

mod support;

use chrono::{NaiveDate, TimeZone, Utc};

use kinga_app::Caller;
use kinga_domain::agreement::AgreementInput;
use kinga_handover::InstanceKey;

#[tokio::test]
async fn an_agreement_ends_at_local_midnight() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, clock) = support::open_app(&dir).await;
    let system = Caller::system();
    let key = InstanceKey::from_seed([7; 32]).public();
    app.add_peer(
        &system,
        "cndh",
        "https://cndh.example.org",
        &key.to_string(),
    )
    .await
    .expect("peer");
    let last_day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("day");
    let input = AgreementInput {
        peer: "cndh".into(),
        organisation: "Commission nationale des droits de l'homme".into(),
        compartments: vec![],
        withheld_fields: vec![],
        level: "records".into(),
        purpose: "Suivi après le départ".into(),
        valid_from: NaiveDate::from_ymd_opt(2026, 1, 1).expect("day"),
        valid_until: last_day,
    };
    let agreement = app.add_agreement(&system, &input).await.expect("agreement");

    // 23:30 in Goma on its last day: still in force.
    clock.set(Utc.with_ymd_and_hms(2026, 3, 2, 21, 30, 0).unwrap());
    assert_eq!(app.local_today(), last_day);
    let chosen = app
        .agreement_for(&system, &key, None)
        .await
        .expect("in force");
    assert_eq!(chosen.map(|a| a.id), Some(agreement.id.clone()));

    // 00:30 in Goma the next day, still 2 March in UTC: it has ended.
    clock.set(Utc.with_ymd_and_hms(2026, 3, 2, 22, 30, 0).unwrap());
    assert!(app.local_today() > last_day);
    let refused = app.agreement_for(&system, &key, None).await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("in force on 2026-03-03")),
        "{refused:?}"
    );
}
