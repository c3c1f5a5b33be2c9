//! Alert use cases: intake from any channel, triage corrections, lifecycle moves, queries.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use kinga_domain::alert::NewAlert;
use kinga_domain::dedup::{AlertSketch, Prepared, StemCode};
use kinga_domain::outbox::{self, MessageKind, OutboxMessage};
use kinga_domain::people::Permission;
use kinga_domain::place::{self, Gazetteer, PlaceCandidate};
use kinga_domain::registry::FocalPoint;
use kinga_domain::sms::{self, ParseContext};
use kinga_domain::{Alert, AlertEvent, Channel, Reporter, Severity, ThreatType};
use kinga_ledger::Payload;
use kinga_store::{
    AlertPage, AlertQuery, AlertTallies, Commit, IdempotentAnswer, StoreError, Write,
};

use crate::sms_intake::flag;
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
                return self.replay(caller, &fingerprint, ans);
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
                body: serde_json::to_value(&alert).map_err(|e| AppError::Invalid(e.to_string()))?,
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

    /// One reading of an alert, whatever the channel: what the person or the channel set is
    /// kept; what they left unset (threat type, severity, place) is read from the text by the
    /// same grammar as an SMS, so "Enlèvement de trois femmes" typed in a form is an
    /// abduction at severity 4, as it is by SMS.
    async fn read(
        &self,
        caller: &Caller,
        cmd: &IntakeCommand,
        extras: &IntakeExtras,
        reporter: &Reporter,
        gaz: &Gazetteer,
        text: &str,
    ) -> AppResult<Reading> {
        let mut flags = extras.parse_flags.clone();
        // A channel that read the message itself (the SMS grammar) hands its candidates over.
        let channel_read = extras.place_candidates.is_some();
        let unset = cmd.threat_type.is_none()
            || cmd.severity.is_none()
            || (cmd.place.is_none()
                && cmd
                    .place_name
                    .as_deref()
                    .is_none_or(|n| n.trim().is_empty()));
        let grammar = (!channel_read && unset && !text.is_empty()).then(|| {
            let ctx = ParseContext {
                gazetteer: gaz,
                default_place: None,
                default_language: None,
            };
            sms::read_text(text, &ctx)
        });
        let threat_type = cmd
            .threat_type
            .or(grammar.as_ref().and_then(|g| g.threat_type));
        let severity = cmd.severity.or(grammar.as_ref().and_then(|g| g.severity));
        if cmd.threat_type.is_none() && threat_type.is_some()
            || cmd.severity.is_none() && severity.is_some()
        {
            flags.push(flag::READ_FROM_TEXT.into());
        }
        let (place, candidates) = match (&cmd.place, &cmd.place_name) {
            (Some(code), _) => {
                let code = code.trim();
                if gaz.get(code).is_none() {
                    return Err(AppError::Invalid(format!("unknown place P-code '{code}'")));
                }
                (
                    Some(code.to_string()),
                    extras.place_candidates.clone().unwrap_or_default(),
                )
            }
            _ if channel_read => (None, extras.place_candidates.clone().unwrap_or_default()),
            (None, Some(name)) if !name.trim().is_empty() => {
                let c = gaz.resolve(name, 5);
                let settled = place::settle(&c, gaz);
                if c.is_empty() {
                    flags.push("place_unknown".into());
                }
                flags.extend(settled.flags.iter().map(|f| f.to_string()));
                (settled.place, c)
            }
            _ => match &grammar {
                Some(g) if g.place.is_some() || !g.place_candidates.is_empty() => {
                    flags.extend(g.flags.iter().filter(|f| f.starts_with("place_")).cloned());
                    let place = g.place.clone().or_else(|| {
                        let area = g.place_area.clone()?;
                        flags.push(flag::PLACE_IS_AREA.into());
                        Some(area)
                    });
                    (place, g.place_candidates.clone())
                }
                // A caller who may not see reporters must not learn, from the place the
                // alert gets, that the number belongs to a focal point and where.
                _ if !caller.may_see_reporters() => (None, vec![]),
                _ => (self.focal_point_place(reporter).await, vec![]),
            },
        };
        flags.dedup();
        Ok(Reading {
            threat_type,
            severity,
            place,
            candidates,
            language: grammar.and_then(|g| g.language),
            flags,
        })
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
        let fp = self.focal_point_by_phone(&digest).await?;
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
        self.focal_point_by_phone(digest)
            .await
            .ok()
            .flatten()
            .and_then(|f| f.place)
    }

    /// The focal point with the number of this digest: from the caches, which every focal
    /// point saved here refreshes (a store read per alert was a hand-off to a reader thread
    /// and back, 5 % of intake's time in a flood), else from the store, which has those
    /// registered on another server since the last refresh.
    async fn focal_point_by_phone(&self, digest: &str) -> AppResult<Option<FocalPoint>> {
        if let Some(fp) = self.caches.focal_point_by_phone(digest) {
            return Ok(Some(FocalPoint::clone(&fp)));
        }
        Ok(self.store.focal_point_by_phone(digest).await?)
    }

    /// One alert by id or reference, as the caller may see it.
    pub async fn alert(&self, caller: &Caller, id_or_ref: &str) -> AppResult<Alert> {
        let a = self.visible_alert(caller, id_or_ref).await?;
        Ok(self.shown_to(caller, a))
    }

    /// What a caller who may not see reporters is shown of an alert: no focal point, no
    /// pseudonym, no language or place flag that came from the sender's registration.
    pub fn shown_to(&self, caller: &Caller, a: Alert) -> Alert {
        let mut a = Self::notes_for(caller, a);
        if caller.may_see_reporters() {
            self.current_pseudonyms(&mut a);
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

    /// What a caller is shown of an alert: reporters withheld as [`App::shown_to`] says, and
    /// internal notes only to those who work the alert.
    fn notes_for(caller: &Caller, mut a: Alert) -> Alert {
        if !crate::moves::sees_notes(caller.role) {
            a.timeline
                .retain(|t| !matches!(t.event, AlertEvent::NoteAdded { .. }));
        }
        a
    }

    /// The alert itself, when the caller may read it (responders: only those assigned to
    /// them; anyone else who may not: not found, as if it did not exist).
    pub(crate) async fn visible_alert(&self, caller: &Caller, id_or_ref: &str) -> AppResult<Alert> {
        caller.require(Permission::ReadAlerts)?;
        limits::check("id", id_or_ref, limits::ID)?;
        // References are `<prefix>-<number>` (ids are ULIDs, which hold no '-').
        let found = if id_or_ref.contains('-') {
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
        page.items = page
            .items
            .into_iter()
            .map(|a| self.shown_to(caller, a))
            .collect();
        Ok(page)
    }

    /// The queue's counts over what `q` matches for the caller (its page ignored): in all,
    /// uncovered, with no place, and due at or before `overdue_at`; one pass over the rows.
    pub async fn alert_tallies(
        &self,
        caller: &Caller,
        mut q: AlertQuery,
        overdue_at: DateTime<Utc>,
    ) -> AppResult<AlertTallies> {
        caller.require(Permission::ReadAlerts)?;
        // A responder counts what [`App::alerts`] shows them: their own alerts.
        if caller.role == kinga_domain::people::Role::Responder {
            q.assigned_to = Some(caller.responder.clone().unwrap_or_else(|| "-".into()));
        }
        limits::check_opt("place", q.place_prefix.as_deref(), limits::ID)?;
        Ok(self.store.alert_tallies(&q, overdue_at).await?)
    }

    /// The P-codes a place name as people type it may mean (every candidate about as good
    /// as the best), for searching alerts by place name rather than by code.
    pub fn places_meant(&self, caller: &Caller, name: &str) -> AppResult<Vec<String>> {
        let c = self.find_places(caller, name, 10)?;
        let Some(best) = c.first().map(|b| b.score) else {
            return Ok(vec![]);
        };
        Ok(c.into_iter()
            .filter(|x| best - x.score < place::PICK_MIN_GAP && x.score >= place::MIN_SCORE)
            .map(|x| x.pcode)
            .collect())
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
