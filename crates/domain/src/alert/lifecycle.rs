//! Deciding a move along the lifecycle: what each move needs, what it records, and the
//! moves that do nothing (asking twice for the state an alert is already in).

use serde::{Deserialize, Serialize};

use super::{Alert, AlertEvent, AlertState};
use crate::DomainError;

/// A move along the lifecycle, asked for by a person.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TransitionRequest {
    /// Target state.
    pub to: Option<AlertState>,
    /// Why (required for unverifiable, false alarm and merge).
    pub reason: Option<String>,
    /// Responders to assign (required for `assigned`).
    #[serde(default)]
    pub responders: Vec<String>,
    /// Outcome told back to the community (required to close a responded alert).
    pub outcome: Option<String>,
    /// Alert this one duplicates (required for `merged`).
    pub merged_into: Option<String>,
    /// What became of the alert, on closing (required to close a verified alert).
    #[serde(default)]
    pub outcome_category: Option<OutcomeCategory>,
    /// The actor the alert was referred to (required with the category `referred`).
    #[serde(default)]
    pub referred_to: Option<String>,
    /// How it was verified, on a move to `verified`.
    #[serde(default)]
    pub verification: Option<Verification>,
    /// Why no feedback SMS goes to the reporter on closing (contact could put them at risk).
    #[serde(default)]
    pub withhold_feedback: Option<String>,
}

impl TransitionRequest {
    /// Every free-text field within its length, before any other work is done.
    pub fn check_lengths(&self) -> Result<(), DomainError> {
        use crate::limits::{self, ID, REASON};
        limits::check_opt("reason", self.reason.as_deref(), REASON)?;
        limits::check_opt("outcome", self.outcome.as_deref(), REASON)?;
        limits::check_list("responders", &self.responders, ID)?;
        limits::check_opt("merged_into", self.merged_into.as_deref(), ID)
    }
}

/// What became of an alert, recorded on closing apart from the words told to the reporter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeCategory {
    /// A responder acted.
    Responded,
    /// Passed to another actor (named in `referred_to`).
    Referred,
    /// Nobody could answer: no responder available.
    NoResponder,
    /// It did not happen.
    FalseAlarm,
    /// The situation resolved itself.
    ResolvedItself,
    /// Anything else (say what in the reason).
    Other,
}

impl OutcomeCategory {
    /// Every category.
    pub const ALL: [OutcomeCategory; 6] = [
        OutcomeCategory::Responded,
        OutcomeCategory::Referred,
        OutcomeCategory::NoResponder,
        OutcomeCategory::FalseAlarm,
        OutcomeCategory::ResolvedItself,
        OutcomeCategory::Other,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeCategory::Responded => "responded",
            OutcomeCategory::Referred => "referred",
            OutcomeCategory::NoResponder => "no_responder",
            OutcomeCategory::FalseAlarm => "false_alarm",
            OutcomeCategory::ResolvedItself => "resolved_itself",
            OutcomeCategory::Other => "other",
        }
    }

    /// The categories a close from `from` may carry, the default first.
    pub fn allowed_from(from: AlertState) -> &'static [OutcomeCategory] {
        use OutcomeCategory::*;
        match from {
            AlertState::Responding => &[Responded, Referred, ResolvedItself, Other],
            AlertState::Verified => &[NoResponder, Referred, ResolvedItself, Other],
            AlertState::FalseAlarm => &[FalseAlarm],
            AlertState::Unverifiable => &[Other, ResolvedItself, Referred],
            _ => &[],
        }
    }
}

impl std::str::FromStr for OutcomeCategory {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OutcomeCategory::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| {
                DomainError::invalid(
                    "outcome_category",
                    format!("unknown outcome category '{s}'"),
                )
            })
    }
}

/// How an alert was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationMethod {
    /// The reporter was called back.
    CallBack,
    /// A second source confirmed it.
    SecondSource,
    /// Someone went to see.
    FieldVisit,
    /// A mission patrol confirmed it.
    MissionPatrol,
    /// Another way (say which in the sources).
    Other,
}

impl VerificationMethod {
    /// Every method.
    pub const ALL: [VerificationMethod; 5] = [
        VerificationMethod::CallBack,
        VerificationMethod::SecondSource,
        VerificationMethod::FieldVisit,
        VerificationMethod::MissionPatrol,
        VerificationMethod::Other,
    ];

    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationMethod::CallBack => "call_back",
            VerificationMethod::SecondSource => "second_source",
            VerificationMethod::FieldVisit => "field_visit",
            VerificationMethod::MissionPatrol => "mission_patrol",
            VerificationMethod::Other => "other",
        }
    }
}

impl std::str::FromStr for VerificationMethod {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VerificationMethod::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| {
                DomainError::invalid("verification.method", format!("unknown method '{s}'"))
            })
    }
}

/// How an alert was verified, as fields rather than prose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// The method.
    pub method: VerificationMethod,
    /// Who or what confirmed it ("chef de groupement", "patrouille TOB Kiwanja").
    #[serde(default)]
    pub sources: Vec<String>,
}

pub(super) fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl Alert {
    /// Decide whether a requested move is allowed and what event it makes; `Ok(None)` when
    /// the alert is already where the move would take it (a form sent twice), which changes
    /// nothing and is not an error.
    pub fn decide_transition(
        &self,
        req: &TransitionRequest,
    ) -> Result<Option<AlertEvent>, DomainError> {
        let to = req.to.ok_or(DomainError::Missing("to"))?;
        let mut responders: Vec<String> = req
            .responders
            .iter()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect();
        responders.dedup();
        // The same move again is a no-op, except a new assignment of an assigned alert.
        if to == self.state
            && !(to == AlertState::Assigned
                && !responders.is_empty()
                && responders != self.assigned)
        {
            return Ok(None);
        }
        let allowed = self.state.next();
        if !allowed.contains(&to) {
            let allowed = if allowed.is_empty() {
                "none (the alert is finished)".to_string()
            } else {
                allowed
                    .iter()
                    .filter(|s| **s != self.state)
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(DomainError::InvalidTransition {
                from: self.state,
                to,
                allowed,
            });
        }
        // A false alarm or unverifiable alert already says why it ends; closing it reuses that.
        let reason = non_empty(&req.reason).or_else(|| match (to, self.state) {
            (AlertState::Closed, AlertState::Unverifiable | AlertState::FalseAlarm) => {
                self.last_reason()
            }
            _ => None,
        });
        let mut outcome = non_empty(&req.outcome);
        let merged_into = non_empty(&req.merged_into);
        let referred_to = non_empty(&req.referred_to);
        let withheld = non_empty(&req.withhold_feedback);
        let going_back = to == AlertState::Verified && self.state != AlertState::Acknowledged;
        match to {
            AlertState::Unverifiable | AlertState::FalseAlarm if reason.is_none() => {
                return Err(DomainError::Missing("reason"));
            }
            // Declined, replaced or withdrawn: the timeline must say why.
            AlertState::Verified if going_back && reason.is_none() => {
                return Err(DomainError::Missing("reason"));
            }
            AlertState::Acknowledged if self.state == AlertState::Closed && reason.is_none() => {
                return Err(DomainError::Missing("reason"));
            }
            AlertState::Merged => match &merged_into {
                None => return Err(DomainError::Missing("merged_into")),
                Some(target) if *target == self.id || *target == self.reference => {
                    return Err(DomainError::invalid(
                        "merged_into",
                        "an alert cannot be merged into itself",
                    ));
                }
                Some(_) => {}
            },
            AlertState::Assigned if responders.is_empty() => {
                return Err(DomainError::Missing("responders"));
            }
            _ => {}
        }
        let category = if to == AlertState::Closed {
            let allowed = OutcomeCategory::allowed_from(self.state);
            let category = match req.outcome_category {
                Some(c) if allowed.contains(&c) => c,
                Some(c) => {
                    return Err(DomainError::invalid(
                        "outcome_category",
                        format!(
                            "an alert closed from '{}' cannot be '{}'; allowed: {}",
                            self.state,
                            c.as_str(),
                            allowed
                                .iter()
                                .map(|c| c.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                // A verified alert closed without a responder must say why, honestly.
                None if self.state == AlertState::Verified => {
                    return Err(DomainError::Missing("outcome_category"));
                }
                None => allowed[0],
            };
            if category == OutcomeCategory::Referred && referred_to.is_none() {
                return Err(DomainError::Missing("referred_to"));
            }
            // The outcome is what the reporter is told: a responded alert needs a real one;
            // any other close at least the reason it ends (or none when nothing is sent).
            if outcome.is_none() {
                outcome = reason.clone();
            }
            let needs_words =
                category == OutcomeCategory::Responded && non_empty(&req.outcome).is_none();
            if needs_words
                || (outcome.is_none()
                    && withheld.is_none()
                    && category != OutcomeCategory::NoResponder
                    && category != OutcomeCategory::Referred)
            {
                return Err(DomainError::Missing("outcome"));
            }
            Some(category)
        } else {
            outcome = None;
            None
        };
        Ok(Some(AlertEvent::Transitioned {
            from: self.state,
            to,
            reason,
            responders: if to == AlertState::Assigned {
                responders
            } else {
                vec![]
            },
            outcome,
            merged_into: if to == AlertState::Merged {
                merged_into
            } else {
                None
            },
            outcome_category: category,
            referred_to: if category == Some(OutcomeCategory::Referred) {
                referred_to
            } else {
                None
            },
            verification: if to == AlertState::Verified && !going_back {
                req.verification.clone().map(|mut v| {
                    v.sources = v
                        .sources
                        .iter()
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect();
                    v
                })
            } else {
                None
            },
            feedback_withheld: if to == AlertState::Closed {
                withheld
            } else {
                None
            },
            deadlines: None,
        }))
    }

    /// The reason given with the latest lifecycle move, if any.
    fn last_reason(&self) -> Option<String> {
        self.timeline.iter().rev().find_map(|t| match &t.event {
            AlertEvent::Transitioned { reason, .. } => Some(reason.clone()),
            _ => None,
        })?
    }
}
