//! Packages and tamperings shared by the Rust and the Python verifier tests.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use kinga_domain::alert::{AlertEvent, AlertState, Channel, NewAlert, Reporter};
use kinga_domain::deadline::Deadlines;
use kinga_domain::{Severity, ThreatType};
use kinga_handover::{HeaderFields, InstanceKey, PackageWriter, Scope};
use kinga_ledger::{DraftEvent, Event, GENESIS, Payload, seal};

pub fn sender() -> InstanceKey {
    InstanceKey::from_seed([1; 32])
}
pub fn recipient() -> InstanceKey {
    InstanceKey::from_seed([2; 32])
}
pub fn stranger() -> InstanceKey {
    InstanceKey::from_seed([3; 32])
}

pub const FIELD_KEY: [u8; 32] = [0x5a; 32];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 7, 0, 0).unwrap()
}

const TEXTS: [&str; 4] = [
    "Hommes armés à Kitshanga, les déplacés fuient vers Mweso",
    "Watu wenye silaha wameonekana karibu na soko la Minova usiku huu",
    "Tirs entendus près de l'école primaire de Kalehe depuis 5h, la population se cache",
    "مسلحون على الطريق بين القرية والسوق",
];

/// A realistic alert-intake payload (~1 KB of JSON) or, every third event, a transition.
pub fn draft(i: u64) -> DraftEvent {
    let at = t0() + Duration::microseconds(i as i64 * 1_234_567);
    let alert = format!("01JQ{:022}", i / 3);
    let event = if i % 3 == 0 {
        AlertEvent::Received(Box::new(NewAlert {
            id: alert.clone(),
            reference: format!("K-{}", 1000 + i),
            channel: Channel::Sms,
            reporter: Reporter {
                focal_point: Some(format!("fp-{:03}", i % 97)),
                pseudonym: Some(format!("FP-HK{:02}", i % 97)),
                phone_digest: Some(format!("{:064x}", i * 7919)),
                phone_sealed: Some(format!("v1.{}", "q3J0c2VhbGVkLXBob25lLW51bWJlcg".repeat(2))),
                language: Some("fr".into()),
                hidden: false,
            },
            text: TEXTS[(i as usize) % TEXTS.len()].into(),
            language: Some("fr".into()),
            place: Some("CD6109-S014".into()),
            place_name: Some("Kitshanga".into()),
            place_candidates: vec![],
            threat_type: Some(ThreatType::ArmedPresence),
            severity: Severity::new(3).unwrap(),
            reported_at: at,
            received_at: at,
            deadlines: Deadlines {
                acknowledge: at + Duration::minutes(30),
                verify: at + Duration::hours(2),
                respond: at + Duration::hours(6),
            },
            proposed_responders: vec!["resp-mweso-cob".into(), "resp-masisi-pnc".into()],
            uncovered: false,
            duplicate_candidates: vec![],
            parse_flags: vec![],
            unparsed: None,
            severity_set: false,
        }))
    } else {
        AlertEvent::Transitioned {
            from: AlertState::Received,
            to: AlertState::Acknowledged,
            reason: Some("appel au point focal, confirmé".into()),
            responders: vec![],
            outcome: None,
            merged_into: None,
            outcome_category: None,
            referred_to: None,
            verification: None,
            feedback_withheld: None,
            deadlines: None,
        }
    };
    DraftEvent {
        id: format!("01JQ{i:022}"),
        actor: if i % 2 == 0 {
            "cla.amani".into()
        } else {
            "gateway:africastalking".into()
        },
        at,
        payload: Payload::Alert { alert, event },
    }
}

/// `n` sealed events of one origin.
pub fn chain(origin: &str, n: u64) -> Vec<Event> {
    let mut prev = GENESIS.to_string();
    (1..=n)
        .map(|seq| {
            let e = seal(&draft(seq), origin, seq, &prev).unwrap();
            prev = e.hash.clone();
            e
        })
        .collect()
}

/// Two chains interleaved two to one.
pub fn interleaved(a: u64, b: u64) -> Vec<Event> {
    let (ca, cb) = (chain("kinga-goma", a), chain("kinga-bukavu", b));
    let (mut ia, mut ib) = (ca.into_iter(), cb.into_iter());
    let mut out = vec![];
    loop {
        let x = ia.next();
        let y = ia.next();
        let z = ib.next();
        if x.is_none() && y.is_none() && z.is_none() {
            return out;
        }
        out.extend(x.into_iter().chain(y).chain(z));
    }
}

/// A package of `events`, those whose index is in `withheld` as stubs, with attachments
/// and the field-sealing key.
pub fn package_from(
    from: &InstanceKey,
    events: &[Event],
    withheld: &[usize],
    attachments: &[(&str, &[u8])],
    keys: &[(&str, [u8; 32])],
) -> Vec<u8> {
    let mut out = vec![];
    let to = recipient().public();
    let mut w = PackageWriter::new(
        &mut out,
        from,
        HeaderFields {
            sender_instance: "kinga-goma".into(),
            sender_name: "Kinga Goma — Mission de protection".into(),
            recipient_name: "Commission nationale des droits de l'homme".into(),
            created_at: Utc.with_ymd_and_hms(2026, 6, 30, 18, 0, 0).unwrap(),
            scope: Scope::Full,
        },
        &to,
        [77; 32],
    )
    .unwrap();
    for (name, key) in keys {
        w.wrapped_key(name, key).unwrap();
    }
    for (media, bytes) in attachments {
        w.attachment(media, bytes).unwrap();
    }
    for (i, e) in events.iter().enumerate() {
        if withheld.contains(&i) {
            w.withheld(e).unwrap();
        } else {
            w.event(e).unwrap();
        }
    }
    w.finish(None).unwrap();
    out
}

/// The standard test package: 12 + 6 events, two withheld, two attachments, one key.
pub fn standard() -> Vec<u8> {
    package_from(
        &sender(),
        &interleaved(12, 6),
        &[4, 5],
        &[
            ("image/jpeg", &[0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
            (
                "text/plain; charset=utf-8",
                "Procès-verbal, Kitshanga".as_bytes(),
            ),
        ],
        &[("field-sealing", FIELD_KEY)],
    )
}

pub fn lines(p: &[u8]) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = p.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    v.pop();
    v
}

pub fn join(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![];
    for l in lines {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    out
}

/// Replace the signature line with a valid signature by `key` over the other lines.
pub fn resign(lines: &[Vec<u8>], key: &InstanceKey) -> Vec<u8> {
    let body = join(&lines[..lines.len() - 1]);
    let digest = blake3::hash(&body).to_hex().to_string();
    let sig = key.sign(format!("kinga-handover-v1:{digest}").as_bytes());
    use base64::Engine;
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig);
    let mut out = body;
    out.extend_from_slice(
        format!("{{\"t\":\"signature\",\"alg\":\"ed25519\",\"digest\":\"{digest}\",\"sig\":\"{sig}\"}}\n")
            .as_bytes(),
    );
    out
}

fn index_of(lines: &[Vec<u8>], kind: &str, nth: usize) -> usize {
    let tag = format!("{{\"t\":\"{kind}\"");
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with(tag.as_bytes()))
        .nth(nth)
        .map(|(i, _)| i)
        .unwrap()
}

fn flip_in_line(p: &[u8], line: usize, needle: &str, offset: usize, to: u8) -> Vec<u8> {
    let ls = lines(p);
    let start: usize = ls[..line].iter().map(|l| l.len() + 1).sum();
    let at = ls[line]
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .unwrap()
        + needle.len()
        + offset;
    let mut out = p.to_vec();
    assert_ne!(out[start + at], to);
    out[start + at] = to;
    out
}

/// A tampered package: its name, bytes, the fault kind and line both verifiers must report,
/// and the sender the verifier is told to expect (`None`: the header's own key).
pub struct Case {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    pub kind: &'static str,
    pub line: u64,
    pub expect_sender: bool,
}

/// Every tampering the format must catch, each with the first fault it must be named by.
pub fn cases() -> Vec<Case> {
    let p = standard();
    let ls = lines(&p);
    let n = ls.len() as u64;
    let ev = |k: usize| index_of(&ls, "event", k);
    let case = |name, bytes, kind, line: usize| Case {
        name,
        bytes,
        kind,
        line: line as u64,
        expect_sender: true,
    };
    let mut out = vec![case("intact", p.clone(), "ok", 0)];
    // One byte changed: in an event's payload, the header, the signature.
    out.push(case(
        "byte changed in an event payload",
        flip_in_line(&p, ev(1), "appel au point", 0, b'A'),
        "altered",
        ev(1) + 1,
    ));
    out.push(case(
        "byte changed in an event's actor",
        flip_in_line(&p, ev(3), "\"actor\":\"", 0, b'X'),
        "altered",
        ev(3) + 1,
    ));
    out.push(case(
        "byte changed in the header's sender name",
        flip_in_line(&p, 0, "\"sender_name\":\"", 0, b'k'),
        "digest",
        ls.len(),
    ));
    out.push(case(
        "byte changed in an attachment's data",
        flip_in_line(&p, index_of(&ls, "attachment", 1), "\"data\":\"", 0, b'Q'),
        "attachment",
        index_of(&ls, "attachment", 1) + 1,
    ));
    out.push(case(
        "byte changed in a wrapped key",
        flip_in_line(&p, index_of(&ls, "key", 0), "\"sealed\":\"", 3, b'A'),
        "digest",
        ls.len(),
    ));
    out.push(case(
        "byte changed in the signature",
        flip_in_line(&p, ls.len() - 1, "\"sig\":\"", 10, b'A'),
        "signature",
        ls.len(),
    ));
    out.push(case(
        "byte changed in the signed digest",
        flip_in_line(&p, ls.len() - 1, "\"digest\":\"", 5, b'0'),
        "digest",
        ls.len(),
    ));
    // One event removed: the next event of its origin no longer follows.
    // ev(4) is goma #5 and ev(5) goma #6, on the next line.
    assert_eq!(ev(5), ev(4) + 1);
    let mut l = ls.clone();
    l.remove(ev(4));
    out.push(case("one event removed", join(&l), "sequence", ev(4) + 1));
    let mut l = ls.clone();
    l.remove(ev(4));
    out.push(case(
        "one event removed and re-signed by the sender",
        resign(&l, &sender()),
        "sequence",
        ev(4) + 1,
    ));
    // The last event of an origin removed: only the manifest can tell.
    let mut l = ls.clone();
    let last = index_of(&ls, "manifest", 0) - 1;
    l.remove(last);
    out.push(case(
        "the last event removed",
        join(&l),
        "manifest",
        last + 1,
    ));
    // Two events of one origin swapped.
    let mut l = ls.clone();
    l.swap(ev(0), ev(1));
    out.push(case(
        "two events reordered",
        join(&l),
        "sequence",
        ev(0) + 1,
    ));
    // Truncations.
    let cut = |bytes: usize| p[..bytes].to_vec();
    let offset = |line: usize| ls[..line].iter().map(|l| l.len() + 1).sum::<usize>();
    out.push(case("empty file", vec![], "truncated", 1));
    out.push(case("cut mid-header", cut(40), "truncated", 1));
    out.push(case(
        "cut mid-event",
        cut(offset(ev(5)) + 100),
        "truncated",
        ev(5) + 1,
    ));
    out.push(case(
        "cut after an event",
        cut(offset(ev(5))),
        "truncated",
        ev(5) + 1,
    ));
    out.push(case(
        "cut right before the signature",
        cut(offset(ls.len() - 1)),
        "truncated",
        ls.len(),
    ));
    out.push(case(
        "cut mid-signature",
        cut(offset(ls.len() - 1) + 30),
        "truncated",
        ls.len(),
    ));
    out.push(case(
        "last line feed missing",
        cut(p.len() - 1),
        "truncated",
        ls.len(),
    ));
    // Keys.
    out.push(case(
        "valid package signed by an unpaired key",
        package_from(&stranger(), &interleaved(3, 2), &[], &[], &[]),
        "sender",
        1,
    ));
    out.push(case(
        "header names the sender but a stranger signed",
        resign(&ls, &stranger()),
        "signature",
        ls.len(),
    ));
    // A manifest that does not match, validly signed.
    let mut l = ls.clone();
    let m = index_of(&ls, "manifest", 0);
    let text = String::from_utf8(l[m].clone()).unwrap();
    l[m] = text
        .replacen("\"count\":12", "\"count\":13", 1)
        .into_bytes();
    assert_ne!(l[m], ls[m]);
    out.push(case(
        "manifest count wrong, re-signed",
        resign(&l, &sender()),
        "manifest",
        m + 1,
    ));
    let mut l = ls.clone();
    l[m] = text
        .replacen("\"attachments\":2", "\"attachments\":1", 1)
        .into_bytes();
    out.push(case(
        "manifest attachments wrong, re-signed",
        resign(&l, &sender()),
        "manifest",
        m + 1,
    ));
    // Structure.
    let mut l = ls.clone();
    l.push(b"{}".to_vec());
    out.push(case(
        "data after the signature",
        join(&l),
        "trailing",
        ls.len() + 1,
    ));
    let mut l = ls.clone();
    l.swap(0, 1);
    out.push(case("header not first", join(&l), "order", 1));
    let mut l = ls.clone();
    let text = String::from_utf8(l[ev(2)].clone()).unwrap();
    l[ev(2)] = text
        .replacen("{\"t\":\"event\",", "{\"t\":\"event\",\"note\":1,", 1)
        .into_bytes();
    out.push(case(
        "unknown member",
        resign(&l, &sender()),
        "malformed",
        ev(2) + 1,
    ));
    let mut l = ls.clone();
    l[ev(2)] = b"{\"t\":\"event\"".to_vec();
    out.push(case("broken JSON", join(&l), "malformed", ev(2) + 1));
    // Rehashing one event does not hide its change: the next link breaks.
    let mut l = ls.clone();
    let mut e: serde_json::Value = serde_json::from_slice(&l[ev(0)]).unwrap();
    e["actor"] = "intruder".into();
    let rehashed = Event {
        id: e["id"].as_str().unwrap().into(),
        origin: e["origin"].as_str().unwrap().into(),
        seq: e["seq"].as_u64().unwrap(),
        actor: "intruder".into(),
        at: e["at"].as_str().unwrap().into(),
        payload: e["payload"].as_str().unwrap().into(),
        prev_hash: e["prev_hash"].as_str().unwrap().into(),
        hash: String::new(),
    }
    .computed_hash();
    e["hash"] = rehashed.into();
    l[ev(0)] = serde_json::to_vec(&e).unwrap();
    out.push(case(
        "one event rewritten and rehashed",
        resign(&l, &sender()),
        "link",
        ev(1) + 1,
    ));
    let _ = n;
    out
}
