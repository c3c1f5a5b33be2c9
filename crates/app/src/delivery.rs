//! Delivery of the outbox: queued messages go out through a [`MessageSender`] (an SMS gateway,
//! SMTP, the demo's log), and gateways' delivery reports come back through
//! [`App::record_delivery`]. Every status change is a `message_status` event in the ledger,
//! committed with the message's new row.
//!
//! Delivery is at least once: a message is marked sent only after the gateway accepted it,
//! so a process that dies between the gateway's answer and the commit sends that message again
//! once its lease runs out. Nothing is lost, and a duplicate needs a crash at that instant.

use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::Duration;

use kinga_domain::outbox::{
    self, CHANNEL_EMAIL, CHANNEL_INBOX, CHANNEL_SMS, MessageStatus, OutboxMessage, Recipient,
};
use kinga_domain::registry::{ContactPreference, Responder};
use kinga_domain::whatsapp;
use kinga_ledger::Payload;
use kinga_store::{Commit, HeldReport, Write};

use crate::{App, AppResult, Caller};

/// Longest gateway error kept on a message; gateways sometimes answer with a whole page.
const MAX_ERROR_CHARS: usize = 500;

/// Days a delivery report that names no message is held for the send it may have overtaken;
/// after that it was about another system's message.
const HOLD_REPORTS_DAYS: i64 = 2;

/// Provider name of messages that stay in Kinga (coordinators read them on the outbox page).
pub const INBOX_PROVIDER: &str = "kinga";

/// Where a message goes, in clear: opened only for the moment of sending.
#[derive(Clone, PartialEq, Eq)]
pub enum Address {
    /// A phone number in E.164.
    Phone(String),
    /// An e-mail address.
    Email(String),
    /// A phone number in E.164 reached on WhatsApp, in the mode WhatsApp's rules allow.
    Whatsapp {
        /// The number, without the `whatsapp:` prefix.
        phone: String,
        /// Free text or a template.
        mode: whatsapp::Mode,
    },
}

impl Address {
    /// The outbox channel this address is reached through.
    pub fn channel(&self) -> &'static str {
        match self {
            Address::Phone(_) => CHANNEL_SMS,
            Address::Email(_) => CHANNEL_EMAIL,
            Address::Whatsapp { mode, .. } => mode.channel(),
        }
    }
}

impl std::fmt::Debug for Address {
    // Numbers of community focal points must not reach logs through a stray `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Address::Phone(_) => f.write_str("Phone(..)"),
            Address::Email(_) => f.write_str("Email(..)"),
            Address::Whatsapp { mode, .. } => write!(f, "Whatsapp(.., {mode:?})"),
        }
    }
}

/// A gateway's acceptance of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReceipt {
    /// Gateway name (`twilio`, `africastalking`, `rapidpro`, `kannel`, `smtp`, `log`).
    pub provider: String,
    /// The gateway's id of the message, which its delivery reports will quote.
    pub provider_message_id: Option<String>,
}

/// Why a gateway did not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later: network trouble, timeouts, overload, a gateway error.
    #[error("{0}")]
    Retryable(String),
    /// Trying again cannot help: the number or address is refused, the request is invalid.
    #[error("{0}")]
    Permanent(String),
}

/// The port every outbound channel implements.
#[async_trait]
pub trait MessageSender: Send + Sync {
    /// Hand `message` to the gateway for `to`; `Ok` only once the gateway has accepted it.
    async fn send(&self, to: &Address, message: &OutboxMessage) -> Result<SendReceipt, SendError>;
}

/// What one run of the delivery worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryRun {
    /// Accepted by a gateway.
    pub sent: usize,
    /// Left in Kinga's own inbox (messages to coordinators).
    pub inbox: usize,
    /// Failed this time, to be tried again later.
    pub retrying: usize,
    /// Given up on.
    pub failed: usize,
}

impl DeliveryRun {
    /// Messages the run dealt with.
    pub fn total(&self) -> usize {
        self.sent + self.inbox + self.retrying + self.failed
    }
}

/// How a message can be delivered.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    /// Through the sender, to this address; with a note for the outbox when the channel is
    /// not the one the recipient used (SMS to someone who wrote on WhatsApp).
    Send(Address, Option<String>),
    /// Nowhere outside Kinga: coordinators read their messages in the web UI, which has no
    /// contact details for users to send to.
    Inbox,
    /// Nowhere at all, for this reason.
    Unreachable(String),
}

/// What happened to one message.
enum Outcome {
    /// Taken, by this channel, with a note on why that channel.
    Sent(SendReceipt, &'static str, Option<String>),
    Inbox,
    Error(SendError),
}

impl App {
    /// Send every queued message that is due, oldest first, at most `settings.outbound.batch`
    /// per run, and record each outcome: sent, retry later (with back-off), or failed.
    pub async fn deliver_due(&self, sender: &dyn MessageSender) -> AppResult<DeliveryRun> {
        let cfg = &self.settings.outbound;
        let timeout = StdDuration::from_secs(cfg.timeout_seconds.clamp(1, 600));
        let batch = cfg.batch.clamp(1, 1000);
        // Long enough for the whole batch to time out one message after the other, so no
        // other worker takes a message this one is still sending.
        let lease = Duration::seconds((timeout.as_secs() as i64 + 5) * batch as i64 + 60);
        let now = self.now();
        let claimed = self.store.claim_outbox(now, now + lease, batch).await?;
        let mut run = DeliveryRun::default();
        let mut responders: Option<Vec<Responder>> = None;
        for message in claimed {
            let queued_body = message.body.clone();
            let (message, outcome) = match self.route(&message, &mut responders).await? {
                Route::Send(to, note) => attempt_or_sms(sender, to, note, message, timeout).await,
                Route::Inbox => (message, Outcome::Inbox),
                Route::Unreachable(why) => (message, Outcome::Error(SendError::Permanent(why))),
            };
            let sent_body = (message.body != queued_body).then(|| message.body.clone());
            self.settle(message, outcome, sent_body, &mut run).await?;
        }
        Ok(run)
    }

    /// Record the outcome of one attempt on the message and commit it with its event.
    async fn settle(
        &self,
        mut m: OutboxMessage,
        outcome: Outcome,
        sent_body: Option<String>,
        run: &mut DeliveryRun,
    ) -> AppResult<()> {
        let now = self.now();
        let mut sent_as = None;
        m.attempts = m.attempts.saturating_add(1);
        m.next_attempt_at = None;
        match outcome {
            Outcome::Sent(receipt, channel, note) => {
                m.status = MessageStatus::Sent;
                m.last_error = note.map(|n| short(&n));
                m.channel = Some(channel.to_string());
                sent_as = receipt
                    .provider_message_id
                    .clone()
                    .map(|id| (receipt.provider.clone(), id));
                m.provider = Some(receipt.provider);
                m.provider_message_id = receipt.provider_message_id;
                run.sent += 1;
            }
            Outcome::Inbox => {
                m.status = MessageStatus::Sent;
                m.last_error = None;
                m.channel = Some(CHANNEL_INBOX.to_string());
                m.provider = Some(INBOX_PROVIDER.to_string());
                run.inbox += 1;
            }
            Outcome::Error(e) => {
                let retry = match &e {
                    SendError::Retryable(_) => self
                        .settings
                        .outbound
                        .retry_policy()
                        .next_attempt(m.attempts, now),
                    SendError::Permanent(_) => None,
                };
                m.last_error = Some(short(&e.to_string()));
                m.next_attempt_at = retry;
                if retry.is_some() {
                    m.status = MessageStatus::Queued;
                    run.retrying += 1;
                    tracing::warn!(message = %m.id, attempts = m.attempts, error = %e, "delivery failed; will try again");
                } else {
                    m.status = MessageStatus::Failed;
                    run.failed += 1;
                    tracing::warn!(message = %m.id, attempts = m.attempts, error = %e, "delivery failed; giving up");
                }
            }
        }
        self.save_message(&Caller::system().name, m, sent_body)
            .await?;
        match sent_as {
            // Looked for only after the send is committed: see `record_delivery`.
            Some((provider, id)) => self.apply_held_reports(&provider, &id).await,
            None => Ok(()),
        }
    }

    /// Commit a message's new delivery state with the event that records it (and the text
    /// as it went out, when it is not the text queued).
    async fn save_message(
        &self,
        actor: &str,
        m: OutboxMessage,
        sent_body: Option<String>,
    ) -> AppResult<()> {
        let event = self.draft(
            actor,
            Payload::MessageStatus {
                message: m.id.clone(),
                status: m.status,
                error: m.last_error.clone(),
                delivery: Some(m.delivery_state()),
                body: sent_body,
            },
        );
        self.commit(Commit {
            events: vec![event],
            writes: vec![Write::Outbox(m)],
        })
        .await?;
        Ok(())
    }

    /// Record a gateway's delivery report. Returns false when no message has that gateway
    /// id yet: the report is then held, and applied if the worker records a send with that id
    /// (Kannel's fake and real SMSCs report within milliseconds, before the worker has
    /// committed the send they answer). Repeated and out-of-date reports change nothing.
    pub async fn record_delivery(
        &self,
        provider: &str,
        provider_message_id: &str,
        status: MessageStatus,
        error: Option<String>,
    ) -> AppResult<bool> {
        if crate::limits::check("message id", provider_message_id, crate::limits::ID).is_err() {
            // No message of ours has such an id.
            return Ok(false);
        }
        let error = error.map(|e| short(&e));
        if let Some(m) = self
            .store
            .outbox_by_provider_id(provider, provider_message_id)
            .await?
        {
            self.apply_reports(provider, m, vec![(status, error)])
                .await?;
            return Ok(true);
        }
        let now = self.now();
        let report = HeldReport {
            provider: provider.to_string(),
            provider_message_id: provider_message_id.to_string(),
            status,
            error,
            received_at: now,
        };
        self.store
            .hold_report(&report, now - Duration::days(HOLD_REPORTS_DAYS))
            .await?;
        // The worker looks for held reports after committing its send; this side looks for
        // the send after committing the hold. Whatever the timing, one of the two sees the
        // other, and applying a report twice changes nothing.
        if self
            .store
            .outbox_by_provider_id(provider, provider_message_id)
            .await?
            .is_none()
        {
            return Ok(false);
        }
        self.apply_held_reports(provider, provider_message_id)
            .await?;
        Ok(true)
    }

    /// Apply the reports held for a gateway's message id, if any, to its message.
    async fn apply_held_reports(&self, provider: &str, provider_message_id: &str) -> AppResult<()> {
        let held = self
            .store
            .take_held_reports(provider, provider_message_id)
            .await?;
        if held.is_empty() {
            return Ok(());
        }
        let Some(m) = self
            .store
            .outbox_by_provider_id(provider, provider_message_id)
            .await?
        else {
            return Ok(());
        };
        let reports = held.into_iter().map(|r| (r.status, r.error)).collect();
        self.apply_reports(provider, m, reports).await
    }

    /// Apply a gateway's reports, in the order given, and commit the message if they moved it.
    async fn apply_reports(
        &self,
        provider: &str,
        mut m: OutboxMessage,
        reports: Vec<(MessageStatus, Option<String>)>,
    ) -> AppResult<()> {
        let before = m.status;
        for (status, error) in reports {
            let Some(next) = m.status.after_report(status) else {
                continue;
            };
            m.status = next;
            m.last_error = match next {
                MessageStatus::Failed => Some(error.unwrap_or_else(|| {
                    "the gateway reports the message was not delivered".to_string()
                })),
                _ => None,
            };
        }
        if m.status == before {
            return Ok(());
        }
        self.save_message(&Caller::gateway(provider).name, m, None)
            .await
    }

    /// Where a message can go. Responders are read from the store once per run, so one
    /// registered a moment ago on another server is found too.
    async fn route(
        &self,
        m: &OutboxMessage,
        responders: &mut Option<Vec<Responder>>,
    ) -> AppResult<Route> {
        Ok(match &m.recipient {
            Recipient::Reporter {
                phone_sealed: Some(sealed),
                ..
            } => match self.sealer.open(sealed) {
                Ok(phone) => self.reporter_route(m, phone).await?,
                Err(e) => {
                    Route::Unreachable(format!("the reporter's number cannot be opened: {e}"))
                }
            },
            Recipient::Reporter { .. } => {
                Route::Unreachable("the reporter left no phone number".into())
            }
            Recipient::User { via: None, .. } => Route::Inbox,
            Recipient::User {
                user,
                via: Some(via),
            } => {
                let Some(u) = self.store.user(user).await? else {
                    return Ok(Route::Unreachable(format!("unknown user '{user}'")));
                };
                match (via.as_str(), &u.phone, &u.email) {
                    ("sms", Some(p), _) => match self.normalize_phone(p) {
                        Ok(n) => Route::Send(Address::Phone(n), None),
                        Err(e) => Route::Unreachable(e.to_string()),
                    },
                    ("email", _, Some(e)) if e.contains('@') => {
                        Route::Send(Address::Email(e.trim().to_string()), None)
                    }
                    _ => Route::Unreachable(format!(
                        "user '{}' has no {via} contact any more",
                        u.name
                    )),
                }
            }
            Recipient::Responder { responder } => {
                if responders.is_none() {
                    *responders = Some(self.store.responders().await?);
                }
                let found = responders
                    .as_deref()
                    .and_then(|all| all.iter().find(|r| &r.id == responder));
                match found {
                    Some(r) => self.responder_route(r),
                    None => Route::Unreachable(format!("unknown responder '{responder}'")),
                }
            }
        })
    }

    /// A reporter's number by SMS, or on WhatsApp when they wrote about the alert on WhatsApp
    /// and WhatsApp's rules (`kinga_domain::whatsapp`) allow a message now.
    async fn reporter_route(&self, m: &OutboxMessage, phone: String) -> AppResult<Route> {
        let cfg = &self.settings.whatsapp;
        let alert = match &m.alert {
            Some(id) if cfg.enabled() => self.store.alert(id).await?,
            _ => None,
        };
        let last = alert.as_ref().and_then(whatsapp::last_inbound);
        let plan = whatsapp::plan(
            last,
            self.now(),
            cfg.margin(),
            &m.language,
            cfg.template(&m.language),
        );
        Ok(match plan {
            whatsapp::Plan::Sms => Route::Send(Address::Phone(phone), None),
            whatsapp::Plan::Whatsapp(mode) => Route::Send(Address::Whatsapp { phone, mode }, None),
            whatsapp::Plan::SmsInstead(why) => {
                Route::Send(Address::Phone(phone), Some(why.to_string()))
            }
        })
    }

    /// The responder's preferred contact, or the other one when the preferred is missing.
    fn responder_route(&self, r: &Responder) -> Route {
        let email = r
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| e.contains('@'))
            .map(|e| Address::Email(e.to_string()));
        let phone = r
            .phone
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .map(|p| self.normalize_phone(p).map(Address::Phone));
        let phone = match phone {
            Some(Ok(a)) => Some(a),
            Some(Err(e)) if email.is_none() => return Route::Unreachable(e.to_string()),
            _ => None,
        };
        let (first, second) = match r.prefers {
            ContactPreference::Sms => (phone, email),
            ContactPreference::Email => (email, phone),
        };
        match first.or(second) {
            Some(a) => Route::Send(a, None),
            None => Route::Unreachable(format!(
                "responder '{}' has neither a phone number nor an e-mail address",
                r.id
            )),
        }
    }
}

/// One attempt through the sender; a message WhatsApp refuses for good goes by SMS at once,
/// noted so the outbox says why.
async fn attempt_or_sms(
    sender: &dyn MessageSender,
    to: Address,
    note: Option<String>,
    message: OutboxMessage,
    timeout: StdDuration,
) -> (OutboxMessage, Outcome) {
    let (message, outcome) = attempt(sender, &to, message, timeout).await;
    match (to, outcome) {
        (Address::Whatsapp { phone, .. }, Outcome::Error(SendError::Permanent(why))) => {
            tracing::info!(message = %message.id, error = %why, "WhatsApp refused the message; sending it by SMS");
            let (message, outcome) =
                attempt(sender, &Address::Phone(phone), message, timeout).await;
            let outcome = match outcome {
                Outcome::Sent(receipt, channel, _) => Outcome::Sent(
                    receipt,
                    channel,
                    Some(format!("WhatsApp refused it ({why}): sent by SMS")),
                ),
                other => other,
            };
            (message, outcome)
        }
        (_, Outcome::Sent(receipt, channel, _)) => (message, Outcome::Sent(receipt, channel, note)),
        (_, outcome) => (message, outcome),
    }
}

/// One attempt through the sender. SMS bodies are cut to what may be sent, and the message
/// comes back as it went out, so the outbox shows what the recipient got.
async fn attempt(
    sender: &dyn MessageSender,
    to: &Address,
    mut message: OutboxMessage,
    timeout: StdDuration,
) -> (OutboxMessage, Outcome) {
    if matches!(to, Address::Phone(_)) {
        message.body = outbox::sms_body(&message.body);
    }
    let outcome = match tokio::time::timeout(timeout, sender.send(to, &message)).await {
        Ok(Ok(receipt)) => Outcome::Sent(receipt, to.channel(), None),
        Ok(Err(e)) => Outcome::Error(e),
        Err(_) => Outcome::Error(SendError::Retryable(format!(
            "no answer from the gateway within {} s",
            timeout.as_secs()
        ))),
    };
    (message, outcome)
}

/// An error message cut to a length the outbox page can show.
fn short(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= MAX_ERROR_CHARS {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(MAX_ERROR_CHARS).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_errors_are_cut() {
        assert_eq!(short("  HTTP 503 "), "HTTP 503");
        let long = "x".repeat(2000);
        assert_eq!(short(&long).chars().count(), MAX_ERROR_CHARS + 1);
    }

    #[test]
    fn addresses_do_not_print_their_value() {
        let a = Address::Phone("+243990000001".into());
        assert_eq!(format!("{a:?}"), "Phone(..)");
        assert_eq!(a.channel(), "sms");
        assert_eq!(Address::Email("a@b".into()).channel(), "email");
        let w = Address::Whatsapp {
            phone: "+243990000001".into(),
            mode: whatsapp::Mode::FreeText,
        };
        assert_eq!(format!("{w:?}"), "Whatsapp(.., FreeText)");
        assert_eq!(w.channel(), "whatsapp");
    }
}
