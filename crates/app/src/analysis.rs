//! Protection analysis use cases: alert exports page by page, response indicators, and spike
//! detection with its job that tells coordinators. Every one checks its permission here.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};

use kinga_domain::analysis::indicators::{Indicators, ResponseReport};
use kinga_domain::analysis::spikes::{self, Spike};
use kinga_domain::analysis::trends::{self, Week};
use kinga_domain::export::ExportRow;
use kinga_domain::outbox::{MessageKind, MessageStatus};
use kinga_domain::people::Permission;
use kinga_domain::place::Gazetteer;
use kinga_domain::{Alert, AlertState};
use kinga_store::{
    AlertQuery, AlertSort, Commit, IdempotentAnswer, OutboxQuery, StoreError, Write,
};

use crate::{App, AppError, AppResult, Caller};

/// Alerts read from the store per page: large enough to amortise a query, small enough that
/// an export of 100,000 alerts never holds more than this many at once.
pub const EXPORT_PAGE: usize = 500;

/// Longest period a report covers, in days: a bound on the work one request can ask for.
pub const MAX_REPORT_DAYS: i64 = 3660;

/// An export under way: the rows of the alerts a query selects, one page at a time, as the
/// caller may see them.
pub struct AlertExport {
    app: App,
    caller: Caller,
    query: AlertQuery,
    gaz: Arc<Gazetteer>,
    responders: HashMap<String, String>,
    done: bool,
}

impl AlertExport {
    /// The next page of rows; `None` once every alert was given.
    pub async fn next_page(&mut self) -> AppResult<Option<Vec<ExportRow>>> {
        if self.done {
            return Ok(None);
        }
        let page = self.app.alerts(&self.caller, self.query.clone()).await?;
        // Keyset paging: the next page starts after this one's last alert.
        self.query.before = page.items.last().map(|a| (a.received_at, a.id.clone()));
        if page.items.len() < self.query.limit {
            self.done = true;
        }
        if page.items.is_empty() {
            return Ok(None);
        }
        let names = &self.responders;
        Ok(Some(
            page.items
                .iter()
                .map(|a| {
                    ExportRow::new(a, &self.gaz, |r| {
                        names.get(r).cloned().unwrap_or_else(|| r.to_string())
                    })
                })
                .collect(),
        ))
    }
}

impl App {
    /// Start an export of the alerts `q` selects (its page size and sort are the export's own:
    /// newest first, alerts received after this moment left out so that paging is stable).
    pub fn export_alerts(&self, caller: &Caller, mut q: AlertQuery) -> AppResult<AlertExport> {
        caller.require(Permission::ExportAlerts)?;
        caller.require(Permission::ReadAlerts)?;
        let now = self.now();
        q.sort = AlertSort::Newest;
        q.received_to = Some(q.received_to.map_or(now, |t| t.min(now)));
        q.limit = EXPORT_PAGE;
        q.offset = 0;
        q.before = None;
        q.no_total = true;
        let responders = self
            .caches
            .responders()
            .iter()
            .map(|r| (r.id.clone(), r.name.clone()))
            .collect();
        Ok(AlertExport {
            app: self.clone(),
            caller: caller.clone(),
            query: q,
            gaz: self.caches.gazetteer(),
            responders,
            done: false,
        })
    }

    /// The status of the latest closing message of a closed alert, if one was queued.
    pub(crate) async fn closing_feedback(&self, a: &Alert) -> AppResult<Option<MessageStatus>> {
        if a.state != AlertState::Closed || a.feedback.is_empty() {
            return Ok(None);
        }
        let q = OutboxQuery {
            alert: Some(a.id.clone()),
            limit: 100,
            ..OutboxQuery::default()
        };
        // Newest first: the first closing message is the latest one.
        Ok(self
            .store
            .outbox(&q)
            .await?
            .into_iter()
            .find(|m| m.kind == MessageKind::Feedback)
            .map(|m| m.status))
    }

    /// Response indicators of the alerts received in `[from, to)` (see
    /// `kinga_domain::analysis::indicators`), as they stand now.
    pub async fn response_report(
        &self,
        caller: &Caller,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> AppResult<ResponseReport> {
        caller.require(Permission::ReadReports)?;
        check_period(from, to)?;
        let gaz = self.caches.gazetteer();
        let mut ind = Indicators::new(from, to, self.now(), self.settings.zone());
        let mut q = AlertQuery {
            received_from: Some(from),
            received_to: Some(to),
            sort: AlertSort::Newest,
            limit: EXPORT_PAGE,
            no_total: true,
            ..AlertQuery::default()
        };
        loop {
            let page = self.store.alerts(&q).await?;
            for a in &page.items {
                let fb = self.closing_feedback(a).await?;
                ind.add(a, &gaz, fb);
            }
            if page.items.len() < q.limit {
                break;
            }
            q.before = page.items.last().map(|a| (a.received_at, a.id.clone()));
        }
        Ok(ind.finish())
    }

    /// Local midnight starting `day` in the deployment's zone.
    pub(crate) fn local_midnight(&self, day: NaiveDate) -> AppResult<DateTime<Utc>> {
        let zone = self.settings.zone();
        day.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(zone).earliest())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| AppError::Invalid(format!("no midnight on {day} in {zone}")))
    }

    /// Spikes on the local days `first..=last` (see `kinga_domain::analysis::spikes`).
    pub async fn spikes(
        &self,
        caller: &Caller,
        first: NaiveDate,
        last: NaiveDate,
    ) -> AppResult<Vec<Spike>> {
        caller.require(Permission::ReadReports)?;
        self.find_spikes(first, last).await
    }

    async fn find_spikes(&self, first: NaiveDate, last: NaiveDate) -> AppResult<Vec<Spike>> {
        if last < first || (last - first).num_days() > MAX_REPORT_DAYS {
            return Err(AppError::Invalid(format!(
                "the days must run forwards over at most {MAX_REPORT_DAYS} days"
            )));
        }
        let params = self.settings.analysis.params();
        let out_of_range = || AppError::Invalid("the days are out of range".into());
        let start = first
            .checked_sub_days(Days::new(u64::from(params.baseline_days)))
            .ok_or_else(out_of_range)?;
        let end = last
            .checked_add_days(Days::new(1))
            .ok_or_else(out_of_range)?;
        let from = self.local_midnight(start)?;
        let to = self.local_midnight(end)?;
        let alerts = self.store.alerts_reported_between(from, to).await?;
        let gaz = self.caches.gazetteer();
        let counts = spikes::daily_counts(&alerts, &gaz, self.settings.zone());
        Ok(spikes::detect(&counts, &gaz, first, last, &params))
    }

    /// Alerts per week by threat type over the local days `first..=last`, by the time they
    /// were reported (see `kinga_domain::analysis::trends`), for those who read reports.
    pub async fn weekly_trends(
        &self,
        caller: &Caller,
        first: NaiveDate,
        last: NaiveDate,
    ) -> AppResult<Vec<Week>> {
        caller.require(Permission::ReadReports)?;
        if last < first || (last - first).num_days() > MAX_REPORT_DAYS {
            return Err(AppError::Invalid(format!(
                "the days must run forwards over at most {MAX_REPORT_DAYS} days"
            )));
        }
        let end = last
            .checked_add_days(Days::new(1))
            .ok_or_else(|| AppError::Invalid("the days are out of range".into()))?;
        let from = self.local_midnight(trends::monday_of(first))?;
        let to = self.local_midnight(end)?;
        let alerts = self.store.alerts_reported_between(from, to).await?;
        Ok(trends::weekly_by_threat(
            &alerts,
            self.settings.zone(),
            first,
            last,
        ))
    }

    /// Tell coordinators of every spike of yesterday and today (local days) not told yet:
    /// once per area, threat type and day, also when several servers share a database (the
    /// spike's key is an idempotency row of the same commit). Returns how many were raised.
    pub async fn raise_spikes(&self) -> AppResult<usize> {
        let today = self.local_today();
        let found = self.find_spikes(today - Duration::days(1), today).await?;
        if found.is_empty() {
            return Ok(0);
        }
        let coordinators = self.coordinators().await?;
        let mut raised = 0;
        for s in found {
            let body = serde_json::to_value(&s).map_err(|e| AppError::Invalid(e.to_string()))?;
            let mut events = vec![];
            let mut writes = vec![Write::Idempotency(IdempotentAnswer {
                key: s.key(),
                fingerprint: s.key(),
                status: 200,
                body,
                created_at: self.now(),
            })];
            for c in &coordinators {
                let text = spikes::message_text(&c.language, &s);
                let ms = self.messages_to(c, spikes::MESSAGE_KIND, None, text);
                self.queue_all(ms, &mut events, &mut writes);
            }
            if events.is_empty() {
                // Nobody to tell: an empty commit would still mark the spike as raised.
                continue;
            }
            match self.commit(Commit { events, writes }).await {
                Ok(_) => raised += 1,
                // Raised before (by this server or another one on the same database).
                Err(StoreError::Duplicate(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(raised)
    }
}

/// Refuse a period that runs backwards or spans more than [`MAX_REPORT_DAYS`].
fn check_period(from: DateTime<Utc>, to: DateTime<Utc>) -> AppResult<()> {
    if to <= from || (to - from).num_days() > MAX_REPORT_DAYS {
        return Err(AppError::Invalid(format!(
            "'to' must come after 'from', at most {MAX_REPORT_DAYS} days later"
        )));
    }
    Ok(())
}
