//! Twilio: the inbound SMS webhook, its `X-Twilio-Signature`, TwiML replies, the REST call
//! that sends a message, and the status callback.
//!
//! The signature is checked exactly as the official `twilio` Python package's
//! `RequestValidator` does (a cross-check test runs it): HMAC-SHA1 (or HMAC-SHA256 when the
//! `X-Twilio-Webhooks-Signature-Settings` header asks for it) keyed with the auth token, over
//! the full URL Twilio called followed by every POST parameter sorted by name, each as name
//! then value, base64-encoded. Twilio is inconsistent about writing the default port into the
//! URL it signs, so the URL is tried with and without `:443`/`:80`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use kinga_domain::outbox::MessageStatus;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::form::{self, Params};
use crate::outbound::{DeliveryReport, Method, OutboundRequest, SendAnswer, body_excerpt, join};
use crate::secret::ct_eq;
use crate::{ChannelError, InboundSms};

/// Provider name in [`InboundSms::provider`].
pub const PROVIDER: &str = "twilio";
/// Header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";
/// Header naming the signing key and algorithm of webhooks signed with a shared key.
pub const SIGNATURE_SETTINGS_HEADER: &str = "X-Twilio-Webhooks-Signature-Settings";
/// Base URL of Twilio's REST API (the default of `api_base` in [`send_request`]).
pub const API_BASE: &str = "https://api.twilio.com";

/// HMAC algorithm of a webhook signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// The legacy and default algorithm, keyed with the account auth token.
    HmacSha1,
    /// Used by webhooks signed with a shared key.
    HmacSha256,
}

/// The algorithm named by an `X-Twilio-Webhooks-Signature-Settings` header
/// (`key=…,algorithm=HMAC_SHA256`); no header or no `algorithm=` means HMAC-SHA1, and an
/// algorithm this code does not know gives `None` (the request must then be refused).
pub fn signature_algorithm(settings_header: Option<&str>) -> Option<SignatureAlgorithm> {
    let named = settings_header.unwrap_or("").split(',').find_map(|part| {
        let (name, value) = part.split_once('=')?;
        (name.trim() == "algorithm" && !value.trim().is_empty()).then(|| value.trim())
    });
    match named.map(str::to_ascii_uppercase).as_deref() {
        None | Some("HMAC_SHA1") => Some(SignatureAlgorithm::HmacSha1),
        Some("HMAC_SHA256") => Some(SignatureAlgorithm::HmacSha256),
        Some(_) => None,
    }
}

/// The signature Twilio would send for this URL and these POST parameters.
pub fn compute_signature(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    algorithm: SignatureAlgorithm,
) -> String {
    let mut names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut s = String::from(url);
    for name in names {
        // Repeated values of one name are sorted and counted once, like the reference.
        let mut values: Vec<&str> = params
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        values.sort_unstable();
        values.dedup();
        for v in values {
            s.push_str(name);
            s.push_str(v);
        }
    }
    let digest = match algorithm {
        SignatureAlgorithm::HmacSha1 => hmac_digest::<Hmac<Sha1>>(auth_token, &s),
        SignatureAlgorithm::HmacSha256 => hmac_digest::<Hmac<Sha256>>(auth_token, &s),
    };
    BASE64.encode(digest)
}

fn hmac_digest<M: Mac + hmac::digest::KeyInit>(key: &str, data: &str) -> Vec<u8> {
    // HMAC takes keys of any length, so this never fails; an empty result would simply never
    // match a signature.
    match <M as hmac::digest::KeyInit>::new_from_slice(key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(data.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// True when `signature_header` is Twilio's HMAC-SHA1 signature of a form-encoded webhook
/// sent to `full_url` (scheme, host, path and query exactly as Twilio called them) with
/// `params` (the decoded POST fields, repeated names included).
pub fn validate_signature(
    auth_token: &str,
    full_url: &str,
    params: &[(String, String)],
    signature_header: &str,
) -> bool {
    validate_signature_with(
        auth_token,
        full_url,
        params,
        signature_header,
        SignatureAlgorithm::HmacSha1,
    )
}

/// [`validate_signature`] with the algorithm chosen by [`signature_algorithm`].
pub fn validate_signature_with(
    auth_token: &str,
    full_url: &str,
    params: &[(String, String)],
    signature_header: &str,
    algorithm: SignatureAlgorithm,
) -> bool {
    let mut ok = false;
    // Every variant is computed and compared so the time taken does not say which matched.
    for url in url_variants(full_url) {
        let expected = compute_signature(auth_token, &url, params, algorithm);
        ok |= ct_eq(expected.as_bytes(), signature_header.trim().as_bytes());
    }
    ok
}

/// Validate a webhook with a JSON body: Twilio then signs only the URL, which carries the
/// body's SHA-256 in its `bodySHA256` query parameter.
pub fn validate_json_signature(
    auth_token: &str,
    full_url: &str,
    body: &str,
    signature_header: &str,
) -> bool {
    let query = form::query_of(full_url);
    let claimed = form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k == "bodySHA256" && !v.is_empty())
        .map(|(_, v)| v.into_owned());
    let body_ok = match claimed {
        Some(h) => ct_eq(
            hex::encode(Sha256::digest(body.as_bytes())).as_bytes(),
            h.as_bytes(),
        ),
        None => true,
    };
    let sig_ok = validate_signature(auth_token, full_url, &[], signature_header);
    body_ok && sig_ok
}

/// The URL as given, and as Python's `urlparse(…).geturl()` writes it without and with the
/// default port: what the reference validator tries.
fn url_variants(url: &str) -> Vec<String> {
    let mut out = vec![url.to_string()];
    if let Some(parts) = UrlParts::split(url) {
        let (without, with) = match parts.port() {
            Err(()) => (None, None),
            Ok(Some(p)) if p != 0 => {
                let host = parts.netloc.split(':').next().unwrap_or("");
                (Some(parts.unsplit(host)), Some(parts.unsplit(parts.netloc)))
            }
            Ok(_) => {
                let port = if parts.scheme == "https" { 443 } else { 80 };
                (
                    Some(parts.unsplit(parts.netloc)),
                    Some(parts.unsplit(&format!("{}:{port}", parts.netloc))),
                )
            }
        };
        for v in [without, with].into_iter().flatten() {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// A URL cut the way Python's `urllib.parse.urlsplit` cuts it.
struct UrlParts<'a> {
    scheme: String,
    netloc: &'a str,
    path: &'a str,
    query: &'a str,
    fragment: &'a str,
}

impl<'a> UrlParts<'a> {
    fn split(url: &'a str) -> Option<UrlParts<'a>> {
        let (scheme, rest) = url.split_once(':')?;
        let mut sc = scheme.chars();
        let first_ok = sc.next().is_some_and(|c| c.is_ascii_alphabetic());
        if !first_ok
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return None;
        }
        let rest = rest.strip_prefix("//")?;
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (netloc, rest) = rest.split_at(end);
        let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        Some(UrlParts {
            scheme: scheme.to_ascii_lowercase(),
            netloc,
            path,
            query,
            fragment,
        })
    }

    /// `Ok(None)` without a port, `Err` for a port Python would refuse to read.
    fn port(&self) -> Result<Option<u32>, ()> {
        let hostinfo = self.netloc.rsplit('@').next().unwrap_or("");
        let after_host = match hostinfo.split_once('[') {
            Some((_, bracketed)) => bracketed.split_once(']').map(|(_, r)| r).unwrap_or(""),
            None => hostinfo,
        };
        let port = after_host.split_once(':').map(|(_, p)| p).unwrap_or("");
        if port.is_empty() {
            return Ok(None);
        }
        if !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        match port.parse::<u32>() {
            Ok(p) if p <= 65535 => Ok(Some(p)),
            _ => Err(()),
        }
    }

    fn unsplit(&self, netloc: &str) -> String {
        let mut s = format!("{}://{}", self.scheme, netloc);
        if !self.path.is_empty() && !self.path.starts_with('/') {
            s.push('/');
        }
        s.push_str(self.path);
        if !self.query.is_empty() {
            s.push('?');
            s.push_str(self.query);
        }
        if !self.fragment.is_empty() {
            s.push('#');
            s.push_str(self.fragment);
        }
        s
    }
}

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
}

/// Read an inbound SMS webhook body (form-encoded) without checking its signature.
pub fn parse_webhook(body: &[u8]) -> Result<TwilioWebhook, ChannelError> {
    let params = form::parse(body)?;
    let message_id = form::get_any(&params, &["MessageSid", "SmsSid"])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or(ChannelError::MissingField("MessageSid"))?
        .to_string();
    let from = form::required_nonempty(&params, "From")?.trim().to_string();
    let text = form::required(&params, "Body")?.to_string();
    let sms = InboundSms {
        provider: PROVIDER,
        message_id,
        from,
        to: form::optional(&params, "To"),
        text,
        received_at: None,
    };
    Ok(TwilioWebhook {
        sms,
        account_sid: form::optional(&params, "AccountSid"),
        num_media: form::get(&params, "NumMedia")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0),
        num_segments: form::get(&params, "NumSegments").and_then(|v| v.trim().parse().ok()),
        params,
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

/// Check the signature of any signed form request (webhook or status callback) against the
/// decoded parameters; `signature` and `settings` are the two headers as received.
pub fn check_signature(
    auth_token: &str,
    full_url: &str,
    params: &[(String, String)],
    signature: Option<&str>,
    settings: Option<&str>,
) -> Result<(), ChannelError> {
    let signature = signature
        .filter(|s| !s.trim().is_empty())
        .ok_or(ChannelError::MissingSignature)?;
    let algorithm = signature_algorithm(settings).ok_or(ChannelError::BadSignature)?;
    if validate_signature_with(auth_token, full_url, params, signature, algorithm) {
        Ok(())
    } else {
        Err(ChannelError::BadSignature)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Params {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The parameters of Twilio's security documentation; the expected signature was computed
    /// with twilio-python's `RequestValidator`.
    #[test]
    fn twilio_documentation_example() {
        let token = "12345";
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let params = pairs(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]);
        let sig = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
        assert_eq!(
            compute_signature(token, url, &params, SignatureAlgorithm::HmacSha1),
            sig
        );
        assert!(validate_signature(token, url, &params, sig));
        assert!(validate_signature(
            token,
            "https://mycompany.com:443/myapp.php?foo=1&bar=2",
            &params,
            sig
        ));
        let mut tampered = params.clone();
        tampered[2].1 = "1235".into();
        assert!(!validate_signature(token, url, &tampered, sig));
        assert!(!validate_signature("12346", url, &params, sig));
        assert!(!validate_signature(
            token,
            "https://mycompany.com/myapp.php?foo=1&bar=3",
            &params,
            sig
        ));
        assert!(!validate_signature(token, url, &params, ""));
    }

    #[test]
    fn port_variants_follow_python() {
        assert_eq!(
            url_variants("https://Kinga.example/channels/twilio/sms"),
            vec![
                "https://Kinga.example/channels/twilio/sms",
                "https://Kinga.example:443/channels/twilio/sms"
            ]
        );
        assert_eq!(
            url_variants("HTTP://k.example:8080/a?b=1"),
            vec![
                "HTTP://k.example:8080/a?b=1",
                "http://k.example/a?b=1",
                "http://k.example:8080/a?b=1"
            ]
        );
        assert_eq!(url_variants("http://k.example:x/a").len(), 1);
        assert_eq!(url_variants("not a url").len(), 1);
    }

    #[test]
    fn webhook_parse_and_verify() {
        let body = b"ToCountry=CD&ToState=&SmsMessageSid=SM0123456789abcdef0123456789abcdef&NumMedia=0&ToCity=&FromZip=&SmsSid=SM0123456789abcdef0123456789abcdef&FromState=&SmsStatus=received&FromCity=&Body=ALERTE+Kanyabayonga+hommes+arm%C3%A9s&FromCountry=CD&To=%2B243970000000&ToZip=&NumSegments=1&MessageSid=SM0123456789abcdef0123456789abcdef&AccountSid=AC00000000000000000000000000000000&From=%2B243812345678&ApiVersion=2010-04-01";
        let url = "https://kinga.example.org/channels/twilio/sms";
        let params = form::parse(body).unwrap();
        let sig = compute_signature("tok", url, &params, SignatureAlgorithm::HmacSha1);
        let hook = verify_webhook("tok", url, body, Some(&sig), None).unwrap();
        assert_eq!(hook.sms.text, "ALERTE Kanyabayonga hommes armés");
        assert_eq!(hook.sms.from, "+243812345678");
        assert_eq!(hook.sms.to.as_deref(), Some("+243970000000"));
        assert_eq!(
            hook.sms.idempotency_key(),
            "twilio:SM0123456789abcdef0123456789abcdef"
        );
        assert_eq!(hook.num_segments, Some(1));
        assert_eq!(
            verify_webhook("tok", url, body, None, None),
            Err(ChannelError::MissingSignature)
        );
        let mut forged = body.to_vec();
        forged.extend_from_slice(b"&Extra=1");
        assert_eq!(
            verify_webhook("tok", url, &forged, Some(&sig), None),
            Err(ChannelError::BadSignature)
        );
        assert_eq!(
            verify_webhook(
                "tok",
                url,
                body,
                Some(&sig),
                Some("key=k1,algorithm=HMAC_SHA999")
            ),
            Err(ChannelError::BadSignature)
        );
        let sig256 = compute_signature("tok", url, &params, SignatureAlgorithm::HmacSha256);
        assert!(
            verify_webhook(
                "tok",
                url,
                body,
                Some(&sig256),
                Some("key=k1,algorithm=HMAC_SHA256")
            )
            .is_ok()
        );
        assert_eq!(
            parse_webhook(b"From=%2B1&Body=x"),
            Err(ChannelError::MissingField("MessageSid"))
        );
    }

    #[test]
    fn json_body_hash() {
        let body = r#"{"a":1}"#;
        let hash = hex::encode(Sha256::digest(body.as_bytes()));
        let url = format!("https://k.example/hook?bodySHA256={hash}");
        let sig = compute_signature("tok", &url, &[], SignatureAlgorithm::HmacSha1);
        assert!(validate_json_signature("tok", &url, body, &sig));
        assert!(!validate_json_signature("tok", &url, r#"{"a":2}"#, &sig));
    }

    #[test]
    fn twiml_is_escaped() {
        assert_eq!(
            twiml_message("K-12 <reçue> & \"ok\"\u{1}"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>K-12 &lt;reçue&gt; &amp; &quot;ok&quot;</Message></Response>"
        );
        assert!(twiml_empty().ends_with("<Response/>"));
    }

    #[test]
    fn outbound_and_status() {
        let r = send_request(
            API_BASE,
            "AC123",
            "tok",
            "+15005550006",
            "+243812345678",
            "Kinga: alerte K-12 reçue",
            Some("https://k/cb"),
        );
        assert_eq!(
            r.url,
            "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
        );
        assert_eq!(r.header("authorization"), Some("Basic QUMxMjM6dG9r"));
        let body = r.body.unwrap();
        assert!(body.contains("To=%2B243812345678") && body.contains("From=%2B15005550006"));
        assert!(body.contains("StatusCallback=https%3A%2F%2Fk%2Fcb"));
        let r = send_request(
            "http://127.0.0.1:9/",
            "AC123",
            "tok",
            "MG999",
            "+243812345678",
            "x",
            None,
        );
        assert!(r.body.unwrap().contains("MessagingServiceSid=MG999"));
        assert_eq!(
            r.url,
            "http://127.0.0.1:9/2010-04-01/Accounts/AC123/Messages.json"
        );

        let rep = parse_status_callback(b"SmsSid=SM1&SmsStatus=undelivered&MessageStatus=undelivered&To=%2B243812345678&MessageSid=SM1&AccountSid=AC1&From=%2B1&ApiVersion=2010-04-01&ErrorCode=30003").unwrap();
        assert_eq!(rep.status, MessageStatus::Failed);
        assert_eq!(rep.error.as_deref(), Some("30003"));
        assert_eq!(
            parse_status_callback(b"MessageSid=SM1&MessageStatus=delivered")
                .unwrap()
                .status,
            MessageStatus::Delivered
        );
        assert!(parse_status_callback(b"MessageSid=SM1&MessageStatus=weird").is_err());
    }

    #[test]
    fn send_answers() {
        let created =
            br#"{"account_sid":"AC1","sid":"SM0123","status":"queued","error_code":null}"#;
        assert_eq!(
            parse_send_answer(201, created),
            SendAnswer::Accepted {
                message_id: Some("SM0123".into())
            }
        );
        let invalid = br#"{"code": 21211, "message": "The 'To' number +2430 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}"#;
        assert_eq!(
            parse_send_answer(400, invalid),
            SendAnswer::Rejected {
                retryable: false,
                reason: "HTTP 400: 21211: The 'To' number +2430 is not a valid phone number."
                    .into()
            }
        );
        let auth = br#"{"code": 20003, "message": "Authenticate", "status": 401}"#;
        assert!(matches!(
            parse_send_answer(401, auth),
            SendAnswer::Rejected {
                retryable: true,
                ..
            }
        ));
        assert_eq!(
            parse_send_answer(503, b"<html>Service Unavailable</html>"),
            SendAnswer::Rejected {
                retryable: true,
                reason: "HTTP 503: <html>Service Unavailable</html>".into()
            }
        );
    }
}
