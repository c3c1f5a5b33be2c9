//! Recording an incident: the draft as a monitor gives it, checked rule by rule, each refusal
//! naming the field and what to do.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::{DatePrecision, Incident, PerpetratorCategory, Source, Victim, Violation};
use super::{Perpetrator, VerificationState};
use crate::DomainError;
use crate::compartment::Compartment;
use crate::limits;

/// Most victims, sources, perpetrators, violations or linked alerts one incident holds.
pub const MAX_PARTS: usize = 500;

/// What a monitor records.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentDraft {
    /// Compartment.
    pub compartment: Compartment,
    /// Date, to the precision known.
    pub occurred_on: NaiveDate,
    /// Precision.
    pub date_precision: DatePrecision,
    /// P-code (the application checks that the place exists).
    pub place: String,
    /// Narrative.
    pub narrative: String,
    /// Sources.
    pub sources: Vec<Source>,
    /// Linked alert ids (the application checks that they exist).
    pub alerts: Vec<String>,
    /// Perpetrators.
    pub perpetrators: Vec<Perpetrator>,
    /// Victims.
    pub victims: Vec<Victim>,
    /// Violations.
    pub violations: Vec<Violation>,
}

fn parts(field: &'static str, n: usize) -> Result<(), DomainError> {
    if n > MAX_PARTS {
        return Err(DomainError::TooMany {
            field,
            max: MAX_PARTS,
        });
    }
    Ok(())
}

fn trimmed(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl IncidentDraft {
    /// Check the draft and make it an incident recorded by `by` at `at`; `today` is the
    /// deployment's local date (an incident cannot have happened after it).
    pub fn record(
        mut self,
        id: String,
        by: &str,
        at: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Incident, DomainError> {
        limits::check("narrative", &self.narrative, limits::TEXT)?;
        limits::check("place", &self.place, limits::ID)?;
        parts("sources", self.sources.len())?;
        parts("victims", self.victims.len())?;
        parts("perpetrators", self.perpetrators.len())?;
        parts("violations", self.violations.len())?;
        parts("alerts", self.alerts.len())?;
        let narrative = self.narrative.trim().to_string();
        if narrative.is_empty() {
            return Err(DomainError::Missing("narrative"));
        }
        let place = self.place.trim().to_string();
        if place.is_empty() {
            return Err(DomainError::Missing("place"));
        }
        let occurred_on = self.normalised_date(today)?;
        self.check_violations()?;
        for v in &mut self.victims {
            v.name = trimmed(v.name.take());
            limits::check_opt("victims.name", v.name.as_deref(), limits::NAME)?;
        }
        for s in &mut self.sources {
            s.contact = trimmed(s.contact.take());
            limits::check_opt("sources.contact", s.contact.as_deref(), limits::NAME)?;
        }
        self.check_identities()?;
        for p in &mut self.perpetrators {
            p.actor = trimmed(p.actor.take());
            p.unit = trimmed(p.unit.take());
            limits::check_opt("perpetrators.actor", p.actor.as_deref(), limits::NAME)?;
            limits::check_opt("perpetrators.unit", p.unit.as_deref(), limits::NAME)?;
            if p.category == PerpetratorCategory::Unidentified
                && (p.actor.is_some() || p.unit.is_some())
            {
                return Err(DomainError::invalid(
                    "perpetrators",
                    "an unidentified perpetrator has no actor or unit; choose its category",
                ));
            }
        }
        let mut alerts: Vec<String> = self
            .alerts
            .into_iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        limits::check_list("alerts", &alerts, limits::ID)?;
        alerts.sort();
        alerts.dedup();
        Ok(Incident {
            id,
            compartment: self.compartment,
            occurred_on,
            date_precision: self.date_precision,
            place,
            narrative,
            sources: self.sources,
            alerts,
            perpetrators: self.perpetrators,
            victims: self.victims,
            violations: self.violations,
            state: VerificationState::Reported,
            verification: Vec::new(),
            recorded_by: by.to_string(),
            recorded_at: at,
            updated_at: at,
            version: 1,
            attachments: Vec::new(),
        })
    }

    /// The date at its precision (the first day of its month or year), not in the future.
    fn normalised_date(&self, today: NaiveDate) -> Result<NaiveDate, DomainError> {
        let d = self.occurred_on;
        let first = match self.date_precision {
            DatePrecision::Day => Some(d),
            DatePrecision::Month => NaiveDate::from_ymd_opt(d.year(), d.month(), 1),
            DatePrecision::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1),
        };
        let first = first.ok_or_else(|| DomainError::invalid("occurred_on", "not a date"))?;
        if first > today {
            return Err(DomainError::invalid(
                "occurred_on",
                format!("{d} is in the future"),
            ));
        }
        Ok(first)
    }

    fn check_violations(&mut self) -> Result<(), DomainError> {
        if self.violations.is_empty() {
            return Err(DomainError::invalid(
                "violations",
                "name at least one violation",
            ));
        }
        self.violations.sort();
        self.violations.dedup();
        let child_counted = self
            .victims
            .iter()
            .any(|x| x.age_group.is_child() || x.age_group == super::AgeGroup::Unknown);
        for v in &self.violations {
            if !v.allowed_in().contains(&self.compartment) {
                return Err(DomainError::invalid(
                    "compartment",
                    format!(
                        "'{v}' is recorded in the {} compartment, not in '{}'",
                        v.allowed_in()
                            .iter()
                            .map(|c| c.as_str())
                            .collect::<Vec<_>>()
                            .join(" or "),
                        self.compartment
                    ),
                ));
            }
            if v.needs_child_victim() && !child_counted {
                return Err(DomainError::invalid(
                    "victims",
                    format!(
                        "'{v}' is a grave violation against children: count at least one victim \
                         aged under 18 (0-4, 5-11, 12-17) or of unknown age"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Identities are kept only in sensitive compartments, where they are sealed.
    fn check_identities(&self) -> Result<(), DomainError> {
        if self.compartment.is_sensitive() {
            return Ok(());
        }
        if self.victims.iter().any(|v| v.name.is_some()) {
            return Err(DomainError::invalid(
                "victims.name",
                "names are kept only in a sensitive compartment (human_rights, crsv, children)",
            ));
        }
        if self.sources.iter().any(|s| s.contact.is_some()) {
            return Err(DomainError::invalid(
                "sources.contact",
                "contacts are kept only in a sensitive compartment (human_rights, crsv, children)",
            ));
        }
        Ok(())
    }
}
