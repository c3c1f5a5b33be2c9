//! RapidPro relays: form, generic JSON and flow webhook bodies, and status updates.
#![no_main]

use kinga_channels::rapidpro;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let content_type = match data.first() {
        Some(b) if b % 3 == 0 => Some("application/json"),
        Some(b) if b % 3 == 1 => Some("application/x-www-form-urlencoded"),
        _ => None,
    };
    let body = data.get(1..).unwrap_or_default();
    let _ = rapidpro::parse_receive(content_type, body);
    let _ = rapidpro::verify_receive(Some("s"), None, Some("Token s"), "", content_type, body);
    let _ = rapidpro::parse_status(content_type, body);
});
