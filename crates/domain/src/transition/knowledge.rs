//! Institutional memory: notes on threat actors and on past responses — what was tried,
//! whether it worked and why — linked to places and actors, searchable, and kept in the
//! ledger so that a handover carries them to the next custodian.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use super::Stamp;
use super::check::{known, names, text};
use super::community::ids;
use crate::DomainError;
use crate::limits;
use crate::place::Gazetteer;
use crate::text::fold;

/// What a note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NoteKind {
    /// A threat actor: who they are, how they act, who they listen to.
    ThreatActor,
    /// A past response: what was tried, whether it worked, why.
    PastResponse,
    /// Anything else the next team must know.
    Other,
}
ids!(
    NoteKind,
    "note_kind",
    ThreatActor = "threat_actor",
    PastResponse = "past_response",
    Other = "other",
);

/// Whether what was tried worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    /// It worked.
    Worked,
    /// In part.
    Partly,
    /// It did not.
    Failed,
    /// Not known.
    Unknown,
}
ids!(
    Outcome,
    "outcome",
    Worked = "worked",
    Partly = "partly",
    Failed = "failed",
    Unknown = "unknown"
);

/// A knowledge note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KnowledgeNote {
    /// Stable id.
    pub id: String,
    /// What it is about.
    pub note_kind: NoteKind,
    /// A title.
    pub title: String,
    /// The places it concerns (P-codes).
    #[serde(default)]
    pub places: Vec<String>,
    /// The threat actors it concerns (registry ids).
    #[serde(default)]
    pub actors: Vec<String>,
    /// When it happened or was observed.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub happened_on: Option<NaiveDate>,
    /// What is known.
    #[serde(default)]
    pub body: String,
    /// What was tried (past responses).
    #[serde(default)]
    pub tried: String,
    /// Whether it worked (past responses).
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// Why it worked or not.
    #[serde(default)]
    pub why: String,
    /// Version and last change.
    #[serde(flatten)]
    pub stamp: Stamp,
}

/// What a reader looks for among the notes; empty parts match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteQuery {
    /// Words, all of which must appear (accents and case ignored) in the title or texts.
    #[serde(default)]
    pub text: String,
    /// A place: the notes on it, on a place inside it, or on an area holding it.
    #[serde(default)]
    pub place: Option<String>,
    /// An actor's id.
    #[serde(default)]
    pub actor: Option<String>,
    /// One kind.
    #[serde(default)]
    pub kind: Option<NoteKind>,
}

impl KnowledgeNote {
    /// Whether it answers `q`.
    pub fn matches(&self, q: &NoteQuery, gaz: &Gazetteer) -> bool {
        if q.kind.is_some_and(|k| k != self.note_kind) {
            return false;
        }
        if let Some(a) = &q.actor {
            if !self.actors.iter().any(|x| x == a) {
                return false;
            }
        }
        if let Some(p) = &q.place {
            if !self
                .places
                .iter()
                .any(|x| gaz.is_within(x, p) || gaz.is_within(p, x))
            {
                return false;
            }
        }
        let hay = fold(&format!(
            "{} {} {} {}",
            self.title, self.body, self.tried, self.why
        ));
        fold(&q.text).split_whitespace().all(|w| hay.contains(w))
    }
}

/// Tidy a note and refuse what cannot stand: no title, nothing said, an unknown place, an
/// outcome without what was tried, texts past their limits.
pub fn check_note(n: &mut KnowledgeNote, gaz: &Gazetteer) -> Result<(), DomainError> {
    text("title", &mut n.title, limits::NAME)?;
    if n.title.is_empty() {
        return Err(DomainError::Missing("title"));
    }
    text("body", &mut n.body, limits::TEXT)?;
    text("tried", &mut n.tried, limits::TEXT)?;
    text("why", &mut n.why, limits::TEXT)?;
    if n.body.is_empty() && n.tried.is_empty() {
        return Err(DomainError::Missing("body"));
    }
    if n.outcome.is_some() && n.tried.is_empty() {
        return Err(DomainError::Missing("tried"));
    }
    names("places", &mut n.places)?;
    names("actors", &mut n.actors)?;
    for p in &n.places {
        known(gaz, "places", p)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn note() -> KnowledgeNote {
        KnowledgeNote {
            id: "n".into(),
            note_kind: NoteKind::PastResponse,
            title: "Négociation à Minova".into(),
            places: vec!["CD6102-S1".into()],
            actors: vec!["actor-1".into()],
            happened_on: None,
            body: String::new(),
            tried: "Les chefs coutumiers ont été réunis avec le commandant".into(),
            outcome: Some(Outcome::Partly),
            why: "Le commandant a été muté".into(),
            stamp: Stamp {
                version: 1,
                updated_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
                updated_by: "c".into(),
            },
        }
    }

    #[test]
    fn search_ignores_accents_and_follows_the_hierarchy() {
        let gaz = super::super::tests::gaz();
        let n = note();
        let q = |text: &str, place: Option<&str>| NoteQuery {
            text: text.into(),
            place: place.map(Into::into),
            ..NoteQuery::default()
        };
        assert!(n.matches(&q("negociation COMMANDANT", None), &gaz));
        assert!(!n.matches(&q("negociation soldats", None), &gaz));
        assert!(n.matches(&q("", Some("CD61")), &gaz));
        assert!(n.matches(&q("", Some("CD6102-S1")), &gaz));
        assert!(!n.matches(&q("", Some("CD54")), &gaz));
        let mut by_actor = q("", None);
        by_actor.actor = Some("actor-2".into());
        assert!(!n.matches(&by_actor, &gaz));
        by_actor.kind = Some(NoteKind::PastResponse);
        by_actor.actor = Some("actor-1".into());
        assert!(n.matches(&by_actor, &gaz));
    }

    #[test]
    fn a_note_says_something_and_an_outcome_says_what_was_tried() {
        let gaz = super::super::tests::gaz();
        check_note(&mut note(), &gaz).unwrap();
        let mut n = note();
        n.tried.clear();
        assert_eq!(check_note(&mut n, &gaz), Err(DomainError::Missing("body")));
        n.body = "x".into();
        assert_eq!(check_note(&mut n, &gaz), Err(DomainError::Missing("tried")));
        let mut n = note();
        n.title = "".into();
        assert!(check_note(&mut n, &gaz).is_err());
    }
}
