//! Attachments: recordings and photos kept as files beside the database, each named by the
//! BLAKE3 digest of its stored bytes (`<dir>/<first two hex digits>/<digest>`), so a file is
//! written once however often it arrives and any change to it is seen when it is read. Files
//! that come from reporters (a caller's voice, a photo) identify them as surely as a phone
//! number: they are sealed with the instance key before they touch the disk. An alert's
//! timeline names its files (`media_attached`); a file is served only to those who may read
//! the alert, and opening a sealed one is audited.

use std::path::PathBuf;

use kinga_domain::media::{self, MediaLimits, MediaRef};
use kinga_domain::people::Permission;
use kinga_domain::{Alert, AlertEvent};

use crate::alerts::RETRIES;
use crate::moves::gave_up;
use crate::{App, AppError, AppResult, Caller};

/// A file as served: what the alert says of it, and its content (opened when sealed).
#[derive(Debug, Clone)]
pub struct MediaFile {
    /// The alert's record of the file.
    pub media: MediaRef,
    /// The content.
    pub bytes: Vec<u8>,
}

impl App {
    /// The folder attachments are kept in.
    pub fn media_dir(&self) -> PathBuf {
        self.settings.attachments_dir()
    }

    /// The sizes and types this instance accepts.
    pub fn media_limits(&self) -> MediaLimits {
        MediaLimits {
            max_bytes: self.settings.attachments.max_bytes,
            types: self.settings.attachments.types.clone(),
        }
    }

    fn media_path(&self, digest: &str) -> AppResult<PathBuf> {
        if !media::is_digest(digest) {
            return Err(AppError::NotFound(format!("attachment {digest}")));
        }
        Ok(self.media_dir().join(&digest[..2]).join(digest))
    }

    /// Keep a file (checked against the limits, sealed when `sealed`); answers what an event
    /// records of it. Writing the same content again changes nothing.
    pub(crate) fn store_media(
        &self,
        bytes: &[u8],
        content_type: &str,
        source: &str,
        sealed: bool,
    ) -> AppResult<MediaRef> {
        let media_type = self
            .media_limits()
            .check(content_type, bytes.len() as u64)?;
        let stored = if sealed {
            self.sealer.seal_bytes(bytes)?
        } else {
            bytes.to_vec()
        };
        let digest = blake3::hash(&stored).to_hex().to_string();
        self.keep_stored(&digest, &stored)?;
        Ok(MediaRef {
            digest,
            media_type,
            size: bytes.len() as u64,
            sealed,
            source: source.to_string(),
        })
    }

    /// Write stored bytes under their digest, durably, unless already there.
    pub(crate) fn keep_stored(&self, digest: &str, stored: &[u8]) -> AppResult<()> {
        let path = self.media_path(digest)?;
        if path.exists() {
            return Ok(());
        }
        crate::files::replace_private(&path, stored).map_err(|e| {
            AppError::Invalid(format!("cannot keep attachment {}: {e}", path.display()))
        })
    }

    /// The stored bytes of a file, checked against their digest.
    pub(crate) fn stored_media(&self, digest: &str) -> AppResult<Vec<u8>> {
        let path = self.media_path(digest)?;
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                AppError::NotFound(format!("the file of attachment {digest}"))
            }
            _ => AppError::Invalid(format!("cannot read {}: {e}", path.display())),
        })?;
        if blake3::hash(&bytes).to_hex().as_str() != digest {
            return Err(AppError::Crypto(format!(
                "attachment {digest} was altered on disk"
            )));
        }
        Ok(bytes)
    }

    /// A sealed file's content. Its digest was checked when it was read, so a file that does
    /// not open was sealed by another instance's key: it came by sync, which carries files
    /// but never keys.
    pub(crate) fn open_media(&self, stored: &[u8]) -> AppResult<Vec<u8>> {
        self.sealer.open_bytes(stored).map_err(|_| {
            AppError::Invalid(
                "this file is sealed with the key of the instance that received it and reached \
                 this one by sync, which carries files but not keys: it opens on that \
                 instance, or here once that instance's records are handed over"
                    .into(),
            )
        })
    }

    /// Record on an alert that a stored file belongs to it; a file already there is not
    /// recorded twice (a retried webhook).
    pub(crate) async fn attach_media(
        &self,
        caller: &Caller,
        alert_id: &str,
        media: MediaRef,
    ) -> AppResult<Alert> {
        for _ in 0..RETRIES {
            let mut alert = self
                .store
                .alert(alert_id)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("alert {alert_id}")))?;
            if alert.media().any(|m| m.digest == media.digest) {
                return Ok(alert);
            }
            let event = AlertEvent::MediaAttached {
                media: media.clone(),
            };
            if self.commit_event(caller, &mut alert, event).await? {
                self.caches.remember(&alert);
                return Ok(alert);
            }
        }
        Err(gave_up(alert_id))
    }

    /// One file of an alert the caller may read: answered as missing otherwise, exactly like
    /// a file that does not exist. Opening a sealed file is audited.
    pub async fn alert_media(
        &self,
        caller: &Caller,
        id_or_ref: &str,
        digest: &str,
    ) -> AppResult<MediaFile> {
        caller.require(Permission::ReadAlerts)?;
        let alert = self.visible_alert(caller, id_or_ref).await?;
        let media = alert
            .media()
            .find(|m| m.digest == digest)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("attachment {digest}")))?;
        let stored = self.stored_media(&media.digest)?;
        let bytes = if media.sealed {
            let bytes = self.open_media(&stored)?;
            self.audit(
                caller,
                "media_opened",
                &format!("alert:{}", alert.id),
                &format!(
                    "{} {} ({})",
                    alert.reference, media.digest, media.media_type
                ),
            )
            .await?;
            bytes
        } else {
            stored
        };
        Ok(MediaFile { media, bytes })
    }
}
