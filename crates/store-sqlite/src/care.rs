//! The care of survivors: the referral directory, referrals and the interview log.

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, params, params_from_iter};

use kinga_domain::compartment::Compartment;
use kinga_domain::incident::care::{Interview, Referral, ServiceProvider};
use kinga_store::support::{describe, encode, from_sql_int, variant_name};
use kinga_store::{StoreError, Write};

use crate::error::{Result, duplicate_of};
use crate::queries::docs;

/// Apply a provider, a referral or an interview.
pub(crate) fn write_care(conn: &Connection, write: &Write) -> Result<()> {
    match write {
        Write::ServiceProvider(p) => {
            conn.prepare_cached(
                "INSERT INTO service_providers (id, doc) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
            )?
            .execute(params![p.id, encode(p, "service provider")?])?;
        }
        Write::Referral(r) => {
            conn.prepare_cached(
                "INSERT INTO referrals (id, incident_id, status, doc) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET status = excluded.status, doc = excluded.doc",
            )?
            .execute(params![
                r.id,
                r.incident,
                variant_name(&r.status)?,
                encode(r, "referral")?
            ])?;
        }
        Write::Interview(i) => {
            let n = conn
                .prepare_cached(
                    "INSERT INTO interviews (id, incident_id, doc) VALUES (?1, ?2, ?3)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![i.id, i.incident, encode(i, "interview")?])
                .map_err(|e| duplicate_of(e, || describe(write)))?;
            if n == 0 {
                return Err(StoreError::Duplicate(describe(write)).into());
            }
        }
        _ => {}
    }
    Ok(())
}

/// The directory, by name.
pub(crate) fn service_providers(conn: &Connection) -> Result<Vec<ServiceProvider>> {
    let mut all: Vec<ServiceProvider> = docs(
        conn,
        "SELECT doc FROM service_providers ORDER BY id",
        [],
        "service provider",
    )?;
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

/// The referrals of an incident, oldest first.
pub(crate) fn referrals_of(conn: &Connection, incident: &str) -> Result<Vec<Referral>> {
    let mut all: Vec<Referral> = docs(
        conn,
        "SELECT doc FROM referrals WHERE incident_id = ?1 ORDER BY id",
        [incident],
        "referral",
    )?;
    all.sort_by_key(|r| r.referred_at);
    Ok(all)
}

/// The interviews of an incident's survivors, newest first.
pub(crate) fn interviews_of(conn: &Connection, incident: &str) -> Result<Vec<Interview>> {
    let mut all: Vec<Interview> = docs(
        conn,
        "SELECT doc FROM interviews WHERE incident_id = ?1 ORDER BY id",
        [incident],
        "interview",
    )?;
    all.sort_by_key(|i| std::cmp::Reverse(i.at));
    Ok(all)
}

/// The open referrals of incidents in the compartments, oldest first, at most `limit`.
pub(crate) fn open_referrals(
    conn: &Connection,
    compartments: &[Compartment],
    limit: usize,
) -> Result<Vec<Referral>> {
    if compartments.is_empty() || limit == 0 {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT r.doc FROM referrals r JOIN incidents i ON i.id = r.incident_id
         WHERE r.status IN ('pending', 'accepted') AND i.compartment IN ({})
         ORDER BY r.id LIMIT ?",
        vec!["?"; compartments.len()].join(", ")
    );
    let mut args: Vec<Value> = compartments
        .iter()
        .map(|c| Value::Text(c.as_str().into()))
        .collect();
    args.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    let mut all: Vec<Referral> = docs(conn, &sql, params_from_iter(args.iter()), "referral")?;
    all.sort_by_key(|r| r.referred_at);
    Ok(all)
}

/// Sexual-violence incidents of the compartments that occurred in the days given, and how
/// many of them have at least one referral: `(incidents, referred)`.
pub(crate) fn sv_referrals(
    conn: &Connection,
    compartments: &[Compartment],
    from: NaiveDate,
    to: NaiveDate,
    violations: &[&str],
) -> Result<(u64, u64)> {
    if compartments.is_empty() || violations.is_empty() {
        return Ok((0, 0));
    }
    let sql = format!(
        // Driven by the violation rows of the period (they carry their incident's day and
        // compartment), so only the sexual-violence incidents of those days are read.
        "SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM referrals r WHERE r.incident_id = s.id)), 0)
         FROM (SELECT DISTINCT incident_id AS id FROM incident_violations
               WHERE compartment IN ({}) AND occurred_on >= ? AND occurred_on <= ?
                 AND violation IN ({})) s",
        vec!["?"; compartments.len()].join(", "),
        vec!["?"; violations.len()].join(", ")
    );
    let mut args: Vec<Value> = compartments
        .iter()
        .map(|c| Value::Text(c.as_str().into()))
        .collect();
    args.push(Value::Text(from.format("%Y-%m-%d").to_string()));
    args.push(Value::Text(to.format("%Y-%m-%d").to_string()));
    args.extend(violations.iter().map(|v| Value::Text((*v).into())));
    let (n, referred): (i64, i64) = conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(args.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok((
        from_sql_int(n, "incident count")?,
        from_sql_int(referred, "referred count")?,
    ))
}
