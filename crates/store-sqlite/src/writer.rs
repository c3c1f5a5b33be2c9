//! The single writer: one thread owns the write connection and serves queued writes in groups,
//! one transaction (and one fsync) per group, each write inside its own savepoint so that a
//! failing one is undone alone.

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use kinga_ledger::Event;
use kinga_store::support::{
    ChainHead, MAX_BATCH, WriterCounters, WriterStats, drain_batch, from_sql_int,
};
use kinga_store::{Commit, StoreError, StoreResult, Write};

use crate::checkpoint::Checkpoints;
use crate::error::Result;
use crate::project::{self, AppendError};
use crate::read::Readers;

/// Writes queued beyond this make callers wait (back-pressure instead of unbounded memory).
const QUEUE: usize = 4096;

/// Writes between two refreshes of the query planner's statistics.
const OPTIMIZE_EVERY: u64 = 50_000;

/// Work other than a commit, run on the write connection inside a savepoint.
pub(crate) type Exec = Box<dyn FnOnce(&Connection) -> Result<()> + Send>;

/// Work run on the write connection on its own, outside any transaction: it opens (and
/// ends) its own.
pub(crate) type Alone = Box<dyn FnOnce(&mut Connection) -> Result<()> + Send>;

enum Work {
    Commit(Commit),
    Exec(Exec),
    Alone(Alone),
}

/// Where writer work leaves the value it hands back.
type Slot<T> = Arc<std::sync::Mutex<Option<T>>>;

fn put<T>(slot: &Slot<T>, value: T) -> Result<()> {
    if let Ok(mut v) = slot.lock() {
        *v = Some(value);
    }
    Ok(())
}

struct Job {
    work: Work,
    reply: oneshot::Sender<StoreResult<Vec<Event>>>,
}

/// The application side of the writer: queue work and wait for it to be durable.
#[derive(Clone)]
pub(crate) struct WriterHandle {
    tx: mpsc::Sender<Job>,
    counters: Arc<WriterCounters>,
}

impl WriterHandle {
    /// Start the writer thread on `conn`, which must already be migrated, and its checkpoint
    /// thread, which reads through `readers`.
    pub(crate) fn start(
        conn: Connection,
        origin: String,
        readers: Arc<Readers>,
    ) -> Result<WriterHandle> {
        let head = load_head(&conn, &origin)?;
        let checkpoints = Checkpoints::start(&conn, readers)?;
        let counters = Arc::new(WriterCounters::default());
        let (tx, rx) = mpsc::channel(QUEUE);
        let writer = Writer {
            conn,
            origin,
            head,
            counters: counters.clone(),
            since_optimize: 0,
            checkpoints,
        };
        std::thread::Builder::new()
            .name("kinga-sqlite-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| StoreError::Backend(format!("cannot start the writer thread: {e}")))?;
        Ok(WriterHandle { tx, counters })
    }

    /// Seal and write a commit; answers once it is durable.
    pub(crate) async fn commit(&self, commit: Commit) -> StoreResult<Vec<Event>> {
        self.send(Work::Commit(commit)).await
    }

    /// Run `f` on the write connection in the next group; answers once it is durable.
    pub(crate) async fn exec(
        &self,
        f: impl FnOnce(&Connection) -> Result<()> + Send + 'static,
    ) -> StoreResult<()> {
        self.send(Work::Exec(Box::new(f))).await.map(|_| ())
    }

    /// [`WriterHandle::exec`] for work that hands back a value: writer work answers only
    /// success or failure, so the value comes back through a slot. `what` names the work in
    /// the (never expected) error of a value that did not come back.
    pub(crate) async fn answer<T: Send + 'static>(
        &self,
        what: &str,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.answered(what, |out| Work::Exec(Box::new(move |c| put(&out, f(c)?))))
            .await
    }

    /// [`WriterHandle::answer`] for work that runs alone, in a transaction of its own making.
    pub(crate) async fn answer_alone<T: Send + 'static>(
        &self,
        what: &str,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.answered(what, |out| Work::Alone(Box::new(move |c| put(&out, f(c)?))))
            .await
    }

    /// Send the work `make` builds around a slot, and take its value from the slot.
    async fn answered<T: Send + 'static>(
        &self,
        what: &str,
        make: impl FnOnce(Slot<T>) -> Work,
    ) -> StoreResult<T> {
        let slot: Slot<T> = Arc::new(std::sync::Mutex::new(None));
        self.send(make(slot.clone())).await?;
        let value = slot.lock().map(|mut v| v.take());
        value
            .ok()
            .flatten()
            .ok_or_else(|| StoreError::Backend(format!("{what} lost its answer")))
    }

    /// True once the writer thread has stopped.
    pub(crate) fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// A snapshot of the counters.
    pub(crate) fn stats(&self) -> WriterStats {
        self.counters.snapshot()
    }

    async fn send(&self, work: Work) -> StoreResult<Vec<Event>> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { work, reply })
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }
}

struct Writer {
    conn: Connection,
    origin: String,
    /// Head of this instance's chain as of the last committed group.
    head: ChainHead,
    counters: Arc<WriterCounters>,
    /// Writes since the planner statistics were last refreshed.
    since_optimize: u64,
    checkpoints: Checkpoints,
}

impl Writer {
    fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        // Ends when the store (every sender) is dropped; closing the connection checkpoints.
        while let Some(first) = rx.blocking_recv() {
            let jobs = drain_batch(first, &mut rx, MAX_BATCH);
            self.serve(jobs);
        }
        tracing::debug!("SQLite writer stopped");
    }

    /// Serve a batch in order: runs of ordinary work in groups, work that must run alone
    /// between them.
    fn serve(&mut self, jobs: Vec<Job>) {
        let mut group = Vec::with_capacity(jobs.len());
        for job in jobs {
            match job.work {
                Work::Alone(f) => {
                    self.serve_group(std::mem::take(&mut group));
                    let result = f(&mut self.conn).map(|()| Vec::new()).map_err(Into::into);
                    // It may have written anything: the head is read again.
                    self.reload_head();
                    let _ = job.reply.send(result);
                }
                work => group.push(Job {
                    work,
                    reply: job.reply,
                }),
            }
        }
        self.serve_group(group);
    }

    fn serve_group(&mut self, jobs: Vec<Job>) {
        if jobs.is_empty() {
            return;
        }
        let n = jobs.len() as u64;
        let (works, replies): (Vec<Work>, Vec<_>) =
            jobs.into_iter().map(|j| (j.work, j.reply)).unzip();
        let mut head = self.head.clone();
        let mut stale = false;
        match apply_group(&mut self.conn, &self.origin, &mut head, &mut stale, works) {
            Ok(results) => {
                self.head = head;
                self.counters.committed(n);
                for (reply, result) in replies.into_iter().zip(results) {
                    // A caller that gave up waiting still had its write made; nothing to undo.
                    let _ = reply.send(result);
                }
                // After the answers: a checkpoint here (rare) delays nobody's.
                self.checkpoints.after_commit(&self.conn);
            }
            Err(e) => {
                let e = StoreError::from(e);
                tracing::error!(error = %e, writes = n, "SQLite group commit failed; every write in it is refused");
                self.counters.failed();
                for reply in replies {
                    let _ = reply.send(Err(StoreError::Backend(format!(
                        "the write was not saved: {e}"
                    ))));
                }
                stale = true;
            }
        }
        self.since_optimize += n;
        if self.since_optimize >= OPTIMIZE_EVERY {
            self.since_optimize = 0;
            // Cheap when nothing changed much; keeps plans right as the tables grow.
            if let Err(e) = self.conn.execute_batch("PRAGMA optimize") {
                tracing::warn!(error = %e, "PRAGMA optimize failed");
            }
        }
        if stale {
            self.reload_head();
        }
    }

    /// Read this instance's chain head again from the database.
    fn reload_head(&mut self) {
        match load_head(&self.conn, &self.origin) {
            Ok(head) => self.head = head,
            Err(e) => {
                tracing::error!(error = %StoreError::from(e), "cannot reload the chain head")
            }
        }
    }
}

/// One transaction for the whole group. Returns each job's answer, or an error when the
/// transaction itself failed (then nothing of the group was written).
///
/// A group of commits that only add rows or change alerts (what intake and follow-ups
/// commit: [`plain`]) is first written with no savepoint: each savepoint and its release cost
/// two statements and an emptying of the in-memory journal per write, a sixth of the
/// writer's time under a flood. If anything
/// in it fails the transaction is rolled back whole and the group written again the careful
/// way, each job in its own savepoint, so that every job still gets its own answer.
fn apply_group(
    conn: &mut Connection,
    origin: &str,
    head: &mut ChainHead,
    stale: &mut bool,
    works: Vec<Work>,
) -> Result<Vec<StoreResult<Vec<Event>>>> {
    if plain(&works) {
        let commits = works.iter().filter_map(|w| match w {
            Work::Commit(c) => Some(c),
            Work::Exec(_) | Work::Alone(_) => None,
        });
        if let Some(results) = apply_plain(conn, origin, head, stale, commits)? {
            return Ok(results);
        }
    }
    apply_careful(conn, origin, head, stale, works)
}

/// Whether a group may be tried without savepoints: commits only (a closure cannot be run
/// twice), whose writes are all alerts (new, or changed on the version they were decided
/// on: a follow-up), outbox messages, idempotency records or audit entries, so that a
/// failure, and the second pass it costs, is rare. A change on a stale version fails the
/// pass like a duplicate, and the careful pass answers it alone.
fn plain(works: &[Work]) -> bool {
    works.iter().all(|w| match w {
        Work::Commit(c) => c.writes.iter().all(|w| {
            matches!(
                w,
                Write::Alert { .. } | Write::Outbox(_) | Write::Idempotency(_) | Write::Audit(_)
            )
        }),
        Work::Exec(_) | Work::Alone(_) => false,
    })
}

/// The group in one transaction with no savepoint; `None`, with nothing written and the head
/// as it was, when any commit of it failed.
fn apply_plain<'c>(
    conn: &mut Connection,
    origin: &str,
    head: &mut ChainHead,
    stale: &mut bool,
    commits: impl Iterator<Item = &'c Commit>,
) -> Result<Option<Vec<StoreResult<Vec<Event>>>>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    *head = load_head(&tx, origin)?;
    let before = head.clone();
    let mut results = Vec::new();
    for commit in commits {
        match apply_commit(&tx, origin, head, commit, stale) {
            Ok(events) => results.push(Ok(events)),
            Err(_) => {
                // Dropping the transaction rolls it back; the careful pass answers each job.
                drop(tx);
                *head = before;
                return Ok(None);
            }
        }
    }
    tx.commit()?;
    Ok(Some(results))
}

/// One transaction for the whole group; each job in a savepoint.
fn apply_careful(
    conn: &mut Connection,
    origin: &str,
    head: &mut ChainHead,
    stale: &mut bool,
    works: Vec<Work>,
) -> Result<Vec<StoreResult<Vec<Event>>>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // The file may be shared with another process (`kinga user add` beside a running server):
    // under the write lock nobody else can append, so the stored head is the true one.
    *head = load_head(&tx, origin)?;
    let mut results = Vec::with_capacity(works.len());
    for work in works {
        // Savepoints through cached statements: rusqlite's `savepoint()` parses a new
        // `SAVEPOINT` statement (and its release) for every write.
        run_cached(&tx, "SAVEPOINT kinga_write")?;
        let before = head.clone();
        let outcome = match work {
            Work::Commit(commit) => apply_commit(&tx, origin, head, &commit, stale),
            Work::Exec(f) => f(&tx).map(|()| Vec::new()),
            // `serve` runs it between groups, never in one.
            Work::Alone(_) => Err(StoreError::Backend("work meant to run alone".into()).into()),
        };
        match outcome {
            Ok(events) => {
                run_cached(&tx, "RELEASE kinga_write")?;
                results.push(Ok(events));
            }
            Err(e) => {
                // The head moves only past savepoints that are kept.
                *head = before;
                run_cached(&tx, "ROLLBACK TO kinga_write")?;
                run_cached(&tx, "RELEASE kinga_write")?;
                results.push(Err(e.into()));
            }
        }
    }
    tx.commit()?;
    Ok(results)
}

/// Run a statement that returns no rows through the connection's statement cache.
fn run_cached(conn: &Connection, sql: &str) -> Result<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

fn apply_commit(
    conn: &Connection,
    origin: &str,
    head: &mut ChainHead,
    commit: &Commit,
    stale: &mut bool,
) -> Result<Vec<Event>> {
    let events = head.seal(origin, &commit.events)?;
    match project::append(conn, &events) {
        Ok(()) => {}
        Err(AppendError::StaleHead(e)) => {
            *stale = true;
            tracing::error!(error = %e, "chain head is behind the database: is another process writing to it?");
            return Err(StoreError::Backend(
                "another process wrote to this database; try again".into(),
            )
            .into());
        }
        Err(AppendError::Other(e)) => return Err(e),
    }
    for write in &commit.writes {
        project::apply(conn, write)?;
    }
    Ok(events)
}

/// The head of `origin`'s chain as stored.
fn load_head(conn: &Connection, origin: &str) -> Result<ChainHead> {
    let row: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM events WHERE origin = ?1 ORDER BY seq DESC LIMIT 1",
            [origin],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match row {
        Some((seq, hash)) => Ok(ChainHead {
            seq: from_sql_int(seq, "sequence number")?,
            hash,
        }),
        None => Ok(ChainHead::default()),
    }
}
