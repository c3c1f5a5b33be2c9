//! Africa's Talking: `POST /channels/africastalking/sms` and
//! `POST /channels/africastalking/delivery`. AT signs nothing, so the callback URLs set on the
//! AT dashboard carry `?secret=<KINGA_AFRICASTALKING_CALLBACK_SECRET>`; without that setting
//! the endpoints are closed. `POST /channels/africastalking/ussd` answers USSD sessions the
//! same way protected.

use axum::extract::{OriginalUri, State};
use axum::http::{StatusCode, header::CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use kinga_app::ussd::UssdRequest;
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
