//! Read-only connections, shared by reads that run on tokio's blocking threads.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::{Semaphore, TryAcquireError};

use kinga_store::{StoreError, StoreResult};

use crate::SqliteStore;
use crate::connect::{Role, open_connection};
use crate::error::Result;
use crate::queries::{docs, one_doc};

/// A few read-only connections; WAL lets them read while the writer writes.
pub(crate) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
    size: usize,
}

impl Readers {
    /// Up to `size` reads at once on the database at `path`.
    pub(crate) fn new(path: PathBuf, size: usize) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::with_capacity(size)),
            permits: Arc::new(Semaphore::new(size)),
            size,
        }
    }

    /// Run `f` on a read connection, off the async threads.
    pub(crate) async fn run<T, F>(self: &Arc<Self>, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Closed)?;
        let me = self.clone();
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            me.on_connection(f)
        });
        task.await
            .map_err(|e| StoreError::Backend(format!("read task failed: {e}")))?
    }

    /// Run `f` on this thread when a connection is free at once, else as [`Readers::run`]:
    /// for lookups by key, which take SQLite a few microseconds, less than the hand-off to a
    /// blocking thread and back (two context switches per read under a flood of SMS).
    pub(crate) async fn run_point<T, F>(self: &Arc<Self>, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        match self.permits.try_acquire() {
            Ok(_permit) => self.on_connection(f),
            Err(_) => self.run(f).await,
        }
    }

    /// Run `f` on a read connection on this thread, if one is free within `wait` (never while
    /// the readers are paused); `None` if none was.
    pub(crate) fn run_now<T>(
        &self,
        wait: Duration,
        f: impl FnOnce(&Connection) -> Result<T>,
    ) -> Option<StoreResult<T>> {
        let until = Instant::now() + wait;
        let _permit = loop {
            match self.permits.try_acquire() {
                Ok(permit) => break permit,
                Err(TryAcquireError::NoPermits) if Instant::now() < until => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(_) => return None,
            }
        };
        Some(self.on_connection(f))
    }

    /// Run `f` on an idle connection (or a new one), then put it back; the caller holds a
    /// permit.
    fn on_connection<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> StoreResult<T> {
        let conn = self.take()?;
        let out = f(&conn);
        self.give(conn);
        out.map_err(StoreError::from)
    }

    /// Close every read connection and keep new ones from opening until the answer is
    /// dropped: work that needs the file to itself (an import in rollback-journal mode).
    pub(crate) async fn pause(&self) -> StoreResult<tokio::sync::SemaphorePermit<'_>> {
        let all = u32::try_from(self.size).unwrap_or(u32::MAX);
        let paused = self
            .permits
            .acquire_many(all)
            .await
            .map_err(|_| StoreError::Closed)?;
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        Ok(paused)
    }

    fn take(&self) -> StoreResult<Connection> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        match idle {
            Some(conn) => Ok(conn),
            // Opened lazily, and again if a read panicked and lost its connection.
            None => open_connection(&self.path, Role::Reader).map_err(StoreError::from),
        }
    }

    fn give(&self, conn: Connection) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(conn);
    }
}

/// The store's reads, each on a read connection.
impl SqliteStore {
    pub(crate) async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> crate::error::Result<T> + Send + 'static,
    {
        self.readers.run(f).await
    }

    pub(crate) async fn list<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        sql: &'static str,
        what: &'static str,
    ) -> StoreResult<Vec<T>> {
        self.read(move |c| docs(c, sql, [], what)).await
    }

    pub(crate) async fn find<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        sql: &'static str,
        key: &str,
        what: &'static str,
    ) -> StoreResult<Option<T>> {
        let key = key.to_string();
        self.read_point(move |c| one_doc(c, sql, [key], what)).await
    }

    /// A read by key, on this thread when a connection is free (see [`Readers::run_point`]).
    pub(crate) async fn read_point<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> crate::error::Result<T> + Send + 'static,
    {
        self.readers.run_point(f).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::open_connection;

    fn readers(dir: &tempfile::TempDir) -> Arc<Readers> {
        let path = dir.path().join("k.db");
        let conn = open_connection(&path, Role::Writer).expect("open");
        conn.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)")
            .expect("table");
        Arc::new(Readers::new(path, 2))
    }

    fn seven(c: &Connection) -> Result<i64> {
        Ok(c.query_row("SELECT x FROM t", [], |r| r.get(0))?)
    }

    /// A lookup by key runs on the caller's thread when a connection is free.
    #[tokio::test]
    async fn a_point_read_runs_on_the_callers_thread() {
        let dir = tempfile::tempdir().expect("dir");
        let readers = readers(&dir);
        let caller = std::thread::current().id();
        let (x, thread) = readers
            .run_point(|c| Ok((seven(c)?, std::thread::current().id())))
            .await
            .expect("read");
        assert_eq!((x, thread), (7, caller));
    }

    /// While the readers are paused (an import has the file to itself), a point read waits
    /// for them instead of opening a connection of its own.
    #[tokio::test]
    async fn a_point_read_waits_while_the_readers_are_paused() {
        let dir = tempfile::tempdir().expect("dir");
        let readers = readers(&dir);
        let paused = readers.pause().await.expect("pause");
        let waiting = tokio::spawn({
            let readers = readers.clone();
            async move { readers.run_point(seven).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "read while paused");
        drop(paused);
        let x = waiting.await.expect("join").expect("read");
        assert_eq!(x, 7);
    }
}
