//! Writes that are not ledger commits: sessions, meta values and alert reference blocks.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, params};

use kinga_store::support::{encode, from_sql_int, to_sql_int};
use kinga_store::{Session, StoreResult};

use crate::error::Result;
use crate::rows::ts;
use crate::writer::WriterHandle;

/// References are reserved this many at a time, so most cost no write at all; a restart skips
/// what was left of the block (gaps are allowed, reuse is not).
const REFERENCE_BLOCK: u64 = 100;

/// Alert reference numbers, handed out from memory within a block claimed on disk.
pub(crate) struct References {
    /// `(next, end)`: the numbers `next..end` are this process's to give.
    block: tokio::sync::Mutex<(u64, u64)>,
    /// No block may start below this: references already stored (imports and restores bring
    /// alerts whose numbers the counter never saw).
    floor: u64,
}

impl References {
    /// Start with no block; the first number claims one.
    pub(crate) fn load(conn: &Connection) -> Result<References> {
        let mut highest = 0;
        let mut stmt = conn.prepare("SELECT reference FROM alerts")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let reference: String = row.get(0)?;
            highest = highest.max(trailing_number(&reference).unwrap_or(0));
        }
        Ok(References {
            block: tokio::sync::Mutex::new((0, 0)),
            floor: highest + 1,
        })
    }

    /// The next number, claiming a new block first when this one is used up. The claim is
    /// one `UPDATE … RETURNING` in the writer's transaction, which holds the file's write
    /// lock: another process sharing the file (a second server, `kinga demo`) claims the
    /// next block, never the same one.
    pub(crate) async fn next(&self, writer: &WriterHandle) -> StoreResult<u64> {
        let mut block = self.block.lock().await;
        if block.0 >= block.1 {
            let floor = to_sql_int(self.floor, "reference counter")?;
            let step = to_sql_int(REFERENCE_BLOCK, "reference block")?;
            let claimed = Arc::new(AtomicU64::new(0));
            let out = claimed.clone();
            writer
                .exec(move |c| {
                    let end: i64 = c
                        .prepare_cached(
                            "UPDATE counters SET value = max(value, ?1) + ?2
                             WHERE name = 'alert_reference' RETURNING value",
                        )?
                        .query_row([floor, step], |r| r.get(0))?;
                    out.store(from_sql_int(end, "reference counter")?, Ordering::SeqCst);
                    Ok(())
                })
                .await?;
            let end = claimed.load(Ordering::SeqCst);
            *block = (end.saturating_sub(REFERENCE_BLOCK), end);
        }
        let n = block.0;
        block.0 += 1;
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

/// End every session of a user but `except`.
pub(crate) fn delete_sessions_of(
    user: &str,
    except: Option<&str>,
) -> impl FnOnce(&Connection) -> Result<()> + Send + 'static {
    let (user, except) = (user.to_string(), except.unwrap_or_default().to_string());
    move |c: &Connection| {
        c.prepare_cached("DELETE FROM sessions WHERE user_id = ?1 AND digest <> ?2")?
            .execute([user, except])?;
        Ok(())
    }
}

/// Set a value of the `meta` table.
pub(crate) fn set_meta(
    name: &str,
    value: &str,
) -> impl FnOnce(&Connection) -> Result<()> + Send + 'static {
    let (name, value) = (name.to_string(), value.to_string());
    move |c: &Connection| {
        c.prepare_cached(
            "INSERT INTO meta (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )?
        .execute([name, value])?;
        Ok(())
    }
}

/// Replace the bodies of these idempotency answers by thinner ones, marking them thinned.
pub(crate) fn thin_idempotent(
    bodies: Vec<(String, serde_json::Value)>,
) -> impl FnOnce(&Connection) -> Result<()> + Send + 'static {
    move |c: &Connection| {
        let mut stmt =
            c.prepare_cached("UPDATE idempotency SET body = ?2, thinned = 1 WHERE key = ?1")?;
        for (key, body) in bodies {
            stmt.execute(params![key, encode(&body, "idempotent answer")?])?;
        }
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
