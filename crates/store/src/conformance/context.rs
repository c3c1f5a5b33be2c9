//! Checks of context events (UCDP GED, ACLED rows): round trip, replacement by id on a
//! second import, the day window, the data set filter and keyset paging.

use chrono::NaiveDate;

use kinga_domain::analysis::context::{ContextDataset, ContextEvent};
use kinga_ledger::Payload;

use super::fixtures::{at, draft, unique};
use super::{commit_ok, commit_writes};
use crate::{Commit, ContextQuery, Projection, Store, Write};

fn event(dataset: ContextDataset, source_id: &str, date: NaiveDate) -> ContextEvent {
    ContextEvent {
        id: format!("{}:{source_id}", dataset.as_str()),
        dataset,
        source_id: source_id.to_string(),
        date,
        date_end: None,
        event_type: "Battles".into(),
        sub_event_type: Some("Armed clash".into()),
        actors: vec!["M23".into(), "FARDC".into()],
        country: Some("Democratic Republic of Congo".into()),
        admin1: Some("Nord-Kivu".into()),
        admin2: Some("Rutshuru".into()),
        location: Some("Kiwanja".into()),
        lat: -1.163,
        lon: 29.455,
        fatalities: Some(3),
        source: Some("Radio Okapi".into()),
        notes: Some("Clashes near the market; \"heavy weapons\".".into()),
        licence: dataset.default_licence().into(),
        imported_at: at(2034, 3, 1, 8, 0, 0),
        imported_by: "admin".into(),
    }
}

async fn save(store: &dyn Store, events: &[ContextEvent]) {
    commit_ok(
        store,
        Commit {
            events: events
                .iter()
                .map(|e| {
                    draft(
                        "admin",
                        e.imported_at,
                        Payload::ContextEventSaved { event: e.clone() },
                    )
                })
                .collect(),
            writes: events
                .iter()
                .map(|e| Write::ContextEvent(Box::new(e.clone())))
                .collect(),
        },
    )
    .await;
}

/// Context events round trip exactly, a second import of the same id replaces the first, a
/// day window and a data set select, pages follow one another by keyset without gap or
/// repeat, and `kinga verify` reads them back.
pub async fn check_context_events(store: &dyn Store) {
    let day = |d: u32| NaiveDate::from_ymd_opt(2034, 2, d).unwrap_or_default();
    let tag = unique("CTX");
    let mut all: Vec<ContextEvent> = (1..=7)
        .map(|i| {
            let ds = if i % 2 == 0 {
                ContextDataset::UcdpGed
            } else {
                ContextDataset::Acled
            };
            // Two events a day on some days, so the keyset's tie-break on id is exercised.
            event(ds, &format!("{tag}-{i}"), day(10 + i / 2))
        })
        .collect();
    save(store, &all).await;
    all[0].fatalities = Some(9);
    save(store, &all[..1]).await;
    // Only this run's events: a database reused between runs keeps the previous ones.
    let mine = |v: Vec<ContextEvent>| -> Vec<ContextEvent> {
        v.into_iter()
            .filter(|e| e.source_id.starts_with(&tag))
            .collect()
    };
    let window = ContextQuery {
        from: Some(day(10)),
        to: Some(day(20)),
        limit: 100,
        ..ContextQuery::default()
    };
    let got = mine(store.context_events(&window).await.unwrap());
    assert_eq!(got.len(), 7, "one row per id, the re-import replacing");
    assert!(got.contains(&all[0]));
    assert!(
        got.windows(2)
            .all(|w| (w[0].date, &w[0].id) > (w[1].date, &w[1].id)),
        "newest day first, then id descending"
    );
    let narrow = ContextQuery {
        from: Some(day(11)),
        to: Some(day(12)),
        ..window.clone()
    };
    let n = mine(store.context_events(&narrow).await.unwrap());
    assert!(n.iter().all(|e| e.date >= day(11) && e.date <= day(12)));
    assert_eq!(n.len(), 4);
    let ged = ContextQuery {
        dataset: Some(ContextDataset::UcdpGed),
        ..window.clone()
    };
    let g = mine(store.context_events(&ged).await.unwrap());
    assert_eq!(g.len(), 3);
    assert!(g.iter().all(|e| e.dataset == ContextDataset::UcdpGed));
    // Pages of two, each after the last of the previous one.
    let mut paged: Vec<ContextEvent> = Vec::new();
    let mut q = ContextQuery {
        limit: 2,
        ..window.clone()
    };
    loop {
        let page = store.context_events(&q).await.unwrap();
        let Some(last) = page.last() else { break };
        q.after = Some((last.date, last.id.clone()));
        paged.extend(page);
    }
    assert_eq!(mine(paged), got);
    let rows = store
        .projection_rows(Projection::ContextEvents, None, 10_000)
        .await
        .unwrap();
    let row = rows
        .iter()
        .find(|r| r.key == all[0].id)
        .expect("the event's row");
    assert_eq!(row.doc, serde_json::to_value(&all[0]).unwrap());
}

/// Newest-first keyset paging of alerts (`before`, the last alert's `(received_at, id)`):
/// pages follow one another without gap or repeat, also across alerts received at the very
/// same instant, and `no_total` leaves the count out.
pub async fn check_alert_keyset(store: &dyn Store) {
    use kinga_domain::ThreatType;

    use super::fixtures::{self, AlertSpec};
    use crate::{AlertQuery, AlertSort};

    let ns = fixtures::namespace();
    let base = at(2034, 4, 1, 8, 0, 0);
    let mut writes = Vec::new();
    for i in 0..23i64 {
        // Three alerts a second: ties on `received_at` fall on page boundaries.
        let spec = AlertSpec::new(
            &format!("{ns}01"),
            ThreatType::Other,
            2,
            base + chrono::Duration::seconds(i / 3),
        );
        let alert = fixtures::alert(&spec, store.next_reference().await.unwrap());
        writes.push(Write::Alert {
            alert: Box::new(alert),
            expected_version: None,
        });
    }
    commit_writes(store, writes).await;
    let all = AlertQuery {
        place_prefix: Some(ns.clone()),
        sort: AlertSort::Newest,
        limit: 100,
        ..AlertQuery::default()
    };
    let want: Vec<String> = store
        .alerts(&all)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(want.len(), 23);
    let mut q = AlertQuery {
        limit: 4,
        no_total: true,
        ..all
    };
    let mut got = Vec::new();
    loop {
        let page = store.alerts(&q).await.unwrap();
        assert_eq!(page.total, 0, "no count asked");
        let Some(last) = page.items.last() else { break };
        q.before = Some((last.received_at, last.id.clone()));
        got.extend(page.items.into_iter().map(|a| a.id));
    }
    assert_eq!(got, want);
}
