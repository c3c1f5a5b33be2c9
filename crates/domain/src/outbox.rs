//! Messages waiting to go out: acknowledgements, feedback to reporters, escalations, digests.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::alert::OutcomeCategory;
use crate::sms::segments::fit;

/// Why a message is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// "Alert K-1234 received".
    Acknowledgement,
    /// Closing feedback to the reporter.
    Feedback,
    /// A question from the liaison assistant to the reporter.
    Question,
    /// A responder's assignment.
    Assignment,
    /// A missed deadline, to coordinators.
    Escalation,
    /// The daily alert tracking digest, to coordinators.
    Digest,
    /// An analysis alert (a spike of one threat type in an area), to coordinators.
    Analysis,
    /// A broadcast to the focal points and networks of an area (transition).
    Broadcast,
}

/// Delivery state of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Waiting for a gateway.
    Queued,
    /// Handed to the gateway.
    Sent,
    /// The gateway confirmed delivery.
    Delivered,
    /// Given up after retries.
    Failed,
}

/// Who a message is for. Phone numbers are sealed like focal points' numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Recipient {
    /// The reporter of an alert (sealed number).
    Reporter {
        /// Sealed phone number.
        phone_sealed: Option<String>,
        /// Pseudonym for display.
        pseudonym: Option<String>,
    },
    /// A Kinga user (coordinators for escalations and digests).
    User {
        /// User id.
        user: String,
        /// `sms` or `email` for a copy sent outside Kinga; none for the inbox.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<String>,
    },
    /// A responder.
    Responder {
        /// Responder id.
        responder: String,
    },
}

/// One message in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Stable id.
    pub id: String,
    /// Why.
    pub kind: MessageKind,
    /// For whom.
    pub recipient: Recipient,
    /// Alert it concerns.
    pub alert: Option<String>,
    /// Language of the body.
    pub language: String,
    /// Text.
    pub body: String,
    /// Delivery state.
    pub status: MessageStatus,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Last error from a gateway.
    pub last_error: Option<String>,
    /// Queued at.
    pub created_at: DateTime<Utc>,
    /// When the next delivery attempt is due; none means at once.
    #[serde(default)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Gateway that took the message (`twilio`, `kannel`, `smtp`, `log`, `inbox`, …).
    #[serde(default)]
    pub provider: Option<String>,
    /// The gateway's id of the message, which its delivery reports quote.
    #[serde(default)]
    pub provider_message_id: Option<String>,
    /// How it went out: [`CHANNEL_SMS`], [`CHANNEL_EMAIL`] or [`CHANNEL_INBOX`].
    #[serde(default)]
    pub channel: Option<String>,
}

/// Channel of a message sent as a text message.
pub const CHANNEL_SMS: &str = "sms";
/// Channel of a message sent by e-mail.
pub const CHANNEL_EMAIL: &str = "email";
/// Channel of a message that stays in Kinga, read on the outbox page (coordinators).
pub const CHANNEL_INBOX: &str = "inbox";

/// Most SMS parts one message may cost; longer bodies are cut to fit.
pub const MAX_SMS_SEGMENTS: usize = 3;

impl OutboxMessage {
    /// The channel the message goes or went out by: the one delivery recorded, else the one
    /// its recipient implies (none for a responder, whose contact decides at delivery).
    pub fn channel_of(&self) -> Option<&str> {
        self.channel.as_deref().or(match &self.recipient {
            Recipient::Reporter { .. } => Some(CHANNEL_SMS),
            Recipient::User { via: Some(v), .. } => Some(v.as_str()),
            Recipient::User { via: None, .. } => Some(CHANNEL_INBOX),
            Recipient::Responder { .. } => None,
        })
    }

    /// The user whose Kinga inbox holds this message, if it is an inbox copy.
    pub fn inbox_user(&self) -> Option<&str> {
        match &self.recipient {
            Recipient::User { user, via: None } => Some(user),
            _ => None,
        }
    }

    /// A new message waiting for its first delivery attempt.
    pub fn queued(
        id: String,
        kind: MessageKind,
        recipient: Recipient,
        alert: Option<String>,
        language: String,
        body: String,
        created_at: DateTime<Utc>,
    ) -> OutboxMessage {
        OutboxMessage {
            id,
            kind,
            recipient,
            alert,
            language,
            body,
            status: MessageStatus::Queued,
            attempts: 0,
            last_error: None,
            created_at,
            next_attempt_at: None,
            provider: None,
            provider_message_id: None,
            channel: None,
        }
    }

    /// True when a delivery attempt may be made at `now`.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.status == MessageStatus::Queued && self.next_attempt_at.is_none_or(|t| t <= now)
    }
}

/// What delivery left on a message besides its status, as the ledger records it with each
/// status change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryState {
    /// Delivery attempts so far.
    pub attempts: u32,
    /// When the next attempt is due, while retrying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Gateway that took the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The gateway's id of the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message_id: Option<String>,
    /// How it went out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

impl OutboxMessage {
    /// The delivery fields of this message.
    pub fn delivery_state(&self) -> DeliveryState {
        DeliveryState {
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at,
            provider: self.provider.clone(),
            provider_message_id: self.provider_message_id.clone(),
            channel: self.channel.clone(),
        }
    }
}

impl MessageStatus {
    /// The status a gateway's delivery report moves a message to, or `None` when the report
    /// changes nothing: reports arrive late, twice and out of order, and only a message we
    /// handed over can be reported on, so a status never moves back.
    pub fn after_report(self, reported: MessageStatus) -> Option<MessageStatus> {
        use MessageStatus::*;
        match (self, reported) {
            (Sent, Delivered | Failed) => Some(reported),
            // A phone that finally answered beats an earlier "undelivered".
            (Failed, Delivered) => Some(Delivered),
            _ => None,
        }
    }
}

/// When failed delivery attempts are tried again: exponential back-off from `base`, capped at
/// `max_delay`, giving up after `max_attempts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Wait after the first failed attempt; doubled after each further one.
    pub base: Duration,
    /// Longest wait between two attempts.
    pub max_delay: Duration,
    /// Attempts made before a message is marked failed.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::minutes(1),
            max_delay: Duration::hours(1),
            max_attempts: 8,
        }
    }
}

impl RetryPolicy {
    /// When to try again after `attempts` failed attempts (counting the one that just
    /// failed), or `None` when it is time to give up.
    pub fn next_attempt(&self, attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if attempts >= self.max_attempts {
            return None;
        }
        // 2^20 already exceeds any sensible cap; stopping there keeps the product finite.
        let factor = 1i32 << attempts.saturating_sub(1).min(20);
        let delay = self
            .base
            .checked_mul(factor)
            .map_or(self.max_delay, |d| d.min(self.max_delay));
        Some(now + delay.max(Duration::zero()))
    }
}

/// [`RetryPolicy::next_attempt`] with the default policy: 1, 2, 4, … minutes, at most an hour
/// apart, failed after 8 attempts.
pub fn next_attempt(attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    RetryPolicy::default().next_attempt(attempts, now)
}

/// The body as it goes out by SMS: cut to at most [`MAX_SMS_SEGMENTS`] parts.
pub fn sms_body(body: &str) -> String {
    fit(body, MAX_SMS_SEGMENTS)
}

/// Pick the language a reporter's message is written in: French, English or Swahili (Arabic
/// falls back to French, the lingua franca of the first deployments, until translated).
pub fn message_language(lang: Option<&str>) -> &'static str {
    match lang {
        Some("en") => "en",
        Some("sw") => "sw",
        _ => "fr",
    }
}

// Every text below stays in the GSM 7-bit alphabet ("é" is in it, "ç" and "ô" are not): one SMS
// then holds 160 characters instead of 70.

/// The plain message telling a reporter their alert arrived.
pub fn acknowledgement_text(lang: Option<&str>, reference: &str) -> String {
    match message_language(lang) {
        "en" => format!("Kinga: alert {reference} received. We are looking into it."),
        "sw" => format!("Kinga: taarifa {reference} imepokelewa. Tunaifuatilia."),
        _ => format!("Kinga : alerte {reference} enregistrée. Nous nous en occupons."),
    }
}

/// A liaison assistant's question to a reporter, naming the alert so the answer can cite it.
pub fn question_text(reference: &str, question: &str) -> String {
    format!("Kinga {reference}: {}", question.trim())
}

/// What became of an alert, in words a reporter reads.
fn category_phrase(lang: &str, category: OutcomeCategory) -> &'static str {
    use OutcomeCategory::*;
    match (lang, category) {
        ("en", Responded) => "A responder acted",
        ("en", Referred) => "It was passed on to another organisation",
        ("en", NoResponder) => "No responder was available",
        ("en", FalseAlarm) => "It could not be confirmed",
        ("en", ResolvedItself) => "The situation calmed down",
        ("en", Other) => "It is closed",
        ("sw", Responded) => "Hatua zimechukuliwa",
        ("sw", Referred) => "Imepelekwa kwa shirika lingine",
        ("sw", NoResponder) => "Hakuna aliyeweza kujibu",
        ("sw", FalseAlarm) => "Haikuthibitishwa",
        ("sw", ResolvedItself) => "Hali imetulia",
        ("sw", Other) => "Imefungwa",
        (_, Responded) => "Une intervention a eu lieu",
        (_, Referred) => "Elle a été transmise à un autre acteur",
        (_, NoResponder) => "Aucun intervenant n'a pu répondre",
        (_, FalseAlarm) => "Elle n'a pas été confirmée",
        (_, ResolvedItself) => "La situation s'est calmée",
        (_, Other) => "Elle est close",
    }
}

/// The plain message telling a reporter what became of their alert, wholly in the reporter's
/// language: the liaison assistant's words are added only when written in that language
/// (`details`), never a sentence of another language in the middle.
pub fn feedback_text(
    lang: Option<&str>,
    reference: &str,
    category: OutcomeCategory,
    details: Option<&str>,
) -> String {
    let lang = message_language(lang);
    let phrase = category_phrase(lang, category);
    // The template ends the sentence itself.
    let details = details
        .map(|d| d.trim().trim_end_matches(['.', ' ']))
        .filter(|d| !d.is_empty());
    match (lang, details) {
        ("en", Some(d)) => format!("Kinga: alert {reference} is closed. {phrase}: {d}. Thank you."),
        ("en", None) => format!("Kinga: alert {reference} is closed. {phrase}. Thank you."),
        ("sw", Some(d)) => format!("Kinga: taarifa {reference} imefungwa. {phrase}: {d}. Asante."),
        ("sw", None) => format!("Kinga: taarifa {reference} imefungwa. {phrase}. Asante."),
        (_, Some(d)) => format!("Kinga : alerte {reference} fermée. {phrase} : {d}. Merci."),
        (_, None) => format!("Kinga : alerte {reference} fermée. {phrase}. Merci."),
    }
}

/// The message telling a coordinator that a deadline was missed, in the coordinator's language.
pub fn escalation_text(
    lang: &str,
    deadline: crate::deadline::DeadlineKind,
    reference: &str,
    severity: u8,
    place: &str,
) -> String {
    use crate::deadline::DeadlineKind::*;
    if lang == "fr" {
        let what = match deadline {
            Acknowledge => "d'accusé de réception",
            Verify => "de vérification",
            Respond => "d'intervention",
        };
        format!("Kinga : alerte {reference} (gravité {severity}, {place}) : délai {what} dépassé.")
    } else {
        let what = match deadline {
            Acknowledge => "acknowledgement",
            Verify => "verification",
            Respond => "response",
        };
        format!("Kinga: alert {reference} (severity {severity}, {place}): {what} deadline missed.")
    }
}

/// The message telling a responder of an assignment (French, the working language of the
/// responders of the first deployments), in the GSM alphabet save for what the alert says.
pub fn assignment_text(
    reference: &str,
    severity: u8,
    threat: &str,
    place: &str,
    alert_text: &str,
) -> String {
    let excerpt: String = alert_text.chars().take(300).collect();
    format!("Kinga {reference} - S{severity} {threat} - {place} : {excerpt}")
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::sms::segments::{Encoding, segments};
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap()
    }

    #[test]
    fn feedback_is_in_reporter_language() {
        let r = OutcomeCategory::Responded;
        let fr = feedback_text(Some("fr"), "K-12", r, Some("patrouille envoyée"));
        assert!(fr.contains("K-12") && fr.contains("patrouille envoyée") && fr.contains("fermée"));
        assert!(
            feedback_text(Some("fr"), "K-12", r, Some("blessés référés. "))
                .ends_with("référés. Merci."),
            "one full stop"
        );
        let en = feedback_text(Some("en"), "K-12", r, Some("patrol sent"));
        assert!(en.contains("closed") && en.contains("patrol sent"));
        let sw = feedback_text(Some("sw"), "K-12", OutcomeCategory::NoResponder, None);
        assert_eq!(
            sw,
            "Kinga: taarifa K-12 imefungwa. Hakuna aliyeweza kujibu. Asante."
        );
        assert_eq!(message_language(Some("sw")), "sw");
        assert_eq!(message_language(Some("ar")), "fr");
    }

    #[test]
    fn escalations_speak_the_coordinators_language() {
        use crate::deadline::DeadlineKind;
        let fr = escalation_text("fr", DeadlineKind::Verify, "K-7", 4, "Minova");
        assert!(
            fr.contains("vérification") && !fr.contains("verify"),
            "{fr}"
        );
        let en = escalation_text("en", DeadlineKind::Acknowledge, "K-7", 4, "Minova");
        assert!(en.contains("acknowledgement deadline missed"), "{en}");
    }

    #[test]
    fn reporter_texts_stay_in_the_gsm_alphabet() {
        for lang in [Some("fr"), Some("en"), Some("sw"), None] {
            for text in [
                acknowledgement_text(lang, "K-1042"),
                feedback_text(
                    lang,
                    "K-1042",
                    OutcomeCategory::Referred,
                    Some("patrouille envoyée à Kiwanja"),
                ),
                escalation_text(
                    "fr",
                    crate::deadline::DeadlineKind::Respond,
                    "K-1042",
                    4,
                    "Kiwanja",
                ),
                assignment_text(
                    "K-1042",
                    4,
                    "Présence d'hommes armés",
                    "Kiwanja",
                    "hommes armés",
                ),
            ] {
                let s = segments(&text);
                assert_eq!(s.encoding, Encoding::Gsm7, "{text}");
                assert_eq!(s.segments, 1, "{text}");
            }
        }
    }

    #[test]
    fn sms_bodies_are_cut_to_three_parts() {
        let long = feedback_text(
            Some("fr"),
            "K-1",
            OutcomeCategory::Responded,
            Some(&"patrouille ".repeat(100)),
        );
        let cut = sms_body(&long);
        assert_eq!(segments(&cut).segments, MAX_SMS_SEGMENTS);
        assert!(cut.ends_with("..."));
        let short = acknowledgement_text(Some("fr"), "K-1");
        assert_eq!(sms_body(&short), short);
    }

    #[test]
    fn retries_back_off_exponentially_then_give_up() {
        let now = t0();
        let waits: Vec<i64> = (1..=7)
            .map(|n| (next_attempt(n, now).unwrap() - now).num_minutes())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60]);
        assert_eq!(next_attempt(8, now), None);
        assert_eq!(next_attempt(100, now), None);
        // Attempt 0 (nothing failed yet) waits the base delay too.
        assert_eq!(next_attempt(0, now), Some(now + Duration::minutes(1)));
        let fast = RetryPolicy {
            base: Duration::seconds(1),
            max_delay: Duration::seconds(3),
            max_attempts: 40,
        };
        assert_eq!(fast.next_attempt(2, now), Some(now + Duration::seconds(2)));
        assert_eq!(fast.next_attempt(39, now), Some(now + Duration::seconds(3)));
        assert_eq!(fast.next_attempt(40, now), None);
    }

    #[test]
    fn reports_never_move_a_status_back() {
        use MessageStatus::*;
        assert_eq!(Sent.after_report(Delivered), Some(Delivered));
        assert_eq!(Sent.after_report(Failed), Some(Failed));
        assert_eq!(Sent.after_report(Sent), None);
        assert_eq!(Delivered.after_report(Sent), None);
        assert_eq!(Delivered.after_report(Failed), None);
        assert_eq!(Failed.after_report(Delivered), Some(Delivered));
        assert_eq!(Failed.after_report(Sent), None);
        assert_eq!(Queued.after_report(Delivered), None);
        assert_eq!(Sent.after_report(Queued), None);
    }

    #[test]
    fn old_messages_decode_and_become_due() {
        let old = r#"{"id":"m1","kind":"feedback","recipient":{"kind":"reporter","phone_sealed":"v1.x","pseudonym":null},"alert":"a1","language":"fr","body":"Kinga","status":"queued","attempts":0,"last_error":null,"created_at":"2026-03-02T08:00:00Z"}"#;
        let m: OutboxMessage = serde_json::from_str(old).unwrap();
        assert_eq!(m.next_attempt_at, None);
        assert_eq!(m.provider_message_id, None);
        assert!(m.is_due(t0()));
        let later = OutboxMessage {
            next_attempt_at: Some(t0() + Duration::minutes(2)),
            ..m.clone()
        };
        assert!(!later.is_due(t0()) && later.is_due(t0() + Duration::minutes(2)));
        let sent = OutboxMessage {
            status: MessageStatus::Sent,
            ..m
        };
        assert!(!sent.is_due(t0()));
    }
}
