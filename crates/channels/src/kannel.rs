//! Kannel: messages from an `sms-service`'s `get-url`, the `sendsms` request, and delivery
//! reports from a `dlr-url`.
//!
//! A matching smsbox configuration (Kannel expands the `%` codes):
//!
//! ```text
//! group = sms-service
//! keyword = default
//! catch-all = true
//! max-messages = 0          # Kinga sends its acknowledgements through sendsms
//! get-url = "http://127.0.0.1:8080/channels/kannel/receive?secret=S&from=%p&to=%P&text=%a&id=%I&time=%T&charset=%C&coding=%c"
//! ```
//!
//! `%I` is Kannel's id of the message (a UUID), the idempotency key; note `%i` is the SMSC's
//! id, not the message's. `charset` and `coding` matter: Kannel hands 7-bit messages over as
//! ISO-8859-1 and UCS-2 messages as UTF-16BE bytes, so the text is decoded by them, and a
//! text that is not valid UTF-8 without them is read as ISO-8859-1. The same parameters may
//! come in a POST body. Kannel does not sign requests: the `secret` parameter, compared in
//! constant time, is what keeps others from posting alerts (keep smsbox and Kinga on one host
//! or a private link).

use kinga_domain::outbox::MessageStatus;
use kinga_domain::sms::{Encoding, segments};
use sha2::{Digest, Sha256};

use crate::outbound::{DeliveryReport, Method, OutboundRequest, SendAnswer, body_excerpt, join};
use crate::{ChannelError, InboundSms, MAX_BODY_BYTES, secret};

/// Provider name in [`InboundSms::provider`].
pub const PROVIDER: &str = "kannel";
/// Ask for every delivery report type (1 + 2 + 4 + 8 + 16).
pub const DLR_MASK_ALL: u8 = 31;

/// Pairs with the value kept as raw bytes, since Kannel's text is not always UTF-8.
type RawParams = Vec<(String, Vec<u8>)>;

fn raw_params(input: &[u8]) -> RawParams {
    input
        .split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = match p.iter().position(|&b| b == b'=') {
                Some(i) => (&p[..i], &p[i + 1..]),
                None => (p, &p[..0]),
            };
            (
                String::from_utf8_lossy(&percent_decode(k)).into_owned(),
                percent_decode(v),
            )
        })
        .collect()
}

fn percent_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' => match (hex_val(s.get(i + 1)), hex_val(s.get(i + 2))) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn hex_val(b: Option<&u8>) -> Option<u8> {
    let b = *b?;
    (b as char).to_digit(16).map(|d| d as u8)
}

fn get<'a>(p: &'a RawParams, keys: &[&str]) -> Option<&'a [u8]> {
    keys.iter()
        .find_map(|k| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_slice()))
}

fn get_str(p: &RawParams, keys: &[&str]) -> Option<String> {
    get(p, keys)
        .map(|v| String::from_utf8_lossy(v).trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Decode message bytes by Kannel's `charset` (`%C`) and `coding` (`%c`: 0 7-bit, 1 8-bit,
/// 2 UCS-2).
fn decode_text(bytes: &[u8], charset: Option<&str>, coding: Option<&str>) -> String {
    let cs = charset.unwrap_or("").to_ascii_uppercase();
    if cs.starts_with("UTF-16")
        || cs == "UCS-2"
        || cs == "UCS2"
        || (cs.is_empty() && coding == Some("2"))
    {
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|c| {
                let pair = [
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ];
                if cs == "UTF-16LE" {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if cs == "UTF-8" || cs == "UTF8" {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) if cs.is_empty() => s.to_string(),
        // ISO-8859-1 maps each byte to the code point of the same value.
        _ => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Read a message from the `get-url` query and, for POST, the form body (body fields win).
pub fn parse_receive(query: &str, body: &[u8]) -> Result<InboundSms, ChannelError> {
    let p = params(query, body)?;
    receive_from(&p)
}

fn params(query: &str, body: &[u8]) -> Result<RawParams, ChannelError> {
    let size = query.len() + body.len();
    if size > MAX_BODY_BYTES {
        return Err(ChannelError::BodyTooLarge {
            size,
            limit: MAX_BODY_BYTES,
        });
    }
    let mut p = raw_params(body);
    p.extend(raw_params(query.as_bytes()));
    Ok(p)
}

fn receive_from(p: &RawParams) -> Result<InboundSms, ChannelError> {
    let from =
        get_str(p, &["from", "sender", "phone"]).ok_or(ChannelError::MissingField("from"))?;
    let raw_text = get(p, &["text", "message"]).ok_or(ChannelError::MissingField("text"))?;
    let charset = get_str(p, &["charset"]);
    let coding = get_str(p, &["coding"]);
    let text = decode_text(raw_text, charset.as_deref(), coding.as_deref());
    let time = get_str(p, &["time", "date", "ts"]);
    let message_id = get_str(p, &["id", "msgid", "message_id"]).unwrap_or_else(|| {
        // Without %I a retry is recognised by what it says, who sent it and when.
        let mut h = Sha256::new();
        for part in [
            from.as_bytes(),
            text.as_bytes(),
            time.as_deref().unwrap_or("").as_bytes(),
        ] {
            h.update(part);
            h.update([0u8]);
        }
        format!("sha256:{}", hex::encode(h.finalize()))
    });
    Ok(InboundSms {
        provider: PROVIDER,
        message_id,
        from,
        to: get_str(p, &["to", "receiver"]),
        text,
        received_at: time,
    })
}

/// Check the `secret` parameter (query or body) against the configured secret, then read
/// the message.
pub fn verify_receive(
    expected_secret: Option<&str>,
    query: &str,
    body: &[u8],
) -> Result<InboundSms, ChannelError> {
    let p = params(query, body)?;
    let presented = get(&p, &["secret"]).map(|v| String::from_utf8_lossy(v).into_owned());
    secret::check(expected_secret, presented.as_deref())?;
    receive_from(&p)
}

/// The URL of Kannel's `sendsms` service for one message, asking for every delivery report
/// at `dlr_url` when given (which should carry our message id and `type=%d`, see
/// [`dlr_url`]). `base` is the smsbox's `sendsms` address, e.g. `http://127.0.0.1:13013`.
pub fn sendsms_url(
    base: &str,
    user: &str,
    pass: &str,
    from: &str,
    to: &str,
    text: &str,
    dlr_url: Option<&str>,
) -> String {
    // UTF-8 in, and coding=2 only when the text needs UCS-2, so plain texts keep 160 chars.
    let coding = match segments(text).encoding {
        Encoding::Gsm7 => "0",
        Encoding::Ucs2 => "2",
    };
    let mut pairs = vec![
        ("username", user),
        ("password", pass),
        ("from", from),
        ("to", to),
        ("text", text),
        ("charset", "UTF-8"),
        ("coding", coding),
    ];
    let mask = DLR_MASK_ALL.to_string();
    if let Some(d) = dlr_url {
        pairs.push(("dlr-mask", &mask));
        pairs.push(("dlr-url", d));
    }
    let base = base.trim_end_matches('/');
    let url = if base.ends_with("/cgi-bin/sendsms") {
        base.to_string()
    } else {
        join(base, "cgi-bin/sendsms")
    };
    format!("{url}?{}", encode_query(&pairs))
}

/// `sendsms_url` as a request.
pub fn send_request(
    base: &str,
    user: &str,
    pass: &str,
    from: &str,
    to: &str,
    text: &str,
    dlr_url: Option<&str>,
) -> OutboundRequest {
    OutboundRequest {
        method: Method::Get,
        url: sendsms_url(base, user, pass, from, to, text, dlr_url),
        headers: vec![],
        body: None,
    }
}

/// Read smsbox's answer to a sendsms request: 202 `0: Accepted for delivery` or `3: Queued for
/// later delivery` take the message; anything else is a refusal (403 for a wrong user or
/// password, 400 for a request smsbox cannot use, 503 while bearerbox is away). Kannel gives
/// no id of its own: delivery reports carry the one Kinga put in the `dlr-url`.
pub fn parse_send_answer(status: u16, body: &[u8]) -> SendAnswer {
    let text = body_excerpt(body);
    let accepted = text.starts_with("0:") || text.starts_with("3:");
    if (200..300).contains(&status) && (accepted || !text.contains(':')) {
        SendAnswer::Accepted { message_id: None }
    } else if (200..300).contains(&status) {
        // A 2xx with another code would be a smsbox that changed its answers: try again
        // rather than drop the message.
        SendAnswer::Rejected {
            retryable: true,
            reason: text,
        }
    } else {
        SendAnswer::refused(status, text)
    }
}

/// The `dlr-url` to give Kannel for one outgoing message: our id and secret, and Kannel's
/// `%d` (report type) and `%A` (SMSC reply) codes left for Kannel to fill in.
pub fn dlr_url(public_base: &str, secret: &str, message_id: &str) -> String {
    let q = encode_query(&[("secret", secret), ("id", message_id)]);
    format!(
        "{}?{q}&type=%d&reply=%A",
        join(public_base, "channels/kannel/dlr")
    )
}

/// Percent-encode pairs, spaces as `%20` (Kannel decodes `+` too, but proxies may not).
fn encode_query(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Read a delivery report (`id` and `type`, as [`dlr_url`] asks Kannel to call). Types: 1
/// delivered to the phone, 2 not delivered, 4 buffered at the SMSC, 8 accepted by the SMSC,
/// 16 rejected by the SMSC.
pub fn parse_dlr(query: &str) -> Result<DeliveryReport, ChannelError> {
    let p = params(query, b"")?;
    let message_id = get_str(&p, &["id"]).ok_or(ChannelError::MissingField("id"))?;
    let word = get_str(&p, &["type", "dlr"]).ok_or(ChannelError::MissingField("type"))?;
    let code: u32 = word.parse().map_err(|_| ChannelError::InvalidField {
        field: "type",
        reason: format!("'{word}' is not a number"),
    })?;
    let status = if code & 1 != 0 {
        MessageStatus::Delivered
    } else if code & (2 | 16) != 0 {
        MessageStatus::Failed
    } else if code & (4 | 8) != 0 {
        MessageStatus::Sent
    } else {
        return Err(ChannelError::InvalidField {
            field: "type",
            reason: format!("unknown report type {code}"),
        });
    };
    let error = matches!(status, MessageStatus::Failed)
        .then(|| get_str(&p, &["reply"]))
        .flatten();
    Ok(DeliveryReport {
        provider: PROVIDER,
        message_id,
        status,
        provider_status: code.to_string(),
        error,
    })
}

/// Check the `secret` of a delivery report, then read it.
pub fn verify_dlr(
    expected_secret: Option<&str>,
    query: &str,
) -> Result<DeliveryReport, ChannelError> {
    let p = params(query, b"")?;
    let presented = get(&p, &["secret"]).map(|v| String::from_utf8_lossy(v).into_owned());
    secret::check(expected_secret, presented.as_deref())?;
    parse_dlr(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_url_message() {
        let q = "secret=S&from=%2B243812345678&to=1234&text=ALERTE+Minova+pillage+%21&id=0f8c9b0a-8f0e-4c1e-9d55-1b2c3d4e5f60&time=1709277302&charset=UTF-8&coding=0";
        let m = verify_receive(Some("S"), q, b"").unwrap();
        assert_eq!(m.text, "ALERTE Minova pillage !");
        assert_eq!(m.from, "+243812345678");
        assert_eq!(m.message_id, "0f8c9b0a-8f0e-4c1e-9d55-1b2c3d4e5f60");
        assert_eq!(m.received_at.as_deref(), Some("1709277302"));
        assert_eq!(
            verify_receive(Some("S"), "from=1&text=x", b""),
            Err(ChannelError::MissingSecret)
        );
        assert_eq!(
            verify_receive(Some("S"), "secret=T&from=1&text=x", b""),
            Err(ChannelError::BadSecret)
        );
        assert_eq!(
            parse_receive("text=x", b""),
            Err(ChannelError::MissingField("from"))
        );
    }

    #[test]
    fn charsets() {
        let latin1 =
            parse_receive("from=1&text=arm%E9s&charset=ISO-8859-1&coding=0&id=1", b"").unwrap();
        assert_eq!(latin1.text, "armés");
        let guessed = parse_receive("from=1&text=arm%E9s&id=1", b"").unwrap();
        assert_eq!(guessed.text, "armés");
        let utf8 = parse_receive("from=1&text=arm%C3%A9s&id=1", b"").unwrap();
        assert_eq!(utf8.text, "armés");
        let ucs2 = parse_receive(
            "from=1&text=%00a%00r%00m%00%E9%00s&charset=UTF-16BE&coding=2&id=1",
            b"",
        )
        .unwrap();
        assert_eq!(ucs2.text, "armés");
        let odd = parse_receive("from=1&text=%00a%00&coding=2&id=1", b"").unwrap();
        assert_eq!(odd.text, "a\u{0}");
        assert_eq!(percent_decode(b"%zz%4"), b"%zz%4");
    }

    #[test]
    fn post_body_and_derived_id() {
        let m = parse_receive("", b"sender=243812345678&text=HATARI+Yei").unwrap();
        assert!(m.message_id.starts_with("sha256:"));
        assert_eq!(m.from, "243812345678");
    }

    #[test]
    fn sendsms_and_dlr() {
        let d = dlr_url("https://k.example/", "S", "msg-1");
        assert_eq!(
            d,
            "https://k.example/channels/kannel/dlr?secret=S&id=msg-1&type=%d&reply=%A"
        );
        let u = sendsms_url(
            "http://127.0.0.1:13013",
            "kinga",
            "p&w",
            "KINGA",
            "+243812345678",
            "Alerte K-12 reçue",
            Some(&d),
        );
        assert!(u.starts_with("http://127.0.0.1:13013/cgi-bin/sendsms?username=kinga&password=p%26w&from=KINGA&to=%2B243812345678&text=Alerte%20K-12%20re%C3%A7ue&charset=UTF-8&coding=2&dlr-mask=31&dlr-url=https%3A%2F%2Fk.example"), "{u}");
        let u = sendsms_url(
            "http://h:13013/cgi-bin/sendsms",
            "u",
            "p",
            "f",
            "t",
            "Merci é",
            None,
        );
        assert!(
            u.contains("coding=0")
                && !u.contains("dlr")
                && u.starts_with("http://h:13013/cgi-bin/sendsms?")
        );

        let r = verify_dlr(Some("S"), "secret=S&id=msg-1&type=1&reply=ACK%2F").unwrap();
        assert_eq!(
            (r.message_id.as_str(), r.status),
            ("msg-1", MessageStatus::Delivered)
        );
        assert_eq!(
            parse_dlr("id=m&type=16&reply=NACK%2F0x0000000b%2FInvalid+Destination")
                .unwrap()
                .error
                .as_deref(),
            Some("NACK/0x0000000b/Invalid Destination")
        );
        assert_eq!(
            parse_dlr("id=m&type=2").unwrap().status,
            MessageStatus::Failed
        );
        assert_eq!(
            parse_dlr("id=m&type=4").unwrap().status,
            MessageStatus::Sent
        );
        assert_eq!(
            parse_dlr("id=m&type=8").unwrap().status,
            MessageStatus::Sent
        );
        assert!(parse_dlr("id=m&type=0").is_err());
        assert!(parse_dlr("id=m&type=x").is_err());
        assert_eq!(
            verify_dlr(Some("S"), "id=m&type=1"),
            Err(ChannelError::MissingSecret)
        );
    }

    #[test]
    fn send_answers() {
        let ok = SendAnswer::Accepted { message_id: None };
        assert_eq!(parse_send_answer(202, b"0: Accepted for delivery"), ok);
        assert_eq!(parse_send_answer(202, b"3: Queued for later delivery"), ok);
        assert_eq!(
            parse_send_answer(403, b"Authorization failed for sendsms"),
            SendAnswer::Rejected {
                retryable: true,
                reason: "HTTP 403: Authorization failed for sendsms".into()
            }
        );
        assert!(matches!(
            parse_send_answer(400, b"Missing receiver number"),
            SendAnswer::Rejected {
                retryable: false,
                ..
            }
        ));
        assert!(matches!(
            parse_send_answer(503, b"Sendsms temporarily unavailable"),
            SendAnswer::Rejected {
                retryable: true,
                ..
            }
        ));
    }
}
