//! Schemathesis, an independent tool, fuzzes the API from its own OpenAPI document: no answer
//! may be a server error.

use std::process::Command;

use crate::harness::{Backend, Server};

async fn schemathesis_finds_no_server_error(backend: Backend) {
    let python = match std::env::var("KINGA_PYTHON") {
        Ok(p) => p,
        Err(_) => {
            kinga_testing::skip(
                "schemathesis",
                "KINGA_PYTHON is not set (scripts/test makes a venv with schemathesis)",
            );
            return;
        }
    };
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let out = tokio::task::spawn_blocking({
        let (base, token) = (s.base.clone(), s.token.clone());
        move || {
            Command::new(python)
                .args([
                    "-m",
                    "schemathesis.cli",
                    "run",
                    &format!("{base}/api/openapi.json"),
                ])
                .args([
                    "--checks",
                    "not_a_server_error",
                    "--experimental",
                    "openapi-3.1",
                ])
                .args([
                    "--hypothesis-max-examples",
                    "100",
                    "--hypothesis-seed",
                    "2026",
                    "--hypothesis-derandomize",
                ])
                .args(["-H", &format!("Authorization: Bearer {token}")])
                .args(["--base-url", &base, "--workers", "2", "--no-color"])
                // CSV bodies (GBVIMS imports) need a serializer schemathesis lacks.
                .env("SCHEMATHESIS_HOOKS", "schemathesis_hooks")
                .env(
                    "PYTHONPATH",
                    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/integration"),
                )
                .output()
                .expect("run schemathesis")
        }
    })
    .await
    .expect("join");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = text
        .lines()
        .rev()
        .find(|l| l.contains(" passed"))
        .unwrap_or_default()
        .to_string();
    eprintln!("schemathesis: {summary}");
    let operations: u32 = summary
        .trim_matches(['=', ' '])
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        operations >= 14 && !summary.contains("errored"),
        "schemathesis did not exercise every operation:\n{text}"
    );
}
crate::on_both_stores!(schemathesis, super::schemathesis_finds_no_server_error);
