//! Handover package throughput: export and verify 1,000,000 sealed alert events, beside the
//! raw file write and read of the same bytes measured in the same run, and the independent
//! Python verifier for reference. Writes target/bench/handover.json.
//!
//! `cargo bench -p kinga-handover` (`KINGA_BENCH_EVENTS` changes the count, `KINGA_PYTHON`
//! names the Python with `blake3` and `cryptography`; `.venv/bin/python` is used if present).

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration as Elapsed, Instant};

use chrono::{Duration, TimeZone, Utc};
use kinga_domain::alert::{AlertEvent, AlertState, Channel, NewAlert, Reporter};
use kinga_domain::deadline::Deadlines;
use kinga_domain::place::PlaceCandidate;
use kinga_domain::{Severity, ThreatType};
use kinga_handover::{
    HeaderFields, InstanceKey, Item, PackageReader, PackageWriter, ReaderOptions, Scope, verify,
};
use kinga_ledger::{DraftEvent, Event, GENESIS, Payload, seal};

const TEXTS: [&str; 5] = [
    "Hommes armés à Kitshanga, les déplacés fuient vers Mweso",
    "Watu wenye silaha wameonekana karibu na soko la Minova usiku huu, wanawake wanaogopa kwenda shambani",
    "Tirs entendus près de l'école primaire de Kalehe depuis 5h, la population se cache dans la brousse",
    "مسلحون على الطريق بين القرية والسوق",
    "ENL ARM 3 KITSHANGA",
];

/// An alert as intake records it (~1.1 KB of JSON), or a later lifecycle move (~250 B),
/// in the proportions of a busy alert network: one intake for two moves.
fn draft(i: u64) -> DraftEvent {
    let at =
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::milliseconds(i as i64 * 731);
    let alert = format!("01JQ{:022}", i / 3);
    let event = if i % 3 == 0 {
        AlertEvent::Received(Box::new(NewAlert {
            id: alert.clone(),
            reference: format!("K-{}", 1000 + i / 3),
            channel: if i % 2 == 0 {
                Channel::Sms
            } else {
                Channel::Api
            },
            reporter: Reporter {
                focal_point: Some(format!("fp-{:04}", i % 997)),
                pseudonym: Some(format!("FP-K{:03}", i % 997)),
                phone_digest: Some(format!("{:064x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15))),
                phone_sealed: Some(format!("v1.{:064x}{:016x}", i.wrapping_mul(31), i)),
                language: Some("fr".into()),
                hidden: false,
            },
            text: TEXTS[(i as usize / 3) % TEXTS.len()].into(),
            language: Some("fr".into()),
            place: Some("CD6109-S014".into()),
            place_name: Some("Kitshanga".into()),
            place_candidates: vec![PlaceCandidate {
                pcode: "CD6109-S014".into(),
                name: "Kitshanga".into(),
                context: "Masisi, Nord-Kivu".into(),
                score: 1.0,
            }],
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
            reason: Some("Point focal rappelé, présence confirmée par deux sources".into()),
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
        actor: "cla.amani".into(),
        at,
        payload: Payload::Alert { alert, event },
    }
}

/// `n` events of two origins (two thirds and one third), interleaved as a merged log is.
fn events(n: u64) -> Vec<Event> {
    let origins = ["kinga-goma", "kinga-bukavu"];
    let mut heads = [(0u64, GENESIS.to_string()), (0, GENESIS.to_string())];
    (0..n)
        .map(|i| {
            let o = usize::from(i % 3 == 2);
            let (seq, prev) = &heads[o];
            let e = seal(&draft(i), origins[o], seq + 1, prev).unwrap();
            heads[o] = (e.seq, e.hash.clone());
            e
        })
        .collect()
}

fn bench_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("bench")
}

fn secs(d: Elapsed) -> f64 {
    d.as_secs_f64()
}

/// CPU seconds this process has used (user + system), from /proc: a figure that other jobs
/// on a shared machine disturb less than wall time.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the file, the 12th and 13th after the command
    // name, in ticks of 1/100 s.
    let tick = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores")
}

fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KINGA_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    venv.exists().then_some(venv)
}

fn main() {
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let n: u64 = std::env::var("KINGA_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = bench_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let pkg = dir.join("handover.pkg");
    let copy = dir.join("handover.copy");

    let t = Instant::now();
    let evs = events(n);
    eprintln!("built and sealed {n} events in {:.2} s", secs(t.elapsed()));

    let sender = InstanceKey::from_seed([1; 32]);
    let recipient = InstanceKey::from_seed([2; 32]);
    let fields = HeaderFields {
        sender_instance: "kinga-goma".into(),
        sender_name: "Kinga Goma".into(),
        recipient_name: "CNDH".into(),
        created_at: Utc::now(),
        scope: Scope::Full,
    };

    // Export: every event checked (link and hash), written, hashed, signed, fsynced.
    let t = Instant::now();
    let cpu = cpu_seconds();
    let f = File::create(&pkg).unwrap();
    let mut w = PackageWriter::new(&f, &sender, fields, &recipient.public(), [9; 32]).unwrap();
    w.wrapped_key("field-sealing", &[7; 32]).unwrap();
    // Events move into the writer, as the CLI passes each page read from the store.
    for (i, e) in evs.into_iter().enumerate() {
        if i % 1000 == 999 {
            w.withheld_owned(e).unwrap();
        } else {
            w.event_owned(e).unwrap();
        }
    }
    let summary = w.finish(None).unwrap();
    f.sync_all().unwrap();
    let export = t.elapsed();
    let export_cpu = cpu_seconds() - cpu;
    let size = summary.bytes;

    // Baselines on the same bytes: a plain write (fsynced) and a plain read.
    let bytes = std::fs::read(&pkg).unwrap();
    let t = Instant::now();
    let mut f = File::create(&copy).unwrap();
    f.write_all(&bytes).unwrap();
    f.sync_all().unwrap();
    let raw_write = t.elapsed();
    drop(bytes);
    let t = Instant::now();
    let mut sink = std::io::sink();
    let mut src = File::open(&copy).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let mut read_total = 0u64;
    loop {
        let k = src.read(&mut buf).unwrap();
        if k == 0 {
            break;
        }
        read_total += k as u64;
        sink.write_all(&buf[..k]).unwrap();
    }
    let raw_read = t.elapsed();
    assert_eq!(read_total, size);
    std::fs::remove_file(&copy).ok();

    // Verify: every check, from the file.
    let t = Instant::now();
    let cpu = cpu_seconds();
    let opts = ReaderOptions {
        expected_sender: Some(sender.public()),
        ..ReaderOptions::default()
    };
    let read = verify(File::open(&pkg).unwrap(), opts).unwrap();
    let verify_time = t.elapsed();
    let verify_cpu = cpu_seconds() - cpu;
    assert_eq!(read.manifest, summary.manifest);

    // What an import reads: the same checks, with every event built for the store to take.
    let t = Instant::now();
    let cpu = cpu_seconds();
    let mut taken = 0u64;
    for item in PackageReader::new(File::open(&pkg).unwrap(), ReaderOptions::default()) {
        if let Item::Event(e) = item.unwrap() {
            taken += u64::from(!e.payload.is_empty());
        }
    }
    let items_time = t.elapsed();
    let items_cpu = cpu_seconds() - cpu;
    assert_eq!(taken, summary.events());

    let py = python().and_then(|py| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/verify_package.py");
        let t = Instant::now();
        let out = std::process::Command::new(&py)
            .arg(&script)
            .arg(&pkg)
            .output()
            .ok()?;
        let el = t.elapsed();
        if !out.status.success() {
            eprintln!(
                "python verifier failed: {}",
                String::from_utf8_lossy(&out.stdout)
            );
            return None;
        }
        Some(el)
    });

    let mb = size as f64 / 1e6;
    let rate = |d: Elapsed| n as f64 / secs(d);
    println!("load average before the run: {}", load_before.trim());
    println!(
        "handover package, {n} events (two origins, 1 in 1000 withheld), {:.1} MB, {} ({})",
        mb,
        machine(),
        std::env::consts::OS
    );
    println!(
        "  export   {:>8.3} s  {:>10.0} events/s  {:>7.1} MB/s",
        secs(export),
        rate(export),
        mb / secs(export)
    );
    println!(
        "  verify   {:>8.3} s  {:>10.0} events/s  {:>7.1} MB/s",
        secs(verify_time),
        rate(verify_time),
        mb / secs(verify_time)
    );
    println!(
        "  read for import {:>8.3} s  {:>10.0} events/s  (CPU {items_cpu:.2} s): verify, yielding each event",
        secs(items_time),
        rate(items_time)
    );
    // On a machine shared with other jobs, wall time says more about them than about us:
    // CPU time used, and the share of the two cores it was, tell the two apart.
    println!(
        "  CPU used: export {export_cpu:.2} s ({:.0} events per CPU-second, {:.0} % of 2 cores), verify {verify_cpu:.2} s ({:.0} events per CPU-second, {:.0} % of 2 cores)",
        n as f64 / export_cpu,
        50.0 * export_cpu / secs(export),
        n as f64 / verify_cpu,
        50.0 * verify_cpu / secs(verify_time)
    );
    println!(
        "  raw write+fsync {:>8.3} s  {:>7.1} MB/s  (export takes {:.1}x)",
        secs(raw_write),
        mb / secs(raw_write),
        secs(export) / secs(raw_write)
    );
    println!(
        "  raw read        {:>8.3} s  {:>7.1} MB/s  (verify takes {:.1}x)",
        secs(raw_read),
        mb / secs(raw_read),
        secs(verify_time) / secs(raw_read)
    );
    match py {
        Some(d) => println!(
            "  python verifier {:>8.3} s  {:>10.0} events/s  ({:.1}x the Rust verifier)",
            secs(d),
            rate(d),
            secs(d) / secs(verify_time)
        ),
        None => println!("  python verifier: not run (set KINGA_PYTHON or make .venv)"),
    }
    let json = serde_json::json!({
        "events": n,
        "origins": 2,
        "withheld": summary.manifest.withheld(),
        "bytes": size,
        "machine": machine(),
        "load_average_before": load_before.trim(),
        "export": {"cpu_seconds": export_cpu, "events_per_cpu_second": n as f64 / export_cpu, "seconds": secs(export), "events_per_s": rate(export), "mb_per_s": mb / secs(export)},
        "verify": {"cpu_seconds": verify_cpu, "events_per_cpu_second": n as f64 / verify_cpu, "seconds": secs(verify_time), "events_per_s": rate(verify_time), "mb_per_s": mb / secs(verify_time)},
        "read_for_import": {"cpu_seconds": items_cpu, "seconds": secs(items_time), "events_per_s": rate(items_time)},
        "raw_write_fsync": {"seconds": secs(raw_write), "mb_per_s": mb / secs(raw_write)},
        "raw_read": {"seconds": secs(raw_read), "mb_per_s": mb / secs(raw_read)},
        "export_over_raw_write": secs(export) / secs(raw_write),
        "verify_over_raw_read": secs(verify_time) / secs(raw_read),
        "python_verify": py.map(|d| serde_json::json!({"seconds": secs(d), "events_per_s": rate(d)})),
        "target_events_per_s": 200_000,
    });
    std::fs::write(
        dir.join("handover.json"),
        serde_json::to_string_pretty(&json).unwrap() + "\n",
    )
    .unwrap();
}
