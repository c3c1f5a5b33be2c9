//! Checks of reading alerts one at a time, by id or by reference, and of the cap on a page of
//! them.

use chrono::Duration;

use kinga_domain::{AlertState, ThreatType};

use super::fixtures::{self, AlertSpec, at, unique};
use super::{commit_ok, commit_writes};
use crate::support::MAX_PAGE;
use crate::{AlertQuery, Store, Write};

/// One alert by id or reference, exactly as stored, through every change.
pub async fn check_alert_lookups(store: &dyn Store) {
    let when = at(2031, 3, 1, 8, 0, 0);
    let ns = fixtures::namespace();
    let mut alert = fixtures::alert(
        &AlertSpec::new(&format!("{ns}01"), ThreatType::SexualViolence, 4, when),
        store.next_reference().await.unwrap(),
    );
    commit_ok(store, fixtures::intake(&alert)).await;
    assert_eq!(store.alert(&alert.id).await.unwrap().as_ref(), Some(&alert));
    assert_eq!(
        store
            .alert_by_reference(&alert.reference)
            .await
            .unwrap()
            .as_ref(),
        Some(&alert)
    );
    for (i, state) in fixtures::path_to(AlertState::Responding)
        .into_iter()
        .enumerate()
    {
        let mut req = fixtures::to(state);
        req.responders = vec![unique("resp")];
        commit_ok(
            store,
            fixtures::transition(&mut alert, req, when + Duration::minutes(i as i64 + 1)),
        )
        .await;
        assert_eq!(store.alert(&alert.id).await.unwrap().as_ref(), Some(&alert));
    }
    assert_eq!(alert.version, 5);
    assert_eq!(
        store
            .alert_by_reference(&alert.reference)
            .await
            .unwrap()
            .map(|a| a.version),
        Some(5)
    );
    assert_eq!(store.alert("01NOSUCHALERT").await.unwrap(), None);
    assert_eq!(store.alert_by_reference("K-0").await.unwrap(), None);
}

/// No page holds more than [`MAX_PAGE`] alerts, while the total still counts them all.
pub async fn check_alert_page_cap(store: &dyn Store) {
    let base = at(2031, 4, 1, 8, 0, 0);
    let ns = fixtures::namespace();
    let mut writes = Vec::new();
    for i in 0..(MAX_PAGE + 1) {
        let spec = AlertSpec::new(
            &format!("{ns}{:02}", i % 7),
            ThreatType::Other,
            1 + (i % 4) as u8,
            base + Duration::seconds(i as i64),
        );
        let alert = fixtures::alert(&spec, store.next_reference().await.unwrap());
        writes.push(Write::Alert {
            alert: Box::new(alert),
            expected_version: None,
        });
    }
    commit_writes(store, writes).await;
    let q = AlertQuery {
        place_prefix: Some(ns.clone()),
        limit: 5000,
        ..AlertQuery::default()
    };
    let page = store.alerts(&q).await.unwrap();
    assert_eq!(page.items.len(), MAX_PAGE);
    assert_eq!(page.total, MAX_PAGE as u64 + 1);
    let rest = store
        .alerts(&AlertQuery {
            offset: MAX_PAGE,
            ..q
        })
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert!(!page.items.iter().any(|a| a.id == rest.items[0].id));
}
