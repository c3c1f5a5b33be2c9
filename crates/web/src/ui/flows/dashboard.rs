//! The dashboard each role lands on after signing in, and what it never counts.

use chrono::{Duration, Utc};
use serde_json::json;

use kinga_app::FixedClock;
use kinga_app::incidents::ReferralRequest;
use kinga_domain::compartment::Compartment;
use kinga_domain::incident::care::{ProviderKind, ReferralService, ServiceProvider};
use kinga_domain::incident::{DatePrecision, IncidentDraft, Violation};

use super::*;

async fn user(w: &World, name: &str, role: Role, lang: &str) {
    w.app
        .add_user(
            &Caller::system(),
            name,
            &format!("{name} user"),
            role,
            lang,
            PASSWORD,
        )
        .await
        .expect("user");
}

/// The dashboard as `b` sees it, with the slashes the templates escape in addresses put back.
async fn home(w: &World, b: &Browser) -> String {
    let (st, html) = get(w, b, "/").await;
    assert_eq!(st, StatusCode::OK, "{html}");
    html.replace("&#x2f;", "/")
}

/// The ids of the dashboard's blocks, in order.
fn blocks(html: &str) -> Vec<String> {
    html.split("<section class=\"card\" id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(String::from)
        .collect()
}

/// The figure of a tile.
fn tile(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no tile {id}"));
    html[at..]
        .split("<strong>")
        .nth(1)
        .and_then(|s| s.split("</strong>").next())
        .unwrap_or_default()
        .to_string()
}

/// One block's HTML.
fn block<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("<section class=\"card\" id=\"{id}\""))
        .unwrap_or_else(|| panic!("no block {id}"));
    let rest = &html[at..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn each_role_lands_on_the_blocks_its_work_needs() {
    let w = world().await;
    user(&w, "ana", Role::Analyst, "fr").await;
    user(&w, "mon", Role::Monitor, "en").await;
    user(&w, "resp", Role::Responder, "en").await;
    let r = post_login(&w, "cla", PASSWORD, "").await;
    assert_eq!(location(&r), "/", "signing in leads to the dashboard");
    new_alert(
        &w,
        "Hommes armés à Kiwanja",
        Some("Kiwanja"),
        Some("+243990001001"),
    )
    .await;
    new_alert(&w, "Pillage à Minova", Some("Minova"), None).await;
    let reference = new_alert(&w, "Quelque chose quelque part", None, None).await;
    w.app
        .take(
            &Caller::acting("cla", Role::TriageOfficer),
            &reference,
            true,
        )
        .await
        .expect("take");

    let b = sign_in(&w, "cla").await;
    let html = home(&w, &b).await;
    assert_eq!(blocks(&html), ["db-queue", "db-week"]);
    assert!(html.contains("<a href=\"/\" aria-current=\"page\" id=\"nav-home\">"));
    assert_eq!(tile(&html, "db-new"), "3", "three alerts came in: {html}");
    assert_eq!(tile(&html, "db-mine"), "1");
    assert_eq!(tile(&html, "db-unplaced"), "1");
    assert!(
        html.contains("href=\"/alerts?mine=1\"") && html.contains("href=\"/alerts?overdue=1\"")
    );
    // This week's chart: today's bar leads to today's alerts.
    let week = block(&html, "db-week");
    assert!(week.contains("id=\"chart-days\""), "{week}");
    assert!(week.contains("data-total=\"3\""), "{week}");
    let today = Utc::now()
        .with_timezone(&w.app.settings.zone())
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    assert!(
        week.contains(&format!(
            "<a href=\"/alerts?state=all&amp;from={today}&amp;to={today}\">"
        )),
        "{week}"
    );
    assert!(!html.contains("db-indicators") && !html.contains("db-incidents"));

    let c = sign_in(&w, "coord").await;
    let html = home(&w, &c).await;
    assert_eq!(
        blocks(&html),
        [
            "db-open",
            "db-indicators",
            "db-spikes",
            "db-trend",
            "db-cliff"
        ]
    );
    assert_eq!(tile(&html, "db-open-all"), "3");
    assert_eq!(tile(&html, "db-received"), "3");
    assert!(html.contains("id=\"db-steps\"") && html.contains("id=\"chart-weekly\""));
    assert!(html.contains("href=\"/transition/cliff?date="));

    let a = sign_in(&w, "ana").await;
    let html = home(&w, &a).await;
    assert_eq!(blocks(&html), ["db-trend", "db-spikes", "db-risk"]);
    assert!(html.contains(">Tendances</h2>"), "in French: {html}");
    assert!(html.contains("id=\"db-to-briefing\"") && html.contains("id=\"db-to-risk\""));
    assert!(
        html.contains("data-l=\"Score\""),
        "cards on a phone: {html}"
    );

    let ad = sign_in(&w, "admin").await;
    let html = home(&w, &ad).await;
    assert_eq!(blocks(&html), ["db-system", "db-open"]);
    assert_eq!(tile(&html, "db-users-disabled"), "0");
    assert_eq!(tile(&html, "db-conflicts"), "0");

    let v = sign_in(&w, "viewer").await;
    let html = home(&w, &v).await;
    assert_eq!(blocks(&html), ["db-trend"]);
    assert!(html.contains("id=\"chart-weekly\""), "{html}");

    let m = sign_in(&w, "mon").await;
    let html = home(&w, &m).await;
    assert_eq!(blocks(&html), ["db-incidents", "db-referrals", "db-mrm"]);

    let rs = sign_in(&w, "resp").await;
    let html = home(&w, &rs).await;
    assert_eq!(blocks(&html), ["db-assigned", "db-week"]);
    assert_eq!(tile(&html, "db-waiting"), "0", "nothing assigned to it");
    assert!(
        !block(&html, "db-week").contains("chart-days"),
        "its list is empty"
    );

    // Without a session the dashboard sends people to sign in, and back.
    let r = send(&w, Request::get("/").body(Body::empty()).expect("request")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&r).starts_with("/login?next=%2F"),
        "{}",
        location(&r)
    );
}

fn rape(on: chrono::NaiveDate) -> IncidentDraft {
    IncidentDraft {
        compartment: Compartment::Crsv,
        occurred_on: on,
        date_precision: DatePrecision::Day,
        place: "CD6102-S1".into(),
        narrative: "Agression au champ".into(),
        sources: serde_json::from_value(json!([{"kind": "victim", "reliability": "reliable"}]))
            .expect("sources"),
        alerts: vec![],
        perpetrators: vec![],
        victims: serde_json::from_value(json!([{"sex": "female", "age_group": "18-59"}]))
            .expect("victims"),
        violations: vec![Violation::Rape],
    }
}

/// The incident blocks' words, without the times that move with the clock.
fn incident_blocks(html: &str) -> String {
    ["db-incidents", "db-referrals", "db-mrm"]
        .iter()
        .map(|id| block(html, id).to_string())
        .collect()
}

#[tokio::test]
async fn an_ungranted_monitor_sees_no_count_move_in_a_compartment_it_lacks() {
    let w = world().await;
    user(&w, "wpa", Role::Monitor, "en").await;
    user(&w, "hro", Role::Monitor, "en").await;
    let sys = Caller::system();
    w.app
        .grant(&sys, "wpa", Compartment::Crsv)
        .await
        .expect("grant");
    w.app
        .save_service_provider(
            &sys,
            ServiceProvider {
                id: "osc".into(),
                name: "One-stop centre".into(),
                kind: ProviderKind::OneStopCentre,
                services: vec![ReferralService::Medical],
                places: vec!["CD61".into()],
            },
        )
        .await
        .expect("provider");
    let hro = sign_in(&w, "hro").await;
    let before = home(&w, &hro).await;
    let wpa = sign_in(&w, "wpa").await;
    let granted_before = home(&w, &wpa).await;
    assert!(block(&granted_before, "db-incidents").contains(">Conflict-related sexual violence<"));
    assert_eq!(tile(&granted_before, "db-referrals-due"), "0");

    // Ten days ago, a rape recorded in the CRSV compartment and its survivor referred, not
    // followed up since: the follow-up is due.
    let then = Utc::now() - Duration::days(10);
    let past = w.app.with_clock(std::sync::Arc::new(FixedClock::new(then)));
    let caller = Caller::acting("wpa", Role::Monitor);
    let i = past
        .record_incident(&caller, rape(then.date_naive()))
        .await
        .expect("incident");
    past.refer(
        &caller,
        &i.id,
        ReferralRequest {
            victim: 0,
            provider: "osc".into(),
            service: ReferralService::Medical,
            consent: true,
            by_guardian: false,
        },
    )
    .await
    .expect("referral");

    let granted = home(&w, &wpa).await;
    assert_eq!(tile(&granted, "db-referrals-due"), "1", "{granted}");
    assert!(
        block(&granted, "db-referrals").contains(&format!("/incidents/{}#referrals", i.id)),
        "{granted}"
    );
    assert_ne!(incident_blocks(&granted), incident_blocks(&granted_before));
    // The monitor without the grant: not one figure moved, not a word more.
    let after = home(&w, &hro).await;
    assert_eq!(incident_blocks(&after), incident_blocks(&before));
    assert!(!after.contains(&i.id) && !after.contains("Conflict-related sexual violence"));
    assert_eq!(tile(&after, "db-referrals-due"), "0");
    assert_eq!(tile(&after, "db-referrals-open"), "0");
}
