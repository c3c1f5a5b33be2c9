//! Writing and verifying packages: intact ones pass, every tampering is named at its first fault.

mod common;

use chrono::{TimeZone, Utc};
use common::*;
use kinga_handover::{
    Fault, HeaderFields, Item, PackageReader, PackageWriter, ReaderOptions, Scope, WriteError,
    verify,
};
use proptest::prelude::*;

fn opts(expect_sender: bool) -> ReaderOptions {
    ReaderOptions {
        expected_sender: expect_sender.then(|| sender().public()),
        ..ReaderOptions::default()
    }
}

fn fields(scope: Scope) -> HeaderFields {
    HeaderFields {
        sender_instance: "kinga-goma".into(),
        sender_name: "Kinga Goma".into(),
        recipient_name: "CNDH".into(),
        created_at: Utc.with_ymd_and_hms(2026, 6, 30, 18, 0, 0).unwrap(),
        scope,
    }
}

#[test]
fn an_intact_package_verifies_and_says_what_it_holds() {
    let p = standard();
    let s = verify(&p[..], opts(true)).unwrap();
    assert_eq!(s.manifest.records(), 18);
    assert_eq!(s.manifest.withheld(), 2);
    assert_eq!(s.events(), 16);
    assert_eq!(s.manifest.attachments, 2);
    assert_eq!(s.manifest.keys, 1);
    assert_eq!(s.bytes, p.len() as u64);
    assert_eq!(s.header.sender_key, sender().public());
    let goma = &s.manifest.origins[1];
    assert_eq!(
        (goma.origin.as_str(), goma.first, goma.last),
        ("kinga-goma", 1, 12)
    );
    assert!(s.one_line().contains("18 events (2 withheld)"));
}

#[test]
fn every_tampering_is_named_at_its_first_fault() {
    for c in cases() {
        let got = verify(&c.bytes[..], opts(c.expect_sender));
        match (c.kind, got) {
            ("ok", Ok(_)) => {}
            ("ok", Err(f)) => panic!("{}: rejected: {f}", c.name),
            (_, Ok(_)) => panic!("{}: accepted", c.name),
            (kind, Err(f)) => {
                assert_eq!((f.kind(), f.line()), (kind, c.line), "{}: {f}", c.name);
                // The iterator (which builds the events for an import) finds the same fault.
                let first =
                    PackageReader::new(&c.bytes[..], opts(c.expect_sender)).find_map(Result::err);
                assert_eq!(first, Some(f), "{}", c.name);
            }
        }
    }
}

#[test]
fn faults_read_well() {
    let c = cases();
    let removed = c.iter().find(|c| c.name == "one event removed").unwrap();
    let f = verify(&removed.bytes[..], opts(true)).unwrap_err();
    let msg = f.to_string();
    assert!(
        msg.contains("chain of origin kinga-goma breaks at event 6"),
        "{msg}"
    );
    assert!(msg.contains("expected sequence number 5"), "{msg}");
    let unpaired = c.iter().find(|c| c.kind == "sender").unwrap();
    let msg = verify(&unpaired.bytes[..], opts(true))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("not from the expected sender"), "{msg}");
    // Without an expected sender, the same package verifies: it is intact, just not theirs.
    assert!(verify(&unpaired.bytes[..], opts(false)).is_ok());
}

#[test]
fn the_reader_yields_checked_items_and_the_keys_open_for_the_recipient() {
    let p = standard();
    let mut r = PackageReader::new(
        &p[..],
        ReaderOptions {
            recipient: Some(recipient().public()),
            ..opts(true)
        },
    );
    let (mut events, mut stubs, mut files, mut keys, mut end) = (0, 0, vec![], vec![], None);
    for item in r.by_ref() {
        match item.unwrap() {
            Item::Header(h) => assert_eq!(
                h.recipient_name,
                "Commission nationale des droits de l'homme"
            ),
            Item::Event(e) => {
                assert!(e.decode().is_ok());
                events += 1;
            }
            Item::Withheld(w) => {
                assert_eq!(w.hash.len(), 64);
                stubs += 1;
            }
            Item::Attachment(a) => files.push(a),
            Item::Key(k) => keys.push(k),
            Item::Manifest(_) => {}
            Item::End(s) => end = Some(s),
        }
    }
    assert_eq!((events, stubs), (16, 2));
    assert_eq!(files[1].data, "Procès-verbal, Kitshanga".as_bytes());
    assert_eq!(files[1].media_type, "text/plain; charset=utf-8");
    assert_eq!(keys[0].key_id, "field-sealing");
    assert_eq!(keys[0].unwrap_key(&recipient()).unwrap(), FIELD_KEY);
    assert!(keys[0].unwrap_key(&stranger()).is_err());
    assert!(end.is_some());
    assert_eq!(r.progress().bytes, p.len() as u64);
}

#[test]
fn a_package_for_another_recipient_is_refused_on_import() {
    let p = standard();
    let f = verify(
        &p[..],
        ReaderOptions {
            recipient: Some(stranger().public()),
            ..ReaderOptions::default()
        },
    )
    .unwrap_err();
    assert!(matches!(f, Fault::Recipient { line: 1, .. }), "{f}");
}

#[test]
fn the_writer_refuses_what_the_reader_would_reject() {
    let events = chain("kinga-goma", 4);
    let k = sender();
    let to = recipient().public();
    let mut w = PackageWriter::new(vec![], &k, fields(Scope::Full), &to, [0; 32]).unwrap();
    assert!(matches!(
        w.event(&events[1]),
        Err(WriteError::Chain { seq: 2, .. })
    ));
    w.event(&events[0]).unwrap();
    assert!(w.event(&events[2]).is_err());
    w.event(&events[1]).unwrap();
    w.attachment("image/png", b"x").unwrap();
    assert!(matches!(
        w.attachment("image/png", b"x"),
        Err(WriteError::Duplicate(_))
    ));
    w.wrapped_key("field-sealing", &[1; 32]).unwrap();
    assert!(w.wrapped_key("field-sealing", &[2; 32]).is_err());
    let mut expected = w.manifest();
    expected.origins[0].last = 4;
    let err = w.finish(Some(&expected)).unwrap_err();
    assert!(err.to_string().contains("last"), "{err}");
    // An altered event links (its stated hash is right) but its content is caught before
    // anything is signed: with the next non-event record, or at the latest by finish.
    let mut altered = events[1].clone();
    altered.payload = altered.payload.replace("appel", "APPEL");
    let mut w = PackageWriter::new(vec![], &k, fields(Scope::Full), &to, [0; 32]).unwrap();
    w.event(&events[0]).unwrap();
    w.event(&altered).unwrap();
    let err = w.finish(None).unwrap_err();
    assert!(matches!(err, WriteError::Chain { seq: 2, .. }), "{err}");
    let many = chain("kinga-goma", 5000);
    let mut w = PackageWriter::new(std::io::sink(), &k, fields(Scope::Full), &to, [0; 32]).unwrap();
    let mut bad = many[3000].clone();
    bad.actor = "intruder".into();
    let mut first_err = None;
    for e in many[..3000].iter().chain([&bad]).chain(&many[3001..]) {
        if let Err(err) = w.event(e) {
            first_err = Some(err);
            break;
        }
    }
    let err = first_err.unwrap_or_else(|| w.finish(None).unwrap_err());
    assert!(matches!(err, WriteError::Chain { seq: 3001, .. }), "{err}");
}

#[test]
fn large_packages_cross_batches_and_faults_keep_their_line() {
    let events = chain("kinga-goma", 5000);
    let p = package_from(&sender(), &events, &[10, 2500], &[], &[]);
    let s = verify(&p[..], opts(true)).unwrap();
    assert_eq!(s.manifest.records(), 5000);
    let ls = lines(&p);
    // Line 1 is the header, so event i is on line i + 2.
    let mut l = ls.clone();
    l.remove(3001);
    let f = verify(&join(&l)[..], opts(true)).unwrap_err();
    assert_eq!((f.kind(), f.line()), ("sequence", 3002), "{f}");
    let mut l = ls.clone();
    let text = String::from_utf8(l[4322].clone()).unwrap();
    l[4322] = text.replacen("cla.amani", "cla.amanI", 1).into_bytes();
    assert_ne!(l[4322], ls[4322]);
    let f = verify(&join(&l)[..], opts(true)).unwrap_err();
    assert_eq!((f.kind(), f.line()), ("altered", 4323), "{f}");
    let mut t = p.clone();
    t.extend_from_slice(b"{}\n");
    let f = verify(&t[..], opts(true)).unwrap_err();
    assert_eq!(
        (f.kind(), f.line()),
        ("trailing", ls.len() as u64 + 1),
        "{f}"
    );
    let f = verify(&p[..p.len() - 10], opts(true)).unwrap_err();
    assert_eq!((f.kind(), f.line()), ("truncated", ls.len() as u64), "{f}");
    // Items come out in order, one per line.
    let items: Vec<_> = PackageReader::new(&p[..], opts(true))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(items.len(), ls.len());
    assert!(matches!(items.last(), Some(Item::End(_))));
}

#[test]
fn a_partial_package_may_start_a_chain_late_but_a_full_one_may_not() {
    let events = chain("kinga-goma", 6);
    let k = sender();
    let to = recipient().public();
    let mut out = vec![];
    let mut w = PackageWriter::new(&mut out, &k, fields(Scope::Partial), &to, [0; 32]).unwrap();
    for e in &events[3..] {
        w.event(e).unwrap();
    }
    let s = w.finish(None).unwrap();
    assert_eq!(s.manifest.origins[0].first, 4);
    let read = verify(&out[..], opts(true)).unwrap();
    assert_eq!(read.manifest, s.manifest);
    // The same records under a header that says "full" are refused at the first event.
    let text =
        String::from_utf8(out)
            .unwrap()
            .replacen("\"scope\":\"partial\"", "\"scope\":\"full\"", 1);
    let l = lines(text.as_bytes());
    let f = verify(&resign(&l, &k)[..], opts(true)).unwrap_err();
    assert_eq!((f.kind(), f.line()), ("sequence", 2), "{f}");
    let mut w = PackageWriter::new(vec![], &k, fields(Scope::Full), &to, [0; 32]).unwrap();
    assert!(w.event(&events[3]).is_err());
}

#[test]
fn progress_is_reported_while_writing() {
    let events = chain("kinga-goma", 5000);
    let k = sender();
    let to = recipient().public();
    let seen = std::cell::Cell::new(0u64);
    let mut w = PackageWriter::new(std::io::sink(), &k, fields(Scope::Full), &to, [0; 32]).unwrap();
    w.on_progress(|p| seen.set(p.events));
    for e in &events {
        w.event(e).unwrap();
    }
    assert_eq!(seen.get(), 4096);
    assert_eq!(w.progress().events, 5000);
    w.finish(None).unwrap();
    assert_eq!(seen.get(), 5000);
}

#[test]
fn an_over_long_line_is_refused_without_reading_it_whole() {
    let mut p = standard();
    let cut = lines(&p)[0].len() + 1;
    p.truncate(cut);
    p.extend(std::iter::repeat_n(b'x', 5000));
    let f = verify(
        &p[..],
        ReaderOptions {
            max_line: 1000,
            ..ReaderOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!((f.kind(), f.line()), ("too_long", 2));
}

fn arb_package() -> impl Strategy<Value = (Vec<u8>, usize)> {
    (
        1u64..25,
        0u64..10,
        proptest::collection::vec(any::<bool>(), 35),
        0usize..3,
        any::<bool>(),
    )
        .prop_map(|(a, b, hide, files, key)| {
            let events = interleaved(a, b);
            let withheld: Vec<usize> = (0..events.len())
                .filter(|i| hide[*i] && i % 4 == 1)
                .collect();
            let blobs: Vec<Vec<u8>> = (0..files).map(|i| vec![i as u8; 10 + i * 7]).collect();
            let atts: Vec<(&str, &[u8])> = blobs
                .iter()
                .map(|b| ("application/octet-stream", &b[..]))
                .collect();
            let keys: Vec<(&str, [u8; 32])> = if key {
                vec![("field-sealing", FIELD_KEY)]
            } else {
                vec![]
            };
            let p = package_from(&sender(), &events, &withheld, &atts, &keys);
            (p, events.len())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_valid_packages_are_accepted((p, n) in arb_package()) {
        let s = verify(&p[..], opts(true)).unwrap();
        prop_assert_eq!(s.manifest.records(), n as u64);
    }

    #[test]
    fn any_changed_byte_is_rejected((p, _) in arb_package(), at in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let mut t = p.clone();
        let i = at.index(t.len());
        t[i] ^= xor;
        prop_assert!(verify(&t[..], opts(true)).is_err(), "byte {} of {} changed and accepted", i, t.len());
    }

    #[test]
    fn any_truncation_or_removed_line_is_rejected((p, _) in arb_package(), at in any::<prop::sample::Index>()) {
        let i = at.index(p.len());
        prop_assert!(verify(&p[..i], opts(true)).is_err());
        let mut l = lines(&p);
        let j = at.index(l.len());
        l.remove(j);
        prop_assert!(verify(&join(&l)[..], opts(true)).is_err());
    }
}

/// The example of docs/handover-format.md §6, rebuilt: deterministic (fixed keys, time and
/// entropy; Ed25519 signatures are deterministic), so the page cannot drift from the code.
fn example() -> Vec<u8> {
    use kinga_domain::outbox::MessageStatus;
    use kinga_ledger::{DraftEvent, GENESIS, Payload, seal};
    let mut events = vec![];
    for origin in ["kinga-goma", "kinga-bukavu"] {
        let mut prev = GENESIS.to_string();
        for seq in 1..=2u64 {
            let d = DraftEvent {
                id: format!(
                    "01JQ0{}{seq:020}",
                    if origin == "kinga-goma" { "G" } else { "B" }
                ),
                actor: "system".into(),
                at: Utc.with_ymd_and_hms(2026, 3, 14, 7, 0, seq as u32).unwrap(),
                payload: Payload::MessageStatus {
                    message: format!("msg-{seq}"),
                    status: MessageStatus::Delivered,
                    error: None,
                    delivery: None,
                    body: None,
                },
            };
            let e = seal(&d, origin, seq, &prev).unwrap();
            prev = e.hash.clone();
            events.push(e);
        }
    }
    let k = sender();
    let mut out = vec![];
    let mut w = PackageWriter::new(
        &mut out,
        &k,
        fields(Scope::Full),
        &recipient().public(),
        [0; 32],
    )
    .unwrap();
    w.wrapped_key("field-sealing", &FIELD_KEY).unwrap();
    w.attachment("text/plain; charset=utf-8", "Procès-verbal".as_bytes())
        .unwrap();
    w.event(&events[0]).unwrap();
    w.event(&events[2]).unwrap();
    w.withheld(&events[3]).unwrap();
    w.event(&events[1]).unwrap();
    w.finish(None).unwrap();
    out
}

#[test]
fn the_format_page_example_is_a_valid_package() {
    let p = example();
    let s = verify(&p[..], opts(true)).unwrap();
    assert_eq!((s.manifest.records(), s.manifest.withheld()), (4, 1));
    let text = String::from_utf8(p).unwrap();
    if std::env::var("KINGA_BLESS").is_ok_and(|v| v == "1") {
        println!("{text}");
    }
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/handover-format.md"
    ))
    .unwrap();
    assert!(
        page.contains(&text),
        "docs/handover-format.md §6 differs from the package the code writes"
    );
}
