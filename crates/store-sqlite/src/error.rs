//! How SQLite failures become [`StoreError`]s.

use rusqlite::ErrorCode;
use rusqlite::ffi;

use kinga_store::StoreError;

/// A failure inside this crate: SQLite's own, or one already phrased for the store's callers.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// SQLite refused or failed.
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
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
            Error::Sql(e) if is_unique_violation(&e) => StoreError::Duplicate(e.to_string()),
            Error::Sql(e @ rusqlite::Error::SqliteFailure(f, _))
                if matches!(f.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
            {
                StoreError::Backend(format!(
                    "the database is busy (another process holds it?): {e}"
                ))
            }
            Error::Sql(
                e @ (rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::InvalidColumnType(..)
                | rusqlite::Error::IntegralValueOutOfRange(..)),
            ) => StoreError::Corrupt(e.to_string()),
            Error::Sql(e) => StoreError::Backend(e.to_string()),
        }
    }
}

/// True when a UNIQUE or PRIMARY KEY constraint refused the write.
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

/// A unique violation reported as a duplicate of `what`; other failures unchanged.
pub(crate) fn duplicate_of(e: rusqlite::Error, what: impl FnOnce() -> String) -> Error {
    if is_unique_violation(&e) {
        Error::Store(StoreError::Duplicate(what()))
    } else {
        Error::Sql(e)
    }
}
