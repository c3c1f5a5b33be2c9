//! Human Rights Due Diligence screening of state-security units proposed for support: the
//! documented record of a unit, drawn from the incidents the screener may see, the rated
//! risk and the mitigation measures, kept as ledger events (`hrddp_screening_saved`).
//!
//! A screening keeps the compartments its author saw; only readers who see every one of them
//! see it, so a screening informed by CRSV cases is, to anyone without the CRSV grant, like
//! one that does not exist.

use kinga_domain::compartment::Compartment;
use kinga_domain::incident::hrddp::{Screening, ScreeningDraft, UnitRecord, unit_record};
use kinga_domain::people::Permission;
use kinga_ledger::Payload;
use kinga_store::{Commit, IncidentQuery, Write};

use crate::{App, AppError, AppResult, Caller, limits};

/// Incidents read per page while gathering a unit's record.
const PAGE: usize = 1000;

impl App {
    /// The documented record of a unit (and force, when named), from the incidents the
    /// caller may see, with the compartments it was drawn from.
    pub async fn unit_record(
        &self,
        caller: &Caller,
        unit: &str,
        actor: Option<&str>,
    ) -> AppResult<(UnitRecord, Vec<Compartment>)> {
        caller.require(Permission::ReadIncidents)?;
        limits::check("unit", unit, limits::NAME)?;
        limits::check_opt("actor", actor, limits::NAME)?;
        let compartments = self.visible_compartments(caller).await?;
        let unit = unit.trim();
        if unit.is_empty() {
            return Ok((UnitRecord::default(), compartments));
        }
        // The unit is in each incident's searchable text, so the search narrows the read to
        // candidates; the domain then matches the unit exactly.
        let mut found = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .store
                .incidents(&IncidentQuery {
                    compartments: compartments.clone(),
                    text: Some(unit.to_lowercase()),
                    limit: PAGE,
                    offset,
                    ..IncidentQuery::default()
                })
                .await?;
            let n = page.items.len();
            found.extend(page.items);
            offset += n;
            if n < PAGE {
                break;
            }
        }
        Ok((unit_record(&found, unit, actor), compartments))
    }

    /// Screen a unit: its record now, the rule's rating, the measures decided; recorded in the
    /// ledger.
    pub async fn screen_unit(
        &self,
        caller: &Caller,
        draft: ScreeningDraft,
    ) -> AppResult<Screening> {
        caller.require(Permission::RecordIncidents)?;
        let (record, compartments) = self
            .unit_record(caller, &draft.unit, draft.actor.as_deref())
            .await?;
        let screening = draft.screen(
            self.new_id(),
            record,
            compartments,
            &caller.name,
            self.now(),
            self.local_today(),
        )?;
        self.commit(Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::HrddpScreeningSaved {
                    screening: screening.clone(),
                },
            )],
            writes: vec![Write::HrddpScreening(Box::new(screening.clone()))],
        })
        .await?;
        Ok(screening)
    }

    /// The screenings the caller may see (those drawn only from compartments it sees), newest
    /// first.
    pub async fn screenings(&self, caller: &Caller) -> AppResult<Vec<Screening>> {
        caller.require(Permission::ReadIncidents)?;
        let visible = self.visible_compartments(caller).await?;
        let mut all = self.store.hrddp_screenings().await?;
        all.retain(|s| s.compartments.iter().all(|c| visible.contains(c)));
        Ok(all)
    }

    /// One screening, or not found (also when the caller may not see it).
    pub async fn screening(&self, caller: &Caller, id: &str) -> AppResult<Screening> {
        self.screenings(caller)
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| AppError::NotFound("screening".into()))
    }
}
