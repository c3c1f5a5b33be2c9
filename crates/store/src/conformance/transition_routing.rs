//! Handover reversals: one decision per plan, written with its event, replaced by the next
//! decision, read back in plan order.

use chrono::NaiveDate;

use kinga_domain::transition::{Capacity, CapacityPlan, HandoverReversal};
use kinga_ledger::Payload;

use super::commit_ok;
use super::fixtures::{at, draft, namespace};
use crate::{Commit, Store, Write};

fn saved(r: &HandoverReversal) -> Commit {
    Commit {
        events: vec![draft(
            &r.by,
            r.at,
            Payload::HandoverReversalSaved {
                reversal: r.clone(),
            },
        )],
        writes: vec![Write::HandoverReversal(r.clone())],
    }
}

/// Reversals saved, replaced and listed on one store.
pub async fn check_handover_reversals(store: &dyn Store) {
    let place = namespace();
    let mut r = HandoverReversal {
        plan: CapacityPlan::key(&place, Capacity::EarlyWarning),
        handover_on: NaiveDate::from_ymd_opt(2034, 6, 1).unwrap_or_default(),
        reversed: true,
        reason: "Successor has no phones yet".into(),
        at: at(2034, 6, 2, 9, 0, 0),
        by: "coordinator".into(),
    };
    let other = HandoverReversal {
        plan: CapacityPlan::key(&place, Capacity::PhysicalProtection),
        ..r.clone()
    };
    commit_ok(store, saved(&r)).await;
    commit_ok(store, saved(&other)).await;
    let mine = |all: Vec<HandoverReversal>| -> Vec<HandoverReversal> {
        all.into_iter()
            .filter(|x| x.plan.starts_with(&format!("{place}:")))
            .collect()
    };
    let all = store.handover_reversals().await.unwrap();
    assert!(all.windows(2).all(|w| w[0].plan < w[1].plan), "plan order");
    assert_eq!(mine(all), vec![r.clone(), other.clone()]);
    // Restoring replaces the decision: one row per plan.
    r.reversed = false;
    r.reason = "Phones delivered".into();
    r.at = at(2034, 6, 9, 9, 0, 0);
    commit_ok(store, saved(&r)).await;
    assert_eq!(
        mine(store.handover_reversals().await.unwrap()),
        vec![r, other]
    );
}

/// A broadcast saved with its queued messages in one commit, listed newest first, and its
/// messages found by id (an unknown id is left out).
pub async fn check_broadcasts(store: &dyn Store) {
    use kinga_domain::outbox::{MessageKind, MessageStatus};
    use kinga_domain::transition::broadcast::{AudienceKind, Broadcast, Sent, Topic};

    use super::fixtures::{message, unique};

    let when = at(2034, 7, 1, 8, 0, 0);
    let mut m1 = message(None, MessageStatus::Queued, when);
    m1.kind = MessageKind::Broadcast;
    m1.language = "sw".into();
    let mut m2 = message(None, MessageStatus::Queued, when);
    m2.kind = MessageKind::Broadcast;
    let b = Broadcast {
        id: unique("bc"),
        area: namespace(),
        topic: Topic::BaseClosure,
        texts: [("fr".to_string(), "La base ferme.".to_string())]
            .into_iter()
            .chain([("sw".to_string(), "Kambi inafungwa.".to_string())])
            .collect(),
        fallback: "fr".into(),
        sent: [(&m1, "sw"), (&m2, "fr")]
            .iter()
            .map(|(m, l)| Sent {
                message: m.id.clone(),
                kind: AudienceKind::FocalPoint,
                recipient: unique("fp"),
                label: "FP-TEST1".into(),
                language: l.to_string(),
            })
            .collect(),
        created_at: when,
        created_by: "coordinator".into(),
    };
    let mut events = vec![draft(
        "coordinator",
        when,
        Payload::BroadcastSent {
            broadcast: b.clone(),
        },
    )];
    let mut writes = vec![Write::Broadcast(b.clone())];
    for m in [&m1, &m2] {
        events.push(draft(
            "coordinator",
            when,
            Payload::MessageQueued { message: m.clone() },
        ));
        writes.push(Write::Outbox(m.clone()));
    }
    commit_ok(store, Commit { events, writes }).await;
    let all = store.broadcasts().await.unwrap();
    assert!(all.contains(&b));
    assert!(
        all.windows(2).all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );
    let mut ids = vec![m2.id.clone(), m1.id.clone(), "no-such-message".to_string()];
    let found = store.outbox_messages(&ids).await.unwrap();
    let mut want = vec![m1.clone(), m2.clone()];
    want.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(found, want);
    ids.clear();
    assert!(store.outbox_messages(&ids).await.unwrap().is_empty());
}
