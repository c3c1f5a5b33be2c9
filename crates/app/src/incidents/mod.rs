//! Protection monitoring: recording incidents, listing and searching them, opening one, and
//! moving it through verification. Every path asks [`App::visible_compartments`] first: a
//! record of a compartment the caller may not see is answered exactly like a missing one,
//! left out of lists, searches and counts.

mod care;
mod derive;
mod files;
mod gbvims;
pub mod geo;
mod grants;
mod hrddp;
pub(crate) mod keys;
mod openrosa;
mod report;

pub use care::{InterviewRequest, ReferralRequest};
pub use keys::{Keyring, SEALED_ELSEWHERE};
pub use openrosa::{FormFile, FormIntake};

use kinga_domain::compartment::Compartment;
use kinga_domain::incident::{Incident, IncidentDraft, VerificationMove};
use kinga_domain::media::MediaRef;
use kinga_domain::people::Permission;
use kinga_ledger::Payload;
use kinga_store::{Commit, IncidentPage, IncidentQuery, Write};

use crate::{App, AppError, AppResult, Caller, limits};

/// The answer for an incident that does not exist or that the caller may not see: the same
/// words either way, so the answer tells nothing.
fn not_found() -> AppError {
    AppError::NotFound("incident".into())
}

/// The reason given to open a record of a sensitive compartment (`None` for a general
/// one); refused when a sensitive record is opened without one.
pub(crate) fn reason_to_open<'r>(
    i: &Incident,
    reason: Option<&'r str>,
) -> AppResult<Option<&'r str>> {
    if !i.compartment.is_sensitive() {
        return Ok(None);
    }
    let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) else {
        return Err(AppError::Invalid(format!(
            "opening a record of the {} compartment needs a reason (the `reason` parameter); \
             the read is audited",
            i.compartment
        )));
    };
    limits::check("reason", reason, limits::REASON)?;
    Ok(Some(reason))
}

/// Blank the identifying fields of an incident shown in a list or after a move: they are
/// shown only when one record is opened, with a reason, and that read is audited.
pub fn withhold_identities(i: &mut Incident) {
    if i.compartment.is_sensitive() {
        i.narrative = String::new();
        for s in &mut i.verification {
            s.note = None;
        }
    }
    for v in &mut i.victims {
        v.name = None;
    }
    for s in &mut i.sources {
        s.contact = None;
    }
}

impl App {
    /// Record an incident in a compartment the caller may see; answers it as recorded (the
    /// caller's own words, opened).
    pub async fn record_incident(
        &self,
        caller: &Caller,
        draft: IncidentDraft,
    ) -> AppResult<Incident> {
        let (recorded, opened) = self.prepare_incident(caller, draft, Vec::new()).await?;
        self.commit(Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::IncidentSaved {
                    incident: recorded.clone(),
                },
            )],
            writes: vec![Write::Incident {
                incident: Box::new(recorded),
                expected_version: None,
            }],
        })
        .await?;
        Ok(opened)
    }

    /// Check a draft the caller records (permission, grant, place, linked alerts) and make it
    /// an incident with its attachments: answers it sealed (for the event and the row) and
    /// opened (for the caller).
    pub(crate) async fn prepare_incident(
        &self,
        caller: &Caller,
        draft: IncidentDraft,
        attachments: Vec<MediaRef>,
    ) -> AppResult<(Incident, Incident)> {
        caller.require(Permission::RecordIncidents)?;
        let c = draft.compartment;
        if !self.may_see(caller, c).await? {
            return Err(AppError::Forbidden(format!(
                "you hold no grant of the {c} compartment; an administrator gives it with \
                 `kinga user grant {} {c}`",
                caller.name
            )));
        }
        let place = draft.place.trim().to_string();
        limits::check("place", &place, limits::ID)?;
        if !place.is_empty() && self.gazetteer().get(&place).is_none() {
            return Err(AppError::Invalid(format!(
                "place '{place}' is not a known P-code"
            )));
        }
        for a in &draft.alerts {
            limits::check("alerts", a, limits::ID)?;
        }
        let mut recorded =
            draft
                .clone()
                .record(self.new_id(), &caller.name, self.now(), self.local_today())?;
        for a in &recorded.alerts {
            if self.store.alert(a).await?.is_none() {
                return Err(AppError::Invalid(format!("alert '{a}' does not exist")));
            }
        }
        recorded.attachments = attachments;
        let opened = recorded.clone();
        self.seal_incident(&mut recorded).await?;
        Ok((recorded, opened))
    }

    /// A page of incidents the caller may see (identities withheld), newest first, with the
    /// count per verification state. Asking for compartments the caller may not see narrows
    /// the answer; it never widens it.
    pub async fn incidents(
        &self,
        caller: &Caller,
        query: IncidentQuery,
    ) -> AppResult<IncidentPage> {
        caller.require(Permission::ReadIncidents)?;
        let visible = self.visible_compartments(caller).await?;
        let compartments: Vec<Compartment> = if query.compartments.is_empty() {
            visible
        } else {
            query
                .compartments
                .iter()
                .copied()
                .filter(|c| visible.contains(c))
                .collect()
        };
        limits::check_opt("q", query.text.as_deref(), limits::PLACE_NAME)?;
        limits::check_opt("place", query.place_prefix.as_deref(), limits::ID)?;
        let mut page = self
            .store
            .incidents(&IncidentQuery {
                compartments,
                ..query
            })
            .await?;
        for i in &mut page.items {
            withhold_identities(i);
        }
        Ok(page)
    }

    /// One incident, opened. Reading a record of a sensitive compartment needs a reason and is
    /// audited (who, when, which record, why) in the ledger.
    pub async fn incident(
        &self,
        caller: &Caller,
        id: &str,
        reason: Option<&str>,
    ) -> AppResult<Incident> {
        caller.require(Permission::ReadIncidents)?;
        let mut i = self.visible_incident(caller, id).await?;
        if let Some(reason) = reason_to_open(&i, reason)? {
            self.open_incident(&mut i).await?;
            self.audit(caller, "read", &format!("incident:{}", i.id), reason)
                .await?;
        } else {
            self.open_incident(&mut i).await?;
        }
        Ok(i)
    }

    /// One incident as lists show it (identities withheld, nothing opened, so no audit): what
    /// a page shows of a sensitive record before its reader gives a reason to open it.
    pub async fn incident_summary(&self, caller: &Caller, id: &str) -> AppResult<Incident> {
        caller.require(Permission::ReadIncidents)?;
        let mut i = self.visible_incident(caller, id).await?;
        withhold_identities(&mut i);
        Ok(i)
    }

    /// The stored (sealed) incident when the caller may see it; otherwise not found.
    pub(crate) async fn visible_incident(&self, caller: &Caller, id: &str) -> AppResult<Incident> {
        // An id no record can have (too long, a NUL) is simply not found.
        if limits::check("id", id, limits::ID).is_err() {
            return Err(not_found());
        }
        match self.store.incident(id).await? {
            Some(i) if self.may_see(caller, i.compartment).await? => Ok(i),
            _ => Err(not_found()),
        }
    }

    /// Move an incident through verification (the caller is the verifying officer); answers
    /// it with identities withheld. Repeating a move changes nothing.
    pub async fn move_incident(
        &self,
        caller: &Caller,
        id: &str,
        mv: VerificationMove,
    ) -> AppResult<Incident> {
        caller.require(Permission::ReadIncidents)?;
        let mut i = self.visible_incident(caller, id).await?;
        caller.require(Permission::VerifyIncidents)?;
        let step = i.decide_verification(mv, &caller.name, self.now(), self.local_today())?;
        if let Some(mut step) = step {
            // The note is sealed like the narrative in sensitive compartments.
            if let (true, Some(note)) = (i.compartment.is_sensitive(), step.note.take()) {
                step.note = Some(self.seal_text(i.compartment, &note).await?);
            }
            let expected = i.version;
            i.apply_verification(step);
            self.commit(Commit {
                events: vec![self.draft(
                    &caller.name,
                    Payload::IncidentSaved {
                        incident: i.clone(),
                    },
                )],
                writes: vec![Write::Incident {
                    incident: Box::new(i.clone()),
                    expected_version: Some(expected),
                }],
            })
            .await?;
        }
        withhold_identities(&mut i);
        Ok(i)
    }
}
