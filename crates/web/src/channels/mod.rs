//! SMS gateways' webhooks: inbound messages and delivery reports, one file per gateway. Each
//! handler proves the caller is the gateway (signature or shared secret) before anything is
//! read, hands the message to [`kinga_app::App::intake_sms`], and answers the way the gateway
//! expects. A gateway whose secret is not configured is refused outright, never opened to
//! unsigned traffic.

mod africastalking;
mod kannel;
mod rapidpro;
mod twilio;
mod twilio_voice;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::{get, post};

use kinga_app::sms_intake::{InboundSmsCommand, SmsIntake};
use kinga_channels::{DeliveryReport, InboundSms, MAX_BODY_BYTES};

use crate::{AppState, WebError};

/// Routes of every gateway.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/channels/twilio/sms", post(twilio::sms))
        .route("/channels/twilio/status", post(twilio::status))
        .route("/channels/africastalking/sms", post(africastalking::sms))
        .route(
            "/channels/africastalking/delivery",
            post(africastalking::delivery),
        )
        .route("/channels/rapidpro/receive", post(rapidpro::receive))
        .route("/channels/rapidpro/status", post(rapidpro::status))
        .route(
            "/channels/kannel/receive",
            get(kannel::receive).post(kannel::receive),
        )
        .route("/channels/kannel/dlr", get(kannel::dlr))
        .route("/channels/africastalking/ussd", post(africastalking::ussd))
        .route("/channels/twilio/voice", post(twilio_voice::call))
        .route(twilio_voice::RECORDING_PATH, post(twilio_voice::recording))
        .route(
            "/channels/africastalking/voice",
            post(africastalking::voice),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Provider name of Africa's Talking in idempotency keys and actors.
const AT_PROVIDER: &str = kinga_channels::africastalking::PROVIDER;

/// A webhook body, refused with 413 past [`MAX_BODY_BYTES`].
pub struct GatewayBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for GatewayBody {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(GatewayBody)
            .map_err(|e| match e.status() {
                StatusCode::PAYLOAD_TOO_LARGE => WebError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!("request body exceeds the limit of {MAX_BODY_BYTES} bytes"),
                ),
                status => WebError::new(status, "bad_request", e.body_text()),
            })
    }
}

/// The secret a gateway is configured with, or a 403 naming the setting to set.
fn configured<'a>(secret: &'a str, gateway: &str, setting: &str) -> Result<&'a str, WebError> {
    let s = secret.trim();
    if s.is_empty() {
        Err(WebError::new(
            StatusCode::FORBIDDEN,
            "gateway_not_configured",
            format!("the {gateway} gateway is not configured: set {setting}"),
        ))
    } else {
        Ok(s)
    }
}

/// A header's value, when present and readable.
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The raw query string of a request.
fn query(uri: &Uri) -> &str {
    uri.query().unwrap_or("")
}

/// Fetch a file a signed Twilio webhook names: with the account's credentials, only from the
/// allowed media hosts, within the attachment size limit.
async fn twilio_media(
    st: &AppState,
    url: &str,
) -> Result<kinga_channels::send::fetch::Fetched, kinga_channels::send::fetch::FetchError> {
    let s = &st.app.settings;
    let basic = (!s.twilio.account_sid.is_empty())
        .then_some((s.twilio.account_sid.as_str(), s.twilio.auth_token.as_str()));
    kinga_channels::send::fetch::fetch(
        url,
        &s.twilio.media_hosts,
        basic,
        s.attachments.max_bytes,
        std::time::Duration::from_secs(s.voice.fetch_timeout_seconds.clamp(1, 600)),
    )
    .await
}

/// Fetch a recording an Africa's Talking voice callback names: only from the allowed media
/// hosts, within the attachment size limit (AT serves recordings without credentials).
async fn africastalking_media(
    st: &AppState,
    url: &str,
) -> Result<kinga_channels::send::fetch::Fetched, kinga_channels::send::fetch::FetchError> {
    let s = &st.app.settings;
    kinga_channels::send::fetch::fetch(
        url,
        &s.africastalking.media_hosts,
        None,
        s.attachments.max_bytes,
        std::time::Duration::from_secs(s.voice.fetch_timeout_seconds.clamp(1, 600)),
    )
    .await
}

/// Hand a verified message to the intake.
async fn take_in(
    st: &AppState,
    sms: InboundSms,
    reply_inline: bool,
) -> Result<SmsIntake, WebError> {
    let cmd = InboundSmsCommand {
        message_id: sms.message_id,
        from: sms.from,
        to: sms.to,
        text: sms.text,
        received_at: sms.received_at,
        reply_inline,
    };
    Ok(st.app.intake_sms(sms.provider, cmd).await?)
}

/// Record a verified delivery report. A report about a message Kinga does not know is
/// answered 200 all the same: refusing it would only make the gateway retry it.
async fn record(st: &AppState, report: DeliveryReport) -> Result<StatusCode, WebError> {
    let known = st
        .app
        .record_delivery(
            report.provider,
            &report.message_id,
            report.status,
            report.error,
        )
        .await?;
    if !known {
        tracing::debug!(
            provider = report.provider,
            id = %report.message_id,
            "delivery report held: no message has that id yet"
        );
    }
    Ok(StatusCode::OK)
}
