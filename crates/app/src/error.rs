//! Errors of the application layer; the web layer maps each to one HTTP answer.

use kinga_domain::DomainError;
use kinga_store::StoreError;

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A domain rule refused the command.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No such record.
    #[error("{0} not found")]
    NotFound(String),
    /// Not signed in, or bad credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in but not allowed.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The request is malformed or inconsistent.
    #[error("{0}")]
    Invalid(String),
    /// An idempotency key was reused for a different request.
    #[error("the idempotency key {0} was already used for a different request")]
    KeyReused(String),
    /// Encryption or key handling failed.
    #[error("crypto: {0}")]
    Crypto(String),
}

/// Result type of the application layer.
pub type AppResult<T> = Result<T, AppError>;
