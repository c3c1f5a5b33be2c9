//! Human Rights Due Diligence Policy (HRDDP) screening: before the UN supports a state-security
//! unit, the documented violations attributed to it (verified cases apart from allegations),
//! a risk rating by a stated rule, and the mitigation measures decided.
//!
//! **The rule** ([`RiskRating::of`]), over the incidents attributed to the unit (a
//! perpetrator of category `state_forces` whose unit, and actor when the screening names one,
//! match, ignoring case and surrounding spaces); not verified and unfounded incidents are
//! listed but weigh nothing:
//! - `high`: at least one *verified* incident with a grave violation (killing, torture,
//!   enforced disappearance, any conflict-related sexual violence, any grave violation against
//!   children), or three or more verified incidents;
//! - `medium`: at least one verified incident, or an *allegation* of a grave violation, or
//!   three or more allegations;
//! - `low`: anything less (no incident, or one or two allegations of other violations).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Incident, PerpetratorCategory, Taxonomy, VerificationState, Violation};
use crate::DomainError;
use crate::compartment::Compartment;
use crate::limits;

/// Most mitigation measures one screening records.
pub const MAX_MEASURES: usize = 50;

/// The risk that support to a unit contributes to grave violations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RiskRating {
    /// No substantial grounds found.
    Low,
    /// Grounds that call for mitigation before support.
    Medium,
    /// Substantial grounds: support only with strong mitigation, or not at all.
    High,
}

impl RiskRating {
    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskRating::Low => "low",
            RiskRating::Medium => "medium",
            RiskRating::High => "high",
        }
    }

    /// The rating the module's rule gives a unit's record.
    pub fn of(record: &UnitRecord) -> RiskRating {
        let grave_verified = record
            .incidents
            .iter()
            .any(|i| i.state == VerificationState::Verified && i.grave);
        let grave_alleged = record
            .incidents
            .iter()
            .any(|i| i.is_allegation() && i.grave);
        if grave_verified || record.verified >= 3 {
            RiskRating::High
        } else if record.verified >= 1 || grave_alleged || record.allegations >= 3 {
            RiskRating::Medium
        } else {
            RiskRating::Low
        }
    }
}

/// Whether a violation is grave for the rule: killing, torture, enforced disappearance, any
/// sexual violence, any grave violation against children.
pub fn is_grave(v: Violation) -> bool {
    matches!(
        v,
        Violation::Killing | Violation::Torture | Violation::EnforcedDisappearance
    ) || matches!(v.taxonomy(), Taxonomy::Crsv | Taxonomy::Mrm)
}

/// One incident attributed to the unit, as the screening lists it (no identities).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attributed {
    /// The incident's id.
    pub incident: String,
    /// When it happened.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub occurred_on: NaiveDate,
    /// Where (P-code).
    pub place: String,
    /// Its compartment.
    pub compartment: Compartment,
    /// What was violated.
    pub violations: Vec<Violation>,
    /// Its verification state.
    pub state: VerificationState,
    /// Whether any of its violations is grave.
    pub grave: bool,
}

impl Attributed {
    /// Reported or under verification: an allegation.
    pub fn is_allegation(&self) -> bool {
        matches!(
            self.state,
            VerificationState::Reported | VerificationState::UnderVerification
        )
    }
}

/// The documented record of a unit: incidents attributed to it, newest first, and the counts
/// the rule reads (verified and allegations always apart).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitRecord {
    /// The incidents.
    pub incidents: Vec<Attributed>,
    /// Verified incidents.
    pub verified: u32,
    /// Allegations (reported or under verification).
    pub allegations: u32,
    /// Not verified or unfounded (listed, not weighed).
    pub dismissed: u32,
}

fn same(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Whether an incident is attributed to the unit (and actor, when given).
pub fn attributed_to(i: &Incident, unit: &str, actor: Option<&str>) -> bool {
    i.perpetrators.iter().any(|p| {
        p.category == PerpetratorCategory::StateForces
            && p.unit.as_deref().is_some_and(|u| same(u, unit))
            && actor.is_none_or(|a| p.actor.as_deref().is_some_and(|pa| same(pa, a)))
    })
}

/// The record of a unit from the incidents the screener may see.
pub fn unit_record<'a>(
    incidents: impl IntoIterator<Item = &'a Incident>,
    unit: &str,
    actor: Option<&str>,
) -> UnitRecord {
    let mut r = UnitRecord::default();
    for i in incidents {
        if !attributed_to(i, unit, actor) {
            continue;
        }
        let a = Attributed {
            incident: i.id.clone(),
            occurred_on: i.occurred_on,
            place: i.place.clone(),
            compartment: i.compartment,
            violations: i.violations.clone(),
            state: i.state,
            grave: i.violations.iter().copied().any(is_grave),
        };
        match a.state {
            VerificationState::Verified => r.verified += 1,
            _ if a.is_allegation() => r.allegations += 1,
            _ => r.dismissed += 1,
        }
        r.incidents.push(a);
    }
    r.incidents.sort_by(|a, b| {
        b.occurred_on
            .cmp(&a.occurred_on)
            .then(a.incident.cmp(&b.incident))
    });
    r
}

/// What a screener submits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningDraft {
    /// The unit proposed for support (as perpetrators name it: `3411e régiment`).
    pub unit: String,
    /// The force it belongs to (`FARDC`), to tell apart units of the same name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The support proposed (rations, fuel, joint operation, training…).
    pub support: String,
    /// Mitigation measures decided, one per item.
    #[serde(default)]
    pub mitigation: Vec<String>,
}

/// A recorded screening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Screening {
    /// Stable id (ULID).
    pub id: String,
    /// The unit.
    pub unit: String,
    /// Its force, when named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The support proposed.
    pub support: String,
    /// The documented record at the time of screening.
    pub record: UnitRecord,
    /// The rating the rule gave.
    pub risk: RiskRating,
    /// Mitigation measures.
    pub mitigation: Vec<String>,
    /// The compartments the screener saw: only readers who see all of them see the screening,
    /// so it reveals nothing of a compartment to anyone outside it.
    pub compartments: Vec<Compartment>,
    /// The date of screening.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub screened_on: NaiveDate,
    /// Who screened (user name).
    pub screened_by: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl ScreeningDraft {
    /// Check the draft and make it a screening of `record`, seen through `compartments`.
    #[allow(clippy::too_many_arguments)]
    pub fn screen(
        self,
        id: String,
        record: UnitRecord,
        compartments: Vec<Compartment>,
        by: &str,
        at: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Screening, DomainError> {
        let unit = self.unit.trim().to_string();
        limits::check("unit", &unit, limits::NAME)?;
        if unit.is_empty() {
            return Err(DomainError::Missing("unit"));
        }
        let actor = self
            .actor
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty());
        limits::check_opt("actor", actor.as_deref(), limits::NAME)?;
        let support = self.support.trim().to_string();
        limits::check("support", &support, limits::TEXT)?;
        if support.is_empty() {
            return Err(DomainError::Missing("support"));
        }
        if self.mitigation.len() > MAX_MEASURES {
            return Err(DomainError::TooMany {
                field: "mitigation",
                max: MAX_MEASURES,
            });
        }
        let mitigation: Vec<String> = self
            .mitigation
            .into_iter()
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .collect();
        limits::check_list("mitigation", &mitigation, limits::REASON)?;
        let risk = RiskRating::of(&record);
        Ok(Screening {
            id,
            unit,
            actor,
            support,
            record,
            risk,
            mitigation,
            compartments,
            screened_on: today,
            screened_by: by.to_string(),
            recorded_at: at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::{
        AgeGroup, DatePrecision, IncidentDraft, Perpetrator, Sex, Source, SourceKind, Victim,
    };
    use crate::incident::{Reliability, VerificationState as S};
    use chrono::TimeZone;

    fn incident(n: u32, violation: Violation, state: S, unit: &str) -> Incident {
        let compartment = Violation::compartment_for(&[violation]);
        let mut i = IncidentDraft {
            compartment,
            occurred_on: NaiveDate::from_ymd_opt(2026, 6, n).unwrap_or_default(),
            date_precision: DatePrecision::Day,
            place: "CD6111".into(),
            narrative: "n".into(),
            sources: vec![Source {
                kind: SourceKind::Witness,
                reliability: Reliability::Reliable,
                remote: false,
                contact: None,
            }],
            alerts: vec![],
            perpetrators: vec![Perpetrator {
                category: PerpetratorCategory::StateForces,
                actor: Some("FARDC".into()),
                unit: Some(unit.into()),
            }],
            victims: vec![Victim {
                sex: Sex::Female,
                age_group: AgeGroup::Age12To17,
                disability: false,
                displaced: false,
                name: None,
            }],
            violations: vec![violation],
        }
        .record(
            format!("I{n}"),
            "m",
            Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap(),
            NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default(),
        )
        .expect("valid");
        i.state = state;
        i
    }

    fn rating(list: &[Incident]) -> (RiskRating, UnitRecord) {
        let r = unit_record(list, " 3411E Régiment ", Some("fardc"));
        (RiskRating::of(&r), r)
    }

    #[test]
    fn the_rule_rates_by_verified_cases_first_and_never_adds_allegations_to_them() {
        use Violation::*;
        assert_eq!(rating(&[]).0, RiskRating::Low);
        let one = [incident(1, Looting, S::Reported, "3411e régiment")];
        assert_eq!(rating(&one).0, RiskRating::Low);
        let grave_alleged = [incident(1, Rape, S::UnderVerification, "3411e régiment")];
        assert_eq!(rating(&grave_alleged).0, RiskRating::Medium);
        let three_alleged: Vec<_> = (1..=3)
            .map(|n| incident(n, Looting, S::Reported, "3411e régiment"))
            .collect();
        assert_eq!(rating(&three_alleged).0, RiskRating::Medium);
        let verified = [incident(1, Looting, S::Verified, "3411e régiment")];
        assert_eq!(rating(&verified).0, RiskRating::Medium);
        let grave_verified = [incident(1, Torture, S::Verified, "3411e régiment")];
        assert_eq!(rating(&grave_verified).0, RiskRating::High);
        let three_verified: Vec<_> = (1..=3)
            .map(|n| incident(n, Extortion, S::Verified, "3411e régiment"))
            .collect();
        let (r, rec) = rating(&three_verified);
        assert_eq!(r, RiskRating::High);
        assert_eq!((rec.verified, rec.allegations), (3, 0));
        // Dismissed cases are listed but weigh nothing; other units are not counted.
        let mixed = [
            incident(1, Killing, S::Unfounded, "3411e régiment"),
            incident(2, Killing, S::Verified, "3412e régiment"),
            incident(3, Looting, S::NotVerified, "3411e régiment"),
        ];
        let (r, rec) = rating(&mixed);
        assert_eq!(r, RiskRating::Low);
        assert_eq!((rec.verified, rec.allegations, rec.dismissed), (0, 0, 2));
        assert_eq!(rec.incidents[0].incident, "I3", "newest first");
    }

    #[test]
    fn a_screening_needs_a_unit_and_the_support_proposed() {
        let at = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default();
        let draft = ScreeningDraft {
            unit: " ".into(),
            actor: None,
            support: "fuel".into(),
            mitigation: vec![],
        };
        assert!(
            draft
                .clone()
                .screen("S".into(), UnitRecord::default(), vec![], "h", at, today)
                .is_err()
        );
        let s = ScreeningDraft {
            unit: "3411e régiment".into(),
            mitigation: vec!["  ".into(), "Joint patrols with MONUSCO observers".into()],
            ..draft
        }
        .screen("S".into(), UnitRecord::default(), vec![], "h", at, today)
        .expect("valid");
        assert_eq!(s.risk, RiskRating::Low);
        assert_eq!(s.mitigation.len(), 1);
    }
}
