//! Broadcasts to communities (the audience and language rules are in
//! `kinga_domain::transition::broadcast`): a planner composes one for an area, one message per
//! recipient goes through the outbox in the recipient's language, all in one commit with the
//! `broadcast_sent` event; readers see each broadcast's delivery counted from its messages'
//! statuses, which gateways' delivery reports move.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use kinga_domain::outbox::{self, MessageKind, OutboxMessage, Recipient};
use kinga_domain::people::Permission;
use kinga_domain::transition::broadcast::{
    Broadcast, Delivery, Sent, Topic, audience, check_texts,
};
use kinga_ledger::Payload;
use kinga_store::{Commit, Write};

use crate::{App, AppError, AppResult, Caller, limits};

/// What a planner composes.
#[derive(Debug, Clone, Deserialize)]
pub struct BroadcastInput {
    /// The area (P-code); its places inside are included.
    pub area: String,
    /// What it announces.
    pub topic: Topic,
    /// The text in each language (`fr`, `en`, `sw`, …); empty texts are left out.
    pub texts: BTreeMap<String, String>,
    /// The language of the text for recipients whose language has none (default `fr`).
    #[serde(default)]
    pub fallback: Option<String>,
}

/// A broadcast with its delivery.
#[derive(Debug, Clone, Serialize)]
pub struct BroadcastView {
    /// The broadcast.
    pub broadcast: Broadcast,
    /// Its messages counted by delivery status.
    pub delivery: Delivery,
    /// Recipients per language of the text they got.
    pub languages: BTreeMap<String, usize>,
}

/// Who would get a broadcast, before it is sent.
#[derive(Debug, Clone, Serialize)]
pub struct BroadcastPreview {
    /// The area (P-code).
    pub area: String,
    /// The fallback language retained.
    pub fallback: String,
    /// Each recipient (focal points by pseudonym, networks by name) and the language of the
    /// text it would get, focal points first.
    pub recipients: Vec<Sent>,
    /// Recipients per language of the text they would get.
    pub languages: BTreeMap<String, usize>,
}

/// The fallback language when a planner names none.
pub const DEFAULT_FALLBACK: &str = "fr";

/// An area, its checked texts by language and its fallback language.
type Composed = (String, BTreeMap<String, String>, String);

fn nobody(area: &str) -> AppError {
    AppError::Invalid(format!(
        "nobody to tell in {area}: no active focal point or community network there"
    ))
}

impl App {
    /// The area, checked texts and fallback of what a planner composed.
    fn composed(&self, input: &BroadcastInput) -> AppResult<Composed> {
        let area = input.area.trim().to_string();
        limits::check("area", &area, limits::ID)?;
        if self.gazetteer().get(&area).is_none() {
            return Err(AppError::NotFound(format!("place {area}")));
        }
        let fallback = input.fallback.as_deref().unwrap_or(DEFAULT_FALLBACK);
        let (texts, fallback) = check_texts(&input.texts, fallback)?;
        Ok((area, texts, fallback))
    }

    /// Who a broadcast would reach and in which language, without sending anything (the
    /// same checks and refusals as sending it).
    pub async fn preview_broadcast(
        &self,
        caller: &Caller,
        input: &BroadcastInput,
    ) -> AppResult<BroadcastPreview> {
        caller.require(Permission::PlanTransition)?;
        let (area, texts, fallback) = self.composed(input)?;
        let gaz = self.gazetteer();
        let focal_points = self.store.focal_points().await?;
        let responders = self.caches.responders();
        let members = audience(&gaz, &area, &focal_points, &responders, &texts, &fallback);
        if members.is_empty() {
            return Err(nobody(&area));
        }
        let recipients: Vec<Sent> = members
            .iter()
            .map(|m| Sent {
                message: String::new(),
                kind: m.kind,
                recipient: m.id().to_string(),
                label: m.label().to_string(),
                language: m.language.clone(),
            })
            .collect();
        let mut languages = BTreeMap::new();
        for r in &recipients {
            *languages.entry(r.language.clone()).or_insert(0) += 1;
        }
        Ok(BroadcastPreview {
            area,
            fallback,
            recipients,
            languages,
        })
    }

    /// Send a broadcast to the focal points and networks of an area, each in its language.
    pub async fn send_broadcast(
        &self,
        caller: &Caller,
        input: BroadcastInput,
    ) -> AppResult<BroadcastView> {
        caller.require(Permission::PlanTransition)?;
        let (area, texts, fallback) = self.composed(&input)?;
        let gaz = self.gazetteer();
        let focal_points = self.store.focal_points().await?;
        let responders = self.caches.responders();
        let members = audience(&gaz, &area, &focal_points, &responders, &texts, &fallback);
        if members.is_empty() {
            return Err(nobody(&area));
        }
        let now = self.now();
        let mut events = Vec::with_capacity(members.len() + 1);
        let mut writes = Vec::with_capacity(members.len() + 1);
        let mut sent = Vec::with_capacity(members.len());
        for m in &members {
            let recipient = match (m.focal_point, m.responder) {
                (Some(f), _) => Recipient::Reporter {
                    phone_sealed: Some(f.phone_sealed.clone()),
                    pseudonym: Some(f.pseudonym.clone()),
                },
                (None, Some(r)) => Recipient::Responder {
                    responder: r.id.clone(),
                },
                (None, None) => continue,
            };
            let body = texts.get(&m.language).cloned().unwrap_or_default();
            let message = OutboxMessage::queued(
                self.new_id(),
                MessageKind::Broadcast,
                recipient,
                None,
                m.language.clone(),
                outbox::sms_body(&body),
                now,
            );
            sent.push(Sent {
                message: message.id.clone(),
                kind: m.kind,
                recipient: m.id().to_string(),
                label: m.label().to_string(),
                language: m.language.clone(),
            });
            events.push(self.draft(
                &caller.name,
                Payload::MessageQueued {
                    message: message.clone(),
                },
            ));
            writes.push(Write::Outbox(message));
        }
        let broadcast = Broadcast {
            id: self.new_id(),
            area,
            topic: input.topic,
            texts,
            fallback,
            sent,
            created_at: now,
            created_by: caller.name.clone(),
        };
        events.insert(
            0,
            self.draft(
                &caller.name,
                Payload::BroadcastSent {
                    broadcast: broadcast.clone(),
                },
            ),
        );
        writes.push(Write::Broadcast(broadcast.clone()));
        self.commit(Commit { events, writes }).await?;
        self.broadcast_view(broadcast).await
    }

    async fn broadcast_view(&self, broadcast: Broadcast) -> AppResult<BroadcastView> {
        let ids: Vec<String> = broadcast.sent.iter().map(|s| s.message.clone()).collect();
        let mut delivery = Delivery::default();
        for m in self.store.outbox_messages(&ids).await? {
            delivery.add(m.status);
        }
        let mut languages = BTreeMap::new();
        for s in &broadcast.sent {
            *languages.entry(s.language.clone()).or_insert(0) += 1;
        }
        Ok(BroadcastView {
            broadcast,
            delivery,
            languages,
        })
    }

    /// Every broadcast, newest first, with its delivery.
    pub async fn broadcasts(&self, caller: &Caller) -> AppResult<Vec<BroadcastView>> {
        caller.require(Permission::ReadTransition)?;
        let mut out = Vec::new();
        for b in self.store.broadcasts().await? {
            out.push(self.broadcast_view(b).await?);
        }
        Ok(out)
    }

    /// One broadcast with its delivery.
    pub async fn broadcast(&self, caller: &Caller, id: &str) -> AppResult<BroadcastView> {
        caller.require(Permission::ReadTransition)?;
        let b = self
            .store
            .broadcasts()
            .await?
            .into_iter()
            .find(|b| b.id == id)
            .ok_or_else(|| AppError::NotFound("broadcast".into()))?;
        self.broadcast_view(b).await
    }
}
