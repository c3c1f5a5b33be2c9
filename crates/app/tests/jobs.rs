//! Escalation of missed deadlines and the daily digest, with a clock the test moves.

mod support;

use std::sync::Arc;
use support::cla;

use chrono::{Duration, TimeZone, Utc};

use kinga_app::OutboxQuery;
use kinga_app::{App, Caller, FixedClock};
use kinga_domain::deadline::DeadlineKind;
use kinga_domain::outbox::MessageKind;
use kinga_domain::{AlertState, TransitionRequest};

async fn app(dir: &tempfile::TempDir) -> (App, Arc<FixedClock>) {
    let (app, clock) = support::open_app(dir).await;
    support::add_walikale(&app).await;
    support::add_coordinator(&app).await;
    (app, clock)
}

#[tokio::test]
async fn missed_deadlines_escalate_once_to_coordinators() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, clock) = app(&dir).await;
    let id = support::killing_at_walikale(&app, "Trois civils tués à Walikale").await;
    assert_eq!(
        app.escalate_due().await.expect("run"),
        0,
        "nothing is due yet"
    );
    clock.set(app.now() + Duration::minutes(16));
    assert_eq!(app.escalate_due().await.expect("run"), 1);
    assert_eq!(
        app.escalate_due().await.expect("run"),
        0,
        "a deadline is escalated once"
    );
    let a = app.alert(&cla(), &id).await.expect("alert");
    assert_eq!(a.escalated, vec![DeadlineKind::Acknowledge]);
    let msgs = app
        .outbox(
            &Caller::system(),
            OutboxQuery {
                alert: Some(id.clone()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("outbox")
        .items;
    let esc: Vec<_> = msgs
        .iter()
        .filter(|m| m.kind == MessageKind::Escalation)
        .collect();
    assert_eq!(esc.len(), 1);
    assert!(
        esc[0].body.contains(&a.reference)
            && esc[0].body.contains("délai d'accusé de réception dépassé"),
        "{}",
        esc[0].body
    );
    // Acknowledging moves the alert to its next deadline, which escalates in turn.
    app.transition(
        &cla(),
        &id,
        TransitionRequest {
            to: Some(AlertState::Acknowledged),
            ..Default::default()
        },
    )
    .await
    .expect("ack");
    clock.set(app.now() + Duration::hours(2));
    assert_eq!(app.escalate_due().await.expect("run"), 1);
    let a = app.alert(&cla(), &id).await.expect("alert");
    assert_eq!(
        a.escalated,
        vec![DeadlineKind::Acknowledge, DeadlineKind::Verify]
    );
    support::assert_verified(&app).await;
}

#[tokio::test]
async fn the_daily_digest_is_issued_once_after_its_hour() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, clock) = app(&dir).await;
    let a = support::killing_at_walikale(&app, "Attaque à Walikale").await;
    support::killing_at_walikale(&app, "Tirs entendus à Walikale").await;
    app.transition(
        &cla(),
        &a,
        TransitionRequest {
            to: Some(AlertState::Acknowledged),
            ..Default::default()
        },
    )
    .await
    .expect("ack");
    // Next day (Lubumbashi time), before the configured hour: nothing; after it: yesterday's digest, once.
    clock.set(Utc.with_ymd_and_hms(2026, 3, 3, 4, 30, 0).unwrap());
    assert!(app.digest_if_due(app.now()).await.expect("run").is_none());
    clock.set(Utc.with_ymd_and_hms(2026, 3, 3, 6, 30, 0).unwrap());
    let d = app
        .digest_if_due(app.now())
        .await
        .expect("run")
        .expect("issued");
    assert_eq!(d.day, "2026-03-02");
    assert_eq!(d.received, 2);
    assert_eq!(d.uncovered_open, 2, "Walikale has no responder");
    assert!(
        app.digest_if_due(app.now()).await.expect("run").is_none(),
        "issued once"
    );
    let msgs = app
        .outbox(
            &Caller::system(),
            OutboxQuery {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .expect("outbox")
        .items;
    let digest = msgs
        .iter()
        .find(|m| m.kind == MessageKind::Digest)
        .expect("digest queued to the coordinator");
    assert!(digest.body.contains('2'), "{}", digest.body);
    assert_eq!(
        app.digests(&Caller::system(), 5)
            .await
            .expect("digests")
            .len(),
        1
    );
    support::assert_verified(&app).await;
}

#[tokio::test]
async fn stale_alerts_are_not_escalated_again_and_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let (app, clock) = app(&dir).await;
    support::killing_at_walikale(&app, "Trois civils tués à Walikale").await;
    // The server was down for three weeks: the alert is stale, not news.
    clock.set(app.now() + Duration::days(21));
    assert_eq!(app.escalate_due().await.expect("run"), 0);
    let fresh = support::killing_at_walikale(&app, "Attaque à Walikale").await;
    clock.set(app.now() + Duration::minutes(16));
    assert_eq!(
        app.escalate_due().await.expect("run"),
        1,
        "the fresh one is"
    );
    let a = app.alert(&cla(), &fresh).await.expect("alert");
    assert_eq!(a.escalated, vec![DeadlineKind::Acknowledge]);
}
