//! An analyst opens the map at a desk (1366 px) and on a phone (360 px): the server's SVG
//! areas are there and Leaflet turns them into a map with alert points (the uncovered one
//! marked) and a hotspot, every request going to Kinga's own server; a filter changes the
//! counts. Without JavaScript, the same page filters through its GET form.

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::json;

use super::{at_width, browser, click, fits, screenshot, sign_in, text_of};
use crate::harness::{Backend, Server};

/// Wait until `css` matches an element.
pub(super) async fn wait_for(c: &Client, css: &str, what: &str) {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{what} ({css}): {e}"));
}

/// Wait until the text of `css` is `want`.
async fn text_becomes(c: &Client, css: &str, want: &str) {
    for _ in 0..100 {
        if text_of(c, css).await.trim() == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!(
        "{css} never read {want:?} (last {:?})",
        text_of(c, css).await
    );
}

/// Every resource the page loaded came from `origin`.
pub(super) async fn nothing_from_elsewhere(c: &Client, origin: &str) {
    let urls = c
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)\
             .concat(performance.getEntriesByType('navigation').map(e => e.name));",
            vec![],
        )
        .await
        .expect("performance entries");
    let urls: Vec<String> = urls
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|u| u.as_str().map(String::from))
        .collect();
    assert!(
        urls.iter()
            .any(|u| u.contains("/static/leaflet-1.9.4/leaflet.js")),
        "Leaflet was loaded from the server: {urls:?}"
    );
    assert!(
        urls.iter().any(|u| u.contains("/api/v1/map/alerts")),
        "{urls:?}"
    );
    let away: Vec<_> = urls
        .iter()
        .filter(|u| !u.starts_with(&format!("{origin}/")) && !u.starts_with("data:"))
        .collect();
    assert!(away.is_empty(), "requests left the server: {away:?}");
}

async fn the_map_at(c: &Client, s: &Server, width: u32) {
    at_width(c, width).await;
    c.goto(&format!("{}/map", s.base))
        .await
        .expect("open the map");
    // The server's drawing: all 64 first-level areas, Nord-Kivu with its 5 + 1 alerts.
    let areas = c
        .find_all(Locator::Css("#map-svg path[data-code]"))
        .await
        .expect("areas");
    assert_eq!(areas.len(), 64);
    wait_for(
        c,
        "#map-svg path[data-code='CD-NK'][data-count='6']",
        "Nord-Kivu's count",
    )
    .await;
    // Leaflet's layers: the areas, the points (the uncovered alert marked), the hotspot.
    wait_for(
        c,
        "#map-live.leaflet-container path.leaflet-interactive",
        "Leaflet's areas",
    )
    .await;
    wait_for(c, "#map-live[data-points='8']", "every located alert drawn").await;
    wait_for(c, "#map-live path.pt-unc", "the uncovered alert marked").await;
    wait_for(c, "#map-live path.hot", "the hotspot's circle").await;
    nothing_from_elsewhere(c, &s.base).await;
    fits(c, &format!("the map at {width} px")).await;
    screenshot(c, &format!("map-{width}")).await;
}

async fn an_analyst_reads_the_map_with_and_without_javascript(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    for i in 0..5 {
        let (st, _) = s
            .post("/api/v1/alerts", json!({"text": format!("Hommes armés à Kiwanja {i}"), "place": "CD6111-V001", "threat_type": "armed_presence"}))
            .await;
        assert_eq!(st, 201);
    }
    for i in 0..2 {
        let (st, _) = s
            .post("/api/v1/alerts", json!({"text": format!("Pillage {i}"), "place": "CD6205-V007", "threat_type": "looting_extortion"}))
            .await;
        assert_eq!(st, 201);
    }
    // Nobody covers Pinga (Walikale, Nord-Kivu).
    let (_, pinga) = s
        .post("/api/v1/alerts", json!({"text": "Attaque à Pinga", "place": "CD6104-V006", "threat_type": "attack_on_civilians"}))
        .await;
    assert_eq!(pinga["uncovered"], true, "{pinga}");
    s.add_user("amani", "analyst", "amani-password-1");

    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };
    at_width(&c, 1366).await;
    sign_in(&c, &s.base, "amani", "amani-password-1").await;
    click(&c, "#nav-map").await;
    wait_for(&c, "#map-svg", "the map page").await;
    the_map_at(&c, &s, 1366).await;
    // A filter changes the map without a reload: looting only.
    c.find(Locator::Css("#m-threat option[value='looting_extortion']"))
        .await
        .expect("option")
        .click()
        .await
        .expect("choose looting");
    text_becomes(&c, "#map-f-total", "2").await;
    wait_for(&c, "#map-live[data-points='2']", "two points left").await;
    screenshot(&c, "map-filtered").await;
    the_map_at(&c, &s, 360).await;
    c.close().await.ok();

    // Without JavaScript: the SVG, the table and the GET form do the work.
    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver2, c)) = no_script_browser(profile.path()).await else {
        return;
    };
    at_width(&c, 360).await;
    sign_in(&c, &s.base, "amani", "amani-password-1").await;
    c.goto(&format!("{}/map", s.base))
        .await
        .expect("open the map");
    text_becomes(&c, "#map-f-total", "8").await;
    assert!(
        c.find(Locator::Css("#map-live.leaflet-container"))
            .await
            .is_err(),
        "no script ran"
    );
    c.find(Locator::Css("#m-threat option[value='armed_presence']"))
        .await
        .expect("option")
        .click()
        .await
        .expect("choose armed presence");
    click(&c, "#map-submit").await;
    wait_for(
        &c,
        "#map-svg path[data-code='CD-NK'][data-count='5']",
        "the filtered drawing",
    )
    .await;
    text_becomes(&c, "#map-f-total", "5").await;
    let url = c.current_url().await.expect("url");
    assert!(url.as_str().contains("threat_type=armed_presence"), "{url}");
    assert!(text_of(&c, "#map-areas tbody").await.contains("Nord-Kivu"));
    fits(&c, "the map without JavaScript at 360 px").await;
    screenshot(&c, "map-no-js-360").await;
}

/// A Chromium whose pages run no script (WebDriver still drives it).
async fn no_script_browser(profile: &std::path::Path) -> Option<(super::Driver, Client)> {
    std::fs::create_dir_all(profile.join("Default")).ok()?;
    // Chromium's own setting, as a person would set it: JavaScript blocked for every site.
    std::fs::write(
        profile.join("Default/Preferences"),
        json!({"profile": {"default_content_setting_values": {"javascript": 2}}}).to_string(),
    )
    .ok()?;
    browser(profile).await
}

crate::on_both_stores!(
    an_analyst_reads_the_map_with_and_without_javascript,
    super::an_analyst_reads_the_map_with_and_without_javascript
);
