//! Store calls whose work runs on the writer and hands back more than success or failure:
//! the outbox claim, taking held reports, a sync's append and a ledger import.

use chrono::{DateTime, Utc};

use kinga_domain::outbox::OutboxMessage;
use kinga_ledger::Event;
use kinga_store::{HeldReport, ImportBatch, ImportReport, StoreResult, Write};

use crate::{SqliteStore, held, import, queries, sync};

/// [`kinga_store::Store::claim_outbox`].
pub(crate) async fn claim_outbox(
    store: &SqliteStore,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> StoreResult<Vec<OutboxMessage>> {
    // The lease is a write, so it runs on the writer.
    store
        .writer
        .answer("outbox claim", move |c| {
            queries::claim_outbox(c, now, lease_until, limit)
        })
        .await
}

/// [`kinga_store::Store::take_held_reports`].
pub(crate) async fn take_held_reports(
    store: &SqliteStore,
    provider: &str,
    provider_message_id: &str,
) -> StoreResult<Vec<HeldReport>> {
    // Read first: almost every send has nothing held, and a read costs no commit.
    let (p, id) = (provider.to_string(), provider_message_id.to_string());
    let found = store.read(move |c| held::held(c, &p, &id)).await?;
    if found.is_empty() {
        return Ok(vec![]);
    }
    let (ids, reports): (Vec<i64>, Vec<HeldReport>) = found.into_iter().unzip();
    store.writer.exec(held::forget(ids)).await?;
    Ok(reports)
}

/// [`kinga_store::Store::append_foreign`].
pub(crate) async fn append_foreign(
    store: &SqliteStore,
    events: Vec<Event>,
    writes: Vec<Write>,
) -> StoreResult<ImportReport> {
    let own = store.instance.clone();
    store
        .writer
        .answer("the append", move |c| {
            sync::append(c, &own, &events, &writes)
        })
        .await
}

/// [`kinga_store::Store::import_ledger`].
pub(crate) async fn import_ledger(
    store: &SqliteStore,
    batches: tokio::sync::mpsc::Receiver<ImportBatch>,
) -> StoreResult<ImportReport> {
    // The whole import is one piece of writer work, with the file to itself: no read
    // connection of this process may hold it open while it changes journal modes.
    let own = store.instance.clone();
    let _paused = store.readers.pause().await?;
    store
        .writer
        .answer_alone("the import", move |c| import::run_alone(c, &own, batches))
        .await
}
