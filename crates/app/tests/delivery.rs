//! Delivery of the outbox through a gateway stand-in: recipients resolved, messages sent once,
//! failures retried with back-off and then given up, delivery reports recorded.

mod support;

use std::sync::{Arc, Mutex};
use support::{cla, place};

use async_trait::async_trait;
use chrono::Duration;

use kinga_app::OutboxQuery;
use kinga_app::alerts::IntakeCommand;
use kinga_app::delivery::{Address, MessageSender, SendError, SendReceipt};
use kinga_app::registry::RegistryRecord;
use kinga_app::{App, Caller, FixedClock};
use kinga_domain::outbox::{MessageKind, MessageStatus, OutboxMessage};
use kinga_domain::place::PlaceLevel;
use kinga_domain::registry::{ContactPreference, Hours, Responder, ResponderKind};
use kinga_domain::sms::segments::segments;
use kinga_domain::{AlertState, Channel, ThreatType, TransitionRequest};

/// A gateway that records what it is given and answers as told.
#[derive(Default)]
struct Gateway {
    sent: Mutex<Vec<(Address, OutboxMessage)>>,
    failure: Mutex<Option<SendError>>,
}

impl Gateway {
    fn fail_with(&self, e: Option<SendError>) {
        *self.failure.lock().unwrap() = e;
    }

    fn sent(&self) -> Vec<(Address, OutboxMessage)> {
        self.sent.lock().unwrap().clone()
    }
}

#[async_trait]
impl MessageSender for Gateway {
    async fn send(&self, to: &Address, message: &OutboxMessage) -> Result<SendReceipt, SendError> {
        if let Some(e) = self.failure.lock().unwrap().clone() {
            return Err(e);
        }
        let mut sent = self.sent.lock().unwrap();
        sent.push((to.clone(), message.clone()));
        Ok(SendReceipt {
            provider: "fake".into(),
            provider_message_id: Some(format!("F-{}", sent.len())),
        })
    }
}

fn responder(
    id: &str,
    phone: Option<&str>,
    email: Option<&str>,
    prefers: ContactPreference,
) -> Responder {
    Responder {
        id: id.into(),
        name: id.into(),
        kind: ResponderKind::CommunityLiaison,
        places: vec!["CD6104".into()],
        threat_types: vec![],
        hours: Hours { start: 0, end: 0 },
        phone: phone.map(Into::into),
        email: email.map(Into::into),
        prefers,
        community_consent: true,
        active: true,
    }
}

async fn app(dir: &tempfile::TempDir) -> (App, Arc<FixedClock>) {
    let (app, clock) = support::open_app(dir).await;
    let mut records: Vec<RegistryRecord> = vec![
        place("COD", "RDC", PlaceLevel::Country, None),
        place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("COD")),
        place("CD6104", "Walikale", PlaceLevel::Admin2, Some("CD61")),
    ]
    .into_iter()
    .map(RegistryRecord::Place)
    .collect();
    records.extend(
        [
            responder(
                "by-sms",
                Some("0990000201"),
                Some("sms@example.org"),
                ContactPreference::Sms,
            ),
            responder(
                "by-mail",
                Some("+243990000202"),
                Some("cla@example.org"),
                ContactPreference::Email,
            ),
            responder(
                "mail-only",
                None,
                Some("only@example.org"),
                ContactPreference::Sms,
            ),
            responder("no-contact", None, None, ContactPreference::Sms),
        ]
        .into_iter()
        .map(RegistryRecord::Responder),
    );
    app.save_records(&Caller::system(), records)
        .await
        .expect("registries");
    support::add_coordinator(&app).await;
    (app, clock)
}

async fn sms_alert(app: &App, text: &str) -> String {
    let cmd = IntakeCommand {
        channel: Some(Channel::Sms),
        text: text.into(),
        threat_type: Some(ThreatType::ArmedPresence),
        place: Some("CD6104".into()),
        reporter_phone: Some("+243990001001".into()),
        ..Default::default()
    };
    app.intake(&cla(), cmd).await.expect("intake").alert.id
}

async fn move_to(app: &App, id: &str, to: AlertState, responders: &[&str], outcome: Option<&str>) {
    app.transition(
        &cla(),
        id,
        TransitionRequest {
            to: Some(to),
            responders: responders.iter().map(|r| r.to_string()).collect(),
            outcome: outcome.map(Into::into),
            reason: Some("test".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("to {to}: {e}"));
}

async fn messages(app: &App) -> Vec<OutboxMessage> {
    app.outbox(
        &Caller::system(),
        OutboxQuery {
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .expect("outbox")
    .items
}

async fn message(app: &App, id: &str) -> OutboxMessage {
    messages(app)
        .await
        .into_iter()
        .find(|m| m.id == id)
        .expect("message")
}

async fn status_events(app: &App) -> usize {
    app.events(&Caller::system(), 0, 10_000)
        .await
        .expect("events")
        .iter()
        .filter(|(_, e)| e.payload.contains("\"message_status\""))
        .count()
}

#[tokio::test]
async fn reporter_messages_are_sent_once_and_reports_recorded() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, _clock) = app(&dir).await;
    let gw = Gateway::default();
    let id = sms_alert(&app, "Hommes armés vus près de Walikale").await;
    let run = app.deliver_due(&gw).await.expect("run");
    assert_eq!((run.sent, run.total()), (1, 1), "{run:?}");
    let sent = gw.sent();
    assert_eq!(sent[0].0, Address::Phone("+243990001001".into()));
    let ack = &sent[0].1;
    assert_eq!(ack.kind, MessageKind::Acknowledgement);
    let stored = message(&app, &ack.id).await;
    assert_eq!(stored.status, MessageStatus::Sent);
    assert_eq!(stored.attempts, 1);
    assert_eq!(stored.provider.as_deref(), Some("fake"));
    assert_eq!(stored.provider_message_id.as_deref(), Some("F-1"));
    assert_eq!(stored.channel.as_deref(), Some("sms"));
    assert_eq!(
        app.deliver_due(&gw).await.expect("run").total(),
        0,
        "a sent message is not sent again"
    );

    let before = status_events(&app).await;
    assert!(
        app.record_delivery("fake", "F-1", MessageStatus::Delivered, None)
            .await
            .expect("report")
    );
    assert_eq!(
        message(&app, &ack.id).await.status,
        MessageStatus::Delivered
    );
    assert!(
        app.record_delivery("fake", "F-1", MessageStatus::Sent, None)
            .await
            .expect("late report")
    );
    assert!(
        app.record_delivery("fake", "F-1", MessageStatus::Delivered, None)
            .await
            .expect("repeat")
    );
    assert_eq!(
        status_events(&app).await,
        before + 1,
        "late and repeated reports change nothing"
    );
    assert_eq!(
        message(&app, &ack.id).await.status,
        MessageStatus::Delivered
    );
    assert!(
        !app.record_delivery("fake", "F-99", MessageStatus::Delivered, None)
            .await
            .expect("unknown")
    );
    assert!(
        !app.record_delivery("other", "F-1", MessageStatus::Delivered, None)
            .await
            .expect("other gateway")
    );

    // Closing the alert sends the feedback; a failure report keeps the gateway's reason.
    move_to(&app, &id, AlertState::Acknowledged, &[], None).await;
    move_to(&app, &id, AlertState::FalseAlarm, &[], None).await;
    move_to(
        &app,
        &id,
        AlertState::Closed,
        &[],
        Some("patrouille envoyée, rien trouvé"),
    )
    .await;
    assert_eq!(app.deliver_due(&gw).await.expect("run").sent, 1);
    let feedback = gw.sent()[1].1.clone();
    assert_eq!(feedback.kind, MessageKind::Feedback);
    assert!(
        feedback.body.contains("patrouille envoyée"),
        "{}",
        feedback.body
    );
    assert!(
        app.record_delivery(
            "fake",
            "F-2",
            MessageStatus::Failed,
            Some("30003: unreachable handset".into())
        )
        .await
        .expect("report")
    );
    let failed = message(&app, &feedback.id).await;
    assert_eq!(failed.status, MessageStatus::Failed);
    assert_eq!(
        failed.last_error.as_deref(),
        Some("30003: unreachable handset")
    );
    support::assert_verified(&app).await;
}

#[tokio::test]
async fn failures_are_retried_with_back_off_then_given_up() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, clock) = app(&dir).await;
    let gw = Gateway::default();
    gw.fail_with(Some(SendError::Retryable(
        "HTTP 500 from the gateway".into(),
    )));
    sms_alert(&app, "Tirs à Walikale").await;
    let t0 = app.now();
    let mut waits = vec![];
    let mut at = t0;
    for attempt in 1..=8u32 {
        clock.set(at);
        let run = app.deliver_due(&gw).await.expect("run");
        let m = messages(&app).await.remove(0);
        assert_eq!(m.attempts, attempt);
        assert_eq!(m.last_error.as_deref(), Some("HTTP 500 from the gateway"));
        if attempt < 8 {
            assert_eq!(run.retrying, 1, "{run:?}");
            assert_eq!(m.status, MessageStatus::Queued);
            let next = m.next_attempt_at.expect("retry time");
            waits.push((next - at).num_minutes());
            clock.set(next - Duration::seconds(1));
            assert_eq!(
                app.deliver_due(&gw).await.expect("run").total(),
                0,
                "not due yet"
            );
            at = next;
        } else {
            assert_eq!(run.failed, 1, "{run:?}");
            assert_eq!(m.status, MessageStatus::Failed);
            assert_eq!(m.next_attempt_at, None);
        }
    }
    assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60]);
    clock.set(at + Duration::days(1));
    assert_eq!(
        app.deliver_due(&gw).await.expect("run").total(),
        0,
        "failed is final"
    );
    assert_eq!(
        status_events(&app).await,
        8,
        "every attempt is in the ledger"
    );

    // A permanent refusal is not retried.
    gw.fail_with(Some(SendError::Permanent(
        "21211: invalid 'To' number".into(),
    )));
    sms_alert(&app, "Encore des tirs").await;
    let run = app.deliver_due(&gw).await.expect("run");
    assert_eq!(run.failed, 1, "{run:?}");
    support::assert_verified(&app).await;
}

#[tokio::test]
async fn responders_get_their_preferred_contact_and_coordinators_their_inbox() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, clock) = app(&dir).await;
    let gw = Gateway::default();
    let cmd = IntakeCommand {
        channel: Some(Channel::Call),
        text: "Déplacés à Walikale, reçus à l'église ".repeat(20),
        threat_type: Some(ThreatType::Displacement),
        place: Some("CD6104".into()),
        ..Default::default()
    };
    let id = app.intake(&cla(), cmd).await.expect("intake").alert.id;
    move_to(&app, &id, AlertState::Acknowledged, &[], None).await;
    move_to(&app, &id, AlertState::Verified, &[], None).await;
    move_to(
        &app,
        &id,
        AlertState::Assigned,
        &["by-sms", "by-mail", "mail-only", "no-contact"],
        None,
    )
    .await;
    let run = app.deliver_due(&gw).await.expect("run");
    assert_eq!((run.sent, run.failed), (3, 1), "{run:?}");
    let to = |r: &str| {
        let all = gw.sent();
        all.into_iter()
            .find(|(_, m)| matches!(&m.recipient, kinga_domain::outbox::Recipient::Responder { responder } if responder == r))
            .unwrap_or_else(|| panic!("nothing sent to {r}"))
    };
    let (addr, sms) = to("by-sms");
    assert_eq!(addr, Address::Phone("+243990000201".into()));
    assert!(segments(&sms.body).segments <= 3, "SMS cut to three parts");
    assert!(
        sms.body.ends_with('…') || sms.body.ends_with("..."),
        "{}",
        sms.body
    );
    assert_eq!(
        message(&app, &sms.id).await.body,
        sms.body,
        "the outbox keeps what was sent"
    );
    let (addr, mail) = to("by-mail");
    assert_eq!(addr, Address::Email("cla@example.org".into()));
    assert!(
        mail.body.chars().count() > sms.body.chars().count(),
        "e-mail is not cut"
    );
    assert_eq!(
        message(&app, &mail.id).await.channel.as_deref(),
        Some("email")
    );
    assert_eq!(to("mail-only").0, Address::Email("only@example.org".into()));
    let lost = messages(&app)
        .await
        .into_iter()
        .find(|m| m.status == MessageStatus::Failed)
        .expect("the responder without contact");
    assert!(
        lost.last_error
            .as_deref()
            .unwrap_or("")
            .contains("no-contact"),
        "{lost:?}"
    );

    // Escalations to coordinators stay in Kinga's inbox: never handed to the gateway.
    let before = gw.sent().len();
    clock.set(app.now() + Duration::days(2));
    assert!(app.escalate_due().await.expect("escalate") >= 1);
    let run = app.deliver_due(&gw).await.expect("run");
    assert!(run.inbox >= 1 && run.sent == 0, "{run:?}");
    assert_eq!(gw.sent().len(), before);
    let esc = messages(&app)
        .await
        .into_iter()
        .find(|m| m.kind == MessageKind::Escalation)
        .expect("escalation");
    assert_eq!(esc.status, MessageStatus::Sent);
    assert_eq!(esc.channel.as_deref(), Some("inbox"));
    support::assert_verified(&app).await;
}

/// A gateway like Kannel's SMSCs: its delivery report reaches Kinga before the gateway has
/// even answered the send, so before the worker has recorded the send.
struct ReportsFirst {
    app: App,
    report: MessageStatus,
}

#[async_trait]
impl MessageSender for ReportsFirst {
    async fn send(&self, _to: &Address, message: &OutboxMessage) -> Result<SendReceipt, SendError> {
        let id = format!("K-{}", message.id);
        let known = self
            .app
            .record_delivery("kannel", &id, self.report, Some("gateway says no".into()))
            .await
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        assert!(!known, "no message has the id before the send is recorded");
        Ok(SendReceipt {
            provider: "kannel".into(),
            provider_message_id: Some(id),
        })
    }
}

#[tokio::test]
async fn a_report_that_overtakes_the_send_is_held_then_applied() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, _clock) = app(&dir).await;
    sms_alert(&app, "Hommes armés vus près de Walikale").await;
    let gw = ReportsFirst {
        app: app.clone(),
        report: MessageStatus::Delivered,
    };
    let before = status_events(&app).await;
    let run = app.deliver_due(&gw).await.expect("run");
    assert_eq!(run.sent, 1, "{run:?}");
    let ack = messages(&app).await.into_iter().next().expect("ack");
    assert_eq!(ack.status, MessageStatus::Delivered, "{ack:?}");
    assert_eq!(ack.attempts, 1);
    assert_eq!(ack.provider_message_id, Some(format!("K-{}", ack.id)));
    assert_eq!(
        status_events(&app).await,
        before + 2,
        "sent, then delivered: each once"
    );
    // The held report is used up: repeating it changes nothing.
    let id = ack.provider_message_id.clone().expect("id");
    assert!(
        app.record_delivery("kannel", &id, MessageStatus::Delivered, None)
            .await
            .expect("repeat")
    );
    assert_eq!(status_events(&app).await, before + 2);

    // A failure report that overtakes the send keeps the gateway's reason.
    sms_alert(&app, "Tirs à Walikale").await;
    let gw = ReportsFirst {
        app: app.clone(),
        report: MessageStatus::Failed,
    };
    assert_eq!(app.deliver_due(&gw).await.expect("run").sent, 1);
    let failed = messages(&app)
        .await
        .into_iter()
        .find(|m| m.status == MessageStatus::Failed)
        .expect("the second acknowledgement, failed");
    assert_eq!(failed.last_error.as_deref(), Some("gateway says no"));
    support::assert_verified(&app).await;
}
