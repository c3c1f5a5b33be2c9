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

    /// States this one may move to, as DESIGN.md draws the lifecycle.
    pub fn next(self) -> &'static [AlertState] {
        use AlertState::*;
        match self {
            Received => &[Acknowledged, Merged],
            Acknowledged => &[Verified, Unverifiable, FalseAlarm, Merged],
            Verified => &[Assigned, Merged],
            Unverifiable | FalseAlarm => &[Closed],
            Assigned => &[Responding],
            Responding => &[Closed],
            Closed | Merged => &[],
        }
    }

    /// True once nothing more can happen to the alert.
    pub fn is_final(self) -> bool {
        self.next().is_empty()
    }

    /// True while the alert still needs someone to act (not closed, not merged).
    pub fn is_open(self) -> bool {
        !self.is_final()
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
}

/// A move along the lifecycle, asked for by a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TransitionRequest {
    /// Target state.
    pub to: Option<AlertState>,
    /// Why (required for unverifiable, false alarm and merge).
    pub reason: Option<String>,
    /// Responders to assign (required for `assigned`).
    #[serde(default)]
    pub responders: Vec<String>,
    /// Outcome told back to the community (required to close a responded alert).
    pub outcome: Option<String>,
    /// Alert this one duplicates (required for `merged`).
    pub merged_into: Option<String>,
}

impl TransitionRequest {
    /// Every free-text field within its length, before any other work is done.
    pub fn check_lengths(&self) -> Result<(), DomainError> {
        use crate::limits::{self, ID, REASON};
        limits::check_opt("reason", self.reason.as_deref(), REASON)?;
        limits::check_opt("outcome", self.outcome.as_deref(), REASON)?;
        limits::check_list("responders", &self.responders, ID)?;
        limits::check_opt("merged_into", self.merged_into.as_deref(), ID)
    }
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
    /// Outcome on closing.
    pub outcome: Option<String>,
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
        match &event {
            AlertEvent::Received(_) => {}
            AlertEvent::Transitioned {
                to,
                responders,
                outcome,
                merged_into,
                ..
            } => {
                self.state = *to;
                if !responders.is_empty() {
                    self.assigned = responders.clone();
                }
                if outcome.is_some() {
                    self.outcome = outcome.clone();
                }
                if merged_into.is_some() {
                    self.merged_into = merged_into.clone();
                }
            }
            AlertEvent::Triaged {
                update,
                deadlines,
                proposed_responders,
                uncovered,
            } => {
                if let Some(p) = &update.place {
                    self.place = Some(p.clone());
                }
                if let Some(t) = update.threat_type {
                    self.threat_type = Some(t);
                }
                if let Some(s) = update.severity {
                    self.severity = s;
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
            AlertEvent::MessageAttached { .. } => {}
            AlertEvent::DuplicateAbsorbed { alert } => self.absorbed.push(alert.clone()),
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

    /// Decide whether a requested move is allowed, and what event it makes.
    pub fn decide_transition(&self, req: &TransitionRequest) -> Result<AlertEvent, DomainError> {
        let to = req.to.ok_or(DomainError::Missing("to"))?;
        let allowed = self.state.next();
        if !allowed.contains(&to) {
            let allowed = if allowed.is_empty() {
                "none (the alert is finished)".to_string()
            } else {
                allowed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(DomainError::InvalidTransition {
                from: self.state,
                to,
                allowed,
            });
        }
        // A false alarm or unverifiable alert already says why it ends; closing it reuses that.
        let reason = non_empty(&req.reason).or_else(|| match (to, self.state) {
            (AlertState::Closed, AlertState::Unverifiable | AlertState::FalseAlarm) => {
                self.last_reason()
            }
            _ => None,
        });
        let outcome = non_empty(&req.outcome);
        let merged_into = non_empty(&req.merged_into);
        let mut responders: Vec<String> = req
            .responders
            .iter()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect();
        responders.dedup();
        match to {
            AlertState::Unverifiable | AlertState::FalseAlarm if reason.is_none() => {
                return Err(DomainError::Missing("reason"));
            }
            AlertState::Merged => match &merged_into {
                None => return Err(DomainError::Missing("merged_into")),
                Some(target) if *target == self.id || *target == self.reference => {
                    return Err(DomainError::invalid(
                        "merged_into",
                        "an alert cannot be merged into itself",
                    ));
                }
                Some(_) => {}
            },
            AlertState::Assigned if responders.is_empty() => {
                return Err(DomainError::Missing("responders"));
            }
            // The outcome is what the reporter is told: a responded alert needs a real one,
            // any other closing at least the reason it ends without a response.
            AlertState::Closed
                if outcome.is_none()
                    && (self.state == AlertState::Responding || reason.is_none()) =>
            {
                return Err(DomainError::Missing("outcome"));
            }
            _ => {}
        }
        let outcome = if to == AlertState::Closed {
            outcome.or_else(|| reason.clone())
        } else {
            None
        };
        Ok(AlertEvent::Transitioned {
            from: self.state,
            to,
            reason,
            responders: if to == AlertState::Assigned {
                responders
            } else {
                vec![]
            },
            outcome,
            merged_into: if to == AlertState::Merged {
                merged_into
            } else {
                None
            },
        })
    }

    /// The reason given with the latest lifecycle move, if any.
    fn last_reason(&self) -> Option<String> {
        self.timeline.iter().rev().find_map(|t| match &t.event {
            AlertEvent::Transitioned { reason, .. } => Some(reason.clone()),
            _ => None,
        })?
    }

    /// The deadline that is next due in the current state, if any.
    pub fn next_deadline(&self) -> Option<(DeadlineKind, DateTime<Utc>)> {
        self.deadlines.next_for(self.state)
    }
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadline::DeadlinePolicy;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn alert() -> Alert {
        let t = Utc.with_ymd_and_hms(2026, 5, 4, 6, 0, 0).unwrap();
        let sev = Severity::IMMINENT;
        let new = NewAlert {
            id: "01ALERT".into(),
            reference: "K-1001".into(),
            channel: Channel::Sms,
            reporter: Reporter::default(),
            text: "Hommes armés à Kiwanja".into(),
            language: Some("fr".into()),
            place: Some("CD6111-V001".into()),
            place_name: None,
            place_candidates: vec![],
            threat_type: Some(ThreatType::ArmedPresence),
            severity: sev,
            reported_at: t,
            received_at: t,
            deadlines: DeadlinePolicy::default().deadlines(sev, t),
            proposed_responders: vec!["clp".into()],
            uncovered: false,
            duplicate_candidates: vec![],
            parse_flags: vec![],
            unparsed: None,
        };
        Alert::received(new, "gateway:twilio")
    }

    fn to(state: AlertState) -> TransitionRequest {
        TransitionRequest {
            to: Some(state),
            ..Default::default()
        }
    }

    fn step(a: &mut Alert, req: TransitionRequest) -> Result<(), DomainError> {
        let e = a.decide_transition(&req)?;
        a.apply(e, "cla1", a.received_at);
        Ok(())
    }

    #[test]
    fn the_full_path_records_every_move() {
        let mut a = alert();
        step(&mut a, to(AlertState::Acknowledged)).unwrap();
        step(&mut a, to(AlertState::Verified)).unwrap();
        step(
            &mut a,
            TransitionRequest {
                responders: vec!["clp".into(), "clp".into()],
                ..to(AlertState::Assigned)
            },
        )
        .unwrap();
        step(&mut a, to(AlertState::Responding)).unwrap();
        step(
            &mut a,
            TransitionRequest {
                outcome: Some(" patrouille envoyée ".into()),
                ..to(AlertState::Closed)
            },
        )
        .unwrap();
        assert_eq!(a.state, AlertState::Closed);
        assert_eq!(a.assigned, vec!["clp"], "responders are deduplicated");
        assert_eq!(a.outcome.as_deref(), Some("patrouille envoyée"));
        assert_eq!(a.timeline.len(), 6);
        assert_eq!(a.version, 6);
        assert!(a.timeline[1..].iter().all(|t| t.actor == "cla1"));
        assert!(
            a.next_deadline().is_none(),
            "a closed alert has no deadline"
        );
    }

    #[test]
    fn invalid_moves_name_the_allowed_ones() {
        let a = alert();
        let err = a.decide_transition(&to(AlertState::Verified)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "an alert in state 'received' cannot move to 'verified'; allowed: acknowledged, merged"
        );
        assert_eq!(
            a.decide_transition(&TransitionRequest::default()),
            Err(DomainError::Missing("to"))
        );
    }

    #[test]
    fn moves_that_need_a_reason_responders_outcome_or_target() {
        let mut a = alert();
        step(&mut a, to(AlertState::Acknowledged)).unwrap();
        assert_eq!(
            a.decide_transition(&to(AlertState::FalseAlarm)),
            Err(DomainError::Missing("reason"))
        );
        assert_eq!(
            a.decide_transition(&to(AlertState::Unverifiable)),
            Err(DomainError::Missing("reason"))
        );
        assert_eq!(
            a.decide_transition(&to(AlertState::Merged)),
            Err(DomainError::Missing("merged_into"))
        );
        let own = TransitionRequest {
            merged_into: Some("K-1001".into()),
            ..to(AlertState::Merged)
        };
        assert!(matches!(
            a.decide_transition(&own),
            Err(DomainError::Invalid { .. })
        ));
        let mut v = a.clone();
        step(&mut v, to(AlertState::Verified)).unwrap();
        let blank = TransitionRequest {
            responders: vec![" ".into()],
            ..to(AlertState::Assigned)
        };
        assert_eq!(
            v.decide_transition(&blank),
            Err(DomainError::Missing("responders"))
        );
        step(
            &mut a,
            TransitionRequest {
                reason: Some("chef de village joint".into()),
                ..to(AlertState::FalseAlarm)
            },
        )
        .unwrap();
        // Closing a false alarm tells the reporter why, from the reason if no outcome is given.
        step(&mut a, to(AlertState::Closed)).unwrap();
        assert_eq!(a.outcome.as_deref(), Some("chef de village joint"));
    }

    #[test]
    fn a_responded_alert_needs_a_real_outcome() {
        let mut a = alert();
        for s in [AlertState::Acknowledged, AlertState::Verified] {
            step(&mut a, to(s)).unwrap();
        }
        step(
            &mut a,
            TransitionRequest {
                responders: vec!["clp".into()],
                ..to(AlertState::Assigned)
            },
        )
        .unwrap();
        step(&mut a, to(AlertState::Responding)).unwrap();
        let only_reason = TransitionRequest {
            reason: Some("fini".into()),
            ..to(AlertState::Closed)
        };
        assert_eq!(
            a.decide_transition(&only_reason),
            Err(DomainError::Missing("outcome"))
        );
    }

    #[test]
    fn final_states_allow_nothing() {
        for s in [AlertState::Closed, AlertState::Merged] {
            assert!(s.is_final() && !s.is_open());
            for t in AlertState::ALL {
                let mut a = alert();
                a.state = s;
                assert!(a.decide_transition(&to(t)).is_err());
            }
        }
    }

    #[test]
    fn states_round_trip_and_every_state_is_reachable() {
        let mut seen = std::collections::HashSet::from([AlertState::Received]);
        let mut frontier = vec![AlertState::Received];
        while let Some(s) = frontier.pop() {
            for n in s.next() {
                if seen.insert(*n) {
                    frontier.push(*n);
                }
            }
        }
        assert_eq!(seen.len(), AlertState::ALL.len());
        for s in AlertState::ALL {
            assert_eq!(s.as_str().parse::<AlertState>(), Ok(s));
        }
    }

    fn full_request(t: AlertState) -> TransitionRequest {
        TransitionRequest {
            to: Some(t),
            reason: Some("raison".into()),
            responders: vec!["clp".into()],
            outcome: Some("résultat".into()),
            merged_into: Some("K-9".into()),
        }
    }

    #[test]
    fn linking_a_reporter_and_reading_older_events() {
        let mut a = alert();
        a.apply(
            AlertEvent::ReporterLinked {
                focal_point: "fp1".into(),
                pseudonym: Some("FP-Kiwanja-01".into()),
                language: Some("sw".into()),
            },
            "cla1",
            a.received_at,
        );
        assert!(!a.reporter.is_unknown());
        assert_eq!(a.reporter.pseudonym.as_deref(), Some("FP-Kiwanja-01"));
        assert_eq!(a.reporter.language.as_deref(), Some("sw"));
        // Events and rows written before these fields existed still decode.
        let e: AlertEvent =
            serde_json::from_str(r#"{"kind":"reporter_linked","focal_point":"fp2"}"#).unwrap();
        assert!(matches!(
            e,
            AlertEvent::ReporterLinked {
                pseudonym: None,
                ..
            }
        ));
        let mut old = serde_json::to_value(alert()).unwrap();
        let doc = old.as_object_mut().unwrap();
        doc.remove("parse_flags");
        doc.remove("unparsed");
        let back: Alert = serde_json::from_value(old).unwrap();
        assert!(back.parse_flags.is_empty() && back.unparsed.is_none());
    }

    proptest! {
        /// Whatever moves are asked for, in any order, the alert only ever follows the
        /// lifecycle, its version counts its events, and once final it stays final.
        #[test]
        fn any_sequence_of_requests_follows_the_lifecycle(moves in prop::collection::vec(0usize..9, 0..30)) {
            let mut a = alert();
            for m in moves {
                let target = AlertState::ALL[m];
                let before = a.state;
                match a.decide_transition(&full_request(target)) {
                    Ok(e) => {
                        prop_assert!(before.next().contains(&target));
                        a.apply(e, "cla", a.received_at);
                        prop_assert_eq!(a.state, target);
                    }
                    Err(_) => {
                        prop_assert!(!before.next().contains(&target));
                        prop_assert_eq!(a.state, before);
                    }
                }
                prop_assert_eq!(a.version as usize, a.timeline.len());
            }
        }
    }
}
