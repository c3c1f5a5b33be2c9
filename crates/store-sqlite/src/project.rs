//! The write side of one commit: appending sealed events and applying its projection rows.

use rusqlite::{Connection, ToSql, params};

use kinga_ledger::Event;
use kinga_store::support::{AlertColumns, describe, encode, to_sql_int, variant_name};
use kinga_store::{StoreError, Write};

use crate::error::{Error, Result, duplicate_of, is_unique_violation};
use crate::rows::ts;

/// Why appending an event failed.
pub(crate) enum AppendError {
    /// This writer's chain head is behind the file: another process wrote to it.
    StaleHead(Error),
    /// Anything else (a replayed event id, I/O).
    Other(Error),
}

/// Append sealed events.
pub(crate) fn append(conn: &Connection, events: &[Event]) -> std::result::Result<(), AppendError> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO events (id, origin, seq, actor, at, payload, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(|e| AppendError::Other(e.into()))?;
    for e in events {
        let seq = to_sql_int(e.seq, "sequence number").map_err(|e| AppendError::Other(e.into()))?;
        let res = stmt.execute(params![
            e.id,
            e.origin,
            seq,
            e.actor,
            e.at,
            e.payload,
            e.prev_hash,
            e.hash
        ]);
        match res {
            Ok(_) => {}
            Err(err) if is_unique_violation(&err) && err.to_string().contains("events.seq") => {
                return Err(AppendError::StaleHead(err.into()));
            }
            Err(err) => {
                return Err(AppendError::Other(duplicate_of(err, || {
                    format!("event {}", e.id)
                })));
            }
        }
    }
    Ok(())
}

/// An alert's row with its columns derived and its documents encoded, ready to insert or
/// update: an import prepares these on another thread than the writer's.
pub(crate) struct NewAlertRow {
    id: String,
    reference: String,
    c: AlertColumns,
    times: (String, String, Option<String>),
    assigned: String,
    doc: String,
}

impl NewAlertRow {
    /// The row of `alert`.
    pub(crate) fn of(alert: &kinga_domain::Alert) -> Result<NewAlertRow> {
        let c = AlertColumns::of(alert)?;
        Ok(NewAlertRow {
            id: alert.id.clone(),
            reference: alert.reference.clone(),
            times: (
                ts(c.reported_at),
                ts(c.received_at),
                c.next_deadline.map(ts),
            ),
            c,
            assigned: encode(&alert.assigned, "assigned responders")?,
            doc: encode(alert, "alert")?,
        })
    }

    /// Insert it; a taken id or reference is a duplicate, as for [`apply`].
    /// Its seventeen column values, in the order of [`INSERT_ALERT`] (`?1`–`?17`).
    fn values(&self) -> [&dyn ToSql; 17] {
        let (c, times) = (&self.c, &self.times);
        [
            &self.id,
            &self.reference,
            &c.state,
            &c.open,
            &c.severity,
            &c.threat_type,
            &c.place,
            &c.uncovered,
            &times.0,
            &times.1,
            &times.2,
            &c.reporter_digest,
            &self.assigned,
            &c.version,
            &self.doc,
            &c.taken_by,
            &c.unheard,
        ]
    }

    pub(crate) fn insert(&self, conn: &Connection) -> Result<()> {
        // DO NOTHING covers both the id and the reference: either taken is a duplicate.
        let n = conn
            .prepare_cached(INSERT_ALERT)?
            .execute(&self.values()[..])?;
        if n == 0 {
            return Err(
                StoreError::Duplicate(format!("alert {} ({})", self.reference, self.id)).into(),
            );
        }
        Ok(())
    }
}

/// The whole row of an alert changed on its expected version (`?18`).
const UPDATE_ALERT: &str = "UPDATE alerts SET reference = ?2, state = ?3, open = ?4, severity = ?5,
         threat_type = ?6, place = ?7, uncovered = ?8, reported_at = ?9,
         received_at = ?10, next_deadline = ?11, reporter_digest = ?12,
         assigned = ?13, version = ?14, doc = ?15, taken_by = ?16, unheard = ?17
     WHERE id = ?1 AND version = ?18";

/// [`UPDATE_ALERT`] when no indexed column changes (they are all of the row's columns but the
/// version and the document): no row when one does, or when the version is not the expected
/// one, and the whole-row update decides which.
const UPDATE_ALERT_DOCUMENT: &str = "UPDATE alerts SET version = ?14, doc = ?15
     WHERE id = ?1 AND version = ?18 AND reference = ?2 AND state = ?3 AND open = ?4
         AND severity = ?5 AND threat_type IS ?6 AND place IS ?7 AND uncovered = ?8
         AND reported_at = ?9 AND received_at = ?10 AND next_deadline IS ?11
         AND reporter_digest IS ?12 AND assigned = ?13 AND taken_by IS ?16 AND unheard = ?17";

const INSERT_ALERT: &str =
    "INSERT INTO alerts (id, reference, state, open, severity, threat_type, place,
         uncovered, reported_at, received_at, next_deadline, reporter_digest,
         assigned, version, doc, taken_by, unheard)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
     ON CONFLICT DO NOTHING";

/// Apply one projection row.
pub(crate) fn apply(conn: &Connection, write: &Write) -> Result<()> {
    let dup = |e: rusqlite::Error| duplicate_of(e, || describe(write));
    match write {
        Write::Alert {
            alert,
            expected_version,
        } => {
            let row = NewAlertRow::of(alert)?;
            if expected_version.is_none() {
                row.insert(conn)?;
            } else {
                let expected = expected_version
                    .map(|v| to_sql_int(v, "alert version"))
                    .transpose()?;
                // ?18, the expected version, is bound only by the updates.
                let mut values = row.values().to_vec();
                values.push(&expected);
                // Most changes (a follow-up message, a note) leave every indexed column as
                // it was: then only the version and the document are written. SQLite
                // rewrites an index whenever the SET list names one of its columns, whatever
                // the values, so the whole-row update rewrote an entry in every one of the
                // alert's indexes for a changed document.
                let mut n = conn
                    .prepare_cached(UPDATE_ALERT_DOCUMENT)?
                    .execute(&values[..])
                    .map_err(dup)?;
                if n == 0 {
                    n = conn
                        .prepare_cached(UPDATE_ALERT)?
                        .execute(&values[..])
                        .map_err(dup)?;
                }
                if n == 0 {
                    return Err(StoreError::Conflict(describe(write)).into());
                }
            }
        }
        Write::Place(p) => upsert(conn, "places", "pcode", &p.pcode, &encode(p, "place")?)?,
        Write::Actor(a) => upsert(conn, "actors", "id", &a.id, &encode(a, "actor")?)?,
        Write::Peer(p) => upsert(conn, "peers", "name", &p.name, &encode(p, "peer")?)?,
        Write::HandoverReversal(r) => upsert(
            conn,
            "handover_reversals",
            "plan",
            &r.plan,
            &encode(r, "handover reversal")?,
        )?,
        Write::Broadcast(b) => upsert(conn, "broadcasts", "id", &b.id, &encode(b, "broadcast")?)?,
        Write::Agreement(a) => {
            conn.prepare_cached(
                "INSERT INTO agreements (id, peer, doc) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET peer = excluded.peer, doc = excluded.doc",
            )?
            .execute(rusqlite::params![a.id, a.peer, encode(a, "agreement")?])?;
        }
        Write::RecordConflict(c) => {
            conn.prepare_cached(
                "INSERT INTO record_conflicts (id, kind, record, compartment, found_at, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, record = excluded.record,
                     compartment = excluded.compartment, found_at = excluded.found_at,
                     doc = excluded.doc",
            )?
            .execute(rusqlite::params![
                c.id,
                c.kind.as_str(),
                c.record,
                c.compartment,
                ts(c.found_at),
                encode(c, "record conflict")?
            ])?;
        }
        Write::HrddpScreening(s) => {
            conn.prepare_cached(
                "INSERT INTO hrddp_screenings (id, unit, doc) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET unit = excluded.unit, doc = excluded.doc",
            )?
            .execute(rusqlite::params![
                s.id,
                s.unit,
                encode(s, "HRDDP screening")?
            ])?;
        }
        Write::GbvimsImport(i) => {
            conn.prepare_cached(
                "INSERT INTO gbvims_imports (id, provider, doc) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET provider = excluded.provider, doc = excluded.doc",
            )?
            .execute(rusqlite::params![
                i.id,
                i.provider,
                encode(i, "GBVIMS import")?
            ])?;
        }
        Write::Responder(r) => upsert(conn, "responders", "id", &r.id, &encode(r, "responder")?)?,
        Write::FocalPoint(f) => {
            conn.prepare_cached(
                "INSERT INTO focal_points (id, phone_digest, doc) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET phone_digest = excluded.phone_digest, doc = excluded.doc",
            )?
            .execute(params![f.id, f.phone_digest, encode(f, "focal point")?])?;
        }
        Write::User(u) => {
            // Not INSERT OR REPLACE: that would delete another user holding the same name.
            conn.prepare_cached(
                "INSERT INTO users (id, name, doc) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, doc = excluded.doc",
            )?
            .execute(params![u.id, u.name, encode(u, "user")?])
            .map_err(dup)?;
        }
        Write::Token(t) => {
            conn.prepare_cached(
                "INSERT INTO api_tokens (id, user_id, digest, doc) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, digest = excluded.digest,
                     doc = excluded.doc",
            )?
            .execute(params![t.id, t.user, t.digest, encode(t, "token")?])
            .map_err(dup)?;
        }
        Write::Outbox(m) => {
            // Writing a message back is what ends a worker's lease on it.
            conn.prepare_cached(
                "INSERT INTO outbox (id, status, alert, created_at, next_attempt_at, provider,
                     provider_message_id, lease_until, doc, inbox_user)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9)
                 ON CONFLICT (id) DO UPDATE SET status = excluded.status, alert = excluded.alert,
                     created_at = excluded.created_at, next_attempt_at = excluded.next_attempt_at,
                     provider = excluded.provider, provider_message_id = excluded.provider_message_id,
                     lease_until = NULL, doc = excluded.doc",
            )?
            .execute(params![
                m.id,
                variant_name(&m.status)?,
                m.alert,
                ts(m.created_at),
                m.next_attempt_at.map(ts),
                m.provider,
                m.provider_message_id,
                encode(m, "outbox message")?,
                m.inbox_user()
            ])?;
        }
        Write::Digest { day, digest } => {
            upsert(conn, "digests", "day", day, &encode(digest, "digest")?)?
        }
        Write::Idempotency(a) => {
            let n = conn
                .prepare_cached(
                    "INSERT INTO idempotency (key, fingerprint, status, body, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    a.key,
                    a.fingerprint,
                    a.status,
                    encode(&a.body, "answer")?,
                    ts(a.created_at)
                ])?;
            if n == 0 {
                return Err(Error::Store(StoreError::Duplicate(describe(write))));
            }
        }
        Write::Audit(e) => {
            conn.prepare_cached(
                "INSERT INTO audit (id, at, actor, action, record, context)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                e.id,
                ts(e.at),
                e.actor,
                e.action,
                e.record,
                e.context
            ])
            .map_err(dup)?;
        }
        Write::Incident {
            incident,
            expected_version,
        } => crate::incidents::write_incident(conn, write, incident, *expected_version)?,
        Write::Grant(_) | Write::RevokeGrant { .. } | Write::CompartmentKey(_) => {
            crate::incidents::write_access(conn, write)?
        }
        Write::ServiceProvider(_) | Write::Referral(_) | Write::Interview(_) => {
            crate::care::write_care(conn, write)?
        }
        Write::CapacityPlan { .. }
        | Write::RemoveCapacityPlan { .. }
        | Write::WithdrawalPlan { .. } => crate::transition::write(conn, write)?,
        Write::TransitionRecord { .. } | Write::RemoveTransitionRecord { .. } => {
            crate::transition_records::write(conn, write)?
        }
        Write::ContextEvent(_) => crate::context::write(conn, write)?,
    }
    Ok(())
}

fn upsert(conn: &Connection, table: &str, key: &str, id: &str, doc: &str) -> Result<()> {
    // Table and key names are this module's constants, never input.
    let sql = format!(
        "INSERT INTO {table} ({key}, doc) VALUES (?1, ?2) ON CONFLICT ({key}) DO UPDATE SET doc = excluded.doc"
    );
    conn.prepare_cached(&sql)?.execute(params![id, doc])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use kinga_domain::{AlertEvent, ThreatType};
    use kinga_store::conformance::fixtures::{self, AlertSpec, at};

    use super::*;
    use crate::test_support::migrated;

    fn write(alert: &kinga_domain::Alert, expected: Option<u64>) -> Write {
        Write::Alert {
            alert: Box::new(alert.clone()),
            expected_version: expected,
        }
    }

    fn stored(conn: &Connection, id: &str) -> (String, Option<String>, i64) {
        conn.query_row(
            "SELECT doc, taken_by, version FROM alerts WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("row")
    }

    /// A change of the document alone, of an indexed column, and on a stale version: each
    /// row as written, each index still consistent, the stale one refused and changing
    /// nothing.
    #[test]
    fn alert_changes_with_and_without_indexed_columns() {
        let conn = migrated();
        let spec = AlertSpec::new("CD6201", ThreatType::Killing, 4, at(2030, 7, 1, 8, 0, 0));
        let mut alert = fixtures::alert(&spec, 1);
        apply(&conn, &write(&alert, None)).expect("insert");

        let v1 = alert.version;
        alert.apply(
            AlertEvent::NoteAdded { text: "vu".into() },
            "cla",
            Utc::now(),
        );
        apply(&conn, &write(&alert, Some(v1))).expect("note");
        let doc = encode(&alert, "alert").expect("doc");
        assert_eq!(stored(&conn, &alert.id), (doc, None, v1 as i64 + 1));

        let stale = alert.clone();
        let v2 = alert.version;
        alert.apply(
            AlertEvent::Taken {
                by: Some("cla".into()),
            },
            "cla",
            Utc::now(),
        );
        apply(&conn, &write(&alert, Some(v2))).expect("taken");
        let doc = encode(&alert, "alert").expect("doc");
        assert_eq!(
            stored(&conn, &alert.id),
            (doc.clone(), Some("cla".into()), v2 as i64 + 1)
        );
        let taken: String = conn
            .query_row(
                "SELECT id FROM alerts INDEXED BY alerts_taken WHERE taken_by = 'cla'",
                [],
                |r| r.get(0),
            )
            .expect("found through the index");
        assert_eq!(taken, alert.id);

        let err = apply(&conn, &write(&stale, Some(v1))).expect_err("stale version");
        assert!(
            matches!(err, Error::Store(StoreError::Conflict(_))),
            "{err:?}"
        );
        assert_eq!(stored(&conn, &alert.id).0, doc);
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("check");
        assert_eq!(check, "ok");
    }

    /// The document's update writes no index entry; the whole row's writes them.
    #[test]
    fn the_document_update_touches_no_index() {
        let conn = migrated();
        let index_writes = |sql: &str| -> usize {
            let mut stmt = conn.prepare(&format!("EXPLAIN {sql}")).expect("explain");
            // Unbound parameters are NULL: the program is the same whatever they hold.
            let mut rows = stmt.raw_query();
            let mut n = 0;
            while let Some(row) = rows.next().expect("row") {
                let op: String = row.get(1).expect("opcode");
                n += usize::from(op == "IdxInsert" || op == "IdxDelete");
            }
            n
        };
        assert_eq!(index_writes(UPDATE_ALERT_DOCUMENT), 0);
        assert!(index_writes(UPDATE_ALERT) > 0);
    }
}
