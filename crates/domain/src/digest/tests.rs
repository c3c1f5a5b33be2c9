//! The digest of a day of made-up alerts, figure by figure, and its text in both languages.

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
