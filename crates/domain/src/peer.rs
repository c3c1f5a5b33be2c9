//! Paired instances: another Kinga this one exchanges records with, known by a name, the base
//! URL it answers at and its public key (exchanged out of band, checked by the application).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// Longest peer name.
pub const MAX_NAME: usize = 64;

/// Longest peer URL.
pub const MAX_URL: usize = 2_000;

/// Another instance this one is paired with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Peer {
    /// Short name, unique here (`goma-field`, `cndh`).
    pub name: String,
    /// Base URL it answers at (`https://kinga.cndh.example`).
    pub url: String,
    /// Its public key in text form (`kinga-ed25519:…`).
    pub key: String,
    /// Who paired it.
    pub added_by: String,
    /// When it was paired or last changed.
    pub added_at: DateTime<Utc>,
}

/// A peer name: 1 to [`MAX_NAME`] lower-case letters, digits, `-`, `_` or `.`, starting with a
/// letter or digit (it is typed on command lines and shown in logs).
pub fn check_name(name: &str) -> Result<String, DomainError> {
    let n = name.trim().to_lowercase();
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c);
    let starts_well = n
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if n.is_empty() || n.len() > MAX_NAME || !starts_well || !n.chars().all(ok_char) {
        return Err(DomainError::invalid(
            "name",
            format!(
                "'{}' is not a peer name: 1 to {MAX_NAME} letters, digits, '-', '_' or '.', \
                 starting with a letter or digit",
                name.trim()
            ),
        ));
    }
    Ok(n)
}

/// A peer's base URL: `http://` or `https://`, a host, no spaces; the trailing `/` dropped.
pub fn check_url(url: &str) -> Result<String, DomainError> {
    let u = url.trim().trim_end_matches('/');
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !host.starts_with(':')
    });
    if !host_ok || u.len() > MAX_URL || u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(DomainError::invalid(
            "url",
            format!("'{}' is not an http:// or https:// base URL", url.trim()),
        ));
    }
    Ok(u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_plain_words() {
        assert_eq!(check_name(" CNDH ").unwrap(), "cndh");
        assert_eq!(check_name("goma-field.2").unwrap(), "goma-field.2");
        for bad in ["", "-x", "a b", "é", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn urls_are_http_bases() {
        assert_eq!(
            check_url("https://kinga.example.org/").unwrap(),
            "https://kinga.example.org"
        );
        assert_eq!(
            check_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        for bad in [
            "kinga.example.org",
            "ftp://x",
            "https://",
            "https://a b",
            "http://:80",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?}");
        }
    }
}
