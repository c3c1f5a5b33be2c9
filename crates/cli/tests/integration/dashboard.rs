//! The dashboards over the demo data on both stores: each demo login's dashboard holds its
//! role's blocks; the figures the dashboard adds (alerts per day over what the reader's list
//! shows, referrals whose follow-up is due) agree with the lists they lead to; and a reader
//! without the sensitive compartments learns nothing of them.

use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE};

use crate::harness::{Backend, Server};
use crate::on_both_stores;

const DEMO_PASSWORD: &str = "kinga-demo-2026";

/// A signed-in browser's cookie.
async fn sign_in(s: &Server, name: &str) -> String {
    let nofollow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = nofollow
        .post(format!("{}/login", s.base))
        .header(ORIGIN, &s.base)
        .form(&[("name", name), ("password", DEMO_PASSWORD), ("next", "")])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 303, "{name} signs in");
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/"),
        "and lands on the dashboard"
    );
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kinga_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string()
}

async fn page(s: &Server, cookie: &str, path: &str) -> String {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", s.base))
        .header(COOKIE, cookie)
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 200, "{path}");
    // The templates escape the slashes of addresses; put them back to compare.
    r.text().await.expect("body").replace("&#x2f;", "/")
}

fn blocks(html: &str) -> Vec<String> {
    html.split("<section class=\"card\" id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(String::from)
        .collect()
}

/// The figure of a tile (a trailing `+` says more were not read).
fn tile(html: &str, id: &str) -> u64 {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no tile {id}"));
    html[at..]
        .split("<strong>")
        .nth(1)
        .and_then(|s| s.split("</strong>").next())
        .map(|n| n.trim_end_matches('+'))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("tile {id} holds no figure"))
}

/// The queue's count of the alerts its filters select.
fn queue_total(html: &str) -> u64 {
    html.split("<small id=\"queue-total\">")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no queue total"))
}

async fn each_demo_login_has_a_meaningful_dashboard(backend: Backend) {
    let Some(s) = Server::start_demo(backend, &[]).await else {
        return;
    };

    // The liaison assistant of Goma: her queue at a glance, each figure what its link shows.
    let cla = sign_in(&s, "cla1").await;
    let home = page(&s, &cla, "/").await;
    assert_eq!(blocks(&home), ["db-queue", "db-week"]);
    assert_eq!(
        tile(&home, "db-mine"),
        3,
        "the demo's CLA took three alerts"
    );
    for (id, path) in [
        ("db-mine", "/alerts?mine=1"),
        ("db-overdue", "/alerts?overdue=1"),
        ("db-uncovered", "/alerts?uncovered=1"),
    ] {
        let list = page(&s, &cla, path).await;
        assert_eq!(tile(&home, id), queue_total(&list), "{id} and {path}");
    }
    // The week's chart counts what the queue lists for those days, less duplicates merged
    // and false alarms, in her working area only.
    let week_link = home
        .split("id=\"db-week-list\"")
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .and_then(|s| s.split('"').next())
        .expect("the week's link")
        .replace("&amp;", "&");
    let charted: u64 = home
        .split("data-total=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse::<u64>().ok())
        .sum();
    let listed = queue_total(&page(&s, &cla, &week_link).await);
    let merged =
        queue_total(&page(&s, &cla, &week_link.replace("state=all", "state=merged")).await);
    let false_alarms = queue_total(
        &page(
            &s,
            &cla,
            &week_link.replace("state=all", "state=false_alarm"),
        )
        .await,
    );
    assert!(
        charted > 0,
        "the demo's last week has alerts in Goma's areas"
    );
    assert_eq!(charted, listed - merged - false_alarms, "{week_link}");

    // The monitor: CRSV, human rights and children, and the referrals she must follow up.
    let monitor = sign_in(&s, "monitor").await;
    let home = page(&s, &monitor, "/").await;
    assert_eq!(blocks(&home), ["db-incidents", "db-referrals", "db-mrm"]);
    assert!(
        home.contains("Violences sexuelles liées aux conflits"),
        "French, granted"
    );
    let due = tile(&home, "db-referrals-due");
    assert!(
        due > 0,
        "accepted referrals not followed up for a week are due"
    );
    assert!(tile(&home, "db-referrals-open") >= due);
    assert!(
        home.contains("#referrals\">"),
        "each due referral leads to its incident"
    );

    // The analyst holds no sensitive compartment: no incident block, no CRSV figure.
    let analyst = sign_in(&s, "analyst").await;
    let home = page(&s, &analyst, "/").await;
    assert_eq!(blocks(&home), ["db-trend", "db-spikes", "db-risk"]);
    assert!(!home.contains("db-referrals") && !home.contains("Conflict-related sexual violence"));
    assert!(home.contains("id=\"chart-weekly\"") && home.contains("id=\"db-risk-rows\""));

    // The coordinator, the administrator, the responder and the observer each see theirs.
    for (name, want) in [
        (
            "coord",
            &[
                "db-open",
                "db-indicators",
                "db-spikes",
                "db-trend",
                "db-cliff",
            ][..],
        ),
        ("admin", &["db-system", "db-open"][..]),
        ("responder", &["db-assigned", "db-week"][..]),
        ("viewer", &["db-trend"][..]),
    ] {
        let cookie = sign_in(&s, name).await;
        let home = page(&s, &cookie, "/").await;
        assert_eq!(blocks(&home), want, "{name}");
    }
    let coord = sign_in(&s, "coord").await;
    let home = page(&s, &coord, "/").await;
    assert!(
        tile(&home, "db-cliff-places") > 0,
        "the withdrawal leaves gaps"
    );
    assert!(tile(&home, "db-received") > 0);
}
on_both_stores!(
    dashboards_over_the_demo,
    super::each_demo_login_has_a_meaningful_dashboard
);
