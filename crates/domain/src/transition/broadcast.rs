//! Broadcasts to communities: before a base closes, the focal points of an area (and the
//! community networks registered there) are told what changes — the closure, the new numbers
//! to call, who responds from when — each in their own language.
//!
//! The audience of an area `A` (a P-code at any level): every active focal point whose default
//! place is `A` or lies inside it, and every active responder of kind community network or
//! local protection committee that communities consent to and one of whose areas is `A` or
//! lies inside it (the registry's networks; each is reached at its own contact).
//!
//! Language rule: a recipient gets the text in its own language when the broadcast has one
//! (languages compared on their primary subtag, case-insensitively: `sw-CD` reads `sw`);
//! otherwise the text of the broadcast's fallback language, which must have a text. Networks
//! have no language in the registry and get the fallback text.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::limits;
use crate::place::Gazetteer;
use crate::registry::{FocalPoint, Responder, ResponderKind};

/// What a broadcast announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Topic {
    /// A base closes.
    BaseClosure,
    /// New numbers to call for alerts.
    NewNumbers,
    /// Who responds from when.
    WhoResponds,
    /// Anything else.
    Other,
}

impl Topic {
    /// Every topic.
    pub const ALL: [Topic; 4] = [
        Topic::BaseClosure,
        Topic::NewNumbers,
        Topic::WhoResponds,
        Topic::Other,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::BaseClosure => "base_closure",
            Topic::NewNumbers => "new_numbers",
            Topic::WhoResponds => "who_responds",
            Topic::Other => "other",
        }
    }
}

impl std::str::FromStr for Topic {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_lowercase().replace(['-', ' '], "_");
        Topic::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| DomainError::invalid("topic", format!("unknown topic '{s}'")))
    }
}

/// Who a broadcast message went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AudienceKind {
    /// A registered community focal point.
    FocalPoint,
    /// A community network or local protection committee of the responders' registry.
    Network,
}

/// One recipient of a broadcast and the message queued for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sent {
    /// The outbox message.
    pub message: String,
    /// Focal point or network.
    pub kind: AudienceKind,
    /// The focal point's or responder's id.
    pub recipient: String,
    /// What lists show: the focal point's pseudonym, the network's name.
    pub label: String,
    /// The language of the text it got.
    pub language: String,
}

/// A broadcast as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Broadcast {
    /// Stable id.
    pub id: String,
    /// The area (P-code; its places inside are included).
    pub area: String,
    /// What it announces.
    pub topic: Topic,
    /// Its text in each language, by language code.
    pub texts: BTreeMap<String, String>,
    /// The language of the text for recipients whose language has none.
    pub fallback: String,
    /// Each recipient and its message.
    pub sent: Vec<Sent>,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// Who sent it (user name).
    pub created_by: String,
}

/// A recipient before the message is queued.
#[derive(Debug, Clone, PartialEq)]
pub struct Member<'a> {
    /// Focal point or network.
    pub kind: AudienceKind,
    /// The focal point, for focal points.
    pub focal_point: Option<&'a FocalPoint>,
    /// The responder, for networks.
    pub responder: Option<&'a Responder>,
    /// The language of the text it gets.
    pub language: String,
}

impl Member<'_> {
    /// The focal point's or responder's id.
    pub fn id(&self) -> &str {
        self.focal_point
            .map(|f| f.id.as_str())
            .or(self.responder.map(|r| r.id.as_str()))
            .unwrap_or_default()
    }

    /// What lists show.
    pub fn label(&self) -> &str {
        self.focal_point
            .map(|f| f.pseudonym.as_str())
            .or(self.responder.map(|r| r.name.as_str()))
            .unwrap_or_default()
    }
}

/// A language code's primary subtag, lower-cased (`sw-CD` → `sw`).
pub fn primary(lang: &str) -> String {
    lang.trim()
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_lowercase()
}

/// Check and normalise what a planner composed: at least one text, languages as primary
/// subtags (2–3 letters), no empty text kept, a fallback language that has a text.
pub fn check_texts(
    texts: &BTreeMap<String, String>,
    fallback: &str,
) -> Result<(BTreeMap<String, String>, String), DomainError> {
    let mut out = BTreeMap::new();
    for (lang, text) in texts {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let l = primary(lang);
        if !(2..=3).contains(&l.len()) || !l.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(DomainError::invalid(
                "texts",
                format!("'{lang}' is not a language code"),
            ));
        }
        // It goes out by SMS: at most three parts, as a question to a reporter.
        limits::check("text", text, limits::QUESTION)?;
        out.insert(l, text.to_string());
    }
    if out.is_empty() {
        return Err(DomainError::Missing("texts"));
    }
    let fallback = primary(fallback);
    if !out.contains_key(&fallback) {
        return Err(DomainError::invalid(
            "fallback",
            format!("the fallback language '{fallback}' has no text"),
        ));
    }
    Ok((out, fallback))
}

/// The language whose text a recipient reading `language` gets.
pub fn language_for(
    texts: &BTreeMap<String, String>,
    fallback: &str,
    language: Option<&str>,
) -> String {
    match language.map(primary) {
        Some(l) if texts.contains_key(&l) => l,
        _ => fallback.to_string(),
    }
}

/// The audience of `area` (see the module's rule), focal points first, each list by id.
pub fn audience<'a>(
    gaz: &Gazetteer,
    area: &str,
    focal_points: &'a [FocalPoint],
    responders: &'a [Responder],
    texts: &BTreeMap<String, String>,
    fallback: &str,
) -> Vec<Member<'a>> {
    let inside = |p: &str| p == area || gaz.is_within(p, area);
    let mut fps: Vec<&FocalPoint> = focal_points
        .iter()
        .filter(|f| f.active && f.place.as_deref().is_some_and(inside))
        .collect();
    fps.sort_by(|a, b| a.id.cmp(&b.id));
    let mut nets: Vec<&Responder> = responders
        .iter()
        .filter(|r| {
            r.active
                && r.community_consent
                && matches!(
                    r.kind,
                    ResponderKind::CommunityNetwork | ResponderKind::LocalProtectionCommittee
                )
                && r.places.iter().any(|p| inside(p.trim()))
        })
        .collect();
    nets.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out: Vec<Member<'a>> = fps
        .into_iter()
        .map(|f| Member {
            kind: AudienceKind::FocalPoint,
            focal_point: Some(f),
            responder: None,
            language: language_for(texts, fallback, Some(&f.language)),
        })
        .collect();
    out.extend(nets.into_iter().map(|r| Member {
        kind: AudienceKind::Network,
        focal_point: None,
        responder: Some(r),
        language: fallback.to_string(),
    }));
    out
}

/// Delivery of a broadcast's messages, counted by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    /// Waiting for a gateway (retries included).
    pub queued: usize,
    /// Handed to a gateway.
    pub sent: usize,
    /// Confirmed delivered by the gateway.
    pub delivered: usize,
    /// Given up on.
    pub failed: usize,
}

impl Delivery {
    /// Count one message of this status.
    pub fn add(&mut self, status: crate::outbox::MessageStatus) {
        use crate::outbox::MessageStatus::*;
        match status {
            Queued => self.queued += 1,
            Sent => self.sent += 1,
            Delivered => self.delivered += 1,
            Failed => self.failed += 1,
        }
    }
}

#[cfg(test)]
#[path = "broadcast_tests.rs"]
mod tests;
