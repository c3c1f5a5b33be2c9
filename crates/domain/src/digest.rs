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

/// References listed in full in the rendered text; the rest are counted.
const LISTED_REFS: usize = 20;

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

fn state_label(s: AlertState, fr: bool) -> &'static str {
    use AlertState::*;
    match (s, fr) {
        (Received, true) => "reçues",
        (Acknowledged, true) => "accusées de réception",
        (Verified, true) => "vérifiées",
        (Unverifiable, true) => "invérifiables",
        (FalseAlarm, true) => "fausses alertes",
        (Assigned, true) => "assignées",
        (Responding, true) => "en intervention",
        (Closed, true) => "clôturées",
        (Merged, true) => "fusionnées",
        (Received, false) => "received",
        (Acknowledged, false) => "acknowledged",
        (Verified, false) => "verified",
        (Unverifiable, false) => "unverifiable",
        (FalseAlarm, false) => "false alarm",
        (Assigned, false) => "assigned",
        (Responding, false) => "responding",
        (Closed, false) => "closed",
        (Merged, false) => "merged",
    }
}

/// The digest as plain text for coordinators, in French (`fr`, and the languages not yet
/// translated) or English (`en`), as [`crate::outbox::message_language`] decides.
pub fn render_text(d: &Digest, lang: &str) -> String {
    let fr = crate::outbox::message_language(Some(lang)) == "fr";
    let zone: chrono_tz::Tz = d
        .time_zone
        .as_deref()
        .and_then(|z| z.parse().ok())
        .unwrap_or(chrono_tz::Tz::UTC);
    let when = |t: DateTime<Utc>| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
    let zone = zone.name();
    let mut out = Vec::new();
    if fr {
        out.push(format!("Kinga — suivi des alertes du {}", d.day));
        out.push(format!(
            "Période : {} – {} ({zone})",
            when(d.from),
            when(d.to)
        ));
    } else {
        out.push(format!("Kinga — alert tracking digest for {}", d.day));
        out.push(format!(
            "Period: {} – {} ({zone})",
            when(d.from),
            when(d.to)
        ));
    }

    let mut types: Vec<String> = d
        .by_threat
        .iter()
        .map(|(t, n)| format!("{} {n}", t.label(if fr { "fr" } else { "en" })))
        .collect();
    if d.unknown_threat > 0 {
        types.push(format!(
            "{} {}",
            if fr { "type inconnu" } else { "unknown type" },
            d.unknown_threat
        ));
    }
    let types = if types.is_empty() {
        String::new()
    } else {
        format!(" ({})", types.join(", "))
    };
    out.push(if fr {
        format!("Reçues : {}{types}", d.received)
    } else {
        format!("Received: {}{types}", d.received)
    });

    let median = d.median_minutes_to_acknowledge.map(|m| {
        if fr {
            format!(" ; délai médian {m} min")
        } else {
            format!("; median time {m} min")
        }
    });
    out.push(if fr {
        format!(
            "Accusés de réception : {}, dont {} dans les délais{}",
            d.acknowledged,
            d.acknowledged_in_time,
            median.unwrap_or_default()
        )
    } else {
        format!(
            "Acknowledged: {}, of which {} in time{}",
            d.acknowledged,
            d.acknowledged_in_time,
            median.unwrap_or_default()
        )
    });
    out.push(if fr {
        format!(
            "Répondues (intervention ou clôture) : {} ; clôturées : {}",
            d.answered, d.closed
        )
    } else {
        format!(
            "Answered (responding or closed): {}; closed: {}",
            d.answered, d.closed
        )
    });

    let mut refs = d
        .overdue_refs
        .iter()
        .take(LISTED_REFS)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let more = d.overdue_refs.len().saturating_sub(LISTED_REFS);
    if more > 0 {
        refs.push_str(&if fr {
            format!(" et {more} autres")
        } else {
            format!(" and {more} more")
        });
    }
    let refs = if refs.is_empty() {
        String::new()
    } else {
        format!(" — {refs}")
    };
    out.push(if fr {
        format!("En retard : {}{refs}", d.overdue)
    } else {
        format!("Overdue: {}{refs}", d.overdue)
    });
    out.push(if fr {
        format!("Alertes ouvertes sans intervenant : {}", d.uncovered_open)
    } else {
        format!("Open alerts no responder covers: {}", d.uncovered_open)
    });
    if d.escalated > 0 {
        out.push(if fr {
            format!("Escalades : {}", d.escalated)
        } else {
            format!("Escalations: {}", d.escalated)
        });
    }
    if !d.by_state.is_empty() {
        let states: Vec<String> = d
            .by_state
            .iter()
            .map(|(s, n)| format!("{} {n}", state_label(*s, fr)))
            .collect();
        out.push(if fr {
            format!("Où en sont les alertes reçues : {}", states.join(", "))
        } else {
            format!("Where the alerts received stand: {}", states.join(", "))
        });
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;
    use crate::alert::{Channel, NewAlert, Reporter, TriageUpdate};
    use crate::deadline::{DeadlineKind, DeadlinePolicy};
    use chrono::{Duration, TimeZone};

    fn t(day: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, h, m, 0).unwrap()
    }

    fn sev(n: u8) -> Severity {
        Severity::new(n).unwrap()
    }

    fn alert(
        reference: &str,
        at: DateTime<Utc>,
        severity: Severity,
        threat: Option<ThreatType>,
    ) -> Alert {
        let new = NewAlert {
            id: format!("id-{reference}"),
            reference: reference.into(),
            channel: Channel::Sms,
            reporter: Reporter::default(),
            text: "text".into(),
            language: Some("fr".into()),
            place: None,
            place_name: None,
            place_candidates: vec![],
            threat_type: threat,
            severity,
            reported_at: at,
            received_at: at,
            deadlines: DeadlinePolicy::default().deadlines(severity, at),
            proposed_responders: vec![],
            uncovered: false,
            duplicate_candidates: vec![],
            parse_flags: vec![],
            unparsed: None,
            severity_set: false,
        };
        Alert::received(new, "system")
    }

    fn mv(a: &mut Alert, to: AlertState, at: DateTime<Utc>) {
        let event = AlertEvent::Transitioned {
            from: a.state,
            to,
            reason: None,
            responders: vec![],
            outcome: None,
            merged_into: None,
            outcome_category: None,
            referred_to: None,
            verification: None,
            feedback_withheld: None,
            deadlines: None,
        };
        a.apply(event, "cla", at);
    }

    fn day() -> (DateTime<Utc>, DateTime<Utc>) {
        (t(1, 0, 0), t(2, 0, 0))
    }

    fn alerts() -> Vec<Alert> {
        use AlertState::*;
        let mut k1 = alert("K-1", t(1, 8, 0), sev(4), Some(ThreatType::Killing));
        mv(&mut k1, Acknowledged, t(1, 8, 10));
        mv(&mut k1, Verified, t(1, 8, 30));
        mv(&mut k1, Assigned, t(1, 9, 0));
        mv(&mut k1, Responding, t(1, 9, 30));
        mv(&mut k1, Closed, t(1, 14, 0));

        let mut k2 = alert("K-2", t(1, 10, 0), sev(4), Some(ThreatType::Killing));
        mv(&mut k2, Acknowledged, t(1, 10, 40));

        let mut k3 = alert("K-3", t(1, 12, 0), sev(2), None);
        let no_cover = AlertEvent::Triaged {
            update: TriageUpdate::default(),
            deadlines: None,
            proposed_responders: vec![],
            uncovered: true,
            derived_severity: false,
        };
        k3.apply(no_cover, "cla", t(1, 12, 1));
        k3.apply(
            AlertEvent::Escalated {
                deadline: DeadlineKind::Acknowledge,
            },
            "system",
            t(1, 14, 1),
        );

        let mut k4 = alert(
            "K-4",
            t(1, 0, 0) - Duration::hours(4),
            sev(1),
            Some(ThreatType::Other),
        );
        mv(&mut k4, Acknowledged, t(1, 7, 0));
        mv(&mut k4, FalseAlarm, t(1, 7, 30));
        mv(&mut k4, Closed, t(1, 9, 0));

        let mut k5 = alert("K-5", t(1, 15, 0), sev(4), Some(ThreatType::Abduction));
        mv(&mut k5, Merged, t(1, 15, 5));

        let k6 = alert("K-6", t(2, 1, 0), sev(4), Some(ThreatType::Killing));

        let mut k7 = alert("K-7", t(1, 16, 0), sev(3), Some(ThreatType::ArmedPresence));
        let lowered = AlertEvent::Triaged {
            update: TriageUpdate {
                threat_type: Some(ThreatType::Clashes),
                severity: Some(sev(1)),
                place: None,
            },
            deadlines: Some(DeadlinePolicy::default().deadlines(sev(1), t(1, 16, 0))),
            proposed_responders: vec![],
            uncovered: false,
            derived_severity: false,
        };
        k7.apply(lowered, "cla", t(1, 16, 5));
        mv(&mut k7, Acknowledged, t(1, 16, 10));

        let mut k8 = alert(
            "K-8",
            t(1, 9, 0),
            sev(4),
            Some(ThreatType::AttackOnCivilians),
        );
        mv(&mut k8, Acknowledged, t(1, 9, 5));
        mv(&mut k8, Verified, t(1, 9, 10));
        mv(&mut k8, Assigned, t(1, 9, 30));
        mv(&mut k8, Responding, t(2, 8, 0));
        mv(&mut k8, Closed, t(2, 10, 0));

        vec![k1, k2, k3, k4, k5, k6, k7, k8]
    }

    #[test]
    fn counts_follow_the_timelines() {
        let (from, to) = day();
        let d = compute(&alerts(), from, to);
        assert_eq!(d.day, "2026-03-01");
        assert_eq!(d.received, 6, "K-4 came the day before, K-6 the day after");
        assert_eq!(d.acknowledged, 5);
        assert_eq!(
            d.acknowledged_in_time, 4,
            "K-2 was acknowledged 40 minutes after a 15-minute deadline"
        );
        assert_eq!(d.median_minutes_to_acknowledge, Some(10));
        assert_eq!(d.answered, 2);
        assert_eq!(d.closed, 2);
        assert_eq!(d.escalated, 1);
        assert_eq!(d.uncovered_open, 1);
        assert_eq!(d.unknown_threat, 1);
    }

    #[test]
    fn overdue_is_judged_at_the_end_of_the_window() {
        let (from, to) = day();
        let d = compute(&alerts(), from, to);
        // K-8 is closed now, but at midnight it was assigned and past its respond deadline;
        // K-7's deadlines were relaxed when it was triaged down to severity 1.
        assert_eq!(d.overdue_refs, ["K-2", "K-8", "K-3"]);
        assert_eq!(d.overdue, 3);
        let next_day = compute(&alerts(), to, to + Duration::days(1));
        assert!(!next_day.overdue_refs.contains(&"K-8".to_string()));
        assert!(next_day.overdue_refs.contains(&"K-6".to_string()));
        assert_eq!(next_day.answered, 1);
        assert_eq!(next_day.received, 1);
    }

    #[test]
    fn received_alerts_by_threat_and_state() {
        let (from, to) = day();
        let d = compute(&alerts(), from, to);
        use ThreatType::*;
        assert_eq!(
            d.by_threat,
            [
                (Killing, 2),
                (AttackOnCivilians, 1),
                (Clashes, 1),
                (Abduction, 1)
            ]
        );
        use AlertState::*;
        assert_eq!(
            d.by_state,
            [
                (Received, 1),
                (Acknowledged, 2),
                (Assigned, 1),
                (Closed, 1),
                (Merged, 1)
            ]
        );
    }

    #[test]
    fn empty_window() {
        let d = compute(&[], t(1, 0, 0), t(2, 0, 0));
        assert_eq!(
            (d.received, d.overdue, d.median_minutes_to_acknowledge),
            (0, 0, None)
        );
        assert!(d.by_threat.is_empty() && d.by_state.is_empty());
        let text = render_text(&d, "en");
        assert!(
            text.contains("Received: 0\n") && text.contains("Overdue: 0\n"),
            "{text}"
        );
        assert!(!text.contains("median"));
    }

    #[test]
    fn median_of_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut [10, 40, 5, 20]), Some(15));
        assert_eq!(median(&mut [7]), Some(7));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn renders_in_french_and_english() {
        let (from, to) = day();
        let d = compute(&alerts(), from, to);
        let fr = render_text(&d, "fr");
        assert!(
            fr.starts_with("Kinga — suivi des alertes du 2026-03-01\n"),
            "{fr}"
        );
        assert!(fr.contains("Reçues : 6 (Meurtre 2, Attaque contre des civils 1, Affrontements 1, Enlèvement 1, type inconnu 1)"), "{fr}");
        assert!(
            fr.contains("Accusés de réception : 5, dont 4 dans les délais ; délai médian 10 min"),
            "{fr}"
        );
        assert!(fr.contains("En retard : 3 — K-2, K-8, K-3"), "{fr}");
        assert!(fr.contains("sans intervenant : 1"), "{fr}");
        let en = render_text(&d, "en");
        assert!(en.contains("Received: 6 (Killing 2,"), "{en}");
        assert!(
            en.contains("Acknowledged: 5, of which 4 in time; median time 10 min"),
            "{en}"
        );
        assert!(
            en.contains("Answered (responding or closed): 2; closed: 2"),
            "{en}"
        );
        assert!(en.contains("Overdue: 3 — K-2, K-8, K-3"), "{en}");
        assert_eq!(
            render_text(&d, "ln"),
            fr,
            "untranslated languages fall back to French"
        );
    }

    #[test]
    fn long_overdue_lists_are_cut() {
        let (from, to) = day();
        let mut d = compute(&[], from, to);
        d.overdue_refs = (0..25).map(|i| format!("K-{i}")).collect();
        d.overdue = 25;
        let en = render_text(&d, "en");
        assert!(en.contains("K-19 and 5 more"), "{en}");
        assert!(!en.contains("K-20"));
    }

    #[test]
    fn digest_round_trips_as_json() {
        let (from, to) = day();
        let d = compute(&alerts(), from, to);
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains("\"by_threat\":[[\"killing\",2]"), "{json}");
        assert_eq!(serde_json::from_str::<Digest>(&json).unwrap(), d);
    }
}
