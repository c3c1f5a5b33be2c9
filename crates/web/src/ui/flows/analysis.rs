//! The queue's downloads and the reports page, by role.

use super::*;

#[tokio::test]
async fn a_cla_downloads_the_queues_alerts_and_a_viewer_may_not() {
    let w = world().await;
    new_alert(
        &w,
        "Hommes armés à Kiwanja",
        Some("Kiwanja"),
        Some("+243990001001"),
    )
    .await;
    let b = sign_in(&w, "cla").await;
    let (_, html) = get(&w, &b, "/alerts").await;
    assert!(html.contains("id=\"export-csv\"") && html.contains("id=\"export-xlsx\""));
    // The link carries the queue's filters.
    let (_, html) = get(&w, &b, "/alerts?threat=killing&state=all").await;
    assert!(
        html.contains("/alerts/export.csv?threat=killing&amp;state=all"),
        "{html}"
    );
    let (st, csv) = get(&w, &b, "/alerts/export.csv").await;
    assert_eq!(st, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with("#meta+id,#meta+ref,#date+reported"));
    assert!(lines[2].contains("CD6102-S1") && lines[2].contains("armed_presence"));
    assert!(!csv.contains("990001001") && !csv.contains("Hommes"));
    let (_, csv) = get(&w, &b, "/alerts/export.csv?threat=killing&state=all").await;
    assert_eq!(csv.lines().count(), 2, "the filters apply: {csv}");
    let (st, gj) = get(&w, &b, "/alerts/export.geojson?area=CD6102").await;
    assert_eq!(st, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&gj).expect("geojson is JSON");
    assert_eq!(v["type"], "FeatureCollection");
    assert_eq!(v["features"].as_array().map(Vec::len), Some(1));
    // CLAs export but do not read reports.
    let (st, _) = get(&w, &b, "/reports").await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    let v = sign_in(&w, "viewer").await;
    let (_, html) = get(&w, &v, "/alerts").await;
    assert!(!html.contains("id=\"export-csv\"") && !html.contains("id=\"nav-reports\""));
    for path in ["/alerts/export.csv", "/alerts/export.xlsx", "/reports"] {
        let (st, _) = get(&w, &v, path).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn an_analyst_reads_the_response_indicators_in_french() {
    let w = world().await;
    w.app
        .add_user(
            &Caller::system(),
            "ana",
            "Ana",
            Role::Analyst,
            "fr",
            PASSWORD,
        )
        .await
        .expect("analyst");
    new_alert(&w, "Hommes armés à Kiwanja", Some("Kiwanja"), None).await;
    new_alert(&w, "Quelque chose quelque part", None, None).await;
    let b = sign_in(&w, "ana").await;
    let (st, html) = get(&w, &b, "/reports").await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"nav-reports\" aria-current=\"page\""));
    assert!(html.contains("Indicateurs de réponse") && html.contains("id=\"rp-steps\""));
    assert!(html.contains("<dd id=\"rp-received\">2</dd>"), "{html}");
    assert!(html.contains("<dd id=\"rp-unplaced\">1</dd>"), "{html}");
    assert!(
        html.contains("Rutshuru") && html.contains("id=\"sp-none\""),
        "{html}"
    );
    // No script is needed and nothing scrolls sideways: tables become cards on a phone.
    assert!(html.contains("data-l=\"Dans le délai\""));
    let (st, html) = get(&w, &b, "/reports?from=2026-13-01&to=x").await;
    assert_eq!(
        st,
        StatusCode::OK,
        "odd dates fall back to the default period: {html}"
    );
}
