//! Taking in a handed-over ledger in one transaction: events go in by batches (one statement
//! per batch, over arrays), rows many per statement where they can (`bulk.rs`), and the
//! transaction commits only when the import says it is complete. A dropped connection (a
//! killed process) rolls it back.
//!
//! The import goes into an empty database in one transaction, so the projections' plain
//! (non-unique, not behind a constraint) indexes are dropped before the rows go in and built
//! again from their own definitions after the last row, each in one sorted pass instead of one
//! insertion per row, with more memory for sorting (`SET LOCAL maintenance_work_mem`). Both
//! happen inside the transaction: a crash or a refused package rolls the drop back with the
//! rest, and the database is as it was. The projections' primary keys and unique indexes stay
//! while the rows go in, so every duplicate row is refused as before. Until the commit, other
//! sessions wait on the tables the import rebuilds instead of reading them (nobody serves an
//! instance being created).
//!
//! The ledger's own unique constraints (an event's id; an origin's sequence number) are
//! dropped the same way while the events go in and added again after the last one, which
//! checks them over every imported event at once: two events with one id are still refused,
//! by the constraint's check instead of by the insertion of the second, and the whole import
//! is rolled back. A million events went in 2026-12-02 in 5.5–6.1 s without them and 10.2–11.4
//! s with them, and adding both again took 2.7–3.8 s (`psql`, the same rows).

use tokio::sync::mpsc;
use tokio_postgres::types::ToSql;

use kinga_ledger::Event;
use kinga_store::support::{ImportChains, Prepared, prepare_import, to_sql_int};
use kinga_store::{ImportBatch, ImportReport, StoreError};

use crate::bulk;
use crate::error::Result;

/// Write every batch until `Commit`, then commit; any error, or batches that stop, rolls back.
pub(crate) async fn run(
    pool: &deadpool_postgres::Pool,
    own: &str,
    batches: mpsc::Receiver<ImportBatch>,
) -> Result<ImportReport> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // This instance's writers lock its head row before sealing: none appends meanwhile.
    tx.execute(
        "SELECT seq FROM chain_heads WHERE origin = $1 FOR UPDATE",
        &[&own],
    )
    .await?;
    let held: i64 = tx
        .query_one("SELECT count(*) FROM events", &[])
        .await?
        .try_get(0)?;
    if held > 0 {
        return Err(StoreError::Backend(format!(
            "the database already holds {held} events: a handover is imported into an empty one"
        ))
        .into());
    }
    tx.batch_execute("SET LOCAL maintenance_work_mem = '256MB'")
        .await?;
    // The chain checks (a hash per event) and the encoding of the rows run on a thread of
    // their own, a batch ahead of the statements: done between them, they left the server
    // idle a third of the time.
    let (ready, mut taken) = mpsc::channel::<Ready>(4);
    let preparing = {
        let own = own.to_string();
        tokio::task::spawn_blocking(move || prepare(&own, batches, ready))
    };
    let written = write(&tx, &mut taken).await;
    drop(taken);
    let lost = || StoreError::Backend("the import's preparing thread stopped".into());
    let prepared = preparing.await.map_err(|_| lost());
    // The statements' own error first; when the preparer stopped them, the preparer's (a
    // fault in the ledger, or batches that ended before `Commit`).
    let (rows, constraints) = match written? {
        Some(done) => done,
        None => {
            return Err(prepared?.err().unwrap_or_else(|| lost().into()));
        }
    };
    let chains = prepared??;
    let Written {
        ledger_constraints,
        deferred,
    } = constraints;
    for definition in ledger_constraints.into_iter().chain(deferred) {
        tx.batch_execute(&definition).await?;
    }
    let highest = to_sql_int(chains.highest_reference(), "reference counter")?;
    if highest > 0 {
        // New alerts number after the imported ones (the sequence never goes back).
        tx.execute(
            "SELECT setval('alert_reference_seq',
                 greatest($1::bigint, (SELECT last_value FROM alert_reference_seq)))",
            &[&highest],
        )
        .await?;
    }
    let report = chains.report(rows);
    for (origin, (seq, hash)) in &report.heads {
        let seq = to_sql_int(*seq, "sequence number")?;
        tx.execute(
            "INSERT INTO chain_heads (origin, seq, hash) VALUES ($1, $2, $3)
             ON CONFLICT (origin) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
            &[origin, &seq, hash],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// What the preparing thread hands the statements: rows with their new alerts encoded.
type Ready = Prepared<bulk::Prepared>;

/// The constraints and indexes dropped while the rows went in, to make again.
struct Written {
    ledger_constraints: Vec<String>,
    deferred: Vec<String>,
}

/// Check each event's chain and encode the rows, in the order sent, handing them on; the
/// chains once `Commit` has been handed on.
fn prepare(
    own: &str,
    batches: mpsc::Receiver<ImportBatch>,
    ready: mpsc::Sender<Ready>,
) -> Result<ImportChains> {
    prepare_import(own, batches, bulk::Prepared::of, |next| {
        ready.blocking_send(next).is_ok()
    })
}

/// Run what the preparing thread hands on until `Commit`: the rows written and what was
/// dropped meanwhile, or `None` when the preparer stopped first.
async fn write(
    tx: &deadpool_postgres::Transaction<'_>,
    taken: &mut mpsc::Receiver<Ready>,
) -> Result<Option<(u64, Written)>> {
    let mut rows = 0u64;
    // Dropped once the events (the ledger's constraints) and the rows (the projections' plain
    // indexes) start.
    let mut ledger_constraints: Option<Vec<String>> = None;
    let mut deferred: Option<Vec<String>> = None;
    loop {
        // A preparer that stops without `Commit` found a fault: it reports it.
        let Some(next) = taken.recv().await else {
            return Ok(None);
        };
        match next {
            Prepared::Events(events) => {
                if ledger_constraints.is_none() {
                    ledger_constraints = Some(drop_ledger_constraints(tx).await?);
                }
                append(tx, &events).await?;
            }
            Prepared::Rows(prepared) => {
                if deferred.is_none() {
                    deferred = Some(drop_plain_indexes(tx).await?);
                }
                bulk::apply_rows(tx, &prepared).await?;
                rows += prepared.len() as u64;
            }
            Prepared::Meta(values) => {
                for (name, value) in values {
                    tx.execute(
                        "INSERT INTO meta (name, value) VALUES ($1, $2)
                         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                        &[&name, &value],
                    )
                    .await?;
                }
            }
            Prepared::Commit => {
                return Ok(Some((
                    rows,
                    Written {
                        ledger_constraints: ledger_constraints.unwrap_or_default(),
                        deferred: deferred.unwrap_or_default(),
                    },
                )));
            }
        }
    }
}

/// Drop the projections' plain indexes (not unique, behind no constraint, not the ledger's);
/// their definitions, to run again once the rows are in.
async fn drop_plain_indexes(tx: &deadpool_postgres::Transaction<'_>) -> Result<Vec<String>> {
    let plain = tx
        .query(
            "SELECT format('%I.%I', n.nspname, i.relname), pg_get_indexdef(x.indexrelid)
             FROM pg_index x
             JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_class t ON t.oid = x.indrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = current_schema() AND t.relname <> 'events'
               AND NOT x.indisunique AND NOT x.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
             ORDER BY 1",
            &[],
        )
        .await?;
    let mut again = Vec::with_capacity(plain.len());
    for row in plain {
        let (name, definition): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        // The name is the catalogue's, quoted by format('%I').
        tx.batch_execute(&format!("DROP INDEX {name}")).await?;
        again.push(definition);
    }
    Ok(again)
}

/// Drop the unique constraints of the events table (not its primary key); the statements that
/// add them again.
async fn drop_ledger_constraints(tx: &deadpool_postgres::Transaction<'_>) -> Result<Vec<String>> {
    let unique = tx
        .query(
            "SELECT format('%I', c.conname), pg_get_constraintdef(c.oid)
             FROM pg_constraint c
             JOIN pg_class t ON t.oid = c.conrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = current_schema() AND t.relname = 'events' AND c.contype = 'u'
             ORDER BY 1",
            &[],
        )
        .await?;
    let mut again = Vec::with_capacity(unique.len());
    for row in unique {
        let (name, definition): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        // The name is the catalogue's, quoted by format('%I').
        tx.batch_execute(&format!("ALTER TABLE events DROP CONSTRAINT {name}"))
            .await?;
        again.push(format!(
            "ALTER TABLE events ADD CONSTRAINT {name} {definition}"
        ));
    }
    Ok(again)
}

/// Append a batch of checked events with one statement.
pub(crate) async fn append(
    tx: &deadpool_postgres::Transaction<'_>,
    events: &[Event],
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut cols: [Vec<&str>; 7] = Default::default();
    let mut seqs = Vec::with_capacity(events.len());
    for e in events {
        for (col, v) in cols.iter_mut().zip([
            e.id.as_str(),
            e.origin.as_str(),
            e.actor.as_str(),
            e.at.as_str(),
            e.payload.as_str(),
            e.prev_hash.as_str(),
            e.hash.as_str(),
        ]) {
            col.push(v);
        }
        seqs.push(to_sql_int(e.seq, "sequence number")?);
    }
    let [ids, origins, actors, ats, payloads, prevs, hashes] = &cols;
    let args: [&(dyn ToSql + Sync); 8] =
        [ids, origins, &seqs, actors, ats, payloads, prevs, hashes];
    let stmt = tx
        .prepare_cached(
            "INSERT INTO events (id, origin, seq, actor, at, payload, prev_hash, hash)
             SELECT id, origin, seq, actor, at, payload, prev_hash, hash FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                                  $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS u(
                 id, origin, seq, actor, at, payload, prev_hash, hash, n)
             ORDER BY n",
        )
        .await?;
    tx.execute(&stmt, &args).await?;
    Ok(())
}
