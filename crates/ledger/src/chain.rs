//! Sealing events into a chain and verifying chains.

use std::collections::HashMap;

use chrono::SecondsFormat;

use crate::{DraftEvent, Event};

/// The previous-hash of the first event of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn digest(
    origin: &str,
    seq: u64,
    id: &str,
    actor: &str,
    at: &str,
    payload: &str,
    prev: &str,
) -> String {
    // Length-prefixed fields: no choice of field contents can make two events hash alike.
    let mut h = blake3::Hasher::new();
    h.update(b"kinga-event-v1");
    for part in [origin, &seq.to_string(), id, actor, at, prev, payload] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().to_hex().to_string()
}

/// The hash of an event with these fields (docs/ledger-format.md §2), for verifiers that hold
/// the fields without an [`Event`] (handover packages read in place).
pub fn event_hash(
    origin: &str,
    seq: u64,
    id: &str,
    actor: &str,
    at: &str,
    prev_hash: &str,
    payload: &str,
) -> String {
    digest(origin, seq, id, actor, at, payload, prev_hash)
}

/// Give a draft its place in `origin`'s chain after the event whose hash is `prev_hash`.
pub fn seal(
    draft: &DraftEvent,
    origin: &str,
    seq: u64,
    prev_hash: &str,
) -> Result<Event, serde_json::Error> {
    let at = draft.at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let payload = serde_json::to_string(&draft.payload)?;
    let hash = digest(
        origin,
        seq,
        &draft.id,
        &draft.actor,
        &at,
        &payload,
        prev_hash,
    );
    Ok(Event {
        id: draft.id.clone(),
        origin: origin.to_string(),
        seq,
        actor: draft.actor.clone(),
        at,
        payload,
        prev_hash: prev_hash.to_string(),
        hash,
    })
}

/// Where and why a chain stopped verifying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("chain of origin {origin} breaks at event {seq} ({id}): {reason}")]
pub struct ChainBreak {
    /// Origin whose chain broke.
    pub origin: String,
    /// Sequence number of the first bad event.
    pub seq: u64,
    /// Its id.
    pub id: String,
    /// What is wrong.
    pub reason: String,
}

/// What a verification covered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainReport {
    /// Events checked.
    pub events: u64,
    /// Head (last seq, last hash) of each origin's chain.
    pub heads: HashMap<String, (u64, String)>,
    /// Of the events, withheld stubs received from other instances.
    pub withheld: u64,
}

/// Checks events one at a time, so a ledger of any size is verified in constant memory per
/// origin. Events of one origin must come in sequence order; origins may interleave.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    report: ChainReport,
}

impl ChainVerifier {
    /// A verifier that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Check the next event.
    pub fn check(&mut self, e: &Event) -> Result<(), ChainBreak> {
        let fail = |reason: String| ChainBreak {
            origin: e.origin.clone(),
            seq: e.seq,
            id: e.id.clone(),
            reason,
        };
        let (last_seq, last_hash) = self
            .report
            .heads
            .get(&e.origin)
            .cloned()
            .unwrap_or((0, GENESIS.to_string()));
        if e.seq != last_seq + 1 {
            return Err(fail(format!(
                "expected sequence number {}, found {}",
                last_seq + 1,
                e.seq
            )));
        }
        if e.prev_hash != last_hash {
            return Err(fail(
                "previous-hash does not match the hash of the event before".into(),
            ));
        }
        if e.is_withheld() {
            // A stub received from another instance: its hash is its origin's word, and the
            // events after it link to it.
            if e.hash.len() != 64 || !e.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(fail("withheld event's hash is not 64 hex digits".into()));
            }
            self.report
                .heads
                .insert(e.origin.clone(), (e.seq, e.hash.clone()));
            self.report.events += 1;
            self.report.withheld += 1;
            return Ok(());
        }
        let recomputed = digest(
            &e.origin,
            e.seq,
            &e.id,
            &e.actor,
            &e.at,
            &e.payload,
            &e.prev_hash,
        );
        if recomputed != e.hash {
            return Err(fail(
                "content does not match its hash (the event was altered)".into(),
            ));
        }
        if let Err(err) = serde_json::from_str::<crate::Payload>(&e.payload) {
            return Err(fail(format!("payload is not a known event: {err}")));
        }
        self.report
            .heads
            .insert(e.origin.clone(), (e.seq, e.hash.clone()));
        self.report.events += 1;
        Ok(())
    }

    /// What has been verified so far.
    pub fn finish(self) -> ChainReport {
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Payload;
    use chrono::{TimeZone, Utc};

    fn draft(i: u32) -> DraftEvent {
        DraftEvent {
            id: format!("01J{i:023}"),
            actor: "cla1".into(),
            at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, i).unwrap(),
            payload: Payload::MessageStatus {
                message: format!("m{i}"),
                status: kinga_domain::outbox::MessageStatus::Sent,
                error: None,
                delivery: None,
                body: None,
            },
        }
    }

    fn chain(origin: &str, n: u32) -> Vec<Event> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let e = seal(&draft(i), origin, u64::from(i), &prev).unwrap();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(events: &[Event]) -> Result<ChainReport, ChainBreak> {
        let mut v = ChainVerifier::new();
        for e in events {
            v.check(e)?;
        }
        Ok(v.finish())
    }

    #[test]
    fn intact_interleaved_chains_verify() {
        let a = chain("A", 5);
        let b = chain("B", 3);
        let mut all = vec![];
        for i in 0..5 {
            all.push(a[i].clone());
            if i < 3 {
                all.push(b[i].clone());
            }
        }
        let r = verify(&all).unwrap();
        assert_eq!(r.events, 8);
        assert_eq!(r.heads["A"].0, 5);
        assert_eq!(r.heads["B"].1, b[2].hash);
    }

    #[test]
    fn altered_payload_is_found_at_its_event() {
        let mut c = chain("A", 4);
        c[2].payload = c[2].payload.replace("m3", "m9");
        let err = verify(&c).unwrap_err();
        assert_eq!(err.seq, 3);
        assert!(err.reason.contains("altered"));
    }

    #[test]
    fn removed_or_reordered_event_breaks_the_chain() {
        let mut c = chain("A", 4);
        c.remove(1);
        assert_eq!(verify(&c).unwrap_err().seq, 3);
        let mut c = chain("A", 4);
        c.swap(1, 2);
        assert!(verify(&c).is_err());
    }

    #[test]
    fn rehashing_one_event_does_not_hide_tampering() {
        let mut c = chain("A", 3);
        c[1].actor = "intruder".into();
        c[1].hash = digest(
            &c[1].origin,
            2,
            &c[1].id,
            &c[1].actor,
            &c[1].at,
            &c[1].payload,
            &c[1].prev_hash,
        );
        assert_eq!(verify(&c).unwrap_err().seq, 3);
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let a = digest("A", 1, "x", "ab", "c", "{}", GENESIS);
        let b = digest("A", 1, "x", "a", "bc", "{}", GENESIS);
        assert_ne!(a, b);
    }
}
