//! The responders page: who answers alerts, where, for which threats and at which hours.

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use kinga_app::registry::RegistryRecord;
use kinga_domain::ThreatType;
use kinga_domain::people::Permission;
use kinga_domain::registry::{ContactPreference, Hours, Responder};

use super::super::i18n::{self, tr};
use super::super::login::see_other;
use super::super::{Ctx, FormData, QueryData, UiError, UiResult, slug, split_list};
use super::{NoticeQuery, RESPONDER_KINDS, hhmm, labels, notice, parse_hhmm, place_code, save_one};

/// The responder form as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ResponderForm {
    #[serde(skip_serializing)]
    csrf: String,
    id: String,
    name: String,
    kind: String,
    places: String,
    threat_types: Vec<String>,
    hours_start: String,
    hours_end: String,
    phone: String,
    email: String,
    prefers: String,
    consent: Option<String>,
    active: Option<String>,
}

impl ResponderForm {
    fn of(r: &Responder) -> Self {
        ResponderForm {
            csrf: String::new(),
            id: r.id.clone(),
            name: r.name.clone(),
            kind: i18n::responder_kind_key(r.kind)
                .trim_start_matches("rk_")
                .to_string(),
            places: r.places.join(", "),
            threat_types: r
                .threat_types
                .iter()
                .map(|t| t.as_str().to_string())
                .collect(),
            hours_start: if r.hours == Hours::ALWAYS {
                String::new()
            } else {
                hhmm(r.hours.start)
            },
            hours_end: if r.hours == Hours::ALWAYS {
                String::new()
            } else {
                hhmm(r.hours.end)
            },
            phone: r.phone.clone().unwrap_or_default(),
            email: r.email.clone().unwrap_or_default(),
            prefers: if r.prefers == ContactPreference::Email {
                "email".into()
            } else {
                "sms".into()
            },
            consent: r.community_consent.then(|| "1".into()),
            active: r.active.then(|| "1".into()),
        }
    }

    fn responder(&self, cx: &Ctx) -> Result<Responder, UiError> {
        let lang = cx.lang;
        let name = self.name.trim();
        if name.is_empty() {
            return Err(UiError::invalid(
                tr(lang, "err_missing").replace("{f}", tr(lang, "field_name")),
            ));
        }
        let kind = RESPONDER_KINDS
            .into_iter()
            .find(|k| i18n::responder_kind_key(*k).trim_start_matches("rk_") == self.kind)
            .ok_or_else(|| UiError::invalid(tr(lang, "err_bad_kind")))?;
        let gaz = cx.st.app.gazetteer();
        let places = split_list(&self.places)
            .iter()
            .map(|p| place_code(&gaz, lang, p))
            .collect::<Result<Vec<_>, _>>()?;
        if places.is_empty() {
            return Err(UiError::invalid(
                tr(lang, "err_missing").replace("{f}", tr(lang, "field_places")),
            ));
        }
        let threat_types = self
            .threat_types
            .iter()
            .map(|t| {
                t.parse::<ThreatType>()
                    .map_err(|_| UiError::invalid(tr(lang, "err_bad_threat")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let hours = match (self.hours_start.trim(), self.hours_end.trim()) {
            ("", "") => Hours::ALWAYS,
            (s, e) => Hours {
                start: parse_hhmm(s).ok_or_else(|| UiError::invalid(tr(lang, "err_bad_hours")))?,
                end: parse_hhmm(e).ok_or_else(|| UiError::invalid(tr(lang, "err_bad_hours")))?,
            },
        };
        let id = match self.id.trim() {
            "" => Some(slug(name))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| cx.st.app.new_id()),
            id => id.to_string(),
        };
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(Responder {
            id,
            name: name.to_string(),
            kind,
            places,
            threat_types,
            hours,
            phone: opt(&self.phone),
            email: opt(&self.email),
            prefers: if self.prefers == "email" {
                ContactPreference::Email
            } else {
                ContactPreference::Sms
            },
            community_consent: self.consent.is_some(),
            active: self.active.is_some(),
        })
    }
}

async fn render_responders(
    cx: &Ctx,
    status: StatusCode,
    form: ResponderForm,
    error: Option<String>,
    notice_text: Option<&str>,
) -> UiResult {
    let lang = cx.lang;
    let gaz = cx.st.app.gazetteer();
    let list = cx.st.app.responders(&cx.caller())?;
    let rows: Vec<_> = list
        .iter()
        .map(|r| {
            context! {
                id => &r.id,
                name => &r.name,
                kind => tr(lang, i18n::responder_kind_key(r.kind)),
                places => labels(&gaz, &r.places),
                threats => if r.threat_types.is_empty() { vec![tr(lang, "all_threats")] } else { r.threat_types.iter().map(|t| t.label(lang)).collect() },
                hours => if r.hours == Hours::ALWAYS { tr(lang, "all_day").to_string() } else { format!("{}–{} UTC", hhmm(r.hours.start), hhmm(r.hours.end)) },
                consent => r.community_consent,
                active => r.active,
                contact => if r.prefers == ContactPreference::Email { "e-mail" } else { "SMS" },
            }
        })
        .collect();
    let kinds: Vec<_> = RESPONDER_KINDS
        .iter()
        .map(|k| context! { id => i18n::responder_kind_key(*k).trim_start_matches("rk_"), label => tr(lang, i18n::responder_kind_key(*k)) })
        .collect();
    let threats: Vec<_> = ThreatType::ALL
        .iter()
        .map(|t| context! { id => t.as_str(), label => t.label(lang), checked => form.threat_types.iter().any(|x| x == t.as_str()) })
        .collect();
    // Hours are the local hours of the deployment, as routing reads them.
    let zone = cx.st.app.settings.zone().name().to_string();
    let view = context! { rows => rows, kinds => kinds, threats => threats, v => &form, error => error, notice => notice_text, zone => zone };
    cx.render_status(status, "responders.html", "responders", view)
}

/// `GET /responders` (`?edit=<id>` fills the form with a responder).
pub async fn responders(cx: Ctx, QueryData(q): QueryData<NoticeQuery>) -> Response {
    let r = async {
        cx.require(Permission::ReadAlerts)?;
        let form = match q.edit.as_deref() {
            Some(id) if cx.can(Permission::ManageRegistries) => cx
                .st
                .app
                .responders(&cx.caller())?
                .iter()
                .find(|r| r.id == id)
                .map(ResponderForm::of)
                .unwrap_or_default(),
            _ => ResponderForm {
                consent: Some("1".into()),
                active: Some("1".into()),
                ..Default::default()
            },
        };
        render_responders(
            &cx,
            StatusCode::OK,
            form,
            None,
            notice(cx.lang, q.notice.as_deref()),
        )
        .await
    }
    .await;
    cx.finish(r)
}

/// `POST /responders`: add or replace a responder.
pub async fn save_responder(cx: Ctx, FormData(f): FormData<ResponderForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        cx.require(Permission::ManageRegistries)?;
        let responder = match f.responder(&cx) {
            Ok(r) => r,
            Err(e) => return render_responders(&cx, e.status, f, Some(e.message), None).await,
        };
        match save_one(&cx, RegistryRecord::Responder(responder)).await? {
            None => Ok(see_other("/responders?notice=notice_saved")),
            Some(msg) => {
                render_responders(&cx, StatusCode::UNPROCESSABLE_ENTITY, f, Some(msg), None).await
            }
        }
    }
    .await;
    cx.finish(r)
}
