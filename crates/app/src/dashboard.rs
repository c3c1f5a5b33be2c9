//! Figures the dashboards need that no other use case gives: alerts per local day over what
//! the caller's alert list shows (for roles that read no reports), and the open referrals
//! whose follow-up is due, in the caller's compartments only.

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;

use kinga_domain::analysis::trends::{self, Day};
use kinga_domain::incident::care::Referral;
use kinga_domain::people::Permission;
use kinga_store::{AlertQuery, AlertSort};

use crate::analysis::{EXPORT_PAGE, MAX_REPORT_DAYS};
use crate::{App, AppError, AppResult, Caller};

/// Open referrals read at most for one dashboard: the oldest first, so those most likely due.
pub const OPEN_REFERRALS_READ: usize = 1000;

/// The open referrals of the caller's compartments, and those whose follow-up is due.
#[derive(Debug, Clone, Default)]
pub struct ReferralsDue {
    /// Due now, the longest waiting first.
    pub due: Vec<Referral>,
    /// Open referrals read (pending or accepted).
    pub open: usize,
    /// More open referrals exist than were read ([`OPEN_REFERRALS_READ`]).
    pub more: bool,
}

impl App {
    /// Alerts per local day of `zone` from `first` to `last`, by the day received, over what
    /// `q` selects as the caller's alert list shows it (a responder: its own alerts); merged
    /// duplicates and false alarms left out. `q`'s dates, page and sort are replaced.
    pub async fn alert_days(
        &self,
        caller: &Caller,
        mut q: AlertQuery,
        zone: Tz,
        first: NaiveDate,
        last: NaiveDate,
    ) -> AppResult<Vec<Day>> {
        caller.require(Permission::ReadAlerts)?;
        if last < first || (last - first).num_days() > MAX_REPORT_DAYS {
            return Err(AppError::Invalid(format!(
                "the days must run forwards over at most {MAX_REPORT_DAYS} days"
            )));
        }
        let midnight = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| zone.from_local_datetime(&t).earliest())
                .map(|t| t.with_timezone(&chrono::Utc))
                .ok_or_else(|| AppError::Invalid(format!("no midnight on {d} in {zone}")))
        };
        let end = last
            .succ_opt()
            .ok_or_else(|| AppError::Invalid("the days are out of range".into()))?;
        q.received_from = Some(midnight(first)?);
        q.received_to = Some(midnight(end)?);
        q.sort = AlertSort::Newest;
        q.limit = EXPORT_PAGE;
        q.offset = 0;
        q.before = None;
        q.no_total = true;
        let mut alerts = vec![];
        loop {
            // Through the alert list itself: same permission, same responder rule.
            let page = self.alerts(caller, q.clone()).await?;
            let n = page.items.len();
            q.before = page.items.last().map(|a| (a.received_at, a.id.clone()));
            alerts.extend(page.items);
            if n < q.limit {
                break;
            }
        }
        Ok(trends::daily_by_threat(&alerts, zone, first, last))
    }

    /// The open referrals of incidents in the compartments the caller may see, with those
    /// whose follow-up is due now; nothing of a compartment the caller is not granted.
    pub async fn referrals_due(&self, caller: &Caller) -> AppResult<ReferralsDue> {
        caller.require(Permission::ReadIncidents)?;
        let visible = self.visible_compartments(caller).await?;
        let open = self
            .store
            .open_referrals(&visible, OPEN_REFERRALS_READ)
            .await?;
        let now = self.now();
        let n = open.len();
        let mut due: Vec<Referral> = open.into_iter().filter(|r| r.follow_up_due(now)).collect();
        due.sort_by_key(Referral::last_contact);
        Ok(ReferralsDue {
            due,
            open: n,
            more: n >= OPEN_REFERRALS_READ,
        })
    }
}
