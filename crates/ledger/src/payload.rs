//! What an event says. The enum is the versioned schema of the ledger: variants are only ever
//! added, and a variant's fields only gain optional members.

use serde::{Deserialize, Serialize};

use kinga_domain::agreement::Agreement;
use kinga_domain::alert::AlertEvent;
use kinga_domain::analysis::context::ContextEvent;
use kinga_domain::audit::AuditEntry;
use kinga_domain::compartment::{Compartment, CompartmentKey, UserGrant};
use kinga_domain::incident::Incident;
use kinga_domain::incident::care::{Interview, Referral, ServiceProvider};
use kinga_domain::outbox::{DeliveryState, MessageStatus, OutboxMessage};
use kinga_domain::peer::Peer;
use kinga_domain::people::{ApiToken, User};
use kinga_domain::place::Place;
use kinga_domain::registry::{FocalPoint, Responder, ThreatActor};
use kinga_domain::transition::broadcast::Broadcast;
use kinga_domain::transition::{CapacityPlan, HandoverReversal, TransitionRecord, WithdrawalPlan};

/// The payload of one ledger event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Payload {
    /// Something happened to an alert.
    Alert {
        /// Alert id.
        alert: String,
        /// What.
        event: AlertEvent,
    },
    /// A place was created or changed.
    PlaceSaved {
        /// The place as it now is.
        place: Place,
    },
    /// A threat actor was created or changed.
    ActorSaved {
        /// The actor as it now is.
        actor: ThreatActor,
    },
    /// A responder was created or changed.
    ResponderSaved {
        /// The responder as it now is.
        responder: Responder,
    },
    /// A focal point was registered or changed (identity sealed).
    FocalPointSaved {
        /// The focal point as it now is.
        focal_point: FocalPoint,
    },
    /// A user was created or changed (password hash included: it is what a restore needs).
    UserSaved {
        /// The user as it now is.
        user: User,
    },
    /// An API token was created or revoked (digest only).
    TokenSaved {
        /// The token as it now is.
        token: ApiToken,
    },
    /// A message was put in the outbox.
    MessageQueued {
        /// The message.
        message: OutboxMessage,
    },
    /// A message's delivery state changed.
    MessageStatus {
        /// Message id.
        message: String,
        /// New status.
        status: MessageStatus,
        /// Gateway error, if any.
        error: Option<String>,
        /// Attempts, retry time and gateway ids after the change (absent in older events).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        delivery: Option<DeliveryState>,
        /// The text as it went out, when it differs from the queued one (an SMS cut to the
        /// parts it may cost); absent otherwise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    /// The daily alert tracking digest was issued.
    DigestIssued {
        /// The digest as JSON.
        digest: serde_json::Value,
    },
    /// An audited action: an identity opened, a login, an export, a grant.
    Audited {
        /// The entry (its `id` is this event's id).
        entry: AuditEntry,
    },
    /// An incident was recorded or changed (identifying fields sealed with its compartment's
    /// key).
    IncidentSaved {
        /// The incident as it now is.
        incident: Incident,
    },
    /// A user was granted a compartment.
    GrantSaved {
        /// The grant.
        grant: UserGrant,
    },
    /// A user's grant of a compartment was revoked.
    GrantRevoked {
        /// User id.
        user: String,
        /// The compartment.
        compartment: Compartment,
    },
    /// A compartment key was created or retired (wrapped by the master key).
    CompartmentKeySaved {
        /// The key as it now is.
        key: CompartmentKey,
    },
    /// A service provider of the referral directory was added or changed.
    ServiceProviderSaved {
        /// The provider as it now is.
        provider: ServiceProvider,
    },
    /// A survivor was referred, or a referral was followed up.
    ReferralSaved {
        /// The referral as it now is.
        referral: Referral,
    },
    /// A survivor's interview was logged.
    InterviewLogged {
        /// The interview.
        interview: Interview,
    },
    /// A capacity plan (providers, successors, handover, milestones) was created or changed.
    CapacityPlanSaved {
        /// The plan as it now is.
        plan: CapacityPlan,
    },
    /// A capacity plan was removed (the place inherits its area's plan again).
    CapacityPlanRemoved {
        /// Plan id (`<P-code>:<capacity>`).
        plan: String,
    },
    /// A mission's withdrawal plan (its base closures) was created or changed.
    WithdrawalPlanSaved {
        /// The plan as it now is.
        plan: WithdrawalPlan,
    },
    /// Another instance was paired with this one, or its pairing changed.
    PeerSaved {
        /// The peer as it now is.
        peer: Peer,
    },
    /// A planner reversed a plan's handover for alert routing, or restored it.
    HandoverReversalSaved {
        /// The decision as it now is (one per plan).
        reversal: HandoverReversal,
    },
    /// A broadcast to an area's focal points and networks was sent (its messages are queued
    /// by `message_queued` events of the same commit).
    BroadcastSent {
        /// The broadcast.
        broadcast: Broadcast,
    },
    /// A transition record (benchmark, mission indicator or value, community mechanism,
    /// staff member, knowledge note) was created or changed.
    TransitionRecordSaved {
        /// The record as it now is.
        record: TransitionRecord,
    },
    /// A transition record was removed.
    TransitionRecordRemoved {
        /// Its id.
        id: String,
    },
    /// A data-sharing agreement with a paired instance was recorded or revoked.
    AgreementSaved {
        /// The agreement as it now is.
        agreement: Agreement,
    },
    /// A Human Rights Due Diligence screening of a state-security unit was recorded.
    HrddpScreeningSaved {
        /// The screening.
        screening: kinga_domain::incident::hrddp::Screening,
    },
    /// A service provider's aggregate GBVIMS table was imported.
    GbvimsImported {
        /// The import.
        import: kinga_domain::incident::report::gbvims::GbvimsImport,
    },
    /// An event of a public conflict data set (UCDP GED, ACLED) was imported as context for
    /// the map, with its source and licence note; importing it again replaces it.
    ContextEventSaved {
        /// The event as imported.
        event: ContextEvent,
    },
}

impl Payload {
    /// Short name of the event type, as stored in the `type` field.
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Alert { .. } => "alert",
            Payload::PlaceSaved { .. } => "place_saved",
            Payload::ActorSaved { .. } => "actor_saved",
            Payload::ResponderSaved { .. } => "responder_saved",
            Payload::FocalPointSaved { .. } => "focal_point_saved",
            Payload::UserSaved { .. } => "user_saved",
            Payload::TokenSaved { .. } => "token_saved",
            Payload::MessageQueued { .. } => "message_queued",
            Payload::MessageStatus { .. } => "message_status",
            Payload::DigestIssued { .. } => "digest_issued",
            Payload::Audited { .. } => "audited",
            Payload::IncidentSaved { .. } => "incident_saved",
            Payload::GrantSaved { .. } => "grant_saved",
            Payload::GrantRevoked { .. } => "grant_revoked",
            Payload::CompartmentKeySaved { .. } => "compartment_key_saved",
            Payload::ServiceProviderSaved { .. } => "service_provider_saved",
            Payload::ReferralSaved { .. } => "referral_saved",
            Payload::InterviewLogged { .. } => "interview_logged",
            Payload::CapacityPlanSaved { .. } => "capacity_plan_saved",
            Payload::CapacityPlanRemoved { .. } => "capacity_plan_removed",
            Payload::WithdrawalPlanSaved { .. } => "withdrawal_plan_saved",
            Payload::PeerSaved { .. } => "peer_saved",
            Payload::HandoverReversalSaved { .. } => "handover_reversal_saved",
            Payload::BroadcastSent { .. } => "broadcast_sent",
            Payload::TransitionRecordSaved { .. } => "transition_record_saved",
            Payload::TransitionRecordRemoved { .. } => "transition_record_removed",
            Payload::AgreementSaved { .. } => "agreement_saved",
            Payload::HrddpScreeningSaved { .. } => "hrddp_screening_saved",
            Payload::GbvimsImported { .. } => "gbvims_imported",
            Payload::ContextEventSaved { .. } => "context_event_saved",
        }
    }
}
