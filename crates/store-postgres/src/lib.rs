//! Kinga's store on PostgreSQL: a connection pool for reads, one writer task per process that
//! commits queued commits in groups, and a schema that lets several Kinga servers share one
//! database without forking the ledger.

mod bulk;
mod care;
mod check;
mod context;
mod error;
mod held;
mod import;
mod incidents;
mod migrate;
mod project;
mod queries;
mod sync;
mod transition;
mod transition_records;
mod writer;

use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::types::{Json, ToSql};

use kinga_domain::Alert;
use kinga_domain::agreement::Agreement;
use kinga_domain::compartment::{Compartment, CompartmentKey, UserGrant};
use kinga_domain::conflict::RecordConflict;
use kinga_domain::incident::Incident;
use kinga_domain::incident::care::{Interview, Referral, ServiceProvider};
use kinga_domain::incident::report::Tallies;
use kinga_domain::outbox::OutboxMessage;
use kinga_domain::peer::Peer;
use kinga_domain::people::{ApiToken, User};
use kinga_domain::place::Place;
use kinga_domain::registry::{FocalPoint, Responder, ThreatActor};
use kinga_domain::transition::broadcast::Broadcast;
use kinga_domain::transition::{
    CapacityPlan, HandoverReversal, RecordKind, TransitionRecord, WithdrawalPlan,
};
use kinga_ledger::Event;
pub use kinga_store::support::WriterStats;
use kinga_store::support::{from_sql_int, sql_count};
use kinga_store::{
    AlertPage, AlertQuery, AlertTallies, AuditEntry, Commit, HeldReport, IdempotentAnswer,
    ImportBatch, ImportReport, IncidentPage, IncidentQuery, MessageLookup, OutboxQuery, Projection,
    ProjectionRow, Session, Store, StoreError, StoreResult, Write,
};

use error::{Error, Result};
use queries::{docs, one_doc};
use writer::WriterHandle;

/// Pooled connections per process; the writer holds one while it commits a group.
const POOL_SIZE: usize = 10;

/// The PostgreSQL store. Dropping it stops the writer task once queued commits are done.
pub struct PostgresStore {
    pool: Pool,
    instance: String,
    writer: WriterHandle,
    /// Alert reference numbers claimed from the sequence and not yet given.
    references: tokio::sync::Mutex<std::collections::VecDeque<u64>>,
}

/// Reference numbers claimed from the sequence at a time: one round trip per block instead of
/// one per alert. Numbers of a block unused when the server stops are skipped (a gap, never a
/// repeat: the sequence gives each number once, to whichever server sharing the database).
const REFERENCE_BLOCK: i64 = 64;

/// Move the reference sequence past the highest reference already stored: imports, restores
/// and handovers bring alerts whose numbers the sequence never gave, and a number given twice
/// would make an alert impossible to store. The sequence only ever moves forward: another
/// server drawing from it meanwhile keeps its numbers.
async fn lift_reference_sequence(pool: &Pool) -> StoreResult<()> {
    let client = pool
        .get()
        .await
        .map_err(|e| StoreError::Backend(format!("cannot reach PostgreSQL: {e}")))?;
    client
        .execute(
            "SELECT setval('alert_reference_seq', top)
             FROM (SELECT max(substring(reference FROM '([0-9]+)$')::bigint) AS top
                   FROM alerts) stored
             WHERE top > (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END
                          FROM alert_reference_seq)",
            &[],
        )
        .await
        .map_err(Error::from)?;
    Ok(())
}

impl PostgresStore {
    /// Connect to the database at `url` (`postgres://user@host:port/db`), migrating it as
    /// needed. TLS is not supported: reach remote servers through a tunnel or a socket.
    pub async fn connect(url: &str) -> StoreResult<PostgresStore> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Backend(format!("invalid PostgreSQL URL: {e}")))?;
        let instance = migrate::migrate(&config).await?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| StoreError::Backend(format!("cannot build the connection pool: {e}")))?;
        lift_reference_sequence(&pool).await?;
        let writer = WriterHandle::start(pool.clone(), instance.clone());
        tracing::info!(instance = %instance, "connected to PostgreSQL store");
        Ok(PostgresStore {
            pool,
            instance,
            writer,
            references: tokio::sync::Mutex::new(std::collections::VecDeque::new()),
        })
    }

    /// How the writer has grouped commits so far.
    pub fn stats(&self) -> WriterStats {
        self.writer.stats()
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        Ok(self.pool.get().await?)
    }

    async fn list<T: serde::de::DeserializeOwned>(&self, sql: &str) -> StoreResult<Vec<T>> {
        Ok(docs(&self.client().await?, sql, &[]).await?)
    }

    async fn find<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        key: &str,
    ) -> StoreResult<Option<T>> {
        // PostgreSQL text cannot hold NUL, so no stored key has one; asking would fail.
        if key.contains('\0') {
            return Ok(None);
        }
        Ok(one_doc(&self.client().await?, sql, &[&key]).await?)
    }

    async fn execute(&self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> StoreResult<()> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await.map_err(Error::from)?;
        client.execute(&stmt, args).await.map_err(Error::from)?;
        Ok(())
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn health(&self) -> StoreResult<()> {
        if self.writer.is_closed() {
            return Err(StoreError::Closed);
        }
        let client = self.client().await?;
        client.simple_query("SELECT 1").await.map_err(Error::from)?;
        Ok(())
    }

    async fn instance_id(&self) -> StoreResult<String> {
        Ok(self.instance.clone())
    }

    async fn commit(&self, commit: Commit) -> StoreResult<Vec<Event>> {
        self.writer.commit(commit).await
    }

    async fn next_reference(&self) -> StoreResult<u64> {
        let mut block = self.references.lock().await;
        if block.is_empty() {
            let client = self.client().await?;
            let stmt = client
                .prepare_cached(
                    "SELECT nextval('alert_reference_seq') FROM generate_series(1, $1::bigint)",
                )
                .await
                .map_err(Error::from)?;
            for row in client
                .query(&stmt, &[&REFERENCE_BLOCK])
                .await
                .map_err(Error::from)?
            {
                let n: i64 = row.try_get(0).map_err(error::corrupt)?;
                block.push_back(from_sql_int(n, "alert reference")?);
            }
        }
        block
            .pop_front()
            .ok_or_else(|| StoreError::Corrupt("the reference sequence gave no number".into()))
    }

    async fn events(&self, after: u64, limit: usize) -> StoreResult<Vec<(u64, Event)>> {
        Ok(queries::events(&self.client().await?, after, limit).await?)
    }

    async fn event_count(&self) -> StoreResult<u64> {
        let client = self.client().await?;
        let n: i64 = client
            .query_one("SELECT count(*) FROM events", &[])
            .await
            .map_err(Error::from)?
            .try_get(0)
            .map_err(error::corrupt)?;
        from_sql_int(n, "event count")
    }

    async fn alert(&self, id: &str) -> StoreResult<Option<Alert>> {
        self.find("SELECT doc FROM alerts WHERE id = $1", id).await
    }

    async fn alert_by_reference(&self, reference: &str) -> StoreResult<Option<Alert>> {
        self.find("SELECT doc FROM alerts WHERE reference = $1", reference)
            .await
    }

    async fn alerts(&self, query: &AlertQuery) -> StoreResult<AlertPage> {
        Ok(queries::alerts(&mut self.client().await?, query).await?)
    }

    async fn alert_tallies(
        &self,
        query: &AlertQuery,
        overdue_at: DateTime<Utc>,
    ) -> StoreResult<AlertTallies> {
        Ok(queries::alert_tallies(&self.client().await?, query, overdue_at).await?)
    }

    async fn alerts_reported_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Alert>> {
        Ok(queries::alerts_reported_between(&self.client().await?, from, to).await?)
    }

    async fn alerts_due(&self, now: DateTime<Utc>) -> StoreResult<Vec<Alert>> {
        Ok(queries::alerts_due(&self.client().await?, now).await?)
    }

    async fn latest_alert_from(
        &self,
        phone_digest: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<Alert>> {
        Ok(queries::latest_alert_from(&self.client().await?, phone_digest, since).await?)
    }

    async fn places(&self) -> StoreResult<Vec<Place>> {
        self.list("SELECT doc FROM places ORDER BY pcode").await
    }

    async fn actors(&self) -> StoreResult<Vec<ThreatActor>> {
        self.list("SELECT doc FROM actors ORDER BY id").await
    }

    async fn responders(&self) -> StoreResult<Vec<Responder>> {
        self.list("SELECT doc FROM responders ORDER BY id").await
    }

    async fn focal_points(&self) -> StoreResult<Vec<FocalPoint>> {
        self.list("SELECT doc FROM focal_points ORDER BY id").await
    }

    async fn focal_point_by_phone(&self, phone_digest: &str) -> StoreResult<Option<FocalPoint>> {
        self.find(
            "SELECT doc FROM focal_points WHERE phone_digest = $1 ORDER BY id LIMIT 1",
            phone_digest,
        )
        .await
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        self.list("SELECT doc FROM users ORDER BY name").await
    }

    async fn user_by_name(&self, name: &str) -> StoreResult<Option<User>> {
        self.find("SELECT doc FROM users WHERE name = $1", name)
            .await
    }

    async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        self.find("SELECT doc FROM users WHERE id = $1", id).await
    }

    async fn token_by_digest(&self, digest: &str) -> StoreResult<Option<ApiToken>> {
        self.find("SELECT doc FROM api_tokens WHERE digest = $1", digest)
            .await
    }

    async fn tokens_of(&self, user: &str) -> StoreResult<Vec<ApiToken>> {
        let sql = "SELECT doc FROM api_tokens WHERE user_id = $1 ORDER BY id";
        Ok(docs(&self.client().await?, sql, &[&user]).await?)
    }

    async fn idempotent(&self, key: &str) -> StoreResult<Option<IdempotentAnswer>> {
        Ok(queries::idempotent(&self.client().await?, key).await?)
    }

    async fn message_lookup(
        &self,
        key: &str,
        sender: Option<(&str, DateTime<Utc>)>,
    ) -> StoreResult<MessageLookup> {
        Ok(queries::message_lookup(&self.client().await?, key, sender).await?)
    }

    async fn idempotent_to_thin(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<IdempotentAnswer>> {
        Ok(queries::idempotent_to_thin(&self.client().await?, before, limit).await?)
    }

    async fn thin_idempotent(&self, bodies: Vec<(String, serde_json::Value)>) -> StoreResult<()> {
        let client = self.client().await?;
        let (keys, docs): (Vec<&str>, Vec<Json<&serde_json::Value>>) =
            bodies.iter().map(|(k, b)| (k.as_str(), Json(b))).unzip();
        // One statement for the whole batch: atomic, and one round trip.
        let stmt = client
            .prepare_cached(
                "UPDATE idempotency SET body = u.body, thinned = true
                 FROM unnest($1::text[], $2::json[]) AS u(key, body)
                 WHERE idempotency.key = u.key",
            )
            .await
            .map_err(Error::from)?;
        client
            .execute(&stmt, &[&keys, &docs])
            .await
            .map_err(Error::from)?;
        Ok(())
    }

    async fn outbox(&self, query: &OutboxQuery) -> StoreResult<Vec<OutboxMessage>> {
        Ok(queries::outbox(&self.client().await?, query).await?)
    }

    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<OutboxMessage>> {
        Ok(queries::claim_outbox(&self.client().await?, now, lease_until, limit).await?)
    }

    async fn outbox_by_provider_id(
        &self,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<Option<OutboxMessage>> {
        let client = self.client().await?;
        Ok(queries::outbox_by_provider_id(&client, provider, provider_message_id).await?)
    }

    async fn hold_report(
        &self,
        report: &HeldReport,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        Ok(held::hold(&self.client().await?, report, forget_before).await?)
    }

    async fn take_held_reports(
        &self,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<Vec<HeldReport>> {
        Ok(held::take(&self.client().await?, provider, provider_message_id).await?)
    }

    async fn digests(&self, limit: usize) -> StoreResult<Vec<serde_json::Value>> {
        let sql = "SELECT doc FROM digests ORDER BY day DESC LIMIT $1";
        Ok(docs(&self.client().await?, sql, &[&sql_count(limit)]).await?)
    }

    async fn put_session(&self, session: &Session) -> StoreResult<()> {
        let sql = "INSERT INTO sessions (digest, user_id, expires_at, doc) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (digest) DO UPDATE SET user_id = EXCLUDED.user_id,
                       expires_at = EXCLUDED.expires_at, doc = EXCLUDED.doc";
        self.execute(
            sql,
            &[
                &session.digest,
                &session.user,
                &session.expires_at,
                &Json(session),
            ],
        )
        .await
    }

    async fn session(&self, digest: &str) -> StoreResult<Option<Session>> {
        self.find("SELECT doc FROM sessions WHERE digest = $1", digest)
            .await
    }

    async fn delete_session(&self, digest: &str) -> StoreResult<()> {
        self.execute("DELETE FROM sessions WHERE digest = $1", &[&digest])
            .await
    }

    async fn delete_sessions_of(&self, user: &str, except: Option<&str>) -> StoreResult<()> {
        let except = except.unwrap_or_default();
        self.execute(
            "DELETE FROM sessions WHERE user_id = $1 AND digest <> $2",
            &[&user, &except],
        )
        .await
    }

    async fn audit_log(&self, limit: usize) -> StoreResult<Vec<AuditEntry>> {
        Ok(queries::audit_log(&self.client().await?, limit).await?)
    }

    async fn meta(&self, name: &str) -> StoreResult<Option<String>> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("SELECT value FROM meta WHERE name = $1")
            .await
            .map_err(Error::from)?;
        let row = client
            .query_opt(&stmt, &[&name])
            .await
            .map_err(Error::from)?;
        Ok(row
            .map(|r| r.try_get(0))
            .transpose()
            .map_err(error::corrupt)?)
    }

    async fn set_meta(&self, name: &str, value: &str) -> StoreResult<()> {
        self.execute(
            "INSERT INTO meta (name, value) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            &[&name, &value],
        )
        .await
    }

    async fn incident(&self, id: &str) -> StoreResult<Option<Incident>> {
        self.find("SELECT doc FROM incidents WHERE id = $1", id)
            .await
    }

    async fn incident_tallies(
        &self,
        compartments: &[Compartment],
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Tallies> {
        let mut client = self.client().await?;
        Ok(incidents::tallies(&mut client, compartments, from, to).await?)
    }

    async fn service_providers(&self) -> StoreResult<Vec<ServiceProvider>> {
        Ok(care::service_providers(&self.client().await?).await?)
    }

    async fn referrals_of(&self, incident: &str) -> StoreResult<Vec<Referral>> {
        Ok(care::referrals_of(&self.client().await?, incident).await?)
    }

    async fn interviews_of(&self, incident: &str) -> StoreResult<Vec<Interview>> {
        Ok(care::interviews_of(&self.client().await?, incident).await?)
    }

    async fn open_referrals(
        &self,
        compartments: &[Compartment],
        limit: usize,
    ) -> StoreResult<Vec<Referral>> {
        Ok(care::open_referrals(&self.client().await?, compartments, limit).await?)
    }

    async fn referred_counts(
        &self,
        compartments: &[Compartment],
        from: NaiveDate,
        to: NaiveDate,
        violations: &[&str],
    ) -> StoreResult<(u64, u64)> {
        Ok(care::sv_referrals(&self.client().await?, compartments, from, to, violations).await?)
    }

    async fn incidents(&self, query: &IncidentQuery) -> StoreResult<IncidentPage> {
        let mut client = self.client().await?;
        Ok(incidents::incidents(&mut client, query).await?)
    }

    async fn grants_of(&self, user: &str) -> StoreResult<Vec<UserGrant>> {
        Ok(incidents::grants_of(&self.client().await?, user).await?)
    }

    async fn compartment_keys(&self) -> StoreResult<Vec<CompartmentKey>> {
        Ok(incidents::compartment_keys(&self.client().await?).await?)
    }

    async fn capacity_plans(&self) -> StoreResult<Vec<CapacityPlan>> {
        Ok(transition::capacity_plans(&self.client().await?).await?)
    }

    async fn withdrawal_plans(&self) -> StoreResult<Vec<WithdrawalPlan>> {
        Ok(transition::withdrawal_plans(&self.client().await?).await?)
    }

    async fn transition_records(&self, kind: RecordKind) -> StoreResult<Vec<TransitionRecord>> {
        Ok(transition_records::records(&self.client().await?, kind).await?)
    }

    async fn peers(&self) -> StoreResult<Vec<Peer>> {
        self.list("SELECT doc FROM peers ORDER BY name").await
    }

    async fn handover_reversals(&self) -> StoreResult<Vec<HandoverReversal>> {
        self.list("SELECT doc FROM handover_reversals ORDER BY plan")
            .await
    }

    async fn broadcasts(&self) -> StoreResult<Vec<Broadcast>> {
        let mut all: Vec<Broadcast> = self.list("SELECT doc FROM broadcasts ORDER BY id").await?;
        all.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        Ok(all)
    }

    async fn outbox_messages(&self, ids: &[String]) -> StoreResult<Vec<OutboxMessage>> {
        let ids: Vec<String> = ids.to_vec();
        let sql = "SELECT doc FROM outbox WHERE id = ANY($1) ORDER BY id";
        Ok(docs(&self.client().await?, sql, &[&ids]).await?)
    }

    async fn capacity_plan(&self, id: &str) -> StoreResult<Option<CapacityPlan>> {
        self.find("SELECT doc FROM capacity_plans WHERE id = $1", id)
            .await
    }

    async fn withdrawal_plan(&self, id: &str) -> StoreResult<Option<WithdrawalPlan>> {
        self.find("SELECT doc FROM withdrawal_plans WHERE id = $1", id)
            .await
    }

    async fn transition_record(&self, id: &str) -> StoreResult<Option<TransitionRecord>> {
        self.find("SELECT doc FROM transition_records WHERE id = $1", id)
            .await
    }
    async fn agreements(&self) -> StoreResult<Vec<Agreement>> {
        self.list("SELECT doc FROM agreements ORDER BY id").await
    }
    async fn record_conflicts(&self) -> StoreResult<Vec<RecordConflict>> {
        self.list("SELECT doc FROM record_conflicts ORDER BY found_at DESC, id")
            .await
    }
    async fn hrddp_screenings(&self) -> StoreResult<Vec<kinga_domain::incident::hrddp::Screening>> {
        // Ids are ULIDs: descending id is newest first.
        self.list("SELECT doc FROM hrddp_screenings ORDER BY id DESC")
            .await
    }
    async fn gbvims_imports(
        &self,
    ) -> StoreResult<Vec<kinga_domain::incident::report::gbvims::GbvimsImport>> {
        self.list("SELECT doc FROM gbvims_imports ORDER BY id")
            .await
    }

    async fn context_events(
        &self,
        query: &kinga_store::ContextQuery,
    ) -> StoreResult<Vec<kinga_domain::analysis::context::ContextEvent>> {
        Ok(context::events(&self.client().await?, query).await?)
    }

    async fn projection_rows(
        &self,
        table: Projection,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<ProjectionRow>> {
        Ok(check::rows(&self.client().await?, table, after, limit).await?)
    }

    async fn column_faults(&self, limit: usize) -> StoreResult<Vec<String>> {
        Ok(check::column_faults(&self.client().await?, limit).await?)
    }

    async fn chain_heads(&self) -> StoreResult<std::collections::BTreeMap<String, (u64, String)>> {
        Ok(sync::heads(&self.client().await?).await?)
    }

    async fn origin_events(
        &self,
        origin: &str,
        after: u64,
        limit: usize,
    ) -> StoreResult<Vec<Event>> {
        Ok(sync::origin_events(&self.client().await?, origin, after, limit).await?)
    }

    async fn append_foreign(
        &self,
        events: Vec<Event>,
        writes: Vec<Write>,
    ) -> StoreResult<ImportReport> {
        Ok(sync::append(&self.pool, &self.instance, &events, &writes).await?)
    }

    async fn import_ledger(
        &self,
        batches: tokio::sync::mpsc::Receiver<ImportBatch>,
    ) -> StoreResult<ImportReport> {
        Ok(import::run(&self.pool, &self.instance, batches).await?)
    }
}
