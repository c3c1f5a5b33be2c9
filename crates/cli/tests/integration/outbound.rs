//! The outbound path against a stand-in for Twilio's REST API on 127.0.0.1: closing an alert
//! sends the reporter's feedback through the delivery worker of `kinga serve`, a signed
//! status callback marks it delivered, and a gateway answering 500 gets retries with
//! back-off until the message is marked failed with the gateway's error.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode, Uri};
use serde_json::{Value, json};

use kinga_channels::form;
use kinga_channels::twilio::{SignatureAlgorithm, compute_signature};

use crate::harness::{Backend, Server};
use crate::on_both_stores;

const ACCOUNT: &str = "ACtest0001";
const TOKEN: &str = "twilio-rest-token";
/// `Basic base64("ACtest0001:twilio-rest-token")`, worked out by hand.
const BASIC: &str = "Basic QUN0ZXN0MDAwMTp0d2lsaW8tcmVzdC10b2tlbg==";
const FROM: &str = "+15005550006";
const REPORTER: &str = "+243990001001";

/// One request the stand-in received.
#[derive(Debug, Clone)]
struct Received {
    at: Instant,
    path: String,
    authorization: String,
    form: Vec<(String, String)>,
}

impl Received {
    fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct FakeState {
    received: Vec<Received>,
    failing: bool,
}

/// Twilio's `Messages.json` as far as Kinga uses it.
struct FakeTwilio {
    base: String,
    state: Arc<Mutex<FakeState>>,
}

impl FakeTwilio {
    async fn start() -> FakeTwilio {
        let state = Arc::new(Mutex::new(FakeState::default()));
        let shared = state.clone();
        let app =
            axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: String| {
                let shared = shared.clone();
                async move {
                    let received = Received {
                        at: Instant::now(),
                        path: uri.path().to_string(),
                        authorization: headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string(),
                        form: form::parse(body.as_bytes()).unwrap_or_default(),
                    };
                    let mut st = shared.lock().expect("fake state");
                    st.received.push(received);
                    if st.failing {
                        return (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "upstream exploded".to_string(),
                        );
                    }
                    let sid = format!("SM{:032}", st.received.len());
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
        FakeTwilio { base, state }
    }

    fn received(&self) -> Vec<Received> {
        self.state.lock().expect("fake state").received.clone()
    }

    fn fail(&self, failing: bool) {
        self.state.lock().expect("fake state").failing = failing;
    }
}

/// Create an alert with a reporter's number through the API and close it with `outcome`.
async fn close_new_alert(s: &Server, text: &str, outcome: &str) -> String {
    let (st, alert) = s
        .post(
            "/api/v1/alerts",
            json!({"text": text, "threat_type": "armed_presence", "place": "CD6111-V001",
                   "reporter_phone": REPORTER}),
        )
        .await;
    assert_eq!(st, 201, "{alert}");
    let id = alert["id"].as_str().expect("id").to_string();
    for step in [
        json!({"to": "acknowledged"}),
        json!({"to": "false_alarm", "reason": "no armed men found"}),
        json!({"to": "closed", "outcome": outcome}),
    ] {
        let (st, body) = s
            .post(&format!("/api/v1/alerts/{id}/transitions"), step.clone())
            .await;
        assert_eq!(st, 200, "{step}: {body}");
    }
    id
}

/// The alert's feedback message once `done` holds for it, polling the API.
async fn feedback_when(s: &Server, alert: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let (_, out) = s.get(&format!("/api/v1/outbox?alert={alert}")).await;
        let feedback = out["items"]
            .as_array()
            .and_then(|items| items.iter().find(|m| m["kind"] == "feedback"))
            .cloned()
            .unwrap_or(Value::Null);
        if done(&feedback) {
            return feedback;
        }
        assert!(
            Instant::now() < deadline,
            "the feedback never reached the expected state: {feedback}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn feedback_goes_out_through_twilio(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    let Some(s) = Server::start_with_env(
        backend,
        &[
            ("KINGA_OUTBOUND_DRIVER", "twilio"),
            ("KINGA_OUTBOUND_INTERVAL_SECONDS", "1"),
            ("KINGA_OUTBOUND_RETRY_BASE_SECONDS", "1"),
            ("KINGA_OUTBOUND_RETRY_MAX_SECONDS", "2"),
            ("KINGA_OUTBOUND_MAX_ATTEMPTS", "3"),
            ("KINGA_TWILIO_API_BASE", &twilio.base),
            ("KINGA_TWILIO_ACCOUNT_SID", ACCOUNT),
            ("KINGA_TWILIO_AUTH_TOKEN", TOKEN),
            ("KINGA_TWILIO_FROM", FROM),
        ],
    )
    .await
    else {
        return;
    };

    // Closing the alert queues the feedback; the worker hands it to Twilio.
    let id = close_new_alert(
        &s,
        "Hommes armés à Kiwanja",
        "patrouille envoyée, calme revenu",
    )
    .await;
    let sent = feedback_when(&s, &id, |m| m["status"] == "sent").await;
    let got = twilio.received();
    assert_eq!(got.len(), 1, "sent once: {got:?}");
    let req = &got[0];
    assert_eq!(
        req.path,
        format!("/2010-04-01/Accounts/{ACCOUNT}/Messages.json")
    );
    assert_eq!(req.authorization, BASIC);
    assert_eq!(req.field("To"), Some(REPORTER));
    assert_eq!(req.field("From"), Some(FROM));
    let body = sent["body"].as_str().expect("body");
    assert_eq!(req.field("Body"), Some(body));
    assert!(body.contains("patrouille envoyée, calme revenu"), "{body}");
    let callback = format!("{}/channels/twilio/status", s.base);
    assert_eq!(req.field("StatusCallback"), Some(callback.as_str()));
    let sid = format!("SM{:032}", 1);
    assert_eq!(sent["provider"], "twilio");
    assert_eq!(sent["provider_message_id"], sid.as_str());
    assert_eq!(sent["channel"], "sms");
    assert_eq!(sent["attempts"], 1);

    // Twilio's signed status callback marks it delivered.
    let params: Vec<(String, String)> = [
        ("MessageSid", sid.as_str()),
        ("SmsSid", sid.as_str()),
        ("MessageStatus", "delivered"),
        ("AccountSid", ACCOUNT),
        ("To", REPORTER),
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
    feedback_when(&s, &id, |m| m["status"] == "delivered").await;

    // A gateway in trouble: retried after 1 s, then 2 s, then given up with its error.
    twilio.fail(true);
    let before = twilio.received().len();
    let id = close_new_alert(&s, "Tirs entendus à Kiwanja", "rien trouvé sur place").await;
    let retrying = feedback_when(&s, &id, |m| m["status"] == "queued" && m["attempts"] == 1).await;
    assert!(
        retrying["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("HTTP 500")),
        "{retrying}"
    );
    assert!(retrying["next_attempt_at"].is_string(), "{retrying}");
    let failed = feedback_when(&s, &id, |m| m["status"] == "failed").await;
    assert_eq!(failed["attempts"], 3, "{failed}");
    assert_eq!(
        failed["last_error"], "HTTP 500: upstream exploded",
        "{failed}"
    );
    let tries: Vec<Received> = twilio.received().split_off(before);
    assert_eq!(tries.len(), 3, "three attempts, then no more: {tries:?}");
    let gaps: Vec<Duration> = tries.windows(2).map(|w| w[1].at - w[0].at).collect();
    assert!(
        gaps[0] >= Duration::from_millis(900) && gaps[1] >= Duration::from_millis(1900),
        "back-off between attempts: {gaps:?}"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        twilio.received().len(),
        before + 3,
        "a failed message is not sent again"
    );
}

on_both_stores!(
    feedback_through_twilio,
    super::feedback_goes_out_through_twilio
);
