//! The inbound SMS path, as gateways drive it: replies that attach to an earlier alert,
//! unknown numbers and their linking, and `kinga sms parse`; with the helpers the gateway
//! tests of `sms_gateways` share (a server with every gateway configured, signatures made by
//! the official `twilio` Python library, Kannel requests).

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::Method;
use serde_json::{Value, json};

use kinga_channels::form;

use crate::harness::{Backend, Server};
use crate::on_both_stores;

pub(crate) const TOKEN: &str = "twilio-test-auth-token-0123456789";
pub(crate) const AT_SECRET: &str = "at-callback-secret";
pub(crate) const RP_SECRET: &str = "rapidpro-secret";
pub(crate) const KANNEL_SECRET: &str = "kannel-secret";
/// Furaha Kambale of the harness's focal points (at Kiwanja).
pub(crate) const FP_KIWANJA: &str = "+243990001001";

pub(crate) async fn gateway_server(backend: Backend) -> Option<Server> {
    Server::start_with_env(
        backend,
        &[
            ("KINGA_TWILIO_AUTH_TOKEN", TOKEN),
            ("KINGA_AFRICASTALKING_CALLBACK_SECRET", AT_SECRET),
            ("KINGA_RAPIDPRO_SECRET", RP_SECRET),
            ("KINGA_KANNEL_SECRET", KANNEL_SECRET),
        ],
    )
    .await
}

pub(crate) async fn total(s: &Server) -> u64 {
    s.get("/api/v1/alerts?limit=1").await.1["total"]
        .as_u64()
        .expect("total")
}

/// The newest alert, with its timeline.
pub(crate) async fn newest(s: &Server) -> Value {
    let (_, list) = s.get("/api/v1/alerts?sort=newest&limit=1").await;
    let id = list["items"][0]["id"]
        .as_str()
        .expect("an alert")
        .to_string();
    s.get(&format!("/api/v1/alerts/{id}")).await.1
}

fn kinds(alert: &Value) -> Vec<String> {
    alert["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|t| t["kind"].as_str().map(str::to_string))
        .collect()
}

/// The signature computed by twilio-python's `RequestValidator`, or None (with a notice)
/// when KINGA_PYTHON is not set outside CI.
pub(crate) fn python_signature(url: &str, params: &[(String, String)]) -> Option<String> {
    python_signature_with(TOKEN, url, params)
}

/// [`python_signature`] with another auth token.
pub(crate) fn python_signature_with(
    token: &str,
    url: &str,
    params: &[(String, String)],
) -> Option<String> {
    let Ok(python) = std::env::var("KINGA_PYTHON") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "KINGA_PYTHON is not set: CI must sign a webhook with twilio-python"
        );
        eprintln!(
            "NOTICE: KINGA_PYTHON not set; the twilio-python signed request is skipped (run scripts/test)"
        );
        return None;
    };
    let script = "import json, sys\n\
        from twilio.request_validator import RequestValidator\n\
        d = json.load(sys.stdin)\n\
        print(RequestValidator(d['token']).compute_signature(d['url'], dict(d['params'])))";
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let input = json!({ "token": token, "url": url, "params": params });
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("python output");
    assert!(
        out.status.success(),
        "twilio-python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// POST a form body to a gateway path with extra headers; status and body text.
pub(crate) async fn post_form(
    s: &Server,
    path: &str,
    body: String,
    headers: &[(&str, &str)],
) -> (u16, String, String) {
    let mut r = reqwest::Client::new()
        .post(format!("{}{path}", s.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let r = r.send().await.expect("request");
    let status = r.status().as_u16();
    let ctype = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ctype, r.text().await.unwrap_or_default())
}

pub(crate) async fn kannel(s: &Server, query: &str) -> (u16, String) {
    let r = reqwest::get(format!("{}/channels/kannel/receive?{query}", s.base))
        .await
        .expect("kannel");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

pub(crate) fn kannel_query(secret: &str, id: &str, from: &str, text: &str) -> String {
    form::encode([
        ("secret", secret),
        ("id", id),
        ("from", from),
        ("to", "1234"),
        ("text", text),
        ("time", "1709277302"),
        ("charset", "UTF-8"),
        ("coding", "0"),
    ])
}

async fn replies_attach_to_the_earlier_alert(backend: Backend) {
    let Some(s) = gateway_server(backend).await else {
        return;
    };
    let (st, ack) = kannel(
        &s,
        &kannel_query(
            KANNEL_SECRET,
            "k-1",
            FP_KIWANJA,
            "ALERTE Bunagana A4 S4 deux femmes enlevées",
        ),
    )
    .await;
    assert_eq!(st, 200, "{ack}");
    let first = newest(&s).await;
    let reference = first["reference"].as_str().expect("ref").to_string();
    assert!(
        ack.contains(&reference),
        "the answer is the acknowledgement: {ack}"
    );
    // A reply citing the reference, then a short follow-up without keyword: both attach.
    let (st, body) = kannel(
        &s,
        &kannel_query(
            KANNEL_SECRET,
            "k-2",
            FP_KIWANJA,
            &format!("REPONSE {reference} elles sont libérées"),
        ),
    )
    .await;
    assert_eq!((st, body.as_str()), (200, ""), "no second acknowledgement");
    let (st, _) = kannel(
        &s,
        &kannel_query(
            KANNEL_SECRET,
            "k-3",
            "0990001001",
            "ils partent vers Rutshuru",
        ),
    )
    .await;
    assert_eq!(st, 200);
    // A retry of the reply attaches nothing more.
    let (st, _) = kannel(
        &s,
        &kannel_query(
            KANNEL_SECRET,
            "k-2",
            FP_KIWANJA,
            &format!("REPONSE {reference} elles sont libérées"),
        ),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(total(&s).await, 1, "no new alert");
    let a = s.get(&format!("/api/v1/alerts/{reference}")).await.1;
    let attached = kinds(&a)
        .iter()
        .filter(|k| *k == "message_attached")
        .count();
    assert_eq!(attached, 2, "{:?}", kinds(&a));
    // A message with a keyword of its own is a new alert.
    let (st, _) = kannel(
        &s,
        &kannel_query(KANNEL_SECRET, "k-4", FP_KIWANJA, "ALERTE Kiwanja tirs"),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(total(&s).await, 2);
}
on_both_stores!(replies_attach, super::replies_attach_to_the_earlier_alert);

async fn unknown_numbers_and_linking(backend: Backend) {
    let Some(s) = gateway_server(backend).await else {
        return;
    };
    let (st, _) = kannel(
        &s,
        &kannel_query(
            KANNEL_SECRET,
            "u-1",
            "0810000099",
            "Hommes armés à Minova ce matin",
        ),
    )
    .await;
    assert_eq!(st, 200);
    let a = newest(&s).await;
    assert_eq!(a["reporter"]["unknown"], true);
    assert_eq!(a["reporter"]["has_phone"], true);
    assert!(a["reporter"]["pseudonym"].is_null());
    let (_, fps) = s.get("/api/v1/focal-points").await;
    // Jeanne Masika, at Minova, whose pseudonym Kinga gave.
    let jeanne = fps["items"]
        .as_array()
        .expect("focal points")
        .iter()
        .find(|f| f["place"] == "CD6205-V004")
        .expect("the focal point at Minova")
        .clone();
    let fp = jeanne["id"].as_str().expect("id").to_string();
    let path = format!(
        "/api/v1/alerts/{}/reporter",
        a["reference"].as_str().expect("ref")
    );
    let (st, e) = s.post(&path, json!({"focal_point": "nobody"})).await;
    assert_eq!(st, 404, "{e}");
    s.add_user("watcher", "viewer", "viewer-password-1");
    let viewer = s.token_for("watcher");
    let r = reqwest::Client::new()
        .post(format!("{}{path}", s.base))
        .bearer_auth(viewer)
        .json(&json!({"focal_point": fp}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403, "a viewer may not link reporters");
    let (st, linked) = s.post(&path, json!({"focal_point": fp})).await;
    assert_eq!(st, 200, "{linked}");
    assert_eq!(linked["reporter"]["unknown"], false);
    assert_eq!(linked["reporter"]["pseudonym"], jeanne["pseudonym"]);
    assert_eq!(
        kinds(&linked).last().map(String::as_str),
        Some("reporter_linked")
    );
    let doc = s
        .req(Method::GET, "/api/openapi.json")
        .send()
        .await
        .expect("doc");
    let doc: Value = doc.json().await.expect("json");
    assert!(doc["paths"].get("/api/v1/alerts/{id}/reporter").is_some());
}
on_both_stores!(unknown_numbers, super::unknown_numbers_and_linking);

fn parse_cli(s: &Server, args: &[&str]) -> Value {
    let mut all = vec!["sms", "parse"];
    all.extend_from_slice(args);
    let out = s.cli(&all, None);
    assert!(
        out.status.success(),
        "kinga sms parse: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.trim().lines().count(), 1, "one JSON object: {text}");
    serde_json::from_str(text.trim()).expect("JSON")
}

async fn sms_parse_prints_the_design_fields(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let fr = parse_cli(
        &s,
        &["ALERTE Kitchanga A2 S3 hommes armés vus près de l'école"],
    );
    for field in [
        "threat_type",
        "severity",
        "language",
        "place",
        "place_candidates",
        "unparsed",
    ] {
        assert!(fr.get(field).is_some(), "missing {field}: {fr}");
    }
    assert_eq!(
        (
            &fr["threat_type"],
            &fr["severity"],
            &fr["language"],
            &fr["place"]
        ),
        (
            &json!("armed_presence"),
            &json!(3),
            &json!("fr"),
            &json!("CD6103-V003")
        )
    );
    assert_eq!(fr["place_candidates"][0]["pcode"], "CD6103-V003");
    assert_eq!(fr["place_candidates"][0]["name"], "Kitshanga");
    assert!(fr["place_candidates"][0]["score"].is_number());
    assert_eq!(fr["unparsed"], "hommes armés vus près de l'école");

    let en = parse_cli(&s, &["ALERT", "Minova", "gunmen", "burning", "houses"]);
    assert_eq!(
        (&en["threat_type"], &en["language"], &en["place"]),
        (
            &json!("attack_on_civilians"),
            &json!("en"),
            &json!("CD6205-V004")
        )
    );
    assert!(en["severity"].is_null(), "no severity was given: {en}");

    let sw = parse_cli(&s, &["HATARI Bunagana watu wenye silaha wamevamia S4"]);
    assert_eq!(
        (
            &sw["threat_type"],
            &sw["severity"],
            &sw["language"],
            &sw["place"]
        ),
        (
            &json!("attack_on_civilians"),
            &json!(4),
            &json!("sw"),
            &json!("CD6111-V002")
        )
    );

    // Two villages are called Kiwanja: candidates, no guess; the sender's area settles it.
    let amb = parse_cli(&s, &["ALERTE Kiwanja pillage"]);
    assert!(amb["place"].is_null(), "{amb}");
    assert_eq!(amb["place_candidates"].as_array().map(Vec::len), Some(2));
    let from = parse_cli(&s, &["--from", "0990001002", "ALERTE Kiwanja pillage"]);
    assert_eq!(from["place"], "CD6205-V007", "{from}");
    let bare = parse_cli(&s, &["--from", FP_KIWANJA, "Tirs entendus cette nuit"]);
    assert_eq!(
        (&bare["place"], &bare["language"]),
        (&json!("CD6111-V001"), &json!("fr"))
    );
}
on_both_stores!(sms_parse_cli, super::sms_parse_prints_the_design_fields);
