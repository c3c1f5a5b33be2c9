//! Stable-toolchain stand-in for the cargo-fuzz targets in `fuzz/`: every gateway parser is
//! fed arbitrary bytes and near-valid bodies, and must answer with a value or an error,
//! never a panic.

use kinga_channels::{africastalking, form, kannel, normalize_msisdn, rapidpro, twilio};
use proptest::prelude::*;

fn all_parsers(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let _ = form::parse(bytes);
    let _ = twilio::parse_webhook(bytes);
    let _ = twilio::verify_webhook("token", &text, bytes, Some(&text), Some(&text));
    let _ = twilio::parse_status_callback(bytes);
    let _ = twilio::validate_json_signature("token", &text, &text, &text);
    let _ = africastalking::parse_incoming(bytes);
    let _ = africastalking::verify_incoming(Some("s"), &text, bytes);
    let _ = africastalking::parse_delivery_report(bytes);
    let _ = rapidpro::parse_receive(None, bytes);
    let _ = rapidpro::parse_receive(Some("application/json"), bytes);
    let _ = rapidpro::verify_receive(
        Some("s"),
        Some(&text),
        Some(&text),
        &text,
        Some(&text),
        bytes,
    );
    let _ = rapidpro::parse_status(None, bytes);
    let _ = kannel::parse_receive(&text, bytes);
    let _ = kannel::verify_receive(Some("s"), &text, bytes);
    let _ = kannel::parse_dlr(&text);
    let _ = normalize_msisdn(&text, "243");
    let _ = normalize_msisdn("0812345678", &text);
    let _ = twilio::twiml_message(&text);
}

/// Bodies made of the fields gateways send, with odd values and encodings.
fn gateway_body() -> impl Strategy<Value = Vec<u8>> {
    let key = prop_oneof![
        Just("MessageSid"),
        Just("From"),
        Just("To"),
        Just("Body"),
        Just("NumMedia"),
        Just("MessageStatus"),
        Just("from"),
        Just("to"),
        Just("text"),
        Just("id"),
        Just("date"),
        Just("status"),
        Just("secret"),
        Just("charset"),
        Just("coding"),
        Just("type"),
        Just("sender"),
        Just("linkId"),
        Just("ErrorCode"),
    ];
    let value = prop_oneof![
        "\\PC{0,20}",
        "[%+&=0-9A-Fa-f]{0,12}",
        Just("UTF-16BE".to_string()),
        Just("2".to_string()),
        Just("%FF%FE%00".to_string()),
        Just("+243812345678".to_string()),
        Just("delivered".to_string()),
        Just("16".to_string()),
    ];
    proptest::collection::vec((key, value), 0..12).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
            .into_bytes()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        all_parsers(&bytes);
    }

    #[test]
    fn near_valid_bodies(body in gateway_body()) {
        all_parsers(&body);
    }

    #[test]
    fn json_like_bodies(text in "[{}\\[\\]\":,a-z0-9 ]{0,80}") {
        all_parsers(text.as_bytes());
    }
}
