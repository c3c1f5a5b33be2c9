//! Alerts built by hand for the analysis tests: received at a given time, then moved.

use chrono::{DateTime, TimeZone, Utc};

use crate::alert::NewAlert;
use crate::deadline::DeadlinePolicy;
use crate::{Alert, AlertEvent, AlertState, Channel, Reporter, Severity, ThreatType};

/// 1 March 2026, 08:00 UTC, plus `minutes`.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
}

/// An alert received at `received` with the default deadlines of `severity`.
pub fn alert(
    id: &str,
    received: DateTime<Utc>,
    severity: u8,
    place: Option<&str>,
    threat: Option<ThreatType>,
) -> Alert {
    let severity = Severity::new(severity).unwrap();
    Alert::received(
        NewAlert {
            id: id.into(),
            reference: format!("K-{id}"),
            channel: Channel::Sms,
            reporter: Reporter {
                focal_point: Some("fp1".into()),
                pseudonym: Some("FP-TW3KD".into()),
                phone_digest: Some("digest".into()),
                phone_sealed: Some("sealed".into()),
                language: Some("sw".into()),
                hidden: false,
            },
            text: "+243990001001 Jean".into(),
            language: Some("sw".into()),
            place: place.map(String::from),
            place_name: None,
            place_candidates: vec![],
            threat_type: threat,
            severity,
            reported_at: received,
            received_at: received,
            deadlines: DeadlinePolicy::default().deadlines(severity, received),
            proposed_responders: vec![],
            uncovered: false,
            duplicate_candidates: vec![],
            parse_flags: vec![],
            unparsed: None,
            severity_set: false,
        },
        "system",
    )
}

/// Move `a` to `to` at `when`, assigning `responders`.
pub fn mv(a: &mut Alert, to: AlertState, when: DateTime<Utc>, responders: &[&str]) {
    let from = a.state;
    a.apply(
        AlertEvent::Transitioned {
            from,
            to,
            reason: None,
            responders: responders.iter().map(|r| r.to_string()).collect(),
            outcome: None,
            merged_into: None,
            outcome_category: None,
            referred_to: None,
            verification: None,
            feedback_withheld: None,
            deadlines: None,
        },
        "cla",
        when,
    );
}
