//! An incident's files (the photo a field form carried): served only to readers of the
//! incident's compartment, with the same reason a sensitive record needs to be opened, and
//! every opening of a sealed or sensitive file audited.

use kinga_domain::people::Permission;

use super::reason_to_open;
use crate::media::MediaFile;
use crate::{App, AppError, AppResult, Caller};

impl App {
    /// One file of an incident the caller may see; answered as missing otherwise, exactly
    /// like a file or an incident that does not exist. A sensitive incident's file needs a
    /// reason, as the record does.
    pub async fn incident_media(
        &self,
        caller: &Caller,
        id: &str,
        digest: &str,
        reason: Option<&str>,
    ) -> AppResult<MediaFile> {
        caller.require(Permission::ReadIncidents)?;
        let i = self.visible_incident(caller, id).await?;
        let media = i
            .attachments
            .iter()
            .find(|m| m.digest == digest)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("attachment {digest}")))?;
        let reason = reason_to_open(&i, reason)?;
        let stored = self.stored_media(&media.digest)?;
        let bytes = if media.sealed {
            self.open_media(&stored)?
        } else {
            stored
        };
        if media.sealed || reason.is_some() {
            let why = reason.unwrap_or("file of a general record");
            self.audit(
                caller,
                "media_opened",
                &format!("incident:{}", i.id),
                &format!("{why} ({} {})", media.digest, media.media_type),
            )
            .await?;
        }
        Ok(MediaFile { media, bytes })
    }
}
