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

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_follows_only_local_next() {
    let w = world().await;
    let r = post_login(&w, "cla", PASSWORD, "/alerts?state=all").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/alerts?state=all");
    let cookie = r
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(cookie.starts_with("kinga_session="), "{cookie}");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    assert!(!cookie.contains("Secure"), "Secure only when configured");
    let r = post_login(&w, "cla", PASSWORD, "//evil.example/x").await;
    assert_eq!(location(&r), "/alerts");
}

#[tokio::test]
async fn a_wrong_password_sets_no_cookie_and_the_sixth_failure_is_refused() {
    let w = world().await;
    for _ in 0..5 {
        let r = post_login(&w, "cla", "wrong password!", "/alerts").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.headers().get(header::SET_COOKIE).is_none());
        assert!(body(r).await.contains("Wrong user name or password"));
    }
    // Blocked before the password is even checked: the right one is refused too.
    let r = post_login(&w, "cla", PASSWORD, "/alerts").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().get(header::SET_COOKIE).is_none());
    let html = body(r).await;
    assert!(
        html.contains("Too many attempts") && html.contains(" seconds"),
        "{html}"
    );
}

#[tokio::test]
async fn pages_need_a_session_and_forms_need_the_csrf_token() {
    let w = world().await;
    let r = send(
        &w,
        Request::get("/alerts?state=all")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&r).starts_with("/login?next=%2Falerts"),
        "{}",
        location(&r)
    );
    let b = sign_in(&w, "cla").await;
    // After signing in again, the login page sends people to the address of the form they were
    // posting; that address leads back to the page.
    let req = Request::get("/alerts/K-1/transition")
        .header(header::COOKIE, &b.cookie)
        .body(Body::empty())
        .expect("request");
    assert_eq!(location(&send(&w, req).await), "/alerts/K-1");
    let forged = Browser {
        cookie: b.cookie.clone(),
        csrf: "0".repeat(64),
    };
    let r = post(
        &w,
        &forged,
        "/alerts/new",
        &[("text", "Hommes armés à Kiwanja"), ("channel", "web")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = body(r).await;
    assert!(
        html.contains("<!doctype html>") && html.contains("did not come from Kinga"),
        "{html}"
    );
    let missing = Request::post("/logout")
        .header(header::COOKIE, &b.cookie)
        .body(Body::empty())
        .expect("request");
    assert_eq!(
        send(&w, missing).await.status(),
        StatusCode::FORBIDDEN,
        "no form at all is no token"
    );
    let page = w
        .app
        .alerts(
            &Caller::system(),
            kinga_app::AlertQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("alerts");
    assert_eq!(page.total, 0, "a refused form creates nothing");
}

#[tokio::test]
async fn the_queue_flags_uncovered_alerts() {
    let w = world().await;
    let reference = new_alert(&w, "Hommes armés vus près du marché", Some("Kiwanja"), None).await;
    let b = sign_in(&w, "cla").await;
    let (status, html) = get(&w, &b, "/alerts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("id=\"row-{reference}\"")), "{html}");
    assert!(html.contains("data-uncovered=\"true\"") && html.contains(">UNCOVERED</strong>"));
    assert!(html.contains("Kiwanja, Rutshuru, Nord-Kivu"));
    let (_, rows) = get(&w, &b, "/alerts/rows").await;
    assert!(rows.contains("UNCOVERED") && !rows.contains("<html"));
    let (_, detail) = get(&w, &b, &format!("/alerts/{reference}")).await;
    assert!(detail.contains("id=\"uncovered-flag\""));
    // Covered once a responder covers the province and the alert is re-routed.
    w.app
        .save_records(
            &Caller::system(),
            vec![RegistryRecord::Responder(responder("r1", "CD61"))],
        )
        .await
        .expect("responder");
    let covered = new_alert(&w, "Autre alerte à Kiwanja", Some("Kiwanja"), None).await;
    let (_, html) = get(&w, &b, "/alerts?uncovered=1").await;
    assert!(html.contains(&reference) && !html.contains(&format!("row-{covered}\"")));
}

#[tokio::test]
async fn live_rows_answer_not_modified_when_nothing_changed() {
    let w = world().await;
    new_alert(&w, "Tirs entendus", Some("Minova"), None).await;
    let b = sign_in(&w, "cla").await;
    let req = Request::get("/alerts/rows")
        .header(header::COOKIE, &b.cookie)
        .body(Body::empty())
        .expect("request");
    let r = send(&w, req).await;
    assert_eq!(r.status(), StatusCode::OK);
    let etag = r
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(etag.starts_with('"'));
    let req = Request::get("/alerts/rows")
        .header(header::COOKIE, &b.cookie)
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&w, req).await.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn a_cla_takes_an_alert_from_received_to_closed_through_the_forms() {
    let w = world().await;
    w.app
        .save_records(
            &Caller::system(),
            vec![RegistryRecord::Responder(responder(
                "base-rutshuru",
                "CD6102",
            ))],
        )
        .await
        .expect("responder");
    let b = sign_in(&w, "cla").await;

    // Logged as a phone call through the web form.
    let (_, page) = get(&w, &b, "/alerts/new?channel=call").await;
    let form_id = page
        .split("name=\"form_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string();
    let fields = [
        ("channel", "call"),
        ("text", "Des hommes armés pillent le marché de Kiwanja"),
        ("place_name", "Kiwanja"),
        ("threat_type", "looting_extortion"),
        ("severity", "3"),
        ("reporter_phone", "0991234567"),
        ("reported_at", ""),
        ("form_id", form_id.as_str()),
    ];
    let r = post(&w, &b, "/alerts/new", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = location(&r);
    assert!(at.starts_with("/alerts/K-"), "{at}");
    // A second tap on a slow link lands on the same alert.
    let again = post(&w, &b, "/alerts/new", &fields).await;
    assert_eq!(location(&again), at);

    let (_, html) = get(&w, &b, &at).await;
    assert!(
        html.contains("data-action=\"acknowledge\"") && !html.contains("data-action=\"close\"")
    );
    assert!(html.contains("unknown number"));
    let step = |to: &'static str, extra: Vec<(&'static str, &'static str)>| {
        let mut f = vec![("to", to)];
        f.extend(extra);
        f
    };
    for (to, extra, next_action) in [
        ("acknowledged", vec![], "verify"),
        ("verified", vec![], "assign"),
        (
            "assigned",
            vec![("responders", "base-rutshuru")],
            "responding",
        ),
        ("responding", vec![], "close"),
    ] {
        let r = post(&w, &b, &format!("{at}/transition"), &step(to, extra)).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{to}: {}", body(r).await);
        let (_, html) = get(&w, &b, &at).await;
        assert!(
            html.contains(&format!("data-action=\"{next_action}\"")),
            "after {to}, {next_action} is offered"
        );
    }
    // Closing a responded alert needs an outcome: refused on the page, not as JSON.
    let r = post(
        &w,
        &b,
        &format!("{at}/transition"),
        &step("closed", vec![("outcome", "")]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(
        html.contains("class=\"err\"") && html.contains("Outcome"),
        "{html}"
    );
    let outcome = "Une patrouille est passée au marché; les pillards sont partis";
    let r = post(
        &w,
        &b,
        &format!("{at}/transition"),
        &step("closed", vec![("outcome", outcome)]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&w, &b, &at).await;
    assert!(html.contains("data-state=\"closed\""));
    assert!(
        html.contains("data-kind=\"feedback\" data-status=\"queued\""),
        "the reporter's feedback is queued"
    );
    assert!(html.contains("les pillards sont partis"));
    assert!(html.contains("data-kind=\"assignment\""));
    let (_, outbox) = get(&w, &b, "/outbox").await;
    assert!(outbox.contains("data-kind=\"feedback\""));
    // And a move the lifecycle forbids is explained on the page.
    let r = post(
        &w,
        &b,
        &format!("{at}/transition"),
        &step("responding", vec![]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("cannot become"));
    // Sending the same close again changes nothing and says so.
    let r = post(
        &w,
        &b,
        &format!("{at}/transition"),
        &step("closed", vec![("outcome", outcome)]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).contains("already=closed"), "{}", location(&r));
    let (_, html) = get(&w, &b, &location(&r)).await;
    assert!(html.contains("Nothing changed"), "{html}");
    // A closed alert is reopened with a reason.
    let r = post(
        &w,
        &b,
        &format!("{at}/transition"),
        &step("acknowledged", vec![("reason", "the armed men came back")]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&w, &b, &location(&r)).await;
    assert!(html.contains("data-state=\"acknowledged\"") && html.contains("id=\"notice\""));
}

#[tokio::test]
async fn roles_see_only_their_actions_and_are_refused_the_rest() {
    let w = world().await;
    let reference = new_alert(&w, "Tension entre communautés", Some("Minova"), None).await;
    let v = sign_in(&w, "viewer").await;
    let (_, html) = get(&w, &v, &format!("/alerts/{reference}")).await;
    assert!(!html.contains("data-action=\"acknowledge\""));
    let r = post(
        &w,
        &v,
        &format!("/alerts/{reference}/transition"),
        &[("to", "acknowledged")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(body(r).await.contains("Not allowed"));
    let (status, _) = get(&w, &v, "/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let cla = sign_in(&w, "cla").await;
    let (status, _) = get(&w, &cla, "/digest").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let coord = sign_in(&w, "coord").await;
    let r = post(&w, &coord, "/digest", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = get(&w, &coord, "/digest").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("class=\"digest\""), "{html}");
}

#[tokio::test]
async fn focal_point_identities_open_only_on_an_audited_request() {
    let w = world().await;
    let admin = sign_in(&w, "admin").await;
    let r = post(
        &w,
        &admin,
        "/focal-points",
        &[
            ("name", "Amani Bahati"),
            ("phone", "0997654321"),
            ("place", "Minova"),
            ("language", "sw"),
            ("pseudonym", ""),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    let (_, html) = get(&w, &admin, "/focal-points").await;
    assert!(!html.contains("Amani"), "lists show pseudonyms only");
    let id = html
        .split("id=\"fp-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string();
    let cla = sign_in(&w, "cla").await;
    // Without a reason, nothing is revealed and nothing is audited.
    let r = post(&w, &cla, &format!("/focal-points/{id}/reveal"), &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!body(r).await.contains("Amani Bahati"));
    let why = "call back about K-12";
    let r = post(
        &w,
        &cla,
        &format!("/focal-points/{id}/reveal"),
        &[("reason", why)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = body(r).await;
    assert!(html.contains("Amani Bahati") && html.contains("id=\"audit-note\""));
    let log = w
        .app
        .audit_log(&Caller::system(), 10)
        .await
        .expect("audit log");
    let reads: Vec<_> = log
        .iter()
        .filter(|e| e.action == "read" && e.record == format!("focal_point:{id}"))
        .collect();
    assert_eq!(reads.len(), 1, "one reveal, one audit entry");
    assert_eq!(
        (reads[0].actor.as_str(), reads[0].context.as_str()),
        ("cla", why)
    );
    let v = sign_in(&w, "viewer").await;
    let r = post(
        &w,
        &v,
        &format!("/focal-points/{id}/reveal"),
        &[("reason", why)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn users_are_managed_by_administrators() {
    let w = world().await;
    let admin = sign_in(&w, "admin").await;
    let r = post(
        &w,
        &admin,
        "/users",
        &[
            ("name", "bahati"),
            ("display_name", "Bahati"),
            ("role", "triage_officer"),
            ("language", "fr"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &w,
        &admin,
        "/users",
        &[
            ("name", "bahati"),
            ("display_name", "Bahati"),
            ("role", "triage_officer"),
            ("language", "fr"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let b = sign_in(&w, "bahati").await;
    let (_, html) = get(&w, &b, "/alerts").await;
    assert!(html.contains("lang=\"fr\"") && html.contains("File des alertes"));
    let r = post(&w, &admin, "/users/bahati/disable", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Her open session ended with the disabling.
    let r = send(
        &w,
        Request::get("/alerts")
            .header(header::COOKIE, &b.cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert!(
        location(&r).starts_with("/login"),
        "the session must be gone"
    );
    assert_eq!(
        post_login(&w, "bahati", PASSWORD, "/").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A new password does not bring a disabled user back.
    let r = post(
        &w,
        &admin,
        "/users/bahati/password",
        &[("password", "another long password")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        post_login(&w, "bahati", "another long password", "/")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Only an explicit enable does.
    let r = post(&w, &admin, "/users/bahati/enable", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        post_login(&w, "bahati", "another long password", "/")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // The old session never comes back.
    let r = send(
        &w,
        Request::get("/alerts")
            .header(header::COOKIE, &b.cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert!(location(&r).starts_with("/login"));
    // A password that crackers try first is refused.
    let r = post(
        &w,
        &admin,
        "/users/bahati/password",
        &[("password", "P@ssw0rd2024")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_language_switch_follows_the_user() {
    let w = world().await;
    new_alert(&w, "Hommes armés", Some("Kiwanja"), None).await;
    let b = sign_in(&w, "cla").await;
    let r = post(
        &w,
        &b,
        "/language",
        &[("lang", "fr"), ("next", "/alerts?state=all")],
    )
    .await;
    assert_eq!(location(&r), "/alerts?state=all");
    let (_, html) = get(&w, &b, "/alerts?state=all").await;
    assert!(
        html.contains("NON COUVERTE") && html.contains("Présence d&#x27;hommes armés"),
        "{html}"
    );
    let r = post(&w, &b, "/logout", &[]).await;
    assert_eq!(location(&r), "/login");
    let (status, _) = get(&w, &b, "/alerts").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the session is gone after signing out"
    );
}

#[tokio::test]
async fn registries_take_place_names_or_codes() {
    let w = world().await;
    let admin = sign_in(&w, "admin").await;
    let r = post(
        &w,
        &admin,
        "/responders",
        &[
            ("name", "Comité de Minova"),
            ("kind", "local_protection_committee"),
            ("places", "Minova, CD6102"),
            ("threat_types", "abduction"),
            ("threat_types", "killing"),
            ("hours_start", "06:00"),
            ("hours_end", "18:00"),
            ("consent", "1"),
            ("active", "1"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    let saved = w.app.responders(&Caller::system()).expect("responders");
    let c = saved
        .iter()
        .find(|r| r.id == "comite-de-minova")
        .expect("saved with a slug id");
    assert_eq!(
        c.places,
        vec!["CD6201-S1".to_string(), "CD6102".to_string()]
    );
    assert_eq!(
        c.threat_types,
        vec![ThreatType::Abduction, ThreatType::Killing]
    );
    assert_eq!(
        c.hours,
        Hours {
            start: 360,
            end: 1080
        }
    );
    let r = post(
        &w,
        &admin,
        "/responders",
        &[("name", "X"), ("kind", "ngo"), ("places", "Atlantis")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("Unknown place"));
    let r = post(
        &w,
        &admin,
        "/actors",
        &[
            ("name", "Groupe X"),
            ("kind", "militia"),
            ("aliases", "GX, Les X"),
            ("areas", "Kalehe"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&w, &admin, "/actors").await;
    assert!(html.contains("GX, Les X") && html.contains("Kalehe, Sud-Kivu"));
    let (_, html) = get(&w, &admin, "/places?q=kiwanja").await;
    assert!(html.contains("CD6102-S1"));
}

#[tokio::test]
async fn a_full_queue_page_stays_small() {
    let w = world().await;
    for i in 0..60 {
        new_alert(&w, &format!("Alerte numéro {i}: des hommes armés ont été vus près de l'école et du marché, la population a peur"), Some("Kiwanja"), None).await;
    }
    let b = sign_in(&w, "cla").await;
    let req = Request::get("/alerts")
        .header(header::COOKIE, &b.cookie)
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .expect("request");
    let r = send(&w, req).await;
    assert_eq!(
        r.headers()
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let bytes = axum::body::to_bytes(r.into_body(), 10 << 20)
        .await
        .expect("body");
    assert!(bytes.len() < 60 * 1024, "{} bytes gzipped", bytes.len());
    println!("queue page with 50 rows: {} bytes gzipped", bytes.len());
    let (_, html) = get(&w, &b, "/alerts").await;
    // New alerts come first, in their own section, with a way to all of them.
    assert_eq!(html.matches("<tr id=\"row-").count(), 20);
    assert!(html.contains("id=\"new-alerts\"") && html.contains("id=\"all-new\""));
    let (_, html) = get(&w, &b, "/alerts?state=received").await;
    assert_eq!(html.matches("<tr id=\"row-").count(), 50);
    assert!(html.contains("id=\"next-page\""));
}

#[tokio::test]
async fn triage_corrections_reasons_merges_and_resent_forms() {
    let w = world().await;
    let first = new_alert(&w, "Hommes armés à Kiwanja", Some("Kiwanja"), None).await;
    let second = new_alert(
        &w,
        "Encore des hommes armés à Kiwanja",
        Some("Kiwanja"),
        None,
    )
    .await;
    let b = sign_in(&w, "cla").await;

    // The place is changed after looking another name up, and the severity raised.
    let (_, html) = get(&w, &b, &format!("/alerts/{first}?q=minova")).await;
    assert!(
        html.contains("id=\"found-1\" value=\"CD6201-S1\""),
        "{html}"
    );
    let r = post(
        &w,
        &b,
        &format!("/alerts/{first}/triage"),
        &[("place", "CD6201-S1")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = post(
        &w,
        &b,
        &format!("/alerts/{first}/triage"),
        &[("threat_type", "armed_presence"), ("severity", "4")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let a = w.app.alert(&Caller::system(), &first).await.expect("alert");
    assert_eq!(
        (a.place.as_deref(), a.severity.level()),
        (Some("CD6201-S1"), 4)
    );
    let triaged = a
        .timeline
        .iter()
        .filter(|e| matches!(e.event, kinga_domain::AlertEvent::Triaged { .. }))
        .count();
    assert_eq!(
        triaged, 2,
        "unchanged fields are not recorded as corrections"
    );

    // A reason is required to call an alert unverifiable.
    post(
        &w,
        &b,
        &format!("/alerts/{second}/transition"),
        &[("to", "acknowledged")],
    )
    .await;
    let r = post(
        &w,
        &b,
        &format!("/alerts/{second}/transition"),
        &[("to", "unverifiable"), ("reason", " ")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(r).await.contains("“Reason” is required"));

    // A duplicate is merged into the first alert by typing its reference.
    let r = post(
        &w,
        &b,
        &format!("/alerts/{second}/transition"),
        &[
            ("to", "merged"),
            ("merged_into_other", &first.to_lowercase()),
            ("reason", "même événement"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", body(r).await);
    let (_, html) = get(&w, &b, &format!("/alerts/{second}")).await;
    assert!(
        html.contains("data-state=\"merged\"")
            && html.contains(&format!("href=\"/alerts/{first}\""))
    );

    // The same new-alert form sent again with other words is not silently merged with the first.
    let (_, page) = get(&w, &b, "/alerts/new").await;
    let form_id = page
        .split("name=\"form_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string();
    let r = post(
        &w,
        &b,
        "/alerts/new",
        &[
            ("channel", "web"),
            ("text", "Enlèvement à Minova"),
            ("form_id", &form_id),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = post(
        &w,
        &b,
        "/alerts/new",
        &[
            ("channel", "web"),
            ("text", "Enlèvement de deux enfants à Minova"),
            ("form_id", &form_id),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(r).await;
    assert!(html.contains("already sent") && !html.contains(&format!("value=\"{form_id}\"")));
}

#[tokio::test]
async fn a_coordinator_adds_a_village_that_intake_then_resolves() {
    let w = world().await;
    let coord = sign_in(&w, "coord").await;
    let r = post(
        &w,
        &coord,
        "/places",
        &[
            ("name", "Kibirizi"),
            ("alt_names", "Kibilizi; Kibrizi"),
            ("parent", "CD6102"),
            ("lat", "-0,875"),
            ("lon", "29.296"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).contains("notice=notice_saved"));
    let added = w
        .app
        .gazetteer()
        .get("CD6102-V001")
        .cloned()
        .expect("added");
    assert_eq!(added.name, "Kibirizi");
    assert_eq!(added.lat, Some(-0.875));
    assert_eq!(added.alt_names, ["Kibilizi", "Kibrizi"]);
    let c = w
        .app
        .find_places(&Caller::system(), "kibilizi", 3)
        .expect("places");
    assert_eq!(c[0].pcode, "CD6102-V001");
    // Bad coordinates or no territory: a clear error and nothing saved.
    let before = w.app.gazetteer().places().len();
    for bad in [
        [("name", "X"), ("parent", "CD6102"), ("lat", "95")],
        [("name", "X"), ("parent", "nowhere"), ("lat", "")],
    ] {
        let r = post(&w, &coord, "/places", &bad).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body(r).await.contains("id=\"error\""));
    }
    assert_eq!(w.app.gazetteer().places().len(), before);
    // A viewer sees no form and may not post one.
    let viewer = sign_in(&w, "viewer").await;
    let (_, html) = get(&w, &viewer, "/places").await;
    assert!(!html.contains("id=\"place-form\""));
    let r = post(
        &w,
        &viewer,
        "/places",
        &[("name", "Y"), ("parent", "CD6102")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_session_cookie_is_secure_behind_an_https_public_url() {
    let w = world_with(Settings {
        public_url: "https://kinga.example.org".into(),
        ..Settings::default()
    })
    .await;
    let r = post_login(&w, "cla", PASSWORD, "/alerts").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let plain = world().await;
    let r = post_login(&plain, "cla", PASSWORD, "/alerts").await;
    let cookie = r
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        !cookie.contains("Secure"),
        "plain http keeps a cookie the browser sends: {cookie}"
    );
}

#[tokio::test]
async fn only_the_network_roles_see_messages_reporters_and_contacts() {
    let w = world().await;
    w.app
        .save_records(
            &Caller::system(),
            vec![RegistryRecord::Responder(responder(
                "tob-rutshuru",
                "CD6102",
            ))],
        )
        .await
        .expect("responder");
    let reference = new_alert(
        &w,
        "Hommes armés à Kiwanja",
        Some("Kiwanja"),
        Some("+243990001777"),
    )
    .await;
    let cla = sign_in(&w, "cla").await;
    let (_, html) = get(&w, &cla, &format!("/alerts/{reference}")).await;
    assert!(html.contains("id=\"messages\"") && html.contains("id=\"alert-outbox\""));
    assert!(
        html.contains("/outbox"),
        "the CLA has the outbox in the menu"
    );
    let (_, html) = get(&w, &cla, "/responders").await;
    assert!(html.contains("tob-rutshuru"));
    let viewer = sign_in(&w, "viewer").await;
    let (_, html) = get(&w, &viewer, &format!("/alerts/{reference}")).await;
    assert!(
        !html.contains("id=\"messages\""),
        "no messages section for a viewer"
    );
    assert!(!html.contains("Kinga :"), "no message text either");
    assert!(
        html.contains("Not shown to your role"),
        "who reported is withheld"
    );
    assert!(!html.contains("href=\"/outbox\"") && !html.contains("href=\"/focal-points\""));
    let (status, _) = get(&w, &viewer, "/outbox").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&w, &viewer, "/focal-points").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let responders = w
        .app
        .responders(&Caller::acting("viewer", Role::Viewer))
        .expect("responders");
    assert!(
        responders
            .iter()
            .all(|r| r.phone.is_none() && r.email.is_none())
    );
    let mine = w
        .app
        .responders(&Caller::acting("cla", Role::TriageOfficer))
        .expect("responders");
    assert!(
        mine.iter().any(|r| r.phone.is_some()),
        "the CLA calls responders"
    );
}
