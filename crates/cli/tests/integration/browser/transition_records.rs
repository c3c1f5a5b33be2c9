//! A coordinator keeps the transition's community and benchmark records over the demo data
//! set, in French, at a desk (1366 px) and on a phone (360 px): records the functionality
//! assessment of Kalehe's community alert network and a value of the children-released
//! benchmark in Ituri, and finds both in the places' printable dossiers; every page fits a
//! phone.

use fantoccini::{Client, Locator};

use super::{at_width, browser, click, fits, screenshot, sign_in, text_of};
use crate::harness::{Backend, Server};

/// Password of the demo users (crates/cli/src/demo).
const DEMO_PASSWORD: &str = "kinga-demo-2026";

async fn set(c: &Client, css: &str, value: &str) {
    c.execute(
        "document.querySelector(arguments[0]).value = arguments[1];",
        vec![css.into(), value.into()],
    )
    .await
    .expect("set a field");
}

async fn records_in_the_browser_at(c: &Client, s: &Server, width: u32, value: &str) {
    at_width(c, width).await;
    // Kalehe's network: assessed today, every criterion scored.
    c.goto(&format!("{}/transition/community?place=CD6205", s.base))
        .await
        .expect("community");
    fits(c, "the community mechanisms").await;
    let id = c
        .find(Locator::Css("section.mc"))
        .await
        .expect("a mechanism in Kalehe")
        .attr("data-mechanism")
        .await
        .expect("attr")
        .expect("its id");
    click(c, &format!("#mc-{id} details summary")).await;
    for crit in [
        "meets_regularly",
        "raises_alerts",
        "obtains_responses",
        "inclusive",
        "trained",
        "self_reliant",
    ] {
        set(c, &format!("#as-{crit}-{id}"), "3").await;
    }
    let note = format!("Évaluation à {width} px");
    set(c, &format!("#as-note-{id}"), &note).await;
    click(c, &format!("#mc-{id} .assess-form button")).await;
    assert!(!text_of(c, "#notice").await.is_empty());
    assert_eq!(
        c.find(Locator::Css(&format!("#mc-{id}")))
            .await
            .expect("card")
            .attr("data-functionality")
            .await
            .expect("attr")
            .as_deref(),
        Some("functional")
    );

    // The children-released benchmark in Ituri: a new quarterly figure.
    c.goto(&format!("{}/transition/benchmarks", s.base))
        .await
        .expect("benchmarks");
    fits(c, "the benchmarks").await;
    let card = "section.bm[data-benchmark]:last-of-type";
    click(c, &format!("{card} details.noprint summary")).await;
    set(c, &format!("{card} .value-form input[name='value']"), value).await;
    set(
        c,
        &format!("{card} .value-form input[name='source_note']"),
        "Rapport MRM",
    )
    .await;
    click(c, &format!("{card} .value-form button")).await;
    assert!(!text_of(c, "#notice").await.is_empty());
    assert!(text_of(c, &format!("{card} .latest")).await.contains(value));

    // Both are in the dossiers.
    c.goto(&format!("{}/transition/dossier?place=CD6205", s.base))
        .await
        .expect("dossier");
    fits(c, "Kalehe's dossier").await;
    assert!(
        text_of(c, &format!("#mc-{id} .assessments"))
            .await
            .contains(&note)
    );
    c.goto(&format!("{}/transition/dossier?place=CD5402", s.base))
        .await
        .expect("dossier");
    fits(c, "Djugu's dossier").await;
    assert!(
        text_of(c, "#dossier-benchmarks ~ section.bm .latest")
            .await
            .contains(value)
    );
    for (path, what) in [
        ("/transition/indicators", "the indicators"),
        ("/transition/roster", "the roster"),
        ("/transition/knowledge", "the knowledge notes"),
    ] {
        c.goto(&format!("{}{path}", s.base)).await.expect("page");
        fits(c, what).await;
    }
}

async fn a_coordinator_records_an_assessment_and_a_benchmark_value(backend: Backend) {
    let Some(s) = Server::start_demo(backend, &[]).await else {
        return;
    };
    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };
    at_width(&c, 1366).await;
    sign_in(&c, &s.base, "coord", DEMO_PASSWORD).await;
    records_in_the_browser_at(&c, &s, 1366, "245").await;
    screenshot(&c, "transition-records-1366").await;
    records_in_the_browser_at(&c, &s, 360, "262").await;
    c.goto(&format!("{}/transition/dossier?place=CD6205", s.base))
        .await
        .expect("dossier");
    screenshot(&c, "transition-records-dossier-360").await;
    // The API tells the same: the network is functional, the benchmark's latest value is 262.
    let (_, list) = s.get("/api/v1/transition/mechanisms?place=CD6205").await;
    assert_eq!(list[0]["functionality"], "functional", "{list}");
    let (_, list) = s.get("/api/v1/transition/benchmarks?place=CD54").await;
    assert_eq!(list[0]["progress"][0]["latest"], 262.0, "{list}");
}

crate::on_both_stores!(
    transition_records_in_the_browser,
    super::a_coordinator_records_an_assessment_and_a_benchmark_value
);
