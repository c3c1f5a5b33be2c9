//! Taking in a handed-over ledger: one closure on the write connection that reads the
//! import's batches as they come, so the whole import is one transaction (a killed process
//! leaves the file as it was) while memory holds one batch at a time.

use rusqlite::Connection;
use tokio::sync::mpsc;

use kinga_store::support::{ImportChains, to_sql_int};
use kinga_store::{ImportBatch, ImportReport, StoreError};

use crate::error::Result;
use crate::project::{self, AppendError};

/// Write every batch until `Commit`; an error (or batches that stop) undoes it all, since the
/// writer runs this inside a savepoint of its transaction.
pub(crate) fn run(
    conn: &Connection,
    own: &str,
    mut batches: mpsc::Receiver<ImportBatch>,
) -> Result<ImportReport> {
    let held: i64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
    if held > 0 {
        return Err(StoreError::Backend(format!(
            "the database already holds {held} events: a handover is imported into an empty one"
        ))
        .into());
    }
    let mut chains = ImportChains::new(own);
    let mut rows = 0u64;
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
    // New alerts number after the imported ones.
    let floor = to_sql_int(chains.highest_reference() + 1, "reference counter")?;
    conn.prepare_cached(
        "UPDATE counters SET value = max(value, ?1) WHERE name = 'alert_reference'",
    )?
    .execute([floor])?;
    Ok(chains.report(rows))
}
