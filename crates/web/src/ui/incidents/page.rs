//! One incident (`/incidents/{id}`): for a sensitive compartment, first a form asking why it is
//! opened (the read is audited with that reason), then the record with its verification
//! history and the form to move it through verification.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use kinga_app::AppError;
use kinga_app::incidents::SEALED_ELSEWHERE;
use kinga_domain::incident::{Incident, VerificationMethod, VerificationMove, VerificationState};
use kinga_domain::people::Permission;

use super::form::parse_id;
use super::{label, options, place_label, shown_date};
use crate::ui::files::{self, FileQuery};
use crate::ui::login::see_other;
use crate::ui::{Ctx, FormData, QueryData, UiResult, urlencode};

/// Verification methods, in the order the form offers them.
pub(super) const METHODS: [VerificationMethod; 7] = [
    VerificationMethod::VictimInterview,
    VerificationMethod::WitnessInterview,
    VerificationMethod::RemoteInterview,
    VerificationMethod::SiteVisit,
    VerificationMethod::MedicalEvidence,
    VerificationMethod::Documentary,
    VerificationMethod::Other,
];

/// Query of the page: the reason a sensitive record is opened, and what the last action did.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    reason: String,
    done: String,
}

/// Text kept from a refused verification form.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MoveForm {
    #[serde(skip_serializing)]
    csrf: String,
    pub(super) reason: String,
    to: String,
    method: String,
    sources: Vec<String>,
    verified_on: String,
    note: String,
}

fn view(cx: &Ctx, i: &Incident, opened: bool) -> Value {
    let lang = cx.lang;
    let victims: Vec<Value> = i
        .victims
        .iter()
        .map(|v| {
            let age = if v.age_group == kinga_domain::incident::AgeGroup::Unknown {
                cx.t("age_unknown").to_string()
            } else {
                v.age_group.as_str().to_string()
            };
            context! { sex => label(lang, "sex", &v.sex), age => age, disability => v.disability,
            displaced => v.displaced, name => &v.name }
        })
        .collect();
    let perpetrators: Vec<Value> = i
        .perpetrators
        .iter()
        .map(|p| context! { category => label(lang, "perp", &p.category), actor => &p.actor, unit => &p.unit })
        .collect();
    let sources: Vec<Value> = i
        .sources
        .iter()
        .enumerate()
        .map(|(n, s)| {
            context! { n => n, kind => label(lang, "srck", &s.kind), reliability => label(lang, "rel", &s.reliability),
            weight => label(lang, "rel", &s.weight()), weighed_down => s.weight() != s.reliability,
            remote => s.remote, contact => &s.contact }
        })
        .collect();
    let history: Vec<Value> = i
        .verification
        .iter()
        .map(|s| {
            let rests_on: Vec<String> = s.sources.iter().map(|n| format!("#{}", n + 1)).collect();
            context! { from => label(lang, "ivs", &s.from), to => label(lang, "ivs", &s.to), by => &s.by,
            at => cx.time(s.at), method => s.method.map(|m| label(lang, "ivm", &m)),
            sources => rests_on.join(", "), verified_on => s.verified_on.map(|d| d.to_string()), note => &s.note }
        })
        .collect();
    let next: Vec<Value> = i
        .state
        .next()
        .iter()
        .map(|s| context! { id => s.as_str(), label => label(lang, "ivs", s) })
        .collect();
    let violations: Vec<String> = i.violations.iter().map(|v| label(lang, "vio", v)).collect();
    context! {
        id => &i.id,
        opened => opened,
        sensitive => i.compartment.is_sensitive(),
        compartment => label(lang, "cmp", &i.compartment),
        state => label(lang, "ivs", &i.state),
        state_id => i.state.as_str(),
        date => shown_date(i),
        precision => label(lang, "prec", &i.date_precision),
        place => place_label(cx, &i.place),
        narrative => &i.narrative,
        violations => violations,
        victims => victims,
        perpetrators => perpetrators,
        sources => sources,
        alerts => &i.alerts,
        history => history,
        next => next,
        recorded_by => &i.recorded_by,
        recorded_at => cx.time(i.recorded_at),
    }
}

/// What the page shows besides the incident.
pub(super) struct Shown<'a> {
    pub(super) opened: bool,
    pub(super) reason: &'a str,
    pub(super) draft: &'a MoveForm,
    pub(super) error: Option<String>,
    pub(super) notice: Option<&'static str>,
}

pub(super) async fn render(cx: &Ctx, status: StatusCode, i: &Incident, s: Shown<'_>) -> UiResult {
    let care = if s.opened {
        super::care::view(cx, i).await?
    } else {
        Value::UNDEFINED
    };
    let media = if s.opened {
        files(i, s.reason)
    } else {
        Vec::new()
    };
    let page = context! {
        care => care,
        media => media,
        i => view(cx, i, s.opened),
        reason => s.reason,
        d => s.draft,
        methods => options(cx.lang, "ivm", &METHODS),
        can_verify => cx.can(Permission::VerifyIncidents),
        error => s.error,
        notice => s.notice.map(|k| cx.t(k)),
    };
    cx.render_status(status, "incident.html", "incidents", page)
}

/// The incident's files for its page, their links carrying the reason it was opened for
/// (each opening of a file is a new, audited read).
fn files(i: &Incident, reason: &str) -> Vec<Value> {
    let query = if reason.is_empty() {
        String::new()
    } else {
        format!("reason={}", urlencode(reason))
    };
    i.attachments
        .iter()
        .map(|m| {
            let url = format!("/incidents/{}/files/{}", urlencode(&i.id), m.digest);
            files::view(&url, &query, &i.id, m)
        })
        .collect()
}

/// `GET /incidents/{id}/files/{digest}` (`?reason=` for a sensitive record): one file of the
/// incident, to a reader of its compartment; missing otherwise, like any unseen record.
pub async fn file(
    cx: Ctx,
    Path((id, digest)): Path<(String, String)>,
    QueryData(q): QueryData<FileQuery>,
) -> Response {
    let r = async {
        let reason = Some(q.reason.as_str()).filter(|r| !r.trim().is_empty());
        let file = cx
            .st
            .app
            .incident_media(&cx.caller(), &id, &digest, reason)
            .await?;
        let name = files::file_name(&id, &file.media);
        Ok(files::respond(file, &name, q.download()))
    }
    .await;
    cx.finish(r)
}

/// Open the incident as the reader may: a general record at once, a sensitive one only with a
/// reason (audited); without one, the summary and the reason form.
pub(super) async fn load(cx: &Ctx, id: &str, reason: &str) -> UiResult<(Incident, bool)> {
    let caller = cx.caller();
    let summary = cx.st.app.incident_summary(&caller, id).await?;
    let reason = reason.trim();
    if summary.compartment.is_sensitive() && reason.is_empty() {
        return Ok((summary, false));
    }
    let mut opened = cx
        .st
        .app
        .incident(&caller, id, Some(reason).filter(|r| !r.is_empty()))
        .await?;
    for field in opened.identifying_mut() {
        if field == SEALED_ELSEWHERE {
            *field = cx.t("in_sealed_elsewhere").to_string();
        }
    }
    Ok((opened, true))
}

/// `GET /incidents/{id}` (`?reason=` to open a sensitive record).
pub async fn page(cx: Ctx, Path(id): Path<String>, QueryData(q): QueryData<PageQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadIncidents)?;
        let (i, opened) = load(&cx, &id, &q.reason).await?;
        let notice = match q.done.as_str() {
            "recorded" => Some("in_recorded"),
            "moved" => Some("in_moved"),
            "interview" => Some("in_interview_logged"),
            "referral" => Some("in_referred"),
            "follow_up" => Some("in_followed_up"),
            _ => None,
        };
        let draft = MoveForm::default();
        let shown = Shown {
            opened,
            reason: q.reason.trim(),
            draft: &draft,
            error: None,
            notice,
        };
        render(&cx, StatusCode::OK, &i, shown).await
    }
    .await;
    cx.finish(r)
}

/// The page again with the refused form and why.
pub(super) async fn refused(cx: &Ctx, id: &str, f: &MoveForm, e: String) -> UiResult {
    let (i, opened) = load(cx, id, &f.reason).await?;
    let shown = Shown {
        opened,
        reason: f.reason.trim(),
        draft: f,
        error: Some(e),
        notice: None,
    };
    render(cx, StatusCode::UNPROCESSABLE_ENTITY, &i, shown).await
}

/// `POST /incidents/{id}/verification`: the reader, as verifying officer, moves the incident;
/// then the page opens again with the same reason (a new, audited read).
pub async fn verification(
    cx: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<MoveForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ReadIncidents)?;
        let to = f.to.parse::<VerificationState>().ok();
        let method = parse_id::<VerificationMethod>(&f.method);
        let verified_on = NaiveDate::parse_from_str(f.verified_on.trim(), "%Y-%m-%d").ok();
        let sources: Vec<usize> = f
            .sources
            .iter()
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        let Some(to) = to else {
            return refused(&cx, &id, &f, cx.t("in_move_to").to_string()).await;
        };
        let mv = VerificationMove {
            to,
            method,
            sources,
            verified_on,
            note: Some(f.note.trim().to_string()).filter(|n| !n.is_empty()),
        };
        match cx.st.app.move_incident(&cx.caller(), &id, mv).await {
            Ok(_) => {
                let reason = f.reason.trim();
                let mut to = format!("/incidents/{}?done=moved", urlencode(&id));
                if !reason.is_empty() {
                    to.push_str(&format!("&reason={}", urlencode(reason)));
                }
                Ok(see_other(&to))
            }
            Err(
                e @ (AppError::Store(_)
                | AppError::Crypto(_)
                | AppError::NotFound(_)
                | AppError::Forbidden(_)),
            ) => Err(e.into()),
            Err(e) => refused(&cx, &id, &f, crate::ui::alert::error_text(cx.lang, &e)).await,
        }
    }
    .await;
    cx.finish(r)
}

/// The sanitised-alert form: only its CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeriveForm {
    csrf: String,
}

/// `POST /incidents/{id}/alert`: derive a sanitised alert (place, time, threat) into the
/// queue and go to it; audited.
pub async fn derive_alert(
    cx: Ctx,
    Path(id): Path<String>,
    FormData(f): FormData<DeriveForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let a = cx.st.app.derive_alert(&cx.caller(), &id, None).await?;
        Ok(see_other(&format!("/alerts/{}", urlencode(&a.reference))))
    }
    .await;
    cx.finish(r)
}
