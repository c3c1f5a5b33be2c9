//! The new-alert form, used for web reports and logged phone calls; it goes through the
//! same intake, and the same reading of the text, as every channel.

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use kinga_app::AppError;
use kinga_app::alerts::IntakeCommand;
use kinga_domain::people::Permission;
use kinga_domain::{Channel, Severity, ThreatType};

use super::i18n::{self, tr};
use super::login::see_other;
use super::{Ctx, FormData, QueryData, UiResult, threat_options};

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
    form_id: String,
}

fn render_new(cx: &Ctx, status: StatusCode, v: &NewAlertForm, error: Option<String>) -> UiResult {
    let threats = threat_options(cx.lang);
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
        // The time is typed in the user's own time zone.
        let typed = f.reported_at.trim();
        let reported_at = match cx.local().parse(typed) {
            _ if typed.is_empty() => None,
            Some(t) => Some(t),
            None => {
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
