//! The map page, its data routes through the session cookie, the risk section, the charts of
//! the reports page and the printable briefing, by role.

use super::*;

#[tokio::test]
async fn the_map_draws_areas_filters_by_get_and_shows_risk_to_coordinators() {
    let w = world().await;
    for i in 0..3 {
        new_alert(
            &w,
            &format!("Hommes armés à Kiwanja {i}"),
            Some("Kiwanja"),
            None,
        )
        .await;
    }
    new_alert(&w, "Hommes armés à Minova", Some("Minova"), None).await;
    let c = sign_in(&w, "coord").await;
    let req = Request::get("/map")
        .header(header::COOKIE, &c.cookie)
        .body(Body::empty())
        .expect("request");
    let r = send(&w, req).await;
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let html = body(r).await;
    assert_eq!(html.matches("<path d=\"M").count(), 64, "every area drawn");
    // Every place of this world lies at 29.4 E 1.3 S, in Nord-Kivu.
    assert!(
        html.contains(r#"data-code="CD-NK" data-name="Nord-Kivu" data-count="4""#),
        "{html}"
    );
    assert!(html.contains("id=\"nav-map\"") && html.contains("id=\"map-areas\""));
    assert!(html.contains("/static/leaflet-1.9.4/leaflet.js") && html.contains("/static/map-"));
    assert!(html.contains("id=\"risk-table\"") && html.contains("id=\"m-colour\""));
    // The GET form's filters: another threat type finds nothing.
    let (_, html) = get(&w, &c, "/map?days=7&back=0&threat_type=killing&state=").await;
    assert!(html.contains(r#"data-code="CD-NK" data-name="Nord-Kivu" data-count="0""#));
    assert!(html.contains("id=\"map-empty\""));
    assert!(html.contains(r#"<option value="killing" selected>"#));
    // Coloured by risk, sorted by vulnerability.
    let (_, html) = get(&w, &c, "/map?colour=risk&risk_sort=vulnerability").await;
    assert!(html.contains(r#"<option value="risk" selected>"#));
    assert!(
        html.contains("<strong aria-current=\"true\">vulnerability</strong>"),
        "{html}"
    );

    // The page's script reads the map data with the session cookie.
    let (st, json) = get(&w, &c, "/api/v1/map/summary?threat_type=armed_presence").await;
    assert_eq!(st, StatusCode::OK, "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["total"], 4);
    let (st, json) = get(&w, &c, "/api/v1/map/alerts?limit=2").await;
    assert_eq!(st, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        (
            v["items"].as_array().map(Vec::len),
            v["next_offset"].as_u64()
        ),
        (Some(2), Some(2))
    );

    // A viewer reads the map but not the risk index, the reports nor the briefing.
    let v = sign_in(&w, "viewer").await;
    let (st, html) = get(&w, &v, "/map").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains(r#"data-count="4""#) && !html.contains("id=\"risk-table\""));
    for path in ["/briefing", "/reports"] {
        let (st, _) = get(&w, &v, path).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{path}");
    }
    let (st, _) = get(&w, &v, "/api/v1/reports/risk").await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "the risk API takes tokens only"
    );

    // The reports page draws its charts; the briefing is a document without forms.
    let (_, html) = get(&w, &c, "/reports").await;
    assert!(html.contains("id=\"chart-weekly\"") && html.contains("id=\"chart-monthly\""));
    assert!(html.contains("id=\"briefing-link\""));
    let (st, html) = get(&w, &c, "/briefing").await;
    assert_eq!(st, StatusCode::OK);
    assert!(!html.contains("<form") && !html.contains("<script") && !html.contains("<header>"));
    assert!(html.contains("id=\"br-risk-table\"") && html.contains("Rutshuru"));
    assert!(html.contains("id=\"chart-weekly\"") && html.contains("<path d=\"M"));
    let year = chrono::Utc::now().format("%Y").to_string();
    let period = html
        .split("id=\"br-period\"")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .unwrap_or("");
    assert!(
        period.matches(year.as_str()).count() >= 3,
        "every date has its year: {period}"
    );
}

#[tokio::test]
async fn leaflet_and_the_maps_script_are_served_for_a_year() {
    let w = world().await;
    for path in [
        "/static/leaflet-1.9.4/leaflet.js".to_string(),
        "/static/leaflet-1.9.4/leaflet.css".to_string(),
        "/static/leaflet-1.9.4/images/layers.png".to_string(),
        super::super::assets::map_js_path(),
    ] {
        let r = send(
            &w,
            Request::get(path.as_str())
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let cache = r
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert_eq!(cache, "public, max-age=31536000, immutable", "{path}");
    }
    let r = send(
        &w,
        Request::get("/static/map-0.js")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
