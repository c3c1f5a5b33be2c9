//! Handover through the `kinga` binary: export, verify and import of the demo database and of
//! a generated ledger (`KINGA_BENCH_EVENTS`, default 1,000,000 events: alerts received,
//! acknowledged and verified), each beside a baseline measured in the same run — a plain read
//! of the same events from the store (export), and a plain read of the package's bytes
//! (verify, import). Imports go into SQLite and, when `KINGA_TEST_POSTGRES_URL` reaches a
//! server, into PostgreSQL; then a new instance pulls the generated ledger by `kinga sync` from
//! a served one. Each step gives its wall time, the CPU time of the `kinga` process (user +
//! system, from `getrusage` of the waited child; a PostgreSQL server's own work is not in it)
//! and the load average when it ended, since the machine may be shared. Writes
//! target/bench/handover-cli.json.
//!
//! `cargo bench -p kinga --bench handover`
//!
//! Knobs: `KINGA_BENCH_SKIP` (comma-separated, any of `demo`, `postgres`, `sync`),
//! `KINGA_BENCH_PERF` (a folder: each generated import runs under `perf record` with DWARF call
//! graphs, into `perf-import-<store>.data` there) and `KINGA_BENCH_KEEP` (keep the instances
//! and packages, and say where).

#[path = "intake/machine.rs"]
#[allow(dead_code)]
mod machine;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use kinga_domain::alert::{AlertEvent, AlertState, Channel, NewAlert, Reporter};
use kinga_domain::deadline::Deadlines;
use kinga_domain::{Severity, ThreatType};
use kinga_handover::{HeaderFields, InstanceKey, PackageWriter, PublicKeyLine, Scope};
use kinga_ledger::{DraftEvent, GENESIS, Payload, seal};
use kinga_store::Store;

/// One instance: its own folder (key files, anchor) and database.
struct Instance {
    dir: PathBuf,
    database: String,
}

impl Instance {
    fn sqlite(root: &Path, name: &str) -> Instance {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).expect("dir");
        let database = dir.join("kinga.db").display().to_string();
        Instance { dir, database }
    }

    fn kinga(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_kinga"))
            .arg("--database")
            .arg(&self.database)
            .args(args)
            .env("KINGA_DATA_DIR", &self.dir)
            .env("KINGA_LOG", "warn")
            .output()
            .expect("kinga runs");
        assert!(
            out.status.success(),
            "kinga {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Time `kinga ARGS`: wall and CPU seconds.
    fn timed(&self, args: &[&str]) -> Timed {
        let cpu = children_cpu();
        let t = Instant::now();
        self.kinga(args);
        Timed {
            wall: t.elapsed().as_secs_f64(),
            cpu: children_cpu() - cpu,
        }
    }

    /// Time `kinga ARGS` under `perf record -g` into `data` when a perf folder is given.
    fn timed_perf(&self, args: &[&str], data: Option<PathBuf>) -> Timed {
        let Some(data) = data else {
            return self.timed(args);
        };
        let cpu = children_cpu();
        let t = Instant::now();
        // DWARF call graphs: the release build keeps no frame pointers.
        let out = Command::new("perf")
            .args(["record", "-F", "250", "--call-graph", "dwarf,16384", "-o"])
            .arg(&data)
            .arg("--")
            .arg(env!("CARGO_BIN_EXE_kinga"))
            .arg("--database")
            .arg(&self.database)
            .args(args)
            .env("KINGA_DATA_DIR", &self.dir)
            .env("KINGA_LOG", "warn")
            .output()
            .expect("perf runs");
        assert!(
            out.status.success(),
            "perf kinga {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Timed {
            wall: t.elapsed().as_secs_f64(),
            cpu: children_cpu() - cpu,
        }
    }

    fn key_file(&self) -> PathBuf {
        let p = self.dir.join("instance.pub");
        std::fs::write(&p, self.kinga(&["instance", "key"])).expect("write");
        p
    }
}

/// Wall and CPU seconds of one step.
#[derive(Clone, Copy, Default)]
struct Timed {
    wall: f64,
    cpu: f64,
}

/// User + system CPU seconds of every child waited for so far.
fn children_cpu() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(u.ru_utime) + secs(u.ru_stime)
}

/// The one-minute load average now.
fn load() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// Whether `KINGA_BENCH_SKIP` names `step`.
fn skipped(step: &str) -> bool {
    std::env::var("KINGA_BENCH_SKIP")
        .unwrap_or_default()
        .split(',')
        .any(|s| s.trim().eq_ignore_ascii_case(step))
}

/// Where `perf record` writes the profile of `name`, when `KINGA_BENCH_PERF` asks for one.
fn perf_data(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("KINGA_BENCH_PERF")?);
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join(format!("perf-{name}.data")))
}

/// Pair `a` with `b` under `name` (b's URL and key) with an agreement `a` keeps with it.
fn pair(a: &Instance, name: &str, url: &str, b: &Instance) {
    let key = b.kinga(&["instance", "key"]);
    let key = key.split_whitespace().next().expect("a key");
    a.kinga(&["peer", "add", name, url, key]);
    a.kinga(&[
        "agreement",
        "add",
        name,
        "--organisation",
        "Bench partner",
        "--compartments",
        "general,human_rights,crsv,children",
        "--purpose",
        "Sync throughput",
        "--from",
        "2020-01-01",
        "--until",
        "2099-12-31",
    ]);
}

/// The time `to` takes to pull every event of `from` with `kinga sync` over loopback HTTP, with
/// `from` served by `kinga serve`; the events `to` holds afterwards.
async fn sync_all(from: &Instance, to: &Instance) -> (Timed, u64) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let url = format!("http://127.0.0.1:{port}");
    pair(from, "field", "http://127.0.0.1:9", to);
    pair(to, "hq", &url, from);
    let mut server = Command::new(env!("CARGO_BIN_EXE_kinga"))
        .arg("--database")
        .arg(&from.database)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("KINGA_DATA_DIR", &from.dir)
        .env("KINGA_LOG", "warn")
        .env("KINGA_INSTANCE_SYNC_SECONDS", "0")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("kinga serve");
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if client
            .get(format!("{url}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (before, _) = read_events(&to.database).await;
    let took = to.timed(&["sync", "hq"]);
    let _ = server.kill();
    let _ = server.wait();
    let (held, _) = read_events(&to.database).await;
    (took, held - before)
}

/// A fresh PostgreSQL database, or None when there is no server.
async fn postgres(root: &Path, name: &str) -> Option<Instance> {
    let base = std::env::var("KINGA_TEST_POSTGRES_URL").ok()?;
    let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .ok()?;
    tokio::spawn(conn);
    let db = format!("kinga_bench_{}", rand::random::<u32>());
    client
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .await
        .ok()?;
    let (prefix, _) = base.rsplit_once('/')?;
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).ok()?;
    Some(Instance {
        dir,
        database: format!("{prefix}/{db}"),
    })
}

/// Seconds to read every event of a SQLite database page by page, as an export does.
async fn read_events(database: &str) -> (u64, f64) {
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
fn read_file(path: &Path) -> f64 {
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
fn generate(path: &Path, n: u64, recipient: &Path) -> f64 {
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

struct Row {
    step: String,
    events: u64,
    took: Timed,
    load: f64,
    baseline: &'static str,
    baseline_seconds: f64,
}

impl Row {
    fn new(step: &str, events: u64, took: Timed, baseline: &'static str, base: f64) -> Row {
        Row {
            step: step.to_string(),
            events,
            took,
            load: load(),
            baseline,
            baseline_seconds: base,
        }
    }
    fn rate(&self) -> f64 {
        self.events as f64 / self.took.wall
    }
    /// One line of the table, printed as soon as the step is measured (a long run cut short
    /// still shows what it measured).
    fn print(&self) {
        println!(
            "{:<34} {:>9} {:>9.2} {:>11.0} {:>8.2} {:>11.0} {:>5.2} {:>12} {:>9.3} {:>6.1}x",
            self.step,
            self.events,
            self.took.wall,
            self.rate(),
            self.took.cpu,
            self.per_cpu(),
            self.load,
            self.baseline,
            self.baseline_seconds,
            self.ratio()
        );
    }
    fn per_cpu(&self) -> f64 {
        self.events as f64 / self.took.cpu
    }
    fn ratio(&self) -> f64 {
        self.took.wall / self.baseline_seconds
    }
}

/// Print a measured step and keep it for the summary.
fn push(rows: &mut Vec<Row>, row: Row) {
    row.print();
    rows.push(row);
}

/// The table's header.
fn header() {
    println!(
        "{:<34} {:>9} {:>9} {:>11} {:>8} {:>11} {:>5} {:>12} {:>9} {:>7}",
        "step",
        "events",
        "seconds",
        "events/s",
        "CPU s",
        "ev/CPU-s",
        "load",
        "baseline",
        "base s",
        "ratio"
    );
}

#[tokio::main]
async fn main() {
    let n: u64 = std::env::var("KINGA_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
        / 3
        * 3;
    let tmp = tempfile::tempdir().expect("tmp");
    // `KINGA_BENCH_KEEP=1` keeps the instances and packages for a look afterwards.
    let root = if std::env::var_os("KINGA_BENCH_KEEP").is_some() {
        let kept = tmp.keep();
        println!("kept in {}", kept.display());
        kept
    } else {
        tmp.path().to_path_buf()
    };
    let root = root.as_path();
    let mut rows: Vec<Row> = Vec::new();
    header();
    if !skipped("demo") {
        demo(root, &mut rows).await;
    }

    // A generated ledger of n events.
    let big = Instance::sqlite(root, "big");
    let big_pub = big.key_file();
    let gen_pkg = root.join("generated.kinga-handover");
    let made = generate(&gen_pkg, n, &big_pub);
    println!("generated {n} events in {made:.1} s");
    let cat = read_file(&gen_pkg);
    let import = big.timed_perf(
        &["handover", "import", gen_pkg.to_str().expect("utf-8")],
        perf_data("import-sqlite"),
    );
    push(
        &mut rows,
        Row::new("generated: import into SQLite", n, import, "read file", cat),
    );
    // Every imported row checked against a rebuild from the ledger (the import writes some
    // alert rows early, before its fold ends): `kinga` exits non-zero on any difference.
    let checked = big.timed(&["verify"]);
    push(
        &mut rows,
        Row::new(
            "generated: kinga verify (SQLite)",
            n,
            checked,
            "read file",
            cat,
        ),
    );
    let (_, read) = read_events(&big.database).await;
    let target = match postgres(root, "big-pg")
        .await
        .filter(|_| !skipped("postgres"))
    {
        Some(pg) => pg,
        None => Instance::sqlite(root, "big-recipient"),
    };
    let target_pub = target.key_file();
    let out = root.join("big.kinga-handover");
    let out_s = out.to_str().expect("utf-8");
    let export = big.timed(&[
        "handover",
        "export",
        "--to",
        target_pub.to_str().expect("utf-8"),
        "--out",
        out_s,
    ]);
    push(
        &mut rows,
        Row::new("generated: export (SQLite)", n, export, "read events", read),
    );
    let cat = read_file(&out);
    let verify = target.timed(&["handover", "verify", out_s]);
    push(
        &mut rows,
        Row::new("generated: verify", n, verify, "read file", cat),
    );
    let kind = if target.database.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let import_pg = target.timed_perf(
        &["handover", "import", out_s],
        perf_data(&format!("import-{}", kind.to_lowercase())),
    );
    push(
        &mut rows,
        Row::new(
            &format!("generated: import into {kind}"),
            n,
            import_pg,
            "read file",
            cat,
        ),
    );

    if !skipped("sync") {
        // A new instance pulls a generated ledger (`KINGA_BENCH_SYNC_EVENTS`, default 30,000:
        // sync moves batches of 5,000 events, each taken in as one transaction that reads the
        // chain heads and alerts it touches) from a served one, beside its import from a
        // package.
        let m: u64 = std::env::var("KINGA_BENCH_SYNC_EVENTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(30_000)
            / 3
            * 3;
        let source = Instance::sqlite(root, "sync-source");
        let source_pub = source.key_file();
        let pkg = root.join("sync.kinga-handover");
        generate(&pkg, m, &source_pub);
        let import = source.timed(&["handover", "import", pkg.to_str().expect("utf-8")]);
        let field = Instance::sqlite(root, "sync-field");
        let (took, held) = sync_all(&source, &field).await;
        println!("sync: {held} events pulled; the ledger served holds {m} and its own");
        push(
            &mut rows,
            Row::new(
                "generated: sync pull into SQLite",
                held,
                took,
                "import",
                import.wall,
            ),
        );
    }

    println!("\n{}", machine::machine());
    header();
    for r in &rows {
        r.print();
    }
    let json = serde_json::json!({
        "machine": machine::machine(),
        "rows": rows.iter().map(|r| serde_json::json!({
            "step": r.step, "events": r.events, "seconds": r.took.wall,
            "cpu_seconds": r.took.cpu, "events_per_second": r.rate(),
            "events_per_cpu_second": r.per_cpu(), "load_average": r.load,
            "baseline": r.baseline, "baseline_seconds": r.baseline_seconds, "ratio": r.ratio(),
        })).collect::<Vec<_>>(),
    });
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(
        dir.join("handover-cli.json"),
        serde_json::to_string_pretty(&json).unwrap_or_default(),
    );
    println!("\nwritten to target/bench/handover-cli.json");
}

/// Export, verify, import and sync of the demo database.
async fn demo(root: &Path, rows: &mut Vec<Row>) {
    let demo = Instance::sqlite(root, "demo");
    demo.kinga(&["demo", "--no-serve"]);
    let (events, read) = read_events(&demo.database).await;
    let to = Instance::sqlite(root, "demo-recipient");
    let to_pub = to.key_file();
    let pkg = root.join("demo.kinga-handover");
    let pkg_s = pkg.to_str().expect("utf-8");
    let export = demo.timed(&[
        "handover",
        "export",
        "--to",
        to_pub.to_str().expect("utf-8"),
        "--out",
        pkg_s,
    ]);
    let cat = read_file(&pkg);
    let verify = to.timed(&["handover", "verify", pkg_s]);
    let import = to.timed(&["handover", "import", pkg_s]);
    push(
        rows,
        Row::new("demo: export (SQLite)", events, export, "read events", read),
    );
    push(
        rows,
        Row::new("demo: verify", events, verify, "read file", cat),
    );
    push(
        rows,
        Row::new("demo: import into SQLite", events, import, "read file", cat),
    );
    if let Some(pg) = postgres(root, "demo-pg")
        .await
        .filter(|_| !skipped("postgres"))
    {
        // A package for the PostgreSQL instance's key.
        let pg_pub = pg.key_file();
        let pkg2 = root.join("demo-pg.kinga-handover");
        demo.kinga(&[
            "handover",
            "export",
            "--to",
            pg_pub.to_str().expect("utf-8"),
            "--out",
            pkg2.to_str().expect("utf-8"),
        ]);
        let import = pg.timed(&["handover", "import", pkg2.to_str().expect("utf-8")]);
        push(
            rows,
            Row::new(
                "demo: import into PostgreSQL",
                events,
                import,
                "read file",
                read_file(&pkg2),
            ),
        );
    }
    if !skipped("sync") {
        // A new instance pulls the demo ledger (what the agreement lets cross) from a served
        // one over loopback, beside the import of the same ledger from a package.
        let field = Instance::sqlite(root, "demo-field");
        let (took, held) = sync_all(&demo, &field).await;
        println!("sync: {held} events pulled of the {events} the demo holds");
        push(
            rows,
            Row::new(
                "demo: sync pull into SQLite",
                held,
                took,
                "demo import",
                import.wall,
            ),
        );
    }
}
