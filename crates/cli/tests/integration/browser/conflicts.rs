//! An administrator reads the records saved on two instances while they were cut off, as the
//! sync test makes them: HQ (SQLite) and a field office (PostgreSQL when there is one) on
//! loopback, Nord-Kivu's early-warning plan saved on both sides with a different successor,
//! then `kinga sync`. Before that, HQ's dashboard counts no conflict and `/conflicts` says so.
//! After it, on each instance — HQ in English, the field office in French, at a desk
//! (1366 px, from the dashboard's tile) and on a phone (360 px, from the transition menu) —
//! the plan's card shows both successors, the one in force where the plan shows it, the
//! instance the other came from and when; its link opens the plan's form. No page scrolls
//! sideways; screenshots in target/browser/conflicts-*.png.

use chrono::{DateTime, Utc};
use fantoccini::{Client, Locator};

use super::{at_width, browser, click, fits, screenshot, sign_in_home, sign_out, text_of};
use crate::harness::{ADMIN_PASSWORD, Server};
use crate::sync::{
    FIELD_SUCCESSOR, HQ_SUCCESSOR, hq_and_field, instance_id, plan, plan_saved_on_both_sides,
};

/// What one instance's page must show of the conflict.
struct Expected<'a> {
    /// The plan's id.
    record: &'a str,
    /// The successor of the version in force.
    in_force: &'a str,
    /// The successor of the other version.
    other: &'a str,
    /// The instance the other version came from, seen from this one.
    origin: &'a str,
}

/// The page's words in each language: title, empty state, kind, the two columns.
fn words(lang: &str) -> [&'static str; 5] {
    match lang {
        "fr" => [
            "Fiches enregistrées sur deux instances",
            "Aucune fiche n'a été enregistrée sur deux instances à la fois.",
            "Plan de capacité",
            "En vigueur (v2)",
            "Autre version (v2)",
        ],
        _ => [
            "Records saved on two instances",
            "No record was saved on two instances at once.",
            "Capacity plan",
            "In force (v2)",
            "Other version (v2)",
        ],
    }
}

/// Switch the signed-in user's language from the header's buttons.
async fn speak(c: &Client, lang: &str) {
    click(c, &format!("[data-action='lang-{lang}']")).await;
    c.wait()
        .for_element(Locator::Css(&format!(
            "html[lang='{lang}'] [data-action='lang-{lang}'][aria-pressed='true']"
        )))
        .await
        .unwrap_or_else(|e| panic!("the page did not switch to {lang}: {e}"));
}

async fn attr(c: &Client, css: &str, name: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .attr(name)
        .await
        .unwrap_or_else(|e| panic!("{css}[{name}]: {e}"))
        .unwrap_or_default()
}

/// Sign in on `s` and follow the dashboard's conflicts tile, which reads `n`.
async fn open_from_the_tile(c: &Client, s: &Server, lang: &str, n: &str) {
    sign_in_home(c, &s.base, "admin", ADMIN_PASSWORD).await;
    speak(c, lang).await;
    assert_eq!(text_of(c, "#db-conflicts strong").await, n);
    let warns = attr(c, "#db-conflicts", "class").await.contains("warn");
    assert_eq!(warns, n != "0", "the tile stands out only with conflicts");
    click(c, "#db-conflicts").await;
}

/// On `s`, before any conflict: the tile reads 0 and the page says there is none.
async fn nothing_to_settle(c: &Client, s: &Server, lang: &str) {
    let [title, none, ..] = words(lang);
    open_from_the_tile(c, s, lang, "0").await;
    assert_eq!(text_of(c, "#no-conflicts").await, none);
    assert_eq!(text_of(c, "h1").await, title);
    let cards = c.find_all(Locator::Css("main section.card")).await;
    assert!(cards.expect("cards").is_empty(), "no conflict card");
    fits(c, "the page without conflicts").await;
    screenshot(c, &format!("conflicts-none-{lang}")).await;
    sign_out(c).await;
}

/// On `s` at `width` in `lang`: reach the page, read the conflict, open the plan from it.
async fn reads_the_conflict(c: &Client, s: &Server, width: u32, lang: &str, want: &Expected<'_>) {
    let [title, _, kind, in_force_col, other_col] = words(lang);
    at_width(c, width).await;
    if width > 500 {
        open_from_the_tile(c, s, lang, "1").await;
    } else {
        sign_in_home(c, &s.base, "admin", ADMIN_PASSWORD).await;
        speak(c, lang).await;
        click(c, "#nav-transition").await;
        click(c, "#to-conflicts").await;
    }
    // One card, for the plan.
    let card = format!("section.card[data-record='{}']", want.record);
    c.wait()
        .for_element(Locator::Css(&card))
        .await
        .unwrap_or_else(|e| panic!("the plan's conflict on {}: {e}", s.base));
    assert_eq!(text_of(c, "h1").await, title);
    let url = c.current_url().await.expect("url");
    assert_eq!(url.path(), "/conflicts", "{url}");
    let cards = c
        .find_all(Locator::Css("main section.card"))
        .await
        .expect("cards");
    assert_eq!(cards.len(), 1, "one conflict on {}", s.base);
    assert_eq!(attr(c, &card, "data-kind").await, "capacity_plan");
    assert_eq!(
        text_of(c, &format!("{card} h2")).await,
        format!("{kind} {}", want.record)
    );

    // Where the other version came from, and when they met.
    assert_eq!(text_of(c, &format!("{card} p strong")).await, want.origin);
    let at = attr(c, &format!("{card} time"), "datetime").await;
    let at: DateTime<Utc> = at.parse().unwrap_or_else(|e| panic!("{at}: {e}"));
    let age = Utc::now() - at;
    assert!(
        age.num_seconds() >= -5 && age.num_minutes() < 15,
        "met {at}, a moment ago"
    );
    let shown = text_of(c, &format!("{card} time")).await;
    assert!(shown.contains(':'), "a day and a time: {shown}");

    // The successors differ: both versions, each in its column.
    // The head is read by textContent: on a phone it is moved off screen (the cells carry
    // their column's name instead), where WebDriver's text is empty.
    let names = c
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent);",
            vec![format!("{card} thead th").into()],
        )
        .await
        .expect("columns");
    assert_eq!(names[1], in_force_col, "{names}");
    assert_eq!(names[2], other_col, "{names}");
    let row = format!("{card} tr[data-field='successors']");
    for (n, col) in [(1, in_force_col), (2, other_col)] {
        let label = attr(c, &format!("{row} td:nth-of-type({n})"), "data-l").await;
        assert!(col.starts_with(&label), "{label} names the column {col}");
    }
    let (now, then) = (
        text_of(c, &format!("{row} td:nth-of-type(1)")).await,
        text_of(c, &format!("{row} td:nth-of-type(2)")).await,
    );
    assert!(
        now.contains(want.in_force) && !now.contains(want.other),
        "in force: {now}"
    );
    assert!(
        then.contains(want.other) && !then.contains(want.in_force),
        "the other version: {then}"
    );
    fits(c, "the conflicts page").await;
    screenshot(c, &format!("conflicts-{lang}-{width}")).await;

    // The record's link opens the plan's form, with the version in force.
    click(c, &format!("{card} h2 a")).await;
    c.wait()
        .for_element(Locator::Css("#plan-form"))
        .await
        .unwrap_or_else(|e| panic!("the plan's form: {e}"));
    let url = c.current_url().await.expect("url");
    assert_eq!(url.path(), "/transition/plan", "{url}");
    assert_eq!(
        url.query(),
        Some("place=CD61&capacity=early_warning"),
        "{url}"
    );
    let typed = c
        .execute(
            "return document.querySelector('#pl-successors').value;",
            vec![],
        )
        .await
        .expect("successors");
    assert_eq!(typed.as_str(), Some(want.in_force), "{typed}");
    fits(c, "the plan opened from its conflict").await;
    sign_out(c).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conflicts_in_the_browser() {
    let Some((hq, field)) = hq_and_field().await else {
        return;
    };
    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };
    at_width(&c, 1366).await;
    nothing_to_settle(&c, &hq, "en").await;

    let record = plan_saved_on_both_sides(&hq, &field).await;
    let in_force = plan(&hq, &record).await["successors"][0]
        .as_str()
        .expect("a successor in force")
        .to_string();
    let other = if in_force == HQ_SUCCESSOR {
        FIELD_SUCCESSOR
    } else {
        assert_eq!(in_force, FIELD_SUCCESSOR);
        HQ_SUCCESSOR
    };
    let (hq_id, field_id) = (instance_id(&hq).await, instance_id(&field).await);
    for width in [1366, 360] {
        for (s, lang, origin) in [(&hq, "en", &field_id), (&field, "fr", &hq_id)] {
            let want = Expected {
                record: &record,
                in_force: &in_force,
                other,
                origin,
            };
            reads_the_conflict(&c, s, width, lang, &want).await;
        }
    }
}
