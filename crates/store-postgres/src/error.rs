//! How PostgreSQL failures become [`StoreError`]s.

use tokio_postgres::error::SqlState;

use kinga_store::StoreError;

/// A failure inside this crate: the server's, the pool's, or one already phrased for the
/// store's callers.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The server refused or the connection failed.
    #[error("{}", describe(.0))]
    Pg(#[from] tokio_postgres::Error),
    /// No connection could be had from the pool.
    #[error("cannot get a database connection: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    /// Already a store error (conflict, duplicate, corrupt record).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Result of the crate's internal functions.
pub(crate) type Result<T> = std::result::Result<T, Error>;

impl From<Error> for StoreError {
    fn from(e: Error) -> StoreError {
        match e {
            Error::Store(e) => e,
            Error::Pg(e) if is_unique_violation(&e) => StoreError::Duplicate(describe(&e)),
            Error::Pg(e)
                if matches!(e.code(), Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == SqlState::T_R_DEADLOCK_DETECTED) =>
            {
                StoreError::Conflict(describe(&e))
            }
            other => StoreError::Backend(other.to_string()),
        }
    }
}

/// The server's own message when there is one (tokio-postgres shows only "db error"), else
/// the error with its causes (a refused connection says why only in its source).
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.to_string();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// True when a unique constraint refused the write.
pub(crate) fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// The constraint a database error names, if any.
pub(crate) fn constraint(e: &tokio_postgres::Error) -> Option<&str> {
    e.as_db_error().and_then(|d| d.constraint())
}

/// A unique violation reported as a duplicate of `what`; other failures unchanged.
pub(crate) fn duplicate_of(e: tokio_postgres::Error, what: impl FnOnce() -> String) -> Error {
    if is_unique_violation(&e) {
        Error::Store(StoreError::Duplicate(what()))
    } else {
        Error::Pg(e)
    }
}

/// A column that would not decode into its Rust type.
pub(crate) fn corrupt(e: tokio_postgres::Error) -> Error {
    Error::Store(StoreError::Corrupt(describe(&e)))
}
