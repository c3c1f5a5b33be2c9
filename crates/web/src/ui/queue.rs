//! The alert queue: new alerts on top in a section of their own, then the open alerts by
//! severity and deadline; a liaison assistant's working area as the default filter; search by
//! reference, words, place name and dates; the stale view a coordinator closes in bulk; and
//! the live part the script refreshes (both sections, so new arrivals come in on any page).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use kinga_app::moves::STALE_AFTER_DAYS;
use kinga_app::{AlertQuery, AlertSort};
use kinga_domain::people::Permission;
use kinga_domain::{Alert, AlertState, ThreatType};

use super::i18n::{self, tr};
use super::login::see_other;
use super::time::Local;
use super::{Ctx, FormData, QueryData, UiError, UiResult, iso_time, relative, urlencode};

/// Rows per queue page.
pub const PAGE_SIZE: usize = 50;
/// New alerts shown on top; the rest are a click away.
const NEW_ON_TOP: usize = 20;
/// Characters of an alert's text shown in the queue.
const EXCERPT: usize = 90;

/// Queue filters as they come in the query string (all optional, all text, so an odd
/// bookmark never breaks the page).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueParams {
    place: Option<String>,
    area: Option<String>,
    threat: Option<String>,
    state: Option<String>,
    uncovered: Option<String>,
    unplaced: Option<String>,
    overdue: Option<String>,
    mine: Option<String>,
    everywhere: Option<String>,
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
    view: Option<String>,
    page: Option<String>,
    done: Option<String>,
}

/// The queue filters, cleaned.
#[derive(Debug, Default, Serialize)]
pub struct Filters {
    place: String,
    area: String,
    threat: String,
    pub(super) state: String,
    uncovered: bool,
    unplaced: bool,
    overdue: bool,
    mine: bool,
    everywhere: bool,
    q: String,
    from: String,
    to: String,
    pub(super) stale: bool,
    page: usize,
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
    fn sections(&self) -> bool {
        self.state.is_empty() && !self.stale && !self.uncovered && !self.overdue
    }

    /// The store query; `areas` are the places the filters name (working area, place name).
    pub(super) fn query(
        &self,
        now: DateTime<Utc>,
        local: &Local,
        areas: Vec<String>,
        me: &str,
    ) -> AlertQuery {
        let (states, open_only) = match self.state.as_str() {
            "" if self.stale => (vec![], true),
            // The default view lists new alerts in their own section above.
            "" => (
                AlertState::ALL
                    .into_iter()
                    .filter(|s| s.is_open() && *s != AlertState::Received)
                    .collect(),
                true,
            ),
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

/// One queue row.
#[derive(Debug, Serialize)]
pub struct Row {
    reference: String,
    severity: u8,
    severity_label: &'static str,
    threat: &'static str,
    excerpt: String,
    place: Option<String>,
    place_name: Option<String>,
    candidates: usize,
    state: &'static str,
    state_id: &'static str,
    deadline_kind: Option<&'static str>,
    deadline: Option<String>,
    deadline_iso: Option<String>,
    due: Option<String>,
    overdue: bool,
    escalated: bool,
    uncovered: bool,
    unplaced: bool,
    duplicates: usize,
    taken_by: Option<String>,
}

impl Row {
    /// The row of an alert, as `local` reads it, as of `now`.
    pub fn new(
        a: &Alert,
        gaz: &kinga_domain::place::Gazetteer,
        lang: &str,
        local: &Local,
        now: DateTime<Utc>,
    ) -> Row {
        let next = a.next_deadline();
        let mut excerpt: String = a.text.chars().take(EXCERPT).collect();
        if a.text.chars().count() > EXCERPT {
            excerpt.push('…');
        }
        Row {
            reference: a.reference.clone(),
            severity: a.severity.level(),
            severity_label: tr(lang, i18n::severity_key(a.severity)),
            threat: a
                .threat_type
                .map(|t| t.label(lang))
                .unwrap_or_else(|| tr(lang, "threat_unknown")),
            excerpt,
            place: a.place.as_deref().map(|p| gaz.label(p)),
            place_name: a.place_name.clone(),
            candidates: a.place_candidates.len(),
            state: tr(lang, i18n::state_key(a.state)),
            state_id: a.state.as_str(),
            deadline_kind: next.map(|(k, _)| tr(lang, i18n::deadline_key(k))),
            deadline: next.map(|(_, t)| local.show(t)),
            deadline_iso: next.map(|(_, t)| iso_time(t)),
            due: next.map(|(_, t)| relative(lang, now, t)),
            overdue: next.is_some_and(|(_, t)| t <= now),
            escalated: next.is_some_and(|(k, _)| a.escalated.contains(&k)),
            uncovered: a.uncovered,
            unplaced: a.place.is_none() && a.state.is_open(),
            duplicates: a.duplicate_candidates.len(),
            taken_by: a.taken_by.clone(),
        }
    }
}

/// What the live part of the queue shows: new alerts, then the list.
struct Live {
    new_rows: Vec<Row>,
    new_total: u64,
    rows: Vec<Row>,
    total: u64,
}

/// The places the filters name: a P-code typed or a place name (the places it may mean),
/// the area select, else the user's working area unless everywhere is asked.
pub(super) fn areas(cx: &Ctx, f: &Filters) -> UiResult<(Vec<String>, bool)> {
    let typed = f.place.trim();
    if !typed.is_empty() {
        let gaz = cx.st.app.gazetteer();
        if gaz.get(&typed.to_uppercase()).is_some() || gaz.get(typed).is_some() {
            return Ok((vec![typed.to_uppercase()], false));
        }
        let meant = cx.st.app.places_meant(&cx.caller(), typed)?;
        // A name that means no place must find nothing, not everything.
        return Ok((
            if meant.is_empty() {
                vec!["~no-place~".into()]
            } else {
                meant
            },
            false,
        ));
    }
    if !f.area.is_empty() {
        return Ok((vec![f.area.clone()], false));
    }
    let working = &cx.pu.user.areas;
    if !f.everywhere && !working.is_empty() {
        return Ok((working.clone(), true));
    }
    Ok((vec![], false))
}

async fn live(cx: &Ctx, f: &Filters, areas: Vec<String>) -> UiResult<Live> {
    let now = cx.st.app.now();
    let local = cx.local();
    let gaz = cx.st.app.gazetteer();
    let caller = cx.caller();
    let q = f.query(now, &local, areas, &cx.pu.user.name);
    let row = |a: &Alert| Row::new(a, &gaz, cx.lang, &local, now);
    let (new_rows, new_total) = if f.sections() {
        let nq = AlertQuery {
            states: vec![AlertState::Received],
            open_only: true,
            // Unheard calls first, then the newest.
            sort: AlertSort::Arrivals,
            limit: NEW_ON_TOP,
            offset: 0,
            ..q.clone()
        };
        let page = cx.st.app.alerts(&caller, nq).await?;
        (page.items.iter().map(row).collect(), page.total)
    } else {
        (vec![], 0)
    };
    let page = cx.st.app.alerts(&caller, q).await?;
    Ok(Live {
        new_rows,
        new_total,
        rows: page.items.iter().map(row).collect(),
        total: page.total,
    })
}

fn live_view(cx: &Ctx, f: &Filters, l: &Live) -> minijinja::Value {
    context! {
        lang => cx.lang,
        new_rows => &l.new_rows,
        new_total => l.new_total,
        new_more => (l.new_total as usize) > l.new_rows.len(),
        sections => f.sections(),
        rows => &l.rows,
        total => l.total,
        stale => f.stale,
        bulk => f.stale && cx.can(Permission::Coordinate),
    }
}

/// `GET /alerts`: the triage queue.
pub async fn queue(cx: Ctx, QueryData(q): QueryData<QueueParams>) -> Response {
    let done = q.done.clone();
    let f: Filters = q.into();
    // A reference typed in the search box goes straight to its alert.
    let typed = f.q.trim().to_uppercase();
    if typed.starts_with("K-") && typed[2..].chars().all(|c| c.is_ascii_digit()) && typed.len() > 2
    {
        return see_other(&format!("/alerts/{typed}"));
    }
    let r = queue_page(&cx, f, done).await;
    cx.finish(r)
}

async fn queue_page(cx: &Ctx, f: Filters, done: Option<String>) -> UiResult {
    let (areas, working) = areas(cx, &f)?;
    let l = live(cx, &f, areas.clone()).await?;
    let caller = cx.caller();
    // The protection cliff and the places still to settle, counted on every view, in one
    // pass over the open alerts.
    let now = cx.st.app.now();
    let open = AlertQuery {
        open_only: true,
        areas: areas.clone(),
        ..Default::default()
    };
    let tallies = cx
        .st
        .app
        .alert_tallies(&caller, open, now - Duration::days(STALE_AFTER_DAYS))
        .await?;
    let (uncovered_total, unplaced_total, stale_total) =
        (tallies.uncovered, tallies.unplaced, tallies.overdue);
    let gaz = cx.st.app.gazetteer();
    let pages = (l.total as usize).div_ceil(PAGE_SIZE).max(1);
    let threats: Vec<_> = ThreatType::ALL
        .iter()
        .map(|t| context! { id => t.as_str(), label => t.label(cx.lang) })
        .collect();
    let states: Vec<_> = AlertState::ALL
        .iter()
        .map(|s| context! { id => s.as_str(), label => tr(cx.lang, i18n::state_key(*s)) })
        .collect();
    let working_labels: Vec<String> = if working {
        areas.iter().map(|a| gaz.label(a)).collect()
    } else {
        vec![]
    };
    let notice = done
        .as_deref()
        .and_then(|d| d.strip_prefix("closed-"))
        .map(|n| tr(cx.lang, "notice_stale_closed").replace("{n}", n));
    let view = context! {
        live => live_view(cx, &f, &l),
        uncovered_total => uncovered_total,
        unplaced_total => unplaced_total,
        stale_total => stale_total,
        f => &f,
        working => working_labels,
        export_qs => f.href(1).trim_start_matches("/alerts").to_string(),
        everywhere_href => format!("{}{}everywhere=1", f.href(1), if f.href(1).contains('?') { "&" } else { "?" }),
        areas => &*cx.st.ui.areas(&gaz),
        threats => threats,
        states => states,
        page => f.page,
        pages => pages,
        prev_href => (f.page > 1).then(|| f.href(f.page - 1)),
        next_href => (f.page < pages).then(|| f.href(f.page + 1)),
        now => cx.time(now),
        zone => cx.local().zone_label(now),
        stale_days => STALE_AFTER_DAYS,
        notice => notice,
    };
    cx.render("alerts.html", "alerts", view)
}

/// `GET /alerts/rows`: the queue's live part alone (new alerts and the list), for the
/// script's refresh. Answers 304 when nothing changed (`If-None-Match`), so a poll over 2G
/// costs a few bytes.
pub async fn rows(cx: Ctx, headers: HeaderMap, QueryData(q): QueryData<QueueParams>) -> Response {
    let r = async {
        let f: Filters = q.into();
        let (areas, _) = areas(&cx, &f)?;
        let l = live(&cx, &f, areas).await?;
        let html = cx.st.ui.render("_queue_live.html", {
            let v = live_view(&cx, &f, &l);
            context! { csrf => &cx.pu.session.csrf, ..v }
        })?;
        let etag = format!(
            "\"{}\"",
            &hex::encode(Sha256::digest(html.as_bytes()))[..24]
        );
        let unchanged = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
        let mut resp = if unchanged {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            Html(html).into_response()
        };
        // Stays `no-store` like every page (alert texts must not sit in a device's cache); the
        // script keeps the ETag itself and sends it back.
        if let Ok(v) = HeaderValue::from_str(&etag) {
            resp.headers_mut().insert(header::ETAG, v);
        }
        Ok::<_, UiError>(resp)
    }
    .await;
    cx.finish(r)
}

/// Stale alerts chosen for closing.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StaleForm {
    csrf: String,
    alerts: Vec<String>,
    reason: String,
    notify: Option<String>,
}

/// `POST /alerts/stale/close`: close the chosen stale alerts with a reason (coordinators).
pub async fn close_stale(cx: Ctx, FormData(f): FormData<StaleForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::Coordinate)?;
        let closed = match cx
            .st
            .app
            .close_stale(&cx.caller(), &f.alerts, &f.reason, f.notify.is_some())
            .await
        {
            Ok(c) => c,
            Err(e @ kinga_app::AppError::Domain(_)) => {
                return Err(UiError::invalid(super::alert::error_text(cx.lang, &e)));
            }
            Err(e) => return Err(e.into()),
        };
        Ok(see_other(&format!(
            "/alerts?view=stale&done=closed-{}",
            closed.len()
        )))
    }
    .await;
    cx.finish(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goma() -> Local {
        Local::new(chrono_tz::Africa::Lubumbashi, "en")
    }

    #[test]
    fn filters_default_to_open_alerts_below_the_new_ones_and_keep_themselves_across_pages() {
        let f: Filters = QueueParams {
            threat: Some("killing".into()),
            unplaced: Some("1".into()),
            ..Default::default()
        }
        .into();
        let now = Utc::now();
        let q = f.query(now, &goma(), vec![], "esther");
        assert!(q.open_only && q.unplaced_only);
        assert!(
            !q.states.contains(&AlertState::Received) && q.states.contains(&AlertState::Verified),
            "new alerts have their own section"
        );
        assert!(f.sections());
        assert_eq!(q.threat_type, Some(ThreatType::Killing));
        assert_eq!(q.sort, AlertSort::Queue);
        assert_eq!(f.href(3), "/alerts?threat=killing&unplaced=1&page=3");
        let bad: Filters = QueueParams {
            threat: Some("<script>".into()),
            state: Some("nope".into()),
            page: Some("-4".into()),
            ..Default::default()
        }
        .into();
        assert_eq!(bad.href(1), "/alerts");
        assert_eq!(bad.page, 1);
        let all: Filters = QueueParams {
            state: Some("all".into()),
            mine: Some("1".into()),
            ..Default::default()
        }
        .into();
        let q = all.query(now, &goma(), vec!["CD61".into()], "esther");
        assert!(!q.open_only && q.states.is_empty() && !all.sections());
        assert_eq!(q.areas, ["CD61"]);
        assert_eq!(q.taken_by.as_deref(), Some("esther"));
    }

    #[test]
    fn dates_are_whole_local_days_and_stale_means_two_weeks_late() {
        let f: Filters = QueueParams {
            from: Some("2026-11-01".into()),
            to: Some("2026-11-30".into()),
            view: Some("stale".into()),
            ..Default::default()
        }
        .into();
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        let q = f.query(now, &goma(), vec![], "x");
        // Midnight in Goma is 22:00 UTC the day before.
        assert_eq!(
            q.received_from,
            Some(Utc.with_ymd_and_hms(2026, 10, 31, 22, 0, 0).unwrap())
        );
        assert_eq!(
            q.received_to,
            Some(Utc.with_ymd_and_hms(2026, 11, 30, 22, 0, 0).unwrap())
        );
        assert_eq!(q.overdue_at, Some(now - Duration::days(14)));
        assert!(q.open_only && q.states.is_empty() && !f.sections());
    }
}
