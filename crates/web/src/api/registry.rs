//! Registry endpoints: places (and resolution), responders, actors, focal points (pseudonymous),
//! the outbox and issued digests. Every read and write goes through the application, which
//! checks the caller's permission and withholds what the caller may not see.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use kinga_app::OutboxQuery;
use kinga_app::registry::{FocalPointInput, RegistryRecord};
use kinga_domain::outbox::{MessageStatus, OutboxMessage};
use kinga_domain::place::Place;
use kinga_domain::registry::{FocalPoint, Responder, ThreatActor};

use super::views::PlaceCandidateView;
use super::{ApiJson, ApiQuery};
use crate::auth::ApiUser;
use crate::{AppState, WebError};

/// Place resolution query.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ResolveParams {
    /// Name as typed, any spelling or accents.
    pub q: String,
    /// At most this many candidates (1–50, default 10).
    pub limit: Option<u32>,
}

/// Ranked place candidates for a typed name.
#[utoipa::path(get, path = "/api/v1/places/resolve", tag = "registries", params(ResolveParams),
    responses((status = 200, body = Vec<PlaceCandidateView>), (status = 401, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn resolve_places(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<ResolveParams>,
) -> Result<Json<Vec<PlaceCandidateView>>, WebError> {
    let c = st
        .app
        .find_places(&user.caller(), &p.q, p.limit.unwrap_or(10) as usize)?;
    Ok(Json(c.iter().map(Into::into).collect()))
}

/// Place list filters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PlaceParams {
    /// Only places under this P-code (prefix).
    pub under: Option<String>,
    /// At most (default 500, max 5000).
    pub limit: Option<u32>,
}

/// A list of records.
#[derive(Debug, Serialize, ToSchema)]
pub struct Items<T> {
    /// The records.
    pub items: Vec<T>,
}

/// Places, optionally under an area.
#[utoipa::path(get, path = "/api/v1/places", tag = "registries", params(PlaceParams),
    responses((status = 200, description = "Places", body = Items<Place>), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_places(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<PlaceParams>,
) -> Result<Json<Items<Place>>, WebError> {
    let under = p.under.unwrap_or_default();
    let limit = p.limit.unwrap_or(500) as usize;
    let items = st.app.places(&user.caller(), &under, limit)?;
    Ok(Json(Items { items }))
}

/// Responders with their coverage (contacts only for the roles that call responders).
#[utoipa::path(get, path = "/api/v1/responders", tag = "registries",
    responses((status = 200, description = "Responders", body = Items<Responder>), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_responders(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Items<Responder>>, WebError> {
    let items = st.app.responders(&user.caller())?;
    Ok(Json(Items { items }))
}

/// Create or replace a responder (administrators and coordinators).
#[utoipa::path(post, path = "/api/v1/responders", tag = "registries", request_body = Responder,
    responses((status = 200, description = "Saved", body = Responder), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_responder(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(r): ApiJson<Responder>,
) -> Result<Json<Responder>, WebError> {
    st.app
        .save_records(&user.caller(), vec![RegistryRecord::Responder(r.clone())])
        .await?;
    Ok(Json(r))
}

/// Threat actors with aliases.
#[utoipa::path(get, path = "/api/v1/actors", tag = "registries",
    responses((status = 200, description = "Actors", body = Items<ThreatActor>), (status = 401, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_actors(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Items<ThreatActor>>, WebError> {
    let items = st.app.actors(&user.caller()).await?;
    Ok(Json(Items { items }))
}

/// Create or replace a threat actor.
#[utoipa::path(post, path = "/api/v1/actors", tag = "registries", request_body = ThreatActor,
    responses((status = 200, description = "Saved", body = ThreatActor), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_actor(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(a): ApiJson<ThreatActor>,
) -> Result<Json<ThreatActor>, WebError> {
    st.app
        .save_records(&user.caller(), vec![RegistryRecord::Actor(a.clone())])
        .await?;
    Ok(Json(a))
}

/// A focal point as the API shows it: pseudonym, place and language, never the name or number.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FocalPointView {
    /// Id.
    pub id: String,
    /// Pseudonym.
    pub pseudonym: String,
    /// Default place (P-code).
    pub place: Option<String>,
    /// Language.
    pub language: String,
    /// Still active.
    pub active: bool,
}

impl From<&FocalPoint> for FocalPointView {
    fn from(f: &FocalPoint) -> Self {
        FocalPointView {
            id: f.id.clone(),
            pseudonym: f.pseudonym.clone(),
            place: f.place.clone(),
            language: f.language.clone(),
            active: f.active,
        }
    }
}

/// Focal points by pseudonym (identities are never listed), for the roles that run the network.
#[utoipa::path(get, path = "/api/v1/focal-points", tag = "registries",
    responses((status = 200, description = "Focal points", body = Items<FocalPointView>), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_focal_points(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Items<FocalPointView>>, WebError> {
    let fps = st.app.focal_points(&user.caller()).await?;
    Ok(Json(Items {
        items: fps.iter().map(Into::into).collect(),
    }))
}

/// A focal point to register (or update, with its id).
#[derive(Debug, Deserialize, ToSchema)]
pub struct FocalPointBody {
    /// Existing id, to update.
    pub id: Option<String>,
    /// Full name (sealed on arrival).
    pub name: String,
    /// Phone number (sealed on arrival).
    pub phone: String,
    /// Default place (P-code).
    pub place: Option<String>,
    /// `fr`, `en`, `sw` or `ar`; French when empty.
    #[serde(default)]
    pub language: String,
    /// Pseudonym; when absent or empty Kinga gives a code (`FP-` and five characters). One
    /// that names a place of the gazetteer or the focal point itself is refused (422).
    pub pseudonym: Option<String>,
}

/// Register a focal point (or update one, with its id); the answer never holds the name or
/// the number, which are sealed before they are stored.
#[utoipa::path(post, path = "/api/v1/focal-points", tag = "registries", request_body = FocalPointBody,
    responses((status = 200, description = "Saved (pseudonymous view)", body = FocalPointView), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_focal_point(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<FocalPointBody>,
) -> Result<Json<FocalPointView>, WebError> {
    let caller = user.caller();
    let input = FocalPointInput {
        id: b.id,
        name: b.name,
        phone: b.phone,
        place: b.place,
        language: b.language,
        pseudonym: b.pseudonym,
    };
    let fp = st.app.seal_focal_point(&caller, &input).await?;
    st.app
        .save_records(&caller, vec![RegistryRecord::FocalPoint(fp.clone())])
        .await?;
    Ok(Json((&fp).into()))
}

/// Create or replace a place (a settlement under a territory, a new spelling, coordinates).
#[utoipa::path(post, path = "/api/v1/places", tag = "registries", request_body = Place,
    responses((status = 200, description = "Saved", body = Place), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn save_place(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(p): ApiJson<Place>,
) -> Result<Json<Place>, WebError> {
    st.app
        .save_records(&user.caller(), vec![RegistryRecord::Place(p.clone())])
        .await?;
    Ok(Json(p))
}

/// Outbox filter.
#[derive(Debug, Deserialize, IntoParams)]
pub struct OutboxParams {
    /// Only messages about this alert id.
    pub alert: Option<String>,
    /// At most (default 100, max 500).
    pub limit: Option<u32>,
    /// Messages to skip (paging).
    pub offset: Option<u32>,
}

/// A message in the outbox (recipients by pseudonym or name, never a number).
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxMessageView {
    /// Id.
    pub id: String,
    /// `acknowledgement`, `feedback`, `question`, `assignment`, `escalation`, `digest`, `analysis`.
    pub kind: String,
    /// `reporter`, `user` or `responder`.
    pub recipient: String,
    /// Alert it concerns.
    pub alert: Option<String>,
    /// Language.
    pub language: String,
    /// Text.
    pub body: String,
    /// `queued`, `sent`, `delivered`, `failed`; `in_inbox` for a user's inbox copy, which no
    /// gateway carries.
    pub status: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Last gateway error.
    pub last_error: Option<String>,
    /// Queued at.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// `sms`, `email`, `inbox`, `whatsapp` (free text) or `whatsapp_template` (an approved
    /// template, outside WhatsApp's 24-hour window).
    pub channel: Option<String>,
    /// Gateway that took it.
    pub provider: Option<String>,
    /// The gateway's id of the message (its delivery reports quote it).
    pub provider_message_id: Option<String>,
    /// When the next attempt is due, while retrying.
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<&OutboxMessage> for OutboxMessageView {
    fn from(m: &OutboxMessage) -> Self {
        OutboxMessageView {
            id: m.id.clone(),
            kind: snake(&m.kind),
            recipient: match m.recipient {
                kinga_domain::outbox::Recipient::Reporter { .. } => "reporter",
                kinga_domain::outbox::Recipient::User { .. } => "user",
                kinga_domain::outbox::Recipient::Responder { .. } => "responder",
            }
            .into(),
            alert: m.alert.clone(),
            language: m.language.clone(),
            body: m.body.clone(),
            // The inbox copy is read in Kinga: no gateway ever "sent" it.
            status: if m.inbox_user().is_some() && m.status != MessageStatus::Queued {
                "in_inbox".into()
            } else {
                snake(&m.status)
            },
            attempts: m.attempts,
            last_error: m.last_error.clone(),
            created_at: m.created_at,
            channel: m.channel_of().map(String::from),
            provider: m.provider.clone(),
            provider_message_id: m.provider_message_id.clone(),
            next_attempt_at: m.next_attempt_at,
        }
    }
}

/// The snake_case name of a unit enum value.
fn snake<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A page of the outbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxPageView {
    /// Messages, newest first.
    pub items: Vec<OutboxMessageView>,
    /// True when the next page may hold more.
    pub more: bool,
}

/// Messages queued or sent (acknowledgements, feedback, escalations, digests), newest first.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "registries", params(OutboxParams),
    responses((status = 200, description = "Messages", body = OutboxPageView), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_outbox(
    State(st): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<OutboxParams>,
) -> Result<Json<OutboxPageView>, WebError> {
    let q = OutboxQuery {
        statuses: vec![],
        alert: p.alert,
        limit: p.limit.unwrap_or(100) as usize,
        offset: p.offset.unwrap_or(0) as usize,
        ..Default::default()
    };
    let page = st.app.outbox(&user.caller(), q).await?;
    Ok(Json(OutboxPageView {
        items: page.items.iter().map(Into::into).collect(),
        more: page.more,
    }))
}

/// Daily alert tracking digests, newest first.
#[utoipa::path(get, path = "/api/v1/digests", tag = "registries",
    responses((status = 200, description = "Digests", body = Object), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_digests(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Value>, WebError> {
    let items = st.app.digests(&user.caller(), 30).await?;
    Ok(Json(json!({ "items": items })))
}
