//! The store conformance suite, on a fresh SQLite file.

use std::sync::Arc;

use kinga_store_sqlite::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_passes_the_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("kinga.db")).unwrap();
    kinga_store::conformance::run_all(Arc::new(store)).await;
}

/// Two stores on one file (two servers, or `kinga demo` beside one) never hand out the same
/// alert reference.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_on_one_file_hand_out_distinct_references() {
    use kinga_store::Store;
    let dir = tempfile::tempdir().unwrap();
    let a = Arc::new(SqliteStore::open(dir.path().join("kinga.db")).unwrap());
    let b = Arc::new(SqliteStore::open(dir.path().join("kinga.db")).unwrap());
    let mut tasks = vec![];
    for i in 0..300 {
        let s = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(
            async move { s.next_reference().await.unwrap() },
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for t in tasks {
        assert!(
            seen.insert(t.await.unwrap()),
            "a reference was handed out twice"
        );
    }
    assert_eq!(seen.len(), 300);
}

/// The schema of the file, object by object, with the SQL that made each.
fn schema(path: &std::path::Path) -> Vec<(String, String, Option<String>)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// After refused imports and a complete one the schema is the migrated one, index for index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_leaves_the_schema_as_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kinga.db");
    let store = SqliteStore::open(&path).unwrap();
    let before = schema(&path);
    assert!(
        before
            .iter()
            .any(|(kind, name, _)| kind == "index" && name == "alerts_triage"),
        "the migrated schema has the alerts' plain indexes"
    );
    kinga_store::conformance::check_import(&store).await;
    assert_eq!(schema(&path), before);
}
