//! Africa's Talking: `POST /channels/africastalking/sms` and
//! `POST /channels/africastalking/delivery`. AT signs nothing, so the callback URLs set on the
//! AT dashboard carry `?secret=<KINGA_AFRICASTALKING_CALLBACK_SECRET>`; without that setting
//! the endpoints are closed. `POST /channels/africastalking/ussd` answers USSD sessions the
//! same way protected, and `POST /channels/africastalking/voice` the voice hotline's calls.

use axum::extract::{OriginalUri, State};
use axum::http::{StatusCode, header::CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use kinga_app::ussd::UssdRequest;
use kinga_app::voice::VoiceRecording;
use kinga_channels::africastalking::voice::{self, Greeting};
use kinga_channels::africastalking::{
    check_query_secret, parse_delivery_report, verify_incoming, verify_ussd,
};

use super::{GatewayBody, configured, query, record, take_in};
use crate::{AppState, WebError};

const SETTING: &str = "KINGA_AFRICASTALKING_CALLBACK_SECRET";

fn secret(st: &AppState) -> Result<&str, WebError> {
    configured(
        &st.app.settings.africastalking.callback_secret,
        "Africa's Talking",
        SETTING,
    )
}

/// An incoming message; AT wants a 200 and nothing else (the acknowledgement goes through
/// the outbox).
pub async fn sms(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    GatewayBody(body): GatewayBody,
) -> Result<StatusCode, WebError> {
    let incoming = verify_incoming(Some(secret(&st)?), query(&uri), &body)?;
    take_in(&st, incoming.sms, false).await?;
    Ok(StatusCode::OK)
}

/// A delivery report.
pub async fn delivery(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    GatewayBody(body): GatewayBody,
) -> Result<StatusCode, WebError> {
    check_query_secret(Some(secret(&st)?), query(&uri))?;
    record(&st, parse_delivery_report(&body)?).await
}

/// A USSD session's request (`?secret=` as for SMS: AT signs no USSD callback either); the
/// answer is the next screen as plain text, `CON …` or `END …`.
pub async fn ussd(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    GatewayBody(body): GatewayBody,
) -> Result<Response, WebError> {
    let cb = verify_ussd(Some(secret(&st)?), query(&uri), &body)?;
    let req = UssdRequest {
        session_id: cb.session_id,
        service_code: cb.service_code,
        phone_number: cb.phone_number,
        text: cb.text,
    };
    let reply = st.app.ussd(super::AT_PROVIDER, req).await?;
    Ok(([(CONTENT_TYPE, "text/plain; charset=utf-8")], reply.body()).into_response())
}

/// A call to the hotline (`?secret=` as for SMS). While the call is up, the answer is the
/// greeting and `<Record>`; AT's final request (`isActive=0`) carries the recording's URL:
/// it is fetched from the allowed hosts and becomes an alert with channel `voice`, as a
/// Twilio call's does.
pub async fn voice(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    GatewayBody(body): GatewayBody,
) -> Result<Response, WebError> {
    let cb = voice::verify_callback(Some(secret(&st)?), query(&uri), &body)?;
    // AT reads the answer as text, as its own samples send it.
    let xml = |body: String| ([(CONTENT_TYPE, "text/plain; charset=utf-8")], body);
    if !cb.inbound() {
        // Kinga places no calls; someone else's outbound call is nothing to record.
        return Ok(xml(voice::xml_empty()).into_response());
    }
    if cb.active {
        let v = &st.app.settings.voice;
        let g = Greeting {
            play_url: Some(v.greeting_url.trim().to_string()).filter(|u| !u.is_empty()),
            say: v
                .languages
                .iter()
                .filter(|l| kinga_domain::voice::speech_tag(l).is_some())
                .map(|l| kinga_domain::voice::greeting(l).to_string())
                .collect(),
            max_seconds: v.max_seconds,
        };
        return Ok(xml(voice::xml_record(&g)).into_response());
    }
    let audio = match &cb.recording_url {
        Some(url) => match super::africastalking_media(&st, url).await {
            // AT records MP3.
            Ok(f) if f.content_type.is_empty() => Some(("audio/mpeg".to_string(), f.bytes)),
            Ok(f) => Some((f.content_type, f.bytes)),
            Err(e) => {
                // The alert is made all the same, flagged for the liaison assistant.
                tracing::warn!(session = %cb.session_id, error = %e, "recording not fetched");
                None
            }
        },
        None => None,
    };
    let rec = VoiceRecording {
        call_id: cb.session_id,
        from: cb.caller_number,
        to: cb.destination_number,
        audio,
    };
    st.app.intake_voice(super::AT_PROVIDER, rec).await?;
    Ok(xml(voice::xml_empty()).into_response())
}
