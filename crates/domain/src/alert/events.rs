//! What happens to an alert: the facts decided at intake, triage corrections, and the events
//! an alert is the fold of, each kept on its timeline.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AlertState, Channel, OutcomeCategory, Reporter, Verification};
use crate::deadline::{DeadlineKind, Deadlines};
use crate::dedup::DuplicateCandidate;
use crate::place::PlaceCandidate;
use crate::{Severity, ThreatType};

/// The facts of a new alert, as decided at intake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAlert {
    /// ULID.
    pub id: String,
    /// Short human reference such as `K-1042`.
    pub reference: String,
    /// Channel it came by.
    pub channel: Channel,
    /// Sender.
    pub reporter: Reporter,
    /// The words as received.
    pub text: String,
    /// Language of the text, when known (`fr`, `en`, `sw`, `ar`).
    pub language: Option<String>,
    /// Resolved P-code, only when unambiguous or chosen by a person.
    pub place: Option<String>,
    /// Place name as given, before resolution.
    pub place_name: Option<String>,
    /// Ranked candidates shown to the triage officer.
    pub place_candidates: Vec<PlaceCandidate>,
    /// Threat type, when known.
    pub threat_type: Option<ThreatType>,
    /// Severity (defaulted from the threat type when not given).
    pub severity: Severity,
    /// When the reporter says it happened or was sent.
    pub reported_at: DateTime<Utc>,
    /// When Kinga received it.
    pub received_at: DateTime<Utc>,
    /// Deadlines computed from the severity.
    pub deadlines: Deadlines,
    /// Responders proposed by routing.
    pub proposed_responders: Vec<String>,
    /// No responder covers this place and threat type.
    pub uncovered: bool,
    /// Alerts that look like the same event.
    pub duplicate_candidates: Vec<DuplicateCandidate>,
    /// What the SMS grammar found missing or doubtful (`place_ambiguous`, `no_keyword`, …),
    /// for the triage officer; empty for alerts typed by a person.
    #[serde(default)]
    pub parse_flags: Vec<String>,
    /// The words of an SMS the grammar did not read, kept verbatim for the triage officer.
    #[serde(default)]
    pub unparsed: Option<String>,
    /// A person chose the severity (it is not the threat type's default): a later correction
    /// of the type keeps it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub severity_set: bool,
}

/// Corrections made during triage: place, type, severity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TriageUpdate {
    /// Chosen P-code.
    pub place: Option<String>,
    /// Corrected threat type.
    pub threat_type: Option<ThreatType>,
    /// Corrected severity.
    pub severity: Option<Severity>,
}

/// Something that happened to an alert; the alert is the fold of these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AlertEvent {
    /// Intake.
    Received(Box<NewAlert>),
    /// A lifecycle move.
    Transitioned {
        /// State before.
        from: AlertState,
        /// State after.
        to: AlertState,
        /// Why.
        reason: Option<String>,
        /// Responders assigned by this move.
        #[serde(default)]
        responders: Vec<String>,
        /// Outcome, on closing.
        outcome: Option<String>,
        /// Target of a merge.
        merged_into: Option<String>,
        /// What became of the alert, on closing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome_category: Option<OutcomeCategory>,
        /// Who it was referred to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        referred_to: Option<String>,
        /// How it was verified.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        verification: Option<Verification>,
        /// Why the reporter was not sent the feedback.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feedback_withheld: Option<String>,
        /// Fresh deadlines, when a closed alert is reopened.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deadlines: Option<Deadlines>,
    },
    /// Triage corrections, with deadlines recomputed when the severity changed.
    Triaged {
        /// The corrections.
        update: TriageUpdate,
        /// New deadlines, when the severity changed.
        deadlines: Option<Deadlines>,
        /// Routing after the correction.
        proposed_responders: Vec<String>,
        /// Coverage after the correction.
        uncovered: bool,
        /// The severity in `update` is the new threat type's default, not a person's choice.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        derived_severity: bool,
    },
    /// An internal note (never sent to anyone).
    NoteAdded {
        /// The note.
        text: String,
    },
    /// A liaison assistant took the alert ("mine"), or let it go (`None`).
    Taken {
        /// User name, or none when released.
        by: Option<String>,
    },
    /// A responder reported what it did (the alert stays open for the CLA to close).
    ResponseReported {
        /// Responder id.
        responder: String,
        /// What it did.
        outcome: String,
    },
    /// A deadline was missed and coordinators were told.
    Escalated {
        /// Which deadline.
        deadline: DeadlineKind,
    },
    /// A plain-language message to the reporter was put in the outbox.
    FeedbackQueued {
        /// Outbox message id.
        message: String,
    },
    /// A later message from the reporter about the same alert.
    MessageAttached {
        /// What they wrote.
        text: String,
        /// Channel it came by.
        channel: Channel,
    },
    /// Another alert was merged into this one.
    DuplicateAbsorbed {
        /// The merged alert.
        alert: String,
    },
    /// A file (a hotline recording, a photo) was attached.
    MediaAttached {
        /// The file.
        media: crate::media::MediaRef,
    },
    /// A person listened to the recording and typed what was said: the alert's text.
    Transcribed {
        /// The words, as typed.
        text: String,
    },
    /// A triage officer recognised the unknown number as a registered focal point.
    ReporterLinked {
        /// Focal point id.
        focal_point: String,
        /// Its pseudonym, so lists show who reported without a lookup.
        #[serde(default)]
        pseudonym: Option<String>,
        /// Its language, which answers to the reporter then use.
        #[serde(default)]
        language: Option<String>,
    },
}

/// One line of an alert's history: who did what, when, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (user name, `system`, or `reporter`).
    pub actor: String,
    /// What happened.
    pub event: AlertEvent,
}
