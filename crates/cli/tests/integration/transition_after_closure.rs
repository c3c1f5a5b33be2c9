//! Post-closure monitoring through the real binary on both stores: a base closed five days
//! ago, the alerts received since in its areas with their acknowledgement time, and the
//! incidents there counted only within each reader's compartments (an analyst without the
//! CRSV grant does not see the CRSV one, even as a number).

use chrono::{Days, NaiveDate};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Backend, Server, call};
use crate::on_both_stores;

fn incident(on: NaiveDate, compartment: &str, violation: &str) -> Value {
    let victim = if compartment == "crsv" {
        json!({"sex": "female", "age_group": "18-59"})
    } else {
        json!({"sex": "unknown", "age_group": "unknown"})
    };
    json!({
        "occurred_on": on.to_string(),
        "place": "CD6111-V001",
        "narrative": "Attack on the market of Kiwanja",
        "compartment": compartment,
        "violations": [violation],
        "victims": [victim],
        "perpetrators": [{"category": "unidentified"}],
        "sources": [{"kind": "community", "reliability": "usually_reliable"}]
    })
}

fn granted(s: &Server, user: &str, compartment: &str) {
    let out = s.cli(&["user", "grant", user, compartment], None);
    assert!(
        out.status.success(),
        "grant: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn after_closure_story(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    s.add_user("coord", "coordinator", "coord-password-123");
    s.add_user("hro", "monitor", "hro-password-123");
    s.add_user("ana", "analyst", "ana-password-123");
    s.add_user("ana2", "analyst", "ana2-password-123");
    granted(&s, "hro", "crsv");
    granted(&s, "ana2", "crsv");
    let (coord, hro, ana, ana2) = (
        s.token_for("coord"),
        s.token_for("hro"),
        s.token_for("ana"),
        s.token_for("ana2"),
    );
    let (_, state) = call(&s, &ana, Method::GET, "/api/v1/transition/state", None).await;
    let today: NaiveDate = state["date"].as_str().expect("date").parse().expect("day");
    let closed = today.checked_sub_days(Days::new(5)).expect("day");
    let (st, w) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/withdrawals",
        Some(json!({"mission": "MONUSCO"})),
    )
    .await;
    assert_eq!(st, 200, "{w}");
    let wid = w["id"].as_str().expect("id");
    let closure = json!({"base": "Rutshuru", "place": "CD6111", "closes_on": closed.to_string(),
        "places": ["CD6111"], "capacities": ["physical_protection", "early_warning"]});
    let (st, _) = call(
        &s,
        &coord,
        Method::POST,
        &format!("/api/v1/transition/withdrawals/{wid}/closures"),
        Some(closure),
    )
    .await;
    assert_eq!(st, 200);
    // A future closure is not monitored yet.
    let later = json!({"base": "Beni", "closes_on": today.checked_add_days(Days::new(30)).expect("day").to_string(),
        "places": ["CD6103"], "capacities": ["early_warning"]});
    let (st, _) = call(
        &s,
        &coord,
        Method::POST,
        &format!("/api/v1/transition/withdrawals/{wid}/closures"),
        Some(later),
    )
    .await;
    assert_eq!(st, 200);

    // Since the closure: two alerts in Rutshuru (one acknowledged), one in Masisi.
    let mut ids = vec![];
    for (place, text) in [
        ("CD6111-V001", "Hommes armés à Kiwanja"),
        ("CD6111-V002", "Pillage à Bunagana"),
        ("CD6103-V003", "Enlèvement à Kitshanga"),
    ] {
        let (st, a) = s
            .post(
                "/api/v1/alerts",
                json!({"text": text, "place": place, "threat_type": "armed_presence"}),
            )
            .await;
        assert_eq!(st, 201, "{a}");
        ids.push(a["id"].as_str().expect("id").to_string());
    }
    let (st, _) = s
        .post(
            &format!("/api/v1/alerts/{}/transitions", ids[0]),
            json!({"to": "acknowledged"}),
        )
        .await;
    assert_eq!(st, 200);
    // Two incidents after the closure, one of them CRSV; one before it.
    let two_days_ago = today.checked_sub_days(Days::new(2)).expect("day");
    let before = today.checked_sub_days(Days::new(7)).expect("day");
    for body in [
        incident(two_days_ago, "general", "destruction_of_property"),
        incident(two_days_ago, "crsv", "rape"),
        incident(before, "general", "destruction_of_property"),
    ] {
        let (st, i) = call(&s, &hro, Method::POST, "/api/v1/incidents", Some(body)).await;
        assert_eq!(st, 201, "{i}");
    }

    let (st, list) = call(
        &s,
        &ana,
        Method::GET,
        "/api/v1/transition/after-closure?days=30",
        None,
    )
    .await;
    assert_eq!(st, 200, "{list}");
    let all = list.as_array().expect("list");
    assert_eq!(all.len(), 1, "only the closed base: {list}");
    let w = &all[0];
    assert_eq!(w["closure"]["base"], "Rutshuru");
    assert_eq!(
        w["days"], 6,
        "cut to the days since the closure, today included"
    );
    assert_eq!(
        w["before"]["span"]["from"],
        closed
            .checked_sub_days(Days::new(6))
            .expect("day")
            .to_string()
    );
    assert_eq!(
        w["after"]["alerts"], 2,
        "Masisi is not the base's area: {w}"
    );
    assert_eq!(w["before"]["alerts"], 0);
    assert_eq!(w["after"]["acknowledge"]["met"], 1, "{w}");
    assert!(
        w["after"]["acknowledge"]["median_minutes"]
            .as_f64()
            .is_some()
    );
    assert_eq!(w["after"]["incidents"], 1, "general only for ana: {w}");
    assert_eq!(w["before"]["incidents"], 1);
    assert_eq!(w["incidents_visible"], true);
    let (_, list2) = call(
        &s,
        &ana2,
        Method::GET,
        "/api/v1/transition/after-closure?days=30",
        None,
    )
    .await;
    assert_eq!(
        list2[0]["after"]["incidents"], 2,
        "with the CRSV grant: {list2}"
    );
    // Coordinators read it too.
    let (st, list3) = call(
        &s,
        &coord,
        Method::GET,
        "/api/v1/transition/after-closure",
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(list3[0]["after"]["alerts"], 2);
    let (st, _) = call(
        &s,
        &hro,
        Method::GET,
        "/api/v1/transition/after-closure",
        None,
    )
    .await;
    assert_eq!(st, 403, "monitors do not read transition");
}
on_both_stores!(transition_after_closure, super::after_closure_story);
