//! What the SQLite store promises beyond the trait: an answered commit is on disk, survives the
//! process being killed, and concurrent commits share transactions.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use kinga_domain::ThreatType;
use kinga_ledger::ChainVerifier;
use kinga_store::Store;
use kinga_store::conformance::fixtures::{self, AlertSpec, at};
use kinga_store_sqlite::SqliteStore;

/// Set in the child process of the kill test: the database it writes to.
const CHILD_DB: &str = "KINGA_SQLITE_KILL_TEST_DB";

async fn intake(store: &dyn Store, i: i64) -> kinga_domain::Alert {
    let spec = AlertSpec::new(
        "CD6201",
        ThreatType::Killing,
        4,
        at(2030, 6, 1, 8, 0, 0) + chrono::Duration::seconds(i),
    );
    let alert = fixtures::alert(&spec, store.next_reference().await.unwrap());
    store.commit(fixtures::intake(&alert)).await.unwrap();
    alert
}

async fn verify(store: &dyn Store) -> u64 {
    let mut v = ChainVerifier::new();
    let mut after = 0;
    loop {
        let page = store.events(after, 500).await.unwrap();
        let Some((last, _)) = page.last() else { break };
        after = *last;
        for (_, e) in &page {
            v.check(e).unwrap();
        }
    }
    v.finish().events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answered_commit_is_there_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kinga.db");
    let store = SqliteStore::open(&path).unwrap();
    let instance = store.instance_id().await.unwrap();
    let first = intake(&store, 0).await;
    let second = intake(&store, 1).await;
    let reference: u64 = second.reference.trim_start_matches("K-").parse().unwrap();
    drop(store);

    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store.instance_id().await.unwrap(),
        instance,
        "the instance id is kept in the file"
    );
    assert_eq!(store.alert(&first.id).await.unwrap(), Some(first));
    assert_eq!(store.alert(&second.id).await.unwrap(), Some(second));
    assert!(
        store.next_reference().await.unwrap() > reference,
        "references are never reused"
    );
    let third = intake(&store, 2).await;
    let events = store.events(0, 10).await.unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[2].1.seq, 3, "the chain goes on where it stopped");
    assert_eq!(verify(&store).await, 3);
    assert!(store.alert(&third.id).await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_commits_share_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("kinga.db")).unwrap());
    let before = store.stats();
    let barrier = Arc::new(tokio::sync::Barrier::new(200));
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            let barrier = barrier.clone();
            let spec = AlertSpec::new("CD6201", ThreatType::Clashes, 3, at(2030, 6, 2, 8, 0, 0));
            let alert = fixtures::alert(&spec, 10_000 + i);
            tokio::spawn(async move {
                barrier.wait().await;
                store.commit(fixtures::intake(&alert)).await.unwrap();
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let stats = store.stats();
    let (batches, jobs) = (stats.batches - before.batches, stats.jobs - before.jobs);
    eprintln!("200 concurrent commits in {batches} transactions");
    assert_eq!(jobs, 200);
    assert_eq!(stats.failed_batches, 0);
    assert!(
        batches * 4 <= jobs,
        "200 concurrent commits took {batches} transactions: not grouped"
    );
    assert_eq!(verify(store.as_ref()).await, 200);
}

/// Runs only as the child of `a_killed_writer_loses_no_answered_commit`: commits alerts one
/// after another, printing each id once its commit has been answered, until it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_writes_until_killed() {
    let Ok(path) = std::env::var(CHILD_DB) else {
        return;
    };
    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let tasks: Vec<_> = (0..4)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0.. {
                    let alert = intake(store.as_ref(), w * 1_000_000 + i).await;
                    println!("acked {}", alert.id);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_writer_loses_no_answered_commit() {
    if std::env::var(CHILD_DB).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kinga.db");
    let acked = run_and_kill(&path, 300);
    assert!(acked.len() >= 300);

    let store = SqliteStore::open(&path).unwrap();
    for id in &acked {
        assert!(
            store.alert(id).await.unwrap().is_some(),
            "answered alert {id} was lost"
        );
    }
    let events = verify(&store).await;
    assert!(events >= acked.len() as u64);
}

/// Start the child writer on `path`, SIGKILL it once it has answered `n` commits, and return
/// the ids it reported as answered.
fn run_and_kill(path: &Path, n: usize) -> Vec<String> {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "child_writes_until_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DB, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut acked = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(id) = line.strip_prefix("acked ") {
            acked.push(id.to_string());
            if acked.len() == n {
                child.kill().unwrap();
                break;
            }
        }
    }
    child.wait().unwrap();
    acked
}
