//! Incidents on the map and in exports, through the real binary on both stores: a reader
//! gets the rows of the compartments granted to them and only counts per territory of the
//! others, counts below the suppression threshold hidden; an ungranted user gets no id, no
//! date, no violation, no perpetrator of a record. libhxl reads the CSV and finds the
//! hashtags; the GeoJSON parses as a FeatureCollection.

use reqwest::Method;
use serde_json::{Value, json};

use crate::exports::{python, read_with_python};
use crate::harness::{Backend, Server, call};
use crate::on_both_stores;

fn cli_ok(s: &Server, args: &[&str]) {
    let out = s.cli(args, None);
    assert!(
        out.status.success(),
        "kinga {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn crsv(place: &str, day: &str) -> Value {
    json!({
        "occurred_on": day, "place": place, "narrative": "Récit confidentiel",
        "compartment": "crsv", "violations": ["rape"],
        "victims": [{"sex": "female", "age_group": "18-59", "name": "Neema Bahati Kavira"}],
        "perpetrators": [{"category": "armed_group", "actor": "Zebra Brigade"}],
        "sources": [{"kind": "victim", "reliability": "reliable"}]
    })
}

async fn text(s: &Server, token: &str, path: &str) -> (u16, String) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", s.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let st = r.status().as_u16();
    (st, r.text().await.unwrap_or_default())
}

fn kinds(fc: &Value) -> Vec<String> {
    let mut k: Vec<String> = fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|f| f["properties"]["kind"].as_str().map(String::from))
        .collect();
    k.sort();
    k
}

async fn incidents_leave_their_compartments_only_as_counts(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    s.add_user("hro", "monitor", "hro-password-123");
    s.add_user("ana", "analyst", "ana-password-123");
    s.add_user("eve", "analyst", "eve-password-123");
    cli_ok(&s, &["user", "grant", "hro", "crsv"]);
    cli_ok(&s, &["user", "grant", "hro", "general"]);
    cli_ok(&s, &["user", "grant", "ana", "general"]);
    let (hro, ana, eve) = (s.token_for("hro"), s.token_for("ana"), s.token_for("eve"));
    // Six CRSV incidents in Rutshuru territory (CD6111), two in Masisi (CD6103), one general
    // incident in Rutshuru.
    let mut crsv_ids = Vec::new();
    for i in 0..8 {
        let place = if i < 6 { "CD6111-V001" } else { "CD6103" };
        let (st, inc) = call(
            &s,
            &hro,
            Method::POST,
            "/api/v1/incidents",
            Some(crsv(place, "2026-09-14")),
        )
        .await;
        assert_eq!(st, 201, "{inc}");
        crsv_ids.push(inc["id"].as_str().expect("id").to_string());
    }
    let general = json!({"occurred_on": "2026-09-20", "place": "CD6111", "narrative": "Maisons brûlées",
        "compartment": "general", "violations": ["destruction_of_property"],
        "victims": [{"sex": "unknown", "age_group": "unknown"}],
        "perpetrators": [{"category": "unidentified"}], "sources": [{"kind": "community", "reliability": "usually_reliable"}]});
    let (st, g) = call(&s, &hro, Method::POST, "/api/v1/incidents", Some(general)).await;
    assert_eq!(st, 201, "{g}");
    let general_id = g["id"].as_str().expect("id").to_string();

    // Ana sees the general compartment: its incident as a record; CRSV as counts per
    // territory, Masisi's two hidden.
    let (st, fc) = call(
        &s,
        &ana,
        Method::GET,
        "/api/v1/exports/incidents.geojson",
        None,
    )
    .await;
    assert_eq!(st, 200, "{fc}");
    assert_eq!(kinds(&fc), vec!["aggregate", "aggregate", "record"]);
    let feats = fc["features"].as_array().expect("features");
    let rec = feats
        .iter()
        .find(|f| f["properties"]["kind"] == "record")
        .expect("record");
    assert_eq!(rec["properties"]["id"], general_id.as_str());
    let agg = |code: &str| {
        feats
            .iter()
            .find(|f| {
                f["properties"]["kind"] == "aggregate" && f["properties"]["place_code"] == code
            })
            .unwrap_or_else(|| panic!("no count for {code}: {fc}"))
            .clone()
    };
    assert_eq!(agg("CD6111")["properties"]["incidents"], 6);
    assert_eq!(agg("CD6103")["properties"]["incidents"], Value::Null);
    assert_eq!(agg("CD6103")["properties"]["suppressed"], true);

    // Eve, granted nothing beyond the general compartment every reader of incidents sees:
    // the general incident, and nothing of a CRSV record anywhere in the files or on the map.
    let (st, csv) = text(&s, &eve, "/api/v1/exports/incidents.csv").await;
    assert_eq!(st, 200, "{csv}");
    let (st, gj) = text(&s, &eve, "/api/v1/exports/incidents.geojson").await;
    assert_eq!(st, 200);
    let (st, map) = text(&s, &eve, "/api/v1/map/incidents").await;
    assert_eq!(st, 200);
    for body in [&csv, &gj, &map] {
        for id in &crsv_ids {
            assert!(!body.contains(id.as_str()), "an incident id leaked: {body}");
        }
        for word in ["Zebra", "rape", "Neema", "2026-09-14"] {
            assert!(!body.contains(word), "{word} leaked: {body}");
        }
    }
    let map: Value = serde_json::from_str(&map).expect("json");
    assert_eq!(kinds(&map), vec!["aggregate", "aggregate", "record"]);

    // Hro reads both compartments on the map, but may not export (a monitor's role).
    let (st, m) = call(
        &s,
        &hro,
        Method::GET,
        "/api/v1/map/incidents?actor=zebra",
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(kinds(&m).iter().filter(|k| *k == "record").count(), 8);
    let (st, _) = text(&s, &hro, "/api/v1/exports/incidents.csv").await;
    assert_eq!(st, 403);
    let (st, _) = text(
        &s,
        &ana,
        "/api/v1/exports/incidents.csv?from=2026-10-01&to=2026-09-01",
    )
    .await;
    assert_eq!(st, 422);

    // The ecosystem's tools read the files.
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let (_, ana_csv) = text(&s, &ana, "/api/v1/exports/incidents.csv").await;
    let path = dir.path().join("incidents.csv");
    std::fs::write(&path, &ana_csv).expect("write");
    let hxl = read_with_python(&py, "csv", &path);
    assert_eq!(hxl["rows"], 3, "{hxl}");
    let tags: Vec<&str> = hxl["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for t in [
        "#meta",
        "#date",
        "#adm1",
        "#adm2",
        "#loc",
        "#geo",
        "#event",
        "#status",
        "#affected",
        "#indicator",
    ] {
        assert!(tags.contains(&t), "{t} not found by libhxl: {tags:?}");
    }
    let path = dir.path().join("incidents.geojson");
    std::fs::write(&path, gj).expect("write");
    let g = read_with_python(&py, "incidents-geojson", &path);
    assert_eq!(
        (g["type"].as_str(), g["valid"].as_bool()),
        (Some("FeatureCollection"), Some(true)),
        "{g}"
    );
    // Eve's file: the general incident and the two territories' counts.
    assert_eq!(g["features"], 3);
}
on_both_stores!(
    incidents_leave_their_compartments_only_as_counts,
    super::incidents_leave_their_compartments_only_as_counts
);
