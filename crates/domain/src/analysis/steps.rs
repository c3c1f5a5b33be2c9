//! When an alert went through each step of its lifecycle, read from its timeline, with the
//! deadline that was in force at that moment (a severity corrected during triage moves the
//! deadlines; a reopened alert gets fresh ones).

use chrono::{DateTime, Utc};

use crate::deadline::Deadlines;
use crate::{Alert, AlertEvent, AlertState};

/// One step reached: when, and the deadline the step had then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reached {
    /// When the step was reached.
    pub at: DateTime<Utc>,
    /// The step's deadline in force at that moment.
    pub due: DateTime<Utc>,
}

impl Reached {
    /// Whether the step was reached by its deadline (a step exactly on time is in time).
    pub fn in_time(&self) -> bool {
        self.at <= self.due
    }

    /// Minutes from `from` to the step (never negative: clocks of imported data may disagree).
    pub fn minutes_after(&self, from: DateTime<Utc>) -> f64 {
        ((self.at - from).num_seconds().max(0) as f64) / 60.0
    }
}

/// The steps of one alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Steps {
    /// First acknowledgement.
    pub acknowledged: Option<Reached>,
    /// First verification decision: verified, unverifiable or false alarm.
    pub verified: Option<Reached>,
    /// First time a responder was acting (`responding`).
    pub responding: Option<Reached>,
    /// Closed, when the alert is closed now (the last closing).
    pub closed: Option<DateTime<Utc>>,
    /// The alert reached `verified` at some point: it needed a responder.
    pub needed_response: bool,
    /// Merged into another alert before being acknowledged (a duplicate, not a miss).
    pub merged_unacknowledged: bool,
    /// Merged into another alert before a verification decision.
    pub merged_unverified: bool,
    /// Every responder the alert was ever assigned to, in order of first assignment.
    pub responders: Vec<String>,
    /// The deadlines in force now (those of a step not yet reached).
    pub deadlines: Deadlines,
}

/// Replay the timeline of `alert`.
pub fn steps(alert: &Alert) -> Steps {
    let mut deadlines = alert
        .timeline
        .iter()
        .find_map(|e| match &e.event {
            AlertEvent::Received(new) => Some(new.deadlines),
            _ => None,
        })
        .unwrap_or(alert.deadlines);
    let mut s = Steps {
        acknowledged: None,
        verified: None,
        responding: None,
        closed: None,
        needed_response: false,
        merged_unacknowledged: false,
        merged_unverified: false,
        responders: vec![],
        deadlines,
    };
    for entry in &alert.timeline {
        match &entry.event {
            AlertEvent::Triaged {
                deadlines: Some(d), ..
            } => deadlines = *d,
            AlertEvent::Transitioned {
                to,
                responders,
                deadlines: fresh,
                ..
            } => {
                if let Some(d) = fresh {
                    deadlines = *d;
                }
                for r in responders {
                    if !s.responders.contains(r) {
                        s.responders.push(r.clone());
                    }
                }
                let reached = |due| Some(Reached { at: entry.at, due });
                match to {
                    AlertState::Acknowledged if s.acknowledged.is_none() => {
                        s.acknowledged = reached(deadlines.acknowledge);
                    }
                    AlertState::Verified | AlertState::Unverifiable | AlertState::FalseAlarm
                        if s.verified.is_none() =>
                    {
                        s.verified = reached(deadlines.verify);
                    }
                    AlertState::Responding if s.responding.is_none() => {
                        s.responding = reached(deadlines.respond);
                    }
                    AlertState::Merged => {
                        s.merged_unacknowledged = s.acknowledged.is_none();
                        s.merged_unverified = s.verified.is_none();
                    }
                    _ => {}
                }
                if *to == AlertState::Verified {
                    s.needed_response = true;
                }
                if *to == AlertState::Closed {
                    s.closed = Some(entry.at);
                }
            }
            _ => {}
        }
    }
    if alert.state != AlertState::Closed {
        s.closed = None;
    }
    s.deadlines = deadlines;
    s
}
