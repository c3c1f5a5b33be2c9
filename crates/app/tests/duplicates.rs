//! Duplicate suggestions at intake: the recent alerts the app compares a new one with are the
//! ones the domain's distance cutoff allows, across territory borders, and never further.

mod support;

use kinga_app::alerts::IntakeCommand;
use kinga_app::registry::RegistryRecord;
use kinga_app::{App, Caller};
use kinga_domain::place::{Place, PlaceLevel};
use kinga_domain::{Alert, Channel, ThreatType};
use support::{cla, open_app, place};

fn village(pcode: &str, name: &str, territory: &str, lat: f64, lon: f64) -> Place {
    Place {
        lat: Some(lat),
        lon: Some(lon),
        ..place(pcode, name, PlaceLevel::Settlement, Some(territory))
    }
}

/// Goma and Kanyaruchinya, 9 km apart on either side of a territory border; Bunia in Ituri
/// and Walikale-Centre, 400 km apart.
async fn app_with_places(dir: &tempfile::TempDir) -> App {
    let (app, _) = open_app(dir).await;
    let places = vec![
        place("COD", "RDC", PlaceLevel::Country, None),
        place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("COD")),
        place("CD54", "Ituri", PlaceLevel::Admin1, Some("COD")),
        place("CD6101", "Goma", PlaceLevel::Admin2, Some("CD61")),
        place("CD6102", "Nyiragongo", PlaceLevel::Admin2, Some("CD61")),
        place("CD6104", "Walikale", PlaceLevel::Admin2, Some("CD61")),
        place("CD5401", "Bunia", PlaceLevel::Admin2, Some("CD54")),
        village("CD6101-S001", "Goma", "CD6101", -1.67409, 29.22845),
        village("CD6102-V011", "Kanyaruchinya", "CD6102", -1.602, 29.262),
        village("CD5401-S001", "Bunia", "CD5401", 1.55941, 30.25224),
        village("CD6104-V014", "Walikale-Centre", "CD6104", -1.421, 28.050),
    ];
    app.save_records(
        &Caller::system(),
        places.into_iter().map(RegistryRecord::Place).collect(),
    )
    .await
    .expect("places");
    app
}

async fn report(app: &App, place: &str, threat: ThreatType, text: &str) -> Alert {
    let cmd = IntakeCommand {
        channel: Some(Channel::Call),
        text: text.into(),
        threat_type: Some(threat),
        place: Some(place.into()),
        ..Default::default()
    };
    app.intake(&cla(), cmd).await.expect("intake").alert
}

fn proposes(alert: &Alert, other: &Alert) -> bool {
    alert
        .duplicate_candidates
        .iter()
        .any(|d| d.alert == other.id)
}

#[tokio::test]
async fn a_duplicate_across_a_territory_border_is_proposed() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = app_with_places(&dir).await;
    let from_goma = report(
        &app,
        "CD6101-S001",
        ThreatType::ArmedPresence,
        "Hommes armés vus près du site de Kanyaruchinya ce matin",
    )
    .await;
    let on_site = report(
        &app,
        "CD6102-V011",
        ThreatType::ArmedPresence,
        "Hommes armés au site de Kanyaruchinya ce matin",
    )
    .await;
    assert!(proposes(&on_site, &from_goma), "{on_site:?}");
}

#[tokio::test]
async fn ituri_is_never_proposed_for_walikale() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = app_with_places(&dir).await;
    let text = "Trois civils tués cette nuit par des hommes armés";
    let ituri = report(&app, "CD5401-S001", ThreatType::Killing, text).await;
    let walikale = report(&app, "CD6104-V014", ThreatType::Killing, text).await;
    let in_territory = report(&app, "CD6104", ThreatType::Killing, text).await;
    assert!(!proposes(&walikale, &ituri), "{walikale:?}");
    assert!(!proposes(&in_territory, &ituri), "{in_territory:?}");
    assert!(proposes(&in_territory, &walikale), "{in_territory:?}");
}

#[tokio::test]
async fn an_alert_placed_only_in_a_province_is_compared_with_every_bucket() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = app_with_places(&dir).await;
    let text = "Pillage des abris au site de Kanyaruchinya par des hommes armés";
    let on_site = report(&app, "CD6102-V011", ThreatType::LootingExtortion, text).await;
    let province = report(&app, "CD61", ThreatType::LootingExtortion, text).await;
    assert!(proposes(&province, &on_site), "{province:?}");
    // Another province: never.
    let ituri = report(&app, "CD54", ThreatType::LootingExtortion, text).await;
    assert!(!proposes(&ituri, &on_site), "{ituri:?}");
}
