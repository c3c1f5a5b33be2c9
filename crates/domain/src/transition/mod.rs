//! Transition planning: the ten protection capacities a departing mission affects, who
//! provides each in a place today and who will after the handover, the milestones of that
//! handover, the mission's withdrawal plan base by base, and the state of every capacity on a
//! given date (covered, at risk, gap) with the reason (`state.rs`), down to the "cliff": the
//! places and capacities uncovered on a date (`cliff.rs`).
//!
//! A plan is made for a place at any level of the hierarchy and holds for every place inside
//! it, unless a place nearer down has a plan of its own for the same capacity.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::DomainError;
use crate::limits;

pub mod after_closure;
mod benchmarks;
pub mod broadcast;
mod check;
mod cliff;
#[cfg(test)]
mod cliff_tests;
mod community;
mod indicators;
mod input;
mod knowledge;
mod quarters;
mod record_input;
mod records;
mod roster;
pub mod routing;
mod state;
#[cfg(test)]
mod tests;

pub use check::{check_plan, check_withdrawal};
pub use cliff::{CliffPlace, anchors, cliff};
pub use input::{ClosureInput, MilestoneInput, PlanInput, WithdrawalInput};
pub use routing::{HandoverReversal, HandoverRules};
pub use state::{Book, CapacityStatus, Reason, State, day_after, day_before};

pub use benchmarks::{
    Benchmark, BenchmarkKind, Progress, Target, TargetStatus, check_benchmark, progress,
};
pub use community::{
    AgeBand, Assessment, Community, Criterion, Functionality, GroupShare, Mechanism, MechanismKind,
    MemberCount, Representativeness, Represented, Score, Sex, SupportState, check_mechanism,
};
pub use indicators::{
    Evidence, Figure, IndicatorDef, IndicatorSource, IndicatorValue, check_indicator, check_value,
    series,
};
pub use knowledge::{KnowledgeNote, NoteKind, NoteQuery, Outcome, check_note};
pub use quarters::{quarters_between, shift_quarters};
pub use record_input::{
    AssessmentInput, BenchmarkInput, IndicatorInput, MechanismInput, NoteInput, StaffInput,
    TargetInput, ValueInput,
};
pub use records::{RecordKind, Stamp, TransitionRecord};
pub use roster::{RosterSummary, StaffMember, StaffRole, check_staff, roster_summary};

/// A protection capacity a mission's departure affects (the ids of DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Capacity {
    /// Physical protection.
    PhysicalProtection,
    /// Early warning.
    EarlyWarning,
    /// Community engagement and community-based protection.
    CommunityEngagement,
    /// Political engagement and mediation.
    PoliticalEngagement,
    /// Protection strategy and coordination.
    ProtectionStrategy,
    /// Human rights.
    HumanRights,
    /// Mine action.
    MineAction,
    /// Disarmament, demobilization and reintegration.
    Ddr,
    /// Rule of law.
    RuleOfLaw,
    /// Security, logistics and access services.
    SecurityLogistics,
}

impl Capacity {
    /// Every capacity, in the order of DESIGN.md.
    pub const ALL: [Capacity; 10] = [
        Capacity::PhysicalProtection,
        Capacity::EarlyWarning,
        Capacity::CommunityEngagement,
        Capacity::PoliticalEngagement,
        Capacity::ProtectionStrategy,
        Capacity::HumanRights,
        Capacity::MineAction,
        Capacity::Ddr,
        Capacity::RuleOfLaw,
        Capacity::SecurityLogistics,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Capacity::PhysicalProtection => "physical_protection",
            Capacity::EarlyWarning => "early_warning",
            Capacity::CommunityEngagement => "community_engagement",
            Capacity::PoliticalEngagement => "political_engagement",
            Capacity::ProtectionStrategy => "protection_strategy",
            Capacity::HumanRights => "human_rights",
            Capacity::MineAction => "mine_action",
            Capacity::Ddr => "ddr",
            Capacity::RuleOfLaw => "rule_of_law",
            Capacity::SecurityLogistics => "security_logistics",
        }
    }

    /// The English name.
    pub fn label(self) -> &'static str {
        match self {
            Capacity::PhysicalProtection => "Physical protection",
            Capacity::EarlyWarning => "Early warning",
            Capacity::CommunityEngagement => "Community engagement and community-based protection",
            Capacity::PoliticalEngagement => "Political engagement and mediation",
            Capacity::ProtectionStrategy => "Protection strategy and coordination",
            Capacity::HumanRights => "Human rights",
            Capacity::MineAction => "Mine action",
            Capacity::Ddr => "Disarmament, demobilization and reintegration",
            Capacity::RuleOfLaw => "Rule of law",
            Capacity::SecurityLogistics => "Security, logistics and access services",
        }
    }
}

impl fmt::Display for Capacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Capacity {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_lowercase().replace(['-', ' '], "_");
        Capacity::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| DomainError::invalid("capacity", format!("unknown capacity '{s}'")))
    }
}

/// What a handover milestone is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MilestoneKind {
    /// The successor's staff are hired.
    StaffHired,
    /// The successor's staff are trained.
    TrainingDone,
    /// Equipment (vehicles, radios, phones) is transferred.
    EquipmentTransferred,
    /// The alert numbers communities call are moved to the successor.
    AlertNumbersMoved,
    /// The records are handed over to the successor.
    DataHandedOver,
    /// Anything else (its label says what).
    Other,
}

impl MilestoneKind {
    /// Every kind.
    pub const ALL: [MilestoneKind; 6] = [
        MilestoneKind::StaffHired,
        MilestoneKind::TrainingDone,
        MilestoneKind::EquipmentTransferred,
        MilestoneKind::AlertNumbersMoved,
        MilestoneKind::DataHandedOver,
        MilestoneKind::Other,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneKind::StaffHired => "staff_hired",
            MilestoneKind::TrainingDone => "training_done",
            MilestoneKind::EquipmentTransferred => "equipment_transferred",
            MilestoneKind::AlertNumbersMoved => "alert_numbers_moved",
            MilestoneKind::DataHandedOver => "data_handed_over",
            MilestoneKind::Other => "other",
        }
    }
}

impl FromStr for MilestoneKind {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_lowercase().replace(['-', ' '], "_");
        MilestoneKind::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| DomainError::invalid("kind", format!("unknown milestone kind '{s}'")))
    }
}

/// Where a milestone stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MilestoneStatus {
    /// Not started.
    #[default]
    Pending,
    /// Under way.
    InProgress,
    /// Done.
    Done,
    /// Cannot go on until something else is settled.
    Blocked,
}

impl MilestoneStatus {
    /// Every status.
    pub const ALL: [MilestoneStatus; 4] = [
        MilestoneStatus::Pending,
        MilestoneStatus::InProgress,
        MilestoneStatus::Done,
        MilestoneStatus::Blocked,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneStatus::Pending => "pending",
            MilestoneStatus::InProgress => "in_progress",
            MilestoneStatus::Done => "done",
            MilestoneStatus::Blocked => "blocked",
        }
    }
}

impl FromStr for MilestoneStatus {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_lowercase().replace(['-', ' '], "_");
        MilestoneStatus::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                DomainError::invalid("status", format!("unknown milestone status '{s}'"))
            })
    }
}

/// One step of a handover, with who answers for it and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Milestone {
    /// Stable id within its plan.
    pub id: String,
    /// What it is about.
    pub kind: MilestoneKind,
    /// Words for it (required for `other`, optional otherwise).
    #[serde(default)]
    pub label: String,
    /// Who answers for it (an organisation or a person's function).
    pub owner: String,
    /// When it is due.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: NaiveDate,
    /// Where it stands.
    #[serde(default)]
    pub status: MilestoneStatus,
}

impl Milestone {
    /// Late on `on`: due before that day and not done.
    pub fn late_on(&self, on: NaiveDate) -> bool {
        self.status != MilestoneStatus::Done && self.due_on < on
    }
}

/// Who provides a capacity in a place, who will after the handover, and the handover's steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapacityPlan {
    /// `<P-code>:<capacity>` (one plan per place and capacity).
    pub id: String,
    /// The place (any level; holds for the places inside it that have no plan of their own).
    pub place: String,
    /// The capacity.
    pub capacity: Capacity,
    /// Who provides it today; they leave on the handover date (or when a base closure
    /// removes the capacity, whichever comes first).
    #[serde(default)]
    pub providers: Vec<String>,
    /// Who will provide it from the handover date.
    #[serde(default)]
    pub successors: Vec<String>,
    /// The day the successors take over.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub handover_on: Option<NaiveDate>,
    /// The steps of the handover.
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// Free notes.
    #[serde(default)]
    pub note: String,
    /// Incremented on each change (optimistic concurrency).
    pub version: u64,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Last changed by (user id).
    pub updated_by: String,
}

impl CapacityPlan {
    /// The id of the plan of `capacity` in `place`.
    pub fn key(place: &str, capacity: Capacity) -> String {
        format!("{place}:{capacity}")
    }
}

/// The closure of one base: from its date, the mission no longer provides the listed
/// capacities in the listed areas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BaseClosure {
    /// Stable id within its withdrawal plan.
    pub id: String,
    /// The base's name ("Bukavu").
    pub base: String,
    /// Where the base stands (P-code), if known.
    #[serde(default)]
    pub place: Option<String>,
    /// The first day without the base.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub closes_on: NaiveDate,
    /// Areas (P-codes) whose capacities the base provided.
    pub places: Vec<String>,
    /// Capacities its closure removes there.
    pub capacities: Vec<Capacity>,
}

/// A mission's withdrawal, base by base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawalPlan {
    /// Stable id.
    pub id: String,
    /// The departing mission ("MONUSCO").
    pub mission: String,
    /// Free notes (mandate, decisions).
    #[serde(default)]
    pub note: String,
    /// Its base closures, earliest first.
    #[serde(default)]
    pub closures: Vec<BaseClosure>,
    /// Incremented on each change (optimistic concurrency).
    pub version: u64,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Last changed by (user id).
    pub updated_by: String,
}

impl WithdrawalPlan {
    /// Keep closures earliest first (ties by base name), as every reader shows them.
    pub fn sort_closures(&mut self) {
        self.closures.sort_by(|a, b| {
            a.closes_on
                .cmp(&b.closes_on)
                .then_with(|| a.base.cmp(&b.base))
        });
    }
}

/// Most providers, successors, milestones, closures or areas one record may list.
pub const MAX_ITEMS: usize = limits::LIST;
