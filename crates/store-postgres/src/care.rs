//! The care of survivors: the referral directory, referrals and the interview log.

use chrono::NaiveDate;
use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::types::{Json, ToSql};

use kinga_domain::compartment::Compartment;
use kinga_domain::incident::care::{Interview, Referral, ServiceProvider};
use kinga_store::support::{describe, from_sql_int, variant_name};
use kinga_store::{StoreError, Write};

use crate::error::{Result, corrupt, duplicate_of};
use crate::queries::docs;

/// Apply a provider, a referral or an interview.
pub(crate) async fn write_care(tx: &Transaction<'_>, write: &Write) -> Result<()> {
    match write {
        Write::ServiceProvider(p) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO service_providers (id, doc) VALUES ($1, $2)
                     ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc",
                )
                .await?;
            tx.execute(&stmt, &[&p.id, &Json(p)]).await?;
        }
        Write::Referral(r) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO referrals (id, incident_id, status, doc) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, doc = EXCLUDED.doc",
                )
                .await?;
            let status = variant_name(&r.status)?;
            tx.execute(&stmt, &[&r.id, &r.incident, &status, &Json(r)])
                .await?;
        }
        Write::Interview(i) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO interviews (id, incident_id, doc) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                )
                .await?;
            let n = tx
                .execute(&stmt, &[&i.id, &i.incident, &Json(i)])
                .await
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
pub(crate) async fn service_providers(client: &impl GenericClient) -> Result<Vec<ServiceProvider>> {
    let mut all: Vec<ServiceProvider> =
        docs(client, "SELECT doc FROM service_providers ORDER BY id", &[]).await?;
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

/// The referrals of an incident, oldest first.
pub(crate) async fn referrals_of(
    client: &impl GenericClient,
    incident: &str,
) -> Result<Vec<Referral>> {
    let mut all: Vec<Referral> = docs(
        client,
        "SELECT doc FROM referrals WHERE incident_id = $1 ORDER BY id",
        &[&incident],
    )
    .await?;
    all.sort_by_key(|r| r.referred_at);
    Ok(all)
}

/// The interviews of an incident's survivors, newest first.
pub(crate) async fn interviews_of(
    client: &impl GenericClient,
    incident: &str,
) -> Result<Vec<Interview>> {
    let mut all: Vec<Interview> = docs(
        client,
        "SELECT doc FROM interviews WHERE incident_id = $1 ORDER BY id",
        &[&incident],
    )
    .await?;
    all.sort_by_key(|i| std::cmp::Reverse(i.at));
    Ok(all)
}

/// The open referrals of incidents in the compartments, oldest first, at most `limit`.
pub(crate) async fn open_referrals(
    client: &impl GenericClient,
    compartments: &[Compartment],
    limit: usize,
) -> Result<Vec<Referral>> {
    if compartments.is_empty() || limit == 0 {
        return Ok(vec![]);
    }
    let comps: Vec<String> = compartments
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut all: Vec<Referral> = docs(
        client,
        "SELECT r.doc FROM referrals r JOIN incidents i ON i.id = r.incident_id
         WHERE r.status IN ('pending', 'accepted') AND i.compartment = ANY($1)
         ORDER BY r.id LIMIT $2",
        &[&comps, &limit],
    )
    .await?;
    all.sort_by_key(|r| r.referred_at);
    Ok(all)
}

/// Sexual-violence incidents of the compartments that occurred in the days given, and how
/// many of them have at least one referral: `(incidents, referred)`.
pub(crate) async fn sv_referrals(
    client: &impl GenericClient,
    compartments: &[Compartment],
    from: NaiveDate,
    to: NaiveDate,
    violations: &[&str],
) -> Result<(u64, u64)> {
    if compartments.is_empty() || violations.is_empty() {
        return Ok((0, 0));
    }
    let comps: Vec<String> = compartments
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let vios: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
    let (from, to) = (
        from.format("%Y-%m-%d").to_string(),
        to.format("%Y-%m-%d").to_string(),
    );
    let args: [&(dyn ToSql + Sync); 4] = [&comps, &from, &to, &vios];
    let stmt = client
        .prepare_cached(
            // Driven by the violation rows of the period (they carry their incident's day and
            // compartment), so only the sexual-violence incidents of those days are read.
            "SELECT count(*), count(*) FILTER (WHERE EXISTS
                 (SELECT 1 FROM referrals r WHERE r.incident_id = s.id))
             FROM (SELECT DISTINCT incident_id AS id FROM incident_violations
                   WHERE compartment = ANY($1) AND occurred_on >= $2 AND occurred_on <= $3
                     AND violation = ANY($4)) s",
        )
        .await?;
    let row = client.query_one(&stmt, &args).await?;
    let n: i64 = row.try_get(0).map_err(corrupt)?;
    let referred: i64 = row.try_get(1).map_err(corrupt)?;
    Ok((
        from_sql_int(n, "incident count")?,
        from_sql_int(referred, "referred count")?,
    ))
}
