//! Twilio's webhook and status callback parsers and signature check take any body and header.
#![no_main]

use kinga_channels::twilio;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first line, if any, is used as the signature header and URL.
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(0);
    let (head, body) = data.split_at(split);
    let head = String::from_utf8_lossy(head);
    let _ = twilio::parse_webhook(body);
    let _ = twilio::parse_status_callback(body);
    let _ = twilio::verify_webhook("token", &head, body, Some(&head), Some(&head));
    if let Ok(hook) = twilio::parse_webhook(data) {
        assert!(!hook.sms.message_id.is_empty());
        let _ = twilio::twiml_message(&hook.sms.text);
    }
});
