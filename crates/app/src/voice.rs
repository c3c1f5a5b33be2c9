//! The voice hotline: a recorded call becomes an alert (channel `voice`) carrying the
//! recording, sealed like the caller's number, through the same intake as every channel
//! (idempotency, routing once a place is known, deadlines, feedback). Nobody has heard it yet:
//! it is flagged `untranscribed` and heads the queue's new alerts until a person listens
//! (its severity is left at the default: nobody chose one); the liaison assistant types what
//! was said (`transcribed`) and triages as usual.

use kinga_domain::people::Permission;
use kinga_domain::voice::{RECORDING_MISSING, UNTRANSCRIBED};
use kinga_domain::{Alert, AlertEvent, Channel};

use crate::alerts::{IntakeCommand, IntakeExtras, RETRIES};
use crate::moves::gave_up;
use crate::{App, AppError, AppResult, Caller, limits};

/// A finished call as the gateway reports it, with the recording already fetched.
#[derive(Debug, Clone, Default)]
pub struct VoiceRecording {
    /// The gateway's call id: with the provider, the idempotency key.
    pub call_id: String,
    /// The caller's number.
    pub from: String,
    /// The hotline's number.
    pub to: Option<String>,
    /// The recording's media type and bytes; none when it could not be fetched.
    pub audio: Option<(String, Vec<u8>)>,
}

impl App {
    /// Take in a recorded call from `provider`. A retried callback (same call id) answers the
    /// same alert and keeps nothing twice.
    pub async fn intake_voice(&self, provider: &str, call: VoiceRecording) -> AppResult<Alert> {
        let caller = Caller::gateway(provider);
        caller.require(Permission::CreateAlerts)?;
        let call_id = call.call_id.trim();
        if call_id.is_empty() {
            return Err(kinga_domain::DomainError::Missing("call id").into());
        }
        limits::check("call id", call_id, limits::ID)?;
        limits::check("from", &call.from, limits::PHONE)?;
        // The file first: a crash in between leaves a file nothing names, never an alert
        // naming a file that is not there.
        let media = match &call.audio {
            Some((media_type, bytes)) => Some(self.store_media(bytes, media_type, "voice", true)?),
            None => None,
        };
        let mut flags = vec![UNTRANSCRIBED.to_string()];
        if media.is_none() {
            flags.push(RECORDING_MISSING.to_string());
        }
        let sender = self.sender(&call.from, &mut flags).await?;
        let cmd = IntakeCommand {
            channel: Some(Channel::Voice),
            text: String::new(),
            threat_type: None,
            // Nobody chose one: the default, with its deadlines. The queue's new alerts put
            // unheard calls first (`kinga_domain::voice::unheard`), not a made-up severity.
            severity: None,
            place: None,
            place_name: None,
            reporter_phone: None,
            reported_at: None,
            language: None,
            idempotency_key: Some(format!("{provider}-voice:{call_id}")),
        };
        let extras = IntakeExtras {
            // Nothing was read: no place is taken from the caller's registration either.
            place_candidates: Some(Vec::new()),
            parse_flags: flags,
            unparsed: None,
            reporter: Some(sender.reporter),
            acknowledged_by: None,
            allow_empty_text: true,
            fingerprint: Some(fingerprint(provider, call_id, &call.from)),
            idempotency_checked: false,
        };
        let intake = self.intake_with(&caller, cmd, extras).await?;
        match media {
            Some(m) => self.attach_media(&caller, &intake.alert.id, m).await,
            None => Ok(intake.alert),
        }
    }

    /// Record what a person heard on an alert's recording: it becomes the alert's text and
    /// the alert is no longer flagged untranscribed. The same words again change nothing.
    pub async fn transcribe(
        &self,
        caller: &Caller,
        id_or_ref: &str,
        text: &str,
    ) -> AppResult<Alert> {
        caller.require(Permission::TriageAlerts)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(kinga_domain::DomainError::Missing("text").into());
        }
        limits::check("text", text, limits::TEXT)?;
        for _ in 0..RETRIES {
            let mut alert = self.visible_alert(caller, id_or_ref).await?;
            if alert.media().next().is_none() && alert.channel != Channel::Voice {
                return Err(AppError::Invalid(format!(
                    "{} has no recording to transcribe",
                    alert.reference
                )));
            }
            let unflagged = !alert.parse_flags.iter().any(|f| f == UNTRANSCRIBED);
            if alert.text == text && unflagged {
                return Ok(self.shown_to(caller, alert));
            }
            let event = AlertEvent::Transcribed {
                text: text.to_string(),
            };
            if self.commit_event(caller, &mut alert, event).await? {
                self.caches.remember(&alert);
                return Ok(self.shown_to(caller, alert));
            }
        }
        Err(gave_up(id_or_ref))
    }
}

/// What a retried callback must repeat: the call and its caller.
fn fingerprint(provider: &str, call_id: &str, from: &str) -> String {
    let mut h = blake3::Hasher::new();
    for part in [provider, "voice", call_id, from.trim()] {
        h.update(part.as_bytes());
        h.update(&[0]);
    }
    h.finalize().to_hex().to_string()
}
