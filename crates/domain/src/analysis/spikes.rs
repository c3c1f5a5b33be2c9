//! Spike detection: a day when an area sees more alerts of one threat type than its own
//! recent past makes likely.
//!
//! For each territory (admin level 2) and threat type, alerts are counted per local day (the
//! day the reporter says it happened, in the deployment's time zone). Merged duplicates and
//! false alarms do not count; alerts with no threat type or placed no finer than a province
//! cannot be attributed and are left out.
//!
//! The **baseline** of day *d* is the mean daily count over the `baseline_days` days before
//! it (28 by default; days without alerts count as 0), floored at half an alert per baseline
//! window so that an area with no history still has a finite limit:
//!
//! ```text
//! λ = max(Σ count(d−28 … d−1) / 28, 0.5 / 28)
//! p = P(X ≥ count(d)) for X ~ Poisson(λ) = 1 − Σ_{k < count(d)} e^−λ λ^k / k!
//! spike when count(d) ≥ min_count (3) and p ≤ α (0.01)
//! ```
//!
//! The reported **upper control limit** is the largest count that is not a spike on
//! probability alone: the smallest `u` with P(X > u) ≤ α, so a spike is `count > u` (and
//! `count ≥ min_count`). `min_count` keeps one or two alerts in a quiet place from being a
//! "spike" to coordinators.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::outbox::MessageKind;
use crate::place::{Gazetteer, PlaceLevel};
use crate::{Alert, AlertState, ThreatType};

/// Parameters of the detection.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SpikeParams {
    /// Days before the day that make its baseline.
    pub baseline_days: u32,
    /// Probability of a count at least this high under the baseline, at or below which it is
    /// a spike.
    pub alpha: f64,
    /// Fewest alerts in a day that may be a spike.
    pub min_count: u32,
}

impl Default for SpikeParams {
    fn default() -> Self {
        SpikeParams {
            baseline_days: 28,
            alpha: 0.01,
            min_count: 3,
        }
    }
}

/// A day when an area's count of one threat type went past its upper control limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Spike {
    /// P-code of the territory.
    pub area: String,
    /// Its name.
    pub area_name: String,
    /// The threat type.
    pub threat_type: ThreatType,
    /// The local day.
    pub day: NaiveDate,
    /// Alerts that day.
    pub count: u32,
    /// Mean alerts a day over the baseline days (before the floor).
    pub baseline_mean: f64,
    /// How many days before it made the baseline.
    pub baseline_days: u32,
    /// Upper control limit: the highest count that was not a spike.
    pub upper_limit: u32,
    /// P(X ≥ count) under the baseline.
    pub p_value: f64,
}

impl Spike {
    /// The key that makes raising this spike happen once: area, threat type and day.
    pub fn key(&self) -> String {
        format!(
            "spike:{}:{}:{}",
            self.area,
            self.threat_type.as_str(),
            self.day
        )
    }
}

/// Daily counts per (territory, threat type).
pub type DailyCounts = BTreeMap<(String, ThreatType), BTreeMap<NaiveDate, u32>>;

/// Count `alerts` per territory, threat type and local day (see the module's documentation
/// for what counts).
pub fn daily_counts(alerts: &[Alert], gaz: &Gazetteer, zone: Tz) -> DailyCounts {
    let mut out = DailyCounts::new();
    for a in alerts {
        let false_alarm = a.state == AlertState::FalseAlarm
            || a.outcome_category == Some(crate::alert::OutcomeCategory::FalseAlarm);
        if a.state == AlertState::Merged || false_alarm {
            continue;
        }
        let (Some(threat), Some(place)) = (a.threat_type, a.place.as_deref()) else {
            continue;
        };
        let Some(area) = gaz
            .lineage(place)
            .into_iter()
            .find(|p| p.level == PlaceLevel::Admin2)
        else {
            continue;
        };
        let day = a.reported_at.with_timezone(&zone).date_naive();
        *out.entry((area.pcode.clone(), threat))
            .or_default()
            .entry(day)
            .or_default() += 1;
    }
    out
}

/// ln k!, exactly summed (counts are small).
fn ln_factorial(k: u32) -> f64 {
    (2..=k).map(|i| f64::from(i).ln()).sum()
}

/// P(X ≥ k) for X ~ Poisson(λ), summed in log space so a large λ does not underflow.
pub fn poisson_tail(k: u32, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    let cdf: f64 = (0..k)
        .map(|i| (-lambda + f64::from(i) * lambda.ln() - ln_factorial(i)).exp())
        .sum();
    (1.0 - cdf).clamp(0.0, 1.0)
}

/// The smallest `u` with P(X > u) ≤ `alpha` for X ~ Poisson(λ).
pub fn upper_limit(lambda: f64, alpha: f64) -> u32 {
    // Far beyond any count λ makes likely; stops the loop on absurd inputs.
    let cap = (lambda + 20.0 * lambda.sqrt() + 50.0).min(1e6) as u32;
    (0..cap)
        .find(|&u| poisson_tail(u + 1, lambda) <= alpha)
        .unwrap_or(cap)
}

/// Spikes on the days `first..=last`, best evidence (smallest p) first.
pub fn detect(
    counts: &DailyCounts,
    gaz: &Gazetteer,
    first: NaiveDate,
    last: NaiveDate,
    params: &SpikeParams,
) -> Vec<Spike> {
    let window = i64::from(params.baseline_days.max(1));
    let mut out = Vec::new();
    for ((area, threat), by_day) in counts {
        for (&day, &count) in by_day.range(first..=last) {
            if count < params.min_count {
                continue;
            }
            let past: u32 = by_day
                .range(day - Duration::days(window)..day)
                .map(|(_, c)| *c)
                .sum();
            let mean = f64::from(past) / window as f64;
            let lambda = mean.max(0.5 / window as f64);
            let p = poisson_tail(count, lambda);
            if p <= params.alpha {
                out.push(Spike {
                    area: area.clone(),
                    area_name: gaz.get(area).map(|p| p.name.clone()).unwrap_or_default(),
                    threat_type: *threat,
                    day,
                    count,
                    baseline_mean: mean,
                    baseline_days: params.baseline_days.max(1),
                    upper_limit: upper_limit(lambda, params.alpha),
                    p_value: p,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        a.p_value
            .total_cmp(&b.p_value)
            .then(b.day.cmp(&a.day))
            .then(a.area.cmp(&b.area))
    });
    out
}

/// The outbox kind of the message that tells coordinators of a spike.
pub const MESSAGE_KIND: MessageKind = MessageKind::Analysis;

/// The message telling a coordinator of a spike, in their language (French, else English).
pub fn message_text(lang: &str, s: &Spike) -> String {
    let threat = s.threat_type.as_str().replace('_', " ");
    if lang == "fr" {
        format!(
            "Kinga analyse : pic d'alertes « {threat} » à {} ({}) le {} : {} alertes, contre {:.1} par jour en moyenne les {} jours précédents (limite {}).",
            s.area_name, s.area, s.day, s.count, s.baseline_mean, s.baseline_days, s.upper_limit
        )
    } else {
        format!(
            "Kinga analysis: spike of '{threat}' alerts in {} ({}) on {}: {} alerts, against {:.1} a day on average over the previous {} days (limit {}).",
            s.area_name, s.area, s.day, s.count, s.baseline_mean, s.baseline_days, s.upper_limit
        )
    }
}

#[cfg(test)]
#[path = "spikes_tests.rs"]
mod tests;
