//! `/api/v1/transition/broadcasts`: messages to an area's focal points and community networks
//! announcing a base closure, new numbers or who responds from when, each recipient in its
//! language, with delivery counted from the outbox.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use kinga_app::transition::{BroadcastInput, BroadcastPreview, BroadcastView};
use kinga_domain::transition::broadcast::{Broadcast, Delivery, Sent, Topic};

use super::ApiJson;
use crate::auth::ApiUser;
use crate::{AppState, WebError};

type ErrorBody = crate::error::ErrorBody;

/// What a planner composes.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewBroadcast {
    /// The area (P-code); the places inside it are included.
    pub area: String,
    /// `base_closure`, `new_numbers`, `who_responds` or `other`.
    pub topic: Topic,
    /// The text by language code (`fr`, `en`, `sw`, …; at most 450 characters each, three SMS).
    pub texts: BTreeMap<String, String>,
    /// The language whose text goes to recipients whose language has none (default `fr`; it
    /// must have a text).
    #[serde(default)]
    pub fallback: Option<String>,
}

/// A broadcast with its delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct BroadcastBody {
    /// The broadcast: area, topic, texts, each recipient with its message and language.
    pub broadcast: Broadcast,
    /// Its messages by delivery status (`queued`, `sent`, `delivered`, `failed`).
    pub delivery: Delivery,
    /// Recipients per language of the text they got.
    pub languages: BTreeMap<String, usize>,
}

impl From<BroadcastView> for BroadcastBody {
    fn from(v: BroadcastView) -> Self {
        BroadcastBody {
            broadcast: v.broadcast,
            delivery: v.delivery,
            languages: v.languages,
        }
    }
}

/// Send a broadcast: one message per focal point and network of the area, through the outbox.
#[utoipa::path(post, path = "/api/v1/transition/broadcasts", tag = "transition",
    request_body = NewBroadcast,
    responses((status = 201, body = BroadcastBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn send(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<NewBroadcast>,
) -> Result<(StatusCode, Json<BroadcastBody>), WebError> {
    let input = BroadcastInput {
        area: body.area,
        topic: body.topic,
        texts: body.texts,
        fallback: body.fallback,
    };
    let v = st.app.send_broadcast(&user.caller(), input).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// Every broadcast, newest first, with its delivery.
#[utoipa::path(get, path = "/api/v1/transition/broadcasts", tag = "transition",
    responses((status = 200, body = Vec<BroadcastBody>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<BroadcastBody>>, WebError> {
    let all = st.app.broadcasts(&user.caller()).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// One broadcast with its delivery.
#[utoipa::path(get, path = "/api/v1/transition/broadcasts/{id}", tag = "transition",
    params(("id" = String, Path, description = "Broadcast id")),
    responses((status = 200, body = BroadcastBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_one(
    State(st): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<BroadcastBody>, WebError> {
    Ok(Json(st.app.broadcast(&user.caller(), &id).await?.into()))
}

/// Who a broadcast would reach.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewBody {
    /// The area (P-code).
    pub area: String,
    /// The fallback language retained.
    pub fallback: String,
    /// Each recipient (`kind`, `recipient` id, `label`: pseudonym or network name) and the
    /// language of the text it would get; `message` is empty: nothing is queued.
    pub recipients: Vec<Sent>,
    /// Recipients per language of the text they would get.
    pub languages: BTreeMap<String, usize>,
}

impl From<BroadcastPreview> for PreviewBody {
    fn from(p: BroadcastPreview) -> Self {
        PreviewBody {
            area: p.area,
            fallback: p.fallback,
            recipients: p.recipients,
            languages: p.languages,
        }
    }
}

/// Preview a broadcast: who would get it and in which language, nothing sent (the same
/// refusals as sending it).
#[utoipa::path(post, path = "/api/v1/transition/broadcasts/preview", tag = "transition",
    request_body = NewBroadcast,
    responses((status = 200, body = PreviewBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn preview(
    State(st): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<NewBroadcast>,
) -> Result<Json<PreviewBody>, WebError> {
    let input = BroadcastInput {
        area: body.area,
        topic: body.topic,
        texts: body.texts,
        fallback: body.fallback,
    };
    let p = st.app.preview_broadcast(&user.caller(), &input).await?;
    Ok(Json(p.into()))
}
