//! Taking in a handed-over ledger: one closure on the write connection that reads the
//! import's batches as they come, so the whole import is one transaction (a killed process
//! leaves the file as it was) while memory holds one batch at a time.
//!
//! The import goes into an empty database, inside one transaction, so two things ordinary
//! writes cannot afford are safe here and make it many times faster:
//! - a larger page cache for its duration (`IMPORT_CACHE_KIB`): the indexes of a million
//!   events stay in memory instead of being written to the WAL and read back page by page;
//! - the projections' plain (non-unique) indexes are dropped before the rows go in and built
//!   again from their own `CREATE INDEX` text after the last row, each in one sorted pass
//!   rather than one random insertion per row. This happens inside the import's transaction:
//!   a crash or a refused package rolls the drop back with everything else, and the database
//!   is as it was (empty, with every index) for the import to be run again. Unique indexes and
//!   primary keys stay in place while the rows go in, so every duplicate is refused exactly as
//!   before.

use std::sync::mpsc::{Receiver, SyncSender};

use rusqlite::Connection;
use tokio::sync::mpsc;

use kinga_ledger::Event;
use kinga_store::support::{ImportChains, to_sql_int};
use kinga_store::{ImportBatch, ImportReport, StoreError, Write};

use crate::error::Result;
use crate::project::{self, AppendError, NewAlertRow};

/// Page cache during an import, in KiB (the writer's usual 32 MiB holds the indexes of some
/// hundred thousand events; this holds those of several million).
const IMPORT_CACHE_KIB: i64 = 256 * 1024;

/// What the preparing thread hands the writer, in the order the import sent it.
enum Ready {
    /// Events whose chains were checked.
    Events(Vec<Event>),
    /// Rows, new alerts already encoded.
    Rows(Vec<Row>),
    Meta(Vec<(String, String)>),
    Commit,
}

enum Row {
    NewAlert(NewAlertRow),
    Other(Write),
}

/// Write every batch until `Commit`; an error (or batches that stop) undoes it all, since the
/// writer runs this inside a savepoint of its transaction.
pub(crate) fn run(
    conn: &Connection,
    own: &str,
    batches: mpsc::Receiver<ImportBatch>,
) -> Result<ImportReport> {
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
    mut batches: mpsc::Receiver<ImportBatch>,
    ready: SyncSender<Ready>,
) -> Result<ImportChains> {
    let mut chains = ImportChains::new(own);
    let stopped = || StoreError::Backend("the import's writer stopped".into());
    loop {
        let next = match batches.blocking_recv() {
            Some(ImportBatch::Events(events)) => {
                for e in &events {
                    chains.check(e)?;
                }
                Ready::Events(events)
            }
            Some(ImportBatch::Rows(writes)) => {
                let mut rows = Vec::with_capacity(writes.len());
                for w in writes {
                    chains.row(&w);
                    rows.push(match w {
                        Write::Alert {
                            alert,
                            expected_version: None,
                        } => Row::NewAlert(NewAlertRow::of(&alert)?),
                        other => Row::Other(other),
                    });
                }
                Ready::Rows(rows)
            }
            Some(ImportBatch::Meta(values)) => Ready::Meta(values),
            Some(ImportBatch::Commit) => {
                ready.send(Ready::Commit).map_err(|_| stopped())?;
                return Ok(chains);
            }
            None => {
                return Err(StoreError::Backend(
                    "the import stopped before its end; nothing of it was written".into(),
                )
                .into());
            }
        };
        ready.send(next).map_err(|_| stopped())?;
    }
}

/// Write what the preparing thread hands on until `Commit`; the number of rows written, or
/// `None` when the preparer stopped first.
fn write(conn: &Connection, taken: Receiver<Ready>) -> Result<Option<u64>> {
    let mut rows = 0u64;
    // The plain indexes dropped once the rows start, to build again at the end.
    let mut deferred: Option<Vec<String>> = None;
    loop {
        // A preparer that stops without `Commit` found a fault: it reports it.
        let Ok(next) = taken.recv() else {
            return Ok(None);
        };
        match next {
            Ready::Events(events) => {
                project::append(conn, &events).map_err(|e| match e {
                    AppendError::StaleHead(e) | AppendError::Other(e) => e,
                })?;
            }
            Ready::Rows(batch) => {
                if deferred.is_none() {
                    deferred = Some(drop_plain_indexes(conn)?);
                }
                for row in &batch {
                    match row {
                        Row::NewAlert(a) => a.insert(conn)?,
                        Row::Other(w) => project::apply(conn, w)?,
                    }
                    rows += 1;
                }
            }
            Ready::Meta(values) => {
                for (name, value) in values {
                    conn.prepare_cached(
                        "INSERT INTO meta (name, value) VALUES (?1, ?2)
                         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    )?
                    .execute([name, value])?;
                }
            }
            Ready::Commit => break,
        }
    }
    for sql in deferred.unwrap_or_default() {
        conn.execute_batch(&sql)?;
    }
    Ok(Some(rows))
}
/// Drop the projections' plain indexes (not unique, not the ledger's); their `CREATE INDEX`
/// statements, to run again once the rows are in.
fn drop_plain_indexes(conn: &Connection) -> Result<Vec<String>> {
    // `sql` is NULL for the indexes behind PRIMARY KEY and UNIQUE constraints; unique indexes
    // made by CREATE UNIQUE INDEX are kept too, so duplicates are refused row by row.
    let plain: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema
             WHERE type = 'index' AND sql IS NOT NULL AND tbl_name <> 'events'
               AND upper(sql) NOT LIKE 'CREATE UNIQUE%'
             ORDER BY name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut again = Vec::with_capacity(plain.len());
    for (name, sql) in plain {
        // The name comes from the schema, quoted as an identifier.
        conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        again.push(sql);
    }
    Ok(again)
}
