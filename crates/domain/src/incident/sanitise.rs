//! A sanitised alert from a sensitive record: what those who must act on the threat need —
//! the place, the time and the threat — and nothing that identifies anyone (no name, contact,
//! narrative, perpetrator's unit or source).

use chrono::NaiveDate;

use super::{Incident, Violation};
use crate::ThreatType;

/// The alert's threat type for an incident's violations: the gravest threat they show.
pub fn threat_of(violations: &[Violation]) -> ThreatType {
    use Violation::*;
    let of = |v: Violation| match v {
        Rape
        | SexualSlavery
        | ForcedProstitution
        | ForcedPregnancy
        | ForcedAbortion
        | EnforcedSterilization
        | ForcedMarriage
        | OtherSexualViolence
        | SexualViolenceAgainstChildren => ThreatType::SexualViolence,
        Killing | KillingAndMaiming => ThreatType::Killing,
        RecruitmentAndUse => ThreatType::ChildRecruitment,
        Abduction | EnforcedDisappearance => ThreatType::Abduction,
        AttackOnCivilians | Injury | AttacksOnSchoolsAndHospitals => ThreatType::AttackOnCivilians,
        ArbitraryDetention | Torture | IllTreatment => ThreatType::ArrestDetention,
        ForcedDisplacement => ThreatType::Displacement,
        Looting | Extortion | DestructionOfProperty | ForcedLabour => ThreatType::LootingExtortion,
        ThreatsAndIntimidation | RestrictionOfMovement => ThreatType::ThreatIntimidation,
        DenialOfHumanitarianAccess => ThreatType::Other,
    };
    const GRAVEST_FIRST: [ThreatType; 10] = [
        ThreatType::SexualViolence,
        ThreatType::Killing,
        ThreatType::ChildRecruitment,
        ThreatType::Abduction,
        ThreatType::AttackOnCivilians,
        ThreatType::ArrestDetention,
        ThreatType::Displacement,
        ThreatType::LootingExtortion,
        ThreatType::ThreatIntimidation,
        ThreatType::Other,
    ];
    let found: Vec<ThreatType> = violations.iter().map(|v| of(*v)).collect();
    GRAVEST_FIRST
        .into_iter()
        .find(|t| found.contains(t))
        .unwrap_or(ThreatType::Other)
}

/// The text of the sanitised alert, in French and English: the threat, the place's name and
/// the incident's date as precisely as it is known. Built only from those three, so it cannot
/// carry anything identifying.
pub fn sanitised_text(threat: ThreatType, place_name: &str, date: &str) -> String {
    format!(
        "Suivi de protection : {} signalé(e) à {place_name} ({date}). Protection monitoring: {} reported at {place_name} ({date}).",
        threat.label("fr").to_lowercase(),
        threat.label("en").to_lowercase(),
    )
}

/// The incident's date as precisely as it is known (`2026-09-14`, `2026-09`, `2026`).
pub fn shown_date(i: &Incident) -> String {
    let fmt = match i.date_precision {
        super::DatePrecision::Day => "%Y-%m-%d",
        super::DatePrecision::Month => "%Y-%m",
        super::DatePrecision::Year => "%Y",
    };
    fmt_date(i.occurred_on, fmt)
}

fn fmt_date(d: NaiveDate, fmt: &str) -> String {
    d.format(fmt).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gravest_threat_is_taken() {
        assert_eq!(
            threat_of(&[Violation::Looting, Violation::Rape]),
            ThreatType::SexualViolence
        );
        assert_eq!(
            threat_of(&[Violation::Looting, Violation::Killing]),
            ThreatType::Killing
        );
        assert_eq!(
            threat_of(&[Violation::RecruitmentAndUse]),
            ThreatType::ChildRecruitment
        );
        assert_eq!(
            threat_of(&[Violation::ArbitraryDetention]),
            ThreatType::ArrestDetention
        );
        assert_eq!(
            threat_of(&[Violation::DenialOfHumanitarianAccess]),
            ThreatType::Other
        );
        assert_eq!(threat_of(&[]), ThreatType::Other);
        for v in Violation::ALL {
            let _ = threat_of(&[*v]);
        }
    }

    #[test]
    fn the_text_holds_only_threat_place_and_date() {
        let t = sanitised_text(ThreatType::SexualViolence, "Kiwanja", "2026-09");
        assert!(t.contains("Kiwanja") && t.contains("2026-09"), "{t}");
        assert!(
            t.contains(&ThreatType::SexualViolence.label("en").to_lowercase()),
            "{t}"
        );
    }
}
