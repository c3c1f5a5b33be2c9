//! Context events (UCDP GED, ACLED rows imported for the map): their writes and their reads
//! by day window, paged by keyset.

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::types::Json;

use kinga_domain::analysis::context::ContextEvent;
use kinga_store::support::sql_count;
use kinga_store::{ContextQuery, Write};

use crate::error::Result;
use crate::queries::docs;

/// Insert or replace a context event.
pub(crate) async fn write(tx: &Transaction<'_>, write: &Write) -> Result<()> {
    if let Write::ContextEvent(e) = write {
        let stmt = tx
            .prepare_cached(
                "INSERT INTO context_events (id, dataset, occurred_on, doc) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id) DO UPDATE SET dataset = EXCLUDED.dataset,
                     occurred_on = EXCLUDED.occurred_on, doc = EXCLUDED.doc",
            )
            .await?;
        tx.execute(
            &stmt,
            &[
                &e.id,
                &e.dataset.as_str(),
                &e.date.to_string(),
                &Json(e.as_ref()),
            ],
        )
        .await?;
    }
    Ok(())
}

/// One page of the events `q` selects, newest day first, then id descending.
pub(crate) async fn events(
    client: &impl GenericClient,
    q: &ContextQuery,
) -> Result<Vec<ContextEvent>> {
    let (after_day, after_id) = match &q.after {
        Some((d, id)) => (Some(d.to_string()), Some(id.clone())),
        None => (None, None),
    };
    let (from, to) = (q.from.map(|d| d.to_string()), q.to.map(|d| d.to_string()));
    let dataset = q.dataset.map(|d| d.as_str());
    let limit = sql_count(q.limit);
    docs(
        client,
        "SELECT doc FROM context_events
         WHERE ($1::text IS NULL OR occurred_on >= $1) AND ($2::text IS NULL OR occurred_on <= $2)
           AND ($3::text IS NULL OR dataset = $3)
           AND ($4::text IS NULL OR occurred_on < $4 OR (occurred_on = $4 AND id < $5::text))
         ORDER BY occurred_on DESC, id DESC LIMIT $6",
        &[&from, &to, &dataset, &after_day, &after_id, &limit],
    )
    .await
}
