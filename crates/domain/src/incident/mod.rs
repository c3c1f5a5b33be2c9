//! Protection monitoring: incidents, what was violated, against whom, by whom, on whose word,
//! and how far it has been verified.
//!
//! Identifying fields (victims' names, sources' contacts, and in sensitive compartments the
//! narrative and verification notes) are plain here; the application seals them with the
//! compartment's key before they reach an event or a row ([`Incident::identifying_mut`]).

pub mod care;
mod check;
pub mod geo;
pub mod hrddp;
mod parts;
pub mod report;
pub mod sanitise;
mod taxonomy;
mod verification;

#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use check::{IncidentDraft, MAX_PARTS};
pub use parts::{
    AgeGroup, DatePrecision, Perpetrator, PerpetratorCategory, Reliability, Sex, Source,
    SourceKind, Victim,
};
pub use taxonomy::{Taxonomy, Violation};
pub use verification::{VerificationMethod, VerificationMove, VerificationState, VerificationStep};

use crate::compartment::Compartment;

/// A recorded incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Incident {
    /// Stable id (ULID).
    pub id: String,
    /// The compartment that decides who may see it.
    pub compartment: Compartment,
    /// When it happened, to the precision known (the first day of the month or year).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub occurred_on: NaiveDate,
    /// How precisely the date is known.
    pub date_precision: DatePrecision,
    /// Where: a P-code.
    pub place: String,
    /// What happened (sealed in sensitive compartments).
    pub narrative: String,
    /// Who told of it.
    pub sources: Vec<Source>,
    /// Alerts of the early-warning network it follows from.
    pub alerts: Vec<String>,
    /// Who did it.
    pub perpetrators: Vec<Perpetrator>,
    /// To whom, counted one by one.
    pub victims: Vec<Victim>,
    /// What was violated.
    pub violations: Vec<Violation>,
    /// Verification state.
    pub state: VerificationState,
    /// Every verification move, oldest first.
    pub verification: Vec<VerificationStep>,
    /// Who recorded it (user name).
    pub recorded_by: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Version, incremented by each change (optimistic concurrency).
    pub version: u64,
    /// Files that came with it (a field form's photo), sealed with the instance key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub attachments: Vec<crate::media::MediaRef>,
}

impl Incident {
    /// The identifying texts of the incident, which the application seals and opens with the
    /// compartment key: victims' names and sources' contacts everywhere, and in sensitive
    /// compartments the narrative and the notes of verification moves.
    pub fn identifying_mut(&mut self) -> Vec<&mut String> {
        let sensitive = self.compartment.is_sensitive();
        let mut out: Vec<&mut String> = Vec::new();
        if sensitive {
            out.push(&mut self.narrative);
        }
        out.extend(self.victims.iter_mut().filter_map(|v| v.name.as_mut()));
        out.extend(self.sources.iter_mut().filter_map(|s| s.contact.as_mut()));
        if sensitive {
            out.extend(self.verification.iter_mut().filter_map(|s| s.note.as_mut()));
        }
        out
    }

    /// Whether an allegation has been confirmed: verified cases are counted apart.
    pub fn is_verified(&self) -> bool {
        self.state == VerificationState::Verified
    }

    /// The words a search may match without opening anything sealed: place, violations,
    /// perpetrators, and the narrative when it is not sealed (general compartment).
    pub fn search_text(&self) -> String {
        let mut words = vec![self.id.clone(), self.place.clone()];
        words.extend(self.violations.iter().map(|v| v.as_str().to_string()));
        for p in &self.perpetrators {
            words.push(p.category.as_str().to_string());
            words.extend(p.actor.clone());
            words.extend(p.unit.clone());
        }
        if !self.compartment.is_sensitive() {
            words.push(self.narrative.clone());
        }
        words.join(" ").to_lowercase()
    }
}
