//! The alert queue (with its live rows) and the new-alert form used for web reports and
//! logged phone calls.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use kinga_app::AppError;
use kinga_app::alerts::IntakeCommand;
use kinga_app::{AlertQuery, AlertSort};
use kinga_domain::people::Permission;
use kinga_domain::{Alert, AlertState, Channel, Severity, ThreatType};

use super::i18n::{self, tr};
use super::login::see_other;
use super::{
    Ctx, FormData, QueryData, UiError, UiResult, iso_time, relative, show_time, urlencode,
};

/// Rows per queue page.
pub const PAGE_SIZE: usize = 50;
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
    overdue: Option<String>,
    page: Option<String>,
}

/// The queue filters, cleaned.
#[derive(Debug, Default, Serialize)]
pub struct Filters {
    place: String,
    area: String,
    threat: String,
    state: String,
    uncovered: bool,
    overdue: bool,
    page: usize,
}

fn on(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("1" | "on" | "true" | "yes"))
}

impl From<QueueParams> for Filters {
    fn from(q: QueueParams) -> Self {
        let clean = |v: Option<String>| {
            v.map(|s| s.trim().chars().take(60).collect::<String>())
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
            overdue: on(&q.overdue),
            page: q
                .page
                .and_then(|p| p.trim().parse::<usize>().ok())
                .unwrap_or(1)
                .clamp(1, 100_000),
        }
    }
}

impl Filters {
    /// The store query; the typed P-code prefix wins over the area select.
    pub fn query(&self, now: DateTime<Utc>) -> AlertQuery {
        let prefix = if self.place.is_empty() {
            &self.area
        } else {
            &self.place
        };
        let (states, open_only) = match self.state.as_str() {
            "" => (vec![], true),
            "all" => (vec![], false),
            s => (
                s.parse::<AlertState>().map(|s| vec![s]).unwrap_or_default(),
                false,
            ),
        };
        AlertQuery {
            states,
            open_only,
            place_prefix: (!prefix.is_empty()).then(|| prefix.to_uppercase()),
            threat_type: self.threat.parse().ok(),
            uncovered_only: self.uncovered,
            overdue_at: self.overdue.then_some(now),
            assigned_to: None,
            sort: AlertSort::Queue,
            limit: PAGE_SIZE,
            offset: (self.page - 1) * PAGE_SIZE,
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
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", urlencode(v)));
            }
        }
        if self.uncovered {
            parts.push("uncovered=1".into());
        }
        if self.overdue {
            parts.push("overdue=1".into());
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
    duplicates: usize,
}

impl Row {
    /// The row of an alert, in `lang`, as of `now`.
    pub fn new(
        a: &Alert,
        gaz: &kinga_domain::place::Gazetteer,
        lang: &str,
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
            deadline: next.map(|(_, t)| show_time(t)),
            deadline_iso: next.map(|(_, t)| iso_time(t)),
            due: next.map(|(_, t)| relative(lang, now, t)),
            overdue: next.is_some_and(|(_, t)| t <= now),
            escalated: next.is_some_and(|(k, _)| a.escalated.contains(&k)),
            uncovered: a.uncovered,
            duplicates: a.duplicate_candidates.len(),
        }
    }
}

/// `GET /alerts`: the triage queue.
pub async fn queue(cx: Ctx, QueryData(q): QueryData<QueueParams>) -> Response {
    let r = queue_page(&cx, q.into()).await;
    cx.finish(r)
}

async fn queue_page(cx: &Ctx, f: Filters) -> UiResult {
    let now = cx.st.app.now();
    let page = cx.st.app.alerts(&cx.caller(), f.query(now)).await?;
    let gaz = cx.st.app.gazetteer();
    let rows: Vec<Row> = page
        .items
        .iter()
        .map(|a| Row::new(a, &gaz, cx.lang, now))
        .collect();
    // The protection cliff, counted on every queue view unless it is already what is shown.
    let uncovered_total = if f.uncovered {
        page.total
    } else {
        let q = AlertQuery {
            open_only: true,
            uncovered_only: true,
            limit: 1,
            ..Default::default()
        };
        cx.st.app.alerts(&cx.caller(), q).await?.total
    };
    let pages = (page.total as usize).div_ceil(PAGE_SIZE).max(1);
    let threats: Vec<_> = ThreatType::ALL
        .iter()
        .map(|t| context! { id => t.as_str(), label => t.label(cx.lang) })
        .collect();
    let states: Vec<_> = AlertState::ALL
        .iter()
        .map(|s| context! { id => s.as_str(), label => tr(cx.lang, i18n::state_key(*s)) })
        .collect();
    let view = context! {
        rows => rows,
        total => page.total,
        uncovered_total => uncovered_total,
        f => &f,
        areas => &*cx.st.ui.areas(&gaz),
        threats => threats,
        states => states,
        page => f.page,
        pages => pages,
        prev_href => (f.page > 1).then(|| f.href(f.page - 1)),
        next_href => (f.page < pages).then(|| f.href(f.page + 1)),
        now => show_time(now),
    };
    cx.render("alerts.html", "alerts", view)
}

/// `GET /alerts/rows`: the queue's table body alone, for the live refresh. Answers 304 when
/// nothing changed (`If-None-Match`), so a poll over 2G costs a few bytes.
pub async fn rows(cx: Ctx, headers: HeaderMap, QueryData(q): QueryData<QueueParams>) -> Response {
    let r = async {
        let f: Filters = q.into();
        let now = cx.st.app.now();
        let page = cx.st.app.alerts(&cx.caller(), f.query(now)).await?;
        let gaz = cx.st.app.gazetteer();
        let rows: Vec<Row> = page
            .items
            .iter()
            .map(|a| Row::new(a, &gaz, cx.lang, now))
            .collect();
        let html = cx.st.ui.render(
            "_alert_rows.html",
            context! { lang => cx.lang, rows => rows },
        )?;
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

/// Query of the new-alert form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    channel: Option<String>,
}

/// What was typed into the new-alert form.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct NewAlertForm {
    #[serde(skip_serializing)]
    csrf: String,
    channel: String,
    text: String,
    place_name: String,
    threat_type: String,
    severity: String,
    reporter_phone: String,
    reported_at: String,
    tz_offset: String,
    form_id: String,
}

fn render_new(cx: &Ctx, status: StatusCode, v: &NewAlertForm, error: Option<String>) -> UiResult {
    let threats: Vec<_> = ThreatType::ALL
        .iter()
        .map(|t| context! { id => t.as_str(), label => t.label(cx.lang) })
        .collect();
    let severities: Vec<_> = (1..=4u8)
        .filter_map(|s| Severity::new(s).ok())
        .map(|s| context! { id => s.level().to_string(), label => format!("{} — {}", s.level(), tr(cx.lang, i18n::severity_key(s))) })
        .collect();
    let form_id = if v.form_id.is_empty() {
        hex::encode(rand::random::<[u8; 16]>())
    } else {
        v.form_id.clone()
    };
    let view = context! {
        v => v,
        is_call => v.channel == "call",
        threats => threats,
        severities => severities,
        form_id => form_id,
        error => error,
    };
    cx.render_status(status, "alert_new.html", "new", view)
}

/// `GET /alerts/new` (`?channel=call` for a logged phone call).
pub async fn new_form(cx: Ctx, QueryData(q): QueryData<NewQuery>) -> Response {
    let r = async {
        cx.require(Permission::CreateAlerts)?;
        let channel = if q.channel.as_deref() == Some("call") {
            "call"
        } else {
            "web"
        };
        render_new(
            &cx,
            StatusCode::OK,
            &NewAlertForm {
                channel: channel.into(),
                ..Default::default()
            },
            None,
        )
    }
    .await;
    cx.finish(r)
}

/// `datetime-local` text (`2026-03-01T08:05`) in the reporter's device time, with the
/// device's offset from `getTimezoneOffset()` (minutes, UTC minus local); UTC without it.
pub fn parse_local_time(text: &str, tz_offset: &str) -> Option<Result<DateTime<Utc>, ()>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"));
    let offset = tz_offset
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|m| m.abs() <= 16 * 60)
        .unwrap_or(0);
    Some(
        naive
            .map(|n| n.and_utc() + Duration::minutes(offset))
            .map_err(|_| ()),
    )
}

/// `POST /alerts/new`: a web report or a logged call, through the same intake as every
/// channel. The form id doubles as an idempotency key: a double tap on a slow link creates
/// one alert.
pub async fn create(cx: Ctx, FormData(f): FormData<NewAlertForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::CreateAlerts)?;
        let channel = if f.channel == "call" {
            Channel::Call
        } else {
            Channel::Web
        };
        let threat_type = match f.threat_type.trim() {
            "" => None,
            t => match t.parse::<ThreatType>() {
                Ok(t) => Some(t),
                Err(_) => {
                    return render_new(
                        &cx,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &f,
                        Some(cx.t("err_bad_threat").into()),
                    );
                }
            },
        };
        let severity = match f.severity.trim() {
            "" => None,
            s => match s.parse::<u8>().ok().and_then(|s| Severity::new(s).ok()) {
                Some(s) => Some(s),
                None => {
                    return render_new(
                        &cx,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &f,
                        Some(cx.t("err_bad_severity").into()),
                    );
                }
            },
        };
        let reported_at = match parse_local_time(&f.reported_at, &f.tz_offset) {
            None => None,
            Some(Ok(t)) => Some(t),
            Some(Err(())) => {
                return render_new(
                    &cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &f,
                    Some(cx.t("err_bad_time").into()),
                );
            }
        };
        let form_id = f.form_id.trim();
        let key = (!form_id.is_empty()
            && form_id.len() <= 64
            && form_id.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| format!("web:{}:{form_id}", cx.pu.user.id));
        let cmd = IntakeCommand {
            channel: Some(channel),
            text: f.text.clone(),
            threat_type,
            severity,
            place: None,
            place_name: Some(f.place_name.trim().to_string()).filter(|p| !p.is_empty()),
            reporter_phone: Some(f.reporter_phone.trim().to_string()).filter(|p| !p.is_empty()),
            reported_at,
            language: None,
            idempotency_key: key,
        };
        match cx.st.app.intake(&cx.caller(), cmd).await {
            Ok(intake) => Ok(see_other(&format!("/alerts/{}", intake.alert.reference))),
            Err(e @ (AppError::Forbidden(_) | AppError::Store(_) | AppError::Crypto(_))) => {
                Err(e.into())
            }
            // The same form sent again after an edit (the back button keeps its id): a new
            // id makes the next send a new alert, once the person has checked the queue.
            Err(AppError::KeyReused(_)) => {
                let fresh = NewAlertForm {
                    form_id: String::new(),
                    ..f
                };
                render_new(
                    &cx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &fresh,
                    Some(cx.t("err_form_reused").into()),
                )
            }
            Err(e) => render_new(
                &cx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &f,
                Some(super::alert::error_text(cx.lang, &e)),
            ),
        }
    }
    .await;
    cx.finish(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn filters_default_to_open_queue_and_keep_themselves_across_pages() {
        let f: Filters = QueueParams {
            threat: Some("killing".into()),
            uncovered: Some("1".into()),
            ..Default::default()
        }
        .into();
        let now = Utc::now();
        let q = f.query(now);
        assert!(q.open_only && q.uncovered_only && q.states.is_empty());
        assert_eq!(q.threat_type, Some(ThreatType::Killing));
        assert_eq!(q.sort, AlertSort::Queue);
        assert_eq!(f.href(3), "/alerts?threat=killing&uncovered=1&page=3");
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
            place: Some("cd61".into()),
            area: Some("CD62".into()),
            ..Default::default()
        }
        .into();
        let q = all.query(now);
        assert!(!q.open_only);
        assert_eq!(q.place_prefix.as_deref(), Some("CD61"));
    }

    #[test]
    fn local_times_use_the_device_offset() {
        let t = parse_local_time("2026-03-01T10:05", "-120").and_then(Result::ok);
        assert_eq!(
            t,
            Some(
                Utc.with_ymd_and_hms(2026, 3, 1, 8, 5, 0)
                    .single()
                    .unwrap_or_default()
            )
        );
        assert_eq!(parse_local_time("  ", "0"), None);
        assert!(matches!(parse_local_time("yesterday", "0"), Some(Err(()))));
    }
}
