//! A risk index per place (territory, admin level 2, or the place itself when coarser),
//! from the alerts of a recent window: threat, vulnerability and capacity, each kept beside
//! the score so nobody has to trust a single number.
//!
//! ```text
//! w_i  = 2^(−age_i / half_life)                       recency weight of alert i (age in days)
//! T    = Σ severity_i · w_i                           severity-weighted recent alerts
//! threat         = 1 − e^(−T / threat_scale)          0…1 (threat_scale 10: T = 10 gives 0.63)
//! D    = Σ w_i over alerts of type `displacement`
//! vulnerability  = 1 − e^(−D)                         0…1 (one fresh displacement alert: 0.63)
//! coverage       = alerts a responder covered ÷ alerts
//! response       = responded within deadline ÷ responses due (0.5 when none was due)
//! capacity       = (coverage + response) / 2          0…1
//! score = 100 · threat · (1 + vulnerability)/2 · (1 − capacity/2)     0…100
//! ```
//!
//! Vulnerability is what alerts record: displacement reported in the place. Kinga holds no
//! population, camp or census figures; incidents' victims (displaced, disability) stay in
//! their compartments and are not read here. A place with no alert in the window has no
//! score (nothing says it is safe either). Merged duplicates and false alarms are left out.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::steps::steps;
use crate::place::{Gazetteer, PlaceLevel};
use crate::{Alert, AlertState, ThreatType};

/// The index's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskParams {
    /// Alerts reported in the last this many days count.
    pub window_days: i64,
    /// Days after which an alert weighs half.
    pub half_life_days: f64,
    /// Severity-weighted recent alerts that make threat 1 − 1/e.
    pub threat_scale: f64,
}

impl Default for RiskParams {
    fn default() -> Self {
        RiskParams {
            window_days: 90,
            half_life_days: 14.0,
            threat_scale: 10.0,
        }
    }
}

/// The risk of one place, with every component.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaceRisk {
    /// P-code of the territory (or of the coarser place alerts name).
    pub area: String,
    /// Its name.
    pub name: String,
    /// Alerts counted in the window.
    pub alerts: u32,
    /// T: Σ severity × recency weight.
    pub threat_weighted: f64,
    /// Threat, 0–1.
    pub threat: f64,
    /// D: Σ recency weight of displacement alerts.
    pub displacement_weighted: f64,
    /// Vulnerability, 0–1.
    pub vulnerability: f64,
    /// Share of the alerts a responder covered.
    pub coverage: f64,
    /// Responses due (alerts verified) that were acting within the deadline.
    pub responded_in_time: u32,
    /// Responses due that were late or missed.
    pub responded_late: u32,
    /// Share responded within deadline, when any response was due.
    pub response: Option<f64>,
    /// Capacity, 0–1.
    pub capacity: f64,
    /// Risk score, 0–100.
    pub score: f64,
}

/// The risk index of every place with alerts, and the parameters it was computed with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskReport {
    /// The moment the window ends.
    pub as_of: DateTime<Utc>,
    /// Window, days.
    pub window_days: i64,
    /// Half-life of an alert's weight, days.
    pub half_life_days: f64,
    /// Severity-weighted alerts that make threat 0.63.
    pub threat_scale: f64,
    /// Places, highest score first (or as sorted).
    pub places: Vec<PlaceRisk>,
}

/// What a risk table may be sorted by (always highest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RiskSort {
    /// The score.
    #[default]
    Score,
    /// Threat.
    Threat,
    /// Vulnerability.
    Vulnerability,
    /// Capacity, lowest first (the least capacity is the concern).
    Capacity,
    /// Alerts counted.
    Alerts,
}

impl RiskSort {
    /// The sort named `s` (`score`, `threat`, `vulnerability`, `capacity`, `alerts`).
    pub fn parse(s: &str) -> Option<RiskSort> {
        Some(match s {
            "score" => RiskSort::Score,
            "threat" => RiskSort::Threat,
            "vulnerability" => RiskSort::Vulnerability,
            "capacity" => RiskSort::Capacity,
            "alerts" => RiskSort::Alerts,
            _ => return None,
        })
    }

    /// Sort `places`; ties fall back to the score, then the P-code.
    pub fn apply(self, places: &mut [PlaceRisk]) {
        places.sort_by(|a, b| {
            let key = match self {
                RiskSort::Score => std::cmp::Ordering::Equal,
                RiskSort::Threat => b.threat.total_cmp(&a.threat),
                RiskSort::Vulnerability => b.vulnerability.total_cmp(&a.vulnerability),
                RiskSort::Capacity => a.capacity.total_cmp(&b.capacity),
                RiskSort::Alerts => b.alerts.cmp(&a.alerts),
            };
            key.then(b.score.total_cmp(&a.score))
                .then(a.area.cmp(&b.area))
        });
    }
}

/// The place an alert counts in: its territory, or its place when coarser.
fn place_of(alert: &Alert, gaz: &Gazetteer) -> Option<(String, String)> {
    let pcode = alert.place.as_deref()?;
    let lineage = gaz.lineage(pcode);
    let p = lineage.iter().find(|p| p.level <= PlaceLevel::Admin2)?;
    (p.level != PlaceLevel::Country).then(|| (p.pcode.clone(), p.name.clone()))
}

#[derive(Default)]
struct Acc {
    name: String,
    alerts: u32,
    t: f64,
    d: f64,
    covered: u32,
    met: u32,
    missed: u32,
}

/// The risk of every place with at least one alert reported in `(now − window, now]`,
/// highest score first (ties: by P-code).
pub fn risk_by_place(
    alerts: &[Alert],
    gaz: &Gazetteer,
    now: DateTime<Utc>,
    params: &RiskParams,
) -> Vec<PlaceRisk> {
    let mut acc: std::collections::BTreeMap<String, Acc> = Default::default();
    let start = now - chrono::Duration::days(params.window_days);
    for a in alerts {
        if a.reported_at <= start
            || a.reported_at > now
            || matches!(a.state, AlertState::Merged | AlertState::FalseAlarm)
        {
            continue;
        }
        let Some((area, name)) = place_of(a, gaz) else {
            continue;
        };
        let age_days = (now - a.reported_at).num_seconds() as f64 / 86_400.0;
        let w = (-age_days / params.half_life_days).exp2();
        let e = acc.entry(area).or_default();
        e.name = name;
        e.alerts += 1;
        e.t += f64::from(a.severity.level()) * w;
        if a.threat_type == Some(ThreatType::Displacement) {
            e.d += w;
        }
        e.covered += u32::from(!a.uncovered);
        let s = steps(a);
        if s.needed_response {
            match s.responding {
                Some(r) if r.in_time() => e.met += 1,
                Some(_) => e.missed += 1,
                None if s.deadlines.respond <= now => e.missed += 1,
                None => {}
            }
        }
    }
    let mut out: Vec<PlaceRisk> = acc
        .into_iter()
        .map(|(area, e)| {
            let threat = 1.0 - (-e.t / params.threat_scale).exp();
            let vulnerability = 1.0 - (-e.d).exp();
            let coverage = f64::from(e.covered) / f64::from(e.alerts);
            let due = e.met + e.missed;
            let response = (due > 0).then(|| f64::from(e.met) / f64::from(due));
            let capacity = (coverage + response.unwrap_or(0.5)) / 2.0;
            let score = 100.0 * threat * (1.0 + vulnerability) / 2.0 * (1.0 - capacity / 2.0);
            PlaceRisk {
                area,
                name: e.name,
                alerts: e.alerts,
                threat_weighted: e.t,
                threat,
                displacement_weighted: e.d,
                vulnerability,
                coverage,
                responded_in_time: e.met,
                responded_late: e.missed,
                response,
                capacity,
                score,
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.area.cmp(&b.area)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testkit::{alert, at, mv};
    use crate::place::testdata::place;

    fn gaz() -> Gazetteer {
        Gazetteer::new(vec![
            place("COD", "RDC", PlaceLevel::Country, None, None),
            place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("COD"), None),
            place("CD6111", "Rutshuru", PlaceLevel::Admin2, Some("CD61"), None),
            place(
                "CD6111-V001",
                "Kiwanja",
                PlaceLevel::Settlement,
                Some("CD6111"),
                None,
            ),
            place("CD6103", "Masisi", PlaceLevel::Admin2, Some("CD61"), None),
        ])
    }

    const DAY: i64 = 24 * 60;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn the_score_combines_its_components_as_documented() {
        let now = at(30 * DAY);
        // Rutshuru: severity 4 today (w 1) and severity 2 fourteen days ago (w ½): T = 5.
        let a1 = alert("1", now, 4, Some("CD6111-V001"), Some(ThreatType::Killing));
        let a2 = alert(
            "2",
            now - chrono::Duration::days(14),
            2,
            Some("CD6111"),
            None,
        );
        let r = risk_by_place(&[a1, a2], &gaz(), now, &RiskParams::default());
        assert_eq!(r.len(), 1);
        let p = &r[0];
        assert_eq!(
            (p.area.as_str(), p.name.as_str(), p.alerts),
            ("CD6111", "Rutshuru", 2)
        );
        assert!(close(p.threat_weighted, 5.0));
        // threat = 1 − e^−0.5 = 0.393469; no displacement: vulnerability 0; both covered,
        // no response due (0.5): capacity 0.75; score = 100 · 0.393469 · ½ · 0.625 = 12.2959.
        assert!(close(p.threat, 1.0 - (-0.5f64).exp()));
        assert_eq!(
            (p.vulnerability, p.coverage, p.response, p.capacity),
            (0.0, 1.0, None, 0.75)
        );
        assert!((p.score - 12.2959).abs() < 1e-4, "{}", p.score);
    }

    #[test]
    fn displacement_uncovered_alerts_and_missed_responses_raise_the_score() {
        let now = at(30 * DAY);
        // Masisi: one displacement alert today, severity 3, uncovered, verified 2 days ago
        // and never responded to (its deadline has passed): a miss.
        let mut a = alert(
            "3",
            now - chrono::Duration::days(2),
            3,
            Some("CD6103"),
            Some(ThreatType::Displacement),
        );
        a.uncovered = true;
        mv(
            &mut a,
            AlertState::Acknowledged,
            now - chrono::Duration::days(2),
            &[],
        );
        mv(
            &mut a,
            AlertState::Verified,
            now - chrono::Duration::days(2),
            &[],
        );
        // A merged duplicate and a false alarm do not count; an old alert is outside the window.
        let mut dup = alert("4", now, 4, Some("CD6103"), None);
        mv(&mut dup, AlertState::Merged, now, &[]);
        let old = alert(
            "5",
            now - chrono::Duration::days(91),
            4,
            Some("CD6103"),
            None,
        );
        let unplaced = alert("6", now, 4, None, None);
        let r = risk_by_place(
            &[a, dup, old, unplaced],
            &gaz(),
            now,
            &RiskParams::default(),
        );
        assert_eq!(r.len(), 1, "{r:?}");
        let p = &r[0];
        // w = 2^(−2/14) = 0.905724; T = 3w = 2.717171; threat = 1 − e^(−0.2717171) = 0.237930.
        let w = (-2.0f64 / 14.0).exp2();
        assert!(close(p.threat_weighted, 3.0 * w));
        assert!(close(p.displacement_weighted, w));
        // vulnerability = 1 − e^(−0.905724) = 0.595751; coverage 0; response 0 of 1: capacity 0.
        assert!(close(p.vulnerability, 1.0 - (-w).exp()));
        assert_eq!((p.coverage, p.response, p.capacity), (0.0, Some(0.0), 0.0));
        assert_eq!((p.responded_in_time, p.responded_late), (0, 1));
        // score = 100 · 0.237930 · (1.595751/2) · 1 = 18.9839.
        let want = 100.0 * (1.0 - (-3.0 * w / 10.0).exp()) * (1.0 + 1.0 - (-w).exp()) / 2.0;
        assert!(
            close(p.score, want) && (p.score - 18.9839).abs() < 1e-3,
            "{}",
            p.score
        );
    }

    #[test]
    fn places_are_ranked_by_score() {
        let now = at(30 * DAY);
        let r = risk_by_place(
            &[
                alert("1", now, 1, Some("CD6111"), None),
                alert("2", now, 4, Some("CD6103"), None),
                alert("3", now, 2, Some("CD61"), None),
                alert("4", now, 4, Some("COD"), None),
            ],
            &gaz(),
            now,
            &RiskParams::default(),
        );
        let order: Vec<_> = r.iter().map(|p| p.area.as_str()).collect();
        // A province-level alert counts for the province; a country-level one nowhere.
        assert_eq!(order, ["CD6103", "CD61", "CD6111"]);
        assert!(r.windows(2).all(|w| w[0].score >= w[1].score));
        let mut by_alerts = r.clone();
        RiskSort::Alerts.apply(&mut by_alerts);
        assert_eq!(
            by_alerts
                .iter()
                .map(|p| p.area.as_str())
                .collect::<Vec<_>>(),
            order,
            "one alert each: by score"
        );
        let mut by_capacity = r.clone();
        RiskSort::parse("capacity").unwrap().apply(&mut by_capacity);
        // Every capacity is 0.75 (covered, nothing due): the score decides.
        assert_eq!(by_capacity, r);
        assert_eq!(RiskSort::parse("nonsense"), None);
    }
}
