//! Inbound SMS: a gateway's message becomes a new alert, or a later message attached to the
//! alert it follows up. Community messages are never refused for their form: whatever the
//! grammar does not read stays on the alert, flagged, for the triage officer.

use chrono::{DateTime, NaiveDateTime, Utc};

use kinga_domain::outbox;
use kinga_domain::people::Permission;
use kinga_domain::phone::normalize_msisdn;
use kinga_domain::registry::FocalPoint;
use kinga_domain::sms::{self, ParseContext, ParsedSms};
use kinga_domain::{Alert, AlertEvent, AlertState, Channel, Reporter};
use kinga_store::{IdempotentAnswer, StoreError};

use crate::alerts::{IntakeCommand, IntakeExtras, MAX_TEXT, RETRIES};
use crate::moves::gave_up;
use crate::{App, AppError, AppResult, Caller};

mod follow_up;

pub use follow_up::MAX_FOLLOW_UPS;
use follow_up::{ATTACH_TURNS, follow_ups};

/// Flags the intake adds to the parser's (see [`kinga_domain::sms::parse::flag`]), whatever
/// the channel.
pub mod flag {
    /// The sender's number could not be read: no reply, no focal point, no follow-up.
    pub const SENDER_UNREADABLE: &str = "sender_unreadable";
    /// The message cites an alert that is not an open alert of this number.
    pub const REFERENCE_UNMATCHED: &str = "reference_unmatched";
    /// The place is the area sure to contain all the candidates, not a village.
    pub const PLACE_IS_AREA: &str = "place_is_area";
    /// The threat type or severity was read from the words of a form, a call log or an API
    /// call that left them unset.
    pub const READ_FROM_TEXT: &str = "read_from_text";
    /// The text was longer than an alert holds and was cut.
    pub const TEXT_TRUNCATED: &str = "text_truncated";
    /// The place is the settlement a location pin fell in (the words named none).
    pub const PLACE_FROM_PIN: &str = "place_from_pin";
    /// The message follows up an alert that kept changing while it was being attached: it
    /// is kept as an alert of its own, for a person to merge.
    pub const REPLY_UNATTACHED: &str = "reply_unattached";
    /// The message follows up an alert that already holds [`super::MAX_FOLLOW_UPS`]
    /// messages: it opens an alert of its own, which takes the number's next messages.
    pub const FOLLOW_UPS_FULL: &str = "follow_ups_full";
}

/// One inbound SMS as a gateway delivered it (the web layer fills this from its adapter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboundSmsCommand {
    /// The provider's id of the message; with the provider it makes the idempotency key.
    pub message_id: String,
    /// Sender as the gateway wrote it.
    pub from: String,
    /// Number or short code the message was sent to.
    pub to: Option<String>,
    /// Text, verbatim.
    pub text: String,
    /// When the gateway says it arrived, as it wrote it (RFC 3339, `YYYY-MM-DD HH:MM:SS` in
    /// UTC, or Unix seconds); anything else means "now".
    pub received_at: Option<String>,
    /// The gateway sends the acknowledgement back in its HTTP answer (TwiML, Kannel).
    pub reply_inline: bool,
}

/// What became of an inbound SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsOutcome {
    /// A new alert was opened.
    Created,
    /// The message was attached to an earlier alert of the same number.
    Attached,
}

/// The answer to an inbound SMS; a retried webhook gets the same one.
#[derive(Debug, Clone)]
pub struct SmsIntake {
    /// The new alert, or the alert the message was attached to.
    pub alert: Alert,
    /// New alert or attached message.
    pub outcome: SmsOutcome,
    /// True when this was a retry answered from the first answer.
    pub replayed: bool,
    /// The acknowledgement for the gateway to send back in its HTTP answer, when it replies
    /// inline and there is someone to reply to; attached messages get none (each SMS to a
    /// focal point's phone is one more thing that can be found on it).
    pub reply: Option<String>,
}

/// The sender as Kinga knows them.
pub(crate) struct Sender {
    pub(crate) reporter: Reporter,
    pub(crate) focal_point: Option<FocalPoint>,
}

/// An SMS as read: its text (cut to fit), what the grammar found, who sent it, and the
/// intake's own flags.
struct ReadSms {
    text: String,
    parsed: ParsedSms,
    sender: Sender,
    flags: Vec<String>,
}

impl App {
    /// Read a message as the SMS grammar does, against the places of this instance and, when
    /// `from` is a registered focal point's number, with its place and language as defaults.
    pub async fn parse_sms(&self, text: &str, from: Option<&str>) -> AppResult<ParsedSms> {
        let focal_point = match from.filter(|f| !f.trim().is_empty()) {
            Some(raw) => self.reporter_of(&self.normalize_phone(raw)?).await?.1,
            None => None,
        };
        Ok(self.parse_with(text, focal_point.as_ref()))
    }

    fn parse_with(&self, text: &str, focal_point: Option<&FocalPoint>) -> ParsedSms {
        let gazetteer = self.caches.gazetteer();
        let ctx = ParseContext {
            gazetteer: &gazetteer,
            default_place: focal_point.and_then(|f| f.place.as_deref()),
            default_language: focal_point.map(|f| f.language.as_str()),
        };
        sms::parse(text, &ctx)
    }

    /// Take in an SMS from `provider`. The key `<provider>:<message id>` makes a retried
    /// webhook return the first answer and change nothing, also when retries race.
    pub async fn intake_sms(&self, provider: &str, sms: InboundSmsCommand) -> AppResult<SmsIntake> {
        self.intake_message(provider, Channel::Sms, sms, None).await
    }

    /// [`App::intake_sms`] for any channel that carries messages as SMS do (WhatsApp), with
    /// the P-code of a location pin it carried, used when the words name no place.
    pub(crate) async fn intake_message(
        &self,
        provider: &str,
        channel: Channel,
        sms: InboundSmsCommand,
        pinned: Option<String>,
    ) -> AppResult<SmsIntake> {
        let caller = Caller::gateway(provider);
        caller.require(Permission::CreateAlerts)?;
        if sms.message_id.trim().is_empty() {
            return Err(kinga_domain::DomainError::Missing("message id").into());
        }
        crate::limits::check("message id", &sms.message_id, crate::limits::ID)?;
        let key = format!("{provider}:{}", sms.message_id.trim());
        let fingerprint = fingerprint(provider, &sms);
        let mut flags = Vec::new();
        let sender = self.sender(&sms.from, &mut flags).await?;
        // This number's messages one at a time (see `turns`), up to the answer: a follow-up
        // waits for the alert its predecessor is creating or changing instead of racing it,
        // and a gateway's retry for the answer to its first try.
        let _turn = match sender.reporter.phone_digest.as_deref() {
            Some(digest) => Some(self.turns.take(digest).await),
            None => None,
        };
        let text = cut(&sms.text, &mut flags);
        let parsed = self.parse_with(&text, sender.focal_point.as_ref());
        let now = self.now();
        // A retry is answered as the first try was; otherwise the alert this message may
        // follow up comes in the same read (one round trip, not two, on PostgreSQL).
        let lookup = self
            .store
            .message_lookup(&key, self.follows_up_latest(&parsed, &sender.reporter, now))
            .await?;
        if let Some(ans) = lookup.answer {
            return self.replay_sms(&fingerprint, ans, sms.reply_inline).await;
        }
        let mut looked_up = Some(lookup.latest);
        let mut attempts = 0;
        loop {
            // Looked up above for the first turn; a turn after a conflict looks again, since
            // the retry that won may be this very message.
            if attempts > 0 {
                if let Some(ans) = self.store.idempotent(&key).await? {
                    return self.replay_sms(&fingerprint, ans, sms.reply_inline).await;
                }
            }
            let Some(target) = self
                .reply_target(&parsed, &sender.reporter, now, &mut flags, looked_up.take())
                .await?
            else {
                break;
            };
            if follow_ups(&target) >= MAX_FOLLOW_UPS {
                flags.push(flag::FOLLOW_UPS_FULL.into());
                break;
            }
            match self
                .attach(&caller, &key, &fingerprint, target, &text, channel)
                .await
            {
                Ok(alert) => {
                    return Ok(SmsIntake {
                        alert,
                        outcome: SmsOutcome::Attached,
                        replayed: false,
                        reply: None,
                    });
                }
                // A retry won the race, or the alert moved on: decide again on fresh data.
                // Each turn one of the messages racing for the alert wins, so a phone's burst
                // (a long SMS split in parts, several messages sent at once) attaches in turn.
                Err(AppError::Store(StoreError::Conflict(_) | StoreError::Duplicate(_)))
                    if attempts < ATTACH_TURNS =>
                {
                    attempts += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(attempts as u64)).await;
                }
                // Still changing under it: the message becomes an alert of its own, flagged,
                // rather than an error the gateway may never send again (Twilio does not
                // retry a 4xx answer: the community's message would be lost).
                Err(AppError::Store(StoreError::Conflict(_))) => {
                    flags.push(flag::REPLY_UNATTACHED.into());
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        let read = ReadSms {
            text,
            parsed,
            sender,
            flags,
        };
        let (mut cmd, mut extras) = sms_alert(provider, &sms, read, &key, &fingerprint, now);
        cmd.channel = Some(channel);
        if cmd.place.is_none() && pinned.is_some() {
            cmd.place = pinned;
            extras.parse_flags.push(flag::PLACE_FROM_PIN.into());
        }
        let intake = self.intake_with(&caller, cmd, extras).await?;
        if intake.replayed {
            // The first answer may have been an attachment: answer exactly as it did.
            if let Some(ans) = self.store.idempotent(&key).await? {
                return self.replay_sms(&fingerprint, ans, sms.reply_inline).await;
            }
        }
        let reply = inline_reply(&intake.alert, sms.reply_inline);
        Ok(SmsIntake {
            alert: intake.alert,
            outcome: SmsOutcome::Created,
            replayed: intake.replayed,
            reply,
        })
    }

    /// The reporter behind a gateway's sender; an unreadable number is kept as unknown.
    pub(crate) async fn sender(&self, raw: &str, flags: &mut Vec<String>) -> AppResult<Sender> {
        match normalize_msisdn(raw, &self.settings.phone.default_country_code) {
            Ok(msisdn) => {
                let (reporter, focal_point) = self.reporter_of(&msisdn).await?;
                Ok(Sender {
                    reporter,
                    focal_point,
                })
            }
            Err(_) => {
                flags.push(flag::SENDER_UNREADABLE.into());
                Ok(Sender {
                    reporter: Reporter::default(),
                    focal_point: None,
                })
            }
        }
    }

    async fn replay_sms(
        &self,
        fingerprint: &str,
        ans: IdempotentAnswer,
        reply_inline: bool,
    ) -> AppResult<SmsIntake> {
        let (alert, status) = self.answered_alert(fingerprint, ans).await?;
        let (outcome, reply) = if status == 201 {
            let reply = inline_reply(&alert, reply_inline);
            (SmsOutcome::Created, reply)
        } else {
            (SmsOutcome::Attached, None)
        };
        Ok(SmsIntake {
            alert,
            outcome,
            replayed: true,
            reply,
        })
    }

    /// Record that an alert from an unknown number came from a registered focal point.
    pub async fn link_reporter(
        &self,
        caller: &Caller,
        id_or_ref: &str,
        focal_point: &str,
    ) -> AppResult<Alert> {
        caller.require(Permission::TriageAlerts)?;
        let fp = self
            .store
            .focal_points()
            .await?
            .into_iter()
            .find(|f| f.id == focal_point.trim())
            .ok_or_else(|| AppError::NotFound(format!("focal point {focal_point}")))?;
        if !fp.active {
            return Err(AppError::Invalid(format!(
                "focal point {} is no longer active",
                fp.pseudonym
            )));
        }
        for _ in 0..RETRIES {
            let mut alert = self.visible_alert(caller, id_or_ref).await?;
            match &alert.reporter.focal_point {
                Some(linked) if *linked == fp.id => return Ok(alert),
                Some(_) => {
                    return Err(AppError::Invalid(format!(
                        "{} already comes from a registered focal point ({})",
                        alert.reference,
                        alert.reporter.pseudonym.as_deref().unwrap_or("?")
                    )));
                }
                None => {}
            }
            if alert.state == AlertState::Merged {
                return Err(AppError::Invalid(format!(
                    "{} was merged into another alert",
                    alert.reference
                )));
            }
            let event = AlertEvent::ReporterLinked {
                focal_point: fp.id.clone(),
                pseudonym: Some(fp.pseudonym.clone()),
                language: Some(fp.language.clone()),
            };
            if self.commit_event(caller, &mut alert, event).await? {
                return Ok(alert);
            }
        }
        Err(gave_up(id_or_ref))
    }
}

/// The intake command of a new alert from a read SMS.
fn sms_alert(
    provider: &str,
    sms: &InboundSmsCommand,
    read: ReadSms,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> (IntakeCommand, IntakeExtras) {
    let ReadSms {
        text,
        parsed,
        sender,
        mut flags,
    } = read;
    // Ambiguity is never settled by guessing a village; but the area that holds every equally
    // good candidate (Beni the territory, for Beni town or territory) is a fact, enough to
    // route the alert while a person picks the village among the candidates kept beside it.
    let place = parsed.place.clone().or_else(|| {
        let area = parsed.place_area.clone()?;
        flags.push(flag::PLACE_IS_AREA.into());
        Some(area)
    });
    let mut reporter = sender.reporter;
    if reporter.focal_point.is_none() {
        // Nobody registered this number: answer in the language it wrote in.
        reporter.language.clone_from(&parsed.language);
    }
    let mut parse_flags = parsed.flags;
    parse_flags.extend(flags);
    let cmd = IntakeCommand {
        channel: Some(Channel::Sms),
        text,
        threat_type: parsed.threat_type,
        severity: parsed.severity,
        place,
        place_name: parsed.place_name,
        reporter_phone: None,
        reported_at: sms
            .received_at
            .as_deref()
            .and_then(|t| gateway_time(t, now)),
        language: parsed.language,
        idempotency_key: Some(key.to_string()),
    };
    let extras = IntakeExtras {
        place_candidates: Some(parsed.place_candidates),
        parse_flags,
        unparsed: Some(parsed.unparsed),
        reporter: Some(reporter),
        acknowledged_by: sms.reply_inline.then(|| provider.to_string()),
        allow_empty_text: true,
        fingerprint: Some(fingerprint.to_string()),
        // `intake_message` looked it up just before.
        idempotency_checked: true,
    };
    (cmd, extras)
}

/// The acknowledgement a gateway sends back in its answer, worded as the outbox records it.
fn inline_reply(alert: &Alert, reply_inline: bool) -> Option<String> {
    (reply_inline && alert.reporter.phone_sealed.is_some())
        .then(|| outbox::acknowledgement_text(alert.reporter.language.as_deref(), &alert.reference))
}

/// What a retry must repeat: the message as the gateway sent it, not what Kinga made of it
/// (a parse against a gazetteer that changed in between would otherwise look like another
/// request).
fn fingerprint(provider: &str, sms: &InboundSmsCommand) -> String {
    let mut h = blake3::Hasher::new();
    for part in [
        provider,
        sms.from.trim(),
        sms.to.as_deref().unwrap_or(""),
        sms.text.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update(&[0]);
    }
    h.finalize().to_hex().to_string()
}

/// The text, cut to what an alert holds (a relay may glue many messages together), without
/// the NUL characters some phones pad messages with: nothing a community sends is refused.
fn cut(text: &str, flags: &mut Vec<String>) -> String {
    let text = text.replace('\0', "");
    if text.chars().count() <= MAX_TEXT {
        return text;
    }
    flags.push(flag::TEXT_TRUNCATED.into());
    text.chars().take(MAX_TEXT).collect()
}

/// A gateway's timestamp; none when unreadable (intake then uses the time of receipt).
/// Clocks of SMSCs drift, so a time ahead of ours is taken as now rather than refused.
fn gateway_time(raw: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    let t = DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
                .map(|n| n.and_utc())
        })
        .or_else(|| {
            raw.parse::<i64>()
                .ok()
                .and_then(|s| DateTime::from_timestamp(s, 0))
        })?;
    Some(t.min(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_times() {
        let now = Utc::now();
        let at = |raw: &str| gateway_time(raw, now).map(|t| t.timestamp());
        assert_eq!(at("2024-03-01 07:15:02"), Some(1_709_277_302));
        assert_eq!(at("2024-03-01T07:15:02.000Z"), Some(1_709_277_302));
        assert_eq!(at("2024-03-01T09:15:02+02:00"), Some(1_709_277_302));
        assert_eq!(at("1709277302"), Some(1_709_277_302));
        assert_eq!(at("yesterday"), None);
        assert_eq!(at("2999-01-01T00:00:00Z"), Some(now.timestamp()));
    }

    #[test]
    fn long_texts_are_cut_and_flagged() {
        let mut flags = vec![];
        assert_eq!(cut("ALERTE", &mut flags), "ALERTE");
        assert_eq!(cut("ALE\0RTE\0", &mut flags), "ALERTE");
        assert!(flags.is_empty());
        let long = "é".repeat(MAX_TEXT + 3);
        assert_eq!(cut(&long, &mut flags).chars().count(), MAX_TEXT);
        assert_eq!(flags, vec![flag::TEXT_TRUNCATED]);
    }

    #[test]
    fn fingerprint_is_of_the_raw_message() {
        let a = InboundSmsCommand {
            message_id: "1".into(),
            from: "+243990001001".into(),
            text: "ALERTE".into(),
            ..Default::default()
        };
        let b = InboundSmsCommand {
            message_id: "2".into(),
            received_at: Some("x".into()),
            ..a.clone()
        };
        assert_eq!(fingerprint("twilio", &a), fingerprint("twilio", &b));
        let c = InboundSmsCommand {
            text: "ALERTE!".into(),
            ..a.clone()
        };
        assert_ne!(fingerprint("twilio", &a), fingerprint("twilio", &c));
        assert_ne!(fingerprint("twilio", &a), fingerprint("kannel", &a));
    }
}
