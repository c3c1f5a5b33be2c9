//! Sync between paired instances (docs/sync-protocol.md). Each instance keeps, per origin, the
//! head of the chain it holds: those heads are the cursors. A batch is a handover package of
//! scope `partial` — the events after the other side's cursors, filtered by the data-sharing
//! agreement in force with it (what it may not see travels as withheld stubs) — signed by the
//! sender for the recipient's key. Requests are signed with the instance key and accepted only
//! from a paired instance's key. Receiving a batch twice changes nothing: events already held
//! are skipped, the rest continue their chains and are projected in one transaction.
//!
//! HTTP is the web crate's (routes) and the binary's (client): this module makes and takes the
//! bytes.

mod conflicts;
mod package;
mod receive;

pub(crate) use conflicts::{meet, version_of};

pub use receive::Received;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use kinga_domain::peer::Peer;
use kinga_handover::{InstanceKey, PublicKey};

use crate::handover::Identity;
use crate::{App, AppError, AppResult, Caller};

/// What a request's signature covers: this prefix, then method, path, time and the BLAKE3
/// digest of the body, one per line.
pub const REQUEST_PREFIX: &str = "kinga-sync-v1";

/// What an answer's signature covers: this prefix, the request's signature, the answer body's
/// digest.
pub const ANSWER_PREFIX: &str = "kinga-sync-v1-answer";

/// Header naming the signing instance's public key.
pub const KEY_HEADER: &str = "x-kinga-key";
/// Header with the request's time (RFC 3339).
pub const TIME_HEADER: &str = "x-kinga-time";
/// Header with the signature (hex).
pub const SIGNATURE_HEADER: &str = "x-kinga-signature";

/// Largest skew accepted between a request's time and the receiver's clock.
pub const MAX_SKEW_SECONDS: i64 = 300;

/// Most events one batch carries.
pub const MAX_BATCH: usize = 5_000;

/// Each origin's last sequence number held: where the other side should go on from.
pub type Cursors = BTreeMap<String, u64>;

/// A pull: the puller's instance id (its own events are not sent back) and cursors.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullRequest {
    /// The puller's instance id.
    pub instance: String,
    /// Its cursors.
    pub after: Cursors,
    /// Most events wanted.
    pub limit: usize,
}

/// The cursors of an instance, as it answers them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeadsAnswer {
    /// Its instance id.
    pub instance: String,
    /// Its cursors.
    pub heads: Cursors,
}

/// The parts of a signed sync request.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// The path, as sent (`/api/v1/sync/pull`).
    pub path: &'a str,
    /// The key header.
    pub key: &'a str,
    /// The time header.
    pub time: &'a str,
    /// The signature header.
    pub signature: &'a str,
    /// The body.
    pub body: &'a [u8],
}

fn request_message(method: &str, path: &str, time: &str, body: &[u8]) -> Vec<u8> {
    format!(
        "{REQUEST_PREFIX}\n{method}\n{path}\n{time}\n{}",
        blake3::hash(body).to_hex()
    )
    .into_bytes()
}

fn answer_message(request_signature: &str, body: &[u8]) -> Vec<u8> {
    format!(
        "{ANSWER_PREFIX}\n{request_signature}\n{}",
        blake3::hash(body).to_hex()
    )
    .into_bytes()
}

/// The signature headers' values of a request: `(key, time, signature)`.
pub fn sign_request(
    key: &InstanceKey,
    method: &str,
    path: &str,
    now: DateTime<Utc>,
    body: &[u8],
) -> (String, String, String) {
    let time = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let sig = key.sign(&request_message(method, path, &time, body));
    (key.public().to_string(), time, hex::encode(sig))
}

/// The signature of an answer to the request signed `request_signature`.
pub fn sign_answer(key: &InstanceKey, request_signature: &str, body: &[u8]) -> String {
    hex::encode(key.sign(&answer_message(request_signature, body)))
}

fn signature_bytes(hex_sig: &str) -> Option<[u8; 64]> {
    let bytes = hex::decode(hex_sig.trim()).ok()?;
    bytes.try_into().ok()
}

/// Whether `signature` is `peer`'s over the answer `body` to the request signed
/// `request_signature`.
pub fn answer_signed_by(
    peer: &PublicKey,
    request_signature: &str,
    body: &[u8],
    signature: &str,
) -> bool {
    signature_bytes(signature)
        .is_some_and(|s| peer.verify(&answer_message(request_signature, body), &s))
}

fn unauthorized(why: impl Into<String>) -> AppError {
    AppError::Unauthorized(why.into())
}

impl App {
    /// This instance's identity, for the sync routes (no user acts: the instance does).
    pub async fn sync_identity(&self) -> AppResult<Identity> {
        crate::handover::identity(self.store.as_ref(), &self.settings, &Caller::system()).await
    }

    /// The paired instance that signed `req`: its key must be a peer's, the signature good,
    /// the time within [`MAX_SKEW_SECONDS`] of this instance's clock.
    pub async fn sync_peer(&self, req: &SignedRequest<'_>) -> AppResult<Peer> {
        let key: PublicKey = req
            .key
            .trim()
            .parse()
            .map_err(|_| unauthorized("the sync request names no valid instance key"))?;
        let peer = self
            .store
            .peers()
            .await?
            .into_iter()
            .find(|p| p.key == key.to_string())
            .ok_or_else(|| unauthorized("the key that signed this request is not paired here"))?;
        let time = DateTime::parse_from_rfc3339(req.time.trim())
            .map_err(|_| unauthorized("the sync request has no valid time"))?
            .with_timezone(&Utc);
        if (self.now() - time).num_seconds().abs() > MAX_SKEW_SECONDS {
            return Err(unauthorized(format!(
                "the sync request's time {time} is more than {MAX_SKEW_SECONDS} s from this \
                 instance's clock"
            )));
        }
        let sig = signature_bytes(req.signature)
            .ok_or_else(|| unauthorized("the sync request's signature is malformed"))?;
        if !key.verify(
            &request_message(req.method, req.path, req.time.trim(), req.body),
            &sig,
        ) {
            return Err(unauthorized("the sync request's signature does not verify"));
        }
        Ok(peer)
    }

    /// This instance's cursors: the head of every chain it holds.
    pub async fn sync_heads(&self) -> AppResult<HeadsAnswer> {
        let heads = self.store.chain_heads().await?;
        Ok(HeadsAnswer {
            instance: self.store.instance_id().await?,
            heads: heads.into_iter().map(|(o, (seq, _))| (o, seq)).collect(),
        })
    }

    /// A paired instance by name (for the sync client).
    pub async fn peer_named(&self, caller: &Caller, name: &str) -> AppResult<Peer> {
        self.peers(caller)
            .await?
            .into_iter()
            .find(|p| p.name == name.trim().to_lowercase())
            .ok_or_else(|| AppError::NotFound(format!("paired instance {}", name.trim())))
    }
}
