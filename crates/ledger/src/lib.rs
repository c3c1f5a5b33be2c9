//! The ledger: Kinga's source of truth. Every change is an event in an append-only log with
//! one BLAKE3 hash chain per origin instance, so logs of many instances merge without anyone's
//! chain being rewritten. Pure: sealing and verification do no I/O.

mod chain;
mod decode;
mod payload;

pub use chain::{ChainBreak, ChainReport, ChainVerifier, GENESIS, event_hash, seal};
pub use payload::Payload;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An event before it has a place in a chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftEvent {
    /// ULID.
    pub id: String,
    /// Who caused it (user name, `system`, or `gateway:<name>`).
    pub actor: String,
    /// When, truncated to microseconds so every store keeps it exactly.
    pub at: DateTime<Utc>,
    /// What happened.
    pub payload: Payload,
}

/// A sealed event: its place in its origin's chain and the hash linking it to the one before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// ULID.
    pub id: String,
    /// Instance where the event originated.
    pub origin: String,
    /// 1-based position in the origin's chain.
    pub seq: u64,
    /// Who caused it.
    pub actor: String,
    /// When (RFC 3339, microseconds) — kept as text because it is hashed as text.
    pub at: String,
    /// Payload as canonical JSON text, exactly as hashed.
    pub payload: String,
    /// Hex BLAKE3 hash of the previous event of this origin ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// Hex BLAKE3 hash of this event.
    pub hash: String,
}

impl Event {
    /// A withheld event's stub: its place in its origin's chain (id, sequence number, previous
    /// hash and hash as its origin gave them) without its content, which an agreement kept
    /// at the sending instance. Its payload, actor and time are empty.
    pub fn withheld(origin: &str, seq: u64, id: &str, prev_hash: &str, hash: &str) -> Event {
        Event {
            id: id.to_string(),
            origin: origin.to_string(),
            seq,
            actor: String::new(),
            at: String::new(),
            payload: String::new(),
            prev_hash: prev_hash.to_string(),
            hash: hash.to_string(),
        }
    }

    /// Whether this is a withheld event's stub (no real event has an empty payload: every
    /// payload is a JSON object).
    pub fn is_withheld(&self) -> bool {
        self.payload.is_empty()
    }

    /// Decode the payload.
    pub fn decode(&self) -> Result<Payload, serde_json::Error> {
        decode::payload(&self.payload)
    }

    /// The hash this event's fields give, recomputed with the chain's digest; equal to
    /// [`Event::hash`] exactly when the event is unaltered. Lets a verifier that cannot use
    /// [`ChainVerifier`] (handover packages with withheld events) check each event alone.
    pub fn computed_hash(&self) -> String {
        event_hash(
            &self.origin,
            self.seq,
            &self.id,
            &self.actor,
            &self.at,
            &self.prev_hash,
            &self.payload,
        )
    }

    /// The event time, parsed.
    pub fn time(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&self.at)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}
