//! The inbound SMS path, as gateways drive it: Twilio (signatures made by the official
//! `twilio` Python library and by our own code), Africa's Talking, RapidPro and Kannel,
//! retries and races, replies, unknown numbers, refusals that store nothing, and
//! `kinga sms parse`.

use std::io::Write;
use std::process::{Command, Stdio};

use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use kinga_channels::form;
use kinga_channels::twilio::{SignatureAlgorithm, compute_signature};

use crate::harness::{Backend, Server};
use crate::on_both_stores;

const TOKEN: &str = "twilio-test-auth-token-0123456789";
const AT_SECRET: &str = "at-callback-secret";
const RP_SECRET: &str = "rapidpro-secret";
const KANNEL_SECRET: &str = "kannel-secret";
/// Furaha Kambale of the harness's focal points (at Kiwanja).
const FP_KIWANJA: &str = "+243990001001";

async fn gateway_server(backend: Backend) -> Option<Server> {
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

async fn total(s: &Server) -> u64 {
    s.get("/api/v1/alerts?limit=1").await.1["total"]
        .as_u64()
        .expect("total")
}

/// The newest alert, with its timeline.
async fn newest(s: &Server) -> Value {
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

fn twilio_params(sid: &str, from: &str, body: &str) -> Vec<(String, String)> {
    [
        ("ToCountry", "CD"),
        ("SmsMessageSid", sid),
        ("NumMedia", "0"),
        ("SmsSid", sid),
        ("SmsStatus", "received"),
        ("Body", body),
        ("To", "+243970000000"),
        ("NumSegments", "1"),
        ("MessageSid", sid),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", from),
        ("ApiVersion", "2010-04-01"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn encode(params: &[(String, String)]) -> String {
    form::encode(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

fn rust_signature(url: &str, params: &[(String, String)]) -> String {
    compute_signature(TOKEN, url, params, SignatureAlgorithm::HmacSha1)
}

/// The signature computed by twilio-python's `RequestValidator`, or None (with a notice)
/// when KINGA_PYTHON is not set outside CI.
fn python_signature(url: &str, params: &[(String, String)]) -> Option<String> {
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
async fn post_form(
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

async fn twilio_post(s: &Server, params: &[(String, String)], sig: &str) -> (u16, String, String) {
    post_form(
        s,
        "/channels/twilio/sms",
        encode(params),
        &[("X-Twilio-Signature", sig)],
    )
    .await
}

async fn twilio_webhook_creates_an_alert_and_refuses_forgeries(backend: Backend) {
    let Some(s) = gateway_server(backend).await else {
        return;
    };
    let url = format!("{}/channels/twilio/sms", s.base);
    // "Kichanga" is a spelling of Kitshanga the gazetteer knows; A2 is armed presence.
    let params = twilio_params(
        "SM11111111111111111111111111111111",
        FP_KIWANJA,
        "ALERTE Kichanga A2 hommes armés vus au marché",
    );
    let sig = python_signature(&url, &params).unwrap_or_else(|| rust_signature(&url, &params));
    assert_eq!(sig, rust_signature(&url, &params), "twilio-python agrees");

    // Forgeries first: each is refused and stores nothing.
    let mut tampered = params.clone();
    tampered[5].1 = "ALERTE Kichanga A6 S4 dix morts".into();
    let (st, _, e) = twilio_post(&s, &tampered, &sig).await;
    assert_eq!(st, 403, "tampered body: {e}");
    let (st, _, _) = twilio_post(&s, &params, "bm90IHRoZSBzaWduYXR1cmU=").await;
    assert_eq!(st, 403, "wrong signature");
    let (st, _, e) = post_form(&s, "/channels/twilio/sms", encode(&params), &[]).await;
    assert_eq!(st, 403, "no signature: {e}");
    assert!(e.contains("signature"), "{e}");
    assert_eq!(total(&s).await, 0);

    let (st, ctype, twiml) = twilio_post(&s, &params, &sig).await;
    assert_eq!(st, 200, "{twiml}");
    assert!(ctype.starts_with("text/xml"), "{ctype}");
    let a = newest(&s).await;
    let reference = a["reference"].as_str().expect("reference");
    assert!(
        twiml.contains("<Response><Message>") && twiml.contains(reference),
        "{twiml}"
    );
    assert_eq!(a["channel"], "sms");
    assert_eq!(a["place"], "CD6103-V003", "{a}");
    assert_eq!(a["threat_type"], "armed_presence");
    assert_eq!(a["severity"], 3, "defaulted from the threat type");
    assert_eq!(a["reporter"]["pseudonym"], crate::harness::FURAHA);
    assert_eq!(a["reporter"]["unknown"], false);
    assert_eq!(a["text"], "ALERTE Kichanga A2 hommes armés vus au marché");
    assert_eq!(a["unparsed"], "hommes armés vus au marché");
    // The TwiML carried the acknowledgement: the outbox keeps it as sent, not queued again.
    let id = a["id"].as_str().expect("id");
    let (_, out) = s.get(&format!("/api/v1/outbox?alert={id}")).await;
    let statuses: Vec<&str> = out["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|m| m["status"].as_str())
        .collect();
    assert_eq!(statuses, vec!["sent"], "{out}");

    // A letter dropped from the one place it can be: taken, and flagged as a correction so
    // the CLA checks it.
    let typo = twilio_params(
        "SM22222222222222222222222222222222",
        "+243810000020",
        "ALERTE Kitshnga pillage",
    );
    let (st, _, _) = twilio_post(&s, &typo, &rust_signature(&url, &typo)).await;
    assert_eq!(st, 200);
    let a = newest(&s).await;
    assert_eq!(a["place"], "CD6103-V003", "{a}");
    assert_eq!(a["place_candidates"][0]["pcode"], "CD6103-V003");
    assert!(
        a["parse_flags"]
            .as_array()
            .expect("flags")
            .contains(&json!("place_fuzzy")),
        "{a}"
    );

    // Signed but malformed: 400, nothing stored.
    let before = total(&s).await;
    let no_from: Vec<(String, String)> =
        typo.iter().filter(|(k, _)| k != "From").cloned().collect();
    let (st, _, e) = twilio_post(&s, &no_from, &rust_signature(&url, &no_from)).await;
    assert_eq!(st, 400, "{e}");
    assert!(e.contains("From"), "{e}");
    let huge = "x".repeat(kinga_channels::MAX_BODY_BYTES + 10);
    let (st, _, _) = post_form(
        &s,
        "/channels/twilio/sms",
        huge,
        &[("X-Twilio-Signature", "x")],
    )
    .await;
    assert_eq!(st, 413);
    assert_eq!(total(&s).await, before);

    // Status callbacks are signed the same way; one about a message we never sent is fine.
    let status_url = format!("{}/channels/twilio/status", s.base);
    let report: Vec<(String, String)> = [("MessageSid", "SM99"), ("MessageStatus", "delivered")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let sig = rust_signature(&status_url, &report);
    let (st, _, _) = post_form(
        &s,
        "/channels/twilio/status",
        encode(&report),
        &[("X-Twilio-Signature", &sig)],
    )
    .await;
    assert_eq!(st, 200);
    let (st, _, _) = post_form(
        &s,
        "/channels/twilio/status",
        encode(&report),
        &[("X-Twilio-Signature", "x")],
    )
    .await;
    assert_eq!(st, 403);
}
on_both_stores!(
    twilio_webhook,
    super::twilio_webhook_creates_an_alert_and_refuses_forgeries
);

async fn twilio_retries_create_one_alert(backend: Backend) {
    let Some(s) = gateway_server(backend).await else {
        return;
    };
    let url = format!("{}/channels/twilio/sms", s.base);
    let params = twilio_params(
        "SM33333333333333333333333333333333",
        "+243990001002",
        "URGENCE Minova enlèvement de deux enfants",
    );
    let sig = rust_signature(&url, &params);
    let answers = join_all((0..20).map(|_| twilio_post(&s, &params, &sig))).await;
    for (st, _, body) in &answers {
        assert_eq!(*st, 200, "{body}");
        assert_eq!(body, &answers[0].2, "every retry gets the first answer");
    }
    assert_eq!(total(&s).await, 1, "exactly one alert");
    let a = newest(&s).await;
    assert_eq!(a["severity"], 4);
    assert_eq!(a["threat_type"], "abduction");
    assert!(answers[0].2.contains(a["reference"].as_str().expect("ref")));
}
on_both_stores!(twilio_retries, super::twilio_retries_create_one_alert);

async fn kannel(s: &Server, query: &str) -> (u16, String) {
    let r = reqwest::get(format!("{}/channels/kannel/receive?{query}", s.base))
        .await
        .expect("kannel");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

fn kannel_query(secret: &str, id: &str, from: &str, text: &str) -> String {
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

async fn kannel_africastalking_and_rapidpro(backend: Backend) {
    let Some(s) = gateway_server(backend).await else {
        return;
    };
    // Kannel: a wrong or missing secret is refused before anything is read.
    for q in [
        kannel_query("wrong", "k-9", FP_KIWANJA, "ALERTE Pinga A1"),
        form::encode([("from", FP_KIWANJA), ("text", "ALERTE Pinga A1")]),
    ] {
        let (st, body) = kannel(&s, &q).await;
        assert_eq!(st, 403, "{q}: {body}");
    }
    let (st, _) = kannel(
        &s,
        &form::encode([("secret", KANNEL_SECRET), ("text", "x")]),
    )
    .await;
    assert_eq!(st, 400, "no sender");
    assert_eq!(total(&s).await, 0);
    // Kannel's post-url form: the same parameters in the body.
    let (st, _, ack) = post_form(
        &s,
        "/channels/kannel/receive",
        kannel_query(
            KANNEL_SECRET,
            "k-10",
            "+243810000010",
            "ALERTE Pinga A1 maisons brûlées",
        ),
        &[],
    )
    .await;
    assert_eq!(st, 200);
    let a = newest(&s).await;
    assert!(ack.contains(a["reference"].as_str().expect("ref")));
    assert_eq!(a["place"], "CD6104-V006");

    // Africa's Talking, in the shape of its incoming-message callback.
    let at_body = form::encode([
        ("linkId", "SampleLinkId123"),
        ("text", "HATARI Drodro watu wenye silaha wameua watu watatu"),
        ("to", "22384"),
        ("id", "ATXid_1e5a3b0f7c1d4e2a9b8c"),
        ("date", "2026-03-01 07:15:02"),
        ("from", "+243810000011"),
        ("networkCode", "63001"),
    ]);
    let path = format!("/channels/africastalking/sms?secret={AT_SECRET}");
    let (st, _, body) = post_form(
        &s,
        "/channels/africastalking/sms?secret=nope",
        at_body.clone(),
        &[],
    )
    .await;
    assert_eq!(st, 403, "{body}");
    let (st, _, body) = post_form(&s, &path, at_body.clone(), &[]).await;
    assert_eq!((st, body.as_str()), (200, ""));
    let a = newest(&s).await;
    assert_eq!(a["place"], "CD5405-V005");
    assert_eq!(a["threat_type"], "killing");
    assert_eq!(a["language"], "sw");
    assert_eq!(a["reported_at"], "2026-03-01T07:15:02Z");
    assert_eq!(a["reporter"]["unknown"], true);

    // RapidPro: an External channel's form and a flow webhook's JSON.
    let (st, _, body) = post_form(
        &s,
        "/channels/rapidpro/receive",
        form::encode([
            ("from", "tel:+243810000012"),
            ("text", "ALERT Minova looting at the market"),
            ("id", "rp-1"),
        ]),
        &[("X-Kinga-Secret", RP_SECRET)],
    )
    .await;
    assert_eq!(st, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(answer["outcome"], "created");
    let a = newest(&s).await;
    assert_eq!(a["reference"], answer["reference"]);
    assert_eq!(a["language"], "en");
    assert_eq!(a["threat_type"], "looting_extortion");
    let flow = json!({
        "contact": {"uuid": "c1", "urn": "tel:+243810000013"},
        "run": {"uuid": "r-1", "created_on": "2026-03-01T07:15:02Z"},
        "input": {"uuid": "m-77", "text": "Alerte Kitshanga affrontements", "created_on": "2026-03-01T07:15:01Z"}
    });
    let r = reqwest::Client::new()
        .post(format!("{}/channels/rapidpro/receive", s.base))
        .header("Authorization", format!("Token {RP_SECRET}"))
        .json(&flow)
        .send()
        .await
        .expect("rapidpro");
    assert_eq!(r.status(), 200);
    assert_eq!(newest(&s).await["threat_type"], "clashes");
    let r = reqwest::Client::new()
        .post(format!("{}/channels/rapidpro/receive", s.base))
        .json(&flow)
        .send()
        .await
        .expect("rapidpro");
    assert_eq!(r.status(), 403, "no secret");
    assert_eq!(total(&s).await, 4);
}
on_both_stores!(other_gateways, super::kannel_africastalking_and_rapidpro);

async fn malformed_bodies_store_nothing(backend: Backend) {
    let Some(s) = gateway_server(backend).await else {
        return;
    };
    let at = format!("/channels/africastalking/sms?secret={AT_SECRET}");
    let rp = "/channels/rapidpro/receive";
    let (formed, json_type) = ("application/x-www-form-urlencoded", "application/json");
    for (path, ctype, body) in [
        (
            at.as_str(),
            formed,
            "from=%2B243810000001&text=ALERTE".to_string(),
        ),
        (at.as_str(), formed, "id=AT1&text=ALERTE".to_string()),
        (rp, json_type, "{not json".to_string()),
        (rp, json_type, "[1, 2]".to_string()),
        (rp, json_type, r#"{"from": "+243810000001"}"#.to_string()),
        (
            "/channels/kannel/receive",
            formed,
            format!("secret={KANNEL_SECRET}&from=%2B243810000001"),
        ),
    ] {
        let r = reqwest::Client::new()
            .post(format!("{}{path}", s.base))
            .header("content-type", ctype)
            .header("X-Kinga-Secret", RP_SECRET)
            .body(body.clone())
            .send()
            .await
            .expect("post");
        let st = r.status().as_u16();
        let e: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(st, 400, "{path} {body}: {e}");
        assert!(
            e["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{e}"
        );
    }
    assert_eq!(total(&s).await, 0);
    let (st, _, _) = post_form(&s, "/channels/kannel/dlr", String::new(), &[]).await;
    assert_eq!(st, 405, "delivery reports come by GET");
    let r = reqwest::get(format!(
        "{}/channels/kannel/dlr?secret=wrong&id=m&type=1",
        s.base
    ))
    .await
    .expect("dlr");
    assert_eq!(r.status(), 403);
}
on_both_stores!(malformed_bodies, super::malformed_bodies_store_nothing);

async fn unconfigured_gateways_refuse(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    for path in [
        "/channels/twilio/sms",
        "/channels/africastalking/sms",
        "/channels/rapidpro/receive",
        "/channels/kannel/receive",
        "/channels/twilio/status",
    ] {
        let (st, _, body) = post_form(
            &s,
            path,
            "from=%2B243810000001&text=ALERTE&id=1".into(),
            &[],
        )
        .await;
        assert_eq!(st, 403, "{path}: {body}");
        assert!(body.contains("not configured"), "{body}");
    }
    assert_eq!(total(&s).await, 0);
}
on_both_stores!(unconfigured_gateways, super::unconfigured_gateways_refuse);

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
