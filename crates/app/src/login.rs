//! Signing in through the login form, with the attempt limits OWASP recommends.
//!
//! An attempt is counted *before* the password is checked, under one lock, so concurrent
//! guesses cannot race past the limit. Failures lock out the pair (name, address) after
//! `login_attempts` in the window, and an address after four times as many against any
//! names (spraying). A name alone is never locked: after `login_attempts` failures from
//! anywhere, each further try for it must wait a delay that doubles up to 30 seconds, so a
//! stranger can slow a known user down but never shut them out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kinga_domain::people::User;

use crate::auth::NewSession;
use crate::{App, AppError, Caller};

/// Longest wait imposed on a name, however many failures it has.
const MAX_DELAY: Duration = Duration::from_secs(30);
/// Distinct keys remembered before expired ones are swept (a spray of random names).
const MAX_KEYS: usize = 100_000;

/// Why a sign-in was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRefusal {
    /// Wrong name or password (the same answer for both).
    Wrong,
    /// Too many failures: try again in this many seconds.
    TooMany(u64),
}

/// Failed attempts per key in a sliding window.
#[derive(Debug)]
pub struct LoginLimiter {
    max: u32,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

/// An attempt counted against its keys, to be forgotten if it succeeds.
#[derive(Debug)]
pub struct Attempt {
    keys: [String; 3],
    at: Instant,
}

impl LoginLimiter {
    /// At most `max` failures per (name, address) in `window_minutes`.
    pub fn new(max: u32, window_minutes: u32) -> Self {
        LoginLimiter {
            max: max.max(1),
            window: Duration::from_secs(u64::from(window_minutes.max(1)) * 60),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Count an attempt by `name` from `address`, or say how long to wait before one.
    pub fn begin(&self, name: &str, address: &str) -> Result<Attempt, u64> {
        let now = Instant::now();
        let name = name.to_lowercase();
        let keys = [
            format!("pair:{name}\u{0}{address}"),
            format!("addr:{address}"),
            format!("name:{name}"),
        ];
        let Ok(mut f) = self.failures.lock() else {
            return Err(self.window.as_secs());
        };
        if f.len() > MAX_KEYS {
            f.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < self.window));
        }
        let mut recent = |k: &str| -> Vec<Instant> {
            let v = f.entry(k.to_string()).or_default();
            v.retain(|t| now.duration_since(*t) < self.window);
            v.clone()
        };
        let (pair, addr, by_name) = (recent(&keys[0]), recent(&keys[1]), recent(&keys[2]));
        let wait_out = |v: &[Instant]| {
            v.first()
                .map(|t| {
                    self.window
                        .saturating_sub(now.duration_since(*t))
                        .as_secs()
                        .max(1)
                })
                .unwrap_or(1)
        };
        if pair.len() as u32 >= self.max {
            return Err(wait_out(&pair));
        }
        if addr.len() as u32 >= self.max * 4 {
            return Err(wait_out(&addr));
        }
        if by_name.len() as u32 >= self.max {
            let extra = by_name.len() as u32 - self.max;
            let delay = Duration::from_secs(1u64 << extra.min(5)).min(MAX_DELAY);
            if let Some(last) = by_name.last() {
                let since = now.duration_since(*last);
                if since < delay {
                    return Err((delay - since).as_secs().max(1));
                }
            }
        }
        for k in &keys {
            f.entry(k.clone()).or_default().push(now);
        }
        Ok(Attempt { keys, at: now })
    }

    /// The attempt succeeded: it no longer counts, and the pair's failures are forgotten.
    pub fn succeeded(&self, attempt: Attempt) {
        if let Ok(mut f) = self.failures.lock() {
            f.remove(&attempt.keys[0]);
            for k in &attempt.keys[1..] {
                if let Some(v) = f.get_mut(k) {
                    if let Some(i) = v.iter().rposition(|t| *t == attempt.at) {
                        v.remove(i);
                    }
                }
            }
        }
    }
}

impl App {
    /// Sign in with a name and password from `address`: limited, audited, and with a new
    /// session when it succeeds.
    pub async fn sign_in(
        &self,
        name: &str,
        password: &str,
        address: &str,
    ) -> Result<(User, NewSession), SignInError> {
        let name = name.trim();
        let attempt = self
            .limiter
            .begin(name, address)
            .map_err(|wait| SignInError::Refused(SignInRefusal::TooMany(wait)))?;
        match self.authenticate(name, password).await {
            Ok(user) => {
                self.limiter.succeeded(attempt);
                let session = self.open_session(&user).await?;
                self.audit(
                    &Caller::user(&user),
                    "login",
                    &format!("user:{}", user.name),
                    address,
                )
                .await?;
                Ok((user, session))
            }
            Err(AppError::Unauthorized(_)) => Err(SignInError::Refused(SignInRefusal::Wrong)),
            Err(e) => Err(e.into()),
        }
    }
}

impl App {
    /// A user changes their own password, proving the current one; the guess counts against
    /// the same limits as signing in, so a stolen session cannot try passwords freely. Every
    /// other session of the user ends.
    pub async fn change_own_password(
        &self,
        user: &User,
        current: &str,
        new: &str,
        keep_session: &str,
        address: &str,
    ) -> Result<User, SignInError> {
        let attempt = self
            .limiter
            .begin(&user.name, address)
            .map_err(|wait| SignInError::Refused(SignInRefusal::TooMany(wait)))?;
        match self.authenticate(&user.name, current).await {
            Ok(_) => self.limiter.succeeded(attempt),
            Err(AppError::Unauthorized(_)) => {
                return Err(SignInError::Refused(SignInRefusal::Wrong));
            }
            Err(e) => return Err(e.into()),
        }
        Ok(self
            .reset_password(&Caller::user(user), &user.name, new, Some(keep_session))
            .await?)
    }
}

/// A sign-in that did not open a session.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Refused: wrong credentials or too many attempts.
    #[error("sign-in refused: {0:?}")]
    Refused(SignInRefusal),
    /// Kinga could not check (the store failed).
    #[error(transparent)]
    App(#[from] AppError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pair_locks_but_the_name_only_slows_down() {
        let l = LoginLimiter::new(3, 15);
        for _ in 0..3 {
            assert!(l.begin("Alice", "10.0.0.1").is_ok());
        }
        // The attacker's address is locked out for this name.
        assert!(l.begin("alice", "10.0.0.1").is_err());
        // Alice from her office is only asked to wait a moment, never locked out.
        let wait = l.begin("alice", "10.0.0.2").err().unwrap_or(0);
        assert!((1..=30).contains(&wait), "{wait}");
        // Another name from the attacker's address is still allowed (up to the spray limit).
        assert!(l.begin("bob", "10.0.0.1").is_ok());
    }

    #[test]
    fn attempts_count_before_the_password_is_checked() {
        let l = LoginLimiter::new(5, 15);
        // Twenty concurrent guesses each take a slot before any password is checked.
        let taken: Vec<_> = (0..20)
            .filter_map(|_| l.begin("esther", "10.0.0.9").ok())
            .collect();
        assert_eq!(taken.len(), 5);
        let first = taken.into_iter().next();
        if let Some(a) = first {
            l.succeeded(a);
        }
        assert!(
            l.begin("esther", "10.0.0.9").is_ok(),
            "success clears the pair"
        );
    }

    #[test]
    fn an_address_spraying_names_is_stopped() {
        let l = LoginLimiter::new(2, 15);
        let allowed = (0..20)
            .filter(|i| l.begin(&format!("user{i}"), "10.6.6.6").is_ok())
            .count();
        assert_eq!(allowed, 8);
    }
}
