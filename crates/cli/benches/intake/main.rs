//! Intake benchmark: alert intake through the JSON API and through the Twilio SMS webhook
//! (signature checked, SMS grammar run, a unique MessageSid per request) on SQLite and
//! PostgreSQL over the demo data set, at 1, 16 and 64 concurrent senders, beside a no-op
//! endpoint of the same server and the machine's fsync rate measured in the same run; then
//! the same at 64 connections through `wrk`, an independent load generator (installed when
//! missing); the queue page with 10,000 open alerts; resident memory idle (with the demo
//! data) and under load. Every request differs: texts from the blind SMS corpus, places and
//! threat types spread over the demo gazetteer (`corpus.rs`).
//! Run: `cargo bench -p kinga --bench intake`. Results are printed and written to
//! `target/bench/intake.json`. For short runs and profiles (see `knobs.rs`):
//! `KINGA_BENCH_STORES=sqlite KINGA_BENCH_CLIENTS=64 KINGA_BENCH_SKIP=wrk,queue,memory
//! KINGA_BENCH_PERF=target/bench cargo bench -p kinga --bench intake`.

mod corpus;
#[path = "../../tests/integration/harness.rs"]
#[allow(dead_code)]
mod harness;
mod knobs;
mod machine;
mod wrk;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use corpus::Corpus;
use harness::{Backend, Server};
use kinga_channels::twilio::{SignatureAlgorithm, compute_signature};
use machine::{cpu_seconds, fsync_rate, load_average, machine, rss_kib};

/// Seconds each load step runs.
const STEP_SECS: f64 = 4.0;
/// Auth token the benchmark server checks Twilio signatures with.
const TWILIO_TOKEN: &str = "bench-twilio-auth-token";
/// The demo logins' password (the queue page is read as the demo administrator).
const DEMO_PASSWORD: &str = "kinga-demo-2026";
/// Seconds each wrk run lasts.
const WRK_SECS: u32 = 6;

/// What one load step sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    /// `GET /internal/noop`: the server's own ceiling.
    Noop,
    /// `POST /api/v1/alerts` with a bearer token.
    Api,
    /// `POST /channels/twilio/sms`, signed as Twilio signs it.
    Twilio,
}

/// Load steps run so far in this process: each step's Twilio message ids carry its number.
static STEPS: AtomicU64 = AtomicU64::new(0);

/// A signed Twilio webhook body: a new message from one of 100 numbers per sender. The id
/// names the step, the sender and the message, so no step resends an earlier step's ids
/// (the server would answer those as retries without taking them in again).
fn twilio_request(corpus: &Corpus, base: &str, step: u64, c: usize, i: u64) -> (String, String) {
    let sid = format!("SM{step:04x}{c:08x}{i:020x}");
    let from = corpus.phone(c, i);
    let params: Vec<(String, String)> = [
        ("MessageSid", sid.as_str()),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", from.as_str()),
        ("To", "+243970000000"),
        ("Body", corpus.sms(c * 7919 + i as usize)),
        ("NumMedia", "0"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let url = format!("{base}/channels/twilio/sms");
    let signature = compute_signature(TWILIO_TOKEN, &url, &params, SignatureAlgorithm::HmacSha1);
    let body = kinga_channels::form::encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    (body, signature)
}

#[derive(Debug, Clone, Copy)]
struct Stats {
    rate: f64,
    /// Requests answered with success.
    count: usize,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
    /// Requests answered per CPU second the server spent (user + system) during the step.
    per_cpu_s: f64,
}

async fn load(server: &Server, corpus: &Arc<Corpus>, clients: usize, work: Work) -> Stats {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .expect("client");
    let pid = server.pid().unwrap_or(0);
    let cpu_before = cpu_seconds(pid);
    let deadline = Instant::now() + Duration::from_secs_f64(STEP_SECS);
    let started = Instant::now();
    let step = STEPS.fetch_add(1, Ordering::Relaxed);
    let mut tasks = vec![];
    for c in 0..clients {
        let (client, base, token) = (client.clone(), server.base.clone(), server.token.clone());
        let corpus = corpus.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(4096);
            let mut errors = 0u64;
            let mut i = 0u64;
            while Instant::now() < deadline {
                i += 1;
                let t = Instant::now();
                let r = if work == Work::Noop {
                    client.get(format!("{base}/internal/noop")).send().await
                } else if work == Work::Twilio {
                    let (body, signature) = twilio_request(&corpus, &base, step, c, i);
                    client
                        .post(format!("{base}/channels/twilio/sms"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("x-twilio-signature", signature)
                        .body(body)
                        .send()
                        .await
                } else {
                    let phone = corpus.phone(c, i);
                    let body = corpus.api_body(c * 7919 + i as usize, &phone);
                    client
                        .post(format!("{base}/api/v1/alerts"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await
                };
                match r {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed().as_micros() as u32);
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = vec![];
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.expect("join");
        all.extend(l);
        errors += e;
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds(pid) - cpu_before;
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    Stats {
        rate: all.len() as f64 / secs,
        count: all.len(),
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        errors,
        per_cpu_s: if cpu > 0.0 {
            all.len() as f64 / cpu
        } else {
            0.0
        },
    }
}

/// Register the benchmark's own focal points (the demo has 52; a network that floods has a
/// few thousand), 16 at a time through the API.
async fn register_network(server: &Arc<Server>, corpus: &Arc<Corpus>) {
    let started = Instant::now();
    let mut tasks = vec![];
    for t in 0..16 {
        let (server, corpus) = (server.clone(), corpus.clone());
        tasks.push(tokio::spawn(async move {
            let mut failed = 0;
            for n in (t..corpus.network).step_by(16) {
                let (status, body) = server
                    .post("/api/v1/focal-points", corpus.network_focal_point(n))
                    .await;
                if status != 200 {
                    failed += 1;
                    if failed == 1 {
                        eprintln!("focal point {n} not registered: {status} {body}");
                    }
                }
            }
            failed
        }));
    }
    let mut failed = 0;
    for t in tasks {
        failed += t.await.unwrap_or(0);
    }
    println!(
        "registered {} focal points beside the demo's in {:.1} s ({failed} failed)",
        corpus.network - failed,
        started.elapsed().as_secs_f64()
    );
}

async fn login_cookie(server: &Server) -> Option<String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .ok()?;
    let r = client
        .post(format!("{}/login", server.base))
        .form(&[
            ("name", "admin"),
            ("password", DEMO_PASSWORD),
            ("next", "/alerts"),
        ])
        .send()
        .await
        .ok()?;
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("kinga_session="))
        .map(|c| c.split(';').next().unwrap_or("").to_string())
}

async fn open_alerts(server: &Server) -> u64 {
    server.get("/api/v1/alerts?open=true&limit=1").await.1["total"]
        .as_u64()
        .unwrap_or(0)
}

async fn queue_page(server: &Server, corpus: &Arc<Corpus>) -> Value {
    // The design target is stated for 10,000 open alerts: top up when the load steps made fewer.
    while open_alerts(server).await < 10_000 {
        load(server, corpus, 64, Work::Api).await;
    }
    let open = open_alerts(server).await;
    let client = reqwest::Client::new();
    let mut result = json!({ "open_alerts": open });
    let cookie = login_cookie(server).await;
    for (name, path, auth) in [
        ("ui_queue_page", "/alerts", false),
        ("api_queue_page", "/api/v1/alerts?open=true&limit=50", true),
    ] {
        let mut times = vec![];
        let mut size = 0;
        for _ in 0..40 {
            let mut req = client
                .get(format!("{}{path}", server.base))
                .header("accept-encoding", "gzip");
            req = if auth {
                req.bearer_auth(&server.token)
            } else {
                req.header("cookie", cookie.clone().unwrap_or_default())
            };
            let t = Instant::now();
            let Ok(r) = req.send().await else { continue };
            let ok = r.status().is_success();
            let body = r.bytes().await.map(|b| b.len()).unwrap_or(0);
            if ok {
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                size = body;
            }
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let p50 = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
        result[name] = json!({ "p50_ms": p50, "gzip_bytes": size, "samples": times.len() });
    }
    result
}

async fn idle_memory_with_demo() -> Option<u64> {
    let dir = tempfile::tempdir().ok()?;
    let db = dir.path().join("demo.db").display().to_string();
    let out = harness::run_cli(&db, dir.path(), &["demo", "--no-serve"], None);
    if !out.status.success() {
        eprintln!("demo load failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .ok()?
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kinga"))
        .args([
            "--database",
            &db,
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("KINGA_DATA_DIR", dir.path())
        .env("KINGA_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let url = format!("http://127.0.0.1:{port}/healthz");
    for _ in 0..200 {
        if reqwest::get(&url)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss = rss_kib(child.id(), "VmRSS:");
    let _ = child.kill();
    let _ = child.wait();
    Some(rss)
}

/// The no-op endpoint and API intake at 64 connections through wrk, with the fsync rate
/// measured again between them (the disk is shared with the load).
fn with_wrk(
    wrk: &std::path::Path,
    server: &Server,
    corpus: &Corpus,
    backend: Backend,
) -> Option<Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&dir).ok()?;
    let script = wrk::script(corpus, &server.token, &dir).ok()?;
    let noop = wrk::run(
        wrk,
        &format!("{}/internal/noop", server.base),
        64,
        WRK_SECS,
        None,
    )?;
    let fsync = fsync_rate();
    let api = wrk::run(
        wrk,
        &format!("{}/api/v1/alerts", server.base),
        64,
        WRK_SECS,
        Some(&script),
    )?;
    println!(
        "{backend:?}  | wrk, 64 connections | no-op {:.0} req/s (p99 {:.2} ms) | intake {:.0} alerts/s = {:.1}% of no-op, {:.1}x the fsync rate ({fsync:.0}/s) | p50 {:.2} ms | p99 {:.2} ms | errors {}",
        noop.rate,
        noop.p99_ms,
        api.rate,
        100.0 * api.rate / noop.rate.max(1.0),
        api.rate / fsync.max(1.0),
        api.p50_ms,
        api.p99_ms,
        api.errors
    );
    Some(json!({
        "clients": 64, "seconds": WRK_SECS, "fsync_per_s": fsync,
        "noop_per_s": noop.rate, "noop_p50_ms": noop.p50_ms, "noop_p99_ms": noop.p99_ms,
        "intake_per_s": api.rate, "intake_p50_ms": api.p50_ms, "intake_p99_ms": api.p99_ms,
        "intake_errors": api.errors, "intake_vs_noop": api.rate / noop.rate.max(1.0),
    }))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let machine = machine();
    println!("Kinga intake benchmark on {machine}");
    let fsync = fsync_rate();
    println!("fsync rate (512-byte append + fdatasync): {fsync:.0}/s");
    let knobs = knobs::Knobs::from_env();
    let corpus = Arc::new(Corpus::load(knobs.network));
    println!("load spread over {}", corpus.spread());
    let wrk = wrk::ensure();
    let mut report = json!({
        "machine": machine, "fsync_per_s": fsync, "step_seconds": STEP_SECS,
        "spread": corpus.spread(), "backends": {},
    });
    for backend in knobs.backends() {
        let Some(server) =
            Server::start_demo(backend, &[("KINGA_TWILIO_AUTH_TOKEN", TWILIO_TOKEN)]).await
        else {
            println!("{backend:?}: not available, skipped");
            continue;
        };
        let server = Arc::new(server);
        let pid = server.pid().unwrap_or(0);
        // Idle as the demo leaves it: registering focal points one request at a time leaves
        // freed memory the allocator keeps (about 40 MiB after 2,000; a restarted server
        // with them all holds about what it held before).
        let idle = rss_kib(pid, "VmRSS:");
        register_network(&server, &corpus).await;
        println!(
            "\n{backend:?}  | clients | no-op req/s | intake alerts/s | intake/no-op | p50 ms | p99 ms | errors | twilio SMS/s | twilio/no-op | p50 ms | p99 ms | errors"
        );
        let mut rows = vec![];
        let most = knobs.clients.iter().copied().max().unwrap_or(0);
        for &clients in &knobs.clients {
            let noop = load(&server, &corpus, clients, Work::Noop).await;
            // The profile, when asked for, covers API intake (or the Twilio path) at the most
            // clients.
            let profiled = |twilio: bool| {
                (clients == most && knobs.perf_twilio == twilio)
                    .then(|| knobs.perf(pid, backend))
                    .flatten()
            };
            let perf = profiled(false);
            let intake = load(&server, &corpus, clients, Work::Api).await;
            knobs::stop(perf);
            let perf = profiled(true);
            let open_before = open_alerts(&server).await;
            let twilio = load(&server, &corpus, clients, Work::Twilio).await;
            knobs::stop(perf);
            // Messages with no alert keyword from a number with an open alert are follow-ups:
            // attached to that alert, not opened as alerts of their own.
            let opened = open_alerts(&server).await.saturating_sub(open_before);
            println!(
                "{backend:?}  | {clients:>7} | {:>11.0} | {:>15.0} | {:>11.1}% | {:>6.2} | {:>6.2} | {:>6} | {:>12.0} | {:>11.1}% | {:>6.2} | {:>6.2} | {} | {:>8.0} | {:>6.0} | {:>6.0} | {:.1}",
                noop.rate,
                intake.rate,
                100.0 * intake.rate / noop.rate.max(1.0),
                intake.p50_ms,
                intake.p99_ms,
                intake.errors,
                twilio.rate,
                100.0 * twilio.rate / noop.rate.max(1.0),
                twilio.p50_ms,
                twilio.p99_ms,
                twilio.errors,
                noop.per_cpu_s,
                intake.per_cpu_s,
                twilio.per_cpu_s,
                load_average()
            );
            println!(
                "{backend:?}  | {clients:>7} | Twilio step: {} messages, {opened} opened alerts, the rest attached to open alerts as follow-ups",
                twilio.count
            );
            rows.push(json!({
                "clients": clients,
                "noop_per_s": noop.rate, "noop_p50_ms": noop.p50_ms, "noop_p99_ms": noop.p99_ms,
                "intake_per_s": intake.rate, "intake_p50_ms": intake.p50_ms, "intake_p99_ms": intake.p99_ms,
                "intake_errors": intake.errors, "intake_vs_noop": intake.rate / noop.rate.max(1.0),
                "intake_vs_fsync": intake.rate / fsync.max(1.0),
                "twilio_per_s": twilio.rate, "twilio_p50_ms": twilio.p50_ms, "twilio_p99_ms": twilio.p99_ms,
                "twilio_errors": twilio.errors, "twilio_vs_noop": twilio.rate / noop.rate.max(1.0),
                "noop_per_cpu_s": noop.per_cpu_s, "intake_per_cpu_s": intake.per_cpu_s,
                "twilio_per_cpu_s": twilio.per_cpu_s, "load_average": load_average(),
                "twilio_messages": twilio.count, "twilio_opened_alerts": opened,
            }));
        }
        let by_wrk = wrk
            .as_deref()
            .filter(|_| !knobs.skips("wrk"))
            .and_then(|w| with_wrk(w, &server, &corpus, backend));
        let peak = rss_kib(pid, "VmHWM:");
        println!(
            "{backend:?}: resident memory idle {} MiB, peak under load {} MiB",
            idle / 1024,
            peak / 1024
        );
        let queue = if knobs.skips("queue") {
            Value::Null
        } else {
            queue_page(&server, &corpus).await
        };
        println!(
            "{backend:?}: queue with {} open alerts: {}",
            queue["open_alerts"], queue
        );
        report["backends"][format!("{backend:?}").to_lowercase()] = json!({
            "intake": rows, "wrk": by_wrk, "rss_idle_kib": idle, "rss_peak_kib": peak, "queue": queue,
        });
    }
    let idle_demo = if knobs.skips("memory") {
        None
    } else {
        idle_memory_with_demo().await
    };
    if let Some(rss) = idle_demo {
        println!(
            "\nidle resident memory with the demo data loaded (SQLite): {} MiB",
            rss / 1024
        );
        report["rss_idle_demo_kib"] = json!(rss);
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    let _ = std::fs::create_dir_all(&out);
    let _ = std::fs::write(
        out.join("intake.json"),
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    );
    println!("\nwritten to target/bench/intake.json");
}
