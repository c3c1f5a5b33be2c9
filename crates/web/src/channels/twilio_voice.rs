//! Twilio voice hotline: `POST /channels/twilio/voice` answers a call with TwiML (the greeting
//! in the line's languages, then `<Record>`), and `POST /channels/twilio/voice/recording` (the
//! `<Record>` action) fetches the recording from the URL Twilio gives, makes the alert and
//! says goodbye with its reference. Both are signed like SMS webhooks.

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, header::CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use kinga_app::voice::VoiceRecording;
use kinga_channels::twilio::voice::{self, Greeting};
use kinga_channels::twilio::{
    PROVIDER, SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, check_signature,
};
use kinga_channels::{form, request_url};
use kinga_domain::voice::{goodbye, greeting, speech_tag};

use super::{GatewayBody, configured, header};
use crate::{AppState, WebError};

const SETTING: &str = "KINGA_TWILIO_AUTH_TOKEN";
/// Where Twilio posts when the recording ends.
pub const RECORDING_PATH: &str = "/channels/twilio/voice/recording";

/// Check the signature of a voice webhook over the public URL it came to.
fn verified(
    st: &AppState,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), WebError> {
    let token = configured(&st.app.settings.twilio.auth_token, "Twilio", SETTING)?;
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    check_signature(
        token,
        &request_url(&st.app.settings.public_url, path),
        &form::parse(body)?,
        header(headers, SIGNATURE_HEADER),
        header(headers, SIGNATURE_SETTINGS_HEADER),
    )?;
    Ok(())
}

fn twiml(body: String) -> Response {
    ([(CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

/// The spoken words for each of the line's languages the gateway can speak.
fn spoken(st: &AppState, words: impl Fn(&str) -> String) -> Vec<(String, String)> {
    st.app
        .settings
        .voice
        .languages
        .iter()
        .filter_map(|l| speech_tag(l).map(|tag| (tag.to_string(), words(l))))
        .collect()
}

/// A call to the hotline.
pub async fn call(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    GatewayBody(body): GatewayBody,
) -> Result<Response, WebError> {
    verified(&st, &uri, &headers, &body)?;
    voice::parse_call(&body)?;
    let v = &st.app.settings.voice;
    let g = Greeting {
        play_url: Some(v.greeting_url.trim().to_string()).filter(|u| !u.is_empty()),
        say: spoken(&st, |l| greeting(l).to_string()),
        max_seconds: v.max_seconds,
        action_url: request_url(&st.app.settings.public_url, RECORDING_PATH),
    };
    Ok(twiml(voice::twiml_record(&g)))
}

/// The recording is done: fetch it, make the alert, say goodbye with the reference.
pub async fn recording(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    GatewayBody(body): GatewayBody,
) -> Result<Response, WebError> {
    verified(&st, &uri, &headers, &body)?;
    let done = voice::parse_recording(&body)?;
    let audio = match &done.recording_url {
        Some(url) => {
            match super::twilio_media(&st, url).await {
                Ok(f) => {
                    // Twilio serves recordings as WAV when no extension is asked for.
                    let ctype = if f.content_type.is_empty() {
                        "audio/wav".to_string()
                    } else {
                        f.content_type
                    };
                    Some((ctype, f.bytes))
                }
                Err(e) => {
                    // The alert is made all the same: a call must not vanish because its
                    // recording did not come; it is flagged for the liaison assistant.
                    tracing::warn!(call = %done.call.call_sid, error = %e, "recording not fetched");
                    None
                }
            }
        }
        None => None,
    };
    let rec = VoiceRecording {
        call_id: done.call.call_sid,
        from: done.call.from,
        to: done.call.to,
        audio,
    };
    let alert = st.app.intake_voice(PROVIDER, rec).await?;
    Ok(twiml(voice::twiml_goodbye(&spoken(&st, |l| {
        goodbye(l, &alert.reference)
    }))))
}
