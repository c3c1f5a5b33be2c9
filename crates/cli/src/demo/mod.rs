//! `kinga demo`: a realistic scenario in eastern DR Congo — every province and territory,
//! towns and villages, armed actors, responders with coverage gaps, ~50 focal points and six
//! months of community alerts in every lifecycle state, in French, English and Swahili.

mod alerts;
mod calendar;
mod incidents;
mod places;
mod registry;
mod transition;
mod transition_more;

use rand::SeedableRng;
use rand::rngs::StdRng;

use kinga_app::profile::ProfileUpdate;
use kinga_app::registry::RegistryRecord;
use kinga_app::{App, Caller};
use kinga_domain::compartment::Compartment;
use kinga_domain::people::{NotifyChannel, Role};

/// Password of every demo user.
pub const DEMO_PASSWORD: &str = "kinga-demo-2026";

/// Demo users: (login, display name, role, language, responder).
const USERS: [(&str, &str, Role, &str, Option<&str>); 8] = [
    (
        "admin",
        "Administratrice Kinga",
        Role::Administrator,
        "fr",
        None,
    ),
    (
        "coord",
        "Grace Mbuyi (coordination)",
        Role::Coordinator,
        "fr",
        None,
    ),
    (
        "cla1",
        "Esther Kahindo (CLA Goma)",
        Role::TriageOfficer,
        "fr",
        None,
    ),
    (
        "cla2",
        "John Okello (CLA Bunia)",
        Role::TriageOfficer,
        "en",
        None,
    ),
    ("monitor", "Moniteur protection", Role::Monitor, "fr", None),
    ("analyst", "Protection analyst", Role::Analyst, "en", None),
    (
        "responder",
        "CLP Kiwanja",
        Role::Responder,
        "fr",
        Some("clp-kiwanja"),
    ),
    ("viewer", "Observer", Role::Viewer, "en", None),
];

/// The compartments the demo's monitor is granted; the analyst holds none and sees only
/// `general` incidents, and aggregate figures without the sensitive compartments.
const MONITOR_GRANTS: [Compartment; 3] = [
    Compartment::HumanRights,
    Compartment::Crsv,
    Compartment::Children,
];

/// Demo users' own settings: the liaison assistants' working areas, and the coordinator
/// reached by SMS (through the log driver) besides the inbox.
fn settings_of(name: &str) -> Option<ProfileUpdate> {
    let areas = |a: &[&str]| Some(a.iter().map(|s| s.to_string()).collect());
    match name {
        "coord" => Some(ProfileUpdate {
            phone: Some("+243990000900".into()),
            email: Some("coordination@kinga.example".into()),
            notify: Some(vec![NotifyChannel::Sms]),
            ..Default::default()
        }),
        "cla1" => Some(ProfileUpdate {
            areas: areas(&["CD61", "CD62"]),
            ..Default::default()
        }),
        "cla2" => Some(ProfileUpdate {
            areas: areas(&["CD54"]),
            time_zone: Some("Africa/Lubumbashi".into()),
            ..Default::default()
        }),
        _ => None,
    }
}

/// Alerts each liaison assistant has taken as their own: the open ones of their working
/// area still being verified or answered, so that their queue and dashboard show "mine".
const TAKEN_PER_CLA: usize = 3;

/// Each liaison assistant takes the newest open alerts of their working area that are past
/// the new stage.
async fn take_open_alerts(app: &App) -> anyhow::Result<()> {
    for (name, _, role, _, _) in USERS {
        if role != Role::TriageOfficer {
            continue;
        }
        let Some(areas) = settings_of(name).and_then(|s| s.areas) else {
            continue;
        };
        let who = Caller::acting(name, role);
        let q = kinga_app::AlertQuery {
            states: vec![
                kinga_domain::AlertState::Acknowledged,
                kinga_domain::AlertState::Verified,
                kinga_domain::AlertState::Assigned,
            ],
            open_only: true,
            areas,
            sort: kinga_app::AlertSort::Newest,
            limit: TAKEN_PER_CLA,
            ..Default::default()
        };
        for a in app.alerts(&who, q).await?.items {
            app.take(&who, &a.id, true).await?;
        }
    }
    Ok(())
}

/// The lines printed when the demo server starts.
pub fn logins_banner() -> String {
    let mut s = String::from(
        "Outbound SMS go to the log driver; run with KINGA_LOG=info to watch them.\n\n",
    );
    s.push_str(&format!(
        "Demo logins (password for all: {DEMO_PASSWORD}):\n"
    ));
    for (name, display, role, lang, _) in USERS {
        s.push_str(&format!(
            "  {name:<10} {:<15} {lang}  {display}\n",
            role.as_str()
        ));
    }
    s.push_str(
        "  (monitor holds the human_rights, crsv and children compartments; analyst none)\n",
    );
    s
}

/// Load the demo into an empty database; a database that already holds events is left alone.
pub async fn load(app: &App) -> anyhow::Result<String> {
    let system = Caller::system();
    let existing = app.event_count(&system).await?;
    if existing > 0 {
        return Ok(format!(
            "database already holds {existing} events; demo data not loaded again"
        ));
    }
    let started = std::time::Instant::now();
    let mut rng = StdRng::seed_from_u64(2026);
    let places = places::places()?;
    let n_places = places.len();
    app.save_records(
        &system,
        places.into_iter().map(RegistryRecord::Place).collect(),
    )
    .await?;
    let actors = registry::actors();
    let responders = registry::responders();
    let (n_actors, n_responders) = (actors.len(), responders.len());
    let mut records: Vec<RegistryRecord> = actors.into_iter().map(RegistryRecord::Actor).collect();
    records.extend(responders.into_iter().map(RegistryRecord::Responder));
    app.save_records(&system, records).await?;
    let gaz = app.gazetteer();
    let villages = places::villages(&gaz);
    anyhow::ensure!(
        !villages.is_empty(),
        "demo villages are missing from the gazetteer"
    );
    let spots: Vec<(String, String)> = villages
        .iter()
        .map(|v| (v.pcode.clone(), v.name.clone()))
        .collect();
    let inputs = registry::focal_points(&mut rng, &spots, 52);
    // Sealed together, so that Kinga's codes (no pseudonym is given) are unique among them.
    let fps = app
        .seal_focal_points(&system, &inputs, |i| format!("focal point {}: ", i + 1))
        .await?
        .into_iter()
        .map(RegistryRecord::FocalPoint)
        .collect();
    let phones: Vec<String> = inputs.iter().map(|i| i.phone.clone()).collect();
    app.save_records(&system, fps).await?;
    for (name, display, role, lang, responder) in USERS {
        let mut u = app
            .add_user(&system, name, display, role, lang, DEMO_PASSWORD)
            .await?;
        if let Some(r) = responder {
            u.responder = Some(r.to_string());
            app.save_user(&system, u.clone()).await?;
        }
        if let Some(update) = settings_of(name) {
            app.update_profile(&system, &u.name, update).await?;
        }
    }
    for c in MONITOR_GRANTS {
        app.grant(&system, "monitor", c).await?;
    }
    for p in incidents::providers() {
        app.save_service_provider(&system, p).await?;
    }
    // The plans first, so that the alerts are routed as they say (South Kivu's go to the
    // successor since Bukavu closed).
    let (n_closures, n_plans) = transition::load(app).await?;
    app.reload_caches().await?;
    let now = app.now();
    let h = alerts::play(app, &mut rng, &villages, &phones, now, 420, 182).await?;
    take_open_alerts(app).await?;
    let (n_incidents, n_verified) =
        incidents::play(app, &mut rng, &villages, now, 320, 182).await?;
    let (n_mechanisms, n_staff, n_benchmarks) = transition_more::load(app).await?;
    app.reload_caches().await?;
    app.persist_anchor()?;
    let events = app.event_count(&system).await?;
    Ok(format!(
        "demo loaded in {:.1}s: {n_places} places, {n_actors} armed actors, {n_responders} responders, {} focal points, {} users, {} alerts ({} merged as duplicates, {} lifecycle moves), {n_incidents} incidents ({n_verified} verified), {n_closures} base closures and {n_plans} capacity plans, {n_mechanisms} community networks, {n_staff} staff, {n_benchmarks} benchmarks, {events} ledger events",
        started.elapsed().as_secs_f64(),
        inputs.len(),
        USERS.len(),
        h.alerts,
        h.merged,
        h.transitions,
    ))
}
