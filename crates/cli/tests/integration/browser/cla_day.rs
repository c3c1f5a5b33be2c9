//! A community liaison assistant's day: sign in, open a received alert from the queue,
//! acknowledge, verify, assign a responder, mark it responding, close it with an outcome, and
//! see the feedback message queued for the reporter.

use fantoccini::Locator;
use serde_json::{Value, json};

use super::{browser, click, state_is};
use crate::harness::{Backend, Server};

async fn a_cla_takes_an_alert_from_intake_to_closed_feedback(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };
    s.add_user("esther", "cla", "esther-password-1");
    let (_, a) = s
        .post("/api/v1/alerts", json!({"text": "Hommes armés vus près du marché de Kiwanja", "place": "CD6111-V001", "threat_type": "armed_presence", "reporter_phone": "+243990007007"}))
        .await;
    let (_, uncovered) = s.post("/api/v1/alerts", json!({"text": "Attaque signalée à Pinga", "place": "CD6104-V006", "threat_type": "attack_on_civilians"})).await;
    let reference = a["reference"]
        .as_str()
        .unwrap_or_else(|| panic!("alert not created: {a}"))
        .to_string();

    c.goto(&format!("{}/alerts", s.base)).await.expect("open");
    // Not signed in: the queue sends us to the login page.
    c.wait()
        .for_element(Locator::Css("#login-submit"))
        .await
        .expect("login page");
    c.find(Locator::Css("#name"))
        .await
        .expect("name")
        .send_keys("esther")
        .await
        .expect("type");
    c.find(Locator::Css("#password"))
        .await
        .expect("password")
        .send_keys("esther-password-1")
        .await
        .expect("type");
    click(&c, "#login-submit").await;
    c.wait()
        .for_element(Locator::Css("tbody#queue-rows"))
        .await
        .expect("queue");
    let flag = c
        .find(Locator::Css(&format!(
            "tr#row-{}[data-uncovered='true'] .uncovered",
            uncovered["reference"].as_str().expect("ref")
        )))
        .await;
    assert!(flag.is_ok(), "the uncovered alert is flagged in the queue");
    click(&c, &format!("tr#row-{reference} a")).await;
    state_is(&c, "received").await;

    click(&c, "[data-action='acknowledge']").await;
    state_is(&c, "acknowledged").await;
    // Before verifying, the CLA asks the focal point for details by SMS.
    c.find(Locator::Css("textarea#question"))
        .await
        .expect("question box")
        .send_keys("Combien d'hommes armés ?")
        .await
        .expect("type");
    click(&c, "[data-action='ask']").await;
    let asked = c
        .wait()
        .for_element(Locator::Css("#alert-outbox tr[data-kind='question']"))
        .await
        .expect("question row");
    assert!(
        asked
            .text()
            .await
            .expect("text")
            .contains("Combien d'hommes armés ?")
    );
    click(&c, "[data-action='verify']").await;
    state_is(&c, "verified").await;
    // Routing proposed the responders covering Kiwanja; they come ticked.
    let ticked = c
        .find(Locator::Css("input[name='responders']:checked"))
        .await
        .expect("a proposed responder");
    assert!(ticked.attr("value").await.expect("value").is_some());
    click(&c, "[data-action='assign']").await;
    state_is(&c, "assigned").await;
    click(&c, "[data-action='responding']").await;
    state_is(&c, "responding").await;
    let outcome = "Patrouille du CLP envoyée, le calme est revenu";
    c.wait()
        .for_element(Locator::Css("textarea#outcome"))
        .await
        .expect("outcome")
        .send_keys(outcome)
        .await
        .expect("type");
    click(&c, "[data-action='close']").await;
    state_is(&c, "closed").await;

    let row = c
        .wait()
        .for_element(Locator::Css(
            "#alert-outbox tr[data-kind='feedback'][data-status='queued']",
        ))
        .await
        .expect("feedback row");
    assert!(
        row.text().await.expect("text").contains("calme est revenu"),
        "the feedback shows the outcome"
    );
    if let Ok(png) = c.screenshot().await {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("alert-closed-{backend:?}.png")), png);
    }
    let _ = c.close().await;

    let (_, out) = s
        .get(&format!(
            "/api/v1/outbox?alert={}",
            a["id"].as_str().expect("id")
        ))
        .await;
    let feedback: Vec<&Value> = out["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["kind"] == "feedback")
        .collect();
    assert_eq!(feedback.len(), 1);
    assert!(
        feedback[0]["body"]
            .as_str()
            .expect("body")
            .contains(outcome)
    );
    let (_, full) = s.get(&format!("/api/v1/alerts/{reference}")).await;
    let actors: Vec<&str> = full["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|t| t["kind"] == "transitioned")
        .filter_map(|t| t["actor"].as_str())
        .collect();
    assert_eq!(actors, ["esther"; 5], "every move is recorded as the CLA's");
}
crate::on_both_stores!(
    cla_day,
    super::a_cla_takes_an_alert_from_intake_to_closed_feedback
);
