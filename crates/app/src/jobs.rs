//! Background jobs: escalation of missed deadlines and the daily alert tracking digest.

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};

use kinga_domain::AlertEvent;
use kinga_domain::deadline;
use kinga_domain::digest::{self, Digest};
use kinga_domain::outbox::{self, MessageKind, OutboxMessage, Recipient};
use kinga_domain::people::{NotifyChannel, Role, User};
use kinga_ledger::Payload;
use kinga_store::{Commit, StoreError, Write};

use crate::{App, AppError, AppResult, Caller};

impl App {
    pub(crate) async fn coordinators(&self) -> AppResult<Vec<User>> {
        Ok(self
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| !u.disabled && matches!(u.role, Role::Coordinator | Role::Administrator))
            .collect())
    }

    /// A message to a user: always in their Kinga inbox, and a copy by SMS or e-mail for each
    /// way they asked to be reached (a copy needing a contact they lack is not made).
    pub(crate) fn messages_to(
        &self,
        user: &User,
        kind: MessageKind,
        alert: Option<String>,
        body: String,
    ) -> Vec<OutboxMessage> {
        let via = std::iter::once(None).chain(user.notify.iter().filter_map(|c| {
            let reachable = match c {
                NotifyChannel::Sms => user.phone.is_some(),
                NotifyChannel::Email => user.email.is_some(),
            };
            reachable.then(|| Some(c.as_str().to_string()))
        }));
        via.map(|via| {
            OutboxMessage::queued(
                self.new_id(),
                kind,
                Recipient::User {
                    user: user.id.clone(),
                    via,
                },
                alert.clone(),
                user.language.clone(),
                body.clone(),
                self.now(),
            )
        })
        .collect()
    }

    /// Queue `messages` with the events that record them.
    pub(crate) fn queue_all(
        &self,
        messages: Vec<OutboxMessage>,
        events: &mut Vec<kinga_ledger::DraftEvent>,
        writes: &mut Vec<Write>,
    ) {
        for m in messages {
            events.push(self.draft(
                &Caller::system().name,
                Payload::MessageQueued { message: m.clone() },
            ));
            writes.push(Write::Outbox(m));
        }
    }

    /// Escalate every missed deadline not escalated yet; returns how many were escalated.
    pub async fn escalate_due(&self) -> AppResult<usize> {
        let now = self.now();
        let coordinators = self.coordinators().await?;
        let system = Caller::system();
        let gaz = self.caches.gazetteer();
        let mut n = 0;
        for mut alert in self.store.alerts_due(now).await? {
            let Some(kind) = deadline::missed(alert.state, &alert.deadlines, &alert.escalated, now)
            else {
                continue;
            };
            // Weeks past its deadline an alert is stale: it waits in the stale view for a
            // coordinator, and an escalation now (a server that was down, an imported
            // history) would only bury the fresh ones.
            if alert
                .next_deadline()
                .is_some_and(|(_, at)| at <= now - Duration::days(crate::moves::STALE_AFTER_DAYS))
            {
                continue;
            }
            let event = AlertEvent::Escalated { deadline: kind };
            let version = alert.version;
            alert.apply(event, &system.name, now);
            let mut events = vec![self.alert_draft(&alert)];
            let mut writes = vec![Write::Alert {
                alert: Box::new(alert.clone()),
                expected_version: Some(version),
            }];
            let place = alert
                .place
                .as_deref()
                .map(|p| gaz.label(p))
                .unwrap_or_else(|| "?".into());
            for c in &coordinators {
                let body = outbox::escalation_text(
                    &c.language,
                    kind,
                    &alert.reference,
                    alert.severity.level(),
                    &place,
                );
                let ms = self.messages_to(c, MessageKind::Escalation, Some(alert.id.clone()), body);
                self.queue_all(ms, &mut events, &mut writes);
            }
            match self.commit(Commit { events, writes }).await {
                Ok(_) => n += 1,
                // Someone acted on the alert meanwhile; the next run looks at it again.
                Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(n)
    }

    /// The deployment's date today.
    pub fn local_today(&self) -> NaiveDate {
        self.now().with_timezone(&self.settings.zone()).date_naive()
    }

    /// Issue the digest of `day` (a day in the deployment's time zone, midnight to midnight)
    /// and queue it to coordinators.
    pub async fn issue_digest(&self, caller: &Caller, day: NaiveDate) -> AppResult<Digest> {
        caller.require(kinga_domain::people::Permission::Coordinate)?;
        let zone = self.settings.zone();
        let midnight = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(zone).earliest())
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| AppError::Invalid(format!("no midnight on {d} in {zone}")))
        };
        let from = midnight(day)?;
        let to = midnight(day + Duration::days(1))?;
        // Alerts still open from earlier weeks count as overdue, so look back a month.
        let alerts = self
            .store
            .alerts_reported_between(from - Duration::days(30), to)
            .await?;
        let d = digest::compute(&alerts, from, to).of_local_day(day, zone);
        let value = serde_json::to_value(&d).map_err(|e| AppError::Invalid(e.to_string()))?;
        let system = Caller::system();
        let mut events = vec![self.draft(
            &system.name,
            Payload::DigestIssued {
                digest: value.clone(),
            },
        )];
        let mut writes = vec![Write::Digest {
            day: day.to_string(),
            digest: value,
        }];
        for c in self.coordinators().await? {
            let ms = self.messages_to(
                &c,
                MessageKind::Digest,
                None,
                digest::render_text(&d, &c.language),
            );
            self.queue_all(ms, &mut events, &mut writes);
        }
        match self.commit(Commit { events, writes }).await {
            Ok(_) | Err(StoreError::Duplicate(_)) => Ok(d),
            Err(e) => Err(e.into()),
        }
    }

    /// Issue yesterday's digest once the configured local hour has passed, if not issued yet.
    pub async fn digest_if_due(&self, now: DateTime<Utc>) -> AppResult<Option<Digest>> {
        let local = now.with_timezone(&self.settings.zone());
        if local.hour() < self.settings.digest.hour {
            return Ok(None);
        }
        let yesterday = local.date_naive() - Duration::days(1);
        let issued = self.store.digests(3).await?;
        let done = issued
            .iter()
            .any(|d| d.get("day").and_then(|v| v.as_str()) == Some(&yesterday.to_string()));
        if done {
            return Ok(None);
        }
        self.issue_digest(&Caller::system(), yesterday)
            .await
            .map(Some)
    }
}
