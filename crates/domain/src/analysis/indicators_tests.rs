//! Response indicators against figures computed by hand.

use super::*;
use crate::analysis::testkit::{alert, at, mv};
use crate::deadline::DeadlinePolicy;
use crate::place::{Place, PlaceCandidate};
use crate::{AlertEvent, AlertState, Severity, ThreatType};

fn place(pcode: &str, level: PlaceLevel, parent: Option<&str>) -> Place {
    Place {
        pcode: pcode.into(),
        name: format!("name of {pcode}"),
        alt_names: vec![],
        level,
        parent: parent.map(String::from),
        country: "COD".into(),
        lat: None,
        lon: None,
    }
}

fn gaz() -> Gazetteer {
    Gazetteer::new(vec![
        place("CD61", PlaceLevel::Admin1, None),
        place("CD6111", PlaceLevel::Admin2, Some("CD61")),
        place("CD6111-V001", PlaceLevel::Settlement, Some("CD6111")),
        place("CD6111-V002", PlaceLevel::Settlement, Some("CD6111")),
    ])
}

fn candidate(pcode: &str) -> PlaceCandidate {
    PlaceCandidate {
        pcode: pcode.into(),
        name: pcode.into(),
        context: String::new(),
        score: 0.9,
    }
}

/// Four severity-4 or -1 alerts whose every figure is worked out in the comments.
fn four() -> Vec<Alert> {
    let armed = Some(ThreatType::ArmedPresence);
    // A: acknowledged at 10 min (deadline 15: met), verified at 50 (60: met), assigned to clp,
    // responding at 130 (120: missed), closed at 200; its feedback was delivered.
    let mut a = alert("A", at(0), 4, Some("CD6111-V001"), armed);
    mv(&mut a, AlertState::Acknowledged, at(10), &[]);
    mv(&mut a, AlertState::Verified, at(50), &[]);
    mv(&mut a, AlertState::Assigned, at(60), &["clp"]);
    mv(&mut a, AlertState::Responding, at(130), &[]);
    mv(&mut a, AlertState::Closed, at(200), &[]);
    // B, uncovered: acknowledged at 20 (missed), verified at 70 (missed), closed with no
    // responder at 300: the respond step was due at 120 and never reached (missed).
    let mut b = alert("B", at(0), 4, Some("CD6111"), armed);
    b.uncovered = true;
    mv(&mut b, AlertState::Acknowledged, at(20), &[]);
    mv(&mut b, AlertState::Verified, at(70), &[]);
    mv(&mut b, AlertState::Closed, at(300), &[]);
    // C, unplaced (candidates in Rutshuru), merged as a duplicate before acknowledgement:
    // no step counts for it.
    let mut c = alert("C", at(0), 4, None, armed);
    c.place_candidates = vec![candidate("CD6111-V001"), candidate("CD6111-V002")];
    mv(&mut c, AlertState::Merged, at(5), &[]);
    // D, severity 1, in a province only: not acknowledged, deadline (720 min) still ahead.
    let d = alert("D", at(0), 1, Some("CD61"), None);
    vec![a, b, c, d]
}

fn report(alerts: &[Alert]) -> ResponseReport {
    compute(
        alerts,
        at(-60),
        at(24 * 60),
        at(600),
        chrono_tz::Africa::Lubumbashi,
        &gaz(),
        |a| match a.id.as_str() {
            "A" => Some(MessageStatus::Delivered),
            "B" => Some(MessageStatus::Sent),
            _ => None,
        },
    )
}

#[test]
fn steps_are_counted_against_their_deadlines() {
    let r = report(&four());
    let o = &r.overall;
    assert_eq!((o.received, o.uncovered, o.unplaced), (4, 1, 1));
    let ack = &o.acknowledge;
    assert_eq!((ack.met, ack.missed, ack.pending), (1, 1, 1));
    assert_eq!(ack.share_met, Some(0.5));
    // Minutes 10 and 20: median 15, 90th percentile the 2nd of 2.
    assert_eq!(
        (ack.median_minutes, ack.p90_minutes),
        (Some(15.0), Some(20.0))
    );
    let v = &o.verify;
    assert_eq!((v.met, v.missed, v.pending), (1, 1, 0));
    assert_eq!((v.median_minutes, v.p90_minutes), (Some(60.0), Some(70.0)));
    let resp = &o.respond;
    assert_eq!((resp.met, resp.missed, resp.pending), (0, 2, 0));
    assert_eq!(resp.share_met, Some(0.0));
    assert_eq!(resp.median_minutes, Some(130.0));
    let f = &o.feedback;
    assert_eq!(
        (f.closed, f.queued, f.sent, f.delivered, f.failed),
        (2, 2, 1, 1, 0)
    );
    assert_eq!(f.share_reached, Some(1.0));
}

#[test]
fn groups_by_month_responder_and_area() {
    let r = report(&four());
    assert_eq!(r.by_month.len(), 1);
    assert_eq!(r.by_month[0].key, "2026-03");
    assert_eq!(r.by_month[0].figures, r.overall);
    assert_eq!(r.by_responder.len(), 1);
    let clp = &r.by_responder[0];
    assert_eq!((clp.key.as_str(), clp.figures.received), ("clp", 1));
    assert_eq!(clp.figures.respond.missed, 1);
    let areas: Vec<(Option<&str>, u32, u32, u32)> = r
        .by_area
        .iter()
        .map(|a| (a.area.as_deref(), a.received, a.uncovered, a.unplaced))
        .collect();
    // A (village), B (territory) and C (candidates sharing the territory) in Rutshuru; D in
    // the province.
    assert_eq!(
        areas,
        vec![(Some("CD6111"), 3, 1, 1), (Some("CD61"), 1, 0, 0)]
    );
    assert_eq!(r.by_area[0].name.as_deref(), Some("name of CD6111"));
}

#[test]
fn later_the_pending_step_is_missed_and_outside_the_window_nothing_counts() {
    let alerts = four();
    let r = compute(
        &alerts,
        at(-60),
        at(24 * 60),
        at(721),
        chrono_tz::UTC,
        &gaz(),
        |_| None,
    );
    assert_eq!(r.overall.acknowledge.missed, 2);
    assert_eq!(r.overall.feedback.share_reached, Some(0.0));
    let r = compute(
        &alerts,
        at(1),
        at(24 * 60),
        at(721),
        chrono_tz::UTC,
        &gaz(),
        |_| None,
    );
    assert_eq!(r.overall, Figures::default());
}

#[test]
fn a_severity_raised_in_triage_brings_its_deadline_forward() {
    // Received at severity 1 (720 min to acknowledge), raised to 4 at minute 5 (15 min from
    // receipt), acknowledged at 20: missed.
    let mut a = alert("E", at(0), 1, Some("CD6111"), None);
    let sev4 = DeadlinePolicy::default().deadlines(Severity::IMMINENT, at(0));
    a.apply(
        AlertEvent::Triaged {
            update: Default::default(),
            deadlines: Some(sev4),
            proposed_responders: vec![],
            uncovered: false,
            derived_severity: false,
        },
        "cla",
        at(5),
    );
    mv(&mut a, AlertState::Acknowledged, at(20), &[]);
    let r = compute(&[a], at(-1), at(60), at(30), chrono_tz::UTC, &gaz(), |_| {
        None
    });
    assert_eq!(
        (r.overall.acknowledge.met, r.overall.acknowledge.missed),
        (0, 1)
    );
}

#[test]
fn months_are_the_deployments_months() {
    // 23:30 UTC on 31 March is 01:30 on 1 April in Lubumbashi (UTC+2).
    let t = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 31, 23, 30, 0).unwrap();
    let a = alert("F", t, 2, None, None);
    let r = compute(
        &[a],
        at(0),
        t + chrono::Duration::days(1),
        t,
        chrono_tz::Africa::Lubumbashi,
        &gaz(),
        |_| None,
    );
    assert_eq!(r.by_month[0].key, "2026-04");
    assert_eq!(r.by_area[0].area, None);
}

#[test]
fn median_and_nearest_rank_percentile() {
    assert_eq!(median(&[]), None);
    assert_eq!(median(&[7.0]), Some(7.0));
    assert_eq!(median(&[1.0, 2.0, 3.0, 4.0]), Some(2.5));
    let ten: Vec<f64> = (1..=10).map(f64::from).collect();
    // ⌈0.9·10⌉ = 9: the 9th smallest.
    assert_eq!(percentile(&ten, 90.0), Some(9.0));
    let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
    // ⌈0.9·11⌉ = ⌈9.9⌉ = 10.
    assert_eq!(percentile(&eleven, 90.0), Some(10.0));
    assert_eq!(percentile(&[5.0], 90.0), Some(5.0));
}
