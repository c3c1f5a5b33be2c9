//! Threat types and severity, with the fixed identifiers of DESIGN.md.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::DomainError;

/// What kind of threat an alert or incident reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ThreatType {
    /// Attack on civilians.
    AttackOnCivilians,
    /// Presence or movement of armed men.
    ArmedPresence,
    /// Clashes between armed groups or forces.
    Clashes,
    /// Abduction or kidnapping.
    Abduction,
    /// Sexual violence.
    SexualViolence,
    /// Killing.
    Killing,
    /// Looting or extortion.
    LootingExtortion,
    /// Displacement of population.
    Displacement,
    /// Arrest or detention.
    ArrestDetention,
    /// Recruitment of children.
    ChildRecruitment,
    /// Tension between communities.
    IntercommunalTension,
    /// Mines, unexploded ordnance, IEDs.
    ExplosiveOrdnance,
    /// Threats and intimidation.
    ThreatIntimidation,
    /// Anything else.
    Other,
}

impl ThreatType {
    /// Every threat type, in the order of DESIGN.md.
    pub const ALL: [ThreatType; 14] = [
        ThreatType::AttackOnCivilians,
        ThreatType::ArmedPresence,
        ThreatType::Clashes,
        ThreatType::Abduction,
        ThreatType::SexualViolence,
        ThreatType::Killing,
        ThreatType::LootingExtortion,
        ThreatType::Displacement,
        ThreatType::ArrestDetention,
        ThreatType::ChildRecruitment,
        ThreatType::IntercommunalTension,
        ThreatType::ExplosiveOrdnance,
        ThreatType::ThreatIntimidation,
        ThreatType::Other,
    ];

    /// The snake_case identifier used in the API, exports and CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            ThreatType::AttackOnCivilians => "attack_on_civilians",
            ThreatType::ArmedPresence => "armed_presence",
            ThreatType::Clashes => "clashes",
            ThreatType::Abduction => "abduction",
            ThreatType::SexualViolence => "sexual_violence",
            ThreatType::Killing => "killing",
            ThreatType::LootingExtortion => "looting_extortion",
            ThreatType::Displacement => "displacement",
            ThreatType::ArrestDetention => "arrest_detention",
            ThreatType::ChildRecruitment => "child_recruitment",
            ThreatType::IntercommunalTension => "intercommunal_tension",
            ThreatType::ExplosiveOrdnance => "explosive_ordnance",
            ThreatType::ThreatIntimidation => "threat_intimidation",
            ThreatType::Other => "other",
        }
    }

    /// Human label in English (`en`) or French (`fr`).
    pub fn label(self, lang: &str) -> &'static str {
        let (en, fr) = match self {
            ThreatType::AttackOnCivilians => ("Attack on civilians", "Attaque contre des civils"),
            ThreatType::ArmedPresence => ("Armed presence", "Présence d'hommes armés"),
            ThreatType::Clashes => ("Clashes", "Affrontements"),
            ThreatType::Abduction => ("Abduction", "Enlèvement"),
            ThreatType::SexualViolence => ("Sexual violence", "Violences sexuelles"),
            ThreatType::Killing => ("Killing", "Meurtre"),
            ThreatType::LootingExtortion => ("Looting or extortion", "Pillage ou extorsion"),
            ThreatType::Displacement => ("Displacement", "Déplacement"),
            ThreatType::ArrestDetention => ("Arrest or detention", "Arrestation ou détention"),
            ThreatType::ChildRecruitment => ("Child recruitment", "Recrutement d'enfants"),
            ThreatType::IntercommunalTension => {
                ("Intercommunal tension", "Tension intercommunautaire")
            }
            ThreatType::ExplosiveOrdnance => ("Explosive ordnance", "Engins explosifs"),
            ThreatType::ThreatIntimidation => ("Threats, intimidation", "Menaces, intimidation"),
            ThreatType::Other => ("Other", "Autre"),
        };
        if lang == "fr" { fr } else { en }
    }

    /// The severity assumed when a reporter gives none: threats to life come first.
    pub fn default_severity(self) -> Severity {
        match self {
            ThreatType::AttackOnCivilians
            | ThreatType::Killing
            | ThreatType::Clashes
            | ThreatType::Abduction
            | ThreatType::SexualViolence => Severity::IMMINENT,
            ThreatType::ArmedPresence
            | ThreatType::ChildRecruitment
            | ThreatType::ExplosiveOrdnance
            | ThreatType::ArrestDetention => Severity(3),
            ThreatType::LootingExtortion
            | ThreatType::Displacement
            | ThreatType::IntercommunalTension
            | ThreatType::ThreatIntimidation => Severity(2),
            ThreatType::Other => Severity(2),
        }
    }
}

impl fmt::Display for ThreatType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ThreatType {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ThreatType::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim())
            .ok_or_else(|| {
                DomainError::invalid("threat_type", format!("unknown threat type '{s}'"))
            })
    }
}

/// Severity 1–4; 4 is an imminent threat to life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Severity(u8);

impl Severity {
    /// Imminent threat to life.
    pub const IMMINENT: Severity = Severity(4);

    /// A severity from 1 to 4.
    pub fn new(level: u8) -> Result<Self, DomainError> {
        if (1..=4).contains(&level) {
            Ok(Severity(level))
        } else {
            Err(DomainError::invalid(
                "severity",
                format!("{level} is not between 1 and 4"),
            ))
        }
    }

    /// The numeric level.
    pub fn level(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Severity {
    type Error = DomainError;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Severity::new(v)
    }
}

impl From<Severity> for u8 {
    fn from(s: Severity) -> u8 {
        s.0
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_round_trip() {
        for t in ThreatType::ALL {
            assert_eq!(t.as_str().parse::<ThreatType>(), Ok(t));
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", t.as_str())
            );
        }
        assert!("fire".parse::<ThreatType>().is_err());
    }

    #[test]
    fn severity_bounds() {
        assert!(Severity::new(0).is_err());
        assert!(Severity::new(5).is_err());
        assert_eq!(Severity::new(4).unwrap(), Severity::IMMINENT);
        assert!(serde_json::from_str::<Severity>("7").is_err());
    }
}
