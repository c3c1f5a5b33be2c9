//! Schema migrations: SQL files compiled into the binary, each applied once, in order, and
//! recorded in `schema_migrations`.

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use kinga_store::StoreError;

use crate::error::Result;
use crate::rows::ts;

/// Every migration: version, name, SQL. Append only; never edit one that has shipped.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (
        2,
        "outbox delivery",
        include_str!("../migrations/0002_outbox_delivery.sql"),
    ),
    (
        3,
        "audit chain and meta",
        include_str!("../migrations/0003_audit_chain_meta.sql"),
    ),
    (
        4,
        "queue search",
        include_str!("../migrations/0004_queue_search.sql"),
    ),
    (5, "inbox", include_str!("../migrations/0005_inbox.sql")),
    (
        6,
        "incidents",
        include_str!("../migrations/0006_incidents.sql"),
    ),
    (7, "care", include_str!("../migrations/0007_care.sql")),
    (
        8,
        "transition",
        include_str!("../migrations/0008_transition.sql"),
    ),
    (9, "peers", include_str!("../migrations/0009_peers.sql")),
    (
        10,
        "transition_routing",
        include_str!("../migrations/0010_transition_routing.sql"),
    ),
    (
        11,
        "transition records",
        include_str!("../migrations/0011_transition_records.sql"),
    ),
    (
        12,
        "agreements",
        include_str!("../migrations/0012_agreements.sql"),
    ),
    (
        13,
        "monitoring: HRDDP screenings, GBVIMS aggregates",
        include_str!("../migrations/0013_monitoring_more.sql"),
    ),
    (
        14,
        "context events",
        include_str!("../migrations/0014_context_events.sql"),
    ),
    (
        18,
        "record conflicts",
        include_str!("../migrations/0018_record_conflicts.sql"),
    ),
    (
        25,
        "incident tallies per day",
        include_str!("../migrations/0025_incident_tallies.sql"),
    ),
    (
        26,
        "unheard calls",
        include_str!("../migrations/0026_unheard_calls.sql"),
    ),
    (
        27,
        "early delivery reports held",
        include_str!("../migrations/0027_held_reports.sql"),
    ),
    (
        28,
        "idempotency answers thinned after their window",
        include_str!("../migrations/0028_idempotency_thinned.sql"),
    ),
    (
        29,
        "a number's open alerts in reply order",
        include_str!("../migrations/0029_alerts_reporter_open.sql"),
    ),
];

/// Bring the schema up to date and return the instance id, creating it on first run.
pub(crate) fn migrate(conn: &mut Connection) -> Result<String> {
    // IMMEDIATE: two processes opening a new file at once must not both apply migration 1.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )?;
    let current: i64 = tx.query_row(
        "SELECT coalesce(max(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > known {
        return Err(StoreError::Backend(format!(
            "the database has schema version {current} but this Kinga knows only up to {known}; upgrade Kinga"
        ))
        .into());
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, name, ts(Utc::now())],
        )?;
        tracing::info!(version, name, "applied SQLite migration");
    }
    let existing: Option<String> = tx
        .query_row("SELECT id FROM instance", [], |r| r.get(0))
        .optional()?;
    let id = match existing {
        Some(id) => id,
        None => {
            let id = ulid::Ulid::new().to_string();
            tx.execute(
                "INSERT INTO instance (singleton, id, created_at) VALUES (1, ?1, ?2)",
                rusqlite::params![id, ts(Utc::now())],
            )?;
            id
        }
    };
    tx.commit()?;
    Ok(id)
}
