//! Verification of an incident: reported → under verification → verified / not verified /
//! unfounded, each move by an officer, with the method and sources of a conclusion and the
//! date it was reached, kept apart from the date of the incident (old cases verify late).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::Incident;
use crate::DomainError;
use crate::limits;

/// Where an incident stands in its verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VerificationState {
    /// An allegation, not yet looked into.
    Reported,
    /// Being verified.
    UnderVerification,
    /// Verified: the information is found credible to the standard required.
    Verified,
    /// Could not be verified (not enough information).
    NotVerified,
    /// Found to be untrue.
    Unfounded,
}

impl VerificationState {
    /// Every state.
    pub const ALL: [VerificationState; 5] = [
        VerificationState::Reported,
        VerificationState::UnderVerification,
        VerificationState::Verified,
        VerificationState::NotVerified,
        VerificationState::Unfounded,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationState::Reported => "reported",
            VerificationState::UnderVerification => "under_verification",
            VerificationState::Verified => "verified",
            VerificationState::NotVerified => "not_verified",
            VerificationState::Unfounded => "unfounded",
        }
    }

    /// A conclusion of verification (needs a method, sources and a date).
    pub fn is_conclusion(self) -> bool {
        matches!(
            self,
            VerificationState::Verified
                | VerificationState::NotVerified
                | VerificationState::Unfounded
        )
    }

    /// The states reachable in one move. A conclusion may be reopened for verification when
    /// new information comes; an allegation may be dismissed as unfounded at once.
    pub fn next(self) -> &'static [VerificationState] {
        use VerificationState::*;
        match self {
            Reported => &[UnderVerification, Unfounded],
            UnderVerification => &[Verified, NotVerified, Unfounded],
            Verified | NotVerified | Unfounded => &[UnderVerification],
        }
    }
}

impl fmt::Display for VerificationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VerificationState {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_lowercase().replace(['-', ' '], "_");
        VerificationState::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                DomainError::invalid(
                    "state",
                    format!(
                        "unknown verification state '{}'",
                        s.chars().take(40).collect::<String>()
                    ),
                )
            })
    }
}

/// How a conclusion was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VerificationMethod {
    /// Interview of the victim or survivor, in person.
    VictimInterview,
    /// Interview of witnesses, in person.
    WitnessInterview,
    /// Interviews by phone or messaging (weighed as less reliable).
    RemoteInterview,
    /// A visit to the site.
    SiteVisit,
    /// Medical or forensic evidence.
    MedicalEvidence,
    /// Documents, images, official records.
    Documentary,
    /// Anything else.
    Other,
}

/// A requested verification move.
#[derive(Debug, Clone, PartialEq)]
pub struct VerificationMove {
    /// Target state.
    pub to: VerificationState,
    /// How the conclusion was reached (conclusions only).
    pub method: Option<VerificationMethod>,
    /// Which of the incident's sources it rests on (0-based indexes; conclusions only).
    pub sources: Vec<usize>,
    /// When the conclusion was reached (conclusions only; today when not given).
    pub verified_on: Option<NaiveDate>,
    /// Why, in the officer's words (sealed in sensitive compartments).
    pub note: Option<String>,
}

/// One recorded verification move.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerificationStep {
    /// State before.
    pub from: VerificationState,
    /// State after.
    pub to: VerificationState,
    /// The officer who moved it (user name).
    pub by: String,
    /// When the move was recorded.
    pub at: DateTime<Utc>,
    /// How a conclusion was reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<VerificationMethod>,
    /// Indexes of the sources a conclusion rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<usize>,
    /// Date of the conclusion, apart from the incident's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub verified_on: Option<NaiveDate>,
    /// The officer's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Incident {
    /// Decide a verification move by `by` at `at` (`today` is the local date). Repeating the
    /// move to the state the incident is already in changes nothing (`Ok(None)`).
    pub fn decide_verification(
        &self,
        m: VerificationMove,
        by: &str,
        at: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Option<VerificationStep>, DomainError> {
        limits::check_opt("note", m.note.as_deref(), limits::REASON)?;
        if m.to == self.state {
            return Ok(None);
        }
        if !self.state.next().contains(&m.to) {
            return Err(DomainError::invalid(
                "to",
                format!(
                    "an incident that is '{}' cannot move to '{}'; allowed: {}",
                    self.state,
                    m.to,
                    self.state
                        .next()
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let note = m
            .note
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        if !m.to.is_conclusion() {
            if !m.sources.is_empty() || m.method.is_some() || m.verified_on.is_some() {
                return Err(DomainError::invalid(
                    "to",
                    "method, sources and verified_on belong to a conclusion (verified, not_verified, unfounded)",
                ));
            }
            return Ok(Some(VerificationStep {
                from: self.state,
                to: m.to,
                by: by.to_string(),
                at,
                method: None,
                sources: Vec::new(),
                verified_on: None,
                note,
            }));
        }
        let method = m.method.ok_or(DomainError::Missing("method"))?;
        if m.sources.is_empty() && m.to == VerificationState::Verified {
            return Err(DomainError::invalid(
                "sources",
                "a verified incident names the sources it rests on (indexes into its sources)",
            ));
        }
        let mut sources = m.sources;
        sources.sort_unstable();
        sources.dedup();
        if let Some(bad) = sources.iter().find(|i| **i >= self.sources.len()) {
            return Err(DomainError::invalid(
                "sources",
                format!(
                    "source {bad} does not exist; the incident has {} source(s), numbered from 0",
                    self.sources.len()
                ),
            ));
        }
        let verified_on = m.verified_on.unwrap_or(today);
        if verified_on > today {
            return Err(DomainError::invalid(
                "verified_on",
                "the verification date is in the future",
            ));
        }
        if verified_on < self.occurred_on {
            return Err(DomainError::invalid(
                "verified_on",
                "the verification date is before the incident's date",
            ));
        }
        Ok(Some(VerificationStep {
            from: self.state,
            to: m.to,
            by: by.to_string(),
            at,
            method: Some(method),
            sources,
            verified_on: Some(verified_on),
            note,
        }))
    }

    /// Apply a decided move.
    pub fn apply_verification(&mut self, step: VerificationStep) {
        self.state = step.to;
        self.updated_at = step.at;
        self.version += 1;
        self.verification.push(step);
    }

    /// The newest conclusion, if the incident stands concluded.
    pub fn conclusion(&self) -> Option<&VerificationStep> {
        if !self.state.is_conclusion() {
            return None;
        }
        self.verification.iter().rev().find(|s| s.to == self.state)
    }
}
