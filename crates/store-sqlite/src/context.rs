//! Context events (UCDP GED, ACLED rows imported for the map): their writes and their reads
//! by day window, paged by keyset.

use rusqlite::Connection;

use kinga_domain::analysis::context::ContextEvent;
use kinga_store::support::{encode, sql_count};
use kinga_store::{ContextQuery, Write};

use crate::error::Result;

/// Insert or replace a context event.
pub(crate) fn write(conn: &Connection, write: &Write) -> Result<()> {
    if let Write::ContextEvent(e) = write {
        conn.prepare_cached(
            "INSERT INTO context_events (id, dataset, occurred_on, doc) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET dataset = excluded.dataset,
                 occurred_on = excluded.occurred_on, doc = excluded.doc",
        )?
        .execute(rusqlite::params![
            e.id,
            e.dataset.as_str(),
            e.date.to_string(),
            encode(e.as_ref(), "context event")?
        ])?;
    }
    Ok(())
}

/// One page of the events `q` selects, newest day first, then id descending.
pub(crate) fn events(conn: &Connection, q: &ContextQuery) -> Result<Vec<ContextEvent>> {
    let (after_day, after_id) = match &q.after {
        Some((d, id)) => (Some(d.to_string()), Some(id.clone())),
        None => (None, None),
    };
    crate::queries::docs(
        conn,
        "SELECT doc FROM context_events
         WHERE (?1 IS NULL OR occurred_on >= ?1) AND (?2 IS NULL OR occurred_on <= ?2)
           AND (?3 IS NULL OR dataset = ?3)
           AND (?4 IS NULL OR occurred_on < ?4 OR (occurred_on = ?4 AND id < ?5))
         ORDER BY occurred_on DESC, id DESC LIMIT ?6",
        rusqlite::params![
            q.from.map(|d| d.to_string()),
            q.to.map(|d| d.to_string()),
            q.dataset.map(|d| d.as_str()),
            after_day,
            after_id,
            sql_count(q.limit),
        ],
        "context event",
    )
}
