//! The MRM/MARA table through the real binary on both stores: allegations and verified cases
//! apart, by violation, sex, age group and perpetrator; only the compartments the reader may
//! see are counted (a user without the CRSV grant sees figures that do not move when CRSV
//! incidents are recorded or verified); small sensitive counts read "<5"; the CSV carries HXL
//! hashtags that libhxl reads; the printable page shows the same table.

use reqwest::Method;
use serde_json::{Value, json};

use crate::exports::{python, read_with_python};
use crate::harness::{Backend, Server, call};
use crate::on_both_stores;

fn rape(day: u32, age: &str) -> Value {
    json!({
        "occurred_on": format!("2026-08-{day:02}"),
        "place": "CD6111-V001",
        "narrative": "Agression la nuit au champ",
        "compartment": "crsv",
        "violations": ["rape"],
        "victims": [{"sex": "female", "age_group": age}],
        "perpetrators": [{"category": "armed_group", "actor": "Zebra Brigade"}],
        "sources": [{"kind": "victim", "reliability": "reliable"}]
    })
}

fn row<'a>(report: &'a Value, violation: &str) -> Option<&'a Value> {
    report["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["violation"] == violation))
}

async fn the_mrm_table_counts_only_what_the_reader_may_see(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    s.add_user("hro", "monitor", "hro-password-123");
    s.add_user("ana", "analyst", "ana-password-123");
    let out = s.cli(&["user", "grant", "hro", "crsv"], None);
    assert!(out.status.success(), "{out:?}");
    let (hro, ana) = (s.token_for("hro"), s.token_for("ana"));

    // Two general incidents in the quarter, one outside it.
    for (day, state_to) in [
        ("2026-07-03", None),
        ("2026-09-30", Some("under_verification")),
        ("2026-10-01", None),
    ] {
        let (st, i) = call(&s, &hro, Method::POST, "/api/v1/incidents", Some(json!({
            "occurred_on": day, "place": "CD6111", "narrative": "Maisons brûlées au marché",
            "compartment": "general", "violations": ["destruction_of_property", "looting"],
            "victims": [{"sex": "male", "age_group": "60+"}, {"sex": "unknown", "age_group": "unknown"}]
        }))).await;
        assert_eq!(st, 201, "{i}");
        if let Some(to) = state_to {
            let id = i["id"].as_str().expect("id");
            let (st, _) = call(
                &s,
                &hro,
                Method::POST,
                &format!("/api/v1/incidents/{id}/verification"),
                Some(json!({"to": to})),
            )
            .await;
            assert_eq!(st, 200);
        }
    }
    let (st, before) = call(
        &s,
        &ana,
        Method::GET,
        "/api/v1/reports/mrm?period=2026-Q3",
        None,
    )
    .await;
    assert_eq!(st, 200, "{before}");
    assert_eq!(before["period"], "2026-Q3");
    assert_eq!(before["compartments"], json!(["general"]));
    assert_eq!(
        before["totals"],
        json!({"allegations": 2, "verified": 0, "dismissed": 0})
    );
    let d = row(&before, "destruction_of_property").expect("row");
    assert_eq!(d["incidents"], json!({"allegations": 2, "verified": 0}));
    assert_eq!(d["victims"], json!({"allegations": 4, "verified": 0}));
    // female, male, unknown
    assert_eq!(d["by_sex"][1], json!({"allegations": 2, "verified": 0}));
    assert_eq!(d["by_sex"][2], json!({"allegations": 2, "verified": 0}));
    // 60+ and unknown age; no perpetrator recorded counts as unidentified.
    assert_eq!(d["by_age"][4], json!({"allegations": 2, "verified": 0}));
    assert_eq!(
        d["by_perpetrator"][5],
        json!({"allegations": 2, "verified": 0})
    );
    assert!(row(&before, "rape").is_none());
    assert_eq!(before["suppressed"], false);

    // Six CRSV allegations, one of them verified late: ana's figures do not move.
    let mut ids = Vec::new();
    for (day, age) in [
        (1, "18-59"),
        (2, "18-59"),
        (3, "12-17"),
        (4, "18-59"),
        (5, "18-59"),
        (6, "18-59"),
    ] {
        let (st, i) = call(
            &s,
            &hro,
            Method::POST,
            "/api/v1/incidents",
            Some(rape(day, age)),
        )
        .await;
        assert_eq!(st, 201, "{i}");
        ids.push(i["id"].as_str().expect("id").to_string());
    }
    for (to, extra) in [
        ("under_verification", json!({})),
        (
            "verified",
            json!({"method": "victim_interview", "sources": [0], "verified_on": "2026-11-02"}),
        ),
    ] {
        let mut body = json!({"to": to});
        body.as_object_mut()
            .expect("object")
            .extend(extra.as_object().cloned().unwrap_or_default());
        let (st, r) = call(
            &s,
            &hro,
            Method::POST,
            &format!("/api/v1/incidents/{}/verification", ids[0]),
            Some(body),
        )
        .await;
        assert_eq!(st, 200, "{r}");
    }
    let (_, after) = call(
        &s,
        &ana,
        Method::GET,
        "/api/v1/reports/mrm?period=2026-Q3",
        None,
    )
    .await;
    assert_eq!(
        after, before,
        "a reader without the CRSV grant sees the same table"
    );
    let (_, ana_csv) = fetch_text(&s, &ana, "/api/v1/reports/mrm.csv?period=2026-Q3").await;
    assert!(!ana_csv.contains("rape"));

    // hro sees CRSV: five allegations shown, one verified hidden; the verified case counts
    // in the quarter of the incident, not of its verification.
    let (_, r) = call(
        &s,
        &hro,
        Method::GET,
        "/api/v1/reports/mrm?period=2026-Q3",
        None,
    )
    .await;
    assert_eq!(r["compartments"], json!(["general", "crsv"]));
    assert_eq!(
        r["totals"],
        json!({"allegations": 7, "verified": "<5", "dismissed": 0})
    );
    assert_eq!(r["suppressed"], true);
    let rp = row(&r, "rape").expect("rape row");
    assert_eq!(rp["taxonomy"], "crsv");
    assert_eq!(rp["incidents"], json!({"allegations": 5, "verified": "<5"}));
    assert_eq!(rp["by_sex"][0], json!({"allegations": 5, "verified": "<5"}));
    // 12-17: one girl; 18-59: four women: both under five, hidden.
    assert_eq!(rp["by_age"][2], json!({"allegations": "<5", "verified": 0}));
    assert_eq!(
        rp["by_age"][3],
        json!({"allegations": "<5", "verified": "<5"})
    );
    assert_eq!(
        rp["by_perpetrator"][4],
        json!({"allegations": 5, "verified": "<5"})
    );
    // The general rows are the same as ana's.
    assert_eq!(row(&r, "looting"), row(&before, "looting"));
    let (_, q4) = call(
        &s,
        &hro,
        Method::GET,
        "/api/v1/reports/mrm?period=2026-Q4",
        None,
    )
    .await;
    assert_eq!(
        q4["totals"],
        json!({"allegations": 1, "verified": 0, "dismissed": 0})
    );
    let (st, bad) = call(
        &s,
        &hro,
        Method::GET,
        "/api/v1/reports/mrm?period=2026-Q5",
        None,
    )
    .await;
    assert_eq!(st, 422, "{bad}");

    // The CSV: headers, hashtags, two rows per violation, read by libhxl.
    let (st, csv) = fetch_text(&s, &hro, "/api/v1/reports/mrm.csv?period=2026-Q3").await;
    assert_eq!(st, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("period,taxonomy,violation,status,incidents,victims"));
    assert!(lines[1].starts_with("#date+period,"));
    assert_eq!(
        lines.len(),
        2 + 2 * 3,
        "looting, destruction, rape: allegation and verified rows"
    );
    assert!(lines.contains(&"2026-Q3,crsv,rape,verified,<5,<5,<5,0,0,0,0,0,<5,0,0,0,0,0,0,<5,0"));
    if let Some(py) = python() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("mrm.csv");
        std::fs::write(&file, &csv).expect("write");
        let read = read_with_python(&py, "csv", &file);
        assert_eq!(read["rows"], 6);
        let tags = read["display_tags"].as_array().expect("tags");
        for t in [
            "#affected+f+num",
            "#affected+age12_17+num",
            "#indicator+incidents+perp_armed_group+num",
            "#status+verification",
        ] {
            assert!(tags.iter().any(|x| x == t), "{t} in {tags:?}");
        }
    }
}
on_both_stores!(
    mrm_table,
    super::the_mrm_table_counts_only_what_the_reader_may_see
);

async fn fetch_text(s: &Server, token: &str, path: &str) -> (u16, String) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", s.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let st = r.status().as_u16();
    (st, r.text().await.unwrap_or_default())
}
