//! The community alert: its lifecycle state machine, its events and how they fold into it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::deadline::{DeadlineKind, Deadlines};
use crate::dedup::DuplicateCandidate;
use crate::place::PlaceCandidate;
use crate::{DomainError, Severity, ThreatType};

/// Where an alert is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Came in, nobody has looked yet.
    Received,
    /// A liaison assistant has seen it and told the reporter.
    Acknowledged,
    /// Confirmed by a second source or a call-back.
    Verified,
    /// Could not be confirmed either way.
    Unverifiable,
    /// Confirmed not to have happened.
    FalseAlarm,
    /// A responder has been tasked.
    Assigned,
    /// The responder is acting.
    Responding,
    /// Finished, with an outcome told back to the community.
    Closed,
    /// A duplicate folded into another alert.
    Merged,
}

impl AlertState {
    /// Every state, in lifecycle order.
    pub const ALL: [AlertState; 9] = [
        AlertState::Received,
        AlertState::Acknowledged,
        AlertState::Verified,
        AlertState::Unverifiable,
        AlertState::FalseAlarm,
        AlertState::Assigned,
        AlertState::Responding,
        AlertState::Closed,
        AlertState::Merged,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Received => "received",
            AlertState::Acknowledged => "acknowledged",
            AlertState::Verified => "verified",
            AlertState::Unverifiable => "unverifiable",
            AlertState::FalseAlarm => "false_alarm",
            AlertState::Assigned => "assigned",
            AlertState::Responding => "responding",
            AlertState::Closed => "closed",
            AlertState::Merged => "merged",
        }
    }

    /// States this one may move to, as DESIGN.md draws the lifecycle: the main line, a
    /// verified alert nobody can answer closed honestly (no responder, referred), an assigned
    /// or responding alert back to verified when its responder declines or is replaced, an
    /// assignment changed, and a closed alert reopened.
    pub fn next(self) -> &'static [AlertState] {
        use AlertState::*;
        match self {
            Received => &[Acknowledged, Merged],
            Acknowledged => &[Verified, Unverifiable, FalseAlarm, Merged],
            Verified => &[Assigned, Closed, Merged],
            Unverifiable | FalseAlarm => &[Closed],
            Assigned => &[Assigned, Responding, Verified],
            Responding => &[Closed, Verified],
            Closed => &[Acknowledged],
            Merged => &[],
        }
    }

    /// True once nothing more can ever happen to the alert (merged into another).
    pub fn is_final(self) -> bool {
        self.next().is_empty()
    }

    /// True while the alert still needs someone to act (not closed, not merged).
    pub fn is_open(self) -> bool {
        !matches!(self, AlertState::Closed | AlertState::Merged)
    }
}

impl fmt::Display for AlertState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AlertState {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AlertState::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim())
            .ok_or_else(|| DomainError::invalid("state", format!("unknown alert state '{s}'")))
    }
}

/// How an alert reached Kinga.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Text message through a gateway.
    Sms,
    /// Phone call logged by a liaison assistant.
    Call,
    /// Web form.
    Web,
    /// JSON API.
    Api,
    /// ODK / OpenRosa form.
    Form,
    /// USSD menu (Africa's Talking): every field picked from a menu.
    Ussd,
    /// A recorded call to the voice hotline.
    Voice,
    /// A WhatsApp message (Twilio).
    Whatsapp,
}

impl Channel {
    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Call => "call",
            Channel::Web => "web",
            Channel::Api => "api",
            Channel::Form => "form",
            Channel::Ussd => "ussd",
            Channel::Voice => "voice",
            Channel::Whatsapp => "whatsapp",
        }
    }
}

/// Who sent an alert. The phone number itself is sensitive: only its keyed digest and its
/// ciphertext are kept; the application layer holds the key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reporter {
    /// Registered focal point, when the number is known.
    pub focal_point: Option<String>,
    /// Pseudonym shown in lists (never the name or the number).
    pub pseudonym: Option<String>,
    /// Keyed digest of the normalised phone number, for matching.
    pub phone_digest: Option<String>,
    /// Phone number encrypted with the instance key.
    pub phone_sealed: Option<String>,
    /// Language to answer in.
    pub language: Option<String>,
    /// The caller may not see who reported: every field above was withheld from this copy.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

impl Reporter {
    /// What a caller who may not see reporters is shown: nothing, and that it is withheld.
    pub fn withheld() -> Reporter {
        Reporter {
            hidden: true,
            ..Reporter::default()
        }
    }

    /// True when the number belongs to no registered focal point.
    pub fn is_unknown(&self) -> bool {
        self.focal_point.is_none()
    }
}

/// A community alert as it stands now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// ULID.
    pub id: String,
    /// Short human reference such as `K-1042`.
    pub reference: String,
    /// Lifecycle state.
    pub state: AlertState,
    /// Channel it came by.
    pub channel: Channel,
    /// Sender (pseudonymous).
    pub reporter: Reporter,
    /// Words as received.
    pub text: String,
    /// Language of the text.
    pub language: Option<String>,
    /// P-code, when resolved.
    pub place: Option<String>,
    /// Place name as given.
    pub place_name: Option<String>,
    /// Candidates for the place.
    pub place_candidates: Vec<PlaceCandidate>,
    /// Threat type.
    pub threat_type: Option<ThreatType>,
    /// Severity 1–4.
    pub severity: Severity,
    /// When it was reported.
    pub reported_at: DateTime<Utc>,
    /// When Kinga received it.
    pub received_at: DateTime<Utc>,
    /// Acknowledge / verify / respond deadlines.
    pub deadlines: Deadlines,
    /// Deadlines already escalated.
    pub escalated: Vec<DeadlineKind>,
    /// Responders proposed by routing.
    pub proposed_responders: Vec<String>,
    /// Responders assigned.
    pub assigned: Vec<String>,
    /// No responder covers the place and threat type.
    pub uncovered: bool,
    /// Possible duplicates.
    pub duplicate_candidates: Vec<DuplicateCandidate>,
    /// What the SMS grammar found missing or doubtful.
    #[serde(default)]
    pub parse_flags: Vec<String>,
    /// Words of an SMS the grammar did not read.
    #[serde(default)]
    pub unparsed: Option<String>,
    /// Outcome on closing (what the reporter is told).
    pub outcome: Option<String>,
    /// What became of it, on closing.
    #[serde(default)]
    pub outcome_category: Option<OutcomeCategory>,
    /// Who it was referred to.
    #[serde(default)]
    pub referred_to: Option<String>,
    /// How it was verified.
    #[serde(default)]
    pub verification: Option<Verification>,
    /// The liaison assistant who took it.
    #[serde(default)]
    pub taken_by: Option<String>,
    /// A person chose the severity.
    #[serde(default)]
    pub severity_set: bool,
    /// The alert this one was merged into.
    pub merged_into: Option<String>,
    /// Alerts merged into this one.
    pub absorbed: Vec<String>,
    /// Outbox messages queued for the reporter.
    pub feedback: Vec<String>,
    /// Full history.
    pub timeline: Vec<TimelineEntry>,
    /// Number of events folded in; used for optimistic concurrency.
    pub version: u64,
}

impl Alert {
    /// Start an alert from its intake event.
    pub fn received(new: NewAlert, actor: &str) -> Alert {
        let at = new.received_at;
        let mut alert = Alert {
            id: new.id.clone(),
            reference: new.reference.clone(),
            state: AlertState::Received,
            channel: new.channel,
            reporter: new.reporter.clone(),
            text: new.text.clone(),
            language: new.language.clone(),
            place: new.place.clone(),
            place_name: new.place_name.clone(),
            place_candidates: new.place_candidates.clone(),
            threat_type: new.threat_type,
            severity: new.severity,
            reported_at: new.reported_at,
            received_at: new.received_at,
            deadlines: new.deadlines,
            escalated: vec![],
            proposed_responders: new.proposed_responders.clone(),
            assigned: vec![],
            uncovered: new.uncovered,
            duplicate_candidates: new.duplicate_candidates.clone(),
            parse_flags: new.parse_flags.clone(),
            unparsed: new.unparsed.clone(),
            outcome: None,
            outcome_category: None,
            referred_to: None,
            verification: None,
            taken_by: None,
            severity_set: new.severity_set,
            merged_into: None,
            absorbed: vec![],
            feedback: vec![],
            timeline: vec![],
            version: 0,
        };
        alert.record(AlertEvent::Received(Box::new(new)), actor, at);
        alert
    }

    /// Fold an event into the alert. Events were validated when decided, so this never fails.
    pub fn apply(&mut self, event: AlertEvent, actor: &str, at: DateTime<Utc>) {
        if converge::superseded(self.state, &event) {
            // A move decided on another instance, on a state this alert has left, that would
            // take it back: kept in the timeline, without effect (see `converge.rs`).
            self.record(event, actor, at);
            return;
        }
        match &event {
            AlertEvent::Received(_) => {}
            AlertEvent::Transitioned {
                from,
                to,
                responders,
                outcome,
                merged_into,
                outcome_category,
                referred_to,
                verification,
                deadlines,
                ..
            } => {
                self.state = *to;
                if !responders.is_empty() {
                    self.assigned = responders.clone();
                }
                // Back to verified: the responders declined or were replaced.
                if *to == AlertState::Verified && *from != AlertState::Acknowledged {
                    self.assigned.clear();
                }
                if outcome.is_some() {
                    self.outcome = outcome.clone();
                }
                if merged_into.is_some() {
                    self.merged_into = merged_into.clone();
                }
                if outcome_category.is_some() {
                    self.outcome_category = *outcome_category;
                    self.referred_to.clone_from(referred_to);
                }
                if verification.is_some() {
                    self.verification.clone_from(verification);
                }
                if *from == AlertState::Closed {
                    // Reopened: what it ended with no longer holds.
                    self.outcome = None;
                    self.outcome_category = None;
                    self.referred_to = None;
                }
                if let Some(d) = deadlines {
                    self.deadlines = *d;
                    self.escalated.clear();
                }
            }
            AlertEvent::Triaged {
                update,
                deadlines,
                proposed_responders,
                uncovered,
                derived_severity,
            } => {
                if let Some(p) = &update.place {
                    self.place = Some(p.clone());
                }
                if let Some(t) = update.threat_type {
                    self.threat_type = Some(t);
                }
                if let Some(s) = update.severity {
                    self.severity = s;
                    if !derived_severity {
                        self.severity_set = true;
                    }
                }
                if let Some(d) = deadlines {
                    self.deadlines = *d;
                    self.escalated.clear();
                }
                self.proposed_responders = proposed_responders.clone();
                self.uncovered = *uncovered;
            }
            AlertEvent::Escalated { deadline } => {
                if !self.escalated.contains(deadline) {
                    self.escalated.push(*deadline);
                }
            }
            AlertEvent::FeedbackQueued { message } => self.feedback.push(message.clone()),
            AlertEvent::MessageAttached { .. }
            | AlertEvent::MediaAttached { .. }
            | AlertEvent::NoteAdded { .. }
            | AlertEvent::ResponseReported { .. } => {}
            AlertEvent::Taken { by } => self.taken_by.clone_from(by),
            AlertEvent::DuplicateAbsorbed { alert } => self.absorbed.push(alert.clone()),
            AlertEvent::Transcribed { text } => {
                self.text.clone_from(text);
                self.parse_flags
                    .retain(|f| f != crate::voice::UNTRANSCRIBED);
            }
            AlertEvent::ReporterLinked {
                focal_point,
                pseudonym,
                language,
            } => {
                self.reporter.focal_point = Some(focal_point.clone());
                self.reporter.pseudonym.clone_from(pseudonym);
                if language.is_some() {
                    self.reporter.language.clone_from(language);
                }
            }
        }
        self.record(event, actor, at);
    }

    fn record(&mut self, event: AlertEvent, actor: &str, at: DateTime<Utc>) {
        self.timeline.push(TimelineEntry {
            at,
            actor: actor.to_string(),
            event,
        });
        self.version += 1;
    }

    /// The files attached to the alert, oldest first.
    pub fn media(&self) -> impl Iterator<Item = &crate::media::MediaRef> {
        self.timeline.iter().filter_map(|t| match &t.event {
            AlertEvent::MediaAttached { media } => Some(media),
            _ => None,
        })
    }

    /// The deadline that is next due in the current state, if any.
    pub fn next_deadline(&self) -> Option<(DeadlineKind, DateTime<Utc>)> {
        self.deadlines.next_for(self.state)
    }
}

mod converge;
mod events;
mod lifecycle;
#[cfg(test)]
mod tests;

pub use events::{AlertEvent, NewAlert, TimelineEntry, TriageUpdate};
pub use lifecycle::{OutcomeCategory, TransitionRequest, Verification, VerificationMethod};
