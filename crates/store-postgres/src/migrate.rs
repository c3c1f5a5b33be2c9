//! Schema migrations: SQL files compiled into the binary, each applied once, in order, and
//! recorded in `schema_migrations`. Servers starting together take turns through an advisory
//! lock.

use tokio_postgres::{Client, Config, NoTls};

use kinga_ledger::GENESIS;
use kinga_store::StoreError;

use crate::error::Result;

/// Every migration: version, name, SQL. Append only; never edit one that has shipped.
const MIGRATIONS: &[(i32, &str, &str)] = &[
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
        "index of the open alerts past acknowledgement",
        include_str!("../migrations/0029_alerts_listed.sql"),
    ),
    (
        30,
        "a number's open alerts in reply order",
        include_str!("../migrations/0030_alerts_reporter_open.sql"),
    ),
    (
        31,
        "documents compressed with lz4",
        include_str!("../migrations/0031_lz4_documents.sql"),
    ),
];

/// Advisory lock key held while migrating ("kingamig" in ASCII).
const LOCK_KEY: i64 = 0x6b69_6e67_616d_6967;

/// Bring the schema up to date and return the instance id, creating it on first run.
pub(crate) async fn migrate(config: &Config) -> Result<String> {
    // Its own connection, not a pooled one: the session lock must end with it, whatever
    // happens below.
    let (mut client, connection) = config.connect(NoTls).await?;
    let driver = tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "migration connection ended with an error");
        }
    });
    let result = migrate_locked(&mut client).await;
    drop(client);
    let _ = driver.await;
    result
}

async fn migrate_locked(client: &mut Client) -> Result<String> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await?;
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )",
        )
        .await?;
    let current: i32 = client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await?
        .try_get(0)?;
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > known {
        return Err(StoreError::Backend(format!(
            "the database has schema version {current} but this Kinga knows only up to {known}; upgrade Kinga"
        ))
        .into());
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        let tx = client.transaction().await?;
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[version, name],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(version, name, "applied PostgreSQL migration");
    }
    let fresh = ulid::Ulid::new().to_string();
    client
        .execute(
            "INSERT INTO instance (id) VALUES ($1) ON CONFLICT DO NOTHING",
            &[&fresh],
        )
        .await?;
    let id: String = client
        .query_one("SELECT id FROM instance", &[])
        .await?
        .try_get(0)?;
    client
        .execute(
            "INSERT INTO chain_heads (origin, seq, hash) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING",
            &[&id, &GENESIS],
        )
        .await?;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await?;
    Ok(id)
}
