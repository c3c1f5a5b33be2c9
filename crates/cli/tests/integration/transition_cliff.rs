//! The cliff and the dossier through the real binary on both stores, beyond the alerts: the
//! incidents of the last twelve months in an uncovered place counted only within each
//! reader's compartments (an analyst without the CRSV grant does not see the CRSV one, even
//! as a number; a viewer, who reads no incident, sees alert figures only), and a reversed
//! handover showing in the state (its reason says so) and in the cliff, until restored.

use chrono::{Days, NaiveDate};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Backend, Server, call};
use crate::on_both_stores;
use crate::pages::page_as;

fn incident(on: NaiveDate, place: &str, compartment: &str, violation: &str) -> Value {
    let victim = if compartment == "crsv" {
        json!({"sex": "female", "age_group": "18-59"})
    } else {
        json!({"sex": "unknown", "age_group": "unknown"})
    };
    json!({
        "occurred_on": on.to_string(),
        "place": place,
        "narrative": "Attack on the market",
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

/// The place of a cliff answer with this P-code.
fn entry<'a>(cliff: &'a Value, pcode: &str) -> Option<&'a Value> {
    cliff["places"]
        .as_array()
        .expect("places")
        .iter()
        .find(|p| p["pcode"] == pcode)
}

/// The state of `capacity` in `place` on `on`.
async fn state_of(s: &Server, token: &str, place: &str, capacity: &str, on: NaiveDate) -> Value {
    let (st, all) = call(
        s,
        token,
        Method::GET,
        &format!("/api/v1/transition/state?date={on}&place={place}"),
        None,
    )
    .await;
    assert_eq!(st, 200, "{all}");
    all["places"]
        .as_array()
        .expect("places")
        .iter()
        .find(|p| p["pcode"] == place)
        .and_then(|p| {
            p["capacities"]
                .as_array()
                .expect("capacities")
                .iter()
                .find(|c| c["capacity"] == capacity)
                .cloned()
        })
        .unwrap_or(Value::Null)
}

async fn cliff_story(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    s.add_user("coord", "coordinator", "coord-password-123");
    s.add_user("hro", "monitor", "hro-password-123");
    s.add_user("ana", "analyst", "ana-password-123");
    s.add_user("ana2", "analyst", "ana2-password-123");
    s.add_user("viewer", "viewer", "viewer-password-123");
    granted(&s, "hro", "crsv");
    granted(&s, "ana2", "crsv");
    let (coord, hro, ana, ana2, viewer) = (
        s.token_for("coord"),
        s.token_for("hro"),
        s.token_for("ana"),
        s.token_for("ana2"),
        s.token_for("viewer"),
    );
    let (_, state) = call(&s, &ana, Method::GET, "/api/v1/transition/state", None).await;
    let today: NaiveDate = state["date"].as_str().expect("date").parse().expect("day");
    let days_ago = |n: u64| today.checked_sub_days(Days::new(n)).expect("day");

    // Two bases closed three days ago: Masisi's patrols (no plan: a gap) and Rutshuru's
    // early warning, handed over yesterday to civil protection.
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
    for closure in [
        json!({"base": "Masisi", "closes_on": days_ago(3).to_string(), "places": ["CD6103"],
            "capacities": ["physical_protection"]}),
        json!({"base": "Rutshuru", "closes_on": days_ago(3).to_string(), "places": ["CD6111"],
            "capacities": ["early_warning"]}),
    ] {
        let (st, w) = call(
            &s,
            &coord,
            Method::POST,
            &format!("/api/v1/transition/withdrawals/{wid}/closures"),
            Some(closure),
        )
        .await;
        assert_eq!(st, 200, "{w}");
    }
    let plan = json!({"place": "CD6111", "capacity": "early_warning",
        "providers": ["MONUSCO Rutshuru"], "successors": ["Protection civile"],
        "handover_on": days_ago(1).to_string()});
    let (st, p) = call(
        &s,
        &coord,
        Method::PUT,
        "/api/v1/transition/plans",
        Some(plan),
    )
    .await;
    assert_eq!(st, 200, "{p}");

    // In Masisi: an alert, two incidents of the year (one CRSV), one older than a year;
    // one incident in Rutshuru, not uncovered.
    // Reported twenty days ago: the cliff counts the twelve months before its date, not the
    // date itself.
    let when = (chrono::Utc::now() - chrono::Duration::days(20)).to_rfc3339();
    let (st, a) = s
        .post(
            "/api/v1/alerts",
            json!({"text": "Enlèvement à Kitshanga", "place": "CD6103-V003",
                "threat_type": "armed_presence", "reported_at": when}),
        )
        .await;
    assert_eq!(st, 201, "{a}");
    for body in [
        incident(
            days_ago(30),
            "CD6103-V003",
            "general",
            "destruction_of_property",
        ),
        incident(days_ago(30), "CD6103-V003", "crsv", "rape"),
        incident(
            days_ago(400),
            "CD6103-V003",
            "general",
            "destruction_of_property",
        ),
        incident(
            days_ago(30),
            "CD6111-V001",
            "general",
            "destruction_of_property",
        ),
    ] {
        let (st, i) = call(&s, &hro, Method::POST, "/api/v1/incidents", Some(body)).await;
        assert_eq!(st, 201, "{i}");
    }

    let cliff_path = format!("/api/v1/transition/cliff?date={today}");
    let (st, c) = call(&s, &ana, Method::GET, &cliff_path, None).await;
    assert_eq!(st, 200, "{c}");
    assert_eq!(c["incidents_visible"], true);
    assert_eq!(c["places"].as_array().map(Vec::len), Some(1), "{c}");
    let masisi = entry(&c, "CD6103").expect("Masisi uncovered");
    assert_eq!(masisi["alerts_12m"], 1);
    assert_eq!(
        masisi["incidents_12m"], 1,
        "general only for ana, the older one left out: {c}"
    );
    assert_eq!(masisi["incidents_verified_12m"], 0);
    let (_, c2) = call(&s, &ana2, Method::GET, &cliff_path, None).await;
    assert_eq!(
        entry(&c2, "CD6103").expect("Masisi")["incidents_12m"],
        2,
        "with the CRSV grant: {c2}"
    );
    // A viewer reads no incident: alert figures only, no incident field at all.
    let (st, cv) = call(&s, &viewer, Method::GET, &cliff_path, None).await;
    assert_eq!(st, 200, "{cv}");
    assert_eq!(cv["incidents_visible"], false);
    let mv = entry(&cv, "CD6103").expect("Masisi");
    assert_eq!(mv["alerts_12m"], 1);
    assert!(mv.get("incidents_12m").is_none(), "{cv}");

    // The dossier page says the same, per reader.
    let dossier = format!("/transition/dossier?place=CD6103&date={today}");
    let (st, html) = page_as(&s, "ana", "ana-password-123", &dossier).await;
    assert_eq!(st, 200);
    assert!(
        html.contains(r#"<strong id="dossier-incidents">1</strong>"#),
        "{html}"
    );
    let (_, html) = page_as(&s, "ana2", "ana2-password-123", &dossier).await;
    assert!(html.contains(r#"<strong id="dossier-incidents">2</strong>"#));
    let (_, html) = page_as(&s, "viewer", "viewer-password-123", &dossier).await;
    assert!(!html.contains("dossier-incidents\""));
    assert!(html.contains("dossier-no-incidents"));
    let (_, html) = page_as(
        &s,
        "ana",
        "ana-password-123",
        &format!("/transition/cliff?date={today}"),
    )
    .await;
    assert!(html.contains("incidents-12m"), "{html}");

    // Handed over yesterday: covered today, Rutshuru not in the cliff.
    let ew = state_of(&s, &ana, "CD6111", "early_warning", today).await;
    assert_eq!(ew["state"], "covered", "{ew}");
    assert_eq!(ew["reason"]["code"], "handed_over");

    // Reversed: the base closed, the successor does not take over: a gap, with its reason,
    // and Rutshuru in the cliff.
    let (st, r) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/plans/CD6111/early_warning/reverse",
        Some(json!({"reason": "Civil protection has no phones yet"})),
    )
    .await;
    assert_eq!(st, 200, "{r}");
    let ew = state_of(&s, &ana, "CD6111", "early_warning", today).await;
    assert_eq!(ew["state"], "gap", "{ew}");
    assert_eq!(ew["reason"]["code"], "handover_reversed", "{ew}");
    assert_eq!(ew["reason"]["last_day"], days_ago(4).to_string());
    assert!(
        ew["reason_text"]
            .as_str()
            .is_some_and(|t| t.contains("reversed")),
        "{ew}"
    );
    // Before the closure the base still provides it, but leaves with nobody after: at risk.
    let before = state_of(&s, &ana, "CD6111", "early_warning", days_ago(5)).await;
    assert_eq!(before["state"], "at_risk", "{before}");
    assert_eq!(before["reason"]["code"], "handover_reversed");
    let (_, c) = call(&s, &ana, Method::GET, &cliff_path, None).await;
    let rutshuru = entry(&c, "CD6111").expect("Rutshuru uncovered after the reversal");
    assert_eq!(rutshuru["capacities"], json!(["early_warning"]));
    assert_eq!(rutshuru["incidents_12m"], 1);
    let (_, html) = page_as(
        &s,
        "coord",
        "coord-password-123",
        &format!("/transition?date={today}&place=CD6111"),
    )
    .await;
    assert!(
        html.contains("annulée") || html.contains("reversed"),
        "{html}"
    );

    // Restored: covered again, out of the cliff.
    let (st, _) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/plans/CD6111/early_warning/restore",
        Some(json!({"reason": "Phones delivered"})),
    )
    .await;
    assert_eq!(st, 200);
    let ew = state_of(&s, &ana, "CD6111", "early_warning", today).await;
    assert_eq!(ew["state"], "covered", "{ew}");
    let (_, c) = call(&s, &ana, Method::GET, &cliff_path, None).await;
    assert!(entry(&c, "CD6111").is_none(), "{c}");
}
on_both_stores!(transition_cliff, super::cliff_story);
