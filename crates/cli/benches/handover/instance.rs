//! The instances a run drives through the `kinga` binary, each step timed, and how two of
//! them are paired and synced.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::ledger::read_events;

/// One instance: its own folder (key files, anchor) and database.
pub struct Instance {
    dir: PathBuf,
    /// Its SQLite path or PostgreSQL URL.
    pub database: String,
    /// The PostgreSQL database, dropped with the instance.
    _db: Option<kinga_testing::postgres::TestDatabase>,
}

impl Instance {
    /// A new SQLite instance in `root/name`.
    pub fn sqlite(root: &Path, name: &str) -> Instance {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).expect("dir");
        let database = dir.join("kinga.db").display().to_string();
        Instance {
            dir,
            database,
            _db: None,
        }
    }

    /// Run `kinga ARGS` against this instance; its standard output.
    pub fn kinga(&self, args: &[&str]) -> String {
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
    pub fn timed(&self, args: &[&str]) -> Timed {
        let cpu = children_cpu();
        let t = Instant::now();
        self.kinga(args);
        Timed {
            wall: t.elapsed().as_secs_f64(),
            cpu: children_cpu() - cpu,
        }
    }

    /// Time `kinga ARGS` under `perf record -g` into `data` when a perf folder is given.
    pub fn timed_perf(&self, args: &[&str], data: Option<PathBuf>) -> Timed {
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

    /// Write this instance's public key line to a file, for a package addressed to it.
    pub fn key_file(&self) -> PathBuf {
        let p = self.dir.join("instance.pub");
        std::fs::write(&p, self.kinga(&["instance", "key"])).expect("write");
        p
    }
}

/// Wall and CPU seconds of one step.
#[derive(Clone, Copy, Default)]
pub struct Timed {
    /// Wall-clock seconds.
    pub wall: f64,
    /// CPU seconds of the `kinga` process.
    pub cpu: f64,
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
pub async fn sync_all(from: &Instance, to: &Instance) -> (Timed, u64) {
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
pub async fn postgres(root: &Path, name: &str) -> Option<Instance> {
    let base = std::env::var("KINGA_TEST_POSTGRES_URL").ok()?;
    let db = kinga_testing::postgres::fresh_database(&base, "kinga_bench")
        .await
        .ok()?;
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).ok()?;
    Some(Instance {
        dir,
        database: db.url.clone(),
        _db: Some(db),
    })
}
