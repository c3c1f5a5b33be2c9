//! The transition's other records — benchmarks, mission indicators and their values,
//! community mechanisms, the staff roster and knowledge notes — kept in one projection
//! (`transition_records`), each a versioned document with its kind, id and place.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::{Benchmark, IndicatorDef, IndicatorValue, KnowledgeNote, Mechanism, StaffMember};
use crate::DomainError;

/// Which kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RecordKind {
    /// A drawdown benchmark.
    Benchmark,
    /// A mission indicator's definition.
    Indicator,
    /// One measured value of an indicator in a place.
    IndicatorValue,
    /// A community protection mechanism.
    Mechanism,
    /// A member of the liaison and protection staff.
    Staff,
    /// A knowledge note (threat actor, past response).
    Note,
}

impl RecordKind {
    /// Every kind.
    pub const ALL: [RecordKind; 6] = [
        RecordKind::Benchmark,
        RecordKind::Indicator,
        RecordKind::IndicatorValue,
        RecordKind::Mechanism,
        RecordKind::Staff,
        RecordKind::Note,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Benchmark => "benchmark",
            RecordKind::Indicator => "indicator",
            RecordKind::IndicatorValue => "indicator_value",
            RecordKind::Mechanism => "mechanism",
            RecordKind::Staff => "staff",
            RecordKind::Note => "note",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RecordKind {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RecordKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| DomainError::invalid("kind", format!("unknown record kind '{s}'")))
    }
}

/// Who last changed a record, when, and its version (optimistic concurrency).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stamp {
    /// Incremented on each change.
    pub version: u64,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Last changed by (user name).
    pub updated_by: String,
}

/// One record of the `transition_records` projection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum TransitionRecord {
    /// A drawdown benchmark.
    Benchmark(Benchmark),
    /// A mission indicator's definition.
    Indicator(IndicatorDef),
    /// One measured value of an indicator.
    IndicatorValue(IndicatorValue),
    /// A community protection mechanism.
    Mechanism(Mechanism),
    /// A staff member.
    Staff(StaffMember),
    /// A knowledge note.
    Note(KnowledgeNote),
}

impl TransitionRecord {
    /// Its kind.
    pub fn kind(&self) -> RecordKind {
        match self {
            TransitionRecord::Benchmark(_) => RecordKind::Benchmark,
            TransitionRecord::Indicator(_) => RecordKind::Indicator,
            TransitionRecord::IndicatorValue(_) => RecordKind::IndicatorValue,
            TransitionRecord::Mechanism(_) => RecordKind::Mechanism,
            TransitionRecord::Staff(_) => RecordKind::Staff,
            TransitionRecord::Note(_) => RecordKind::Note,
        }
    }

    /// Its id (unique across kinds).
    pub fn id(&self) -> &str {
        match self {
            TransitionRecord::Benchmark(r) => &r.id,
            TransitionRecord::Indicator(r) => &r.id,
            TransitionRecord::IndicatorValue(r) => &r.id,
            TransitionRecord::Mechanism(r) => &r.id,
            TransitionRecord::Staff(r) => &r.id,
            TransitionRecord::Note(r) => &r.id,
        }
    }

    /// The place it is about, for lookups (a note's or a staff member's first place).
    pub fn place(&self) -> Option<&str> {
        match self {
            TransitionRecord::Benchmark(r) => Some(&r.place),
            TransitionRecord::Indicator(_) => None,
            TransitionRecord::IndicatorValue(r) => Some(&r.place),
            TransitionRecord::Mechanism(r) => Some(&r.place),
            TransitionRecord::Staff(r) => r.places.first().map(String::as_str),
            TransitionRecord::Note(r) => r.places.first().map(String::as_str),
        }
    }

    /// Its version, who changed it last and when.
    pub fn stamp(&self) -> &Stamp {
        match self {
            TransitionRecord::Benchmark(r) => &r.stamp,
            TransitionRecord::Indicator(r) => &r.stamp,
            TransitionRecord::IndicatorValue(r) => &r.stamp,
            TransitionRecord::Mechanism(r) => &r.stamp,
            TransitionRecord::Staff(r) => &r.stamp,
            TransitionRecord::Note(r) => &r.stamp,
        }
    }
}
