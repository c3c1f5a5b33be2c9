//! Page handlers end to end: the real router over a SQLite store in a temporary folder.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use tower::ServiceExt;

use kinga_app::alerts::IntakeCommand;
use kinga_app::registry::RegistryRecord;
use kinga_app::{App, Caller, Sealer, Settings, SystemClock};
use kinga_domain::people::Role;
use kinga_domain::place::{Place, PlaceLevel};
use kinga_domain::registry::{ContactPreference, Hours, Responder, ResponderKind};
use kinga_domain::{Channel, ThreatType};
use kinga_store_sqlite::SqliteStore;

use crate::{AppState, router};

mod access;
mod alerts;
mod analysis;
mod dashboard;
mod login;
mod map;
mod people;
mod registries;
mod whatsapp_outbox;

const PASSWORD: &str = "correct horse battery";

struct World {
    router: Router,
    app: App,
    _dir: tempfile::TempDir,
}

fn place(pcode: &str, name: &str, level: PlaceLevel, parent: Option<&str>) -> RegistryRecord {
    RegistryRecord::Place(Place {
        pcode: pcode.into(),
        name: name.into(),
        alt_names: vec![],
        level,
        parent: parent.map(String::from),
        country: "COD".into(),
        lat: Some(-1.3),
        lon: Some(29.4),
    })
}

async fn world() -> World {
    world_with(Settings::default()).await
}

async fn world_with(settings: Settings) -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("kinga.db")).expect("store opens");
    let app = App::new(
        Arc::new(store),
        settings,
        Arc::new(SystemClock),
        Sealer::new([7; 32]),
    )
    .await
    .expect("app");
    let sys = Caller::system();
    app.save_records(
        &sys,
        vec![
            place("CD", "RD Congo", PlaceLevel::Country, None),
            place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("CD")),
            place("CD6102", "Rutshuru", PlaceLevel::Admin2, Some("CD61")),
            place(
                "CD6102-S1",
                "Kiwanja",
                PlaceLevel::Settlement,
                Some("CD6102"),
            ),
            place("CD62", "Sud-Kivu", PlaceLevel::Admin1, Some("CD")),
            place("CD6201", "Kalehe", PlaceLevel::Admin2, Some("CD62")),
            place(
                "CD6201-S1",
                "Minova",
                PlaceLevel::Settlement,
                Some("CD6201"),
            ),
        ],
    )
    .await
    .expect("places");
    for (name, role) in [
        ("cla", Role::TriageOfficer),
        ("admin", Role::Administrator),
        ("viewer", Role::Viewer),
        ("coord", Role::Coordinator),
    ] {
        app.add_user(&sys, name, &format!("{name} user"), role, "en", PASSWORD)
            .await
            .expect("user");
    }
    let router = router(AppState::new(app.clone()));
    World {
        router,
        app,
        _dir: dir,
    }
}

async fn send(w: &World, req: Request<Body>) -> Response {
    w.router.clone().oneshot(req).await.expect("router answers")
}

async fn body(r: Response) -> String {
    let bytes = axum::body::to_bytes(r.into_body(), 10 << 20)
        .await
        .expect("body");
    String::from_utf8_lossy(&bytes).into_owned()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", super::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn post_login(w: &World, name: &str, password: &str, next: &str) -> Response {
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-for", "10.9.8.7")
        .body(Body::from(form(&[
            ("name", name),
            ("password", password),
            ("next", next),
        ])))
        .expect("request");
    send(w, req).await
}

/// A signed-in browser: its cookie and CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    html.find(marker)
        .map(|i| {
            html[i + marker.len()..]
                .split('"')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_default()
}

async fn sign_in(w: &World, name: &str) -> Browser {
    let r = post_login(w, name, PASSWORD, "/alerts").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set = r
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let cookie = set.split(';').next().unwrap_or("").to_string();
    let mut b = Browser {
        cookie,
        csrf: String::new(),
    };
    let (_, html) = get(w, &b, "/alerts").await;
    b.csrf = csrf_of(&html);
    assert!(!b.csrf.is_empty(), "signed-in pages carry a CSRF token");
    b
}

async fn get(w: &World, b: &Browser, path: &str) -> (StatusCode, String) {
    let req = Request::get(path)
        .header(header::COOKIE, &b.cookie)
        .body(Body::empty())
        .expect("request");
    let r = send(w, req).await;
    let status = r.status();
    (status, body(r).await)
}

async fn post(w: &World, b: &Browser, path: &str, pairs: &[(&str, &str)]) -> Response {
    let mut all = vec![("csrf", b.csrf.as_str())];
    all.extend_from_slice(pairs);
    let req = Request::post(path)
        .header(header::COOKIE, &b.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(&all)))
        .expect("request");
    send(w, req).await
}

fn location(r: &Response) -> String {
    r.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn new_alert(w: &World, text: &str, place_name: Option<&str>, phone: Option<&str>) -> String {
    let cmd = IntakeCommand {
        channel: Some(Channel::Sms),
        text: text.into(),
        threat_type: Some(ThreatType::ArmedPresence),
        place_name: place_name.map(String::from),
        reporter_phone: phone.map(String::from),
        ..Default::default()
    };
    w.app
        .intake(&Caller::system(), cmd)
        .await
        .expect("intake")
        .alert
        .reference
}

fn responder(id: &str, area: &str) -> Responder {
    Responder {
        id: id.into(),
        name: format!("Base {id}"),
        kind: ResponderKind::MissionMilitary,
        places: vec![area.into()],
        threat_types: vec![],
        hours: Hours::ALWAYS,
        phone: Some("+243990000001".into()),
        email: None,
        prefers: ContactPreference::Sms,
        community_consent: true,
        active: true,
    }
}
