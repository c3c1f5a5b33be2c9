//! What every test crate of Kinga shares: one way to skip a test, and a PostgreSQL database
//! of its own for each test ([`postgres`]).
//!
//! A test whose outside dependency is missing (a PostgreSQL server, Chromium, Kannel, a
//! Python with the reference libraries) calls [`skip`]. Under `CI=true` that fails the test:
//! CI must run everything. Elsewhere it says so on standard output and appends a line to the
//! file named by `KINGA_SKIP_LOG`, which `scripts/test` prints in its summary, so a skipped
//! test is never counted silently as a pass.

use std::io::Write;

pub mod postgres;

/// True when running under CI (`CI=true`), where nothing may be skipped.
pub fn ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Skip `test` for `reason`, or fail it under CI.
pub fn skip(test: &str, reason: &str) {
    if ci() {
        panic!("CI=true but {test} cannot run: {reason}");
    }
    println!("SKIPPED: {test}: {reason}");
    if let Some(path) = std::env::var_os("KINGA_SKIP_LOG") {
        let line = format!("{test}: {reason}\n");
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = f.write_all(line.as_bytes());
        }
    }
}
