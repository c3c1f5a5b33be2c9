//! The daily alert tracking digest for coordinators.
//!
//! Every figure is read from the alerts' timelines, so a digest for a past day counts what
//! was true then, not what is true now: an alert closed this morning still counts as overdue
//! in yesterday's digest if it was overdue at yesterday's end. The window is `[from, to)`.
//!
//! - `received`: alerts received in the window.
//! - `acknowledged`, `acknowledged_in_time`, `median_minutes_to_acknowledge`: acknowledgements
//!   made in the window, and how many met the acknowledge deadline in force at that moment.
//! - `answered`: alerts that reached `responding` or `closed` in the window; `closed`: closed.
//! - `overdue`, `overdue_refs`, `uncovered_open`: alerts still open at `to`, whenever they
//!   came in, whose deadline for their state had passed at `to`, or that no responder covers.
//! - `by_threat`, `by_state`: the alerts received in the window, by threat type and by the
//!   state they had reached at `to`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::deadline::Deadlines;
use crate::{Alert, AlertEvent, AlertState, ThreatType};

/// What came in, what was answered and what is overdue, over one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    /// Day the window covers, `YYYY-MM-DD`, in [`Digest::time_zone`].
    pub day: String,
    /// Start of the window (included).
    pub from: DateTime<Utc>,
    /// End of the window (excluded).
    pub to: DateTime<Utc>,
    /// Alerts received in the window.
    pub received: u32,
    /// Acknowledgements made in the window.
    pub acknowledged: u32,
    /// Of those, made by the acknowledge deadline.
    pub acknowledged_in_time: u32,
    /// Alerts that reached `responding` or `closed` in the window.
    pub answered: u32,
    /// Alerts closed in the window.
    pub closed: u32,
    /// Alerts open at `to` whose deadline for their state had passed.
    pub overdue: u32,
    /// Alerts open at `to` that no responder covers.
    pub uncovered_open: u32,
    /// Missed deadlines escalated in the window.
    pub escalated: u32,
    /// Alerts received in the window with no threat type yet.
    pub unknown_threat: u32,
    /// Alerts received in the window by threat type, most frequent first.
    pub by_threat: Vec<(ThreatType, u32)>,
    /// Alerts received in the window by the state reached at `to`, in lifecycle order.
    pub by_state: Vec<(AlertState, u32)>,
    /// References of the overdue alerts, longest overdue first.
    pub overdue_refs: Vec<String>,
    /// Median minutes from receipt to acknowledgement, over the window's acknowledgements.
    pub median_minutes_to_acknowledge: Option<u32>,
    /// Time zone whose day the window is (IANA name); UTC when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

impl Digest {
    /// The digest of a local day: `day` names it, and its times read in `zone`.
    pub fn of_local_day(mut self, day: chrono::NaiveDate, zone: chrono_tz::Tz) -> Self {
        self.day = day.to_string();
        self.time_zone = Some(zone.name().to_string());
        self
    }
}

/// An alert as it stood at one moment, replayed from its timeline.
struct Snapshot {
    state: AlertState,
    deadlines: Deadlines,
    uncovered: bool,
    threat: Option<ThreatType>,
}

/// Replay an alert's timeline up to and including `at`; `None` when not yet received.
fn snapshot(alert: &Alert, at: DateTime<Utc>) -> Option<Snapshot> {
    if alert.received_at > at {
        return None;
    }
    if alert.timeline.is_empty() {
        // Without a history, the present is the best account of the past.
        return Some(Snapshot {
            state: alert.state,
            deadlines: alert.deadlines,
            uncovered: alert.uncovered,
            threat: alert.threat_type,
        });
    }
    let mut s = Snapshot {
        state: AlertState::Received,
        deadlines: alert.deadlines,
        uncovered: alert.uncovered,
        threat: alert.threat_type,
    };
    for entry in alert.timeline.iter().filter(|e| e.at <= at) {
        match &entry.event {
            AlertEvent::Received(new) => {
                s.deadlines = new.deadlines;
                s.uncovered = new.uncovered;
                s.threat = new.threat_type;
            }
            AlertEvent::Transitioned { to, .. } => s.state = *to,
            AlertEvent::Triaged {
                update,
                deadlines,
                uncovered,
                ..
            } => {
                if let Some(d) = deadlines {
                    s.deadlines = *d;
                }
                if let Some(t) = update.threat_type {
                    s.threat = Some(t);
                }
                s.uncovered = *uncovered;
            }
            _ => {}
        }
    }
    Some(s)
}

/// Times at which an alert moved to `state`.
fn moves_to(alert: &Alert, state: AlertState) -> impl Iterator<Item = DateTime<Utc>> + '_ {
    alert.timeline.iter().filter_map(move |e| match e.event {
        AlertEvent::Transitioned { to, .. } if to == state => Some(e.at),
        _ => None,
    })
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Compute the digest of `alerts` over `[from, to)`.
pub fn compute(alerts: &[Alert], from: DateTime<Utc>, to: DateTime<Utc>) -> Digest {
    let in_window = |t: DateTime<Utc>| from <= t && t < to;
    let received: Vec<&Alert> = alerts.iter().filter(|a| in_window(a.received_at)).collect();

    let mut ack_minutes = Vec::new();
    let mut in_time = 0;
    for a in alerts {
        for t in moves_to(a, AlertState::Acknowledged).filter(|t| in_window(*t)) {
            ack_minutes.push((t - a.received_at).num_minutes().max(0));
            let deadline =
                snapshot(a, t).map_or(a.deadlines.acknowledge, |s| s.deadlines.acknowledge);
            in_time += usize::from(t <= deadline);
        }
    }

    let reached =
        |a: &&Alert, states: &[AlertState]| states.iter().any(|s| moves_to(a, *s).any(in_window));
    let answered = alerts
        .iter()
        .filter(|a| reached(a, &[AlertState::Responding, AlertState::Closed]))
        .count();
    let closed = alerts
        .iter()
        .filter(|a| reached(a, &[AlertState::Closed]))
        .count();
    let escalated = alerts
        .iter()
        .flat_map(|a| &a.timeline)
        .filter(|e| matches!(e.event, AlertEvent::Escalated { .. }) && in_window(e.at))
        .count();

    // Open at the end of the window, with the deadline each had then.
    let mut overdue: Vec<(DateTime<Utc>, &str)> = Vec::new();
    let mut uncovered_open = 0;
    for a in alerts {
        let Some(s) = snapshot(a, to) else { continue };
        if !s.state.is_open() {
            continue;
        }
        uncovered_open += usize::from(s.uncovered);
        if let Some((_, due)) = s.deadlines.next_for(s.state) {
            if due <= to {
                overdue.push((due, &a.reference));
            }
        }
    }
    overdue.sort();

    let mut by_threat: Vec<(ThreatType, u32)> = Vec::new();
    let mut unknown_threat = 0;
    let mut by_state: Vec<(AlertState, u32)> = Vec::new();
    for a in &received {
        let s = snapshot(a, to);
        match s.as_ref().map_or(a.threat_type, |s| s.threat) {
            Some(t) => bump(&mut by_threat, t),
            None => unknown_threat += 1,
        }
        bump(&mut by_state, s.map_or(a.state, |s| s.state));
    }
    by_threat.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    by_state.sort();

    Digest {
        day: from.format("%Y-%m-%d").to_string(),
        from,
        to,
        received: count(received.len()),
        acknowledged: count(ack_minutes.len()),
        acknowledged_in_time: count(in_time),
        answered: count(answered),
        closed: count(closed),
        overdue: count(overdue.len()),
        uncovered_open: count(uncovered_open),
        escalated: count(escalated),
        unknown_threat,
        by_threat,
        by_state,
        overdue_refs: overdue.into_iter().map(|(_, r)| r.to_string()).collect(),
        median_minutes_to_acknowledge: median(&mut ack_minutes),
        time_zone: None,
    }
}

fn bump<K: PartialEq>(counts: &mut Vec<(K, u32)>, key: K) {
    match counts.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => counts.push((key, 1)),
    }
}

/// Median, the mean of the two middle values (rounded down) for an even count.
fn median(values: &mut [i64]) -> Option<u32> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    let m = if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2
    };
    Some(u32::try_from(m).unwrap_or(u32::MAX))
}

mod render;
#[cfg(test)]
mod tests;

pub use render::render_text;
