//! Each SMS gateway's own door: Twilio (signatures made by the official `twilio` Python
//! library and by our own code, retries and races), Africa's Talking, RapidPro and Kannel,
//! refusals that store nothing, and gateways left unconfigured.

use futures::future::join_all;
use serde_json::{Value, json};

use kinga_channels::form;
use kinga_channels::twilio::{SignatureAlgorithm, compute_signature};

use crate::harness::{Backend, Server};
use crate::on_both_stores;
use crate::pages::page_as;
use crate::sms::{
    AT_SECRET, FP_KIWANJA, KANNEL_SECRET, RP_SECRET, TOKEN, gateway_server, kannel, kannel_query,
    newest, post_form, python_signature, total,
};

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

/// A number that keeps sending (a phone stuck resending, or a flood) fills its alert up to
/// the limit of follow-ups; the next message opens a new alert, flagged on the API and
/// explained on the alert's page, and the number's further messages follow that one.
async fn twilio_follow_ups_stop_at_the_limit(backend: Backend) {
    let Some(s) = gateway_server(backend).await else {
        return;
    };
    let url = format!("{}/channels/twilio/sms", s.base);
    let send = |i: usize, body: &str| {
        let params = twilio_params(&format!("SM{i:032x}"), FP_KIWANJA, body);
        let sig = rust_signature(&url, &params);
        (params, sig)
    };
    let (params, sig) = send(0, "ALERTE Kiwanja A2 hommes armés au marché");
    assert_eq!(twilio_post(&s, &params, &sig).await.0, 200);
    let first = newest(&s).await;
    for i in 1..=kinga_app::sms_intake::MAX_FOLLOW_UPS + 2 {
        let (params, sig) = send(i, "ils tirent encore");
        let (st, _, body) = twilio_post(&s, &params, &sig).await;
        assert_eq!(st, 200, "{body}");
    }
    assert_eq!(total(&s).await, 2, "one alert full, one that goes on");
    let attached = |a: &Value| {
        a["timeline"].as_array().map_or(0, |t| {
            t.iter().filter(|e| e["kind"] == "message_attached").count()
        })
    };
    let (_, first) = s
        .get(&format!(
            "/api/v1/alerts/{}",
            first["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(attached(&first), kinga_app::sms_intake::MAX_FOLLOW_UPS);
    let next = newest(&s).await;
    assert!(
        next["parse_flags"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f == "follow_ups_full")),
        "{next}"
    );
    assert_eq!(
        attached(&next),
        1,
        "the message after it followed the new alert"
    );

    s.add_user("amani", "cla", "amani-password-1");
    let reference = next["reference"].as_str().expect("reference");
    let (st, page) = page_as(
        &s,
        "amani",
        "amani-password-1",
        &format!("/alerts/{reference}"),
    )
    .await;
    assert_eq!(st, 200, "{page}");
    assert!(page.contains("id=\"follow-up-flag\""), "{page}");
    // In the user's language, whichever it is.
    assert!(
        [
            "as many messages as one alert takes",
            "autant de messages qu"
        ]
        .iter()
        .any(|w| page.contains(w)),
        "{page}"
    );
    let (ok, out) = s.verify();
    assert!(ok, "{out}");
}
on_both_stores!(
    twilio_follow_ups_limit,
    super::twilio_follow_ups_stop_at_the_limit
);
