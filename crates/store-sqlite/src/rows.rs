//! Values as SQLite stores them, and rows read back into records.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Row;
use serde::de::DeserializeOwned;

use kinga_ledger::Event;
use kinga_store::StoreError;
use kinga_store::support::{decode, from_sql_int};

use crate::error::Result;

/// Columns of `events` in the order [`event`] reads them.
pub(crate) const EVENT_COLUMNS: &str =
    "position, id, origin, seq, actor, at, payload, prev_hash, hash";

/// A time as fixed-width RFC 3339 text: text order is time order, and nanoseconds survive.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// A time stored by [`ts`].
pub(crate) fn parse_ts(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("bad time {text:?}: {e}")).into())
}

/// The JSON document in column `idx`.
pub(crate) fn doc<T: DeserializeOwned>(row: &Row<'_>, idx: usize, what: &str) -> Result<T> {
    let text: String = row.get(idx)?;
    Ok(decode(&text, what)?)
}

/// An event and its position, from a row of [`EVENT_COLUMNS`].
pub(crate) fn event(row: &Row<'_>) -> Result<(u64, Event)> {
    let position = from_sql_int(row.get(0)?, "event position")?;
    let event = Event {
        id: row.get(1)?,
        origin: row.get(2)?,
        seq: from_sql_int(row.get(3)?, "event sequence number")?,
        actor: row.get(4)?,
        at: row.get(5)?,
        payload: row.get(6)?,
        prev_hash: row.get(7)?,
        hash: row.get(8)?,
    };
    Ok((position, event))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn stored_times_sort_as_text_and_keep_nanoseconds() {
        let a = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        let b = a + chrono::Duration::nanoseconds(1);
        let c = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        assert!(ts(a) < ts(b) && ts(b) < ts(c));
        assert_eq!(ts(a).len(), ts(c).len());
        assert_eq!(parse_ts(&ts(b)).unwrap(), b);
    }
}
