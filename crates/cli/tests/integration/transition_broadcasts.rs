//! A broadcast to North Kivu through the real binary on both stores, delivered by the
//! delivery worker to a stand-in for Twilio's REST API on 127.0.0.1: the Swahili-speaking
//! focal point gets the Swahili text, the committee (no language) the fallback text, a
//! Kalehe focal point nothing; a signed status callback moves the broadcast's delivery
//! counts; `kinga verify` rebuilds the broadcasts table.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use reqwest::Method;
use serde_json::{Value, json};

use kinga_channels::form;
use kinga_channels::twilio::{SignatureAlgorithm, compute_signature};

use crate::harness::{Backend, Server, call};
use crate::on_both_stores;

const ACCOUNT: &str = "ACtest0002";
const TOKEN: &str = "twilio-rest-token-2";
const FROM: &str = "+15005550006";
/// Furaha Kambale (Kiwanja, Swahili) and the Kiwanja committee, from the harness registry.
const FURAHA: &str = "+243990001001";
const CLP_KIWANJA: &str = "+243990000101";

/// `(To, Body, sid)` of every message the stand-in took.
type Taken = Arc<Mutex<Vec<(String, String, String)>>>;

async fn fake_twilio() -> (String, Taken) {
    let taken: Taken = Arc::default();
    let shared = taken.clone();
    let app = axum::Router::new().fallback(move |body: String| {
        let shared = shared.clone();
        async move {
            let f = form::parse(body.as_bytes()).unwrap_or_default();
            let field = |k: &str| {
                f.iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            let mut all = shared.lock().expect("taken");
            let sid = format!("SM{:032}", all.len() + 1);
            all.push((field("To"), field("Body"), sid.clone()));
            (
                StatusCode::CREATED,
                json!({"sid": sid, "status": "queued", "account_sid": ACCOUNT}).to_string(),
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind fake Twilio");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, taken)
}

/// The broadcast once `done` holds for it, polling the API.
async fn broadcast_when(s: &Server, token: &str, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let (st, b) = call(
            s,
            token,
            Method::GET,
            &format!("/api/v1/transition/broadcasts/{id}"),
            None,
        )
        .await;
        assert_eq!(st, 200, "{b}");
        if done(&b["delivery"]) {
            return b;
        }
        assert!(Instant::now() < deadline, "delivery never came: {b}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn broadcast_story(backend: Backend) {
    let (twilio, taken) = fake_twilio().await;
    let Some(s) = Server::start_with_env(
        backend,
        &[
            ("KINGA_OUTBOUND_DRIVER", "twilio"),
            ("KINGA_OUTBOUND_INTERVAL_SECONDS", "1"),
            ("KINGA_TWILIO_API_BASE", &twilio),
            ("KINGA_TWILIO_ACCOUNT_SID", ACCOUNT),
            ("KINGA_TWILIO_AUTH_TOKEN", TOKEN),
            ("KINGA_TWILIO_FROM", FROM),
        ],
    )
    .await
    else {
        return;
    };
    s.add_user("coord", "coordinator", "coord-password-123");
    s.add_user("viewer", "viewer", "viewer-password-123");
    let (coord, viewer) = (s.token_for("coord"), s.token_for("viewer"));

    let (fr, en, sw) = (
        "La base de Rutshuru ferme le 31 mars. Appelez le 1212.",
        "The Rutshuru base closes on 31 March. Call 1212.",
        "Kambi ya Rutshuru itafungwa tarehe 31 Machi. Piga 1212.",
    );
    let body = json!({"area": "CD61", "topic": "base_closure",
        "texts": {"fr": fr, "en": en, "sw": sw}, "fallback": "fr"});
    let (st, _) = call(
        &s,
        &viewer,
        Method::POST,
        "/api/v1/transition/broadcasts",
        Some(body.clone()),
    )
    .await;
    assert_eq!(st, 403, "viewers do not broadcast");
    let (st, e) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/broadcasts",
        Some(json!({"area": "CD61", "topic": "other", "texts": {"en": en}, "fallback": "fr"})),
    )
    .await;
    assert_eq!(st, 422, "the fallback needs a text: {e}");
    let (st, b) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/broadcasts",
        Some(body),
    )
    .await;
    assert_eq!(st, 201, "{b}");
    let id = b["broadcast"]["id"].as_str().expect("id").to_string();
    let sent = b["broadcast"]["sent"].as_array().expect("sent");
    assert_eq!(
        sent.len(),
        2,
        "Furaha and the Kiwanja committee, not Kalehe: {b}"
    );
    assert_eq!(b["languages"], json!({"fr": 1, "sw": 1}));
    assert_eq!(
        b["delivery"]["queued"].as_u64().unwrap_or(0) + b["delivery"]["sent"].as_u64().unwrap_or(0),
        2
    );
    let fp = sent
        .iter()
        .find(|x| x["kind"] == "focal_point")
        .expect("the focal point");
    assert_eq!(fp["language"], "sw");
    assert!(fp["label"].as_str().unwrap_or_default().starts_with("FP-"));

    // The worker sends both; each got its own language.
    let b = broadcast_when(&s, &viewer, &id, |d| d["sent"] == 2).await;
    assert_eq!(b["delivery"]["queued"], 0);
    let got = taken.lock().expect("taken").clone();
    let to_furaha = got
        .iter()
        .find(|(to, _, _)| to == FURAHA)
        .expect("Furaha's SMS");
    assert_eq!(to_furaha.1, sw, "in Swahili");
    let to_clp = got
        .iter()
        .find(|(to, _, _)| to == CLP_KIWANJA)
        .expect("the CLP's SMS");
    assert_eq!(to_clp.1, fr, "the fallback");

    // Twilio reports Furaha's delivered: the counts move.
    let callback = format!("{}/channels/twilio/status", s.base);
    let params: Vec<(String, String)> = [
        ("MessageSid", to_furaha.2.as_str()),
        ("SmsSid", to_furaha.2.as_str()),
        ("MessageStatus", "delivered"),
        ("AccountSid", ACCOUNT),
        ("To", FURAHA),
        ("From", FROM),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let signature = compute_signature(TOKEN, &callback, &params, SignatureAlgorithm::HmacSha1);
    let r = reqwest::Client::new()
        .post(&callback)
        .header("X-Twilio-Signature", signature)
        .form(&params)
        .send()
        .await
        .expect("status callback");
    assert_eq!(r.status().as_u16(), 200);
    let b = broadcast_when(&s, &viewer, &id, |d| d["delivered"] == 1).await;
    assert_eq!(b["delivery"]["sent"], 1);
    let (_, list) = call(
        &s,
        &viewer,
        Method::GET,
        "/api/v1/transition/broadcasts",
        None,
    )
    .await;
    assert_eq!(list[0]["broadcast"]["id"], id.as_str());
    assert_eq!(list[0]["delivery"]["delivered"], 1);

    let out = s.cli(&["verify"], None);
    assert!(
        out.status.success(),
        "verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
on_both_stores!(transition_broadcasts, super::broadcast_story);
