//! The audit trail: who opened, exported or granted what, and when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One audited action on a sensitive record (an identity opened, a login, an export, a
/// token created, a grant given). Entries are ledger events, so the trail is hash-chained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Id of the ledger event that records it.
    #[serde(default)]
    pub id: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (user name).
    pub actor: String,
    /// `read`, `login`, `export`, `token_created`, `grant`, …
    pub action: String,
    /// What (`focal_point:<id>`, `user:<name>`, …).
    pub record: String,
    /// Why or from where (the reason given, the page or API path).
    pub context: String,
}
