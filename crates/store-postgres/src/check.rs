//! What `kinga verify` reads to compare the projections with the ledger: rows in key order,
//! and the indexed columns checked against each row's own record.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::types::{Json, Type};

use kinga_store::support::{
    canonical_time, column_differences, expected_columns, side_row_faults, sql_count,
};
use kinga_store::{AuditEntry, Projection, ProjectionRow, tally};

use crate::error::{Result, corrupt};

/// The key column of a table.
fn key_of(table: Projection) -> &'static str {
    match table {
        Projection::Places => "pcode",
        Projection::Digests => "day",
        Projection::Peers => "name",
        Projection::HandoverReversals => "plan",
        _ => "id",
    }
}

/// Columns kept beside the record, in the order [`expected_columns`] lists them.
fn columns_of(table: Projection) -> &'static [&'static str] {
    match table {
        Projection::Alerts => &[
            "id",
            "reference",
            "state",
            "open",
            "severity",
            "threat_type",
            "place",
            "uncovered",
            "reported_at",
            "received_at",
            "next_deadline",
            "reporter_digest",
            "assigned",
            "version",
            "taken_by",
            "unheard",
        ],
        Projection::Places => &["pcode"],
        Projection::Actors | Projection::Responders => &["id"],
        Projection::FocalPoints => &["id", "phone_digest"],
        Projection::Users => &["id", "name"],
        Projection::Tokens => &["id", "user_id", "digest"],
        Projection::Outbox => &[
            "id",
            "status",
            "alert",
            "created_at",
            "next_attempt_at",
            "provider",
            "provider_message_id",
            "inbox_user",
        ],
        Projection::Digests => &["day"],
        Projection::Audit => &[],
        Projection::Incidents => &[
            "id",
            "compartment",
            "state",
            "occurred_on",
            "place",
            "recorded_at",
            "version",
            "search",
        ],
        Projection::Grants => &["id", "user_id", "compartment"],
        Projection::CompartmentKeys => &["id", "compartment", "version"],
        Projection::ServiceProviders => &["id"],
        Projection::Referrals => &["id", "incident_id", "status"],
        Projection::Interviews => &["id", "incident_id"],
        Projection::CapacityPlans => &["id", "place", "capacity", "version"],
        Projection::WithdrawalPlans => &["id", "mission", "version"],
        Projection::Peers => &["name"],
        Projection::HandoverReversals => &["plan"],
        Projection::Broadcasts => &["id"],
        Projection::TransitionRecords => &["id", "kind", "place", "version"],
        Projection::Agreements => &["id", "peer"],
        Projection::RecordConflicts => &["id", "kind", "record", "compartment"],
        Projection::HrddpScreenings => &["id", "unit"],
        Projection::GbvimsImports => &["id", "provider"],
        Projection::ContextEvents => &["id", "dataset", "occurred_on"],
    }
}

/// Rows of a projection after `after`, in key (byte) order.
pub(crate) async fn rows(
    client: &impl GenericClient,
    table: Projection,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<ProjectionRow>> {
    let (name, key) = (table.table(), key_of(table));
    let after = after.unwrap_or_default();
    let limit = sql_count(limit);
    if table == Projection::Audit {
        let stmt = client
            .prepare_cached(
                "SELECT id, at, actor, action, record, context FROM audit
                 WHERE id COLLATE \"C\" > $1 ORDER BY id COLLATE \"C\" LIMIT $2",
            )
            .await?;
        return client
            .query(&stmt, &[&after, &limit])
            .await?
            .iter()
            .map(|r| {
                let e = AuditEntry {
                    id: r.try_get(0).map_err(corrupt)?,
                    at: r.try_get(1).map_err(corrupt)?,
                    actor: r.try_get(2).map_err(corrupt)?,
                    action: r.try_get(3).map_err(corrupt)?,
                    record: r.try_get(4).map_err(corrupt)?,
                    context: r.try_get(5).map_err(corrupt)?,
                };
                Ok(ProjectionRow {
                    key: e.id.clone(),
                    doc: serde_json::to_value(&e).unwrap_or_default(),
                })
            })
            .collect();
    }
    // Table and column names come from the enum above, never from input.
    let sql = format!(
        "SELECT {key}, doc FROM {name} WHERE {key} COLLATE \"C\" > $1 ORDER BY {key} COLLATE \"C\" LIMIT $2"
    );
    let stmt = client.prepare_cached(&sql).await?;
    client
        .query(&stmt, &[&after, &limit])
        .await?
        .iter()
        .map(|r| {
            Ok(ProjectionRow {
                key: r.try_get(0).map_err(corrupt)?,
                doc: r
                    .try_get::<_, Json<serde_json::Value>>(1)
                    .map_err(corrupt)?
                    .0,
            })
        })
        .collect()
}

/// A stored column value as canonical text (see [`expected_columns`]).
fn canonical(row: &Row, idx: usize) -> Result<Option<String>> {
    let ty = row.columns()[idx].type_().clone();
    let v = if ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(idx)
            .map_err(corrupt)?
            .map(|b| b.to_string())
    } else if ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(idx)
            .map_err(corrupt)?
            .map(|n| n.to_string())
    } else if ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(idx)
            .map_err(corrupt)?
            .map(|n| n.to_string())
    } else if ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(idx)
            .map_err(corrupt)?
            .map(|n| n.to_string())
    } else if ty == Type::TIMESTAMPTZ {
        row.try_get::<_, Option<DateTime<Utc>>>(idx)
            .map_err(corrupt)?
            .map(canonical_time)
    } else if ty == Type::JSON || ty == Type::JSONB {
        row.try_get::<_, Option<Json<serde_json::Value>>>(idx)
            .map_err(corrupt)?
            .map(|j| j.0.to_string())
    } else {
        row.try_get::<_, Option<String>>(idx).map_err(corrupt)?
    };
    Ok(v)
}

/// Rows whose columns disagree with their records, at most `limit`.
pub(crate) async fn column_faults(
    client: &impl GenericClient,
    limit: usize,
) -> Result<Vec<String>> {
    let mut faults = Vec::new();
    for table in Projection::ALL {
        let cols = columns_of(table);
        if cols.is_empty() {
            continue;
        }
        let sql = format!(
            "SELECT {}, {}, doc FROM {}",
            key_of(table),
            cols.join(", "),
            table.table()
        );
        for r in client.query(&sql, &[]).await? {
            let key: String = r.try_get(0).map_err(corrupt)?;
            let doc = r
                .try_get::<_, Json<serde_json::Value>>(cols.len() + 1)
                .map_err(corrupt)?
                .0;
            let expected = match expected_columns(table, &doc) {
                Ok(x) => x,
                Err(e) => {
                    faults.push(format!("{} row {key}: {e}", table.table()));
                    continue;
                }
            };
            let mut stored = Vec::with_capacity(cols.len());
            for (i, c) in cols.iter().enumerate() {
                stored.push((*c, canonical(&r, i + 1)?));
            }
            faults.extend(column_differences(table, &key, &stored, &expected));
            if faults.len() >= limit {
                faults.truncate(limit);
                return Ok(faults);
            }
        }
    }
    side_faults(client, &mut faults, limit).await?;
    faults.truncate(limit);
    Ok(faults)
}

/// Incidents' violations and victims rows that disagree with their records, and rows left
/// behind by no incident.
async fn side_faults(
    client: &impl GenericClient,
    faults: &mut Vec<String>,
    limit: usize,
) -> Result<()> {
    let rows = client
        .query(
            "SELECT i.id, i.doc,
                 (SELECT string_agg(violation, ',' ORDER BY violation COLLATE \"C\")
                      FROM incident_violations WHERE incident_id = i.id),
                 (SELECT string_agg(n::text || ':' || sex || ':' || age_group || ':'
                      || (CASE WHEN disability THEN '1' ELSE '0' END) || ':'
                      || (CASE WHEN displaced THEN '1' ELSE '0' END), ',' ORDER BY n)
                      FROM incident_victims WHERE incident_id = i.id)
             FROM incidents i ORDER BY i.id",
            &[],
        )
        .await?;
    for r in rows {
        if faults.len() >= limit {
            return Ok(());
        }
        let key: String = r.try_get(0).map_err(corrupt)?;
        let doc = r
            .try_get::<_, Json<serde_json::Value>>(1)
            .map_err(corrupt)?
            .0;
        let violations: Option<String> = r.try_get(2).map_err(corrupt)?;
        let victims: Option<String> = r.try_get(3).map_err(corrupt)?;
        faults.extend(side_row_faults(&key, &doc, violations, victims));
    }
    let rows = client
        .query(
            "SELECT incident_id FROM incident_violations WHERE incident_id NOT IN (SELECT id FROM incidents)
             UNION SELECT incident_id FROM incident_victims WHERE incident_id NOT IN (SELECT id FROM incidents)",
            &[],
        )
        .await?;
    for r in rows {
        let id: String = r.try_get(0).map_err(corrupt)?;
        faults.push(format!(
            "incident_violations or incident_victims hold rows of incident {id}, which does not exist"
        ));
    }
    for (table, sql) in tally::checks() {
        let n: i64 = client
            .query_one(&sql, &[])
            .await?
            .try_get(0)
            .map_err(corrupt)?;
        if n > 0 {
            faults.push(tally::fault(table, n));
        }
    }
    Ok(())
}
