//! Clustering benchmark: `kinga cluster` against scikit-learn's DBSCAN (haversine, ball tree)
//! on the same seeded, geo-dated events in the same run: dense hotspots around eastern-DRC
//! towns and villages, and a scattered background over the whole DRC.
//!
//! Run: `cargo bench -p kinga --bench cluster`. Settings (environment):
//! `KINGA_BENCH_CLUSTER_N` (events, default 1,000,000), `KINGA_BENCH_CLUSTER_EPS_KM`
//! (default 3), `KINGA_BENCH_CLUSTER_MIN_SAMPLES` (default 10), `KINGA_BENCH_CLUSTER_RUNS`
//! (Kinga's runs, the median is kept; default 3), `KINGA_PYTHON` (a Python with
//! scikit-learn; otherwise `.venv/bin/python`, made from `scripts/requirements-test.txt` as
//! `scripts/test` does when missing). The events are written to `target/bench/cluster_events.csv`,
//! the results printed and written to `target/bench/cluster.json`.

#[path = "../tests/integration/cluster/data.rs"]
mod data;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::json;

use data::{Rng, around, compare};
use kinga_domain::analysis::{DbscanParams, GeoPoint, dbscan};

/// Places of eastern DRC with many reports: (lat, lon, relative weight, spread in km).
const PLACES: [(f64, f64, f64, f64); 36] = [
    (-1.6792, 29.2228, 6.0, 12.0), // Goma
    (-2.5083, 28.8608, 5.0, 12.0), // Bukavu
    (0.4911, 29.4731, 5.0, 10.0),  // Beni
    (0.1419, 29.2914, 4.0, 10.0),  // Butembo
    (1.5667, 30.2500, 4.0, 10.0),  // Bunia
    (-3.3953, 29.1375, 3.0, 9.0),  // Uvira
    (-1.1867, 29.4500, 3.0, 8.0),  // Rutshuru
    (-1.1500, 29.4300, 2.0, 6.0),  // Kiwanja
    (-1.4000, 28.8167, 3.0, 9.0),  // Masisi
    (-1.4200, 28.0500, 2.0, 10.0), // Walikale
    (-1.5733, 29.0450, 2.0, 6.0),  // Sake
    (-1.7000, 29.0000, 2.0, 6.0),  // Minova
    (-2.1000, 28.9000, 2.0, 8.0),  // Kalehe
    (-2.7600, 29.0000, 1.0, 6.0),  // Kamanyola
    (-4.3000, 28.9500, 2.0, 10.0), // Fizi
    (-4.1000, 29.1000, 1.0, 7.0),  // Baraka
    (-2.7000, 27.3400, 2.0, 12.0), // Shabunda
    (-3.0400, 28.4300, 1.0, 9.0),  // Mwenga
    (-0.1600, 29.2400, 2.0, 8.0),  // Lubero
    (0.7000, 29.5200, 2.0, 7.0),   // Oicha
    (0.9500, 29.6400, 2.0, 7.0),   // Eringeti
    (1.3600, 29.0500, 2.0, 10.0),  // Mambasa
    (1.9200, 30.5000, 3.0, 10.0),  // Djugu
    (1.9500, 30.0333, 2.0, 7.0),   // Mongbwalu
    (1.4500, 29.8700, 2.0, 8.0),   // Irumu
    (2.8667, 30.8333, 1.0, 8.0),   // Aru
    (2.3000, 30.9833, 1.0, 8.0),   // Mahagi
    (-5.9500, 29.2000, 2.0, 10.0), // Kalemie
    (-2.9500, 25.9200, 1.0, 10.0), // Kindu
    (0.5153, 25.1910, 1.0, 12.0),  // Kisangani
    (-1.2800, 29.6000, 2.0, 5.0),  // Bunagana
    (-1.5200, 29.2500, 1.0, 6.0),  // Nyiragongo
    (-0.9900, 28.6900, 1.0, 7.0),  // Pinga
    (-0.8100, 29.5700, 1.0, 6.0),  // Nyamilima
    (-1.1800, 29.0600, 2.0, 6.0),  // Kitchanga
    (-0.6000, 28.1500, 1.0, 9.0),  // Lubutu road
];

/// Share of the events in hotspots; the rest is scattered over the DRC's bounding box.
const HOTSPOT_SHARE: f64 = 0.6;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Events: positions and Unix times over two years.
fn events(n: usize) -> (Vec<(f64, f64)>, Vec<i64>) {
    let mut rng = Rng::new(2024);
    let total: f64 = PLACES.iter().map(|p| p.2).sum();
    let mut rows = Vec::with_capacity(n);
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        if rng.unit() < HOTSPOT_SHARE {
            let mut pick = rng.range(0.0, total);
            let place = PLACES
                .iter()
                .find(|p| {
                    pick -= p.2;
                    pick < 0.0
                })
                .unwrap_or(&PLACES[0]);
            rows.push(around(&mut rng, place.0, place.1, place.3));
        } else {
            rows.push((rng.range(-13.5, 5.4), rng.range(12.2, 31.3)));
        }
        times.push(1_704_067_200 + (rng.unit() * 2.0 * 365.0 * 86_400.0) as i64);
    }
    (rows, times)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024 / 1024);
    format!("{cores} cores ({cpu}), {mem_gib} GiB RAM")
}

/// A Python that imports scikit-learn: `KINGA_PYTHON`, else the repository's `.venv`, made
/// as `scripts/test` makes it when missing.
fn python(root: &Path) -> Option<String> {
    let works = |py: &str| {
        Command::new(py)
            .args(["-c", "import sklearn, numpy"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if let Ok(py) = std::env::var("KINGA_PYTHON") {
        return works(&py).then_some(py);
    }
    let venv = root.join(".venv");
    let py = venv.join("bin/python").to_string_lossy().into_owned();
    if !works(&py) {
        println!(
            "making {} with scripts/requirements-test.txt",
            venv.display()
        );
        let made = venv.join("bin/python").exists()
            || Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .is_ok_and(|s| s.success());
        let installed = made
            && Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "--disable-pip-version-check", "-r"])
                .arg(root.join("scripts/requirements-test.txt"))
                .status()
                .is_ok_and(|s| s.success());
        if !installed {
            return None;
        }
    }
    works(&py).then_some(py)
}

/// The same events parsed back from the CSV, as `kinga cluster` parses them (shortest
/// round-trip decimals, so the doubles are the generator's).
fn points(rows: &[(f64, f64)], times: &[i64]) -> Vec<GeoPoint> {
    rows.iter()
        .zip(times)
        .map(|(&(lat, lon), &t)| GeoPoint::new(lat, lon, Some(t)).expect("a valid point"))
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let n: usize = env_or("KINGA_BENCH_CLUSTER_N", 1_000_000);
    let eps_km: f64 = env_or("KINGA_BENCH_CLUSTER_EPS_KM", 3.0);
    let min_samples: usize = env_or("KINGA_BENCH_CLUSTER_MIN_SAMPLES", 10);
    let runs: usize = env_or("KINGA_BENCH_CLUSTER_RUNS", 3).max(1);
    let machine = machine();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = root.join("target/bench");
    std::fs::create_dir_all(&out).expect("target/bench");
    println!("Kinga clustering benchmark on {machine}");
    println!(
        "{n} events ({:.0} % in hotspots around {} eastern-DRC places, the rest over the DRC), eps {eps_km} km, min_samples {min_samples}",
        HOTSPOT_SHARE * 100.0,
        PLACES.len()
    );

    let (rows, times) = events(n);
    let input = out.join("cluster_events.csv");
    data::write_events(&input, &rows, Some(&times));
    let input_mb = std::fs::metadata(&input).map_or(0, |m| m.len()) / 1_000_000;
    println!("events written to {} ({input_mb} MB)", input.display());

    // The algorithm alone, in this process, on all cores and on one.
    let pts = points(&rows, &times);
    let params = DbscanParams::new(eps_km, min_samples, None).expect("parameters");
    let timed = |threads: usize| -> (f64, kinga_domain::analysis::Clustering) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        let mut secs = vec![];
        let mut last = None;
        for _ in 0..runs {
            let start = Instant::now();
            let c = pool.install(|| dbscan(&pts, &params)).expect("dbscan");
            secs.push(start.elapsed().as_secs_f64());
            last = Some(c);
        }
        (median(secs), last.expect("one run"))
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (algo_secs, clustering) = timed(cores);
    let (algo_1_secs, _) = timed(1);
    let clusters = clustering.labels.iter().max().map_or(0, |m| m + 1);
    let noise = clustering.labels.iter().filter(|l| **l < 0).count();
    let core = clustering.core.iter().filter(|c| **c).count();
    println!("kinga: {clusters} clusters, {core} core events, {noise} noise");

    // The whole command: reading the CSV, clustering, writing the labels.
    let kinga_out = out.join("cluster_kinga.csv");
    let mut cmd_secs = vec![];
    for _ in 0..runs {
        let file = std::fs::File::create(&kinga_out).expect("output file");
        let start = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_kinga"))
            .args(["cluster", "--input"])
            .arg(&input)
            .args(["--eps-km", &eps_km.to_string()])
            .args(["--min-samples", &min_samples.to_string()])
            .env("KINGA_LOG", "warn")
            .stdout(file)
            .stderr(Stdio::null())
            .status()
            .expect("run kinga");
        cmd_secs.push(start.elapsed().as_secs_f64());
        assert!(status.success(), "kinga cluster failed");
    }
    let cmd_secs = median(cmd_secs);

    // scikit-learn, once: it takes the better part of a minute.
    let sklearn = python(&root).and_then(|py| {
        let theirs = out.join("cluster_sklearn.csv");
        println!("running scikit-learn's DBSCAN with {py} …");
        let start = Instant::now();
        let o = Command::new(&py)
            .arg(root.join("crates/cli/tests/integration/sklearn_dbscan.py"))
            .arg(&input)
            .arg(eps_km.to_string())
            .arg(min_samples.to_string())
            .arg(&theirs)
            .output()
            .ok()?;
        let whole = start.elapsed().as_secs_f64();
        if !o.status.success() {
            println!(
                "scikit-learn failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            return None;
        }
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).ok()?;
        let version = Command::new(&py)
            .args(["-c", "import sklearn; print(sklearn.__version__)"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        Some((report["fit_seconds"].as_f64()?, whole, theirs, version))
    });

    println!();
    println!("| what | seconds | scikit-learn fit / this |");
    println!("| --- | ---: | ---: |");
    let mut report = json!({
        "machine": machine,
        "events": n,
        "eps_km": eps_km,
        "min_samples": min_samples,
        "runs": runs,
        "kinga": {
            "command_seconds": cmd_secs,
            "algorithm_seconds": algo_secs,
            "algorithm_seconds_one_thread": algo_1_secs,
            "threads": cores,
            "clusters": clusters,
            "core": core,
            "noise": noise,
        },
    });
    let ratio = |s: Option<f64>, x: f64| s.map_or("–".to_string(), |s| format!("{:.1}×", s / x));
    let fit = sklearn.as_ref().map(|s| s.0);
    if let Some((fit, whole, _, version)) = &sklearn {
        println!(
            "| scikit-learn {version} DBSCAN.fit (haversine, ball_tree, 1 thread) | {fit:.2} | 1.0× |"
        );
        println!("| scikit-learn script, with reading the CSV and writing labels | {whole:.2} | |");
    }
    println!(
        "| `kinga cluster` whole command (read CSV, cluster, write labels), {cores} threads | {cmd_secs:.2} | {} |",
        ratio(fit, cmd_secs)
    );
    println!(
        "| kinga_domain::analysis::dbscan alone, {cores} threads | {algo_secs:.2} | {} |",
        ratio(fit, algo_secs)
    );
    println!(
        "| kinga_domain::analysis::dbscan alone, 1 thread | {algo_1_secs:.2} | {} |",
        ratio(fit, algo_1_secs)
    );
    let mut agreed = true;
    match &sklearn {
        Some((fit, whole, theirs, version)) => {
            let ours = std::fs::read_to_string(&kinga_out).expect("kinga output");
            let theirs = std::fs::read_to_string(theirs).expect("sklearn output");
            let agreement = match compare(&ours, &theirs) {
                Ok(c) => {
                    println!(
                        "\nsame noise set and core partition as scikit-learn; labels {}",
                        if c.identical() {
                            "identical".to_string()
                        } else {
                            format!("differ on {} border events", c.label_differences)
                        }
                    );
                    json!({"same_noise_and_core_partition": true, "labels_identical": c.identical(), "label_differences": c.label_differences})
                }
                Err(e) => {
                    println!("\nDISAGREEMENT with scikit-learn: {e}");
                    agreed = false;
                    json!({"same_noise_and_core_partition": false, "error": e})
                }
            };
            report["sklearn"] = json!({
                "version": version,
                "fit_seconds": fit,
                "script_seconds": whole,
                "speedup_command": fit / cmd_secs,
                "speedup_algorithm": fit / algo_secs,
                "agreement": agreement,
            });
        }
        None => println!("\nscikit-learn is not available: no baseline in this run"),
    }
    let _ = std::fs::write(
        out.join("cluster.json"),
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    );
    println!("\nwritten to target/bench/cluster.json");
    if !agreed {
        std::process::exit(1);
    }
}
