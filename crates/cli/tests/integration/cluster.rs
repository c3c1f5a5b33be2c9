//! `kinga cluster` against scikit-learn's DBSCAN (haversine, ball tree) on fixed, seeded
//! event sets: the real binary and `sklearn_dbscan.py` read the same CSV, and must find the
//! same noise, the same partition of the core events and, as Kinga numbers clusters the way
//! scikit-learn does, the same labels. Also: bad rows are refused by line with nothing on
//! standard output, and no database is needed.

mod data;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use data::{Rng, around, compare, destination, write_events};

/// Eastern DRC towns: (lat, lon).
const TOWNS: [(f64, f64); 6] = [
    (-1.6792, 29.2228), // Goma
    (-2.5083, 28.8608), // Bukavu
    (0.4911, 29.4731),  // Beni
    (0.1419, 29.2914),  // Butembo
    (1.5667, 30.2500),  // Bunia
    (-3.3953, 29.1375), // Uvira
];

fn kinga(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kinga"))
        .args(args)
        .env("KINGA_LOG", "warn")
        .output()
        .expect("run kinga")
}

/// The venv's Python with scikit-learn, or `None` after kinga-testing's skip (which fails
/// under CI).
fn python() -> Option<String> {
    let Ok(py) = std::env::var("KINGA_PYTHON") else {
        kinga_testing::skip(
            "scikit-learn",
            "KINGA_PYTHON is not set (scripts/test makes a venv with scikit-learn)",
        );
        return None;
    };
    let probe = Command::new(&py)
        .args(["-c", "import sklearn, numpy"])
        .output();
    if !probe.as_ref().is_ok_and(|o| o.status.success()) {
        kinga_testing::skip(
            "scikit-learn",
            &format!("{py} cannot import sklearn and numpy: {probe:?}"),
        );
        return None;
    }
    Some(py)
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/sklearn_dbscan.py")
}

/// Cluster `rows` with both tools and require the same result.
fn same_as_sklearn(name: &str, rows: &[(f64, f64)], eps_km: f64, min_samples: usize) {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join(format!("{name}.csv"));
    write_events(&input, rows, None);
    let eps = format!("{eps_km}");
    let min = min_samples.to_string();
    let ours = kinga(&[
        "cluster",
        "--input",
        input.to_str().expect("utf-8 path"),
        "--eps-km",
        &eps,
        "--min-samples",
        &min,
    ]);
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    let theirs_path = dir.path().join("sklearn.csv");
    let theirs = Command::new(&py)
        .arg(script())
        .args([
            input.as_os_str(),
            eps.as_ref(),
            min.as_ref(),
            theirs_path.as_os_str(),
        ])
        .output()
        .expect("run python");
    assert!(
        theirs.status.success(),
        "{}",
        String::from_utf8_lossy(&theirs.stderr)
    );
    let theirs = std::fs::read_to_string(&theirs_path).expect("sklearn output");
    let c = compare(&String::from_utf8_lossy(&ours.stdout), &theirs)
        .unwrap_or_else(|e| panic!("{name}: kinga and scikit-learn disagree: {e}"));
    println!(
        "{name}: {} events, eps {eps_km} km, min_samples {min_samples}: {} clusters, {} core, {} noise; same noise and core partition; labels {}",
        c.events,
        c.clusters,
        c.core,
        c.noise,
        if c.identical() {
            "identical".to_string()
        } else {
            format!("differ on {} border events", c.label_differences)
        }
    );
    assert!(c.clusters > 0 || name == "pure_noise", "{name}: {c:?}");
    assert!(
        c.identical(),
        "{name}: labels differ from scikit-learn's on {} events",
        c.label_differences
    );
}

#[test]
fn dense_hotspots_match_scikit_learn() {
    let mut rng = Rng::new(1);
    let mut rows = Vec::new();
    for i in 0..3500 {
        let (lat, lon) = TOWNS[i % TOWNS.len()];
        let sigma = [0.4, 0.8, 1.5, 3.0, 0.6, 2.0][i % 6];
        rows.push(around(&mut rng, lat, lon, sigma));
    }
    for _ in 0..1500 {
        rows.push((rng.range(-5.0, 2.0), rng.range(27.0, 31.0)));
    }
    same_as_sklearn("dense_hotspots", &rows, 1.0, 10);
}

/// eps such that `eps_km / 6371.0088` is exactly `lon.to_radians()` for a `lon` near 0.01°:
/// two points that far apart on the equator are then exactly eps apart in scikit-learn's
/// arithmetic.
fn exact_boundary() -> (f64, f64) {
    let r = 6371.0088;
    (1..2000)
        .map(|i| 0.01 + i as f64 * 1e-5)
        .find(|l: &f64| (l.to_radians() * r) / r == l.to_radians())
        .map(|l| (l, l.to_radians() * r))
        .expect("an exact boundary")
}

#[test]
fn borders_and_exact_boundaries_match_scikit_learn() {
    let (step, eps) = exact_boundary();
    let mut rng = Rng::new(2);
    let mut rows = Vec::new();
    // A cross on the equator, arms exactly eps long: the centre has 5 neighbours only if eps
    // is inclusive; the arms are border events.
    rows.extend([
        (0.0, 0.0),
        (0.0, step),
        (0.0, -step),
        (step, 0.0),
        (-step, 0.0),
    ]);
    // Pairs of blobs 2.3 eps apart, with events between them that reach both: border events
    // whose cluster depends on which blob's first core event comes first in the input.
    for k in 0..60 {
        let (lat, lon) = TOWNS[k % TOWNS.len()];
        let (lat, lon) = destination(
            lat,
            lon,
            rng.range(0.0, std::f64::consts::TAU),
            30.0 + k as f64,
        );
        let (blat, blon) = destination(lat, lon, std::f64::consts::FRAC_PI_2, 2.3 * eps);
        let (mlat, mlon) = destination(lat, lon, std::f64::consts::FRAC_PI_2, 1.15 * eps);
        let blob = |rows: &mut Vec<(f64, f64)>, rng: &mut Rng, c: (f64, f64)| {
            for _ in 0..9 {
                rows.push(around(rng, c.0, c.1, 0.12 * eps));
            }
        };
        if k % 2 == 0 {
            blob(&mut rows, &mut rng, (blat, blon));
            rows.push(around(&mut rng, mlat, mlon, 0.05 * eps));
            blob(&mut rows, &mut rng, (lat, lon));
        } else {
            rows.push(around(&mut rng, mlat, mlon, 0.05 * eps));
            blob(&mut rows, &mut rng, (lat, lon));
            blob(&mut rows, &mut rng, (blat, blon));
        }
        rows.push(around(&mut rng, mlat, mlon, 0.3 * eps));
    }
    // Chains along meridians and parallels, steps of exactly eps/2 and eps in latitude.
    for k in 0..40 {
        let lon = 20.0 + k as f64 * 0.37;
        for j in 0..25 {
            let s = if k % 2 == 0 { step } else { step / 2.0 };
            rows.push((-4.0 + j as f64 * s, lon));
        }
    }
    for _ in 0..1500 {
        let (lat, lon) = TOWNS[rng.next_u64() as usize % TOWNS.len()];
        rows.push(around(&mut rng, lat, lon, 6.0));
    }
    same_as_sklearn("borders", &rows, eps, 6);
}

#[test]
fn pure_noise_matches_scikit_learn() {
    let mut rng = Rng::new(3);
    let rows: Vec<_> = (0..4000)
        .map(|_| (rng.range(-13.5, 5.4), rng.range(12.2, 31.3)))
        .collect();
    same_as_sklearn("pure_noise", &rows, 2.0, 3);
}

#[test]
fn antimeridian_and_poles_match_scikit_learn() {
    let mut rng = Rng::new(4);
    let centres = [
        (-17.8, 179.99),  // Fiji, across the antimeridian
        (-16.5, -179.98), // the other side
        (65.9, -179.995), // Chukotka
        (89.95, 0.0),     // the north pole
        (-89.9, 120.0),   // the south pole
        (78.2, 15.6),     // Svalbard
    ];
    let mut rows = Vec::new();
    for i in 0..3600 {
        let (lat, lon) = centres[i % centres.len()];
        rows.push(around(&mut rng, lat, lon, [1.0, 2.5, 6.0][i % 3]));
    }
    for _ in 0..800 {
        let lon = if rng.unit() < 0.5 { 180.0 } else { -180.0 } - rng.range(-0.05, 0.05);
        let lon = lon.clamp(-180.0, 180.0);
        rows.push((rng.range(-89.0, 89.0), lon));
    }
    same_as_sklearn("antimeridian_poles", &rows, 1.5, 6);
}

#[test]
fn duplicates_match_scikit_learn() {
    let mut rng = Rng::new(5);
    // Coordinates rounded to 3 decimals (about 110 m), as forms often record them: many
    // events share one position.
    let rows: Vec<_> = (0..5000)
        .map(|i| {
            let (lat, lon) = TOWNS[i % TOWNS.len()];
            let (lat, lon) = around(&mut rng, lat, lon, 1.0);
            (
                (lat * 1000.0).round() / 1000.0,
                (lon * 1000.0).round() / 1000.0,
            )
        })
        .collect();
    same_as_sklearn("duplicates", &rows, 0.3, 15);
}

#[test]
fn cluster_refuses_bad_rows_by_line_and_prints_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("id,lat\na,1\n", "line 1: the header has no `lon` column"),
        (
            "id,lat,lon\na,1,2\nb,x,2\n",
            "line 3: `lat` is not a number",
        ),
        ("id,lat,lon\na,1,2\nb,-90.5,2\n", "line 3: latitude -90.5"),
        ("id,lat,lon\na,1,180.01\n", "line 2: longitude 180.01"),
        ("id,lat,lon\na,1\n", "line 2: missing column `lon`"),
    ];
    for (text, expected) in cases {
        let f = dir.path().join("bad.csv");
        std::fs::write(&f, text).expect("write");
        let out = kinga(&[
            "cluster",
            "--input",
            f.to_str().expect("path"),
            "--eps-km",
            "1",
            "--min-samples",
            "2",
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{text:?} was accepted");
        assert!(out.stdout.is_empty(), "{text:?} printed {:?}", out.stdout);
        assert!(err.contains(expected), "{text:?}: {err}");
    }
    let f = dir.path().join("ok.csv");
    std::fs::write(&f, "id,lat,lon,time\na,1,2,2024-05-01 12:00\nb,1,2,\n").expect("write");
    let path = f.to_str().expect("path");
    for (args, expected) in [
        (
            ["--eps-km", "0", "--min-samples", "2"],
            "eps must be a positive number",
        ),
        (
            ["--eps-km", "-1", "--min-samples", "2"],
            "eps must be a positive number",
        ),
        (
            ["--eps-km", "1", "--min-samples", "0"],
            "min_samples must be at least 1",
        ),
    ] {
        let out = kinga(&[&["cluster", "--input", path][..], &args[..]].concat());
        assert!(!out.status.success() && out.stdout.is_empty(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(expected),
            "{args:?}"
        );
    }
    let out = kinga(&[
        "cluster",
        "--input",
        path,
        "--eps-km",
        "1",
        "--min-samples",
        "2",
        "--window-hours",
        "3",
    ]);
    assert!(!out.status.success() && out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("line 3: no time, but --window-hours needs one")
    );
}

#[test]
fn cluster_needs_no_database_and_honours_the_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("events.csv");
    std::fs::write(
        &f,
        "id,lat,lon,time\n\
         a,-1.6792,29.2228,2024-05-01T10:00:00Z\n\
         b,-1.6795,29.2230,2024-05-01 11:00\n\
         c,-1.6790,29.2226,2024-05-01T20:00:00+02:00\n\
         d,-1.6791,29.2229,2024-05-01 19:30:00\n\
         e,-1.6792,29.2228,2024-05-03T10:00:00Z\n",
    )
    .expect("write");
    // A database that cannot be opened: the command must not try.
    let db = dir.path().join("missing-dir/kinga.db");
    let path = f.to_str().expect("path");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "--database",
            db.to_str().expect("path"),
            "cluster",
            "--input",
            path,
            "--eps-km",
            "0.2",
            "--min-samples",
            "2",
        ];
        args.extend(extra);
        kinga(&args)
    };
    let out = run(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "id,cluster\na,0\nb,0\nc,0\nd,0\ne,0\n"
    );
    let out = run(&["--window-hours", "2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // c is 18:00 UTC, d 19:30: one pair; a and b (10:00, 11:00) another; e two days later.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "id,cluster\na,0\nb,0\nc,1\nd,1\ne,-1\n"
    );
    assert!(!db.exists() && !dir.path().join("missing-dir").exists());
}
