//! Transition records (benchmarks, indicators and values, community mechanisms, staff,
//! knowledge notes): their writes and their reads by kind.

use rusqlite::Connection;

use kinga_domain::transition::{RecordKind, TransitionRecord};
use kinga_store::support::{describe, encode, to_sql_int};
use kinga_store::{StoreError, Write};

use crate::error::Result;
use crate::transition::versioned;

/// Apply a transition record or its removal.
pub(crate) fn write(conn: &Connection, write: &Write) -> Result<()> {
    match write {
        Write::TransitionRecord {
            record,
            expected_version,
        } => {
            let doc = encode(record, "transition record")?;
            let version = to_sql_int(record.stamp().version, "transition record version")?;
            let (id, kind, place) = (record.id(), record.kind().as_str(), record.place());
            versioned(
                conn,
                write,
                "INSERT INTO transition_records (id, kind, place, version, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                "UPDATE transition_records SET kind = ?2, place = ?3, version = ?4, doc = ?5
                 WHERE id = ?1 AND version = ?6",
                &[&id, &kind, &place, &version, &doc],
                *expected_version,
            )
        }
        Write::RemoveTransitionRecord {
            id,
            expected_version,
        } => {
            let v = to_sql_int(*expected_version, "transition record version")?;
            let n = conn
                .prepare_cached("DELETE FROM transition_records WHERE id = ?1 AND version = ?2")?
                .execute(rusqlite::params![id, v])?;
            if n == 0 {
                return Err(StoreError::Conflict(describe(write)).into());
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Every record of one kind, by id.
pub(crate) fn records(conn: &Connection, kind: RecordKind) -> Result<Vec<TransitionRecord>> {
    crate::queries::docs(
        conn,
        "SELECT doc FROM transition_records WHERE kind = ?1 ORDER BY id",
        [kind.as_str()],
        "transition record",
    )
}
