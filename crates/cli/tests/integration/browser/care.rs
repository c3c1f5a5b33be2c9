//! Survivors' care through the pages, at a desk (1366 px) then on a phone (360 px): a
//! coordinator adds a one-stop centre to the directory of service providers; a monitor with
//! the CRSV grant records a sexual-violence incident from the form, opens it with a reason and
//! refers the survivor to the centre, which the page refuses until consent is ticked. A
//! colleague without the CRSV grant then finds no trace of it: not in the list or a search,
//! and its page and its referrals answer like a record that never existed.

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::json;

use super::{at_width, browser, click, fits, screenshot, sign_in, text_of, type_into};
use crate::harness::{Backend, Server};

async fn set_value(c: &Client, id: &str, value: &str) {
    c.execute(
        "document.getElementById(arguments[0]).value = arguments[1];",
        vec![json!(id), json!(value)],
    )
    .await
    .unwrap_or_else(|e| panic!("set #{id}: {e}"));
}

async fn select(c: &Client, css: &str, value: &str) {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("select {value} in {css}: {e}"));
}

async fn page_text(c: &Client) -> String {
    c.execute("return document.body.innerText;", vec![])
        .await
        .expect("text")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The coordinator adds a one-stop centre from the directory page.
async fn add_centre(c: &Client, base: &str, width: u32, name: &str) {
    c.goto(&format!("{base}/providers"))
        .await
        .expect("providers");
    fits(c, &format!("the directory at {width} px")).await;
    type_into(c, "#pv-name", name).await;
    select(c, "#pv-kind", "one_stop_centre").await;
    for s in ["medical", "psychosocial", "legal"] {
        click(c, &format!("#pv-svc-{s}")).await;
    }
    type_into(c, "#pv-places", "CD6111").await;
    click(c, "#provider-save").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#provider-saved"))
        .await
        .expect("the directory confirms the entry");
    let table = text_of(c, "#providers").await;
    assert!(table.contains(name), "{table}");
    assert!(
        table.contains("One-stop centre") || table.contains("Centre intégré"),
        "{table}"
    );
    fits(c, &format!("the directory with its entry at {width} px")).await;
}

/// The monitor records a CRSV incident and refers the survivor with consent; answers its id.
async fn record_and_refer(
    c: &Client,
    base: &str,
    width: u32,
    survivor: &str,
    centre: &str,
) -> String {
    c.goto(&format!("{base}/incidents/new"))
        .await
        .expect("form");
    select(c, "#compartment", "crsv").await;
    set_value(c, "occurred_on", "2026-09-20").await;
    type_into(c, "#place_name", "CD6111-V001").await;
    type_into(
        c,
        "#narrative",
        &format!("{survivor} a été violée près du champ"),
    )
    .await;
    click(c, "#vio-rape").await;
    set_value(c, "v-count-0", "1").await;
    select(c, "#v-sex-0", "female").await;
    select(c, "#v-age-0", "18-59").await;
    type_into(c, "#v-name-0", survivor).await;
    select(c, "#p-category-0", "armed_group").await;
    select(c, "#s-kind-0", "victim").await;
    select(c, "#s-reliability-0", "reliable").await;
    click(c, "#record-incident").await;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#place-candidates, #reason-form"))
        .await
        .expect("the incident form is answered");
    if c.find(Locator::Css("#place-candidates")).await.is_ok() {
        click(c, "#pick-CD6111-V001").await;
        click(c, "#record-incident").await;
    }
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#reason-form"))
        .await
        .expect("a sensitive record asks why it is opened");
    let url = c.current_url().await.expect("url");
    let id = url.path().trim_start_matches("/incidents/").to_string();
    type_into(c, "#reason", "Référencement de la survivante").await;
    click(c, "#open-incident").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#referral-form"))
        .await
        .expect("the referral form");
    fits(
        c,
        &format!("the opened incident with its care at {width} px"),
    )
    .await;
    let provider = c
        .find(Locator::Css("#rf-provider"))
        .await
        .expect("providers")
        .html(false)
        .await
        .expect("html");
    assert!(
        provider.contains(centre),
        "the directory's entry is offered: {provider}"
    );
    // Without consent nothing is referred.
    click(c, "#refer").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#referral-form"))
        .await
        .expect("the page again");
    assert!(
        c.find(Locator::Css("#referral-list")).await.is_err(),
        "no referral without consent"
    );
    let options = c
        .find_all(Locator::Css("#rf-provider option"))
        .await
        .expect("options");
    for o in options {
        if o.text().await.unwrap_or_default().contains(centre) {
            let v = o.attr("value").await.ok().flatten().unwrap_or_default();
            select(c, "#rf-provider", &v).await;
        }
    }
    select(c, "#rf-service", "medical").await;
    click(c, "#rf-consent").await;
    click(c, "#refer").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#referral-list tr[data-status='pending']"))
        .await
        .expect("the referral is listed, pending");
    assert!(text_of(c, "#referral-list").await.contains(centre));
    fits(c, &format!("the referral at {width} px")).await;
    screenshot(c, &format!("referral-{width}")).await;
    id
}

async fn a_monitor_refers_a_survivor_nobody_else_sees(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };
    s.add_user("amani", "coordinator", "amani-password-1");
    s.add_user("furaha", "monitor", "furaha-password-1");
    s.add_user("jean", "monitor", "jean-password-12");
    let out = s.cli(&["user", "grant", "furaha", "crsv"], None);
    assert!(out.status.success(), "{out:?}");

    let mut ids = Vec::new();
    for (width, survivor) in [(1366, "Neema Kavira"), (360, "Aline Masika")] {
        at_width(&c, width).await;
        let centre = format!("Centre intégré Kiwanja {width}");
        c.delete_all_cookies().await.expect("sign out");
        sign_in(&c, &s.base, "amani", "amani-password-1").await;
        add_centre(&c, &s.base, width, &centre).await;
        c.delete_all_cookies().await.expect("sign out");
        sign_in(&c, &s.base, "furaha", "furaha-password-1").await;
        ids.push(record_and_refer(&c, &s.base, width, survivor, &centre).await);
    }

    for width in [1366, 360] {
        at_width(&c, width).await;
        c.delete_all_cookies().await.expect("sign out");
        sign_in(&c, &s.base, "jean", "jean-password-12").await;
        c.goto(&format!("{}/incidents?q=rape", s.base))
            .await
            .expect("list");
        c.wait()
            .for_element(Locator::Css("#incident-rows"))
            .await
            .expect("list");
        assert_eq!(
            text_of(&c, "#incident-total")
                .await
                .split_whitespace()
                .next(),
            Some("0")
        );
        for id in &ids {
            assert!(
                c.find(Locator::Css(&format!("#incident-{id}")))
                    .await
                    .is_err()
            );
        }
        c.goto(&format!("{}/incidents/{}", s.base, ids[0]))
            .await
            .expect("hidden");
        c.wait()
            .for_element(Locator::Css("#error-detail[data-status='404']"))
            .await
            .expect("a record jean may not see is not found");
        let hidden = page_text(&c).await;
        assert!(!hidden.contains("Neema"));
        c.goto(&format!("{}/incidents/01ZZZZZZZZZZZZZZZZZZZZZZZZ", s.base))
            .await
            .expect("missing");
        assert_eq!(
            page_text(&c).await,
            hidden,
            "a hidden record reads like a missing one"
        );
        fits(&c, &format!("the not-found page at {width} px")).await;
    }
    let _ = c.close().await;

    let jean = s.token_for("jean");
    for id in &ids {
        let hidden = reqwest::Client::new()
            .get(format!("{}/api/v1/incidents/{id}/referrals", s.base))
            .bearer_auth(&jean)
            .send()
            .await
            .expect("referrals");
        assert_eq!(hidden.status().as_u16(), 404);
    }
}
crate::on_both_stores!(
    care_day,
    super::a_monitor_refers_a_survivor_nobody_else_sees
);
