//! The write side of one commit: appending sealed events and applying its projection rows.

use deadpool_postgres::Transaction;
use tokio_postgres::types::{Json, ToSql};

use kinga_ledger::Event;
use kinga_store::support::{AlertColumns, describe, to_sql_int, variant_name};
use kinga_store::{StoreError, Write};

use crate::error::{Error, Result, constraint, duplicate_of};

/// Append sealed events.
pub(crate) async fn append(tx: &Transaction<'_>, events: &[Event]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO events (id, origin, seq, actor, at, payload, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .await?;
    for e in events {
        let seq = to_sql_int(e.seq, "sequence number")?;
        let res = tx
            .execute(
                &stmt,
                &[
                    &e.id,
                    &e.origin,
                    &seq,
                    &e.actor,
                    &e.at,
                    &e.payload,
                    &e.prev_hash,
                    &e.hash,
                ],
            )
            .await;
        if let Err(err) = res {
            if constraint(&err) == Some("events_origin_seq_key") {
                // The head row is locked while sealing, so this means it disagrees with the log.
                return Err(StoreError::Backend(format!(
                    "chain_heads is behind the events of origin {}: {err}",
                    e.origin
                ))
                .into());
            }
            return Err(duplicate_of(err, || format!("event {}", e.id)));
        }
    }
    Ok(())
}

/// Append the sealed events of a whole group in one statement, in the order given (the
/// positions follow it: the rows are numbered after the sort on their ordinality).
pub(crate) async fn append_all(tx: &Transaction<'_>, events: &[&Event]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO events (id, origin, seq, actor, at, payload, prev_hash, hash)
             SELECT id, origin, seq, actor, at, payload, prev_hash, hash
             FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                         $6::text[], $7::text[], $8::text[]) WITH ORDINALITY
                  AS e (id, origin, seq, actor, at, payload, prev_hash, hash, n)
             ORDER BY n",
        )
        .await?;
    let column = |f: fn(&Event) -> &str| events.iter().map(|e| f(e)).collect::<Vec<&str>>();
    let seqs = events
        .iter()
        .map(|e| to_sql_int(e.seq, "sequence number"))
        .collect::<std::result::Result<Vec<i64>, StoreError>>()?;
    tx.execute(
        &stmt,
        &[
            &column(|e| &e.id),
            &column(|e| &e.origin),
            &seqs,
            &column(|e| &e.actor),
            &column(|e| &e.at),
            &column(|e| &e.payload),
            &column(|e| &e.prev_hash),
            &column(|e| &e.hash),
        ],
    )
    .await?;
    Ok(())
}

/// Apply one projection row.
pub(crate) async fn apply(tx: &Transaction<'_>, write: &Write) -> Result<()> {
    let dup = |e: tokio_postgres::Error| duplicate_of(e, || describe(write));
    match write {
        Write::Alert {
            alert,
            expected_version,
        } => {
            let c = AlertColumns::of(alert)?;
            let expected = expected_version
                .map(|v| to_sql_int(v, "alert version"))
                .transpose()?;
            let (assigned, doc) = (Json(&alert.assigned), Json(alert.as_ref()));
            // $18, the expected version, is only bound by the update.
            let values: [&(dyn ToSql + Sync); 18] = [
                &alert.id,
                &alert.reference,
                &c.state,
                &c.open,
                &c.severity,
                &c.threat_type,
                &c.place,
                &c.uncovered,
                &c.reported_at,
                &c.received_at,
                &c.next_deadline,
                &c.reporter_digest,
                &assigned,
                &c.version,
                &doc,
                &c.taken_by,
                &c.unheard,
                &expected,
            ];
            if expected.is_none() {
                // DO NOTHING covers both the id and the reference: either taken is a duplicate.
                let stmt = tx
                    .prepare_cached(
                        "INSERT INTO alerts (id, reference, state, open, severity, threat_type, place,
                             uncovered, reported_at, received_at, next_deadline, reporter_digest,
                             assigned, version, doc, taken_by, unheard)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                             $17)
                         ON CONFLICT DO NOTHING",
                    )
                    .await?;
                if tx.execute(&stmt, &values[..17]).await? == 0 {
                    return Err(StoreError::Duplicate(describe(write)).into());
                }
            } else {
                let stmt = tx
                    .prepare_cached(
                        "UPDATE alerts SET reference = $2, state = $3, open = $4, severity = $5,
                             threat_type = $6, place = $7, uncovered = $8, reported_at = $9,
                             received_at = $10, next_deadline = $11, reporter_digest = $12,
                             assigned = $13, version = $14, doc = $15, taken_by = $16,
                             unheard = $17
                         WHERE id = $1 AND version = $18",
                    )
                    .await?;
                if tx.execute(&stmt, &values).await.map_err(dup)? == 0 {
                    return Err(StoreError::Conflict(describe(write)).into());
                }
            }
        }
        Write::Place(p) => upsert(tx, "places", "pcode", &p.pcode, &Json(p)).await?,
        Write::Actor(a) => upsert(tx, "actors", "id", &a.id, &Json(a)).await?,
        Write::Peer(p) => upsert(tx, "peers", "name", &p.name, &Json(p)).await?,
        Write::HandoverReversal(r) => {
            upsert(tx, "handover_reversals", "plan", &r.plan, &Json(r)).await?
        }
        Write::Broadcast(b) => upsert(tx, "broadcasts", "id", &b.id, &Json(b)).await?,
        Write::Agreement(a) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO agreements (id, peer, doc) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO UPDATE SET peer = EXCLUDED.peer, doc = EXCLUDED.doc",
                )
                .await?;
            tx.execute(&stmt, &[&a.id, &a.peer, &Json(a)]).await?;
        }
        Write::RecordConflict(c) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO record_conflicts (id, kind, record, compartment, found_at, doc)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind,
                         record = EXCLUDED.record, compartment = EXCLUDED.compartment,
                         found_at = EXCLUDED.found_at, doc = EXCLUDED.doc",
                )
                .await?;
            tx.execute(
                &stmt,
                &[
                    &c.id,
                    &c.kind.as_str(),
                    &c.record,
                    &c.compartment,
                    &c.found_at,
                    &Json(c),
                ],
            )
            .await?;
        }
        Write::HrddpScreening(s) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO hrddp_screenings (id, unit, doc) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO UPDATE SET unit = EXCLUDED.unit, doc = EXCLUDED.doc",
                )
                .await?;
            tx.execute(&stmt, &[&s.id, &s.unit, &Json(s)]).await?;
        }
        Write::GbvimsImport(i) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO gbvims_imports (id, provider, doc) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO UPDATE SET provider = EXCLUDED.provider, doc = EXCLUDED.doc",
                )
                .await?;
            tx.execute(&stmt, &[&i.id, &i.provider, &Json(i)]).await?;
        }
        Write::Responder(r) => upsert(tx, "responders", "id", &r.id, &Json(r)).await?,
        Write::FocalPoint(f) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO focal_points (id, phone_digest, doc) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO UPDATE SET phone_digest = EXCLUDED.phone_digest, doc = EXCLUDED.doc",
                )
                .await?;
            tx.execute(&stmt, &[&f.id, &f.phone_digest, &Json(f)])
                .await?;
        }
        Write::User(u) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO users (id, name, doc) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, doc = EXCLUDED.doc",
                )
                .await?;
            tx.execute(&stmt, &[&u.id, &u.name, &Json(u)])
                .await
                .map_err(dup)?;
        }
        Write::Token(t) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO api_tokens (id, user_id, digest, doc) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id, digest = EXCLUDED.digest,
                         doc = EXCLUDED.doc",
                )
                .await?;
            tx.execute(&stmt, &[&t.id, &t.user, &t.digest, &Json(t)])
                .await
                .map_err(dup)?;
        }
        Write::Outbox(m) => {
            // Writing a message back is what ends a worker's lease on it.
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO outbox (id, status, alert, created_at, next_attempt_at, provider,
                         provider_message_id, lease_until, doc, inbox_user)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9)
                     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, alert = EXCLUDED.alert,
                         created_at = EXCLUDED.created_at, next_attempt_at = EXCLUDED.next_attempt_at,
                         provider = EXCLUDED.provider,
                         provider_message_id = EXCLUDED.provider_message_id,
                         lease_until = NULL, doc = EXCLUDED.doc",
                )
                .await?;
            let status = variant_name(&m.status)?;
            tx.execute(
                &stmt,
                &[
                    &m.id,
                    &status,
                    &m.alert,
                    &m.created_at,
                    &m.next_attempt_at,
                    &m.provider,
                    &m.provider_message_id,
                    &Json(m),
                    &m.inbox_user(),
                ],
            )
            .await?;
        }
        Write::Digest { day, digest } => upsert(tx, "digests", "day", day, &Json(digest)).await?,
        Write::Idempotency(a) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO idempotency (key, fingerprint, status, body, created_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .await?;
            let status = i32::from(a.status);
            if tx
                .execute(
                    &stmt,
                    &[
                        &a.key,
                        &a.fingerprint,
                        &status,
                        &Json(&a.body),
                        &a.created_at,
                    ],
                )
                .await?
                == 0
            {
                return Err(Error::Store(StoreError::Duplicate(describe(write))));
            }
        }
        Write::Audit(e) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO audit (id, at, actor, action, record, context)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .await?;
            tx.execute(
                &stmt,
                &[&e.id, &e.at, &e.actor, &e.action, &e.record, &e.context],
            )
            .await
            .map_err(dup)?;
        }
        Write::Incident {
            incident,
            expected_version,
        } => crate::incidents::write_incident(tx, write, incident, *expected_version).await?,
        Write::Grant(_) | Write::RevokeGrant { .. } | Write::CompartmentKey(_) => {
            crate::incidents::write_access(tx, write).await?
        }
        Write::ServiceProvider(_) | Write::Referral(_) | Write::Interview(_) => {
            crate::care::write_care(tx, write).await?
        }
        Write::CapacityPlan { .. }
        | Write::RemoveCapacityPlan { .. }
        | Write::WithdrawalPlan { .. } => crate::transition::write(tx, write).await?,
        Write::TransitionRecord { .. } | Write::RemoveTransitionRecord { .. } => {
            crate::transition_records::write(tx, write).await?
        }
        Write::ContextEvent(_) => crate::context::write(tx, write).await?,
    }
    Ok(())
}

async fn upsert(
    tx: &Transaction<'_>,
    table: &str,
    key: &str,
    id: &str,
    doc: &(dyn ToSql + Sync),
) -> Result<()> {
    // Table and key names are this module's constants, never input.
    let sql = format!(
        "INSERT INTO {table} ({key}, doc) VALUES ($1, $2) ON CONFLICT ({key}) DO UPDATE SET doc = EXCLUDED.doc"
    );
    let stmt = tx.prepare_cached(&sql).await?;
    tx.execute(&stmt, &[&id, doc]).await?;
    Ok(())
}
