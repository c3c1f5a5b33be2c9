//! Care of survivors: referrals to service providers (only with recorded informed consent,
//! followed up until closed) and the interview log shown before any new interview, so that
//! nobody is interviewed twice without need. The application stores them (ledger events and
//! the `service_providers`, `referrals` and `interviews` tables).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Incident, Taxonomy};
use crate::DomainError;
use crate::limits;

/// A service a survivor can be referred to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferralService {
    /// Medical care (including post-exposure prophylaxis within 72 hours).
    Medical,
    /// Psychosocial support.
    Psychosocial,
    /// Legal aid.
    Legal,
    /// Safety and shelter.
    SafetyShelter,
    /// Socio-economic support.
    SocioEconomic,
}

/// What kind of organisation a service provider is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// A one-stop centre (medical, psychosocial and legal under one roof).
    OneStopCentre,
    /// A child-protection agency.
    ChildProtection,
    /// A health facility.
    Health,
    /// A non-governmental organisation.
    Ngo,
    /// A government service.
    Government,
    /// A UN agency.
    UnAgency,
    /// Anything else.
    Other,
}

/// An entry of the directory of service providers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceProvider {
    /// Stable id (given by the application when empty).
    #[serde(default)]
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: ProviderKind,
    /// Services offered.
    pub services: Vec<ReferralService>,
    /// Places served (P-codes; an area covers its places).
    #[serde(default)]
    pub places: Vec<String>,
}

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    /// Made, no answer yet.
    Pending,
    /// The provider took the survivor in.
    Accepted,
    /// The provider or the survivor declined.
    Declined,
    /// The service was given.
    Completed,
    /// Contact was lost.
    LostToFollowUp,
}

impl ReferralStatus {
    /// The statuses reachable by a follow-up.
    pub fn next(self) -> &'static [ReferralStatus] {
        use ReferralStatus::*;
        match self {
            Pending => &[Accepted, Declined, LostToFollowUp],
            Accepted => &[Completed, LostToFollowUp],
            Declined | Completed | LostToFollowUp => &[],
        }
    }
}

/// The survivor's informed consent to a referral, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consent {
    /// Consent was given for this referral.
    pub given: bool,
    /// Given by a parent or guardian (a child survivor), the child's assent recorded.
    #[serde(default)]
    pub by_guardian: bool,
    /// Who recorded it (user name).
    pub recorded_by: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// One follow-up of a referral.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (user name).
    pub by: String,
    /// The status it found.
    pub status: ReferralStatus,
}

/// A referral of one victim of an incident to a provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referral {
    /// Stable id.
    pub id: String,
    /// The incident.
    pub incident: String,
    /// The victim (index into the incident's victims).
    pub victim: usize,
    /// The service.
    pub service: ReferralService,
    /// The provider (directory id).
    pub provider: String,
    /// The consent it rests on.
    pub consent: Consent,
    /// Current status.
    pub status: ReferralStatus,
    /// When it was made.
    pub referred_at: DateTime<Utc>,
    /// Follow-ups, oldest first.
    pub follow_ups: Vec<FollowUp>,
}

impl Referral {
    /// A referral of `victim` of `incident` to `provider` for `service`, refused without the
    /// survivor's recorded consent, for a victim the incident does not count, or to a
    /// provider that does not offer the service.
    pub fn make(
        id: String,
        incident: &Incident,
        victim: usize,
        provider: &ServiceProvider,
        service: ReferralService,
        consent: Consent,
        at: DateTime<Utc>,
    ) -> Result<Referral, DomainError> {
        if !consent.given {
            return Err(DomainError::invalid(
                "consent",
                "a referral is made only with the survivor's informed consent, recorded first",
            ));
        }
        let Some(v) = incident.victims.get(victim) else {
            return Err(DomainError::invalid(
                "victim",
                format!(
                    "the incident counts {} victim(s), numbered from 0",
                    incident.victims.len()
                ),
            ));
        };
        if v.age_group.is_child() && !consent.by_guardian {
            return Err(DomainError::invalid(
                "consent",
                "a child's referral needs a parent's or guardian's consent (with the child's assent)",
            ));
        }
        if !provider.services.contains(&service) {
            return Err(DomainError::invalid(
                "service",
                format!("{} does not offer this service", provider.name),
            ));
        }
        Ok(Referral {
            id,
            incident: incident.id.clone(),
            victim,
            service,
            provider: provider.id.clone(),
            consent,
            status: ReferralStatus::Pending,
            referred_at: at,
            follow_ups: Vec::new(),
        })
    }

    /// Record a follow-up; the status must be reachable from the current one (the same
    /// status again is a follow-up that found nothing new).
    pub fn follow_up(&mut self, f: FollowUp) -> Result<(), DomainError> {
        if f.status != self.status && !self.status.next().contains(&f.status) {
            return Err(DomainError::invalid(
                "status",
                "this status cannot follow the referral's current one",
            ));
        }
        self.status = f.status;
        self.follow_ups.push(f);
        Ok(())
    }
}

/// Days after a referral, or after its last follow-up, when the survivor's case is due to be
/// followed up again (the GBV case-management guidelines' weekly check while a service is
/// pending or under way).
pub const FOLLOW_UP_EVERY_DAYS: i64 = 7;

impl Referral {
    /// Still open: waiting for the provider, or taken in and not completed.
    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            ReferralStatus::Pending | ReferralStatus::Accepted
        )
    }

    /// When someone last checked on it: its last follow-up, else when it was made.
    pub fn last_contact(&self) -> DateTime<Utc> {
        self.follow_ups
            .iter()
            .map(|f| f.at)
            .max()
            .unwrap_or(self.referred_at)
            .max(self.referred_at)
    }

    /// When the next follow-up is due, for an open referral.
    pub fn follow_up_due_at(&self) -> Option<DateTime<Utc>> {
        self.is_open()
            .then(|| self.last_contact() + Duration::days(FOLLOW_UP_EVERY_DAYS))
    }

    /// Whether it is open and its follow-up due at `now`.
    pub fn follow_up_due(&self, now: DateTime<Utc>) -> bool {
        self.follow_up_due_at().is_some_and(|t| t <= now)
    }
}

/// Whether a violation is sexual violence: CRSV, or sexual violence against children.
pub fn is_sexual_violence(v: super::Violation) -> bool {
    v.taxonomy() == Taxonomy::Crsv || v == super::Violation::SexualViolenceAgainstChildren
}

impl ServiceProvider {
    /// Check a directory entry as typed: a name, at least one service, sizes within limits.
    pub fn check(&mut self) -> Result<(), DomainError> {
        self.name = self.name.trim().to_string();
        if self.name.is_empty() {
            return Err(DomainError::Missing("name"));
        }
        limits::check("name", &self.name, limits::NAME)?;
        limits::check("id", &self.id, limits::ID)?;
        limits::check_list("places", &self.places, limits::ID)?;
        if self.services.is_empty() {
            return Err(DomainError::invalid(
                "services",
                "name at least one service (medical, psychosocial, legal, safety_shelter, socio_economic)",
            ));
        }
        self.services.sort_by_key(|s| *s as u8);
        self.services.dedup();
        Ok(())
    }
}

/// Share of sexual-violence incidents (CRSV, or sexual violence against children) whose
/// survivors were referred at least once, as a figure between 0 and 1; `None` when there is
/// no such incident.
pub fn sexual_violence_response_rate(
    incidents: &[Incident],
    referrals: &[Referral],
) -> Option<f64> {
    let sv: Vec<&Incident> = incidents
        .iter()
        .filter(|i| i.violations.iter().any(|v| is_sexual_violence(*v)))
        .collect();
    if sv.is_empty() {
        return None;
    }
    let referred = sv
        .iter()
        .filter(|i| referrals.iter().any(|r| r.incident == i.id))
        .count();
    Some(referred as f64 / sv.len() as f64)
}

/// One interview of a survivor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Interview {
    /// Stable id.
    #[serde(default)]
    pub id: String,
    /// The incident.
    pub incident: String,
    /// The victim (index into the incident's victims).
    pub victim: usize,
    /// Who interviewed (user name or organisation).
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
    /// With whom the account was shared (organisations), with consent.
    #[serde(default)]
    pub shared_with: Vec<String>,
    /// Why another interview was needed (when the survivor had already been interviewed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The interviews a survivor has already given, newest first: shown before any new
/// interview. A new one needs a stated reason when there is any.
pub fn prior_interviews<'a>(
    log: &'a [Interview],
    incident: &str,
    victim: usize,
) -> Vec<&'a Interview> {
    let mut prior: Vec<&Interview> = log
        .iter()
        .filter(|i| i.incident == incident && i.victim == victim)
        .collect();
    prior.sort_by_key(|i| std::cmp::Reverse(i.at));
    prior
}

/// Check a new interview against the log: refused without a reason when the survivor was
/// already interviewed.
pub fn check_new_interview(
    log: &[Interview],
    new: &Interview,
    reason: Option<&str>,
) -> Result<(), DomainError> {
    limits::check_opt("reason", reason, limits::REASON)?;
    limits::check_list("shared_with", &new.shared_with, limits::NAME)?;
    let prior = prior_interviews(log, &new.incident, new.victim);
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if let (Some(last), None) = (prior.first(), reason) {
        return Err(DomainError::invalid(
            "reason",
            format!(
                "this survivor was already interviewed by {} on {} ({} interview(s) in all): \
                 say why another interview is needed",
                last.by,
                last.at.format("%Y-%m-%d"),
                prior.len()
            ),
        ));
    }
    Ok(())
}
