//! `kinga verify` against alert rows changed behind Kinga's back: one edited, one deleted and
//! one added are each found and named, and an untouched database is intact. (The alerts are
//! compared as folded, each made a document only when its row is read.)

mod support;

use kinga_app::Caller;
use kinga_domain::people::Role;

#[tokio::test]
async fn edited_deleted_and_added_alert_rows_are_each_named() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, _clock) = support::open_app(&dir).await;
    support::add_walikale(&app).await;
    let edited = support::killing_at_walikale(&app, "Trois civils tués à Walikale").await;
    let deleted = support::killing_at_walikale(&app, "Deux maisons brûlées à Walikale").await;
    let _kept = support::killing_at_walikale(&app, "Hommes armés vus au marché de Walikale").await;
    let admin = Caller::acting("admin", Role::Administrator);
    let quiet = |_: u64, _: u64| {};

    let report = app.verify(&admin, &quiet).await.expect("verify");
    assert!(report.intact(), "{:?}", report.faults);

    let db = rusqlite::Connection::open(dir.path().join("k.db")).expect("open");
    db.execute(
        "UPDATE alerts SET doc = json_set(doc, '$.text', 'rien') WHERE id = ?1",
        [&edited],
    )
    .expect("edit");
    db.execute("DELETE FROM alerts WHERE id = ?1", [&deleted])
        .expect("delete");
    db.execute(
        "INSERT INTO alerts SELECT 'ZZ-ADDED', 'K-999999', state, open, severity, threat_type,
             place, uncovered, reported_at, received_at, next_deadline, reporter_digest,
             assigned, version, doc, taken_by, unheard FROM alerts WHERE id = ?1",
        [&edited],
    )
    .expect("add");
    drop(db);

    let report = app.verify(&admin, &quiet).await.expect("verify");
    let faults = report.faults.join("\n");
    assert!(
        faults.contains(&format!("alerts row {edited} was changed"))
            && faults.contains("field 'text'"),
        "{faults}"
    );
    assert!(
        faults.contains(&format!("alerts row {deleted} is missing")),
        "{faults}"
    );
    assert!(
        faults.contains("alerts row ZZ-ADDED has no event in the ledger"),
        "{faults}"
    );
}
