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

use rusqlite::Connection;
use tokio::sync::mpsc;

use kinga_store::support::{ImportChains, to_sql_int};
use kinga_store::{ImportBatch, ImportReport, StoreError};

use crate::error::Result;
use crate::project::{self, AppendError};

/// Page cache during an import, in KiB (the writer's usual 32 MiB holds the indexes of some
/// hundred thousand events; this holds those of several million).
const IMPORT_CACHE_KIB: i64 = 256 * 1024;

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
    let result = take_in(conn, own, batches);
    // The usual cache again, whatever happened (the writer goes on serving commits).
    let restored = conn.pragma_update(None, "cache_size", usual);
    let report = result?;
    restored?;
    Ok(report)
}

fn take_in(
    conn: &Connection,
    own: &str,
    mut batches: mpsc::Receiver<ImportBatch>,
) -> Result<ImportReport> {
    let mut chains = ImportChains::new(own);
    let mut rows = 0u64;
    // The plain indexes dropped once the rows start, to build again at the end.
    let mut deferred: Option<Vec<String>> = None;
    loop {
        match batches.blocking_recv() {
            Some(ImportBatch::Events(events)) => {
                for e in &events {
                    chains.check(e)?;
                }
                project::append(conn, &events).map_err(|e| match e {
                    AppendError::StaleHead(e) | AppendError::Other(e) => e,
                })?;
            }
            Some(ImportBatch::Rows(writes)) => {
                if deferred.is_none() {
                    deferred = Some(drop_plain_indexes(conn)?);
                }
                for w in &writes {
                    chains.row(w);
                    project::apply(conn, w)?;
                    rows += 1;
                }
            }
            Some(ImportBatch::Meta(values)) => {
                for (name, value) in values {
                    conn.prepare_cached(
                        "INSERT INTO meta (name, value) VALUES (?1, ?2)
                         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    )?
                    .execute([name, value])?;
                }
            }
            Some(ImportBatch::Commit) => break,
            None => {
                return Err(StoreError::Backend(
                    "the import stopped before its end; nothing of it was written".into(),
                )
                .into());
            }
        }
    }
    for sql in deferred.unwrap_or_default() {
        conn.execute_batch(&sql)?;
    }
    // New alerts number after the imported ones.
    let floor = to_sql_int(chains.highest_reference() + 1, "reference counter")?;
    conn.prepare_cached(
        "UPDATE counters SET value = max(value, ?1) WHERE name = 'alert_reference'",
    )?
    .execute([floor])?;
    Ok(chains.report(rows))
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
