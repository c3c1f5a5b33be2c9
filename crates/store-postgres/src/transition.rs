//! Transition planning: capacity plans and withdrawal plans, their writes and their reads.

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::types::{Json, ToSql};

use kinga_domain::transition::{CapacityPlan, WithdrawalPlan};
use kinga_store::support::{describe, to_sql_int};
use kinga_store::{StoreError, Write};

use crate::error::{Result, duplicate_of};
use crate::queries::docs;

/// Insert (no expected version) or update (the stored version must match) one record, or
/// answer the duplicate or conflict.
pub(crate) async fn versioned(
    tx: &Transaction<'_>,
    write: &Write,
    insert: &str,
    update: &str,
    values: &[&(dyn ToSql + Sync)],
    expected: Option<u64>,
) -> Result<()> {
    let n = match expected {
        None => {
            let stmt = tx.prepare_cached(insert).await?;
            tx.execute(&stmt, values)
                .await
                .map_err(|e| duplicate_of(e, || describe(write)))?
        }
        Some(v) => {
            let v = to_sql_int(v, "version")?;
            let mut all: Vec<&(dyn ToSql + Sync)> = values.to_vec();
            all.push(&v);
            let stmt = tx.prepare_cached(update).await?;
            tx.execute(&stmt, &all)
                .await
                .map_err(|e| duplicate_of(e, || describe(write)))?
        }
    };
    if n == 0 {
        return Err(match expected {
            None => StoreError::Duplicate(describe(write)),
            Some(_) => StoreError::Conflict(describe(write)),
        }
        .into());
    }
    Ok(())
}

/// Apply a capacity plan, its removal or a withdrawal plan.
pub(crate) async fn write(tx: &Transaction<'_>, write: &Write) -> Result<()> {
    match write {
        Write::CapacityPlan {
            plan,
            expected_version,
        } => {
            let version = to_sql_int(plan.version, "capacity plan version")?;
            let doc = Json(plan.as_ref());
            versioned(
                tx,
                write,
                "INSERT INTO capacity_plans (id, place, capacity, version, doc)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                "UPDATE capacity_plans SET place = $2, capacity = $3, version = $4, doc = $5
                 WHERE id = $1 AND version = $6",
                &[
                    &plan.id,
                    &plan.place,
                    &plan.capacity.as_str(),
                    &version,
                    &doc,
                ],
                *expected_version,
            )
            .await
        }
        Write::RemoveCapacityPlan {
            id,
            expected_version,
        } => {
            let v = to_sql_int(*expected_version, "capacity plan version")?;
            let stmt = tx
                .prepare_cached("DELETE FROM capacity_plans WHERE id = $1 AND version = $2")
                .await?;
            if tx.execute(&stmt, &[id, &v]).await? == 0 {
                return Err(StoreError::Conflict(describe(write)).into());
            }
            Ok(())
        }
        Write::WithdrawalPlan {
            plan,
            expected_version,
        } => {
            let version = to_sql_int(plan.version, "withdrawal plan version")?;
            let doc = Json(plan.as_ref());
            versioned(
                tx,
                write,
                "INSERT INTO withdrawal_plans (id, mission, version, doc)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                "UPDATE withdrawal_plans SET mission = $2, version = $3, doc = $4
                 WHERE id = $1 AND version = $5",
                &[&plan.id, &plan.mission, &version, &doc],
                *expected_version,
            )
            .await
        }
        _ => Ok(()),
    }
}

/// Every capacity plan.
pub(crate) async fn capacity_plans(client: &impl GenericClient) -> Result<Vec<CapacityPlan>> {
    docs(
        client,
        "SELECT doc FROM capacity_plans ORDER BY id COLLATE \"C\"",
        &[],
    )
    .await
}

/// Every withdrawal plan.
pub(crate) async fn withdrawal_plans(client: &impl GenericClient) -> Result<Vec<WithdrawalPlan>> {
    docs(
        client,
        "SELECT doc FROM withdrawal_plans ORDER BY id COLLATE \"C\"",
        &[],
    )
    .await
}
