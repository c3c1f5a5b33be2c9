//! Working an alert after intake, around its lifecycle rather than along it: questions to the
//! reporter, internal notes, taking an alert, a responder's report, and closing stale alerts
//! in bulk. Each change is decided on the alert's current version and committed with its
//! events; a concurrent change makes it decide again.

use chrono::Duration;

use kinga_domain::alert::OutcomeCategory;
use kinga_domain::outbox::{self, MessageKind};
use kinga_domain::people::Permission;
use kinga_domain::{Alert, AlertEvent, AlertState, DomainError};
use kinga_store::{Commit, Write};

use crate::alerts::RETRIES;
use crate::moves::gave_up;
use crate::{App, AppError, AppResult, Caller, limits};

/// How long past its deadline an alert is *stale*: left behind, not just late.
pub const STALE_AFTER_DAYS: i64 = 14;

impl App {
    /// Send the reporter a question about their alert (by SMS, through the outbox). Their
    /// answer comes back as a reply attached to the alert.
    pub async fn ask_reporter(
        &self,
        caller: &Caller,
        id_or_ref: &str,
        question: &str,
    ) -> AppResult<Alert> {
        caller.require(Permission::TriageAlerts)?;
        limits::check("text", question, limits::QUESTION)?;
        let question = question.trim();
        if question.is_empty() {
            return Err(DomainError::Missing("text").into());
        }
        for _ in 0..RETRIES {
            let mut alert = self.visible_alert(caller, id_or_ref).await?;
            if !alert.state.is_open() {
                return Err(AppError::Invalid(format!(
                    "{} is {}: there is nothing left to ask",
                    alert.reference, alert.state
                )));
            }
            if alert.reporter.phone_sealed.is_none() {
                return Err(AppError::Invalid(format!(
                    "{} has no reporter number to write to",
                    alert.reference
                )));
            }
            let version = alert.version;
            let body = outbox::question_text(&alert.reference, question);
            let (mut events, mut writes) = (vec![], vec![]);
            self.queue_reporter_message(
                &mut alert,
                MessageKind::Question,
                body,
                caller,
                &mut events,
                &mut writes,
            );
            writes.insert(
                0,
                Write::Alert {
                    alert: Box::new(alert.clone()),
                    expected_version: Some(version),
                },
            );
            if self.commit_decided(Commit { events, writes }).await? {
                return Ok(self.shown_to(caller, alert));
            }
        }
        Err(gave_up(id_or_ref))
    }

    /// Add an internal note to an alert: never sent to anyone, shown on its timeline to those
    /// who work the alert (triage roles, and responders on their own assignments).
    pub async fn add_note(&self, caller: &Caller, id_or_ref: &str, text: &str) -> AppResult<Alert> {
        limits::check("note", text, limits::REASON)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(DomainError::Missing("note").into());
        }
        if !caller.role.can(Permission::TriageAlerts) {
            caller.require(Permission::RespondAlerts)?;
        }
        let event = AlertEvent::NoteAdded {
            text: text.to_string(),
        };
        self.change(caller, id_or_ref, |_| Ok(Some(event.clone())))
            .await
    }

    /// Take an alert as one's own ("mine"), or let it go (`take: false`).
    pub async fn take(&self, caller: &Caller, id_or_ref: &str, take: bool) -> AppResult<Alert> {
        caller.require(Permission::TriageAlerts)?;
        let by = take.then(|| caller.name.clone());
        self.change(caller, id_or_ref, |a| {
            if !a.state.is_open() {
                return Err(AppError::Invalid(format!(
                    "{} is {}: there is nothing left to take",
                    a.reference, a.state
                )));
            }
            Ok((a.taken_by != by).then(|| AlertEvent::Taken { by: by.clone() }))
        })
        .await
    }

    /// A responder's report of what it did about an alert assigned to it; the liaison
    /// assistant closes the alert from it.
    pub async fn report_response(
        &self,
        caller: &Caller,
        id_or_ref: &str,
        outcome: &str,
    ) -> AppResult<Alert> {
        caller.require(Permission::RespondAlerts)?;
        limits::check("outcome", outcome, limits::REASON)?;
        let outcome = outcome.trim();
        if outcome.is_empty() {
            return Err(DomainError::Missing("outcome").into());
        }
        let responder = caller.responder.clone();
        self.change(caller, id_or_ref, |a| {
            let Some(r) = responder.clone().filter(|r| a.assigned.contains(r)) else {
                return Err(AppError::Forbidden(format!(
                    "{} is not assigned to your organisation",
                    a.reference
                )));
            };
            if !matches!(a.state, AlertState::Assigned | AlertState::Responding) {
                return Err(AppError::Invalid(format!(
                    "{} is {}: there is no response to report",
                    a.reference, a.state
                )));
            }
            Ok(Some(AlertEvent::ResponseReported {
                responder: r,
                outcome: outcome.to_string(),
            }))
        })
        .await
    }

    /// Close, with a reason, alerts left behind: each must be open and past its current
    /// deadline by [`STALE_AFTER_DAYS`] days or more (an alert that moved meanwhile is left
    /// alone). Coordinators only. Returns the references closed.
    pub async fn close_stale(
        &self,
        caller: &Caller,
        ids: &[String],
        reason: &str,
        notify_reporters: bool,
    ) -> AppResult<Vec<String>> {
        caller.require(Permission::Coordinate)?;
        limits::check("reason", reason, limits::REASON)?;
        limits::check_list("alerts", ids, limits::ID)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DomainError::Missing("reason").into());
        }
        let now = self.now();
        let mut closed = vec![];
        for id in ids {
            for _ in 0..RETRIES {
                let mut alert = self.visible_alert(caller, id).await?;
                let stale = alert
                    .next_deadline()
                    .is_some_and(|(_, at)| at <= now - Duration::days(STALE_AFTER_DAYS));
                if !(alert.state.is_open() && stale) {
                    break;
                }
                let event = AlertEvent::Transitioned {
                    from: alert.state,
                    to: AlertState::Closed,
                    reason: Some(reason.to_string()),
                    responders: vec![],
                    outcome: Some(reason.to_string()),
                    merged_into: None,
                    outcome_category: Some(OutcomeCategory::Other),
                    referred_to: None,
                    verification: None,
                    feedback_withheld: (!notify_reporters)
                        .then(|| "closed as stale without telling the reporter".to_string()),
                    deadlines: None,
                };
                let version = alert.version;
                alert.apply(event, &caller.name, now);
                let mut events = vec![self.alert_draft(&alert)];
                let mut writes = vec![];
                self.queue_feedback(&mut alert, caller, &mut events, &mut writes);
                writes.insert(
                    0,
                    Write::Alert {
                        alert: Box::new(alert.clone()),
                        expected_version: Some(version),
                    },
                );
                if self.commit_decided(Commit { events, writes }).await? {
                    closed.push(alert.reference.clone());
                    break;
                }
            }
        }
        Ok(closed)
    }

    /// Decide one event on the alert's current version with `decide` and commit it,
    /// deciding again when someone changed the alert first; `None` changes nothing.
    async fn change(
        &self,
        caller: &Caller,
        id_or_ref: &str,
        decide: impl Fn(&Alert) -> AppResult<Option<AlertEvent>>,
    ) -> AppResult<Alert> {
        for _ in 0..RETRIES {
            let mut alert = self.visible_alert(caller, id_or_ref).await?;
            let Some(event) = decide(&alert)? else {
                return Ok(self.shown_to(caller, alert));
            };
            if self.commit_event(caller, &mut alert, event).await? {
                return Ok(self.shown_to(caller, alert));
            }
        }
        Err(gave_up(id_or_ref))
    }
}
