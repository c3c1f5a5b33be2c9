//! The parts of an incident: date precision, sources, perpetrators and victims.

use serde::{Deserialize, Serialize};

/// How precisely an incident's date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    /// The day is known.
    #[default]
    Day,
    /// Only the month: the date is the month's first day.
    Month,
    /// Only the year: the date is the first of January.
    Year,
}

/// Who or what a piece of information came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// The victim or survivor.
    Victim,
    /// An eyewitness.
    Witness,
    /// A relative of the victim.
    Family,
    /// A community member, focal point or leader.
    Community,
    /// Local or national authorities.
    Authorities,
    /// A medical or service provider.
    ServiceProvider,
    /// An NGO or UN agency.
    Humanitarian,
    /// Press or social media.
    Media,
    /// Documents, images, forensic material.
    Documentary,
    /// Anything else.
    Other,
}

/// How reliable a source is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reliability {
    /// Not reliable.
    Unreliable,
    /// Not known.
    Unknown,
    /// Usually reliable.
    UsuallyReliable,
    /// Reliable.
    Reliable,
}

/// One source of an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Source {
    /// What kind of source.
    pub kind: SourceKind,
    /// Reliability as judged by the monitor.
    pub reliability: Reliability,
    /// Gathered remotely (by phone, messaging) rather than face to face.
    #[serde(default)]
    pub remote: bool,
    /// How to reach the source again (identifying: sealed, and only in sensitive
    /// compartments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

impl Source {
    /// The reliability the information is weighed at: information gathered remotely counts
    /// one step less than the source's own reliability, since nobody saw the person.
    pub fn weight(&self) -> Reliability {
        match (self.remote, self.reliability) {
            (true, Reliability::Reliable) => Reliability::UsuallyReliable,
            (true, Reliability::UsuallyReliable) => Reliability::Unknown,
            (_, r) => r,
        }
    }
}

/// The kind of force or group a perpetrator belongs to. Harm done by the mission's own
/// operations is recorded like any other (`un_peacekeeping`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PerpetratorCategory {
    /// State armed forces, police, intelligence.
    StateForces,
    /// United Nations peacekeeping forces.
    UnPeacekeeping,
    /// Other peacekeeping forces: bilateral and regional deployments.
    OtherPeacekeeping,
    /// Private military and security companies.
    Pmsc,
    /// Non-state armed groups, militias, self-defence groups.
    ArmedGroup,
    /// Not identified.
    Unidentified,
}

impl PerpetratorCategory {
    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            PerpetratorCategory::StateForces => "state_forces",
            PerpetratorCategory::UnPeacekeeping => "un_peacekeeping",
            PerpetratorCategory::OtherPeacekeeping => "other_peacekeeping",
            PerpetratorCategory::Pmsc => "pmsc",
            PerpetratorCategory::ArmedGroup => "armed_group",
            PerpetratorCategory::Unidentified => "unidentified",
        }
    }
}

/// A perpetrator: the category, and the actor and unit when known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Perpetrator {
    /// Category.
    pub category: PerpetratorCategory,
    /// The actor's name (or its registry id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The unit (brigade, battalion, faction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// A victim's sex as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Not known.
    Unknown,
}

impl Sex {
    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Unknown => "unknown",
        }
    }
}

/// Age groups as the MRM and MARA tables count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AgeGroup {
    /// 0 to 4.
    #[serde(rename = "0-4")]
    Age0To4,
    /// 5 to 11.
    #[serde(rename = "5-11")]
    Age5To11,
    /// 12 to 17.
    #[serde(rename = "12-17")]
    Age12To17,
    /// 18 to 59.
    #[serde(rename = "18-59")]
    Age18To59,
    /// 60 and over.
    #[serde(rename = "60+")]
    Age60Plus,
    /// Not known.
    #[serde(rename = "unknown")]
    Unknown,
}

impl AgeGroup {
    /// The identifier (`0-4`, …, `60+`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            AgeGroup::Age0To4 => "0-4",
            AgeGroup::Age5To11 => "5-11",
            AgeGroup::Age12To17 => "12-17",
            AgeGroup::Age18To59 => "18-59",
            AgeGroup::Age60Plus => "60+",
            AgeGroup::Unknown => "unknown",
        }
    }

    /// Under 18.
    pub fn is_child(self) -> bool {
        matches!(
            self,
            AgeGroup::Age0To4 | AgeGroup::Age5To11 | AgeGroup::Age12To17
        )
    }
}

/// One victim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Victim {
    /// Sex.
    pub sex: Sex,
    /// Age group.
    pub age_group: AgeGroup,
    /// Lives with a disability.
    #[serde(default)]
    pub disability: bool,
    /// Displaced (IDP or refugee).
    #[serde(default)]
    pub displaced: bool,
    /// Name (identifying: sealed, and only in sensitive compartments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}
