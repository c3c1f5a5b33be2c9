//! Sign-in (rate limited), sign-out and the language switch.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::CookieJar;
use minijinja::context;
use serde::Deserialize;

use kinga_app::login::{SignInError, SignInRefusal};

use super::i18n::tr;
use super::{Ctx, FormData, QueryData, UiError, UiResult, public_error};
use crate::AppState;
use crate::auth::SESSION_COOKIE;

/// Where to go after signing in when `next` is missing or unsafe: the dashboard.
const HOME: &str = "/";

/// The address failed logins are counted against: the peer address, or, behind a proxy on
/// the same host, the address that proxy appended to `X-Forwarded-For`.
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<crate::listen::PeerAddr>>()
            .map(|c| c.0.0.ip())
            .or_else(|| {
                parts
                    .extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|c| c.0.ip())
            })
            .or_else(|| {
                parts
                    .extensions
                    .get::<MockConnectInfo<SocketAddr>>()
                    .map(|m| m.0.ip())
            });
        // The right-most entry is the one our own proxy added; those left of it are whatever
        // the client chose to send.
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 64)
            .map(String::from);
        let ip = match peer {
            Some(ip) if ip.is_loopback() => forwarded.unwrap_or_else(|| ip.to_string()),
            Some(ip) => ip.to_string(),
            None => forwarded.unwrap_or_else(|| "unknown".into()),
        };
        Ok(ClientIp(ip))
    }
}

/// `next` if it is a path on this site, else the dashboard: a login link must not send anyone
/// elsewhere (`//evil`, `https://…`, `/\evil`), nor back to the login page.
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/login")
        && next.len() <= 2000
        && next.chars().all(|c| c.is_ascii_graphic() && c != '\\');
    if ok { next } else { HOME }
}

/// A 303 to a local path; anything else (or a value a header cannot hold) goes to the
/// dashboard.
pub fn see_other(location: &str) -> Response {
    let local = location.starts_with('/')
        && !location.starts_with("//")
        && location.chars().all(|c| c.is_ascii_graphic() && c != '\\');
    let v = if local {
        HeaderValue::from_str(location).ok()
    } else {
        None
    }
    .unwrap_or_else(|| HeaderValue::from_static(HOME));
    (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response()
}

/// The page language for someone not signed in: `?lang=`, else `Accept-Language`, else English.
pub fn request_lang(headers: &HeaderMap, asked: Option<&str>) -> &'static str {
    match asked {
        Some("fr") => return "fr",
        Some("en") => return "en",
        _ => {}
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    for tag in accept.split(',') {
        let primary = tag
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .split('-')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "fr" => return "fr",
            "en" => return "en",
            _ => {}
        }
    }
    "en"
}

/// True unless the browser says the form was posted from another site (login CSRF: a hostile
/// page signing a victim into the attacker's account). Clients that send no `Origin` pass.
fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host_of = |u: &str| {
        u.split("://")
            .nth(1)
            .map(|r| r.split('/').next().unwrap_or("").to_ascii_lowercase())
    };
    let Some(origin_host) = host_of(origin) else {
        return false;
    };
    let header_host = |h| {
        headers
            .get(h)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    [
        header_host(header::HOST),
        header_host(header::HeaderName::from_static("x-forwarded-host")),
        host_of(public_url),
    ]
    .into_iter()
    .flatten()
    .any(|h| h == origin_host)
}

/// Query of the login page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
}

/// The login form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    name: String,
    password: String,
    next: String,
}

fn render_login(
    st: &AppState,
    lang: &'static str,
    status: StatusCode,
    next: &str,
    name: &str,
    error: Option<String>,
) -> Response {
    let next = safe_next(next);
    let ctx = context! {
        lang => lang,
        next => next,
        name => name,
        error => error,
        next_q => super::urlencode(next),
    };
    match st.ui.render("login.html", ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => public_error(st, lang, e),
    }
}

/// `GET /login`.
pub async fn login_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    QueryData(q): QueryData<LoginQuery>,
) -> Response {
    let next = q.next.as_deref().unwrap_or("");
    if let Some(secret) = CookieJar::from_headers(&headers)
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_string())
    {
        if let Ok(Some(_)) = st.app.session_user(&secret).await {
            return see_other(safe_next(next));
        }
    }
    let lang = request_lang(&headers, q.lang.as_deref());
    render_login(&st, lang, StatusCode::OK, next, "", None)
}

/// `POST /login`: limited by the application (counted before the password is checked);
/// a blocked attacker learns nothing more than the wait.
pub async fn login(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    FormData(f): FormData<LoginForm>,
) -> Response {
    let lang = request_lang(&headers, None);
    if !same_origin(&headers, &st.app.settings.public_url) {
        return public_error(&st, lang, UiError::forbidden(tr(lang, "err_csrf")));
    }
    let name = f.name.trim();
    match st.app.sign_in(name, &f.password, &ip).await {
        Ok((_, s)) => {
            let cookie = format!(
                "{SESSION_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
                s.secret,
                u64::from(st.app.settings.security.session_hours) * 3600,
                if st.app.settings.secure_cookies() {
                    "; Secure"
                } else {
                    ""
                }
            );
            let mut r = see_other(safe_next(&f.next));
            match HeaderValue::from_str(&cookie) {
                Ok(v) => {
                    r.headers_mut().insert(header::SET_COOKIE, v);
                    r
                }
                Err(_) => public_error(
                    &st,
                    lang,
                    UiError::new(StatusCode::INTERNAL_SERVER_ERROR, "session"),
                ),
            }
        }
        Err(SignInError::Refused(SignInRefusal::TooMany(wait))) => {
            let msg = tr(lang, "login_blocked").replace("{n}", &wait.to_string());
            render_login(
                &st,
                lang,
                StatusCode::TOO_MANY_REQUESTS,
                &f.next,
                name,
                Some(msg),
            )
        }
        Err(SignInError::Refused(SignInRefusal::Wrong)) => render_login(
            &st,
            lang,
            StatusCode::UNAUTHORIZED,
            &f.next,
            name,
            Some(tr(lang, "login_failed").to_string()),
        ),
        Err(SignInError::App(e)) => public_error(&st, lang, e.into()),
    }
}

/// A form that carries only its CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    /// CSRF token.
    pub csrf: String,
}

/// `POST /logout`.
pub async fn logout(cx: Ctx, headers: HeaderMap, FormData(f): FormData<CsrfForm>) -> Response {
    if let Err(e) = cx.check_csrf(&f.csrf) {
        return cx.error_page(e);
    }
    if let Some(c) = CookieJar::from_headers(&headers).get(SESSION_COOKIE) {
        if let Err(e) = cx.st.app.close_session(c.value()).await {
            return cx.error_page(e.into());
        }
    }
    let mut r = see_other("/login");
    let gone = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&gone) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// The language switch.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LanguageForm {
    csrf: String,
    lang: String,
    next: String,
}

/// `POST /language`.
pub async fn language(cx: Ctx, FormData(f): FormData<LanguageForm>) -> Response {
    let r: UiResult = async {
        cx.check_csrf(&f.csrf)?;
        cx.st.app.set_language(&cx.pu.user, &f.lang).await?;
        Ok(see_other(safe_next(&f.next)))
    }
    .await;
    cx.finish(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_are_sanitised() {
        assert_eq!(safe_next("/alerts/K-12"), "/alerts/K-12");
        assert_eq!(
            safe_next("/alerts?state=all&page=2"),
            "/alerts?state=all&page=2"
        );
        for bad in [
            "",
            "alerts",
            "//evil.example",
            "https://evil.example/",
            "/\\evil.example",
            "/login?next=/x",
            "/a b",
            "/\u{0}x",
            "/é",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(bad), HOME, "{bad:?} must not be followed");
        }
    }

    #[test]
    fn language_from_query_then_header() {
        let mut h = HeaderMap::new();
        assert_eq!(request_lang(&h, None), "en");
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("sw-CD, fr-CD;q=0.8, en;q=0.5"),
        );
        assert_eq!(request_lang(&h, None), "fr");
        assert_eq!(request_lang(&h, Some("en")), "en");
    }

    #[test]
    fn cross_site_login_posts_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("kinga.example:8080"));
        assert!(same_origin(&h, "http://127.0.0.1:8080"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://kinga.example:8080"),
        );
        assert!(same_origin(&h, "http://127.0.0.1:8080"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h, "http://127.0.0.1:8080"));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h, "http://127.0.0.1:8080"));
    }
}
