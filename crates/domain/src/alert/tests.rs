//! The lifecycle, move by move, and its properties.

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
        severity_set: false,
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
    if let Some(e) = a.decide_transition(&req)? {
        a.apply(e, "cla1", a.received_at);
    }
    Ok(())
}

fn with(state: AlertState, f: impl FnOnce(&mut TransitionRequest)) -> TransitionRequest {
    let mut r = to(state);
    f(&mut r);
    r
}

/// An alert moved to `assigned` to the responder `clp`.
fn assigned() -> Alert {
    let mut a = alert();
    step(&mut a, to(AlertState::Acknowledged)).unwrap();
    step(&mut a, to(AlertState::Verified)).unwrap();
    step(
        &mut a,
        with(AlertState::Assigned, |r| r.responders = vec!["clp".into()]),
    )
    .unwrap();
    a
}

#[test]
fn the_full_path_records_every_move() {
    let mut a = alert();
    step(&mut a, to(AlertState::Acknowledged)).unwrap();
    step(
        &mut a,
        with(AlertState::Verified, |r| {
            r.verification = Some(Verification {
                method: VerificationMethod::CallBack,
                sources: vec![" chef de groupement ".into(), " ".into()],
            })
        }),
    )
    .unwrap();
    step(
        &mut a,
        with(AlertState::Assigned, |r| {
            r.responders = vec!["clp".into(), "clp".into()]
        }),
    )
    .unwrap();
    step(&mut a, to(AlertState::Responding)).unwrap();
    step(
        &mut a,
        with(AlertState::Closed, |r| {
            r.outcome = Some(" patrouille envoyée ".into())
        }),
    )
    .unwrap();
    assert_eq!(a.state, AlertState::Closed);
    assert_eq!(a.assigned, vec!["clp"], "responders are deduplicated");
    assert_eq!(a.outcome.as_deref(), Some("patrouille envoyée"));
    assert_eq!(a.outcome_category, Some(OutcomeCategory::Responded));
    let v = a.verification.clone().unwrap();
    assert_eq!(v.method, VerificationMethod::CallBack);
    assert_eq!(v.sources, vec!["chef de groupement"]);
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
fn the_same_move_twice_changes_nothing() {
    let mut a = alert();
    assert_eq!(a.decide_transition(&to(AlertState::Received)), Ok(None));
    step(&mut a, to(AlertState::Acknowledged)).unwrap();
    let version = a.version;
    assert_eq!(a.decide_transition(&to(AlertState::Acknowledged)), Ok(None));
    step(&mut a, to(AlertState::Acknowledged)).unwrap();
    assert_eq!(a.version, version);
    let a = assigned();
    let same = with(AlertState::Assigned, |r| r.responders = vec!["clp".into()]);
    assert_eq!(
        a.decide_transition(&same),
        Ok(None),
        "the same assignment again"
    );
}

#[test]
fn moves_that_need_a_reason_responders_outcome_or_target() {
    let mut a = alert();
    step(&mut a, to(AlertState::Acknowledged)).unwrap();
    for s in [AlertState::FalseAlarm, AlertState::Unverifiable] {
        assert_eq!(
            a.decide_transition(&to(s)),
            Err(DomainError::Missing("reason"))
        );
    }
    assert_eq!(
        a.decide_transition(&to(AlertState::Merged)),
        Err(DomainError::Missing("merged_into"))
    );
    let own = with(AlertState::Merged, |r| {
        r.merged_into = Some("K-1001".into())
    });
    assert!(matches!(
        a.decide_transition(&own),
        Err(DomainError::Invalid { .. })
    ));
    let mut v = a.clone();
    step(&mut v, to(AlertState::Verified)).unwrap();
    let blank = with(AlertState::Assigned, |r| r.responders = vec![" ".into()]);
    assert_eq!(
        v.decide_transition(&blank),
        Err(DomainError::Missing("responders"))
    );
    step(
        &mut a,
        with(AlertState::FalseAlarm, |r| {
            r.reason = Some("chef de village joint".into())
        }),
    )
    .unwrap();
    // Closing a false alarm tells the reporter why, from the reason if no outcome is given.
    step(&mut a, to(AlertState::Closed)).unwrap();
    assert_eq!(a.outcome.as_deref(), Some("chef de village joint"));
    assert_eq!(a.outcome_category, Some(OutcomeCategory::FalseAlarm));
}

#[test]
fn a_responded_alert_needs_a_real_outcome() {
    let mut a = assigned();
    step(&mut a, to(AlertState::Responding)).unwrap();
    let only_reason = with(AlertState::Closed, |r| r.reason = Some("fini".into()));
    assert_eq!(
        a.decide_transition(&only_reason),
        Err(DomainError::Missing("outcome"))
    );
    let wrong = with(AlertState::Closed, |r| {
        r.outcome = Some("x".into());
        r.outcome_category = Some(OutcomeCategory::FalseAlarm);
    });
    assert!(matches!(
        a.decide_transition(&wrong),
        Err(DomainError::Invalid {
            field: "outcome_category",
            ..
        })
    ));
}

#[test]
fn a_verified_alert_nobody_can_answer_is_closed_honestly() {
    let mut a = alert();
    step(&mut a, to(AlertState::Acknowledged)).unwrap();
    step(&mut a, to(AlertState::Verified)).unwrap();
    // Closing a verified alert must say what became of it.
    assert_eq!(
        a.decide_transition(&to(AlertState::Closed)),
        Err(DomainError::Missing("outcome_category"))
    );
    let referred = with(AlertState::Closed, |r| {
        r.outcome_category = Some(OutcomeCategory::Referred)
    });
    assert_eq!(
        a.decide_transition(&referred),
        Err(DomainError::Missing("referred_to"))
    );
    let mut b = a.clone();
    step(
        &mut b,
        with(AlertState::Closed, |r| {
            r.outcome_category = Some(OutcomeCategory::Referred);
            r.referred_to = Some(" Protection civile Nord-Kivu ".into());
        }),
    )
    .unwrap();
    assert_eq!(b.outcome_category, Some(OutcomeCategory::Referred));
    assert_eq!(
        b.referred_to.as_deref(),
        Some("Protection civile Nord-Kivu")
    );
    step(
        &mut a,
        with(AlertState::Closed, |r| {
            r.outcome_category = Some(OutcomeCategory::NoResponder);
            r.withhold_feedback = Some("the reporter hides from the group".into());
        }),
    )
    .unwrap();
    assert_eq!(a.outcome_category, Some(OutcomeCategory::NoResponder));
    assert!(matches!(
        &a.timeline.last().unwrap().event,
        AlertEvent::Transitioned { feedback_withheld: Some(w), .. } if w.contains("hides")
    ));
}

#[test]
fn a_responder_declines_or_is_replaced() {
    let mut a = assigned();
    assert_eq!(
        a.decide_transition(&to(AlertState::Verified)),
        Err(DomainError::Missing("reason")),
        "declining says why"
    );
    step(
        &mut a,
        with(AlertState::Verified, |r| {
            r.reason = Some("la patrouille est ailleurs".into())
        }),
    )
    .unwrap();
    assert_eq!(a.state, AlertState::Verified);
    assert!(a.assigned.is_empty());
    // Reassigned straight away to another responder.
    let mut b = assigned();
    step(
        &mut b,
        with(AlertState::Assigned, |r| r.responders = vec!["pnc".into()]),
    )
    .unwrap();
    assert_eq!(b.assigned, vec!["pnc"]);
    assert_eq!(b.state, AlertState::Assigned);
}

#[test]
fn a_closed_alert_is_reopened_with_a_reason() {
    let mut a = assigned();
    step(&mut a, to(AlertState::Responding)).unwrap();
    step(
        &mut a,
        with(AlertState::Closed, |r| {
            r.outcome = Some("calme revenu".into())
        }),
    )
    .unwrap();
    assert!(!a.state.is_open() && !a.state.is_final());
    assert_eq!(
        a.decide_transition(&to(AlertState::Acknowledged)),
        Err(DomainError::Missing("reason"))
    );
    step(
        &mut a,
        with(AlertState::Acknowledged, |r| {
            r.reason = Some("les hommes armés sont revenus".into())
        }),
    )
    .unwrap();
    assert_eq!(a.state, AlertState::Acknowledged);
    assert!(a.outcome.is_none() && a.outcome_category.is_none());
    assert!(a.state.is_open());
}

#[test]
fn only_merged_is_final() {
    for s in AlertState::ALL {
        assert_eq!(s.is_final(), s == AlertState::Merged, "{s}");
        assert_eq!(
            s.is_open(),
            !matches!(s, AlertState::Closed | AlertState::Merged),
            "{s}"
        );
    }
    let mut a = alert();
    a.state = AlertState::Merged;
    for t in AlertState::ALL {
        let r = a.decide_transition(&full_request(t));
        assert!(r.is_err() || t == AlertState::Merged, "{t}");
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
    for c in OutcomeCategory::ALL {
        assert_eq!(c.as_str().parse::<OutcomeCategory>(), Ok(c));
    }
}

fn full_request(t: AlertState) -> TransitionRequest {
    TransitionRequest {
        to: Some(t),
        reason: Some("raison".into()),
        responders: vec!["clp".into()],
        outcome: Some("résultat".into()),
        merged_into: Some("K-9".into()),
        outcome_category: None,
        referred_to: None,
        verification: None,
        withhold_feedback: None,
    }
}

#[test]
fn linking_a_reporter_and_reading_older_events() {
    let mut a = alert();
    a.apply(
        AlertEvent::ReporterLinked {
            focal_point: "fp1".into(),
            pseudonym: Some("FP-HX7RD".into()),
            language: Some("sw".into()),
        },
        "cla1",
        a.received_at,
    );
    assert!(!a.reporter.is_unknown());
    assert_eq!(a.reporter.pseudonym.as_deref(), Some("FP-HX7RD"));
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
    /// lifecycle, a repeated move changes nothing, and its version counts its events.
    #[test]
    fn any_sequence_of_requests_follows_the_lifecycle(moves in prop::collection::vec(0usize..9, 0..30)) {
        let mut a = alert();
        for m in moves {
            let target = AlertState::ALL[m];
            let before = a.state;
            let version = a.version;
            match a.decide_transition(&full_request(target)) {
                Ok(Some(e)) => {
                    prop_assert!(before.next().contains(&target));
                    a.apply(e, "cla", a.received_at);
                    prop_assert_eq!(a.state, target);
                }
                Ok(None) => {
                    // Asked for the state it is in: nothing happens, and it is no error.
                    prop_assert_eq!(before, target);
                    prop_assert_eq!(a.version, version);
                }
                Err(DomainError::InvalidTransition { .. }) => {
                    prop_assert!(before != target && !before.next().contains(&target));
                    prop_assert_eq!(a.state, before);
                }
                // An allowed move missing what it needs (a category to close a verified alert).
                Err(_) => {
                    prop_assert!(before.next().contains(&target));
                    prop_assert_eq!(a.state, before);
                }
            }
            prop_assert_eq!(a.version as usize, a.timeline.len());
        }
    }
}
