//! Opening connections with the settings Kinga relies on.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use kinga_store::StoreError;

use crate::error::Result;

/// How long a connection waits for a lock before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Page size of a new database file, in bytes. An alert's row (its document carries its
/// whole timeline) is about 2.5 KB: one per 4 KiB page, which left 38 % of the alerts table
/// empty; three fit in 8 KiB. Measured 2026-12-02 on a 1,000,000-event import: the file
/// 2.34 GB → 1.89 GB and the import 1.1–1.4× faster (two A/B runs, README), with intake
/// at 64 clients no slower.
/// An existing file keeps the page size it was made with.
pub(crate) const PAGE_SIZE: i64 = 8192;

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
            // Before WAL mode: a page size holds only for a file that is still empty.
            conn.pragma_update(None, "page_size", PAGE_SIZE)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page_size(conn: &Connection) -> i64 {
        conn.query_row("PRAGMA page_size", [], |r| r.get(0))
            .expect("page size")
    }

    #[test]
    fn a_new_file_takes_the_page_size_and_an_old_one_keeps_its_own() {
        let dir = tempfile::tempdir().expect("tmp");
        let new = dir.path().join("new.db");
        let conn = open_connection(&new, Role::Writer).expect("open");
        conn.execute_batch("CREATE TABLE t (x)").expect("table");
        assert_eq!(page_size(&conn), PAGE_SIZE);

        let old = dir.path().join("old.db");
        {
            let made = Connection::open(&old).expect("open");
            made.execute_batch(
                "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (x);",
            )
            .expect("old file");
        }
        let conn = open_connection(&old, Role::Writer).expect("reopen");
        assert_eq!(page_size(&conn), 4096);
        conn.execute("INSERT INTO t VALUES (1)", [])
            .expect("still writes");
    }
}
