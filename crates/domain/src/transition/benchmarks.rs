//! Drawdown benchmarks: core benchmarks (the conditions a mission's departure is tied to)
//! and contextual ones (what the context must show), each for an area, with an owner, a
//! timeline and targets on mission indicators. Progress is read from the indicator's values
//! in the benchmark's place, each kept with its evidence (`indicators.rs`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use super::check::{known, text};
use super::{IndicatorDef, IndicatorValue, MAX_ITEMS, Stamp, series};
use crate::DomainError;
use crate::limits;
use crate::place::Gazetteer;

/// Core or contextual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BenchmarkKind {
    /// A condition the drawdown is tied to.
    Core,
    /// What the context must show.
    Contextual,
}

impl BenchmarkKind {
    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            BenchmarkKind::Core => "core",
            BenchmarkKind::Contextual => "contextual",
        }
    }
}

impl FromStr for BenchmarkKind {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "core" => Ok(BenchmarkKind::Core),
            "contextual" => Ok(BenchmarkKind::Contextual),
            _ => Err(DomainError::invalid(
                "kind",
                format!("unknown benchmark kind '{s}'"),
            )),
        }
    }
}

/// One target of a benchmark: where an indicator must stand, by when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Target {
    /// Stable id within its benchmark.
    pub id: String,
    /// The mission indicator's id.
    pub indicator: String,
    /// Where it stood when the benchmark was set (absent: its first value).
    #[serde(default)]
    pub baseline: Option<f64>,
    /// Where it must stand.
    pub target: f64,
    /// By when (absent: the benchmark's date).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due_on: Option<NaiveDate>,
}

/// A drawdown benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Benchmark {
    /// Stable id.
    pub id: String,
    /// Core or contextual.
    #[serde(rename = "benchmark_kind")]
    pub kind: BenchmarkKind,
    /// What it asks for.
    pub title: String,
    /// The area (P-code).
    pub place: String,
    /// Who answers for it.
    pub owner: String,
    /// Start of its timeline.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub starts_on: Option<NaiveDate>,
    /// When it must be met.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: NaiveDate,
    /// Its targets.
    #[serde(default)]
    pub targets: Vec<Target>,
    /// Free notes.
    #[serde(default)]
    pub note: String,
    /// Version and last change.
    #[serde(flatten)]
    pub stamp: Stamp,
}

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TargetStatus {
    /// No value recorded yet.
    NoData,
    /// The latest value reaches the target.
    Met,
    /// Progressing at least as fast as time passes.
    OnTrack,
    /// Progressing slower than time passes.
    Behind,
    /// Past its date and not met.
    Overdue,
}

impl TargetStatus {
    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetStatus::NoData => "no_data",
            TargetStatus::Met => "met",
            TargetStatus::OnTrack => "on_track",
            TargetStatus::Behind => "behind",
            TargetStatus::Overdue => "overdue",
        }
    }
}

/// A target's progress on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    /// The target's id.
    pub target: String,
    /// The baseline used (given, or the first value).
    pub baseline: Option<f64>,
    /// The latest value on or before the date.
    pub latest: Option<f64>,
    /// Its day.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub latest_on: Option<NaiveDate>,
    /// How far along the way from baseline to target, 0–100 (none without a way).
    pub percent: Option<f64>,
    /// Where it stands.
    pub status: TargetStatus,
}

/// Tidy a benchmark and refuse what cannot stand: an unknown place, no title or owner, a
/// timeline that ends before it starts, a target on an unknown indicator, or not a number.
pub fn check_benchmark(
    b: &mut Benchmark,
    gaz: &Gazetteer,
    indicators: &[IndicatorDef],
) -> Result<(), DomainError> {
    known(gaz, "place", &b.place)?;
    text("title", &mut b.title, limits::NAME)?;
    text("owner", &mut b.owner, limits::NAME)?;
    text("note", &mut b.note, limits::TEXT)?;
    if b.title.is_empty() {
        return Err(DomainError::Missing("title"));
    }
    if b.owner.is_empty() {
        return Err(DomainError::Missing("owner"));
    }
    if b.starts_on.is_some_and(|s| s > b.due_on) {
        return Err(DomainError::invalid(
            "due_on",
            "the timeline ends before it starts",
        ));
    }
    if b.targets.len() > MAX_ITEMS {
        return Err(DomainError::TooMany {
            field: "targets",
            max: MAX_ITEMS,
        });
    }
    for t in &b.targets {
        if !indicators.iter().any(|d| d.id == t.indicator) {
            return Err(DomainError::invalid(
                "indicator",
                format!("unknown indicator '{}'", t.indicator),
            ));
        }
        if !t.target.is_finite() || t.baseline.is_some_and(|v| !v.is_finite()) {
            return Err(DomainError::invalid("target", "not a number"));
        }
    }
    let mut ids: Vec<&str> = b.targets.iter().map(|t| t.id.as_str()).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(DomainError::invalid("targets", "two targets share an id"));
    }
    Ok(())
}

/// The progress of one target of `b` on `on`, from the values of its indicator in the
/// benchmark's place. On track means the way covered is at least the share of the timeline
/// elapsed (from its start, or the first value, to the target's date).
pub fn progress(
    b: &Benchmark,
    t: &Target,
    def: &IndicatorDef,
    values: &[IndicatorValue],
    on: NaiveDate,
) -> Progress {
    let s: Vec<&IndicatorValue> = series(values, &t.indicator, &b.place)
        .into_iter()
        .filter(|v| v.on <= on)
        .collect();
    let baseline = t.baseline.or_else(|| s.first().map(|v| v.value));
    let last = s.last();
    let due = t.due_on.unwrap_or(b.due_on);
    let mut p = Progress {
        target: t.id.clone(),
        baseline,
        latest: last.map(|v| v.value),
        latest_on: last.map(|v| v.on),
        percent: None,
        status: TargetStatus::NoData,
    };
    let Some(last) = last else {
        if on > due {
            p.status = TargetStatus::Overdue;
        }
        return p;
    };
    let met = if def.higher_is_better {
        last.value >= t.target
    } else {
        last.value <= t.target
    };
    if let Some(base) = baseline {
        if (t.target - base).abs() > f64::EPSILON {
            p.percent = Some(((last.value - base) / (t.target - base) * 100.0).clamp(0.0, 100.0));
        }
    }
    p.status = if met {
        TargetStatus::Met
    } else if on > due {
        TargetStatus::Overdue
    } else {
        let start = b
            .starts_on
            .or_else(|| s.first().map(|v| v.on))
            .unwrap_or(on);
        let span = (due - start).num_days().max(1) as f64;
        let elapsed = ((on - start).num_days().max(0) as f64 / span * 100.0).min(100.0);
        if p.percent.unwrap_or(0.0) + 1e-9 >= elapsed {
            TargetStatus::OnTrack
        } else {
            TargetStatus::Behind
        }
    };
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transition::IndicatorSource;
    use chrono::{TimeZone, Utc};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn stamp() -> Stamp {
        Stamp {
            version: 1,
            updated_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            updated_by: "c".into(),
        }
    }

    fn def(higher: bool) -> IndicatorDef {
        IndicatorDef {
            id: "ind".into(),
            name_fr: "Réponse".into(),
            name_en: "Response".into(),
            unit: "%".into(),
            source: IndicatorSource::Manual,
            higher_is_better: higher,
            note: String::new(),
            stamp: stamp(),
        }
    }

    fn bench() -> Benchmark {
        Benchmark {
            id: "b".into(),
            kind: BenchmarkKind::Core,
            title: " Alerts answered ".into(),
            place: "CD6102".into(),
            owner: "PNC".into(),
            starts_on: Some(d("2026-01-01")),
            due_on: d("2026-12-31"),
            targets: vec![Target {
                id: "t".into(),
                indicator: "ind".into(),
                baseline: Some(20.0),
                target: 60.0,
                due_on: None,
            }],
            note: String::new(),
            stamp: stamp(),
        }
    }

    fn value(place: &str, on: &str, v: f64) -> IndicatorValue {
        IndicatorValue {
            id: format!("{place}{on}"),
            indicator: "ind".into(),
            place: place.into(),
            on: d(on),
            value: v,
            evidence: None,
            source_note: String::new(),
            stamp: stamp(),
        }
    }

    #[test]
    fn a_benchmark_needs_title_owner_known_place_and_indicators() {
        let gaz = super::super::tests::gaz();
        let mut b = bench();
        check_benchmark(&mut b, &gaz, &[def(true)]).unwrap();
        assert_eq!(b.title, "Alerts answered");
        assert!(check_benchmark(&mut bench(), &gaz, &[]).is_err());
        let mut b = bench();
        b.owner = "  ".into();
        assert_eq!(
            check_benchmark(&mut b, &gaz, &[def(true)]),
            Err(DomainError::Missing("owner"))
        );
        let mut b = bench();
        b.starts_on = Some(d("2027-01-01"));
        assert!(check_benchmark(&mut b, &gaz, &[def(true)]).is_err());
        let mut b = bench();
        b.place = "nowhere".into();
        assert!(check_benchmark(&mut b, &gaz, &[def(true)]).is_err());
    }

    #[test]
    fn progress_follows_the_latest_value_of_the_place_against_the_timeline() {
        let b = bench();
        let t = &b.targets[0];
        let vals = vec![
            value("CD6102", "2026-03-01", 30.0),
            value("CD6102", "2026-07-01", 40.0),
            value("CD6105", "2026-07-01", 90.0), // another place: not counted
        ];
        // Before any value.
        let p = progress(&b, t, &def(true), &vals, d("2026-02-01"));
        assert_eq!(p.status, TargetStatus::NoData);
        // 2026-07-02: half the way (20 → 40 of 20 → 60), and half the year gone: on track.
        let p = progress(&b, t, &def(true), &vals, d("2026-07-02"));
        assert_eq!(p.latest, Some(40.0));
        assert_eq!(p.percent, Some(50.0));
        assert_eq!(p.status, TargetStatus::OnTrack);
        // Late November, still 40: behind.
        let p = progress(&b, t, &def(true), &vals, d("2026-11-20"));
        assert_eq!(p.status, TargetStatus::Behind);
        // After the date: overdue.
        let p = progress(&b, t, &def(true), &vals, d("2027-01-05"));
        assert_eq!(p.status, TargetStatus::Overdue);
        // Met.
        let mut vals = vals;
        vals.push(value("CD6102", "2026-09-01", 61.0));
        let p = progress(&b, t, &def(true), &vals, d("2026-09-02"));
        assert_eq!(p.status, TargetStatus::Met);
        assert_eq!(p.percent, Some(100.0));
    }

    #[test]
    fn lower_is_better_targets_are_met_from_above() {
        let mut b = bench();
        b.targets[0].baseline = None;
        b.targets[0].target = 10.0;
        let vals = vec![
            value("CD6102", "2026-02-01", 50.0),
            value("CD6102", "2026-06-01", 30.0),
        ];
        let p = progress(&b, &b.targets[0], &def(false), &vals, d("2026-06-02"));
        assert_eq!(p.baseline, Some(50.0));
        assert_eq!(p.percent, Some(50.0));
        assert_ne!(p.status, TargetStatus::Met);
        let p = progress(&b, &b.targets[0], &def(true), &vals, d("2026-06-02"));
        assert_eq!(p.status, TargetStatus::Met);
    }
}
