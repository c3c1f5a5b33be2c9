//! `kill -9` in the middle of a burst of submissions loses no acknowledged alert and leaves
//! the ledger verifiable. The burst is the intake benchmark's: 64 concurrent senders, alerts
//! spread over places, threat types and texts, some read by the SMS grammar.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::harness::{Backend, Server};
use crate::on_both_stores;

/// Places, threat types and texts in turn, as in a town-wide flood.
fn burst_alert(w: usize, i: usize) -> Value {
    const PLACES: [&str; 6] = [
        "CD6111-V001",
        "CD6111-V002",
        "CD6103-V003",
        "CD6205-V004",
        "CD5405-V005",
        "CD6104-V006",
    ];
    const THREATS: [(&str, &str); 4] = [
        ("armed_presence", "hommes armés vus"),
        ("looting_extortion", "boutiques pillées"),
        ("abduction", "trois femmes enlevées"),
        ("clashes", "tirs entendus"),
    ];
    let (threat, words) = THREATS[(w + i) % THREATS.len()];
    let place = PLACES[(w * 7 + i) % PLACES.len()];
    if i % 3 == 0 {
        // Read whole by the SMS grammar, as a typed alert with no form fields.
        json!({"text": format!("ALERTE Kiwanja {words} S3 rafale {w}-{i}")})
    } else {
        json!({"text": format!("Rafale {w}-{i} : {words}"), "place": place, "threat_type": threat})
    }
}

async fn kill_nine_loses_no_acknowledged_alert(backend: Backend) {
    let Some(mut s) = Server::start(backend).await else {
        return;
    };
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let client = reqwest::Client::new();
    let mut workers = vec![];
    for w in 0..64 {
        let (acked, stop, client, base, token) = (
            acked.clone(),
            stop.clone(),
            client.clone(),
            s.base.clone(),
            s.token.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let body = burst_alert(w, i);
                let r = client
                    .post(format!("{base}/api/v1/alerts"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 201 => {
                        if let Ok(v) = r.json::<Value>().await {
                            if let Some(id) = v["id"].as_str() {
                                acked.lock().await.push(id.to_string());
                            }
                        }
                    }
                    // Answers cut off by the kill were never acknowledged.
                    _ => {}
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    s.kill9();
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.await;
    }
    let acked = acked.lock().await.clone();
    assert!(
        acked.len() > 20,
        "the burst was too small to mean anything: {}",
        acked.len()
    );
    s.spawn().await;
    for id in &acked {
        let (st, _) = s.get(&format!("/api/v1/alerts/{id}")).await;
        assert_eq!(st, 200, "acknowledged alert {id} was lost");
    }
    let v = s.cli(&["verify"], None);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    eprintln!(
        "{backend:?}: {} acknowledged alerts all survived kill -9",
        acked.len()
    );
}
on_both_stores!(
    kill_nine_loses_no_acknowledged_alert,
    super::kill_nine_loses_no_acknowledged_alert
);
