//! Post-closure monitoring (windows and figures in
//! `kinga_domain::transition::after_closure`): for every closed base, the alerts and response
//! times in its areas over equal windows before and after the closure, and the incidents there
//! counted only within the caller's visible compartments (`App::visible_compartments`).

use chrono::{Days, NaiveDate};
use serde::Serialize;

use kinga_domain::incident::VerificationState;
use kinga_domain::people::Permission;
use kinga_domain::transition::BaseClosure;
use kinga_domain::transition::after_closure::{
    DEFAULT_DAYS, Span, WindowFigures, outermost, window_figures, windows,
};
use kinga_store::IncidentQuery;

use crate::{App, AppResult, Caller};

/// A closed base and what changed in its areas.
#[derive(Debug, Clone, Serialize)]
pub struct ClosureWatch {
    /// The mission.
    pub mission: String,
    /// The withdrawal plan's id.
    pub withdrawal: String,
    /// The closure.
    pub closure: BaseClosure,
    /// Days each window spans.
    pub days: u32,
    /// The window before the closure.
    pub before: WindowFigures,
    /// The window from the closure on.
    pub after: WindowFigures,
    /// False when the caller sees no incident compartment (incident counts are then 0).
    pub incidents_visible: bool,
}

impl App {
    /// Every base closed on or before today, newest closure first, with its figures over
    /// windows of at most `days` days (default 90) before and after.
    pub async fn after_closures(
        &self,
        caller: &Caller,
        days: Option<u32>,
    ) -> AppResult<Vec<ClosureWatch>> {
        caller.require(Permission::ReadTransition)?;
        let days = days.unwrap_or(DEFAULT_DAYS);
        let today = self.local_today();
        let compartments = self.visible_compartments(caller).await?;
        let mut out = Vec::new();
        for w in self.store.withdrawal_plans().await? {
            for c in &w.closures {
                let Some((before, after)) = windows(c.closes_on, today, days) else {
                    continue;
                };
                let (b, a) = self
                    .closure_figures(c, before, after, &compartments)
                    .await?;
                out.push(ClosureWatch {
                    mission: w.mission.clone(),
                    withdrawal: w.id.clone(),
                    closure: c.clone(),
                    days: u32::try_from((after.until - after.from).num_days()).unwrap_or(days),
                    before: b,
                    after: a,
                    incidents_visible: !compartments.is_empty(),
                });
            }
        }
        out.sort_by(|x, y| {
            y.closure
                .closes_on
                .cmp(&x.closure.closes_on)
                .then_with(|| x.closure.base.cmp(&y.closure.base))
        });
        Ok(out)
    }

    async fn closure_figures(
        &self,
        c: &BaseClosure,
        before: Span,
        after: Span,
        compartments: &[kinga_domain::compartment::Compartment],
    ) -> AppResult<(WindowFigures, WindowFigures)> {
        let gaz = self.gazetteer();
        let areas = outermost(&gaz, &c.places);
        let (b0, b1) = (
            self.local_midnight(before.from)?,
            self.local_midnight(before.until)?,
        );
        let (a0, a1) = (
            self.local_midnight(after.from)?,
            self.local_midnight(after.until)?,
        );
        // Read by report time with a week's margin: an alert is counted by when it was
        // received, which is never before it was reported by more than a delayed SMS.
        let margin = before
            .from
            .checked_sub_days(Days::new(7))
            .unwrap_or(before.from);
        let alerts = self
            .store
            .alerts_reported_between(self.local_midnight(margin)?, a1)
            .await?;
        let (now, zone) = (self.now(), self.settings.zone());
        let mut b = window_figures(before, b0, b1, &alerts, &gaz, &areas, now, zone);
        let mut a = window_figures(after, a0, a1, &alerts, &gaz, &areas, now, zone);
        for (w, span) in [(&mut b, before), (&mut a, after)] {
            let (n, verified) = self.incidents_in(compartments, &areas, span).await?;
            w.incidents = n;
            w.incidents_verified = verified;
        }
        Ok((b, a))
    }

    /// Incidents that occurred in `areas` during `span`, in `compartments` only, and how many
    /// of them are verified.
    pub(crate) async fn incidents_in(
        &self,
        compartments: &[kinga_domain::compartment::Compartment],
        areas: &[String],
        span: Span,
    ) -> AppResult<(u64, u64)> {
        if compartments.is_empty() {
            return Ok((0, 0));
        }
        let last: NaiveDate = span.until.pred_opt().unwrap_or(span.until);
        let (mut total, mut verified) = (0, 0);
        for area in areas {
            let page = self
                .store
                .incidents(&IncidentQuery {
                    compartments: compartments.to_vec(),
                    place_prefix: Some(area.clone()),
                    occurred_from: Some(span.from),
                    occurred_to: Some(last),
                    limit: 1,
                    ..IncidentQuery::default()
                })
                .await?;
            total += page.total;
            verified += page
                .by_state
                .iter()
                .filter(|(s, _)| *s == VerificationState::Verified)
                .map(|(_, n)| n)
                .sum::<u64>();
        }
        Ok((total, verified))
    }
}
