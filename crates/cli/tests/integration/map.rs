//! The map's data routes: `/api/v1/map/alerts` (points, paged) and `/api/v1/map/summary`
//! (counts per first-level area, hotspots) take the alert list's filters and show each
//! person exactly the alerts their alert list shows; the `/map` page filters by a GET form
//! without JavaScript and serves Leaflet from the binary with long cache headers.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::harness::{Backend, Server};
use crate::on_both_stores;

async fn get(s: &Server, token: &str, path: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", s.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn alert(s: &Server, body: Value) -> String {
    let (st, a) = s.post("/api/v1/alerts", body).await;
    assert_eq!(st, 201, "{a}");
    a["id"].as_str().expect("id").to_string()
}

fn ids(v: &Value) -> BTreeSet<String> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|a| a["id"].as_str().map(String::from))
        .collect()
}

fn area<'a>(summary: &'a Value, code: &str) -> &'a Value {
    summary["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .find(|a| a["code"] == code)
        .unwrap_or_else(|| panic!("no area {code} in {summary}"))
}

async fn map_routes_filter_and_show_what_the_list_shows(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    // Armed men in Kiwanja (Rutshuru, Nord-Kivu) five times, looting in the other Kiwanja (Kalehe,
    // Sud-Kivu) twice, one alert nobody could place.
    let mut kiwanja = vec![];
    for i in 0..5 {
        kiwanja.push(
            alert(
                &s,
                json!({"text": format!("Hommes armés vus à Kiwanja {i}"), "place": "CD6111-V001",
                       "threat_type": "armed_presence", "severity": 3}),
            )
            .await,
        );
    }
    for i in 0..2 {
        alert(
            &s,
            json!({"text": format!("Pillage à Kiwanja de Kalehe {i}"), "place": "CD6205-V007",
                   "threat_type": "looting_extortion"}),
        )
        .await;
    }
    alert(
        &s,
        json!({"text": "quelque chose quelque part", "threat_type": "other"}),
    )
    .await;
    let admin = s.token.clone();

    let (st, sum) = get(&s, &admin, "/api/v1/map/summary?min_samples=3&eps_km=5").await;
    assert_eq!(st, 200, "{sum}");
    assert_eq!(
        (
            sum["total"].as_u64(),
            sum["located"].as_u64(),
            sum["unlocated"].as_u64()
        ),
        (Some(8), Some(7), Some(1))
    );
    assert_eq!(area(&sum, "CD-NK")["count"], 5);
    assert_eq!(area(&sum, "CD-NK")["pcode"], "CD61");
    assert_eq!(area(&sum, "CD-SK")["count"], 2);
    assert_eq!(area(&sum, "CF-BGF")["count"], 0);
    assert_eq!(
        area(&sum, "CD-NK")["class"],
        5,
        "the busiest area is in the top class"
    );
    assert_eq!(sum["areas"].as_array().map(Vec::len), Some(64));
    // Five alerts at one village make one hotspot; two in Kalehe are fewer than three.
    let hot = sum["hotspots"].as_array().expect("hotspots");
    assert_eq!(hot.len(), 1, "{sum}");
    assert_eq!(hot[0]["count"], 5);
    assert!(hot[0]["radius_km"].as_f64() >= Some(5.0));

    // The alert list's filters: a threat type, states, dates.
    let (_, looting) = get(
        &s,
        &admin,
        "/api/v1/map/summary?threat_type=looting_extortion",
    )
    .await;
    assert_eq!(
        (
            looting["total"].as_u64(),
            area(&looting, "CD-SK")["count"].as_u64(),
            area(&looting, "CD-NK")["count"].as_u64()
        ),
        (Some(2), Some(2), Some(0))
    );
    let (_, closed) = get(&s, &admin, "/api/v1/map/summary?state=closed").await;
    assert_eq!(closed["total"], 0);
    let (_, future) = get(&s, &admin, "/api/v1/map/summary?from=2999-01-01").await;
    assert_eq!(future["total"], 0);
    let (st, bad) = get(&s, &admin, "/api/v1/map/summary?eps_km=0").await;
    assert_eq!(st, 422, "{bad}");
    let (st, _) = get(&s, &admin, "/api/v1/map/summary?threat_type=dragons").await;
    assert_eq!(st, 422);

    // Points, paged: the unplaced alert is counted, not drawn.
    let (st, p1) = get(&s, &admin, "/api/v1/map/alerts?limit=3").await;
    assert_eq!(st, 200, "{p1}");
    assert_eq!(
        (p1["total"].as_u64(), p1["next_offset"].as_u64()),
        (Some(8), Some(3))
    );
    let mut seen = ids(&p1);
    let mut offset = p1["next_offset"].as_u64();
    let mut unlocated = p1["unlocated"].as_u64().unwrap_or(0);
    while let Some(o) = offset {
        let (_, p) = get(
            &s,
            &admin,
            &format!("/api/v1/map/alerts?limit=3&offset={o}"),
        )
        .await;
        seen.extend(ids(&p));
        unlocated += p["unlocated"].as_u64().unwrap_or(0);
        offset = p["next_offset"].as_u64();
    }
    assert_eq!((seen.len(), unlocated), (7, 1));
    let (_, armed) = get(&s, &admin, "/api/v1/map/alerts?threat_type=armed_presence").await;
    assert_eq!(ids(&armed), kiwanja.iter().cloned().collect());
    let first = &armed["items"][0];
    assert!(
        first["lat"]
            .as_f64()
            .is_some_and(|l| (-1.5..-1.0).contains(&l)),
        "{first}"
    );
    assert_eq!(
        (first["severity"].as_u64(), first["state"].as_str()),
        (Some(3), Some("received"))
    );

    // Each role sees on the map what its alert list shows: a viewer everything, a responder
    // (not linked to any responder here) only its assigned alerts: none.
    for (name, role) in [
        ("mapviewer", "viewer"),
        ("mapresponder", "responder"),
        ("mapanalyst", "analyst"),
    ] {
        s.add_user(name, role, &format!("{name}-password-7x!"));
        let token = s.token_for(name);
        let (st, list) = get(&s, &token, "/api/v1/alerts?limit=500").await;
        assert_eq!(st, 200, "{role}: {list}");
        let listed = ids(&list);
        let (st, pts) = get(&s, &token, "/api/v1/map/alerts").await;
        assert_eq!(st, 200, "{role}: {pts}");
        let mut shown = ids(&pts);
        let (_, sum) = get(&s, &token, "/api/v1/map/summary").await;
        assert_eq!(sum["total"].as_u64(), Some(listed.len() as u64), "{role}");
        // Drawn points are the listed alerts that have a position.
        shown.retain(|id| listed.contains(id));
        assert_eq!(
            shown.len() as u64,
            sum["located"].as_u64().unwrap_or(0),
            "{role}"
        );
        let expected = if role == "responder" { 0 } else { 8 };
        assert_eq!(listed.len(), expected, "{role}");
        let (st, _) = get(&s, &token, "/api/v1/reports/risk").await;
        assert_eq!(
            st,
            if role == "analyst" { 200 } else { 403 },
            "{role} and the risk index"
        );
    }
    // The risk index: Rutshuru (five covered alerts of severity 3) above Kalehe (two
    // uncovered), every component beside the score; for report readers only.
    let (st, risk) = get(&s, &admin, "/api/v1/reports/risk").await;
    assert_eq!(st, 200, "{risk}");
    let places = risk["places"].as_array().expect("places");
    assert_eq!(places.len(), 2, "{risk}");
    assert_eq!(
        (places[0]["area"].as_str(), places[0]["alerts"].as_u64()),
        (Some("CD6111"), Some(5))
    );
    assert_eq!(
        (
            places[0]["coverage"].as_f64(),
            places[0]["capacity"].as_f64()
        ),
        (Some(1.0), Some(0.75))
    );
    // T = 15 (today's weights are 1 within rounding): threat 1 − e^−1.5, score 100·0.777·½·0.625.
    assert!(
        (places[0]["score"].as_f64().unwrap_or(0.0) - 24.28).abs() < 0.05,
        "{risk}"
    );
    assert_eq!(
        (places[1]["area"].as_str(), places[1]["coverage"].as_f64()),
        (Some("CD6205"), Some(0.0))
    );
    assert_eq!(risk["window_days"], 90);
    let (st, _) = get(&s, &admin, "/api/v1/reports/risk?sort=nonsense").await;
    assert_eq!(st, 422);
    let (st, by_alerts) = get(&s, &admin, "/api/v1/reports/risk?sort=alerts").await;
    assert_eq!(
        (st, by_alerts["places"][0]["area"].as_str()),
        (200, Some("CD6111"))
    );

    // Without a token nor a session: 401.
    let r = reqwest::get(format!("{}/api/v1/map/summary", s.base))
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 401);

    // Leaflet from the binary, cached for a year; unknown files are 404.
    let r = reqwest::get(format!("{}/static/leaflet-1.9.4/leaflet.js", s.base))
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let cache = r
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        cache.contains("max-age=31536000") && cache.contains("immutable"),
        "{cache}"
    );
    assert!(r.text().await.unwrap_or_default().contains("1.9.4"));
    for missing in [
        "/static/leaflet-1.9.4/nope.js",
        "/static/map-000000000000.js",
    ] {
        let r = reqwest::get(format!("{}{missing}", s.base))
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 404, "{missing}");
    }
    // The OpenAPI document describes both routes.
    let (_, doc) = s.get("/api/openapi.json").await;
    assert!(doc["paths"]["/api/v1/map/alerts"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/map/summary"]["get"].is_object());
}

on_both_stores!(
    map_routes_filter_and_show_what_the_list_shows,
    super::map_routes_filter_and_show_what_the_list_shows
);
