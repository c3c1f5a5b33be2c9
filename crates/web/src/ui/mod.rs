//! Server-rendered pages for people working on bad connections: small HTML, no external
//! assets, every form works without JavaScript; a single inline script only enhances (live
//! queue, local times). Strings come from the French/English catalogue in [`i18n`].

mod account;
mod admin;
mod alert;
mod assets;
mod briefing;
mod charts;
mod conflicts;
mod dashboard;
mod error;
mod figures;
mod files;
#[cfg(test)]
mod flows;
pub mod i18n;
mod incidents;
mod login;
pub(crate) use login::ClientIp;
mod map;
mod map_context;
mod messages;
mod new_alert;
mod queue;
mod registry;
mod reports;
mod shared;
mod templates;
pub mod time;
mod transition;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use minijinja::{Value, context};
use serde::Serialize;
use tower_http::set_header::SetResponseHeaderLayer;

use kinga_domain::people::{Permission, User};

use crate::AppState;
use crate::auth::{PageUser, ToLogin};

use error::{error_response, error_view};
use i18n::tr;

pub use error::{UiError, UiResult, not_found, public_error};
pub use shared::{
    FormData, QueryData, escape, iso_time, past_reception, relative, slug, split_list,
    state_options, threat_options, urlencode,
};
pub use templates::{AreaOption, Templates};

/// Routes of the pages.
pub fn routes() -> Router<AppState> {
    let csp = HeaderValue::from_str(&templates::csp())
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    Router::new()
        .route("/", get(dashboard::page))
        .route("/login", get(login::login_page).post(login::login))
        .route("/logout", post(login::logout).get(|| back("/login")))
        .route("/language", post(login::language).get(|| back("/alerts")))
        .route("/alerts", get(queue::queue))
        .route("/alerts/rows", get(queue::rows))
        .route("/alerts/export.csv", get(reports::csv))
        .route("/alerts/export.geojson", get(reports::geojson))
        .route("/alerts/export.xlsx", get(reports::xlsx))
        .route("/reports", get(reports::page))
        .route("/map", get(map::page))
        .route("/conflicts", get(conflicts::page))
        .route("/briefing", get(briefing::page))
        .route("/static/leaflet-1.9.4/{*file}", get(assets::leaflet))
        .route("/static/{file}", get(assets::script))
        .route(
            "/alerts/stale/close",
            post(queue::close_stale).get(|| back("/alerts?view=stale")),
        )
        .route(
            "/alerts/new",
            get(new_alert::new_form).post(new_alert::create),
        )
        .route("/alerts/{id}", get(alert::page))
        .route(
            "/alerts/{id}/triage",
            post(alert::triage).get(back_to_alert),
        )
        .route(
            "/alerts/{id}/transition",
            post(alert::transition).get(back_to_alert),
        )
        .route(
            "/alerts/{id}/question",
            post(alert::question).get(back_to_alert),
        )
        .route("/alerts/{id}/note", post(alert::note).get(back_to_alert))
        .route("/alerts/{id}/take", post(alert::take).get(back_to_alert))
        .route(
            "/alerts/{id}/response",
            post(alert::response).get(back_to_alert),
        )
        .route("/places", get(registry::places).post(registry::save_place))
        .route(
            "/responders",
            get(registry::responders).post(registry::save_responder),
        )
        .route("/actors", get(registry::actors).post(registry::save_actor))
        .route(
            "/focal-points",
            get(registry::focal_points).post(registry::register_focal_point),
        )
        .route(
            "/focal-points/{id}/reveal",
            post(registry::reveal).get(|| back("/focal-points")),
        )
        .route("/outbox", get(messages::outbox))
        .route("/inbox", get(messages::inbox))
        .route("/account", get(account::page).post(account::save))
        .route(
            "/account/password",
            post(account::password).get(|| back("/account")),
        )
        .route("/users", get(admin::users).post(admin::add_user))
        .route(
            "/users/{name}/disable",
            post(admin::disable_user).get(|| back("/users")),
        )
        .route(
            "/users/{name}/enable",
            post(admin::enable_user).get(|| back("/users")),
        )
        .route(
            "/users/{name}/password",
            post(admin::reset_password).get(|| back("/users")),
        )
        .route("/digest", get(admin::digest).post(admin::issue_digest))
        .route("/incidents", get(incidents::list))
        .route("/reports/mrm", get(incidents::mrm_page))
        .route("/reports/mrm.csv", get(incidents::mrm_csv))
        .route(
            "/incidents/new",
            get(incidents::new_form).post(incidents::create),
        )
        .route("/incidents/{id}", get(incidents::page))
        .route("/incidents/{id}/files/{digest}", get(incidents::file))
        .route(
            "/incidents/{id}/verification",
            post(incidents::verification).get(back_to_incident),
        )
        .route(
            "/incidents/{id}/alert",
            post(incidents::derive_alert).get(back_to_incident),
        )
        .route(
            "/incidents/{id}/interviews",
            post(incidents::log_interview).get(back_to_incident),
        )
        .route(
            "/incidents/{id}/referrals",
            post(incidents::refer).get(back_to_incident),
        )
        .route(
            "/incidents/{id}/referrals/{referral}/follow-up",
            post(incidents::follow_up),
        )
        .route(
            "/hrddp",
            get(incidents::hrddp_page).post(incidents::hrddp_screen),
        )
        .route("/hrddp/{id}", get(incidents::hrddp_one))
        .route(
            "/providers",
            get(incidents::providers_page).post(incidents::save_provider),
        )
        .route(
            "/reports/gbvims",
            post(incidents::import_gbvims).get(|| back("/reports/mrm")),
        )
        .route("/transition", get(transition::overview))
        .route("/transition/cliff", get(transition::cliff))
        .route("/transition/dossier", get(transition::dossier))
        .route("/transition/routing", get(transition::routing::page))
        .route("/transition/closures", get(transition::after_closure::page))
        .route(
            "/transition/broadcasts",
            get(transition::broadcasts_page).post(transition::send_broadcast),
        )
        .route(
            "/transition/routing/decide",
            post(transition::routing::decide).get(|| back("/transition/routing")),
        )
        .route(
            "/transition/plan",
            get(transition::plan_page).post(transition::save_plan),
        )
        .route(
            "/transition/plan/remove",
            post(transition::remove_plan).get(|| back("/transition")),
        )
        .route(
            "/transition/milestone",
            post(transition::save_milestone).get(|| back("/transition")),
        )
        .route(
            "/transition/milestone/remove",
            post(transition::remove_milestone).get(|| back("/transition")),
        )
        .route(
            "/transition/mission",
            post(transition::save_mission).get(|| back("/transition")),
        )
        .route(
            "/transition/closure",
            post(transition::save_closure).get(|| back("/transition")),
        )
        .route(
            "/transition/closure/remove",
            post(transition::remove_closure).get(|| back("/transition")),
        )
        .route(
            "/transition/benchmarks",
            get(transition::benchmarks_page).post(transition::save_benchmark),
        )
        .route(
            "/transition/indicators",
            get(transition::indicators_page).post(transition::save_indicator),
        )
        .route(
            "/transition/value",
            post(transition::record_value).get(|| back("/transition/benchmarks")),
        )
        .route(
            "/transition/records/remove",
            post(transition::remove_record).get(|| back("/transition")),
        )
        .route(
            "/transition/community",
            get(transition::community_page).post(transition::save_mechanism),
        )
        .route(
            "/transition/community/assess",
            post(transition::assess).get(|| back("/transition/community")),
        )
        .route(
            "/transition/roster",
            get(transition::roster_page).post(transition::save_staff),
        )
        .route(
            "/transition/knowledge",
            get(transition::knowledge_page).post(transition::save_note),
        )
        .route(
            "/transition/community/support",
            post(transition::record_support).get(|| back("/transition/community")),
        )
        .route("/alerts/{id}/media/{digest}", get(alert::media::serve))
        .route(
            "/alerts/{id}/transcript",
            post(alert::media::transcript).get(back_to_alert),
        )
        .fallback(not_found)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // Alert texts and identities must not linger in shared or lost devices' caches.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// Where a GET to a form's address lands: after signing in again, the login page sends
/// people back to the address they were posting to, which only takes POST.
async fn back(to: &'static str) -> Response {
    login::see_other(to)
}

async fn back_to_alert(axum::extract::Path(id): axum::extract::Path<String>) -> Response {
    login::see_other(&format!("/alerts/{}", urlencode(&id)))
}

async fn back_to_incident(axum::extract::Path(id): axum::extract::Path<String>) -> Response {
    login::see_other(&format!("/incidents/{}", urlencode(&id)))
}

/// A signed-in page request: the state, the user and where they are.
pub struct Ctx {
    /// Application state.
    pub st: AppState,
    /// The signed-in user and session.
    pub pu: PageUser,
    /// Page language (`fr` or `en`).
    pub lang: &'static str,
    /// Local path to come back to after switching language.
    pub here: String,
    /// Messages in the user's inbox since they last opened it (the header's count).
    pub unread: usize,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ToLogin;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let pu = PageUser::from_request_parts(parts, st).await?;
        let here = if parts.method == Method::GET {
            parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/alerts".into())
        } else {
            "/alerts".into()
        };
        let lang = lang_of(&pu.user);
        // A count that cannot be read is no reason to refuse the page.
        let unread = st.app.inbox_unread(&pu.user).await.unwrap_or(0);
        Ok(Ctx {
            st: st.clone(),
            pu,
            lang,
            here,
            unread,
        })
    }
}

/// The UI language of a user.
pub fn lang_of(u: &User) -> &'static str {
    if u.language == "fr" { "fr" } else { "en" }
}

/// What the header and templates need to know about what the user may do.
#[derive(Debug, Serialize)]
struct Can {
    create: bool,
    triage: bool,
    respond: bool,
    registries: bool,
    identities: bool,
    users: bool,
    coordinate: bool,
    outbox: bool,
    reporters: bool,
    export: bool,
    reports: bool,
    incidents: bool,
    record_incidents: bool,
    map: bool,
    transition: bool,
}

impl Ctx {
    /// The caller for use cases.
    pub fn caller(&self) -> kinga_app::Caller {
        self.pu.caller()
    }

    /// Times as this user reads them: their time zone, else the deployment's.
    pub fn local(&self) -> time::Local {
        let tz = self
            .pu
            .user
            .time_zone
            .as_deref()
            .and_then(|z| z.parse().ok())
            .unwrap_or_else(|| self.st.app.settings.zone());
        time::Local::new(tz, self.lang)
    }

    /// A time as this user reads it.
    pub fn time(&self, t: DateTime<Utc>) -> String {
        self.local().show(t)
    }

    /// A string of the catalogue in the page language.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        tr(self.lang, key)
    }

    /// Whether the user holds `p`.
    pub fn can(&self, p: Permission) -> bool {
        self.pu.user.can(p)
    }

    /// Fail with a 403 page unless the user holds `p`.
    pub fn require(&self, p: Permission) -> UiResult<()> {
        if self.can(p) {
            Ok(())
        } else {
            Err(UiError::forbidden(self.t("err_forbidden_detail")))
        }
    }

    /// Refuse a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> UiResult<()> {
        self.pu
            .check_csrf(token)
            .map_err(|_| UiError::forbidden(self.t("err_csrf")))
    }

    /// The template context shared by every signed-in page, merged with the page's own.
    pub fn context(&self, nav: &str, page: impl Serialize) -> Value {
        let u = &self.pu.user;
        let can = Can {
            create: self.can(Permission::CreateAlerts),
            triage: self.can(Permission::TriageAlerts),
            respond: self.can(Permission::RespondAlerts),
            registries: self.can(Permission::ManageRegistries),
            identities: self.can(Permission::ReadIdentities),
            users: self.can(Permission::ManageUsers),
            coordinate: self.can(Permission::Coordinate),
            outbox: self.can(Permission::ReadOutbox),
            reporters: self.can(Permission::ReadReporters),
            export: self.can(Permission::ExportAlerts),
            reports: self.can(Permission::ReadReports),
            incidents: self.can(Permission::ReadIncidents),
            record_incidents: self.can(Permission::RecordIncidents),
            map: self.can(Permission::ReadAlerts),
            transition: self.can(Permission::ReadTransition),
        };
        context! {
            lang => self.lang,
            me => context! { name => &u.name, display_name => &u.display_name, role => tr(self.lang, i18n::role_key(u.role)) },
            csrf => &self.pu.session.csrf,
            here => &self.here,
            can => Value::from_serialize(&can),
            nav => nav,
            unread => self.unread,
            unread_label => if self.unread >= kinga_app::inbox::UNREAD_CAP { format!("{}+", kinga_app::inbox::UNREAD_CAP - 1) } else { self.unread.to_string() },
            ..Value::from_serialize(&page)
        }
    }

    /// Render a page with status 200.
    pub fn render(&self, template: &str, nav: &str, page: impl Serialize) -> UiResult {
        self.render_status(StatusCode::OK, template, nav, page)
    }

    /// Render a page with a status.
    pub fn render_status(
        &self,
        status: StatusCode,
        template: &str,
        nav: &str,
        page: impl Serialize,
    ) -> UiResult {
        let html = self.st.ui.render(template, self.context(nav, page))?;
        Ok((status, Html(html)).into_response())
    }

    /// The page, or the error rendered as a page.
    pub fn finish(&self, r: UiResult) -> Response {
        r.unwrap_or_else(|e| self.error_page(e))
    }

    /// An error as a page in the user's language.
    pub fn error_page(&self, e: UiError) -> Response {
        let ctx = self.context("", error_view(self.lang, &e));
        error_response(&self.st, e.status, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_csrf_token_is_refused() {
        let now = Utc::now();
        let pu = PageUser {
            user: User {
                id: "u1".into(),
                name: "cla".into(),
                display_name: "CLA".into(),
                role: kinga_domain::people::Role::TriageOfficer,
                language: "fr".into(),
                password_hash: String::new(),
                disabled: false,
                responder: None,
                created_at: now,
                areas: vec![],
                phone: None,
                email: None,
                notify: vec![],
                time_zone: None,
                inbox_seen_at: None,
            },
            session: kinga_app::Session {
                digest: "d".into(),
                user: "u1".into(),
                csrf: "a".repeat(64),
                created_at: now,
                expires_at: now,
            },
        };
        assert!(pu.check_csrf(&"a".repeat(64)).is_ok());
        for bad in ["", "a", &"b".repeat(64)] {
            assert_eq!(
                pu.check_csrf(bad).map_err(|e| e.status).err(),
                Some(StatusCode::FORBIDDEN)
            );
        }
    }
}
