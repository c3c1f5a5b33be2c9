//! A protection monitor's day, at a desk (1366 px) then on a phone (360 px): she records a
//! sexual-violence incident in the CRSV compartment from the form (place typed by name), opens
//! it with a reason, takes it under verification and verifies it on the survivor's interview.
//! A colleague without the CRSV grant then finds no trace of it: its address answers 404
//! exactly like an address that never held a record, and the list and its counts do not show
//! it. No page scrolls sideways on the phone.

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::json;

use super::{at_width, browser, click, fits, screenshot, sign_in, text_of, type_into};
use crate::harness::{Backend, Server};

/// Set a field's value (date inputs take typed keys in the browser's locale order).
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

async fn state_is(c: &Client, state: &str) {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!(
            "#incident-title[data-state='{state}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("the incident did not reach '{state}': {e}"));
}

/// The visible text of the page.
async fn page_text(c: &Client) -> String {
    c.execute("return document.body.innerText;", vec![])
        .await
        .expect("text")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Record, open and verify one CRSV incident; answers its id.
async fn record_and_verify(c: &Client, base: &str, width: u32, survivor: &str) -> String {
    c.goto(&format!("{base}/incidents/new"))
        .await
        .expect("form");
    fits(c, &format!("the new-incident form at {width} px")).await;
    select(c, "#compartment", "crsv").await;
    set_value(c, "occurred_on", "2026-09-14").await;
    type_into(c, "#place_name", "Kiwanja").await;
    type_into(
        c,
        "#narrative",
        &format!("{survivor} a été agressée par quatre hommes armés la nuit"),
    )
    .await;
    click(c, "#vio-rape").await;
    set_value(c, "v-count-0", "1").await;
    select(c, "#v-sex-0", "female").await;
    select(c, "#v-age-0", "18-59").await;
    click(c, "#v-displaced-0").await;
    type_into(c, "#v-name-0", survivor).await;
    select(c, "#p-category-0", "armed_group").await;
    type_into(c, "#p-actor-0", "Brigade Zèbre").await;
    select(c, "#s-kind-0", "victim").await;
    select(c, "#s-reliability-0", "reliable").await;
    select(c, "#s-kind-1", "witness").await;
    select(c, "#s-reliability-1", "reliable").await;
    click(c, "#s-remote-1").await;
    click(c, "#record-incident").await;
    // A name several places share asks for a choice; the typed record is kept meanwhile.
    // Wait for the answer page (either one) before looking: the form's page is still there
    // for a moment after the click.
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#place-candidates, #reason-form"))
        .await
        .expect("the incident form is answered");
    if c.find(Locator::Css("#place-candidates")).await.is_ok() {
        fits(c, &format!("the place choice at {width} px")).await;
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
    assert!(
        text_of(c, "#notice").await.len() > 3,
        "recording confirms itself"
    );
    assert!(
        !page_text(c).await.contains(survivor),
        "nothing identifying before the record is opened"
    );
    fits(c, &format!("the reason form at {width} px")).await;
    type_into(c, "#reason", "Suivi du dossier par la conseillère").await;
    click(c, "#open-incident").await;
    let narrative = text_of(c, "#incident-narrative").await;
    assert!(narrative.contains("quatre hommes armés"), "{narrative}");
    assert!(page_text(c).await.contains(survivor));
    let sources = text_of(c, "#incident-sources").await;
    assert!(
        sources.contains("à distance") || sources.contains("remote"),
        "the source heard by phone is marked remote: {sources}"
    );
    state_is(c, "reported").await;
    select(c, "#move-to", "under_verification").await;
    click(c, "#save-move").await;
    state_is(c, "under_verification").await;
    fits(c, &format!("the opened incident at {width} px")).await;
    select(c, "#move-to", "verified").await;
    select(c, "#move-method", "victim_interview").await;
    set_value(c, "move-verified-on", "2026-10-02").await;
    click(c, "#move-source-0").await;
    click(c, "#save-move").await;
    state_is(c, "verified").await;
    let history = text_of(c, "#incident-history").await;
    assert!(history.contains("2026-10-02"), "{history}");
    assert_eq!(
        text_of(c, "#incident-date").await.split_whitespace().next(),
        Some("2026-09-14"),
        "the incident's date stays apart from the date it was verified"
    );
    screenshot(c, &format!("incident-verified-{width}")).await;

    c.goto(&format!("{base}/incidents?compartment=crsv&state=verified"))
        .await
        .expect("list");
    c.wait()
        .for_element(Locator::Css(&format!("#incident-{id}")))
        .await
        .expect("the verified incident is in her list");
    fits(c, &format!("the incident list at {width} px")).await;
    id
}

async fn a_monitor_records_and_verifies_a_crsv_incident_nobody_else_sees(backend: Backend) {
    let Some(s) = Server::start(backend).await else {
        return;
    };
    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };
    s.add_user("furaha", "monitor", "furaha-password-1");
    s.add_user("jean", "monitor", "jean-password-12");
    let out = s.cli(&["user", "grant", "furaha", "crsv"], None);
    assert!(out.status.success(), "{out:?}");
    // Something jean may see, so an empty list is not the only proof.
    let (st, _) = reqwest::Client::new()
        .post(format!("{}/api/v1/incidents", s.base))
        .bearer_auth(s.token_for("furaha"))
        .json(
            &json!({"occurred_on": "2026-09-01", "place": "CD6111", "narrative": "Maisons pillées",
            "compartment": "general", "violations": ["looting"]}),
        )
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .expect("general incident");
    assert_eq!(st, 201);

    let mut ids = Vec::new();
    for (width, survivor) in [(1366, "Neema Kavira"), (360, "Aline Masika")] {
        at_width(&c, width).await;
        c.delete_all_cookies().await.expect("sign out");
        sign_in(&c, &s.base, "furaha", "furaha-password-1").await;
        ids.push(record_and_verify(&c, &s.base, width, survivor).await);
    }

    for width in [1366, 360] {
        at_width(&c, width).await;
        c.delete_all_cookies().await.expect("sign out");
        sign_in(&c, &s.base, "jean", "jean-password-12").await;
        c.goto(&format!("{}/incidents", s.base))
            .await
            .expect("list");
        c.wait()
            .for_element(Locator::Css("#incident-rows"))
            .await
            .expect("list");
        fits(&c, &format!("jean's incident list at {width} px")).await;
        assert_eq!(
            text_of(&c, "#incident-total")
                .await
                .split_whitespace()
                .next(),
            Some("1")
        );
        assert_eq!(text_of(&c, "#count-verified").await, "0");
        for id in &ids {
            assert!(
                c.find(Locator::Css(&format!("#incident-{id}")))
                    .await
                    .is_err(),
                "jean sees no trace of {id} in the list"
            );
        }
        assert!(
            c.find(Locator::Css("#f-compartment option[value='crsv']"))
                .await
                .is_err(),
            "the compartment filter offers only what jean may see"
        );
        c.goto(&format!("{}/incidents?q=zèbre", s.base))
            .await
            .expect("search");
        assert_eq!(
            text_of(&c, "#incident-total")
                .await
                .split_whitespace()
                .next(),
            Some("0")
        );
        c.goto(&format!("{}/incidents/{}", s.base, ids[0]))
            .await
            .expect("hidden");
        c.wait()
            .for_element(Locator::Css("#error-detail[data-status='404']"))
            .await
            .expect("a record jean may not see is not found");
        fits(&c, &format!("the not-found page at {width} px")).await;
        let hidden = page_text(&c).await;
        c.goto(&format!("{}/incidents/01ZZZZZZZZZZZZZZZZZZZZZZZZ", s.base))
            .await
            .expect("missing");
        assert_eq!(
            page_text(&c).await,
            hidden,
            "a hidden record reads exactly like a missing one"
        );
    }
    let _ = c.close().await;

    // The API agrees with the pages.
    let jean = s.token_for("jean");
    for id in &ids {
        let st = reqwest::Client::new()
            .get(format!("{}/api/v1/incidents/{id}?reason=x", s.base))
            .bearer_auth(&jean)
            .send()
            .await
            .expect("get")
            .status();
        assert_eq!(st.as_u16(), 404);
    }
}
crate::on_both_stores!(
    monitor_day,
    super::a_monitor_records_and_verifies_a_crsv_incident_nobody_else_sees
);
