//! Transition planning: capacity plans and withdrawal plans, their writes and their reads.

use rusqlite::{Connection, ToSql};

use kinga_domain::transition::{CapacityPlan, WithdrawalPlan};
use kinga_store::support::{describe, encode, to_sql_int};
use kinga_store::{StoreError, Write};

use crate::error::{Result, duplicate_of};

/// Insert (no expected version) or update (the stored version must match) one record, or
/// answer the duplicate or conflict.
pub(crate) fn versioned(
    conn: &Connection,
    write: &Write,
    insert: &str,
    update: &str,
    values: &[&dyn ToSql],
    expected: Option<u64>,
) -> Result<()> {
    let n = match expected {
        None => conn
            .prepare_cached(insert)?
            .execute(values)
            .map_err(|e| duplicate_of(e, || describe(write)))?,
        Some(v) => {
            let v = to_sql_int(v, "version")?;
            let mut all: Vec<&dyn ToSql> = values.to_vec();
            all.push(&v);
            conn.prepare_cached(update)?
                .execute(all.as_slice())
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
pub(crate) fn write(conn: &Connection, write: &Write) -> Result<()> {
    match write {
        Write::CapacityPlan {
            plan,
            expected_version,
        } => {
            let (doc, version) = (
                encode(plan, "capacity plan")?,
                to_sql_int(plan.version, "capacity plan version")?,
            );
            versioned(
                conn,
                write,
                "INSERT INTO capacity_plans (id, place, capacity, version, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                "UPDATE capacity_plans SET place = ?2, capacity = ?3, version = ?4, doc = ?5
                 WHERE id = ?1 AND version = ?6",
                &[
                    &plan.id,
                    &plan.place,
                    &plan.capacity.as_str(),
                    &version,
                    &doc,
                ],
                *expected_version,
            )
        }
        Write::RemoveCapacityPlan {
            id,
            expected_version,
        } => {
            let v = to_sql_int(*expected_version, "capacity plan version")?;
            let n = conn
                .prepare_cached("DELETE FROM capacity_plans WHERE id = ?1 AND version = ?2")?
                .execute(rusqlite::params![id, v])?;
            if n == 0 {
                return Err(StoreError::Conflict(describe(write)).into());
            }
            Ok(())
        }
        Write::WithdrawalPlan {
            plan,
            expected_version,
        } => {
            let (doc, version) = (
                encode(plan, "withdrawal plan")?,
                to_sql_int(plan.version, "withdrawal plan version")?,
            );
            versioned(
                conn,
                write,
                "INSERT INTO withdrawal_plans (id, mission, version, doc)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                "UPDATE withdrawal_plans SET mission = ?2, version = ?3, doc = ?4
                 WHERE id = ?1 AND version = ?5",
                &[&plan.id, &plan.mission, &version, &doc],
                *expected_version,
            )
        }
        _ => Ok(()),
    }
}

/// Every capacity plan.
pub(crate) fn capacity_plans(conn: &Connection) -> Result<Vec<CapacityPlan>> {
    crate::queries::docs(
        conn,
        "SELECT doc FROM capacity_plans ORDER BY id",
        [],
        "capacity plan",
    )
}

/// Every withdrawal plan.
pub(crate) fn withdrawal_plans(conn: &Connection) -> Result<Vec<WithdrawalPlan>> {
    crate::queries::docs(
        conn,
        "SELECT doc FROM withdrawal_plans ORDER BY id",
        [],
        "withdrawal plan",
    )
}
