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

/// What a gateway answered to a send request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SendAnswer {
    /// The gateway took the message.
    Accepted {
        /// The gateway's id of the message, when it gives one.
        message_id: Option<String>,
    },
    /// The gateway did not take it.
    Rejected {
        /// Trying again later may succeed (overload, outage, credentials being fixed).
        retryable: bool,
        /// What the gateway said, for the outbox page.
        reason: String,
    },
}

impl SendAnswer {
    /// A refusal, retryable or not as [`retryable_status`] says for its HTTP status.
    pub fn refused(status: u16, reason: impl Into<String>) -> SendAnswer {
        SendAnswer::Rejected {
            retryable: retryable_status(status),
            reason: format!("HTTP {status}: {}", reason.into()),
        }
    }
}

/// True for HTTP statuses after which the same request may later succeed: timeouts, rate
/// limits, server errors, and refused credentials (an operator fixes those, and the message
/// should still go out then).
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 401 | 403 | 408 | 425 | 429) || status >= 500
}

/// The start of a gateway's answer as text, for error messages.
pub(crate) fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let cut: String = text.chars().take(200).collect();
    if cut.is_empty() {
        "(empty answer)".into()
    } else {
        cut
    }
}

/// Join a base URL and a path with exactly one slash between them.
pub(crate) fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_that_may_pass_later_are_retried() {
        for s in [401, 403, 408, 429, 500, 502, 503] {
            assert!(retryable_status(s), "{s}");
        }
        for s in [400, 404, 405, 410, 413, 422] {
            assert!(!retryable_status(s), "{s}");
        }
        assert_eq!(
            SendAnswer::refused(400, "bad number"),
            SendAnswer::Rejected {
                retryable: false,
                reason: "HTTP 400: bad number".into()
            }
        );
        assert_eq!(body_excerpt(b"  "), "(empty answer)");
        assert_eq!(body_excerpt(&[b'x'; 500]).len(), 200);
    }
}
