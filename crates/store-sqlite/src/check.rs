//! What `kinga verify` reads to compare the projections with the ledger: rows in key order,
//! and the indexed columns checked against each row's own record.

use rusqlite::{Connection, types::ValueRef};

use kinga_store::support::{
    canonical_time, column_differences, decode, expected_columns, side_row_faults,
};
use kinga_store::{Projection, ProjectionRow, tally};

use crate::error::Result;
use crate::queries::audit_entry;
use crate::rows::parse_ts;

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

/// Rows of a projection after `after`, in key order.
pub(crate) fn rows(
    conn: &Connection,
    table: Projection,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<ProjectionRow>> {
    let (name, key) = (table.table(), key_of(table));
    let after = after.unwrap_or_default();
    let limit = kinga_store::support::sql_count(limit);
    let mut out = Vec::new();
    if table == Projection::Audit {
        let mut stmt = conn.prepare_cached(
            "SELECT id, at, actor, action, record, context FROM audit
             WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let mut rs = stmt.query(rusqlite::params![after, limit])?;
        while let Some(r) = rs.next()? {
            let e = audit_entry(r)?;
            out.push(ProjectionRow {
                key: e.id.clone(),
                doc: serde_json::to_value(&e).unwrap_or_default(),
            });
        }
        return Ok(out);
    }
    // Table and column names come from the enum above, never from input.
    let sql = format!("SELECT {key}, doc FROM {name} WHERE {key} > ?1 ORDER BY {key} LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rs = stmt.query(rusqlite::params![after, limit])?;
    while let Some(r) = rs.next()? {
        let text: String = r.get(1)?;
        out.push(ProjectionRow {
            key: r.get(0)?,
            doc: decode(&text, name)?,
        });
    }
    Ok(out)
}

/// A stored column value as canonical text (see [`expected_columns`]).
fn canonical(table: Projection, column: &str, v: ValueRef<'_>) -> Result<Option<String>> {
    Ok(match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(match column {
            "open" | "uncovered" => (i != 0).to_string(),
            _ => i.to_string(),
        }),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let t = String::from_utf8_lossy(t).to_string();
            let is_time = matches!(
                column,
                "reported_at"
                    | "received_at"
                    | "next_deadline"
                    | "created_at"
                    | "next_attempt_at"
                    | "recorded_at"
            );
            if is_time {
                // A time that does not even parse is itself a difference worth showing.
                Some(parse_ts(&t).map(canonical_time).unwrap_or(t))
            } else if column == "assigned" && table == Projection::Alerts {
                Some(
                    serde_json::from_str::<serde_json::Value>(&t)
                        .map(|v| v.to_string())
                        .unwrap_or(t),
                )
            } else {
                Some(t)
            }
        }
    })
}

/// Rows whose columns disagree with their records, at most `limit`.
pub(crate) fn column_faults(conn: &Connection, limit: usize) -> Result<Vec<String>> {
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
        let mut stmt = conn.prepare(&sql)?;
        let mut rs = stmt.query([])?;
        while let Some(r) = rs.next()? {
            let key: String = r.get(0)?;
            let text: String = r.get(cols.len() + 1)?;
            let doc: serde_json::Value = match serde_json::from_str(&text) {
                Ok(d) => d,
                Err(e) => {
                    faults.push(format!(
                        "{} row {key}: record is not JSON: {e}",
                        table.table()
                    ));
                    continue;
                }
            };
            let expected = match expected_columns(table, &doc) {
                Ok(x) => x,
                Err(e) => {
                    faults.push(format!("{} row {key}: {e}", table.table()));
                    continue;
                }
            };
            let mut stored = Vec::with_capacity(cols.len());
            for (i, c) in cols.iter().enumerate() {
                stored.push((*c, canonical(table, c, r.get_ref(i + 1)?)?));
            }
            faults.extend(column_differences(table, &key, &stored, &expected));
            if faults.len() >= limit {
                faults.truncate(limit);
                return Ok(faults);
            }
        }
    }
    side_faults(conn, &mut faults, limit)?;
    faults.truncate(limit);
    Ok(faults)
}

/// Incidents' violations and victims rows that disagree with their records, and rows left
/// behind by no incident.
fn side_faults(conn: &Connection, faults: &mut Vec<String>, limit: usize) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT i.id, i.doc,
             (SELECT group_concat(violation, ',') FROM (SELECT violation FROM incident_violations
                  WHERE incident_id = i.id ORDER BY violation)),
             (SELECT group_concat(n || ':' || sex || ':' || age_group || ':' || disability || ':'
                  || displaced, ',') FROM (SELECT * FROM incident_victims
                  WHERE incident_id = i.id ORDER BY n))
         FROM incidents i ORDER BY i.id",
    )?;
    let mut rs = stmt.query([])?;
    while let Some(r) = rs.next()? {
        if faults.len() >= limit {
            return Ok(());
        }
        let key: String = r.get(0)?;
        let text: String = r.get(1)?;
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        faults.extend(side_row_faults(&key, &doc, r.get(2)?, r.get(3)?));
    }
    let mut stmt = conn.prepare(
        "SELECT incident_id FROM incident_violations WHERE incident_id NOT IN (SELECT id FROM incidents)
         UNION SELECT incident_id FROM incident_victims WHERE incident_id NOT IN (SELECT id FROM incidents)",
    )?;
    let mut rs = stmt.query([])?;
    while let Some(r) = rs.next()? {
        let id: String = r.get(0)?;
        faults.push(format!(
            "incident_violations or incident_victims hold rows of incident {id}, which does not exist"
        ));
    }
    for (table, sql) in tally::checks() {
        let n: i64 = conn.query_row(&sql, [], |r| r.get(0))?;
        if n > 0 {
            faults.push(tally::fault(table, n));
        }
    }
    Ok(())
}
