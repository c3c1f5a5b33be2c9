//! One alert: what was said, where, by whom (pseudonymously), what may be done next, what was
//! done, and the messages queued about it. Every action is a plain form.

use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use kinga_app::AppError;
use kinga_domain::alert::TriageUpdate;
use kinga_domain::outbox::{OutboxMessage, Recipient};
use kinga_domain::people::Permission;
use kinga_domain::{
    Alert, AlertEvent, AlertState, DomainError, Severity, ThreatType, TransitionRequest,
};

use super::i18n::{self, tr};
use super::login::see_other;
use super::{Ctx, FormData, QueryData, UiError, UiResult, iso_time, relative, show_time};

/// Query of the alert page: a place name to look up when confirming the place.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AlertQuery {
    q: Option<String>,
}

/// Text kept from a refused form, so a person does not type it again on a slow link.
#[derive(Debug, Default, Serialize)]
pub struct Draft {
    to: String,
    reason: String,
    outcome: String,
    merged_into: String,
}

/// A refusal from the application in words for the page.
pub fn error_text(lang: &str, e: &AppError) -> String {
    match e {
        AppError::Domain(DomainError::Missing(field)) => {
            let f = match *field {
                "reason" => tr(lang, "field_reason"),
                "outcome" => tr(lang, "field_outcome"),
                "responders" => tr(lang, "field_responders"),
                "merged_into" => tr(lang, "field_merged_into"),
                "text" => tr(lang, "field_text"),
                "name" => tr(lang, "field_name"),
                other => other,
            };
            tr(lang, "err_missing").replace("{f}", f)
        }
        AppError::Domain(DomainError::InvalidTransition { from, to, .. }) => {
            tr(lang, "err_transition")
                .replace("{from}", tr(lang, i18n::state_key(*from)))
                .replace("{to}", tr(lang, i18n::state_key(*to)))
        }
        e => e.to_string(),
    }
}

/// `GET /alerts/{id}` (id or reference).
pub async fn page(
    cx: Ctx,
    Path(id): Path<String>,
    QueryData(q): QueryData<AlertQuery>,
) -> Response {
    let r = render(
        &cx,
        &id,
        StatusCode::OK,
        None,
        Draft::default(),
        q.q.as_deref(),
    )
    .await;
    cx.finish(r)
}

async fn render(
    cx: &Ctx,
    id: &str,
    status: StatusCode,
    error: Option<String>,
    draft: Draft,
    search: Option<&str>,
) -> UiResult {
    let a = cx.st.app.alert(&cx.caller(), id).await?;
    let view = view(cx, &a, error, draft, search).await?;
    cx.render_status(status, "alert.html", "alerts", view)
}

/// Answer a refused action: the alert page again with the reason on top (422), or the error
/// page for refusals that are not about the form (403, 404, 409, 5xx).
async fn refused(cx: &mut Ctx, id: &str, e: AppError, draft: Draft) -> UiResult {
    if matches!(
        e,
        AppError::Forbidden(_)
            | AppError::NotFound(_)
            | AppError::Unauthorized(_)
            | AppError::Store(_)
            | AppError::Crypto(_)
    ) {
        return Err(e.into());
    }
    cx.here = format!("/alerts/{id}");
    render(
        cx,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(error_text(cx.lang, &e)),
        draft,
        None,
    )
    .await
}

async fn view(
    cx: &Ctx,
    a: &Alert,
    error: Option<String>,
    draft: Draft,
    search: Option<&str>,
) -> UiResult<minijinja::Value> {
    let app = &cx.st.app;
    let lang = cx.lang;
    let now = app.now();
    let gaz = app.gazetteer();
    let responders = app.responders(&cx.caller())?;
    let responder_name: HashMap<&str, &str> = responders
        .iter()
        .map(|r| (r.id.as_str(), r.name.as_str()))
        .collect();
    let name_of = |id: &str| {
        responder_name
            .get(id)
            .map(|s| s.to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let can_triage = cx.can(Permission::TriageAlerts);
    let next = a.state.next();

    let candidates: Vec<_> = a
        .place_candidates
        .iter()
        .map(|c| context! { pcode => &c.pcode, name => &c.name, context => &c.context, score => (c.score * 100.0).round() as i64, checked => a.place.as_deref() == Some(c.pcode.as_str()) })
        .collect();
    let search = search
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(200).collect::<String>());
    let found: Vec<_> = search
        .as_deref()
        .map(|q| app.find_places(&cx.caller(), q, 10))
        .transpose()?
        .unwrap_or_default()
        .iter()
        .map(|c| context! { pcode => &c.pcode, name => &c.name, context => &c.context, score => (c.score * 100.0).round() as i64 })
        .collect();

    let current = a.next_deadline().map(|(k, _)| k);
    let deadlines: Vec<_> = [
        (
            kinga_domain::deadline::DeadlineKind::Acknowledge,
            a.deadlines.acknowledge,
        ),
        (
            kinga_domain::deadline::DeadlineKind::Verify,
            a.deadlines.verify,
        ),
        (
            kinga_domain::deadline::DeadlineKind::Respond,
            a.deadlines.respond,
        ),
    ]
    .into_iter()
    .map(|(k, t)| {
        let is_current = current == Some(k);
        context! {
            label => tr(lang, i18n::deadline_key(k)),
            at => show_time(t),
            iso => iso_time(t),
            rel => is_current.then(|| relative(lang, now, t)),
            current => is_current,
            overdue => is_current && t <= now,
            escalated => a.escalated.contains(&k),
        }
    })
    .collect();

    // Duplicates are loaded so their state and coverage show beside the merge choice.
    let mut duplicates = vec![];
    for d in &a.duplicate_candidates {
        let other = app.alert(&cx.caller(), &d.alert).await.ok();
        duplicates.push(context! {
            id => &d.alert,
            reference => &d.reference,
            score => (d.score * 100.0).round() as i64,
            state => other.as_ref().map(|o| tr(lang, i18n::state_key(o.state))),
            open => other.as_ref().is_some_and(|o| o.state.is_open()),
            uncovered => other.as_ref().is_some_and(|o| o.uncovered),
        });
    }

    let proposed: Vec<_> = a
        .proposed_responders
        .iter()
        .map(|id| context! { id => id, name => name_of(id), checked => true })
        .collect();
    let others: Vec<_> = responders
        .iter()
        .filter(|r| r.active && r.community_consent && !a.proposed_responders.contains(&r.id))
        .map(|r| context! { id => &r.id, name => &r.name, checked => false })
        .collect();

    let mut actions = vec![];
    for s in next {
        let (action, label, allowed) = match s {
            AlertState::Acknowledged => ("acknowledge", "act_acknowledge", can_triage),
            AlertState::Verified => ("verify", "act_verify", can_triage),
            AlertState::Unverifiable => ("unverifiable", "act_unverifiable", can_triage),
            AlertState::FalseAlarm => ("false_alarm", "act_false_alarm", can_triage),
            AlertState::Responding => (
                "responding",
                "act_responding",
                cx.can(Permission::RespondAlerts),
            ),
            AlertState::Closed => ("close", "act_close", can_triage),
            // Assigning and merging have their own forms below.
            AlertState::Assigned | AlertState::Merged | AlertState::Received => continue,
        };
        if allowed {
            actions.push(context! {
                to => s.as_str(),
                action => action,
                label => tr(lang, label),
                reason => matches!(s, AlertState::Unverifiable | AlertState::FalseAlarm),
                outcome => *s == AlertState::Closed,
            });
        }
    }

    let timeline: Vec<_> = a
        .timeline
        .iter()
        .map(|e| {
            let (what, why) = timeline_entry(lang, &e.event, &gaz, &name_of);
            context! { at => show_time(e.at), iso => iso_time(e.at), actor => &e.actor, what => what, why => why }
        })
        .collect();

    // Only the roles that may read the outbox see messages; the rest get none.
    let messages = app.alert_messages(&cx.caller(), &a.id).await?;
    let users: HashMap<String, String> = if messages.is_empty() {
        HashMap::new()
    } else {
        app.user_names(&cx.caller()).await?
    };
    let outbox: Vec<_> = messages
        .iter()
        .map(|m| message_view(lang, m, &users, &name_of))
        .collect();

    let threats: Vec<_> = ThreatType::ALL
        .iter()
        .map(|t| context! { id => t.as_str(), label => t.label(lang), selected => a.threat_type == Some(*t) })
        .collect();
    let severities: Vec<_> = (1..=4u8)
        .filter_map(|s| Severity::new(s).ok())
        .map(|s| context! { id => s.level(), label => format!("{} — {}", s.level(), tr(lang, i18n::severity_key(s))), selected => s == a.severity })
        .collect();

    let merged_into = match &a.merged_into {
        Some(m) => Some(
            app.alert(&cx.caller(), m)
                .await
                .map(|t| t.reference)
                .unwrap_or_else(|_| m.clone()),
        ),
        None => None,
    };

    Ok(context! {
        a => context! {
            id => &a.id,
            reference => &a.reference,
            severity => a.severity.level(),
            severity_label => tr(lang, i18n::severity_key(a.severity)),
            threat => a.threat_type.map(|t| t.label(lang)).unwrap_or_else(|| tr(lang, "threat_unknown")),
            state => tr(lang, i18n::state_key(a.state)),
            state_id => a.state.as_str(),
            channel => tr(lang, i18n::channel_key(a.channel)),
            text => &a.text,
            language => &a.language,
            reported => show_time(a.reported_at),
            reported_iso => iso_time(a.reported_at),
            received => show_time(a.received_at),
            received_iso => iso_time(a.received_at),
            place => a.place.as_deref().map(|p| gaz.label(p)),
            pcode => &a.place,
            place_name => &a.place_name,
            uncovered => a.uncovered,
            open => a.state.is_open(),
            pseudonym => &a.reporter.pseudonym,
            unknown_reporter => a.reporter.is_unknown(),
            reporter_hidden => a.reporter.hidden,
            has_phone => a.reporter.phone_digest.is_some(),
            assigned => a.assigned.iter().map(|r| name_of(r)).collect::<Vec<_>>(),
            outcome => &a.outcome,
            merged_into => merged_into,
            absorbed => a.absorbed.len(),
        },
        candidates => candidates,
        search => search,
        found => found,
        deadlines => deadlines,
        duplicates => duplicates,
        can_merge => can_triage && next.contains(&AlertState::Merged),
        can_assign => can_triage && next.contains(&AlertState::Assigned),
        can_correct => can_triage && a.state.is_open(),
        can_ask => can_triage && a.state.is_open() && a.reporter.phone_sealed.is_some(),
        proposed => proposed,
        others => others,
        actions => actions,
        timeline => timeline,
        outbox => outbox,
        threats => threats,
        severities => severities,
        error => error,
        draft => draft,
    })
}

/// What an event did, and why, in words.
fn timeline_entry(
    lang: &str,
    e: &AlertEvent,
    gaz: &kinga_domain::place::Gazetteer,
    name_of: &dyn Fn(&str) -> String,
) -> (String, Option<String>) {
    let state = |s: &AlertState| tr(lang, i18n::state_key(*s));
    match e {
        AlertEvent::Received(n) => (
            format!(
                "{} ({})",
                tr(lang, "ev_received"),
                tr(lang, i18n::channel_key(n.channel))
            ),
            None,
        ),
        AlertEvent::Transitioned {
            from,
            to,
            reason,
            responders,
            outcome,
            merged_into,
        } => {
            let mut what = format!("{} → {}", state(from), state(to));
            if !responders.is_empty() {
                let names: Vec<String> = responders.iter().map(|r| name_of(r)).collect();
                what.push_str(&format!(
                    " — {}: {}",
                    tr(lang, "field_responders"),
                    names.join(", ")
                ));
            }
            if let Some(m) = merged_into {
                what.push_str(&format!(" — {} {m}", tr(lang, "merged_into")));
            }
            let why = match (reason, outcome) {
                (Some(r), Some(o)) if r != o => {
                    Some(format!("{r} — {}: {o}", tr(lang, "field_outcome")))
                }
                (_, Some(o)) => Some(format!("{}: {o}", tr(lang, "field_outcome"))),
                (Some(r), None) => Some(r.clone()),
                (None, None) => None,
            };
            (what, why)
        }
        AlertEvent::Triaged {
            update, uncovered, ..
        } => {
            let mut parts = vec![];
            if let Some(p) = &update.place {
                parts.push(format!("{}: {}", tr(lang, "col_place"), gaz.label(p)));
            }
            if let Some(t) = update.threat_type {
                parts.push(format!("{}: {}", tr(lang, "col_threat"), t.label(lang)));
            }
            if let Some(s) = update.severity {
                parts.push(format!("{}: {s}", tr(lang, "col_sev")));
            }
            if *uncovered {
                parts.push(tr(lang, "uncovered").to_string());
            }
            (
                format!("{} — {}", tr(lang, "ev_triaged"), parts.join(", ")),
                None,
            )
        }
        AlertEvent::Escalated { deadline } => (
            format!(
                "{}: {}",
                tr(lang, "ev_escalated"),
                tr(lang, i18n::deadline_key(*deadline))
            ),
            None,
        ),
        AlertEvent::FeedbackQueued { .. } => (tr(lang, "ev_feedback_queued").to_string(), None),
        AlertEvent::MessageAttached { text, channel } => (
            format!(
                "{} ({})",
                tr(lang, "ev_message_attached"),
                tr(lang, i18n::channel_key(*channel))
            ),
            Some(text.clone()),
        ),
        AlertEvent::DuplicateAbsorbed { alert } => (
            format!("{}: {alert}", tr(lang, "ev_duplicate_absorbed")),
            None,
        ),
        AlertEvent::ReporterLinked {
            focal_point,
            pseudonym,
            ..
        } => (
            format!(
                "{}: {}",
                tr(lang, "ev_reporter_linked"),
                pseudonym.as_deref().unwrap_or(focal_point)
            ),
            None,
        ),
    }
}

/// An outbox message as a row: never a phone number, only pseudonyms and names.
pub fn message_view(
    lang: &str,
    m: &OutboxMessage,
    users: &HashMap<String, String>,
    name_of: &dyn Fn(&str) -> String,
) -> minijinja::Value {
    let to = match &m.recipient {
        Recipient::Reporter {
            pseudonym: Some(p), ..
        } => format!("{} {p}", tr(lang, "to_reporter")),
        Recipient::Reporter { .. } => format!(
            "{} ({})",
            tr(lang, "to_reporter"),
            tr(lang, "reporter_unknown")
        ),
        Recipient::User { user } => users.get(user).cloned().unwrap_or_else(|| user.clone()),
        Recipient::Responder { responder } => name_of(responder),
    };
    context! {
        id => &m.id,
        kind => tr(lang, i18n::message_kind_key(m.kind)),
        kind_id => i18n::message_kind_key(m.kind).trim_start_matches("mk_"),
        status => tr(lang, i18n::message_status_key(m.status)),
        status_id => i18n::message_status_key(m.status).trim_start_matches("ms_"),
        to => to,
        body => &m.body,
        alert => &m.alert,
        attempts => m.attempts,
        last_error => &m.last_error,
        at => show_time(m.created_at),
        iso => iso_time(m.created_at),
    }
}

/// Triage corrections as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TriageForm {
    csrf: String,
    place: String,
    threat_type: String,
    severity: String,
}

/// `POST /alerts/{id}/triage`: confirm the place, correct threat type or severity.
pub async fn triage(
    mut cx: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<TriageForm>,
) -> Response {
    let r = triage_inner(&mut cx, &id, f).await;
    cx.finish(r)
}

async fn triage_inner(cx: &mut Ctx, id: &str, f: TriageForm) -> UiResult {
    cx.check_csrf(&f.csrf)?;
    let threat_type = match f.threat_type.trim() {
        "" => None,
        t => Some(
            t.parse::<ThreatType>()
                .map_err(|e| UiError::invalid(e.to_string())),
        ),
    };
    let severity = match f.severity.trim() {
        "" => None,
        s => Some(
            s.parse::<u8>()
                .ok()
                .and_then(|s| Severity::new(s).ok())
                .ok_or_else(|| UiError::invalid(cx.t("err_bad_severity"))),
        ),
    };
    let (threat_type, severity) = match (threat_type.transpose(), severity.transpose()) {
        (Ok(t), Ok(s)) => (t, s),
        (Err(e), _) | (_, Err(e)) => {
            cx.here = format!("/alerts/{id}");
            return render(
                cx,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e.message),
                Draft::default(),
                None,
            )
            .await;
        }
    };
    // Only real changes are recorded: the correction form always sends both selects.
    let current = cx.st.app.alert(&cx.caller(), id).await?;
    let update = TriageUpdate {
        place: Some(f.place.trim().to_string())
            .filter(|p| !p.is_empty() && current.place.as_deref() != Some(p.as_str())),
        threat_type: threat_type.filter(|t| current.threat_type != Some(*t)),
        severity: severity.filter(|s| *s != current.severity),
    };
    if update == TriageUpdate::default() {
        return Ok(see_other(&format!("/alerts/{}", current.reference)));
    }
    match cx.st.app.triage(&cx.caller(), id, update).await {
        Ok(a) => Ok(see_other(&format!("/alerts/{}", a.reference))),
        Err(e) => refused(cx, id, e, Draft::default()).await,
    }
}

/// A lifecycle move as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TransitionForm {
    csrf: String,
    to: String,
    reason: String,
    outcome: String,
    responders: Vec<String>,
    merged_into: String,
    merged_into_other: String,
}

/// `POST /alerts/{id}/transition`: acknowledge, verify, assign, respond, close, merge, …
pub async fn transition(
    mut cx: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<TransitionForm>,
) -> Response {
    let r = transition_inner(&mut cx, &id, f).await;
    cx.finish(r)
}

async fn transition_inner(cx: &mut Ctx, id: &str, f: TransitionForm) -> UiResult {
    cx.check_csrf(&f.csrf)?;
    // A reference typed by hand wins over the suggested duplicates.
    let merged_into = if f.merged_into_other.trim().is_empty() {
        f.merged_into.clone()
    } else {
        f.merged_into_other.clone()
    };
    let draft = Draft {
        to: f.to.clone(),
        reason: f.reason.clone(),
        outcome: f.outcome.clone(),
        merged_into: merged_into.clone(),
    };
    let to = match f.to.trim().parse::<AlertState>() {
        Ok(to) => to,
        Err(e) => return refused(cx, id, AppError::Domain(e), draft).await,
    };
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    // The reporter is told the outcome on closing, so an empty one is never sent out.
    if to == AlertState::Closed && opt(&f.outcome).is_none() {
        return refused(
            cx,
            id,
            AppError::Domain(DomainError::Missing("outcome")),
            draft,
        )
        .await;
    }
    let req = TransitionRequest {
        to: Some(to),
        reason: opt(&f.reason),
        responders: f
            .responders
            .iter()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect(),
        outcome: opt(&f.outcome),
        merged_into: opt(&merged_into).map(|m| {
            if m.to_ascii_lowercase().starts_with("k-") {
                m.to_uppercase()
            } else {
                m
            }
        }),
    };
    match cx.st.app.transition(&cx.caller(), id, req).await {
        Ok(a) => Ok(see_other(&format!("/alerts/{}", a.reference))),
        Err(e) => refused(cx, id, e, draft).await,
    }
}

/// A question to the reporter, as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QuestionForm {
    csrf: String,
    question: String,
}

/// `POST /alerts/{id}/question`: ask the reporter something by SMS.
pub async fn question(
    mut cx: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<QuestionForm>,
) -> Response {
    let r = question_inner(&mut cx, &id, f).await;
    cx.finish(r)
}

async fn question_inner(cx: &mut Ctx, id: &str, f: QuestionForm) -> UiResult {
    cx.check_csrf(&f.csrf)?;
    match cx.st.app.ask_reporter(&cx.caller(), id, &f.question).await {
        Ok(a) => Ok(see_other(&format!("/alerts/{}#messages", a.reference))),
        Err(e) => refused(cx, id, e, Draft::default()).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_put_in_words() {
        let e = AppError::Domain(DomainError::Missing("outcome"));
        assert!(
            error_text("fr", &e).contains("Résultat"),
            "{}",
            error_text("fr", &e)
        );
        let e = AppError::Domain(DomainError::InvalidTransition {
            from: AlertState::Received,
            to: AlertState::Closed,
            allowed: String::new(),
        });
        let fr = error_text("fr", &e);
        assert!(fr.contains("Reçue") && fr.contains("Clôturée"), "{fr}");
    }
}
