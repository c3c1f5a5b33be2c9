//! Sync between instances: the chain heads (cursors), one origin's events after a cursor, and
//! the append of events received from other instances with the rows they change — one piece
//! of writer work, so one transaction.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};

use kinga_ledger::Event;
use kinga_store::support::{CHAIN_HEADS_SQL, ImportChains, from_sql_int, sql_count, to_sql_int};
use kinga_store::{ImportReport, StoreError, Write};

use crate::error::Result;
use crate::project::{self, AppendError};
use crate::rows::{EVENT_COLUMNS, event};

/// The last event of every origin's chain.
pub(crate) fn heads(conn: &Connection) -> Result<BTreeMap<String, (u64, String)>> {
    let mut stmt = conn.prepare_cached(CHAIN_HEADS_SQL)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger(origins: &[(&str, u64)]) -> Connection {
        let conn = crate::test_support::migrated();
        let mut n = 0;
        for (origin, last) in origins {
            for seq in 1..=*last {
                n += 1;
                conn.execute(
                    "INSERT INTO events (id, origin, seq, actor, at, payload, prev_hash, hash)
                     VALUES (?1, ?2, ?3, 'a', 't', '{}', 'p', ?4)",
                    params![format!("e{n}"), origin, seq, format!("{origin}-{seq}")],
                )
                .expect("insert");
            }
        }
        conn
    }

    #[test]
    fn heads_are_each_origins_last_event() {
        let conn = ledger(&[("b", 3), ("a", 5), ("c", 1)]);
        let got = heads(&conn).expect("heads");
        let want: BTreeMap<String, (u64, String)> = [("a", 5), ("b", 3), ("c", 1)]
            .iter()
            .map(|(o, s)| (o.to_string(), (*s, format!("{o}-{s}"))))
            .collect();
        assert_eq!(got, want);
        assert!(heads(&ledger(&[])).expect("empty").is_empty());
    }

    #[test]
    fn heads_never_read_the_whole_ledger() {
        let conn = ledger(&[("a", 50), ("b", 50)]);
        let plan = crate::test_support::query_plan(&conn, CHAIN_HEADS_SQL);
        let on_events: Vec<&String> = plan
            .iter()
            .filter(|l| {
                l.contains(" events ")
                    || l.ends_with(" events")
                    || l.contains(" e ")
                    || l.ends_with(" e")
            })
            .collect();
        assert!(!on_events.is_empty(), "{plan:?}");
        assert!(
            on_events.iter().all(|l| l.starts_with("SEARCH")),
            "the chain heads query scans the events: {plan:?}"
        );
    }
}
