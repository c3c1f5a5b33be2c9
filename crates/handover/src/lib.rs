//! Handover packages: the ledger handed to another organisation in a form it can trust without
//! Kinga's code. A package is JSON Lines — a header, the sealed events (or stubs of withheld
//! ones), attachments, wrapped keys, a completeness manifest and an Ed25519 signature over the
//! BLAKE3 digest of everything before it — written and verified in one streaming pass.
//! docs/handover-format.md specifies it byte by byte; `tests/verify_package.py` is an
//! independent verifier written from that page alone.

#![warn(missing_docs)]

mod checker;
mod error;
mod fast;
mod keys;
mod lines;
mod manifest;
mod reader;
mod records;
mod writer;

pub use error::{Fault, WriteError};
pub use keys::{
    InstanceKey, KeyError, PUBLIC_KEY_PREFIX, PublicKey, PublicKeyLine, WRAP_ALG, WRAP_CONTEXT,
    WrappedKey,
};
pub use manifest::{Manifest, OriginRange, Scope};
pub use reader::{Attachment, Item, PackageReader, ReaderOptions, Withheld, verify};
pub use writer::{HeaderFields, PackageWriter, Progress};

/// The header's `format`.
pub const FORMAT: &str = "kinga-handover";

/// The header's `version`.
pub const VERSION: u64 = 1;

/// What the sender signs: this prefix, then the hex digest of the package before the
/// signature line.
pub const SIGNING_PREFIX: &str = "kinga-handover-v1:";

/// Longest line, without its line feed, a reader accepts (64 MiB): bounds a reader's memory
/// whatever the input.
pub const MAX_LINE: usize = 64 << 20;

/// Largest attachment one record carries (its base64 text stays under [`MAX_LINE`]).
pub const MAX_ATTACHMENT: usize = 48_000_000;

/// A package's header, as written or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Format version.
    pub version: u64,
    /// Whether every chain starts at its first event.
    pub scope: Scope,
    /// When the package was made (RFC 3339, as the sender wrote it).
    pub created_at: String,
    /// Sending instance's id.
    pub sender_instance: String,
    /// Sending instance's name.
    pub sender_name: String,
    /// The key that signs the package.
    pub sender_key: PublicKey,
    /// Recipient's name.
    pub recipient_name: String,
    /// The key the package (its wrapped keys) is for.
    pub recipient_key: PublicKey,
}

/// What a package holds, once written or verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Its header.
    pub header: Header,
    /// Its manifest (equal to what was written or read).
    pub manifest: Manifest,
    /// BLAKE3 (hex) of every byte before the signature line: what was signed.
    pub digest: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Lines (records), signature included.
    pub lines: u64,
}

impl Summary {
    /// Events carried in full.
    pub fn events(&self) -> u64 {
        self.manifest.records() - self.manifest.withheld()
    }

    /// One line for a terminal: what the package holds and who signed it.
    pub fn one_line(&self) -> String {
        format!(
            "{} events ({} withheld) in {} chain(s), {} attachments, {} wrapped keys; {} bytes; signed by {} ({})",
            self.manifest.records(),
            self.manifest.withheld(),
            self.manifest.origins.len(),
            self.manifest.attachments,
            self.manifest.keys,
            self.bytes,
            self.header.sender_name,
            self.header.sender_key
        )
    }
}

/// For the fuzz target: whether the fast event-line parser agrees with the general JSON parser
/// on `line` (it must either step aside or give the same members).
#[doc(hidden)]
pub fn fast_path_agrees(line: &[u8]) -> bool {
    let Some(fast) = fast::event_line(line) else {
        return true;
    };
    let Ok(slow) = serde_json::from_slice::<records::Raw>(line) else {
        return false;
    };
    let t = |x: &Option<records::Text>| x.as_ref().map(|t| t.as_str().to_string());
    [
        (&fast.t, &slow.t),
        (&fast.origin, &slow.origin),
        (&fast.id, &slow.id),
        (&fast.actor, &slow.actor),
        (&fast.at, &slow.at),
        (&fast.payload, &slow.payload),
        (&fast.prev_hash, &slow.prev_hash),
        (&fast.hash, &slow.hash),
    ]
    .iter()
    .all(|(a, b)| t(a) == t(b))
        && fast.seq == slow.seq
}
