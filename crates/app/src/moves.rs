//! Moving an alert along its lifecycle (with the reporter's feedback on closing and the
//! responders' assignments) and triage corrections, and the plumbing every change to an alert
//! shares. Each change is decided on the alert's current version and committed with its
//! events; a concurrent change makes it decide again. Work around an alert (questions, notes,
//! taking it, responses, stale alerts) is in [`crate::work`].

use kinga_domain::alert::{OutcomeCategory, TriageUpdate};
use kinga_domain::outbox::{self, MessageKind, OutboxMessage, Recipient};
use kinga_domain::people::{Permission, Role};
use kinga_domain::{Alert, AlertEvent, AlertState, DomainError, TransitionRequest};
use kinga_ledger::{DraftEvent, Payload};
use kinga_store::{Commit, StoreError, Write};

use crate::alerts::RETRIES;
use crate::{App, AppError, AppResult, Caller, limits};

// Callers read the stale threshold here, beside the other moves.
pub use crate::work::STALE_AFTER_DAYS;

/// What a move did.
#[derive(Debug, Clone)]
pub struct Moved {
    /// The alert after the move, as the caller may see it.
    pub alert: Alert,
    /// False when the alert was already where the move would take it (nothing changed).
    pub changed: bool,
}

impl App {
    /// Move an alert along its lifecycle. Asking for the state it is already in changes
    /// nothing and is no error (`changed: false`). Responders may only start, decline or
    /// withdraw from alerts assigned to them; every other move is for those who triage.
    pub async fn transition(
        &self,
        caller: &Caller,
        id_or_ref: &str,
        req: TransitionRequest,
    ) -> AppResult<Moved> {
        req.check_lengths()?;
        limits::check_opt("referred_to", req.referred_to.as_deref(), limits::NAME)?;
        limits::check_opt(
            "withhold_feedback",
            req.withhold_feedback.as_deref(),
            limits::REASON,
        )?;
        if let Some(v) = &req.verification {
            limits::check_list("verification.sources", &v.sources, limits::NAME)?;
        }
        let to = req.to.ok_or(DomainError::Missing("to"))?;
        for _ in 0..RETRIES {
            let mut alert = self.visible_alert(caller, id_or_ref).await?;
            self.may_move(caller, &alert, to)?;
            let Some(mut event) = alert.decide_transition(&req)? else {
                return Ok(Moved {
                    alert: self.shown_to(caller, alert),
                    changed: false,
                });
            };
            let mut events = vec![];
            let mut writes = vec![];
            if to == AlertState::Assigned {
                let known = self.caches.responders();
                for r in &req.responders {
                    if !known.iter().any(|k| k.id == r.trim()) {
                        return Err(AppError::Invalid(format!("unknown responder '{r}'")));
                    }
                }
            }
            if to == AlertState::Merged {
                let target_ref = req.merged_into.clone().unwrap_or_default();
                let mut target = self.visible_alert(caller, &target_ref).await?;
                if target.id == alert.id {
                    return Err(AppError::Invalid(
                        "an alert cannot be merged into itself".into(),
                    ));
                }
                if !target.state.is_open() {
                    return Err(AppError::Invalid(format!(
                        "{} is {} and cannot absorb duplicates",
                        target.reference, target.state
                    )));
                }
                let by_id = TransitionRequest {
                    merged_into: Some(target.id.clone()),
                    ..req.clone()
                };
                if let Some(e) = alert.decide_transition(&by_id)? {
                    event = e;
                }
                let absorbed = AlertEvent::DuplicateAbsorbed {
                    alert: alert.id.clone(),
                };
                let v = target.version;
                target.apply(absorbed, &caller.name, self.now());
                events.push(self.alert_draft(&target));
                writes.push(Write::Alert {
                    alert: Box::new(target),
                    expected_version: Some(v),
                });
            }
            if let AlertEvent::Transitioned {
                from: AlertState::Closed,
                deadlines,
                ..
            } = &mut event
            {
                // Reopened: the deadlines run again from now.
                *deadlines = Some(
                    self.settings
                        .deadlines
                        .policy()
                        .deadlines(alert.severity, self.now()),
                );
            }
            let version = alert.version;
            alert.apply(event, &caller.name, self.now());
            events.insert(0, self.alert_draft(&alert));
            if to == AlertState::Closed {
                self.queue_feedback(&mut alert, caller, &mut events, &mut writes);
            }
            if to == AlertState::Assigned {
                self.queue_assignments(&alert, caller, &mut events, &mut writes);
            }
            writes.insert(
                0,
                Write::Alert {
                    alert: Box::new(alert.clone()),
                    expected_version: Some(version),
                },
            );
            if self.commit_decided(Commit { events, writes }).await? {
                return Ok(Moved {
                    alert: self.shown_to(caller, alert),
                    changed: true,
                });
            }
        }
        Err(gave_up(id_or_ref))
    }

    /// Whether the caller may make this move on this alert.
    fn may_move(&self, caller: &Caller, alert: &Alert, to: AlertState) -> AppResult<()> {
        if caller.role.can(Permission::TriageAlerts) {
            return Ok(());
        }
        caller.require(Permission::RespondAlerts)?;
        // A responder starts, declines or withdraws from its own assignments, nothing else.
        let own = caller
            .responder
            .as_ref()
            .is_some_and(|r| alert.assigned.contains(r));
        let allowed = matches!(
            (alert.state, to),
            (AlertState::Assigned, AlertState::Responding)
                | (
                    AlertState::Assigned | AlertState::Responding,
                    AlertState::Verified
                )
        ) || alert.state == to;
        if own && allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "the role '{}' may start, decline or withdraw from its own assignments only",
                caller.role
            )))
        }
    }

    /// On closing, tell the reporter what became of the alert, in their language, unless the
    /// liaison assistant withheld it (the reason stays on the timeline).
    pub(crate) fn queue_feedback(
        &self,
        alert: &mut Alert,
        caller: &Caller,
        events: &mut Vec<DraftEvent>,
        writes: &mut Vec<Write>,
    ) {
        let withheld = matches!(
            alert.timeline.last().map(|t| &t.event),
            Some(AlertEvent::Transitioned {
                feedback_withheld: Some(_),
                ..
            })
        );
        if withheld || alert.reporter.phone_sealed.is_none() {
            return;
        }
        let lang = outbox::message_language(alert.reporter.language.as_deref());
        // The liaison assistant's words go out only when written in the reporter's language.
        let details = alert
            .outcome
            .as_deref()
            .filter(|o| kinga_domain::sms::language_of(o).is_none_or(|l| l == lang));
        let category = alert.outcome_category.unwrap_or(OutcomeCategory::Other);
        let text = outbox::feedback_text(Some(lang), &alert.reference, category, details);
        self.queue_reporter_message(alert, MessageKind::Feedback, text, caller, events, writes);
    }

    /// Correct an alert's place, threat type or severity during triage; routing and
    /// deadlines follow the correction. A new threat type brings its default severity unless
    /// a person chose the severity.
    pub async fn triage(
        &self,
        caller: &Caller,
        id_or_ref: &str,
        update: TriageUpdate,
    ) -> AppResult<Alert> {
        caller.require(Permission::TriageAlerts)?;
        limits::check_opt("place", update.place.as_deref(), limits::ID)?;
        let gaz = self.caches.gazetteer();
        if let Some(p) = &update.place {
            if gaz.get(p).is_none() {
                return Err(AppError::Invalid(format!("unknown place P-code '{p}'")));
            }
        }
        for _ in 0..RETRIES {
            let mut alert = self.visible_alert(caller, id_or_ref).await?;
            if !alert.state.is_open() {
                return Err(AppError::Invalid(format!(
                    "{} is {} and can no longer be changed",
                    alert.reference, alert.state
                )));
            }
            let mut update = update.clone();
            let new_type = update.threat_type.filter(|t| Some(*t) != alert.threat_type);
            let derived_severity = match (update.severity, new_type) {
                (None, Some(t)) if !alert.severity_set => {
                    update.severity = Some(t.default_severity());
                    true
                }
                _ => false,
            };
            let place = update.place.clone().or(alert.place.clone());
            let threat = update.threat_type.or(alert.threat_type);
            let deadlines = update.severity.filter(|s| *s != alert.severity).map(|s| {
                self.settings
                    .deadlines
                    .policy()
                    .deadlines(s, alert.received_at)
            });
            let r = self.route_alert(&gaz, place.as_deref(), threat, self.now());
            let event = AlertEvent::Triaged {
                update,
                deadlines,
                proposed_responders: r.proposed,
                uncovered: r.uncovered,
                derived_severity,
            };
            if self.commit_event(caller, &mut alert, event).await? {
                return Ok(self.shown_to(caller, alert));
            }
        }
        Err(gave_up(id_or_ref))
    }

    /// Apply one event to an alert decided at its current version and commit it; false when
    /// someone changed the alert first (the caller decides again on fresh data).
    pub(crate) async fn commit_event(
        &self,
        caller: &Caller,
        alert: &mut Alert,
        event: AlertEvent,
    ) -> AppResult<bool> {
        let version = alert.version;
        alert.apply(event, &caller.name, self.now());
        let commit = Commit {
            events: vec![self.alert_draft(alert)],
            writes: vec![Write::Alert {
                alert: Box::new(alert.clone()),
                expected_version: Some(version),
            }],
        };
        self.commit_decided(commit).await
    }

    /// The ledger event of the alert's newest timeline entry, stamped with the very actor and
    /// time the alert recorded, so that folding the ledger rebuilds the alert exactly.
    pub(crate) fn alert_draft(&self, alert: &Alert) -> DraftEvent {
        let (actor, at, event) = match alert.timeline.last() {
            Some(t) => (t.actor.clone(), t.at, t.event.clone()),
            // Every alert starts with its intake entry; this arm is never taken.
            None => (
                String::new(),
                self.now(),
                AlertEvent::MessageAttached {
                    text: String::new(),
                    channel: alert.channel,
                },
            ),
        };
        DraftEvent {
            id: self.new_id(),
            actor,
            at,
            payload: Payload::Alert {
                alert: alert.id.clone(),
                event,
            },
        }
    }

    /// Commit a change decided on alerts at their stored versions; false when someone changed
    /// one of them first (the caller decides again on fresh data).
    pub(crate) async fn commit_decided(&self, commit: Commit) -> AppResult<bool> {
        match self.commit(commit).await {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Queue a message to an alert's reporter and note it on the alert.
    pub(crate) fn queue_reporter_message(
        &self,
        alert: &mut Alert,
        kind: MessageKind,
        body: String,
        caller: &Caller,
        events: &mut Vec<DraftEvent>,
        writes: &mut Vec<Write>,
    ) {
        // Reporters are only ever reached by SMS, so the stored body is the one that goes out.
        let message = OutboxMessage::queued(
            self.new_id(),
            kind,
            Recipient::Reporter {
                phone_sealed: alert.reporter.phone_sealed.clone(),
                pseudonym: alert.reporter.pseudonym.clone(),
            },
            Some(alert.id.clone()),
            outbox::message_language(alert.reporter.language.as_deref()).to_string(),
            outbox::sms_body(&body),
            self.now(),
        );
        let noted = AlertEvent::FeedbackQueued {
            message: message.id.clone(),
        };
        alert.apply(noted, &caller.name, self.now());
        events.push(self.alert_draft(alert));
        events.push(self.draft(
            &caller.name,
            Payload::MessageQueued {
                message: message.clone(),
            },
        ));
        writes.push(Write::Outbox(message));
    }

    fn queue_assignments(
        &self,
        alert: &Alert,
        caller: &Caller,
        events: &mut Vec<DraftEvent>,
        writes: &mut Vec<Write>,
    ) {
        let gaz = self.caches.gazetteer();
        let place = alert
            .place
            .as_deref()
            .map(|p| gaz.label(p))
            .unwrap_or_else(|| "?".into());
        let threat = alert.threat_type.map(|t| t.label("fr")).unwrap_or("?");
        for r in &alert.assigned {
            let message = OutboxMessage::queued(
                self.new_id(),
                MessageKind::Assignment,
                Recipient::Responder {
                    responder: r.clone(),
                },
                Some(alert.id.clone()),
                "fr".into(),
                outbox::assignment_text(
                    &alert.reference,
                    alert.severity.level(),
                    threat,
                    &place,
                    &alert.text,
                ),
                self.now(),
            );
            events.push(self.draft(
                &caller.name,
                Payload::MessageQueued {
                    message: message.clone(),
                },
            ));
            writes.push(Write::Outbox(message));
        }
    }
}

/// The error once every retry found the alert changed by someone else.
pub(crate) fn gave_up(id_or_ref: &str) -> AppError {
    AppError::Store(StoreError::Conflict(format!("alert {id_or_ref}")))
}

/// True for the roles that may see internal notes on an alert's timeline.
pub fn sees_notes(role: Role) -> bool {
    role.can(Permission::TriageAlerts) || role.can(Permission::RespondAlerts)
}
