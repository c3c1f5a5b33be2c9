//! The completeness manifest, and the per-origin chain state the writer and the reader keep
//! while events go by.

use std::collections::HashMap;

use kinga_ledger::GENESIS;
use serde::{Deserialize, Serialize};

/// Which part of each origin's chain a package holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every chain from its first event (seq 1, previous hash all zeros): a handover.
    Full,
    /// Chains may start later; the first event's previous hash is taken as given (sync).
    Partial,
}

impl Scope {
    /// The header's text.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Full => "full",
            Scope::Partial => "partial",
        }
    }

    /// Parse the header's text.
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "full" => Some(Scope::Full),
            "partial" => Some(Scope::Partial),
            _ => None,
        }
    }
}

/// One origin's part of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginRange {
    /// The origin instance.
    pub origin: String,
    /// Sequence number of its first event in the package.
    pub first: u64,
    /// Sequence number of its last event in the package.
    pub last: u64,
    /// Events and stubs of this origin (always `last - first + 1`).
    pub count: u64,
    /// How many of them are withheld stubs.
    pub withheld: u64,
    /// Hash of its last event: the chain head the recipient can compare with the sender's.
    pub head: String,
}

/// What a package holds, per origin and in total; signed with everything else.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    /// One entry per origin, sorted by origin (byte order).
    pub origins: Vec<OriginRange>,
    /// Attachment records.
    pub attachments: u64,
    /// Wrapped-key records.
    pub keys: u64,
}

impl Manifest {
    /// Events and stubs over all origins.
    pub fn records(&self) -> u64 {
        self.origins.iter().map(|o| o.count).sum()
    }

    /// Withheld stubs over all origins.
    pub fn withheld(&self) -> u64 {
        self.origins.iter().map(|o| o.withheld).sum()
    }

    /// The first difference between `self` (what was read or written) and `claimed`, as
    /// (origin, what differs), in the order the format page gives: origins by name, then each
    /// origin's members, then the attachment and key counts.
    pub fn first_difference(&self, claimed: &Manifest) -> Option<(Option<String>, String)> {
        let mut names: Vec<&str> = self
            .origins
            .iter()
            .chain(&claimed.origins)
            .map(|o| o.origin.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let found = self.origins.iter().find(|o| o.origin == name);
            let said = claimed.origins.iter().find(|o| o.origin == name);
            let diff = match (found, said) {
                (Some(_), None) => Some(
                    "the package holds its events but the manifest does not list it".to_string(),
                ),
                (None, Some(_)) => Some(
                    "the manifest lists it but the package holds none of its events".to_string(),
                ),
                (Some(f), Some(s)) => {
                    let nums = [
                        ("first", f.first, s.first),
                        ("last", f.last, s.last),
                        ("count", f.count, s.count),
                        ("withheld", f.withheld, s.withheld),
                    ];
                    nums.iter()
                        .find(|(_, a, b)| a != b)
                        .map(|(m, a, b)| format!("manifest says {m} {b}, the package holds {a}"))
                        .or_else(|| {
                            (f.head != s.head).then(|| {
                                format!(
                                    "manifest says head {}, the package ends at {}",
                                    s.head, f.head
                                )
                            })
                        })
                }
                (None, None) => None,
            };
            if let Some(d) = diff {
                return Some((Some(name.to_string()), d));
            }
        }
        if self.attachments != claimed.attachments {
            return Some((
                None,
                format!(
                    "manifest says {} attachments, the package holds {}",
                    claimed.attachments, self.attachments
                ),
            ));
        }
        if self.keys != claimed.keys {
            return Some((
                None,
                format!(
                    "manifest says {} wrapped keys, the package holds {}",
                    claimed.keys, self.keys
                ),
            ));
        }
        None
    }
}

/// Why an event does not continue its origin's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LinkFault {
    /// The sequence number is not the next one.
    Sequence(String),
    /// The previous hash is not the hash of the event before.
    Link(String),
}

/// Chain heads and counts of every origin seen so far.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    origins: HashMap<String, OriginRange>,
}

impl Tally {
    /// Checks that (seq, prev_hash) continues `origin`'s chain.
    pub(crate) fn check(
        &self,
        scope: Scope,
        origin: &str,
        seq: u64,
        prev_hash: &str,
    ) -> Result<(), LinkFault> {
        match self.origins.get(origin) {
            Some(o) => {
                if Some(seq) != o.last.checked_add(1) {
                    return Err(LinkFault::Sequence(format!(
                        "expected sequence number {}, found {seq}: an event is missing, repeated or out of order",
                        o.last.saturating_add(1)
                    )));
                }
                if prev_hash != o.head {
                    return Err(LinkFault::Link(
                        "previous hash is not the hash of the event before".into(),
                    ));
                }
            }
            None if seq == 1 && prev_hash != GENESIS => {
                return Err(LinkFault::Link(
                    "the first event of a chain must have the all-zero previous hash".into(),
                ));
            }
            None if seq == 1 => {}
            None if scope == Scope::Full => {
                return Err(LinkFault::Sequence(format!(
                    "the origin's first event has sequence number {seq}; a full package starts every chain at 1"
                )));
            }
            None if seq == 0 => {
                return Err(LinkFault::Sequence("sequence numbers start at 1".into()));
            }
            None => {}
        }
        Ok(())
    }

    /// Records an event (or stub) that [`Tally::check`] accepted.
    pub(crate) fn advance(&mut self, origin: &str, seq: u64, hash: &str, withheld: bool) {
        let o = match self.origins.get_mut(origin) {
            Some(o) => o,
            None => self
                .origins
                .entry(origin.to_string())
                .or_insert(OriginRange {
                    origin: origin.to_string(),
                    first: seq,
                    last: seq,
                    count: 0,
                    withheld: 0,
                    head: String::new(),
                }),
        };
        o.last = seq;
        o.count += 1;
        o.withheld += u64::from(withheld);
        o.head.clear();
        o.head.push_str(hash);
    }

    /// The manifest of what went by.
    pub(crate) fn manifest(&self, attachments: u64, keys: u64) -> Manifest {
        let mut origins: Vec<OriginRange> = self.origins.values().cloned().collect();
        origins.sort_unstable_by(|a, b| a.origin.cmp(&b.origin));
        Manifest {
            origins,
            attachments,
            keys,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(origin: &str, last: u64, head: &str) -> OriginRange {
        OriginRange {
            origin: origin.into(),
            first: 1,
            last,
            count: last,
            withheld: 0,
            head: head.into(),
        }
    }

    #[test]
    fn differences_are_named_in_order() {
        let read = Manifest {
            origins: vec![range("a", 3, "x"), range("b", 2, "y")],
            attachments: 1,
            keys: 0,
        };
        assert_eq!(read.first_difference(&read.clone()), None);
        let mut said = read.clone();
        said.origins[1].last = 5;
        said.origins[0].head = "z".into();
        let (o, why) = read.first_difference(&said).unwrap();
        assert_eq!(o.as_deref(), Some("a"));
        assert!(why.contains("head"));
        let mut said = read.clone();
        said.origins.remove(0);
        assert!(
            read.first_difference(&said)
                .unwrap()
                .1
                .contains("does not list")
        );
        let mut said = read.clone();
        said.keys = 2;
        assert_eq!(read.first_difference(&said).unwrap().0, None);
    }

    #[test]
    fn chains_start_at_one_unless_partial() {
        let t = Tally::default();
        assert!(t.check(Scope::Full, "a", 1, GENESIS).is_ok());
        assert!(matches!(
            t.check(Scope::Full, "a", 1, "x"),
            Err(LinkFault::Link(_))
        ));
        assert!(matches!(
            t.check(Scope::Full, "a", 7, "x"),
            Err(LinkFault::Sequence(_))
        ));
        assert!(t.check(Scope::Partial, "a", 7, "x").is_ok());
        assert!(t.check(Scope::Partial, "a", 0, "x").is_err());
    }
}
