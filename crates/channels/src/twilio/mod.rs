//! Twilio: the inbound SMS webhook, its `X-Twilio-Signature`, TwiML replies, the REST call
//! that sends a message, and the status callback.
//!
//! The signature is checked exactly as the official `twilio` Python package's
//! `RequestValidator` does (a cross-check test runs it): HMAC-SHA1 (or HMAC-SHA256 when the
//! `X-Twilio-Webhooks-Signature-Settings` header asks for it) keyed with the auth token, over
//! the full URL Twilio called followed by every POST parameter sorted by name, each as name
//! then value, base64-encoded. Twilio is inconsistent about writing the default port into the
//! URL it signs, so the URL is tried with and without `:443`/`:80`.

mod signature;
#[cfg(test)]
mod tests;
pub mod voice;
pub mod whatsapp;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use kinga_domain::outbox::MessageStatus;

use crate::form::{self, Params};
use crate::outbound::{DeliveryReport, Method, OutboundRequest, SendAnswer, body_excerpt, join};
use crate::{ChannelError, InboundSms};

pub use signature::{
    SignatureAlgorithm, check_signature, compute_signature, signature_algorithm,
    validate_json_signature, validate_signature, validate_signature_with,
};

/// Provider name in [`InboundSms::provider`].
pub const PROVIDER: &str = "twilio";
/// Header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";
/// Header naming the signing key and algorithm of webhooks signed with a shared key.
pub const SIGNATURE_SETTINGS_HEADER: &str = "X-Twilio-Webhooks-Signature-Settings";
/// Base URL of Twilio's REST API (the default of `api_base` in [`send_request`]).
pub const API_BASE: &str = "https://api.twilio.com";

/// An inbound SMS webhook with the Twilio-specific fields the intake may want.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioWebhook {
    /// The message.
    pub sms: InboundSms,
    /// Account the message arrived on (compare with the configured one).
    pub account_sid: Option<String>,
    /// Number of MMS attachments (their URLs stay in `params`).
    pub num_media: u32,
    /// Number of SMS segments the message arrived in.
    pub num_segments: Option<u32>,
    /// Every decoded field, as signed.
    pub params: Params,
    /// It came by WhatsApp (`From: whatsapp:+…`); `sms.from` is then the bare number.
    pub whatsapp: bool,
    /// Its files: `MediaUrl0..N` with `MediaContentType0..N`.
    pub media: Vec<Media>,
    /// A location pin (`Latitude`, `Longitude`), as sent.
    pub location: Option<(String, String)>,
}

/// A file a message carries, as Twilio names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    /// Where Twilio serves it.
    pub url: String,
    /// Its type, as Twilio reports it.
    pub content_type: Option<String>,
}

/// Most files read from one message (WhatsApp carries one, MMS at most ten).
pub const MAX_MEDIA: u32 = 10;

/// Prefix of WhatsApp addresses in Twilio's fields.
pub const WHATSAPP_PREFIX: &str = "whatsapp:";

/// Read an inbound SMS webhook body (form-encoded) without checking its signature.
pub fn parse_webhook(body: &[u8]) -> Result<TwilioWebhook, ChannelError> {
    let params = form::parse(body)?;
    let message_id = form::get_any(&params, &["MessageSid", "SmsSid"])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or(ChannelError::MissingField("MessageSid"))?
        .to_string();
    let raw_from = form::required_nonempty(&params, "From")?.trim();
    let whatsapp = raw_from.starts_with(WHATSAPP_PREFIX);
    let from = raw_from
        .strip_prefix(WHATSAPP_PREFIX)
        .unwrap_or(raw_from)
        .to_string();
    let text = form::required(&params, "Body")?.to_string();
    let sms = InboundSms {
        provider: PROVIDER,
        message_id,
        from,
        to: form::optional(&params, "To")
            .map(|t| t.strip_prefix(WHATSAPP_PREFIX).unwrap_or(&t).to_string()),
        text,
        received_at: None,
    };
    let num_media: u32 = form::get(&params, "NumMedia")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let media = (0..num_media.min(MAX_MEDIA))
        .filter_map(|i| {
            let url = form::optional(&params, &format!("MediaUrl{i}"))?;
            Some(Media {
                url,
                content_type: form::optional(&params, &format!("MediaContentType{i}")),
            })
        })
        .collect();
    let location = match (
        form::optional(&params, "Latitude"),
        form::optional(&params, "Longitude"),
    ) {
        (Some(lat), Some(lon)) => Some((lat, lon)),
        _ => None,
    };
    Ok(TwilioWebhook {
        sms,
        account_sid: form::optional(&params, "AccountSid"),
        num_media,
        num_segments: form::get(&params, "NumSegments").and_then(|v| v.trim().parse().ok()),
        params,
        whatsapp,
        media,
        location,
    })
}

/// Check a webhook's signature, then read it. `full_url` is the public URL Twilio called
/// (KINGA_PUBLIC_URL joined with the request path and query), `signature` the
/// `X-Twilio-Signature` header and `settings` the `X-Twilio-Webhooks-Signature-Settings`
/// header.
pub fn verify_webhook(
    auth_token: &str,
    full_url: &str,
    body: &[u8],
    signature: Option<&str>,
    settings: Option<&str>,
) -> Result<TwilioWebhook, ChannelError> {
    let params = form::parse(body)?;
    check_signature(auth_token, full_url, &params, signature, settings)?;
    parse_webhook(body)
}

/// The TwiML that answers a webhook with one SMS back to the sender.
pub fn twiml_message(text: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>{}</Message></Response>",
        xml_escape(text)
    )
}

/// The TwiML that answers a webhook with nothing (acknowledgements are sent separately).
pub fn twiml_empty() -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>".to_string()
}

/// Escape text for an XML element, dropping the control characters XML 1.0 forbids (one of
/// them in a reply would make Twilio reject the whole document).
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The REST request that sends `text` to `to` through the API at `api_base` (normally
/// [`API_BASE`]). `from` is a Twilio number or, when it starts with `MG`, a Messaging Service
/// SID; `status_callback` is where Twilio reports delivery.
pub fn send_request(
    api_base: &str,
    account_sid: &str,
    auth_token: &str,
    from: &str,
    to: &str,
    text: &str,
    status_callback: Option<&str>,
) -> OutboundRequest {
    let from_key = if from.starts_with("MG") {
        "MessagingServiceSid"
    } else {
        "From"
    };
    let mut pairs = vec![("To", to), (from_key, from), ("Body", text)];
    if let Some(cb) = status_callback {
        pairs.push(("StatusCallback", cb));
    }
    messages_request(api_base, account_sid, auth_token, pairs)
}

/// A POST of `pairs` to the account's `Messages.json`, with the account's credentials.
fn messages_request(
    api_base: &str,
    account_sid: &str,
    auth_token: &str,
    pairs: Vec<(&str, &str)>,
) -> OutboundRequest {
    let credentials = BASE64.encode(format!("{account_sid}:{auth_token}"));
    let sid_path: String = form_urlencoded::byte_serialize(account_sid.as_bytes()).collect();
    OutboundRequest {
        method: Method::Post,
        url: join(
            api_base,
            &format!("2010-04-01/Accounts/{sid_path}/Messages.json"),
        ),
        headers: vec![
            ("Authorization".into(), format!("Basic {credentials}")),
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("Accept".into(), "application/json".into()),
        ],
        body: Some(form::encode(pairs)),
    }
}

/// Read the answer to a [`send_request`]: 201 with the message's `sid`, or an error object
/// `{"code", "message"}`.
pub fn parse_send_answer(status: u16, body: &[u8]) -> SendAnswer {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|v| v.get(name))
            .and_then(|v| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
    };
    if (200..300).contains(&status) {
        return SendAnswer::Accepted {
            message_id: field("sid").filter(|s| !s.is_empty()),
        };
    }
    let reason = match (field("code"), field("message")) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (None, Some(message)) => message,
        _ => body_excerpt(body),
    };
    SendAnswer::refused(status, reason)
}

/// Read a message status callback (it is signed like the inbound webhook: verify it with
/// [`validate_signature`] first).
pub fn parse_status_callback(body: &[u8]) -> Result<DeliveryReport, ChannelError> {
    let params = form::parse(body)?;
    let message_id = form::get_any(&params, &["MessageSid", "SmsSid"])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or(ChannelError::MissingField("MessageSid"))?
        .to_string();
    let word = form::get_any(&params, &["MessageStatus", "SmsStatus"])
        .ok_or(ChannelError::MissingField("MessageStatus"))?
        .trim()
        .to_ascii_lowercase();
    let status = match word.as_str() {
        "accepted" | "scheduled" | "queued" | "sending" | "sent" => MessageStatus::Sent,
        "delivered" | "read" => MessageStatus::Delivered,
        "undelivered" | "failed" | "canceled" => MessageStatus::Failed,
        _ => {
            return Err(ChannelError::InvalidField {
                field: "MessageStatus",
                reason: format!("unknown status '{word}'"),
            });
        }
    };
    let error = form::optional(&params, "ErrorCode").map(|code| {
        match form::optional(&params, "ErrorMessage") {
            Some(m) => format!("{code}: {m}"),
            None => code,
        }
    });
    Ok(DeliveryReport {
        provider: PROVIDER,
        message_id,
        status,
        provider_status: word,
        error,
    })
}
