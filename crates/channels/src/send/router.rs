//! One sender for the delivery worker: text messages to the SMS gateway, e-mail to SMTP,
//! WhatsApp messages to Twilio's WhatsApp sender.

use async_trait::async_trait;

use kinga_app::delivery::{Address, MessageSender, SendError, SendReceipt};
use kinga_domain::outbox::OutboxMessage;

/// Picks the SMS or the e-mail sender by the address of each message.
pub struct Router {
    sms: Box<dyn MessageSender>,
    email: Option<Box<dyn MessageSender>>,
    whatsapp: Option<Box<dyn MessageSender>>,
}

impl Router {
    /// A router over an SMS sender and, when e-mail is set up, an e-mail sender.
    pub fn new(sms: Box<dyn MessageSender>, email: Option<Box<dyn MessageSender>>) -> Router {
        Router {
            sms,
            email,
            whatsapp: None,
        }
    }

    /// The same router, sending WhatsApp messages through `whatsapp`.
    pub fn with_whatsapp(mut self, whatsapp: Box<dyn MessageSender>) -> Router {
        self.whatsapp = Some(whatsapp);
        self
    }
}

#[async_trait]
impl MessageSender for Router {
    async fn send(&self, to: &Address, message: &OutboxMessage) -> Result<SendReceipt, SendError> {
        if let Address::Whatsapp { .. } = to {
            return match &self.whatsapp {
                Some(w) => w.send(to, message).await,
                // Permanent: the delivery worker then sends the message by SMS at once.
                None => Err(SendError::Permanent(
                    "WhatsApp sending is not set up: set KINGA_WHATSAPP_FROM".into(),
                )),
            };
        }
        match (to, &self.email) {
            (Address::Phone(_) | Address::Whatsapp { .. }, _) => self.sms.send(to, message).await,
            (Address::Email(_), Some(email)) => email.send(to, message).await,
            // Retryable: once an operator sets KINGA_SMTP_HOST and restarts, it still goes.
            (Address::Email(_), None) => Err(SendError::Retryable(
                "e-mail is not set up: set KINGA_SMTP_HOST (the [smtp] section)".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use kinga_domain::outbox::{MessageKind, Recipient};

    struct Named(&'static str);

    #[async_trait]
    impl MessageSender for Named {
        async fn send(&self, _: &Address, _: &OutboxMessage) -> Result<SendReceipt, SendError> {
            Ok(SendReceipt {
                provider: self.0.into(),
                provider_message_id: None,
            })
        }
    }

    #[tokio::test]
    async fn phones_go_to_sms_and_addresses_to_email() {
        let m = OutboxMessage::queued(
            "m".into(),
            MessageKind::Assignment,
            Recipient::Responder {
                responder: "r".into(),
            },
            None,
            "fr".into(),
            "x".into(),
            Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap(),
        );
        let phone = Address::Phone("+243990000001".into());
        let mail = Address::Email("r@example.org".into());
        let both = Router::new(Box::new(Named("sms")), Some(Box::new(Named("smtp"))));
        assert_eq!(both.send(&phone, &m).await.unwrap().provider, "sms");
        assert_eq!(both.send(&mail, &m).await.unwrap().provider, "smtp");
        let sms_only = Router::new(Box::new(Named("sms")), None);
        let e = sms_only.send(&mail, &m).await.unwrap_err();
        assert!(
            matches!(&e, SendError::Retryable(t) if t.contains("KINGA_SMTP_HOST")),
            "{e:?}"
        );
        let wa = Address::Whatsapp {
            phone: "+243990000001".into(),
            mode: kinga_domain::whatsapp::Mode::FreeText,
        };
        let e = sms_only.send(&wa, &m).await.unwrap_err();
        assert!(
            matches!(&e, SendError::Permanent(t) if t.contains("KINGA_WHATSAPP_FROM")),
            "{e:?}"
        );
        let with_wa =
            Router::new(Box::new(Named("sms")), None).with_whatsapp(Box::new(Named("wa")));
        assert_eq!(with_wa.send(&wa, &m).await.unwrap().provider, "wa");
        assert_eq!(with_wa.send(&phone, &m).await.unwrap().provider, "sms");
    }
}
