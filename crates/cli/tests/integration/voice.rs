//! The voice hotline through Twilio's webhooks, against a local stand-in of Twilio serving the
//! recording (a WAV made here): the greeting and `<Record>`, the recording fetched with the
//! account's credentials, sealed on disk, attached to an alert flagged untranscribed at the
//! top of the queue, served only to those who may read the alert, a retried callback keeping
//! nothing twice, the transcript, closing, and `kinga verify`. The recording is speech made
//! by espeak-ng (installed by `scripts/test`); without it, a loud notice and a synthetic tone.

use std::sync::{Arc, Mutex};

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use kinga_channels::form;
use kinga_channels::twilio::{SignatureAlgorithm, compute_signature};

use crate::harness::{Backend, Server, call};
use crate::on_both_stores;

pub const TOKEN: &str = "twilio-voice-test-token-0123456789";
pub const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";

/// A WAV file: 16-bit mono PCM at 8 kHz, `ms` milliseconds of a tone rising from 300 to
/// 900 Hz (a stand-in for a caller's voice: what matters is that it is real, playable audio).
pub fn wav(ms: u32) -> Vec<u8> {
    let rate = 8_000u32;
    let n = rate * ms / 1000;
    let mut pcm = Vec::with_capacity(n as usize * 2);
    let mut phase = 0.0f64;
    for i in 0..n {
        let f = 300.0 + 600.0 * f64::from(i) / f64::from(n);
        phase += 2.0 * std::f64::consts::PI * f / f64::from(rate);
        let v = (phase.sin() * 8_000.0) as i16;
        pcm.extend_from_slice(&v.to_le_bytes());
    }
    let mut out = Vec::with_capacity(44 + pcm.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + pcm.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(pcm.len() as u32).to_le_bytes());
    out.extend_from_slice(&pcm);
    out
}

/// What the test caller says.
pub const SPOKEN: &str = "Des hommes armés sont entrés à Kitshanga cette nuit";

/// `words` spoken in French by espeak-ng, as a WAV file. When espeak-ng cannot run, the test
/// says so loudly (and fails under CI) and a synthetic tone of 1.5 s stands in.
pub fn spoken_wav(words: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("call.wav");
    let made = std::process::Command::new("espeak-ng")
        .args(["-v", "fr", "-w"])
        .arg(&file)
        .arg(words)
        .output();
    match made {
        Ok(out) if out.status.success() => match std::fs::read(&file) {
            Ok(bytes) if bytes.starts_with(b"RIFF") && wav_seconds(&bytes) > 0.5 => bytes,
            _ => {
                kinga_testing::skip(
                    "voice recordings spoken by espeak-ng",
                    "espeak-ng wrote no WAV file; a synthetic tone stands in",
                );
                wav(1500)
            }
        },
        Ok(out) => {
            kinga_testing::skip(
                "voice recordings spoken by espeak-ng",
                &format!(
                    "espeak-ng failed ({}); a synthetic tone stands in",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            );
            wav(1500)
        }
        Err(e) => {
            kinga_testing::skip(
                "voice recordings spoken by espeak-ng",
                &format!(
                    "espeak-ng is not installed ({e}): run scripts/test, or apt-get install espeak-ng; a synthetic tone stands in"
                ),
            );
            wav(1500)
        }
    }
}

/// The length of a PCM WAV file in seconds, from its header: the `data` chunk's size over
/// the byte rate.
pub fn wav_seconds(wav: &[u8]) -> f64 {
    let u32_at = |i: usize| {
        wav.get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(0)
    };
    let byte_rate = f64::from(u32_at(28));
    let data = wav
        .windows(4)
        .position(|w| w == b"data")
        .map(|i| u32_at(i + 4))
        .unwrap_or(0);
    if byte_rate == 0.0 {
        return 0.0;
    }
    f64::from(data) / byte_rate
}

/// A photo's bytes as a phone sends them (a JPEG's markers around a few bytes).
pub const JPEG: &[u8] =
    b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9";

/// Twilio's recordings as far as Kinga fetches them: the bytes at the URL the callback
/// names, behind the account's credentials.
pub struct StandIn {
    pub base: String,
    pub wav: Vec<u8>,
    fetches: Arc<Mutex<Vec<String>>>,
}

impl StandIn {
    pub async fn start() -> StandIn {
        let wav = spoken_wav(SPOKEN);
        let fetches = Arc::new(Mutex::new(Vec::new()));
        let (body, seen) = (wav.clone(), fetches.clone());
        let jpeg = JPEG.to_vec();
        let (at_body, at_seen) = (wav.clone(), fetches.clone());
        let app = axum::Router::new()
            // Africa's Talking's recordings: public URLs, no credentials.
            .route(
                "/voice/recordings/{name}",
                axum::routing::get(move || {
                    let (body, seen) = (at_body.clone(), at_seen.clone());
                    async move {
                        seen.lock().expect("fetches").push(String::new());
                        ([("content-type", "audio/wav")], body).into_response()
                    }
                }),
            )
            .route(
                "/2010-04-01/Accounts/{account}/Messages/{sid}/Media/{media}",
                axum::routing::get(move |headers: HeaderMap| {
                    let jpeg = jpeg.clone();
                    async move {
                        if headers.get("authorization").is_none() {
                            return (StatusCode::UNAUTHORIZED, "auth").into_response();
                        }
                        ([("content-type", "image/jpeg")], jpeg).into_response()
                    }
                }),
            )
            .route(
                "/2010-04-01/Accounts/{account}/Recordings/{sid}",
                axum::routing::get(
                    move |Path((account, sid)): Path<(String, String)>, headers: HeaderMap| {
                        let (body, seen) = (body.clone(), seen.clone());
                        async move {
                            let auth = headers
                                .get("authorization")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("")
                                .to_string();
                            seen.lock().expect("fetches").push(auth.clone());
                            if account != ACCOUNT || !auth.starts_with("Basic ") {
                                return (StatusCode::UNAUTHORIZED, "auth").into_response();
                            }
                            if sid == "RE404" {
                                return (StatusCode::NOT_FOUND, "no such recording")
                                    .into_response();
                            }
                            ([("content-type", "audio/x-wav")], body).into_response()
                        }
                    },
                ),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the stand-in");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        StandIn { base, wav, fetches }
    }

    pub fn fetches(&self) -> usize {
        self.fetches.lock().expect("fetches").len()
    }

    /// Where the stand-in serves a message's photo.
    pub fn media_url(&self, message: &str) -> String {
        format!(
            "{}/2010-04-01/Accounts/{ACCOUNT}/Messages/{message}/Media/ME1",
            self.base
        )
    }

    /// Where the stand-in serves an Africa's Talking recording.
    pub fn at_recording_url(&self, name: &str) -> String {
        format!("{}/voice/recordings/{name}.wav", self.base)
    }

    pub fn recording_url(&self, sid: &str) -> String {
        format!(
            "{}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{sid}",
            self.base
        )
    }
}

/// A server whose Twilio account is the stand-in's, keeping attachments in `media`.
pub async fn voice_server(backend: Backend, media: &std::path::Path) -> Option<Server> {
    Server::start_with_env(
        backend,
        &[
            ("KINGA_TWILIO_AUTH_TOKEN", TOKEN),
            ("KINGA_TWILIO_ACCOUNT_SID", ACCOUNT),
            ("KINGA_TWILIO_MEDIA_HOSTS", "[\"127.0.0.1\"]"),
            ("KINGA_VOICE_MAX_SECONDS", "90"),
            ("KINGA_VOICE_LANGUAGES", "[\"fr\", \"sw\", \"en\"]"),
            ("KINGA_ATTACHMENTS_DIR", media.to_str().expect("utf-8 path")),
        ],
    )
    .await
}

/// Post a Twilio voice webhook signed with the auth token: status and body.
pub async fn signed(s: &Server, path: &str, params: &[(&str, &str)]) -> (u16, String) {
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let url = format!("{}{path}", s.base);
    let sig = compute_signature(TOKEN, &url, &owned, SignatureAlgorithm::HmacSha1);
    let r = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", sig)
        .body(form::encode(params.iter().copied()))
        .send()
        .await
        .expect("voice webhook");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

/// A whole call: the greeting, then the recording callback. Answers the alert.
pub async fn recorded_call(s: &Server, stand_in: &StandIn, call_sid: &str, from: &str) -> Value {
    let call = [
        ("AccountSid", ACCOUNT),
        ("CallSid", call_sid),
        ("From", from),
        ("To", "+243970000000"),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
    ];
    let (st, twiml) = signed(s, "/channels/twilio/voice", &call).await;
    assert_eq!(st, 200, "{twiml}");
    assert!(twiml.contains("<Record maxLength=\"90\""), "{twiml}");
    let url = stand_in.recording_url(&format!("RE{call_sid}"));
    let mut done = call.to_vec();
    done.extend([
        ("RecordingUrl", url.as_str()),
        ("RecordingDuration", "2"),
        ("Digits", "hangup"),
    ]);
    let (st, bye) = signed(s, "/channels/twilio/voice/recording", &done).await;
    assert_eq!(st, 200, "{bye}");
    assert!(bye.contains("<Hangup/>"), "{bye}");
    let (_, list) = s.get("/api/v1/alerts?sort=newest&limit=1").await;
    let id = list["items"][0]["id"]
        .as_str()
        .expect("an alert")
        .to_string();
    s.get(&format!("/api/v1/alerts/{id}")).await.1
}

/// The file of an alert's first `media_attached` entry: its digest and URL path.
pub fn media_of(a: &Value) -> (String, String) {
    let m = a["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .find(|t| t["kind"] == "media_attached")
        .unwrap_or_else(|| panic!("no media_attached in {a}"));
    let digest = m["detail"]["media"]["digest"]
        .as_str()
        .expect("digest")
        .to_string();
    let path = format!(
        "/api/v1/alerts/{}/media/{digest}",
        a["reference"].as_str().expect("ref")
    );
    (digest, path)
}

async fn hotline(backend: Backend) {
    let media = tempfile::tempdir().expect("media dir");
    let Some(s) = voice_server(backend, media.path()).await else {
        return;
    };
    let stand_in = StandIn::start().await;
    // The greeting: French and English spoken, Swahili left to a recorded greeting (none
    // set), then the recording, posted back to Kinga's public URL.
    let ringing = [
        ("CallSid", "CA0001"),
        ("From", "+243810000055"),
        ("To", "+243970000000"),
    ];
    let (st, twiml) = signed(&s, "/channels/twilio/voice", &ringing).await;
    assert_eq!(st, 200);
    assert!(
        twiml.contains("<Say language=\"fr-FR\">Ligne d&apos;alerte Kinga. Après le bip"),
        "{twiml}"
    );
    assert!(
        twiml.contains("<Say language=\"en-GB\">Kinga alert line."),
        "{twiml}"
    );
    assert!(!twiml.contains("<Play>"), "{twiml}");
    assert!(
        twiml.contains(&format!(
            "action=\"{}/channels/twilio/voice/recording\"",
            s.base
        )),
        "{twiml}"
    );
    // Unsigned or forged: refused, nothing fetched or kept.
    let r = reqwest::Client::new()
        .post(format!("{}/channels/twilio/voice/recording", s.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", "AAAA")
        .body("CallSid=CA9&From=%2B243810000055&RecordingUrl=http%3A%2F%2F127.0.0.1%2Fx")
        .send()
        .await
        .expect("forged");
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(stand_in.fetches(), 0);

    let a = recorded_call(&s, &stand_in, "CA0001", "+243810000055").await;
    assert_eq!(a["channel"], "voice");
    assert_eq!(
        a["severity"], 2,
        "nobody chose a severity: the default, not a made-up 4"
    );
    assert_eq!(a["text"], "");
    assert!(
        a["parse_flags"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "untranscribed")),
        "{a}"
    );
    assert_eq!(a["reporter"]["unknown"], true);
    let (digest, path) = media_of(&a);
    let entry = &a["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .find(|t| t["kind"] == "media_attached")
        .expect("media")["detail"]["media"];
    assert_eq!(entry["media_type"], "audio/x-wav");
    assert_eq!(entry["sealed"], true);
    assert_eq!(entry["size"], stand_in.wav.len());
    // Fetched once, with the account's credentials.
    assert_eq!(stand_in.fetches(), 1);
    // Sealed on disk, under its digest.
    let file = media.path().join(&digest[..2]).join(&digest);
    let on_disk = std::fs::read(&file).expect("the file is kept");
    assert!(!on_disk.windows(4).any(|w| w == b"RIFF"), "stored sealed");
    // Served opened to whoever may read the alert.
    let r = s
        .req(reqwest::Method::GET, &path)
        .send()
        .await
        .expect("media");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("audio/x-wav")
    );
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), stand_in.wav);
    // Not to a responder it is not assigned to, nor to nobody, nor under another digest.
    s.add_user("rita", "responder", "rita-password-1");
    let rita = s.token_for("rita");
    let (st, _) = call(&s, &rita, reqwest::Method::GET, &path, None).await;
    assert_eq!(st, 404);
    let anon = reqwest::get(format!("{}{path}", s.base))
        .await
        .expect("anon");
    assert_eq!(anon.status().as_u16(), 401);
    let other = format!(
        "/api/v1/alerts/{}/media/{}",
        a["reference"].as_str().expect("ref"),
        "0".repeat(64)
    );
    let (st, _) = call(&s, &s.token, reqwest::Method::GET, &other, None).await;
    assert_eq!(st, 404);
    let (st, _) = call(
        &s,
        &s.token,
        reqwest::Method::GET,
        &format!(
            "/api/v1/alerts/{}/media/..%2F..%2Fkinga.db",
            a["reference"].as_str().expect("ref")
        ),
        None,
    )
    .await;
    assert_eq!(st, 404);

    // Twilio retries the callback: the same alert, the file kept once.
    let again = recorded_call(&s, &stand_in, "CA0001", "+243810000055").await;
    assert_eq!(again["id"], a["id"]);
    let n = again["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|t| t["kind"] == "media_attached")
        .count();
    assert_eq!(n, 1);
    // A recording that cannot be fetched: the call still becomes an alert, flagged.
    let (st, _) = signed(
        &s,
        "/channels/twilio/voice/recording",
        &[
            ("CallSid", "CA404"),
            ("From", "+243810000056"),
            ("RecordingUrl", &stand_in.recording_url("RE404")),
        ],
    )
    .await;
    assert_eq!(st, 200);
    let (_, list) = s.get("/api/v1/alerts?sort=newest&limit=1").await;
    let missing = &list["items"][0];
    assert!(
        missing["parse_flags"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "recording_missing")),
        "{missing}"
    );
    // Unheard calls head the new alerts whatever their age: an ordinary alert received after
    // them, at severity 4, comes next.
    let (st, newer) = s
        .post(
            "/api/v1/alerts",
            json!({"text": "Meurtre au marché de Minova", "place": "CD6205-V004", "threat_type": "killing"}),
        )
        .await;
    assert_eq!(st, 201, "{newer}");
    let (_, queue) = s
        .get("/api/v1/alerts?state=received&sort=arrivals&limit=5")
        .await;
    let channels: Vec<&str> = queue["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["channel"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(channels, ["voice", "voice", "api"], "{queue}");
    assert_eq!(queue["items"][2]["severity"], 4, "{queue}");

    // The transcript becomes the text; the flag goes.
    let reference = a["reference"].as_str().expect("ref");
    let (st, t) = call(
        &s,
        &s.token,
        reqwest::Method::POST,
        &format!("/api/v1/alerts/{reference}/transcript"),
        Some(json!({"text": "Des hommes armés sont entrés à Kitshanga cette nuit"})),
    )
    .await;
    assert_eq!(st, 200, "{t}");
    assert_eq!(
        t["text"],
        "Des hommes armés sont entrés à Kitshanga cette nuit"
    );
    assert!(
        t["parse_flags"]
            .as_array()
            .is_none_or(|f| !f.iter().any(|x| x == "untranscribed")),
        "{t}"
    );
    let out = s.cli(&["verify"], None);
    assert!(
        out.status.success(),
        "verify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
on_both_stores!(voice_hotline, super::hotline);

/// A recording goes with the record to the next custodian: exported as an attachment of the
/// package (still sealed), kept by the import, and served by the new instance.
async fn recordings_travel_with_a_handover(backend: Backend) {
    let media = tempfile::tempdir().expect("media dir");
    let Some(s) = voice_server(backend, media.path()).await else {
        return;
    };
    let Some(mut recipient) = Server::empty(backend).await else {
        return;
    };
    let stand_in = StandIn::start().await;
    let a = recorded_call(&s, &stand_in, "CA0777", "+243810000058").await;
    let (digest, path) = media_of(&a);
    let dir = tempfile::tempdir().expect("tmp");
    let to = dir.path().join("recipient.pub");
    let key = recipient.cli(&["instance", "key"], None);
    assert!(key.status.success());
    std::fs::write(&to, String::from_utf8_lossy(&key.stdout).trim()).expect("write key");
    let pkg = dir.path().join("voice.kinga-handover");
    let (to_s, pkg_s) = (to.to_str().expect("utf-8"), pkg.to_str().expect("utf-8"));
    let media_s = media.path().to_str().expect("utf-8");
    let out = s.cli_env(
        &["handover", "export", "--to", to_s, "--out", pkg_s],
        &[("KINGA_ATTACHMENTS_DIR", media_s)],
    );
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "export: {said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains(", 1 attachments"), "{said}");
    let package = std::fs::read_to_string(&pkg).expect("package");
    assert!(
        package.contains(&format!("\"digest\":\"{digest}\"")),
        "the recording is in the package"
    );
    assert!(package.contains("application/vnd.kinga.sealed"));
    // Without its file, a package would lose the recording: the export says so and stops.
    let empty = tempfile::tempdir().expect("empty dir");
    let out = s.cli_env(
        &[
            "handover",
            "export",
            "--to",
            to_s,
            "--out",
            &format!("{pkg_s}.2"),
        ],
        &[(
            "KINGA_ATTACHMENTS_DIR",
            empty.path().to_str().expect("utf-8"),
        )],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&digest),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = recipient.cli(&["handover", "import", pkg_s], None);
    assert!(
        out.status.success(),
        "import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    recipient.token = s.token.clone();
    recipient.spawn().await;
    let r = recipient
        .req(reqwest::Method::GET, &path)
        .send()
        .await
        .expect("media on the new instance");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), stand_in.wav);
    recipient.stop();
}
on_both_stores!(voice_handover, super::recordings_travel_with_a_handover);
