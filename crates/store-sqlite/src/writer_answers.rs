//! Store calls whose work runs on the writer and hands back more than success or failure:
//! the outbox claim, taking held reports, a sync's append and a ledger import.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use kinga_domain::outbox::OutboxMessage;
use kinga_ledger::Event;
use kinga_store::{HeldReport, ImportBatch, ImportReport, StoreError, StoreResult, Write};

use crate::{SqliteStore, held, import, queries, sync};

/// [`kinga_store::Store::claim_outbox`].
pub(crate) async fn claim_outbox(
    store: &SqliteStore,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> StoreResult<Vec<OutboxMessage>> {
    // The lease is a write, so it runs on the writer; the rows come back through a slot
    // because writer work answers only success or failure.
    let slot = Arc::new(std::sync::Mutex::new(Vec::new()));
    let out = slot.clone();
    store
        .writer
        .exec(move |c| {
            let claimed = queries::claim_outbox(c, now, lease_until, limit)?;
            if let Ok(mut v) = out.lock() {
                *v = claimed;
            }
            Ok(())
        })
        .await?;
    let claimed = slot.lock().map(|mut v| std::mem::take(&mut *v));
    claimed.map_err(|_| StoreError::Backend("outbox claim lost its answer".into()))
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
    let slot = Arc::new(std::sync::Mutex::new(None));
    let out = slot.clone();
    let own = store.instance.clone();
    store
        .writer
        .exec(move |c| {
            let report = sync::append(c, &own, &events, &writes)?;
            if let Ok(mut v) = out.lock() {
                *v = Some(report);
            }
            Ok(())
        })
        .await?;
    let report = slot.lock().map(|mut v| v.take());
    report
        .ok()
        .flatten()
        .ok_or_else(|| StoreError::Backend("the append lost its answer".into()))
}

/// [`kinga_store::Store::import_ledger`].
pub(crate) async fn import_ledger(
    store: &SqliteStore,
    batches: tokio::sync::mpsc::Receiver<ImportBatch>,
) -> StoreResult<ImportReport> {
    // The whole import is one piece of writer work; its answer comes back through a slot.
    let slot = Arc::new(std::sync::Mutex::new(None));
    let out = slot.clone();
    let own = store.instance.clone();
    store
        .writer
        .exec(move |c| {
            let report = import::run(c, &own, batches)?;
            if let Ok(mut v) = out.lock() {
                *v = Some(report);
            }
            Ok(())
        })
        .await?;
    let report = slot.lock().map(|mut v| v.take());
    report
        .ok()
        .flatten()
        .ok_or_else(|| StoreError::Backend("the import lost its answer".into()))
}
