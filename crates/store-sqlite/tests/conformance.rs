//! The store conformance suite, on a fresh SQLite file.

use std::sync::Arc;

use kinga_store_sqlite::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("kinga.db")).unwrap();
    kinga_store::conformance::run_all(Arc::new(store)).await;
}
