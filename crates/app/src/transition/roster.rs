//! The staff roster. Planners keep it. Its rows — names, contracts, languages — are
//! personnel data: only planners read them. Every reader of the transition sees the
//! summaries per place (how many staff, women liaison staff, contracts ending before the
//! handover).

use chrono::NaiveDate;

use kinga_domain::people::Permission;
use kinga_domain::transition::{
    Book, Capacity, RecordKind, RosterSummary, StaffInput, StaffMember, TransitionRecord,
    check_staff, roster_summary,
};

use super::records::unwrap_records;
use crate::{App, AppResult, Caller};

impl App {
    /// The whole roster, by name (planners only).
    pub async fn staff(&self, caller: &Caller) -> AppResult<Vec<StaffMember>> {
        caller.require(Permission::PlanTransition)?;
        let mut list = unwrap_records!(self.records_of(RecordKind::Staff).await?, Staff);
        list.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        Ok(list)
    }

    /// The day the mission first hands over or withdraws a capacity in `pcode`: the earliest
    /// handover date of the plans holding there, or base closure touching it.
    pub async fn handover_date(&self, pcode: &str) -> AppResult<Option<NaiveDate>> {
        let (plans, withdrawals) = (
            self.store.capacity_plans().await?,
            self.store.withdrawal_plans().await?,
        );
        let book = Book::new(&plans, &withdrawals);
        let gaz = self.gazetteer();
        let plans = Capacity::ALL
            .into_iter()
            .filter_map(|c| book.plan_for(&gaz, pcode, c).and_then(|p| p.handover_on));
        let closures = book
            .closures_touching(&gaz, pcode)
            .into_iter()
            .map(|(_, c)| c.closes_on);
        Ok(plans.chain(closures).min())
    }

    /// The roster summary of a place, contracts compared with its handover date.
    pub async fn roster_summary(&self, caller: &Caller, pcode: &str) -> AppResult<RosterSummary> {
        caller.require(Permission::ReadTransition)?;
        self.known_place(pcode)?;
        let staff = unwrap_records!(self.records_of(RecordKind::Staff).await?, Staff);
        let handover = self.handover_date(pcode).await?;
        Ok(roster_summary(&staff, &self.gazetteer(), pcode, handover))
    }

    /// Add a staff member or change their record.
    pub async fn save_staff(&self, caller: &Caller, input: StaffInput) -> AppResult<StaffMember> {
        caller.require(Permission::PlanTransition)?;
        let (id, stamp, stored) = self
            .next_stamp(
                caller,
                RecordKind::Staff,
                input.id.as_deref(),
                input.version,
            )
            .await?;
        let mut m = StaffMember {
            id,
            name: input.name,
            role: input.role,
            sex: input.sex,
            languages: input.languages,
            places: input.places,
            contract_ends_on: input.contract_ends_on,
            note: input.note,
            stamp,
        };
        check_staff(&mut m, &self.gazetteer())?;
        let expected = stored.map(|s| s.stamp().version);
        self.write_record(caller, TransitionRecord::Staff(m.clone()), expected)
            .await?;
        Ok(m)
    }

    /// Remove a staff member from the roster.
    pub async fn remove_staff(&self, caller: &Caller, id: &str, version: u64) -> AppResult<()> {
        caller.require(Permission::PlanTransition)?;
        self.remove_record(caller, RecordKind::Staff, id, version)
            .await
    }
}
