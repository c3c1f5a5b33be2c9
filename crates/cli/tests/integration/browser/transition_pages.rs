//! A coordinator over the demo data set, at a desk (1366 px) and on a phone (360 px): previews
//! who a broadcast to an area will reach and in which language, sends it and sees its
//! delivery counted; reads what changed after the closed bases; records who supports a
//! community network after the departure and removes a benchmark from the pages; then reads
//! the transition in English. Every page fits a phone.

use fantoccini::{Client, Locator};

use super::{at_width, browser, click, fits, screenshot, sign_in, text_of};
use crate::harness::{Backend, Server, as_written};

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

fn number(s: &str) -> usize {
    s.trim()
        .parse()
        .unwrap_or_else(|_| panic!("a number: {s:?}"))
}

async fn count_of(c: &Client, css: &str) -> usize {
    number(&text_of(c, css).await)
}

async fn broadcast_at(c: &Client, s: &Server, width: u32, area: &str) {
    at_width(c, width).await;
    c.goto(&format!("{}/transition/broadcasts", s.base))
        .await
        .expect("broadcasts");
    fits(c, "the broadcasts").await;
    // Nothing can be sent before the recipients were seen.
    assert!(
        c.find_all(Locator::Css("#bc-send"))
            .await
            .expect("find")
            .is_empty()
    );
    if c.find(Locator::Css("#bc-new"))
        .await
        .expect("the form")
        .attr("open")
        .await
        .expect("attr")
        .is_none()
    {
        click(c, "#bc-new > summary").await;
    }
    set(c, "#bc-area", area).await;
    set(c, "#bc-topic", "base_closure").await;
    set(
        c,
        "#bc-text-fr",
        "La base ferme le 31 mars. Appelez le 112 : la protection civile répond.",
    )
    .await;
    set(
        c,
        "#bc-text-sw",
        "Kambi itafungwa tarehe 31 Machi. Piga 112: ulinzi wa raia utajibu.",
    )
    .await;
    click(c, "#bc-preview-btn").await;
    let total = count_of(c, "#bc-preview-total").await;
    assert!(total > 0, "someone to tell in {area}");
    fits(c, "the broadcast preview").await;
    let mut per_language = 0;
    for li in c
        .find_all(Locator::Css("#bc-preview-languages li"))
        .await
        .expect("languages")
    {
        per_language += number(
            &li.find(Locator::Css(".n"))
                .await
                .expect("n")
                .text()
                .await
                .expect("text"),
        );
    }
    assert_eq!(
        per_language, total,
        "every recipient counted in one language"
    );
    // The texts are kept for sending.
    let kept = c
        .find(Locator::Css("#bc-text-sw"))
        .await
        .expect("text")
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(kept.starts_with("Kambi"), "{kept}");
    screenshot(c, &format!("transition-broadcast-preview-{width}")).await;
    click(c, "#bc-send").await;
    assert!(!text_of(c, "#notice").await.is_empty());
    let row = format!("table.bc-list tbody tr[data-area='{area}']");
    let mut delivered = 0;
    for col in ["bc-queued", "bc-sent", "bc-delivered", "bc-failed"] {
        delivered += count_of(c, &format!("{row} .{col}")).await;
    }
    assert_eq!(delivered, total, "each recipient's message counted once");
    fits(c, "the broadcasts sent").await;
}

async fn closures_at(c: &Client, s: &Server, width: u32) {
    at_width(c, width).await;
    c.goto(&format!("{}/transition/closures?days=90", s.base))
        .await
        .expect("closures");
    fits(c, "the closures").await;
    assert!(
        !c.find_all(Locator::Css("section.ac"))
            .await
            .expect("find")
            .is_empty(),
        "Bukavu closed in 2026"
    );
    let alerts = text_of(c, "section.ac .ac-alerts").await;
    assert!(!alerts.is_empty());
    // The coordinator sees the general compartment at least: incident figures are shown.
    assert!(
        text_of(c, "section.ac .ac-incidents")
            .await
            .chars()
            .any(|ch| ch.is_ascii_digit())
    );
    // Resubmitting the period keeps the page.
    set(c, "#ac-days", "30").await;
    click(c, "#ac-form button").await;
    fits(c, "the closures over 30 days").await;
}

async fn support_and_removal(c: &Client, s: &Server) {
    c.goto(&format!("{}/transition/community?place=CD6205", s.base))
        .await
        .expect("community");
    let id = c
        .find(Locator::Css("section.mc"))
        .await
        .expect("a mechanism in Kalehe")
        .attr("data-mechanism")
        .await
        .expect("attr")
        .expect("its id");
    click(c, &format!("#sp-{id} summary")).await;
    set(c, &format!("#sp-after-{id}"), "HCR\nCaritas Uvira").await;
    click(c, &format!("#sp-{id} button")).await;
    assert!(!text_of(c, "#notice").await.is_empty());
    assert!(
        text_of(c, &format!("#mc-{id}"))
            .await
            .contains("Caritas Uvira")
    );

    c.goto(&format!("{}/transition/benchmarks", s.base))
        .await
        .expect("benchmarks");
    let before = c
        .find_all(Locator::Css("section.bm"))
        .await
        .expect("find")
        .len();
    let bm = c
        .find(Locator::Css("section.bm"))
        .await
        .expect("a benchmark")
        .attr("data-benchmark")
        .await
        .expect("attr")
        .expect("its id");
    click(c, &format!("#bm-{bm} .remove-form button")).await;
    assert!(!text_of(c, "#notice").await.is_empty());
    let after = c
        .find_all(Locator::Css("section.bm"))
        .await
        .expect("find")
        .len();
    assert_eq!(after + 1, before, "one benchmark removed");
    assert!(
        c.find_all(Locator::Css(&format!("#bm-{bm}")))
            .await
            .expect("find")
            .is_empty()
    );
}

async fn a_coordinator_tells_the_communities_and_reads_after_the_closures(backend: Backend) {
    let Some(s) = Server::start_demo(backend, &[]).await else {
        return;
    };
    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };
    at_width(&c, 1366).await;
    sign_in(&c, &s.base, "coord", DEMO_PASSWORD).await;
    broadcast_at(&c, &s, 1366, "CD61").await;
    closures_at(&c, &s, 1366).await;
    screenshot(&c, "transition-closures-1366").await;
    support_and_removal(&c, &s).await;
    broadcast_at(&c, &s, 360, "CD54").await;
    closures_at(&c, &s, 360).await;
    screenshot(&c, "transition-closures-360").await;

    // In English: the closures, the cliff and the broadcasts speak it.
    click(&c, "[data-action='lang-en']").await;
    c.goto(&format!("{}/transition/closures", s.base))
        .await
        .expect("closures");
    assert_eq!(text_of(&c, "h1").await, "After the closures: what changed");
    fits(&c, "the closures in English").await;
    c.goto(&format!(
        "{}/transition/cliff?date={}",
        s.base,
        as_written("2027-12-31")
    ))
    .await
    .expect("cliff");
    assert_eq!(text_of(&c, "h1").await, "The cliff");
    assert!(
        text_of(&c, "section.cliff dl")
            .await
            .contains("Incidents, last 12 months")
    );
    fits(&c, "the cliff in English").await;
    c.goto(&format!("{}/transition/broadcasts", s.base))
        .await
        .expect("broadcasts");
    assert_eq!(text_of(&c, "h1").await, "Broadcasts to communities");
    screenshot(&c, "transition-broadcasts-en-360").await;

    // The API agrees: the two broadcasts went to as many recipients as previewed.
    let (_, list) = s.get("/api/v1/transition/broadcasts").await;
    assert!(list.as_array().is_some_and(|l| l.len() >= 2), "{list}");
}

crate::on_both_stores!(
    transition_pages_in_the_browser,
    super::a_coordinator_tells_the_communities_and_reads_after_the_closures
);
