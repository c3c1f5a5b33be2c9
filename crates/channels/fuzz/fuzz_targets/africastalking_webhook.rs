//! Africa's Talking incoming-message and delivery-report callbacks, with a query secret.
#![no_main]

use kinga_channels::africastalking;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(0);
    let (query, body) = data.split_at(split);
    let query = String::from_utf8_lossy(query);
    let _ = africastalking::parse_incoming(body);
    let _ = africastalking::verify_incoming(Some("secret"), &query, body);
    let _ = africastalking::parse_delivery_report(body);
});
