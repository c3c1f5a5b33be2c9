//! `kinga handover import`: a package loaded into an empty instance. One pass reads and checks
//! the package, folds each event into the tables it gives (the rebuild `kinga verify` makes)
//! and streams the events to the store, which writes everything in one transaction and commits
//! only once the signature at the end has verified. A package with any fault, or an import
//! killed at any point, leaves the database as it was.
//!
//! The package's `field-sealing` key becomes this instance's master key (the events carry
//! values sealed with it). It is staged beside the key file before the commit and takes the
//! key file's place right after it; `Sealer::for_store` finishes that step if the process
//! died in between.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use kinga_domain::people::Permission;
use kinga_handover::{Item, PackageReader, PublicKey, ReaderOptions, Scope, Summary};
use kinga_ledger::Event;
use kinga_store::{ImportBatch, Store};
use tokio::sync::mpsc;

use super::{FIELD_SEALING, Identity, Progress, compartment_key_id};
use crate::crypto::{KEY_CHECK, complete_key_swap, incoming_key_path};
use crate::incidents::keys::label;
use crate::verify::Rebuilt;
use crate::{AppError, AppResult, Caller, Sealer, Settings};

/// Events sent to the store per batch.
const BATCH: usize = 2_000;

/// Rows sent to the store per batch.
const ROW_BATCH: usize = 1_000;

/// What an import took in.
#[derive(Debug, Clone)]
pub struct ImportSummary {
    /// The package, as verified.
    pub package: Summary,
    /// Events written.
    pub events: u64,
    /// Table rows rebuilt from them.
    pub rows: u64,
    /// Head (last sequence number, hash) of each imported chain.
    pub heads: std::collections::BTreeMap<String, (u64, String)>,
}

fn refuse(reason: impl std::fmt::Display) -> AppError {
    AppError::Invalid(format!("package refused, nothing imported: {reason}"))
}

/// What the reading thread hands back once the package has verified to its end.
struct Read {
    package: Summary,
    rebuilt: Rebuilt,
    keys: HashMap<String, [u8; 32]>,
}

/// Load the package at `file` into this empty instance. `from`: refuse a package not signed
/// by this key. The package must be addressed to this instance's key (`me`).
pub async fn import_handover(
    store: Arc<dyn Store>,
    settings: &Settings,
    caller: &Caller,
    me: &Identity,
    file: &Path,
    from: Option<PublicKey>,
    progress: Progress,
) -> AppResult<ImportSummary> {
    caller.require(Permission::Handover)?;
    let held = store.event_count().await?;
    if held > 0 {
        return Err(AppError::Invalid(format!(
            "this database already holds {held} events: a handover is imported into a new, \
             empty instance (create one with a new --database)"
        )));
    }
    let input = File::open(file)
        .map_err(|e| AppError::Invalid(format!("cannot read {}: {e}", file.display())))?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    let opts = ReaderOptions {
        expected_sender: from,
        recipient: Some(me.key.public()),
        ..ReaderOptions::default()
    };
    let (tx, rx) = mpsc::channel::<ImportBatch>(4);
    let writing = {
        let store = store.clone();
        tokio::spawn(async move { store.import_ledger(rx).await })
    };
    let own = me.instance.clone();
    let key = me.key.clone();
    let tx_events = tx.clone();
    let media_dir = settings.attachments_dir();
    let reading = tokio::task::spawn_blocking(move || {
        read(
            input, opts, &own, &key, &tx_events, size, progress, &media_dir,
        )
    });
    let read = match reading.await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return Err(abandon(tx, writing, e).await),
        Err(e) => {
            let e = AppError::Invalid(format!("the package reader stopped: {e}"));
            return Err(abandon(tx, writing, e).await);
        }
    };
    let Read {
        package,
        rebuilt,
        keys,
    } = read;
    let master = match check_keys(&rebuilt, &keys) {
        Ok(m) => m,
        Err(e) => return Err(abandon(tx, writing, e).await),
    };
    let writes = match rebuilt.into_writes() {
        Ok(w) => w,
        Err(e) => return Err(abandon(tx, writing, refuse(e)).await),
    };
    let check = Sealer::check_value_of(&master);
    let key_path = crate::key_path(settings);
    let incoming = incoming_key_path(&key_path);
    if let Err(e) = crate::files::replace_private(&incoming, hex::encode(master).as_bytes()) {
        let e = AppError::Crypto(format!("cannot stage the key {}: {e}", incoming.display()));
        return Err(abandon(tx, writing, e).await);
    }
    // Each batch is sent as soon as it is cut, so the store writes while the rest are cut.
    // (Cutting them all first with `split_off` copied every remaining row at each cut: a
    // cost that grew with the square of the rows, 5 % of a 200,000-event import.)
    let mut rows = writes.into_iter();
    let tail = [
        ImportBatch::Meta(vec![(KEY_CHECK.to_string(), check.clone())]),
        ImportBatch::Commit,
    ];
    let batches = std::iter::from_fn(|| {
        let batch: Vec<_> = rows.by_ref().take(ROW_BATCH).collect();
        (!batch.is_empty()).then_some(ImportBatch::Rows(batch))
    })
    .chain(tail);
    for b in batches {
        if tx.send(b).await.is_err() {
            break;
        }
    }
    drop(tx);
    let report = match writing.await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            let _ = std::fs::remove_file(&incoming);
            return Err(refuse(e));
        }
        Err(e) => {
            let _ = std::fs::remove_file(&incoming);
            return Err(refuse(format!("the store stopped: {e}")));
        }
    };
    complete_key_swap(&key_path, &check)?;
    Ok(ImportSummary {
        package,
        events: report.events,
        rows: report.rows,
        heads: report.heads,
    })
}

/// Stop the store's side of the import (it rolls back) and give the first reason.
async fn abandon(
    tx: mpsc::Sender<ImportBatch>,
    writing: tokio::task::JoinHandle<kinga_store::StoreResult<kinga_store::ImportReport>>,
    why: AppError,
) -> AppError {
    drop(tx);
    let _ = writing.await;
    why
}

/// Read the whole package, checking it, folding its events and sending them to the store.
///
/// The fold runs on a thread of its own, a batch behind the reading: it is two thirds of the
/// reader's work, and while the events go in the store's writer leaves most of the second
/// core idle. The first fault in the package is still the one named: a fault the reading
/// finds comes after every event it has handed on, so the fold's own fault, if any, comes
/// first.
#[allow(clippy::too_many_arguments)] // the reader's inputs, each used once
fn read(
    input: File,
    opts: ReaderOptions,
    own: &str,
    me: &kinga_handover::InstanceKey,
    tx: &mpsc::Sender<ImportBatch>,
    size: u64,
    progress: Progress,
    media_dir: &Path,
) -> AppResult<Read> {
    let (to_fold, folding) = std::sync::mpsc::sync_channel::<Vec<Event>>(4);
    std::thread::scope(|s| {
        let folder = s.spawn(move || fold(folding, tx));
        let read = scan(input, opts, own, me, &to_fold, size, progress, media_dir);
        drop(to_fold);
        let folded = folder
            .join()
            .unwrap_or_else(|_| Err(refuse("the fold of the events stopped")));
        match (read, folded) {
            (Ok((package, keys)), Ok(rebuilt)) => Ok(Read {
                package,
                rebuilt,
                keys,
            }),
            (_, Err(e)) => Err(e),
            (Err(e), Ok(_)) => Err(e),
        }
    })
}

/// Fold each batch of events into the rebuilt tables, then hand it to the store.
fn fold(
    batches: std::sync::mpsc::Receiver<Vec<Event>>,
    tx: &mpsc::Sender<ImportBatch>,
) -> AppResult<Rebuilt> {
    let mut rebuilt = Rebuilt::default();
    for batch in batches {
        for e in &batch {
            rebuilt.fold(e).map_err(refuse)?;
        }
        tx.blocking_send(ImportBatch::Events(batch))
            .map_err(|_| refuse("the database stopped taking the events"))?;
    }
    Ok(rebuilt)
}

/// Read and check the package, handing its events on by batches; its summary and the keys
/// it carries once its signature has verified. On a fault, the events read before it are
/// handed on first, so that the fold can name an earlier one.
#[allow(clippy::too_many_arguments)] // the reader's inputs, each used once
fn scan(
    input: File,
    opts: ReaderOptions,
    own: &str,
    me: &kinga_handover::InstanceKey,
    to_fold: &std::sync::mpsc::SyncSender<Vec<Event>>,
    size: u64,
    progress: Progress,
    media_dir: &Path,
) -> AppResult<(Summary, HashMap<String, [u8; 32]>)> {
    let mut reader = PackageReader::new(input, opts);
    let mut keys = HashMap::new();
    let mut batch: Vec<Event> = Vec::with_capacity(BATCH);
    let mut items = 0u64;
    let send = |batch: Vec<Event>| {
        to_fold
            .send(batch)
            .map_err(|_| refuse("the fold of the events stopped"))
    };
    let scanned = loop {
        let item = match reader.next_item() {
            Ok(item) => item,
            Err(e) => break Err(refuse(e)),
        };
        items += 1;
        if items % 4_096 == 0 {
            progress(reader.progress().bytes, size);
        }
        match item {
            None => break Err(refuse("the package ends before its signature")),
            Some(Item::Header(h)) => {
                if h.scope != Scope::Full {
                    break Err(refuse(
                        "it is a partial package (an increment for sync): only a full handover \
                         builds a new instance",
                    ));
                }
            }
            Some(Item::Event(e)) => {
                if e.origin == own {
                    break Err(refuse(format!(
                        "event {} claims this instance's own origin {own}",
                        e.id
                    )));
                }
                batch.push(e);
                if batch.len() >= BATCH {
                    send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))?;
                }
            }
            Some(Item::Withheld(w)) => {
                break Err(refuse(format!(
                    "event {} of {} is withheld: an instance is built only from a complete \
                     ledger",
                    w.seq, w.origin
                )));
            }
            Some(Item::Attachment(a)) => {
                if let Err(e) = keep_attachment(media_dir, &a) {
                    break Err(e);
                }
            }
            Some(Item::Key(w)) => match w.unwrap_key(me) {
                Ok(secret) => {
                    keys.insert(w.key_id.clone(), secret);
                }
                Err(e) => break Err(refuse(e)),
            },
            Some(Item::Manifest(_)) => {}
            Some(Item::End(package)) => break Ok(package),
        }
    };
    // The events read before the end or the fault.
    if !batch.is_empty() {
        let sent = send(batch);
        if scanned.is_ok() {
            sent?;
        }
    }
    let package = scanned?;
    progress(size, size);
    Ok((package, keys))
}

/// Keep an attachment the reader has checked against its digest, under that digest, as sent
/// (a sealed file opens with the field-sealing key the package also carries). A file of an
/// import that fails later is harmless: nothing names it.
fn keep_attachment(media_dir: &Path, a: &kinga_handover::Attachment) -> AppResult<()> {
    if !kinga_domain::media::is_digest(&a.digest) {
        return Err(refuse(format!(
            "attachment digest {} is malformed",
            a.digest
        )));
    }
    let path = media_dir.join(&a.digest[..2]).join(&a.digest);
    if !path.exists() {
        crate::files::replace_private(&path, &a.data)
            .map_err(|e| refuse(format!("cannot keep attachment {}: {e}", path.display())))?;
    }
    Ok(())
}

/// The master key the package brings, after checking that it opens every compartment key the
/// ledger holds and that those are the compartment keys the package carries.
fn check_keys(rebuilt: &Rebuilt, keys: &HashMap<String, [u8; 32]>) -> AppResult<[u8; 32]> {
    let master = *keys.get(FIELD_SEALING).ok_or_else(|| {
        refuse(format!(
            "it carries no '{FIELD_SEALING}' key for this instance: the sealed fields of its \
             events could not be read"
        ))
    })?;
    let sealer = Sealer::new(master);
    for k in rebuilt.compartment_keys() {
        let l = label(k.compartment, k.version);
        let raw = sealer.unwrap_key(&l, &k.wrapped).map_err(|_| {
            refuse(format!(
                "its '{FIELD_SEALING}' key does not open the compartment key {l} of its ledger"
            ))
        })?;
        if let Some(carried) = keys.get(&compartment_key_id(&l)) {
            if *carried != raw {
                return Err(refuse(format!(
                    "the key {} it carries is not the one its ledger holds",
                    compartment_key_id(&l)
                )));
            }
        }
    }
    Ok(master)
}
