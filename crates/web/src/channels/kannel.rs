//! Kannel: `GET|POST /channels/kannel/receive` from an smsbox `sms-service` and
//! `GET /channels/kannel/dlr` from a `dlr-url`, both with `secret=<KINGA_KANNEL_SECRET>`. The
//! answer to a message is the acknowledgement as plain text, which smsbox sends back to the
//! phone (an empty answer sends nothing when the service has `omit-empty = true`).

use axum::extract::{OriginalUri, State};
use axum::http::{StatusCode, header::CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use kinga_channels::kannel::{verify_dlr, verify_receive};

use super::{GatewayBody, configured, query, record, take_in};
use crate::{AppState, WebError};

const SETTING: &str = "KINGA_KANNEL_SECRET";

fn secret(st: &AppState) -> Result<&str, WebError> {
    configured(&st.app.settings.kannel.secret, "Kannel", SETTING)
}

/// A message, as `get-url` (query) or `post-url` (body) sends it.
pub async fn receive(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    GatewayBody(body): GatewayBody,
) -> Result<Response, WebError> {
    let sms = verify_receive(Some(secret(&st)?), query(&uri), &body)?;
    let intake = take_in(&st, sms, true).await?;
    let reply = intake.reply.unwrap_or_default();
    Ok(([(CONTENT_TYPE, "text/plain; charset=utf-8")], reply).into_response())
}

/// A delivery report.
pub async fn dlr(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
) -> Result<StatusCode, WebError> {
    record(&st, verify_dlr(Some(secret(&st)?), query(&uri))?).await
}
