//! The preparing side of an import, shared by the stores: a thread that checks each event's
//! chain and encodes the rows as the store's statements want them, a batch ahead of those
//! statements, so that the hashes and the encoding run beside the database's own work.

use tokio::sync::mpsc;

use kinga_ledger::Event;

use super::ImportChains;
use crate::{ImportBatch, StoreError, Write};

/// What the preparing thread hands the statements, in the order the import sent it.
pub enum Prepared<R> {
    /// Events whose chains were checked.
    Events(Vec<Event>),
    /// Rows, encoded by the store.
    Rows(R),
    /// Values for the `meta` table.
    Meta(Vec<(String, String)>),
    /// The import is complete: commit.
    Commit,
}

/// Check and encode `batches` until `Commit`, handing each on with `send` (false: the
/// statements stopped); the chains once `Commit` has been handed on. `encode` turns a batch
/// of rows into the store's form.
pub fn prepare_import<R, E>(
    own: &str,
    mut batches: mpsc::Receiver<ImportBatch>,
    mut encode: impl FnMut(Vec<Write>) -> Result<R, E>,
    mut send: impl FnMut(Prepared<R>) -> bool,
) -> Result<ImportChains, E>
where
    E: From<StoreError>,
{
    let mut chains = ImportChains::new(own);
    let stopped = || StoreError::Backend("the import's statements stopped".into());
    loop {
        let next = match batches.blocking_recv() {
            Some(ImportBatch::Events(events)) => {
                for e in &events {
                    chains.check(e)?;
                }
                Prepared::Events(events)
            }
            Some(ImportBatch::Rows(writes)) => {
                for w in &writes {
                    chains.row(w);
                }
                Prepared::Rows(encode(writes)?)
            }
            Some(ImportBatch::Meta(values)) => Prepared::Meta(values),
            Some(ImportBatch::Commit) => {
                return if send(Prepared::Commit) {
                    Ok(chains)
                } else {
                    Err(stopped().into())
                };
            }
            None => return Err(stopped_early().into()),
        };
        if !send(next) {
            return Err(stopped().into());
        }
    }
}

/// Why an import whose batches ended before `Commit` wrote nothing.
fn stopped_early() -> StoreError {
    StoreError::Backend("the import stopped before its end; nothing of it was written".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreResult;

    #[test]
    fn batches_that_end_before_commit_are_refused() {
        let (tx, rx) = mpsc::channel(4);
        tx.blocking_send(ImportBatch::Meta(vec![])).unwrap();
        drop(tx);
        let mut sent = 0;
        let r: StoreResult<ImportChains> = prepare_import(
            "kinga-here",
            rx,
            |_| Ok::<(), StoreError>(()),
            |_: Prepared<()>| {
                sent += 1;
                true
            },
        );
        assert!(r.is_err());
        assert_eq!(sent, 1, "what came before the end was handed on");
    }

    #[test]
    fn statements_that_stop_stop_the_preparing() {
        let (tx, rx) = mpsc::channel(4);
        tx.blocking_send(ImportBatch::Meta(vec![])).unwrap();
        tx.blocking_send(ImportBatch::Commit).unwrap();
        let r: StoreResult<ImportChains> =
            prepare_import("kinga-here", rx, |_| Ok::<(), StoreError>(()), |_| false);
        assert!(r.is_err());
    }

    #[test]
    fn commit_gives_the_chains() {
        let (tx, rx) = mpsc::channel(4);
        tx.blocking_send(ImportBatch::Commit).unwrap();
        let r = prepare_import(
            "kinga-here",
            rx,
            |_| Ok::<(), StoreError>(()),
            |p: Prepared<()>| matches!(p, Prepared::Commit),
        );
        assert_eq!(r.map(|c| c.report(0).events).ok(), Some(0));
    }
}
