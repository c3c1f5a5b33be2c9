//! The handover package reader must take any bytes: never panic, never use unbounded memory,
//! and never accept a package whose bytes differ from a signed one. Input starting with `{` is
//! read as a package; other input edits a valid package (position and value pairs), which
//! reaches the checks behind the JSON parser that random bytes rarely do.
#![no_main]

use std::sync::LazyLock;

use chrono::{TimeZone, Utc};
use kinga_handover::{
    HeaderFields, InstanceKey, Item, PackageReader, PackageWriter, ReaderOptions, Scope,
};
use kinga_ledger::{DraftEvent, GENESIS, Payload, seal};
use libfuzzer_sys::fuzz_target;

static VALID: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let sender = InstanceKey::from_seed([1; 32]);
    let to = InstanceKey::from_seed([2; 32]).public();
    let mut out = vec![];
    let mut w = PackageWriter::new(
        &mut out,
        &sender,
        HeaderFields {
            sender_instance: "a".into(),
            sender_name: "Kinga A".into(),
            recipient_name: "B".into(),
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            scope: Scope::Full,
        },
        &to,
        [3; 32],
    )
    .unwrap();
    w.wrapped_key("field-sealing", &[4; 32]).unwrap();
    w.attachment("text/plain", "déplacés".as_bytes()).unwrap();
    for origin in ["a", "b"] {
        let mut prev = GENESIS.to_string();
        for seq in 1..=4u64 {
            let draft = DraftEvent {
                id: format!("{origin}{seq}"),
                actor: "cla".into(),
                at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, seq as u32).unwrap(),
                payload: Payload::DigestIssued {
                    digest: serde_json::json!({"n": seq, "t": "Hommes armés"}),
                },
            };
            let e = seal(&draft, origin, seq, &prev).unwrap();
            prev = e.hash.clone();
            if seq == 2 {
                w.withheld(&e).unwrap();
            } else {
                w.event(&e).unwrap();
            }
        }
    }
    w.finish(None).unwrap();
    out
});

fuzz_target!(|data: &[u8]| {
    let input: Vec<u8> = if data.first() == Some(&b'{') {
        data.to_vec()
    } else {
        let mut p = VALID.clone();
        for pair in data.chunks_exact(3) {
            let at = usize::from(u16::from_le_bytes([pair[0], pair[1]])) % (p.len() + 1);
            match pair[2] {
                0 => p.truncate(at),
                1 if at < p.len() => {
                    p.remove(at);
                }
                2 => p.insert(at.min(p.len()), b'\n'),
                v if at < p.len() => p[at] ^= v,
                _ => {}
            }
        }
        p
    };
    for line in input.split(|b| *b == b'\n') {
        assert!(
            kinga_handover::fast_path_agrees(line),
            "fast parser disagrees on {line:?}"
        );
    }
    let opts = ReaderOptions {
        max_line: 1 << 16,
        ..ReaderOptions::default()
    };
    let mut ended = false;
    for item in PackageReader::new(&input[..], opts) {
        match item {
            Ok(Item::End(s)) => {
                assert_eq!(s.bytes, input.len() as u64);
                ended = true;
            }
            Ok(_) => {}
            Err(f) => {
                assert!(!ended, "a fault after the end: {f}");
                let _ = f.to_string();
            }
        }
    }
    // Only the untouched package may verify: any edit must be caught.
    if ended && data.first() != Some(&b'{') {
        assert_eq!(input, *VALID, "an edited package verified");
    }
});
