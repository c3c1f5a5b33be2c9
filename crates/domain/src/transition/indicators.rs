//! Mission indicators: there is no universal indicator, so each mission defines its own
//! (names in French and English, a unit, and whether Kinga computes it from its own alerts
//! or someone records it by hand), and records values over time, place by place. A value
//! computed by Kinga keeps the figure it was computed from (its evidence) beside it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use super::Stamp;
use super::check::{known, text};
use crate::DomainError;
use crate::limits;
use crate::place::Gazetteer;

/// A figure Kinga computes from its alerts, with the response indicators of the analysis
/// (`analysis/indicators.rs`), over the alerts received in a place during a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Figure {
    /// Alerts received.
    AlertsReceived,
    /// Share of the alerts needing a responder that had one acting by the deadline (%).
    ResponseShare,
    /// Share of alerts acknowledged by the deadline (%).
    AcknowledgedShare,
    /// Share of alerts no responder covered (%).
    UncoveredShare,
    /// Share of closed alerts whose reporter was told the outcome (%).
    FeedbackShare,
}

impl Figure {
    /// Every figure.
    pub const ALL: [Figure; 5] = [
        Figure::AlertsReceived,
        Figure::ResponseShare,
        Figure::AcknowledgedShare,
        Figure::UncoveredShare,
        Figure::FeedbackShare,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Figure::AlertsReceived => "alerts_received",
            Figure::ResponseShare => "response_share",
            Figure::AcknowledgedShare => "acknowledged_share",
            Figure::UncoveredShare => "uncovered_share",
            Figure::FeedbackShare => "feedback_share",
        }
    }

    /// The unit its values are in.
    pub fn unit(self) -> &'static str {
        match self {
            Figure::AlertsReceived => "alerts",
            _ => "%",
        }
    }
}

impl FromStr for Figure {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Figure::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| DomainError::invalid("figure", format!("unknown figure '{s}'")))
    }
}

/// Where an indicator's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", content = "figure", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum IndicatorSource {
    /// Recorded by hand (returns, children released, …).
    Manual,
    /// Computed by Kinga from its alerts.
    Computed(Figure),
}

/// A figure as Kinga computed it when a value was recorded: the evidence of that value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evidence {
    /// Which figure.
    pub figure: Figure,
    /// Its value (a share in %, or a count).
    pub value: f64,
    /// Numerator of a share (or the count).
    pub count: u64,
    /// Denominator of a share (none for a count).
    #[serde(default)]
    pub of: Option<u64>,
    /// The place (P-code) the alerts were counted in (it and every place inside it).
    pub place: String,
    /// First day of the period (included).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: NaiveDate,
    /// Day after the period (excluded).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: NaiveDate,
    /// When Kinga computed it.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub computed_at: chrono::DateTime<chrono::Utc>,
}

impl Evidence {
    /// The figure from a numerator and, for a share, a denominator (none when it is zero:
    /// a share of nothing is not 0 %).
    pub fn value_of(figure: Figure, count: u64, of: Option<u64>) -> Option<f64> {
        match (figure, of) {
            (Figure::AlertsReceived, _) => Some(count as f64),
            (_, Some(d)) if d > 0 => Some((count as f64) * 100.0 / (d as f64)),
            _ => None,
        }
    }
}

/// A mission indicator's definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorDef {
    /// Stable id.
    pub id: String,
    /// Name in French.
    pub name_fr: String,
    /// Name in English.
    pub name_en: String,
    /// Unit ("%", "persons", "children").
    pub unit: String,
    /// Where its values come from.
    #[serde(flatten)]
    pub source: IndicatorSource,
    /// Whether a higher value is better (false: lower is better, e.g. uncovered alerts).
    #[serde(default = "yes")]
    pub higher_is_better: bool,
    /// What it measures and how, for the next reader.
    #[serde(default)]
    pub note: String,
    /// Version and last change.
    #[serde(flatten)]
    pub stamp: Stamp,
}

fn yes() -> bool {
    true
}

impl IndicatorDef {
    /// The name in `lang` ("fr" or anything else for English), the other one if empty.
    pub fn name(&self, lang: &str) -> &str {
        let (first, other) = if lang == "fr" {
            (&self.name_fr, &self.name_en)
        } else {
            (&self.name_en, &self.name_fr)
        };
        if first.is_empty() { other } else { first }
    }
}

/// One value of an indicator in a place on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorValue {
    /// Stable id.
    pub id: String,
    /// The indicator's id.
    pub indicator: String,
    /// The place (P-code).
    pub place: String,
    /// The day the value describes.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: NaiveDate,
    /// The value.
    pub value: f64,
    /// The figure Kinga computed it from (computed indicators only).
    #[serde(default)]
    pub evidence: Option<Evidence>,
    /// Where a manual value comes from (a report, a survey, a link).
    #[serde(default)]
    pub source_note: String,
    /// Version and last change.
    #[serde(flatten)]
    pub stamp: Stamp,
}

/// Tidy an indicator definition and refuse what cannot stand: no name at all, no unit,
/// texts past their limits.
pub fn check_indicator(d: &mut IndicatorDef) -> Result<(), DomainError> {
    text("name_fr", &mut d.name_fr, limits::NAME)?;
    text("name_en", &mut d.name_en, limits::NAME)?;
    text("unit", &mut d.unit, 40)?;
    text("note", &mut d.note, limits::TEXT)?;
    if d.name_fr.is_empty() && d.name_en.is_empty() {
        return Err(DomainError::Missing("name_en"));
    }
    if let IndicatorSource::Computed(f) = d.source {
        if d.unit.is_empty() {
            d.unit = f.unit().to_string();
        }
    }
    if d.unit.is_empty() {
        return Err(DomainError::Missing("unit"));
    }
    Ok(())
}

/// Refuse a value that cannot stand: an unknown place, a value that is not a finite number,
/// a share outside 0–100 %, a computed value without its evidence or a manual one with it.
pub fn check_value(
    v: &mut IndicatorValue,
    def: &IndicatorDef,
    gaz: &Gazetteer,
) -> Result<(), DomainError> {
    known(gaz, "place", &v.place)?;
    text("source_note", &mut v.source_note, limits::REASON)?;
    if !v.value.is_finite() {
        return Err(DomainError::invalid("value", "not a number"));
    }
    if def.unit == "%" && !(0.0..=100.0).contains(&v.value) {
        return Err(DomainError::invalid(
            "value",
            "a share lies between 0 and 100",
        ));
    }
    match (def.source, &v.evidence) {
        (IndicatorSource::Computed(f), Some(e)) if e.figure == f => Ok(()),
        (IndicatorSource::Computed(_), _) => Err(DomainError::invalid(
            "evidence",
            "a computed indicator's value keeps the figure it was computed from",
        )),
        (IndicatorSource::Manual, None) => Ok(()),
        (IndicatorSource::Manual, Some(_)) => Err(DomainError::invalid(
            "evidence",
            "a manual indicator's value is recorded, not computed",
        )),
    }
}

/// The values of one indicator in one place, oldest first (ties: latest recorded last).
pub fn series<'a>(
    values: &'a [IndicatorValue],
    indicator: &str,
    place: &str,
) -> Vec<&'a IndicatorValue> {
    let mut s: Vec<&IndicatorValue> = values
        .iter()
        .filter(|v| v.indicator == indicator && v.place == place)
        .collect();
    s.sort_by(|a, b| {
        a.on.cmp(&b.on)
            .then_with(|| a.stamp.updated_at.cmp(&b.stamp.updated_at))
    });
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn stamp() -> Stamp {
        Stamp {
            version: 1,
            updated_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            updated_by: "c".into(),
        }
    }

    fn def(source: IndicatorSource, unit: &str) -> IndicatorDef {
        IndicatorDef {
            id: "i".into(),
            name_fr: " Retours ".into(),
            name_en: "".into(),
            unit: unit.into(),
            source,
            higher_is_better: true,
            note: String::new(),
            stamp: stamp(),
        }
    }

    #[test]
    fn a_share_of_nothing_is_no_figure() {
        assert_eq!(Evidence::value_of(Figure::ResponseShare, 0, Some(0)), None);
        assert_eq!(
            Evidence::value_of(Figure::ResponseShare, 3, Some(4)),
            Some(75.0)
        );
        assert_eq!(
            Evidence::value_of(Figure::AlertsReceived, 7, None),
            Some(7.0)
        );
    }

    #[test]
    fn an_indicator_needs_a_name_and_takes_its_figure_unit() {
        let mut d = def(IndicatorSource::Computed(Figure::ResponseShare), "");
        check_indicator(&mut d).unwrap();
        assert_eq!(d.unit, "%");
        assert_eq!(d.name("en"), "Retours");
        let mut d = def(IndicatorSource::Manual, "");
        assert!(check_indicator(&mut d).is_err());
        let mut d = def(IndicatorSource::Manual, "persons");
        d.name_fr.clear();
        assert!(matches!(
            check_indicator(&mut d),
            Err(DomainError::Missing(_))
        ));
    }

    #[test]
    fn the_source_round_trips_flat() {
        let d = def(IndicatorSource::Computed(Figure::UncoveredShare), "%");
        let j = serde_json::to_value(&d).unwrap();
        assert_eq!(j["source"], "computed");
        assert_eq!(j["figure"], "uncovered_share");
        let back: IndicatorDef = serde_json::from_value(j).unwrap();
        assert_eq!(back, d);
        let m = def(IndicatorSource::Manual, "persons");
        let back: IndicatorDef = serde_json::from_value(serde_json::to_value(&m).unwrap()).unwrap();
        assert_eq!(back.source, IndicatorSource::Manual);
    }

    #[test]
    fn values_keep_their_kind_of_evidence() {
        let gaz = super::super::tests::gaz();
        let computed = def(IndicatorSource::Computed(Figure::ResponseShare), "%");
        let mut v = IndicatorValue {
            id: "v".into(),
            indicator: "i".into(),
            place: "CD61".into(),
            on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            value: 40.0,
            evidence: None,
            source_note: String::new(),
            stamp: stamp(),
        };
        assert!(check_value(&mut v, &computed, &gaz).is_err());
        v.evidence = Some(Evidence {
            figure: Figure::ResponseShare,
            value: 40.0,
            count: 2,
            of: Some(5),
            place: "CD61".into(),
            from: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            computed_at: stamp().updated_at,
        });
        check_value(&mut v, &computed, &gaz).unwrap();
        let manual = def(IndicatorSource::Manual, "%");
        assert!(check_value(&mut v, &manual, &gaz).is_err());
        v.evidence = None;
        v.value = 140.0;
        assert!(check_value(&mut v, &manual, &gaz).is_err());
        v.value = f64::NAN;
        assert!(check_value(&mut v, &manual, &gaz).is_err());
        v.value = 10.0;
        v.place = "XX".into();
        assert!(check_value(&mut v, &manual, &gaz).is_err());
    }
}
