//! The care of survivors: the directory of service providers, referrals made only with the
//! survivor's recorded informed consent and followed up, and the interview log shown before
//! any new interview. Every path goes through the incident's compartment: a referral or an
//! interview of an incident the caller may not see is not found, like the incident.

use kinga_domain::incident::care::{
    Consent, FollowUp, Interview, Referral, ReferralService, ReferralStatus, ServiceProvider,
    check_new_interview,
};
use kinga_domain::people::Permission;
use kinga_ledger::Payload;
use kinga_store::{Commit, Write};

use crate::{App, AppError, AppResult, Caller, limits};

/// A referral asked for: whom, to whom, for what, on what consent.
#[derive(Debug, Clone)]
pub struct ReferralRequest {
    /// The victim (index into the incident's victims).
    pub victim: usize,
    /// The provider's directory id.
    pub provider: String,
    /// The service.
    pub service: ReferralService,
    /// The survivor gave informed consent to this referral.
    pub consent: bool,
    /// Consent given by a parent or guardian, with the child's assent.
    pub by_guardian: bool,
}

/// An interview to log.
#[derive(Debug, Clone, Default)]
pub struct InterviewRequest {
    /// The victim (index into the incident's victims).
    pub victim: usize,
    /// Who interviews, when not the caller (an organisation's interview reported to us).
    pub by: Option<String>,
    /// With whom the account is shared (organisations), with consent.
    pub shared_with: Vec<String>,
    /// Why another interview is needed, when the survivor was already interviewed.
    pub reason: Option<String>,
}

impl App {
    /// The referral directory, for those who read incidents.
    pub async fn service_providers(&self, caller: &Caller) -> AppResult<Vec<ServiceProvider>> {
        caller.require(Permission::ReadIncidents)?;
        Ok(self.store.service_providers().await?)
    }

    /// Add (empty id) or change an entry of the directory.
    pub async fn save_service_provider(
        &self,
        caller: &Caller,
        mut p: ServiceProvider,
    ) -> AppResult<ServiceProvider> {
        caller.require(Permission::ManageRegistries)?;
        if p.id.trim().is_empty() {
            p.id = self.new_id();
        }
        p.check()?;
        let gaz = self.gazetteer();
        if let Some(bad) = p.places.iter().find(|c| gaz.get(c).is_none()) {
            return Err(AppError::Invalid(format!(
                "place '{bad}' is not a known P-code"
            )));
        }
        self.commit(Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::ServiceProviderSaved {
                    provider: p.clone(),
                },
            )],
            writes: vec![Write::ServiceProvider(p.clone())],
        })
        .await?;
        Ok(p)
    }

    /// Refer a victim of an incident the caller may see, only with recorded consent.
    pub async fn refer(
        &self,
        caller: &Caller,
        incident: &str,
        req: ReferralRequest,
    ) -> AppResult<Referral> {
        caller.require(Permission::ReadIncidents)?;
        let i = self.visible_incident(caller, incident).await?;
        caller.require(Permission::RecordIncidents)?;
        let provider = self
            .store
            .service_providers()
            .await?
            .into_iter()
            .find(|p| p.id == req.provider)
            .ok_or_else(|| AppError::Invalid(format!("no service provider '{}'", req.provider)))?;
        let now = self.now();
        let consent = Consent {
            given: req.consent,
            by_guardian: req.by_guardian,
            recorded_by: caller.name.clone(),
            at: now,
        };
        let r = Referral::make(
            self.new_id(),
            &i,
            req.victim,
            &provider,
            req.service,
            consent,
            now,
        )?;
        self.save_referral(caller, &r).await?;
        Ok(r)
    }

    /// Record a follow-up of a referral of an incident the caller may see.
    pub async fn follow_up_referral(
        &self,
        caller: &Caller,
        incident: &str,
        referral: &str,
        status: ReferralStatus,
    ) -> AppResult<Referral> {
        caller.require(Permission::ReadIncidents)?;
        self.visible_incident(caller, incident).await?;
        caller.require(Permission::RecordIncidents)?;
        let mut r = self
            .store
            .referrals_of(incident)
            .await?
            .into_iter()
            .find(|r| r.id == referral)
            .ok_or_else(|| AppError::NotFound("referral".into()))?;
        r.follow_up(FollowUp {
            at: self.now(),
            by: caller.name.clone(),
            status,
        })?;
        self.save_referral(caller, &r).await?;
        Ok(r)
    }

    async fn save_referral(&self, caller: &Caller, r: &Referral) -> AppResult<()> {
        self.commit(Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::ReferralSaved {
                    referral: r.clone(),
                },
            )],
            writes: vec![Write::Referral(r.clone())],
        })
        .await?;
        Ok(())
    }

    /// The referrals of an incident the caller may see, oldest first.
    pub async fn referrals(&self, caller: &Caller, incident: &str) -> AppResult<Vec<Referral>> {
        caller.require(Permission::ReadIncidents)?;
        self.visible_incident(caller, incident).await?;
        Ok(self.store.referrals_of(incident).await?)
    }

    /// The interview log of an incident the caller may see, newest first: shown before any
    /// new interview.
    pub async fn interviews(&self, caller: &Caller, incident: &str) -> AppResult<Vec<Interview>> {
        caller.require(Permission::ReadIncidents)?;
        self.visible_incident(caller, incident).await?;
        Ok(self.store.interviews_of(incident).await?)
    }

    /// Log an interview of a victim of an incident the caller may see; refused without a
    /// reason when the survivor was already interviewed.
    pub async fn log_interview(
        &self,
        caller: &Caller,
        incident: &str,
        req: InterviewRequest,
    ) -> AppResult<Interview> {
        caller.require(Permission::ReadIncidents)?;
        let i = self.visible_incident(caller, incident).await?;
        caller.require(Permission::RecordIncidents)?;
        if req.victim >= i.victims.len() {
            return Err(AppError::Invalid(format!(
                "the incident counts {} victim(s), numbered from 0",
                i.victims.len()
            )));
        }
        let by = req
            .by
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .unwrap_or_else(|| caller.name.clone());
        limits::check("by", &by, limits::NAME)?;
        let shared_with: Vec<String> = req
            .shared_with
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let reason = req
            .reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        let new = Interview {
            id: self.new_id(),
            incident: i.id.clone(),
            victim: req.victim,
            by,
            at: self.now(),
            shared_with,
            reason: reason.clone(),
        };
        let log = self.store.interviews_of(incident).await?;
        check_new_interview(&log, &new, reason.as_deref())?;
        self.commit(Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::InterviewLogged {
                    interview: new.clone(),
                },
            )],
            writes: vec![Write::Interview(new.clone())],
        })
        .await?;
        Ok(new)
    }
}
