//! The MRM/MARA aggregate report of a period: only the compartments the reader may see are
//! counted, and small counts of sensitive records are hidden (see
//! [`kinga_domain::incident::report`]).

use kinga_domain::incident::Violation;
use kinga_domain::incident::care::is_sexual_violence;
use kinga_domain::incident::report::{MrmReport, Period, ReferralRate};
use kinga_domain::people::Permission;

use crate::{App, AppResult, Caller};

impl App {
    /// The MRM/MARA table of `period` (`2026-Q3`, `2026-09`, `2026`; the current quarter when
    /// none is given) over the compartments the caller may see.
    pub async fn mrm_report(&self, caller: &Caller, period: Option<&str>) -> AppResult<MrmReport> {
        caller.require(Permission::ReadIncidents)?;
        let period = match period.map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => p.parse::<Period>()?,
            None => Period::quarter_of(self.local_today()),
        };
        let visible = self.visible_compartments(caller).await?;
        let tallies = self
            .store
            .incident_tallies(&visible, period.from, period.to)
            .await?;
        let threshold = self.settings.monitoring.suppression_threshold;
        let sv: Vec<&str> = Violation::ALL
            .iter()
            .filter(|v| is_sexual_violence(**v))
            .map(|v| v.as_str())
            .collect();
        let (n, referred) = self
            .store
            .referred_counts(&visible, period.from, period.to, &sv)
            .await?;
        let mut report = MrmReport::build(&period, visible, &tallies, threshold);
        report.sv_referrals = ReferralRate::of(n, referred, threshold);
        Ok(report)
    }
}
