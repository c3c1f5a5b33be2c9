//! The rows of an import, many per statement: runs of new alerts go in by one `INSERT …
//! SELECT FROM UNNEST` over arrays, one round trip for a thousand rows instead of one each;
//! any other row is written as every commit writes it. A run that meets a duplicate is undone
//! and written row by row, which refuses the duplicate with the very error a single write
//! gives.

use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use tokio_postgres::types::{Json, ToSql};

use kinga_store::Write;
use kinga_store::support::AlertColumns;

use crate::error::Result;
use crate::project;

/// Write `writes` in order.
pub(crate) async fn apply_rows(tx: &Transaction<'_>, writes: &[Write]) -> Result<()> {
    let mut i = 0;
    while i < writes.len() {
        let run = writes[i..].iter().take_while(|w| is_new_alert(w)).count();
        if run > 1 {
            insert_alerts(tx, &writes[i..i + run]).await?;
            i += run;
        } else {
            project::apply(tx, &writes[i]).await?;
            i += 1;
        }
    }
    Ok(())
}

fn is_new_alert(w: &Write) -> bool {
    matches!(
        w,
        Write::Alert {
            expected_version: None,
            ..
        }
    )
}

/// Insert new alerts (every write given is one) with one statement.
async fn insert_alerts(tx: &Transaction<'_>, writes: &[Write]) -> Result<()> {
    let alerts: Vec<&kinga_domain::Alert> = writes
        .iter()
        .filter_map(|w| match w {
            Write::Alert { alert, .. } => Some(alert.as_ref()),
            _ => None,
        })
        .collect();
    let cols = alerts
        .iter()
        .map(|a| AlertColumns::of(a))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
    let references: Vec<&str> = alerts.iter().map(|a| a.reference.as_str()).collect();
    let states: Vec<&str> = cols.iter().map(|c| c.state).collect();
    let open: Vec<bool> = cols.iter().map(|c| c.open).collect();
    let severities: Vec<i16> = cols.iter().map(|c| c.severity).collect();
    let threats: Vec<Option<&str>> = cols.iter().map(|c| c.threat_type).collect();
    let places: Vec<Option<&str>> = cols.iter().map(|c| c.place.as_deref()).collect();
    let uncovered: Vec<bool> = cols.iter().map(|c| c.uncovered).collect();
    let reported: Vec<DateTime<Utc>> = cols.iter().map(|c| c.reported_at).collect();
    let received: Vec<DateTime<Utc>> = cols.iter().map(|c| c.received_at).collect();
    let deadlines: Vec<Option<DateTime<Utc>>> = cols.iter().map(|c| c.next_deadline).collect();
    let digests: Vec<Option<&str>> = cols.iter().map(|c| c.reporter_digest.as_deref()).collect();
    let assigned: Vec<Json<&Vec<String>>> = alerts.iter().map(|a| Json(&a.assigned)).collect();
    let versions: Vec<i64> = cols.iter().map(|c| c.version).collect();
    let docs: Vec<Json<&kinga_domain::Alert>> = alerts.iter().map(|a| Json(*a)).collect();
    let taken: Vec<Option<&str>> = cols.iter().map(|c| c.taken_by.as_deref()).collect();
    let unheard: Vec<bool> = cols.iter().map(|c| c.unheard).collect();
    let args: [&(dyn ToSql + Sync); 17] = [
        &ids,
        &references,
        &states,
        &open,
        &severities,
        &threats,
        &places,
        &uncovered,
        &reported,
        &received,
        &deadlines,
        &digests,
        &assigned,
        &versions,
        &docs,
        &taken,
        &unheard,
    ];
    let stmt = tx
        .prepare_cached(
            "INSERT INTO alerts (id, reference, state, open, severity, threat_type, place,
                 uncovered, reported_at, received_at, next_deadline, reporter_digest, assigned,
                 version, doc, taken_by, unheard)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::boolean[],
                 $5::smallint[], $6::text[], $7::text[], $8::boolean[], $9::timestamptz[],
                 $10::timestamptz[], $11::timestamptz[], $12::text[], $13::jsonb[],
                 $14::bigint[], $15::json[], $16::text[], $17::boolean[])
             ON CONFLICT DO NOTHING",
        )
        .await?;
    // A savepoint only so that a run with a duplicate can be written again row by row.
    tx.batch_execute("SAVEPOINT kinga_bulk").await?;
    let n = tx.execute(&stmt, &args).await?;
    if n == writes.len() as u64 {
        tx.batch_execute("RELEASE SAVEPOINT kinga_bulk").await?;
        return Ok(());
    }
    tx.batch_execute("ROLLBACK TO SAVEPOINT kinga_bulk; RELEASE SAVEPOINT kinga_bulk")
        .await?;
    for w in writes {
        project::apply(tx, w).await?;
    }
    Ok(())
}
