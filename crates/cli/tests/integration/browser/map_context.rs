//! An analyst opens the map (1366 px, then 360 px) after UCDP GED and ACLED files were
//! imported and the mission's withdrawal plan closed one base and is closing another: the
//! context events are purple diamonds of their own layer (in the server's SVG and on
//! Leaflet), the bases squares (filled: closed), the alert counts unchanged; the actor filter
//! narrows the context events without a reload; every request stays on Kinga's server.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::json;

use super::map::{nothing_from_elsewhere, wait_for};
use super::{at_width, browser, click, fits, screenshot, sign_in, text_of, type_into};
use crate::context::{import, recent};
use crate::harness::{Backend, Server, call};

async fn count(c: &Client, css: &str) -> usize {
    c.find_all(Locator::Css(css)).await.map_or(0, |v| v.len())
}

async fn count_becomes(c: &Client, css: &str, want: usize) {
    for _ in 0..100 {
        if count(c, css).await == want {
            return;
        }
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    panic!("{css}: {} elements, not {want}", count(c, css).await);
}

async fn the_map_shows_context_and_bases(c: &Client, s: &Server, width: u32) {
    at_width(c, width).await;
    c.goto(&format!("{}/map", s.base))
        .await
        .expect("open the map");
    wait_for(c, "#map-svg", "the map page").await;
    // The server's drawing holds them (the page without script shows them too).
    assert_eq!(count(c, "#map-svg path.ctx").await, 6);
    assert_eq!(count(c, "#map-svg rect.base.closed").await, 1);
    assert_eq!(count(c, "#map-svg rect.base").await, 2);
    assert!(text_of(c, "#map-context-sets").await.contains("CC BY 4.0"));
    assert!(text_of(c, "#map-bases").await.contains("Rutshuru"));
    // Leaflet's layers: six diamonds, two squares (one filled), the alert alone counted.
    wait_for(c, "#map-live[data-context='6']", "the context layer").await;
    count_becomes(c, "#map-live .ctx-mk", 6).await;
    count_becomes(c, "#map-live .base-mk", 2).await;
    count_becomes(c, "#map-live .base-mk.closed", 1).await;
    wait_for(c, "#map-live[data-points='1']", "the one alert").await;
    assert_eq!(text_of(c, "#map-f-total").await.trim(), "1");
    nothing_from_elsewhere(c, &s.base).await;
    fits(c, &format!("the map with context at {width} px")).await;
    screenshot(c, &format!("map-context-{width}")).await;
}

async fn an_analyst_sees_context_events_and_bases_on_the_map(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let (st, _) = s
        .post(
            "/api/v1/alerts",
            json!({"text": "Hommes armés à Kiwanja", "place": "CD6111-V001", "threat_type": "armed_presence"}),
        )
        .await;
    assert_eq!(st, 201);
    for (format, name, file) in [
        ("ucdp-ged", "ged.csv", "ucdp-ged-sample.csv"),
        ("acled", "acled.csv", "acled-sample.csv"),
    ] {
        let out = import(&s, format, name, &recent(file, 2));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let admin = s.token.clone();
    let (st, w) = call(
        &s,
        &admin,
        Method::POST,
        "/api/v1/transition/withdrawals",
        Some(json!({"mission": "MONUSCO"})),
    )
    .await;
    assert_eq!(st, 200, "{w}");
    let wid = w["id"].as_str().expect("id").to_string();
    let today = Utc::now().date_naive();
    for (base, place, day) in [
        ("Rutshuru", "CD6111", today - Duration::days(10)),
        ("Kiwanja", "CD6111-V001", today + Duration::days(40)),
    ] {
        let closure = json!({"base": base, "place": place, "closes_on": day.to_string(),
            "places": ["CD6111"], "capacities": ["physical_protection"]});
        let (st, w) = call(
            &s,
            &admin,
            Method::POST,
            &format!("/api/v1/transition/withdrawals/{wid}/closures"),
            Some(closure),
        )
        .await;
        assert_eq!(st, 200, "{w}");
    }
    s.add_user("amani", "analyst", "amani-password-1");

    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };
    at_width(&c, 1366).await;
    sign_in(&c, &s.base, "amani", "amani-password-1").await;
    click(&c, "#nav-map").await;
    the_map_shows_context_and_bases(&c, &s, 1366).await;
    // The actor filter: only the ADF's attack remains, without a reload.
    type_into(&c, "#m-actor", "ADF").await;
    wait_for(&c, "#map-live[data-context='1']", "one context event left").await;
    count_becomes(&c, "#map-live .ctx-mk", 1).await;
    assert_eq!(
        text_of(&c, "#map-f-total").await.trim(),
        "1",
        "alerts unchanged"
    );
    screenshot(&c, "map-context-filtered").await;
    // The same filter through the form (the page's own drawing and table).
    click(&c, "#map-submit").await;
    wait_for(&c, "#map-svg", "the filtered page").await;
    count_becomes(&c, "#map-svg path.ctx", 1).await;
    assert!(text_of(&c, "#map-context").await.contains("ADF"));
    the_map_shows_context_and_bases(&c, &s, 360).await;
    c.close().await.ok();
}

crate::on_both_stores!(
    an_analyst_sees_context_events_and_bases_on_the_map,
    super::an_analyst_sees_context_events_and_bases_on_the_map
);
