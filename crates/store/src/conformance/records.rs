//! Checks of the other records: idempotency, sessions, audit, users and tokens, digests
//! and the registries.

use chrono::Duration;

use kinga_domain::place::PlaceLevel;
use kinga_ledger::Payload;

use super::fixtures::{self, at, draft, unique};
use super::{commit_err, commit_ok, commit_writes};
use crate::{AuditEntry, Commit, IdempotentAnswer, Projection, Session, Store, StoreError, Write};

/// The first answer for a key is kept; a second use of the key is a Duplicate naming it.
pub async fn check_idempotency(store: &dyn Store) {
    let key = unique("twilio:SM");
    assert_eq!(store.idempotent(&key).await.unwrap(), None);
    let answer = IdempotentAnswer {
        key: key.clone(),
        fingerprint: "sha256:abc".into(),
        status: 201,
        body: serde_json::json!({"id": "01AL", "reference": "K-7", "place_candidates": [{"score": 0.5}]}),
        created_at: at(2032, 1, 1, 12, 0, 0),
    };
    commit_ok(
        store,
        Commit {
            events: vec![],
            writes: vec![Write::Idempotency(answer.clone())],
        },
    )
    .await;
    assert_eq!(store.idempotent(&key).await.unwrap(), Some(answer.clone()));
    let again = IdempotentAnswer {
        status: 200,
        ..answer.clone()
    };
    let err = commit_err(
        store,
        Commit {
            events: vec![],
            writes: vec![Write::Idempotency(again)],
        },
    )
    .await;
    match err {
        StoreError::Duplicate(m) => assert!(m.contains(&key), "Duplicate should name the key: {m}"),
        other => panic!("want Duplicate, got {other:?}"),
    }
    assert_eq!(store.idempotent(&key).await.unwrap(), Some(answer));
}

/// Answers older than a moment are listed oldest first, thinned, and then no longer listed;
/// a thinned answer keeps its key, fingerprint and status, and a second use of its key is
/// still a Duplicate.
pub async fn check_idempotency_thinning(store: &dyn Store) {
    // Years before every other check's records, so only these are old enough.
    let answer = |key: &str, month| IdempotentAnswer {
        key: key.to_string(),
        fingerprint: format!("sha256:{key}"),
        status: 201,
        body: serde_json::json!({"id": key, "reference": "K-9", "timeline": [{"at": "long"}]}),
        created_at: at(2001, month, 1, 12, 0, 0),
    };
    let (first, second, recent) = (unique("at:a"), unique("at:b"), unique("at:c"));
    let rows = [answer(&second, 3), answer(&first, 1), answer(&recent, 9)];
    commit_ok(
        store,
        Commit {
            events: vec![],
            writes: rows.iter().cloned().map(Write::Idempotency).collect(),
        },
    )
    .await;
    let before = at(2001, 6, 1, 0, 0, 0);
    let old = store.idempotent_to_thin(before, 10).await.unwrap();
    let keys: Vec<&str> = old.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(keys, [first.as_str(), second.as_str()], "oldest first");
    assert_eq!(old[0], rows[1], "listed whole");
    let one = store.idempotent_to_thin(before, 1).await.unwrap();
    assert_eq!(one.len(), 1, "the limit holds");

    let thin = |key: &str| serde_json::json!({"id": key});
    store
        .thin_idempotent(vec![
            (first.clone(), thin(&first)),
            (second.clone(), thin(&second)),
        ])
        .await
        .unwrap();
    assert!(
        store
            .idempotent_to_thin(before, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let kept = store
        .idempotent(&first)
        .await
        .unwrap()
        .expect("the key stays");
    assert_eq!(
        kept,
        IdempotentAnswer {
            body: thin(&first),
            ..rows[1].clone()
        }
    );
    assert_eq!(
        store.idempotent(&recent).await.unwrap().as_ref(),
        Some(&rows[2]),
        "a recent answer is untouched"
    );
    let err = commit_err(
        store,
        Commit {
            events: vec![],
            writes: vec![Write::Idempotency(rows[1].clone())],
        },
    )
    .await;
    assert!(matches!(err, StoreError::Duplicate(_)), "got {err:?}");
    // Thinning an already thinned or unknown key changes nothing else.
    store
        .thin_idempotent(vec![(unique("at:none"), thin("x"))])
        .await
        .unwrap();
    let all = store
        .idempotent_to_thin(at(2001, 12, 1, 0, 0, 0), 10)
        .await
        .unwrap();
    assert_eq!(all, [rows[2].clone()]);
}

/// Sessions are saved, replaced, read and ended.
pub async fn check_sessions(store: &dyn Store) {
    let mut session = Session {
        digest: unique("sess:"),
        user: unique("user"),
        csrf: "csrf-1".into(),
        created_at: at(2032, 2, 1, 8, 0, 0),
        expires_at: at(2032, 2, 1, 20, 0, 0),
    };
    assert_eq!(store.session(&session.digest).await.unwrap(), None);
    store.put_session(&session).await.unwrap();
    assert_eq!(
        store.session(&session.digest).await.unwrap().as_ref(),
        Some(&session)
    );
    session.csrf = "csrf-2".into();
    session.expires_at += Duration::hours(1);
    store.put_session(&session).await.unwrap();
    assert_eq!(
        store.session(&session.digest).await.unwrap().as_ref(),
        Some(&session)
    );
    store.delete_session(&session.digest).await.unwrap();
    assert_eq!(store.session(&session.digest).await.unwrap(), None);
    store.delete_session(&session.digest).await.unwrap();
}

/// Audit entries are written with their events, come back newest first, and are rows of the
/// audit projection keyed by event id.
pub async fn check_audit(store: &dyn Store) {
    let entries: Vec<AuditEntry> = (0..3)
        .map(|i| AuditEntry {
            id: unique("01AUDIT"),
            at: at(2099, 1, 1, 0, 0, i),
            actor: "cla1".into(),
            action: "read".into(),
            record: format!("focal_point:{}", unique("fp")),
            context: "GET /focal-points/…".into(),
        })
        .collect();
    // Written out of order: the log sorts by time, not by arrival.
    for e in [&entries[1], &entries[2], &entries[0]] {
        let mut d = draft("cla1", e.at, Payload::Audited { entry: e.clone() });
        d.id.clone_from(&e.id);
        commit_ok(
            store,
            Commit {
                events: vec![d],
                writes: vec![Write::Audit(e.clone())],
            },
        )
        .await;
    }
    let log = store.audit_log(2).await.unwrap();
    assert_eq!(log, vec![entries[2].clone(), entries[1].clone()]);
    assert!(store.audit_log(0).await.unwrap().is_empty());
    assert!(store.audit_log(100).await.unwrap().contains(&entries[0]));
    let rows = store
        .projection_rows(Projection::Audit, None, 10_000)
        .await
        .unwrap();
    for e in &entries {
        let row = rows.iter().find(|r| r.key == e.id).expect("audit row");
        let back: AuditEntry = serde_json::from_value(row.doc.clone()).unwrap();
        assert_eq!(&back, e);
    }
}

/// Every session of a user can be ended at once, sparing the one still in use.
pub async fn check_sessions_of_user(store: &dyn Store) {
    let user = unique("user");
    let other = unique("user");
    let mk = |u: &str| Session {
        digest: unique("sess:"),
        user: u.to_string(),
        csrf: "c".into(),
        created_at: at(2032, 2, 1, 8, 0, 0),
        expires_at: at(2032, 2, 1, 20, 0, 0),
    };
    let (a, b, c, theirs) = (mk(&user), mk(&user), mk(&user), mk(&other));
    for s in [&a, &b, &c, &theirs] {
        store.put_session(s).await.unwrap();
    }
    store
        .delete_sessions_of(&user, Some(&b.digest))
        .await
        .unwrap();
    assert_eq!(store.session(&a.digest).await.unwrap(), None);
    assert_eq!(store.session(&c.digest).await.unwrap(), None);
    assert_eq!(store.session(&b.digest).await.unwrap().as_ref(), Some(&b));
    assert!(store.session(&theirs.digest).await.unwrap().is_some());
    store.delete_sessions_of(&user, None).await.unwrap();
    assert_eq!(store.session(&b.digest).await.unwrap(), None);
    assert!(store.session(&theirs.digest).await.unwrap().is_some());
}

/// Values kept about the instance: absent, set, replaced.
pub async fn check_meta(store: &dyn Store) {
    let name = unique("meta-");
    assert_eq!(store.meta(&name).await.unwrap(), None);
    store.set_meta(&name, "one").await.unwrap();
    assert_eq!(store.meta(&name).await.unwrap().as_deref(), Some("one"));
    store.set_meta(&name, "two").await.unwrap();
    assert_eq!(store.meta(&name).await.unwrap().as_deref(), Some("two"));
}

/// Projection rows come back in key order, paged, with their records; a fresh store's rows
/// agree with their own columns.
pub async fn check_projection_rows(store: &dyn Store) {
    for table in Projection::ALL {
        let mut after: Option<String> = None;
        let mut seen = 0;
        loop {
            let page = store
                .projection_rows(table, after.as_deref(), 7)
                .await
                .unwrap();
            assert!(page.len() <= 7);
            for w in page.windows(2) {
                assert!(w[0].key < w[1].key, "{table:?} rows out of key order");
            }
            if let (Some(a), Some(first)) = (&after, page.first()) {
                assert!(first.key > *a, "{table:?} page restarted");
            }
            seen += page.len();
            match page.last() {
                Some(last) => after = Some(last.key.clone()),
                None => break,
            }
        }
        if table == Projection::Places {
            assert!(seen > 0, "the registries check left places behind");
        }
    }
    let faults = store.column_faults(100).await.unwrap();
    assert!(
        faults.is_empty(),
        "columns disagree with records: {faults:?}"
    );
}

/// Users and their tokens: saved, found by every key, replaced; names and digests unique.
pub async fn check_users_and_tokens(store: &dyn Store) {
    let when = at(2032, 3, 1, 8, 0, 0);
    let mut alice = fixtures::user(&unique("alice"));
    commit_ok(store, saved_user(&alice, when)).await;
    assert_eq!(store.user(&alice.id).await.unwrap().as_ref(), Some(&alice));
    assert_eq!(
        store.user_by_name(&alice.name).await.unwrap().as_ref(),
        Some(&alice)
    );
    assert!(store.users().await.unwrap().contains(&alice));

    // Replacing keeps one row per id, and a rename frees the old name.
    let old_name = alice.name.clone();
    alice.display_name = "Alice M.".into();
    alice.name = unique("alice");
    alice.disabled = true;
    commit_ok(store, saved_user(&alice, when)).await;
    assert_eq!(store.user(&alice.id).await.unwrap().as_ref(), Some(&alice));
    assert_eq!(store.user_by_name(&old_name).await.unwrap(), None);
    assert_eq!(
        store
            .users()
            .await
            .unwrap()
            .iter()
            .filter(|u| u.id == alice.id)
            .count(),
        1
    );

    // Another user may not take a name in use.
    let count = store.event_count().await.unwrap();
    let impostor = fixtures::user(&alice.name);
    let err = commit_err(store, saved_user(&impostor, when)).await;
    assert!(
        matches!(err, StoreError::Duplicate(_)),
        "name taken: got {err:?}"
    );
    assert_eq!(store.user(&impostor.id).await.unwrap(), None);
    assert_eq!(store.event_count().await.unwrap(), count);
    assert_eq!(store.user("no-such-user").await.unwrap(), None);
    assert_eq!(store.user_by_name("no-such-user").await.unwrap(), None);

    let mut t1 = fixtures::token(&alice.id);
    let t2 = fixtures::token(&alice.id);
    for t in [&t1, &t2] {
        commit_ok(store, saved_token(t, when)).await;
    }
    assert_eq!(
        store.token_by_digest(&t1.digest).await.unwrap().as_ref(),
        Some(&t1)
    );
    let mut mine = store.tokens_of(&alice.id).await.unwrap();
    mine.sort_by(|a, b| a.id.cmp(&b.id));
    let mut want = vec![t1.clone(), t2.clone()];
    want.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(mine, want);
    t1.revoked = true;
    commit_ok(store, saved_token(&t1, when)).await;
    assert_eq!(
        store
            .token_by_digest(&t1.digest)
            .await
            .unwrap()
            .map(|t| t.revoked),
        Some(true)
    );
    assert_eq!(store.tokens_of(&alice.id).await.unwrap().len(), 2);
    let copy = kinga_domain::people::ApiToken {
        id: unique("tok"),
        ..t2.clone()
    };
    assert!(matches!(
        commit_err(store, saved_token(&copy, when)).await,
        StoreError::Duplicate(_)
    ));
    assert_eq!(store.token_by_digest("sha256:none").await.unwrap(), None);
    assert!(store.tokens_of("no-such-user").await.unwrap().is_empty());
}

/// One digest a day, newest day first; issuing a day again replaces it.
pub async fn check_digests(store: &dyn Store) {
    let days = ["2098-05-01", "2098-05-03", "2098-05-02"];
    let digest =
        |day: &str, n: u32| serde_json::json!({"day": day, "received": n, "overdue": ["K-1"]});
    let writes = days
        .iter()
        .enumerate()
        .map(|(i, d)| Write::Digest {
            day: d.to_string(),
            digest: digest(d, i as u32),
        })
        .collect();
    commit_writes(store, writes).await;
    assert_eq!(
        store.digests(2).await.unwrap(),
        vec![digest(days[1], 1), digest(days[2], 2)]
    );
    let again = Write::Digest {
        day: days[2].to_string(),
        digest: digest(days[2], 9),
    };
    let event = draft(
        "system",
        at(2098, 5, 3, 6, 0, 0),
        Payload::DigestIssued {
            digest: digest(days[2], 9),
        },
    );
    commit_ok(
        store,
        Commit {
            events: vec![event],
            writes: vec![again],
        },
    )
    .await;
    assert_eq!(
        store.digests(3).await.unwrap(),
        vec![digest(days[1], 1), digest(days[2], 9), digest(days[0], 0)]
    );
    assert!(store.digests(0).await.unwrap().is_empty());
}

/// Places, actors, responders and focal points round trip exactly and are replaced by id.
pub async fn check_registries(store: &dyn Store) {
    let when = at(2032, 5, 1, 8, 0, 0);
    let ns = fixtures::namespace();
    let province = fixtures::place(&ns, "Sud-Kivu", PlaceLevel::Admin1, None);
    let territory = fixtures::place(
        &format!("{ns}01"),
        "Kalehe",
        PlaceLevel::Admin2,
        Some(&province.pcode),
    );
    let mut village = fixtures::place(
        &format!("{ns}01-S003"),
        "Minova",
        PlaceLevel::Settlement,
        Some(&territory.pcode),
    );
    let actor = fixtures::actor();
    let mut responder = fixtures::responder(&[&territory.pcode]);
    let digest = unique("phone:");
    let focal = fixtures::focal_point(&digest);
    let commit = Commit {
        events: vec![
            draft(
                "admin",
                when,
                Payload::PlaceSaved {
                    place: village.clone(),
                },
            ),
            draft(
                "admin",
                when,
                Payload::ActorSaved {
                    actor: actor.clone(),
                },
            ),
            draft(
                "admin",
                when,
                Payload::ResponderSaved {
                    responder: responder.clone(),
                },
            ),
            draft(
                "admin",
                when,
                Payload::FocalPointSaved {
                    focal_point: focal.clone(),
                },
            ),
        ],
        writes: vec![
            Write::Place(province.clone()),
            Write::Place(territory.clone()),
            Write::Place(village.clone()),
            Write::Actor(actor.clone()),
            Write::Responder(responder.clone()),
            Write::FocalPoint(focal.clone()),
        ],
    };
    commit_ok(store, commit).await;
    let places = store.places().await.unwrap();
    for p in [&province, &territory, &village] {
        assert!(places.contains(p), "place {} did not round trip", p.pcode);
    }
    assert!(store.actors().await.unwrap().contains(&actor));
    assert!(store.responders().await.unwrap().contains(&responder));
    assert!(store.focal_points().await.unwrap().contains(&focal));
    assert_eq!(
        store.focal_point_by_phone(&digest).await.unwrap().as_ref(),
        Some(&focal)
    );
    assert_eq!(
        store.focal_point_by_phone("phone:unknown").await.unwrap(),
        None
    );

    village.alt_names.push("Minova-Port".into());
    village.lat = None;
    responder.active = false;
    responder.places.push(village.pcode.clone());
    let commit = Commit {
        events: vec![],
        writes: vec![
            Write::Place(village.clone()),
            Write::Responder(responder.clone()),
        ],
    };
    commit_ok(store, commit).await;
    let places = store.places().await.unwrap();
    assert_eq!(
        places
            .iter()
            .filter(|p| p.pcode == village.pcode)
            .collect::<Vec<_>>(),
        vec![&village]
    );
    let responders = store.responders().await.unwrap();
    assert_eq!(
        responders
            .iter()
            .filter(|r| r.id == responder.id)
            .collect::<Vec<_>>(),
        vec![&responder]
    );
}

fn saved_user(user: &kinga_domain::people::User, when: chrono::DateTime<chrono::Utc>) -> Commit {
    Commit {
        events: vec![draft(
            "admin",
            when,
            Payload::UserSaved { user: user.clone() },
        )],
        writes: vec![Write::User(user.clone())],
    }
}

fn saved_token(
    token: &kinga_domain::people::ApiToken,
    when: chrono::DateTime<chrono::Utc>,
) -> Commit {
    Commit {
        events: vec![draft(
            "admin",
            when,
            Payload::TokenSaved {
                token: token.clone(),
            },
        )],
        writes: vec![Write::Token(token.clone())],
    }
}

/// Paired instances round trip exactly, are replaced by name, and are listed by name.
pub async fn check_peers(store: &dyn Store) {
    let when = at(2032, 6, 1, 8, 0, 0);
    let name = unique("peer-").to_lowercase();
    let mut peer = kinga_domain::peer::Peer {
        name: name.clone(),
        url: "https://kinga.cndh.example".into(),
        key: "kinga-ed25519:iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w".into(),
        added_by: "admin".into(),
        added_at: when,
    };
    let save = |p: &kinga_domain::peer::Peer| Commit {
        events: vec![draft("admin", when, Payload::PeerSaved { peer: p.clone() })],
        writes: vec![Write::Peer(p.clone())],
    };
    commit_ok(store, save(&peer)).await;
    assert!(store.peers().await.unwrap().contains(&peer));
    peer.url = "https://kinga2.cndh.example".into();
    commit_ok(store, save(&peer)).await;
    let peers = store.peers().await.unwrap();
    assert_eq!(peers.iter().filter(|p| p.name == name).count(), 1);
    assert!(peers.contains(&peer));
    assert!(peers.windows(2).all(|w| w[0].name < w[1].name));
}
