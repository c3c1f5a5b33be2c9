//! The writer task of this process: commits queued together share one transaction, each in its
//! own savepoint so that a failing one is undone alone. Each group locks this instance's
//! chain head first, so servers sharing the database take turns and never fork the chain.

use std::collections::HashSet;
use std::sync::Arc;

use deadpool_postgres::Pool;
use tokio::sync::{mpsc, oneshot};

use kinga_ledger::Event;
use kinga_store::support::{
    ChainHead, WriterCounters, WriterStats, drain_batch, from_sql_int, to_sql_int,
};
use kinga_store::{Commit, StoreError, StoreResult, Write};

use crate::error::Result;
use crate::project;

/// Commits queued beyond this make callers wait.
const QUEUE: usize = 4096;

/// Commits per transaction on the careful path. Each savepoint that writes is a
/// subtransaction, and PostgreSQL slows every session's snapshots once a transaction holds
/// more than 64 of them.
const MAX_GROUP: usize = 60;

/// Commits per transaction on the pipelined path, which takes no savepoint.
const MAX_PIPELINED: usize = 256;

/// Name of the savepoint around each commit.
const SAVEPOINT: &str = "kinga_commit";

struct Job {
    commit: Commit,
    reply: oneshot::Sender<StoreResult<Vec<Event>>>,
}

/// The application side of the writer: queue a commit and wait for it to be durable.
pub(crate) struct WriterHandle {
    tx: mpsc::Sender<Job>,
    counters: Arc<WriterCounters>,
}

impl WriterHandle {
    /// Start the writer task; it ends when the handle is dropped.
    pub(crate) fn start(pool: Pool, origin: String) -> WriterHandle {
        let counters = Arc::new(WriterCounters::default());
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, origin, rx, counters.clone()));
        WriterHandle { tx, counters }
    }

    /// Seal and write a commit; answers once it is committed.
    pub(crate) async fn commit(&self, commit: Commit) -> StoreResult<Vec<Event>> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { commit, reply })
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    /// True once the writer task has stopped.
    pub(crate) fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// A snapshot of the counters.
    pub(crate) fn stats(&self) -> WriterStats {
        self.counters.snapshot()
    }
}

async fn run(
    pool: Pool,
    origin: String,
    mut rx: mpsc::Receiver<Job>,
    counters: Arc<WriterCounters>,
) {
    while let Some(first) = rx.recv().await {
        let jobs = drain_batch(first, &mut rx, MAX_PIPELINED);
        let n = jobs.len() as u64;
        let (commits, replies): (Vec<Commit>, Vec<_>) =
            jobs.into_iter().map(|j| (j.commit, j.reply)).unzip();
        match apply_any(&pool, &origin, commits).await {
            Ok(results) => {
                counters.committed(n);
                for (reply, result) in replies.into_iter().zip(results) {
                    // A caller that gave up waiting still had its commit made; nothing to undo.
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                let e = StoreError::from(e);
                tracing::error!(error = %e, commits = n, "PostgreSQL group commit failed; every commit in it is refused");
                counters.failed();
                for reply in replies {
                    let _ = reply.send(Err(StoreError::Backend(format!(
                        "the commit was not saved: {e}"
                    ))));
                }
            }
        }
    }
    tracing::debug!("PostgreSQL writer stopped");
}

/// The group pipelined when it can be and nothing in it fails; else one savepoint per commit,
/// [`MAX_GROUP`] commits per transaction. Returns each commit's answer.
async fn apply_any(
    pool: &Pool,
    origin: &str,
    commits: Vec<Commit>,
) -> Result<Vec<StoreResult<Vec<Event>>>> {
    if pipelinable(&commits) {
        if let Some(results) = apply_pipelined(pool, origin, &commits).await? {
            return Ok(results);
        }
    }
    let mut results = Vec::with_capacity(commits.len());
    let mut commits = commits.into_iter().peekable();
    while commits.peek().is_some() {
        let chunk: Vec<Commit> = commits.by_ref().take(MAX_GROUP).collect();
        results.extend(apply_group(pool, origin, chunk).await?);
    }
    Ok(results)
}

/// Whether the group's writes may all be sent at once, in any order: only alerts (new, or
/// changed on the version they were decided on: a follow-up), outbox messages, idempotency
/// records and audit entries, no two of them for one alert or message (what intake and
/// follow-ups commit). A change on a stale version fails the pipelined pass, and the
/// careful path answers it alone. Anything else takes the careful path at once.
fn pipelinable(commits: &[Commit]) -> bool {
    let (mut alerts, mut messages) = (HashSet::new(), HashSet::new());
    commits.iter().flat_map(|c| &c.writes).all(|w| match w {
        Write::Alert { alert, .. } => alerts.insert(alert.id.as_str()),
        Write::Outbox(m) => messages.insert(m.id.as_str()),
        Write::Idempotency(_) | Write::Audit(_) => true,
        _ => false,
    })
}

/// The group in one transaction with every statement sent at once (pipelined on the one
/// connection) and no savepoint: under a flood each savepoint cost two round trips per
/// alert, and the statements one round trip each, all waited for in turn by the one writer.
/// `None` when anything failed: the transaction is then rolled back whole, nothing of it
/// written, and the caller takes the careful path so that each commit gets its own answer.
async fn apply_pipelined(
    pool: &Pool,
    origin: &str,
    commits: &[Commit],
) -> Result<Option<Vec<StoreResult<Vec<Event>>>>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let sealing = commits.iter().any(|c| !c.events.is_empty());
    let start = if sealing {
        Some(lock_head(&tx, origin).await?)
    } else {
        None
    };
    let mut head = start.clone().unwrap_or_default();
    let mut sealed = Vec::with_capacity(commits.len());
    for commit in commits {
        match head.seal(origin, &commit.events) {
            Ok(events) => sealed.push(events),
            Err(_) => {
                tx.rollback().await?;
                return Ok(None);
            }
        }
    }
    let events: Vec<&Event> = sealed.iter().flatten().collect();
    let writes = commits.iter().flat_map(|c| &c.writes);
    let (appended, applied) = futures::future::join(
        project::append_all(&tx, &events),
        futures::future::join_all(writes.map(|w| project::apply(&tx, w))),
    )
    .await;
    if appended.is_err() || applied.iter().any(Result::is_err) {
        tx.rollback().await?;
        return Ok(None);
    }
    if start.is_some_and(|s| s != head) {
        let stmt = tx
            .prepare_cached("UPDATE chain_heads SET seq = $2, hash = $3 WHERE origin = $1")
            .await?;
        tx.execute(
            &stmt,
            &[
                &origin,
                &to_sql_int(head.seq, "sequence number")?,
                &head.hash,
            ],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Some(sealed.into_iter().map(Ok).collect()))
}

/// One transaction for the whole group; each commit in a savepoint. Returns each commit's
/// answer, or an error when the transaction itself failed (then nothing of it was written).
async fn apply_group(
    pool: &Pool,
    origin: &str,
    commits: Vec<Commit>,
) -> Result<Vec<StoreResult<Vec<Event>>>> {
    let mut client = pool.get().await?;
    let mut tx = client.transaction().await?;
    let sealing = commits.iter().any(|c| !c.events.is_empty());
    let start = if sealing {
        Some(lock_head(&tx, origin).await?)
    } else {
        None
    };
    let mut head = start.clone().unwrap_or_default();
    let mut results = Vec::with_capacity(commits.len());
    for commit in commits {
        let sp = tx.savepoint(SAVEPOINT).await?;
        let before = head.clone();
        let outcome = apply_commit(&sp, origin, &mut head, &commit).await;
        match outcome {
            Ok(events) => {
                sp.commit().await?;
                results.push(Ok(events));
            }
            Err(e) => {
                // The head moves only past savepoints that are kept.
                head = before;
                sp.rollback().await?;
                tx.batch_execute(&format!("RELEASE SAVEPOINT {SAVEPOINT}"))
                    .await?;
                results.push(Err(e.into()));
            }
        }
    }
    if start.is_some_and(|s| s != head) {
        let stmt = tx
            .prepare_cached("UPDATE chain_heads SET seq = $2, hash = $3 WHERE origin = $1")
            .await?;
        tx.execute(
            &stmt,
            &[
                &origin,
                &to_sql_int(head.seq, "sequence number")?,
                &head.hash,
            ],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(results)
}

async fn apply_commit(
    tx: &deadpool_postgres::Transaction<'_>,
    origin: &str,
    head: &mut ChainHead,
    commit: &Commit,
) -> Result<Vec<Event>> {
    let events = head.seal(origin, &commit.events)?;
    project::append(tx, &events).await?;
    for write in &commit.writes {
        project::apply(tx, write).await?;
    }
    Ok(events)
}

/// Lock `origin`'s head row until the transaction ends and read it.
async fn lock_head(tx: &deadpool_postgres::Transaction<'_>, origin: &str) -> Result<ChainHead> {
    let stmt = tx
        .prepare_cached("SELECT seq, hash FROM chain_heads WHERE origin = $1 FOR UPDATE")
        .await?;
    let row = tx.query_opt(&stmt, &[&origin]).await?;
    let Some(row) = row else {
        return Err(StoreError::Backend(format!(
            "no chain head for origin {origin}; was the database migrated?"
        ))
        .into());
    };
    Ok(ChainHead {
        seq: from_sql_int(row.try_get(0)?, "sequence number")?,
        hash: row.try_get(1)?,
    })
}
