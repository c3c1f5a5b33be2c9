//! The store conformance suite, on a fresh SQLite file.

use std::sync::Arc;

use kinga_store_sqlite::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("kinga.db")).unwrap();
    kinga_store::conformance::run_all(Arc::new(store)).await;
}

/// On demand: `cargo test --release -p kinga-store-sqlite --test conformance -- --ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing depends on the machine; run on demand"]
async fn queue_page_over_ten_thousand_open_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("kinga.db")).unwrap();
    kinga_store::conformance::check_queue_speed(
        &store,
        10_000,
        std::time::Duration::from_millis(30),
    )
    .await;
}
