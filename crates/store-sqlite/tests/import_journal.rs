//! An import into a file no other connection has open writes its pages once, in rollback-
//! journal mode; beside another connection it goes through the WAL. Either way it is all or
//! nothing, holds every row afterwards, and leaves the file in WAL mode.

use std::path::Path;

use kinga_domain::ThreatType;
use kinga_ledger::{Event, GENESIS, seal};
use kinga_store::conformance::fixtures::{self, AlertSpec, at, unique};
use kinga_store::conformance::import;
use kinga_store::{ImportBatch, Store, Write};
use kinga_store_sqlite::SqliteStore;

/// Alerts received on another instance: their events, sealed there, and their rows.
fn ledger(alerts: u64) -> (Vec<Event>, Vec<Write>) {
    let origin = unique("kinga-elsewhere-");
    let when = at(2031, 3, 1, 8, 0, 0);
    let alerts: Vec<_> = (0..alerts)
        .map(|i| {
            let spec = AlertSpec::new("CD61", ThreatType::Clashes, 3, when);
            fixtures::alert(&spec, 10_000 + i)
        })
        .collect();
    let mut prev = GENESIS.to_string();
    let events = alerts
        .iter()
        .flat_map(|a| fixtures::intake(a).events)
        .enumerate()
        .map(|(i, d)| {
            let e = seal(&d, &origin, i as u64 + 1, &prev).unwrap();
            prev.clone_from(&e.hash);
            e
        })
        .collect();
    let writes = alerts
        .into_iter()
        .map(|a| Write::Alert {
            alert: Box::new(a),
            expected_version: None,
        })
        .collect();
    (events, writes)
}

fn wal_bytes(db: &Path) -> u64 {
    std::fs::metadata(db.with_extension("db-wal")).map_or(0, |m| m.len())
}

fn journal_mode(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap()
}

/// Import 1,500 alerts (some 4 MB of pages); the WAL's size afterwards.
async fn import_and_measure(store: &SqliteStore, db: &Path) -> u64 {
    store.event_count().await.unwrap();
    let (events, writes) = ledger(1_500);
    // A refused import first: all or nothing in either mode.
    let stopped = import(store, vec![ImportBatch::Events(events.clone())]).await;
    assert!(stopped.is_err());
    assert_eq!(store.event_count().await.unwrap(), 0);
    let report = import(
        store,
        vec![
            ImportBatch::Events(events.clone()),
            ImportBatch::Rows(writes),
            ImportBatch::Commit,
        ],
    )
    .await
    .unwrap();
    assert_eq!(report.events, 1_500);
    let wal = wal_bytes(db);
    assert_eq!(store.event_count().await.unwrap(), 1_500);
    let last = events.last().unwrap();
    assert!(store.alert(&last_alert(last)).await.unwrap().is_some());
    assert_eq!(journal_mode(db), "wal", "the file is left in WAL mode");
    wal
}

/// The alert an intake event names.
fn last_alert(e: &Event) -> String {
    let v: serde_json::Value = serde_json::from_str(&e.payload).unwrap();
    v["alert"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_alone_writes_its_pages_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kinga.db");
    let store = SqliteStore::open(&db).unwrap();
    let wal = import_and_measure(&store, &db).await;
    let size = std::fs::metadata(&db).unwrap().len();
    assert!(
        size > 2_000_000,
        "the database holds the import: {size} bytes"
    );
    assert!(
        wal < 100_000,
        "the import's {size} bytes went through the WAL ({wal} bytes)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_beside_another_connection_goes_through_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kinga.db");
    let store = SqliteStore::open(&db).unwrap();
    // Another process's connection (a server on the same file), which has read from it.
    let other = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = other
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    let wal = import_and_measure(&store, &db).await;
    assert!(wal > 2_000_000, "the WAL carried the import: {wal} bytes");
    let n: i64 = other
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1_500, "the other connection reads the import");
}
