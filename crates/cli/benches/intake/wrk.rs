//! The independent load generator: `wrk`, installed from the system's packages when missing,
//! posting the corpus's alerts from a Lua script so that every request differs.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::corpus::Corpus;

/// What one wrk run measured.
#[derive(Debug, Clone, Copy, Default)]
pub struct WrkStats {
    /// Requests a second.
    pub rate: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Answers other than 2xx/3xx, and socket errors.
    pub errors: u64,
}

/// The wrk binary, installing Debian's package when it is missing; None (said on standard
/// output) when it cannot be had.
pub fn ensure() -> Option<PathBuf> {
    if let Some(p) = which("wrk") {
        return Some(p);
    }
    println!("wrk is not installed: installing Debian's `wrk` package");
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    let apt = |args: &[&str]| {
        let mut c = if root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        c.args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    if !apt(&["install", "-y", "-qq", "wrk"]) {
        apt(&["update", "-qq"]);
        apt(&["install", "-y", "-qq", "wrk"]);
    }
    let found = which("wrk");
    if found.is_none() {
        println!("SKIPPED: wrk could not be installed; only the built-in load generator ran");
    }
    found
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// Writes the Lua script that posts the corpus's API bodies in turn (each wrk thread starts
/// at its own offset) with the bearer token.
pub fn script(corpus: &Corpus, token: &str, dir: &Path) -> std::io::Result<PathBuf> {
    let mut lua = String::from("local bodies = {\n");
    let n = corpus.messages.len() * 3;
    for i in 0..n {
        let phone = corpus.phone(i % 64, i as u64);
        let body = corpus.api_body(i, &phone).to_string();
        lua.push_str(&format!("  {},\n", lua_string(&body)));
    }
    lua.push_str(&format!(
        "}}\nlocal i = 0\nlocal counter = 0\n\
         setup = function(thread) counter = counter + 1; thread:set(\"offset\", counter * 997) end\n\
         init = function(args) i = offset or 0 end\n\
         wrk.method = \"POST\"\n\
         wrk.headers[\"Content-Type\"] = \"application/json\"\n\
         wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n\
         request = function()\n  i = i + 1\n  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])\nend\n"
    ));
    let path = dir.join("intake-wrk.lua");
    std::fs::write(&path, lua)?;
    Ok(path)
}

/// A Lua string literal for any text (decimal escapes for everything but plain ASCII).
fn lua_string(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out.push('"');
    out
}

/// Runs wrk with two threads against `url` for `secs` seconds; None when it failed.
pub fn run(
    wrk: &Path,
    url: &str,
    clients: usize,
    secs: u32,
    script: Option<&Path>,
) -> Option<WrkStats> {
    let mut c = Command::new(wrk);
    c.args([
        "-t2",
        &format!("-c{clients}"),
        &format!("-d{secs}s"),
        "--latency",
    ]);
    if let Some(s) = script {
        c.arg("-s").arg(s);
    }
    let out = c.arg(url).output().ok()?;
    if !out.status.success() {
        println!("wrk failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    parse(&String::from_utf8_lossy(&out.stdout))
}

/// Reads wrk's `--latency` report.
fn parse(report: &str) -> Option<WrkStats> {
    let mut stats = WrkStats::default();
    for line in report.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("Requests/sec:"), Some(v)) => stats.rate = v.parse().ok()?,
            (Some("50%"), Some(v)) => stats.p50_ms = millis(v)?,
            (Some("99%"), Some(v)) => stats.p99_ms = millis(v)?,
            _ => {}
        }
        if let Some(v) = line.strip_prefix("Non-2xx or 3xx responses:") {
            stats.errors += v.trim().parse::<u64>().unwrap_or(0);
        }
        if let Some(v) = line.strip_prefix("Socket errors:") {
            stats.errors += v
                .split(',')
                .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    (stats.rate > 0.0).then_some(stats)
}

fn millis(v: &str) -> Option<f64> {
    let (num, factor) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (v, 1.0)
    };
    num.parse::<f64>().ok().map(|x| x * factor)
}
