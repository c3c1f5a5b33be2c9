//! Checks of the ledger: sealing, atomicity, optimistic concurrency and concurrent commits.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::Duration;

use kinga_domain::AlertState;
use kinga_domain::outbox::MessageStatus;
use kinga_domain::place::PlaceLevel;
use kinga_ledger::{GENESIS, Payload};

use super::fixtures::{self, AlertSpec, at, draft, unique};
use super::{commit_err, commit_ok, verified_ledger};
use crate::{Commit, IdempotentAnswer, Store, StoreError, Write};

/// Backend name, health and a stable instance id.
pub async fn check_basics(store: &dyn Store) {
    assert!(
        ["sqlite", "postgres"].contains(&store.backend()),
        "unknown backend {}",
        store.backend()
    );
    store.health().await.unwrap();
    let id = store.instance_id().await.unwrap();
    assert!(
        id.len() >= 16,
        "instance id {id:?} is too short to be unique"
    );
    assert_eq!(
        store.instance_id().await.unwrap(),
        id,
        "instance id must not change"
    );
}

/// Events are sealed in sequence, linked by hash, and read back exactly.
pub async fn check_sealing(store: &dyn Store) {
    let origin = store.instance_id().await.unwrap();
    let before = verified_ledger(store).await;
    let head = before
        .iter()
        .rev()
        .find(|(_, e)| e.origin == origin)
        .map_or((0, GENESIS.to_string()), |(_, e)| (e.seq, e.hash.clone()));

    let ns = fixtures::namespace();
    let when = at(2030, 1, 2, 10, 0, 0);
    let p1 = fixtures::place(&format!("{ns}01"), "Kalehe", PlaceLevel::Admin2, None);
    let p2 = fixtures::place(
        &format!("{ns}0101"),
        "Minova",
        PlaceLevel::Admin3,
        Some(&p1.pcode),
    );
    let drafts = vec![
        draft("admin", when, Payload::PlaceSaved { place: p1.clone() }),
        draft("admin", when, Payload::PlaceSaved { place: p2.clone() }),
        draft(
            "system",
            when + Duration::microseconds(123_456),
            Payload::MessageStatus {
                message: unique("msg"),
                status: MessageStatus::Sent,
                error: None,
                delivery: None,
                body: None,
            },
        ),
    ];
    let sealed = commit_ok(
        store,
        Commit {
            events: drafts.clone(),
            writes: vec![Write::Place(p1), Write::Place(p2)],
        },
    )
    .await;

    assert_eq!(sealed.len(), 3);
    let mut prev = head.1.clone();
    for (i, (event, draft)) in sealed.iter().zip(&drafts).enumerate() {
        assert_eq!(
            event.origin, origin,
            "events are sealed with this instance's id"
        );
        assert_eq!(
            event.seq,
            head.0 + 1 + i as u64,
            "sequence numbers follow the head"
        );
        assert_eq!(event.prev_hash, prev, "each event links to the one before");
        assert_eq!(event.id, draft.id);
        assert_eq!(event.actor, draft.actor);
        assert_eq!(event.decode().unwrap(), draft.payload);
        assert_eq!(event.time(), Some(draft.at));
        prev = event.hash.clone();
    }

    let after = verified_ledger(store).await;
    assert_eq!(after.len(), before.len() + 3);
    let tail: Vec<_> = after[before.len()..]
        .iter()
        .map(|(_, e)| e.clone())
        .collect();
    assert_eq!(
        tail, sealed,
        "events() returns exactly what commit() sealed"
    );

    // Paging from a position in the middle, and past the end.
    let (p_first, _) = after[before.len()];
    let page = store.events(p_first, 1).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].1, sealed[1]);
    assert!(
        store
            .events(after[after.len() - 1].0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.events(0, 0).await.unwrap().is_empty());

    // A commit with no events writes its rows and seals nothing.
    let p3 = fixtures::place(&format!("{ns}02"), "Idjwi", PlaceLevel::Admin2, None);
    assert!(
        commit_ok(
            store,
            Commit {
                events: vec![],
                writes: vec![Write::Place(p3.clone())]
            }
        )
        .await
        .is_empty()
    );
    assert!(store.places().await.unwrap().contains(&p3));
    assert_eq!(store.event_count().await.unwrap(), after.len() as u64);
}

/// A failing commit writes none of its events or rows, and does not use up sequence numbers.
pub async fn check_atomicity(store: &dyn Store) {
    let when = at(2030, 1, 3, 10, 0, 0);
    let key = unique("api:atomic:");
    let answer = IdempotentAnswer {
        key: key.clone(),
        fingerprint: "f1".into(),
        status: 201,
        body: serde_json::json!({"id": "a1"}),
        created_at: when,
    };
    let first = commit_ok(
        store,
        Commit {
            events: vec![draft("api", when, status_payload())],
            writes: vec![Write::Idempotency(answer.clone())],
        },
    )
    .await;

    let count = store.event_count().await.unwrap();
    let ns = fixtures::namespace();
    let reference = store.next_reference().await.unwrap();
    let alert = fixtures::alert(
        &AlertSpec::new(
            &format!("{ns}01"),
            kinga_domain::ThreatType::Killing,
            4,
            when,
        ),
        reference,
    );
    let place = fixtures::place(&format!("{ns}01"), "Bunagana", PlaceLevel::Admin3, None);
    let mut doomed = fixtures::intake(&alert);
    doomed.events.push(draft(
        "api",
        when,
        Payload::PlaceSaved {
            place: place.clone(),
        },
    ));
    doomed.writes.push(Write::Place(place.clone()));
    // The duplicate key comes last: everything before it must be undone.
    doomed.writes.push(Write::Idempotency(IdempotentAnswer {
        fingerprint: "f2".into(),
        ..answer.clone()
    }));
    let err = commit_err(store, doomed).await;
    assert!(
        matches!(err, StoreError::Duplicate(ref m) if m.contains(&key)),
        "want Duplicate naming the key, got {err:?}"
    );

    assert_eq!(
        store.event_count().await.unwrap(),
        count,
        "no event of a failed commit may be written"
    );
    assert_eq!(
        store.alert(&alert.id).await.unwrap(),
        None,
        "no alert of a failed commit may be written"
    );
    assert!(
        !store
            .places()
            .await
            .unwrap()
            .iter()
            .any(|p| p.pcode == place.pcode)
    );
    assert_eq!(
        store.idempotent(&key).await.unwrap(),
        Some(answer),
        "the first answer stays"
    );

    // The chain carries on from the last event that was written.
    let next = commit_ok(
        store,
        Commit {
            events: vec![draft("api", when, status_payload())],
            writes: vec![],
        },
    )
    .await;
    assert_eq!(
        next[0].seq,
        first[0].seq + 1,
        "a failed commit must not use up sequence numbers"
    );
    assert_eq!(next[0].prev_hash, first[0].hash);

    // An alert id or reference taken already is a Duplicate, and writes nothing else.
    commit_ok(store, fixtures::intake(&alert)).await;
    let count = store.event_count().await.unwrap();
    let err = commit_err(store, fixtures::intake(&alert)).await;
    assert!(
        matches!(err, StoreError::Duplicate(_)),
        "same alert id twice: got {err:?}"
    );
    let mut same_ref = fixtures::alert(
        &AlertSpec::new(&format!("{ns}02"), kinga_domain::ThreatType::Other, 2, when),
        reference,
    );
    same_ref.reference.clone_from(&alert.reference);
    let err = commit_err(store, fixtures::intake(&same_ref)).await;
    assert!(
        matches!(err, StoreError::Duplicate(_)),
        "same reference twice: got {err:?}"
    );
    assert_eq!(store.alert(&same_ref.id).await.unwrap(), None);
    assert_eq!(store.event_count().await.unwrap(), count);

    // A draft whose event id is already in the ledger is refused too.
    let replay = Commit {
        events: vec![draft_with_id(&next[0].id)],
        writes: vec![],
    };
    assert!(matches!(
        commit_err(store, replay).await,
        StoreError::Duplicate(_)
    ));
    verified_ledger(store).await;
}

/// Updates must be decided on the stored version; a stale version is a Conflict.
pub async fn check_conflict(store: &dyn Store) {
    let when = at(2030, 1, 4, 10, 0, 0);
    let ns = fixtures::namespace();
    let reference = store.next_reference().await.unwrap();
    let mut alert = fixtures::alert(
        &AlertSpec::new(
            &format!("{ns}01"),
            kinga_domain::ThreatType::Clashes,
            4,
            when,
        ),
        reference,
    );
    commit_ok(store, fixtures::intake(&alert)).await;
    let stale = alert.clone();

    let ack = fixtures::transition(
        &mut alert,
        fixtures::to(AlertState::Acknowledged),
        when + Duration::minutes(3),
    );
    commit_ok(store, ack).await;
    assert_eq!(store.alert(&alert.id).await.unwrap().as_ref(), Some(&alert));
    assert_eq!(alert.version, 2);

    let count = store.event_count().await.unwrap();
    let mut late = stale.clone();
    let merge = fixtures::transition(
        &mut late,
        kinga_domain::TransitionRequest {
            merged_into: Some("other".into()),
            ..fixtures::to(AlertState::Merged)
        },
        when + Duration::minutes(4),
    );
    let err = commit_err(store, merge).await;
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "stale version: got {err:?}"
    );
    assert_eq!(
        store.event_count().await.unwrap(),
        count,
        "a conflicting commit writes no event"
    );
    assert_eq!(
        store.alert(&alert.id).await.unwrap().as_ref(),
        Some(&alert),
        "the stored alert is unchanged"
    );

    // Updating an alert that was never stored is a Conflict as well.
    let mut ghost = fixtures::alert(
        &AlertSpec::new(&format!("{ns}02"), kinga_domain::ThreatType::Other, 1, when),
        reference + 100_000,
    );
    let err = commit_err(
        store,
        fixtures::transition(&mut ghost, fixtures::to(AlertState::Acknowledged), when),
    )
    .await;
    assert!(
        matches!(err, StoreError::Conflict(_)),
        "update of a missing alert: got {err:?}"
    );
    assert_eq!(store.alert(&ghost.id).await.unwrap(), None);
}

/// Reference numbers are never handed out twice, also under concurrency.
pub async fn check_next_reference(store: Arc<dyn Store>) {
    let mut last = 0;
    for _ in 0..20 {
        let n = store.next_reference().await.unwrap();
        assert!(
            n > last,
            "references must rise in one task: {n} after {last}"
        );
        last = n;
    }
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.next_reference().await.unwrap() })
        })
        .collect();
    let mut seen = HashSet::new();
    for t in tasks {
        let n = t.await.unwrap();
        assert!(n > last, "a reference below one already handed out: {n}");
        assert!(seen.insert(n), "reference {n} handed out twice");
    }
}

/// Fifty tasks committing at once all land, in one unbroken chain; the failures among them
/// (a reused idempotency key) fail alone.
pub async fn check_concurrent_commits(store: Arc<dyn Store>) {
    let when = at(2030, 1, 5, 10, 0, 0);
    let taken = unique("api:concurrent:");
    commit_ok(
        store.as_ref(),
        Commit {
            events: vec![],
            writes: vec![Write::Idempotency(answer(&taken))],
        },
    )
    .await;
    let count = store.event_count().await.unwrap();

    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = store.clone();
            let key = if i % 10 == 7 {
                taken.clone()
            } else {
                unique("api:concurrent:")
            };
            tokio::spawn(async move {
                let commit = Commit {
                    events: (0..(1 + i % 3))
                        .map(|_| draft("api", when, status_payload()))
                        .collect(),
                    writes: vec![Write::Idempotency(answer(&key))],
                };
                (i, store.commit(commit).await)
            })
        })
        .collect();

    let mut sealed = Vec::new();
    for t in tasks {
        let (i, result) = t.await.unwrap();
        match result {
            Ok(events) if i % 10 != 7 => {
                assert_eq!(events.len(), 1 + i % 3);
                for pair in events.windows(2) {
                    assert_eq!(
                        pair[1].seq,
                        pair[0].seq + 1,
                        "one commit's events are contiguous"
                    );
                }
                sealed.extend(events);
            }
            Ok(_) => panic!("commit {i} reused a taken key and should have failed"),
            Err(StoreError::Duplicate(_)) if i % 10 == 7 => {}
            Err(e) => panic!("commit {i} failed: {e}"),
        }
    }
    let expected: usize = (0..50).filter(|i| i % 10 != 7).map(|i| 1 + i % 3).sum();
    assert_eq!(sealed.len(), expected);
    assert_eq!(store.event_count().await.unwrap(), count + expected as u64);

    let seqs: HashSet<u64> = sealed.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs.len(),
        sealed.len(),
        "no sequence number may be given twice"
    );
    let ledger = verified_ledger(store.as_ref()).await;
    let stored: HashSet<(&str, &str)> = ledger
        .iter()
        .map(|(_, e)| (e.id.as_str(), e.hash.as_str()))
        .collect();
    for e in &sealed {
        assert!(
            stored.contains(&(e.id.as_str(), e.hash.as_str())),
            "sealed event {} is not in the ledger",
            e.id
        );
    }
}

/// Twenty people acting on one alert version at once: exactly one wins.
pub async fn check_concurrent_updates(store: Arc<dyn Store>) {
    let when = at(2030, 1, 6, 10, 0, 0);
    let ns = fixtures::namespace();
    let reference = store.next_reference().await.unwrap();
    let alert = fixtures::alert(
        &AlertSpec::new(
            &format!("{ns}01"),
            kinga_domain::ThreatType::Killing,
            4,
            when,
        ),
        reference,
    );
    commit_ok(store.as_ref(), fixtures::intake(&alert)).await;

    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            let mut mine = alert.clone();
            tokio::spawn(async move {
                let req = kinga_domain::TransitionRequest {
                    reason: Some(format!("seen by officer {i}")),
                    ..fixtures::to(AlertState::Acknowledged)
                };
                let commit = fixtures::transition(&mut mine, req, when + Duration::minutes(1));
                store.commit(commit).await.map(|_| mine)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(a) => winners.push(a),
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("concurrent update failed with {e}"),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one of the concurrent updates may win"
    );
    assert_eq!(
        store.alert(&alert.id).await.unwrap().as_ref(),
        winners.first()
    );
}

/// Many alerts changed at once, each on its own version, among new alerts and a few changes
/// decided on a stale version (what a flood of follow-ups commits while people triage):
/// every change on the right version lands, every stale one fails alone with a conflict.
pub async fn check_concurrent_follow_ups(store: Arc<dyn Store>) {
    let when = at(2030, 1, 7, 10, 0, 0);
    let ns = fixtures::namespace();
    let mut alerts = Vec::new();
    for i in 0..36 {
        let spec = AlertSpec::new(
            &format!("{ns}{i:02}"),
            kinga_domain::ThreatType::ArmedPresence,
            2,
            when,
        );
        let alert = fixtures::alert(&spec, store.next_reference().await.unwrap());
        commit_ok(store.as_ref(), fixtures::intake(&alert)).await;
        alerts.push(alert);
    }
    let count = store.event_count().await.unwrap();
    let mut tasks = Vec::new();
    for (i, alert) in alerts.iter().enumerate() {
        let (store, mut mine) = (store.clone(), alert.clone());
        // One in six is changed on a version someone else already moved past.
        let stale = i % 6 == 5;
        if stale {
            mine.version += 1;
        }
        tasks.push(tokio::spawn(async move {
            let req = kinga_domain::TransitionRequest {
                reason: Some(format!("follow-up {i}")),
                ..fixtures::to(AlertState::Acknowledged)
            };
            let commit = fixtures::transition(&mut mine, req, when + Duration::minutes(1));
            (stale, store.commit(commit).await.map(|_| mine))
        }));
    }
    for i in 0..12 {
        let (store, ns) = (store.clone(), ns.clone());
        tasks.push(tokio::spawn(async move {
            let spec = AlertSpec::new(
                &format!("{ns}n{i:02}"),
                kinga_domain::ThreatType::LootingExtortion,
                3,
                when,
            );
            let alert = fixtures::alert(&spec, store.next_reference().await.unwrap());
            (
                false,
                store.commit(fixtures::intake(&alert)).await.map(|_| alert),
            )
        }));
    }
    let (mut landed, mut refused) = (0u64, 0);
    for t in tasks {
        match t.await.unwrap() {
            (false, Ok(a)) => {
                assert_eq!(store.alert(&a.id).await.unwrap().as_ref(), Some(&a));
                landed += 1;
            }
            (true, Err(StoreError::Conflict(_))) => refused += 1,
            (stale, other) => panic!("stale {stale}: unexpected {:?}", other.map(|a| a.id)),
        }
    }
    assert_eq!((landed, refused), (42, 6));
    for a in alerts.iter().skip(5).step_by(6) {
        assert_eq!(
            store.alert(&a.id).await.unwrap().as_ref(),
            Some(a),
            "a refused change leaves the alert as it was"
        );
    }
    assert_eq!(store.event_count().await.unwrap(), count + landed);
}

fn status_payload() -> Payload {
    Payload::MessageStatus {
        message: unique("msg"),
        status: MessageStatus::Delivered,
        error: None,
        delivery: None,
        body: None,
    }
}

fn answer(key: &str) -> IdempotentAnswer {
    IdempotentAnswer {
        key: key.to_string(),
        fingerprint: "fp".into(),
        status: 201,
        body: serde_json::json!({"ok": true}),
        created_at: at(2030, 1, 5, 10, 0, 0),
    }
}

fn draft_with_id(id: &str) -> kinga_ledger::DraftEvent {
    kinga_ledger::DraftEvent {
        id: id.to_string(),
        ..draft("api", at(2030, 1, 3, 11, 0, 0), status_payload())
    }
}
