//! Golden vectors of the ledger format (docs/ledger-format.md). The events are rebuilt from Rust
//! structs and sealed; their payload text and hash must equal the committed file byte for byte,
//! so a renamed field, a reordered field or a changed time format fails here before it can
//! silently fork the hash of every new event from what other verifiers compute.
//!
//! `KINGA_BLESS=1 cargo test -p kinga-ledger --test vectors` rewrites the file (only when the
//! format is meant to change, which also means a new domain tag).

use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};
use kinga_domain::alert::{AlertEvent, AlertState, Channel, NewAlert, Reporter};
use kinga_domain::deadline::Deadlines;
use kinga_domain::dedup::DuplicateCandidate;
use kinga_domain::outbox::{DeliveryState, MessageKind, MessageStatus, OutboxMessage, Recipient};
use kinga_domain::place::{Place, PlaceCandidate, PlaceLevel};
use kinga_domain::{Severity, ThreatType};
use kinga_ledger::{ChainVerifier, DraftEvent, Event, GENESIS, Payload, seal};
use serde_json::{Value, json};

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/ledger-v1.json")
}

fn t(h: u32, m: u32, s: u32, micros: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, h, m, s).unwrap()
        + chrono::Duration::microseconds(micros.into())
}

fn received() -> AlertEvent {
    AlertEvent::Received(Box::new(NewAlert {
        id: "01JQ0A8Z7K3V9X2M4N6P8R0T1W".into(),
        reference: "K-1042".into(),
        channel: Channel::Sms,
        reporter: Reporter {
            focal_point: Some("fp-07".into()),
            pseudonym: Some("FP-7HKXM".into()),
            phone_digest: Some("9f2c0a6b1e7d4c3a".into()),
            phone_sealed: Some("v1.q3J0c2VhbGVkLXBob25lLW51bWJlcg".into()),
            language: Some("fr".into()),
            hidden: false,
        },
        text: "Hommes armés à Kitshanga, les déplacés fuient vers Mweso".into(),
        language: Some("fr".into()),
        place: None,
        place_name: Some("Kitshanga".into()),
        place_candidates: vec![
            PlaceCandidate {
                pcode: "CD6109-S014".into(),
                name: "Kitshanga".into(),
                context: "Masisi, Nord-Kivu".into(),
                score: 1.0,
            },
            PlaceCandidate {
                pcode: "CD6111-S203".into(),
                name: "Kitshanga II".into(),
                context: "Rutshuru, Nord-Kivu".into(),
                score: 0.82,
            },
        ],
        threat_type: Some(ThreatType::ArmedPresence),
        severity: Severity::new(3).unwrap(),
        reported_at: t(6, 58, 0, 0),
        received_at: t(7, 0, 12, 345_678),
        deadlines: Deadlines {
            acknowledge: t(7, 30, 12, 345_678),
            verify: t(9, 0, 12, 345_678),
            respond: t(13, 0, 12, 345_678),
        },
        proposed_responders: vec!["resp-mweso-cob".into()],
        uncovered: false,
        duplicate_candidates: vec![DuplicateCandidate {
            alert: "01JQ09Y1B2C3D4E5F6G7H8J9KA".into(),
            reference: "K-1039".into(),
            score: 0.61,
        }],
        parse_flags: vec!["place_ambiguous".into()],
        unparsed: Some("svp venez vite".into()),
        severity_set: false,
    }))
}

/// The vectors: origin, id, actor, time, payload and a note saying what each one covers.
fn drafts() -> Vec<(&'static str, DraftEvent, &'static str)> {
    let d = |id: &str, actor: &str, at, payload| DraftEvent {
        id: id.into(),
        actor: actor.into(),
        at,
        payload,
    };
    vec![
        (
            "kinga-goma",
            d(
                "01JQ0A8Z7K3V9X2M4N6P8R0T1W",
                "gateway:africastalking",
                t(7, 0, 12, 345_678),
                Payload::Alert {
                    alert: "01JQ0A8Z7K3V9X2M4N6P8R0T1W".into(),
                    event: received(),
                },
            ),
            "alert received: nested tagged enum, non-ASCII text, floats, optional fields",
        ),
        (
            "kinga-goma",
            d(
                "01JQ0AB3M5N7P9Q1R3S5T7V9X1",
                "cla.amani",
                t(7, 4, 0, 0),
                Payload::Alert {
                    alert: "01JQ0A8Z7K3V9X2M4N6P8R0T1W".into(),
                    event: AlertEvent::Transitioned {
                        from: AlertState::Received,
                        to: AlertState::Acknowledged,
                        reason: None,
                        responders: vec![],
                        outcome: None,
                        merged_into: None,
                        outcome_category: None,
                        referred_to: None,
                        verification: None,
                        feedback_withheld: None,
                        deadlines: None,
                    },
                },
            ),
            "alert transitioned: whole second, so `at` ends in .000000Z; null fields are written",
        ),
        (
            "kinga-bukavu",
            d(
                "01JQ0AC0000000000000000001",
                "admin",
                t(7, 5, 1, 1),
                Payload::PlaceSaved {
                    place: Place {
                        pcode: "CD6202-S001".into(),
                        name: "Minova".into(),
                        alt_names: vec!["Minowa".into()],
                        level: PlaceLevel::Settlement,
                        parent: Some("CD6202".into()),
                        country: "COD".into(),
                        lat: Some(-1.7047),
                        lon: Some(29.0164),
                    },
                },
            ),
            "place saved: another origin, interleaved with the first",
        ),
        (
            "kinga-goma",
            d(
                "01JQ0AD4F6G8H0J2K4M6N8P0Q2",
                "system",
                t(7, 4, 0, 500_000),
                Payload::MessageQueued {
                    message: OutboxMessage::queued(
                        "msg-0001".into(),
                        MessageKind::Acknowledgement,
                        Recipient::Reporter {
                            phone_sealed: Some("v1.q3J0c2VhbGVkLXBob25lLW51bWJlcg".into()),
                            pseudonym: Some("FP-7HKXM".into()),
                        },
                        Some("01JQ0A8Z7K3V9X2M4N6P8R0T1W".into()),
                        "fr".into(),
                        "Alerte K-1042 reçue. Nous vérifions. « Restez prudents »".into(),
                        t(7, 4, 0, 500_000),
                    ),
                },
            ),
            "message queued: a time inside the payload is chrono's own RFC 3339 (.500Z, not .500000Z)",
        ),
        (
            "kinga-goma",
            d(
                "01JQ0AE5G7H9J1K3M5N7P9Q1R3",
                "gateway:africastalking",
                t(7, 4, 3, 999_999),
                Payload::MessageStatus {
                    message: "msg-0001".into(),
                    status: MessageStatus::Sent,
                    error: None,
                    delivery: Some(DeliveryState {
                        attempts: 1,
                        next_attempt_at: None,
                        provider: Some("africastalking".into()),
                        provider_message_id: Some("ATXid_5b3c\"quoted\"\\slash".into()),
                        channel: Some("sms".into()),
                    }),
                    body: None,
                },
            ),
            "message status: skipped optional fields, JSON escapes inside the payload",
        ),
        (
            "kinga-bukavu",
            d(
                "01JQ0AF0000000000000000002",
                "system",
                t(18, 0, 0, 0),
                Payload::DigestIssued {
                    digest: json!({"received": 12, "closed": 4, "overdue": ["K-1042"], "day": "2026-03-14"}),
                },
            ),
            "digest issued: free JSON (object keys sorted, as serde_json's map writes them)",
        ),
    ]
}

fn build() -> Vec<(Event, &'static str)> {
    let mut heads: Vec<(&str, u64, String)> = vec![];
    drafts()
        .into_iter()
        .map(|(origin, draft, note)| {
            let i = match heads.iter().position(|h| h.0 == origin) {
                Some(i) => i,
                None => {
                    heads.push((origin, 0, GENESIS.to_string()));
                    heads.len() - 1
                }
            };
            let (_, seq, prev) = &heads[i];
            let e = seal(&draft, origin, seq + 1, prev).unwrap();
            heads[i] = (origin, e.seq, e.hash.clone());
            (e, note)
        })
        .collect()
}

/// The exact bytes hashed, so an implementer can compare before the hash.
fn preimage(e: &Event) -> String {
    let mut b = b"kinga-event-v1".to_vec();
    let seq = e.seq.to_string();
    for part in [
        &e.origin,
        &seq,
        &e.id,
        &e.actor,
        &e.at,
        &e.prev_hash,
        &e.payload,
    ] {
        b.extend_from_slice(&(part.len() as u64).to_le_bytes());
        b.extend_from_slice(part.as_bytes());
    }
    hex::encode(b)
}

fn vector_file(events: &[(Event, &str)]) -> Value {
    let list: Vec<Value> = events
        .iter()
        .map(|(e, note)| {
            json!({
                "note": note,
                "origin": e.origin,
                "seq": e.seq,
                "id": e.id,
                "actor": e.actor,
                "at": e.at,
                "payload": e.payload,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
                "preimage_hex": preimage(e),
            })
        })
        .collect();
    json!({
        "format": "kinga-ledger-v1",
        "spec": "docs/ledger-format.md",
        "genesis": GENESIS,
        "events": list,
    })
}

fn load() -> Value {
    let text = std::fs::read_to_string(path()).expect("vector file (KINGA_BLESS=1 writes it)");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn rebuilt_events_match_the_golden_vectors_byte_for_byte() {
    let built = build();
    if std::env::var("KINGA_BLESS").is_ok_and(|v| v == "1") {
        let text = serde_json::to_string_pretty(&vector_file(&built)).unwrap() + "\n";
        std::fs::create_dir_all(path().parent().unwrap()).unwrap();
        std::fs::write(path(), text).unwrap();
    }
    let file = load();
    let vectors = file["events"].as_array().unwrap();
    assert_eq!(vectors.len(), built.len(), "number of vectors");
    for (v, (e, _)) in vectors.iter().zip(&built) {
        let name = format!("vector {} ({} #{})", e.id, e.origin, e.seq);
        assert_eq!(v["at"].as_str().unwrap(), e.at, "{name}: at");
        assert_eq!(
            v["payload"].as_str().unwrap(),
            e.payload,
            "{name}: payload text"
        );
        assert_eq!(
            v["prev_hash"].as_str().unwrap(),
            e.prev_hash,
            "{name}: prev_hash"
        );
        assert_eq!(
            v["preimage_hex"].as_str().unwrap(),
            preimage(e),
            "{name}: preimage"
        );
        assert_eq!(v["hash"].as_str().unwrap(), e.hash, "{name}: hash");
        assert_eq!(e.computed_hash(), e.hash, "{name}: computed_hash");
    }
}

#[test]
fn the_vector_file_is_a_valid_pair_of_chains() {
    let file = load();
    let mut v = ChainVerifier::new();
    for x in file["events"].as_array().unwrap() {
        let s = |k: &str| x[k].as_str().unwrap().to_string();
        let e = Event {
            id: s("id"),
            origin: s("origin"),
            seq: x["seq"].as_u64().unwrap(),
            actor: s("actor"),
            at: s("at"),
            payload: s("payload"),
            prev_hash: s("prev_hash"),
            hash: s("hash"),
        };
        v.check(&e).unwrap();
    }
    let r = v.finish();
    assert_eq!(r.heads.len(), 2);
    assert_eq!(r.events, 6);
}

#[test]
fn the_time_format_is_fixed_width() {
    for (e, _) in build() {
        assert_eq!(e.at.len(), "2026-03-14T07:00:12.345678Z".len(), "{}", e.at);
        assert!(e.at.ends_with('Z'));
    }
}
