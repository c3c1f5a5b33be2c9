//! Two servers sharing one database: each learns the other's new alerts for duplicate
//! suggestions at its next refresh, without reloading the whole window.

mod support;

use kinga_app::Caller;
use kinga_app::alerts::IntakeCommand;
use kinga_app::registry::RegistryRecord;
use kinga_domain::place::PlaceLevel;
use kinga_domain::{Channel, ThreatType};
use support::{cla, open_app, place};

fn report(text: &str) -> IntakeCommand {
    IntakeCommand {
        channel: Some(Channel::Call),
        text: text.into(),
        threat_type: Some(ThreatType::ArmedPresence),
        place: Some("CD6111-V001".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_refresh_brings_in_another_servers_alerts() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, _) = open_app(&dir).await;
    let places = vec![
        place("COD", "RDC", PlaceLevel::Country, None),
        place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("COD")),
        place("CD6111", "Rutshuru", PlaceLevel::Admin2, Some("CD61")),
        place(
            "CD6111-V001",
            "Kiwanja",
            PlaceLevel::Settlement,
            Some("CD6111"),
        ),
    ];
    a.save_records(
        &Caller::system(),
        places.into_iter().map(RegistryRecord::Place).collect(),
    )
    .await
    .expect("places");
    let (b, _) = open_app(&dir).await;
    let first = b
        .intake(&cla(), report("Hommes armés au marché de Kiwanja"))
        .await
        .expect("intake")
        .alert;
    let unaware = a
        .intake(&cla(), report("Des hommes armés au marché de Kiwanja"))
        .await
        .expect("intake")
        .alert;
    assert!(
        unaware
            .duplicate_candidates
            .iter()
            .all(|d| d.alert != first.id),
        "a has not looked yet"
    );
    a.refresh_caches().await.expect("refresh");
    let aware = a
        .intake(&cla(), report("Hommes armés vus au marché de Kiwanja"))
        .await
        .expect("intake")
        .alert;
    let ids: Vec<&str> = aware
        .duplicate_candidates
        .iter()
        .map(|d| d.alert.as_str())
        .collect();
    assert!(
        ids.contains(&first.id.as_str()) && ids.contains(&unaware.id.as_str()),
        "{ids:?}"
    );
    // A second refresh adds nothing twice.
    a.refresh_caches().await.expect("refresh");
    let again = a
        .intake(&cla(), report("Hommes armés encore au marché de Kiwanja"))
        .await
        .expect("intake")
        .alert;
    let firsts = again
        .duplicate_candidates
        .iter()
        .filter(|d| d.alert == first.id)
        .count();
    assert_eq!(firsts, 1);
}

/// Register a focal point at Kiwanja through `app`, under `pseudonym`.
async fn register(
    app: &kinga_app::App,
    id: Option<String>,
    phone: &str,
    pseudonym: &str,
) -> String {
    let sys = Caller::system();
    let input = kinga_app::registry::FocalPointInput {
        id,
        name: "Furaha Kambale".into(),
        phone: phone.into(),
        place: Some("CD6111-V001".into()),
        language: "sw".into(),
        pseudonym: Some(pseudonym.into()),
    };
    let fp = app.seal_focal_point(&sys, &input).await.expect("seal");
    app.save_records(&sys, vec![RegistryRecord::FocalPoint(fp.clone())])
        .await
        .expect("save");
    fp.id
}

/// An SMS-like report from `phone`, with no place: the focal point's gives it.
fn from_phone(phone: &str) -> IntakeCommand {
    IntakeCommand {
        channel: Some(Channel::Sms),
        text: "Hommes armés ce matin".into(),
        reporter_phone: Some(phone.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn focal_points_are_matched_from_memory_and_a_new_one_elsewhere_at_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, _) = open_app(&dir).await;
    a.save_records(
        &Caller::system(),
        vec![
            RegistryRecord::Place(place("COD", "RDC", PlaceLevel::Country, None)),
            RegistryRecord::Place(place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("COD"))),
            RegistryRecord::Place(place(
                "CD6111",
                "Rutshuru",
                PlaceLevel::Admin2,
                Some("CD61"),
            )),
            RegistryRecord::Place(place(
                "CD6111-V001",
                "Kiwanja",
                PlaceLevel::Settlement,
                Some("CD6111"),
            )),
        ],
    )
    .await
    .expect("places");
    let (b, _) = open_app(&dir).await;
    // Registered on a: a matches it (its caches were refreshed by the save), and so does b at
    // once, which has never seen it (its caches miss, the store has it).
    let first = register(&a, None, "+243990001001", "FP-ALPHA").await;
    for (server, app) in [("a", &a), ("b", &b)] {
        let alert = app
            .intake(&cla(), from_phone("+243990001001"))
            .await
            .expect("intake")
            .alert;
        assert_eq!(
            alert.reporter.focal_point.as_deref(),
            Some(first.as_str()),
            "on {server}"
        );
        assert_eq!(alert.reporter.pseudonym.as_deref(), Some("FP-ALPHA"));
        assert_eq!(alert.place.as_deref(), Some("CD6111-V001"), "on {server}");
    }
    // An unknown number is nobody's, from memory or from the store.
    let stranger = b
        .intake(&cla(), from_phone("+243990009999"))
        .await
        .expect("intake")
        .alert;
    assert_eq!(stranger.reporter.focal_point, None);
    // b refreshes (now it remembers FP-ALPHA); a renames it: b answers from memory with the
    // name it had until its next refresh, as it does for places and responders.
    b.refresh_caches().await.expect("refresh");
    register(&a, Some(first.clone()), "+243990001001", "FP-BRAVO").await;
    let mine = a
        .intake(&cla(), from_phone("+243990001001"))
        .await
        .expect("intake")
        .alert;
    assert_eq!(mine.reporter.pseudonym.as_deref(), Some("FP-BRAVO"));
    let stale = b
        .intake(&cla(), from_phone("+243990001001"))
        .await
        .expect("intake")
        .alert;
    assert_eq!(stale.reporter.focal_point.as_deref(), Some(first.as_str()));
    b.refresh_caches().await.expect("refresh");
    let fresh = b
        .intake(&cla(), from_phone("+243990001001"))
        .await
        .expect("intake")
        .alert;
    assert_eq!(fresh.reporter.pseudonym.as_deref(), Some("FP-BRAVO"));
    support::assert_verified(&a).await;
}
