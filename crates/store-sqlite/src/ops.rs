//! Writes that are not ledger commits: sessions, audit entries and alert reference blocks.

use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, params};

use kinga_store::support::{encode, from_sql_int, to_sql_int};
use kinga_store::{AuditEntry, Session, StoreResult};

use crate::error::Result;
use crate::rows::ts;
use crate::writer::WriterHandle;

/// References are reserved this many at a time, so most cost no write at all; a restart skips
/// what was left of the block (gaps are allowed, reuse is not).
const REFERENCE_BLOCK: u64 = 100;

/// Alert reference numbers, handed out from memory within a block reserved on disk.
pub(crate) struct References {
    next: AtomicU64,
    /// Every number below this is reserved durably (the `counters` row says so).
    reserved: AtomicU64,
}

impl References {
    /// Resume after the reserved block and after any reference already stored (imports and
    /// restores bring alerts whose numbers the counter never saw).
    pub(crate) fn load(conn: &Connection) -> Result<References> {
        let reserved: i64 = conn.query_row(
            "SELECT value FROM counters WHERE name = 'alert_reference'",
            [],
            |r| r.get(0),
        )?;
        let reserved = from_sql_int(reserved, "reference counter")?;
        let mut highest = 0;
        let mut stmt = conn.prepare("SELECT reference FROM alerts")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let reference: String = row.get(0)?;
            highest = highest.max(trailing_number(&reference).unwrap_or(0));
        }
        Ok(References {
            next: AtomicU64::new(reserved.max(highest + 1)),
            reserved: AtomicU64::new(reserved),
        })
    }

    /// The next number, reserving a new block first when this one is used up.
    pub(crate) async fn next(&self, writer: &WriterHandle) -> StoreResult<u64> {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        if n < self.reserved.load(Ordering::SeqCst) {
            return Ok(n);
        }
        let until = n.saturating_add(REFERENCE_BLOCK);
        let value = to_sql_int(until, "reference counter")?;
        writer
            .exec(move |c| {
                c.prepare_cached(
                    "UPDATE counters SET value = max(value, ?1) WHERE name = 'alert_reference'",
                )?
                .execute([value])?;
                Ok(())
            })
            .await?;
        self.reserved.fetch_max(until, Ordering::SeqCst);
        Ok(n)
    }
}

/// The number a reference ends with (`K-1042` → 1042).
fn trailing_number(reference: &str) -> Option<u64> {
    let digits = reference.len()
        - reference
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .len();
    reference[reference.len() - digits..].parse().ok()
}

/// Save a session, replacing one with the same digest.
pub(crate) fn put_session(
    s: &Session,
) -> StoreResult<impl FnOnce(&Connection) -> Result<()> + Send + 'static> {
    let doc = encode(s, "session")?;
    let (digest, user, expires) = (s.digest.clone(), s.user.clone(), ts(s.expires_at));
    Ok(move |c: &Connection| {
        c.prepare_cached(
            "INSERT INTO sessions (digest, user_id, expires_at, doc) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (digest) DO UPDATE SET user_id = excluded.user_id,
                 expires_at = excluded.expires_at, doc = excluded.doc",
        )?
        .execute(params![digest, user, expires, doc])?;
        Ok(())
    })
}

/// End a session.
pub(crate) fn delete_session(
    digest: &str,
) -> impl FnOnce(&Connection) -> Result<()> + Send + 'static {
    let digest = digest.to_string();
    move |c: &Connection| {
        c.prepare_cached("DELETE FROM sessions WHERE digest = ?1")?
            .execute([digest])?;
        Ok(())
    }
}

/// Record an audited access.
pub(crate) fn audit(e: &AuditEntry) -> impl FnOnce(&Connection) -> Result<()> + Send + 'static {
    let e = e.clone();
    move |c: &Connection| {
        c.prepare_cached(
            "INSERT INTO audit (at, actor, action, record, context) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![ts(e.at), e.actor, e.action, e.record, e.context])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::trailing_number;

    #[test]
    fn reference_numbers_are_read_from_the_end() {
        assert_eq!(trailing_number("K-1042"), Some(1042));
        assert_eq!(trailing_number("K-"), None);
        assert_eq!(trailing_number("2024-K-7"), Some(7));
        assert_eq!(trailing_number("K-99999999999999999999999"), None);
    }
}
