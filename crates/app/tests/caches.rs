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
