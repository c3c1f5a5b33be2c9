//! What a short benchmark run or a profile leaves out, from the environment:
//! `KINGA_BENCH_STORES` (`sqlite`, `postgres`, or both comma-separated; default both),
//! `KINGA_BENCH_CLIENTS` (comma-separated; default `1,16,64`), `KINGA_BENCH_SKIP` (any of
//! `wrk`, `queue`, `memory`), `KINGA_BENCH_PERF` (a folder: `perf record` samples the
//! server during API intake at the most clients, into `perf-<store>.data` there; during the
//! Twilio step instead with `KINGA_BENCH_PERF_STEP=twilio`), and
//! `KINGA_BENCH_NETWORK` (focal points registered beside the demo's 52; default 2,000, and 0
//! gives the load of the runs before 2026-12-02, where 52 numbers sent nine messages in ten).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use crate::harness::Backend;

/// The run's choices.
pub struct Knobs {
    stores: Vec<String>,
    /// Concurrent clients of each load step.
    pub clients: Vec<usize>,
    skip: Vec<String>,
    perf: Option<PathBuf>,
    /// The profile covers the Twilio step rather than API intake.
    pub perf_twilio: bool,
    /// Focal points the benchmark registers beside the demo's.
    pub network: usize,
}

fn list(name: &str, default: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

impl Knobs {
    /// Read the knobs; anything unreadable falls back to the full run.
    pub fn from_env() -> Knobs {
        let mut clients: Vec<usize> = list("KINGA_BENCH_CLIENTS", "1,16,64")
            .iter()
            .filter_map(|c| c.parse().ok())
            .filter(|&c| c > 0)
            .collect();
        if clients.is_empty() {
            clients = vec![1, 16, 64];
        }
        Knobs {
            stores: list("KINGA_BENCH_STORES", "sqlite,postgres"),
            clients,
            skip: list("KINGA_BENCH_SKIP", ""),
            perf: std::env::var_os("KINGA_BENCH_PERF").map(PathBuf::from),
            perf_twilio: std::env::var("KINGA_BENCH_PERF_STEP").is_ok_and(|s| s.trim() == "twilio"),
            network: std::env::var("KINGA_BENCH_NETWORK")
                .ok()
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(2_000),
        }
    }

    /// The stores to run, in order.
    pub fn backends(&self) -> Vec<Backend> {
        [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")]
            .into_iter()
            .filter(|(_, name)| self.stores.iter().any(|s| s == name))
            .map(|(b, _)| b)
            .collect()
    }

    /// Whether a part of the run is left out.
    pub fn skips(&self, part: &str) -> bool {
        self.skip.iter().any(|s| s == part)
    }

    /// Start `perf record` on the server, when asked for and possible.
    pub fn perf(&self, pid: u32, backend: Backend) -> Option<Child> {
        let dir = self.perf.as_ref()?;
        std::fs::create_dir_all(dir).ok()?;
        let out = dir.join(format!("perf-{backend:?}.data").to_lowercase());
        let child = Command::new("perf")
            .args(["record", "-F", "499", "--call-graph", "dwarf,16384", "-o"])
            .arg(&out)
            .args(["-p", &pid.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match child {
            Ok(c) => {
                println!("perf record into {}", out.display());
                // Let perf attach before the load starts.
                std::thread::sleep(std::time::Duration::from_millis(500));
                Some(c)
            }
            Err(e) => {
                println!("perf not started: {e}");
                None
            }
        }
    }
}

/// Stop a `perf record` started by [`Knobs::perf`], letting it write its file.
pub fn stop(perf: Option<Child>) {
    let Some(mut child) = perf else { return };
    // SIGINT: perf writes its data and exits.
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();
}
