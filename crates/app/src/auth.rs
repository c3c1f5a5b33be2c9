//! People and access: users, Argon2id passwords, API tokens and browser sessions.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use sha2::{Digest, Sha256};

use kinga_domain::people::{ApiToken, Permission, Role, User};
use kinga_ledger::Payload;
use kinga_store::{Commit, Session, StoreError, Write};

use crate::limits;
use crate::{App, AppError, AppResult, Caller};

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// Hex SHA-256 of a secret (tokens and session cookies are stored only as this).
pub fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compare two secrets without leaking through timing where they first differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn random_secret(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Refuse a password that is short, all one character, the user's name, or one that
/// password crackers try first (zxcvbn's lists of common passwords, names and patterns,
/// with its l33t and keyboard rules: "P@ssw0rd2024" and "qwertyuiop" are refused).
pub fn check_password(name: &str, password: &str) -> AppResult<()> {
    limits::check("password", password, limits::PASSWORD)?;
    let refuse = |why: &str| {
        Err(AppError::Invalid(format!(
            "this password cannot be used: {why}"
        )))
    };
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::Invalid(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        )));
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next() {
        if chars.all(|c| c == first) {
            return refuse("it is one character repeated");
        }
    }
    if password.to_lowercase() == name.to_lowercase() {
        return refuse("it is the user name");
    }
    let estimate = zxcvbn::zxcvbn(password, &[name]);
    if u8::from(estimate.score()) <= 1 {
        let why = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| w.to_string())
            .unwrap_or_else(|| "it is among the passwords tried first by attackers".into());
        return refuse(&why);
    }
    Ok(())
}

fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Crypto(format!("password hashing failed: {e}")))
}

fn valid_name(name: &str) -> AppResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(AppError::Invalid(format!(
            "'{}' is not a valid user name (1 to 64 letters, digits, . _ -)",
            name.chars().take(64).collect::<String>()
        )))
    }
}

fn ui_language(language: &str) -> String {
    if language == "fr" { "fr" } else { "en" }.to_string()
}

/// A new signed-in session: the cookie secret is returned once and stored only as a digest.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Value of the session cookie.
    pub secret: String,
    /// The stored session.
    pub session: Session,
}

impl App {
    /// Create a user.
    pub async fn add_user(
        &self,
        caller: &Caller,
        name: &str,
        display_name: &str,
        role: Role,
        language: &str,
        password: &str,
    ) -> AppResult<User> {
        caller.require(Permission::ManageUsers)?;
        valid_name(name)?;
        limits::check("display name", display_name, limits::NAME)?;
        check_password(name, password)?;
        if self.store.user_by_name(name).await?.is_some() {
            return Err(AppError::Invalid(format!("user '{name}' already exists")));
        }
        let user = User {
            id: self.new_id(),
            name: name.to_string(),
            display_name: if display_name.trim().is_empty() {
                name.to_string()
            } else {
                display_name.trim().to_string()
            },
            role,
            language: ui_language(language),
            password_hash: hash_password(password)?,
            disabled: false,
            responder: None,
            created_at: self.now(),
            areas: vec![],
            phone: None,
            email: None,
            notify: vec![],
            time_zone: None,
            inbox_seen_at: None,
        };
        self.save_user(caller, user.clone()).await?;
        Ok(user)
    }

    /// Store a changed user through the ledger.
    pub async fn save_user(&self, caller: &Caller, user: User) -> AppResult<()> {
        if caller.name != user.name {
            caller.require(Permission::ManageUsers)?;
        }
        let commit = Commit {
            events: vec![self.draft(&caller.name, Payload::UserSaved { user: user.clone() })],
            writes: vec![Write::User(user)],
        };
        self.commit(commit).await.map_err(|e| match e {
            StoreError::Duplicate(k) => AppError::Invalid(format!("{k} already exists")),
            e => e.into(),
        })?;
        self.caches.forget_tokens();
        Ok(())
    }

    pub(crate) async fn named_user(&self, name: &str) -> AppResult<User> {
        limits::check("user name", name, limits::NAME)?;
        self.store
            .user_by_name(name)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("user '{name}'")))
    }

    /// Disable a user for good: no more sign-in, every session ended and every token
    /// revoked. Only an administrator enabling the user again undoes the first; sessions and
    /// tokens never come back.
    pub async fn disable_user(&self, caller: &Caller, name: &str) -> AppResult<User> {
        caller.require(Permission::ManageUsers)?;
        let mut u = self.named_user(name).await?;
        u.disabled = true;
        self.save_user(caller, u.clone()).await?;
        self.revoke_all_tokens(caller, &u).await?;
        self.store.delete_sessions_of(&u.id, None).await?;
        self.audit(caller, "user_disabled", &format!("user:{name}"), "")
            .await?;
        Ok(u)
    }

    /// Let a disabled user sign in again (with new sessions and new tokens only).
    pub async fn enable_user(&self, caller: &Caller, name: &str) -> AppResult<User> {
        caller.require(Permission::ManageUsers)?;
        let mut u = self.named_user(name).await?;
        u.disabled = false;
        self.save_user(caller, u.clone()).await?;
        self.audit(caller, "user_enabled", &format!("user:{name}"), "")
            .await?;
        Ok(u)
    }

    /// Set a new password. Every session of the user ends but `keep` (the session of a user
    /// changing their own password); a disabled user stays disabled.
    pub async fn reset_password(
        &self,
        caller: &Caller,
        name: &str,
        password: &str,
        keep: Option<&str>,
    ) -> AppResult<User> {
        if caller.name != name {
            caller.require(Permission::ManageUsers)?;
        }
        check_password(name, password)?;
        let mut u = self.named_user(name).await?;
        u.password_hash = hash_password(password)?;
        self.save_user(caller, u.clone()).await?;
        let keep = keep.filter(|_| caller.name == name);
        self.store.delete_sessions_of(&u.id, keep).await?;
        self.audit(caller, "password_reset", &format!("user:{name}"), "")
            .await?;
        Ok(u)
    }

    /// Change a user's UI language.
    pub async fn set_language(&self, user: &User, language: &str) -> AppResult<User> {
        let mut u = user.clone();
        u.language = ui_language(language);
        self.save_user(&Caller::user(user), u.clone()).await?;
        Ok(u)
    }

    /// Check a name and password. The same error whatever was wrong, so names can't be probed.
    pub async fn authenticate(&self, name: &str, password: &str) -> AppResult<User> {
        let refused = || AppError::Unauthorized("wrong user name or password".into());
        if name.len() > 64 || password.chars().nth(limits::PASSWORD).is_some() {
            return Err(refused());
        }
        let user = self.store.user_by_name(name).await?;
        let Some(user) = user else {
            // Spend the same time as a real check so timing does not reveal which names exist.
            let _ = hash_password("timing-equaliser-password");
            return Err(refused());
        };
        let parsed = PasswordHash::new(&user.password_hash).map_err(|_| refused())?;
        if Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_err()
            || user.disabled
        {
            return Err(refused());
        }
        Ok(user)
    }

    /// Create an API token for a user; the secret is returned once and stored only as a digest.
    pub async fn create_token(
        &self,
        caller: &Caller,
        user_name: &str,
        label: &str,
    ) -> AppResult<(String, ApiToken)> {
        if caller.name != user_name {
            caller.require(Permission::ManageUsers)?;
        }
        limits::check("label", label, limits::NAME)?;
        let user = self.named_user(user_name).await?;
        if user.disabled {
            return Err(AppError::Invalid(format!(
                "user '{user_name}' is disabled: enable it before giving it a token"
            )));
        }
        let secret = random_secret("kinga_");
        let token = ApiToken {
            id: self.new_id(),
            user: user.id,
            label: label.to_string(),
            digest: secret_digest(&secret),
            created_at: self.now(),
            revoked: false,
        };
        let (audit_event, audit_row) = self.audit_parts(
            caller,
            "token_created",
            &format!("user:{user_name}"),
            &format!("token {} ({label})", token.id),
        );
        let commit = Commit {
            events: vec![
                self.draft(
                    &caller.name,
                    Payload::TokenSaved {
                        token: token.clone(),
                    },
                ),
                audit_event,
            ],
            writes: vec![Write::Token(token.clone()), audit_row],
        };
        self.commit(commit).await?;
        Ok((secret, token))
    }

    /// Revoke a token by id.
    pub async fn revoke_token(
        &self,
        caller: &Caller,
        user_name: &str,
        token_id: &str,
    ) -> AppResult<()> {
        if caller.name != user_name {
            caller.require(Permission::ManageUsers)?;
        }
        let user = self.named_user(user_name).await?;
        let token = self
            .store
            .tokens_of(&user.id)
            .await?
            .into_iter()
            .find(|t| t.id == token_id)
            .ok_or_else(|| AppError::NotFound(format!("token {token_id}")))?;
        self.save_revoked(caller, vec![token]).await
    }

    async fn revoke_all_tokens(&self, caller: &Caller, user: &User) -> AppResult<()> {
        let live: Vec<ApiToken> = self
            .store
            .tokens_of(&user.id)
            .await?
            .into_iter()
            .filter(|t| !t.revoked)
            .collect();
        self.save_revoked(caller, live).await
    }

    async fn save_revoked(&self, caller: &Caller, tokens: Vec<ApiToken>) -> AppResult<()> {
        if tokens.is_empty() {
            return Ok(());
        }
        let mut commit = Commit::default();
        for mut token in tokens {
            token.revoked = true;
            commit.events.push(self.draft(
                &caller.name,
                Payload::TokenSaved {
                    token: token.clone(),
                },
            ));
            commit.writes.push(Write::Token(token));
        }
        self.commit(commit).await?;
        self.caches.forget_tokens();
        Ok(())
    }

    /// The user a bearer token belongs to, if the token is valid and the user active.
    /// Answers from a one-second cache of accepted tokens, so a revocation or a disabled user
    /// takes effect within a second when done by another process, at once when done here.
    pub async fn user_for_token(&self, secret: &str) -> AppResult<User> {
        let refused = || AppError::Unauthorized("invalid or revoked API token".into());
        if secret.len() > 200 {
            return Err(refused());
        }
        let digest = secret_digest(secret);
        if let Some(user) = self.caches.token_user(&digest) {
            return Ok(user);
        }
        let token = self
            .store
            .token_by_digest(&digest)
            .await?
            .ok_or_else(refused)?;
        if token.revoked {
            return Err(refused());
        }
        let user = self.store.user(&token.user).await?.ok_or_else(refused)?;
        if user.disabled {
            return Err(refused());
        }
        self.caches.remember_token(digest, &user);
        Ok(user)
    }

    /// Open a browser session for a user; with `security.single_session`, the user's other
    /// sessions end.
    pub async fn open_session(&self, user: &User) -> AppResult<NewSession> {
        let secret = random_secret("");
        let now = self.now();
        let session = Session {
            digest: secret_digest(&secret),
            user: user.id.clone(),
            csrf: hex::encode(rand::random::<[u8; 32]>()),
            created_at: now,
            expires_at: now + Duration::hours(i64::from(self.settings.security.session_hours)),
        };
        if self.settings.security.single_session {
            self.store.delete_sessions_of(&user.id, None).await?;
        }
        self.store.put_session(&session).await?;
        Ok(NewSession { secret, session })
    }

    /// The session and user behind a cookie secret, if still valid.
    pub async fn session_user(&self, secret: &str) -> AppResult<Option<(Session, User)>> {
        if secret.len() > 200 {
            return Ok(None);
        }
        let Some(session) = self.store.session(&secret_digest(secret)).await? else {
            return Ok(None);
        };
        if session.expires_at <= self.now() {
            self.store.delete_session(&session.digest).await?;
            return Ok(None);
        }
        match self.store.user(&session.user).await? {
            Some(u) if !u.disabled => Ok(Some((session, u))),
            _ => Ok(None),
        }
    }

    /// End a session.
    pub async fn close_session(&self, secret: &str) -> AppResult<()> {
        Ok(self.store.delete_session(&secret_digest(secret)).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_short_repeated_and_named_passwords_are_refused() {
        for bad in [
            "password123",
            "qwertyuiop",
            "P@ssw0rd2024",
            "iloveyou12",
            "aaaaaaaaaaaa",
            "1234567890",
            "short",
            "Esther",
            "esther2026",
        ] {
            assert!(check_password("esther", bad).is_err(), "{bad}");
        }
        for good in [
            "kinga-demo-2026",
            "admin-password-1",
            "correct horse battery",
        ] {
            assert!(check_password("esther", good).is_ok(), "{good}");
        }
        assert!(check_password("x", &"a1".repeat(200)).is_err(), "too long");
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
