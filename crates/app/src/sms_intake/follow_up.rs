//! Follow-ups: the open alert a message answers, and the message attached to it, so that a
//! focal point's later words land on the alert they are about.

use chrono::{DateTime, Duration, Utc};

use kinga_domain::sms::ParsedSms;
use kinga_domain::{Alert, AlertEvent, Channel, Reporter};
use kinga_store::{Commit, IdempotentAnswer, Write};

use super::flag;
use crate::{App, AppResult, Caller};

/// Messages one alert takes as follow-ups; a further one opens a new alert. Every follow-up
/// rewrites the alert's record with all the messages before it, so a phone stuck resending
/// (or a number used to flood) would otherwise make each message cost more than the last,
/// and the alert's page unreadable. A focal point's real follow-ups are a handful.
pub const MAX_FOLLOW_UPS: usize = 100;

/// Turns a message may take to attach to an alert other messages are changing at the same
/// moment, before it is kept as an alert of its own.
pub(super) const ATTACH_TURNS: usize = 32;

/// The messages an alert holds as follow-ups.
pub(super) fn follow_ups(alert: &Alert) -> usize {
    alert
        .timeline
        .iter()
        .filter(|e| matches!(e.event, AlertEvent::MessageAttached { .. }))
        .count()
}

/// Keywords that announce a reply rather than a new alert.
const REPLY_KEYWORDS: [&str; 3] = ["REPONSE", "REPLY", "JIBU"];

impl App {
    /// The open alert this message follows up: the one it cites, when that alert is this
    /// number's; else, when the message has no alert keyword of its own, this number's latest
    /// open alert within the reply window (`looked_up`, when already read).
    pub(super) async fn reply_target(
        &self,
        parsed: &ParsedSms,
        reporter: &Reporter,
        now: DateTime<Utc>,
        flags: &mut Vec<String>,
        looked_up: Option<Option<Alert>>,
    ) -> AppResult<Option<Alert>> {
        let Some(digest) = reporter.phone_digest.as_deref() else {
            return Ok(None);
        };
        if let Some(reference) = &parsed.reference {
            let mut cited = self.store.alert_by_reference(reference).await?;
            cited = cited.filter(|a| a.reporter.phone_digest.as_deref() == Some(digest));
            // A reply about a merged duplicate belongs with the alert it was merged into.
            if let Some(into) = cited.as_ref().and_then(|a| a.merged_into.clone()) {
                cited = self.store.alert(&into).await?;
            }
            match cited.filter(|a| a.state.is_open()) {
                Some(a) => return Ok(Some(a)),
                None if !flags.iter().any(|f| f == flag::REFERENCE_UNMATCHED) => {
                    flags.push(flag::REFERENCE_UNMATCHED.into());
                }
                None => {}
            }
        }
        let Some((digest, since)) = self.follows_up_latest(parsed, reporter, now) else {
            return Ok(None);
        };
        match looked_up {
            Some(latest) => Ok(latest),
            None => Ok(self.store.latest_alert_from(digest, since).await?),
        }
    }

    /// The number and the start of the reply window whose latest open alert this message
    /// would follow up, unless it carries an alert keyword of its own (or no number).
    pub(super) fn follows_up_latest<'a>(
        &self,
        parsed: &ParsedSms,
        reporter: &'a Reporter,
        now: DateTime<Utc>,
    ) -> Option<(&'a str, DateTime<Utc>)> {
        let digest = reporter.phone_digest.as_deref()?;
        let alert_keyword = parsed
            .keyword
            .as_deref()
            .is_some_and(|k| !REPLY_KEYWORDS.contains(&k));
        let window = Duration::minutes(i64::from(self.settings.sms.reply_window_minutes));
        (!alert_keyword).then_some((digest, now - window))
    }

    /// Attach a message to an alert, recording the key so a retry attaches nothing twice.
    pub(super) async fn attach(
        &self,
        caller: &Caller,
        key: &str,
        fingerprint: &str,
        mut alert: Alert,
        text: &str,
        channel: Channel,
    ) -> AppResult<Alert> {
        let event = AlertEvent::MessageAttached {
            text: text.to_string(),
            channel,
        };
        let version = alert.version;
        alert.apply(event, &caller.name, self.now());
        let last = alert.timeline.len().saturating_sub(1);
        let answer = IdempotentAnswer {
            key: key.to_string(),
            fingerprint: fingerprint.to_string(),
            // 200, not 201: nothing was created, which is how a replay tells the two apart.
            status: 200,
            // The alert as it stood, with only the entry this message added: the whole timeline
            // would make every follow-up's stored answer longer than the last.
            body: crate::alerts::answer_keeping(&mut alert, last)?,
            created_at: self.now(),
        };
        let commit = Commit {
            events: vec![self.alert_draft(&alert)],
            writes: vec![
                Write::Alert {
                    alert: Box::new(alert.clone()),
                    expected_version: Some(version),
                },
                Write::Idempotency(answer),
            ],
        };
        self.commit(commit).await?;
        Ok(alert)
    }
}
