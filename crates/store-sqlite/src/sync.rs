//! Sync between instances: the chain heads (cursors), one origin's events after a cursor, and
//! the append of events received from other instances with the rows they change — one piece
//! of writer work, so one transaction.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};

use kinga_ledger::Event;
use kinga_store::support::{ImportChains, from_sql_int, sql_count, to_sql_int};
use kinga_store::{ImportReport, StoreError, Write};

use crate::error::Result;
use crate::project::{self, AppendError};
use crate::rows::{EVENT_COLUMNS, event};

/// The last event of every origin's chain.
pub(crate) fn heads(conn: &Connection) -> Result<BTreeMap<String, (u64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.origin, e.seq, e.hash FROM events e
         JOIN (SELECT origin, max(seq) AS seq FROM events GROUP BY origin) m
           ON e.origin = m.origin AND e.seq = m.seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let seq = from_sql_int(r.get(1)?, "event sequence number")?;
        out.insert(r.get::<_, String>(0)?, (seq, r.get::<_, String>(2)?));
    }
    Ok(out)
}

/// Events of `origin` after `after`, in sequence order.
pub(crate) fn origin_events(
    conn: &Connection,
    origin: &str,
    after: u64,
    limit: usize,
) -> Result<Vec<Event>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE origin = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![
        origin,
        to_sql_int(after, "sequence number")?,
        sql_count(limit)
    ])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(event(r)?.1);
    }
    Ok(out)
}

/// Check and append `events`, apply `writes`; an error undoes it all (the writer runs this in
/// a savepoint).
pub(crate) fn append(
    conn: &Connection,
    own: &str,
    events: &[Event],
    writes: &[Write],
) -> Result<ImportReport> {
    if events.is_empty() && writes.is_empty() {
        return Err(StoreError::Backend("nothing to append".into()).into());
    }
    let mut chains = ImportChains::continuing(own, heads(conn)?);
    for e in events {
        chains.check(e)?;
    }
    project::append(conn, events).map_err(|e| match e {
        AppendError::StaleHead(e) | AppendError::Other(e) => e,
    })?;
    for w in writes {
        chains.row(w);
        project::apply(conn, w)?;
    }
    // Alerts made elsewhere number on; this instance's next references come after theirs.
    let floor = to_sql_int(chains.highest_reference() + 1, "reference counter")?;
    conn.prepare_cached(
        "UPDATE counters SET value = max(value, ?1) WHERE name = 'alert_reference'",
    )?
    .execute([floor])?;
    let mut report = chains.report(writes.len() as u64);
    report.events = events.len() as u64;
    Ok(report)
}
