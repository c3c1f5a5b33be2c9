//! Speed of the triage queue with many open alerts (DESIGN.md: a queue page over 10,000 open
//! alerts in at most 30 ms of server time). Not part of [`super::run_all`]: timings depend on
//! the machine, so backends run it on demand.

use std::time::{Duration, Instant};

use kinga_domain::ThreatType;

use super::commit_ok;
use super::fixtures::{self, AlertSpec, at, unique};
use crate::{AlertQuery, AlertSort, Commit, Store, Write};

/// Store `open_alerts` open alerts, then time a page of the queue under each usual filter and
/// fail if any takes longer than `budget` on average.
pub async fn check_queue_speed(store: &dyn Store, open_alerts: usize, budget: Duration) {
    let base = at(2033, 1, 1, 0, 0, 0);
    let ns = fixtures::namespace();
    let responder = unique("resp");
    let mut batch = Vec::new();
    for n in 0..open_alerts {
        let place = format!("{ns}{:02}-S{:03}", n % 40, n % 7);
        let received = base + chrono::Duration::seconds(n as i64);
        let mut spec = AlertSpec::new(&place, ThreatType::ALL[n % 14], 1 + (n % 4) as u8, received);
        spec.uncovered = n % 5 == 0;
        let mut alert = fixtures::alert(&spec, 10_000_000 + n as u64);
        if n % 50 == 0 {
            alert.assigned = vec![responder.clone()];
        }
        batch.push(Write::Alert {
            alert: Box::new(alert),
            expected_version: None,
        });
        if batch.len() == 500 || n + 1 == open_alerts {
            commit_ok(
                store,
                Commit {
                    events: vec![],
                    writes: std::mem::take(&mut batch),
                },
            )
            .await;
        }
    }
    let open = AlertQuery {
        open_only: true,
        limit: 50,
        ..AlertQuery::default()
    };
    let queries = [
        open.clone(),
        AlertQuery {
            sort: AlertSort::Newest,
            ..open.clone()
        },
        AlertQuery {
            place_prefix: Some(format!("{ns}01")),
            ..open.clone()
        },
        AlertQuery {
            place_prefix: Some(ns.clone()),
            ..open.clone()
        },
        AlertQuery {
            overdue_at: Some(base + chrono::Duration::days(1)),
            ..open.clone()
        },
        AlertQuery {
            threat_type: Some(ThreatType::Killing),
            uncovered_only: true,
            ..open.clone()
        },
        AlertQuery {
            assigned_to: Some(responder.clone()),
            ..open.clone()
        },
        AlertQuery {
            offset: open_alerts / 2,
            ..open.clone()
        },
    ];
    for q in &queries {
        store.alerts(q).await.unwrap();
        let runs: u32 = 10;
        let start = Instant::now();
        for _ in 0..runs {
            assert!(!store.alerts(q).await.unwrap().items.is_empty());
        }
        let each = start.elapsed() / runs;
        println!("{each:>10.2?} per page: {q:?}");
        assert!(
            each <= budget,
            "a queue page took {each:?}, more than {budget:?}: {q:?}"
        );
    }
}
