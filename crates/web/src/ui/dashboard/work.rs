//! The blocks of those who work the queue: a liaison assistant's queue at a glance, a
//! responder's assigned alerts, the alerts of the last days as a small chart, and the weekly
//! trend of what the reader's alert list shows (for roles that read no reports).

use chrono::Duration;
use kinga_app::{AlertQuery, OutboxQuery};
use kinga_domain::AlertState;
use kinga_domain::analysis::trends::{monday_of, weeks_of};
use kinga_domain::outbox::{MessageKind, MessageStatus};
use kinga_domain::people::Permission;

use super::super::{Ctx, UiResult, charts, past_reception};
use super::{Block, Link, Tile, ymd};

/// Days of the small chart: this week as people count it, today and the six before.
const WEEK_DAYS: i64 = 7;
/// Weeks of the trend shown to those who read no reports.
const TREND_WEEKS: i64 = 8;
/// Messages of one status read to count those to reporters.
const OUTBOX_READ: usize = 500;

/// The open alerts the queue lists below its new ones (received alerts have a section of
/// their own): what `/alerts?overdue=1` and `/alerts?uncovered=1` show.
pub(super) fn listed(areas: Vec<String>) -> AlertQuery {
    AlertQuery {
        states: past_reception(),
        open_only: true,
        areas,
        ..Default::default()
    }
}

/// Every open alert, new ones included.
pub(super) fn open(areas: Vec<String>) -> AlertQuery {
    AlertQuery {
        open_only: true,
        areas,
        ..Default::default()
    }
}

/// The liaison assistant's queue: new, late, taken by them, uncovered, without a place, and
/// the messages to reporters not delivered yet; each a link to the queue so filtered (the
/// queue applies the working area itself).
pub async fn queue(cx: &Ctx) -> UiResult<Block> {
    let app = &cx.st.app;
    let caller = cx.caller();
    let now = app.now();
    let areas = cx.pu.user.areas.clone();
    let new = AlertQuery {
        states: vec![AlertState::Received],
        ..open(areas.clone())
    };
    let new = app.alert_tallies(&caller, new, now).await?;
    let all = app.alert_tallies(&caller, open(areas.clone()), now).await?;
    let listed = app
        .alert_tallies(&caller, listed(areas.clone()), now)
        .await?;
    let mine = AlertQuery {
        taken_by: Some(cx.pu.user.name.clone()),
        ..open(areas.clone())
    };
    let mine = app.alert_tallies(&caller, mine, now).await?;
    let mut tiles = vec![
        Tile::new(
            "db-new",
            new.total,
            cx.t("db_new"),
            "/alerts#new-alerts".into(),
        )
        .warn_if_any(),
        Tile::new(
            "db-overdue",
            listed.overdue,
            cx.t("db_overdue"),
            "/alerts?overdue=1".into(),
        )
        .warn_if_any(),
        Tile::new(
            "db-mine",
            mine.total,
            cx.t("db_mine"),
            "/alerts?mine=1".into(),
        ),
        Tile::new(
            "db-uncovered",
            listed.uncovered,
            cx.t("db_uncovered"),
            "/alerts?uncovered=1".into(),
        )
        .warn_if_any(),
        Tile::new(
            "db-unplaced",
            all.unplaced,
            cx.t("db_unplaced"),
            "/alerts?unplaced=1".into(),
        ),
    ];
    if cx.can(Permission::ReadOutbox) {
        for (id, status, key) in [
            ("db-fb-queued", MessageStatus::Queued, "db_fb_queued"),
            ("db-fb-failed", MessageStatus::Failed, "db_fb_failed"),
        ] {
            let q = OutboxQuery {
                statuses: vec![status],
                limit: OUTBOX_READ,
                ..Default::default()
            };
            let page = app.outbox(&caller, q).await?;
            let n = page
                .items
                .iter()
                .filter(|m| m.kind == MessageKind::Feedback)
                .count();
            let slug = if status == MessageStatus::Failed {
                "failed"
            } else {
                "queued"
            };
            let mut t = Tile::new(id, n as u64, cx.t(key), format!("/outbox?status={slug}"));
            if page.more {
                t.n.push('+');
            }
            tiles.push(if status == MessageStatus::Failed {
                t.warn_if_any()
            } else {
                t
            });
        }
    }
    let gaz = app.gazetteer();
    let working: Vec<String> = areas.iter().map(|a| gaz.label(a)).collect();
    Ok(Block {
        id: "db-queue",
        title: cx.t("db_queue").into(),
        tiles,
        hint: Some(if working.is_empty() {
            cx.t("db_everywhere").to_string()
        } else {
            format!("{} {}", cx.t("db_working_area"), working.join(" · "))
        }),
        links: vec![
            Link::new("db-to-queue", "/alerts", cx.t("db_open_queue")),
            Link::new("db-to-stale", "/alerts?view=stale", cx.t("stale")),
        ],
        ..Default::default()
    })
}

/// A responder's alerts: assigned and not taken up yet, under way, late.
pub async fn assigned(cx: &Ctx) -> UiResult<Block> {
    let app = &cx.st.app;
    let caller = cx.caller();
    let now = app.now();
    let count = |s: AlertState| AlertQuery {
        states: vec![s],
        ..Default::default()
    };
    let waiting = app
        .alert_tallies(&caller, count(AlertState::Assigned), now)
        .await?;
    let acting = app
        .alert_tallies(&caller, count(AlertState::Responding), now)
        .await?;
    let late = app.alert_tallies(&caller, listed(vec![]), now).await?;
    Ok(Block {
        id: "db-assigned",
        title: cx.t("db_assigned").into(),
        tiles: vec![
            Tile::new(
                "db-waiting",
                waiting.total,
                cx.t("state_assigned"),
                "/alerts?state=assigned".into(),
            )
            .warn_if_any(),
            Tile::new(
                "db-acting",
                acting.total,
                cx.t("state_responding"),
                "/alerts?state=responding".into(),
            ),
            Tile::new(
                "db-overdue",
                late.overdue,
                cx.t("db_overdue"),
                "/alerts?overdue=1".into(),
            )
            .warn_if_any(),
        ],
        links: vec![Link::new("db-to-queue", "/alerts", cx.t("db_open_queue"))],
        ..Default::default()
    })
}

/// The alerts of the last seven local days in the reader's places (their working area; a
/// responder's own alerts), per day, each day's bar leading to that day's alerts.
pub async fn week(cx: &Ctx) -> UiResult<Block> {
    let local = cx.local();
    let today = cx.st.app.now().with_timezone(&local.tz()).date_naive();
    let first = today - Duration::days(WEEK_DAYS - 1);
    let q = AlertQuery {
        areas: cx.pu.user.areas.clone(),
        ..Default::default()
    };
    let days = cx
        .st
        .app
        .alert_days(&cx.caller(), q, local.tz(), first, today)
        .await?;
    let href = |d| format!("/alerts?state=all&from={}&to={}", ymd(d), ymd(d));
    let (svg, legend) =
        charts::daily_threats(cx.lang, "chart-days", cx.t("db_week_chart"), &days, &href);
    let total: u32 = days.iter().map(|d| d.total).sum();
    Ok(Block {
        id: "db-week",
        title: cx.t("db_week").into(),
        chart: (total > 0).then_some(svg),
        legend,
        headline: Some(
            cx.t("db_week_total")
                .replace("{n}", &total.to_string())
                .replace("{from}", &local.day(first))
                .replace("{to}", &local.day(today)),
        ),
        hint: Some(cx.t("db_week_hint").into()),
        links: vec![Link::new(
            "db-week-list",
            format!("/alerts?state=all&from={}&to={}", ymd(first), ymd(today)),
            cx.t("db_week_list"),
        )],
        ..Default::default()
    })
}

/// Alerts per week by threat type over the last weeks, of what the reader's alert list
/// shows: the trend for those who read no reports.
pub async fn trend(cx: &Ctx) -> UiResult<Block> {
    let local = cx.local();
    let today = cx.st.app.now().with_timezone(&local.tz()).date_naive();
    let first = monday_of(today) - Duration::weeks(TREND_WEEKS - 1);
    let days = cx
        .st
        .app
        .alert_days(
            &cx.caller(),
            AlertQuery::default(),
            local.tz(),
            first,
            today,
        )
        .await?;
    let weeks = weeks_of(&days);
    let total: u32 = weeks.iter().map(|w| w.total).sum();
    let (svg, legend) = charts::weekly_threats(cx.lang, &weeks);
    Ok(Block {
        id: "db-trend",
        title: cx.t("ch_trends").into(),
        chart: (total > 0).then_some(svg),
        legend,
        hint: Some(
            cx.t("db_trend_received")
                .replace("{from}", &local.day(first)),
        ),
        empty: (total == 0).then(|| cx.t("db_nothing").to_string()),
        links: vec![
            Link::new("db-to-map", "/map", cx.t("nav_map")),
            Link::new(
                "db-trend-list",
                format!("/alerts?state=all&from={}&to={}", ymd(first), ymd(today)),
                cx.t("db_week_list"),
            ),
        ],
        ..Default::default()
    })
}
