//! Lengths every free-text input is held to, checked before any other work: a megabyte typed
//! into a place name must cost nothing, not stall the server for every gateway.

use crate::DomainError;

/// An alert's text (an SMS thread or a long call log fits easily).
pub const TEXT: usize = 5_000;
/// A place name to resolve, a search query.
pub const PLACE_NAME: usize = 200;
/// A phone number as typed.
pub const PHONE: usize = 40;
/// A reason, an outcome, a note.
pub const REASON: usize = 2_000;
/// A question to a reporter (it goes out as at most three SMS).
pub const QUESTION: usize = 450;
/// A name: a person, a place, a responder, an actor, a label.
pub const NAME: usize = 200;
/// Identifiers: P-codes, ids, references, idempotency keys.
pub const ID: usize = 200;
/// Other spellings, aliases, lists of places: how many.
pub const LIST: usize = 100;
/// A password (Argon2 reads all of it).
pub const PASSWORD: usize = 200;

/// Refuse `value` when it is longer than `max` characters, naming the field.
pub fn check(field: &'static str, value: &str, max: usize) -> Result<(), DomainError> {
    // Counting stops at max + 1: a huge value costs no more than a short one.
    if value.chars().nth(max).is_some() {
        return Err(DomainError::TooLong { field, max });
    }
    // No text a person types holds a NUL, and PostgreSQL refuses to store one.
    if value.contains('\0') {
        return Err(DomainError::invalid(field, "contains a NUL character"));
    }
    Ok(())
}

/// [`check`] on an optional value.
pub fn check_opt(field: &'static str, value: Option<&str>, max: usize) -> Result<(), DomainError> {
    value.map_or(Ok(()), |v| check(field, v, max))
}

/// Refuse a list with more than [`LIST`] items or an item longer than `max`.
pub fn check_list(field: &'static str, values: &[String], max: usize) -> Result<(), DomainError> {
    if values.len() > LIST {
        return Err(DomainError::TooMany { field, max: LIST });
    }
    values.iter().try_for_each(|v| check(field, v, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_counted_in_characters_and_stop_early() {
        assert!(check("x", &"é".repeat(10), 10).is_ok());
        assert!(check("x", &"é".repeat(11), 10).is_err());
        let err = check("place_name", &"a".repeat(1 << 20), PLACE_NAME);
        assert_eq!(
            err.map_err(|e| e.to_string()).err().as_deref(),
            Some("place_name is longer than 200 characters")
        );
        assert!(check_list("alt_names", &vec!["a".into(); 101], 5).is_err());
        assert!(check_opt("p", None, 1).is_ok());
    }
}
