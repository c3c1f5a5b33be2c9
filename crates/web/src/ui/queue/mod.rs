//! The alert queue: new alerts on top in a section of their own, then the open alerts by
//! severity and deadline; a liaison assistant's working area as the default filter; search by
//! reference, words, place name and dates; the stale view a coordinator closes in bulk; and
//! the live part the script refreshes (both sections, so new arrivals come in on any page).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use kinga_app::moves::STALE_AFTER_DAYS;
use kinga_app::{AlertQuery, AlertSort, AlertTallies};
use kinga_domain::people::Permission;
use kinga_domain::{Alert, AlertState};

use super::i18n::{self, tr};
use super::login::see_other;
use super::time::Local;
use super::{
    Ctx, FormData, QueryData, UiError, UiResult, iso_time, past_reception, relative, state_options,
    threat_options,
};

mod filters;
pub use filters::{Filters, QueueParams};

/// Rows per queue page.
pub const PAGE_SIZE: usize = 50;
/// New alerts shown on top; the rest are a click away.
const NEW_ON_TOP: usize = 20;
/// Characters of an alert's text shown in the queue.
const EXCERPT: usize = 90;

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

/// Which alerts' tallies [`live`] reads.
enum Tallies {
    /// The open alerts of the page's areas, whatever the view: the page shows them.
    Always,
    /// Only when they give the live part's counts.
    ForCounts,
}

/// The live part, and the open alerts' tallies when read. In the default view the live
/// part's two counts are read off those tallies (one pass over the open alerts instead of
/// two); the tallies and the lists are read at once, each on a connection of its own.
async fn live(
    cx: &Ctx,
    f: &Filters,
    areas: Vec<String>,
    want: Tallies,
) -> UiResult<(Live, Option<AlertTallies>)> {
    let now = cx.st.app.now();
    let local = cx.local();
    let caller = cx.caller();
    let mut q = f.query(now, &local, areas.clone(), &cx.pu.user.name);
    let open = AlertQuery {
        open_only: true,
        areas,
        ..Default::default()
    };
    let from_tallies = f.sections() && counted_by_tallies(&q, &open);
    q.no_total = from_tallies;
    let read_tallies = from_tallies || matches!(want, Tallies::Always);
    let (tallies, mut l) = tokio::try_join!(
        async {
            if !read_tallies {
                return Ok(None);
            }
            let stale = now - Duration::days(STALE_AFTER_DAYS);
            Ok::<_, UiError>(Some(cx.st.app.alert_tallies(&caller, open, stale).await?))
        },
        lists(cx, f, q, &local, now),
    )?;
    if let (true, Some(t)) = (from_tallies, &tallies) {
        totals_from(&mut l, t);
    }
    Ok((l, tallies))
}

/// The live part's rows for the page's query `q` (and its counts unless `q.no_total`).
async fn lists(
    cx: &Ctx,
    f: &Filters,
    q: AlertQuery,
    local: &Local,
    now: DateTime<Utc>,
) -> UiResult<Live> {
    let gaz = cx.st.app.gazetteer();
    let caller = cx.caller();
    let row = |a: &Alert| Row::new(a, &gaz, cx.lang, local, now);
    let (new_rows, new_total) = if f.sections() {
        let page = cx.st.app.alerts(&caller, new_query(&q)).await?;
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

/// The new alerts' section: unacknowledged alerts matching the page's other filters.
fn new_query(q: &AlertQuery) -> AlertQuery {
    AlertQuery {
        states: vec![AlertState::Received],
        open_only: true,
        // Unheard calls first, then the newest.
        sort: AlertSort::Arrivals,
        limit: NEW_ON_TOP,
        offset: 0,
        ..q.clone()
    }
}

/// Whether the live part's counts can be read off the open alerts' tallies: in the default
/// view, whose two sections split exactly the alerts the tallies count (the unacknowledged
/// ones and the others). In a flood each count is a pass over every open alert.
fn counted_by_tallies(q: &AlertQuery, open: &AlertQuery) -> bool {
    let rows_of = |q: &AlertQuery| AlertQuery {
        states: vec![],
        sort: AlertSort::default(),
        limit: 0,
        offset: 0,
        no_total: false,
        ..q.clone()
    };
    rows_of(q) == rows_of(open) && q.states == past_reception()
}

/// The live part's counts from the open alerts' tallies (see [`counted_by_tallies`]).
fn totals_from(l: &mut Live, tallies: &AlertTallies) {
    l.new_total = tallies.received;
    l.total = tallies.total.saturating_sub(tallies.received);
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
    let now = cx.st.app.now();
    // The protection cliff and the places still to settle, counted on every view, in one
    // pass over the open alerts.
    let (l, tallies) = live(cx, &f, areas.clone(), Tallies::Always).await?;
    let tallies = tallies.unwrap_or_default();
    let (uncovered_total, unplaced_total, stale_total) =
        (tallies.uncovered, tallies.unplaced, tallies.overdue);
    let gaz = cx.st.app.gazetteer();
    let pages = (l.total as usize).div_ceil(PAGE_SIZE).max(1);
    let threats = threat_options(cx.lang);
    let states = state_options(cx.lang);
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
        let (l, _) = live(&cx, &f, areas, Tallies::ForCounts).await?;
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
    use chrono::TimeZone;
    use kinga_domain::ThreatType;

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
    fn the_default_view_reads_its_counts_off_the_open_tallies_and_no_other_view_does() {
        let now = Utc::now();
        let areas = vec!["CD6111".to_string()];
        let open = AlertQuery {
            open_only: true,
            areas: areas.clone(),
            ..Default::default()
        };
        let query = |p: QueueParams, areas: &[String]| {
            Filters::from(p).query(now, &goma(), areas.to_vec(), "esther")
        };
        assert!(counted_by_tallies(
            &query(QueueParams::default(), &areas),
            &open
        ));
        let second = QueueParams {
            page: Some("2".into()),
            ..Default::default()
        };
        assert!(
            counted_by_tallies(&query(second, &areas), &open),
            "any page"
        );
        for narrower in [
            QueueParams {
                q: Some("pillage".into()),
                ..Default::default()
            },
            QueueParams {
                threat: Some("killing".into()),
                ..Default::default()
            },
            QueueParams {
                mine: Some("1".into()),
                ..Default::default()
            },
            QueueParams {
                state: Some("verified".into()),
                ..Default::default()
            },
            QueueParams {
                from: Some("2026-11-01".into()),
                ..Default::default()
            },
        ] {
            let q = query(narrower, &areas);
            assert!(!counted_by_tallies(&q, &open), "{q:?}");
        }
        // Counts over other areas than the page's are not its counts.
        assert!(!counted_by_tallies(
            &query(QueueParams::default(), &[]),
            &open
        ));
        let mut l = Live {
            new_rows: vec![],
            new_total: 0,
            rows: vec![],
            total: 0,
        };
        let tallies = AlertTallies {
            total: 90,
            received: 70,
            ..Default::default()
        };
        totals_from(&mut l, &tallies);
        assert_eq!((l.new_total, l.total), (70, 20));
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
