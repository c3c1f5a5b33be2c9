//! How an alert converges when instances that were cut off from each other both changed it
//! (sync between instances). Every instance folds an alert's events in one canonical order —
//! by time, the intake first, ties kept in the order they were sealed — so all instances that
//! hold the same events show the same alert, whatever order the events arrived in.
//!
//! The state never goes backwards: a move decided on a state the alert has meanwhile left
//! (concurrent with another instance's move) takes effect only if it takes the alert further
//! along its life ([`AlertState::rank`]); otherwise it stays in the timeline, visible, without
//! effect. A reopen is an explicit move from `closed`: it takes effect when the alert is
//! closed, whatever the rank.

use chrono::{DateTime, Utc};

use super::{Alert, AlertEvent, AlertState, TimelineEntry};

impl AlertState {
    /// How far along its life a state is. Of two concurrent moves, the one to the higher rank
    /// wins on every instance.
    pub fn rank(self) -> u8 {
        match self {
            AlertState::Received => 0,
            AlertState::Acknowledged => 1,
            AlertState::Verified => 2,
            AlertState::Unverifiable => 3,
            AlertState::Assigned => 4,
            AlertState::Responding => 5,
            AlertState::FalseAlarm => 6,
            AlertState::Closed => 7,
            AlertState::Merged => 8,
        }
    }
}

/// Whether `event` is a move decided on a state other than `current` that would not take the
/// alert further: it must not change the alert.
pub(super) fn superseded(current: AlertState, event: &AlertEvent) -> bool {
    match event {
        AlertEvent::Transitioned { from, to, .. } => {
            *from != current && to.rank() <= current.rank()
        }
        _ => false,
    }
}

/// The canonical position of an entry: the intake first, then by time.
fn key(e: &TimelineEntry) -> (bool, DateTime<Utc>) {
    (!matches!(e.event, AlertEvent::Received(_)), e.at)
}

impl Alert {
    /// Fold an event received in any order: appended when it comes at or after the newest
    /// entry (the usual case, and always on a single instance), otherwise the whole timeline
    /// is folded again in canonical order with it in its place.
    pub fn merge(&mut self, event: AlertEvent, actor: &str, at: DateTime<Utc>) {
        let entry = TimelineEntry {
            at,
            actor: actor.to_string(),
            event,
        };
        let in_order = self
            .timeline
            .last()
            .is_none_or(|last| key(last) <= key(&entry));
        if in_order {
            self.apply(entry.event, &entry.actor, entry.at);
            return;
        }
        let mut entries = std::mem::take(&mut self.timeline);
        entries.push(entry);
        if let Some(a) = Alert::refold(entries) {
            *self = a;
        }
    }

    /// The alert its entries give in canonical order (a stable sort: entries of the same
    /// time keep their order); `None` without an intake entry.
    pub fn refold(mut entries: Vec<TimelineEntry>) -> Option<Alert> {
        entries.sort_by_key(key);
        let mut it = entries.into_iter();
        let first = it.next()?;
        let AlertEvent::Received(new) = first.event else {
            return None;
        };
        let mut alert = Alert::received(*new, &first.actor);
        for e in it {
            alert.apply(e.event, &e.actor, e.at);
        }
        Some(alert)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{Channel, NewAlert, Reporter, TransitionRequest};
    use crate::deadline::DeadlinePolicy;
    use crate::threat::Severity;
    use chrono::{Duration, TimeZone};

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, 6, 0, 0).unwrap() + Duration::minutes(min)
    }

    fn base() -> Alert {
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
            threat_type: None,
            severity: sev,
            reported_at: t(0),
            received_at: t(0),
            deadlines: DeadlinePolicy::default().deadlines(sev, t(0)),
            proposed_responders: vec![],
            uncovered: false,
            duplicate_candidates: vec![],
            parse_flags: vec![],
            unparsed: None,
            severity_set: false,
        };
        Alert::received(new, "gateway")
    }

    /// Decide a move on `a` and apply it; the event, for the other instance.
    fn step(a: &mut Alert, to: AlertState, who: &str, at: i64) -> TimelineEntry {
        let req = TransitionRequest {
            to: Some(to),
            outcome: (to == AlertState::Closed).then(|| "Patrol sent".to_string()),
            outcome_category: (to == AlertState::Closed)
                .then_some(crate::alert::OutcomeCategory::NoResponder),
            responders: if to == AlertState::Assigned {
                vec!["clp".into()]
            } else {
                vec![]
            },
            reason: Some("checked".into()),
            ..Default::default()
        };
        let e = a
            .decide_transition(&req)
            .unwrap_or_else(|e| panic!("{to:?}: {e}"))
            .expect("a move");
        a.apply(e.clone(), who, t(at));
        TimelineEntry {
            at: t(at),
            actor: who.into(),
            event: e,
        }
    }

    fn receive(a: &mut Alert, entries: &[TimelineEntry]) {
        for e in entries {
            a.merge(e.event.clone(), &e.actor, e.at);
        }
    }

    #[test]
    fn concurrent_moves_converge_and_the_state_never_goes_back() {
        let mut hq = base();
        step(&mut hq, AlertState::Acknowledged, "hq", 1);
        let mut field = hq.clone();
        // Cut off: HQ verifies and assigns; the field office, later, calls it a false alarm.
        let h1 = step(&mut hq, AlertState::Verified, "hq", 2);
        let f1 = step(&mut field, AlertState::FalseAlarm, "field", 3);
        receive(&mut hq, std::slice::from_ref(&f1));
        receive(&mut field, std::slice::from_ref(&h1));
        assert_eq!(hq, field);
        assert_eq!(hq.state, AlertState::FalseAlarm);
        // Both moves stay visible.
        assert_eq!(hq.timeline.len(), 4);
    }

    #[test]
    fn a_move_back_decided_elsewhere_stays_in_the_timeline_only() {
        let mut hq = base();
        step(&mut hq, AlertState::Acknowledged, "hq", 1);
        step(&mut hq, AlertState::Verified, "hq", 2);
        let mut field = hq.clone();
        let f1 = step(&mut field, AlertState::Assigned, "field", 3);
        let h1 = step(&mut hq, AlertState::Closed, "hq", 4);
        receive(&mut hq, std::slice::from_ref(&f1));
        receive(&mut field, std::slice::from_ref(&h1));
        assert_eq!(hq, field);
        assert_eq!(hq.state, AlertState::Closed);
        assert_eq!(hq.outcome.as_deref(), Some("Patrol sent"));
    }

    #[test]
    fn a_reopen_is_an_explicit_move_and_holds() {
        let mut hq = base();
        step(&mut hq, AlertState::Acknowledged, "hq", 1);
        step(&mut hq, AlertState::Verified, "hq", 2);
        step(&mut hq, AlertState::Closed, "hq", 3);
        let mut field = hq.clone();
        let f1 = step(&mut field, AlertState::Acknowledged, "field", 5);
        assert_eq!(field.state, AlertState::Acknowledged, "reopened");
        let mut late = hq.clone();
        receive(&mut late, std::slice::from_ref(&f1));
        assert_eq!(late, field);
    }

    #[test]
    fn any_arrival_order_gives_the_same_alert() {
        let mut a = base();
        let e1 = step(&mut a, AlertState::Acknowledged, "hq", 1);
        let mut b = a.clone();
        let mut c = a.clone();
        let e2 = step(&mut a, AlertState::Verified, "hq", 2);
        let e3 = step(&mut b, AlertState::Unverifiable, "field", 3);
        let e4 = step(&mut c, AlertState::FalseAlarm, "successor", 4);
        let all = [e2, e3, e4];
        let orders = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        let mut seen = Vec::new();
        for order in orders {
            let mut x = base();
            receive(&mut x, std::slice::from_ref(&e1));
            for i in order {
                receive(&mut x, std::slice::from_ref(&all[i]));
            }
            seen.push(x);
        }
        assert!(seen.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(seen[0].state, AlertState::FalseAlarm);
    }
}
