//! One alert: what was said, where, by whom (pseudonymously), what may be done next, what was
//! done, and the messages queued about it. Every action is a plain form.

use std::collections::HashMap;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use kinga_app::AppError;
use kinga_app::sms_intake::flag as sms_flag;
use kinga_domain::alert::{OutcomeCategory, VerificationMethod};
use kinga_domain::people::Permission;
use kinga_domain::{Alert, AlertState, DomainError, Severity, ThreatType};

use super::i18n::{self, tr};
use super::messages::message_view;
use super::{Ctx, QueryData, UiResult, iso_time, relative};

/// Query of the alert page: a place name to look up when confirming the place, and what the
/// last action did (`done=acknowledged`, `already=acknowledged`, `done=note`, …).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    q: Option<String>,
    done: Option<String>,
    already: Option<String>,
}

/// Text kept from a refused form, so a person does not type it again on a slow link.
#[derive(Debug, Default, Serialize)]
pub struct Draft {
    to: String,
    reason: String,
    outcome: String,
    merged_into: String,
    outcome_category: String,
    referred_to: String,
    withhold_reason: String,
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
                "outcome_category" => tr(lang, "field_outcome_category"),
                "referred_to" => tr(lang, "referred_to"),
                "note" => tr(lang, "field_note"),
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
pub async fn page(cx: Ctx, Path(id): Path<String>, QueryData(q): QueryData<PageQuery>) -> Response {
    let notice = notice(cx.lang, &q);
    let r = async {
        let a = cx.st.app.alert(&cx.caller(), &id).await?;
        let mut view = view(&cx, &a, None, Draft::default(), q.q.as_deref()).await?;
        if let Some(n) = notice {
            view = context! { notice => n, ..view };
        }
        cx.render_status(StatusCode::OK, "alert.html", "alerts", view)
    }
    .await;
    cx.finish(r)
}

/// What the last action did, in words: each action confirms itself, and a form sent twice
/// says that nothing changed rather than failing.
fn notice(lang: &str, q: &PageQuery) -> Option<String> {
    let state = |s: &str| s.parse::<AlertState>().ok();
    // Mid-sentence, the state is a word like any other: "is now closed".
    let word = |s: AlertState| tr(lang, i18n::state_key(s)).to_lowercase();
    if let Some(s) = q.already.as_deref().and_then(state) {
        return Some(tr(lang, "notice_already").replace("{state}", &word(s)));
    }
    let done = q.done.as_deref()?;
    if let Some(s) = state(done) {
        return Some(tr(lang, "notice_moved").replace("{state}", &word(s)));
    }
    let key = match done {
        "note" => "notice_note",
        "taken" => "notice_taken",
        "released" => "notice_released",
        "response" => "notice_response",
        "triaged" => "notice_triaged",
        "asked" => "notice_asked",
        "transcribed" => "notice_transcribed",
        _ => return None,
    };
    Some(tr(lang, key).to_string())
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
    let own = cx
        .pu
        .user
        .responder
        .as_ref()
        .is_some_and(|r| a.assigned.contains(r));

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
            at => cx.time(t),
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

    let actions = actions(cx, a);
    let timeline: Vec<_> = a
        .timeline
        .iter()
        .map(|e| {
            let (what, why) = timeline_entry(lang, &e.event, &gaz, &name_of);
            context! { at => cx.time(e.at), iso => iso_time(e.at), actor => &e.actor, what => what, why => why }
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
        .map(|m| message_view(lang, &cx.local(), m, &users, &name_of))
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

    let media = media::views(a);
    let untranscribed = a
        .parse_flags
        .iter()
        .any(|f| f == kinga_domain::voice::UNTRANSCRIBED);
    let can_transcribe =
        can_triage && (a.channel == kinga_domain::Channel::Voice || !media.is_empty());
    let flagged = |flag: &str| a.parse_flags.iter().any(|f| f == flag);
    // A message that would have followed up the number's open alert but opened this one.
    let follow_up_note = if flagged(sms_flag::FOLLOW_UPS_FULL) {
        Some(tr(lang, "follow_ups_full_note"))
    } else if flagged(sms_flag::REPLY_UNATTACHED) {
        Some(tr(lang, "reply_unattached_note"))
    } else {
        None
    };

    Ok(context! {
        media => media,
        untranscribed => untranscribed,
        follow_up_note => follow_up_note,
        can_transcribe => can_transcribe,
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
            reported => cx.time(a.reported_at),
            reported_iso => iso_time(a.reported_at),
            received => cx.time(a.received_at),
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
            outcome_category => a.outcome_category.map(|c| tr(lang, i18n::outcome_key(c))),
            referred_to => &a.referred_to,
            verification => a.verification.as_ref().map(|v| context! { method => tr(lang, i18n::method_key(v.method)), sources => v.sources.join(", ") }),
            unplaced => a.place.is_none(),
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
        reassign => a.state == AlertState::Assigned,
        can_note => kinga_app::moves::sees_notes(cx.pu.user.role) && (can_triage || own),
        can_take => can_triage && a.state.is_open(),
        taken_by => &a.taken_by,
        mine => a.taken_by.as_deref() == Some(cx.pu.user.name.as_str()),
        can_report => own && !can_triage && matches!(a.state, AlertState::Assigned | AlertState::Responding),
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

mod actions;
pub mod media;
mod timeline;

pub use actions::{note, question, response, take, transition, triage};
use timeline::timeline_entry;

/// The moves a person may make on this alert, each with what its form asks.
fn actions(cx: &Ctx, a: &Alert) -> Vec<minijinja::Value> {
    let lang = cx.lang;
    let can_triage = cx.can(Permission::TriageAlerts);
    let own = cx
        .pu
        .user
        .responder
        .as_ref()
        .is_some_and(|r| a.assigned.contains(r));
    let reporter_lang = a
        .reporter
        .language
        .as_deref()
        .filter(|_| a.reporter.phone_sealed.is_some());
    let mut out = vec![];
    for s in a.state.next().iter().filter(|s| **s != a.state) {
        let (action, label, form) = match (a.state, s) {
            (AlertState::Closed, AlertState::Acknowledged) => ("reopen", "act_reopen", "reason"),
            (_, AlertState::Acknowledged) => ("acknowledge", "act_acknowledge", "simple"),
            (AlertState::Acknowledged, AlertState::Verified) => ("verify", "act_verify", "verify"),
            (_, AlertState::Verified) if can_triage => ("send_back", "act_send_back", "reason"),
            (_, AlertState::Verified) => ("decline", "act_decline", "reason"),
            (_, AlertState::Unverifiable) => ("unverifiable", "act_unverifiable", "reason"),
            (_, AlertState::FalseAlarm) => ("false_alarm", "act_false_alarm", "reason"),
            (_, AlertState::Responding) => ("responding", "act_responding", "simple"),
            (_, AlertState::Closed) => ("close", "act_close", "close"),
            // Assigning and merging have their own forms.
            _ => continue,
        };
        let allowed = can_triage
            || (own
                && matches!(
                    (a.state, s),
                    (AlertState::Assigned, AlertState::Responding)
                        | (
                            AlertState::Assigned | AlertState::Responding,
                            AlertState::Verified
                        )
                ));
        if !allowed {
            continue;
        }
        let categories: Vec<_> = OutcomeCategory::allowed_from(a.state)
            .iter()
            .map(|c| context! { id => c.as_str(), label => tr(lang, i18n::outcome_key(*c)) })
            .collect();
        let methods: Vec<_> = VerificationMethod::ALL
            .iter()
            .map(|m| context! { id => m.as_str(), label => tr(lang, i18n::method_key(*m)) })
            .collect();
        out.push(context! {
            to => s.as_str(),
            action => action,
            label => tr(lang, label),
            form => form,
            categories => categories,
            methods => methods,
            // The words a closing adds reach the reporter only when written in their language.
            reporter_language => reporter_lang.map(|l| tr(lang, language_key(l))),
            outcome_required => a.state == AlertState::Responding,
        });
    }
    out
}

/// Key of a language name.
fn language_key(l: &str) -> &'static str {
    match l {
        "sw" => "lang_sw",
        "en" => "lang_en",
        "ar" => "lang_ar",
        _ => "lang_fr",
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
