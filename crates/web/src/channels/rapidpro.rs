//! RapidPro and TextIt: `POST /channels/rapidpro/receive` (an External channel or a flow's
//! webhook) and `POST /channels/rapidpro/status`, both with the shared secret
//! KINGA_RAPIDPRO_SECRET as an `X-Kinga-Secret` header, `Authorization: Token …` or `?secret=`.

use axum::Json;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, header::AUTHORIZATION, header::CONTENT_TYPE};
use serde_json::{Value, json};

use kinga_app::sms_intake::SmsOutcome;
use kinga_channels::rapidpro::{SECRET_HEADER, check_secret, parse_status, verify_receive};

use super::{GatewayBody, configured, header, query, record, take_in};
use crate::{AppState, WebError};

const SETTING: &str = "KINGA_RAPIDPRO_SECRET";

fn secret(st: &AppState) -> Result<&str, WebError> {
    configured(&st.app.settings.rapidpro.secret, "RapidPro", SETTING)
}

/// A relayed message. The JSON answer lets a flow quote the reference back to the sender
/// (`@webhook.json.reference`); the acknowledgement itself goes through the outbox.
pub async fn receive(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    GatewayBody(body): GatewayBody,
) -> Result<Json<Value>, WebError> {
    let sms = verify_receive(
        Some(secret(&st)?),
        header(&headers, SECRET_HEADER),
        header(&headers, AUTHORIZATION.as_str()),
        query(&uri),
        header(&headers, CONTENT_TYPE.as_str()),
        &body,
    )?;
    let intake = take_in(&st, sms, false).await?;
    let outcome = match intake.outcome {
        SmsOutcome::Created => "created",
        SmsOutcome::Attached => "attached",
    };
    Ok(Json(
        json!({ "reference": intake.alert.reference, "outcome": outcome }),
    ))
}

/// A message status update.
pub async fn status(
    State(st): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    GatewayBody(body): GatewayBody,
) -> Result<StatusCode, WebError> {
    check_secret(
        Some(secret(&st)?),
        header(&headers, SECRET_HEADER),
        header(&headers, AUTHORIZATION.as_str()),
        query(&uri),
    )?;
    record(
        &st,
        parse_status(header(&headers, CONTENT_TYPE.as_str()), &body)?,
    )
    .await
}
