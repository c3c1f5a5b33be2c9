//! Sync between instances: the chain heads (cursors), one origin's events after a cursor, and
//! the append of events received from other instances with the rows they change, in one
//! transaction. Several Kinga servers may share the database: an append locks each origin it
//! extends (an advisory lock per origin, taken in name order), so two syncs never fork a chain.

use std::collections::BTreeMap;

use deadpool_postgres::GenericClient;

use kinga_ledger::Event;
use kinga_store::support::{CHAIN_HEADS_SQL, ImportChains, from_sql_int, sql_count, to_sql_int};
use kinga_store::{ImportReport, StoreError, Write};

use crate::error::{Result, corrupt};
use crate::project;

/// The last event of every origin's chain.
pub(crate) async fn heads(client: &impl GenericClient) -> Result<BTreeMap<String, (u64, String)>> {
    let rows = client.query(CHAIN_HEADS_SQL, &[]).await?;
    let mut out = BTreeMap::new();
    for r in rows {
        let seq = from_sql_int(r.try_get(1).map_err(corrupt)?, "event sequence number")?;
        out.insert(
            r.try_get::<_, String>(0).map_err(corrupt)?,
            (seq, r.try_get::<_, String>(2).map_err(corrupt)?),
        );
    }
    Ok(out)
}

/// Events of `origin` after `after`, in sequence order.
pub(crate) async fn origin_events(
    client: &impl GenericClient,
    origin: &str,
    after: u64,
    limit: usize,
) -> Result<Vec<Event>> {
    let rows = client
        .query(
            "SELECT id, origin, seq, actor, at, payload, prev_hash, hash FROM events
             WHERE origin = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            &[
                &origin,
                &to_sql_int(after, "sequence number")?,
                &sql_count(limit),
            ],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Event {
                id: r.try_get(0).map_err(corrupt)?,
                origin: r.try_get(1).map_err(corrupt)?,
                seq: from_sql_int(r.try_get(2).map_err(corrupt)?, "event sequence number")?,
                actor: r.try_get(3).map_err(corrupt)?,
                at: r.try_get(4).map_err(corrupt)?,
                payload: r.try_get(5).map_err(corrupt)?,
                prev_hash: r.try_get(6).map_err(corrupt)?,
                hash: r.try_get(7).map_err(corrupt)?,
            })
        })
        .collect()
}

/// Check and append `events`, apply `writes`, commit; any error rolls back.
pub(crate) async fn append(
    pool: &deadpool_postgres::Pool,
    own: &str,
    events: &[Event],
    writes: &[Write],
) -> Result<ImportReport> {
    if events.is_empty() && writes.is_empty() {
        return Err(StoreError::Backend("nothing to append".into()).into());
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let mut origins: Vec<&str> = events.iter().map(|e| e.origin.as_str()).collect();
    origins.sort_unstable();
    origins.dedup();
    for o in &origins {
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('kinga-sync:' || $1, 0))",
            &[o],
        )
        .await?;
    }
    let mut chains = ImportChains::continuing(own, heads(&tx).await?);
    for e in events {
        chains.check(e)?;
    }
    crate::import::append(&tx, events).await?;
    for w in writes {
        chains.row(w);
        project::apply(&tx, w).await?;
    }
    let highest = to_sql_int(chains.highest_reference(), "reference counter")?;
    if highest > 0 {
        tx.execute(
            "SELECT setval('alert_reference_seq',
                 greatest($1::bigint, (SELECT last_value FROM alert_reference_seq)))",
            &[&highest],
        )
        .await?;
    }
    let mut report = chains.report(writes.len() as u64);
    for (origin, (seq, hash)) in &report.heads {
        if !origins.contains(&origin.as_str()) {
            continue;
        }
        let seq = to_sql_int(*seq, "sequence number")?;
        tx.execute(
            "INSERT INTO chain_heads (origin, seq, hash) VALUES ($1, $2, $3)
             ON CONFLICT (origin) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
            &[origin, &seq, hash],
        )
        .await?;
    }
    tx.commit().await?;
    report.events = events.len() as u64;
    Ok(report)
}
