//! The generated ledger and the baselines beside each step: a plain read of a store's events
//! or of a package's bytes.

use std::io::Read;
use std::path::Path;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use kinga_domain::alert::{AlertEvent, AlertState, Channel, NewAlert, Reporter};
use kinga_domain::deadline::Deadlines;
use kinga_domain::{Severity, ThreatType};
use kinga_handover::{HeaderFields, InstanceKey, PackageWriter, PublicKeyLine, Scope};
use kinga_ledger::{DraftEvent, GENESIS, Payload, seal};
use kinga_store::Store;

/// Seconds to read every event of a SQLite database page by page, as an export does.
pub async fn read_events(database: &str) -> (u64, f64) {
    let store = kinga_store_sqlite::SqliteStore::open(database).expect("open");
    let t = Instant::now();
    let (mut after, mut n) = (0, 0u64);
    loop {
        let page = store.events(after, 5_000).await.expect("events");
        let Some((last, _)) = page.last() else { break };
        after = *last;
        n += page.len() as u64;
    }
    (n, t.elapsed().as_secs_f64())
}

/// Seconds to read a file's bytes (as `cat FILE > /dev/null`).
pub fn read_file(path: &Path) -> f64 {
    let t = Instant::now();
    let mut f = std::fs::File::open(path).expect("open");
    let mut buf = vec![0u8; 1 << 20];
    while f.read(&mut buf).expect("read") > 0 {}
    t.elapsed().as_secs_f64()
}

/// Event `i` of a generated ledger: alert `i / 3` received, acknowledged, then verified.
fn draft(i: u64) -> DraftEvent {
    let at =
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::milliseconds(i as i64 * 731);
    let alert = format!("01JQ{:022}", i / 3);
    let event = match i % 3 {
        0 => AlertEvent::Received(Box::new(NewAlert {
            id: alert.clone(),
            reference: format!("K-{}", 1000 + i / 3),
            channel: Channel::Sms,
            reporter: Reporter {
                focal_point: None,
                pseudonym: Some(format!("FP-K{:03}", i % 997)),
                phone_digest: Some(format!("{:064x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15))),
                phone_sealed: None,
                language: Some("fr".into()),
                hidden: false,
            },
            text: "Hommes armés à Kitshanga, les déplacés fuient vers Mweso".into(),
            language: Some("fr".into()),
            place: Some("CD6109-S014".into()),
            place_name: Some("Kitshanga".into()),
            place_candidates: vec![],
            threat_type: Some(ThreatType::ArmedPresence),
            severity: Severity::new(3).expect("severity"),
            reported_at: at,
            received_at: at,
            deadlines: Deadlines {
                acknowledge: at + Duration::minutes(30),
                verify: at + Duration::hours(2),
                respond: at + Duration::hours(6),
            },
            proposed_responders: vec!["resp-mweso-cob".into()],
            uncovered: false,
            duplicate_candidates: vec![],
            parse_flags: vec![],
            unparsed: None,
            severity_set: false,
        })),
        step => AlertEvent::Transitioned {
            from: if step == 1 {
                AlertState::Received
            } else {
                AlertState::Acknowledged
            },
            to: if step == 1 {
                AlertState::Acknowledged
            } else {
                AlertState::Verified
            },
            reason: Some("appel au point focal, confirmé".into()),
            responders: vec![],
            outcome: None,
            merged_into: None,
            outcome_category: None,
            referred_to: None,
            verification: None,
            feedback_withheld: None,
            deadlines: None,
        },
    };
    DraftEvent {
        id: format!("01JQ{i:022}"),
        actor: "cla.amani".into(),
        at,
        payload: Payload::Alert { alert, event },
    }
}

/// A package of `n` generated events from a new sender for `recipient`.
pub fn generate(path: &Path, n: u64, recipient: &Path) -> f64 {
    let t = Instant::now();
    let to = PublicKeyLine::parse(&std::fs::read_to_string(recipient).expect("pub")).expect("key");
    let sender = InstanceKey::from_seed(rand::random());
    let mut file = std::fs::File::create(path).expect("create");
    let fields = HeaderFields {
        sender_instance: "kinga-bench-origin".into(),
        sender_name: "Kinga bench".into(),
        recipient_name: to.name.clone(),
        created_at: Utc::now(),
        scope: Scope::Full,
    };
    let mut w =
        PackageWriter::new(&mut file, &sender, fields, &to.key, rand::random()).expect("writer");
    w.wrapped_key("field-sealing", &rand::random())
        .expect("key");
    let mut prev = GENESIS.to_string();
    for i in 0..n {
        let e = seal(&draft(i), "kinga-bench-origin", i + 1, &prev).expect("seal");
        prev.clone_from(&e.hash);
        w.event_owned(e).expect("event");
    }
    w.finish(None).expect("finish");
    t.elapsed().as_secs_f64()
}
