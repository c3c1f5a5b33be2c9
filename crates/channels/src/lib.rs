//! Channel adapters: each SMS gateway's webhook turned into one [`InboundSms`], and the
//! requests that send a message back out, as pure functions over request parts. The web
//! layer owns HTTP; these modules own what each provider's bytes mean, how its signatures or
//! shared secrets are checked, and which of its ids makes a retried webhook harmless.
//!
//! | gateway | inbound | authenticity | outbound | delivery reports |
//! | --- | --- | --- | --- | --- |
//! | [`twilio`] | form webhook (SMS, WhatsApp; voice in [`twilio::voice`]) | HMAC signature header | REST `Messages.json` | `MessageStatus` callback |
//! | [`africastalking`] | form callback (SMS, USSD) | none from AT: optional `?secret=` | `version1/messaging` | delivery report callback |
//! | [`rapidpro`] | External-channel form or JSON | optional shared secret | JSON to a send URL | `id` + `status` |
//! | [`kannel`] | `sms-service` GET/POST | `secret` parameter | `cgi-bin/sendsms` GET | `dlr-url` with `%d` |

pub mod africastalking;
pub mod error;
pub mod form;
pub mod kannel;
pub mod openrosa;
pub mod outbound;
pub mod rapidpro;
pub mod secret;
#[cfg(feature = "send")]
pub mod send;
pub mod twilio;

use serde::Serialize;

pub use error::ChannelError;
// The normaliser lives in the domain so registries and gateways match numbers the same way.
pub use kinga_domain::phone::{MsisdnError, normalize_msisdn};
pub use outbound::{DeliveryReport, Method, OutboundRequest, SendAnswer};

/// Largest webhook body accepted; an SMS callback is a few hundred bytes, so anything near
/// this is not a gateway talking.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// One inbound SMS, whatever gateway carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboundSms {
    /// Gateway name: "twilio", "africastalking", "rapidpro" or "kannel".
    pub provider: &'static str,
    /// The provider's message id; with `provider` it is the idempotency key of the intake.
    pub message_id: String,
    /// Sender as the gateway gave it (see [`normalize_msisdn`]).
    pub from: String,
    /// Number or short code the message was sent to.
    pub to: Option<String>,
    /// Message text, verbatim.
    pub text: String,
    /// When the gateway says the message arrived, as it wrote it.
    pub received_at: Option<String>,
}

impl InboundSms {
    /// "twilio:SM…": unique across gateways, so two providers' ids can never collide.
    pub fn idempotency_key(&self) -> String {
        format!("{}:{}", self.provider, self.message_id)
    }

    /// The sender in E.164, completing national numbers with `default_country_code`.
    pub fn sender_e164(&self, default_country_code: &str) -> Result<String, MsisdnError> {
        normalize_msisdn(&self.from, default_country_code)
    }
}

/// The URL a gateway called, from the public base URL (KINGA_PUBLIC_URL, which may carry a
/// path prefix) and the request's path and query as the server saw them: what Twilio signed.
pub fn request_url(public_base: &str, path_and_query: &str) -> String {
    format!(
        "{}/{}",
        public_base.trim_end_matches('/'),
        path_and_query.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_url_joins_once() {
        assert_eq!(
            request_url("https://k.example/kinga/", "/channels/twilio/sms?x=1"),
            "https://k.example/kinga/channels/twilio/sms?x=1"
        );
        let sms = InboundSms {
            provider: "kannel",
            message_id: "1".into(),
            from: "0812345678".into(),
            to: None,
            text: String::new(),
            received_at: None,
        };
        assert_eq!(sms.sender_e164("243").as_deref(), Ok("+243812345678"));
        assert_eq!(sms.idempotency_key(), "kannel:1");
    }
}
