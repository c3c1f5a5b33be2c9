//! Runs the real `kinga` binary against a fresh database on either backend, as an operator
//! would: CLI for users, tokens and imports, then `kinga serve` on a free port.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

pub use kinga_testing::postgres::TestDatabase;

/// A date written in the last quarter of 2026 (the demo's withdrawal plan, the transition
/// tests' plans), moved by the quarters since, as the demo moves its own
/// (`crates/cli/src/demo/calendar.rs`): what was to come then stays to come today. Today is
/// the default zone's (Goma), as the demo's is.
pub fn as_written(written: &str) -> String {
    use kinga_domain::transition::{quarters_between, shift_quarters};
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date");
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Africa::Lubumbashi)
        .date_naive();
    let quarters = quarters_between(day("2026-12-01"), today);
    shift_quarters(day(written), quarters)
        .expect("a date in the calendar")
        .to_string()
}

/// The day before `day` (`YYYY-MM-DD`), by the transition rules' own `day_before`: moved
/// dates keep month ends, so the day before a moved closure is found from the closure.
pub fn the_day_before(day: &str) -> String {
    let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("a date");
    kinga_domain::transition::day_before(d).to_string()
}

/// Which store a test server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary folder.
    Sqlite,
    /// A fresh database on the test PostgreSQL server.
    Postgres,
}

/// The PostgreSQL server for tests, or None (with a notice) when there is none and this is
/// not CI. Under CI=true a missing server fails the test.
pub fn postgres_url() -> Option<String> {
    match std::env::var("KINGA_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!(
                "CI=true but KINGA_TEST_POSTGRES_URL is not set: run the tests through scripts/test"
            )
        }
        _ => Some("postgres://postgres@127.0.0.1:5432/test".into()),
    }
}

/// An empty database on the test server, dropped with the value returned; None (with a
/// notice) when there is no server outside CI.
pub async fn fresh_postgres_db() -> Option<TestDatabase> {
    let base = postgres_url()?;
    match kinga_testing::postgres::fresh_database(&base, "kinga_it").await {
        Ok(db) => Some(db),
        Err(e) => {
            kinga_testing::skip(
                "PostgreSQL stories",
                &format!(
                    "PostgreSQL at {base} is unreachable ({e}); run scripts/test to start one"
                ),
            );
            None
        }
    }
}

/// A running Kinga server.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Bearer token of an administrator.
    pub token: String,
    /// Database setting.
    pub database: String,
    dir: tempfile::TempDir,
    port: u16,
    env: Vec<(String, String)>,
    /// The PostgreSQL database, dropped after the server is killed.
    _db: Option<TestDatabase>,
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_kinga")
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Places, responders and focal points every test server starts with, taken from the shared
/// P-code list plus a few villages.
const PLACES: &str = "pcode,name,alt_names,level,parent,country,lat,lon
COD,République démocratique du Congo,DR Congo;RDC,country,,COD,,
CD61,Nord-Kivu,North Kivu,admin1,COD,COD,-0.8,28.9
CD62,Sud-Kivu,South Kivu,admin1,COD,COD,-3.0,28.3
CD54,Ituri,,admin1,COD,COD,1.6,29.9
CD6111,Rutshuru,Rutshuru Territory;Territoire de Rutshuru,admin2,CD61,COD,-1.19,29.45
CD6103,Masisi,,admin2,CD61,COD,-1.40,28.82
CD6104,Walikale,,admin2,CD61,COD,-1.42,28.05
CD6205,Kalehe,,admin2,CD62,COD,-2.10,28.91
CD5405,Djugu,,admin2,CD54,COD,1.92,30.50
CD6111-V001,Kiwanja,,settlement,CD6111,COD,-1.163,29.455
CD6111-V002,Bunagana,Bunangana,settlement,CD6111,COD,-1.283,29.598
CD6103-V003,Kitshanga,Kichanga;Kitchanga,settlement,CD6103,COD,-1.289,29.012
CD6205-V004,Minova,,settlement,CD6205,COD,-1.703,29.000
CD5405-V005,Drodro,,settlement,CD5405,COD,1.754,30.520
CD6104-V006,Pinga,,settlement,CD6104,COD,-0.983,28.690
CD6205-V007,Kiwanja,,settlement,CD6205,COD,-1.800,28.950
";

const RESPONDERS: &str =
    "id,name,kind,places,threat_types,hours,phone,email,prefers,community_consent,active
clp-kiwanja,CLP Kiwanja,local_protection_committee,CD6111,,,+243990000101,,sms,yes,yes
monusco-rutshuru,MONUSCO Rutshuru,mission_military,CD6111;CD6103,,,+243990000102,,sms,yes,yes
pnc-kitshanga,PNC Kitshanga,state_police,CD6103,,,+243990000103,,sms,no,yes
clp-djugu,CLP Drodro,local_protection_committee,CD5405,,,+243990000104,,sms,yes,yes
";

/// Password of the administrator `admin` every fresh test server starts with.
pub const ADMIN_PASSWORD: &str = "admin-password-1";

/// Furaha Kambale's pseudonym, given in the file; Jeanne Masika's is left to Kinga.
pub const FURAHA: &str = "FP-TW3KD";

const FOCAL_POINTS: &str = "name,phone,place,language,pseudonym
Furaha Kambale,+243990001001,CD6111-V001,sw,FP-TW3KD
Jeanne Masika,0990001002,CD6205-V004,fr,
";

impl Server {
    /// Run `kinga` with this server's settings.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        run_cli(&self.database, self.dir.path(), args, stdin)
    }

    /// `kinga verify` on this server's database: whether it passed, and all it printed.
    pub fn verify(&self) -> (bool, String) {
        let out = self.cli(&["verify"], None);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), said)
    }

    /// A fresh server on `backend` with an administrator token and the registries above;
    /// None when the backend is unavailable outside CI.
    pub async fn start(backend: Backend) -> Option<Server> {
        Self::launch(backend, None, false).await
    }

    /// A server over the demo data set (`kinga demo --no-serve`), with settings given as
    /// `KINGA_*` environment variables; the API token is the demo administrator's.
    #[allow(dead_code)]
    pub async fn start_demo(backend: Backend, env: &[(&str, &str)]) -> Option<Server> {
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Self::launch(backend, Some(env.collect()), true).await
    }

    /// [`Server::start`] with settings given as `KINGA_*` environment variables, and
    /// KINGA_PUBLIC_URL set to the server's own address (what gateways' signatures cover).
    #[allow(dead_code)]
    pub async fn start_with_env(backend: Backend, env: &[(&str, &str)]) -> Option<Server> {
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Self::launch(backend, Some(env.collect()), false).await
    }

    async fn launch(
        backend: Backend,
        env: Option<Vec<(String, String)>>,
        demo: bool,
    ) -> Option<Server> {
        let dir = tempfile::tempdir().expect("tempdir");
        let (database, db) = match backend {
            Backend::Sqlite => (dir.path().join("kinga.db").display().to_string(), None),
            Backend::Postgres => {
                let db = fresh_postgres_db().await?;
                (db.url.clone(), Some(db))
            }
        };
        let port = free_port();
        let env = env.map_or_else(Vec::new, |mut env| {
            if !env.iter().any(|(k, _)| k == "KINGA_PUBLIC_URL") {
                env.push((
                    "KINGA_PUBLIC_URL".into(),
                    format!("http://127.0.0.1:{port}"),
                ));
            }
            env
        });
        let mut s = Server {
            child: None,
            base: format!("http://127.0.0.1:{port}"),
            token: String::new(),
            database,
            dir,
            port,
            env,
            _db: db,
        };
        if demo {
            let out = s.cli(&["demo", "--no-serve"], None);
            assert!(
                out.status.success(),
                "demo: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            s.token = s.token_for("admin");
            s.spawn().await;
            return Some(s);
        }
        for (kind, csv) in [
            ("places", PLACES),
            ("responders", RESPONDERS),
            ("focal-points", FOCAL_POINTS),
        ] {
            let f = s.dir.path().join(format!("{kind}.csv"));
            std::fs::write(&f, csv).expect("write csv");
            let out = s.cli(&["import", kind, f.to_str().expect("utf-8 path")], None);
            assert!(
                out.status.success(),
                "import {kind}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        s.add_user("admin", "administrator", ADMIN_PASSWORD);
        s.token = s.token_for("admin");
        s.spawn().await;
        Some(s)
    }

    /// Add a user through the CLI.
    pub fn add_user(&self, name: &str, role: &str, password: &str) {
        let out = self.cli(
            &["user", "add", name, "--role", role],
            Some(&format!("{password}\n")),
        );
        assert!(
            out.status.success(),
            "user add {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A new API token for a user, as `kinga token create` prints it (last line).
    pub fn token_for(&self, name: &str) -> String {
        let out = self.cli(&["token", "create", name], None);
        assert!(
            out.status.success(),
            "token create: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .expect("token line")
            .trim()
            .to_string()
    }

    /// Start (or restart) `kinga serve` and wait until /healthz answers.
    pub async fn spawn(&mut self) {
        let child = Command::new(bin())
            .args([
                "--database",
                &self.database,
                "serve",
                "--listen",
                &format!("127.0.0.1:{}", self.port),
            ])
            .env("KINGA_DATA_DIR", self.dir.path())
            .env("KINGA_LOG", "warn")
            .env("KINGA_DEADLINES_CHECK_SECONDS", "3600")
            // Messages stay as the test left them unless it asks for the delivery worker.
            .env("KINGA_OUTBOUND_INTERVAL_SECONDS", "3600")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn kinga serve");
        self.child = Some(child);
        assert!(
            healthy(&self.base).await,
            "kinga serve did not become healthy on {}",
            self.base
        );
    }

    /// Process id of the running server (the benchmark reads its memory).
    #[allow(dead_code)]
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    /// `kill -9` the server: no shutdown code runs.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// An authenticated request builder.
    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    /// POST a JSON body and return status and JSON answer.
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .req(reqwest::Method::POST, path)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// GET and return status and JSON answer.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .req(reqwest::Method::GET, path)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// Whether the server at `base` answers /healthz within a minute. Generous: a CI machine
/// running the whole suite at once may take many seconds to start a server on a fresh
/// PostgreSQL database, and waiting costs nothing once it answers.
pub async fn healthy(base: &str) -> bool {
    let client = reqwest::Client::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// Run `kinga` against a database, with the key file in `dir`.
pub fn run_cli(
    database: &str,
    dir: &std::path::Path,
    args: &[&str],
    stdin: Option<&str>,
) -> std::process::Output {
    let mut child = Command::new(bin())
        .arg("--database")
        .arg(database)
        .args(args)
        .env("KINGA_DATA_DIR", dir)
        .env("KINGA_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kinga");
    if let Some(mut i) = child.stdin.take() {
        if let Some(text) = stdin {
            i.write_all(text.as_bytes()).expect("write stdin");
        }
    }
    child.wait_with_output().expect("kinga output")
}

impl Server {
    /// Run SQL on the server's database behind Kinga's back (as an intruder with database
    /// access would); returns the rows changed. `sqlite` and `postgres` differ where the
    /// dialects do.
    #[allow(dead_code)]
    pub async fn sql(&self, sqlite: &str, postgres: &str) -> u64 {
        if self.database.starts_with("postgres") {
            let (c, conn) = tokio_postgres::connect(&self.database, tokio_postgres::NoTls)
                .await
                .expect("connect");
            tokio::spawn(conn);
            c.execute(postgres, &[]).await.expect("sql")
        } else {
            let c = rusqlite::Connection::open(&self.database).expect("open sqlite");
            c.execute(sqlite, []).expect("sql") as u64
        }
    }

    /// The first column of every row a query gives, as text.
    #[allow(dead_code)]
    pub async fn sql_column(&self, sqlite: &str, postgres: &str) -> Vec<String> {
        let sql = if self.database.starts_with("postgres") {
            postgres
        } else {
            sqlite
        };
        query_column(&self.database, sql).await
    }

    /// The folder of the key file, the anchor and the outbox log.
    #[allow(dead_code)]
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Stop the server (it can be started again with [`Server::spawn`]).
    #[allow(dead_code)]
    pub fn stop(&mut self) {
        self.kill9();
    }

    /// Run `kinga serve` in the foreground until it exits or `wait` passes; its exit status
    /// and what it wrote on standard error.
    #[allow(dead_code)]
    pub fn serve_once(&self, wait: Duration) -> (Option<std::process::ExitStatus>, String) {
        let mut child = Command::new(bin())
            .args(["--database", &self.database, "serve", "--listen"])
            .arg(format!("127.0.0.1:{}", free_port()))
            .env("KINGA_DATA_DIR", self.dir.path())
            .env("KINGA_LOG", "warn")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn kinga serve");
        let started = std::time::Instant::now();
        let status = loop {
            if let Ok(Some(st)) = child.try_wait() {
                break Some(st);
            }
            if started.elapsed() > wait {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        (status, err)
    }
}

/// The first column of every row a query gives on either backend, as text.
#[allow(dead_code)]
pub async fn query_column(database: &str, sql: &str) -> Vec<String> {
    if database.starts_with("postgres") {
        let (c, conn) = tokio_postgres::connect(database, tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        c.simple_query(sql)
            .await
            .expect("sql")
            .into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => {
                    Some(r.get(0).unwrap_or_default().to_string())
                }
                _ => None,
            })
            .collect()
    } else {
        let c = rusqlite::Connection::open(database).expect("open sqlite");
        let mut stmt = c.prepare(sql).expect("prepare");
        stmt.query_map([], |r| {
            let v: rusqlite::types::Value = r.get(0)?;
            Ok(match v {
                rusqlite::types::Value::Null => String::new(),
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Real(f) => f.to_string(),
                rusqlite::types::Value::Text(t) => t,
                rusqlite::types::Value::Blob(b) => String::from_utf8_lossy(&b).to_string(),
            })
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

impl Server {
    /// A server's folder and database on `backend`, with nothing in it and not started (a
    /// new instance waiting for a handover); start it with [`Server::spawn`] and give it a
    /// token. None when the backend is unavailable outside CI.
    #[allow(dead_code)]
    pub async fn empty(backend: Backend) -> Option<Server> {
        let dir = tempfile::tempdir().expect("tempdir");
        let (database, db) = match backend {
            Backend::Sqlite => (dir.path().join("kinga.db").display().to_string(), None),
            Backend::Postgres => {
                let db = fresh_postgres_db().await?;
                (db.url.clone(), Some(db))
            }
        };
        let port = free_port();
        Some(Server {
            child: None,
            base: format!("http://127.0.0.1:{port}"),
            token: String::new(),
            database,
            dir,
            port,
            env: Vec::new(),
            _db: db,
        })
    }

    /// Run `kinga` with this server's settings and extra environment variables.
    #[allow(dead_code)]
    pub fn cli_env(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        Command::new(bin())
            .arg("--database")
            .arg(&self.database)
            .args(args)
            .env("KINGA_DATA_DIR", self.dir.path())
            .env("KINGA_LOG", "warn")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .expect("kinga output")
    }

    /// `kinga ARGS` started in the background (to be killed mid-way).
    #[allow(dead_code)]
    pub fn cli_child(&self, args: &[&str]) -> Child {
        Command::new(bin())
            .arg("--database")
            .arg(&self.database)
            .args(args)
            .env("KINGA_DATA_DIR", self.dir.path())
            .env("KINGA_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn kinga")
    }
}

/// One JSON API call as `token`: the status and the JSON answer (null when there is none).
pub async fn call(
    s: &Server,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = reqwest::Client::new()
        .request(method, format!("{}{path}", s.base))
        .bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}
