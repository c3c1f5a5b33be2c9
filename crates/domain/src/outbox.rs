//! Messages waiting to go out: acknowledgements, feedback to reporters, escalations, digests.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
}

/// Pick the language a message can be written in: French or English (Swahili and Arabic
/// messages fall back to French, the lingua franca of the first deployments, until translated).
pub fn message_language(lang: Option<&str>) -> &'static str {
    match lang {
        Some("en") => "en",
        _ => "fr",
    }
}

/// The plain message telling a reporter their alert arrived.
pub fn acknowledgement_text(lang: Option<&str>, reference: &str) -> String {
    match message_language(lang) {
        "en" => format!("Kinga: alert {reference} received. We are looking into it."),
        _ => format!("Kinga : alerte {reference} reçue. Nous nous en occupons."),
    }
}

/// The plain message telling a reporter what was done about their alert.
pub fn feedback_text(lang: Option<&str>, reference: &str, outcome: &str) -> String {
    match message_language(lang) {
        "en" => format!("Kinga: alert {reference} is closed. What was done: {outcome}. Thank you."),
        _ => format!("Kinga : alerte {reference} clôturée. Ce qui a été fait : {outcome}. Merci."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_is_in_reporter_language() {
        let fr = feedback_text(Some("fr"), "K-12", "patrouille envoyée");
        assert!(
            fr.contains("K-12") && fr.contains("patrouille envoyée") && fr.contains("clôturée")
        );
        let en = feedback_text(Some("en"), "K-12", "patrol sent");
        assert!(en.contains("closed") && en.contains("patrol sent"));
        assert_eq!(message_language(Some("sw")), "fr");
    }
}
