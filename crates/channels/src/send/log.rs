//! The `log` driver: what the demo (and a deployment without a gateway yet) sends. Each
//! message is written to the application log and appended to `<data_dir>/outbox.log`, where
//! an operator reads what would have gone out. Phone numbers are masked there: the file sits
//! on disk unencrypted, and the numbers are reporters'.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use tokio::io::AsyncWriteExt;

use kinga_app::delivery::{Address, MessageSender, SendError, SendReceipt};
use kinga_domain::outbox::OutboxMessage;

/// Provider name of messages written to the log.
pub const PROVIDER: &str = "log";

/// Writes messages to the log and to `outbox.log`, and reports them sent.
#[derive(Debug, Clone)]
pub struct LogSender {
    file: PathBuf,
}

impl LogSender {
    /// A sender appending to `<data_dir>/outbox.log`.
    pub fn new(data_dir: impl AsRef<Path>) -> LogSender {
        LogSender {
            file: data_dir.as_ref().join("outbox.log"),
        }
    }

    /// The file messages are appended to.
    pub fn file(&self) -> &Path {
        &self.file
    }
}

#[async_trait]
impl MessageSender for LogSender {
    async fn send(&self, to: &Address, message: &OutboxMessage) -> Result<SendReceipt, SendError> {
        let (channel, shown) = match to {
            Address::Phone(p) => ("sms", mask_phone(p)),
            Address::Email(e) => ("email", e.clone()),
            Address::Whatsapp { phone, .. } => (to.channel(), mask_phone(phone)),
        };
        // One line per message, whatever its body holds.
        let body = message.body.replace(['\r', '\n'], " ");
        tracing::info!(message = %message.id, channel, to = %shown, body = %body, "outbound message (log driver)");
        let line = format!(
            "{}\t{channel}\t{shown}\t{}\t{}\n",
            message.created_at.to_rfc3339(),
            message.id,
            body
        );
        append(&self.file, line.as_bytes()).await.map_err(|e| {
            SendError::Retryable(format!("cannot write {}: {e}", self.file.display()))
        })?;
        Ok(SendReceipt {
            provider: PROVIDER.into(),
            provider_message_id: Some(message.id.clone()),
        })
    }
}

async fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir).await?;
    }
    // Bodies name alerts and places: the file is the server user's alone from its creation.
    let mut f = tokio::fs::OpenOptions::from(kinga_app::files::private_options())
        .create(true)
        .append(true)
        .open(path)
        .await?;
    f.write_all(bytes).await?;
    f.flush().await
}

/// `+243990001001` → `+24399****001`: enough to tell messages apart, not to call anyone.
fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let n = chars.len();
    if n <= 6 {
        return "*".repeat(n);
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 6 || i >= n - 3 { *c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use kinga_domain::outbox::{MessageKind, Recipient};

    #[test]
    fn numbers_are_masked() {
        assert_eq!(mask_phone("+243990001001"), "+24399****001");
        assert_eq!(mask_phone("12345"), "*****");
    }

    #[tokio::test]
    async fn messages_are_appended_one_line_each() {
        let dir = tempfile::tempdir().unwrap();
        let sender = LogSender::new(dir.path().join("data"));
        let m = OutboxMessage::queued(
            "01MSG".into(),
            MessageKind::Assignment,
            Recipient::Responder {
                responder: "clp".into(),
            },
            None,
            "fr".into(),
            "Kinga K-1\nligne deux".into(),
            Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap(),
        );
        let r = sender
            .send(&Address::Phone("+243990001001".into()), &m)
            .await
            .unwrap();
        assert_eq!(r.provider, "log");
        assert_eq!(r.provider_message_id.as_deref(), Some("01MSG"));
        sender
            .send(&Address::Email("cla@example.org".into()), &m)
            .await
            .unwrap();
        let text = std::fs::read_to_string(sender.file()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].contains("\tsms\t+24399****001\t01MSG\tKinga K-1 ligne deux"));
        assert!(!text.contains("+243990001001"));
        assert!(lines[1].contains("\temail\tcla@example.org\t"));
    }
}
