//! Shared-secret checks for gateways that do not sign their requests.

use sha2::{Digest, Sha256};

use crate::ChannelError;

/// Compare two byte strings in time that depends only on their lengths.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // black_box keeps the optimiser from turning the fold back into an early exit.
    std::hint::black_box(diff) == 0
}

/// Compare a presented secret with the configured one without leaking either's length or
/// content through timing: both are hashed first, so the comparison is always 32 bytes.
pub fn secrets_match(presented: &str, expected: &str) -> bool {
    let a = Sha256::digest(presented.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    ct_eq(&a, &b)
}

/// Check an optional shared secret: with none configured every request passes; with one
/// configured the request must carry the same value.
pub fn check(expected: Option<&str>, presented: Option<&str>) -> Result<(), ChannelError> {
    match expected.filter(|e| !e.is_empty()) {
        None => Ok(()),
        Some(e) => match presented {
            None => Err(ChannelError::MissingSecret),
            Some(p) if secrets_match(p, e) => Ok(()),
            Some(_) => Err(ChannelError::BadSecret),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_rules() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
        assert_eq!(check(None, None), Ok(()));
        assert_eq!(check(Some(""), None), Ok(()));
        assert_eq!(
            check(Some("s3cret"), None),
            Err(ChannelError::MissingSecret)
        );
        assert_eq!(
            check(Some("s3cret"), Some("s3cre")),
            Err(ChannelError::BadSecret)
        );
        assert_eq!(check(Some("s3cret"), Some("s3cret")), Ok(()));
    }
}
