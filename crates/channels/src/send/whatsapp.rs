//! Messages to WhatsApp reporters through Twilio's Messages API, in the mode the application
//! chose (free text or template); the answer is read as an SMS send's is.

use std::time::Duration;

use async_trait::async_trait;

use kinga_app::Settings;
use kinga_app::delivery::{Address, MessageSender, SendError, SendReceipt};
use kinga_domain::outbox::OutboxMessage;
use kinga_domain::whatsapp::Mode;

use super::http::execute;
use super::{SetupError, required};
use crate::outbound::{OutboundRequest, SendAnswer};
use crate::twilio;

/// Provider name of messages sent on WhatsApp (Twilio's account sends them).
pub const PROVIDER: &str = twilio::PROVIDER;

/// Twilio's WhatsApp sender, with the account of `[twilio]` and the number of `[whatsapp]`.
#[derive(Debug, Clone)]
pub struct WhatsappSender {
    api_base: String,
    account_sid: String,
    auth_token: String,
    from: String,
    status_callback: Option<String>,
    client: reqwest::Client,
}

impl WhatsappSender {
    /// The sender for `settings.whatsapp.from`, or which setting is missing.
    pub fn new(settings: &Settings) -> Result<WhatsappSender, SetupError> {
        let t = &settings.twilio;
        let public = settings.public_url.trim().trim_end_matches('/');
        let timeout = Duration::from_secs(settings.outbound.timeout_seconds.clamp(1, 600));
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("kinga/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SetupError::Client(e.to_string()))?;
        Ok(WhatsappSender {
            api_base: required(&t.api_base, "whatsapp", "KINGA_TWILIO_API_BASE")?.into(),
            account_sid: required(&t.account_sid, "whatsapp", "KINGA_TWILIO_ACCOUNT_SID")?.into(),
            auth_token: required(&t.auth_token, "whatsapp", "KINGA_TWILIO_AUTH_TOKEN")?.into(),
            from: required(&settings.whatsapp.from, "whatsapp", "KINGA_WHATSAPP_FROM")?.into(),
            status_callback: (!public.is_empty())
                .then(|| format!("{public}/channels/twilio/status")),
            client,
        })
    }

    /// The request that sends `message` to `phone` on WhatsApp in `mode`.
    pub fn request(&self, phone: &str, mode: &Mode, message: &OutboxMessage) -> OutboundRequest {
        twilio::whatsapp::send_request(
            &self.api_base,
            &self.account_sid,
            &self.auth_token,
            &self.from,
            phone,
            mode,
            &message.body,
            self.status_callback.as_deref(),
        )
    }
}

#[async_trait]
impl MessageSender for WhatsappSender {
    async fn send(&self, to: &Address, message: &OutboxMessage) -> Result<SendReceipt, SendError> {
        let Address::Whatsapp { phone, mode } = to else {
            return Err(SendError::Permanent(
                "the WhatsApp sender sends WhatsApp messages only".into(),
            ));
        };
        let (status, body) = execute(&self.client, &self.request(phone, mode, message)).await?;
        match twilio::parse_send_answer(status, &body) {
            SendAnswer::Accepted { message_id } => Ok(SendReceipt {
                provider: PROVIDER.to_string(),
                provider_message_id: message_id,
            }),
            SendAnswer::Rejected {
                retryable: true,
                reason,
            } => Err(SendError::Retryable(reason)),
            SendAnswer::Rejected {
                retryable: false,
                reason,
            } => Err(SendError::Permanent(reason)),
        }
    }
}
