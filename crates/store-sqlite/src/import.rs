//! Taking in a handed-over ledger: one closure on the write connection that reads the
//! import's batches as they come, so the whole import is one transaction (a killed process
//! leaves the file as it was) while memory holds one batch at a time.
//!
//! The import goes into an empty database, inside one transaction, so it can afford a larger
//! page cache for its duration (`IMPORT_CACHE_KIB`): the indexes of a million events stay in
//! memory instead of being written to the WAL and read back page by page.
//!
//! On a file no other connection has open (the usual case: `kinga handover import` into a new
//! instance) the import runs in rollback-journal mode instead of WAL. In WAL mode every page
//! of the transaction is written twice, once to the WAL and once more when the checkpoint
//! copies it into the database; in rollback-journal mode SQLite journals only the pages that
//! existed before the transaction, so the new pages of an import into an empty database are
//! written once. Atomicity is the same: a crash leaves a hot journal, and the next opening
//! rolls the file back to the empty database it was. `synchronous=EXTRA` makes the
//! journal's deletion (the commit point in this mode) as durable as a WAL commit under
//! `FULL`. WAL mode comes back right after the commit. When another connection holds the
//! file (a server on the same database), the import goes through the WAL like any write.
//!
//! Every index stays in place while the rows go in. Dropping the plain ones and building them
//! again at the end was tried and measured (2026-11-30): each `CREATE INDEX` scans the whole
//! alerts table, a million events' 1.3 GB of documents read back through the WAL eight
//! times, which took longer than keeping the cached indexes up to date row by row
//! (1,000,000 events: 21.9 and 20.6 s with the drop, 19.0 and 17.6 s without).

use std::sync::mpsc::{Receiver, SyncSender};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::mpsc;

use kinga_store::support::{ImportChains, Prepared, prepare_import, to_sql_int};
use kinga_store::{ImportBatch, ImportReport, StoreError, Write};

use crate::connect::BUSY_TIMEOUT;
use crate::error::Result;
use crate::project::{self, AppendError, NewAlertRow};

/// Page cache during an import, in KiB (the writer's usual 32 MiB holds the indexes of some
/// hundred thousand events; this holds those of several million).
const IMPORT_CACHE_KIB: i64 = 256 * 1024;

/// What the preparing thread hands the writer: rows with their new alerts already encoded.
type Ready = Prepared<Vec<Row>>;

enum Row {
    NewAlert(NewAlertRow),
    Other(Write),
}

/// The whole import in one transaction of its own, in rollback-journal mode when the file is
/// this connection's alone.
pub(crate) fn run_alone(
    conn: &mut Connection,
    own: &str,
    batches: mpsc::Receiver<ImportBatch>,
) -> Result<ImportReport> {
    let rollback = into_rollback_journal(conn);
    let imported = (|| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let report = run(&tx, own, batches)?;
        tx.commit()?;
        Ok(report)
    })();
    if rollback {
        back_to_wal(conn);
    }
    imported
}

/// Switch to rollback-journal mode with the commit made durable by a synced directory;
/// false, still in WAL mode, when another connection has the file open.
fn into_rollback_journal(conn: &Connection) -> bool {
    // At once: when another process holds the file, waiting for it gains nothing.
    if conn.busy_timeout(Duration::ZERO).is_err() {
        return false;
    }
    let mode = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| {
        r.get::<_, String>(0)
    });
    if let Err(e) = conn.busy_timeout(BUSY_TIMEOUT) {
        tracing::warn!(error = %e, "cannot restore the busy timeout");
    }
    match mode {
        Ok(m) if m.eq_ignore_ascii_case("delete") => {
            if conn.pragma_update(None, "synchronous", "EXTRA").is_ok() {
                return true;
            }
            back_to_wal(conn);
            false
        }
        Ok(_) => false,
        Err(e) => {
            tracing::info!(error = %e, "another connection holds the database: the import goes through the WAL");
            false
        }
    }
}

/// WAL mode and `synchronous=FULL` again, as every write expects. Failing that (never seen),
/// the file stays in rollback-journal mode, as safe, until the next opening sets WAL again.
fn back_to_wal(conn: &Connection) {
    let mode = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0));
    match mode {
        Ok(m) if m.eq_ignore_ascii_case("wal") => {}
        Ok(m) => tracing::warn!(mode = %m, "the database stayed out of WAL mode after the import"),
        Err(e) => {
            tracing::warn!(error = %e, "the database stayed out of WAL mode after the import")
        }
    }
    if let Err(e) = conn.pragma_update(None, "synchronous", "FULL") {
        tracing::warn!(error = %e, "cannot set synchronous=FULL again");
    }
}

/// Write every batch until `Commit`; an error (or batches that stop) undoes it all, since it
/// runs inside [`run_alone`]'s transaction.
fn run(conn: &Connection, own: &str, batches: mpsc::Receiver<ImportBatch>) -> Result<ImportReport> {
    let held: i64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
    if held > 0 {
        return Err(StoreError::Backend(format!(
            "the database already holds {held} events: a handover is imported into an empty one"
        ))
        .into());
    }
    let usual: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
    // The chain checks (a hash per event) and the encoding of rows run on a second thread,
    // beside the writer's SQL: the import has two cores' work to do.
    let (ready, taken) = std::sync::mpsc::sync_channel::<Ready>(4);
    let (prepared, written) = std::thread::scope(|s| {
        let preparing = s.spawn(move || prepare(own, batches, ready));
        let written = write(conn, taken);
        (preparing.join(), written)
    });
    // The usual cache again, whatever happened (the writer goes on serving commits).
    let restored = conn.pragma_update(None, "cache_size", usual);
    let lost = || StoreError::Backend("the import's preparing thread stopped".into());
    // The writer's own error first; when the preparer stopped it, the preparer's (a fault in
    // the package, or batches that ended before `Commit`).
    let rows = match written? {
        Some(rows) => rows,
        None => {
            return Err(prepared
                .map_err(|_| lost())?
                .err()
                .unwrap_or_else(|| lost().into()));
        }
    };
    let chains = prepared.map_err(|_| lost())??;
    restored?;
    // New alerts number after the imported ones.
    let floor = to_sql_int(chains.highest_reference() + 1, "reference counter")?;
    conn.prepare_cached(
        "UPDATE counters SET value = max(value, ?1) WHERE name = 'alert_reference'",
    )?
    .execute([floor])?;
    Ok(chains.report(rows))
}

/// Check each event's chain and encode the rows, in the order sent, handing them to the
/// writer; the chains once `Commit` has been handed on.
fn prepare(
    own: &str,
    batches: mpsc::Receiver<ImportBatch>,
    ready: SyncSender<Ready>,
) -> Result<ImportChains> {
    prepare_import(own, batches, encode, |next| ready.send(next).is_ok())
}

/// A batch of rows as the writer inserts them: each new alert's columns and document encoded.
fn encode(writes: Vec<Write>) -> Result<Vec<Row>> {
    writes
        .into_iter()
        .map(|w| {
            Ok(match w {
                Write::Alert {
                    alert,
                    expected_version: None,
                } => Row::NewAlert(NewAlertRow::of(&alert)?),
                other => Row::Other(other),
            })
        })
        .collect()
}

/// Write what the preparing thread hands on until `Commit`; the number of rows written, or
/// `None` when the preparer stopped first.
fn write(conn: &Connection, taken: Receiver<Ready>) -> Result<Option<u64>> {
    let mut rows = 0u64;
    loop {
        // A preparer that stops without `Commit` found a fault: it reports it.
        let Ok(next) = taken.recv() else {
            return Ok(None);
        };
        match next {
            Prepared::Events(events) => {
                project::append(conn, &events).map_err(|e| match e {
                    AppendError::StaleHead(e) | AppendError::Other(e) => e,
                })?;
            }
            Prepared::Rows(batch) => {
                for row in &batch {
                    match row {
                        Row::NewAlert(a) => a.insert(conn)?,
                        Row::Other(w) => project::apply(conn, w)?,
                    }
                    rows += 1;
                }
            }
            Prepared::Meta(values) => {
                for (name, value) in values {
                    conn.prepare_cached(
                        "INSERT INTO meta (name, value) VALUES (?1, ?2)
                         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    )?
                    .execute([name, value])?;
                }
            }
            Prepared::Commit => break,
        }
    }
    Ok(Some(rows))
}
