//! The three violation taxonomies: human rights and IHL, conflict-related sexual violence
//! (the MARA categories) and the six grave violations against children (the MRM categories).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::DomainError;
use crate::compartment::Compartment;

/// Which taxonomy a violation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Taxonomy {
    /// Human-rights and IHL violations.
    HumanRights,
    /// Conflict-related sexual violence (MARA).
    Crsv,
    /// The six grave violations against children (MRM).
    Mrm,
}

impl Taxonomy {
    /// Every taxonomy, in the order reports show them.
    pub const ALL: [Taxonomy; 3] = [Taxonomy::HumanRights, Taxonomy::Crsv, Taxonomy::Mrm];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Taxonomy::HumanRights => "human_rights",
            Taxonomy::Crsv => "crsv",
            Taxonomy::Mrm => "mrm",
        }
    }

    /// Its violations, in their declared order.
    pub fn violations(self) -> impl Iterator<Item = Violation> {
        Violation::ALL
            .iter()
            .copied()
            .filter(move |v| v.taxonomy() == self)
    }
}

impl FromStr for Taxonomy {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_lowercase().replace(['-', ' '], "_");
        Taxonomy::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                DomainError::invalid(
                    "taxonomy",
                    format!(
                        "unknown violation family '{}'; one of human_rights, crsv, mrm",
                        s.chars().take(40).collect::<String>()
                    ),
                )
            })
    }
}

macro_rules! violations {
    ($($variant:ident = $name:literal, $tax:ident, $doc:literal;)*) => {
        /// A violation, named by its taxonomy's snake_case identifier.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum Violation {
            $(#[doc = $doc] $variant,)*
        }

        impl Violation {
            /// Every violation of every taxonomy.
            pub const ALL: &'static [Violation] = &[$(Violation::$variant,)*];

            /// The snake_case identifier.
            pub fn as_str(self) -> &'static str {
                match self { $(Violation::$variant => $name,)* }
            }

            /// The taxonomy it belongs to.
            pub fn taxonomy(self) -> Taxonomy {
                match self { $(Violation::$variant => Taxonomy::$tax,)* }
            }
        }
    };
}

violations! {
    Killing = "killing", HumanRights, "Unlawful killing.";
    Injury = "injury", HumanRights, "Injury, maiming.";
    ArbitraryDetention = "arbitrary_detention", HumanRights, "Arbitrary arrest or detention.";
    Torture = "torture", HumanRights, "Torture.";
    IllTreatment = "ill_treatment", HumanRights, "Cruel, inhuman or degrading treatment.";
    EnforcedDisappearance = "enforced_disappearance", HumanRights, "Enforced disappearance.";
    ForcedDisplacement = "forced_displacement", HumanRights, "Forced displacement.";
    DestructionOfProperty = "destruction_of_property", HumanRights, "Destruction of property.";
    Looting = "looting", HumanRights, "Looting, pillage.";
    Extortion = "extortion", HumanRights, "Extortion, illegal taxation.";
    ForcedLabour = "forced_labour", HumanRights, "Forced labour.";
    RestrictionOfMovement = "restriction_of_movement", HumanRights, "Restriction of movement.";
    ThreatsAndIntimidation = "threats_and_intimidation", HumanRights, "Threats and intimidation.";
    AttackOnCivilians = "attack_on_civilians", HumanRights, "Indiscriminate attack on civilians.";
    Rape = "rape", Crsv, "Rape.";
    SexualSlavery = "sexual_slavery", Crsv, "Sexual slavery.";
    ForcedProstitution = "forced_prostitution", Crsv, "Forced prostitution.";
    ForcedPregnancy = "forced_pregnancy", Crsv, "Forced pregnancy.";
    ForcedAbortion = "forced_abortion", Crsv, "Forced abortion.";
    EnforcedSterilization = "enforced_sterilization", Crsv, "Enforced sterilization.";
    ForcedMarriage = "forced_marriage", Crsv, "Forced marriage.";
    OtherSexualViolence = "other_sexual_violence", Crsv, "Other sexual violence of comparable gravity.";
    KillingAndMaiming = "killing_and_maiming", Mrm, "Killing and maiming of children.";
    RecruitmentAndUse = "recruitment_and_use", Mrm, "Recruitment and use of children.";
    SexualViolenceAgainstChildren = "sexual_violence_against_children", Mrm, "Sexual violence against children.";
    AttacksOnSchoolsAndHospitals = "attacks_on_schools_and_hospitals", Mrm, "Attacks on schools and hospitals.";
    Abduction = "abduction", Mrm, "Abduction of children.";
    DenialOfHumanitarianAccess = "denial_of_humanitarian_access", Mrm, "Denial of humanitarian access to children.";
}

impl Violation {
    /// Whether the violation is committed against a child in person, so that the incident
    /// must count at least one victim under 18 (or of unknown age). Attacks on schools and
    /// hospitals and denial of access strike institutions, not a counted child.
    pub fn needs_child_victim(self) -> bool {
        matches!(
            self,
            Violation::KillingAndMaiming
                | Violation::RecruitmentAndUse
                | Violation::SexualViolenceAgainstChildren
                | Violation::Abduction
        )
    }

    /// The compartments an incident with this violation may be recorded in: sexual
    /// violence only where CRSV is kept (or with children's cases), grave violations against
    /// children only with children's cases (sexual violence against children also in CRSV).
    pub fn allowed_in(self) -> &'static [Compartment] {
        match (self.taxonomy(), self) {
            (Taxonomy::HumanRights, _) => &Compartment::ALL,
            (Taxonomy::Crsv, _) | (_, Violation::SexualViolenceAgainstChildren) => {
                &[Compartment::Crsv, Compartment::Children]
            }
            (Taxonomy::Mrm, _) => &[Compartment::Children],
        }
    }
}

impl Violation {
    /// The compartment a record of these violations is kept in when the recorder does not
    /// choose one (field forms): any grave violation against children puts it with
    /// children's cases, else any sexual violence in CRSV, else with human rights (a field
    /// report carries identities, which `general` never holds).
    pub fn compartment_for(violations: &[Violation]) -> Compartment {
        if violations.iter().any(|v| v.taxonomy() == Taxonomy::Mrm) {
            Compartment::Children
        } else if violations.iter().any(|v| v.taxonomy() == Taxonomy::Crsv) {
            Compartment::Crsv
        } else {
            Compartment::HumanRights
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Violation {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_lowercase().replace(['-', ' '], "_");
        Violation::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                DomainError::invalid(
                    "violations",
                    format!(
                        "unknown violation '{}'; known: {}",
                        s.chars().take(60).collect::<String>(),
                        Violation::ALL
                            .iter()
                            .map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
    }
}
