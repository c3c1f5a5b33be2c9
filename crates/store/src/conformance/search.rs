//! Checks of the queue's search: working areas, unplaced alerts, words of the text or the
//! reference, receipt times and the alerts a person took.

use chrono::Duration;

use kinga_domain::ThreatType;

use super::commit_ok;
use super::fixtures::{self, AlertSpec, at};
use crate::{AlertQuery, Store};

/// The queue's search: working areas (any of several prefixes), unplaced alerts, words of the
/// text or the reference (wildcards taken literally), a range of receipt times, and the alerts
/// a person took.
pub async fn check_alert_search(store: &dyn Store) {
    let ns = fixtures::namespace();
    let base = at(2041, 3, 1, 8, 0, 0);
    let texts = [
        (
            Some(format!("{ns}01-S1")),
            "Hommes armés vus près du marché",
            base,
        ),
        (
            Some(format!("{ns}02-S1")),
            "Pillage au marché de 50% des stocks",
            base + Duration::hours(1),
        ),
        (
            Some(format!("{ns}03")),
            "Enlèvement de trois femmes",
            base + Duration::hours(2),
        ),
        (
            None,
            "Tirs entendus, lieu inconnu_x",
            base + Duration::hours(3),
        ),
    ];
    let mut refs = vec![];
    for (i, (place, text, received)) in texts.iter().enumerate() {
        let spec = AlertSpec {
            place: place.clone(),
            threat: Some(ThreatType::Other),
            severity: 2,
            received_at: *received,
            uncovered: false,
            phone_digest: None,
        };
        let mut a = fixtures::alert(&spec, store.next_reference().await.unwrap());
        a.text = text.to_string();
        if i == 1 {
            a.taken_by = Some(format!("{ns}-cla"));
        }
        commit_ok(store, fixtures::intake(&a)).await;
        refs.push(a.reference.clone());
    }
    let in_window = |mut q: AlertQuery| {
        q.received_from = Some(base);
        q.received_to = Some(base + Duration::hours(4));
        q.limit = 50;
        q
    };
    let refs_of = |page: crate::AlertPage| {
        let mut r: Vec<String> = page.items.into_iter().map(|a| a.reference).collect();
        r.sort();
        r
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let q = in_window(AlertQuery {
        areas: vec![format!("{ns}01"), format!("{ns}03")],
        ..Default::default()
    });
    assert_eq!(
        refs_of(store.alerts(&q).await.unwrap()),
        sorted(vec![refs[0].clone(), refs[2].clone()]),
        "any of the areas"
    );
    let q = in_window(AlertQuery {
        unplaced_only: true,
        ..Default::default()
    });
    assert_eq!(
        refs_of(store.alerts(&q).await.unwrap()),
        vec![refs[3].clone()]
    );
    let q = in_window(AlertQuery {
        text: Some("MARCHÉ".to_lowercase()),
        ..Default::default()
    });
    assert_eq!(
        refs_of(store.alerts(&q).await.unwrap()),
        sorted(vec![refs[0].clone(), refs[1].clone()]),
        "words of the text, whatever their case"
    );
    for literal in ["50%", "inconnu_x"] {
        let q = in_window(AlertQuery {
            text: Some(literal.into()),
            ..Default::default()
        });
        assert_eq!(
            store.alerts(&q).await.unwrap().total,
            1,
            "{literal} is taken literally"
        );
    }
    let q = in_window(AlertQuery {
        text: Some("%".into()),
        ..Default::default()
    });
    assert_eq!(
        store.alerts(&q).await.unwrap().total,
        1,
        "a lone % matches only a %"
    );
    let q = AlertQuery {
        text: Some(refs[2].clone()),
        limit: 10,
        ..Default::default()
    };
    assert!(
        refs_of(store.alerts(&q).await.unwrap()).contains(&refs[2]),
        "by reference"
    );
    let q = AlertQuery {
        received_from: Some(base + Duration::minutes(30)),
        received_to: Some(base + Duration::minutes(150)),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(
        refs_of(store.alerts(&q).await.unwrap()),
        sorted(vec![refs[1].clone(), refs[2].clone()])
    );
    let q = AlertQuery {
        taken_by: Some(format!("{ns}-cla")),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        refs_of(store.alerts(&q).await.unwrap()),
        vec![refs[1].clone()]
    );
}
