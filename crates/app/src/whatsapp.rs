//! WhatsApp (through Twilio): a message becomes an alert, or a reply attached to one, exactly
//! as an SMS does (the same grammar, idempotency, acknowledgement and reply window), with
//! channel `whatsapp`. The photos, voice notes and videos it carries are kept as sealed
//! attachments of that alert, and a location pin names the settlement it falls in when the
//! words name no place (its coordinates stay in the text).

use kinga_domain::Channel;
use kinga_domain::media::MediaRef;
use kinga_domain::pin;

use crate::sms_intake::{InboundSmsCommand, SmsIntake};
use crate::{App, AppResult, Caller};

/// One inbound WhatsApp message, its files already fetched.
#[derive(Debug, Clone, Default)]
pub struct WhatsappMessage {
    /// The message as an SMS carries it (the sender without its `whatsapp:` prefix).
    pub message: InboundSmsCommand,
    /// Files it carried: (media type as served, bytes).
    pub media: Vec<(String, Vec<u8>)>,
    /// A location pin: latitude and longitude as sent.
    pub location: Option<(String, String)>,
}

impl App {
    /// Take in a WhatsApp message from `provider`; a retried webhook (same message id) makes
    /// nothing twice, its files included.
    pub async fn intake_whatsapp(
        &self,
        provider: &str,
        msg: WhatsappMessage,
    ) -> AppResult<SmsIntake> {
        // Files first: a crash in between leaves files nothing names, never a name without
        // its file. Each is checked against the type and size limits before anything else.
        let stored: Vec<MediaRef> = msg
            .media
            .iter()
            .map(|(media_type, bytes)| self.store_media(bytes, media_type, "whatsapp", true))
            .collect::<AppResult<_>>()?;
        let mut message = msg.message;
        let point = msg
            .location
            .as_ref()
            .and_then(|(lat, lon)| pin::read(lat, lon));
        let pinned = point.and_then(|p| {
            let gaz = self.caches.gazetteer();
            pin::nearest_settlement(&gaz, p).map(|place| place.pcode.clone())
        });
        if let Some(p) = point {
            let words = pin::text(p);
            message.text = if message.text.trim().is_empty() {
                words
            } else {
                format!("{}\n{words}", message.text)
            };
        }
        let intake = self
            .intake_message(provider, Channel::Whatsapp, message, pinned)
            .await?;
        let caller = Caller::gateway(provider);
        let mut alert = intake.alert.clone();
        for m in stored {
            alert = self.attach_media(&caller, &alert.id, m).await?;
        }
        Ok(SmsIntake {
            alert: self.shown_to(&caller, alert),
            ..intake
        })
    }
}
