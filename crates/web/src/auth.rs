//! Who is calling: bearer tokens for the API, session cookies (with CSRF tokens) for pages,
//! and the failed-login limiter.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;

use kinga_app::Caller;
use kinga_domain::people::User;
use kinga_store::Session;

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
        let ok = constant_time_eq(token.as_bytes(), self.session.csrf.as_bytes());
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

/// Compare secrets without leaking where they differ through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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

/// Counts failed logins per key (user name, client address) in a sliding window.
#[derive(Debug)]
pub struct LoginLimiter {
    max: u32,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    /// At most `max` failures per key in `window_minutes`.
    pub fn new(max: u32, window_minutes: u32) -> Self {
        LoginLimiter {
            max: max.max(1),
            window: Duration::from_secs(u64::from(window_minutes.max(1)) * 60),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// True when any of `keys` has used up its failures.
    pub fn blocked(&self, keys: &[&str]) -> bool {
        let now = Instant::now();
        let Ok(mut f) = self.failures.lock() else {
            return true;
        };
        keys.iter().any(|k| {
            let v = f.entry((*k).to_string()).or_default();
            v.retain(|t| now.duration_since(*t) < self.window);
            v.len() as u32 >= self.max
        })
    }

    /// Count a failure against each key.
    pub fn fail(&self, keys: &[&str]) {
        let now = Instant::now();
        if let Ok(mut f) = self.failures.lock() {
            if f.len() > 100_000 {
                // Bound memory under a spray of random names.
                f.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < self.window));
            }
            for k in keys {
                f.entry((*k).to_string()).or_default().push(now);
            }
        }
    }

    /// Forget the failures of a key after a successful login.
    pub fn clear(&self, key: &str) {
        if let Ok(mut f) = self.failures.lock() {
            f.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_blocks_after_max_failures_per_key() {
        let l = LoginLimiter::new(3, 15);
        for _ in 0..3 {
            assert!(!l.blocked(&["alice", "10.0.0.1"]));
            l.fail(&["alice", "10.0.0.1"]);
        }
        assert!(l.blocked(&["alice"]));
        assert!(l.blocked(&["bob", "10.0.0.1"]));
        assert!(!l.blocked(&["bob", "10.0.0.2"]));
        l.clear("alice");
        assert!(!l.blocked(&["alice"]));
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
