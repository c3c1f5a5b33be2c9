//! A liaison assistant's day on the alert network, first at a desk (1366 px), then on a phone
//! (360 px): a new alert arrives on top of the queue while she works, she takes it; an alert
//! typed in the form is read like an SMS; an alert nobody covers is closed honestly, then
//! reopened. No page scrolls sideways on the phone.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;

use super::{at_width, browser, click, fits, screenshot, sign_in, state_is, text_of, type_into};
use crate::harness::{Backend, Server};

async fn a_cla_works_new_alerts_first_at_a_desk_and_on_a_phone(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };
    s.add_user("esther", "cla", "esther-password-1");
    // Yesterday's work: acknowledged, open, not new.
    let (_, old) = s
        .post("/api/v1/alerts", json!({"text": "Tirs entendus près de Kiwanja", "place": "CD6111-V001", "threat_type": "clashes"}))
        .await;
    let old_ref = old["reference"].as_str().expect("ref").to_string();
    let (st, _) = s
        .post(
            &format!("/api/v1/alerts/{old_ref}/transitions"),
            json!({"to": "acknowledged"}),
        )
        .await;
    assert_eq!(st, 200);
    // Nobody covers Pinga (Walikale).
    let (_, pinga) = s
        .post("/api/v1/alerts", json!({"text": "Attaque signalée à Pinga", "place": "CD6104-V006", "threat_type": "attack_on_civilians"}))
        .await;
    let pinga_ref = pinga["reference"].as_str().expect("ref").to_string();
    assert_eq!(pinga["uncovered"], true, "{pinga}");

    // At a desk.
    at_width(&c, 1366).await;
    sign_in(&c, &s.base, "esther", "esther-password-1").await;
    assert!(
        c.find(Locator::Css(&format!("#new-rows #row-{old_ref}")))
            .await
            .is_err(),
        "an acknowledged alert is not new"
    );
    // A new alert arrives while the queue is open: the live refresh brings it in on top.
    let (_, fresh) = s
        .post("/api/v1/alerts", json!({"text": "Hommes armés au marché de Kiwanja", "place": "CD6111-V001", "threat_type": "armed_presence"}))
        .await;
    let fresh_ref = fresh["reference"].as_str().expect("ref").to_string();
    c.wait()
        .at_most(Duration::from_secs(25))
        .for_element(Locator::Css(&format!("#new-rows #row-{fresh_ref}")))
        .await
        .expect("the new alert appears in the new-alerts section without a reload");
    click(&c, &format!("#new-rows #row-{fresh_ref} a")).await;
    state_is(&c, "received").await;
    click(&c, "#btn-take").await;
    let taken = text_of(&c, "#taken-by").await;
    assert!(!taken.is_empty(), "the page says the alert is hers");
    assert!(
        text_of(&c, "#notice").await.len() > 3,
        "taking confirms itself"
    );
    click(&c, "[data-action='acknowledge']").await;
    state_is(&c, "acknowledged").await;
    c.goto(&format!("{}/alerts?mine=1", s.base))
        .await
        .expect("mine");
    c.wait()
        .for_element(Locator::Css(&format!("#queue-rows #row-{fresh_ref}")))
        .await
        .expect("the alert she took is in 'mine'");

    // Typed in the form with nothing but the text, the alert is read as an SMS would be.
    c.goto(&format!("{}/alerts/new", s.base))
        .await
        .expect("new alert form");
    type_into(&c, "#text", "Enlèvement de trois femmes à Bunagana").await;
    click(&c, "#create-alert").await;
    state_is(&c, "received").await;
    let threat = text_of(&c, "#alert-threat").await;
    assert!(
        threat.contains("Enlèvement"),
        "read as an abduction: {threat}"
    );
    assert!(
        c.find(Locator::Css("#alert-title .s4")).await.is_ok(),
        "an abduction is severity 4"
    );
    let place = text_of(&c, "#alert-place").await;
    assert!(place.contains("Bunagana"), "{place}");
    screenshot(&c, &format!("form-alert-{backend:?}")).await;

    // On a phone.
    at_width(&c, 360).await;
    c.goto(&format!("{}/alerts", s.base)).await.expect("queue");
    fits(&c, "the queue").await;
    let row = text_of(&c, &format!("#row-{pinga_ref}")).await;
    assert!(
        !row.is_empty(),
        "the uncovered alert shows as a card on the phone"
    );
    assert!(
        c.find(Locator::Css(&format!("#row-{pinga_ref} .uncovered")))
            .await
            .is_ok(),
        "the uncovered flag stays visible on a phone"
    );
    click(&c, &format!("#row-{pinga_ref} a")).await;
    state_is(&c, "received").await;
    fits(&c, "an alert").await;
    click(&c, "[data-action='acknowledge']").await;
    state_is(&c, "acknowledged").await;
    let method = c
        .find(Locator::Css("select#method"))
        .await
        .expect("verification method");
    method
        .select_by_value("call_back")
        .await
        .expect("call back");
    type_into(&c, "#sources", "chef de groupement").await;
    click(&c, "[data-action='verify']").await;
    state_is(&c, "verified").await;
    // Nobody can go: closed as "no responder available", which the reporter is told.
    let category = c
        .find(Locator::Css("select#category"))
        .await
        .expect("category");
    category
        .select_by_value("no_responder")
        .await
        .expect("no responder");
    click(&c, "[data-action='close']").await;
    state_is(&c, "closed").await;
    assert!(
        !text_of(&c, "#alert-outcome-category").await.is_empty(),
        "the close says why"
    );
    screenshot(&c, &format!("closed-uncovered-360-{backend:?}")).await;
    // A second report comes in: she reopens it, with a reason.
    type_into(
        &c,
        "#reason-reopen",
        "Nouvelles attaques signalées, la MONUSCO peut envoyer une patrouille",
    )
    .await;
    click(&c, "[data-action='reopen']").await;
    state_is(&c, "acknowledged").await;
    fits(&c, "a reopened alert").await;
    for page in ["/alerts/new", "/account", "/inbox", "/outbox"] {
        c.goto(&format!("{}{page}", s.base)).await.expect("open");
        fits(&c, page).await;
    }
    let _ = c.close().await;

    let (_, full) = s.get(&format!("/api/v1/alerts/{pinga_ref}")).await;
    let moves: Vec<&str> = full["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|t| t["kind"] == "transitioned")
        .filter_map(|t| t["detail"]["to"].as_str())
        .collect();
    assert_eq!(
        moves,
        ["acknowledged", "verified", "closed", "acknowledged"]
    );
    let closed = full["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .find(|t| t["detail"]["to"] == "closed")
        .cloned()
        .expect("closed");
    assert_eq!(
        closed["detail"]["outcome_category"], "no_responder",
        "{closed}"
    );
}
crate::on_both_stores!(
    cla_network_day,
    super::a_cla_works_new_alerts_first_at_a_desk_and_on_a_phone
);
