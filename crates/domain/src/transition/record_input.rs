//! What planners send for the transition records (the application gives new ones their ids
//! and stamps; a change names the version it was decided on).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    BenchmarkKind, IndicatorSource, MechanismKind, MemberCount, NoteKind, Outcome, Score, Sex,
    StaffRole,
};

/// A mission indicator's definition as sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorInput {
    /// Its id, to change an existing one; absent for a new one.
    #[serde(default)]
    pub id: Option<String>,
    /// Name in French.
    #[serde(default)]
    pub name_fr: String,
    /// Name in English.
    #[serde(default)]
    pub name_en: String,
    /// Unit (a computed indicator takes its figure's unit when empty).
    #[serde(default)]
    pub unit: String,
    /// `{"source": "manual"}` or `{"source": "computed", "figure": "response_share"}`.
    #[serde(flatten)]
    pub source: IndicatorSource,
    /// Whether a higher value is better (default true).
    #[serde(default)]
    pub higher_is_better: Option<bool>,
    /// What it measures and how.
    #[serde(default)]
    pub note: String,
    /// The version the change is decided on (absent for a new one).
    #[serde(default)]
    pub version: Option<u64>,
}

/// A value to record: given for a manual indicator, computed by Kinga for a computed one
/// (over the alerts received in the place from `from` to the day before `on`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValueInput {
    /// The indicator's id.
    pub indicator: String,
    /// The place (P-code).
    pub place: String,
    /// The day the value describes (today when absent).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub on: Option<NaiveDate>,
    /// The value (manual indicators; ignored for computed ones).
    #[serde(default)]
    pub value: Option<f64>,
    /// First day of the period a computed value covers (default: 90 days before `on`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub from: Option<NaiveDate>,
    /// Where a manual value comes from.
    #[serde(default)]
    pub source_note: String,
}

/// A benchmark's target as sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetInput {
    /// Its id, to change an existing one; absent for a new one.
    #[serde(default)]
    pub id: Option<String>,
    /// The mission indicator's id.
    pub indicator: String,
    /// Baseline (absent: the first value).
    #[serde(default)]
    pub baseline: Option<f64>,
    /// Target value.
    pub target: f64,
    /// By when (absent: the benchmark's date).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due_on: Option<NaiveDate>,
}

/// A drawdown benchmark as sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BenchmarkInput {
    /// Its id, to change an existing one; absent for a new one.
    #[serde(default)]
    pub id: Option<String>,
    /// Core or contextual.
    pub benchmark_kind: BenchmarkKind,
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
    /// Its targets; absent keeps the stored ones.
    #[serde(default)]
    pub targets: Option<Vec<TargetInput>>,
    /// Free notes.
    #[serde(default)]
    pub note: String,
    /// The version the change is decided on (absent for a new one).
    #[serde(default)]
    pub version: Option<u64>,
}

/// A community mechanism as sent (its assessments are added one by one).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MechanismInput {
    /// Its id, to change an existing one; absent for a new one.
    #[serde(default)]
    pub id: Option<String>,
    /// What kind.
    pub mechanism_kind: MechanismKind,
    /// Its name.
    pub name: String,
    /// Where it works (P-code).
    pub place: String,
    /// Members counted by sex, age band and community.
    #[serde(default)]
    pub members: Vec<MemberCount>,
    /// Ids of its registered focal points.
    #[serde(default)]
    pub focal_points: Vec<String>,
    /// Who supports it today.
    #[serde(default)]
    pub supporters_now: Vec<String>,
    /// Who will after the departure.
    #[serde(default)]
    pub supporters_after: Vec<String>,
    /// Free notes.
    #[serde(default)]
    pub note: String,
    /// The version the change is decided on (absent for a new one).
    #[serde(default)]
    pub version: Option<u64>,
}

/// A functionality assessment as sent (the assessor is the caller).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentInput {
    /// The day of the assessment.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: NaiveDate,
    /// Scores 0–3 per criterion.
    pub scores: Vec<Score>,
    /// What the assessors saw.
    #[serde(default)]
    pub note: String,
}

/// A staff member as sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffInput {
    /// Their id, to change an existing record; absent for a new one.
    #[serde(default)]
    pub id: Option<String>,
    /// Name or post title.
    pub name: String,
    /// What they do.
    pub role: StaffRole,
    /// Sex.
    pub sex: Sex,
    /// Languages spoken.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Places known (P-codes), where they are posted first.
    #[serde(default)]
    pub places: Vec<String>,
    /// Last day of their contract.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub contract_ends_on: Option<NaiveDate>,
    /// Free notes.
    #[serde(default)]
    pub note: String,
    /// The version the change is decided on (absent for a new one).
    #[serde(default)]
    pub version: Option<u64>,
}

/// A knowledge note as sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteInput {
    /// Its id, to change an existing one; absent for a new one.
    #[serde(default)]
    pub id: Option<String>,
    /// What it is about.
    pub note_kind: NoteKind,
    /// A title.
    pub title: String,
    /// Places (P-codes).
    #[serde(default)]
    pub places: Vec<String>,
    /// Threat actors (registry ids).
    #[serde(default)]
    pub actors: Vec<String>,
    /// When it happened.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub happened_on: Option<NaiveDate>,
    /// What is known.
    #[serde(default)]
    pub body: String,
    /// What was tried.
    #[serde(default)]
    pub tried: String,
    /// Whether it worked.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// Why.
    #[serde(default)]
    pub why: String,
    /// The version the change is decided on (absent for a new one).
    #[serde(default)]
    pub version: Option<u64>,
}
