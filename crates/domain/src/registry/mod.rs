//! Registries: threat actors, responders and community focal points.

use serde::{Deserialize, Serialize};

use crate::ThreatType;

/// Kind of armed or threat actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActorKind {
    /// State armed forces or their units.
    StateForces,
    /// Non-state armed group.
    NonStateArmedGroup,
    /// Militia or self-defence group.
    Militia,
    /// Parallel or bilateral forces.
    ParallelForces,
    /// Private military or security company.
    PrivateSecurity,
    /// Criminal group.
    CriminalGroup,
}

/// A threat actor and the names people use for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreatActor {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: ActorKind,
    /// Aliases and spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Areas (P-codes) where it is known to operate.
    #[serde(default)]
    pub areas: Vec<String>,
    /// Free notes.
    #[serde(default)]
    pub notes: String,
}

/// Kind of protection actor or responder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ResponderKind {
    /// Mission military base or unit.
    MissionMilitary,
    /// Mission police (FPU, UNPOL).
    MissionPolice,
    /// Community liaison assistant.
    CommunityLiaison,
    /// National police.
    StatePolice,
    /// Civil protection.
    CivilProtection,
    /// UN agency.
    UnAgency,
    /// NGO.
    Ngo,
    /// Local protection committee.
    LocalProtectionCommittee,
    /// Community protection network.
    CommunityNetwork,
}

/// How a responder wants to be told of an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ContactPreference {
    /// Text message.
    #[default]
    Sms,
    /// E-mail.
    Email,
}

/// Daily hours of cover, in minutes after local midnight (the deployment's time zone);
/// `start == end` means all day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hours {
    /// First minute covered.
    pub start: u16,
    /// Minute cover ends (may be before `start`, for night cover).
    pub end: u16,
}

impl Hours {
    /// Round the clock.
    pub const ALWAYS: Hours = Hours { start: 0, end: 0 };

    /// True when `minute` of the day is covered.
    pub fn covers(&self, minute: u16) -> bool {
        if self.start == self.end {
            true
        } else if self.start < self.end {
            (self.start..self.end).contains(&minute)
        } else {
            minute >= self.start || minute < self.end
        }
    }
}

/// A protection actor that can be sent to answer alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Responder {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: ResponderKind,
    /// Areas covered (P-codes; an area covers every place inside it).
    pub places: Vec<String>,
    /// Threat types covered; empty means every type.
    #[serde(default)]
    pub threat_types: Vec<ThreatType>,
    /// Hours covered.
    pub hours: Hours,
    /// Phone number for assignments.
    #[serde(default)]
    pub phone: Option<String>,
    /// E-mail for assignments.
    #[serde(default)]
    pub email: Option<String>,
    /// How to tell it of an assignment.
    #[serde(default)]
    pub prefers: ContactPreference,
    /// Communities consent to alerts being passed to it; without consent it is never routed to.
    pub community_consent: bool,
    /// Still operating (a departed unit stays on record but is no longer routed to).
    pub active: bool,
}

/// A registered community focal point. Name and phone are sensitive: they are stored sealed,
/// and lists show the pseudonym.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FocalPoint {
    /// Stable id.
    pub id: String,
    /// Pseudonym shown in lists: a code such as `FP-K7MNP` that names no place and no person
    /// (see [`pseudonym`]).
    pub pseudonym: String,
    /// Name, encrypted with the instance key.
    pub name_sealed: String,
    /// Phone number, encrypted with the instance key.
    pub phone_sealed: String,
    /// Keyed digest of the normalised phone number, for lookups.
    pub phone_digest: String,
    /// Default place (P-code) for messages from this number.
    pub place: Option<String>,
    /// Language to answer in.
    pub language: String,
    /// Still active.
    pub active: bool,
}

mod check;
pub mod pseudonym;

pub use check::{RegistryRecord, check_records};
