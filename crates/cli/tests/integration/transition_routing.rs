//! Alert routing that follows the plan, through the real binary on both stores: an alert
//! from a place on its handover date goes to the successor (not the day before), still after a
//! restart, back to the provider once a planner reverses the handover, to the successor again
//! once restored; the simulation shows past alerts under the coverage of a date; and
//! `kinga verify` rebuilds the reversals (and finds one edited behind Kinga's back).

use chrono::{Days, NaiveDate};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Backend, Server, call};
use crate::on_both_stores;

fn ids(alert: &Value) -> Vec<String> {
    alert["proposed_responders"]
        .as_array()
        .expect("proposed_responders")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

async fn alert_from_kiwanja(s: &Server, text: &str) -> Vec<String> {
    let (st, a) = s
        .post(
            "/api/v1/alerts",
            json!({"text": text, "place": "CD6111-V001", "threat_type": "armed_presence"}),
        )
        .await;
    assert_eq!(st, 201, "{a}");
    let id = a["id"].as_str().expect("id");
    let (st, full) = s.get(&format!("/api/v1/alerts/{id}")).await;
    assert_eq!(st, 200, "{full}");
    ids(&full)
}

async fn routing_story(backend: Backend) {
    let Some(mut s) = Server::start(backend).await else {
        return;
    };
    s.add_user("coord", "coordinator", "coord-password-123");
    s.add_user("viewer", "viewer", "viewer-password-123");
    let (coord, viewer) = (s.token_for("coord"), s.token_for("viewer"));

    // Civil protection is registered, but covers only Ituri today.
    let protciv = json!({"id": "protciv-nk", "name": "Protection civile Nord-Kivu",
        "kind": "civil_protection", "places": ["CD5405"], "hours": {"start": 0, "end": 0},
        "phone": "+243990000150", "community_consent": true, "active": true});
    let (st, r) = s.post("/api/v1/responders", protciv).await;
    assert_eq!(st, 200, "{r}");

    // The server's own today (its time zone) and tomorrow.
    let (_, state) = call(&s, &viewer, Method::GET, "/api/v1/transition/state", None).await;
    let today: NaiveDate = state["date"].as_str().expect("date").parse().expect("day");
    let tomorrow = today.checked_add_days(Days::new(1)).expect("tomorrow");

    // North Kivu's early warning moves from the mission's base (named by its registry name)
    // to civil protection (named by id), tomorrow.
    let plan = |on: NaiveDate, version: Option<u64>| {
        json!({"place": "CD61", "capacity": "early_warning",
            "providers": ["MONUSCO Rutshuru"], "successors": ["protciv-nk"],
            "handover_on": on.to_string(), "version": version})
    };
    let (st, p) = call(
        &s,
        &coord,
        Method::PUT,
        "/api/v1/transition/plans",
        Some(plan(tomorrow, None)),
    )
    .await;
    assert_eq!(st, 200, "{p}");
    let before = alert_from_kiwanja(&s, "Hommes armés à Kiwanja").await;
    assert_eq!(
        before,
        ["clp-kiwanja", "monusco-rutshuru"],
        "the day before"
    );

    // On the handover date, without anyone acting on routing.
    let (st, p) = call(
        &s,
        &coord,
        Method::PUT,
        "/api/v1/transition/plans",
        Some(plan(today, Some(1))),
    )
    .await;
    assert_eq!(st, 200, "{p}");
    let on = alert_from_kiwanja(&s, "Coups de feu à Kiwanja").await;
    assert_eq!(on, ["clp-kiwanja", "protciv-nk"], "on the handover date");
    let (st, r) = call(
        &s,
        &viewer,
        Method::GET,
        &format!("/api/v1/transition/routing?date={today}"),
        None,
    )
    .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["plans"][0]["state"], "in_force", "{r}");
    assert_eq!(
        r["plans"][0]["providers"][0]["responders"][0],
        "monusco-rutshuru"
    );
    assert_eq!(r["responders"]["protciv-nk"], "Protection civile Nord-Kivu");

    // The switch survives a restart: it is computed from the stored plan and the date.
    s.kill9();
    s.spawn().await;
    let after_restart = alert_from_kiwanja(&s, "Pillage à Kiwanja").await;
    assert_eq!(after_restart, ["clp-kiwanja", "protciv-nk"]);

    // Only planners reverse, with a reason; routing goes back to the base.
    let reverse = "/api/v1/transition/plans/CD61/early_warning/reverse";
    let (st, _) = call(
        &s,
        &viewer,
        Method::POST,
        reverse,
        Some(json!({"reason": "x"})),
    )
    .await;
    assert_eq!(st, 403);
    let (st, _) = call(
        &s,
        &coord,
        Method::POST,
        reverse,
        Some(json!({"reason": " "})),
    )
    .await;
    assert_eq!(st, 422);
    let (st, _) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/plans/CD61/human_rights/reverse",
        Some(json!({"reason": "no"})),
    )
    .await;
    assert_eq!(st, 422, "only routed capacities");
    let why = "Civil protection has no phones yet";
    let (st, rev) = call(
        &s,
        &coord,
        Method::POST,
        reverse,
        Some(json!({"reason": why})),
    )
    .await;
    assert_eq!(st, 200, "{rev}");
    assert_eq!(rev["reversed"], true);
    assert_eq!(rev["by"], "coord");
    assert_eq!(rev["handover_on"], today.to_string());
    let (st, _) = call(
        &s,
        &coord,
        Method::POST,
        reverse,
        Some(json!({"reason": why})),
    )
    .await;
    assert_eq!(st, 422, "already reversed");
    let reversed = alert_from_kiwanja(&s, "Enlèvement à Kiwanja").await;
    assert_eq!(
        reversed,
        ["clp-kiwanja", "monusco-rutshuru"],
        "after reversal"
    );

    // The simulation: the day's four alerts under today's coverage (reversed: the base),
    // and under the coverage of a day the handover is restored.
    let (st, sim) = call(
        &s,
        &viewer,
        Method::GET,
        &format!("/api/v1/transition/simulate?date={today}&place=CD61&from={today}&to={today}"),
        None,
    )
    .await;
    assert_eq!(st, 200, "{sim}");
    assert_eq!(sim["total"], 4, "{sim}");
    assert_eq!(
        sim["rerouted"], 2,
        "the two routed to civil protection go back: {sim}"
    );
    let (st, _) = call(
        &s,
        &viewer,
        Method::GET,
        "/api/v1/transition/simulate?place=XX99",
        None,
    )
    .await;
    assert_eq!(st, 404);

    // Restored: the successor again.
    let (st, res) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/plans/CD61/early_warning/restore",
        Some(json!({"reason": "Phones delivered"})),
    )
    .await;
    assert_eq!(st, 200, "{res}");
    assert_eq!(res["reversed"], false);
    let restored = alert_from_kiwanja(&s, "Attaque à Kiwanja").await;
    assert_eq!(restored, ["clp-kiwanja", "protciv-nk"], "after restoring");
    let (_, sim) = call(
        &s,
        &viewer,
        Method::GET,
        &format!("/api/v1/transition/simulate?date={today}&place=CD6111&from={today}&to={today}"),
        None,
    )
    .await;
    assert_eq!(sim["total"], 5, "{sim}");
    assert_eq!(
        sim["rerouted"], 2,
        "the day before's and the reversed one: {sim}"
    );
    let changed: Vec<&Value> = sim["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .filter(|a| a["change"] == "rerouted")
        .collect();
    assert!(
        changed
            .iter()
            .all(|a| a["would_route_to"][1] == "protciv-nk"),
        "{sim}"
    );

    // The ledger rebuilds the reversals; one edited behind Kinga's back is found.
    let (passed, said) = s.verify();
    assert!(passed, "verify: {said}");
    let sql_lite = "UPDATE handover_reversals SET doc = json_set(doc, '$.reversed', json('true'))";
    let sql_pg =
        "UPDATE handover_reversals SET doc = jsonb_set(doc::jsonb, '{reversed}', 'true')::json";
    assert_eq!(s.sql(sql_lite, sql_pg).await, 1);
    let (passed, said) = s.verify();
    assert!(!passed);
    assert!(said.contains("handover_reversals"), "{said}");
}
on_both_stores!(transition_routing, super::routing_story);
