//! Messages to reporters who wrote on WhatsApp, through `kinga serve`'s delivery worker and a
//! local stand-in for Twilio's Messages API that keeps every request: inside the 24-hour
//! window the feedback goes as free text (`Body`), outside it through the approved template
//! of its language (`ContentSid`, `ContentVariables`), by SMS when no template is configured
//! or when WhatsApp refuses the number; the outbox says which (`channel`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{StatusCode, Uri};
use serde_json::{Value, json};

use kinga_channels::form;

use crate::harness::{Backend, Server};
use crate::on_both_stores;
use crate::voice::{ACCOUNT, TOKEN};
use crate::whatsapp::{params, post};

const SMS_FROM: &str = "+15005550006";
const WA_FROM: &str = "whatsapp:+14155238886";
/// Furaha, a registered focal point writing in Swahili.
const FURAHA_PHONE: &str = "+243990001001";
/// A number nobody registered, writing in French.
const STRANGER: &str = "+243810000071";
const SW_TEMPLATE: &str = "HXsw00000000000000000000000000001";

/// The form fields of each request received.
type Requests = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// Twilio's `Messages.json`, refusing WhatsApp messages to `refused` as Twilio does a number
/// with no WhatsApp account.
struct StandIn {
    base: String,
    got: Requests,
}

impl StandIn {
    async fn start(refused: Option<&'static str>) -> StandIn {
        let got: Requests = Arc::default();
        let shared = got.clone();
        let app = axum::Router::new().fallback(move |uri: Uri, body: String| {
            let shared = shared.clone();
            async move {
                let fields = form::parse(body.as_bytes()).unwrap_or_default();
                let to = fields
                    .iter()
                    .find(|(k, _)| k == "To")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                let mut all = shared.lock().expect("stand-in");
                all.push(fields);
                if !uri.path().ends_with("/Messages.json") {
                    return (StatusCode::NOT_FOUND, "{}".to_string());
                }
                if refused.is_some_and(|r| to == format!("whatsapp:{r}")) {
                    return (
                        StatusCode::BAD_REQUEST,
                        json!({"code": 63003, "message": "Channel could not find To address",
                               "status": 400})
                        .to_string(),
                    );
                }
                (
                    StatusCode::CREATED,
                    json!({"sid": format!("SM{:032}", all.len()), "status": "queued"}).to_string(),
                )
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind stand-in");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        StandIn { base, got }
    }

    /// The requests sent to `to` (with or without `whatsapp:`).
    fn to(&self, to: &str) -> Vec<Vec<(String, String)>> {
        self.got
            .lock()
            .expect("stand-in")
            .iter()
            .filter(|f| field(f, "To").is_some_and(|t| t.trim_start_matches("whatsapp:") == to))
            .cloned()
            .collect()
    }
}

fn field<'a>(f: &'a [(String, String)], name: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

async fn server(backend: Backend, twilio: &StandIn, margin: &str) -> Option<Server> {
    Server::start_with_env(
        backend,
        &[
            ("KINGA_OUTBOUND_DRIVER", "twilio"),
            ("KINGA_OUTBOUND_INTERVAL_SECONDS", "1"),
            ("KINGA_TWILIO_API_BASE", &twilio.base),
            ("KINGA_TWILIO_ACCOUNT_SID", ACCOUNT),
            ("KINGA_TWILIO_AUTH_TOKEN", TOKEN),
            ("KINGA_TWILIO_FROM", SMS_FROM),
            ("KINGA_WHATSAPP_FROM", WA_FROM),
            (
                "KINGA_WHATSAPP_TEMPLATES",
                &format!("{{sw=\"{SW_TEMPLATE}\"}}"),
            ),
            ("KINGA_WHATSAPP_WINDOW_MARGIN_MINUTES", margin),
        ],
    )
    .await
}

/// A WhatsApp message from `from` becomes an alert, which is then closed as a false alarm:
/// the reporter's feedback is queued. The alert's id.
async fn alert_closed(s: &Server, sid: &str, from: &str, text: &str) -> String {
    let wa_from = format!("whatsapp:{from}");
    let p = params(&[
        ("MessageSid", sid),
        ("AccountSid", ACCOUNT),
        ("From", wa_from.as_str()),
        ("To", WA_FROM),
        ("Body", text),
        ("NumMedia", "0"),
    ]);
    let (st, twiml) = post(s, &p).await;
    assert_eq!(st, 200, "{twiml}");
    let (_, list) = s.get("/api/v1/alerts?sort=newest&limit=1").await;
    let id = list["items"][0]["id"]
        .as_str()
        .expect("an alert")
        .to_string();
    for step in [
        json!({"to": "acknowledged"}),
        json!({"to": "false_alarm", "reason": "nobody armed found"}),
        json!({"to": "closed", "outcome": "patrouille passée, calme"}),
    ] {
        let (st, body) = s
            .post(&format!("/api/v1/alerts/{id}/transitions"), step.clone())
            .await;
        assert_eq!(st, 200, "{step}: {body}");
    }
    id
}

/// The alert's feedback once it has left the outbox.
async fn feedback_sent(s: &Server, alert: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let (_, out) = s.get(&format!("/api/v1/outbox?alert={alert}")).await;
        let feedback = out["items"]
            .as_array()
            .and_then(|items| items.iter().find(|m| m["kind"] == "feedback"))
            .cloned()
            .unwrap_or(Value::Null);
        if feedback["status"] == "sent" || feedback["status"] == "failed" {
            return feedback;
        }
        assert!(Instant::now() < deadline, "never sent: {feedback}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn inside_the_window(backend: Backend) {
    let twilio = StandIn::start(Some(STRANGER)).await;
    let Some(s) = server(backend, &twilio, "0").await else {
        return;
    };
    // Furaha wrote on WhatsApp a moment ago: free text, on WhatsApp.
    let id = alert_closed(
        &s,
        "SMwo0001",
        FURAHA_PHONE,
        "HATARI Bunagana watu wenye silaha karibu na soko",
    )
    .await;
    let sent = feedback_sent(&s, &id).await;
    assert_eq!(sent["status"], "sent", "{sent}");
    assert_eq!(sent["channel"], "whatsapp", "{sent}");
    assert_eq!(sent["provider"], "twilio", "{sent}");
    let reqs = twilio.to(FURAHA_PHONE);
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    let r = &reqs[0];
    assert_eq!(field(r, "To"), Some("whatsapp:+243990001001"));
    assert_eq!(field(r, "From"), Some(WA_FROM));
    assert_eq!(field(r, "Body"), sent["body"].as_str());
    assert_eq!(field(r, "ContentSid"), None);

    // WhatsApp refuses the stranger's number for good: the feedback goes by SMS at once.
    let id = alert_closed(&s, "SMwo0002", STRANGER, "Hommes armés à Kiwanja ce matin").await;
    let sent = feedback_sent(&s, &id).await;
    assert_eq!(sent["status"], "sent", "{sent}");
    assert_eq!(sent["channel"], "sms", "{sent}");
    assert!(
        sent["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("WhatsApp refused it") && e.contains("63003")),
        "{sent}"
    );
    let reqs = twilio.to(STRANGER);
    assert_eq!(reqs.len(), 2, "WhatsApp, then SMS: {reqs:?}");
    assert_eq!(field(&reqs[0], "To"), Some("whatsapp:+243810000071"));
    assert_eq!(field(&reqs[1], "To"), Some(STRANGER));
    assert_eq!(field(&reqs[1], "From"), Some(SMS_FROM));
    assert_eq!(field(&reqs[1], "Body"), sent["body"].as_str());
    let (ok, said) = s.verify();
    assert!(ok, "verify: {said}");
}
on_both_stores!(whatsapp_outbound_inside_window, super::inside_the_window);

async fn outside_the_window(backend: Backend) {
    let twilio = StandIn::start(None).await;
    // A margin of the whole window: every message is outside it, as a day later.
    let Some(s) = server(backend, &twilio, "1440").await else {
        return;
    };
    let id = alert_closed(
        &s,
        "SMwo0003",
        FURAHA_PHONE,
        "HATARI Bunagana watu wenye silaha karibu na soko",
    )
    .await;
    let sent = feedback_sent(&s, &id).await;
    assert_eq!(sent["status"], "sent", "{sent}");
    assert_eq!(sent["channel"], "whatsapp_template", "{sent}");
    let reqs = twilio.to(FURAHA_PHONE);
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    let r = &reqs[0];
    assert_eq!(field(r, "From"), Some(WA_FROM));
    assert_eq!(field(r, "Body"), None, "no free text outside the window");
    assert_eq!(field(r, "ContentSid"), Some(SW_TEMPLATE));
    let vars: Value =
        serde_json::from_str(field(r, "ContentVariables").expect("variables")).expect("json");
    let body = sent["body"].as_str().expect("body");
    assert_eq!(
        vars["1"].as_str(),
        Some(
            body.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .as_str()
        )
    );

    // French, and no French template: SMS, and the outbox says why.
    let id = alert_closed(&s, "SMwo0004", STRANGER, "Hommes armés à Kiwanja ce matin").await;
    let sent = feedback_sent(&s, &id).await;
    assert_eq!(sent["status"], "sent", "{sent}");
    assert_eq!(sent["channel"], "sms", "{sent}");
    assert!(
        sent["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("no template for 'fr'")),
        "{sent}"
    );
    let reqs = twilio.to(STRANGER);
    assert_eq!(reqs.len(), 1, "straight to SMS: {reqs:?}");
    assert_eq!(field(&reqs[0], "To"), Some(STRANGER));
    let (ok, said) = s.verify();
    assert!(ok, "verify: {said}");
}
on_both_stores!(whatsapp_outbound_outside_window, super::outside_the_window);
