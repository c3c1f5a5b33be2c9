//! The hash chains of the ledger: each origin's head, sealing drafts onto it, and checking
//! the chains of an import or a sync event by event.

use kinga_ledger::{DraftEvent, Event, GENESIS};

use crate::{StoreError, StoreResult, Write};

/// The last event of every origin's chain, in SQL both stores run: the origins are found by
/// skipping through the `(origin, seq)` index one origin at a time and each head by one
/// descent of it, so the cost grows with the number of origins, not of events. (A join on
/// `GROUP BY origin` read the whole ledger at each call: it took 58 % of a sync puller's time,
/// and every batch, which asks for the heads three times, was slower than the last.)
pub const CHAIN_HEADS_SQL: &str = "WITH RECURSIVE origins (origin) AS (
        SELECT min(origin) FROM events
        UNION ALL
        SELECT (SELECT min(e.origin) FROM events e WHERE e.origin > o.origin)
        FROM origins o WHERE o.origin IS NOT NULL
    )
    SELECT o.origin,
        (SELECT e.seq FROM events e WHERE e.origin = o.origin ORDER BY e.seq DESC LIMIT 1),
        (SELECT e.hash FROM events e WHERE e.origin = o.origin ORDER BY e.seq DESC LIMIT 1)
    FROM origins o WHERE o.origin IS NOT NULL";

/// The last event of one origin's chain: what the next event links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    /// Sequence number of the last event (0 before the first).
    pub seq: u64,
    /// Its hash ([`GENESIS`] before the first).
    pub hash: String,
}

impl Default for ChainHead {
    fn default() -> Self {
        ChainHead {
            seq: 0,
            hash: GENESIS.to_string(),
        }
    }
}

impl ChainHead {
    /// Seal drafts one after the other, advancing the head past each.
    pub fn seal(&mut self, origin: &str, drafts: &[DraftEvent]) -> StoreResult<Vec<Event>> {
        let mut sealed = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let event =
                kinga_ledger::seal(draft, origin, self.seq + 1, &self.hash).map_err(|e| {
                    StoreError::Corrupt(format!("cannot encode event {}: {e}", draft.id))
                })?;
            self.seq = event.seq;
            self.hash.clone_from(&event.hash);
            sealed.push(event);
        }
        Ok(sealed)
    }
}

/// The chains of an import, checked event by event before anything is written: each event
/// continues its origin's chain (sequence number, previous hash) and its content gives its
/// hash. Own-origin events are refused: an instance seals its own chain itself.
#[derive(Debug)]
pub struct ImportChains {
    own: String,
    heads: std::collections::BTreeMap<String, (u64, String)>,
    events: u64,
    highest_reference: u64,
}

impl ImportChains {
    /// Chains of an import into the instance `own`, whose ledger is empty.
    pub fn new(own: &str) -> ImportChains {
        ImportChains {
            own: own.to_string(),
            heads: std::collections::BTreeMap::new(),
            events: 0,
            highest_reference: 0,
        }
    }

    /// Chains of a sync into the instance `own`, continuing the chains it holds (`heads`: last
    /// sequence number and hash of each origin).
    pub fn continuing(
        own: &str,
        heads: std::collections::BTreeMap<String, (u64, String)>,
    ) -> ImportChains {
        ImportChains {
            own: own.to_string(),
            heads,
            events: 0,
            highest_reference: 0,
        }
    }

    /// Check the next event.
    pub fn check(&mut self, e: &Event) -> StoreResult<()> {
        let refuse = |reason: String| {
            StoreError::Corrupt(format!(
                "imported event {} ({} #{}) {reason}",
                e.id, e.origin, e.seq
            ))
        };
        if e.origin == self.own {
            return Err(refuse(format!(
                "claims this instance's own origin {}: an instance seals its own chain",
                self.own
            )));
        }
        let (seq, hash) = self
            .heads
            .get(&e.origin)
            .map_or((0, GENESIS), |(s, h)| (*s, h.as_str()));
        if e.seq != seq + 1 {
            return Err(refuse(format!(
                "does not continue its chain: sequence number {} expected",
                seq + 1
            )));
        }
        if e.prev_hash != hash {
            return Err(refuse("does not link to the event before it".into()));
        }
        if !e.is_withheld() && e.computed_hash() != e.hash {
            return Err(refuse(
                "was altered: its content does not give its hash".into(),
            ));
        }
        self.heads.insert(e.origin.clone(), (e.seq, e.hash.clone()));
        self.events += 1;
        Ok(())
    }

    /// Note a row written, for the reference counter.
    pub fn row(&mut self, w: &Write) {
        if let Write::Alert { alert, .. } = w {
            self.highest_reference = self
                .highest_reference
                .max(reference_number(&alert.reference).unwrap_or(0));
        }
    }

    /// The highest alert reference number among the rows: new alerts must number after it.
    pub fn highest_reference(&self) -> u64 {
        self.highest_reference
    }

    /// What was imported.
    pub fn report(self, rows: u64) -> crate::ImportReport {
        crate::ImportReport {
            events: self.events,
            rows,
            heads: self.heads,
        }
    }
}

/// The number a reference ends with (`K-1042` → 1042).
pub fn reference_number(reference: &str) -> Option<u64> {
    let digits = reference.len()
        - reference
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .len();
    reference[reference.len() - digits..].parse().ok()
}
