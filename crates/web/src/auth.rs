//! Who is calling: bearer tokens for the API, session cookies (with CSRF tokens) for pages.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;

use kinga_app::{Caller, Session};
use kinga_domain::people::User;

use crate::{AppState, WebError};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "kinga_session";

/// A caller authenticated by `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct ApiUser(pub User);

impl ApiUser {
    /// The caller for use cases.
    pub fn caller(&self) -> Caller {
        Caller::user(&self.0)
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                WebError::unauthorized("an 'Authorization: Bearer <token>' header is required")
            })?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                WebError::unauthorized("the Authorization header must be 'Bearer <token>'")
            })?;
        Ok(ApiUser(st.app.user_for_token(token).await?))
    }
}

/// A signed-in browser user with their session (for the CSRF token).
#[derive(Debug, Clone)]
pub struct PageUser {
    /// The user.
    pub user: User,
    /// Their session.
    pub session: Session,
}

impl PageUser {
    /// The caller for use cases.
    pub fn caller(&self) -> Caller {
        Caller::user(&self.user)
    }

    /// Refuse a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        let ok = kinga_app::auth::same_secret(token, &self.session.csrf);
        if ok {
            Ok(())
        } else {
            Err(WebError::new(
                axum::http::StatusCode::FORBIDDEN,
                "csrf",
                "this form has expired or did not come from Kinga; reload the page and try again",
            ))
        }
    }
}

/// Where an unauthenticated page request is sent.
#[derive(Debug)]
pub struct ToLogin(String);

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to(&format!("/login?next={}", crate::ui::urlencode(&self.0))).into_response()
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = ToLogin;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let jar = CookieJar::from_headers(&parts.headers);
        let secret = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_string())
            .ok_or_else(|| ToLogin(here.clone()))?;
        match st.app.session_user(&secret).await {
            Ok(Some((session, user))) => Ok(PageUser { user, session }),
            _ => Err(ToLogin(here)),
        }
    }
}

/// A reader of an API route that the pages' own scripts call too: a bearer token when an
/// `Authorization` header is sent, else the session cookie. Only for routes that read (GET):
/// they change nothing, so they need no CSRF token, and the cookie is `SameSite`.
#[derive(Debug, Clone)]
pub struct ReadUser(pub User);

impl ReadUser {
    /// The caller for use cases.
    pub fn caller(&self) -> Caller {
        Caller::user(&self.0)
    }
}

impl FromRequestParts<AppState> for ReadUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        if parts
            .headers
            .contains_key(axum::http::header::AUTHORIZATION)
        {
            return Ok(ReadUser(ApiUser::from_request_parts(parts, st).await?.0));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let secret = jar.get(SESSION_COOKIE).map(|c| c.value().to_string());
        match secret {
            Some(s) => match st.app.session_user(&s).await {
                Ok(Some((_, user))) => Ok(ReadUser(user)),
                _ => Err(WebError::unauthorized(
                    "the session has expired; sign in again",
                )),
            },
            None => Err(WebError::unauthorized(
                "an 'Authorization: Bearer <token>' header is required",
            )),
        }
    }
}
