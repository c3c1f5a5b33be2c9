//! RapidPro and TextIt: messages relayed to Kinga, and the send request.
//!
//! Inbound, Kinga accepts what an External-API channel's receive endpoint accepts (form
//! `from`, `text`, optional `date` and `id`), a generic JSON object
//! `{"from", "text", "id", "date"}`, and the default body of a flow's "Call Webhook" action
//! (`contact.urn`, `input.text`, `input.uuid` or `run.uuid`). RapidPro signs none of these;
//! configure a shared secret and send it as the `X-Kinga-Secret` header, an
//! `Authorization: Token …` header, or a `secret` query parameter.

use kinga_domain::outbox::MessageStatus;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::form::{self, Params};
use crate::outbound::{DeliveryReport, Method, OutboundRequest, SendAnswer, body_excerpt};
use crate::{ChannelError, InboundSms, secret};

/// Provider name in [`InboundSms::provider`].
pub const PROVIDER: &str = "rapidpro";
/// Header that may carry the shared secret.
pub const SECRET_HEADER: &str = "X-Kinga-Secret";

/// Read a relayed message: JSON when the content type says so or the body is an object,
/// form-encoded otherwise. Without an `id` the message id is derived from sender, text and
/// date (`sha256:…`), so a retried relay is still recognised.
pub fn parse_receive(content_type: Option<&str>, body: &[u8]) -> Result<InboundSms, ChannelError> {
    form::check_size(body)?;
    if is_json(content_type, body) {
        parse_json(body)
    } else {
        parse_form(&form::parse(body)?)
    }
}

/// Check the shared secret (from the `X-Kinga-Secret` header, an `Authorization: Token`
/// header or the `secret` query parameter), then read the message.
pub fn verify_receive(
    expected_secret: Option<&str>,
    secret_header: Option<&str>,
    authorization: Option<&str>,
    query: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<InboundSms, ChannelError> {
    check_secret(expected_secret, secret_header, authorization, query)?;
    parse_receive(content_type, body)
}

/// Check the shared secret of any RapidPro call (messages and status updates alike).
pub fn check_secret(
    expected_secret: Option<&str>,
    secret_header: Option<&str>,
    authorization: Option<&str>,
    query: &str,
) -> Result<(), ChannelError> {
    let q = form::parse(query.as_bytes())?;
    let token = authorization
        .and_then(|a| a.trim().strip_prefix("Token "))
        .map(str::trim);
    let presented = secret_header
        .map(str::trim)
        .or(token)
        .or_else(|| form::get(&q, "secret"));
    secret::check(expected_secret, presented)
}

fn is_json(content_type: Option<&str>, body: &[u8]) -> bool {
    content_type.is_some_and(|c| c.to_ascii_lowercase().contains("json"))
        || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

fn parse_form(params: &Params) -> Result<InboundSms, ChannelError> {
    let from = strip_tel(form::required_nonempty(params, "from")?);
    let text = form::required(params, "text")?.to_string();
    let date = form::optional(params, "date");
    let id = form::optional(params, "id");
    Ok(build(id, from, form::optional(params, "to"), text, date))
}

fn parse_json(body: &[u8]) -> Result<InboundSms, ChannelError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| ChannelError::InvalidJson(e.to_string()))?;
    if !v.is_object() {
        return Err(ChannelError::InvalidJson("expected a JSON object".into()));
    }
    let from = scalar(
        &v,
        &[
            "/from",
            "/urn",
            "/contact/urn",
            "/input/urn/path",
            "/input/urn",
        ],
    )
    .ok_or(ChannelError::MissingField("from"))?;
    if from.trim().is_empty() {
        return Err(ChannelError::EmptyField("from"));
    }
    let text = scalar(&v, &["/text", "/input/text"]).ok_or(ChannelError::MissingField("text"))?;
    let id = scalar(&v, &["/id", "/input/uuid", "/run/uuid"]).filter(|s| !s.trim().is_empty());
    let date =
        scalar(&v, &["/date", "/input/created_on", "/run/created_on"]).filter(|s| !s.is_empty());
    let to = scalar(&v, &["/to"]).filter(|s| !s.is_empty());
    Ok(build(id, strip_tel(&from), to, text, date))
}

/// The first of several JSON pointers that holds a string or number.
fn scalar(v: &Value, pointers: &[&str]) -> Option<String> {
    pointers.iter().find_map(|p| match v.pointer(p)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn strip_tel(urn: &str) -> String {
    let u = urn.trim();
    u.strip_prefix("tel:").unwrap_or(u).to_string()
}

fn build(
    id: Option<String>,
    from: String,
    to: Option<String>,
    text: String,
    date: Option<String>,
) -> InboundSms {
    let message_id = id.map(|s| s.trim().to_string()).unwrap_or_else(|| {
        let mut h = Sha256::new();
        for part in [from.as_str(), text.as_str(), date.as_deref().unwrap_or("")] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        format!("sha256:{}", hex::encode(h.finalize()))
    });
    InboundSms {
        provider: PROVIDER,
        message_id,
        from,
        to,
        text,
        received_at: date,
    }
}

/// The request that sends `text` to `to` through RapidPro: a JSON POST to `send_url` (the
/// workspace's `/api/v2/broadcasts.json`, or a channel's send URL) with `Authorization: Token`.
pub fn send_request(send_url: &str, token: Option<&str>, to: &str, text: &str) -> OutboundRequest {
    let urn = if to.contains(':') {
        to.to_string()
    } else {
        format!("tel:{to}")
    };
    let body = serde_json::json!({ "urns": [urn], "text": text }).to_string();
    let mut headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("Accept".to_string(), "application/json".to_string()),
    ];
    if let Some(t) = token.filter(|t| !t.is_empty()) {
        headers.push(("Authorization".into(), format!("Token {t}")));
    }
    OutboundRequest {
        method: Method::Post,
        url: send_url.to_string(),
        headers,
        body: Some(body),
    }
}

/// Read the answer to a [`send_request`]: 201 with the broadcast's `id` (status updates of the
/// message itself carry RapidPro's message id, which Kinga never learns from this answer), or
/// field errors such as `{"urns": ["…"]}`.
pub fn parse_send_answer(status: u16, body: &[u8]) -> SendAnswer {
    if (200..300).contains(&status) {
        let id = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| scalar(&v, &["/id", "/uuid"]));
        return SendAnswer::Accepted { message_id: id };
    }
    SendAnswer::refused(status, body_excerpt(body))
}

/// Read a status update (`id` and `status`, form or JSON) with RapidPro's message statuses.
pub fn parse_status(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<DeliveryReport, ChannelError> {
    form::check_size(body)?;
    let (id, word, error) = if is_json(content_type, body) {
        let v: Value =
            serde_json::from_slice(body).map_err(|e| ChannelError::InvalidJson(e.to_string()))?;
        (
            scalar(&v, &["/id"]),
            scalar(&v, &["/status"]),
            scalar(&v, &["/error"]),
        )
    } else {
        let p = form::parse(body)?;
        (
            form::optional(&p, "id"),
            form::optional(&p, "status"),
            form::optional(&p, "error"),
        )
    };
    let message_id = id
        .filter(|s| !s.trim().is_empty())
        .ok_or(ChannelError::MissingField("id"))?;
    let word = word
        .ok_or(ChannelError::MissingField("status"))?
        .trim()
        .to_ascii_lowercase();
    let status = match word.as_str() {
        "pending" | "queued" | "wired" | "sent" => MessageStatus::Sent,
        "delivered" | "read" => MessageStatus::Delivered,
        "errored" | "failed" => MessageStatus::Failed,
        _ => {
            return Err(ChannelError::InvalidField {
                field: "status",
                reason: format!("unknown status '{word}'"),
            });
        }
    };
    Ok(DeliveryReport {
        provider: PROVIDER,
        message_id,
        status,
        provider_status: word,
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_channel_form() {
        let m = parse_receive(
            Some("application/x-www-form-urlencoded"),
            b"from=%2B236721234567&text=ALERTE+Bambari+A7&date=2024-03-01T07%3A15%3A02.000Z",
        )
        .unwrap();
        assert_eq!(m.from, "+236721234567");
        assert_eq!(m.text, "ALERTE Bambari A7");
        assert!(m.message_id.starts_with("sha256:"));
        let again = parse_receive(
            None,
            b"from=%2B236721234567&text=ALERTE+Bambari+A7&date=2024-03-01T07%3A15%3A02.000Z",
        )
        .unwrap();
        assert_eq!(m.message_id, again.message_id);
        let with_id = parse_receive(None, b"from=tel%3A%2B236721234567&text=x&id=42").unwrap();
        assert_eq!(
            (with_id.message_id.as_str(), with_id.from.as_str()),
            ("42", "+236721234567")
        );
        assert_eq!(
            parse_receive(None, b"text=x"),
            Err(ChannelError::MissingField("from"))
        );
    }

    #[test]
    fn json_bodies() {
        let m = parse_receive(Some("application/json"), br#"{"from":"+211912345678","text":"HATARI Yei risasi","id":987,"date":"2024-03-01T07:15:02Z"}"#).unwrap();
        assert_eq!(
            (m.message_id.as_str(), m.text.as_str()),
            ("987", "HATARI Yei risasi")
        );
        let flow = br#"{"contact":{"uuid":"c1","name":"FP 12","urn":"tel:+243990000001"},
            "flow":{"uuid":"f1","name":"Alert"},"path":[],"results":{},
            "run":{"uuid":"r-1","created_on":"2024-03-01T07:15:02Z"},
            "input":{"uuid":"m-77","text":"Alerte Minova pillage","created_on":"2024-03-01T07:15:01Z"},
            "channel":{"uuid":"ch","name":"Vodacom"}}"#;
        let m = parse_receive(None, flow).unwrap();
        assert_eq!(
            (m.from.as_str(), m.text.as_str(), m.message_id.as_str()),
            ("+243990000001", "Alerte Minova pillage", "m-77")
        );
        assert!(matches!(
            parse_receive(Some("application/json"), b"{not json"),
            Err(ChannelError::InvalidJson(_))
        ));
        assert!(matches!(
            parse_receive(Some("application/json"), b"[1]"),
            Err(ChannelError::InvalidJson(_))
        ));
        assert_eq!(
            parse_receive(None, br#"{"from":"+1"}"#),
            Err(ChannelError::MissingField("text"))
        );
    }

    #[test]
    fn secrets() {
        let body = b"from=%2B1555&text=x&id=1";
        assert!(verify_receive(Some("s"), Some("s"), None, "", None, body).is_ok());
        assert!(verify_receive(Some("s"), None, Some("Token s"), "", None, body).is_ok());
        assert!(verify_receive(Some("s"), None, None, "secret=s", None, body).is_ok());
        assert_eq!(
            verify_receive(Some("s"), Some("t"), None, "", None, body),
            Err(ChannelError::BadSecret)
        );
        assert_eq!(
            verify_receive(Some("s"), None, None, "", None, body),
            Err(ChannelError::MissingSecret)
        );
    }

    #[test]
    fn send_and_status() {
        let r = send_request(
            "https://rp.example/api/v2/broadcasts.json",
            Some("abc"),
            "+243812345678",
            "Merci",
        );
        assert_eq!(r.header("Authorization"), Some("Token abc"));
        let v: Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(v["urns"][0], "tel:+243812345678");
        assert_eq!(
            parse_status(None, br#"{"id":5,"status":"delivered"}"#)
                .unwrap()
                .status,
            MessageStatus::Delivered
        );
        assert_eq!(
            parse_status(None, b"id=5&status=errored&error=timeout")
                .unwrap()
                .status,
            MessageStatus::Failed
        );
        assert!(parse_status(None, b"id=5&status=zzz").is_err());
    }

    #[test]
    fn send_answers() {
        assert_eq!(
            parse_send_answer(
                201,
                br#"{"id": 1234, "urns": ["tel:+243812345678"], "status": "queued"}"#
            ),
            SendAnswer::Accepted {
                message_id: Some("1234".into())
            }
        );
        assert_eq!(
            parse_send_answer(400, br#"{"urns": ["Invalid URN: tel:+2430"]}"#),
            SendAnswer::Rejected {
                retryable: false,
                reason: r#"HTTP 400: {"urns": ["Invalid URN: tel:+2430"]}"#.into()
            }
        );
        assert!(matches!(
            parse_send_answer(429, b"slow down"),
            SendAnswer::Rejected {
                retryable: true,
                ..
            }
        ));
    }
}
