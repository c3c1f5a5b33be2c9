//! The care of survivors on an opened incident's page: the interview log, shown above the form
//! that logs a new interview (a survivor already interviewed needs a reason), and referrals to
//! the directory's providers, made only with recorded consent and followed up.

use axum::extract::Path;
use axum::response::Response;
use minijinja::{Value, context};
use serde::Deserialize;

use kinga_app::AppError;
use kinga_app::incidents::{InterviewRequest, ReferralRequest};
use kinga_domain::incident::care::{ReferralService, ReferralStatus};
use kinga_domain::incident::{AgeGroup, Incident};
use kinga_domain::people::Permission;

use super::form::parse_id;
use super::label;
use super::page::{MoveForm, refused};
use crate::ui::login::see_other;
use crate::ui::{Ctx, FormData, UiError, split_list, urlencode};

const SERVICES: [ReferralService; 5] = [
    ReferralService::Medical,
    ReferralService::Psychosocial,
    ReferralService::Legal,
    ReferralService::SafetyShelter,
    ReferralService::SocioEconomic,
];

/// A victim as the forms name it: `#1 · Female · 18-59`.
fn victim_label(cx: &Ctx, i: &Incident, n: usize) -> String {
    match i.victims.get(n) {
        Some(v) => {
            let age = if v.age_group == AgeGroup::Unknown {
                cx.t("age_unknown").to_string()
            } else {
                v.age_group.as_str().to_string()
            };
            format!("#{} · {} · {age}", n + 1, label(cx.lang, "sex", &v.sex))
        }
        None => format!("#{}", n + 1),
    }
}

/// The interview log, the referrals and what the forms offer.
pub(super) async fn view(cx: &Ctx, i: &Incident) -> Result<Value, UiError> {
    let caller = cx.caller();
    let app = &cx.st.app;
    let interviews = app.interviews(&caller, &i.id).await?;
    let referrals = app.referrals(&caller, &i.id).await?;
    let providers = app.service_providers(&caller).await?;
    let log: Vec<Value> = interviews
        .iter()
        .map(|x| {
            context! { victim => victim_label(cx, i, x.victim), by => &x.by, at => cx.time(x.at),
            shared_with => x.shared_with.join(", "), reason => &x.reason }
        })
        .collect();
    let refs: Vec<Value> = referrals
        .iter()
        .map(|r| {
            let provider = providers
                .iter()
                .find(|p| p.id == r.provider)
                .map_or(r.provider.clone(), |p| p.name.clone());
            let next: Vec<Value> = r
                .status
                .next()
                .iter()
                .map(|s| context! { id => super::id_of(s), label => label(cx.lang, "rfs", s) })
                .collect();
            context! { id => &r.id, victim => victim_label(cx, i, r.victim), provider => provider,
            service => label(cx.lang, "svc", &r.service), status => label(cx.lang, "rfs", &r.status),
            status_id => super::id_of(&r.status), next => next, at => cx.time(r.referred_at),
            by_guardian => r.consent.by_guardian, consent_by => &r.consent.recorded_by }
        })
        .collect();
    let victims: Vec<Value> = (0..i.victims.len())
        .map(|n| context! { n => n, label => victim_label(cx, i, n) })
        .collect();
    let provider_options: Vec<Value> = providers
        .iter()
        .map(|p| {
            let services: Vec<String> = p
                .services
                .iter()
                .map(|s| label(cx.lang, "svc", s))
                .collect();
            context! { id => &p.id, label => format!("{} ({})", p.name, services.join(", ")) }
        })
        .collect();
    Ok(context! {
        interviews => log,
        referrals => refs,
        victims => victims,
        providers => provider_options,
        services => super::options(cx.lang, "svc", &SERVICES),
        can_record => cx.can(Permission::RecordIncidents),
    })
}

/// Where to go after an action: the page again, opened with the same reason.
fn back(id: &str, done: &str, reason: &str) -> Response {
    let mut to = format!("/incidents/{}?done={done}", urlencode(id));
    if !reason.trim().is_empty() {
        to.push_str(&format!("&reason={}", urlencode(reason.trim())));
    }
    see_other(&to)
}

/// The answer to a refused action: the page with why, or an error page for what is no
/// refusal (not found, not allowed, the store).
async fn answer(
    cx: &Ctx,
    id: &str,
    reason: &str,
    r: Result<&str, AppError>,
) -> Result<Response, UiError> {
    match r {
        Ok(done) => Ok(back(id, done, reason)),
        Err(
            e @ (AppError::Store(_)
            | AppError::Crypto(_)
            | AppError::NotFound(_)
            | AppError::Forbidden(_)),
        ) => Err(e.into()),
        Err(e) => {
            let mut f = MoveForm::default();
            f.reason = reason.to_string();
            refused(cx, id, &f, crate::ui::alert::error_text(cx.lang, &e)).await
        }
    }
}

/// The interview form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InterviewForm {
    csrf: String,
    reason: String,
    victim: String,
    by: String,
    shared_with: String,
    why: String,
}

/// `POST /incidents/{id}/interviews`.
pub async fn log_interview(
    cx: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<InterviewForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let req = InterviewRequest {
            victim: f.victim.trim().parse().unwrap_or(usize::MAX),
            by: Some(f.by.clone()),
            shared_with: split_list(&f.shared_with),
            reason: Some(f.why.clone()),
        };
        let done = cx
            .st
            .app
            .log_interview(&cx.caller(), &id, req)
            .await
            .map(|_| "interview");
        answer(&cx, &id, &f.reason, done).await
    }
    .await;
    cx.finish(r)
}

/// The referral form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReferralForm {
    csrf: String,
    reason: String,
    victim: String,
    provider: String,
    service: String,
    consent: String,
    by_guardian: String,
}

/// `POST /incidents/{id}/referrals`.
pub async fn refer(
    cx: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<ReferralForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let Some(service) = parse_id::<ReferralService>(&f.service) else {
            return answer(
                &cx,
                &id,
                &f.reason,
                Err(AppError::Invalid(cx.t("in_service").into())),
            )
            .await;
        };
        let req = ReferralRequest {
            victim: f.victim.trim().parse().unwrap_or(usize::MAX),
            provider: f.provider.trim().to_string(),
            service,
            consent: f.consent == "1",
            by_guardian: f.by_guardian == "1",
        };
        let done = cx
            .st
            .app
            .refer(&cx.caller(), &id, req)
            .await
            .map(|_| "referral");
        answer(&cx, &id, &f.reason, done).await
    }
    .await;
    cx.finish(r)
}

/// The follow-up form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowUpForm {
    csrf: String,
    reason: String,
    status: String,
}

/// `POST /incidents/{id}/referrals/{referral}/follow-up`.
pub async fn follow_up(
    cx: Ctx,
    Path((id, referral)): Path<(String, String)>,
    FormData(f): FormData<FollowUpForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let Some(status) = parse_id::<ReferralStatus>(&f.status) else {
            return answer(
                &cx,
                &id,
                &f.reason,
                Err(AppError::Invalid(cx.t("in_status").into())),
            )
            .await;
        };
        let done = cx
            .st
            .app
            .follow_up_referral(&cx.caller(), &id, &referral, status)
            .await
            .map(|_| "follow_up");
        answer(&cx, &id, &f.reason, done).await
    }
    .await;
    cx.finish(r)
}
