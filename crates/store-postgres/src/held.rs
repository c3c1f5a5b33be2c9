//! Delivery reports that came before the send they report on was recorded.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::types::Json;

use kinga_store::HeldReport;

use crate::error::Result;
use crate::queries::doc;

/// Hold `report` and forget the reports received before `forget_before`, in one statement.
pub(crate) async fn hold(
    client: &impl GenericClient,
    report: &HeldReport,
    forget_before: DateTime<Utc>,
) -> Result<()> {
    // PostgreSQL text cannot hold NUL: no message of ours has such an id or such a report.
    if report.provider_message_id.contains('\0')
        || report.error.as_deref().is_some_and(|e| e.contains('\0'))
    {
        return Ok(());
    }
    let stmt = client
        .prepare_cached(
            "WITH forgotten AS (DELETE FROM held_reports WHERE received_at < $5)
             INSERT INTO held_reports (provider, provider_message_id, received_at, doc)
             VALUES ($1, $2, $3, $4)",
        )
        .await?;
    client
        .execute(
            &stmt,
            &[
                &report.provider,
                &report.provider_message_id,
                &report.received_at,
                &Json(report),
                &forget_before,
            ],
        )
        .await?;
    Ok(())
}

/// Take the reports held for a message, oldest first.
pub(crate) async fn take(
    client: &impl GenericClient,
    provider: &str,
    provider_message_id: &str,
) -> Result<Vec<HeldReport>> {
    if provider_message_id.contains('\0') {
        return Ok(vec![]);
    }
    let stmt = client
        .prepare_cached(
            "DELETE FROM held_reports WHERE provider = $1 AND provider_message_id = $2
             RETURNING id, doc",
        )
        .await?;
    let rows = client
        .query(&stmt, &[&provider, &provider_message_id])
        .await?;
    let mut held = rows
        .iter()
        .map(|r| Ok((r.try_get::<_, i64>(0)?, doc::<HeldReport>(r, 1)?)))
        .collect::<Result<Vec<_>>>()?;
    held.sort_by_key(|a| (a.1.received_at, a.0));
    Ok(held.into_iter().map(|(_, r)| r).collect())
}
