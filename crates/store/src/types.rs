//! Records the store keeps and the shapes of its queries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use kinga_domain::agreement::Agreement;
use kinga_domain::analysis::context::ContextEvent;
use kinga_domain::compartment::{Compartment, CompartmentKey, UserGrant};
use kinga_domain::conflict::RecordConflict;
use kinga_domain::incident::care::{Interview, Referral, ServiceProvider};
use kinga_domain::incident::{Incident, Taxonomy, VerificationState, Violation};
use kinga_domain::outbox::{MessageStatus, OutboxMessage};
use kinga_domain::peer::Peer;
use kinga_domain::people::{ApiToken, User};
use kinga_domain::place::Place;
use kinga_domain::registry::{FocalPoint, Responder, ThreatActor};
use kinga_domain::transition::broadcast::Broadcast;
use kinga_domain::transition::{CapacityPlan, HandoverReversal, TransitionRecord, WithdrawalPlan};
use kinga_domain::{Alert, AlertState, ThreatType};
use kinga_ledger::DraftEvent;

pub use kinga_domain::audit::AuditEntry;

/// The events of one command and the rows they produce.
#[derive(Debug, Clone, Default)]
pub struct Commit {
    /// Events to seal and append, in order.
    pub events: Vec<DraftEvent>,
    /// Projection rows to write.
    pub writes: Vec<Write>,
}

/// One projection row to write.
#[derive(Debug, Clone)]
pub enum Write {
    /// Insert (`expected_version: None`, must not exist) or update an alert whose stored
    /// version must equal `expected_version`.
    Alert {
        /// The alert as it now is.
        alert: Box<Alert>,
        /// Version the change was decided on.
        expected_version: Option<u64>,
    },
    /// Insert or replace a place.
    Place(Place),
    /// Insert or replace a threat actor.
    Actor(ThreatActor),
    /// Insert or replace a responder.
    Responder(Responder),
    /// Insert or replace a focal point.
    FocalPoint(FocalPoint),
    /// Insert or replace a user (the name must stay unique).
    User(User),
    /// Insert or replace an API token.
    Token(ApiToken),
    /// Insert or replace an outbox message.
    Outbox(OutboxMessage),
    /// Store an issued digest.
    Digest {
        /// Day it covers (`YYYY-MM-DD`); one digest a day.
        day: String,
        /// The digest.
        digest: serde_json::Value,
    },
    /// Remember the answer given for an idempotency key; fails the commit if the key exists.
    Idempotency(IdempotentAnswer),
    /// Record an audited access (its event is in the same commit, so the audit is chained).
    Audit(AuditEntry),
    /// Insert (`expected_version: None`, must not exist) or update an incident whose stored
    /// version must equal `expected_version`; its violations and victims rows are rewritten.
    Incident {
        /// The incident as it now is (identifying fields sealed).
        incident: Box<Incident>,
        /// Version the change was decided on.
        expected_version: Option<u64>,
    },
    /// Insert or replace a user's grant of a compartment.
    Grant(UserGrant),
    /// Delete a user's grant of a compartment (nothing when there is none).
    RevokeGrant {
        /// User id.
        user: String,
        /// The compartment.
        compartment: Compartment,
    },
    /// Insert or replace a version of a compartment key; inserting a version that exists with
    /// another key fails with [`crate::StoreError::Duplicate`].
    CompartmentKey(CompartmentKey),
    /// Insert or replace a service provider of the referral directory.
    ServiceProvider(ServiceProvider),
    /// Insert or replace a referral (its follow-ups are in the record).
    Referral(Referral),
    /// Insert an interview of the log; an id taken fails with [`crate::StoreError::Duplicate`].
    Interview(Interview),
    /// Insert (`expected_version: None`, must not exist) or update a capacity plan whose
    /// stored version must equal `expected_version`.
    CapacityPlan {
        /// The plan as it now is.
        plan: Box<CapacityPlan>,
        /// Version the change was decided on.
        expected_version: Option<u64>,
    },
    /// Delete a capacity plan whose stored version must equal `expected_version`.
    RemoveCapacityPlan {
        /// Plan id.
        id: String,
        /// Version the removal was decided on.
        expected_version: u64,
    },
    /// Insert (`expected_version: None`, must not exist) or update a withdrawal plan whose
    /// stored version must equal `expected_version`.
    WithdrawalPlan {
        /// The plan as it now is.
        plan: Box<WithdrawalPlan>,
        /// Version the change was decided on.
        expected_version: Option<u64>,
    },
    /// Insert or replace a paired instance, by name.
    Peer(Peer),
    /// Insert or replace the reversal decision of a plan's handover, by plan id.
    HandoverReversal(HandoverReversal),
    /// Insert or replace a broadcast, by id.
    Broadcast(Broadcast),
    /// Insert (`expected_version: None`, must not exist) or update a transition record whose
    /// stored version must equal `expected_version`.
    TransitionRecord {
        /// The record as it now is.
        record: Box<TransitionRecord>,
        /// Version the change was decided on.
        expected_version: Option<u64>,
    },
    /// Delete a transition record whose stored version must equal `expected_version`.
    RemoveTransitionRecord {
        /// Its id.
        id: String,
        /// Version the removal was decided on.
        expected_version: u64,
    },
    /// Insert or replace a data-sharing agreement, by id.
    Agreement(Agreement),
    /// Keep two concurrent versions of one record met by this instance (insert or replace).
    RecordConflict(Box<RecordConflict>),
    /// Insert or replace a Human Rights Due Diligence screening, by id.
    HrddpScreening(Box<kinga_domain::incident::hrddp::Screening>),
    /// Insert or replace an imported GBVIMS table, by id.
    GbvimsImport(Box<kinga_domain::incident::report::gbvims::GbvimsImport>),
    /// Insert or replace an imported context event (UCDP GED, ACLED), by id.
    ContextEvent(Box<ContextEvent>),
}

/// The first answer given for an idempotency key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdempotentAnswer {
    /// Key, namespaced by its source (`api:<user>:<key>`, `twilio:<MessageSid>`).
    pub key: String,
    /// Digest of the request, so a different request with a reused key is refused.
    pub fingerprint: String,
    /// HTTP status of the first answer.
    pub status: u16,
    /// Body of the first answer.
    pub body: serde_json::Value,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// What an incoming message needs to know before it is taken in (see
/// [`crate::Store::message_lookup`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MessageLookup {
    /// The answer already given for the message's idempotency key: it is a retry.
    pub answer: Option<IdempotentAnswer>,
    /// The sender's latest open alert in the reply window, when asked for and not a retry.
    pub latest: Option<Alert>,
}

/// Sort order of an alert page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertSort {
    /// The triage queue: severity first, then the nearest deadline.
    #[default]
    Queue,
    /// Newest received first.
    Newest,
    /// The queue's new alerts: calls nobody has heard yet (voice alerts flagged
    /// `untranscribed`, see `kinga_domain::voice::unheard`) first whatever their age, then
    /// newest received first.
    Arrivals,
}

/// Which alerts to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertQuery {
    /// Only these states (empty: all).
    #[serde(default)]
    pub states: Vec<AlertState>,
    /// Only open alerts (not closed, not merged).
    #[serde(default)]
    pub open_only: bool,
    /// Only alerts in this area (P-code prefix: a province's code prefixes its territories').
    pub place_prefix: Option<String>,
    /// Only this threat type.
    pub threat_type: Option<ThreatType>,
    /// Only uncovered alerts.
    #[serde(default)]
    pub uncovered_only: bool,
    /// Only alerts whose current deadline has passed at this time.
    pub overdue_at: Option<DateTime<Utc>>,
    /// Only alerts assigned to this responder.
    pub assigned_to: Option<String>,
    /// Only alerts in one of these areas (P-code prefixes): a liaison assistant's working
    /// area, the places a typed place name may mean.
    #[serde(default)]
    pub areas: Vec<String>,
    /// Only alerts with no place settled yet.
    #[serde(default)]
    pub unplaced_only: bool,
    /// Only alerts whose text or reference holds these words (case-insensitive).
    #[serde(default)]
    pub text: Option<String>,
    /// Only alerts received at or after this time.
    #[serde(default)]
    pub received_from: Option<DateTime<Utc>>,
    /// Only alerts received before this time.
    #[serde(default)]
    pub received_to: Option<DateTime<Utc>>,
    /// Only alerts taken by this user.
    #[serde(default)]
    pub taken_by: Option<String>,
    /// Sort.
    #[serde(default)]
    pub sort: AlertSort,
    /// Page size (the store caps it at 1000).
    pub limit: usize,
    /// Rows to skip.
    pub offset: usize,
    /// Keyset paging for [`AlertSort::Newest`]: only alerts after this `(received_at, id)`
    /// in that order (the last alert of the previous page), so page n costs what page 1
    /// does, where `offset` reads and drops every row before it.
    #[serde(default)]
    pub before: Option<(DateTime<Utc>, String)>,
    /// Do not count the matches (`total` is then 0): whoever reads every page needs no
    /// count on each.
    #[serde(default)]
    pub no_total: bool,
}

/// A page of alerts and the number that match in all.
#[derive(Debug, Clone, Default)]
pub struct AlertPage {
    /// The alerts.
    pub items: Vec<Alert>,
    /// How many match the query.
    pub total: u64,
}

/// The queue's counts over the alerts a query matches ([`crate::Store::alert_tallies`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertTallies {
    /// How many match.
    pub total: u64,
    /// Of those, with no responder covering them.
    pub uncovered: u64,
    /// Of those, with no place.
    pub unplaced: u64,
    /// Of those, with a deadline at or before the time asked.
    pub overdue: u64,
    /// Of those, not acknowledged yet (state `received`).
    pub received: u64,
}

/// Which outbox messages to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutboxQuery {
    /// Only these statuses (empty: all).
    pub statuses: Vec<MessageStatus>,
    /// Only messages about this alert.
    pub alert: Option<String>,
    /// At most.
    pub limit: usize,
    /// Messages to skip (paging).
    pub offset: usize,
    /// Only the inbox copies for this user.
    pub inbox_of: Option<String>,
    /// Only messages queued after this instant (unread inbox messages).
    pub after: Option<DateTime<Utc>>,
}

/// Which incidents to list. Compartments are the caller's visible ones: an empty list
/// matches nothing, so a forgotten filter can never open a compartment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentQuery {
    /// Only incidents in these compartments (empty: none).
    pub compartments: Vec<Compartment>,
    /// Only these verification states (empty: all).
    pub states: Vec<VerificationState>,
    /// Only incidents in this area (P-code prefix).
    pub place_prefix: Option<String>,
    /// Only incidents with this violation.
    pub violation: Option<Violation>,
    /// Only incidents with a violation of this taxonomy (family).
    pub taxonomy: Option<Taxonomy>,
    /// Only incidents whose searchable text holds this (case-insensitive); sealed fields
    /// are not searchable.
    pub text: Option<String>,
    /// Only incidents that occurred on or after this date.
    pub occurred_from: Option<chrono::NaiveDate>,
    /// Only incidents that occurred on or before this date.
    pub occurred_to: Option<chrono::NaiveDate>,
    /// Page size (capped at 1000).
    pub limit: usize,
    /// Rows to skip.
    pub offset: usize,
}

/// A page of incidents (newest occurrence first), the number that match, and how many of
/// them stand in each verification state: allegations and verified cases counted apart.
#[derive(Debug, Clone, Default)]
pub struct IncidentPage {
    /// The incidents.
    pub items: Vec<Incident>,
    /// How many match.
    pub total: u64,
    /// Matching incidents per verification state (states with none are left out).
    pub by_state: Vec<(VerificationState, u64)>,
}

/// A gateway's delivery report that came before the send it reports on was recorded: kept
/// (operational state, not a ledger event) until the worker records the send, then applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldReport {
    /// Gateway name, as in [`OutboxMessage::provider`].
    pub provider: String,
    /// The gateway's id of the message.
    pub provider_message_id: String,
    /// The status reported.
    pub status: MessageStatus,
    /// The gateway's reason, for a failure.
    pub error: Option<String>,
    /// When the report came.
    pub received_at: DateTime<Utc>,
}

/// A signed-in browser session; only the digest of the cookie secret is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Hex SHA-256 of the cookie secret.
    pub digest: String,
    /// User id.
    pub user: String,
    /// Anti-CSRF token bound to this session.
    pub csrf: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Expires.
    pub expires_at: DateTime<Utc>,
}

/// A projection table, as `kinga verify` compares it with the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Projection {
    /// Alerts, keyed by id.
    Alerts,
    /// Places, keyed by P-code.
    Places,
    /// Threat actors, keyed by id.
    Actors,
    /// Responders, keyed by id.
    Responders,
    /// Focal points, keyed by id.
    FocalPoints,
    /// Users, keyed by id.
    Users,
    /// API tokens, keyed by id.
    Tokens,
    /// Outbox messages, keyed by id.
    Outbox,
    /// Issued digests, keyed by day.
    Digests,
    /// Audit entries, keyed by event id.
    Audit,
    /// Incidents, keyed by id.
    Incidents,
    /// Users' compartment grants, keyed by `<user id>:<compartment>`.
    Grants,
    /// Compartment keys (wrapped), keyed by `<compartment>:<version>`.
    CompartmentKeys,
    /// The referral directory, keyed by provider id.
    ServiceProviders,
    /// Referrals, keyed by id.
    Referrals,
    /// The interview log, keyed by id.
    Interviews,
    /// Capacity plans, keyed by `<P-code>:<capacity>`.
    CapacityPlans,
    /// Withdrawal plans, keyed by id.
    WithdrawalPlans,
    /// Paired instances, keyed by name.
    Peers,
    /// Reversals of handovers for routing, keyed by plan id.
    HandoverReversals,
    /// Broadcasts to communities, keyed by id.
    Broadcasts,
    /// Benchmarks, mission indicators and values, community mechanisms, staff, knowledge
    /// notes, keyed by id.
    TransitionRecords,
    /// Data-sharing agreements, keyed by id.
    Agreements,
    /// Concurrent versions of one record met by sync, keyed by the id of the event that met.
    RecordConflicts,
    /// Human Rights Due Diligence screenings, keyed by id.
    HrddpScreenings,
    /// Imported GBVIMS aggregate tables, keyed by id.
    GbvimsImports,
    /// Imported context events (UCDP GED, ACLED), keyed by id.
    ContextEvents,
}

impl Projection {
    /// Every projection table.
    pub const ALL: [Projection; 27] = [
        Projection::Alerts,
        Projection::Places,
        Projection::Actors,
        Projection::Responders,
        Projection::FocalPoints,
        Projection::Users,
        Projection::Tokens,
        Projection::Outbox,
        Projection::Digests,
        Projection::Audit,
        Projection::Incidents,
        Projection::Grants,
        Projection::CompartmentKeys,
        Projection::ServiceProviders,
        Projection::Referrals,
        Projection::Interviews,
        Projection::CapacityPlans,
        Projection::WithdrawalPlans,
        Projection::Peers,
        Projection::HandoverReversals,
        Projection::Broadcasts,
        Projection::TransitionRecords,
        Projection::Agreements,
        Projection::RecordConflicts,
        Projection::HrddpScreenings,
        Projection::GbvimsImports,
        Projection::ContextEvents,
    ];

    /// The table's name.
    pub fn table(self) -> &'static str {
        match self {
            Projection::Alerts => "alerts",
            Projection::Places => "places",
            Projection::Actors => "actors",
            Projection::Responders => "responders",
            Projection::FocalPoints => "focal_points",
            Projection::Users => "users",
            Projection::Tokens => "api_tokens",
            Projection::Outbox => "outbox",
            Projection::Digests => "digests",
            Projection::Audit => "audit",
            Projection::Incidents => "incidents",
            Projection::Grants => "user_grants",
            Projection::CompartmentKeys => "compartment_keys",
            Projection::ServiceProviders => "service_providers",
            Projection::Referrals => "referrals",
            Projection::Interviews => "interviews",
            Projection::CapacityPlans => "capacity_plans",
            Projection::WithdrawalPlans => "withdrawal_plans",
            Projection::Peers => "peers",
            Projection::HandoverReversals => "handover_reversals",
            Projection::Broadcasts => "broadcasts",
            Projection::TransitionRecords => "transition_records",
            Projection::Agreements => "agreements",
            Projection::RecordConflicts => "record_conflicts",
            Projection::HrddpScreenings => "hrddp_screenings",
            Projection::GbvimsImports => "gbvims_imports",
            Projection::ContextEvents => "context_events",
        }
    }
}

/// One stored row of a projection: its key and its record as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionRow {
    /// Primary key.
    pub key: String,
    /// The record.
    pub doc: serde_json::Value,
}

/// What an import of a handed-over ledger sends the store, in this order: events (any
/// number of batches), then rows and meta values, then [`ImportBatch::Commit`]. Nothing is
/// written unless `Commit` arrives: a sender that stops (a fault found in the package, a
/// killed process) leaves the database as it was.
#[derive(Debug, Clone)]
pub enum ImportBatch {
    /// Sealed events of other instances, each origin's in sequence order (origins may
    /// interleave); kept with their origins, sequence numbers and hashes.
    Events(Vec<kinga_ledger::Event>),
    /// Projection rows rebuilt from the events (each creates its row).
    Rows(Vec<Write>),
    /// Values for the instance's own `meta` table (the key check value).
    Meta(Vec<(String, String)>),
    /// Everything was sent: commit.
    Commit,
}

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Events appended.
    pub events: u64,
    /// Projection rows written.
    pub rows: u64,
    /// Head (last sequence number, hash) of each imported origin's chain.
    pub heads: std::collections::BTreeMap<String, (u64, String)>,
}

/// Which context events to read: those that happened in a window of days, newest first,
/// one page after a keyset cursor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContextQuery {
    /// First day (included).
    pub from: Option<chrono::NaiveDate>,
    /// Last day (included).
    pub to: Option<chrono::NaiveDate>,
    /// Only this data set.
    pub dataset: Option<kinga_domain::analysis::context::ContextDataset>,
    /// Read after this `(day, id)` in the order newest day first, then id descending: the
    /// last event of the previous page.
    pub after: Option<(chrono::NaiveDate, String)>,
    /// Most events in the page.
    pub limit: usize,
}
