//! Kannel's get-url parameters (query and POST body) and delivery reports.
#![no_main]

use kinga_channels::kannel;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (query, body) = data.split_at(split);
    let query = String::from_utf8_lossy(query);
    let _ = kannel::parse_receive(&query, body);
    let _ = kannel::verify_receive(Some("secret"), &query, body);
    let _ = kannel::parse_dlr(&query);
    let _ = kannel::verify_dlr(Some("secret"), &query);
});
