//! A coordinator records a base closure through the pages, sees the cliff change, and sees a
//! new alert from that place routed to the successor, at a desk (1366 px) and on a phone
//! (360 px). Every date is relative to the server's today, so the story holds on any day.

use chrono::NaiveDate;
use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::json;

use super::{at_width, browser, click, fits, screenshot, sign_in, text_of, type_into};
use crate::harness::{Backend, Server, call};

const PASSWORD: &str = "coord-password-123";

async fn present(c: &Client, css: &str) -> bool {
    !c.find_all(Locator::Css(css))
        .await
        .expect("find")
        .is_empty()
}

/// A new alert from Kiwanja (Rutshuru), acknowledged and verified so that its page offers
/// the responders routing proposes; returns its id and the proposed responders.
async fn alert_from_kiwanja(s: &Server, text: &str) -> (String, Vec<String>) {
    let (st, a) = s
        .post(
            "/api/v1/alerts",
            json!({"text": text, "place": "CD6111-V001", "threat_type": "armed_presence"}),
        )
        .await;
    assert_eq!(st, 201, "{a}");
    let id = a["id"].as_str().expect("id").to_string();
    for step in [
        json!({"to": "acknowledged"}),
        json!({"to": "verified", "reason": "confirmed by the chief"}),
    ] {
        let (st, v) = s
            .post(&format!("/api/v1/alerts/{id}/transitions"), step.clone())
            .await;
        assert_eq!(st, 200, "{step} -> {v}");
    }
    let (_, full) = s.get(&format!("/api/v1/alerts/{id}")).await;
    let proposed = full["proposed_responders"]
        .as_array()
        .expect("proposed")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    (id, proposed)
}

async fn a_closure_moves_routing_to_the_successor(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    s.add_user("coord", "coordinator", PASSWORD);
    let coord = s.token_for("coord");
    // Civil protection is registered (for Ituri only so far).
    let (st, r) = s
        .post(
            "/api/v1/responders",
            json!({"id": "protciv-nk", "name": "Protection civile Nord-Kivu",
                "kind": "civil_protection", "places": ["CD5405"], "hours": {"start": 0, "end": 0},
                "phone": "+243990000150", "community_consent": true, "active": true}),
        )
        .await;
    assert_eq!(st, 200, "{r}");
    let (_, state) = s.get("/api/v1/transition/state").await;
    let today: NaiveDate = state["date"].as_str().expect("date").parse().expect("day");
    // Rutshuru: early warning handed over to civil protection today; the base keeps physical
    // protection, with no date and no successor.
    let (st, p) = call(
        &s,
        &coord,
        Method::PUT,
        "/api/v1/transition/plans",
        Some(json!({"place": "CD6111", "capacity": "early_warning",
            "providers": ["MONUSCO Rutshuru"], "successors": ["Protection civile Nord-Kivu"],
            "handover_on": today.to_string()})),
    )
    .await;
    assert_eq!(st, 200, "{p}");
    let (st, p) = call(
        &s,
        &coord,
        Method::PUT,
        "/api/v1/transition/plans",
        Some(json!({"place": "CD6111", "capacity": "physical_protection",
            "providers": ["MONUSCO Rutshuru"]})),
    )
    .await;
    assert_eq!(st, 200, "{p}");
    let (st, w) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/withdrawals",
        Some(json!({"mission": "MONUSCO"})),
    )
    .await;
    assert_eq!(st, 200, "{w}");
    // While the base still patrols, it still hears of alerts, beside the successor.
    let (_, before) = alert_from_kiwanja(&s, "Hommes armés à Kiwanja").await;
    assert_eq!(before, ["clp-kiwanja", "monusco-rutshuru", "protciv-nk"]);

    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };
    at_width(&c, 1366).await;
    sign_in(&c, &s.base, "coord", PASSWORD).await;
    let cliff = format!("{}/transition/cliff?date={today}", s.base);
    c.goto(&cliff).await.expect("cliff");
    assert!(!present(&c, "#cliff-CD6111").await, "nothing uncovered yet");

    // She records the closure of the Rutshuru base today, removing both capacities.
    c.goto(&format!("{}/transition#withdrawals", s.base))
        .await
        .expect("overview");
    type_into(&c, "#cl-base-1", "Rutshuru").await;
    c.execute(
        &format!("document.querySelector('#cl-date-1').value = '{today}';"),
        vec![],
    )
    .await
    .expect("date");
    click(&c, "#cl-areas-1 option[value='CD6111']").await;
    click(&c, "#closure-form-1 input[value='physical_protection']").await;
    click(&c, "#closure-form-1 input[value='early_warning']").await;
    click(&c, "#cl-save-1").await;
    assert!(!text_of(&c, "#notice").await.is_empty());
    fits(&c, "the overview with the closure").await;

    // The cliff now shows Rutshuru's physical protection uncovered (early warning is not:
    // civil protection has it).
    c.goto(&cliff).await.expect("cliff");
    assert!(present(&c, "#cliff-CD6111 [data-capacity='physical_protection']").await);
    assert!(!present(&c, "#cliff-CD6111 [data-capacity='early_warning']").await);
    screenshot(&c, "transition-routing-cliff-1366").await;

    // A new alert from Kiwanja goes to the successor, no longer to the closed base.
    let (id, after) = alert_from_kiwanja(&s, "Coups de feu à Kiwanja").await;
    assert_eq!(after, ["clp-kiwanja", "protciv-nk"]);
    c.goto(&format!("{}/alerts/{id}", s.base))
        .await
        .expect("alert");
    assert!(present(&c, "#form-assign input[id^='resp-'][value='protciv-nk']").await);
    assert!(
        !present(
            &c,
            "#form-assign input[id^='resp-'][value='monusco-rutshuru']:not([id^='resp-o'])"
        )
        .await
    );
    assert!(
        text_of(&c, "#form-assign")
            .await
            .contains("Protection civile Nord-Kivu")
    );

    // On her phone: the routing page shows the handover in force, and the simulation of
    // today's alerts shows the first one would now go to the successor alone.
    at_width(&c, 360).await;
    c.goto(&format!(
        "{}/transition/routing?date={today}&place=CD6111&from={today}&to={today}",
        s.base
    ))
    .await
    .expect("routing");
    assert!(present(&c, "#rt-CD6111-early_warning[data-state='in_force']").await);
    assert_eq!(text_of(&c, "#rt-total").await.trim(), "2");
    assert_eq!(text_of(&c, "#rt-rerouted").await.trim(), "1");
    assert!(present(&c, "#rt-simulation tr[data-change='rerouted']").await);
    fits(&c, "the routing page").await;
    screenshot(&c, "transition-routing-360").await;
    c.goto(&cliff).await.expect("cliff");
    fits(&c, "the cliff").await;
}

crate::on_both_stores!(
    transition_routing_in_the_browser,
    super::a_closure_moves_routing_to_the_successor
);
