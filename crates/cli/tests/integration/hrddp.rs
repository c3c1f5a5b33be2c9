//! Human Rights Due Diligence screening and GBVIMS aggregates through the real binary on both
//! stores: a unit's record counts verified cases apart from allegations, only over incidents
//! the reader may see; the rating follows the documented rule; a screening drawn from CRSV
//! cases is invisible to a reader without the grant; `kinga verify` rebuilds the screenings
//! and the GBVIMS imports; GBVIMS figures sit beside the CRSV pairs with small counts hidden.

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::{Backend, Server, call};
use crate::on_both_stores;

fn by_unit(day: &str, compartment: &str, violation: &str, unit: &str) -> Value {
    json!({
        "occurred_on": day,
        "place": "CD6111-V001",
        "narrative": "Des militaires ont frappé les habitants",
        "compartment": compartment,
        "violations": [violation],
        "victims": [{"sex": "female", "age_group": "18-59"}],
        "perpetrators": [{"category": "state_forces", "actor": "FARDC", "unit": unit}],
        "sources": [{"kind": "witness", "reliability": "reliable"}]
    })
}

async fn record(s: &Server, token: &str, body: Value, verify: bool) -> String {
    let (st, i) = call(s, token, Method::POST, "/api/v1/incidents", Some(body)).await;
    assert_eq!(st, 201, "{i}");
    let id = i["id"].as_str().expect("id").to_string();
    if verify {
        for mv in [
            json!({"to": "under_verification"}),
            json!({"to": "verified", "method": "witness_interview", "sources": [0]}),
        ] {
            let path = format!("/api/v1/incidents/{id}/verification");
            let (st, a) = call(s, token, Method::POST, &path, Some(mv)).await;
            assert_eq!(st, 200, "{a}");
        }
    }
    id
}

async fn import(s: &Server, token: &str, body: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/gbvims/imports?provider=IRC", s.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body.to_string())
        .send()
        .await
        .expect("import");
    let st = r.status().as_u16();
    (st, r.json::<Value>().await.unwrap_or(Value::Null))
}

async fn screenings_count_what_the_reader_may_see(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    s.add_user("hro", "monitor", "hro-password-123");
    s.add_user("other", "monitor", "other-password-123");
    assert!(
        s.cli(&["user", "grant", "hro", "crsv"], None)
            .status
            .success()
    );
    let (hro, other) = (s.token_for("hro"), s.token_for("other"));
    let unit = "3411e régiment";
    record(
        &s,
        &hro,
        by_unit("2026-08-02", "general", "extortion", unit),
        true,
    )
    .await;
    record(
        &s,
        &hro,
        by_unit("2026-08-03", "general", "looting", unit),
        false,
    )
    .await;
    record(
        &s,
        &hro,
        by_unit("2026-08-04", "general", "looting", "12e bataillon"),
        true,
    )
    .await;
    record(&s, &hro, by_unit("2026-08-05", "crsv", "rape", unit), true).await;

    // The granted reader sees the verified rape: high. The other sees one verified
    // extortion and one allegation: medium, and nothing of the CRSV case.
    let q = "/api/v1/hrddp/record?unit=3411E%20R%C3%A9giment&actor=fardc";
    let (st, mine) = call(&s, &hro, Method::GET, q, None).await;
    assert_eq!(st, 200, "{mine}");
    assert_eq!(mine["risk"], "high");
    assert_eq!(mine["record"]["verified"], 2);
    assert_eq!(mine["record"]["allegations"], 1);
    let (_, theirs) = call(&s, &other, Method::GET, q, None).await;
    assert_eq!(theirs["risk"], "medium", "{theirs}");
    assert_eq!(theirs["record"]["verified"], 1);
    assert_eq!(
        theirs["record"]["incidents"].as_array().map(Vec::len),
        Some(2)
    );

    let draft = json!({"unit": unit, "actor": "FARDC", "support": "Rations pour une opération conjointe",
        "mitigation": ["Observateurs présents", "  "]});
    let (st, screening) = call(
        &s,
        &hro,
        Method::POST,
        "/api/v1/hrddp/screenings",
        Some(draft.clone()),
    )
    .await;
    assert_eq!(st, 201, "{screening}");
    assert_eq!(screening["risk"], "high");
    assert_eq!(screening["mitigation"], json!(["Observateurs présents"]));
    let id = screening["id"].as_str().expect("id").to_string();
    let (st, _) = call(
        &s,
        &hro,
        Method::GET,
        &format!("/api/v1/hrddp/screenings/{id}"),
        None,
    )
    .await;
    assert_eq!(st, 200);

    // Drawn from CRSV cases: to the ungranted reader it is like one that does not exist.
    let hidden = call(
        &s,
        &other,
        Method::GET,
        &format!("/api/v1/hrddp/screenings/{id}"),
        None,
    )
    .await;
    let missing = call(
        &s,
        &other,
        Method::GET,
        "/api/v1/hrddp/screenings/01J0000000000000000000000",
        None,
    )
    .await;
    assert_eq!(hidden.0, 404);
    assert_eq!(hidden, missing);
    let (_, list) = call(&s, &other, Method::GET, "/api/v1/hrddp/screenings", None).await;
    assert_eq!(list, json!([]));
    // The other's own screening is seen by both.
    let (st, own) = call(
        &s,
        &other,
        Method::POST,
        "/api/v1/hrddp/screenings",
        Some(draft),
    )
    .await;
    assert_eq!(st, 201, "{own}");
    assert_eq!(own["risk"], "medium");
    let (_, list) = call(&s, &hro, Method::GET, "/api/v1/hrddp/screenings", None).await;
    assert_eq!(list.as_array().map(Vec::len), Some(2));

    // GBVIMS: the ungranted monitor may not import; the granted one may.
    let csv = "month,place,gbv_type,survivor_sex,survivor_age,count\n\
               2026-08,CD6111,rape,female,18+,14\n\
               2026-08,CD6111,rape,female,12-17,6\n\
               2026-08,CD6111,rape,male,18+,2\n\
               2026-09,CD6111,physical_assault,female,18+,9\n";
    assert_eq!(import(&s, &other, csv).await.0, 403);
    let (st, bad) = import(
        &s,
        &hro,
        "month,place,gbv_type,survivor_sex,survivor_age,count\n2026-08,CD6111,arson,female,18+,1\n",
    )
    .await;
    assert_eq!(st, 422, "{bad}");
    let (st, ok) = import(&s, &hro, csv).await;
    assert_eq!(st, 201, "{ok}");
    assert_eq!(ok["rows"], 4);
    let (st, g) = call(
        &s,
        &hro,
        Method::GET,
        "/api/v1/reports/gbvims?period=2026-Q3",
        None,
    )
    .await;
    assert_eq!(st, 200, "{g}");
    let rape = &g["lines"][0];
    assert_eq!(rape["gbv_type"], "rape");
    assert_eq!(rape["services"], 22);
    assert_eq!(
        rape["by_sex"],
        json!(["<5", "<5", 0]),
        "male 2 hidden, female with it"
    );
    assert_eq!(rape["crsv_violation"], "rape");
    assert_eq!(
        rape["crsv"]["verified"], "<5",
        "one verified CRSV rape, hidden"
    );
    assert_eq!(g["total"], 31);
    // The ungranted reader sees the services' figures, and CRSV counts without the CRSV
    // compartment.
    let (_, g2) = call(
        &s,
        &other,
        Method::GET,
        "/api/v1/reports/gbvims?period=2026-Q3",
        None,
    )
    .await;
    assert_eq!(g2["lines"][0]["crsv"]["verified"], 0);
    assert_eq!(g2["compartments"], json!(["general"]));

    let (ok, out) = s.verify();
    assert!(ok, "{out}");
}

on_both_stores!(
    hrddp_and_gbvims,
    super::screenings_count_what_the_reader_may_see
);
