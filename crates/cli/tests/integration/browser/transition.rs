//! A coordinator plans the mission's departure over the demo data set, in French, at a desk
//! (1366 px) and on a phone (360 px): reads the capacities of South Kivu (Bukavu closed), looks
//! at the cliff of a date, records a base closure and sees the cliff change, marks the late
//! milestones done and sees the capacity covered again; every page fits a phone.

use fantoccini::{Client, Locator};

use super::{at_width, browser, click, fits, screenshot, sign_in, text_of, type_into};
use crate::harness::{Backend, Server, as_written, the_day_before};

/// Password of the demo users (crates/cli/src/demo).
const DEMO_PASSWORD: &str = "kinga-demo-2026";

async fn present(c: &Client, css: &str) -> bool {
    !c.find_all(Locator::Css(css))
        .await
        .expect("find")
        .is_empty()
}

async fn a_coordinator_records_a_closure_and_sees_the_cliff_move(backend: Backend) {
    let Some(s) = Server::start_demo(backend, &[]).await else {
        return;
    };
    // The demo's dates as it loaded them (`as_written`).
    let bukavu_last_day = the_day_before(&as_written("2026-06-30"));
    let mid_february = as_written("2027-02-15");
    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };
    at_width(&c, 1366).await;
    sign_in(&c, &s.base, "coord", DEMO_PASSWORD).await;
    click(&c, "#nav-transition").await;
    // The Bukavu base closed (June 2026, as written) and nobody took physical protection over.
    let row = "#place-CD62 tr[data-capacity='physical_protection']";
    assert_eq!(
        c.find(Locator::Css(row))
            .await
            .expect("row")
            .attr("data-state")
            .await
            .expect("attr")
            .as_deref(),
        Some("gap")
    );
    assert!(
        text_of(&c, row)
            .await
            .contains(&format!("aucun successeur après le {bukavu_last_day}"))
    );
    // Uvira has a plan of its own: the army and police took over.
    assert!(
        present(
            &c,
            "#place-CD6208 tr[data-capacity='physical_protection'][data-state='covered']"
        )
        .await
    );
    fits(&c, "the transition overview").await;
    screenshot(&c, "transition-1366").await;

    // The cliff of mid-February 2027: Kalehe is not in it on its own.
    c.goto(&format!("{}/transition/cliff?date={mid_february}", s.base))
        .await
        .expect("cliff");
    assert!(present(&c, "#cliff-CD62").await);
    assert!(!present(&c, "#cliff-CD6205").await);

    // Grace records the closure of a Kalehe office removing human rights there.
    c.goto(&format!("{}/transition#withdrawals", s.base))
        .await
        .expect("overview");
    click(&c, "section.wp details summary").await;
    type_into(&c, "#cl-base-1", "Kalehe (BCNUDH)").await;
    c.execute(
        &format!(
            "document.querySelector('#cl-date-1').value = '{}';",
            as_written("2027-02-01")
        ),
        vec![],
    )
    .await
    .expect("date");
    click(&c, "#cl-areas-1 option[value='CD6205']").await;
    click(&c, "#closure-form-1 input[value='human_rights']").await;
    click(&c, "#cl-save-1").await;
    assert!(!text_of(&c, "#notice").await.is_empty());
    c.goto(&format!("{}/transition/cliff?date={mid_february}", s.base))
        .await
        .expect("cliff");
    assert!(present(&c, "#cliff-CD6205 [data-capacity='human_rights']").await);
    let count: u64 = text_of(&c, "#cliff-CD6205 .alerts-12m")
        .await
        .trim()
        .parse()
        .expect("a count");
    let (_, api) = s
        .get(&format!("/api/v1/transition/cliff?date={mid_february}"))
        .await;
    let kalehe = api["places"]
        .as_array()
        .expect("places")
        .iter()
        .find(|p| p["pcode"] == "CD6205")
        .expect("Kalehe in the API's cliff")
        .clone();
    // Kalehe also inherits South Kivu's gaps since Bukavu closed; human rights is the new one.
    let gaps = kalehe["capacities"].as_array().expect("capacities");
    assert!(
        gaps.contains(&serde_json::json!("human_rights")),
        "{kalehe}"
    );
    assert!(
        gaps.contains(&serde_json::json!("physical_protection")),
        "{kalehe}"
    );
    assert_eq!(kalehe["alerts_12m"].as_u64(), Some(count));

    // On her phone: South Kivu's early warning is at risk (the training is late); she marks it
    // done and the capacity is covered again.
    at_width(&c, 360).await;
    c.goto(&format!(
        "{}/transition/plan?place=CD62&capacity=early_warning",
        s.base
    ))
    .await
    .expect("plan");
    fits(&c, "the plan editor").await;
    assert!(present(&c, "#plan-state .st-at_risk").await);
    for step in ["training_done", "data_handed_over"] {
        click(
            &c,
            &format!("tr[data-milestone='{step}'] option[value='done']"),
        )
        .await;
        click(
            &c,
            &format!("tr[data-milestone='{step}'] button:not([name])"),
        )
        .await;
        assert!(!text_of(&c, "#notice").await.is_empty());
    }
    assert!(present(&c, "#plan-state .st-covered").await);
    let cliff = format!("/transition/cliff?date={}", as_written("2027-10-15"));
    for (path, what) in [
        ("/transition", "the overview"),
        (cliff.as_str(), "the cliff"),
        ("/transition/dossier?place=CD62", "the dossier"),
    ] {
        c.goto(&format!("{}{path}", s.base)).await.expect("page");
        fits(&c, what).await;
    }
    screenshot(&c, "transition-dossier-360").await;
}

crate::on_both_stores!(
    transition_planning_in_the_browser,
    super::a_coordinator_records_a_closure_and_sees_the_cliff_move
);
