//! E-mail through an SMTP server, for responders who prefer e-mail to SMS.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use kinga_app::delivery::{Address, MessageSender, SendError, SendReceipt};
use kinga_app::settings::Smtp;
use kinga_domain::outbox::OutboxMessage;

use super::SetupError;

/// Provider name of messages sent by e-mail.
pub const PROVIDER: &str = "smtp";

/// Longest subject line, in characters (RFC 5322 recommends 78 for a whole header line).
const SUBJECT_CHARS: usize = 70;

/// Sends e-mail through the `[smtp]` server.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SmtpSender(from {})", self.from)
    }
}

impl SmtpSender {
    /// A sender over `[smtp]`: STARTTLS required when `starttls`, plain SMTP otherwise.
    pub fn new(s: &Smtp, timeout_seconds: u64) -> Result<SmtpSender, SetupError> {
        let host = super::required(&s.host, "smtp", "KINGA_SMTP_HOST")?;
        let from: Mailbox = s
            .from
            .trim()
            .parse()
            .map_err(|e| SetupError::Smtp(format!("from address '{}': {e}", s.from)))?;
        let builder = if s.starttls {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| SetupError::Smtp(e.to_string()))?
        } else {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        };
        let mut builder = builder
            .port(s.port)
            .timeout(Some(Duration::from_secs(timeout_seconds.clamp(1, 600))));
        if !s.username.trim().is_empty() {
            builder = builder.credentials(Credentials::new(
                s.username.trim().into(),
                s.password.clone(),
            ));
        }
        Ok(SmtpSender {
            transport: builder.build(),
            from,
        })
    }
}

#[async_trait]
impl MessageSender for SmtpSender {
    async fn send(&self, to: &Address, message: &OutboxMessage) -> Result<SendReceipt, SendError> {
        let Address::Email(address) = to else {
            return Err(SendError::Permanent("SMTP sends e-mail only".into()));
        };
        let to: Mailbox = address
            .parse()
            .map_err(|e| SendError::Permanent(format!("invalid e-mail address: {e}")))?;
        let message_id = format!("<{}@kinga>", message.id);
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject(&message.body))
            .message_id(Some(message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|e| SendError::Permanent(format!("cannot build the e-mail: {e}")))?;
        match self.transport.send(email).await {
            Ok(_) => Ok(SendReceipt {
                provider: PROVIDER.into(),
                provider_message_id: Some(message_id),
            }),
            // 5xx: the server refuses this mail for good (unknown mailbox, policy).
            Err(e) if e.is_permanent() => Err(SendError::Permanent(format!("SMTP: {e}"))),
            Err(e) => Err(SendError::Retryable(format!("SMTP: {e}"))),
        }
    }
}

/// The first line of the body, cut to fit a subject.
fn subject(body: &str) -> String {
    let first = body.lines().next().unwrap_or("Kinga").trim();
    if first.chars().count() <= SUBJECT_CHARS {
        return first.to_string();
    }
    let mut s: String = first.chars().take(SUBJECT_CHARS - 1).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use kinga_domain::outbox::{MessageKind, Recipient};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    /// A one-connection SMTP server answering RCPT with `rcpt_reply`; returns what it got.
    async fn smtp_server(rcpt_reply: &'static str) -> (u16, tokio::task::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let (sock, _) = listener.accept().await.unwrap();
            let (r, mut w) = sock.into_split();
            let mut lines = BufReader::new(r).lines();
            let mut seen = String::new();
            w.write_all(b"220 test ESMTP\r\n").await.unwrap();
            let mut in_data = false;
            while let Ok(Some(line)) = lines.next_line().await {
                seen.push_str(&line);
                seen.push('\n');
                let reply: &str = if in_data {
                    if line != "." {
                        continue;
                    }
                    in_data = false;
                    "250 2.0.0 queued\r\n"
                } else {
                    match line.get(..4).unwrap_or("").to_ascii_uppercase().as_str() {
                        "EHLO" => "250-test\r\n250 8BITMIME\r\n",
                        "RCPT" => rcpt_reply,
                        "DATA" => {
                            in_data = true;
                            "354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => "250 ok\r\n",
                    }
                };
                if w.write_all(reply.as_bytes()).await.is_err() {
                    break;
                }
            }
            seen
        });
        (port, task)
    }

    fn sender(port: u16) -> SmtpSender {
        let s = Smtp {
            host: "127.0.0.1".into(),
            port,
            starttls: false,
            from: "Kinga <kinga@example.org>".into(),
            ..Smtp::default()
        };
        SmtpSender::new(&s, 5).unwrap()
    }

    fn message() -> OutboxMessage {
        OutboxMessage::queued(
            "01MAIL".into(),
            MessageKind::Assignment,
            Recipient::Responder {
                responder: "clp".into(),
            },
            None,
            "fr".into(),
            "Kinga K-12 - S4 Attaque contre des civils - Kiwanja : tirs".into(),
            Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap(),
        )
    }

    #[tokio::test]
    async fn an_assignment_goes_out_by_smtp() {
        let (port, server) = smtp_server("250 ok\r\n").await;
        let r = sender(port)
            .send(&Address::Email("cla@example.org".into()), &message())
            .await
            .unwrap();
        assert_eq!(r.provider, "smtp");
        assert_eq!(r.provider_message_id.as_deref(), Some("<01MAIL@kinga>"));
        let seen = server.await.unwrap();
        assert!(seen.contains("RCPT TO:<cla@example.org>"), "{seen}");
        assert!(seen.contains("Subject: Kinga K-12 - S4"), "{seen}");
        assert!(seen.contains("Kiwanja : tirs"), "{seen}");
    }

    #[tokio::test]
    async fn refusals_are_permanent_and_busy_servers_retried() {
        let (port, _server) = smtp_server("550 5.1.1 no such mailbox\r\n").await;
        let e = sender(port)
            .send(&Address::Email("nobody@example.org".into()), &message())
            .await
            .unwrap_err();
        assert!(matches!(e, SendError::Permanent(_)), "{e:?}");
        let (port, _server) = smtp_server("451 4.3.0 try later\r\n").await;
        let e = sender(port)
            .send(&Address::Email("cla@example.org".into()), &message())
            .await
            .unwrap_err();
        assert!(matches!(e, SendError::Retryable(_)), "{e:?}");
        let e = sender(port)
            .send(&Address::Email("not an address".into()), &message())
            .await
            .unwrap_err();
        assert!(matches!(e, SendError::Permanent(_)), "{e:?}");
    }

    #[test]
    fn subjects_are_one_short_line() {
        assert_eq!(subject("Kinga K-1\nsuite"), "Kinga K-1");
        assert_eq!(subject(&"x".repeat(100)).chars().count(), SUBJECT_CHARS);
    }
}
