//! Alert use cases: intake from any channel, triage corrections, lifecycle moves, queries.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use kinga_domain::alert::{NewAlert, TriageUpdate};
use kinga_domain::dedup::{self, AlertSketch, Prepared};
use kinga_domain::outbox::{self, MessageKind, OutboxMessage, Recipient};
use kinga_domain::people::Permission;
use kinga_domain::place::{self, PlaceCandidate};
use kinga_domain::registry::FocalPoint;
use kinga_domain::routing;
use kinga_domain::{
    Alert, AlertEvent, AlertState, Channel, Reporter, Severity, ThreatType, TransitionRequest,
};
use kinga_ledger::Payload;
use kinga_store::{AlertPage, AlertQuery, Commit, IdempotentAnswer, StoreError, Write};

use crate::{App, AppError, AppResult, Caller, limits};

/// Longest alert text accepted (an SMS thread or a long call log fits easily).
pub const MAX_TEXT: usize = limits::TEXT;
/// How often a command is retried when someone else changed the alert first.
pub(crate) const RETRIES: usize = 5;

/// A new alert from any channel; each channel only has to produce one of these.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IntakeCommand {
    /// Channel.
    pub channel: Option<Channel>,
    /// Words as received.
    pub text: String,
    /// Threat type, when the sender or parser knows it.
    pub threat_type: Option<ThreatType>,
    /// Severity, when known.
    pub severity: Option<Severity>,
    /// P-code, when known.
    pub place: Option<String>,
    /// Free-text place name to resolve.
    pub place_name: Option<String>,
    /// Reporter's phone number.
    pub reporter_phone: Option<String>,
    /// When it happened or was sent.
    pub reported_at: Option<DateTime<Utc>>,
    /// Language of the text.
    pub language: Option<String>,
    /// Idempotency key, already namespaced by its source.
    pub idempotency_key: Option<String>,
}

/// What a channel that reads messages itself (the SMS grammar) adds to an [`IntakeCommand`].
/// Kept apart from the command so the command stays what every form and API client sends.
#[derive(Debug, Clone, Default)]
pub struct IntakeExtras {
    /// Place candidates the channel already ranked: used instead of resolving `place_name`,
    /// and when `place` is none no place is taken from the reporter's registration either
    /// (the channel has already decided that nothing is sure).
    pub place_candidates: Option<Vec<PlaceCandidate>>,
    /// What the channel found missing or doubtful, kept on the alert.
    pub parse_flags: Vec<String>,
    /// Words the channel did not read, kept on the alert.
    pub unparsed: Option<String>,
    /// The reporter, already looked up by the channel (saves a second lookup).
    pub reporter: Option<Reporter>,
    /// The gateway that carries the acknowledgement in its own HTTP answer (TwiML, Kannel's
    /// reply): the outbox records it as already sent, for audit, instead of sending another.
    pub acknowledged_by: Option<String>,
    /// Keep an alert whose text is empty: a blank SMS may be all a person in danger could send.
    pub allow_empty_text: bool,
    /// What a retry must match, when the command itself is derived from changing data (a
    /// parse against the current gazetteer): the raw message's digest.
    pub fingerprint: Option<String>,
}

/// What intake did.
#[derive(Debug, Clone)]
pub struct Intake {
    /// The alert as first answered.
    pub alert: Alert,
    /// True when this was a retry answered from the idempotency record.
    pub replayed: bool,
}

impl IntakeCommand {
    /// Every free-text field within its length, before any other work is done.
    pub fn check_lengths(&self) -> AppResult<()> {
        limits::check("text", &self.text, limits::TEXT)?;
        limits::check_opt("place", self.place.as_deref(), limits::ID)?;
        limits::check_opt("place_name", self.place_name.as_deref(), limits::PLACE_NAME)?;
        limits::check_opt(
            "reporter_phone",
            self.reporter_phone.as_deref(),
            limits::PHONE,
        )?;
        limits::check_opt("language", self.language.as_deref(), 8)?;
        // Namespaced by its source (`api:<user>:`), hence room beyond an id.
        limits::check_opt(
            "idempotency key",
            self.idempotency_key.as_deref(),
            2 * limits::ID,
        )?;
        Ok(())
    }

    fn fingerprint(&self) -> String {
        let mut c = self.clone();
        c.idempotency_key = None;
        blake3::hash(serde_json::to_string(&c).unwrap_or_default().as_bytes())
            .to_hex()
            .to_string()
    }
}

impl App {
    /// Take in a new alert. With an idempotency key, a retry returns the first answer and
    /// creates nothing, also when retries race each other.
    pub async fn intake(&self, caller: &Caller, cmd: IntakeCommand) -> AppResult<Intake> {
        self.intake_with(caller, cmd, IntakeExtras::default()).await
    }

    /// [`App::intake`] with what a parsing channel adds.
    pub async fn intake_with(
        &self,
        caller: &Caller,
        cmd: IntakeCommand,
        extras: IntakeExtras,
    ) -> AppResult<Intake> {
        caller.require(Permission::CreateAlerts)?;
        cmd.check_lengths()?;
        let fingerprint = extras
            .fingerprint
            .clone()
            .unwrap_or_else(|| cmd.fingerprint());
        if let Some(key) = &cmd.idempotency_key {
            if let Some(ans) = self.store.idempotent(key).await? {
                return self.replay(caller, &fingerprint, ans);
            }
        }
        let mut alert = self.new_alert(caller, &cmd, &extras).await?;
        let mut events = vec![self.alert_draft(&alert)];
        let mut writes = vec![];
        // A person typed a number that belongs to a focal point: the match is made (a CLA
        // sees who reported), and it is audited, whoever typed it.
        if let (Some(fp), false) = (&alert.reporter.focal_point, caller.gateway) {
            let (event, row) = self.audit_parts(
                caller,
                "reporter_matched",
                &format!("focal_point:{fp}"),
                &format!("alert {} ({})", alert.reference, alert.channel.as_str()),
            );
            events.push(event);
            writes.push(row);
        }
        if alert.channel == Channel::Sms && alert.reporter.phone_sealed.is_some() {
            let text =
                outbox::acknowledgement_text(alert.reporter.language.as_deref(), &alert.reference);
            self.queue_reporter_message(
                &mut alert,
                MessageKind::Acknowledgement,
                text,
                caller,
                &mut events,
                &mut writes,
            );
            if let Some(provider) = &extras.acknowledged_by {
                mark_last_message_sent(provider, &mut events, &mut writes);
            }
        }
        // The alert row and the remembered answer are the alert as finally answered.
        writes.insert(
            0,
            Write::Alert {
                alert: Box::new(alert.clone()),
                expected_version: None,
            },
        );
        if let Some(key) = &cmd.idempotency_key {
            writes.push(Write::Idempotency(IdempotentAnswer {
                key: key.clone(),
                fingerprint: fingerprint.clone(),
                status: 201,
                body: serde_json::to_value(&alert).map_err(|e| AppError::Invalid(e.to_string()))?,
                created_at: self.now(),
            }));
        }
        match self.commit(Commit { events, writes }).await {
            Ok(_) => {
                self.caches.remember(&alert);
                Ok(Intake {
                    alert: self.shown_to(caller, alert),
                    replayed: false,
                })
            }
            Err(StoreError::Duplicate(_)) if cmd.idempotency_key.is_some() => {
                let key = cmd.idempotency_key.as_deref().unwrap_or_default();
                match self.store.idempotent(key).await? {
                    Some(ans) => self.replay(caller, &fingerprint, ans),
                    None => Err(AppError::Store(StoreError::Duplicate(key.to_string()))),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    fn replay(
        &self,
        caller: &Caller,
        fingerprint: &str,
        ans: IdempotentAnswer,
    ) -> AppResult<Intake> {
        if ans.fingerprint != fingerprint {
            return Err(AppError::KeyReused(ans.key));
        }
        let alert: Alert = serde_json::from_value(ans.body)
            .map_err(|e| AppError::Store(StoreError::Corrupt(format!("idempotent answer: {e}"))))?;
        Ok(Intake {
            alert: self.shown_to(caller, alert),
            replayed: true,
        })
    }

    async fn new_alert(
        &self,
        caller: &Caller,
        cmd: &IntakeCommand,
        extras: &IntakeExtras,
    ) -> AppResult<Alert> {
        let now = self.now();
        let text = cmd.text.trim();
        if text.is_empty() && !extras.allow_empty_text {
            return Err(kinga_domain::DomainError::Missing("text").into());
        }
        let reported_at = cmd.reported_at.unwrap_or(now);
        if reported_at > now + Duration::minutes(10) {
            return Err(AppError::Invalid("reported_at is in the future".into()));
        }
        let gaz = self.caches.gazetteer();
        let reporter = match &extras.reporter {
            Some(r) => r.clone(),
            None => self.reporter(cmd.reporter_phone.as_deref()).await?,
        };
        let ranked = extras.place_candidates.clone();
        let (place, candidates) = match (&cmd.place, &cmd.place_name) {
            (Some(code), _) => {
                let code = code.trim();
                if gaz.get(code).is_none() {
                    return Err(AppError::Invalid(format!("unknown place P-code '{code}'")));
                }
                (Some(code.to_string()), ranked.unwrap_or_default())
            }
            _ if ranked.is_some() => (None, ranked.unwrap_or_default()),
            (None, Some(name)) if !name.trim().is_empty() => {
                let c = gaz.resolve(name, 5);
                (place::pick(&c).map(|p| p.pcode.clone()), c)
            }
            // A caller who may not see reporters must not learn, from the place the alert
            // gets, that the number belongs to a focal point and where it is registered.
            _ if !caller.may_see_reporters() => (None, vec![]),
            _ => (self.focal_point_place(&reporter).await, vec![]),
        };
        let severity = cmd
            .severity
            .or_else(|| cmd.threat_type.map(ThreatType::default_severity))
            .unwrap_or(Severity::new(2)?);
        let routing = routing::route(
            place.as_deref(),
            cmd.threat_type,
            now,
            &self.caches.responders(),
            &gaz,
        );
        let id = self.new_id();
        let n = self.store.next_reference().await?;
        let reference = format!("K-{n}");
        let sketch = AlertSketch {
            id: &id,
            reference: &reference,
            place: place.as_deref(),
            threat_type: cmd.threat_type,
            reported_at,
            text,
        };
        let recent = self.caches.recent_near(place.as_deref(), reported_at);
        let prepared: Vec<Prepared> = recent.iter().map(|r| r.prepared()).collect();
        let duplicates = dedup::candidates_prepared(&Prepared::new(sketch), &prepared, &gaz, 5);
        let language = cmd.language.clone().or_else(|| {
            reporter
                .language
                .clone()
                .filter(|_| caller.may_see_reporters())
        });
        let new = NewAlert {
            id: id.clone(),
            reference,
            channel: cmd.channel.unwrap_or(Channel::Api),
            reporter,
            text: text.to_string(),
            language,
            place,
            place_name: cmd.place_name.clone().filter(|n| !n.trim().is_empty()),
            place_candidates: candidates,
            threat_type: cmd.threat_type,
            severity,
            reported_at,
            received_at: now,
            deadlines: self.settings.deadlines.policy().deadlines(severity, now),
            proposed_responders: routing.proposed,
            uncovered: routing.uncovered,
            duplicate_candidates: duplicates,
            parse_flags: extras.parse_flags.clone(),
            unparsed: extras.unparsed.clone().filter(|u| !u.is_empty()),
        };
        Ok(Alert::received(new, &caller.name))
    }

    async fn reporter(&self, phone: Option<&str>) -> AppResult<Reporter> {
        let Some(raw) = phone.filter(|p| !p.trim().is_empty()) else {
            return Ok(Reporter::default());
        };
        let msisdn = self.normalize_phone(raw)?;
        Ok(self.reporter_of(&msisdn).await?.0)
    }

    /// The reporter behind a normalised number, and its focal point when registered.
    pub(crate) async fn reporter_of(
        &self,
        msisdn: &str,
    ) -> AppResult<(Reporter, Option<FocalPoint>)> {
        let digest = self.sealer.phone_digest(msisdn);
        let fp = self.store.focal_point_by_phone(&digest).await?;
        let reporter = Reporter {
            focal_point: fp.as_ref().map(|f| f.id.clone()),
            pseudonym: fp.as_ref().map(|f| f.pseudonym.clone()),
            phone_digest: Some(digest),
            phone_sealed: Some(self.sealer.seal(msisdn)?),
            language: fp.as_ref().map(|f| f.language.clone()),
            hidden: false,
        };
        Ok((reporter, fp))
    }

    async fn focal_point_place(&self, reporter: &Reporter) -> Option<String> {
        let digest = reporter.phone_digest.as_deref()?;
        self.store
            .focal_point_by_phone(digest)
            .await
            .ok()
            .flatten()
            .and_then(|f| f.place)
    }

    /// One alert by id or reference, as the caller may see it.
    pub async fn alert(&self, caller: &Caller, id_or_ref: &str) -> AppResult<Alert> {
        let a = self.visible_alert(caller, id_or_ref).await?;
        Ok(self.shown_to(caller, a))
    }

    /// What a caller who may not see reporters is shown of an alert: no focal point, no
    /// pseudonym, no language or place flag that came from the sender's registration.
    pub fn shown_to(&self, caller: &Caller, mut a: Alert) -> Alert {
        if caller.may_see_reporters() {
            return a;
        }
        a.reporter = Reporter::withheld();
        for t in &mut a.timeline {
            match &mut t.event {
                AlertEvent::Received(new) => new.reporter = Reporter::withheld(),
                AlertEvent::ReporterLinked {
                    focal_point,
                    pseudonym,
                    language,
                } => {
                    focal_point.clear();
                    *pseudonym = None;
                    *language = None;
                }
                _ => {}
            }
        }
        a.parse_flags.retain(|f| !f.contains("sender"));
        a
    }

    /// The alert itself, when the caller may read it (responders: only those assigned to
    /// them; anyone else who may not: not found, as if it did not exist).
    pub(crate) async fn visible_alert(&self, caller: &Caller, id_or_ref: &str) -> AppResult<Alert> {
        caller.require(Permission::ReadAlerts)?;
        limits::check("id", id_or_ref, limits::ID)?;
        let found = if id_or_ref.starts_with("K-") || id_or_ref.starts_with("k-") {
            self.store
                .alert_by_reference(&id_or_ref.to_uppercase())
                .await?
        } else {
            self.store.alert(id_or_ref).await?
        };
        let alert = found.ok_or_else(|| AppError::NotFound(format!("alert {id_or_ref}")))?;
        if caller.role == kinga_domain::people::Role::Responder
            && !caller
                .responder
                .as_ref()
                .is_some_and(|r| alert.assigned.contains(r))
        {
            return Err(AppError::NotFound(format!("alert {id_or_ref}")));
        }
        Ok(alert)
    }

    /// A page of alerts. Responders only ever see alerts assigned to them.
    pub async fn alerts(&self, caller: &Caller, mut q: AlertQuery) -> AppResult<AlertPage> {
        caller.require(Permission::ReadAlerts)?;
        if caller.role == kinga_domain::people::Role::Responder {
            q.assigned_to = Some(caller.responder.clone().unwrap_or_else(|| "-".into()));
        }
        if q.limit == 0 {
            q.limit = 50;
        }
        limits::check_opt("place", q.place_prefix.as_deref(), limits::ID)?;
        let mut page = self.store.alerts(&q).await?;
        if !caller.may_see_reporters() {
            page.items = page
                .items
                .into_iter()
                .map(|a| self.shown_to(caller, a))
                .collect();
        }
        Ok(page)
    }

    /// Move an alert along its lifecycle.
    pub async fn transition(
        &self,
        caller: &Caller,
        id_or_ref: &str,
        req: TransitionRequest,
    ) -> AppResult<Alert> {
        req.check_lengths()?;
        let to = req.to.ok_or(kinga_domain::DomainError::Missing("to"))?;
        if to == AlertState::Responding {
            caller.require(Permission::RespondAlerts)?;
        } else {
            caller.require(Permission::TriageAlerts)?;
        }
        for _ in 0..RETRIES {
            let mut alert = self.visible_alert(caller, id_or_ref).await?;
            let event = alert.decide_transition(&req)?;
            let mut events = vec![];
            let mut writes = vec![];
            let mut req = req.clone();
            if to == AlertState::Assigned {
                let known = self.caches.responders();
                for r in &req.responders {
                    if !known.iter().any(|k| &k.id == r) {
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
                if target.state.is_final() {
                    return Err(AppError::Invalid(format!(
                        "{} is {} and cannot absorb duplicates",
                        target.reference, target.state
                    )));
                }
                req.merged_into = Some(target.id.clone());
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
            let event = if to == AlertState::Merged {
                alert.decide_transition(&req)?
            } else {
                event
            };
            let version = alert.version;
            alert.apply(event, &caller.name, self.now());
            events.insert(0, self.alert_draft(&alert));
            if to == AlertState::Closed && alert.reporter.phone_sealed.is_some() {
                let outcome = alert.outcome.clone().unwrap_or_default();
                let text = outbox::feedback_text(
                    alert.reporter.language.as_deref(),
                    &alert.reference,
                    &outcome,
                );
                self.queue_reporter_message(
                    &mut alert,
                    MessageKind::Feedback,
                    text,
                    caller,
                    &mut events,
                    &mut writes,
                );
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
                return Ok(self.shown_to(caller, alert));
            }
        }
        Err(gave_up(id_or_ref))
    }

    /// Correct an alert's place, threat type or severity during triage; routing and
    /// deadlines follow the correction.
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
            if alert.state.is_final() {
                return Err(AppError::Invalid(format!(
                    "{} is {} and can no longer be changed",
                    alert.reference, alert.state
                )));
            }
            let place = update.place.clone().or(alert.place.clone());
            let threat = update.threat_type.or(alert.threat_type);
            let deadlines = update.severity.filter(|s| *s != alert.severity).map(|s| {
                self.settings
                    .deadlines
                    .policy()
                    .deadlines(s, alert.received_at)
            });
            let r = routing::route(
                place.as_deref(),
                threat,
                self.now(),
                &self.caches.responders(),
                &gaz,
            );
            let event = AlertEvent::Triaged {
                update: update.clone(),
                deadlines,
                proposed_responders: r.proposed,
                uncovered: r.uncovered,
            };
            if self.commit_event(caller, &mut alert, event).await? {
                return Ok(self.shown_to(caller, alert));
            }
        }
        Err(gave_up(id_or_ref))
    }

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
            return Err(kinga_domain::DomainError::Missing("text").into());
        }
        for _ in 0..RETRIES {
            let mut alert = self.visible_alert(caller, id_or_ref).await?;
            if alert.state.is_final() {
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
    pub(crate) fn alert_draft(&self, alert: &Alert) -> kinga_ledger::DraftEvent {
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
        kinga_ledger::DraftEvent {
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
    fn queue_reporter_message(
        &self,
        alert: &mut Alert,
        kind: MessageKind,
        body: String,
        caller: &Caller,
        events: &mut Vec<kinga_ledger::DraftEvent>,
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
        events: &mut Vec<kinga_ledger::DraftEvent>,
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

    /// Ranked place candidates for a name as typed (bounded: a long query costs no more
    /// than a long place name).
    pub fn find_places(
        &self,
        caller: &Caller,
        q: &str,
        limit: usize,
    ) -> AppResult<Vec<PlaceCandidate>> {
        caller.require(Permission::ReadAlerts)?;
        limits::check("q", q, limits::PLACE_NAME)?;
        Ok(self.caches.gazetteer().resolve(q, limit.clamp(1, 50)))
    }
}

/// The acknowledgement just queued went back in the gateway's own HTTP answer: record it as
/// sent by that gateway, so the delivery worker never sends it a second time.
fn mark_last_message_sent(
    provider: &str,
    events: &mut [kinga_ledger::DraftEvent],
    writes: &mut [Write],
) {
    let mark = |m: &mut OutboxMessage| {
        m.status = kinga_domain::outbox::MessageStatus::Sent;
        m.attempts = 1;
        m.provider = Some(provider.to_string());
        m.channel = Some(outbox::CHANNEL_SMS.to_string());
    };
    if let Some(Write::Outbox(m)) = writes.iter_mut().rfind(|w| matches!(w, Write::Outbox(_))) {
        mark(m);
    }
    if let Some(Payload::MessageQueued { message }) = events
        .iter_mut()
        .map(|e| &mut e.payload)
        .rfind(|p| matches!(p, Payload::MessageQueued { .. }))
    {
        mark(message);
    }
}

/// The error once every retry found the alert changed by someone else.
pub(crate) fn gave_up(id_or_ref: &str) -> AppError {
    AppError::Store(StoreError::Conflict(format!("alert {id_or_ref}")))
}
