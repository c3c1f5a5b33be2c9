//! Alert use cases: intake from any channel, triage corrections, lifecycle moves, queries.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use kinga_domain::alert::NewAlert;
use kinga_domain::dedup::{AlertSketch, Prepared, StemCode};
use kinga_domain::outbox::{self, MessageKind, OutboxMessage};
use kinga_domain::people::Permission;
use kinga_domain::place::PlaceCandidate;
use kinga_domain::{Alert, Channel, Reporter, Severity, ThreatType};
use kinga_ledger::Payload;
use kinga_store::{Commit, IdempotentAnswer, StoreError, Write};

use crate::{App, AppError, AppResult, Caller, limits};

mod queries;
mod reading;
mod retries;

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
    /// The channel looked the idempotency key up a moment ago and found nothing: intake does
    /// not read it again (a retry that slips in between is refused by the commit, and
    /// answered from its record as before).
    pub idempotency_checked: bool,
}

/// What intake made of a command: the fields set, and those read from the text.
struct Reading {
    threat_type: Option<ThreatType>,
    severity: Option<Severity>,
    place: Option<String>,
    candidates: Vec<PlaceCandidate>,
    language: Option<String>,
    flags: Vec<String>,
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
        // What a retry must match: asked for only with an idempotency key (it costs an
        // encoding and a hash of the whole command).
        let fingerprint = match &cmd.idempotency_key {
            Some(_) => extras
                .fingerprint
                .clone()
                .unwrap_or_else(|| cmd.fingerprint()),
            None => String::new(),
        };
        if let (Some(key), false) = (&cmd.idempotency_key, extras.idempotency_checked) {
            if let Some(ans) = self.store.idempotent(key).await? {
                return self.replay(caller, &fingerprint, ans).await;
            }
        }
        let (mut alert, stems) = self.new_alert(caller, &cmd, &extras).await?;
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
        if matches!(alert.channel, Channel::Sms | Channel::Whatsapp)
            && alert.reporter.phone_sealed.is_some()
        {
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
                let by = match alert.channel {
                    Channel::Whatsapp => "whatsapp",
                    _ => outbox::CHANNEL_SMS,
                };
                mark_last_message_sent(provider, by, &mut events, &mut writes);
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
                // A gateway's retry is answered from the id, reference and reporter (its reply
                // and the message's alert), an API client's with the alert as it was answered.
                body: if caller.gateway {
                    let none = alert.timeline.len();
                    answer_keeping(&mut alert, none)?
                } else {
                    serde_json::to_value(&alert).map_err(|e| AppError::Invalid(e.to_string()))?
                },
                created_at: self.now(),
            }));
        }
        match self.commit(Commit { events, writes }).await {
            Ok(_) => {
                self.caches.remember_with_stems(&alert, stems);
                Ok(Intake {
                    alert: self.shown_to(caller, alert),
                    replayed: false,
                })
            }
            Err(StoreError::Duplicate(_)) if cmd.idempotency_key.is_some() => {
                let key = cmd.idempotency_key.as_deref().unwrap_or_default();
                match self.store.idempotent(key).await? {
                    Some(ans) => self.replay(caller, &fingerprint, ans).await,
                    None => Err(AppError::Store(StoreError::Duplicate(key.to_string()))),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn replay(
        &self,
        caller: &Caller,
        fingerprint: &str,
        ans: IdempotentAnswer,
    ) -> AppResult<Intake> {
        let (alert, _) = self.answered_alert(fingerprint, ans).await?;
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
    ) -> AppResult<(Alert, Vec<StemCode>)> {
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
        let read = self
            .read(caller, cmd, extras, &reporter, &gaz, text)
            .await?;
        let (place, candidates) = (read.place, read.candidates);
        let severity = read
            .severity
            .or_else(|| read.threat_type.map(ThreatType::default_severity))
            .unwrap_or(Severity::new(2)?);
        let routing = self.route_alert(&gaz, place.as_deref(), read.threat_type, now);
        let id = self.new_id();
        let n = self.store.next_reference().await?;
        let reference = format!("{}-{n}", self.settings.instance.reference_prefix);
        let sketch = AlertSketch {
            id: &id,
            reference: &reference,
            place: place.as_deref(),
            threat_type: read.threat_type,
            reported_at,
            text,
        };
        let prepared = Prepared::new(sketch);
        let duplicates = self.caches.duplicates(&prepared, 5);
        // Kept for remembering the alert once stored: its text is read into stems once.
        let stems = prepared.stems.into_owned();
        let language = cmd.language.clone().or(read.language).or_else(|| {
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
            threat_type: read.threat_type,
            severity,
            reported_at,
            received_at: now,
            deadlines: self.settings.deadlines.policy().deadlines(severity, now),
            proposed_responders: routing.proposed,
            uncovered: routing.uncovered,
            duplicate_candidates: duplicates,
            parse_flags: read.flags,
            unparsed: extras.unparsed.clone().filter(|u| !u.is_empty()),
            severity_set: read.severity.is_some(),
        };
        Ok((Alert::received(new, &caller.name), stems))
    }
}

/// The acknowledgement just queued went back in the gateway's own HTTP answer: record it as
/// sent by that gateway, so the delivery worker never sends it a second time.
fn mark_last_message_sent(
    provider: &str,
    channel: &str,
    events: &mut [kinga_ledger::DraftEvent],
    writes: &mut [Write],
) {
    let mark = |m: &mut OutboxMessage| {
        m.status = kinga_domain::outbox::MessageStatus::Sent;
        m.attempts = 1;
        m.provider = Some(provider.to_string());
        m.channel = Some(channel.to_string());
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

/// What a retry is answered from when it needs less than the whole alert: the alert with only
/// its timeline's entries from `from` on (none when `from` is past the end).
pub(crate) fn answer_keeping(alert: &mut Alert, from: usize) -> AppResult<serde_json::Value> {
    let timeline = std::mem::take(&mut alert.timeline);
    alert.timeline = timeline.get(from..).map(<[_]>::to_vec).unwrap_or_default();
    let body = serde_json::to_value(&*alert).map_err(|e| AppError::Invalid(e.to_string()));
    alert.timeline = timeline;
    body
}
