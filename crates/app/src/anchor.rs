//! The chain-head anchor: the last sequence number and hash of each origin's chain, written
//! outside the database and authenticated with a key derived from the instance key. Someone
//! who deletes the newest events from the database (and rewrites nothing else) leaves chains
//! that still verify; the anchor is what shows they once went further.
//!
//! The anchor is a lower bound: it is written after commits (every second by `kinga serve`,
//! and when a command ends), so a crash may leave it a moment behind the ledger, never ahead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use kinga_ledger::Event;

use crate::{AppError, AppResult, Sealer};

/// Format name written in the file.
const FORMAT: &str = "kinga-anchor-v1";

/// The last event of one origin's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchoredHead {
    /// Its sequence number.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
}

/// The anchor file's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnchorFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// Head of each origin's chain when the file was written.
    pub heads: BTreeMap<String, AnchoredHead>,
    /// When it was written.
    pub written_at: DateTime<Utc>,
    /// Keyed BLAKE3 of the fields above (hex).
    pub mac: String,
}

fn mac(key: &[u8; 32], heads: &BTreeMap<String, AnchoredHead>, at: DateTime<Utc>) -> String {
    let mut h = blake3::Hasher::new_keyed(key);
    h.update(FORMAT.as_bytes());
    for (origin, head) in heads {
        for part in [origin.as_str(), &head.seq.to_string(), &head.hash] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
    }
    h.update(at.to_rfc3339_opts(SecondsFormat::Micros, true).as_bytes());
    h.finalize().to_hex().to_string()
}

/// Keeps the heads this process has committed and writes them to the anchor file.
pub struct Anchor {
    path: PathBuf,
    key: [u8; 32],
    heads: Mutex<BTreeMap<String, AnchoredHead>>,
    dirty: AtomicBool,
}

impl std::fmt::Debug for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Anchor({})", self.path.display())
    }
}

impl Anchor {
    /// An anchor kept at `path`, authenticated with the sealer's anchor key.
    pub fn new(path: PathBuf, sealer: &Sealer) -> Anchor {
        Anchor {
            path,
            key: *sealer.anchor_key(),
            heads: Mutex::new(BTreeMap::new()),
            dirty: AtomicBool::new(false),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Note the events of a commit that was just made durable.
    pub fn saw(&self, events: &[Event]) {
        for e in events {
            self.saw_head(&e.origin, e.seq, &e.hash);
        }
    }

    /// Note that `origin`'s chain durably reaches event `seq` with hash `hash` (events
    /// written without a commit of this process: a handover's import).
    pub fn saw_head(&self, origin: &str, seq: u64, hash: &str) {
        let Ok(mut heads) = self.heads.lock() else {
            return;
        };
        if heads.get(origin).is_none_or(|h| seq > h.seq) {
            heads.insert(
                origin.to_string(),
                AnchoredHead {
                    seq,
                    hash: hash.to_string(),
                },
            );
            self.dirty.store(true, Ordering::Release);
        }
    }

    /// Read and authenticate the file; `None` when there is none.
    pub fn read(&self) -> AppResult<Option<AnchorFile>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(AppError::Crypto(format!(
                    "anchor file {}: {e}",
                    self.path.display()
                )));
            }
        };
        let file: AnchorFile = serde_json::from_str(&text).map_err(|e| {
            AppError::Crypto(format!(
                "anchor file {} is damaged: {e}",
                self.path.display()
            ))
        })?;
        let expected = mac(&self.key, &file.heads, file.written_at);
        if file.format != FORMAT || !crate::auth::same_secret(&expected, &file.mac) {
            return Err(AppError::Crypto(format!(
                "anchor file {} was altered or written with another key",
                self.path.display()
            )));
        }
        Ok(Some(file))
    }

    /// Write the heads seen since the last write, merged with what the file already holds
    /// (other processes on the same database write it too); nothing when nothing changed.
    pub fn persist(&self, now: DateTime<Utc>) -> AppResult<()> {
        if !self.dirty.swap(false, Ordering::AcqRel) {
            return Ok(());
        }
        let mut heads = match self.read() {
            Ok(Some(f)) => f.heads,
            Ok(None) => BTreeMap::new(),
            Err(e) => {
                // What this process committed is true; it replaces a file it cannot trust.
                tracing::warn!(error = %e, "rewriting the anchor file");
                BTreeMap::new()
            }
        };
        if let Ok(mine) = self.heads.lock() {
            for (origin, head) in mine.iter() {
                if heads.get(origin).is_none_or(|h| head.seq > h.seq) {
                    heads.insert(origin.clone(), head.clone());
                }
            }
        }
        let file = AnchorFile {
            format: FORMAT.into(),
            mac: mac(&self.key, &heads, now),
            heads,
            written_at: now,
        };
        let text = serde_json::to_string_pretty(&file)
            .map_err(|e| AppError::Crypto(format!("anchor: {e}")))?;
        crate::files::replace_private(&self.path, text.as_bytes()).map_err(|e| {
            self.dirty.store(true, Ordering::Release);
            AppError::Crypto(format!("anchor file {}: {e}", self.path.display()))
        })
    }
}

impl crate::App {
    /// Write the chain-head anchor if commits were made since it was last written.
    pub fn persist_anchor(&self) -> AppResult<()> {
        self.anchor.persist(self.now())
    }

    /// The anchor as last written (authenticated), for `kinga verify`.
    pub(crate) fn anchor_file(&self) -> AppResult<Option<AnchorFile>> {
        self.anchor.read()
    }

    /// Anchor chain heads that reached the ledger without a commit of this process (an
    /// imported handover), then write the anchor.
    pub fn anchor_heads<'a>(
        &self,
        heads: impl IntoIterator<Item = (&'a str, u64, &'a str)>,
    ) -> AppResult<()> {
        for (origin, seq, hash) in heads {
            self.anchor.saw_head(origin, seq, hash);
        }
        self.persist_anchor()
    }

    /// Where the anchor is kept.
    pub fn anchor_location(&self) -> &Path {
        self.anchor.path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn event(origin: &str, seq: u64) -> Event {
        Event {
            id: format!("e{seq}"),
            origin: origin.into(),
            seq,
            actor: "a".into(),
            at: "2026-01-01T00:00:00.000000Z".into(),
            payload: "{}".into(),
            prev_hash: String::new(),
            hash: format!("h{seq}"),
        }
    }

    #[test]
    fn heads_only_move_forward_and_the_file_is_authenticated() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let sealer = Sealer::new([3; 32]);
        let a = Anchor::new(dir.path().join("k.anchor"), &sealer);
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(a.read().ok().flatten(), None);
        a.saw(&[event("A", 3), event("A", 2), event("B", 1)]);
        a.persist(t).unwrap_or_else(|e| panic!("{e}"));
        let f = a.read().unwrap_or_else(|e| panic!("{e}")).unwrap();
        assert_eq!(f.heads["A"].seq, 3);
        assert_eq!(f.heads["B"].hash, "h1");
        // Another process behind this one does not move the file back.
        let b = Anchor::new(dir.path().join("k.anchor"), &sealer);
        b.saw(&[event("A", 2)]);
        b.persist(t).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.read().unwrap().unwrap().heads["A"].seq, 3);
        // An edited file, or one read with another key, is refused.
        let text = std::fs::read_to_string(a.path()).unwrap_or_default();
        std::fs::write(a.path(), text.replace("\"seq\": 3", "\"seq\": 1")).unwrap();
        assert!(a.read().is_err());
        let other = Anchor::new(a.path().to_path_buf(), &Sealer::new([4; 32]));
        std::fs::write(a.path(), text).unwrap();
        assert!(other.read().is_err());
        assert!(a.read().is_ok());
    }
}
