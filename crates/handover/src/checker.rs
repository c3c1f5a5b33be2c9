//! The checks of each record, in the order the format page gives. [`pre_parse`] does the part
//! that depends on the line alone (JSON, member set, an event's hash) and can run on any core;
//! [`Checker::record`] does the rest in line order, so the first fault is the same however
//! the lines were spread over cores.

use std::collections::HashSet;

use kinga_ledger::{Event, event_hash};

use crate::error::Fault;
use crate::keys::{PublicKey, WRAP_ALG, WrappedKey};
use crate::manifest::{LinkFault, Manifest, Scope, Tally};
use crate::reader::{Attachment, Item, ReaderOptions, Withheld};
use crate::records::{
    ATTACHMENT, EVENT, HEADER, KEY, MANIFEST, Raw, SIGNATURE, Text, WITHHELD, b64_data, b64url,
    is_hash_hex,
};
use crate::writer::Progress;
use crate::{FORMAT, Header, SIGNING_PREFIX, Summary, VERSION};

/// Which record may come next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Line 1.
    Header,
    /// Events, stubs, attachments, keys, and the manifest that ends them.
    Body,
    /// Only the signature.
    Signature,
    /// Nothing.
    Done,
}

/// What a line says, before the checks that depend on the lines before it.
// Nearly every line is a record: boxing it would cost an allocation per line for nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Pre<'a> {
    /// Not a record (JSON, member types, `t`): malformed.
    Bad(String),
    /// A record of type `t`.
    Rec {
        /// Record type.
        t: &'static str,
        /// Its members (an event's are moved into `event`).
        raw: Raw<'a>,
        /// Whether it has exactly its type's members.
        members: Result<(), String>,
        /// For an event: the hash its content gives, and the event when it is to be yielded.
        event: Option<(String, Option<Event>)>,
    },
}

/// The work on one line that needs no other line.
/// `materialize`: build the [`Event`] to yield it (import), or only check it in place (verify).
pub(crate) fn pre_parse(bytes: &[u8], materialize: bool) -> Pre<'_> {
    let parsed = match crate::fast::event_line(bytes) {
        Some(r) => Ok(r),
        None => serde_json::from_slice(bytes),
    };
    let mut raw: Raw = match parsed {
        Ok(r) => r,
        Err(e) => return Pre::Bad(e.to_string()),
    };
    let (t, members): (&'static str, &[&str]) = match raw.t.as_ref().map(Text::as_str) {
        None => return Pre::Bad("record lacks member \"t\"".into()),
        Some("header") => ("header", HEADER),
        Some("event") => ("event", EVENT),
        Some("withheld") => ("withheld", WITHHELD),
        Some("attachment") => ("attachment", ATTACHMENT),
        Some("key") => ("key", KEY),
        Some("manifest") => ("manifest", MANIFEST),
        Some("signature") => ("signature", SIGNATURE),
        Some(other) => return Pre::Bad(format!("unknown record type \"{other}\"")),
    };
    let members = raw.check_members(t, members);
    let event = (t == "event" && members.is_ok()).then(|| {
        if !materialize {
            let computed = event_hash(
                text(&raw.origin),
                raw.seq.unwrap_or_default(),
                text(&raw.id),
                text(&raw.actor),
                text(&raw.at),
                text(&raw.prev_hash),
                text(&raw.payload),
            );
            return (computed, None);
        }
        let take = |f: &mut Option<Text>| f.take().map(|t| t.0.into_owned()).unwrap_or_default();
        let e = Event {
            id: take(&mut raw.id),
            origin: take(&mut raw.origin),
            seq: raw.seq.unwrap_or_default(),
            actor: take(&mut raw.actor),
            at: take(&mut raw.at),
            payload: take(&mut raw.payload),
            prev_hash: take(&mut raw.prev_hash),
            hash: take(&mut raw.hash),
        };
        (e.computed_hash(), Some(e))
    });
    Pre::Rec {
        t,
        raw,
        members,
        event,
    }
}

/// Everything the reader knows besides the bytes.
pub(crate) struct Checker {
    opts: ReaderOptions,
    /// Which record may come next.
    pub stage: Stage,
    header: Option<Header>,
    tally: Tally,
    attachments: HashSet<String>,
    keys: HashSet<String>,
    manifest: Option<Manifest>,
    /// Records checked so far.
    pub progress: Progress,
}

fn text<'a>(t: &'a Option<Text<'_>>) -> &'a str {
    t.as_ref().map(Text::as_str).unwrap_or_default()
}

impl Checker {
    /// A checker of a package read with `opts`.
    pub(crate) fn new(opts: ReaderOptions) -> Checker {
        Checker {
            opts,
            stage: Stage::Header,
            header: None,
            tally: Tally::default(),
            attachments: HashSet::new(),
            keys: HashSet::new(),
            manifest: None,
            progress: Progress::default(),
        }
    }

    /// The header, once read.
    pub(crate) fn header_read(&self) -> Option<&Header> {
        self.header.as_ref()
    }

    /// Checks the record on `line`, in the order the format page gives, given what
    /// [`pre_parse`] found and, at the signature, the digest of all lines before it.
    pub(crate) fn record(
        &mut self,
        line: u64,
        pre: Pre<'_>,
        digest: Option<&str>,
    ) -> Result<Option<Item>, Fault> {
        let malformed = |reason: String| Fault::Malformed { line, reason };
        let (t, raw, members, event) = match pre {
            Pre::Bad(reason) => return Err(malformed(reason)),
            Pre::Rec {
                t,
                raw,
                members,
                event,
            } => (t, raw, members, event),
        };
        let allowed = match t {
            "header" => Stage::Header,
            "signature" => Stage::Signature,
            _ => Stage::Body,
        };
        if allowed != self.stage {
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
        members.map_err(malformed)?;
        let item = match (t, event) {
            ("event", Some((computed, None))) => {
                return self.event_in_place(line, &raw, &computed);
            }
            ("event", Some((computed, Some(e)))) => self.event(line, e, &computed),
            ("event", None) => Err(malformed("event record incomplete".into())),
            ("header", _) => self.header(line, &raw),
            ("withheld", _) => self.withheld(line, &raw),
            ("attachment", _) => self.attachment(line, &raw),
            ("key", _) => self.key(line, &raw),
            ("manifest", _) => self.manifest(line, raw),
            _ => self.signature(line, &raw, digest.unwrap_or_default()),
        };
        item.map(Some)
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

    fn link(&self, line: u64, origin: &str, seq: u64, id: &str, prev: &str) -> Result<(), Fault> {
        self.tally
            .check(self.scope(), origin, seq, prev)
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

    fn event(&mut self, line: u64, e: Event, computed: &str) -> Result<Item, Fault> {
        self.link(line, &e.origin, e.seq, &e.id, &e.prev_hash)?;
        if computed != e.hash {
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

    /// An event checked where it was read, for a verification that yields no events.
    fn event_in_place(
        &mut self,
        line: u64,
        raw: &Raw,
        computed: &str,
    ) -> Result<Option<Item>, Fault> {
        let (origin, seq, id) = (
            text(&raw.origin),
            raw.seq.unwrap_or_default(),
            text(&raw.id),
        );
        self.link(line, origin, seq, id, text(&raw.prev_hash))?;
        let hash = text(&raw.hash);
        if computed != hash {
            return Err(Fault::Altered {
                line,
                origin: origin.to_string(),
                seq,
                id: id.to_string(),
            });
        }
        self.tally.advance(origin, seq, hash, false);
        self.progress.events += 1;
        Ok(None)
    }

    fn withheld(&mut self, line: u64, raw: &Raw) -> Result<Item, Fault> {
        let hash = text(&raw.hash);
        if !is_hash_hex(hash) {
            return Err(Fault::Malformed {
                line,
                reason: "hash of a withheld event must be 64 lower-case hexadecimal digits".into(),
            });
        }
        self.link(
            line,
            text(&raw.origin),
            raw.seq.unwrap_or_default(),
            text(&raw.id),
            text(&raw.prev_hash),
        )?;
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
