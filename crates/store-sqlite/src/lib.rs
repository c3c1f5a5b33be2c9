//! Kinga's store on SQLite: one file in WAL mode, one writer thread that commits queued writes
//! in groups (many requests share one fsync), and a few read-only connections.

mod care;
mod check;
mod checkpoint;
mod connect;
mod context;
mod error;
mod held;
mod import;
mod incidents;
mod migrate;
mod ops;
mod project;
mod queries;
mod read;
mod rows;
mod sync;
#[cfg(test)]
mod test_support;
mod transition;
mod transition_records;
mod writer;
mod writer_answers;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

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
use kinga_store::{
    AlertPage, AlertQuery, AlertTallies, AuditEntry, Commit, HeldReport, IdempotentAnswer,
    ImportBatch, ImportReport, IncidentPage, IncidentQuery, OutboxQuery, Projection, ProjectionRow,
    Session, Store, StoreError, StoreResult, Write,
};

pub use kinga_store::support::WriterStats;

use connect::{Role, open_connection};
use ops::References;
use read::Readers;
use writer::WriterHandle;

/// Read connections: enough for a 2-core server; more would only queue on the CPUs.
const READERS: usize = 4;

/// The SQLite store. Cheap to share behind an `Arc`; dropping it stops the writer thread
/// once the writes already queued are done.
pub struct SqliteStore {
    path: PathBuf,
    instance: String,
    writer: WriterHandle,
    readers: Arc<Readers>,
    references: References,
}

impl SqliteStore {
    /// Open the database at `path`, creating and migrating it as needed. Only one process
    /// may write a given file at a time.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<SqliteStore> {
        let path = path.as_ref().to_path_buf();
        let mut conn = open_connection(&path, Role::Writer)?;
        let instance = migrate::migrate(&mut conn)?;
        // Planner statistics for a file written by an earlier run; bounded so opening stays fast.
        conn.execute_batch("PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002;")
            .map_err(error::Error::from)?;
        let references = References::load(&conn)?;
        let readers = Arc::new(Readers::new(path.clone(), READERS));
        let writer = WriterHandle::start(conn, instance.clone(), readers.clone())?;
        tracing::info!(path = %path.display(), instance = %instance, "opened SQLite store");
        Ok(SqliteStore {
            path,
            instance,
            writer,
            readers,
            references,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How the writer has grouped writes so far.
    pub fn stats(&self) -> WriterStats {
        self.writer.stats()
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn health(&self) -> StoreResult<()> {
        if self.writer.is_closed() {
            return Err(StoreError::Closed);
        }
        self.read(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn instance_id(&self) -> StoreResult<String> {
        Ok(self.instance.clone())
    }

    async fn commit(&self, commit: Commit) -> StoreResult<Vec<Event>> {
        self.writer.commit(commit).await
    }

    async fn next_reference(&self) -> StoreResult<u64> {
        self.references.next(&self.writer).await
    }

    async fn events(&self, after: u64, limit: usize) -> StoreResult<Vec<(u64, Event)>> {
        self.read(move |c| queries::events(c, after, limit)).await
    }

    async fn event_count(&self) -> StoreResult<u64> {
        self.read(queries::event_count).await
    }

    async fn alert(&self, id: &str) -> StoreResult<Option<Alert>> {
        self.find("SELECT doc FROM alerts WHERE id = ?1", id, "alert")
            .await
    }

    async fn alert_by_reference(&self, reference: &str) -> StoreResult<Option<Alert>> {
        self.find(
            "SELECT doc FROM alerts WHERE reference = ?1",
            reference,
            "alert",
        )
        .await
    }

    async fn alerts(&self, query: &AlertQuery) -> StoreResult<AlertPage> {
        let query = query.clone();
        self.read(move |c| queries::alerts(c, &query)).await
    }

    async fn alert_tallies(
        &self,
        query: &AlertQuery,
        overdue_at: DateTime<Utc>,
    ) -> StoreResult<AlertTallies> {
        let query = query.clone();
        self.read(move |c| queries::alert_tallies(c, &query, overdue_at))
            .await
    }

    async fn alerts_reported_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Alert>> {
        self.read(move |c| queries::alerts_reported_between(c, from, to))
            .await
    }

    async fn alerts_due(&self, now: DateTime<Utc>) -> StoreResult<Vec<Alert>> {
        self.read(move |c| queries::alerts_due(c, now)).await
    }

    async fn latest_alert_from(
        &self,
        phone_digest: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<Alert>> {
        let digest = phone_digest.to_string();
        self.read_point(move |c| queries::latest_alert_from(c, &digest, since))
            .await
    }

    async fn places(&self) -> StoreResult<Vec<Place>> {
        self.list("SELECT doc FROM places ORDER BY pcode", "place")
            .await
    }

    async fn actors(&self) -> StoreResult<Vec<ThreatActor>> {
        self.list("SELECT doc FROM actors ORDER BY id", "actor")
            .await
    }

    async fn responders(&self) -> StoreResult<Vec<Responder>> {
        self.list("SELECT doc FROM responders ORDER BY id", "responder")
            .await
    }

    async fn focal_points(&self) -> StoreResult<Vec<FocalPoint>> {
        self.list("SELECT doc FROM focal_points ORDER BY id", "focal point")
            .await
    }

    async fn focal_point_by_phone(&self, phone_digest: &str) -> StoreResult<Option<FocalPoint>> {
        let sql = "SELECT doc FROM focal_points WHERE phone_digest = ?1 ORDER BY id LIMIT 1";
        self.find(sql, phone_digest, "focal point").await
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        self.list("SELECT doc FROM users ORDER BY name", "user")
            .await
    }

    async fn user_by_name(&self, name: &str) -> StoreResult<Option<User>> {
        self.find("SELECT doc FROM users WHERE name = ?1", name, "user")
            .await
    }

    async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        self.find("SELECT doc FROM users WHERE id = ?1", id, "user")
            .await
    }

    async fn token_by_digest(&self, digest: &str) -> StoreResult<Option<ApiToken>> {
        self.find(
            "SELECT doc FROM api_tokens WHERE digest = ?1",
            digest,
            "API token",
        )
        .await
    }

    async fn tokens_of(&self, user: &str) -> StoreResult<Vec<ApiToken>> {
        let user = user.to_string();
        self.read(move |c| queries::tokens_of(c, &user)).await
    }

    async fn idempotent(&self, key: &str) -> StoreResult<Option<IdempotentAnswer>> {
        let key = key.to_string();
        self.read_point(move |c| queries::idempotent(c, &key)).await
    }

    async fn idempotent_to_thin(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<IdempotentAnswer>> {
        self.read(move |c| queries::idempotent_to_thin(c, before, limit))
            .await
    }

    async fn thin_idempotent(&self, bodies: Vec<(String, serde_json::Value)>) -> StoreResult<()> {
        self.writer.exec(ops::thin_idempotent(bodies)).await
    }

    async fn outbox(&self, query: &OutboxQuery) -> StoreResult<Vec<OutboxMessage>> {
        let query = query.clone();
        self.read(move |c| queries::outbox(c, &query)).await
    }

    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<OutboxMessage>> {
        writer_answers::claim_outbox(self, now, lease_until, limit).await
    }

    async fn outbox_by_provider_id(
        &self,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<Option<OutboxMessage>> {
        let (p, id) = (provider.to_string(), provider_message_id.to_string());
        self.read(move |c| queries::outbox_by_provider_id(c, &p, &id))
            .await
    }

    async fn hold_report(
        &self,
        report: &HeldReport,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.writer.exec(held::hold(report, forget_before)?).await
    }

    async fn take_held_reports(
        &self,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<Vec<HeldReport>> {
        writer_answers::take_held_reports(self, provider, provider_message_id).await
    }

    async fn digests(&self, limit: usize) -> StoreResult<Vec<serde_json::Value>> {
        self.read(move |c| queries::digests(c, limit)).await
    }

    async fn put_session(&self, session: &Session) -> StoreResult<()> {
        self.writer.exec(ops::put_session(session)?).await
    }

    async fn session(&self, digest: &str) -> StoreResult<Option<Session>> {
        self.find(
            "SELECT doc FROM sessions WHERE digest = ?1",
            digest,
            "session",
        )
        .await
    }

    async fn delete_session(&self, digest: &str) -> StoreResult<()> {
        self.writer.exec(ops::delete_session(digest)).await
    }

    async fn delete_sessions_of(&self, user: &str, except: Option<&str>) -> StoreResult<()> {
        self.writer
            .exec(ops::delete_sessions_of(user, except))
            .await
    }

    async fn audit_log(&self, limit: usize) -> StoreResult<Vec<AuditEntry>> {
        self.read(move |c| queries::audit_log(c, limit)).await
    }

    async fn meta(&self, name: &str) -> StoreResult<Option<String>> {
        let name = name.to_string();
        self.read(move |c| queries::meta(c, &name)).await
    }

    async fn set_meta(&self, name: &str, value: &str) -> StoreResult<()> {
        self.writer.exec(ops::set_meta(name, value)).await
    }

    async fn incident(&self, id: &str) -> StoreResult<Option<Incident>> {
        self.find("SELECT doc FROM incidents WHERE id = ?1", id, "incident")
            .await
    }

    async fn incident_tallies(
        &self,
        compartments: &[Compartment],
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Tallies> {
        let compartments = compartments.to_vec();
        self.read(move |c| incidents::tallies(c, &compartments, from, to))
            .await
    }

    async fn service_providers(&self) -> StoreResult<Vec<ServiceProvider>> {
        self.read(care::service_providers).await
    }

    async fn referrals_of(&self, incident: &str) -> StoreResult<Vec<Referral>> {
        let incident = incident.to_string();
        self.read(move |c| care::referrals_of(c, &incident)).await
    }

    async fn interviews_of(&self, incident: &str) -> StoreResult<Vec<Interview>> {
        let incident = incident.to_string();
        self.read(move |c| care::interviews_of(c, &incident)).await
    }

    async fn open_referrals(
        &self,
        compartments: &[Compartment],
        limit: usize,
    ) -> StoreResult<Vec<Referral>> {
        let compartments = compartments.to_vec();
        self.read(move |c| care::open_referrals(c, &compartments, limit))
            .await
    }

    async fn referred_counts(
        &self,
        compartments: &[Compartment],
        from: NaiveDate,
        to: NaiveDate,
        violations: &[&str],
    ) -> StoreResult<(u64, u64)> {
        let compartments = compartments.to_vec();
        let violations: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
        self.read(move |c| {
            let v: Vec<&str> = violations.iter().map(String::as_str).collect();
            care::sv_referrals(c, &compartments, from, to, &v)
        })
        .await
    }

    async fn incidents(&self, query: &IncidentQuery) -> StoreResult<IncidentPage> {
        let query = query.clone();
        self.read(move |c| incidents::incidents(c, &query)).await
    }

    async fn grants_of(&self, user: &str) -> StoreResult<Vec<UserGrant>> {
        let user = user.to_string();
        self.read(move |c| incidents::grants_of(c, &user)).await
    }

    async fn compartment_keys(&self) -> StoreResult<Vec<CompartmentKey>> {
        self.read(incidents::compartment_keys).await
    }

    async fn capacity_plans(&self) -> StoreResult<Vec<CapacityPlan>> {
        self.read(transition::capacity_plans).await
    }

    async fn withdrawal_plans(&self) -> StoreResult<Vec<WithdrawalPlan>> {
        self.read(transition::withdrawal_plans).await
    }

    async fn transition_records(&self, kind: RecordKind) -> StoreResult<Vec<TransitionRecord>> {
        self.read(move |c| transition_records::records(c, kind))
            .await
    }

    async fn peers(&self) -> StoreResult<Vec<Peer>> {
        self.list("SELECT doc FROM peers ORDER BY name", "peer")
            .await
    }

    async fn handover_reversals(&self) -> StoreResult<Vec<HandoverReversal>> {
        self.list(
            "SELECT doc FROM handover_reversals ORDER BY plan",
            "handover reversal",
        )
        .await
    }

    async fn broadcasts(&self) -> StoreResult<Vec<Broadcast>> {
        self.read(queries::broadcasts).await
    }

    async fn outbox_messages(&self, ids: &[String]) -> StoreResult<Vec<OutboxMessage>> {
        // One query whatever the number of ids: they travel as one JSON array.
        let ids = serde_json::to_string(ids)
            .map_err(|e| StoreError::Backend(format!("outbox ids: {e}")))?;
        self.read(move |c| queries::outbox_messages(c, &ids)).await
    }

    async fn capacity_plan(&self, id: &str) -> StoreResult<Option<CapacityPlan>> {
        self.find(
            "SELECT doc FROM capacity_plans WHERE id = ?1",
            id,
            "capacity plan",
        )
        .await
    }

    async fn withdrawal_plan(&self, id: &str) -> StoreResult<Option<WithdrawalPlan>> {
        self.find(
            "SELECT doc FROM withdrawal_plans WHERE id = ?1",
            id,
            "withdrawal plan",
        )
        .await
    }

    async fn transition_record(&self, id: &str) -> StoreResult<Option<TransitionRecord>> {
        self.find(
            "SELECT doc FROM transition_records WHERE id = ?1",
            id,
            "transition record",
        )
        .await
    }
    async fn agreements(&self) -> StoreResult<Vec<Agreement>> {
        self.list("SELECT doc FROM agreements ORDER BY id", "agreement")
            .await
    }
    async fn record_conflicts(&self) -> StoreResult<Vec<RecordConflict>> {
        self.list(
            "SELECT doc FROM record_conflicts ORDER BY found_at DESC, id",
            "record conflict",
        )
        .await
    }
    async fn hrddp_screenings(&self) -> StoreResult<Vec<kinga_domain::incident::hrddp::Screening>> {
        // Ids are ULIDs: descending id is newest first.
        self.list(
            "SELECT doc FROM hrddp_screenings ORDER BY id DESC",
            "HRDDP screening",
        )
        .await
    }
    async fn gbvims_imports(
        &self,
    ) -> StoreResult<Vec<kinga_domain::incident::report::gbvims::GbvimsImport>> {
        self.list(
            "SELECT doc FROM gbvims_imports ORDER BY id",
            "GBVIMS import",
        )
        .await
    }

    async fn context_events(
        &self,
        query: &kinga_store::ContextQuery,
    ) -> StoreResult<Vec<kinga_domain::analysis::context::ContextEvent>> {
        let q = query.clone();
        self.read(move |c| context::events(c, &q)).await
    }

    async fn projection_rows(
        &self,
        table: Projection,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<ProjectionRow>> {
        let after = after.map(String::from);
        self.read(move |c| check::rows(c, table, after.as_deref(), limit))
            .await
    }

    async fn column_faults(&self, limit: usize) -> StoreResult<Vec<String>> {
        self.read(move |c| check::column_faults(c, limit)).await
    }

    async fn chain_heads(&self) -> StoreResult<std::collections::BTreeMap<String, (u64, String)>> {
        self.read(sync::heads).await
    }

    async fn origin_events(
        &self,
        origin: &str,
        after: u64,
        limit: usize,
    ) -> StoreResult<Vec<Event>> {
        let origin = origin.to_string();
        self.read(move |c| sync::origin_events(c, &origin, after, limit))
            .await
    }

    async fn append_foreign(
        &self,
        events: Vec<Event>,
        writes: Vec<Write>,
    ) -> StoreResult<ImportReport> {
        writer_answers::append_foreign(self, events, writes).await
    }

    async fn import_ledger(
        &self,
        batches: tokio::sync::mpsc::Receiver<ImportBatch>,
    ) -> StoreResult<ImportReport> {
        writer_answers::import_ledger(self, batches).await
    }
}
