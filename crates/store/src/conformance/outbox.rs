//! Checks of outbox delivery: claiming due messages under a lease, releasing them by writing
//! them back, and finding sent messages by their gateway id.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use kinga_domain::outbox::{MessageStatus, OutboxMessage};

use super::commit_ok;
use super::fixtures::{self, at};
use crate::{Commit, Store, Write};

async fn write(store: &dyn Store, messages: &[OutboxMessage]) {
    let writes = messages.iter().cloned().map(Write::Outbox).collect();
    commit_ok(
        store,
        Commit {
            events: vec![],
            writes,
        },
    )
    .await;
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
