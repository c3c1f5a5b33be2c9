//! WhatsApp through Twilio's messaging webhook, signed by twilio-python's `RequestValidator`:
//! a message with a photo (fetched from a local stand-in of Twilio) becomes an alert as an SMS
//! would, with the photo kept sealed; the acknowledgement goes back in the TwiML and the
//! outbox records it as sent by WhatsApp; a retry keeps nothing twice; a reply attaches; a
//! location pin names the village it falls in.

use serde_json::Value;

use kinga_channels::form;
use kinga_channels::twilio::{SignatureAlgorithm, compute_signature};

use crate::harness::{Backend, FURAHA, Server};
use crate::on_both_stores;
use crate::sms::python_signature_with;
use crate::voice::{ACCOUNT, JPEG, StandIn, TOKEN, media_of, voice_server};

pub(crate) fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Post to Twilio's messaging webhook, signed by twilio-python (by our own code when
/// KINGA_PYTHON is not set outside CI): status and TwiML.
pub(crate) async fn post(s: &Server, p: &[(String, String)]) -> (u16, String) {
    let url = format!("{}/channels/twilio/sms", s.base);
    let sig = python_signature_with(TOKEN, &url, p)
        .unwrap_or_else(|| compute_signature(TOKEN, &url, p, SignatureAlgorithm::HmacSha1));
    let r = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", sig)
        .body(form::encode(
            p.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ))
        .send()
        .await
        .expect("webhook");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

pub(crate) async fn newest(s: &Server) -> Value {
    let (_, list) = s.get("/api/v1/alerts?sort=newest&limit=1").await;
    let id = list["items"][0]["id"]
        .as_str()
        .expect("an alert")
        .to_string();
    s.get(&format!("/api/v1/alerts/{id}")).await.1
}

fn kinds(a: &Value) -> Vec<String> {
    a["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|t| t["kind"].as_str().map(str::to_string))
        .collect()
}

async fn messages(backend: Backend) {
    let media = tempfile::tempdir().expect("media dir");
    let Some(s) = voice_server(backend, media.path()).await else {
        return;
    };
    let stand_in = StandIn::start().await;
    let photo = stand_in.media_url("SMwa0001");
    let first = params(&[
        ("SmsMessageSid", "SMwa0001"),
        ("NumMedia", "1"),
        ("ProfileName", "Furaha"),
        ("MessageType", "image"),
        ("WaId", "243990001001"),
        ("SmsStatus", "received"),
        ("Body", "HATARI Bunagana watu wenye silaha karibu na soko"),
        ("To", "whatsapp:+14155238886"),
        ("MessageSid", "SMwa0001"),
        ("AccountSid", ACCOUNT),
        ("From", "whatsapp:+243990001001"),
        ("MediaUrl0", photo.as_str()),
        ("MediaContentType0", "image/jpeg"),
        ("ApiVersion", "2010-04-01"),
    ]);
    let (st, twiml) = post(&s, &first).await;
    assert_eq!(st, 200, "{twiml}");
    assert!(
        twiml.contains("<Message>Kinga: taarifa K-"),
        "acknowledged in Furaha's language: {twiml}"
    );
    let a = newest(&s).await;
    assert_eq!(a["channel"], "whatsapp");
    assert_eq!(a["reporter"]["pseudonym"], FURAHA);
    assert_eq!(a["threat_type"], "armed_presence");
    assert_eq!(a["place"], "CD6111-V002");
    let (_, path) = media_of(&a);
    let r = s
        .req(reqwest::Method::GET, &path)
        .send()
        .await
        .expect("photo");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/jpeg")
    );
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), JPEG);
    // The acknowledgement went back in the TwiML: recorded as sent, by WhatsApp.
    let (_, out) = s
        .get(&format!(
            "/api/v1/outbox?alert={}",
            a["id"].as_str().expect("id")
        ))
        .await;
    let ack = out["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["kind"] == "acknowledgement")
        .cloned()
        .unwrap_or_else(|| panic!("no acknowledgement in {out}"));
    assert_eq!(ack["status"], "sent", "{ack}");
    assert_eq!(ack["channel"], "whatsapp", "{ack}");

    // Twilio retries: the same answer, no second alert, no second photo.
    let (st, again) = post(&s, &first).await;
    assert_eq!((st, again.as_str()), (200, twiml.as_str()));
    let (_, list) = s.get("/api/v1/alerts?limit=1").await;
    assert_eq!(list["total"], 1);
    let a = newest(&s).await;
    assert_eq!(
        kinds(&a).iter().filter(|k| *k == "media_attached").count(),
        1
    );

    // A follow-up without a keyword: attached to her alert, as by SMS.
    let reply = params(&[
        ("MessageSid", "SMwa0002"),
        ("AccountSid", ACCOUNT),
        ("From", "whatsapp:+243990001001"),
        ("To", "whatsapp:+14155238886"),
        ("Body", "Wameondoka sasa"),
        ("NumMedia", "0"),
    ]);
    let (st, _) = post(&s, &reply).await;
    assert_eq!(st, 200);
    let a = newest(&s).await;
    assert!(kinds(&a).contains(&"message_attached".to_string()), "{a}");
    let attached = a["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .find(|t| t["kind"] == "message_attached")
        .expect("attached");
    assert_eq!(attached["detail"]["channel"], "whatsapp");

    // A location pin from a number nobody registered: the village it falls in.
    let pin = params(&[
        ("MessageSid", "SMwa0003"),
        ("AccountSid", ACCOUNT),
        ("From", "whatsapp:+243810000070"),
        ("To", "whatsapp:+14155238886"),
        ("Body", ""),
        ("NumMedia", "0"),
        ("MessageType", "location"),
        ("Latitude", "-1.161"),
        ("Longitude", "29.459"),
    ]);
    let (st, _) = post(&s, &pin).await;
    assert_eq!(st, 200);
    let a = newest(&s).await;
    assert_eq!(a["channel"], "whatsapp");
    assert_eq!(a["place"], "CD6111-V001");
    assert!(
        a["parse_flags"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "place_from_pin")),
        "{a}"
    );
    assert!(
        a["text"]
            .as_str()
            .is_some_and(|t| t.contains("[location -1.16100,29.45900]")),
        "{a}"
    );
    let out = s.cli(&["verify"], None);
    assert!(
        out.status.success(),
        "verify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
on_both_stores!(whatsapp_messages, super::messages);
