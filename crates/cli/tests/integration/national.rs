//! National scale: two `kinga serve` processes on one PostgreSQL database take alerts at once,
//! as a national deployment behind a load balancer would. Two clients post 200 alerts each,
//! one to each server, while a third sends retries of the same keys to both servers; every
//! acknowledged alert is there exactly once, a retry answers the same reference whichever
//! server it reaches, references are unique, both servers list the same alerts, and
//! `kinga verify` passes on the database.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};

use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Backend, Server, free_port};

/// Alerts each of the two clients posts.
const PER_SERVER: usize = 200;
/// Keys sent to both servers at once, several times each.
const RETRIED: usize = 20;

/// A second `kinga serve` on the first server's database and data folder (same key file).
struct Sibling {
    child: Child,
    base: String,
}

impl Sibling {
    async fn start(first: &Server) -> Sibling {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_kinga"))
            .args(["--database", &first.database, "serve", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .env("KINGA_DATA_DIR", first.dir())
            .env("KINGA_LOG", "warn")
            .env("KINGA_DEADLINES_CHECK_SECONDS", "3600")
            .env("KINGA_OUTBOUND_INTERVAL_SECONDS", "3600")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn second kinga serve");
        // Dropped (killed and reaped) on every path, the panic below included.
        let sibling = Sibling {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        assert!(
            crate::harness::healthy(&sibling.base).await,
            "the second kinga serve did not become healthy on {}",
            sibling.base
        );
        sibling
    }
}

impl Drop for Sibling {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// POST one alert with an Idempotency-Key to `base`; the status and the answer.
async fn post_alert(client: &reqwest::Client, base: &str, token: &str, key: &str) -> (u16, Value) {
    let body = json!({
        "text": format!("Hommes armés signalés, message {key}"),
        "place": "CD6111-V001",
        "threat_type": "attack_on_civilians",
    });
    let r = client
        .request(Method::POST, format!("{base}/api/v1/alerts"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .expect("post alert");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Every alert a server lists: id → reference, paging through the whole list.
async fn listed(client: &reqwest::Client, base: &str, token: &str) -> HashMap<String, String> {
    let mut all = HashMap::new();
    let mut offset = 0;
    loop {
        let r = client
            .get(format!(
                "{base}/api/v1/alerts?sort=newest&limit=500&offset={offset}"
            ))
            .bearer_auth(token)
            .send()
            .await
            .expect("list alerts");
        assert_eq!(r.status().as_u16(), 200);
        let page: Value = r.json().await.expect("alert list");
        let items = page["items"].as_array().cloned().unwrap_or_default();
        for a in &items {
            let id = a["id"].as_str().expect("id").to_string();
            let reference = a["reference"].as_str().expect("reference").to_string();
            assert!(
                all.insert(id.clone(), reference).is_none(),
                "alert {id} listed twice"
            );
        }
        offset += items.len();
        if items.is_empty() || offset as u64 >= page["total"].as_u64().expect("total") {
            return all;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn national_two_servers_one_postgres() {
    let Some(one) = Server::start(Backend::Postgres).await else {
        return;
    };
    let two = Sibling::start(&one).await;
    let token = one.token.clone();
    let client = reqwest::Client::new();
    let before = listed(&client, &one.base, &token).await;
    let bases = [one.base.clone(), two.base.clone()];

    // Two clients, one per server, 200 distinct keys each, 16 requests in flight at a time;
    // a third client sends each retried key three times to each server, all at once.
    let client_for = |server: usize| {
        let (client, base, token) = (client.clone(), bases[server].clone(), token.clone());
        async move {
            let keys: Vec<String> = (0..PER_SERVER)
                .map(|i| format!("national-{server}-{i}"))
                .collect();
            let mut answers = Vec::new();
            for chunk in keys.chunks(16) {
                let sent = chunk.iter().map(|k| post_alert(&client, &base, &token, k));
                for (k, (st, v)) in chunk.iter().zip(join_all(sent).await) {
                    answers.push((k.clone(), st, v));
                }
            }
            answers
        }
    };
    let retries = async {
        let sent = (0..RETRIED).flat_map(|i| {
            let key = format!("national-retry-{i}");
            (0..6).map(move |n| (key.clone(), n % 2))
        });
        let sent: Vec<_> = sent.collect();
        let answers = join_all(
            sent.iter()
                .map(|(k, server)| post_alert(&client, &bases[*server], &token, k)),
        )
        .await;
        sent.into_iter()
            .map(|(k, _)| k)
            .zip(answers)
            .map(|(k, (st, v))| (k, st, v))
            .collect::<Vec<_>>()
    };
    let (a, b, r) = tokio::join!(client_for(0), client_for(1), retries);

    // Every answer is an acknowledgement; a key always gets the same alert.
    let mut by_key: HashMap<String, (String, String)> = HashMap::new();
    for (key, st, v) in a.iter().chain(&b).chain(&r) {
        assert_eq!(*st, 201, "{key}: {v}");
        let id = v["id"].as_str().expect("id").to_string();
        let reference = v["reference"].as_str().expect("reference").to_string();
        match by_key.get(key) {
            Some(first) => assert_eq!(
                first,
                &(id, reference),
                "a retry of {key} reached another server and got another alert"
            ),
            None => {
                by_key.insert(key.clone(), (id, reference));
            }
        }
    }
    assert_eq!(by_key.len(), 2 * PER_SERVER + RETRIED);
    let references: HashSet<&String> = by_key.values().map(|(_, r)| r).collect();
    assert_eq!(references.len(), by_key.len(), "references are unique");
    let ids: HashSet<&String> = by_key.values().map(|(i, _)| i).collect();
    assert_eq!(ids.len(), by_key.len(), "one alert per key");

    // Both servers list the same alerts: each acknowledged one exactly once, nothing else new.
    let on_one = listed(&client, &one.base, &token).await;
    let on_two = listed(&client, &two.base, &token).await;
    assert_eq!(on_one, on_two, "both servers list the same alerts");
    assert_eq!(on_one.len(), before.len() + by_key.len(), "no alert twice");
    for (key, (id, reference)) in &by_key {
        assert_eq!(on_one.get(id), Some(reference), "{key} is listed");
    }
    let listed_refs: HashSet<&String> = on_one.values().collect();
    assert_eq!(
        listed_refs.len(),
        on_one.len(),
        "listed references are unique"
    );

    // The ledger holds each intake once, in one unbroken chain.
    let dup = one
        .sql_column(
            "",
            "SELECT count(*) FROM (SELECT origin, seq FROM events GROUP BY origin, seq HAVING count(*) > 1) d",
        )
        .await;
    assert_eq!(dup, vec!["0".to_string()], "no event twice");
    drop(two);
    let out = one.cli(&["verify"], None);
    assert!(
        out.status.success(),
        "verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
