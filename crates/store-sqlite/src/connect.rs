//! Opening connections with the settings Kinga relies on.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use kinga_store::StoreError;

use crate::error::Result;

/// How long a connection waits for a lock before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What a connection is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The one connection that writes (and migrates).
    Writer,
    /// A connection that only reads.
    Reader,
}

/// Open the database at `path` for `role`.
pub(crate) fn open_connection(path: &Path, role: Role) -> Result<Connection> {
    let flags = match role {
        Role::Writer => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        Role::Reader => OpenFlags::SQLITE_OPEN_READ_WRITE,
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(64);
    match role {
        Role::Writer => {
            let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Backend(format!(
                    "SQLite refused WAL mode (journal mode is {mode}); is {} on a network file system?",
                    path.display()
                ))
                .into());
            }
            // FULL: the WAL is synced at every commit, so an answered write survives power loss.
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            // Each write of a group runs in a savepoint, whose undo journal SQLite keeps as a
            // temporary file by default: a write() per page per alert. In memory it costs
            // nothing durable (the WAL alone makes a group survive a crash).
            conn.pragma_update(None, "temp_store", "MEMORY")?;
            // 32 MiB of page cache (negative: KiB) for the indexes every intake touches.
            conn.pragma_update(None, "cache_size", -32_768)?;
        }
        Role::Reader => {
            // Opened read-write so it can use the WAL index; query_only keeps it from writing.
            conn.pragma_update(None, "query_only", "ON")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
        }
    }
    Ok(conn)
}
