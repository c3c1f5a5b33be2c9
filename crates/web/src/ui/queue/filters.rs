//! The queue's filters: as they come in the query string, as the page keeps them across
//! pages, and as the store query they make.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use kinga_app::moves::STALE_AFTER_DAYS;
use kinga_app::{AlertQuery, AlertSort};
use kinga_domain::{AlertState, ThreatType};

use super::super::time::Local;
use super::super::{past_reception, urlencode};
use super::PAGE_SIZE;

/// Queue filters as they come in the query string (all optional, all text, so an odd
/// bookmark never breaks the page).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueParams {
    pub(super) place: Option<String>,
    pub(super) area: Option<String>,
    pub(super) threat: Option<String>,
    pub(super) state: Option<String>,
    pub(super) uncovered: Option<String>,
    pub(super) unplaced: Option<String>,
    pub(super) overdue: Option<String>,
    pub(super) mine: Option<String>,
    pub(super) everywhere: Option<String>,
    pub(super) q: Option<String>,
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    pub(super) view: Option<String>,
    pub(super) page: Option<String>,
    pub(super) done: Option<String>,
}

/// The queue filters, cleaned.
#[derive(Debug, Default, Serialize)]
pub struct Filters {
    pub(super) place: String,
    pub(super) area: String,
    pub(super) threat: String,
    pub(in crate::ui) state: String,
    pub(super) uncovered: bool,
    pub(super) unplaced: bool,
    pub(super) overdue: bool,
    pub(super) mine: bool,
    pub(super) everywhere: bool,
    pub(super) q: String,
    pub(super) from: String,
    pub(super) to: String,
    pub(in crate::ui) stale: bool,
    pub(super) page: usize,
}

fn on(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("1" | "on" | "true" | "yes"))
}

impl From<QueueParams> for Filters {
    fn from(q: QueueParams) -> Self {
        let clean = |v: Option<String>| {
            v.map(|s| s.trim().chars().take(100).collect::<String>())
                .unwrap_or_default()
        };
        let threat = clean(q.threat);
        let state = clean(q.state);
        Filters {
            place: clean(q.place),
            area: clean(q.area),
            threat: if threat.parse::<ThreatType>().is_ok() {
                threat
            } else {
                String::new()
            },
            state: if state == "all" || state.parse::<AlertState>().is_ok() {
                state
            } else {
                String::new()
            },
            uncovered: on(&q.uncovered),
            unplaced: on(&q.unplaced),
            overdue: on(&q.overdue),
            mine: on(&q.mine),
            everywhere: on(&q.everywhere),
            q: clean(q.q),
            from: clean(q.from),
            to: clean(q.to),
            stale: q.view.as_deref() == Some("stale"),
            page: q
                .page
                .and_then(|p| p.trim().parse::<usize>().ok())
                .unwrap_or(1)
                .clamp(1, 100_000),
        }
    }
}

impl Filters {
    /// True when only the default view is asked (open alerts, no filter): then new alerts
    /// get their own section on top.
    pub(super) fn sections(&self) -> bool {
        self.state.is_empty() && !self.stale && !self.uncovered && !self.overdue
    }

    /// The store query; `areas` are the places the filters name (working area, place name).
    pub(in crate::ui) fn query(
        &self,
        now: DateTime<Utc>,
        local: &Local,
        areas: Vec<String>,
        me: &str,
    ) -> AlertQuery {
        let (states, open_only) = match self.state.as_str() {
            "" if self.stale => (vec![], true),
            // The default view lists new alerts in their own section above.
            "" => (past_reception(), true),
            "all" => (vec![], false),
            s => (
                s.parse::<AlertState>().map(|s| vec![s]).unwrap_or_default(),
                false,
            ),
        };
        let day = |d: &str, end: bool| -> Option<DateTime<Utc>> {
            let d = NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?;
            let d = if end { d.succ_opt()? } else { d };
            local
                .tz()
                .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        };
        let overdue_at = if self.stale {
            Some(now - Duration::days(STALE_AFTER_DAYS))
        } else {
            self.overdue.then_some(now)
        };
        AlertQuery {
            states,
            open_only,
            place_prefix: None,
            threat_type: self.threat.parse().ok(),
            uncovered_only: self.uncovered,
            overdue_at,
            assigned_to: None,
            areas,
            unplaced_only: self.unplaced,
            text: (!self.q.is_empty()).then(|| self.q.clone()),
            received_from: day(&self.from, false),
            received_to: day(&self.to, true),
            taken_by: self.mine.then(|| me.to_string()),
            sort: AlertSort::Queue,
            limit: PAGE_SIZE,
            offset: (self.page - 1) * PAGE_SIZE,
            before: None,
            no_total: false,
        }
    }

    /// Query string of these filters on another page.
    pub fn href(&self, page: usize) -> String {
        let mut parts = vec![];
        for (k, v) in [
            ("place", &self.place),
            ("area", &self.area),
            ("threat", &self.threat),
            ("state", &self.state),
            ("q", &self.q),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", urlencode(v)));
            }
        }
        for (k, v) in [
            ("uncovered", self.uncovered),
            ("unplaced", self.unplaced),
            ("overdue", self.overdue),
            ("mine", self.mine),
            ("everywhere", self.everywhere),
        ] {
            if v {
                parts.push(format!("{k}=1"));
            }
        }
        if self.stale {
            parts.push("view=stale".into());
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            "/alerts".into()
        } else {
            format!("/alerts?{}", parts.join("&"))
        }
    }
}
