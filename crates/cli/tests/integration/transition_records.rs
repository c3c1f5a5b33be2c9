//! Transition records through the real binary on both stores: mission indicators (one
//! computed by Kinga with its evidence, one recorded by hand), a benchmark's progress, a
//! community mechanism's representativeness, assessment and support after the departure,
//! the staff roster (rows for planners, figures for every reader, contracts compared with
//! the handover date), knowledge notes (planners and analysts only, searchable), stale
//! changes refused, and `kinga verify` rebuilding the table (and finding a row edited behind
//! Kinga's back).

use chrono::{Days, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Backend, Server, call};
use crate::on_both_stores;

async fn get(s: &Server, token: &str, path: &str) -> (u16, Value) {
    call(s, token, Method::GET, path, None).await
}

async fn records_story(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    s.add_user("coord", "coordinator", "coord-password-123");
    s.add_user("viewer", "viewer", "viewer-password-123");
    s.add_user("analyst", "analyst", "analyst-password-123");
    let (coord, viewer, analyst) = (
        s.token_for("coord"),
        s.token_for("viewer"),
        s.token_for("analyst"),
    );

    // Three alerts in North Kivu, one in Ituri: what the computed indicator counts.
    for (place, text) in [
        ("CD6111-V001", "Hommes armés à Kiwanja"),
        ("CD6111-V002", "Pillage à Bunagana"),
        ("CD6103-V003", "Enlèvement à Kitshanga"),
        ("CD5405-V005", "Attaque à Drodro"),
    ] {
        let (st, a) = s
            .post(
                "/api/v1/alerts",
                json!({"text": text, "place": place, "threat_type": "armed_presence"}),
            )
            .await;
        assert_eq!(st, 201, "{a}");
    }

    // Indicators: planners define them, viewers may not.
    let received = json!({"name_fr": "Alertes reçues", "name_en": "Alerts received",
        "source": "computed", "figure": "alerts_received"});
    let (st, _) = call(
        &s,
        &viewer,
        Method::POST,
        "/api/v1/transition/indicators",
        Some(received.clone()),
    )
    .await;
    assert_eq!(st, 403);
    let (st, computed) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/indicators",
        Some(received),
    )
    .await;
    assert_eq!(st, 200, "{computed}");
    assert_eq!(computed["unit"], "alerts");
    let cid = computed["id"].as_str().expect("id").to_string();
    let answered =
        json!({"name_en": "Alerts answered", "source": "computed", "figure": "response_share"});
    let (st, share) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/indicators",
        Some(answered),
    )
    .await;
    assert_eq!(st, 200, "{share}");
    let children = json!({"name_fr": "Enfants libérés", "name_en": "Children released",
        "unit": "children", "source": "manual"});
    let (st, manual) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/indicators",
        Some(children),
    )
    .await;
    assert_eq!(st, 200, "{manual}");
    let mid = manual["id"].as_str().expect("id").to_string();

    // A computed value: the alerts received in North Kivu over the 90 days before tomorrow,
    // kept with the figure it came from. Days are the deployment's local days (Goma, UTC+2):
    // from 22:00 UTC, tomorrow in UTC is already today there, and today is not counted.
    let tomorrow = Utc::now()
        .with_timezone(&chrono_tz::Africa::Lubumbashi)
        .date_naive()
        .checked_add_days(Days::new(1))
        .expect("date");
    let (st, v) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/indicator-values",
        Some(json!({"indicator": cid, "place": "CD61", "on": tomorrow.to_string(), "value": 99})),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["value"], 3.0, "the given value is ignored: {v}");
    assert_eq!(v["evidence"]["figure"], "alerts_received");
    assert_eq!(v["evidence"]["count"], 3);
    assert_eq!(v["evidence"]["place"], "CD61");
    assert_eq!(v["evidence"]["to"], tomorrow.to_string());
    // No alert was verified, so none needed a responder: no share to compute.
    let (st, e) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/indicator-values",
        Some(json!({"indicator": share["id"], "place": "CD61", "on": tomorrow.to_string()})),
    )
    .await;
    assert_eq!(st, 422, "{e}");
    // A manual value needs its value; one is recorded with its source.
    let (st, _) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/indicator-values",
        Some(json!({"indicator": mid, "place": "CD54", "on": "2026-03-31"})),
    )
    .await;
    assert_eq!(st, 422);
    let (st, v2) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/indicator-values",
        Some(
            json!({"indicator": mid, "place": "CD54", "on": "2026-03-31", "value": 85,
            "source_note": "MRM Q1"}),
        ),
    )
    .await;
    assert_eq!(st, 201, "{v2}");
    assert!(v2["evidence"].is_null());

    // A core benchmark on the computed indicator: 3 of the way from 0 to 5 alerts.
    let bm = json!({"benchmark_kind": "core", "title": "Alerts reach the mission's successors",
        "place": "CD61", "owner": "Governorate", "starts_on": "2026-01-01", "due_on": "2099-12-31",
        "targets": [{"indicator": cid, "baseline": 0, "target": 5}]});
    let (st, b) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/benchmarks",
        Some(bm),
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let bad = json!({"benchmark_kind": "core", "title": "x", "place": "CD61", "owner": "y",
        "due_on": "2027-01-01", "targets": [{"indicator": "nope", "target": 1}]});
    let (st, _) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/benchmarks",
        Some(bad),
    )
    .await;
    assert_eq!(st, 422);
    let (st, list) = get(
        &s,
        &viewer,
        &format!("/api/v1/transition/benchmarks?place=CD6111&date={tomorrow}"),
    )
    .await;
    assert_eq!(st, 200, "{list}");
    let progress = &list[0]["progress"][0];
    assert_eq!(progress["latest"], 3.0, "{list}");
    assert_eq!(progress["percent"], 60.0);
    assert_eq!(list[0]["benchmark_kind"], "core");

    // A women's network in Rutshuru: no minority member, nobody to support it afterwards.
    let mech = json!({"mechanism_kind": "women_network", "name": "Réseau des femmes de Rutshuru",
        "place": "CD6111", "supporters_now": ["MONUSCO CAD"],
        "members": [{"sex": "female", "age": "adult", "group": "resident", "count": 8},
                    {"sex": "female", "age": "youth", "group": "displaced", "count": 2}]});
    let (st, m) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/mechanisms",
        Some(mech.clone()),
    )
    .await;
    assert_eq!(st, 200, "{m}");
    let mech_id = m["id"].as_str().expect("id").to_string();
    let mut unknown_fp = mech.clone();
    unknown_fp["focal_points"] = json!(["no-such-focal-point"]);
    let (st, _) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/mechanisms",
        Some(unknown_fp),
    )
    .await;
    assert_eq!(st, 422);
    let (st, list) = get(&s, &viewer, "/api/v1/transition/mechanisms?place=CD61").await;
    assert_eq!(st, 200, "{list}");
    let one = &list[0];
    assert_eq!(one["member_total"], 10);
    assert_eq!(one["support"], "gap");
    assert_eq!(one["functionality"], "not_assessed");
    assert_eq!(one["representativeness"]["absent"], json!(["minorities"]));
    assert_eq!(one["representativeness"]["groups"][0]["share"], 100.0);
    let assess = json!({"on": Utc::now().date_naive().to_string(), "note": "Réunions tenues",
        "scores": [{"criterion": "meets_regularly", "score": 3}, {"criterion": "raises_alerts", "score": 2}]});
    let (st, m2) = call(
        &s,
        &coord,
        Method::POST,
        &format!("/api/v1/transition/mechanisms/{mech_id}/assessments"),
        Some(assess),
    )
    .await;
    assert_eq!(st, 200, "{m2}");
    assert_eq!(m2["version"], 2);
    assert_eq!(m2["assessments"][0]["by"], "coord");
    // A change decided on the first version is refused; on the second it lands.
    let mut change = mech.clone();
    change["id"] = json!(mech_id);
    change["version"] = json!(1);
    change["supporters_after"] = json!(["Diocèse"]);
    let (st, _) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/mechanisms",
        Some(change.clone()),
    )
    .await;
    assert_eq!(st, 409);
    change["version"] = json!(2);
    let (st, m3) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/mechanisms",
        Some(change),
    )
    .await;
    assert_eq!(st, 200, "{m3}");
    assert_eq!(
        m3["assessments"].as_array().map(Vec::len),
        Some(1),
        "assessments kept"
    );
    let (_, list) = get(&s, &viewer, "/api/v1/transition/mechanisms?place=CD6111").await;
    assert_eq!(list[0]["support"], "covered", "{list}");
    assert_eq!(list[0]["functionality"], "functional");

    // The roster: Rutshuru's base closes on 2027-03-31; one contract ends before.
    let (_, w) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/withdrawals",
        Some(json!({"mission": "MONUSCO"})),
    )
    .await;
    let wid = w["id"].as_str().expect("id").to_string();
    let closure = json!({"base": "Rutshuru", "closes_on": "2027-03-31", "places": ["CD6111"],
        "capacities": ["early_warning"]});
    let (st, _) = call(
        &s,
        &coord,
        Method::POST,
        &format!("/api/v1/transition/withdrawals/{wid}/closures"),
        Some(closure),
    )
    .await;
    assert_eq!(st, 200);
    for (name, sex, ends) in [
        ("CLA Kiwanja", "female", "2026-12-31"),
        ("CLA Rutshuru", "male", "2027-06-30"),
    ] {
        let staff = json!({"name": name, "role": "liaison_assistant", "sex": sex,
            "languages": ["fr", "sw", "kinyarwanda"], "places": ["CD6111"], "contract_ends_on": ends});
        let (st, m) = call(
            &s,
            &coord,
            Method::POST,
            "/api/v1/transition/staff",
            Some(staff),
        )
        .await;
        assert_eq!(st, 200, "{m}");
    }
    let (st, _) = get(&s, &viewer, "/api/v1/transition/staff").await;
    assert_eq!(st, 403, "the roster's rows are for planners");
    let (st, roster) = get(&s, &viewer, "/api/v1/transition/roster?place=CD6111-V001").await;
    assert_eq!(st, 200, "{roster}");
    assert_eq!(
        (
            &roster["staff"],
            &roster["liaison"],
            &roster["women_liaison"],
            &roster["ending_before_handover"]
        ),
        (&json!(2), &json!(2), &json!(1), &json!(1)),
        "{roster}"
    );
    assert_eq!(roster["handover_on"], "2027-03-31");

    // Knowledge notes: planners write, analysts read and search, viewers do not.
    let note = json!({"note_kind": "past_response", "title": "Patrouilles de nuit à Kiwanja",
        "places": ["CD6111"], "tried": "Patrouilles conjointes de nuit", "outcome": "partly",
        "why": "Les attaques se sont déplacées vers les champs"});
    let (st, n) = call(
        &s,
        &coord,
        Method::POST,
        "/api/v1/transition/notes",
        Some(note),
    )
    .await;
    assert_eq!(st, 200, "{n}");
    let (st, _) = get(&s, &viewer, "/api/v1/transition/notes").await;
    assert_eq!(st, 403);
    let (st, found) = get(
        &s,
        &analyst,
        "/api/v1/transition/notes?q=PATROUILLES%20champs&place=CD61",
    )
    .await;
    assert_eq!(st, 200, "{found}");
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    let (_, none) = get(&s, &analyst, "/api/v1/transition/notes?place=CD54").await;
    assert_eq!(none, json!([]));
    let (st, _) = call(
        &s,
        &analyst,
        Method::POST,
        "/api/v1/transition/notes",
        Some(json!({"note_kind": "other", "title": "x", "body": "y"})),
    )
    .await;
    assert_eq!(st, 403);

    // The API document lists the new routes.
    let (_, doc) = get(&s, &viewer, "/api/openapi.json").await;
    for path in [
        "/api/v1/transition/benchmarks",
        "/api/v1/transition/mechanisms",
        "/api/v1/transition/indicator-values",
        "/api/v1/transition/roster",
        "/api/v1/transition/notes",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }

    // An indicator with values cannot go; a value can.
    let version = |v: &Value| v["version"].as_u64().unwrap_or_default();
    let (st, _) = call(
        &s,
        &coord,
        Method::DELETE,
        &format!(
            "/api/v1/transition/indicators/{mid}?version={}",
            version(&manual)
        ),
        None,
    )
    .await;
    assert_eq!(st, 422);
    let (st, _) = call(
        &s,
        &coord,
        Method::DELETE,
        &format!(
            "/api/v1/transition/indicator-values/{}?version=1",
            v2["id"].as_str().unwrap_or_default()
        ),
        None,
    )
    .await;
    assert_eq!(st, 204);

    // The ledger rebuilds the table; a row edited behind Kinga's back is found.
    let (passed, said) = s.verify();
    assert!(passed, "verify: {said}");
    let sql = "UPDATE transition_records SET place = 'CD54' WHERE kind = 'mechanism'";
    assert_eq!(s.sql(sql, sql).await, 1);
    let (passed, said) = s.verify();
    assert!(!passed);
    assert!(said.contains("transition_records"), "{said}");
}
on_both_stores!(transition_records, super::records_story);
