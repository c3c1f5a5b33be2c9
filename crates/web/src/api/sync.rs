//! `/api/v1/sync`: replication between paired instances (docs/sync-protocol.md). No user
//! signs in here: every request is signed with the calling instance's Ed25519 key, which must
//! be a paired peer's, and every answer is signed with this instance's key. `heads` gives this
//! instance's cursors, `pull` a batch of events after the caller's cursors, `push` takes in a
//! batch from the caller.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use kinga_app::sync::{
    KEY_HEADER, PullRequest, SIGNATURE_HEADER, SignedRequest, TIME_HEADER, sign_answer,
};

use crate::{AppState, WebError};

/// Largest batch a push may carry: [`kinga_app::sync::MAX_BATCH`] events of a few KB each.
pub const MAX_SYNC_BODY: usize = 64 << 20;

/// The media type of a batch (a handover package of scope `partial`).
pub const PACKAGE_TYPE: &str = "application/x-kinga-handover";

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The caller, checked, and this instance's identity.
async fn checked(
    st: &AppState,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<(kinga_domain::peer::Peer, kinga_app::handover::Identity), WebError> {
    let req = SignedRequest {
        method,
        path,
        key: header(headers, KEY_HEADER),
        time: header(headers, TIME_HEADER),
        signature: header(headers, SIGNATURE_HEADER),
        body,
    };
    let peer = st.app.sync_peer(&req).await?;
    let me = st.app.sync_identity().await?;
    Ok((peer, me))
}

/// An answer signed for the request it answers.
fn signed(
    me: &kinga_app::handover::Identity,
    headers: &HeaderMap,
    content_type: &'static str,
    body: Vec<u8>,
) -> Response {
    let sig = sign_answer(&me.key, header(headers, SIGNATURE_HEADER), &body);
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    if let Ok(v) = HeaderValue::from_str(&sig) {
        h.insert(SIGNATURE_HEADER, v);
    }
    r
}

fn json_bytes<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, WebError> {
    serde_json::to_vec(v).map_err(|e| WebError::invalid(e.to_string()))
}

/// This instance's cursors: each origin's last sequence number held.
pub async fn heads(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let (_, me) = checked(&st, &headers, "GET", "/api/v1/sync/heads", b"").await?;
    let body = json_bytes(&st.app.sync_heads().await?)?;
    Ok(signed(&me, &headers, "application/json", body))
}

/// The next batch for the caller: events after its cursors, as the agreement with it allows.
pub async fn pull(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (peer, me) = checked(&st, &headers, "POST", "/api/v1/sync/pull", &body).await?;
    let req: PullRequest = serde_json::from_slice(&body)
        .map_err(|e| WebError::invalid(format!("the pull request is not valid JSON: {e}")))?;
    let batch = st
        .app
        .sync_batch(&me, &peer, &req.after, &req.instance, req.limit)
        .await?;
    Ok(signed(&me, &headers, PACKAGE_TYPE, batch.bytes))
}

/// Take in a batch from the caller; answers what was appended and the cursors after it.
pub async fn push(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (peer, me) = checked(&st, &headers, "POST", "/api/v1/sync/push", &body).await?;
    let received = st.app.sync_receive(&me, &peer, &body).await?;
    let body = json_bytes(&received)?;
    Ok(signed(&me, &headers, "application/json", body))
}
