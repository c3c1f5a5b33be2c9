//! What the app-level tests share: an application over a fresh SQLite file with a clock the
//! test moves, places, and the callers who act.

#![allow(dead_code)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};

use kinga_app::alerts::IntakeCommand;
use kinga_app::registry::RegistryRecord;
use kinga_app::{App, Caller, FixedClock, Sealer, Settings};
use kinga_domain::people::Role;
use kinga_domain::place::{Place, PlaceLevel};
use kinga_domain::{Channel, ThreatType};
use kinga_store_sqlite::SqliteStore;

/// An application over a fresh SQLite file in `dir`, its clock stopped at 2026-03-02 08:00 UTC.
pub async fn open_app(dir: &tempfile::TempDir) -> (App, Arc<FixedClock>) {
    open_app_with(dir, Settings::default()).await
}

/// [`open_app`] with settings; the database (and so the anchor beside it) is in `dir`.
pub async fn open_app_with(
    dir: &tempfile::TempDir,
    mut settings: Settings,
) -> (App, Arc<FixedClock>) {
    let db = dir.path().join("k.db");
    settings.database = db.display().to_string();
    let store = SqliteStore::open(&db).expect("open");
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap(),
    ));
    let app = App::new(
        Arc::new(store),
        settings,
        clock.clone(),
        Sealer::new([5; 32]),
    )
    .await
    .expect("app");
    (app, clock)
}

/// A place of DR Congo with no coordinates.
pub fn place(pcode: &str, name: &str, level: PlaceLevel, parent: Option<&str>) -> Place {
    Place {
        pcode: pcode.into(),
        name: name.into(),
        alt_names: vec![],
        level,
        parent: parent.map(Into::into),
        country: "COD".into(),
        lat: None,
        lon: None,
    }
}

/// A community liaison assistant.
pub fn cla() -> Caller {
    Caller::acting("cla1", Role::TriageOfficer)
}

/// Add the coordinator `coord`, who receives escalations and digests.
pub async fn add_coordinator(app: &App) {
    app.add_user(
        &Caller::system(),
        "coord",
        "Coordination",
        Role::Coordinator,
        "fr",
        "coordinator-pw-1",
    )
    .await
    .expect("coord");
}

/// `kinga verify` on the application: every chain, and every table rebuilt from the ledger,
/// must agree with what is stored.
pub async fn assert_verified(app: &App) {
    let r = app
        .verify(&Caller::system(), &|_, _| {})
        .await
        .expect("verify runs");
    assert!(r.intact(), "verification found: {:#?}", r.faults);
    assert!(r.events > 0 && r.rows > 0);
}

/// Save the places of Walikale territory (and its province and country).
pub async fn add_walikale(app: &App) {
    let places = vec![
        place("COD", "RDC", PlaceLevel::Country, None),
        place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("COD")),
        place("CD6104", "Walikale", PlaceLevel::Admin2, Some("CD61")),
    ];
    app.save_records(
        &Caller::system(),
        places.into_iter().map(RegistryRecord::Place).collect(),
    )
    .await
    .expect("places");
}

/// A killing at Walikale phoned in to a CLA: the new alert's id.
pub async fn killing_at_walikale(app: &App, text: &str) -> String {
    let cmd = IntakeCommand {
        channel: Some(Channel::Call),
        text: text.into(),
        threat_type: Some(ThreatType::Killing),
        place: Some("CD6104".into()),
        ..Default::default()
    };
    app.intake(&cla(), cmd).await.expect("intake").alert.id
}
