//! The voice hotline through Africa's Talking: the call notification with the callback
//! secret answered with AT's voice XML (greeting, then `<Record>`), the final notification's
//! `recordingUrl` fetched from a local stand-in (the WAV spoken by espeak-ng), an alert with
//! channel `voice`, untranscribed, the caller's number sealed and a focal point recognised, a
//! retried notification keeping nothing twice, a recording from a host not allowed never
//! fetched, and `kinga verify`.

use serde_json::Value;

use kinga_channels::form;

use crate::harness::{Backend, FURAHA, Server};
use crate::on_both_stores;
use crate::voice::{StandIn, media_of};

const SECRET: &str = "at-voice-secret-0123";

async fn at_server(backend: Backend, media: &std::path::Path) -> Option<Server> {
    Server::start_with_env(
        backend,
        &[
            ("KINGA_AFRICASTALKING_CALLBACK_SECRET", SECRET),
            ("KINGA_AFRICASTALKING_MEDIA_HOSTS", "[\"127.0.0.1\"]"),
            ("KINGA_VOICE_MAX_SECONDS", "90"),
            ("KINGA_VOICE_LANGUAGES", "[\"fr\", \"sw\", \"en\"]"),
            ("KINGA_ATTACHMENTS_DIR", media.to_str().expect("utf-8 path")),
        ],
    )
    .await
}

/// Post AT's notification with `secret` in the URL: status and body.
async fn notify(s: &Server, secret: Option<&str>, fields: &[(&str, &str)]) -> (u16, String) {
    let url = match secret {
        Some(x) => format!("{}/channels/africastalking/voice?secret={x}", s.base),
        None => format!("{}/channels/africastalking/voice", s.base),
    };
    let r = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form::encode(fields.iter().copied()))
        .send()
        .await
        .expect("voice notification");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

async fn newest(s: &Server) -> Value {
    let (_, list) = s.get("/api/v1/alerts?sort=newest&limit=1").await;
    let id = list["items"][0]["id"]
        .as_str()
        .expect("an alert")
        .to_string();
    s.get(&format!("/api/v1/alerts/{id}")).await.1
}

async fn total(s: &Server) -> u64 {
    s.get("/api/v1/alerts?limit=1").await.1["total"]
        .as_u64()
        .unwrap_or(0)
}

async fn hotline(backend: Backend) {
    let media = tempfile::tempdir().expect("media dir");
    let Some(s) = at_server(backend, media.path()).await else {
        return;
    };
    let stand_in = StandIn::start().await;
    let recording = stand_in.at_recording_url("ATVId_0001");
    let ringing = [
        ("isActive", "1"),
        ("sessionId", "ATVId_0001"),
        ("direction", "Inbound"),
        ("callerNumber", "+243990001001"),
        ("destinationNumber", "+243970000001"),
    ];
    let ended = [
        ("isActive", "0"),
        ("sessionId", "ATVId_0001"),
        ("direction", "Inbound"),
        ("callerNumber", "+243990001001"),
        ("destinationNumber", "+243970000001"),
        ("recordingUrl", recording.as_str()),
        ("durationInSeconds", "4"),
        ("currencyCode", "USD"),
        ("amount", "0.02"),
    ];
    // No secret, or a wrong one: refused, nothing fetched or kept.
    for secret in [None, Some("wrong")] {
        let (st, _) = notify(&s, secret, &ended).await;
        assert_eq!(st, 403, "{secret:?}");
    }
    assert_eq!(stand_in.fetches(), 0);
    assert_eq!(total(&s).await, 0);

    // The call: greeting in the languages AT speaks, then a recording ended by # or 90 s.
    let (st, xml) = notify(&s, Some(SECRET), &ringing).await;
    assert_eq!(st, 200, "{xml}");
    assert!(
        xml.contains("<Response><Say>Ligne d&apos;alerte Kinga."),
        "{xml}"
    );
    assert!(xml.contains("<Say>Kinga alert line."), "{xml}");
    assert!(
        xml.contains(
            "<Record finishOnKey=\"#\" maxLength=\"90\" trimSilence=\"true\" playBeep=\"true\"/>"
        ),
        "{xml}"
    );
    assert_eq!(total(&s).await, 0, "nothing recorded yet");

    // The final notification carries the recording: fetched, kept sealed, an alert made.
    let (st, xml) = notify(&s, Some(SECRET), &ended).await;
    assert_eq!(st, 200, "{xml}");
    assert!(xml.ends_with("<Response/>"), "{xml}");
    let a = newest(&s).await;
    assert_eq!(a["channel"], "voice");
    assert_eq!(a["text"], "");
    assert_eq!(a["severity"], 2, "the default: nobody chose one");
    assert!(
        a["parse_flags"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "untranscribed")),
        "{a}"
    );
    // Furaha's number: recognised, and nowhere in the alert in clear.
    assert_eq!(a["reporter"]["pseudonym"], FURAHA, "{a}");
    assert!(!a.to_string().contains("990001001"), "{a}");
    let (digest, path) = media_of(&a);
    let on_disk = std::fs::read(media.path().join(&digest[..2]).join(&digest)).expect("kept");
    assert!(!on_disk.windows(4).any(|w| w == b"RIFF"), "stored sealed");
    let r = s
        .req(reqwest::Method::GET, &path)
        .send()
        .await
        .expect("media");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), stand_in.wav);
    assert_eq!(stand_in.fetches(), 1);

    // AT retries the final notification: the same alert, the file kept once.
    let (st, _) = notify(&s, Some(SECRET), &ended).await;
    assert_eq!(st, 200);
    assert_eq!(total(&s).await, 1);
    let again = newest(&s).await;
    assert_eq!(again["id"], a["id"]);
    let files = again["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|t| t["kind"] == "media_attached")
        .count();
    assert_eq!(files, 1);

    // A recording on a host not allowed is not fetched; the call is kept, flagged.
    let elsewhere = format!(
        "http://localhost:{}/voice/recordings/x.wav",
        stand_in.base.rsplit(':').next().expect("port")
    );
    let fetched = stand_in.fetches();
    let (st, _) = notify(
        &s,
        Some(SECRET),
        &[
            ("isActive", "0"),
            ("sessionId", "ATVId_0002"),
            ("direction", "Inbound"),
            ("callerNumber", "+243810000061"),
            ("recordingUrl", elsewhere.as_str()),
        ],
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(
        stand_in.fetches(),
        fetched,
        "never fetched from a host not allowed"
    );
    let missing = newest(&s).await;
    assert_eq!(missing["channel"], "voice");
    assert!(
        missing["parse_flags"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "recording_missing")),
        "{missing}"
    );
    assert_eq!(missing["reporter"]["unknown"], true);

    // Both unheard calls head the new alerts, before a newer alert typed in.
    let (st, _) = s
        .post(
            "/api/v1/alerts",
            serde_json::json!({"text": "Meurtre à Kiwanja", "place": "CD6205-V007",
                               "threat_type": "killing"}),
        )
        .await;
    assert_eq!(st, 201);
    let (_, q) = s
        .get("/api/v1/alerts?state=received&sort=arrivals&limit=5")
        .await;
    let channels: Vec<&str> = q["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["channel"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(channels, ["voice", "voice", "api"], "{q}");
    let (ok, said) = s.verify();
    assert!(ok, "verify: {said}");
}
on_both_stores!(africastalking_voice_hotline, super::hotline);
