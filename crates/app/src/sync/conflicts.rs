//! Concurrent saves of one versioned record (incidents, capacity and withdrawal plans,
//! transition records) met when another instance's events are taken in. Sync and `kinga
//! verify`'s rebuild fold saves through the same [`meet`], so the record in force and the
//! conflicts kept are the same whichever of the two computes them.

use chrono::{DateTime, Utc};
use serde_json::Value;

use kinga_domain::compartment::Compartment;
use kinga_domain::conflict::{self, Meeting, RecordConflict, Version, VersionedKind};
use kinga_domain::people::Permission;
use kinga_ledger::Event;

use crate::{App, AppResult, Caller};

/// What folding one received save gives: whether it is now in force, and the conflict kept.
pub(crate) struct Met {
    /// The received save is in force: write it.
    pub take: bool,
    /// The two versions kept, when they were concurrent and differ.
    pub conflict: Option<RecordConflict>,
}

/// Fold a received save of `record` against the version held (if any).
pub(crate) fn meet(
    kind: VersionedKind,
    record: &str,
    held: Option<&Version>,
    received: &Version,
    e: &Event,
    at: DateTime<Utc>,
) -> Met {
    let outcome = conflict::settle(held, received);
    let conflict = held.and_then(|h| {
        let meeting = Meeting {
            event: &e.id,
            origin: &e.origin,
            at,
        };
        RecordConflict::of(outcome, kind, record, h, received, meeting)
    });
    Met {
        take: matches!(
            outcome,
            conflict::Outcome::Take | conflict::Outcome::TakeOverConflict
        ),
        conflict,
    }
}

/// A record's version and JSON, as the fold compares them.
pub(crate) fn version_of<T: serde::Serialize>(version: u64, record: &T) -> Version {
    Version {
        version,
        doc: serde_json::to_value(record).unwrap_or(Value::Null),
    }
}

impl App {
    /// The conflicts between concurrent versions of records this caller may read, newest
    /// first: incidents only in the compartments the caller sees, plans and transition records
    /// to those who read the transition. Nobody else learns a conflict exists.
    pub async fn record_conflicts(&self, caller: &Caller) -> AppResult<Vec<RecordConflict>> {
        let compartments = self.visible_compartments(caller).await?;
        let transition = caller.role.can(Permission::ReadTransition) && !caller.gateway;
        let all = self.store.record_conflicts().await?;
        Ok(all
            .into_iter()
            .filter(|c| match c.kind {
                VersionedKind::Incident => c
                    .compartment
                    .as_deref()
                    .and_then(|s| s.parse::<Compartment>().ok())
                    .is_some_and(|k| compartments.contains(&k)),
                VersionedKind::CapacityPlan
                | VersionedKind::WithdrawalPlan
                | VersionedKind::TransitionRecord => transition,
            })
            .collect())
    }
}
