//! Spike detection against figures computed by hand (Poisson tails written out below).

use super::*;
use crate::analysis::testkit::{alert, mv};
use crate::place::Place;
use chrono::{DateTime, TimeZone, Utc};

fn place(pcode: &str, level: PlaceLevel, parent: Option<&str>) -> Place {
    Place {
        pcode: pcode.into(),
        name: format!("N-{pcode}"),
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
        place("CD6103", PlaceLevel::Admin2, Some("CD61")),
    ])
}

fn noon(day: u32) -> DateTime<Utc> {
    // Day 1 is 1 March 2026; later days run on into April.
    Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap() + Duration::days(i64::from(day) - 1)
}

fn date(day: u32) -> NaiveDate {
    noon(day).date_naive()
}

const ARMED: Option<ThreatType> = Some(ThreatType::ArmedPresence);

/// `n` armed-presence alerts in Kiwanja (Rutshuru) on `day`.
fn on(day: u32, n: usize, out: &mut Vec<Alert>) {
    for i in 0..n {
        out.push(alert(
            &format!("{day}-{i}"),
            noon(day),
            3,
            Some("CD6111-V001"),
            ARMED,
        ));
    }
}

/// Fourteen alerts over days 1–28 (one every other day): λ = 14 / 28 = 0.5 for day 29.
fn history() -> Vec<Alert> {
    let mut v = vec![];
    for day in (1..=28).step_by(2) {
        on(day, 1, &mut v);
    }
    v
}

#[test]
fn poisson_tails_and_limits_by_hand() {
    // P(X ≥ 3 | 0.5) = 1 − e^−0.5 (1 + 0.5 + 0.125) = 1 − 0.606531 × 1.625 = 0.0143877
    assert!((poisson_tail(3, 0.5) - 0.014_387_7).abs() < 1e-6);
    // P(X ≥ 4 | 0.5) = 0.0143877 − e^−0.5 × 0.5³ / 6 = 0.0143877 − 0.0126361 = 0.0017516
    assert!((poisson_tail(4, 0.5) - 0.001_751_6).abs() < 1e-6);
    // So with α = 0.01 the limit is 3: P(X > 3) ≤ 0.01 < P(X > 2).
    assert_eq!(upper_limit(0.5, 0.01), 3);
    // λ = 2: P(X ≥ 7) = 1 − e^−2 Σ_{k≤6} 2^k/k! = 0.0045338 ≤ 0.01 < P(X ≥ 6) = 0.0165636.
    assert!((poisson_tail(7, 2.0) - 0.004_533_8).abs() < 1e-6);
    assert_eq!(upper_limit(2.0, 0.01), 6);
    assert_eq!(poisson_tail(0, 3.0), 1.0);
    // A large λ does not underflow: the tail at the mean is about one half.
    let t = poisson_tail(700, 700.0);
    assert!(t > 0.45 && t < 0.55, "{t}");
}

#[test]
fn four_alerts_against_half_a_day_is_a_spike_three_is_not() {
    let g = gaz();
    let zone = chrono_tz::UTC;
    let mut alerts = history();
    on(29, 3, &mut alerts);
    let p = SpikeParams::default();
    let counts = daily_counts(&alerts, &g, zone);
    assert!(detect(&counts, &g, date(29), date(29), &p).is_empty());
    on(29, 1, &mut alerts);
    let counts = daily_counts(&alerts, &g, zone);
    let spikes = detect(&counts, &g, date(1), date(29), &p);
    assert_eq!(spikes.len(), 1, "{spikes:?}");
    let s = &spikes[0];
    assert_eq!(
        (s.area.as_str(), s.threat_type, s.day, s.count),
        ("CD6111", ThreatType::ArmedPresence, date(29), 4)
    );
    assert_eq!(
        (s.baseline_mean, s.upper_limit, s.baseline_days),
        (0.5, 3, 28)
    );
    assert!((s.p_value - 0.001_751_6).abs() < 1e-6);
    assert_eq!(s.area_name, "N-CD6111");
    assert_eq!(s.key(), "spike:CD6111:armed_presence:2026-03-29");
    assert!(message_text("fr", s).contains("N-CD6111"));
    assert!(message_text("en", s).contains("4 alerts"));
}

#[test]
fn a_quiet_area_spikes_at_the_minimum_count() {
    let g = gaz();
    let mut alerts = vec![];
    on(40, 2, &mut alerts);
    let counts = daily_counts(&alerts, &g, chrono_tz::UTC);
    // Two alerts: below min_count, whatever the probability.
    assert!(detect(&counts, &g, date(40), date(40), &SpikeParams::default()).is_empty());
    on(40, 1, &mut alerts);
    let counts = daily_counts(&alerts, &g, chrono_tz::UTC);
    let spikes = detect(&counts, &g, date(40), date(40), &SpikeParams::default());
    // λ = 0.5 / 28 = 0.017857: P(X ≥ 3) = 9.36e-7.
    assert_eq!(spikes.len(), 1);
    assert!((spikes[0].p_value - 9.364e-7).abs() < 1e-9);
    assert_eq!(spikes[0].baseline_mean, 0.0);
}

#[test]
fn what_does_not_count() {
    let g = gaz();
    let mut alerts = vec![];
    on(50, 3, &mut alerts);
    // A merged duplicate and a false alarm: the day holds two real alerts.
    mv(&mut alerts[0], AlertState::Merged, noon(50), &[]);
    mv(&mut alerts[1], AlertState::Acknowledged, noon(50), &[]);
    mv(&mut alerts[1], AlertState::FalseAlarm, noon(50), &[]);
    // Placed in a province only, or with no threat type: not attributable.
    alerts.push(alert("prov", noon(50), 3, Some("CD61"), ARMED));
    alerts.push(alert("nothreat", noon(50), 3, Some("CD6111"), None));
    let counts = daily_counts(&alerts, &g, chrono_tz::UTC);
    assert_eq!(counts.len(), 1);
    assert_eq!(
        counts.values().next().and_then(|d| d.get(&date(50))),
        Some(&1)
    );
}

#[test]
fn days_are_the_deployments_days() {
    let g = gaz();
    // 23:30 UTC is 01:30 the next day in Lubumbashi (UTC+2).
    let late = Utc.with_ymd_and_hms(2026, 3, 10, 23, 30, 0).unwrap();
    let a = alert("late", late, 3, Some("CD6111-V001"), ARMED);
    let counts = daily_counts(&[a], &g, chrono_tz::Africa::Lubumbashi);
    let days: Vec<NaiveDate> = counts.values().flat_map(|d| d.keys().copied()).collect();
    assert_eq!(days, vec![NaiveDate::from_ymd_opt(2026, 3, 11).unwrap()]);
}
