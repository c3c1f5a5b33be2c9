//! Twilio: `POST /channels/twilio/sms` answers TwiML carrying the acknowledgement, and
//! `POST /channels/twilio/status` takes delivery reports. Both are signed with the auth token
//! over the public URL Twilio called, so KINGA_PUBLIC_URL must be that URL's base.

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, header::CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use kinga_channels::twilio::{
    self, SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, check_signature, parse_status_callback,
};
use kinga_channels::{form, request_url};

use kinga_app::sms_intake::{InboundSmsCommand, SmsIntake};
use kinga_app::whatsapp::WhatsappMessage;

use super::{GatewayBody, configured, header, record, take_in};
use crate::{AppState, WebError};

const SETTING: &str = "KINGA_TWILIO_AUTH_TOKEN";

/// The URL Twilio signed: the public base and the path and query this request came to.
fn signed_url(st: &AppState, uri: &axum::http::Uri) -> String {
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    request_url(&st.app.settings.public_url, path)
}

/// An inbound SMS; the answer is TwiML with the acknowledgement (or nothing to send).
pub async fn sms(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    GatewayBody(body): GatewayBody,
) -> Result<Response, WebError> {
    let token = configured(&st.app.settings.twilio.auth_token, "Twilio", SETTING)?;
    let hook = twilio::verify_webhook(
        token,
        &signed_url(&st, &uri),
        &body,
        header(&headers, SIGNATURE_HEADER),
        header(&headers, SIGNATURE_SETTINGS_HEADER),
    )?;
    let intake = if hook.whatsapp {
        whatsapp(&st, hook).await?
    } else {
        take_in(&st, hook.sms, true).await?
    };
    let twiml = match intake.reply {
        Some(text) => twilio::twiml_message(&text),
        None => twilio::twiml_empty(),
    };
    Ok(([(CONTENT_TYPE, "text/xml; charset=utf-8")], twiml).into_response())
}

/// A message status callback.
pub async fn status(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    GatewayBody(body): GatewayBody,
) -> Result<StatusCode, WebError> {
    let token = configured(&st.app.settings.twilio.auth_token, "Twilio", SETTING)?;
    check_signature(
        token,
        &signed_url(&st, &uri),
        &form::parse(&body)?,
        header(&headers, SIGNATURE_HEADER),
        header(&headers, SIGNATURE_SETTINGS_HEADER),
    )?;
    record(&st, parse_status_callback(&body)?).await
}

/// A WhatsApp message: its files fetched from Twilio, then the same intake as an SMS. A file
/// that cannot be fetched is left out (and logged) rather than losing the message.
async fn whatsapp(st: &AppState, hook: twilio::TwilioWebhook) -> Result<SmsIntake, WebError> {
    let mut media = Vec::new();
    for m in &hook.media {
        match super::twilio_media(st, &m.url).await {
            Ok(f) => {
                let ctype = m
                    .content_type
                    .clone()
                    .filter(|c| !c.is_empty())
                    .unwrap_or(f.content_type);
                media.push((ctype, f.bytes));
            }
            Err(e) => {
                tracing::warn!(message = %hook.sms.message_id, error = %e, "WhatsApp media not fetched");
            }
        }
    }
    let sms = hook.sms;
    let msg = WhatsappMessage {
        message: InboundSmsCommand {
            message_id: sms.message_id,
            from: sms.from,
            to: sms.to,
            text: sms.text,
            received_at: sms.received_at,
            reply_inline: true,
        },
        media,
        location: hook.location,
    };
    Ok(st.app.intake_whatsapp(sms.provider, msg).await?)
}
