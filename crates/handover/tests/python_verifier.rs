//! The independent Python verifier (tests/verify_package.py, written from the format pages
//! alone) must agree with Kinga's: accept the same packages, reject the same, and name the
//! same first fault (kind and line). It also checks the ledger's golden vectors.
//!
//! Python comes from `KINGA_PYTHON` (with `blake3` and `cryptography` installed, see
//! scripts/requirements-test.txt); without it the test is skipped, except under `CI=true`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use kinga_handover::{PublicKeyLine, ReaderOptions, verify};

fn python() -> Option<PathBuf> {
    match std::env::var_os("KINGA_PYTHON") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            kinga_testing::skip(
                "handover python verifier",
                "set KINGA_PYTHON to a Python with blake3 and cryptography",
            );
            None
        }
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/verify_package.py")
}

/// Runs the Python verifier; its exit code and the first line it printed.
fn run(py: &Path, args: &[&Path]) -> (i32, String) {
    let out = Command::new(py)
        .arg(script())
        .args(args)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "python verifier crashed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        stdout.lines().next().unwrap_or_default().to_string(),
    )
}

#[test]
fn python_and_rust_verifiers_agree_on_every_case() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let from = dir.path().join("sender.pub");
    std::fs::write(
        &from,
        format!(
            "# the sender's key\n{}\n",
            PublicKeyLine {
                key: sender().public(),
                name: "Kinga Goma".into()
            }
        ),
    )
    .unwrap();
    let mut disagreements = vec![];
    for (i, c) in cases().into_iter().enumerate() {
        let file = dir.path().join(format!("case-{i}.kinga-handover"));
        std::fs::write(&file, &c.bytes).unwrap();
        let rust = verify(
            &c.bytes[..],
            ReaderOptions {
                expected_sender: c.expect_sender.then(|| sender().public()),
                ..ReaderOptions::default()
            },
        );
        let args: Vec<&Path> = if c.expect_sender {
            vec![&file, Path::new("--from"), &from]
        } else {
            vec![&file]
        };
        let (code, first) = run(&py, &args);
        let rust_says = match &rust {
            Ok(_) => "OK".to_string(),
            Err(f) => format!("FAULT {} line {}", f.kind(), f.line()),
        };
        let python_says = if code == 0 {
            "OK".to_string()
        } else {
            first.split(':').next().unwrap_or_default().to_string()
        };
        if rust_says != python_says {
            disagreements.push(format!("{}: rust {rust_says} / python {first}", c.name));
        }
        if c.kind == "ok" {
            assert_eq!(code, 0, "{}: {first}", c.name);
            assert!(
                first.starts_with("OK: intact package, 18 events (2 withheld)"),
                "{first}"
            );
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

#[test]
fn python_agrees_on_random_single_byte_changes() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let p = standard();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for i in 0..40 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut t = p.clone();
        let at = (x as usize) % t.len();
        t[at] ^= 1 + (x >> 32) as u8 % 255;
        let file = dir.path().join(format!("flip-{i}"));
        std::fs::write(&file, &t).unwrap();
        let rust = verify(&t[..], ReaderOptions::default()).unwrap_err();
        let (code, first) = run(&py, &[&file]);
        assert_eq!(code, 1, "byte {at} changed: python accepted");
        assert!(
            first.starts_with(&format!("FAULT {} line {}:", rust.kind(), rust.line())),
            "byte {at} changed: rust says {rust}, python {first}"
        );
    }
}

#[test]
fn python_checks_the_ledger_golden_vectors() {
    let Some(py) = python() else { return };
    let vectors =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ledger/tests/vectors/ledger-v1.json");
    let (code, first) = run(&py, &[Path::new("--vectors"), &vectors]);
    assert_eq!(code, 0, "{first}");
    assert_eq!(first, "OK: 6 ledger vectors, 2 chains");
}

#[test]
fn python_opens_the_wrapped_keys_from_the_format_page_alone() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("standard.kinga-handover");
    std::fs::write(&file, standard()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/unwrap_key.py");
    let open = |seed: u8| {
        Command::new(&py)
            .arg(&script)
            .arg(&file)
            .arg(hex::encode([seed; 32]))
            .output()
            .expect("python runs")
    };
    let out = open(2);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("field-sealing {}", hex::encode(FIELD_KEY))
    );
    // Another instance's key cannot open it.
    assert!(!open(3).status.success());
}
