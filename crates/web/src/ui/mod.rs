//! Server-rendered pages for people working on bad connections: small HTML, no external
//! assets, every form works without JavaScript; a single inline script only enhances (live
//! queue, local times). Strings come from the French/English catalogue in [`i18n`].

mod account;
mod admin;
mod alert;
#[cfg(test)]
mod flows;
pub mod i18n;
mod login;
mod messages;
mod new_alert;
mod queue;
mod registry;
pub mod time;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use chrono::{DateTime, Utc};
use minijinja::{Environment, State, Value, context};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

use kinga_app::AppError;
use kinga_domain::people::{Permission, User};
use kinga_domain::place::{Gazetteer, PlaceLevel};

use crate::auth::{PageUser, ToLogin};
use crate::{AppState, WebError};

use i18n::tr;

/// The one inline script: live queue rows, local times, the reporter's time zone. Pages work
/// without it; it is allowed by its hash in the Content-Security-Policy.
const SCRIPT: &str = include_str!("../../static/enhance.js");
/// The one stylesheet, inlined: one request per page on 2G.
const STYLE: &str = include_str!("../../static/style.css");

/// Embedded templates: (name, source).
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("alerts.html", include_str!("../../templates/alerts.html")),
    (
        "_alert_rows.html",
        include_str!("../../templates/_alert_rows.html"),
    ),
    (
        "_queue_live.html",
        include_str!("../../templates/_queue_live.html"),
    ),
    (
        "alert_new.html",
        include_str!("../../templates/alert_new.html"),
    ),
    ("alert.html", include_str!("../../templates/alert.html")),
    ("places.html", include_str!("../../templates/places.html")),
    (
        "responders.html",
        include_str!("../../templates/responders.html"),
    ),
    ("actors.html", include_str!("../../templates/actors.html")),
    (
        "focal_points.html",
        include_str!("../../templates/focal_points.html"),
    ),
    ("users.html", include_str!("../../templates/users.html")),
    ("digest.html", include_str!("../../templates/digest.html")),
    ("outbox.html", include_str!("../../templates/outbox.html")),
    ("inbox.html", include_str!("../../templates/inbox.html")),
    ("account.html", include_str!("../../templates/account.html")),
];

/// Area options and the gazetteer they were built from.
type AreaCache = (Arc<Gazetteer>, Arc<Vec<AreaOption>>);

/// Page templates (a minijinja environment with every template embedded) and small caches
/// derived from registries.
pub struct Templates {
    env: Environment<'static>,
    areas: Mutex<Option<AreaCache>>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    /// Load the embedded templates.
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
        for (name, src) in TEMPLATES {
            // Embedded at build time and checked by the tests: a failure is a programming error.
            env.add_template(name, src)
                .expect("embedded template parses");
        }
        env.add_function("t", template_t);
        env.add_filter("urlencode", |s: String| urlencode(&s));
        env.add_global("script", Value::from_safe_string(SCRIPT.to_string()));
        env.add_global("style", Value::from_safe_string(STYLE.to_string()));
        Templates {
            env,
            areas: Mutex::new(None),
        }
    }

    /// Render a template with a context.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, UiError> {
        let tpl = self.env.get_template(name).map_err(render_failed)?;
        tpl.render(ctx).map_err(render_failed)
    }

    /// Provinces and territories for area selects, rebuilt only when the gazetteer changes.
    pub fn areas(&self, gaz: &Arc<Gazetteer>) -> Arc<Vec<AreaOption>> {
        if let Ok(g) = self.areas.lock() {
            if let Some((cached, list)) = g.as_ref() {
                if Arc::ptr_eq(cached, gaz) {
                    return list.clone();
                }
            }
        }
        let list = Arc::new(area_options(gaz));
        if let Ok(mut g) = self.areas.lock() {
            *g = Some((gaz.clone(), list.clone()));
        }
        list
    }
}

fn render_failed(e: minijinja::Error) -> UiError {
    tracing::error!(error = %e, "template rendering failed");
    UiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the page could not be rendered",
    )
}

/// `t("key")` in templates: the string in the language of the page (`lang` in the context).
fn template_t(state: &State, key: &str) -> String {
    let lang = state.lookup("lang");
    let lang = lang.as_ref().and_then(|l| l.as_str()).unwrap_or("en");
    tr(lang, key).to_string()
}

/// A province or territory in an area select.
#[derive(Debug, Clone, Serialize)]
pub struct AreaOption {
    /// P-code.
    pub pcode: String,
    /// Name.
    pub name: String,
    /// True for a territory (shown indented under its province).
    pub sub: bool,
}

/// Provinces in name order, each followed by its territories.
fn area_options(gaz: &Gazetteer) -> Vec<AreaOption> {
    let mut provinces: Vec<_> = gaz
        .places()
        .iter()
        .filter(|p| p.level == PlaceLevel::Admin1)
        .collect();
    provinces.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = Vec::new();
    for p in provinces {
        out.push(AreaOption {
            pcode: p.pcode.clone(),
            name: p.name.clone(),
            sub: false,
        });
        let mut ts: Vec<_> = gaz
            .places()
            .iter()
            .filter(|t| {
                t.level == PlaceLevel::Admin2 && t.parent.as_deref() == Some(p.pcode.as_str())
            })
            .collect();
        ts.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(ts.into_iter().map(|t| AreaOption {
            pcode: t.pcode.clone(),
            name: t.name.clone(),
            sub: true,
        }));
    }
    out
}

fn csp() -> String {
    let hash =
        |s: &str| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()));
    format!(
        "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; img-src data:; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        hash(SCRIPT),
        hash(STYLE)
    )
}

/// Routes of the pages.
pub fn routes() -> Router<AppState> {
    let csp = HeaderValue::from_str(&csp())
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    Router::new()
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/alerts") }),
        )
        .route("/login", get(login::login_page).post(login::login))
        .route("/logout", post(login::logout).get(|| back("/login")))
        .route("/language", post(login::language).get(|| back("/alerts")))
        .route("/alerts", get(queue::queue))
        .route("/alerts/rows", get(queue::rows))
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

/// Why a page could not be served; rendered as an HTML page in the user's language.
#[derive(Debug)]
pub struct UiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Message for a person.
    pub message: String,
}

impl UiError {
    /// An error with a status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        UiError {
            status,
            message: message.into(),
        }
    }

    /// 422 with a message.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// 403 with a message.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }
}

impl From<WebError> for UiError {
    fn from(e: WebError) -> Self {
        UiError {
            status: e.status,
            message: e.message,
        }
    }
}

impl From<AppError> for UiError {
    fn from(e: AppError) -> Self {
        WebError::from(e).into()
    }
}

impl From<kinga_app::StoreError> for UiError {
    fn from(e: kinga_app::StoreError) -> Self {
        AppError::from(e).into()
    }
}

/// Result of page handlers.
pub type UiResult<T = Response> = Result<T, UiError>;

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

fn error_view(lang: &str, e: &UiError) -> Value {
    let title = match e.status {
        StatusCode::FORBIDDEN => "err_forbidden",
        StatusCode::NOT_FOUND => "err_not_found",
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "err_invalid",
        StatusCode::CONFLICT => "err_conflict",
        StatusCode::TOO_MANY_REQUESTS => "err_too_many",
        _ => "err_unavailable",
    };
    // Server faults carry internals (database errors); a person only needs to retry.
    let detail = if e.status.is_server_error() {
        tr(lang, "err_retry").to_string()
    } else if e.status == StatusCode::NOT_FOUND {
        // The application names what is missing in English; the page says it in its language.
        tr(lang, "err_not_found_detail").to_string()
    } else if e.message.starts_with("forbidden:") {
        // The application's refusal names the role in English; say it in the page language.
        tr(lang, "err_forbidden_detail").to_string()
    } else {
        e.message.clone()
    };
    context! { title => tr(lang, title), detail => detail, status => e.status.as_u16() }
}

fn error_response(st: &AppState, status: StatusCode, ctx: Value) -> Response {
    match st.ui.render("error.html", ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, "error").into_response(),
    }
}

/// Any address no route answers: a JSON error under `/api/` and `/channels/`, else a page in
/// the reader's language (the signed-in user's, else the browser's).
pub async fn not_found(
    axum::extract::State(st): axum::extract::State<AppState>,
    req: Request,
) -> Response {
    let (mut parts, _) = req.into_parts();
    let path = parts.uri.path();
    if path.starts_with("/api/") || path.starts_with("/channels/") {
        return WebError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
            .into_response();
    }
    match Ctx::from_request_parts(&mut parts, &st).await {
        Ok(cx) => cx.error_page(UiError::new(StatusCode::NOT_FOUND, "")),
        Err(_) => {
            let lang = login::request_lang(&parts.headers, None);
            public_error(&st, lang, UiError::new(StatusCode::NOT_FOUND, ""))
        }
    }
}

/// An error page for someone not signed in.
pub fn public_error(st: &AppState, lang: &'static str, e: UiError) -> Response {
    let ctx = context! { lang => lang, ..error_view(lang, &e) };
    error_response(st, e.status, ctx)
}

/// A form body (`application/x-www-form-urlencoded`, repeated names collected into lists);
/// a malformed body is a plain 400, never a JSON blob.
pub struct FormData<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for FormData<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum_extra::extract::Form::<T>::from_request(req, state).await {
            Ok(f) => Ok(FormData(f.0)),
            // A POST with no form at all is read as an empty form, so it meets the CSRF
            // check (403) like any other forged request instead of a content-type error.
            Err(e) if e.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                serde_json::from_value(serde_json::json!({}))
                    .map(FormData)
                    .map_err(|_| bad_request(&e.body_text()))
            }
            Err(e) => Err(bad_request(&e.body_text())),
        }
    }
}

fn bad_request(text: &str) -> Response {
    let page = format!("<!doctype html><title>400</title><p>{}</p>", escape(text));
    (StatusCode::BAD_REQUEST, Html(page)).into_response()
}

/// Query parameters; a malformed query string is a plain 400.
pub struct QueryData<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryData<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| QueryData(q.0))
            .map_err(|e| {
                (
                    StatusCode::BAD_REQUEST,
                    Html(format!(
                        "<!doctype html><title>400</title><p>{}</p>",
                        escape(&e.body_text())
                    )),
                )
                    .into_response()
            })
    }
}

/// HTML-escape text put into a page outside the templates.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encode a query value.
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A time for the `datetime` attribute of `<time>`.
pub fn iso_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// How far `at` is from `now`, in words: "in 1 h 05" / "2 d 3 h late" / "due now". A deadline
/// that has come is never "in 0 min": it is due, and shown overdue beside it.
pub fn relative(lang: &str, now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let secs = (at - now).num_seconds();
    let mins = secs.unsigned_abs() / 60;
    if secs > 0 && mins > 0 {
        format!("{} {}", tr(lang, "rel_in"), span_text(lang, mins))
    } else if mins == 0 {
        tr(lang, "rel_now").to_string()
    } else {
        format!("{} {}", span_text(lang, mins), tr(lang, "rel_late"))
    }
}

fn span_text(lang: &str, mins: u64) -> String {
    let (d, h, m) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    let day = if lang == "fr" { "j" } else { "d" };
    if d > 0 {
        format!("{d} {day} {h} h")
    } else if h > 0 {
        format!("{h} h {m:02}")
    } else {
        format!("{m} min")
    }
}

/// Split a comma-, semicolon- or newline-separated list, trimmed, empties dropped.
pub fn split_list(s: &str) -> Vec<String> {
    s.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// A short id from a name: `"Base Minova (MONUSCO)"` → `"base-minova-monusco"`.
pub fn slug(s: &str) -> String {
    kinga_domain::text::fold(s)
        .replace(' ', "-")
        .chars()
        .take(48)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_row(text: &str, uncovered: bool) -> Value {
        context! {
            reference => "K-7", severity => 4, severity_label => "imminent threat to life", threat => "Killing",
            excerpt => text, place => None::<String>, place_name => "Kiwanja <b>", candidates => 2,
            state => "Received", state_id => "received", deadline_kind => "Acknowledge",
            deadline => "2026-03-01 08:15 UTC", deadline_iso => "2026-03-01T08:15:00Z", due => "5 min late",
            overdue => true, escalated => false, uncovered => uncovered, duplicates => 1,
        }
    }

    #[test]
    fn every_template_parses_and_rows_render_escaped() {
        let t = Templates::new();
        for (name, _) in TEMPLATES {
            assert!(t.env.get_template(name).is_ok(), "{name}");
        }
        let html = t
            .render("_alert_rows.html", context! { lang => "fr", rows => vec![sample_row("<script>alert(1)</script>", true)] })
            .unwrap_or_default();
        assert!(
            html.contains("&lt;script&gt;") && !html.contains("<script>"),
            "{html}"
        );
        assert!(html.contains("NON COUVERTE") && html.contains("data-uncovered=\"true\""));
        assert!(html.contains("lieu à confirmer") && html.contains("Kiwanja &lt;b&gt;"));
        let html = t
            .render(
                "_alert_rows.html",
                context! { lang => "en", rows => Vec::<Value>::new() },
            )
            .unwrap_or_default();
        assert!(html.contains("No alert matches."));
    }

    #[test]
    fn public_pages_render_without_a_user() {
        let t = Templates::new();
        let html = t
            .render("login.html", context! { lang => "fr", next => "/alerts", next_q => "%2Falerts", name => "", error => None::<String> })
            .unwrap_or_default();
        assert!(
            html.contains("id=\"name\"")
                && html.contains("name=\"password\"")
                && html.contains("Connexion")
        );
        assert!(!html.contains("<header>"), "no menu before signing in");
        let html = t.render("error.html", context! { lang => "en", title => "Not found", detail => "alert K-9 not found", status => 404 }).unwrap_or_default();
        assert!(html.contains("alert K-9 not found") && html.contains("data-status=\"404\""));
    }

    #[test]
    fn the_inline_script_and_style_are_allowed_by_hash_only() {
        let policy = csp();
        assert!(!policy.contains("unsafe-inline"));
        let html = Templates::new()
            .render(
                "error.html",
                context! { lang => "en", title => "x", detail => "y", status => 500 },
            )
            .unwrap_or_default();
        // The CSP hashes cover exactly the bytes between the tags.
        assert!(
            html.contains(&format!("<script>{SCRIPT}</script>"))
                && html.contains(&format!("<style>{STYLE}</style>"))
        );
    }

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

    #[test]
    fn helpers_say_times_and_ids_plainly() {
        let t0 = Utc::now();
        assert_eq!(
            relative("en", t0, t0 + chrono::Duration::minutes(65)),
            "in 1 h 05"
        );
        assert_eq!(
            relative("fr", t0, t0 - chrono::Duration::minutes(3 * 1440 + 120)),
            "3 j 2 h de retard"
        );
        assert_eq!(
            relative("en", t0, t0 + chrono::Duration::seconds(30)),
            "due now"
        );
        assert_eq!(relative("en", t0, t0), "due now");
        assert_eq!(
            slug("Comité de Minova (Sud-Kivu)"),
            "comite-de-minova-sud-kivu"
        );
        assert_eq!(
            split_list("CD61, Minova;\n CD62 ,"),
            vec!["CD61", "Minova", "CD62"]
        );
        assert_eq!(
            escape("<a href='x'>&</a>"),
            "&lt;a href=&#x27;x&#x27;&gt;&amp;&lt;/a&gt;"
        );
    }
}
