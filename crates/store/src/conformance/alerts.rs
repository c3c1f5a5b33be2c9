//! Checks of alert queries: every filter and sort of [`AlertQuery`] against an in-memory
//! model, due alerts and replies.

use std::cmp::Reverse;

use chrono::{DateTime, Duration, Utc};

use kinga_domain::voice::UNTRANSCRIBED;
use kinga_domain::{Alert, AlertEvent, AlertState, Channel, ThreatType, TransitionRequest};

use super::fixtures::{self, AlertSpec, at, unique};
use super::{commit_ok, commit_writes};
use crate::support::MAX_PAGE;
use crate::{AlertQuery, AlertSort, IdempotentAnswer, MessageLookup, Store, Write};

/// A set of alerts in every state, stored through the lifecycle as the application would.
struct Scene {
    ns: String,
    alerts: Vec<Alert>,
    base: DateTime<Utc>,
    responders: [String; 2],
    digest: String,
}

async fn scene(store: &dyn Store, base: DateTime<Utc>) -> Scene {
    use AlertState::*;
    use ThreatType::*;
    let ns = fixtures::namespace();
    let responders = [unique("resp"), unique("resp")];
    let digest = unique("phone:");
    let p = |suffix: &str| format!("{ns}{suffix}");
    // (place, threat, severity, state, uncovered, from the tracked phone)
    let rows: Vec<(String, Option<ThreatType>, u8, AlertState, bool, bool)> = vec![
        (p("01"), Some(Killing), 4, Received, false, true),
        (p("0101"), Some(Clashes), 4, Acknowledged, false, true),
        (
            p("0101-S003"),
            Some(ArmedPresence),
            3,
            Received,
            true,
            false,
        ),
        (p("02"), Some(LootingExtortion), 2, Verified, false, false),
        (p("0201"), Some(Killing), 4, Assigned, false, false),
        (p("02"), Some(Abduction), 4, Responding, true, false),
        (p("0101"), Some(Displacement), 2, Closed, false, true),
        (p("01"), Some(Other), 1, Merged, false, false),
        (p("03"), None, 2, Received, true, false),
        (p("0102"), Some(Killing), 3, Unverifiable, false, false),
        (p("01"), Some(Killing), 4, Received, false, false),
        (p("0101-S010"), Some(Clashes), 1, Received, true, false),
        (p("0101"), Some(Killing), 4, FalseAlarm, false, false),
    ];
    let mut alerts = Vec::new();
    for (i, (place, threat, severity, state, uncovered, tracked)) in rows.into_iter().enumerate() {
        // Odd spacing keeps deadlines of different alerts from coinciding.
        let received = base + Duration::seconds(421 * i as i64);
        let spec = AlertSpec {
            place: Some(place),
            threat,
            severity,
            received_at: received,
            uncovered,
            phone_digest: tracked.then(|| digest.clone()),
        };
        let mut alert = fixtures::alert(&spec, store.next_reference().await.unwrap());
        // Calls nobody has heard yet, among older alerts (and one heard already), for the
        // order of the queue's new alerts.
        if matches!(i, 2 | 8 | 1 | 11) {
            let flags: Vec<String> = if i == 11 {
                vec![]
            } else {
                vec![UNTRANSCRIBED.into()]
            };
            alert.channel = Channel::Voice;
            alert.parse_flags.extend(flags.clone());
            // The intake event says the same, so the ledger and the row agree.
            if let Some(AlertEvent::Received(new)) =
                alert.timeline.first_mut().map(|t| &mut t.event)
            {
                new.channel = Channel::Voice;
                new.parse_flags.extend(flags);
            }
        }
        commit_ok(store, fixtures::intake(&alert)).await;
        let first = alerts.first().map(|a: &Alert| a.id.clone());
        for (step, to) in fixtures::path_to(state).into_iter().enumerate() {
            let mut req: TransitionRequest = fixtures::to(to);
            if to == Assigned {
                req.responders = if i == 4 {
                    responders.to_vec()
                } else {
                    vec![responders[0].clone()]
                };
            }
            if to == Merged {
                req.merged_into = first.clone();
            }
            let when = received + Duration::minutes(1 + step as i64);
            commit_ok(store, fixtures::transition(&mut alert, req, when)).await;
        }
        assert_eq!(alert.state, state);
        alerts.push(alert);
    }
    Scene {
        ns,
        alerts,
        base,
        responders,
        digest,
    }
}

/// What the query must return, computed from the alerts in memory.
fn expected(alerts: &[Alert], q: &AlertQuery) -> (Vec<String>, u64) {
    let mut hits: Vec<&Alert> = alerts
        .iter()
        .filter(|a| q.states.is_empty() || q.states.contains(&a.state))
        .filter(|a| !q.open_only || a.state.is_open())
        .filter(|a| {
            q.place_prefix
                .as_ref()
                .is_none_or(|p| a.place.as_ref().is_some_and(|c| c.starts_with(p.as_str())))
        })
        .filter(|a| q.threat_type.is_none_or(|t| a.threat_type == Some(t)))
        .filter(|a| !q.uncovered_only || a.uncovered)
        .filter(|a| {
            q.overdue_at
                .is_none_or(|t| a.next_deadline().is_some_and(|(_, d)| d <= t))
        })
        .filter(|a| {
            q.assigned_to
                .as_ref()
                .is_none_or(|r| a.assigned.contains(r))
        })
        .collect();
    match q.sort {
        AlertSort::Queue => hits.sort_by_key(|a| {
            let deadline = a.next_deadline().map(|(_, d)| d);
            (
                Reverse(a.severity),
                deadline.is_none(),
                deadline,
                a.received_at,
                a.id.clone(),
            )
        }),
        AlertSort::Newest => hits.sort_by_key(|a| Reverse((a.received_at, a.id.clone()))),
        AlertSort::Arrivals => hits.sort_by_key(|a| {
            (
                !kinga_domain::voice::unheard(a),
                Reverse((a.received_at, a.id.clone())),
            )
        }),
    }
    let total = hits.len() as u64;
    let page = hits
        .into_iter()
        .skip(q.offset)
        .take(q.limit.min(MAX_PAGE))
        .map(|a| a.id.clone())
        .collect();
    (page, total)
}

async fn ids(store: &dyn Store, q: &AlertQuery) -> (Vec<String>, u64) {
    let page = store.alerts(q).await.unwrap();
    (page.items.into_iter().map(|a| a.id).collect(), page.total)
}

/// Every filter and both sorts, alone and combined, with paging, against an in-memory model;
/// and a few answers spelled out by hand so the model is checked too.
pub async fn check_alert_queries(store: &dyn Store) {
    let s = scene(store, at(2031, 2, 1, 8, 0, 0)).await;
    let ns = |suffix: &str| Some(format!("{}{suffix}", s.ns));
    let late = s.base + Duration::hours(2);
    let queries: Vec<AlertQuery> = vec![
        AlertQuery::default(),
        AlertQuery {
            states: vec![AlertState::Received],
            ..AlertQuery::default()
        },
        AlertQuery {
            states: vec![
                AlertState::Acknowledged,
                AlertState::Assigned,
                AlertState::Closed,
            ],
            ..AlertQuery::default()
        },
        AlertQuery {
            open_only: true,
            ..AlertQuery::default()
        },
        AlertQuery {
            open_only: true,
            states: vec![AlertState::Closed, AlertState::Verified],
            ..AlertQuery::default()
        },
        AlertQuery {
            open_only: true,
            states: vec![AlertState::Closed, AlertState::Merged],
            ..AlertQuery::default()
        },
        AlertQuery {
            place_prefix: ns("01"),
            ..AlertQuery::default()
        },
        AlertQuery {
            place_prefix: ns("0101"),
            ..AlertQuery::default()
        },
        AlertQuery {
            place_prefix: ns("0101-S"),
            ..AlertQuery::default()
        },
        AlertQuery {
            place_prefix: ns("02"),
            ..AlertQuery::default()
        },
        AlertQuery {
            place_prefix: ns("0101-S003"),
            ..AlertQuery::default()
        },
        AlertQuery {
            place_prefix: ns("9"),
            ..AlertQuery::default()
        },
        AlertQuery {
            threat_type: Some(ThreatType::Killing),
            ..AlertQuery::default()
        },
        AlertQuery {
            threat_type: Some(ThreatType::SexualViolence),
            ..AlertQuery::default()
        },
        AlertQuery {
            uncovered_only: true,
            ..AlertQuery::default()
        },
        AlertQuery {
            overdue_at: Some(s.base + Duration::minutes(16)),
            ..AlertQuery::default()
        },
        AlertQuery {
            overdue_at: Some(late),
            ..AlertQuery::default()
        },
        AlertQuery {
            overdue_at: Some(s.base - Duration::days(1)),
            ..AlertQuery::default()
        },
        AlertQuery {
            assigned_to: Some(s.responders[0].clone()),
            ..AlertQuery::default()
        },
        AlertQuery {
            assigned_to: Some(s.responders[1].clone()),
            ..AlertQuery::default()
        },
        AlertQuery {
            assigned_to: Some("nobody".into()),
            ..AlertQuery::default()
        },
        AlertQuery {
            open_only: true,
            threat_type: Some(ThreatType::Killing),
            place_prefix: ns("01"),
            ..AlertQuery::default()
        },
        AlertQuery {
            open_only: true,
            uncovered_only: true,
            overdue_at: Some(late),
            ..AlertQuery::default()
        },
        AlertQuery {
            states: vec![AlertState::Received],
            place_prefix: ns("0101"),
            uncovered_only: true,
            ..AlertQuery::default()
        },
    ];
    for base in queries {
        for sort in [AlertSort::Queue, AlertSort::Newest, AlertSort::Arrivals] {
            for (limit, offset) in [(50, 0), (3, 0), (3, 3), (3, 12), (0, 0), (2, 100)] {
                let mut q = AlertQuery {
                    sort,
                    limit,
                    offset,
                    ..base.clone()
                };
                if q.place_prefix.is_none() {
                    q.place_prefix = Some(s.ns.clone());
                }
                assert_eq!(ids(store, &q).await, expected(&s.alerts, &q), "query {q:?}");
            }
        }
    }

    // Spelled out: the queue puts the imminent threat with the nearest deadline first.
    let a = &s.alerts;
    let q = AlertQuery {
        open_only: true,
        place_prefix: Some(s.ns.clone()),
        limit: 4,
        ..AlertQuery::default()
    };
    let (got, total) = ids(store, &q).await;
    // Open: all but closed (6) and merged (7). Severity 4 by deadline: 0 (acknowledge, +15
    // min), 1 (verify, +67 min), 10 (acknowledge, +85 min), 4 (respond, +148 min); then 5 and 12,
    // which have none.
    assert_eq!(total, 11);
    assert_eq!(
        got,
        vec![
            a[0].id.clone(),
            a[1].id.clone(),
            a[10].id.clone(),
            a[4].id.clone()
        ]
    );
    let q = AlertQuery {
        sort: AlertSort::Newest,
        ..q
    };
    assert_eq!(
        ids(store, &q).await.0[..2],
        [a[12].id.clone(), a[11].id.clone()]
    );
    // A territory's prefix takes in its settlements.
    let q = AlertQuery {
        place_prefix: ns("0101"),
        limit: 50,
        ..AlertQuery::default()
    };
    let (got, _) = ids(store, &q).await;
    assert!(got.contains(&a[2].id) && got.contains(&a[11].id) && !got.contains(&a[9].id));
    let q = AlertQuery {
        assigned_to: Some(s.responders[1].clone()),
        place_prefix: Some(s.ns.clone()),
        limit: 50,
        ..AlertQuery::default()
    };
    assert_eq!(ids(store, &q).await.0, vec![a[4].id.clone()]);
    let q = AlertQuery {
        assigned_to: Some(s.responders[0].clone()),
        ..q
    };
    assert_eq!(
        ids(store, &q).await.0,
        vec![a[4].id.clone(), a[5].id.clone()]
    );

    // Without any filter every alert of the scene is counted (the store holds others too).
    let all = store
        .alerts(&AlertQuery {
            limit: 1,
            ..AlertQuery::default()
        })
        .await
        .unwrap();
    assert!(all.total >= s.alerts.len() as u64);
    assert_eq!(all.items.len(), 1);
    // Pages hold whole alerts.
    let full = store
        .alerts(&AlertQuery {
            place_prefix: Some(s.ns.clone()),
            limit: 50,
            ..AlertQuery::default()
        })
        .await
        .unwrap();
    for alert in &full.items {
        assert_eq!(Some(alert), s.alerts.iter().find(|x| x.id == alert.id));
    }

    check_due_and_replies(store, &s).await;
    check_tallies(store, &s).await;
}

/// [`Store::alert_tallies`] counts what [`Store::alerts`] counts with each filter added.
async fn check_tallies(store: &dyn Store, s: &Scene) {
    let total = |q: AlertQuery| async move { store.alerts(&q).await.unwrap().total };
    let bases = [
        AlertQuery::default(),
        AlertQuery {
            open_only: true,
            ..AlertQuery::default()
        },
        AlertQuery {
            states: vec![AlertState::Acknowledged, AlertState::Verified],
            open_only: true,
            ..AlertQuery::default()
        },
        AlertQuery {
            states: vec![AlertState::Received],
            uncovered_only: true,
            ..AlertQuery::default()
        },
        AlertQuery {
            threat_type: Some(ThreatType::Killing),
            place_prefix: Some(format!("{}01", s.ns)),
            ..AlertQuery::default()
        },
        AlertQuery {
            areas: vec![format!("{}0101", s.ns), format!("{}02", s.ns)],
            open_only: true,
            ..AlertQuery::default()
        },
    ];
    for base in bases {
        for overdue_at in [
            s.base - Duration::days(1),
            s.base + Duration::minutes(16),
            s.base + Duration::hours(2),
        ] {
            let mut q = base.clone();
            if q.place_prefix.is_none() {
                q.place_prefix = Some(s.ns.clone());
            }
            let got = store.alert_tallies(&q, overdue_at).await.unwrap();
            let want = crate::AlertTallies {
                total: total(q.clone()).await,
                uncovered: total(AlertQuery {
                    uncovered_only: true,
                    ..q.clone()
                })
                .await,
                unplaced: total(AlertQuery {
                    unplaced_only: true,
                    ..q.clone()
                })
                .await,
                overdue: total(AlertQuery {
                    overdue_at: Some(overdue_at),
                    ..q.clone()
                })
                .await,
                received: if q.states.is_empty() || q.states.contains(&AlertState::Received) {
                    total(AlertQuery {
                        states: vec![AlertState::Received],
                        ..q.clone()
                    })
                    .await
                } else {
                    0
                },
            };
            assert_eq!(got, want, "tallies of {q:?} at {overdue_at}");
            if q.areas.is_empty() {
                assert_eq!(got.total, expected(&s.alerts, &q).1, "total of {q:?}");
            }
        }
    }
    // Alerts with no place, alone in a second of their own (no place prefix can pick them).
    let second = at(2093, 1, 1, 0, 0, 0)
        + Duration::seconds(Utc::now().timestamp_micros().rem_euclid(1_000_000_000));
    for uncovered in [true, false, true] {
        let spec = AlertSpec {
            place: None,
            threat: None,
            severity: 2,
            received_at: second,
            uncovered,
            phone_digest: None,
        };
        let alert = fixtures::alert(&spec, store.next_reference().await.unwrap());
        commit_ok(store, fixtures::intake(&alert)).await;
    }
    let q = AlertQuery {
        received_from: Some(second),
        received_to: Some(second + Duration::seconds(1)),
        ..AlertQuery::default()
    };
    let got = store.alert_tallies(&q, second).await.unwrap();
    assert_eq!((got.total, got.uncovered, got.unplaced), (3, 2, 3));
    assert_eq!(
        got.overdue,
        total(AlertQuery {
            overdue_at: Some(second),
            ..q.clone()
        })
        .await
    );
}

async fn check_due_and_replies(store: &dyn Store, s: &Scene) {
    let mine = |list: Vec<Alert>| {
        let mut ids: Vec<String> = list
            .into_iter()
            .filter(|a| s.alerts.iter().any(|x| x.id == a.id))
            .map(|a| a.id)
            .collect();
        ids.sort();
        ids
    };
    for now in [
        s.base + Duration::minutes(16),
        s.base + Duration::hours(3),
        s.base + Duration::days(5),
        s.base,
    ] {
        let due = store.alerts_due(now).await.unwrap();
        for a in &due {
            assert!(
                a.state.is_open(),
                "alerts_due returned {} in state {}",
                a.id,
                a.state
            );
            assert!(
                a.next_deadline().is_some_and(|(_, d)| d <= now),
                "alert {} is not due at {now}",
                a.id
            );
        }
        let mut want: Vec<String> = s
            .alerts
            .iter()
            .filter(|a| a.state.is_open() && a.next_deadline().is_some_and(|(_, d)| d <= now))
            .map(|a| a.id.clone())
            .collect();
        want.sort();
        assert_eq!(mine(due), want, "alerts_due({now})");
    }

    // Reported in [from, to): the bounds are reported times of alerts 3 (in) and 9 (out).
    let a = &s.alerts;
    let (from, to) = (a[3].reported_at, a[9].reported_at);
    let got = store.alerts_reported_between(from, to).await.unwrap();
    let mut want: Vec<String> = a
        .iter()
        .filter(|x| x.reported_at >= from && x.reported_at < to)
        .map(|x| x.id.clone())
        .collect();
    want.sort();
    assert_eq!(want.len(), 6);
    assert_eq!(mine(got), want);
    assert!(
        store
            .alerts_reported_between(to, from)
            .await
            .unwrap()
            .is_empty()
    );

    // Replies: the newest open alert from that phone, received at or after `since`. Alert 6
    // is newer but closed.
    let latest = store.latest_alert_from(&s.digest, s.base).await.unwrap();
    assert_eq!(latest.map(|x| x.id), Some(a[1].id.clone()));
    let latest = store
        .latest_alert_from(&s.digest, a[1].received_at)
        .await
        .unwrap();
    assert_eq!(latest.map(|x| x.id), Some(a[1].id.clone()));
    let since = a[1].received_at + Duration::seconds(1);
    assert_eq!(
        store.latest_alert_from(&s.digest, since).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .latest_alert_from("phone:unknown", s.base)
            .await
            .unwrap(),
        None
    );

    // An incoming message's lookup: the same alert when its key is new, nothing but the
    // stored answer when the key is known (a retry).
    let key = unique("twilio:SM");
    let lookup = |sender| store.message_lookup(&key, sender);
    let found = lookup(Some((s.digest.as_str(), s.base))).await.unwrap();
    assert_eq!(found.answer, None);
    assert_eq!(found.latest.map(|x| x.id), Some(a[1].id.clone()));
    let none = MessageLookup::default();
    assert_eq!(
        lookup(Some((s.digest.as_str(), since))).await.unwrap(),
        none
    );
    assert_eq!(lookup(None).await.unwrap(), none);
    let answer = IdempotentAnswer {
        key: key.clone(),
        fingerprint: "sha256:lookup".into(),
        status: 200,
        body: serde_json::json!({"id": a[1].id}),
        created_at: s.base,
    };
    let writes = vec![Write::Idempotency(answer.clone())];
    commit_writes(store, writes).await;
    let retry = MessageLookup {
        answer: Some(answer),
        latest: None,
    };
    for sender in [Some((s.digest.as_str(), s.base)), None] {
        assert_eq!(lookup(sender).await.unwrap(), retry);
    }
}
