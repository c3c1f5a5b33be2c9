//! Deadlines per severity (acknowledge, verify, respond) and what is overdue.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::{AlertState, Severity};

/// Which deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// Someone must acknowledge the alert.
    Acknowledge,
    /// Someone must verify it.
    Verify,
    /// A responder must be acting.
    Respond,
}

impl DeadlineKind {
    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::Acknowledge => "acknowledge",
            DeadlineKind::Verify => "verify",
            DeadlineKind::Respond => "respond",
        }
    }
}

/// The three deadlines of one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// Acknowledge by.
    pub acknowledge: DateTime<Utc>,
    /// Verify by.
    pub verify: DateTime<Utc>,
    /// Responder acting by.
    pub respond: DateTime<Utc>,
}

impl Deadlines {
    /// The deadline that governs an alert in `state`, if any.
    pub fn next_for(&self, state: AlertState) -> Option<(DeadlineKind, DateTime<Utc>)> {
        match state {
            AlertState::Received => Some((DeadlineKind::Acknowledge, self.acknowledge)),
            AlertState::Acknowledged => Some((DeadlineKind::Verify, self.verify)),
            AlertState::Verified | AlertState::Assigned => {
                Some((DeadlineKind::Respond, self.respond))
            }
            _ => None,
        }
    }
}

/// Minutes allowed for each step, for one severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepMinutes {
    /// Minutes to acknowledge.
    pub acknowledge: u32,
    /// Minutes to verify, counted from receipt.
    pub verify: u32,
    /// Minutes until a responder acts, counted from receipt.
    pub respond: u32,
}

/// Deadlines for each severity; configurable per deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlinePolicy {
    /// Index 0 is severity 1, index 3 is severity 4.
    pub by_severity: [StepMinutes; 4],
}

impl Default for DeadlinePolicy {
    /// Defaults drawn from community alert network practice: an imminent threat to life is
    /// acknowledged within 15 minutes and has a responder within 2 hours.
    fn default() -> Self {
        let s = |acknowledge, verify, respond| StepMinutes {
            acknowledge,
            verify,
            respond,
        };
        DeadlinePolicy {
            by_severity: [
                s(720, 2880, 4320),
                s(120, 720, 1440),
                s(30, 120, 360),
                s(15, 60, 120),
            ],
        }
    }
}

impl DeadlinePolicy {
    /// The minutes for one severity.
    pub fn steps(&self, severity: Severity) -> StepMinutes {
        self.by_severity[usize::from(severity.level() - 1)]
    }

    /// Deadlines of an alert of `severity` received at `received_at`.
    pub fn deadlines(&self, severity: Severity, received_at: DateTime<Utc>) -> Deadlines {
        let s = self.steps(severity);
        let m = |n: u32| received_at + Duration::minutes(i64::from(n));
        Deadlines {
            acknowledge: m(s.acknowledge),
            verify: m(s.verify),
            respond: m(s.respond),
        }
    }
}

/// The deadline an alert has missed at `now` and that was not escalated yet.
pub fn missed(
    state: AlertState,
    deadlines: &Deadlines,
    escalated: &[DeadlineKind],
    now: DateTime<Utc>,
) -> Option<DeadlineKind> {
    let (kind, at) = deadlines.next_for(state)?;
    (at <= now && !escalated.contains(&kind)).then_some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
    }

    #[test]
    fn imminent_threat_has_tightest_deadlines() {
        let p = DeadlinePolicy::default();
        let d4 = p.deadlines(Severity::IMMINENT, t0());
        let d1 = p.deadlines(Severity::new(1).unwrap(), t0());
        assert_eq!(d4.acknowledge, t0() + Duration::minutes(15));
        assert!(d4.respond < d1.acknowledge);
        for s in 1..=4 {
            let st = p.steps(Severity::new(s).unwrap());
            assert!(st.acknowledge <= st.verify && st.verify <= st.respond);
        }
    }

    #[test]
    fn missed_deadline_follows_state_and_is_escalated_once() {
        let d = DeadlinePolicy::default().deadlines(Severity::IMMINENT, t0());
        let late = t0() + Duration::minutes(16);
        assert_eq!(
            missed(AlertState::Received, &d, &[], late),
            Some(DeadlineKind::Acknowledge)
        );
        assert_eq!(
            missed(AlertState::Received, &d, &[DeadlineKind::Acknowledge], late),
            None
        );
        assert_eq!(missed(AlertState::Acknowledged, &d, &[], late), None);
        assert_eq!(
            missed(AlertState::Closed, &d, &[], late + Duration::days(9)),
            None
        );
        assert_eq!(
            missed(AlertState::Assigned, &d, &[], t0() + Duration::hours(3)),
            Some(DeadlineKind::Respond)
        );
    }
}
