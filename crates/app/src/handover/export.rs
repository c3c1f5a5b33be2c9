//! `kinga handover export`: the whole ledger as a package signed by this instance, with the
//! keys that open its sealed fields wrapped for the recipient. Events are read from the store
//! page by page while another thread checks, writes and hashes them, so memory stays flat and
//! the two halves overlap.

use std::path::{Path, PathBuf};

use kinga_domain::agreement::{Agreement, Crossing};
use kinga_domain::people::Permission;
use kinga_handover::{HeaderFields, PackageWriter, PublicKeyLine, Scope, Summary, WriteError};
use kinga_ledger::Event;
use tokio::sync::mpsc;

use super::{FIELD_SEALING, Identity, Progress, compartment_key_id};
use crate::agreements::SharingFilter;
use crate::incidents::keys::label;
use crate::{App, AppError, AppResult, Caller};

/// Events read from the store per page.
const PAGE: usize = 5_000;

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    /// The package as written and signed.
    pub package: Summary,
    /// Where.
    pub path: PathBuf,
}

fn write_err(e: WriteError) -> AppError {
    AppError::Invalid(format!("the package cannot be written: {e}"))
}

/// `FILE.partial`: where the package is written until it is whole and synced.
fn partial_path(out: &Path) -> PathBuf {
    let mut p = out.as_os_str().to_owned();
    p.push(".partial");
    p.into()
}

impl App {
    /// Write every event of the ledger, the master key and every compartment key (wrapped for
    /// `recipient`), the manifest and this instance's signature to `out`. The file appears
    /// only once complete and on disk: an export stopped half-way leaves `out` untouched.
    ///
    /// Under an agreement (`sharing`), an event it does not allow is written as a withheld
    /// stub (its place in the chain, no content), the master key stays home (it would open
    /// every sealed field) and only the keys of the compartments shared travel.
    pub async fn export_handover(
        &self,
        caller: &Caller,
        me: &Identity,
        recipient: &PublicKeyLine,
        out: &Path,
        sharing: Option<Agreement>,
        progress: Progress,
    ) -> AppResult<ExportSummary> {
        caller.require(Permission::Handover)?;
        let mut filter = sharing.map(SharingFilter::new);
        let mut keys: Vec<(String, [u8; 32])> = Vec::new();
        if filter.is_none() {
            keys.push((FIELD_SEALING.to_string(), *self.sealer.master_key()));
        }
        for k in self.store.compartment_keys().await? {
            if filter
                .as_ref()
                .is_some_and(|f| !f.shares_compartment(k.compartment))
            {
                continue;
            }
            let l = label(k.compartment, k.version);
            let raw = self.sealer.unwrap_key(&l, &k.wrapped)?;
            keys.push((compartment_key_id(&l), raw));
        }
        let total = self.store.event_count().await?;
        let fields = HeaderFields {
            sender_instance: me.instance.clone(),
            sender_name: me.name.clone(),
            recipient_name: if recipient.name.is_empty() {
                "(unnamed recipient)".into()
            } else {
                recipient.name.clone()
            },
            created_at: self.now(),
            scope: Scope::Full,
        };
        let partial = partial_path(out);
        let file = crate::files::private_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&partial)
            .map_err(|e| AppError::Invalid(format!("cannot write {}: {e}", partial.display())))?;
        let (tx, mut rx) = mpsc::channel::<Vec<(Event, bool)>>(4);
        let sender = me.key.clone();
        let to = recipient.key;
        let entropy: [u8; 32] = rand::random();
        let media_dir = self.media_dir();
        let writer = tokio::task::spawn_blocking(move || -> AppResult<Summary> {
            let mut file = file;
            let mut w =
                PackageWriter::new(&mut file, &sender, fields, &to, entropy).map_err(write_err)?;
            let shown = progress.clone();
            w.on_progress(move |p| shown(p.events + p.withheld, total));
            for (id, secret) in &keys {
                w.wrapped_key(id, secret).map_err(write_err)?;
            }
            // The files the events name travel with them, after the events.
            let mut media: Vec<(String, String)> = Vec::new();
            while let Some(page) = rx.blocking_recv() {
                for (e, shared) in page {
                    if shared {
                        // Only a shared event's media travel: a withheld one's stay home.
                        media.extend(files_of(&e));
                        w.event_owned(e).map_err(write_err)?;
                    } else {
                        w.withheld_owned(e).map_err(write_err)?;
                    }
                }
            }
            write_files(&mut w, &media_dir, media)?;
            let summary = w.finish(None).map_err(write_err)?;
            file.sync_all()
                .map_err(|e| AppError::Invalid(format!("cannot sync the package: {e}")))?;
            progress(summary.events(), total);
            Ok(summary)
        });
        let mut after = 0;
        let read = loop {
            let page = match self.store.events(after, PAGE).await {
                Ok(p) => p,
                Err(e) => break Err(AppError::from(e)),
            };
            let Some((last, _)) = page.last() else {
                break Ok(());
            };
            after = *last;
            // A closed channel means the writer stopped on an error, which it reports below.
            let page: Vec<(Event, bool)> = page
                .into_iter()
                .map(|(_, e)| {
                    // A stub received by sync stays a stub.
                    let shared = !e.is_withheld()
                        && filter
                            .as_mut()
                            .is_none_or(|f| f.decide(&e) == Crossing::Share);
                    (e, shared)
                })
                .collect();
            if tx.send(page).await.is_err() {
                break Ok(());
            }
        };
        drop(tx);
        let written = writer
            .await
            .map_err(|e| AppError::Invalid(format!("the package writer stopped: {e}")));
        let summary = match (read, written) {
            (Ok(()), Ok(Ok(s))) => s,
            (Err(e), _) | (_, Err(e)) | (_, Ok(Err(e))) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        std::fs::rename(&partial, out)
            .map_err(|e| AppError::Invalid(format!("cannot write {}: {e}", out.display())))?;
        Ok(ExportSummary {
            package: summary,
            path: out.to_path_buf(),
        })
    }
}

/// The media type an attachment record carries: its own for a plain file; a sealed file
/// travels sealed (the recipient gets the field-sealing key), its real type in the event.
pub const SEALED_MEDIA_TYPE: &str = "application/vnd.kinga.sealed";

/// Write the files named by the events written, once each, after them, each checked
/// against its digest on the way.
pub(crate) fn write_files<W: std::io::Write>(
    w: &mut PackageWriter<'_, W>,
    media_dir: &Path,
    mut media: Vec<(String, String)>,
) -> AppResult<()> {
    media.sort();
    media.dedup_by(|a, b| a.0 == b.0);
    for (digest, media_type) in &media {
        let path = media_dir.join(&digest[..2]).join(digest);
        let bytes = std::fs::read(&path).map_err(|e| {
            AppError::Invalid(format!(
                "attachment {digest} is named by the ledger but cannot be read at {}: {e}",
                path.display()
            ))
        })?;
        let written = w.attachment(media_type, &bytes).map_err(write_err)?;
        if written != *digest {
            return Err(AppError::Crypto(format!(
                "attachment {digest} was altered on disk"
            )));
        }
    }
    Ok(())
}

/// The files an event names (an alert's `media_attached`, an incident's attachments), each
/// with the media type its record carries in a package. Sync batches carry them too.
pub(crate) fn files_of(e: &Event) -> Vec<(String, String)> {
    // Decoding every payload would slow the export several times over: only the few that
    // can name a file are.
    if !e.payload.contains("\"media_attached\"") && !e.payload.contains("\"attachments\"") {
        return Vec::new();
    }
    let carried = |m: kinga_domain::media::MediaRef| {
        let kind = if m.sealed {
            SEALED_MEDIA_TYPE.to_string()
        } else {
            m.media_type
        };
        (m.digest, kind)
    };
    match e.decode() {
        Ok(kinga_ledger::Payload::Alert {
            event: kinga_domain::AlertEvent::MediaAttached { media },
            ..
        }) if kinga_domain::media::is_digest(&media.digest) => vec![carried(media)],
        Ok(kinga_ledger::Payload::IncidentSaved { incident }) => incident
            .attachments
            .into_iter()
            .filter(|m| kinga_domain::media::is_digest(&m.digest))
            .map(carried)
            .collect(),
        _ => Vec::new(),
    }
}
