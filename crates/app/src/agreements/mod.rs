//! Data-sharing agreements with paired instances: recording, listing and revoking them (each
//! a ledger event), choosing the one that governs a handover export, and the filter that
//! decides, event by event, what may cross (`filter.rs`).

mod filter;

pub use filter::SharingFilter;

use kinga_domain::agreement::{Agreement, AgreementInput, Checked, Revocation, check};
use kinga_domain::peer::check_name;
use kinga_domain::people::Permission;
use kinga_handover::PublicKey;
use kinga_ledger::Payload;
use kinga_store::{Commit, Write};

use crate::{App, AppError, AppResult, Caller};

/// Longest revocation reason.
const MAX_REASON: usize = 500;

impl App {
    /// Record an agreement with a paired instance. Refuses an unpaired peer and anything
    /// malformed (dates in the wrong order, an unknown record type, a level that is neither
    /// `records` nor `aggregates`).
    pub async fn add_agreement(
        &self,
        caller: &Caller,
        input: &AgreementInput,
    ) -> AppResult<Agreement> {
        caller.require(Permission::Handover)?;
        let peer = check_name(&input.peer)?;
        if !self.store.peers().await?.iter().any(|p| p.name == peer) {
            return Err(AppError::Invalid(format!(
                "no paired instance is named {peer}: pair it first (kinga peer add)"
            )));
        }
        let Checked {
            organisation,
            purpose,
            level,
            compartments,
            withheld_fields,
        } = check(input)?;
        let agreement = Agreement {
            id: self.new_id(),
            peer,
            organisation,
            compartments,
            withheld_fields,
            level,
            purpose,
            valid_from: input.valid_from,
            valid_until: input.valid_until,
            recorded_by: caller.name.clone(),
            recorded_at: self.now(),
            revoked: None,
        };
        self.save_agreement(caller, &agreement).await?;
        Ok(agreement)
    }

    /// Every agreement, by id (oldest first: ids are ULIDs).
    pub async fn agreements(&self, caller: &Caller) -> AppResult<Vec<Agreement>> {
        caller.require(Permission::Handover)?;
        Ok(self.store.agreements().await?)
    }

    /// End an agreement before its term. A revoked agreement stays in the record; nothing
    /// crosses under it any more.
    pub async fn revoke_agreement(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> AppResult<Agreement> {
        caller.require(Permission::Handover)?;
        let reason = reason.trim();
        if reason.is_empty()
            || reason.chars().count() > MAX_REASON
            || reason.chars().any(char::is_control)
        {
            return Err(AppError::Invalid(format!(
                "a revocation gives its reason: 1 to {MAX_REASON} characters on one line"
            )));
        }
        let mut agreement = self
            .store
            .agreements()
            .await?
            .into_iter()
            .find(|a| a.id == id.trim())
            .ok_or_else(|| AppError::NotFound(format!("agreement {}", id.trim())))?;
        if agreement.revoked.is_some() {
            return Err(AppError::Invalid(format!(
                "agreement {} is already revoked",
                agreement.id
            )));
        }
        agreement.revoked = Some(Revocation {
            by: caller.name.clone(),
            at: self.now(),
            reason: reason.to_string(),
        });
        self.save_agreement(caller, &agreement).await?;
        Ok(agreement)
    }

    async fn save_agreement(&self, caller: &Caller, agreement: &Agreement) -> AppResult<()> {
        let event = self.draft(
            &caller.name,
            Payload::AgreementSaved {
                agreement: agreement.clone(),
            },
        );
        self.commit(Commit {
            events: vec![event],
            writes: vec![Write::Agreement(agreement.clone())],
        })
        .await?;
        Ok(())
    }

    /// The agreement that governs what goes to `recipient` today: the one named by `chosen`
    /// (which must be in force and made with the peer holding that key), else the one in
    /// force with the peer holding that key (the newest, if several). `None` when the
    /// recipient is not a paired instance with any agreement: a handover of custody, whole.
    /// A peer whose every agreement has ended gets nothing: refused.
    pub async fn agreement_for(
        &self,
        caller: &Caller,
        recipient: &PublicKey,
        chosen: Option<&str>,
    ) -> AppResult<Option<Agreement>> {
        caller.require(Permission::Handover)?;
        // An agreement's dates are days where it was signed: the deployment's local days.
        let today = self.local_today();
        let key = recipient.to_string();
        let peers: Vec<String> = self
            .store
            .peers()
            .await?
            .into_iter()
            .filter(|p| p.key == key)
            .map(|p| p.name)
            .collect();
        let all = self.store.agreements().await?;
        if let Some(id) = chosen {
            let a = all
                .into_iter()
                .find(|a| a.id == id.trim())
                .ok_or_else(|| AppError::NotFound(format!("agreement {}", id.trim())))?;
            if !peers.contains(&a.peer) {
                return Err(AppError::Invalid(format!(
                    "agreement {} is with {}, whose key is not the recipient's",
                    a.id, a.peer
                )));
            }
            if !a.in_force(today) {
                return Err(AppError::Invalid(format!(
                    "agreement {} is {} on {today}: nothing crosses under it",
                    a.id,
                    a.state(today)
                )));
            }
            return Ok(Some(a));
        }
        let theirs: Vec<Agreement> = all
            .into_iter()
            .filter(|a| peers.contains(&a.peer))
            .collect();
        if theirs.is_empty() {
            return Ok(None);
        }
        match theirs.into_iter().rev().find(|a| a.in_force(today)) {
            Some(a) => Ok(Some(a)),
            None => Err(AppError::Invalid(format!(
                "no agreement with {} is in force on {today}: nothing may be sent to it",
                peers.join(", ")
            ))),
        }
    }
}
