//! Incidents, compartment grants and compartment keys: their writes and their reads.

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::types::{Json, ToSql};

use chrono::NaiveDate;

use kinga_domain::compartment::{Compartment, CompartmentKey, UserGrant, grant_key};
use kinga_domain::incident::report::Tallies;
use kinga_domain::incident::{Incident, VerificationState, Violation};
use kinga_store::support::{
    IncidentColumns, TallyRows, build_tallies, describe, from_sql_int, like_pattern, page_limit,
    perpetrator_categories, prefix_upper_bound, sql_count, to_sql_int,
};
use kinga_store::{IncidentPage, IncidentQuery, StoreError, Write, tally};

use crate::error::{Error, Result, corrupt, duplicate_of};
use crate::queries::{Filter, doc, docs};

/// Insert or update an incident and rewrite its violations and victims rows.
pub(crate) async fn write_incident(
    tx: &Transaction<'_>,
    write: &Write,
    i: &Incident,
    expected_version: Option<u64>,
) -> Result<()> {
    let c = IncidentColumns::of(i)?;
    let expected = expected_version
        .map(|v| to_sql_int(v, "incident version"))
        .transpose()?;
    let doc = Json(i);
    let values: [&(dyn ToSql + Sync); 10] = [
        &i.id,
        &c.compartment,
        &c.state,
        &c.occurred_on,
        &i.place,
        &i.recorded_at,
        &c.version,
        &c.search,
        &doc,
        &expected,
    ];
    if expected.is_none() {
        let stmt = tx
            .prepare_cached(
                "INSERT INTO incidents (id, compartment, state, occurred_on, place, recorded_at,
                     version, search, doc)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
            )
            .await?;
        if tx.execute(&stmt, &values[..9]).await? == 0 {
            return Err(StoreError::Duplicate(describe(write)).into());
        }
    } else {
        // The counts of the incident as stored leave the tallies before its rows change.
        adjust_tallies(tx, &i.id, false).await?;
        let stmt = tx
            .prepare_cached(
                "UPDATE incidents SET compartment = $2, state = $3, occurred_on = $4, place = $5,
                     recorded_at = $6, version = $7, search = $8, doc = $9
                 WHERE id = $1 AND version = $10",
            )
            .await?;
        if tx.execute(&stmt, &values).await? == 0 {
            return Err(StoreError::Conflict(describe(write)).into());
        }
    }
    for sql in [
        "DELETE FROM incident_violations WHERE incident_id = $1",
        "DELETE FROM incident_victims WHERE incident_id = $1",
        "DELETE FROM incident_perpetrators WHERE incident_id = $1",
    ] {
        let stmt = tx.prepare_cached(sql).await?;
        tx.execute(&stmt, &[&i.id]).await?;
    }
    let stmt = tx
        .prepare_cached("INSERT INTO incident_perpetrators (incident_id, category) VALUES ($1, $2)")
        .await?;
    for category in perpetrator_categories(i) {
        tx.execute(&stmt, &[&i.id, &category]).await?;
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO incident_violations (incident_id, violation, occurred_on, compartment)
             VALUES ($1, $2, $3, $4)",
        )
        .await?;
    for v in &i.violations {
        tx.execute(&stmt, &[&i.id, &v.as_str(), &c.occurred_on, &c.compartment])
            .await?;
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO incident_victims (incident_id, n, sex, age_group, disability, displaced)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .await?;
    for (n, v) in i.victims.iter().enumerate() {
        let n = i32::try_from(n).unwrap_or(i32::MAX);
        tx.execute(
            &stmt,
            &[
                &i.id,
                &n,
                &v.sex.as_str(),
                &v.age_group.as_str(),
                &v.disability,
                &v.displaced,
            ],
        )
        .await?;
    }
    adjust_tallies(tx, &i.id, true).await
}

/// Take an incident's counts out of the day tallies, or put them in (`kinga_store::tally`).
async fn adjust_tallies(tx: &Transaction<'_>, id: &str, add: bool) -> Result<()> {
    for sql in tally::adjust(add, "$1") {
        let stmt = tx.prepare_cached(&sql).await?;
        tx.execute(&stmt, &[&id]).await?;
    }
    Ok(())
}

/// Apply a grant, a revocation or a compartment key.
pub(crate) async fn write_access(tx: &Transaction<'_>, write: &Write) -> Result<()> {
    match write {
        Write::Grant(g) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO user_grants (id, user_id, compartment, doc) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc",
                )
                .await?;
            tx.execute(
                &stmt,
                &[&g.key(), &g.user, &g.compartment.as_str(), &Json(g)],
            )
            .await?;
        }
        Write::RevokeGrant { user, compartment } => {
            let stmt = tx
                .prepare_cached("DELETE FROM user_grants WHERE id = $1")
                .await?;
            tx.execute(&stmt, &[&grant_key(user, *compartment)]).await?;
        }
        Write::CompartmentKey(k) => {
            // Retiring rewrites the row; a second key under a taken version is refused.
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO compartment_keys (id, compartment, version, doc)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc
                     WHERE compartment_keys.doc->>'wrapped' = EXCLUDED.doc->>'wrapped'",
                )
                .await?;
            let version = i32::try_from(k.version).map_err(|_| {
                Error::Store(StoreError::Backend(
                    "compartment key version too large".into(),
                ))
            })?;
            let n = tx
                .execute(
                    &stmt,
                    &[&k.key(), &k.compartment.as_str(), &version, &Json(k)],
                )
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

fn filter(q: &IncidentQuery) -> Filter {
    let mut f = Filter::default();
    let comps: Vec<String> = q
        .compartments
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let p = f.arg(comps);
    f.clauses.push(format!("compartment = ANY({p})"));
    if !q.states.is_empty() {
        let states: Vec<String> = q.states.iter().map(|s| s.as_str().to_string()).collect();
        let p = f.arg(states);
        f.clauses.push(format!("state = ANY({p})"));
    }
    if let Some(prefix) = q.place_prefix.as_deref().filter(|p| !p.is_empty()) {
        let p = f.arg(prefix.to_string());
        f.clauses.push(format!("place >= {p}"));
        if let Some(upper) = prefix_upper_bound(prefix) {
            let p = f.arg(upper);
            f.clauses.push(format!("place < {p}"));
        }
    }
    if let Some(v) = q.violation {
        let p = f.arg(v.as_str().to_string());
        f.clauses.push(format!(
            "id IN (SELECT incident_id FROM incident_violations WHERE violation = {p})"
        ));
    }
    if let Some(t) = q.taxonomy {
        let names: Vec<String> = Violation::ALL
            .iter()
            .filter(|v| v.taxonomy() == t)
            .map(|v| v.as_str().to_string())
            .collect();
        let p = f.arg(names);
        f.clauses.push(format!(
            "id IN (SELECT incident_id FROM incident_violations WHERE violation = ANY({p}))"
        ));
    }
    if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let p = f.arg(like_pattern(&t.to_lowercase()));
        f.clauses.push(format!("search LIKE {p} ESCAPE '\\'"));
    }
    if let Some(d) = q.occurred_from {
        let p = f.arg(d.format("%Y-%m-%d").to_string());
        f.clauses.push(format!("occurred_on >= {p}"));
    }
    if let Some(d) = q.occurred_to {
        let p = f.arg(d.format("%Y-%m-%d").to_string());
        f.clauses.push(format!("occurred_on <= {p}"));
    }
    f
}

/// A page of incidents, the total and the count per state, in one snapshot.
pub(crate) async fn incidents(
    client: &mut deadpool_postgres::Object,
    q: &IncidentQuery,
) -> Result<IncidentPage> {
    if q.compartments.is_empty() {
        return Ok(IncidentPage::default());
    }
    let mut f = filter(q);
    let where_ = f.sql();
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let stmt = tx
        .prepare_cached(&format!(
            "SELECT state, count(*) FROM incidents {where_} GROUP BY state"
        ))
        .await?;
    let mut by_state = Vec::new();
    let mut total = 0;
    for r in tx.query(&stmt, &f.refs()).await? {
        let state: String = r.try_get(0).map_err(corrupt)?;
        let n = from_sql_int(r.try_get(1).map_err(corrupt)?, "incident count")?;
        let state: VerificationState = state
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("incident state: {e}")))?;
        total += n;
        by_state.push((state, n));
    }
    by_state.sort_by_key(|(s, _)| VerificationState::ALL.iter().position(|x| x == s));
    let limit = page_limit(q.limit);
    let mut items = Vec::new();
    if limit > 0 {
        let (l, o) = (f.arg(sql_count(limit)), f.arg(sql_count(q.offset)));
        let sql = format!(
            "SELECT doc FROM incidents {where_} ORDER BY occurred_on DESC, id DESC LIMIT {l} OFFSET {o}"
        );
        let stmt = tx.prepare_cached(&sql).await?;
        items = tx
            .query(&stmt, &f.refs())
            .await?
            .iter()
            .map(|r| doc(r, 0))
            .collect::<Result<_>>()?;
    }
    tx.commit().await?;
    Ok(IncidentPage {
        items,
        total,
        by_state,
    })
}

/// A user's grants.
pub(crate) async fn grants_of(client: &impl GenericClient, user: &str) -> Result<Vec<UserGrant>> {
    docs(
        client,
        "SELECT doc FROM user_grants WHERE user_id = $1 ORDER BY id",
        &[&user],
    )
    .await
}

/// Every compartment key.
pub(crate) async fn compartment_keys(client: &impl GenericClient) -> Result<Vec<CompartmentKey>> {
    docs(client, "SELECT doc FROM compartment_keys ORDER BY id", &[]).await
}

/// The counts of the MRM/MARA report, in one snapshot.
pub(crate) async fn tallies(
    client: &mut deadpool_postgres::Object,
    compartments: &[Compartment],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Tallies> {
    if compartments.is_empty() {
        return Ok(Tallies::default());
    }
    let comps: Vec<String> = compartments
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    let (from, to) = (
        from.format("%Y-%m-%d").to_string(),
        to.format("%Y-%m-%d").to_string(),
    );
    let args: [&(dyn ToSql + Sync); 3] = [&comps, &from, &to];
    let where_ = "i.compartment = ANY($1) AND i.occurred_on >= $2 AND i.occurred_on <= $3";
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let mut out: [TallyRows; 4] = Default::default();
    for (slot, sql) in out.iter_mut().zip(tally::TALLY_SQL) {
        let stmt = tx.prepare_cached(&sql.replace("{where}", where_)).await?;
        let width = stmt.columns().len() - 1;
        for r in tx.query(&stmt, &args).await? {
            let mut cols = Vec::with_capacity(width);
            for i in 0..width {
                cols.push(r.try_get::<_, String>(i).map_err(corrupt)?);
            }
            slot.push((cols, r.try_get(width).map_err(corrupt)?));
        }
    }
    tx.commit().await?;
    Ok(build_tallies(out)?)
}
