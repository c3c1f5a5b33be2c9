//! Errors a domain rule can raise; each says plainly what was wrong.

use crate::alert::AlertState;

/// A rule of the domain was broken by a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The lifecycle does not allow this move.
    #[error("an alert in state '{from}' cannot move to '{to}'; allowed: {allowed}")]
    InvalidTransition {
        /// Current state.
        from: AlertState,
        /// Requested state.
        to: AlertState,
        /// Comma-separated states reachable from `from`.
        allowed: String,
    },
    /// A required field is missing or empty.
    #[error("'{0}' is required")]
    Missing(&'static str),
    /// A text is longer than its field allows (checked before any other work).
    #[error("{field} is longer than {max} characters")]
    TooLong {
        /// Field name as the API spells it.
        field: &'static str,
        /// Most characters allowed.
        max: usize,
    },
    /// A list has more items than its field allows.
    #[error("{field} has more than {max} items")]
    TooMany {
        /// Field name as the API spells it.
        field: &'static str,
        /// Most items allowed.
        max: usize,
    },
    /// A field has a value outside its domain.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// Field name as the API spells it.
        field: &'static str,
        /// Why the value was refused.
        reason: String,
    },
}

impl DomainError {
    /// Shorthand for [`DomainError::Invalid`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        DomainError::Invalid {
            field,
            reason: reason.into(),
        }
    }
}
