//! Check of the import of a handed-over ledger: all or nothing, chains checked, the foreign
//! events kept exactly, and the instance's own chain and references continuing after it.

use kinga_domain::ThreatType;
use kinga_ledger::{Event, GENESIS, Payload, seal};
use tokio::sync::mpsc;

use super::fixtures::{self, AlertSpec, at, draft, unique};
use super::{commit_ok, verified_ledger};
use crate::{Commit, ImportBatch, ImportReport, Store, StoreResult, Write};

/// Events of another instance, sealed there: three alerts received (a run of new alerts,
/// which a backend may write many per statement) and a place saved.
fn foreign(origin: &str) -> (Vec<Event>, Vec<Write>) {
    let when = at(2031, 3, 1, 8, 0, 0);
    let ns = fixtures::namespace();
    let place = fixtures::place(
        &format!("{ns}01"),
        "Kiwanja",
        kinga_domain::place::PlaceLevel::Admin2,
        None,
    );
    let alerts: Vec<_> = (0..3)
        .map(|i| {
            fixtures::alert(
                &AlertSpec::new(&place.pcode, ThreatType::Clashes, 3, when),
                7_301 + i,
            )
        })
        .collect();
    let mut drafts: Vec<_> = alerts
        .iter()
        .flat_map(|a| fixtures::intake(a).events)
        .collect();
    drafts.push(draft(
        "admin",
        when,
        Payload::PlaceSaved {
            place: place.clone(),
        },
    ));
    let (mut seq, mut prev) = (0, GENESIS.to_string());
    let events = drafts
        .iter()
        .map(|d| {
            seq += 1;
            let e = seal(d, origin, seq, &prev).unwrap();
            prev.clone_from(&e.hash);
            e
        })
        .collect();
    let mut writes: Vec<Write> = alerts
        .into_iter()
        .map(|a| Write::Alert {
            alert: Box::new(a),
            expected_version: None,
        })
        .collect();
    writes.push(Write::Place(place));
    (events, writes)
}

/// `events` with the second's id made the first's, and the chain sealed again over them: only
/// the ledger's unique id can refuse it.
fn one_id_twice(events: &[Event]) -> Vec<Event> {
    let mut twice = events.to_vec();
    twice[1].id = twice[0].id.clone();
    let mut prev = GENESIS.to_string();
    for e in &mut twice {
        e.prev_hash.clone_from(&prev);
        e.hash = e.computed_hash();
        prev.clone_from(&e.hash);
    }
    twice
}

/// Send `batches` to an import, closing the channel after them.
pub async fn import(store: &dyn Store, batches: Vec<ImportBatch>) -> StoreResult<ImportReport> {
    let (tx, rx) = mpsc::channel(4);
    let send = async move {
        for b in batches {
            if tx.send(b).await.is_err() {
                break;
            }
        }
    };
    let (report, ()) = tokio::join!(store.import_ledger(rx), send);
    report
}

/// Run on an EMPTY store (first in the suite): refused imports write nothing; a complete one
/// keeps every event as sealed elsewhere and writes its rows; then this instance's own chain
/// starts at 1 and new references number after the imported ones; a second import is refused.
pub async fn check_import(store: &dyn Store) {
    assert_eq!(
        store.event_count().await.unwrap(),
        0,
        "run on an empty store"
    );
    let origin = unique("kinga-elsewhere-");
    let (events, writes) = foreign(&origin);
    let own = store.instance_id().await.unwrap();
    let stopped = import(store, vec![ImportBatch::Events(events.clone())]).await;
    assert!(
        stopped.is_err(),
        "an import that stops before Commit must fail"
    );
    let mut broken = events.clone();
    if let Some(place) = broken.last_mut() {
        place.payload = place.payload.replace("Kiwanja", "Kiwanya");
    }
    let mut skipped = events.clone();
    skipped.remove(0);
    let mut mine = events.clone();
    mine[0].origin.clone_from(&own);
    for (bad, what) in [
        (broken, "an altered event"),
        (skipped, "a chain with a gap"),
        (mine, "an event of the instance's own origin"),
    ] {
        let r = import(
            store,
            vec![
                ImportBatch::Events(bad),
                ImportBatch::Rows(writes.clone()),
                ImportBatch::Commit,
            ],
        )
        .await;
        assert!(r.is_err(), "{what} must be refused");
    }
    // Two events with one id pass every check of the chain: only the ledger's unique id
    // refuses them (a backend may check it as each event goes in or once they all have).
    let r = import(
        store,
        vec![
            ImportBatch::Events(one_id_twice(&events)),
            ImportBatch::Rows(writes.clone()),
            ImportBatch::Commit,
        ],
    )
    .await;
    assert!(
        matches!(r, Err(crate::StoreError::Duplicate(_))),
        "two events with one id must be refused as a duplicate: {r:?}"
    );
    // Two alerts with one reference, in the middle of a run of new alerts.
    let mut twice = fixtures::alert(
        &AlertSpec::new("CD61", ThreatType::Clashes, 3, at(2031, 3, 1, 9, 0, 0)),
        7_302,
    );
    twice.id = unique("01AM");
    let mut duplicated = writes.clone();
    duplicated.insert(
        1,
        Write::Alert {
            alert: Box::new(twice),
            expected_version: None,
        },
    );
    let r = import(
        store,
        vec![
            ImportBatch::Events(events.clone()),
            ImportBatch::Rows(duplicated),
            ImportBatch::Commit,
        ],
    )
    .await;
    assert!(
        matches!(r, Err(crate::StoreError::Duplicate(_))),
        "two alerts with one reference must be refused as a duplicate: {r:?}"
    );
    assert_eq!(
        store.event_count().await.unwrap(),
        0,
        "a refused import wrote events"
    );
    let alert_ids: Vec<String> = writes
        .iter()
        .filter_map(|w| match w {
            Write::Alert { alert, .. } => Some(alert.id.clone()),
            _ => None,
        })
        .collect();
    for id in &alert_ids {
        assert!(store.alert(id).await.unwrap().is_none());
    }

    let report = import(
        store,
        vec![
            ImportBatch::Events(events[..1].to_vec()),
            ImportBatch::Events(events[1..].to_vec()),
            ImportBatch::Rows(writes.clone()),
            ImportBatch::Meta(vec![("handover_test".into(), "yes".into())]),
            ImportBatch::Commit,
        ],
    )
    .await
    .unwrap();
    assert_eq!(report.events, events.len() as u64);
    assert_eq!(report.rows, writes.len() as u64);
    let last = events.last().unwrap();
    assert_eq!(
        report.heads.get(&origin),
        Some(&(events.len() as u64, last.hash.clone()))
    );
    let stored: Vec<Event> = verified_ledger(store)
        .await
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    assert_eq!(stored, events, "imported events must be kept exactly");
    for (id, w) in alert_ids.iter().zip(&writes) {
        let Write::Alert { alert, .. } = w else {
            unreachable!("the alerts' writes come first")
        };
        assert_eq!(
            store.alert(id).await.unwrap().as_ref(),
            Some(alert.as_ref()),
            "an imported alert must read back as written"
        );
    }
    assert_eq!(
        store.meta("handover_test").await.unwrap().as_deref(),
        Some("yes")
    );
    assert!(
        store.next_reference().await.unwrap() > 7_301,
        "new alerts must number after the imported ones"
    );
    // This instance's own events start their own chain.
    let when = at(2031, 3, 2, 8, 0, 0);
    let place = fixtures::place(
        &format!("{}01", fixtures::namespace()),
        "Rutshuru",
        kinga_domain::place::PlaceLevel::Admin2,
        None,
    );
    let sealed = commit_ok(
        store,
        Commit {
            events: vec![draft(
                "admin",
                when,
                Payload::PlaceSaved {
                    place: place.clone(),
                },
            )],
            writes: vec![Write::Place(place)],
        },
    )
    .await;
    assert_eq!(
        (sealed[0].origin.as_str(), sealed[0].seq),
        (own.as_str(), 1)
    );
    assert_eq!(sealed[0].prev_hash, GENESIS);
    let (again, _) = foreign(&unique("kinga-other-"));
    let r = import(store, vec![ImportBatch::Events(again), ImportBatch::Commit]).await;
    assert!(
        r.is_err(),
        "an import into a ledger that holds events must be refused"
    );
    assert_eq!(store.event_count().await.unwrap(), events.len() as u64 + 1);
}
