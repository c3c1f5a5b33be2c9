//! Three people sign in over the demo data set and land on their dashboards, at a desk
//! (1366 px) and on a phone (360 px): the liaison assistant of Goma sees her queue at a
//! glance and follows "taken by you" to the queue so filtered; the coordinator sees the
//! network's open alerts, the response indicators, the spikes, the trend and the cliff; the
//! monitor sees her compartments' incidents and the referrals to follow up. No page scrolls
//! sideways; screenshots in target/browser/dashboard-*.png.

use fantoccini::{Client, Locator};

use super::{at_width, browser, click, fits, screenshot, sign_in_home, sign_out, text_of};
use crate::harness::{Backend, Server};

/// Password of the demo users (crates/cli/src/demo).
const DEMO_PASSWORD: &str = "kinga-demo-2026";

async fn blocks(c: &Client) -> Vec<String> {
    let mut ids = vec![];
    for s in c
        .find_all(Locator::Css("#dashboard > section.card"))
        .await
        .expect("blocks")
    {
        ids.push(s.attr("id").await.expect("id").unwrap_or_default());
    }
    ids
}

async fn people_land_on_the_dashboard_of_their_role(backend: Backend) {
    let Some(s) = Server::start_demo(backend, &[]).await else {
        return;
    };
    let profile = tempfile::tempdir().expect("profile");
    let Some((_driver, c)) = browser(profile.path()).await else {
        return;
    };
    for width in [1366, 360] {
        at_width(&c, width).await;

        sign_in_home(&c, &s.base, "cla1", DEMO_PASSWORD).await;
        assert_eq!(blocks(&c).await, ["db-queue", "db-week"]);
        assert!(
            c.find(Locator::Css("#chart-days a")).await.is_ok(),
            "each day of the week is a link to its alerts"
        );
        fits(&c, "the liaison assistant's dashboard").await;
        screenshot(&c, &format!("dashboard-cla-{width}")).await;
        let mine = text_of(&c, "#db-mine strong").await;
        click(&c, "#db-mine").await;
        c.wait()
            .for_element(Locator::Css("tbody#queue-rows"))
            .await
            .expect("the queue");
        let url = c.current_url().await.expect("url");
        assert!(url.as_str().ends_with("/alerts?mine=1"), "{url}");
        let total = text_of(&c, "#queue-total").await;
        assert!(
            total.starts_with(&format!("{mine} ")),
            "the tile's {mine} is the queue's {total}"
        );
        fits(&c, "the queue of her own alerts").await;
        sign_out(&c).await;

        sign_in_home(&c, &s.base, "coord", DEMO_PASSWORD).await;
        assert_eq!(
            blocks(&c).await,
            [
                "db-open",
                "db-indicators",
                "db-spikes",
                "db-trend",
                "db-cliff"
            ]
        );
        assert!(
            c.find(Locator::Css("#db-trend svg#chart-weekly"))
                .await
                .is_ok()
        );
        assert!(!text_of(&c, "#db-cliff .headline").await.is_empty());
        fits(&c, "the coordinator's dashboard").await;
        screenshot(&c, &format!("dashboard-coord-{width}")).await;
        sign_out(&c).await;

        sign_in_home(&c, &s.base, "monitor", DEMO_PASSWORD).await;
        assert_eq!(blocks(&c).await, ["db-incidents", "db-referrals", "db-mrm"]);
        let due: u64 = text_of(&c, "#db-referrals-due strong")
            .await
            .trim_end_matches('+')
            .parse()
            .expect("a count");
        assert!(due > 0, "the demo leaves follow-ups due");
        fits(&c, "the monitor's dashboard").await;
        screenshot(&c, &format!("dashboard-monitor-{width}")).await;
        sign_out(&c).await;
    }
}

crate::on_both_stores!(
    dashboards_in_the_browser,
    super::people_land_on_the_dashboard_of_their_role
);
