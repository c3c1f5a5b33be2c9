//! Attachments (recordings, photos): what an event says of a file kept beside the database,
//! and the limits every file passes whatever brought it. The bytes themselves never enter the
//! ledger: events name them by the BLAKE3 digest of the bytes as stored (sealed or not), the
//! same digest a handover package checks.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A file attached to a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    /// Hex BLAKE3-256 of the stored bytes: the file's name and its integrity check.
    pub digest: String,
    /// MIME type without parameters (`audio/wav`, `image/jpeg`).
    pub media_type: String,
    /// Size of the content in bytes (before sealing).
    pub size: u64,
    /// Stored sealed with the instance key: opened only to be served.
    #[serde(default)]
    pub sealed: bool,
    /// What brought it: `voice` (a hotline recording), `whatsapp`, `upload`.
    pub source: String,
}

/// The sizes and types an instance accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaLimits {
    /// Largest file, in bytes.
    pub max_bytes: u64,
    /// Accepted MIME types (`audio/*` accepts every audio type).
    pub types: Vec<String>,
}

/// The MIME type of a `Content-Type` value: lower case, no parameters.
pub fn normalise_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

impl MediaLimits {
    /// Whether `media_type` (normalised) is accepted.
    pub fn accepts(&self, media_type: &str) -> bool {
        self.types.iter().any(|t| {
            let t = t.trim().to_ascii_lowercase();
            match t.strip_suffix("/*") {
                Some(family) => media_type
                    .split_once('/')
                    .is_some_and(|(f, sub)| f == family && !sub.is_empty()),
                None => t == media_type,
            }
        })
    }

    /// Check a file's type and size; answers the normalised type.
    pub fn check(&self, content_type: &str, size: u64) -> Result<String, DomainError> {
        let t = normalise_type(content_type);
        if size == 0 {
            return Err(DomainError::invalid("attachment", "the file is empty"));
        }
        if size > self.max_bytes {
            return Err(DomainError::invalid(
                "attachment",
                format!("{size} bytes; at most {} are accepted", self.max_bytes),
            ));
        }
        if !self.accepts(&t) {
            return Err(DomainError::invalid(
                "attachment",
                format!("type '{t}' is not accepted"),
            ));
        }
        Ok(t)
    }
}

/// Whether `s` is a digest as files are named (64 lower-case hex digits), so a path built
/// from it stays inside the attachments' directory.
pub fn is_digest(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The file name extension of a MIME type, for downloads.
pub fn extension(media_type: &str) -> &'static str {
    match media_type {
        "audio/wav" | "audio/x-wav" | "audio/wave" => "wav",
        "audio/mpeg" | "audio/mp3" => "mp3",
        "audio/ogg" => "ogg",
        "audio/amr" => "amr",
        "audio/mp4" | "audio/aac" => "m4a",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "video/mp4" => "mp4",
        "application/pdf" => "pdf",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        let l = MediaLimits {
            max_bytes: 1000,
            types: vec!["audio/*".into(), "image/jpeg".into()],
        };
        assert_eq!(l.check("audio/x-wav", 10).as_deref(), Ok("audio/x-wav"));
        assert_eq!(
            l.check("Image/JPEG; charset=binary", 10).as_deref(),
            Ok("image/jpeg")
        );
        assert!(l.check("image/png", 10).is_err());
        assert!(l.check("audio/", 10).is_err());
        assert!(l.check("audiox/wav", 10).is_err());
        assert!(l.check("audio/wav", 1001).is_err());
        assert!(l.check("audio/wav", 0).is_err());
        assert!(is_digest(&"a".repeat(64)));
        assert!(!is_digest(&"A".repeat(64)));
        assert!(!is_digest("../../etc/passwd"));
        assert_eq!(extension("audio/x-wav"), "wav");
    }
}
