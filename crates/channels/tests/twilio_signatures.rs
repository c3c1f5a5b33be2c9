//! Cross-check of Twilio signature validation against the official `twilio` Python package.
//!
//! `twilio_reference.py` computes signatures with twilio-python's `RequestValidator` and
//! records whether it accepts each request (valid ones, port variants, and tampered ones);
//! `validate_signature` must agree on every case. The test runs the Python found in
//! `KINGA_PYTHON` (a Python with `twilio` installed, as `scripts/test` sets up); without it,
//! the test fails under `CI=true` and is skipped elsewhere.

use std::process::Command;

use kinga_channels::twilio::{
    SignatureAlgorithm, compute_signature, validate_json_signature, validate_signature,
    validate_signature_with,
};
use serde_json::Value;

fn reference_cases() -> Option<Vec<Value>> {
    let Ok(python) = std::env::var("KINGA_PYTHON") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "KINGA_PYTHON is not set: CI must cross-check Twilio signatures against twilio-python"
            );
        }
        kinga_testing::skip(
            "twilio signatures",
            "set KINGA_PYTHON to a Python with the `twilio` package to cross-check signatures",
        );
        return None;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/twilio_reference.py");
    let out = Command::new(&python)
        .arg(script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        out.status.success(),
        "twilio_reference.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases: Vec<Value> = serde_json::from_slice(&out.stdout).expect("the reference prints JSON");
    assert!(
        cases.len() >= 20,
        "expected at least 20 reference cases, got {}",
        cases.len()
    );
    Some(cases)
}

fn s<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("case field {key} missing: {case}"))
}

#[test]
fn agrees_with_twilio_python() {
    let Some(cases) = reference_cases() else {
        return;
    };
    let mut disagreements = Vec::new();
    let (mut valid, mut invalid) = (0, 0);
    for case in &cases {
        let name = s(case, "name");
        let expected = case["valid"].as_bool().expect("valid is a boolean");
        let (token, url, sig) = (s(case, "token"), s(case, "url"), s(case, "signature"));
        let algorithm = match s(case, "algorithm") {
            "HMAC_SHA256" => SignatureAlgorithm::HmacSha256,
            _ => SignatureAlgorithm::HmacSha1,
        };
        let got = if s(case, "kind") == "json" {
            validate_json_signature(token, url, s(case, "body"), sig)
        } else {
            let params: Vec<(String, String)> = case["params"]
                .as_array()
                .expect("params is a list")
                .iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap_or("").to_string(),
                        p[1].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            if case["computed"].as_bool() == Some(true) {
                let ours = compute_signature(token, s(case, "signed_url"), &params, algorithm);
                if ours != sig {
                    disagreements.push(format!("{name}: computed {ours}, twilio-python {sig}"));
                }
            }
            if algorithm == SignatureAlgorithm::HmacSha1 {
                validate_signature(token, url, &params, sig)
            } else {
                validate_signature_with(token, url, &params, sig, algorithm)
            }
        };
        if got != expected {
            disagreements.push(format!(
                "{name}: Kinga says {got}, twilio-python says {expected}"
            ));
        }
        if expected { valid += 1 } else { invalid += 1 }
    }
    assert!(
        valid >= 10 && invalid >= 8,
        "too few cases of a kind: {valid} valid, {invalid} invalid"
    );
    let sha256 = cases
        .iter()
        .filter(|c| c["algorithm"] == "HMAC_SHA256")
        .count();
    assert!(
        sha256 >= 2,
        "twilio-python produced no SHA-256 reference case: the SHA-256 scheme is untested"
    );
    assert!(
        disagreements.is_empty(),
        "disagreements with twilio-python:\n{}",
        disagreements.join("\n")
    );
}
