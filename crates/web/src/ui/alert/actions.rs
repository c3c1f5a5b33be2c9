//! What a person does on an alert's page: each form posts here, and every answer either
//! lands back on the page with a notice saying what was done, or shows the page again with
//! the refusal on top and what was typed kept.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use kinga_app::AppError;
use kinga_domain::alert::TriageUpdate;
use kinga_domain::alert::{OutcomeCategory, Verification, VerificationMethod};
use kinga_domain::{AlertState, DomainError, Severity, ThreatType, TransitionRequest};

use super::super::login::see_other;
use super::super::{Ctx, FormData, UiError, UiResult};
use super::{Draft, refused, render};

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
        Ok(a) => Ok(see_other(&format!("/alerts/{}?done=triaged", a.reference))),
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
    outcome_category: String,
    referred_to: String,
    method: String,
    sources: String,
    withhold: Option<String>,
    withhold_reason: String,
    responders: Vec<String>,
    merged_into: String,
    merged_into_other: String,
}

/// `POST /alerts/{id}/transition`: acknowledge, verify, assign, respond, close, reopen,
/// decline, merge, …
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
        outcome_category: f.outcome_category.clone(),
        referred_to: f.referred_to.clone(),
        withhold_reason: f.withhold_reason.clone(),
    };
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let parsed = (|| {
        let to = f.to.trim().parse::<AlertState>()?;
        let category = opt(&f.outcome_category)
            .map(|c| c.parse::<OutcomeCategory>())
            .transpose()?;
        let verification = opt(&f.method)
            .map(|m| m.parse::<VerificationMethod>())
            .transpose()?
            .map(|method| Verification {
                method,
                sources: super::super::split_list(&f.sources),
            });
        Ok::<_, DomainError>((to, category, verification))
    })();
    let (to, outcome_category, verification) = match parsed {
        Ok(p) => p,
        Err(e) => return refused(cx, id, AppError::Domain(e), draft).await,
    };
    let withhold_feedback = f
        .withhold
        .as_ref()
        .map(|_| opt(&f.withhold_reason).unwrap_or_else(|| cx.t("withheld_default").to_string()));
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
        outcome_category,
        referred_to: opt(&f.referred_to),
        verification,
        withhold_feedback,
    };
    match cx.st.app.transition(&cx.caller(), id, req).await {
        Ok(m) => {
            // Every action says what it did; the same form sent twice says nothing changed.
            let done = if m.changed {
                format!("done={}", to.as_str())
            } else {
                format!("already={}", to.as_str())
            };
            Ok(see_other(&format!("/alerts/{}?{done}", m.alert.reference)))
        }
        Err(e) => refused(cx, id, e, draft).await,
    }
}

/// One text, for a note or a responder's report.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TextForm {
    csrf: String,
    text: String,
}

/// `POST /alerts/{id}/note`: an internal note, never sent to anyone.
pub async fn note(
    mut cx: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<TextForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        match cx.st.app.add_note(&cx.caller(), &id, &f.text).await {
            Ok(a) => Ok(see_other(&format!(
                "/alerts/{}?done=note#timeline",
                a.reference
            ))),
            Err(e) => refused(&mut cx, &id, e, Draft::default()).await,
        }
    }
    .await;
    cx.finish(r)
}

/// `POST /alerts/{id}/response`: a responder's report of what it did.
pub async fn response(
    mut cx: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<TextForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        match cx.st.app.report_response(&cx.caller(), &id, &f.text).await {
            Ok(a) => Ok(see_other(&format!("/alerts/{}?done=response", a.reference))),
            Err(e) => refused(&mut cx, &id, e, Draft::default()).await,
        }
    }
    .await;
    cx.finish(r)
}

/// Taking an alert, or letting it go.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TakeForm {
    csrf: String,
    take: String,
}

/// `POST /alerts/{id}/take`: "mine", or let it go.
pub async fn take(
    mut cx: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<TakeForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let take = f.take != "0";
        match cx.st.app.take(&cx.caller(), &id, take).await {
            Ok(a) => {
                let done = if take { "taken" } else { "released" };
                Ok(see_other(&format!("/alerts/{}?done={done}", a.reference)))
            }
            Err(e) => refused(&mut cx, &id, e, Draft::default()).await,
        }
    }
    .await;
    cx.finish(r)
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
        Ok(a) => Ok(see_other(&format!(
            "/alerts/{}?done=asked#messages",
            a.reference
        ))),
        Err(e) => refused(cx, id, e, Draft::default()).await,
    }
}
