//! Reading and verifying a package in one pass, yielding each record once it has been checked.

use std::collections::HashSet;
use std::io::Read;

use kinga_ledger::Event;

use crate::error::Fault;
use crate::keys::{PublicKey, WRAP_ALG, WrappedKey};
use crate::lines::LineReader;
use crate::manifest::{LinkFault, Manifest, Scope, Tally};
use crate::records::{
    ATTACHMENT, EVENT, HEADER, KEY, MANIFEST, Raw, SIGNATURE, Text, WITHHELD, b64_data, b64url,
    is_hash_hex,
};
use crate::writer::Progress;
use crate::{FORMAT, Header, MAX_LINE, SIGNING_PREFIX, Summary, VERSION};

/// What the reader checks beyond the package's own consistency.
#[derive(Debug, Clone)]
pub struct ReaderOptions {
    /// Refuse a package whose sender key is not this one (`--from SENDER.pub`).
    pub expected_sender: Option<PublicKey>,
    /// Refuse a package made for another recipient (import passes its own key).
    pub recipient: Option<PublicKey>,
    /// Longest line accepted, in bytes without its line feed.
    pub max_line: usize,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            expected_sender: None,
            recipient: None,
            max_line: MAX_LINE,
        }
    }
}

/// A withheld event: enough to keep its chain checkable, nothing of its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withheld {
    /// Origin instance.
    pub origin: String,
    /// Sequence number.
    pub seq: u64,
    /// Event id.
    pub id: String,
    /// Hash of the event before it.
    pub prev_hash: String,
    /// Its hash, as the sender states it (cannot be recomputed without the content).
    pub hash: String,
}

/// A file carried in the package; its bytes match its digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// BLAKE3 of the bytes, hex.
    pub digest: String,
    /// Media type as given.
    pub media_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// One checked record. Every record is checked as it is read, but the package as a whole is
/// proven only by [`Item::End`]: an importer writes in one transaction and commits only then.
#[derive(Debug, Clone)]
pub enum Item {
    /// The header (first).
    Header(Header),
    /// An event whose hash and chain link were checked.
    Event(Event),
    /// A withheld event's stub whose chain link was checked.
    Withheld(Withheld),
    /// An attachment whose digest was checked.
    Attachment(Attachment),
    /// A secret wrapped for the recipient; open it with [`WrappedKey::unwrap_key`].
    Key(WrappedKey),
    /// The manifest, once it matched what was read.
    Manifest(Manifest),
    /// The signature verified and nothing follows: the package is intact.
    End(Summary),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Header,
    Body,
    Signature,
    Done,
}

/// Everything the reader knows besides the bytes.
struct Checker {
    opts: ReaderOptions,
    stage: Stage,
    header: Option<Header>,
    tally: Tally,
    attachments: HashSet<String>,
    keys: HashSet<String>,
    manifest: Option<Manifest>,
    progress: Progress,
}

/// Reads a package from any byte stream, checking as it goes; iterate it for the items.
pub struct PackageReader<R> {
    lines: LineReader<R>,
    checker: Checker,
    failed: bool,
}

impl<R: Read> PackageReader<R> {
    /// A reader of `input` (buffering is done inside; pass a `File` as it is).
    pub fn new(input: R, opts: ReaderOptions) -> Self {
        PackageReader {
            lines: LineReader::new(input, opts.max_line),
            checker: Checker {
                opts,
                stage: Stage::Header,
                header: None,
                tally: Tally::default(),
                attachments: HashSet::new(),
                keys: HashSet::new(),
                manifest: None,
                progress: Progress::default(),
            },
            failed: false,
        }
    }

    /// The header, once read.
    pub fn header(&self) -> Option<&Header> {
        self.checker.header.as_ref()
    }

    /// How far the read has got (`bytes` against the file's length makes a progress bar).
    pub fn progress(&self) -> Progress {
        let mut p = self.checker.progress;
        p.bytes = self.lines.consumed();
        p
    }

    /// The next checked item, `None` after [`Item::End`] or a fault.
    pub fn next_item(&mut self) -> Result<Option<Item>, Fault> {
        if self.failed || self.checker.stage == Stage::Done {
            return Ok(None);
        }
        let r = self.step();
        if r.is_err() {
            self.failed = true;
        }
        r.map(Some)
    }

    fn step(&mut self) -> Result<Item, Fault> {
        let Some(range) = self.lines.next_line()? else {
            let reason = match self.checker.stage {
                Stage::Header => "the file is empty",
                Stage::Body => "it ends before the manifest and the signature",
                _ => "it ends before the signature",
            };
            return Err(Fault::Truncated {
                line: self.lines.line + 1,
                reason: reason.into(),
            });
        };
        let line = self.lines.line;
        let digest =
            (self.checker.stage == Stage::Signature).then(|| self.lines.digest_before(range.0));
        let mut item = self
            .checker
            .record(line, self.lines.get(range), digest.as_deref())?;
        if let Item::End(s) = &mut item {
            if !self.lines.at_end()? {
                return Err(Fault::Trailing { line: line + 1 });
            }
            s.bytes = self.lines.consumed();
        }
        Ok(item)
    }
}

impl<R: Read> Iterator for PackageReader<R> {
    type Item = Result<Item, Fault>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_item().transpose()
    }
}

/// Read and check a whole package; the summary of an intact one, or its first fault.
pub fn verify(input: impl Read, opts: ReaderOptions) -> Result<Summary, Fault> {
    let mut r = PackageReader::new(input, opts);
    while let Some(item) = r.next_item()? {
        if let Item::End(s) = item {
            return Ok(s);
        }
    }
    Err(Fault::Truncated {
        line: r.lines.line + 1,
        reason: "it ends before the signature".into(),
    })
}

fn text<'a>(t: &'a Option<Text<'_>>) -> &'a str {
    t.as_ref().map(Text::as_str).unwrap_or_default()
}

impl Checker {
    fn record(&mut self, line: u64, bytes: &[u8], digest: Option<&str>) -> Result<Item, Fault> {
        let malformed = |reason: String| Fault::Malformed { line, reason };
        let raw: Raw = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
        let Some(t) = raw.t.as_ref().map(Text::as_str) else {
            return Err(malformed("record lacks member \"t\"".into()));
        };
        let (members, allowed): (&[&str], &[Stage]) = match t {
            "header" => (HEADER, &[Stage::Header]),
            "event" => (EVENT, &[Stage::Body]),
            "withheld" => (WITHHELD, &[Stage::Body]),
            "attachment" => (ATTACHMENT, &[Stage::Body]),
            "key" => (KEY, &[Stage::Body]),
            "manifest" => (MANIFEST, &[Stage::Body]),
            "signature" => (SIGNATURE, &[Stage::Signature]),
            other => return Err(malformed(format!("unknown record type \"{other}\""))),
        };
        if !allowed.contains(&self.stage) {
            let reason = match self.stage {
                Stage::Header => "the first record must be the header".to_string(),
                Stage::Signature => {
                    format!("a {t} record after the manifest (only the signature may follow it)")
                }
                _ if t == "header" => "a second header".to_string(),
                _ => "the signature comes before the manifest".to_string(),
            };
            return Err(Fault::Order { line, reason });
        }
        raw.check_members(t, members).map_err(malformed)?;
        match t {
            "header" => self.header(line, &raw),
            "event" => self.event(line, &raw),
            "withheld" => self.withheld(line, &raw),
            "attachment" => self.attachment(line, &raw),
            "key" => self.key(line, &raw),
            "manifest" => self.manifest(line, raw),
            _ => self.signature(line, &raw, digest.unwrap_or_default()),
        }
    }

    fn header(&mut self, line: u64, raw: &Raw) -> Result<Item, Fault> {
        let format = text(&raw.format);
        if format != FORMAT {
            return Err(Fault::Format {
                line,
                reason: format!("format is \"{format}\", not \"{FORMAT}\""),
            });
        }
        let version = raw.version.unwrap_or_default();
        if version != VERSION {
            return Err(Fault::Format {
                line,
                reason: format!("version {version}; this verifier reads version {VERSION}"),
            });
        }
        let malformed = |reason: String| Fault::Malformed { line, reason };
        let scope = Scope::parse(text(&raw.scope))
            .ok_or_else(|| malformed("scope must be \"full\" or \"partial\"".into()))?;
        let key = |t: &Option<Text>, what: &str| {
            text(t)
                .parse::<PublicKey>()
                .map_err(|e| malformed(format!("{what}: {e}")))
        };
        let sender_key = key(&raw.sender_key, "sender_key")?;
        let recipient_key = key(&raw.recipient_key, "recipient_key")?;
        if let Some(expected) = self.opts.expected_sender.filter(|k| *k != sender_key) {
            return Err(Fault::Sender {
                line,
                expected: expected.to_string(),
                found: sender_key.to_string(),
            });
        }
        if let Some(me) = self.opts.recipient.filter(|k| *k != recipient_key) {
            return Err(Fault::Recipient {
                line,
                expected: me.to_string(),
                found: recipient_key.to_string(),
            });
        }
        let h = Header {
            version,
            scope,
            created_at: text(&raw.created_at).to_string(),
            sender_instance: text(&raw.sender_instance).to_string(),
            sender_name: text(&raw.sender_name).to_string(),
            sender_key,
            recipient_name: text(&raw.recipient_name).to_string(),
            recipient_key,
        };
        self.header = Some(h.clone());
        self.stage = Stage::Body;
        Ok(Item::Header(h))
    }

    fn scope(&self) -> Scope {
        self.header.as_ref().map_or(Scope::Full, |h| h.scope)
    }

    fn link(&self, line: u64, raw: &Raw) -> Result<(), Fault> {
        let (origin, seq, id) = (
            text(&raw.origin),
            raw.seq.unwrap_or_default(),
            text(&raw.id),
        );
        self.tally
            .check(self.scope(), origin, seq, text(&raw.prev_hash))
            .map_err(|f| {
                let (origin, id) = (origin.to_string(), id.to_string());
                match f {
                    LinkFault::Sequence(reason) => Fault::Sequence {
                        line,
                        origin,
                        seq,
                        id,
                        reason,
                    },
                    LinkFault::Link(reason) => Fault::Link {
                        line,
                        origin,
                        seq,
                        id,
                        reason,
                    },
                }
            })
    }

    fn event(&mut self, line: u64, raw: &Raw) -> Result<Item, Fault> {
        self.link(line, raw)?;
        let e = Event {
            id: text(&raw.id).to_string(),
            origin: text(&raw.origin).to_string(),
            seq: raw.seq.unwrap_or_default(),
            actor: text(&raw.actor).to_string(),
            at: text(&raw.at).to_string(),
            payload: text(&raw.payload).to_string(),
            prev_hash: text(&raw.prev_hash).to_string(),
            hash: text(&raw.hash).to_string(),
        };
        if e.computed_hash() != e.hash {
            return Err(Fault::Altered {
                line,
                origin: e.origin,
                seq: e.seq,
                id: e.id,
            });
        }
        self.tally.advance(&e.origin, e.seq, &e.hash, false);
        self.progress.events += 1;
        Ok(Item::Event(e))
    }

    fn withheld(&mut self, line: u64, raw: &Raw) -> Result<Item, Fault> {
        let hash = text(&raw.hash);
        if !is_hash_hex(hash) {
            return Err(Fault::Malformed {
                line,
                reason: "hash of a withheld event must be 64 lower-case hexadecimal digits".into(),
            });
        }
        self.link(line, raw)?;
        let w = Withheld {
            origin: text(&raw.origin).to_string(),
            seq: raw.seq.unwrap_or_default(),
            id: text(&raw.id).to_string(),
            prev_hash: text(&raw.prev_hash).to_string(),
            hash: hash.to_string(),
        };
        self.tally.advance(&w.origin, w.seq, &w.hash, true);
        self.progress.withheld += 1;
        Ok(Item::Withheld(w))
    }

    fn attachment(&mut self, line: u64, raw: &Raw) -> Result<Item, Fault> {
        let digest = text(&raw.digest).to_string();
        let data = b64_data(text(&raw.data)).map_err(|reason| Fault::Malformed { line, reason })?;
        let fail = |reason: String| Fault::Attachment {
            line,
            digest: digest.clone(),
            reason,
        };
        let size = raw.size.unwrap_or_default();
        if data.len() as u64 != size {
            return Err(fail(format!(
                "size says {size} bytes, the data has {}",
                data.len()
            )));
        }
        if blake3::hash(&data).to_hex().as_str() != digest {
            return Err(fail("the data does not give this digest".into()));
        }
        if !self.attachments.insert(digest.clone()) {
            return Err(Fault::Duplicate {
                line,
                what: format!("attachment {digest}"),
            });
        }
        self.progress.attachments += 1;
        Ok(Item::Attachment(Attachment {
            digest,
            media_type: text(&raw.media_type).to_string(),
            data,
        }))
    }

    fn key(&mut self, line: u64, raw: &Raw) -> Result<Item, Fault> {
        let malformed = |reason: String| Fault::Malformed { line, reason };
        let alg = text(&raw.alg);
        if alg != WRAP_ALG {
            return Err(malformed(format!(
                "key alg is \"{alg}\", not \"{WRAP_ALG}\""
            )));
        }
        let key_id = text(&raw.key_id);
        if key_id.is_empty() {
            return Err(malformed("key_id is empty".into()));
        }
        let w = WrappedKey {
            key_id: key_id.to_string(),
            ephemeral: b64url(text(&raw.ephemeral), "ephemeral").map_err(malformed)?,
            nonce: b64url(text(&raw.nonce), "nonce").map_err(malformed)?,
            sealed: b64url(text(&raw.sealed), "sealed").map_err(malformed)?,
        };
        if !self.keys.insert(w.key_id.clone()) {
            return Err(Fault::Duplicate {
                line,
                what: format!("key id {}", w.key_id),
            });
        }
        self.progress.keys += 1;
        Ok(Item::Key(w))
    }

    fn manifest(&mut self, line: u64, raw: Raw) -> Result<Item, Fault> {
        let claimed = Manifest {
            origins: raw.origins.unwrap_or_default(),
            attachments: raw.attachments.unwrap_or_default(),
            keys: raw.keys.unwrap_or_default(),
        };
        if claimed
            .origins
            .windows(2)
            .any(|w| w[0].origin >= w[1].origin)
        {
            return Err(Fault::Malformed {
                line,
                reason: "manifest origins must be sorted by origin, each once".into(),
            });
        }
        let read = self
            .tally
            .manifest(self.progress.attachments, self.progress.keys);
        if let Some((origin, reason)) = read.first_difference(&claimed) {
            return Err(Fault::Manifest {
                line,
                origin,
                reason,
            });
        }
        self.manifest = Some(read.clone());
        self.stage = Stage::Signature;
        Ok(Item::Manifest(read))
    }

    fn signature(&mut self, line: u64, raw: &Raw, computed: &str) -> Result<Item, Fault> {
        let malformed = |reason: String| Fault::Malformed { line, reason };
        let alg = text(&raw.alg);
        if alg != "ed25519" {
            return Err(malformed(format!(
                "signature alg is \"{alg}\", not \"ed25519\""
            )));
        }
        let sig: [u8; 64] = b64url(text(&raw.sig), "sig").map_err(malformed)?;
        let claimed = text(&raw.digest);
        if claimed != computed {
            return Err(Fault::Digest {
                line,
                computed: computed.to_string(),
                claimed: claimed.to_string(),
            });
        }
        let (Some(header), Some(manifest)) = (self.header.clone(), self.manifest.take()) else {
            return Err(Fault::Order {
                line,
                reason: "signature without header and manifest".into(),
            });
        };
        if !header
            .sender_key
            .verify(format!("{SIGNING_PREFIX}{computed}").as_bytes(), &sig)
        {
            return Err(Fault::Signature {
                line,
                sender: header.sender_key.to_string(),
            });
        }
        self.stage = Stage::Done;
        Ok(Item::End(Summary {
            header,
            manifest,
            digest: computed.to_string(),
            bytes: 0,
            lines: line,
        }))
    }
}
