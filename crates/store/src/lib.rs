//! The store: one trait that every backend (SQLite, PostgreSQL) implements, the records it
//! keeps beside the domain's, and the conformance suite every backend must pass.
//!
//! Writes go through [`Store::commit`]: the ledger events of one command and the projection
//! rows they produce are written in one transaction, or not at all. The store gives each event
//! its sequence number and hash; it decides nothing else.

#[cfg(feature = "conformance")]
pub mod conformance;
pub mod support;
pub mod tally;
mod types;

pub use types::*;

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

/// A failure of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An optimistic-concurrency check failed: someone changed the row first.
    #[error("conflict: {0} was changed by someone else; reload and try again")]
    Conflict(String),
    /// A unique key (idempotency key, reference, name) is already taken.
    #[error("duplicate: {0} already exists")]
    Duplicate(String),
    /// The database could not be reached or refused the operation.
    #[error("database error: {0}")]
    Backend(String),
    /// Stored data could not be decoded.
    #[error("corrupt record: {0}")]
    Corrupt(String),
    /// The writer has stopped (shutdown or a previous fatal error).
    #[error("the store is closed")]
    Closed,
}

/// Result type of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// Kinga's persistence. Implementations must be safe to share between tasks.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Answer when the database answers.
    async fn health(&self) -> StoreResult<()>;

    /// The id of this instance (the origin of events created here), fixed at first migration.
    async fn instance_id(&self) -> StoreResult<String>;

    /// Append events and apply projection writes atomically; returns the sealed events.
    /// Fails with [`StoreError::Conflict`] when an `expected_version` does not match, and
    /// with [`StoreError::Duplicate`] when an idempotency key is already taken; then nothing
    /// of the commit is written.
    async fn commit(&self, commit: Commit) -> StoreResult<Vec<Event>>;

    /// Next alert reference number (never reused; gaps are allowed).
    async fn next_reference(&self) -> StoreResult<u64>;

    /// Events in ledger order after position `after` (0 = from the start), at most `limit`.
    async fn events(&self, after: u64, limit: usize) -> StoreResult<Vec<(u64, Event)>>;

    /// Number of events in the ledger.
    async fn event_count(&self) -> StoreResult<u64>;

    /// One alert by id.
    async fn alert(&self, id: &str) -> StoreResult<Option<Alert>>;

    /// One alert by reference (`K-1042`).
    async fn alert_by_reference(&self, reference: &str) -> StoreResult<Option<Alert>>;

    /// A page of alerts, filtered and sorted as asked.
    async fn alerts(&self, query: &AlertQuery) -> StoreResult<AlertPage>;

    /// How many alerts match `query` (its page and sort ignored) and, among them, how many are
    /// uncovered, have no place, and have a deadline at or before `overdue_at`: the queue's
    /// counts in one pass over the rows instead of four. Each equals the total of
    /// [`Store::alerts`] with the matching filter added (a conformance test).
    async fn alert_tallies(
        &self,
        query: &AlertQuery,
        overdue_at: DateTime<Utc>,
    ) -> StoreResult<AlertTallies>;

    /// Alerts reported in `[from, to)`, any state (duplicate scoring, digests).
    async fn alerts_reported_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Alert>>;

    /// Open alerts whose current deadline is at or before `now` (escalation).
    async fn alerts_due(&self, now: DateTime<Utc>) -> StoreResult<Vec<Alert>>;

    /// The latest open alert from a reporter phone digest received after `since` (replies).
    async fn latest_alert_from(
        &self,
        phone_digest: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<Alert>>;

    /// Every place.
    async fn places(&self) -> StoreResult<Vec<Place>>;

    /// Every threat actor.
    async fn actors(&self) -> StoreResult<Vec<ThreatActor>>;

    /// Every responder.
    async fn responders(&self) -> StoreResult<Vec<Responder>>;

    /// Every focal point.
    async fn focal_points(&self) -> StoreResult<Vec<FocalPoint>>;

    /// The focal point with this phone digest.
    async fn focal_point_by_phone(&self, phone_digest: &str) -> StoreResult<Option<FocalPoint>>;

    /// Every user.
    async fn users(&self) -> StoreResult<Vec<User>>;

    /// A user by login name.
    async fn user_by_name(&self, name: &str) -> StoreResult<Option<User>>;

    /// A user by id.
    async fn user(&self, id: &str) -> StoreResult<Option<User>>;

    /// An API token by the digest of its secret.
    async fn token_by_digest(&self, digest: &str) -> StoreResult<Option<ApiToken>>;

    /// The API tokens of a user.
    async fn tokens_of(&self, user: &str) -> StoreResult<Vec<ApiToken>>;

    /// The stored answer for an idempotency key.
    async fn idempotent(&self, key: &str) -> StoreResult<Option<IdempotentAnswer>>;

    /// For an incoming message: the answer stored for `key` and, unless there is one, the
    /// latest open alert of `sender` (phone digest, received after the instant given). A store
    /// that can answers both in one round trip.
    async fn message_lookup(
        &self,
        key: &str,
        sender: Option<(&str, DateTime<Utc>)>,
    ) -> StoreResult<MessageLookup> {
        let answer = self.idempotent(key).await?;
        let latest = match (&answer, sender) {
            (None, Some((digest, since))) => self.latest_alert_from(digest, since).await?,
            _ => None,
        };
        Ok(MessageLookup { answer, latest })
    }

    /// Up to `limit` answers given before `before` whose bodies were never thinned, oldest
    /// first.
    async fn idempotent_to_thin(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<IdempotentAnswer>>;

    /// Replace the remembered bodies of these keys by shorter ones, marking them thinned.
    /// The key, fingerprint and status stay for good: a late retry is still recognised.
    async fn thin_idempotent(&self, bodies: Vec<(String, serde_json::Value)>) -> StoreResult<()>;

    /// Outbox messages, newest first.
    async fn outbox(&self, query: &OutboxQuery) -> StoreResult<Vec<OutboxMessage>>;

    /// Take up to `limit` queued messages due at `now` (next attempt reached) that no worker
    /// holds, oldest first, and hold them until `lease_until` so that another worker (another
    /// server on the same database) does not send them too. Writing a message back through
    /// [`Store::commit`] releases it; a worker that dies releases it when the lease ends.
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> StoreResult<Vec<OutboxMessage>>;

    /// The newest message that a gateway knows by `provider_message_id` (delivery reports).
    async fn outbox_by_provider_id(
        &self,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<Option<OutboxMessage>>;

    /// Keep a delivery report that names no message yet, and forget the reports held since
    /// before `forget_before` (reports for another system's messages).
    async fn hold_report(
        &self,
        report: &HeldReport,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// The reports held for a gateway's message id, oldest first, forgotten as they are taken.
    async fn take_held_reports(
        &self,
        provider: &str,
        provider_message_id: &str,
    ) -> StoreResult<Vec<HeldReport>>;

    /// Digests issued, newest first.
    async fn digests(&self, limit: usize) -> StoreResult<Vec<serde_json::Value>>;

    /// Save a web session (operational state, not a ledger event).
    async fn put_session(&self, session: &Session) -> StoreResult<()>;

    /// A session by the digest of its cookie secret.
    async fn session(&self, digest: &str) -> StoreResult<Option<Session>>;

    /// End a session.
    async fn delete_session(&self, digest: &str) -> StoreResult<()>;

    /// End every session of a user, but the one whose digest is `except`.
    async fn delete_sessions_of(&self, user: &str, except: Option<&str>) -> StoreResult<()>;

    /// Audit entries, newest first. Entries are written through [`Store::commit`] with the
    /// event that records them ([`Write::Audit`]).
    async fn audit_log(&self, limit: usize) -> StoreResult<Vec<AuditEntry>>;

    /// A value this instance keeps about itself outside the ledger (the key check value).
    async fn meta(&self, name: &str) -> StoreResult<Option<String>>;

    /// Set such a value.
    async fn set_meta(&self, name: &str, value: &str) -> StoreResult<()>;

    /// One incident by id, whatever its compartment (the application decides who sees it).
    async fn incident(&self, id: &str) -> StoreResult<Option<Incident>>;

    /// A page of incidents in the query's compartments, newest occurrence first.
    async fn incidents(&self, query: &IncidentQuery) -> StoreResult<IncidentPage>;

    /// The counts of the MRM/MARA report: incidents of the given compartments that occurred
    /// from `from` to `to` (both included); no compartment, no counts.
    async fn incident_tallies(
        &self,
        compartments: &[Compartment],
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Tallies>;

    /// The referral directory, by name.
    async fn service_providers(&self) -> StoreResult<Vec<ServiceProvider>>;

    /// The referrals of an incident, oldest first.
    async fn referrals_of(&self, incident: &str) -> StoreResult<Vec<Referral>>;

    /// The logged interviews of an incident's survivors, newest first.
    async fn interviews_of(&self, incident: &str) -> StoreResult<Vec<Interview>>;

    /// The open referrals (pending or accepted) of incidents in the compartments, oldest
    /// first, at most `limit`; no compartment, no referral.
    async fn open_referrals(
        &self,
        compartments: &[Compartment],
        limit: usize,
    ) -> StoreResult<Vec<Referral>>;

    /// Incidents of the compartments that occurred from `from` to `to` with one of
    /// `violations`, and how many of them have at least one referral: `(incidents, referred)`.
    async fn referred_counts(
        &self,
        compartments: &[Compartment],
        from: NaiveDate,
        to: NaiveDate,
        violations: &[&str],
    ) -> StoreResult<(u64, u64)>;

    /// The compartment grants of a user (by id).
    async fn grants_of(&self, user: &str) -> StoreResult<Vec<UserGrant>>;

    /// Every version of every compartment key, by compartment and version.
    async fn compartment_keys(&self) -> StoreResult<Vec<CompartmentKey>>;

    /// Every capacity plan, by id.
    async fn capacity_plans(&self) -> StoreResult<Vec<CapacityPlan>>;

    /// Every withdrawal plan, by id.
    async fn withdrawal_plans(&self) -> StoreResult<Vec<WithdrawalPlan>>;
    /// Every paired instance, by name.
    async fn peers(&self) -> StoreResult<Vec<Peer>>;

    /// Every handover reversal decision, by plan id.
    async fn handover_reversals(&self) -> StoreResult<Vec<HandoverReversal>>;

    /// Every broadcast to communities, newest first.
    async fn broadcasts(&self) -> StoreResult<Vec<Broadcast>>;

    /// The outbox messages with these ids (those that exist), by id.
    async fn outbox_messages(&self, ids: &[String]) -> StoreResult<Vec<OutboxMessage>>;
    /// Every transition record of one kind, by id.
    async fn transition_records(&self, kind: RecordKind) -> StoreResult<Vec<TransitionRecord>>;
    /// Every data-sharing agreement, by id.
    async fn agreements(&self) -> StoreResult<Vec<Agreement>>;
    /// Every conflict between concurrent versions of a record met by this instance, newest
    /// first.
    async fn record_conflicts(&self) -> StoreResult<Vec<RecordConflict>>;
    /// Every Human Rights Due Diligence screening, newest first.
    async fn hrddp_screenings(&self) -> StoreResult<Vec<kinga_domain::incident::hrddp::Screening>>;
    /// Every imported GBVIMS table, oldest first.
    async fn gbvims_imports(
        &self,
    ) -> StoreResult<Vec<kinga_domain::incident::report::gbvims::GbvimsImport>>;
    /// One page of context events (UCDP GED, ACLED) the query selects, newest day first,
    /// then id descending.
    async fn context_events(
        &self,
        query: &ContextQuery,
    ) -> StoreResult<Vec<kinga_domain::analysis::context::ContextEvent>>;

    /// Rows of a projection table in key order after `after`, at most `limit`, each with its
    /// record as stored (`kinga verify` compares them with the ledger).
    async fn projection_rows(
        &self,
        table: Projection,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<ProjectionRow>>;

    /// Take in a ledger handed over from other instances, in one transaction: the sealed
    /// events as they are (origins, sequence numbers, hashes) and the rows rebuilt from them,
    /// read from `batches` until [`ImportBatch::Commit`]. Refuses, writing nothing, when this
    /// database already holds events, when an event is of this instance's own origin (its own
    /// events always go under its own chain, sealed here), when an event does not continue its
    /// chain (sequence number, previous hash, or a hash its content does not give), or when
    /// `batches` ends without `Commit`.
    async fn import_ledger(
        &self,
        batches: tokio::sync::mpsc::Receiver<ImportBatch>,
    ) -> StoreResult<ImportReport>;

    /// Rows whose indexed columns disagree with their own record (a column edited behind
    /// Kinga's back), each described in words; at most `limit`.
    async fn column_faults(&self, limit: usize) -> StoreResult<Vec<String>>;

    /// The head (last sequence number, hash) of every origin's chain held here: what sync
    /// calls this instance's cursors.
    async fn chain_heads(&self) -> StoreResult<std::collections::BTreeMap<String, (u64, String)>>;

    /// Events of `origin` after sequence number `after`, in sequence order, at most `limit`.
    async fn origin_events(
        &self,
        origin: &str,
        after: u64,
        limit: usize,
    ) -> StoreResult<Vec<Event>>;

    /// Append events of other instances received by sync, and the rows they change, in one
    /// transaction. Each event must continue its origin's chain as held here (sequence
    /// number, previous hash, and a hash its content gives, except withheld stubs); events of
    /// this instance's own origin are refused. Row writes carry their expected versions: a
    /// row changed meanwhile fails the whole append with [`StoreError::Conflict`], and the
    /// caller decides again. Nothing is written when any check fails.
    async fn append_foreign(
        &self,
        events: Vec<Event>,
        writes: Vec<Write>,
    ) -> StoreResult<ImportReport>;

    /// The capacity plan with this id (`<P-code>:<capacity>`), if held.
    async fn capacity_plan(&self, id: &str) -> StoreResult<Option<CapacityPlan>>;

    /// The withdrawal plan with this id, if held.
    async fn withdrawal_plan(&self, id: &str) -> StoreResult<Option<WithdrawalPlan>>;

    /// The transition record with this id, of whatever kind, if held.
    async fn transition_record(&self, id: &str) -> StoreResult<Option<TransitionRecord>>;
}
