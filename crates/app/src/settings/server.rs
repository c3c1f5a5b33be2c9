//! The server and the instance: keys, sessions and sign-in limits, HTTP connections, the
//! instance's identity, and where attachments are kept.

use serde::{Deserialize, Serialize};

use super::Settings;

/// This instance's identity: the Ed25519 key that signs its handover packages and opens
/// the keys wrapped for it, and the name people know it by.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceSettings {
    /// The name given to the instance when its identity is first made (`kinga instance name`
    /// changes it later). Empty: `Kinga <instance id>`.
    pub name: String,
    /// File holding the instance's Ed25519 seed; created on first use. Empty: beside the
    /// key file (`kinga.key` → `kinga.instance-key`, `<database>.key` →
    /// `<database>.instance-key`).
    pub key_file: String,
    /// Seconds between two syncs with every paired instance in `kinga serve` (0: never).
    pub sync_seconds: u64,
    /// Letters before the number of this instance's alert references (`K` → `K-1042`). Give
    /// each instance that syncs its own, so references made while cut off never collide.
    pub reference_prefix: String,
}

impl Default for InstanceSettings {
    fn default() -> Self {
        InstanceSettings {
            name: String::new(),
            key_file: String::new(),
            sync_seconds: 300,
            reference_prefix: "K".into(),
        }
    }
}

/// The HTTP server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Http {
    /// A connection that sends nothing (half-sent headers, a stalled body, an idle
    /// keep-alive) or reads nothing of our answer for this long is closed.
    pub idle_seconds: u64,
    /// Days a retried request (the same `Idempotency-Key`, a gateway's message sent again) is
    /// answered word for word from the first answer; after them the stored copy is thinned to
    /// the record's id and a retry is answered from the record as it is now. The key itself is
    /// kept for good, so a late retry never makes a second record. 0 keeps every copy.
    pub retry_answer_days: u32,
}

impl Default for Http {
    fn default() -> Self {
        Http {
            idle_seconds: 30,
            retry_answer_days: 30,
        }
    }
}

/// Keys, sessions and login limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Security {
    /// File holding the 32-byte key that seals sensitive fields; created on first start.
    /// Empty: `<data_dir>/kinga.key`.
    pub key_file: String,
    /// Hours a browser session lasts.
    pub session_hours: u32,
    /// Failed logins allowed per user and per address in `login_window_minutes`.
    pub login_attempts: u32,
    /// Window of the login limit.
    pub login_window_minutes: u32,
    /// Mark session cookies `Secure` even when `public_url` is not https (a TLS proxy that
    /// forwards to a plain `public_url`); they always are when `public_url` is https.
    pub secure_cookies: bool,
    /// Signing in ends the user's other sessions (one device at a time).
    pub single_session: bool,
    /// File holding the signed chain heads of the ledger, outside the database, so that a
    /// deleted tail of events is found by `kinga verify`. Empty: beside the SQLite file
    /// (`<database>.anchor`), or `<data_dir>/ledger.anchor` on PostgreSQL.
    pub anchor_file: String,
}

impl Default for Security {
    fn default() -> Self {
        Security {
            key_file: String::new(),
            session_hours: 12,
            login_attempts: 5,
            login_window_minutes: 15,
            secure_cookies: false,
            single_session: false,
            anchor_file: String::new(),
        }
    }
}

/// Attachments: files kept beside the database, named by their BLAKE3 digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Attachments {
    /// Folder of the files (`KINGA_ATTACHMENTS_DIR`); empty: `attachments` beside the SQLite
    /// file, or `<data_dir>/attachments` on PostgreSQL.
    pub dir: String,
    /// Largest file accepted, in bytes (`KINGA_ATTACHMENTS_MAX_BYTES`).
    pub max_bytes: u64,
    /// MIME types accepted (`KINGA_ATTACHMENTS_TYPES`); `audio/*` accepts every audio type.
    pub types: Vec<String>,
}

impl Default for Attachments {
    fn default() -> Self {
        Attachments {
            dir: String::new(),
            max_bytes: 16 * 1024 * 1024,
            types: [
                "audio/*",
                "image/jpeg",
                "image/png",
                "image/webp",
                "image/gif",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

impl Settings {
    /// The folder attachments are kept in.
    pub fn attachments_dir(&self) -> std::path::PathBuf {
        use std::path::{Path, PathBuf};
        if !self.attachments.dir.trim().is_empty() {
            return PathBuf::from(self.attachments.dir.trim());
        }
        let db = self.database.trim();
        if db.starts_with("postgres://") || db.starts_with("postgresql://") || db.is_empty() {
            return Path::new(&self.data_dir).join("attachments");
        }
        Path::new(db)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."))
            .join("attachments")
    }
}
