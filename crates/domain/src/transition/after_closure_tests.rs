//! Hand-computed windows and figures around a closure.

use chrono::{Duration, NaiveDate, TimeZone, Utc};

use super::*;
use crate::AlertState;
use crate::analysis::testkit::{alert, mv};
use crate::place::testdata::place;
use crate::place::{Gazetteer, PlaceLevel};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn gaz() -> Gazetteer {
    Gazetteer::new(vec![
        place("COD", "RDC", PlaceLevel::Country, None, None),
        place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("COD"), None),
        place("CD6111", "Rutshuru", PlaceLevel::Admin2, Some("CD61"), None),
        place(
            "CD6111-V1",
            "Kiwanja",
            PlaceLevel::Settlement,
            Some("CD6111"),
            None,
        ),
        place("CD6103", "Masisi", PlaceLevel::Admin2, Some("CD61"), None),
    ])
}

#[test]
fn windows_are_equal_and_cut_to_the_days_elapsed() {
    let (b, a) = windows(d("2026-03-10"), d("2026-03-20"), 90).unwrap();
    assert_eq!((b.from, b.until), (d("2026-02-27"), d("2026-03-10")));
    assert_eq!((a.from, a.until), (d("2026-03-10"), d("2026-03-21")));
    let (b, a) = windows(d("2026-03-10"), d("2027-03-10"), 30).unwrap();
    assert_eq!((b.from, a.until), (d("2026-02-08"), d("2026-04-09")));
    let (b, a) = windows(d("2026-03-10"), d("2026-03-10"), 90).unwrap();
    assert_eq!(
        (b.from, a.until),
        (d("2026-03-09"), d("2026-03-11")),
        "the closure day"
    );
    assert!(
        windows(d("2026-03-11"), d("2026-03-10"), 90).is_none(),
        "still to come"
    );
}

#[test]
fn areas_inside_another_are_not_counted_twice() {
    let g = gaz();
    let areas = vec!["CD6111".to_string(), "CD61".into(), "CD6111-V1".into()];
    assert_eq!(outermost(&g, &areas), ["CD61"]);
    assert!(in_areas(&g, &["CD6111".to_string()], "CD6111-V1"));
    assert!(!in_areas(&g, &["CD6111".to_string()], "CD6103"));
}

#[test]
fn figures_before_and_after_by_hand() {
    let g = gaz();
    let t = |s: &str| {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
    };
    let m = |base: &str, minutes: i64| t(base) + Duration::minutes(minutes);
    let area = vec!["CD6111".to_string()];
    // Before: two alerts answered in time; one elsewhere and one too early are left out.
    let mut b1 = alert("b1", t("2026-03-01 08:00"), 3, Some("CD6111-V1"), None);
    mv(
        &mut b1,
        AlertState::Acknowledged,
        m("2026-03-01 08:00", 10),
        &[],
    );
    mv(
        &mut b1,
        AlertState::Verified,
        m("2026-03-01 08:00", 20),
        &[],
    );
    mv(
        &mut b1,
        AlertState::Assigned,
        m("2026-03-01 08:00", 30),
        &["base"],
    );
    mv(
        &mut b1,
        AlertState::Responding,
        m("2026-03-01 08:00", 100),
        &[],
    );
    let mut b2 = alert("b2", t("2026-03-05 08:00"), 3, Some("CD6111"), None);
    mv(
        &mut b2,
        AlertState::Acknowledged,
        m("2026-03-05 08:00", 20),
        &[],
    );
    mv(
        &mut b2,
        AlertState::Verified,
        m("2026-03-05 08:00", 60),
        &[],
    );
    mv(
        &mut b2,
        AlertState::Assigned,
        m("2026-03-05 08:00", 70),
        &["base"],
    );
    mv(
        &mut b2,
        AlertState::Responding,
        m("2026-03-05 08:00", 200),
        &[],
    );
    let elsewhere = alert("x1", t("2026-03-06 08:00"), 3, Some("CD6103"), None);
    let early = alert("x2", t("2026-02-20 08:00"), 3, Some("CD6111-V1"), None);
    // After: late answers, one never answered, one just in.
    let mut a1 = alert("a1", t("2026-03-12 08:00"), 3, Some("CD6111-V1"), None);
    mv(
        &mut a1,
        AlertState::Acknowledged,
        m("2026-03-12 08:00", 40),
        &[],
    );
    mv(
        &mut a1,
        AlertState::Verified,
        m("2026-03-12 08:00", 60),
        &[],
    );
    mv(
        &mut a1,
        AlertState::Assigned,
        m("2026-03-12 08:00", 400),
        &["protciv"],
    );
    mv(
        &mut a1,
        AlertState::Responding,
        m("2026-03-12 08:00", 500),
        &[],
    );
    let mut a2 = alert("a2", t("2026-03-15 08:00"), 3, Some("CD6111-V1"), None);
    mv(
        &mut a2,
        AlertState::Acknowledged,
        m("2026-03-15 08:00", 60),
        &[],
    );
    mv(
        &mut a2,
        AlertState::Verified,
        m("2026-03-15 08:00", 90),
        &[],
    );
    let a3 = alert("a3", t("2026-03-20 11:50"), 3, Some("CD6111-V1"), None);
    let alerts = vec![b1, b2, elsewhere, early, a1, a2, a3];
    let as_of = t("2026-03-20 12:00");
    let (bs, as_) = windows(d("2026-03-10"), d("2026-03-20"), 90).unwrap();
    let midnight = |x: NaiveDate| Utc.from_utc_datetime(&x.and_hms_opt(0, 0, 0).unwrap());
    let zone = chrono_tz::UTC;
    let before = window_figures(
        bs,
        midnight(bs.from),
        midnight(bs.until),
        &alerts,
        &g,
        &area,
        as_of,
        zone,
    );
    let after = window_figures(
        as_,
        midnight(as_.from),
        midnight(as_.until),
        &alerts,
        &g,
        &area,
        as_of,
        zone,
    );

    assert_eq!(before.alerts, 2);
    assert_eq!((before.acknowledge.met, before.acknowledge.missed), (2, 0));
    assert_eq!(before.acknowledge.share_met, Some(1.0));
    assert_eq!(before.acknowledge.median_minutes, Some(15.0));
    assert_eq!(before.acknowledge.p90_minutes, Some(20.0));
    assert_eq!(before.respond.median_minutes, Some(150.0));
    assert_eq!(before.respond.p90_minutes, Some(200.0));
    assert_eq!(before.respond.share_met, Some(1.0));

    assert_eq!(after.alerts, 3);
    let ack = &after.acknowledge;
    assert_eq!((ack.met, ack.missed, ack.pending), (0, 2, 1));
    assert_eq!(ack.share_met, Some(0.0));
    assert_eq!(ack.median_minutes, Some(50.0));
    assert_eq!(ack.p90_minutes, Some(60.0));
    let resp = &after.respond;
    assert_eq!(
        (resp.met, resp.missed),
        (0, 2),
        "one late, one never with its deadline past"
    );
    assert_eq!(resp.median_minutes, Some(500.0));
    assert_eq!(resp.share_met, Some(0.0));
}
