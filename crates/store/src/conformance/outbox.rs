//! Checks of the outbox: listing and filtering messages, each user's inbox, claiming due
//! messages under a lease, releasing them by writing them back, and finding sent messages by
//! their gateway id, and holding delivery reports that came before the send.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use kinga_domain::outbox::{MessageStatus, OutboxMessage};

use kinga_ledger::Payload;

use super::fixtures::{self, at, draft, unique};
use super::{commit_ok, commit_writes};
use crate::{Commit, HeldReport, OutboxQuery, Store, Write};

async fn write(store: &dyn Store, messages: &[OutboxMessage]) {
    let writes = messages.iter().cloned().map(Write::Outbox).collect();
    commit_writes(store, writes).await;
}

async fn claim(
    store: &dyn Store,
    now: DateTime<Utc>,
    lease: Duration,
    limit: usize,
) -> Vec<String> {
    store
        .claim_outbox(now, now + lease, limit)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect()
}

/// Take every message other checks left queued, so the claims below see only their own.
async fn drain(store: &dyn Store) {
    let far = at(2999, 1, 1, 0, 0, 0);
    store
        .claim_outbox(far, far + Duration::days(365), 100_000)
        .await
        .unwrap();
}

fn queued(created_at: DateTime<Utc>, next: Option<DateTime<Utc>>) -> OutboxMessage {
    OutboxMessage {
        next_attempt_at: next,
        attempts: u32::from(next.is_some()),
        ..fixtures::message(None, MessageStatus::Queued, created_at)
    }
}

/// Due messages are claimed oldest first and only once while leased; writing one back
/// releases it, and an expired lease (a worker that died) makes it claimable again.
pub async fn check_outbox_claims(store: &dyn Store) {
    drain(store).await;
    let t0 = at(2040, 6, 1, 8, 0, 0);
    let s = Duration::seconds;
    let a = queued(t0, None);
    let b = queued(t0 + s(1), Some(t0 + s(30)));
    let c = queued(t0 + s(2), Some(t0 - s(60)));
    let sent = fixtures::message(None, MessageStatus::Sent, t0 + s(3));
    write(store, &[a.clone(), b.clone(), c.clone(), sent.clone()]).await;

    let lease = Duration::minutes(5);
    assert_eq!(
        claim(store, t0 + s(5), lease, 10).await,
        vec![a.id.clone(), c.id.clone()],
        "due messages, oldest first; not the one waiting for its retry, not the sent one"
    );
    assert!(
        claim(store, t0 + s(6), lease, 10).await.is_empty(),
        "a leased message is not claimed twice"
    );
    let long = Duration::minutes(10);
    assert_eq!(claim(store, t0 + s(40), long, 10).await, vec![b.id.clone()]);

    // Writing back ends the lease: a retry scheduled later is claimed when it is due.
    let c_retry = OutboxMessage {
        attempts: 2,
        last_error: Some("HTTP 503".into()),
        next_attempt_at: Some(t0 + s(61)),
        ..c.clone()
    };
    write(store, std::slice::from_ref(&c_retry)).await;
    assert!(claim(store, t0 + s(60), lease, 10).await.is_empty());
    assert_eq!(claim(store, t0 + s(61), long, 10).await, vec![c.id.clone()]);
    let claimed = store
        .claim_outbox(t0 + s(400), t0 + s(400) + lease, 10)
        .await
        .unwrap();
    assert_eq!(
        claimed,
        vec![a.clone()],
        "a's lease ran out: claimable again, unchanged"
    );
    assert_eq!(
        claim(store, t0 + s(400), lease, 10).await,
        Vec::<String>::new()
    );
    // The leases of b and c (taken at 40 s and 61 s for 10 minutes) have run out by now; the
    // limit keeps the oldest.
    assert_eq!(
        claim(store, t0 + s(690), lease, 1).await,
        vec![b.id.clone()]
    );

    // Sent, failed and delivered messages are never claimed.
    let done = [
        OutboxMessage {
            status: MessageStatus::Sent,
            ..a.clone()
        },
        OutboxMessage {
            status: MessageStatus::Failed,
            ..b.clone()
        },
        OutboxMessage {
            status: MessageStatus::Delivered,
            ..c_retry.clone()
        },
    ];
    write(store, &done).await;
    assert!(
        claim(store, t0 + Duration::days(1), lease, 10)
            .await
            .is_empty()
    );
}

/// A sent message is found by its gateway and the gateway's id, with every delivery field
/// as written.
pub async fn check_outbox_provider_ids(store: &dyn Store) {
    let t0 = at(2040, 7, 1, 8, 0, 0);
    let sid = fixtures::unique("SM");
    let sent = OutboxMessage {
        provider: Some("twilio".into()),
        provider_message_id: Some(sid.clone()),
        channel: Some("sms".into()),
        attempts: 3,
        ..fixtures::message(Some("01ALPROV"), MessageStatus::Sent, t0)
    };
    let other = OutboxMessage {
        provider: Some("kannel".into()),
        provider_message_id: Some(fixtures::unique("kannel-")),
        ..fixtures::message(None, MessageStatus::Sent, t0)
    };
    write(store, &[sent.clone(), other.clone()]).await;
    assert_eq!(
        store.outbox_by_provider_id("twilio", &sid).await.unwrap(),
        Some(sent.clone())
    );
    assert_eq!(
        store.outbox_by_provider_id("kannel", &sid).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .outbox_by_provider_id("twilio", "SMnone")
            .await
            .unwrap(),
        None
    );
    let id = other.provider_message_id.clone().unwrap_or_default();
    assert_eq!(
        store.outbox_by_provider_id("kannel", &id).await.unwrap(),
        Some(other)
    );
    let delivered = OutboxMessage {
        status: MessageStatus::Delivered,
        ..sent
    };
    write(store, std::slice::from_ref(&delivered)).await;
    assert_eq!(
        store.outbox_by_provider_id("twilio", &sid).await.unwrap(),
        Some(delivered)
    );
}

/// Delivery reports held for a gateway's id come back oldest first, once; other gateways'
/// and other ids' stay; reports held too long are forgotten when a new one is held.
pub async fn check_held_reports(store: &dyn Store) {
    let t0 = at(2040, 8, 1, 8, 0, 0);
    let id = fixtures::unique("held-");
    let report = |provider: &str, id: &str, status, minutes| HeldReport {
        provider: provider.into(),
        provider_message_id: id.into(),
        status,
        error: (status == MessageStatus::Failed).then(|| "30003: unreachable".into()),
        received_at: t0 + Duration::minutes(minutes),
    };
    let old = report(
        "kannel",
        &fixtures::unique("old-"),
        MessageStatus::Delivered,
        -3000,
    );
    let forget_before = t0 - Duration::days(2);
    store
        .hold_report(&old, old.received_at - Duration::days(1))
        .await
        .unwrap();
    let later = report("kannel", &id, MessageStatus::Delivered, 2);
    let earlier = report("kannel", &id, MessageStatus::Failed, 1);
    let elsewhere = report("twilio", &id, MessageStatus::Delivered, 1);
    for r in [&later, &earlier, &elsewhere] {
        store.hold_report(r, forget_before).await.unwrap();
    }
    assert_eq!(
        store.take_held_reports("kannel", &id).await.unwrap(),
        vec![earlier, later],
        "oldest first"
    );
    assert!(
        store
            .take_held_reports("kannel", &id)
            .await
            .unwrap()
            .is_empty(),
        "taken once"
    );
    assert_eq!(
        store.take_held_reports("twilio", &id).await.unwrap(),
        vec![elsewhere]
    );
    assert!(
        store
            .take_held_reports("kannel", &old.provider_message_id)
            .await
            .unwrap()
            .is_empty(),
        "a report held for more than two days is forgotten"
    );
    assert!(
        store
            .take_held_reports("kannel", "held-none")
            .await
            .unwrap()
            .is_empty()
    );
}

/// Workers claiming at the same time never get the same message.
pub async fn check_concurrent_claims(store: Arc<dyn Store>) {
    drain(store.as_ref()).await;
    let t0 = at(2041, 1, 1, 8, 0, 0);
    let messages: Vec<OutboxMessage> = (0..40)
        .map(|i| queued(t0 + Duration::milliseconds(i), None))
        .collect();
    write(store.as_ref(), &messages).await;
    let now = t0 + Duration::minutes(1);
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move { claim(s.as_ref(), now, Duration::minutes(5), 15).await })
        })
        .collect();
    let mut seen = HashSet::new();
    for w in workers {
        for id in w.await.unwrap() {
            assert!(seen.insert(id.clone()), "{id} was claimed twice");
        }
    }
    let want: HashSet<String> = messages.into_iter().map(|m| m.id).collect();
    assert_eq!(seen, want, "every due message is claimed by one worker");
}

/// Outbox messages filtered by status and alert, newest first, replaced on status change.
pub async fn check_outbox(store: &dyn Store) {
    let t0 = at(2032, 4, 1, 8, 0, 0);
    let alert = unique("01AL");
    let statuses = [
        MessageStatus::Queued,
        MessageStatus::Sent,
        MessageStatus::Queued,
        MessageStatus::Failed,
    ];
    let mut msgs: Vec<_> = statuses
        .iter()
        .enumerate()
        .map(|(i, s)| fixtures::message(Some(&alert), *s, t0 + Duration::minutes(i as i64)))
        .collect();
    let other = fixtures::message(None, MessageStatus::Queued, t0);
    let writes = msgs
        .iter()
        .chain([&other])
        .map(|m| Write::Outbox(m.clone()))
        .collect();
    let events = msgs
        .iter()
        .map(|m| draft("system", t0, Payload::MessageQueued { message: m.clone() }))
        .collect();
    commit_ok(store, Commit { events, writes }).await;

    let q = |statuses: Vec<MessageStatus>, limit| OutboxQuery {
        statuses,
        alert: Some(alert.clone()),
        limit,
        ..Default::default()
    };
    let ids = |list: Vec<kinga_domain::outbox::OutboxMessage>| {
        list.into_iter().map(|m| m.id).collect::<Vec<_>>()
    };
    assert_eq!(
        store.outbox(&q(vec![], 10)).await.unwrap(),
        msgs.iter().rev().cloned().collect::<Vec<_>>()
    );
    assert_eq!(
        ids(store.outbox(&q(vec![], 2)).await.unwrap()),
        vec![msgs[3].id.clone(), msgs[2].id.clone()]
    );
    let second_page = OutboxQuery {
        offset: 2,
        ..q(vec![], 2)
    };
    assert_eq!(
        ids(store.outbox(&second_page).await.unwrap()),
        vec![msgs[1].id.clone(), msgs[0].id.clone()],
        "the second page follows the first"
    );
    assert_eq!(
        ids(store
            .outbox(&q(vec![MessageStatus::Queued], 10))
            .await
            .unwrap()),
        vec![msgs[2].id.clone(), msgs[0].id.clone()]
    );
    assert_eq!(
        ids(store
            .outbox(&q(vec![MessageStatus::Sent, MessageStatus::Failed], 10))
            .await
            .unwrap()),
        vec![msgs[3].id.clone(), msgs[1].id.clone()]
    );
    assert!(
        store
            .outbox(&q(vec![MessageStatus::Delivered], 10))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.outbox(&q(vec![], 0)).await.unwrap().is_empty());

    msgs[0].status = MessageStatus::Delivered;
    msgs[0].attempts = 2;
    commit_ok(
        store,
        Commit {
            events: vec![],
            writes: vec![Write::Outbox(msgs[0].clone())],
        },
    )
    .await;
    assert_eq!(
        store
            .outbox(&q(vec![MessageStatus::Delivered], 10))
            .await
            .unwrap(),
        vec![msgs[0].clone()]
    );
    assert_eq!(store.outbox(&q(vec![], 10)).await.unwrap().len(), 4);

    let any = OutboxQuery {
        statuses: vec![MessageStatus::Queued],
        limit: 1000,
        ..Default::default()
    };
    let queued = store.outbox(&any).await.unwrap();
    assert!(queued.contains(&other) && queued.contains(&msgs[2]));
    assert!(queued.iter().all(|m| m.status == MessageStatus::Queued));
    assert!(
        queued
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );
}

/// Each user's inbox: only the inbox copies for that user (not their SMS or e-mail copies,
/// not another user's), newest first, and only those after an instant when asked.
pub async fn check_inbox(store: &dyn Store) {
    let t0 = at(2032, 5, 1, 8, 0, 0);
    let (grace, john) = (unique("usr"), unique("usr"));
    let to = |user: &str, via: Option<&str>, minutes: i64| {
        let mut m = fixtures::message(None, MessageStatus::Sent, t0 + Duration::minutes(minutes));
        m.kind = kinga_domain::outbox::MessageKind::Escalation;
        m.recipient = kinga_domain::outbox::Recipient::User {
            user: user.to_string(),
            via: via.map(str::to_string),
        };
        m
    };
    let msgs = [
        to(&grace, None, 0),
        to(&grace, Some("sms"), 0),
        to(&grace, Some("email"), 0),
        to(&john, None, 1),
        to(&grace, None, 2),
    ];
    let events = msgs
        .iter()
        .map(|m| draft("system", t0, Payload::MessageQueued { message: m.clone() }))
        .collect();
    let writes = msgs.iter().map(|m| Write::Outbox(m.clone())).collect();
    commit_ok(store, Commit { events, writes }).await;
    let inbox = |user: &str, after| OutboxQuery {
        inbox_of: Some(user.to_string()),
        after,
        limit: 10,
        ..Default::default()
    };
    let ids = |list: Vec<kinga_domain::outbox::OutboxMessage>| {
        list.into_iter().map(|m| m.id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(store.outbox(&inbox(&grace, None)).await.unwrap()),
        vec![msgs[4].id.clone(), msgs[0].id.clone()],
        "her inbox copies only, newest first"
    );
    assert_eq!(
        ids(store.outbox(&inbox(&john, None)).await.unwrap()),
        vec![msgs[3].id.clone()]
    );
    assert_eq!(
        ids(store
            .outbox(&inbox(&grace, Some(t0 + Duration::minutes(1))))
            .await
            .unwrap()),
        vec![msgs[4].id.clone()],
        "unread: after the instant she last read"
    );
    assert!(
        store
            .outbox(&inbox(&grace, Some(t0 + Duration::minutes(2))))
            .await
            .unwrap()
            .is_empty(),
        "strictly after"
    );
}
