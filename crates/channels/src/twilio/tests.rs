//! The signature against Twilio's documented example and the reference validator's URL
//! handling, webhooks, TwiML, the REST request and its answers, and status callbacks.

use sha2::{Digest, Sha256};

use super::signature::url_variants;
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
    let created = br#"{"account_sid":"AC1","sid":"SM0123","status":"queued","error_code":null}"#;
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
            reason: "HTTP 400: 21211: The 'To' number +2430 is not a valid phone number.".into()
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

#[test]
fn whatsapp_messages_carry_media_and_pins() {
    let body = b"SmsMessageSid=SM1&NumMedia=2&ProfileName=Furaha&MessageType=image&WaId=243990001001&Body=Hommes+arm%C3%A9s&To=whatsapp%3A%2B14155238886&From=whatsapp%3A%2B243990001001&MessageSid=SM1&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC1%2FMessages%2FSM1%2FMedia%2FME1&MediaContentType0=image%2Fjpeg&MediaUrl1=https%3A%2F%2Fapi.twilio.com%2Fx%2FME2&Latitude=-1.161&Longitude=29.459";
    let w = parse_webhook(body).unwrap();
    assert!(w.whatsapp);
    assert_eq!(w.sms.from, "+243990001001");
    assert_eq!(w.sms.to.as_deref(), Some("+14155238886"));
    assert_eq!(w.media.len(), 2);
    assert_eq!(w.media[0].content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(w.media[1].content_type, None);
    assert_eq!(w.location, Some(("-1.161".into(), "29.459".into())));
    let sms = parse_webhook(b"MessageSid=SM2&From=%2B243990001001&Body=x").unwrap();
    assert!(!sms.whatsapp && sms.media.is_empty() && sms.location.is_none());
}
