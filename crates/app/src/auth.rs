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

use crate::{App, AppError, AppResult, Caller};

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// Hex SHA-256 of a secret (tokens and session cookies are stored only as this).
pub fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn random_secret(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

fn hash_password(password: &str) -> AppResult<String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::Invalid(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        )));
    }
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
            "'{name}' is not a valid user name (letters, digits, . _ -)"
        )))
    }
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
            language: if language == "fr" {
                "fr".into()
            } else {
                "en".into()
            },
            password_hash: hash_password(password)?,
            disabled: false,
            responder: None,
            created_at: self.clock.now(),
        };
        self.save_user(caller, user.clone()).await?;
        Ok(user)
    }

    /// Store a changed user through the ledger.
    pub async fn save_user(&self, caller: &Caller, user: User) -> AppResult<()> {
        let commit = Commit {
            events: vec![self.draft(&caller.name, Payload::UserSaved { user: user.clone() })],
            writes: vec![Write::User(user)],
        };
        self.store.commit(commit).await.map_err(|e| match e {
            StoreError::Duplicate(k) => AppError::Invalid(format!("{k} already exists")),
            e => e.into(),
        })?;
        self.caches.forget_tokens();
        Ok(())
    }

    async fn named_user(&self, name: &str) -> AppResult<User> {
        self.store
            .user_by_name(name)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("user '{name}'")))
    }

    /// Disable a user: no more sign-in, and their tokens stop working.
    pub async fn disable_user(&self, caller: &Caller, name: &str) -> AppResult<User> {
        caller.require(Permission::ManageUsers)?;
        let mut u = self.named_user(name).await?;
        u.disabled = true;
        self.save_user(caller, u.clone()).await?;
        Ok(u)
    }

    /// Set a new password (and re-enable the user).
    pub async fn reset_password(
        &self,
        caller: &Caller,
        name: &str,
        password: &str,
    ) -> AppResult<User> {
        caller.require(Permission::ManageUsers)?;
        let mut u = self.named_user(name).await?;
        u.password_hash = hash_password(password)?;
        u.disabled = false;
        self.save_user(caller, u.clone()).await?;
        Ok(u)
    }

    /// Change a user's UI language.
    pub async fn set_language(&self, user: &User, language: &str) -> AppResult<User> {
        let mut u = user.clone();
        u.language = if language == "fr" {
            "fr".into()
        } else {
            "en".into()
        };
        self.save_user(&Caller::user(user), u.clone()).await?;
        Ok(u)
    }

    /// Check a name and password. The same error whatever was wrong, so names can't be probed.
    pub async fn authenticate(&self, name: &str, password: &str) -> AppResult<User> {
        let refused = || AppError::Unauthorized("wrong user name or password".into());
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
        let user = self.named_user(user_name).await?;
        let secret = random_secret("kinga_");
        let token = ApiToken {
            id: self.new_id(),
            user: user.id,
            label: label.to_string(),
            digest: secret_digest(&secret),
            created_at: self.clock.now(),
            revoked: false,
        };
        let commit = Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::TokenSaved {
                    token: token.clone(),
                },
            )],
            writes: vec![Write::Token(token.clone())],
        };
        self.store.commit(commit).await?;
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
        let mut token = self
            .store
            .tokens_of(&user.id)
            .await?
            .into_iter()
            .find(|t| t.id == token_id)
            .ok_or_else(|| AppError::NotFound(format!("token {token_id}")))?;
        token.revoked = true;
        let commit = Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::TokenSaved {
                    token: token.clone(),
                },
            )],
            writes: vec![Write::Token(token)],
        };
        self.store.commit(commit).await?;
        self.caches.forget_tokens();
        Ok(())
    }

    /// The user a bearer token belongs to, if the token is valid and the user active.
    /// Answers from a one-second cache of accepted tokens, so a revocation or a disabled user
    /// takes effect within a second.
    pub async fn user_for_token(&self, secret: &str) -> AppResult<User> {
        let digest = secret_digest(secret);
        if let Some(user) = self.caches.token_user(&digest) {
            return Ok(user);
        }
        let refused = || AppError::Unauthorized("invalid or revoked API token".into());
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

    /// Open a browser session for a user.
    pub async fn open_session(&self, user: &User) -> AppResult<NewSession> {
        let secret = random_secret("");
        let now = self.clock.now();
        let session = Session {
            digest: secret_digest(&secret),
            user: user.id.clone(),
            csrf: hex::encode(rand::random::<[u8; 32]>()),
            created_at: now,
            expires_at: now + Duration::hours(i64::from(self.settings.security.session_hours)),
        };
        self.store.put_session(&session).await?;
        Ok(NewSession { secret, session })
    }

    /// The session and user behind a cookie secret, if still valid.
    pub async fn session_user(&self, secret: &str) -> AppResult<Option<(Session, User)>> {
        let Some(session) = self.store.session(&secret_digest(secret)).await? else {
            return Ok(None);
        };
        if session.expires_at <= self.clock.now() {
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
