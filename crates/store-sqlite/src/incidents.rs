//! Incidents, compartment grants and compartment keys: their writes and their reads.

use rusqlite::types::Value;
use rusqlite::{Connection, ToSql, params, params_from_iter};

use chrono::NaiveDate;

use kinga_domain::compartment::{Compartment, CompartmentKey, UserGrant};
use kinga_domain::incident::report::Tallies;
use kinga_domain::incident::{Incident, VerificationState, Violation};
use kinga_store::support::{
    IncidentColumns, TallyRows, build_tallies, decode, describe, encode, from_sql_int,
    like_pattern, page_limit, perpetrator_categories, prefix_upper_bound, sql_count, to_sql_int,
};
use kinga_store::{IncidentPage, IncidentQuery, StoreError, Write, tally};

use crate::error::{Result, duplicate_of};
use crate::rows::ts;

/// Insert or update an incident and rewrite its violations and victims rows.
pub(crate) fn write_incident(
    conn: &Connection,
    write: &Write,
    i: &Incident,
    expected_version: Option<u64>,
) -> Result<()> {
    let c = IncidentColumns::of(i)?;
    let doc = encode(i, "incident")?;
    let recorded = ts(i.recorded_at);
    let expected = expected_version
        .map(|v| to_sql_int(v, "incident version"))
        .transpose()?;
    let values: [&dyn ToSql; 10] = [
        &i.id,
        &c.compartment,
        &c.state,
        &c.occurred_on,
        &i.place,
        &recorded,
        &c.version,
        &c.search,
        &doc,
        &expected,
    ];
    if expected.is_none() {
        let n = conn
            .prepare_cached(
                "INSERT INTO incidents (id, compartment, state, occurred_on, place, recorded_at,
                     version, search, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
            )?
            .execute(&values[..9])?;
        if n == 0 {
            return Err(StoreError::Duplicate(describe(write)).into());
        }
    } else {
        // The counts of the incident as stored leave the tallies before its rows change.
        adjust_tallies(conn, &i.id, false)?;
        let n = conn
            .prepare_cached(
                "UPDATE incidents SET compartment = ?2, state = ?3, occurred_on = ?4, place = ?5,
                     recorded_at = ?6, version = ?7, search = ?8, doc = ?9
                 WHERE id = ?1 AND version = ?10",
            )?
            .execute(&values[..])?;
        if n == 0 {
            return Err(StoreError::Conflict(describe(write)).into());
        }
    }
    conn.prepare_cached("DELETE FROM incident_violations WHERE incident_id = ?1")?
        .execute([&i.id])?;
    conn.prepare_cached("DELETE FROM incident_victims WHERE incident_id = ?1")?
        .execute([&i.id])?;
    conn.prepare_cached("DELETE FROM incident_perpetrators WHERE incident_id = ?1")?
        .execute([&i.id])?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO incident_perpetrators (incident_id, category) VALUES (?1, ?2)",
    )?;
    for category in perpetrator_categories(i) {
        stmt.execute(params![i.id, category])?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO incident_violations (incident_id, violation, occurred_on, compartment)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for v in &i.violations {
        stmt.execute(params![i.id, v.as_str(), c.occurred_on, c.compartment])?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO incident_victims (incident_id, n, sex, age_group, disability, displaced)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (n, v) in i.victims.iter().enumerate() {
        stmt.execute(params![
            i.id,
            sql_count(n),
            v.sex.as_str(),
            v.age_group.as_str(),
            v.disability,
            v.displaced
        ])?;
    }
    adjust_tallies(conn, &i.id, true)
}

/// Take an incident's counts out of the day tallies, or put them in (`kinga_store::tally`).
fn adjust_tallies(conn: &Connection, id: &str, add: bool) -> Result<()> {
    for sql in tally::adjust(add, "?1") {
        conn.prepare_cached(&sql)?.execute([id])?;
    }
    Ok(())
}

/// Apply a grant, a revocation or a compartment key.
pub(crate) fn write_access(conn: &Connection, write: &Write) -> Result<()> {
    match write {
        Write::Grant(g) => {
            conn.prepare_cached(
                "INSERT INTO user_grants (id, user_id, compartment, doc) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
            )?
            .execute(params![
                g.key(),
                g.user,
                g.compartment.as_str(),
                encode(g, "grant")?
            ])?;
        }
        Write::RevokeGrant { user, compartment } => {
            conn.prepare_cached("DELETE FROM user_grants WHERE id = ?1")?
                .execute([kinga_domain::compartment::grant_key(user, *compartment)])?;
        }
        Write::CompartmentKey(k) => {
            // Retiring rewrites the row; a second key under a taken version is refused.
            let n = conn
                .prepare_cached(
                    "INSERT INTO compartment_keys (id, compartment, version, doc)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (id) DO UPDATE SET doc = excluded.doc
                     WHERE json_extract(compartment_keys.doc, '$.wrapped') = json_extract(excluded.doc, '$.wrapped')",
                )?
                .execute(params![
                    k.key(),
                    k.compartment.as_str(),
                    k.version,
                    encode(k, "compartment key")?
                ])
                .map_err(|e| duplicate_of(e, || describe(write)))?;
            if n == 0 {
                return Err(StoreError::Duplicate(describe(write)).into());
            }
        }
        _ => {}
    }
    Ok(())
}

/// The `WHERE` clause and arguments of an incident query (never empty: compartments lead).
fn filter(q: &IncidentQuery) -> (String, Vec<Value>) {
    let mut clauses = vec![format!(
        "compartment IN ({})",
        vec!["?"; q.compartments.len()].join(", ")
    )];
    let mut args: Vec<Value> = q
        .compartments
        .iter()
        .map(|c| Value::Text(c.as_str().into()))
        .collect();
    if !q.states.is_empty() {
        clauses.push(format!(
            "state IN ({})",
            vec!["?"; q.states.len()].join(", ")
        ));
        args.extend(q.states.iter().map(|s| Value::Text(s.as_str().into())));
    }
    if let Some(prefix) = q.place_prefix.as_deref().filter(|p| !p.is_empty()) {
        clauses.push("place >= ?".into());
        args.push(Value::Text(prefix.into()));
        if let Some(upper) = prefix_upper_bound(prefix) {
            clauses.push("place < ?".into());
            args.push(Value::Text(upper));
        }
    }
    if let Some(v) = q.violation {
        clauses
            .push("id IN (SELECT incident_id FROM incident_violations WHERE violation = ?)".into());
        args.push(Value::Text(v.as_str().into()));
    }
    if let Some(t) = q.taxonomy {
        let names: Vec<&str> = Violation::ALL
            .iter()
            .filter(|v| v.taxonomy() == t)
            .map(|v| v.as_str())
            .collect();
        clauses.push(format!(
            "id IN (SELECT incident_id FROM incident_violations WHERE violation IN ({}))",
            vec!["?"; names.len()].join(", ")
        ));
        args.extend(names.into_iter().map(|n| Value::Text(n.into())));
    }
    if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        clauses.push("search LIKE ? ESCAPE '\\'".into());
        args.push(Value::Text(like_pattern(&t.to_lowercase())));
    }
    if let Some(d) = q.occurred_from {
        clauses.push("occurred_on >= ?".into());
        args.push(Value::Text(d.format("%Y-%m-%d").to_string()));
    }
    if let Some(d) = q.occurred_to {
        clauses.push("occurred_on <= ?".into());
        args.push(Value::Text(d.format("%Y-%m-%d").to_string()));
    }
    (format!("WHERE {}", clauses.join(" AND ")), args)
}

/// A page of incidents, the total and the count per state, in one snapshot.
pub(crate) fn incidents(conn: &Connection, q: &IncidentQuery) -> Result<IncidentPage> {
    if q.compartments.is_empty() {
        return Ok(IncidentPage::default());
    }
    let (filter, mut args) = filter(q);
    let tx = conn.unchecked_transaction()?;
    let mut by_state = Vec::new();
    let mut total = 0;
    {
        let sql = format!("SELECT state, count(*) FROM incidents {filter} GROUP BY state");
        let mut stmt = tx.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let state: String = r.get(0)?;
            let n = from_sql_int(r.get(1)?, "incident count")?;
            let state: VerificationState = state
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("incident state: {e}")))?;
            total += n;
            by_state.push((state, n));
        }
    }
    by_state.sort_by_key(|(s, _)| VerificationState::ALL.iter().position(|x| x == s));
    let limit = page_limit(q.limit);
    let mut items = Vec::new();
    if limit > 0 {
        args.push(Value::Integer(sql_count(limit)));
        args.push(Value::Integer(sql_count(q.offset)));
        let sql = format!(
            "SELECT doc FROM incidents {filter} ORDER BY occurred_on DESC, id DESC LIMIT ? OFFSET ?"
        );
        let mut stmt = tx.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let text: String = r.get(0)?;
            items.push(decode::<Incident>(&text, "incident")?);
        }
    }
    Ok(IncidentPage {
        items,
        total,
        by_state,
    })
}

/// A user's grants.
pub(crate) fn grants_of(conn: &Connection, user: &str) -> Result<Vec<UserGrant>> {
    crate::queries::docs(
        conn,
        "SELECT doc FROM user_grants WHERE user_id = ?1 ORDER BY id",
        [user],
        "grant",
    )
}

/// Every compartment key.
pub(crate) fn compartment_keys(conn: &Connection) -> Result<Vec<CompartmentKey>> {
    crate::queries::docs(
        conn,
        "SELECT doc FROM compartment_keys ORDER BY id",
        [],
        "compartment key",
    )
}

/// The counts of the MRM/MARA report, in one snapshot.
pub(crate) fn tallies(
    conn: &Connection,
    compartments: &[Compartment],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Tallies> {
    if compartments.is_empty() {
        return Ok(Tallies::default());
    }
    let where_ = format!(
        "i.compartment IN ({}) AND i.occurred_on >= ? AND i.occurred_on <= ?",
        vec!["?"; compartments.len()].join(", ")
    );
    let mut args: Vec<Value> = compartments
        .iter()
        .map(|c| Value::Text(c.as_str().into()))
        .collect();
    args.push(Value::Text(from.format("%Y-%m-%d").to_string()));
    args.push(Value::Text(to.format("%Y-%m-%d").to_string()));
    let tx = conn.unchecked_transaction()?;
    let mut out: [TallyRows; 4] = Default::default();
    for (slot, sql) in out.iter_mut().zip(tally::TALLY_SQL) {
        let sql = sql.replace("{where}", &where_);
        let mut stmt = tx.prepare_cached(&sql)?;
        let width = stmt.column_count() - 1;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let mut cols = Vec::with_capacity(width);
            for i in 0..width {
                cols.push(r.get::<_, String>(i)?);
            }
            slot.push((cols, r.get(width)?));
        }
    }
    Ok(build_tallies(out)?)
}
