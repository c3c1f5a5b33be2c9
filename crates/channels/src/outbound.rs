//! Requests that send a message through a gateway, built as plain data so the HTTP client
//! (and its retries and timeouts) live in one place, and delivery reports read back.

use kinga_domain::outbox::MessageStatus;
use serde::Serialize;

/// HTTP method of an outbound request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    /// GET (Kannel's sendsms).
    Get,
    /// POST.
    Post,
}

/// A request to send, complete but not sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboundRequest {
    /// Method.
    pub method: Method,
    /// Full URL, query included.
    pub url: String,
    /// Headers, in order (names as the provider documents them).
    pub headers: Vec<(String, String)>,
    /// Body, if any.
    pub body: Option<String>,
}

impl OutboundRequest {
    /// The value of a header, compared without regard to case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A gateway telling what became of a message we sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    /// Gateway name.
    pub provider: &'static str,
    /// The id the gateway gave the message when it was sent (or ours, for Kannel).
    pub message_id: String,
    /// What the outbox should now record.
    pub status: MessageStatus,
    /// The provider's own status word or code, kept for the log.
    pub provider_status: String,
    /// Error or failure reason, when the provider gives one.
    pub error: Option<String>,
}

/// Join a base URL and a path with exactly one slash between them.
pub(crate) fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}
