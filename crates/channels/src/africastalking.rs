//! Africa's Talking: the incoming-message callback, the delivery report callback and the
//! request that sends an SMS.
//!
//! Africa's Talking does not sign its callbacks (no signature header, no HMAC). Anyone who
//! learns the callback URL can post to it, so Kinga supports a shared secret in the URL
//! configured on the AT dashboard: `https://kinga.example/channels/africastalking/sms?secret=S`
//! (compared in constant time). Serve the callback over HTTPS so the secret stays private,
//! and optionally restrict the route to AT's published source addresses at the proxy.

pub mod voice;

use kinga_domain::outbox::MessageStatus;

use crate::form::{self, Params};
use crate::outbound::{DeliveryReport, Method, OutboundRequest, SendAnswer, body_excerpt, join};
use crate::{ChannelError, InboundSms, secret};

/// Provider name in [`InboundSms::provider`].
pub const PROVIDER: &str = "africastalking";
/// Production API base.
pub const API_BASE: &str = "https://api.africastalking.com";
/// Sandbox API base, used when the username is `sandbox`.
pub const SANDBOX_API_BASE: &str = "https://api.sandbox.africastalking.com";

/// An incoming-message callback with the AT-specific fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtIncoming {
    /// The message.
    pub sms: InboundSms,
    /// Premium-SMS session id, needed to reply within the session.
    pub link_id: Option<String>,
    /// Mobile network code of the sender's operator.
    pub network_code: Option<String>,
}

/// Read an incoming-message callback body (form-encoded: `from`, `to`, `text`, `date`,
/// `id`, `linkId`, `networkCode`) without checking any secret.
pub fn parse_incoming(body: &[u8]) -> Result<AtIncoming, ChannelError> {
    let params = form::parse(body)?;
    incoming_from_params(&params)
}

fn incoming_from_params(params: &Params) -> Result<AtIncoming, ChannelError> {
    let sms = InboundSms {
        provider: PROVIDER,
        message_id: form::required_nonempty(params, "id")?.trim().to_string(),
        from: form::required_nonempty(params, "from")?.trim().to_string(),
        to: form::optional(params, "to"),
        text: form::required(params, "text")?.to_string(),
        received_at: form::optional(params, "date"),
    };
    Ok(AtIncoming {
        sms,
        link_id: form::optional(params, "linkId"),
        network_code: form::optional(params, "networkCode"),
    })
}

/// Check the callback URL's `secret` query parameter against the configured secret (none
/// configured: every request passes), then read the body. `query` is the raw query string of
/// the request.
pub fn verify_incoming(
    expected_secret: Option<&str>,
    query: &str,
    body: &[u8],
) -> Result<AtIncoming, ChannelError> {
    check_query_secret(expected_secret, query)?;
    parse_incoming(body)
}

/// Check the `secret` query parameter of a callback.
pub fn check_query_secret(expected_secret: Option<&str>, query: &str) -> Result<(), ChannelError> {
    let q = form::parse(query.as_bytes())?;
    secret::check(expected_secret, form::get(&q, "secret"))
}

/// One request of a USSD session (form: `sessionId`, `serviceCode`, `phoneNumber`, `text`,
/// `networkCode`). AT keeps no state for Kinga: `text` carries every answer of the session so
/// far, `*`-joined, empty on the first request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UssdCallback {
    /// AT's session id, the same on every request of one dialling.
    pub session_id: String,
    /// The code dialled, such as `*384*123#`.
    pub service_code: String,
    /// The caller's number.
    pub phone_number: String,
    /// The answers so far.
    pub text: String,
    /// Mobile network code of the caller's operator.
    pub network_code: Option<String>,
}

/// Read a USSD callback body without checking any secret.
pub fn parse_ussd(body: &[u8]) -> Result<UssdCallback, ChannelError> {
    let params = form::parse(body)?;
    Ok(UssdCallback {
        session_id: form::required_nonempty(&params, "sessionId")?
            .trim()
            .to_string(),
        service_code: form::get(&params, "serviceCode")
            .unwrap_or("")
            .trim()
            .to_string(),
        phone_number: form::required_nonempty(&params, "phoneNumber")?
            .trim()
            .to_string(),
        text: form::get(&params, "text").unwrap_or("").to_string(),
        network_code: form::optional(&params, "networkCode"),
    })
}

/// Check the callback URL's `secret` (USSD callbacks are as unsigned as SMS ones), then read
/// the body.
pub fn verify_ussd(
    expected_secret: Option<&str>,
    query: &str,
    body: &[u8],
) -> Result<UssdCallback, ChannelError> {
    check_query_secret(expected_secret, query)?;
    parse_ussd(body)
}

/// The request that sends `text` to `to` (E.164; several numbers may be comma-separated)
/// through the API at `api_base`; an empty base picks the sandbox for the user `sandbox` and
/// production otherwise. `from` is a registered sender id or short code; none uses AT's
/// default.
pub fn send_request(
    api_base: &str,
    username: &str,
    api_key: &str,
    from: Option<&str>,
    to: &str,
    text: &str,
) -> OutboundRequest {
    let base = if !api_base.trim().is_empty() {
        api_base.trim()
    } else if username == "sandbox" {
        SANDBOX_API_BASE
    } else {
        API_BASE
    };
    let mut pairs = vec![("username", username), ("to", to), ("message", text)];
    if let Some(f) = from.filter(|f| !f.is_empty()) {
        pairs.push(("from", f));
    }
    OutboundRequest {
        method: Method::Post,
        url: join(base, "version1/messaging"),
        headers: vec![
            ("apiKey".into(), api_key.into()),
            ("Accept".into(), "application/json".into()),
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
        ],
        body: Some(form::encode(pairs)),
    }
}

/// Read the answer to a [`send_request`] for one number: `SMSMessageData.Recipients[0]` with
/// its `statusCode` (100 processed, 101 sent, 102 queued; 4xx and 5xx refusals) and
/// `messageId`, which delivery reports quote.
pub fn parse_send_answer(status: u16, body: &[u8]) -> SendAnswer {
    if !(200..300).contains(&status) {
        return SendAnswer::refused(status, body_excerpt(body));
    }
    let json: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => {
            return SendAnswer::Rejected {
                retryable: true,
                reason: format!("unreadable answer: {}", body_excerpt(body)),
            };
        }
    };
    let Some(r) = json.pointer("/SMSMessageData/Recipients/0") else {
        // No recipient at all: AT refused the whole request (sender id, number list).
        let message = json
            .pointer("/SMSMessageData/Message")
            .and_then(|m| m.as_str())
            .unwrap_or("no recipient accepted");
        return SendAnswer::Rejected {
            retryable: false,
            reason: message.to_string(),
        };
    };
    let code = r.get("statusCode").and_then(|c| c.as_u64()).unwrap_or(0);
    let word = r.get("status").and_then(|s| s.as_str()).unwrap_or("");
    match code {
        100..=102 => SendAnswer::Accepted {
            message_id: r
                .get("messageId")
                .and_then(|m| m.as_str())
                .filter(|m| !m.is_empty() && *m != "None")
                .map(str::to_string),
        },
        // Invalid number, unsupported number type, blacklisted, do-not-disturb: the same
        // request will be refused again.
        403 | 404 | 406 | 409 => SendAnswer::Rejected {
            retryable: false,
            reason: format!("{code} {word}"),
        },
        // Risk hold, sender id, balance, routing and gateway errors pass with time or an
        // operator's fix.
        _ => SendAnswer::Rejected {
            retryable: true,
            reason: format!("{code} {word}"),
        },
    }
}

/// Read a delivery report callback (form: `id`, `status`, `phoneNumber`, `networkCode`,
/// `failureReason`, `retryCount`).
pub fn parse_delivery_report(body: &[u8]) -> Result<DeliveryReport, ChannelError> {
    let params = form::parse(body)?;
    let message_id = form::required_nonempty(&params, "id")?.trim().to_string();
    let word = form::required_nonempty(&params, "status")?
        .trim()
        .to_string();
    let status = match word.to_ascii_lowercase().as_str() {
        "success" => MessageStatus::Delivered,
        "sent" | "submitted" | "buffered" | "queued" => MessageStatus::Sent,
        "rejected" | "failed" | "expired" | "absentsubscriber" | "blacklisted" => {
            MessageStatus::Failed
        }
        other => {
            return Err(ChannelError::InvalidField {
                field: "status",
                reason: format!("unknown status '{other}'"),
            });
        }
    };
    Ok(DeliveryReport {
        provider: PROVIDER,
        message_id,
        status,
        provider_status: word,
        error: form::optional(&params, "failureReason"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALLBACK: &[u8] = b"linkId=SampleLinkId123&text=HATARI+Beni+watu+wenye+silaha&to=22384&id=ATXid_1e5a3b0f7c1d4e2a9b8c&date=2024-03-01+07%3A15%3A02&from=%2B243812345678&networkCode=63001";

    #[test]
    fn incoming_callback() {
        let m = parse_incoming(CALLBACK).unwrap();
        assert_eq!(m.sms.text, "HATARI Beni watu wenye silaha");
        assert_eq!(m.sms.message_id, "ATXid_1e5a3b0f7c1d4e2a9b8c");
        assert_eq!(m.sms.to.as_deref(), Some("22384"));
        assert_eq!(m.sms.received_at.as_deref(), Some("2024-03-01 07:15:02"));
        assert_eq!(m.link_id.as_deref(), Some("SampleLinkId123"));
        assert_eq!(
            parse_incoming(b"from=%2B1&text=x"),
            Err(ChannelError::MissingField("id"))
        );
    }

    #[test]
    fn secret_in_query() {
        assert!(verify_incoming(Some("s3"), "secret=s3", CALLBACK).is_ok());
        assert_eq!(
            verify_incoming(Some("s3"), "secret=s4", CALLBACK),
            Err(ChannelError::BadSecret)
        );
        assert_eq!(
            verify_incoming(Some("s3"), "", CALLBACK),
            Err(ChannelError::MissingSecret)
        );
        assert!(verify_incoming(None, "", CALLBACK).is_ok());
    }

    #[test]
    fn ussd_callback() {
        let body = b"sessionId=ATUid_05c1&serviceCode=%2A384%2A1234%23&phoneNumber=%2B243990001001&networkCode=63001&text=1%2A2%2AKitchnga";
        let u = verify_ussd(Some("s3"), "secret=s3", body).unwrap();
        assert_eq!(u.session_id, "ATUid_05c1");
        assert_eq!(u.service_code, "*384*1234#");
        assert_eq!(u.phone_number, "+243990001001");
        assert_eq!(u.text, "1*2*Kitchnga");
        assert_eq!(
            verify_ussd(Some("s3"), "secret=no", body),
            Err(ChannelError::BadSecret)
        );
        let first = parse_ussd(b"sessionId=s&serviceCode=x&phoneNumber=%2B1&text=").unwrap();
        assert_eq!(first.text, "");
        assert_eq!(
            parse_ussd(b"serviceCode=x&phoneNumber=%2B1&text="),
            Err(ChannelError::MissingField("sessionId"))
        );
    }

    #[test]
    fn send_and_report() {
        let r = send_request(
            "",
            "sandbox",
            "key",
            Some("KINGA"),
            "+243812345678",
            "Alerte reçue",
        );
        assert_eq!(
            r.url,
            "https://api.sandbox.africastalking.com/version1/messaging"
        );
        assert_eq!(r.header("apikey"), Some("key"));
        assert_eq!(
            r.body.as_deref(),
            Some("username=sandbox&to=%2B243812345678&message=Alerte+re%C3%A7ue&from=KINGA")
        );
        let r = send_request("", "kinga", "key", None, "+243812345678", "x");
        assert!(r.url.starts_with("https://api.africastalking.com/"));
        let r = send_request(
            "http://127.0.0.1:9",
            "kinga",
            "key",
            None,
            "+243812345678",
            "x",
        );
        assert_eq!(r.url, "http://127.0.0.1:9/version1/messaging");

        let d = parse_delivery_report(b"phoneNumber=%2B243812345678&failureReason=UserInBlacklist&retryCount=0&networkCode=63001&id=ATXid_abc&status=Rejected").unwrap();
        assert_eq!(d.status, MessageStatus::Failed);
        assert_eq!(d.error.as_deref(), Some("UserInBlacklist"));
        assert_eq!(
            parse_delivery_report(b"id=ATXid_abc&status=Success")
                .unwrap()
                .status,
            MessageStatus::Delivered
        );
        assert!(parse_delivery_report(b"id=ATXid_abc&status=Weird").is_err());
    }

    #[test]
    fn send_answers() {
        let ok = br#"{"SMSMessageData":{"Message":"Sent to 1/1 Total Cost: KES 0.8000","Recipients":[{"statusCode":101,"number":"+243812345678","status":"Success","cost":"KES 0.8000","messageId":"ATXid_1a2b"}]}}"#;
        assert_eq!(
            parse_send_answer(201, ok),
            SendAnswer::Accepted {
                message_id: Some("ATXid_1a2b".into())
            }
        );
        let invalid = br#"{"SMSMessageData":{"Message":"Sent to 0/1 Total Cost: 0","Recipients":[{"statusCode":403,"number":"+2430","status":"InvalidPhoneNumber","cost":"0","messageId":"None"}]}}"#;
        assert_eq!(
            parse_send_answer(201, invalid),
            SendAnswer::Rejected {
                retryable: false,
                reason: "403 InvalidPhoneNumber".into()
            }
        );
        let broke = br#"{"SMSMessageData":{"Message":"Sent to 0/1","Recipients":[{"statusCode":405,"status":"InsufficientBalance","messageId":"None"}]}}"#;
        assert!(matches!(
            parse_send_answer(201, broke),
            SendAnswer::Rejected {
                retryable: true,
                ..
            }
        ));
        let none = br#"{"SMSMessageData":{"Message":"InvalidSenderId","Recipients":[]}}"#;
        assert_eq!(
            parse_send_answer(201, none),
            SendAnswer::Rejected {
                retryable: false,
                reason: "InvalidSenderId".into()
            }
        );
        assert!(matches!(
            parse_send_answer(401, b"The supplied authentication is invalid"),
            SendAnswer::Rejected {
                retryable: true,
                ..
            }
        ));
        assert!(matches!(
            parse_send_answer(201, b"<html>"),
            SendAnswer::Rejected {
                retryable: true,
                ..
            }
        ));
    }
}
