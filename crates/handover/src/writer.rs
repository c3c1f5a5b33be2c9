//! Writing a package in one pass: header, records as they come, manifest, signature.

use std::collections::HashSet;
use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use kinga_ledger::Event;

use crate::error::WriteError;
use crate::keys::{InstanceKey, PublicKey, WRAP_ALG, WrappedKey};
use crate::manifest::{LinkFault, Manifest, Scope, Tally};
use crate::records::{
    AttachmentOut, EventOut, HeaderOut, KeyOut, ManifestOut, SignatureOut, WithheldOut,
    to_b64_data, to_b64url,
};
use crate::{FORMAT, Header, MAX_ATTACHMENT, MAX_LINE, SIGNING_PREFIX, Summary, VERSION};

/// What the header says besides the two keys.
#[derive(Debug, Clone)]
pub struct HeaderFields {
    /// The sending instance's id (the `origin` of the events it made).
    pub sender_instance: String,
    /// The sending organisation or instance, as people call it.
    pub sender_name: String,
    /// The recipient, as people call it (e.g. the name in its `.pub` file).
    pub recipient_name: String,
    /// When the package was made.
    pub created_at: DateTime<Utc>,
    /// Whether every chain starts at its first event.
    pub scope: Scope,
}

/// How far a write or a read has got, for a progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Events written or read in full.
    pub events: u64,
    /// Withheld stubs.
    pub withheld: u64,
    /// Attachments.
    pub attachments: u64,
    /// Wrapped keys.
    pub keys: u64,
    /// Bytes of package so far.
    pub bytes: u64,
}

/// Events whose hashes are checked and records encoded together, on two cores.
const BATCH_EVENTS: usize = 2048;

/// The progress callback.
type ProgressFn<'a> = Box<dyn FnMut(&Progress) + 'a>;

/// How many records go by between two calls of the progress callback.
const PROGRESS_EVERY: u64 = 4096;

/// Bytes gathered before they are hashed and written: large enough that BLAKE3 hashes
/// whole runs of chunks in parallel lanes and the output sees few system calls.
const FLUSH_AT: usize = 1 << 20;

/// Writes a package record by record, hashing as it goes, and signs it on [`finish`].
///
/// [`finish`]: PackageWriter::finish
pub struct PackageWriter<'a, W: Write> {
    out: W,
    buf: Vec<u8>,
    hasher: blake3::Hasher,
    sender: &'a InstanceKey,
    header: Header,
    tally: Tally,
    attachments: HashSet<String>,
    keys: HashSet<String>,
    entropy: [u8; 32],
    progress: Progress,
    on_progress: Option<ProgressFn<'a>>,
    records: u64,
    lines: u64,
    pending: Vec<(Event, bool)>,
    parts: [Vec<u8>; 2],
    parallel: bool,
}

impl<'a, W: Write> PackageWriter<'a, W> {
    /// Start a package from `sender` for `recipient` and write its header. `entropy` must be
    /// 32 fresh random bytes: the one-time keys of wrapped secrets are derived from it (and
    /// from each secret, so even a reused `entropy` never reuses a nonce for two secrets).
    pub fn new(
        out: W,
        sender: &'a InstanceKey,
        fields: HeaderFields,
        recipient: &PublicKey,
        entropy: [u8; 32],
    ) -> Result<Self, WriteError> {
        let header = Header {
            version: VERSION,
            scope: fields.scope,
            created_at: fields.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            sender_instance: fields.sender_instance,
            sender_name: fields.sender_name,
            sender_key: sender.public(),
            recipient_name: fields.recipient_name,
            recipient_key: *recipient,
        };
        let mut w = PackageWriter {
            out,
            buf: Vec::with_capacity(FLUSH_AT + MAX_LINE.min(1 << 16)),
            hasher: blake3::Hasher::new(),
            sender,
            header,
            tally: Tally::default(),
            attachments: HashSet::new(),
            keys: HashSet::new(),
            entropy,
            progress: Progress::default(),
            on_progress: None,
            records: 0,
            lines: 0,
            pending: Vec::with_capacity(BATCH_EVENTS),
            parts: [Vec::new(), Vec::new()],
            parallel: std::thread::available_parallelism().is_ok_and(|n| n.get() > 1),
        };
        let h = &w.header;
        let rec = HeaderOut {
            t: "header",
            format: FORMAT,
            version: VERSION,
            scope: h.scope.as_str(),
            created_at: &h.created_at,
            sender_instance: &h.sender_instance,
            sender_name: &h.sender_name,
            sender_key: h.sender_key.to_string(),
            recipient_name: &h.recipient_name,
            recipient_key: h.recipient_key.to_string(),
        };
        let line = serde_json::to_vec(&rec)?;
        w.push_bytes(&line)?;
        Ok(w)
    }

    /// Call `f` every few thousand records with how far the write has got.
    pub fn on_progress(&mut self, f: impl FnMut(&Progress) + 'a) {
        self.on_progress = Some(Box::new(f));
    }

    /// How far the write has got.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// Write a sealed event in full. Events of one origin must come in sequence order;
    /// origins may interleave. The chain link is checked at once; the event's hash is
    /// rechecked with a batch of others on two cores, so an altered event may be reported by
    /// a later call or by [`PackageWriter::finish`] (never signed, either way).
    pub fn event(&mut self, e: &Event) -> Result<(), WriteError> {
        self.link(e)?;
        self.queue(e.clone(), false)
    }

    /// [`PackageWriter::event`] for an event the caller no longer needs (a page read from the
    /// store): saves copying it.
    pub fn event_owned(&mut self, e: Event) -> Result<(), WriteError> {
        self.link(&e)?;
        self.queue(e, false)
    }

    /// Write an event as a stub (origin, seq, id, previous hash, hash) that keeps its chain
    /// checkable without its content leaving.
    pub fn withheld(&mut self, e: &Event) -> Result<(), WriteError> {
        self.link(e)?;
        self.queue(e.clone(), true)
    }

    /// [`PackageWriter::withheld`] for an event the caller no longer needs.
    pub fn withheld_owned(&mut self, e: Event) -> Result<(), WriteError> {
        self.link(&e)?;
        self.queue(e, true)
    }

    /// Queues an event whose link was checked.
    fn queue(&mut self, e: Event, withheld: bool) -> Result<(), WriteError> {
        self.tally.advance(&e.origin, e.seq, &e.hash, withheld);
        if withheld {
            self.progress.withheld += 1;
        } else {
            self.progress.events += 1;
        }
        self.pending.push((e, withheld));
        if self.pending.len() >= BATCH_EVENTS {
            self.drain()?;
        }
        self.tick();
        Ok(())
    }

    /// Checks the hashes of the queued events and writes their records, in order.
    fn drain(&mut self) -> Result<(), WriteError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let [mut first, mut second] = std::mem::take(&mut self.parts);
        first.clear();
        second.clear();
        let pending = &self.pending;
        let (ra, rb) = if self.parallel && pending.len() >= 64 {
            let (a, b) = pending.split_at(pending.len() / 2);
            std::thread::scope(|s| {
                let other = s.spawn(|| encode(b, &mut second).map(|()| second));
                let ra = encode(a, &mut first);
                // A panic in the other thread would be a bug; redo its half here.
                let rb = other.join().unwrap_or_else(|_| {
                    let mut again = Vec::new();
                    encode(b, &mut again).map(|()| again)
                });
                (ra, rb)
            })
        } else {
            (encode(pending, &mut first), Ok(second))
        };
        ra?;
        let second = rb?;
        // Hash and write the two halves where they are, after what is already buffered.
        self.flush_buf()?;
        for part in [&first, &second] {
            self.hasher.update(part);
            self.out.write_all(part)?;
            self.progress.bytes += part.len() as u64;
        }
        self.lines += self.pending.len() as u64;
        self.pending.clear();
        self.parts = [first, second];
        Ok(())
    }

    /// Write a file carried with the records; returns its BLAKE3 digest (hex), by which
    /// events refer to it.
    pub fn attachment(&mut self, media_type: &str, bytes: &[u8]) -> Result<String, WriteError> {
        if bytes.len() > MAX_ATTACHMENT {
            return Err(WriteError::Invalid(format!(
                "attachment of {} bytes is larger than the {MAX_ATTACHMENT} a record may carry",
                bytes.len()
            )));
        }
        if media_type.is_empty() {
            return Err(WriteError::Invalid(
                "attachment without a media type".into(),
            ));
        }
        self.drain()?;
        let digest = blake3::hash(bytes).to_hex().to_string();
        if !self.attachments.insert(digest.clone()) {
            return Err(WriteError::Duplicate(format!("attachment {digest}")));
        }
        self.push(&AttachmentOut {
            t: "attachment",
            digest: &digest,
            media_type,
            size: bytes.len() as u64,
            data: to_b64_data(bytes),
        })?;
        self.progress.attachments += 1;
        self.tick();
        Ok(digest)
    }

    /// Write a 32-byte secret (the field-sealing key, a compartment key) encrypted for the
    /// recipient under `key_id`.
    pub fn wrapped_key(&mut self, key_id: &str, secret: &[u8; 32]) -> Result<(), WriteError> {
        if key_id.is_empty() {
            return Err(WriteError::Invalid("wrapped key without a key id".into()));
        }
        self.drain()?;
        if self.keys.contains(key_id) {
            return Err(WriteError::Duplicate(format!("key id {key_id}")));
        }
        let mut h = blake3::Hasher::new_keyed(&self.entropy);
        h.update(b"kinga-handover-v1 wrap entropy");
        h.update(&self.header.recipient_key.to_bytes());
        h.update(&(key_id.len() as u64).to_le_bytes());
        h.update(key_id.as_bytes());
        h.update(secret);
        let mut out = [0u8; 56];
        h.finalize_xof().fill(&mut out);
        let mut eph = [0u8; 32];
        eph.copy_from_slice(&out[..32]);
        let mut nonce = [0u8; 24];
        nonce.copy_from_slice(&out[32..]);
        let w = WrappedKey::wrap(&self.header.recipient_key, key_id, secret, eph, nonce)?;
        self.push(&KeyOut {
            t: "key",
            key_id,
            alg: WRAP_ALG,
            ephemeral: to_b64url(&w.ephemeral),
            nonce: to_b64url(&w.nonce),
            sealed: to_b64url(&w.sealed),
        })?;
        self.keys.insert(key_id.to_string());
        self.progress.keys += 1;
        self.tick();
        Ok(())
    }

    /// The manifest of what has been written so far.
    pub fn manifest(&self) -> Manifest {
        self.tally
            .manifest(self.progress.attachments, self.progress.keys)
    }

    /// Write the manifest and the signature. When `expected` is given (the store's own
    /// count and heads), refuses to sign a package that differs from it.
    pub fn finish(mut self, expected: Option<&Manifest>) -> Result<Summary, WriteError> {
        self.drain()?;
        let manifest = self.manifest();
        if let Some((origin, reason)) = expected.and_then(|m| manifest.first_difference(m)) {
            return Err(WriteError::Manifest { origin, reason });
        }
        self.push(&ManifestOut {
            t: "manifest",
            origins: &manifest.origins,
            attachments: manifest.attachments,
            keys: manifest.keys,
        })?;
        self.flush_buf()?;
        let digest = self.hasher.finalize().to_hex().to_string();
        let sig = self
            .sender
            .sign(format!("{SIGNING_PREFIX}{digest}").as_bytes());
        let mut line = serde_json::to_vec(&SignatureOut {
            t: "signature",
            alg: "ed25519",
            digest: &digest,
            sig: to_b64url(&sig),
        })?;
        line.push(b'\n');
        self.out.write_all(&line)?;
        self.out.flush()?;
        self.progress.bytes += line.len() as u64;
        self.lines += 1;
        if let Some(f) = self.on_progress.as_mut() {
            f(&self.progress);
        }
        Ok(Summary {
            header: self.header,
            manifest,
            digest,
            bytes: self.progress.bytes,
            lines: self.lines,
        })
    }

    fn link(&self, e: &Event) -> Result<(), WriteError> {
        self.tally
            .check(self.header.scope, &e.origin, e.seq, &e.prev_hash)
            .map_err(|f| {
                let (LinkFault::Sequence(reason) | LinkFault::Link(reason)) = f;
                WriteError::Chain {
                    origin: e.origin.clone(),
                    seq: e.seq,
                    id: e.id.clone(),
                    reason,
                }
            })
    }

    fn push<T: serde::Serialize>(&mut self, rec: &T) -> Result<(), WriteError> {
        let start = self.buf.len();
        serde_json::to_writer(&mut self.buf, rec)?;
        if self.buf.len() - start > MAX_LINE {
            self.buf.truncate(start);
            return Err(WriteError::Invalid(format!(
                "a record longer than {MAX_LINE} bytes cannot be written"
            )));
        }
        self.buf.push(b'\n');
        self.progress.bytes += (self.buf.len() - start) as u64;
        self.lines += 1;
        if self.buf.len() >= FLUSH_AT {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn push_bytes(&mut self, line: &[u8]) -> Result<(), WriteError> {
        if line.len() > MAX_LINE {
            return Err(WriteError::Invalid(format!(
                "a record longer than {MAX_LINE} bytes cannot be written"
            )));
        }
        self.buf.extend_from_slice(line);
        self.buf.push(b'\n');
        self.progress.bytes += line.len() as u64 + 1;
        self.lines += 1;
        Ok(())
    }

    fn flush_buf(&mut self) -> Result<(), WriteError> {
        self.hasher.update(&self.buf);
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    fn tick(&mut self) {
        self.records += 1;
        if self.records % PROGRESS_EVERY == 0 {
            if let Some(f) = self.on_progress.as_mut() {
                f(&self.progress);
            }
        }
    }
}

/// Checks each event's hash and writes its record (full or stub), one line each.
fn encode(events: &[(Event, bool)], out: &mut Vec<u8>) -> Result<(), WriteError> {
    for (e, withheld) in events {
        // A stub received by sync has no content to check: its hash is its origin's word.
        let stub = *withheld && e.is_withheld();
        if !stub && e.computed_hash() != e.hash {
            return Err(WriteError::Chain {
                origin: e.origin.clone(),
                seq: e.seq,
                id: e.id.clone(),
                reason: "its content does not give its hash (the ledger holds an altered event)"
                    .into(),
            });
        }
        let start = out.len();
        if *withheld {
            serde_json::to_writer(
                &mut *out,
                &WithheldOut {
                    t: "withheld",
                    origin: &e.origin,
                    seq: e.seq,
                    id: &e.id,
                    prev_hash: &e.prev_hash,
                    hash: &e.hash,
                },
            )?;
        } else {
            serde_json::to_writer(
                &mut *out,
                &EventOut {
                    t: "event",
                    origin: &e.origin,
                    seq: e.seq,
                    id: &e.id,
                    actor: &e.actor,
                    at: &e.at,
                    payload: &e.payload,
                    prev_hash: &e.prev_hash,
                    hash: &e.hash,
                },
            )?;
        }
        if out.len() - start > MAX_LINE {
            return Err(WriteError::Chain {
                origin: e.origin.clone(),
                seq: e.seq,
                id: e.id.clone(),
                reason: format!("its record would be longer than {MAX_LINE} bytes"),
            });
        }
        out.push(b'\n');
    }
    Ok(())
}
