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
    let intake = take_in(&st, hook.sms, true).await?;
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
