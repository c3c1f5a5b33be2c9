//! Delivery reports that came before the send they report on was recorded.

use rusqlite::{Connection, params};

use kinga_store::support::encode;
use kinga_store::{HeldReport, StoreResult};

use crate::error::Result;
use crate::rows::{doc, ts};

/// Hold `report` and forget the reports received before `forget_before`.
pub(crate) fn hold(
    report: &HeldReport,
    forget_before: chrono::DateTime<chrono::Utc>,
) -> StoreResult<impl FnOnce(&Connection) -> Result<()> + Send + 'static> {
    let doc = encode(report, "held report")?;
    let (provider, id) = (report.provider.clone(), report.provider_message_id.clone());
    let (at, before) = (ts(report.received_at), ts(forget_before));
    Ok(move |c: &Connection| {
        c.prepare_cached("DELETE FROM held_reports WHERE received_at < ?1")?
            .execute([before])?;
        c.prepare_cached(
            "INSERT INTO held_reports (provider, provider_message_id, received_at, doc)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![provider, id, at, doc])?;
        Ok(())
    })
}

/// The reports held for a message, oldest first, with their row ids.
pub(crate) fn held(
    c: &Connection,
    provider: &str,
    provider_message_id: &str,
) -> Result<Vec<(i64, HeldReport)>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, doc FROM held_reports WHERE provider = ?1 AND provider_message_id = ?2
         ORDER BY received_at, id",
    )?;
    let mut rows = stmt.query(params![provider, provider_message_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push((row.get(0)?, doc(row, 1, "held report")?));
    }
    Ok(out)
}

/// Forget the held reports with these row ids.
pub(crate) fn forget(ids: Vec<i64>) -> impl FnOnce(&Connection) -> Result<()> + Send + 'static {
    move |c: &Connection| {
        let mut stmt = c.prepare_cached("DELETE FROM held_reports WHERE id = ?1")?;
        for id in ids {
            stmt.execute([id])?;
        }
        Ok(())
    }
}
