//! The plumbing every transition record shares: reading them by kind, writing one with its
//! event on the version the planner saw (a record changed meanwhile is a conflict, never a
//! silent overwrite), removing one, and the stamp of a change.

use kinga_domain::transition::{RecordKind, Stamp, TransitionRecord};
use kinga_ledger::Payload;
use kinga_store::{Commit, StoreError, Write};

use crate::{App, AppError, AppResult, Caller, limits};

pub(crate) fn conflict(what: &str) -> AppError {
    AppError::Store(StoreError::Conflict(format!(
        "{what} was changed by someone else; reload and try again"
    )))
}

impl App {
    /// Every record of a kind (no permission check: callers check theirs first).
    pub(crate) async fn records_of(&self, kind: RecordKind) -> AppResult<Vec<TransitionRecord>> {
        Ok(self.store.transition_records(kind).await?)
    }

    /// One stored record of a kind.
    pub(crate) async fn record(&self, kind: RecordKind, id: &str) -> AppResult<TransitionRecord> {
        limits::check("id", id, limits::ID)?;
        self.store
            .transition_record(id)
            .await?
            .filter(|r| r.kind() == kind)
            .ok_or_else(|| AppError::NotFound(format!("{kind} {id}")))
    }

    /// The id and stamp of a record about to be written: a new id and version 1 for a new
    /// one; for a change, the stored record (which must be of `kind`) and the version it is
    /// decided on, which must be the stored one when given.
    pub(crate) async fn next_stamp(
        &self,
        caller: &Caller,
        kind: RecordKind,
        id: Option<&str>,
        version: Option<u64>,
    ) -> AppResult<(String, Stamp, Option<TransitionRecord>)> {
        let id = id.map(str::trim).filter(|s| !s.is_empty());
        let stored = match id {
            Some(id) => Some(self.record(kind, id).await?),
            None => None,
        };
        if let (Some(s), Some(v)) = (&stored, version) {
            if s.stamp().version != v {
                return Err(conflict(&format!("the {kind} {}", s.id())));
            }
        }
        let stamp = Stamp {
            version: stored.as_ref().map_or(1, |s| s.stamp().version + 1),
            updated_at: self.now(),
            updated_by: caller.name.clone(),
        };
        Ok((
            id.map_or_else(|| self.new_id(), str::to_string),
            stamp,
            stored,
        ))
    }

    /// Write a record with the event that says so; `expected` is the version it replaces.
    pub(crate) async fn write_record(
        &self,
        caller: &Caller,
        record: TransitionRecord,
        expected: Option<u64>,
    ) -> AppResult<TransitionRecord> {
        self.commit(Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::TransitionRecordSaved {
                    record: record.clone(),
                },
            )],
            writes: vec![Write::TransitionRecord {
                record: Box::new(record.clone()),
                expected_version: expected,
            }],
        })
        .await?;
        Ok(record)
    }

    /// Remove a record of `kind` decided on `version`.
    pub(crate) async fn remove_record(
        &self,
        caller: &Caller,
        kind: RecordKind,
        id: &str,
        version: u64,
    ) -> AppResult<()> {
        let stored = self.record(kind, id).await?;
        if stored.stamp().version != version {
            return Err(conflict(&format!("the {kind} {id}")));
        }
        self.commit(Commit {
            events: vec![self.draft(
                &caller.name,
                Payload::TransitionRecordRemoved { id: id.to_string() },
            )],
            writes: vec![Write::RemoveTransitionRecord {
                id: id.to_string(),
                expected_version: version,
            }],
        })
        .await?;
        Ok(())
    }
}

/// The records of one variant, unwrapped.
macro_rules! unwrap_records {
    ($list:expr, $variant:ident) => {
        $list
            .into_iter()
            .filter_map(|r| match r {
                kinga_domain::transition::TransitionRecord::$variant(x) => Some(x),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
}
pub(crate) use unwrap_records;
