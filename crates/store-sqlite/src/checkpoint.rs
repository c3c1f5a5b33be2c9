//! Checkpoints off the writer's thread.
//!
//! SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages:
//! the writer copies every page the WAL holds into the database file and syncs it while the
//! callers of the next group wait. Under a flood that was 7 % of the server's samples, paid
//! on the one thread every write goes through, and the slowest commits. Here the writer only
//! counts the WAL's pages after each commit ([`Connection::wal_hook`], which also turns the
//! automatic checkpoint off) and wakes a thread of its own, which checkpoints on a read
//! connection while the writer goes on (a passive checkpoint never blocks the writer); once
//! the thread is done, the writer copies the WAL's tail itself, so that the WAL starts again.
//! If that thread falls behind (reads hold every connection, or old readers pin the WAL) and
//! the WAL reaches [`INLINE_BYTES`], the writer checkpoints itself, as SQLite would have, so
//! the WAL stays bounded.

use std::cell::Cell;
use std::ffi::c_int;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::hooks::Wal;

use kinga_store::StoreError;

use crate::error::Result;
use crate::read::Readers;

/// WAL bytes after a commit from which the checkpoint thread is woken: SQLite's own
/// automatic threshold (1,000 pages) at its default page size, 4 KiB. Counted in bytes, so
/// that a file with larger pages checkpoints after as much writing, not after more.
const BACKGROUND_BYTES: i64 = 1_000 * 4_096;
/// WAL bytes from which the writer checkpoints itself.
const INLINE_BYTES: i64 = 64 * 1024 * 1024;
/// How long the checkpoint thread waits for a read connection before giving the round up
/// (the next commit wakes it again).
const CONNECTION_WAIT: Duration = Duration::from_millis(50);

thread_local! {
    /// Pages in the WAL after the last commit on this thread's connection. The writer owns
    /// its connection on a thread of its own, so the count is that connection's.
    static WAL_PAGES: Cell<c_int> = const { Cell::new(0) };
}

/// The WAL hook: remember the count; never fails the commit.
fn count_pages(_: &Wal, pages: c_int) -> rusqlite::Result<()> {
    WAL_PAGES.with(|p| p.set(pages));
    Ok(())
}

/// The writer's side: counts WAL pages and asks for checkpoints.
pub(crate) struct Checkpoints {
    wake: SyncSender<()>,
    /// Checkpoints the thread has finished.
    done: Arc<AtomicU64>,
    /// [`BACKGROUND_BYTES`] in this file's pages.
    background: c_int,
    /// [`INLINE_BYTES`] in this file's pages.
    inline: c_int,
    /// WAL pages after the last commit.
    last_pages: c_int,
    /// WAL pages from which the thread is woken next.
    next_wake: c_int,
    /// The thread's finished checkpoints as of the last commit.
    seen_done: u64,
}

impl Checkpoints {
    /// Count `conn`'s WAL pages (which turns SQLite's automatic checkpoint off) and start the
    /// checkpoint thread, reading through `readers`. Call on the thread that will commit.
    pub(crate) fn start(conn: &Connection, readers: Arc<Readers>) -> Result<Self> {
        // The thresholds are bytes; the WAL hook counts pages of this file's size.
        let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        let pages = |bytes: i64| c_int::try_from(bytes / page_size.max(512)).unwrap_or(c_int::MAX);
        let background = pages(BACKGROUND_BYTES);
        let (wake, woken) = mpsc::sync_channel(1);
        let done = Arc::new(AtomicU64::new(0));
        let counter = done.clone();
        std::thread::Builder::new()
            .name("kinga-sqlite-checkpoint".into())
            .spawn(move || run(&readers, &woken, &counter))
            .map_err(|e| StoreError::Backend(format!("cannot start the checkpoint thread: {e}")))?;
        conn.wal_hook(Some(count_pages));
        Ok(Checkpoints {
            wake,
            done,
            background,
            inline: pages(INLINE_BYTES),
            last_pages: 0,
            next_wake: background,
            seen_done: 0,
        })
    }

    /// After a commit on `conn`: wake the checkpoint thread each time the WAL has grown by
    /// [`BACKGROUND_BYTES`] since it started or since the last wake-up, and checkpoint here
    /// past [`INLINE_BYTES`]. Waking it after every commit once past the threshold (while a
    /// flood keeps the WAL from starting again) cost a sync of the database per commit.
    pub(crate) fn after_commit(&mut self, conn: &Connection) {
        let pages = WAL_PAGES.with(Cell::get);
        if pages < self.last_pages {
            // The WAL started again from its beginning.
            self.next_wake = self.background;
        }
        self.last_pages = pages;
        let finished = self.done.load(Ordering::Acquire);
        if finished != self.seen_done {
            // The thread copied what the WAL held when it began; what came since (a group or
            // two) is copied here, so that the WAL is all copied when the next group begins
            // and starts again from its beginning. Under a flood the thread alone never
            // catches up with the writer: the WAL grew to its bound, and every commit then
            // extended the file (a sync of its size too).
            self.seen_done = finished;
            if let Err(e) = passive(conn) {
                tracing::warn!(error = %e, pages, "checkpoint of the WAL's tail failed");
            }
        } else if pages >= self.inline {
            tracing::info!(
                pages,
                by_thread = finished,
                "the WAL reached its bound: the writer checkpoints"
            );
            if let Err(e) = passive(conn) {
                tracing::warn!(error = %e, pages, "checkpoint by the writer failed");
            }
        } else if pages >= self.next_wake {
            self.next_wake = pages.saturating_add(self.background);
            match self.wake.try_send(()) {
                // Already woken: one round covers every commit before it starts.
                Ok(()) | Err(TrySendError::Full(())) => {}
                Err(TrySendError::Disconnected(())) => {
                    tracing::warn!("the checkpoint thread stopped");
                }
            }
        }
    }
}

impl Checkpoints {
    /// How many checkpoints the thread has finished.
    #[cfg(test)]
    fn done(&self) -> u64 {
        self.done.load(Ordering::Acquire)
    }
}

/// Pages in the WAL after the last commit of this thread's connection.
#[cfg(test)]
fn wal_pages() -> c_int {
    WAL_PAGES.with(Cell::get)
}

/// Copy what the WAL holds into the database, as far as readers allow, without waiting for
/// the writer.
fn passive(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get(1)?, r.get(2)?))
    })
}

/// The checkpoint thread: one passive checkpoint per wake-up, until the writer is gone.
fn run(readers: &Readers, woken: &Receiver<()>, done: &AtomicU64) {
    while woken.recv().is_ok() {
        let outcome = readers.run_now(CONNECTION_WAIT, |conn| Ok(passive(conn)?));
        match outcome {
            Some(Ok((log, copied))) => {
                done.fetch_add(1, Ordering::Release);
                tracing::trace!(log, copied, "checkpoint");
            }
            Some(Err(e)) => tracing::warn!(error = %e, "checkpoint failed"),
            // Reads held every connection, or an import has the file: the next commit past
            // the threshold wakes this thread again.
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::{PAGE_SIZE, Role, open_connection};

    /// A row that takes a page of its own.
    const ROW: i64 = PAGE_SIZE - 200;

    /// A writer connection with a table, its checkpoints started, and its readers.
    fn setup(dir: &tempfile::TempDir) -> (Connection, Checkpoints, Arc<Readers>) {
        let path = dir.path().join("k.db");
        let conn = open_connection(&path, Role::Writer).expect("open");
        conn.execute_batch("CREATE TABLE t (x BLOB)")
            .expect("table");
        let readers = Arc::new(Readers::new(path, 2));
        let checkpoints = Checkpoints::start(&conn, readers.clone()).expect("start");
        (conn, checkpoints, readers)
    }

    /// Commit about `pages` pages of new rows, then tell the checkpoints.
    fn commit_pages(conn: &Connection, checkpoints: &mut Checkpoints, pages: c_int) {
        conn.execute_batch("BEGIN").expect("begin");
        for _ in 0..pages {
            conn.execute("INSERT INTO t VALUES (randomblob(?1))", [ROW])
                .expect("insert");
        }
        conn.execute_batch("COMMIT").expect("commit");
        checkpoints.after_commit(conn);
    }

    fn file_len(dir: &tempfile::TempDir, name: &str) -> u64 {
        std::fs::metadata(dir.path().join(name)).map_or(0, |m| m.len())
    }

    /// Bytes of `pages` rows.
    fn rows_len(pages: c_int) -> u64 {
        pages as u64 * ROW as u64
    }

    #[test]
    fn the_thresholds_are_the_same_bytes_whatever_the_page_size() {
        let dir = tempfile::tempdir().expect("dir");
        let (_, checkpoints, _) = setup(&dir);
        assert_eq!(
            i64::from(checkpoints.background) * PAGE_SIZE,
            BACKGROUND_BYTES
        );
        assert_eq!(i64::from(checkpoints.inline) * PAGE_SIZE, INLINE_BYTES);
        let conn = Connection::open_in_memory().expect("memory");
        conn.pragma_update(None, "page_size", 4_096)
            .expect("page size");
        let old = Checkpoints::start(&conn, Arc::new(Readers::new(dir.path().join("o.db"), 1)))
            .expect("start");
        assert_eq!((old.background, old.inline), (1_000, 16_384));
    }

    /// Past the threshold the checkpoint thread copies the WAL into the database while the
    /// writer waits for nothing, and the writer's next commit starts the WAL again.
    #[test]
    fn the_checkpoint_thread_empties_the_wal() {
        let dir = tempfile::tempdir().expect("dir");
        let (conn, mut checkpoints, _readers) = setup(&dir);
        let background = checkpoints.background;
        let below = background * 2 / 5;
        commit_pages(&conn, &mut checkpoints, below);
        assert!(wal_pages() >= below, "{}", wal_pages());
        // Below the threshold nothing is copied: the database file holds no rows yet.
        std::thread::sleep(Duration::from_millis(100));
        assert!(
            file_len(&dir, "k.db") < rows_len(below) / 4,
            "{}",
            file_len(&dir, "k.db")
        );
        commit_pages(&conn, &mut checkpoints, background * 7 / 10);
        assert!(wal_pages() >= background, "{}", wal_pages());
        let finished = (0..500).any(|_| {
            std::thread::sleep(Duration::from_millis(10));
            checkpoints.done() > 0
        });
        assert!(finished, "the checkpoint thread did not run");
        assert!(
            file_len(&dir, "k.db") > rows_len(background * 11 / 10),
            "the WAL was not copied"
        );
        commit_pages(&conn, &mut checkpoints, 10);
        assert!(
            wal_pages() < background / 10,
            "the WAL did not start again: {}",
            wal_pages()
        );
    }

    /// When the checkpoint thread cannot read (an import holds the readers), the writer
    /// checkpoints itself past the bound, so the WAL never grows without end.
    #[test]
    fn the_writer_checkpoints_when_the_thread_cannot() {
        let dir = tempfile::tempdir().expect("dir");
        let (conn, mut checkpoints, readers) = setup(&dir);
        let (background, inline) = (checkpoints.background, checkpoints.inline);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let paused = rt.block_on(readers.pause()).expect("pause");
        let mut most = 0;
        for _ in 0..(inline / background + 4) {
            commit_pages(&conn, &mut checkpoints, background);
            most = most.max(wal_pages());
        }
        drop(paused);
        assert!(most >= inline, "{most}");
        assert!(
            most < inline + background * 11 / 10,
            "the WAL grew past the bound: {most} pages"
        );
        assert!(file_len(&dir, "k.db") > rows_len(inline));
    }

    /// While the WAL cannot start again (a reader holds an old snapshot), the thread is
    /// woken once per [`BACKGROUND_BYTES`] written, not after every commit.
    #[test]
    fn the_thread_is_woken_once_per_threshold_of_new_pages() {
        let dir = tempfile::tempdir().expect("dir");
        let (conn, mut checkpoints, _readers) = setup(&dir);
        let background = checkpoints.background;
        let old = open_connection(&dir.path().join("k.db"), Role::Reader).expect("reader");
        old.execute_batch("BEGIN").expect("begin");
        let n: i64 = old
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .expect("read");
        assert_eq!(n, 0);
        let settle = |want: u64, c: &Checkpoints| {
            (0..300).any(|_| {
                std::thread::sleep(Duration::from_millis(5));
                c.done() == want
            })
        };
        commit_pages(&conn, &mut checkpoints, background);
        assert!(settle(1, &checkpoints), "{}", checkpoints.done());
        // Sixty commits that add up to less than the threshold.
        for _ in 0..60 {
            commit_pages(&conn, &mut checkpoints, background / 100);
        }
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(
            checkpoints.done(),
            1,
            "woken by commits under the threshold"
        );
        commit_pages(&conn, &mut checkpoints, background / 2);
        assert!(settle(2, &checkpoints), "{}", checkpoints.done());
        old.execute_batch("COMMIT").expect("end");
    }
}
