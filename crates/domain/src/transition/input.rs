//! What a planner sends: a capacity plan, a milestone, a withdrawal plan, a base closure (the
//! application gives new ones their ids and versions).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Capacity, MilestoneKind, MilestoneStatus};

/// A capacity plan as a planner sends it (the whole plan; milestones without an id get one).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanInput {
    /// P-code of the place (any level).
    pub place: String,
    /// The capacity.
    pub capacity: Capacity,
    /// Who provides it today.
    #[serde(default)]
    pub providers: Vec<String>,
    /// Who will from the handover date.
    #[serde(default)]
    pub successors: Vec<String>,
    /// The day the successors take over.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub handover_on: Option<NaiveDate>,
    /// The handover's steps; absent keeps the stored ones.
    #[serde(default)]
    pub milestones: Option<Vec<MilestoneInput>>,
    /// Free notes.
    #[serde(default)]
    pub note: String,
    /// The version the change is decided on (absent for a new plan).
    #[serde(default)]
    pub version: Option<u64>,
}

/// A milestone as a planner sends it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MilestoneInput {
    /// Its id, to change an existing one; absent for a new one.
    #[serde(default)]
    pub id: Option<String>,
    /// What it is about.
    pub kind: MilestoneKind,
    /// Words for it (required for `other`).
    #[serde(default)]
    pub label: String,
    /// Who answers for it.
    pub owner: String,
    /// When it is due.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: NaiveDate,
    /// Where it stands.
    #[serde(default)]
    pub status: MilestoneStatus,
}

/// A withdrawal plan as a planner sends it (its closures are changed one by one).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawalInput {
    /// Its id, to change an existing one; absent for a new one.
    #[serde(default)]
    pub id: Option<String>,
    /// The departing mission.
    pub mission: String,
    /// Free notes.
    #[serde(default)]
    pub note: String,
    /// The version the change is decided on (absent for a new plan).
    #[serde(default)]
    pub version: Option<u64>,
}

/// A base closure as a planner sends it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClosureInput {
    /// Its id, to change an existing one; absent for a new one.
    #[serde(default)]
    pub id: Option<String>,
    /// The base's name.
    pub base: String,
    /// Where the base stands (P-code).
    #[serde(default)]
    pub place: Option<String>,
    /// The first day without the base.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub closes_on: NaiveDate,
    /// Areas (P-codes) whose capacities it provided.
    pub places: Vec<String>,
    /// Capacities its closure removes there.
    pub capacities: Vec<Capacity>,
}
