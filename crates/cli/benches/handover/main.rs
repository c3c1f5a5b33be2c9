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

mod instance;
mod ledger;
#[path = "../intake/machine.rs"]
#[allow(dead_code)]
mod machine;
mod table;

use std::path::{Path, PathBuf};

use instance::{Instance, postgres, sync_all};
use ledger::{generate, read_events, read_file};
use table::{Row, header, push};

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
