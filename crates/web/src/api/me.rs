//! A person's own settings and inbox over the API, and an administrator's view of anyone's
//! settings.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use kinga_app::profile::ProfileUpdate;
use kinga_domain::people::{NotifyChannel, User};

use super::registry::{OutboxMessageView, OutboxPageView};
use super::{ApiJson, ApiQuery};
use crate::auth::ApiUser;
use crate::{AppState, WebError};

/// A user's settings (never their password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsView {
    /// Login name.
    pub name: String,
    /// Name shown in the UI and timelines.
    pub display_name: String,
    /// Role.
    pub role: String,
    /// UI language.
    pub language: String,
    /// Phone number (E.164) for escalations by SMS.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Ways to be reached besides the inbox: `sms`, `email`.
    pub notify: Vec<String>,
    /// IANA time zone; none means the deployment's.
    pub time_zone: Option<String>,
    /// Working area (P-codes).
    pub areas: Vec<String>,
}

impl From<&User> for SettingsView {
    fn from(u: &User) -> Self {
        SettingsView {
            name: u.name.clone(),
            display_name: u.display_name.clone(),
            role: u.role.as_str().to_string(),
            language: u.language.clone(),
            phone: u.phone.clone(),
            email: u.email.clone(),
            notify: u.notify.iter().map(|c| c.as_str().to_string()).collect(),
            time_zone: u.time_zone.clone(),
            areas: u.areas.clone(),
        }
    }
}

/// Changes to settings: absent fields stay as they are; an empty string or list clears.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    /// Name shown in the UI.
    pub display_name: Option<String>,
    /// `fr` or `en`.
    pub language: Option<String>,
    /// Phone number, national or international form.
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// `sms`, `email`.
    #[schema(value_type = Option<Vec<String>>)]
    pub notify: Option<Vec<NotifyChannel>>,
    /// IANA time zone such as `Africa/Lubumbashi`.
    pub time_zone: Option<String>,
    /// P-codes of the working area.
    pub areas: Option<Vec<String>>,
}

impl From<SettingsBody> for ProfileUpdate {
    fn from(b: SettingsBody) -> Self {
        ProfileUpdate {
            display_name: b.display_name,
            language: b.language,
            phone: b.phone,
            email: b.email,
            notify: b.notify,
            time_zone: b.time_zone,
            areas: b.areas,
        }
    }
}

/// The caller's own settings.
#[utoipa::path(get, path = "/api/v1/me", tag = "people",
    responses((status = 200, body = SettingsView), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_me(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<SettingsView>, WebError> {
    let u = st.app.profile(&user.caller(), &user.0.name).await?;
    Ok(Json((&u).into()))
}

/// Change the caller's own settings.
#[utoipa::path(patch, path = "/api/v1/me", tag = "people", request_body = SettingsBody,
    responses((status = 200, body = SettingsView), (status = 401, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn patch_me(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<SettingsBody>,
) -> Result<Json<SettingsView>, WebError> {
    let u = st
        .app
        .update_profile(&user.caller(), &user.0.name, b.into())
        .await?;
    Ok(Json((&u).into()))
}

/// A user's settings (administrators).
#[utoipa::path(get, path = "/api/v1/users/{name}/settings", tag = "people",
    params(("name" = String, Path, description = "Login name")),
    responses((status = 200, body = SettingsView), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_settings(
    State(st): State<AppState>,
    user: ApiUser,
    Path(name): Path<String>,
) -> Result<Json<SettingsView>, WebError> {
    let u = st.app.profile(&user.caller(), &name).await?;
    Ok(Json((&u).into()))
}

/// Change a user's settings (administrators).
#[utoipa::path(patch, path = "/api/v1/users/{name}/settings", tag = "people", request_body = SettingsBody,
    params(("name" = String, Path, description = "Login name")),
    responses((status = 200, body = SettingsView), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn patch_settings(
    State(st): State<AppState>,
    user: ApiUser,
    Path(name): Path<String>,
    ApiJson(b): ApiJson<SettingsBody>,
) -> Result<Json<SettingsView>, WebError> {
    let u = st
        .app
        .update_profile(&user.caller(), &name, b.into())
        .await?;
    Ok(Json((&u).into()))
}

/// Inbox paging.
#[derive(Debug, Deserialize, IntoParams)]
pub struct InboxParams {
    /// At most (default 50, max 200).
    pub limit: Option<u32>,
    /// Messages to skip.
    pub offset: Option<u32>,
    /// Mark the inbox read (default false: reading over the API leaves the count alone).
    pub mark_read: Option<bool>,
}

/// The caller's inbox: escalations and digests kept for them, newest first.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "people", params(InboxParams),
    responses((status = 200, body = InboxView), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn inbox(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<InboxParams>,
) -> Result<Json<InboxView>, WebError> {
    let unread = st.app.inbox_unread(&user.0).await?;
    let page = st
        .app
        .inbox(
            &user.0,
            p.offset.unwrap_or(0) as usize,
            p.limit.unwrap_or(50) as usize,
        )
        .await?;
    if p.mark_read.unwrap_or(false) {
        st.app.mark_inbox_read(&user.0).await?;
    }
    Ok(Json(InboxView {
        unread,
        page: OutboxPageView {
            items: page.items.iter().map(OutboxMessageView::from).collect(),
            more: page.more,
        },
    }))
}

/// A page of the inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxView {
    /// Messages that arrived since the inbox was last read (at most 100).
    pub unread: usize,
    /// Messages, newest first.
    #[serde(flatten)]
    pub page: OutboxPageView,
}
