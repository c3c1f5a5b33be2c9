//! A person's own settings: name, language, time zone, how escalations and digests reach them
//! besides the inbox, their working area, and their password.

use axum::response::Response;
use minijinja::context;
use serde::Deserialize;

use kinga_app::login::{SignInError, SignInRefusal};
use kinga_app::profile::ProfileUpdate;
use kinga_domain::people::NotifyChannel;

use super::i18n::tr;
use super::login::{ClientIp, see_other};
use super::{Ctx, FormData, QueryData, UiError, UiResult};

/// Time zones offered first: the regions of the first deployments, then UTC.
const ZONES: &[&str] = &[
    "Africa/Lubumbashi",
    "Africa/Kinshasa",
    "Africa/Bangui",
    "Africa/Bamako",
    "Africa/Juba",
    "Africa/Khartoum",
    "Africa/Kampala",
    "Africa/Kigali",
    "Africa/Nairobi",
    "Africa/Ndjamena",
    "Africa/Niamey",
    "Africa/Ouagadougou",
    "Africa/Maputo",
    "Africa/Addis_Ababa",
    "Africa/Abidjan",
    "Africa/Lagos",
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "UTC",
];

/// `?notice=` after a save.
#[derive(Debug, Default, Deserialize)]
pub struct AccountQuery {
    notice: Option<String>,
}

/// The settings form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountForm {
    csrf: String,
    display_name: String,
    language: String,
    time_zone: String,
    phone: String,
    email: String,
    notify: Vec<String>,
    areas: Vec<String>,
}

/// The password form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    password: String,
    again: String,
}

/// `GET /account`.
pub async fn page(cx: Ctx, QueryData(q): QueryData<AccountQuery>) -> Response {
    let notice = q
        .notice
        .as_deref()
        .filter(|k| matches!(*k, "notice_saved" | "notice_password"))
        .map(|k| tr(cx.lang, k));
    let r = render(&cx, None, notice, None).await;
    cx.finish(r)
}

async fn render(
    cx: &Ctx,
    form: Option<&AccountForm>,
    notice: Option<&str>,
    error: Option<String>,
) -> UiResult {
    let u = cx.st.app.profile(&cx.caller(), &cx.pu.user.name).await?;
    let deployment = cx.st.app.settings.zone().name().to_string();
    let zone = form
        .map(|f| f.time_zone.clone())
        .or(u.time_zone.clone())
        .unwrap_or_default();
    let mut zones: Vec<&str> = ZONES.to_vec();
    if !zone.is_empty() && !zones.contains(&zone.as_str()) {
        zones.insert(0, &zone);
    }
    let areas: Vec<String> = form.map(|f| f.areas.clone()).unwrap_or(u.areas.clone());
    let gaz = cx.st.app.gazetteer();
    let options = cx.st.ui.areas(&gaz);
    // Provinces, each with its territories, ticked as the user's working area.
    let mut groups: Vec<minijinja::Value> = Vec::new();
    let mut current: Option<(minijinja::Value, Vec<minijinja::Value>)> = None;
    for o in options.iter() {
        let item =
            context! { pcode => &o.pcode, name => &o.name, checked => areas.contains(&o.pcode) };
        if o.sub {
            if let Some((_, subs)) = current.as_mut() {
                subs.push(item);
            }
        } else {
            if let Some((p, subs)) = current.take() {
                groups.push(context! { province => p, territories => subs });
            }
            current = Some((item, Vec::new()));
        }
    }
    if let Some((p, subs)) = current {
        groups.push(context! { province => p, territories => subs });
    }
    let notify: Vec<String> = form
        .map(|f| f.notify.clone())
        .unwrap_or_else(|| u.notify.iter().map(|c| c.as_str().to_string()).collect());
    let view = context! {
        u => context! {
            name => &u.name,
            display_name => form.map(|f| f.display_name.clone()).unwrap_or(u.display_name.clone()),
            language => form.map(|f| f.language.clone()).unwrap_or(u.language.clone()),
            phone => form.map(|f| f.phone.clone()).unwrap_or(u.phone.clone().unwrap_or_default()),
            email => form.map(|f| f.email.clone()).unwrap_or(u.email.clone().unwrap_or_default()),
            sms => notify.iter().any(|c| c == "sms"),
            mail => notify.iter().any(|c| c == "email"),
            zone => zone,
        },
        zones => zones,
        deployment_zone => deployment,
        now_local => cx.time(cx.st.app.now()),
        groups => groups,
        notice => notice,
        error => error,
    };
    let status = if view.get_attr("error").is_ok_and(|e| !e.is_none()) {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    cx.render_status(status, "account.html", "account", view)
}

/// `POST /account`: save the settings, or show the form again with what was wrong.
pub async fn save(cx: Ctx, FormData(f): FormData<AccountForm>) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        let mut notify = Vec::new();
        for c in &f.notify {
            notify.push(match c.as_str() {
                "sms" => NotifyChannel::Sms,
                "email" => NotifyChannel::Email,
                _ => return Err(UiError::invalid(format!("unknown channel '{c}'"))),
            });
        }
        let update = ProfileUpdate {
            display_name: Some(f.display_name.clone()),
            language: Some(f.language.clone()),
            phone: Some(f.phone.clone()),
            email: Some(f.email.clone()),
            notify: Some(notify),
            time_zone: Some(f.time_zone.clone()),
            areas: Some(f.areas.clone()),
        };
        match cx
            .st
            .app
            .update_profile(&cx.caller(), &cx.pu.user.name, update)
            .await
        {
            Ok(_) => Ok(see_other("/account?notice=notice_saved")),
            Err(kinga_app::AppError::Invalid(msg)) => render(&cx, Some(&f), None, Some(msg)).await,
            Err(e) => Err(e.into()),
        }
    }
    .await;
    cx.finish(r)
}

/// `POST /account/password`: a new password, given the current one; other sessions end.
pub async fn password(
    cx: Ctx,
    ClientIp(address): ClientIp,
    FormData(f): FormData<PasswordForm>,
) -> Response {
    let r = async {
        cx.check_csrf(&f.csrf)?;
        if f.password != f.again {
            return render(
                &cx,
                None,
                None,
                Some(cx.t("err_passwords_differ").to_string()),
            )
            .await;
        }
        let changed = cx
            .st
            .app
            .change_own_password(
                &cx.pu.user,
                &f.current,
                &f.password,
                &cx.pu.session.digest,
                &address,
            )
            .await;
        match changed {
            Ok(_) => Ok(see_other("/account?notice=notice_password")),
            Err(SignInError::Refused(SignInRefusal::Wrong)) => {
                render(
                    &cx,
                    None,
                    None,
                    Some(cx.t("err_current_password").to_string()),
                )
                .await
            }
            Err(SignInError::Refused(SignInRefusal::TooMany(wait))) => Err(UiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                cx.t("login_blocked").replace("{n}", &wait.to_string()),
            )),
            Err(SignInError::App(kinga_app::AppError::Invalid(msg))) => {
                render(&cx, None, None, Some(msg)).await
            }
            Err(SignInError::App(e)) => Err(e.into()),
        }
    }
    .await;
    cx.finish(r)
}
