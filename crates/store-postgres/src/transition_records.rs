//! Transition records (benchmarks, indicators and values, community mechanisms, staff,
//! knowledge notes): their writes and their reads by kind.

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::types::Json;

use kinga_domain::transition::{RecordKind, TransitionRecord};
use kinga_store::support::{describe, to_sql_int};
use kinga_store::{StoreError, Write};

use crate::error::Result;
use crate::queries::docs;
use crate::transition::versioned;

/// Apply a transition record or its removal.
pub(crate) async fn write(tx: &Transaction<'_>, write: &Write) -> Result<()> {
    match write {
        Write::TransitionRecord {
            record,
            expected_version,
        } => {
            let version = to_sql_int(record.stamp().version, "transition record version")?;
            let doc = Json(record.as_ref());
            let (id, kind, place) = (record.id(), record.kind().as_str(), record.place());
            versioned(
                tx,
                write,
                "INSERT INTO transition_records (id, kind, place, version, doc)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                "UPDATE transition_records SET kind = $2, place = $3, version = $4, doc = $5
                 WHERE id = $1 AND version = $6",
                &[&id, &kind, &place, &version, &doc],
                *expected_version,
            )
            .await
        }
        Write::RemoveTransitionRecord {
            id,
            expected_version,
        } => {
            let v = to_sql_int(*expected_version, "transition record version")?;
            let stmt = tx
                .prepare_cached("DELETE FROM transition_records WHERE id = $1 AND version = $2")
                .await?;
            if tx.execute(&stmt, &[id, &v]).await? == 0 {
                return Err(StoreError::Conflict(describe(write)).into());
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Every record of one kind, by id.
pub(crate) async fn records(
    client: &impl GenericClient,
    kind: RecordKind,
) -> Result<Vec<TransitionRecord>> {
    docs(
        client,
        "SELECT doc FROM transition_records WHERE kind = $1 ORDER BY id COLLATE \"C\"",
        &[&kind.as_str()],
    )
    .await
}
