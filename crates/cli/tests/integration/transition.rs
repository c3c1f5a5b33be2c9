//! Transition planning through the real binary on both stores: who may plan and who may
//! read, a withdrawal plan with its base closures, capacity plans inherited down the place
//! hierarchy with their milestones, the state of each capacity with its reason, the cliff
//! changing with the date and with a new closure (and counting the alerts of the places it
//! lists), stale changes refused, and `kinga verify` rebuilding the new tables (and finding
//! one edited behind Kinga's back).

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Backend, Server, as_written, call, the_day_before};
use crate::on_both_stores;

/// `(pcode, [capacity ids], alerts_12m)` of a cliff answer.
fn places(cliff: &Value) -> Vec<(String, Vec<String>, u64)> {
    cliff["places"]
        .as_array()
        .expect("places")
        .iter()
        .map(|p| {
            (
                p["pcode"].as_str().unwrap_or_default().to_string(),
                p["capacities"]
                    .as_array()
                    .expect("capacities")
                    .iter()
                    .map(|c| c.as_str().unwrap_or_default().to_string())
                    .collect(),
                p["alerts_12m"].as_u64().expect("alerts_12m"),
            )
        })
        .collect()
}

fn caps(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

async fn transition_story(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    s.add_user("coord", "coordinator", "coord-password-123");
    s.add_user("viewer", "viewer", "viewer-password-123");
    s.add_user("cla", "triage_officer", "cla-password-123");
    let (coord, viewer, cla) = (
        s.token_for("coord"),
        s.token_for("viewer"),
        s.token_for("cla"),
    );

    // Reading is for planners, analysts and viewers; planning for coordinators.
    let (st, list) = call(
        &s,
        &viewer,
        Method::GET,
        "/api/v1/transition/capacities",
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(list.as_array().map(Vec::len), Some(10));
    assert_eq!(list[0]["id"], "physical_protection");
    let (st, _) = call(&s, &cla, Method::GET, "/api/v1/transition/cliff", None).await;
    assert_eq!(st, 403);
    let plan = json!({"place": "CD61", "capacity": "early_warning", "providers": ["MONUSCO CLA"]});
    let (st, _) = call(
        &s,
        &viewer,
        Method::PUT,
        "/api/v1/transition/plans",
        Some(plan),
    )
    .await;
    assert_eq!(st, 403);

    // Alerts of the last months: two in Rutshuru, one in Masisi, one in Djugu.
    let when = (Utc::now() - Duration::days(20)).to_rfc3339();
    for (place, text) in [
        ("CD6111-V001", "Hommes armés à Kiwanja"),
        ("CD6111-V002", "Pillage à Bunagana"),
        ("CD6103-V003", "Enlèvement à Kitshanga"),
        ("CD5405-V005", "Attaque à Drodro"),
    ] {
        let (st, a) = s
            .post(
                "/api/v1/alerts",
                json!({"text": text, "place": place, "threat_type": "armed_presence", "reported_at": when}),
            )
            .await;
        assert_eq!(st, 201, "{a}");
    }

    // The mission's withdrawal plan: the Rutshuru base closes on 2027-03-31.
    let (st, w) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/withdrawals",
        Some(json!({"mission": "MONUSCO"})),
    )
    .await;
    assert_eq!(st, 200, "{w}");
    let wid = w["id"].as_str().expect("id").to_string();
    let closure = json!({"base": "Rutshuru", "place": "CD6111", "closes_on": as_written("2027-03-31"),
        "places": ["CD6111", "CD6103"], "capacities": ["physical_protection", "early_warning"]});
    let (st, w) = call(
        &s,
        &coord,
        Method::POST,
        &format!("/api/v1/transition/withdrawals/{wid}/closures"),
        Some(closure),
    )
    .await;
    assert_eq!(st, 200, "{w}");
    assert_eq!(w["closures"][0]["base"], "Rutshuru");
    let bad = json!({"base": "Nowhere", "closes_on": as_written("2027-01-01"), "places": ["XX99"], "capacities": ["ddr"]});
    let (st, _) = call(
        &s,
        &coord,
        Method::POST,
        &format!("/api/v1/transition/withdrawals/{wid}/closures"),
        Some(bad),
    )
    .await;
    assert_eq!(st, 422);

    // North Kivu's early warning goes to civil protection only two months after the closure;
    // Rutshuru's physical protection is handed over the day the base closes.
    let ew = json!({"place": "CD61", "capacity": "early_warning", "providers": ["MONUSCO CLA"],
        "successors": ["Protection civile"], "handover_on": as_written("2027-06-01"),
        "milestones": [{"kind": "staff_hired", "owner": "Protection civile", "due_on": as_written("2027-01-15")}]});
    let (st, ew) = call(
        &s,
        &coord,
        Method::PUT,
        "/api/v1/transition/plans",
        Some(ew),
    )
    .await;
    assert_eq!(st, 200, "{ew}");
    assert_eq!(ew["id"], "CD61:early_warning");
    assert_eq!(ew["version"], 1);
    let pp = json!({"place": "CD6111", "capacity": "physical_protection", "providers": ["MONUSCO"],
        "successors": ["FARDC"], "handover_on": as_written("2027-03-31")});
    let (st, _) = call(
        &s,
        &coord,
        Method::PUT,
        "/api/v1/transition/plans",
        Some(pp.clone()),
    )
    .await;
    assert_eq!(st, 200);
    // A second creation of the same plan, or a change on a stale version, is a conflict.
    let (st, _) = call(
        &s,
        &coord,
        Method::PUT,
        "/api/v1/transition/plans",
        Some(pp.clone()),
    )
    .await;
    assert_eq!(st, 409);
    let mut stale = pp.clone();
    stale["version"] = json!(7);
    let (st, _) = call(
        &s,
        &coord,
        Method::PUT,
        "/api/v1/transition/plans",
        Some(stale),
    )
    .await;
    assert_eq!(st, 409);

    // The state in Rutshuru on 2027-04-15: early warning inherited from the province, a gap.
    let (st, state) = call(
        &s,
        &viewer,
        Method::GET,
        &format!(
            "/api/v1/transition/state?place=CD6111&date={}",
            as_written("2027-04-15")
        ),
        None,
    )
    .await;
    assert_eq!(st, 200, "{state}");
    let rutshuru = &state["places"][0];
    assert_eq!(rutshuru["pcode"], "CD6111");
    let ew_state = rutshuru["capacities"]
        .as_array()
        .expect("capacities")
        .iter()
        .find(|c| c["capacity"] == "early_warning")
        .expect("early warning")
        .clone();
    assert_eq!(ew_state["state"], "gap", "{ew_state}");
    assert_eq!(ew_state["plan_place"], "CD61");
    assert_eq!(ew_state["reason"]["code"], "successor_late");
    assert_eq!(
        ew_state["reason_text"],
        format!(
            "nobody from {} to {}: Protection civile takes over only on {}",
            as_written("2027-03-31"),
            as_written("2027-05-31"),
            as_written("2027-06-01")
        )
    );

    // The cliff of 2027-04-15: Masisi loses both, Rutshuru early warning; the province is at
    // risk only (a milestone late), not uncovered. Alerts: the last twelve months.
    let (st, cliff) = call(
        &s,
        &viewer,
        Method::GET,
        &format!("/api/v1/transition/cliff?date={}", as_written("2027-04-15")),
        None,
    )
    .await;
    assert_eq!(st, 200, "{cliff}");
    assert_eq!(cliff["date"], as_written("2027-04-15"));
    assert_eq!(cliff["places"][0]["name"], "Masisi");
    assert_eq!(
        places(&cliff),
        vec![
            (
                "CD6103".to_string(),
                caps(&["physical_protection", "early_warning"]),
                1
            ),
            ("CD6111".to_string(), caps(&["early_warning"]), 2),
        ]
    );
    // After the handover to civil protection only Masisi's physical protection is left.
    let (_, later) = call(
        &s,
        &viewer,
        Method::GET,
        &format!("/api/v1/transition/cliff?date={}", as_written("2027-07-01")),
        None,
    )
    .await;
    assert_eq!(
        places(&later),
        vec![("CD6103".to_string(), caps(&["physical_protection"]), 1)]
    );
    // Before the closure nothing is uncovered.
    let (_, before) = call(
        &s,
        &viewer,
        Method::GET,
        &format!(
            "/api/v1/transition/cliff?date={}",
            the_day_before(&as_written("2027-03-31"))
        ),
        None,
    )
    .await;
    assert_eq!(places(&before), vec![]);
    let (st, _) = call(
        &s,
        &viewer,
        Method::GET,
        "/api/v1/transition/cliff?date=soon",
        None,
    )
    .await;
    assert_eq!(st, 422);

    // A new closure in Ituri changes the cliff, with its alert.
    let ituri = json!({"base": "Bunia", "closes_on": as_written("2027-05-01"), "places": ["CD54"],
        "capacities": ["ddr"]});
    let (st, _) = call(
        &s,
        &coord,
        Method::POST,
        &format!("/api/v1/transition/withdrawals/{wid}/closures"),
        Some(ituri),
    )
    .await;
    assert_eq!(st, 200);
    let (_, later) = call(
        &s,
        &viewer,
        Method::GET,
        &format!("/api/v1/transition/cliff?date={}", as_written("2027-07-01")),
        None,
    )
    .await;
    assert_eq!(
        places(&later),
        vec![
            ("CD54".to_string(), caps(&["ddr"]), 1),
            ("CD6103".to_string(), caps(&["physical_protection"]), 1)
        ]
    );

    // Marking the milestone done (its id kept) clears the province's risk after the handover.
    let m = &ew["milestones"][0];
    let done = json!({"id": m["id"], "kind": "staff_hired", "owner": "Protection civile",
        "due_on": as_written("2027-01-15"), "status": "done"});
    let (st, ew2) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/plans/CD61/early_warning/milestones",
        Some(done),
    )
    .await;
    assert_eq!(st, 200, "{ew2}");
    assert_eq!(ew2["version"], 2);
    assert_eq!(ew2["milestones"].as_array().map(Vec::len), Some(1));
    let (_, state) = call(
        &s,
        &viewer,
        Method::GET,
        &format!(
            "/api/v1/transition/state?place=CD61&date={}",
            as_written("2027-06-01")
        ),
        None,
    )
    .await;
    let ew_state = &state["places"][0]["capacities"][0];
    assert_eq!(ew_state["state"], "covered", "{state}");
    assert_eq!(
        ew_state["reason_text"],
        format!(
            "handed over to Protection civile on {}",
            as_written("2027-06-01")
        )
    );
    // Removing Rutshuru's own plan makes its physical protection a gap from the closure.
    let (st, _) = call(
        &s,
        &coord,
        Method::DELETE,
        "/api/v1/transition/plans/CD6111/physical_protection?version=1",
        None,
    )
    .await;
    assert_eq!(st, 204);
    let (_, later) = call(
        &s,
        &viewer,
        Method::GET,
        &format!("/api/v1/transition/cliff?date={}", as_written("2027-07-01")),
        None,
    )
    .await;
    assert!(
        places(&later).contains(&("CD6111".to_string(), caps(&["physical_protection"]), 2)),
        "{later}"
    );
    let (_, plans) = call(&s, &viewer, Method::GET, "/api/v1/transition/plans", None).await;
    assert_eq!(plans.as_array().map(Vec::len), Some(1));

    // The ledger rebuilds both tables; a plan edited behind Kinga's back is found.
    let (passed, said) = s.verify();
    assert!(passed, "verify: {said}");
    let sql = "UPDATE capacity_plans SET capacity = 'ddr'";
    assert_eq!(s.sql(sql, sql).await, 1);
    let (passed, said) = s.verify();
    assert!(!passed);
    assert!(said.contains("capacity_plans"), "{said}");
}
on_both_stores!(transition_planning, super::transition_story);
