//! The blocks of those who oversee the network and analyse it: the open alerts of the whole
//! network, the response indicators of the last 30 days, the spikes of the last 7, the
//! weekly trend, the places most at risk and the next step of the transition cliff.

use chrono::{Duration, NaiveDate};

use kinga_app::AlertQuery;
use kinga_app::moves::STALE_AFTER_DAYS;
use kinga_domain::AlertState;
use kinga_domain::analysis::risk::RiskSort;
use kinga_domain::analysis::trends::monday_of;

use super::super::figures::{minutes, pct};
use super::super::{Ctx, UiError, UiResult, charts, map, urlencode};
use super::work::{listed, open};
use super::{Block, Cell, Link, Table, Tile, ymd};

/// Days of the response indicators.
const INDICATOR_DAYS: i64 = 30;
/// Days of the spikes.
const SPIKE_DAYS: i64 = 7;
/// Weeks of the trend.
const TREND_WEEKS: i64 = 12;
/// Places of the risk table.
const TOP_PLACES: usize = 5;
/// Spikes listed; the reports page has them all.
const SPIKES_SHOWN: usize = 8;

fn today(cx: &Ctx) -> NaiveDate {
    cx.st.app.now().with_timezone(&cx.local().tz()).date_naive()
}

/// Every open alert of the network, whatever the reader's working area: new, late,
/// uncovered, without a place, stale; each a link to the queue so filtered.
pub async fn open_alerts(cx: &Ctx) -> UiResult<Block> {
    let app = &cx.st.app;
    let caller = cx.caller();
    let now = app.now();
    let all = app.alert_tallies(&caller, open(vec![]), now).await?;
    let new = AlertQuery {
        states: vec![AlertState::Received],
        ..open(vec![])
    };
    let new = app.alert_tallies(&caller, new, now).await?;
    let listed = app.alert_tallies(&caller, listed(vec![]), now).await?;
    let stale = app
        .alert_tallies(
            &caller,
            open(vec![]),
            now - Duration::days(STALE_AFTER_DAYS),
        )
        .await?;
    Ok(Block {
        id: "db-open",
        title: cx.t("db_open").into(),
        tiles: vec![
            Tile::new(
                "db-open-all",
                all.total,
                cx.t("db_open_all"),
                "/alerts?everywhere=1".into(),
            ),
            Tile::new(
                "db-new",
                new.total,
                cx.t("db_new"),
                "/alerts?everywhere=1#new-alerts".into(),
            )
            .warn_if_any(),
            Tile::new(
                "db-overdue",
                listed.overdue,
                cx.t("db_overdue"),
                "/alerts?overdue=1&everywhere=1".into(),
            )
            .warn_if_any(),
            Tile::new(
                "db-uncovered",
                listed.uncovered,
                cx.t("db_uncovered"),
                "/alerts?uncovered=1&everywhere=1".into(),
            )
            .warn_if_any(),
            Tile::new(
                "db-unplaced",
                all.unplaced,
                cx.t("db_unplaced"),
                "/alerts?unplaced=1&everywhere=1".into(),
            ),
            Tile::new(
                "db-stale",
                stale.overdue,
                cx.t("stale"),
                "/alerts?view=stale&everywhere=1".into(),
            ),
        ],
        links: vec![Link::new(
            "db-to-queue",
            "/alerts?everywhere=1",
            cx.t("db_open_queue"),
        )],
        ..Default::default()
    })
}

/// The response indicators of the alerts received in the last 30 local days.
pub async fn indicators(cx: &Ctx) -> UiResult<Block> {
    let tz = cx.local().tz();
    let last = today(cx);
    let first = last - Duration::days(INDICATOR_DAYS - 1);
    let (Some(from), Some(to)) = (
        map::midnight(tz, first),
        map::midnight(tz, last + Duration::days(1)),
    ) else {
        return Err(UiError::invalid(cx.t("err_period")));
    };
    let r = cx.st.app.response_report(&cx.caller(), from, to).await?;
    let o = &r.overall;
    let reports = format!("/reports?from={}&to={}", ymd(first), ymd(last));
    let rows = [
        ("rp_acknowledge", &o.acknowledge),
        ("rp_verify", &o.verify),
        ("rp_respond", &o.respond),
    ]
    .into_iter()
    .map(|(key, s)| {
        vec![
            Cell::text(cx.t(key)),
            Cell::text(pct(s.share_met)),
            Cell::text(minutes(s.median_minutes, cx.lang)),
            Cell::text(minutes(s.p90_minutes, cx.lang)),
        ]
    })
    .collect();
    let list = |extra: &str| {
        format!(
            "/alerts?state=all&everywhere=1{extra}&from={}&to={}",
            ymd(first),
            ymd(last)
        )
    };
    Ok(Block {
        id: "db-indicators",
        title: cx
            .t("db_indicators")
            .replace("{n}", &INDICATOR_DAYS.to_string()),
        tiles: vec![
            Tile::new(
                "db-received",
                u64::from(o.received),
                cx.t("rp_received"),
                list(""),
            ),
            Tile::new(
                "db-received-uncovered",
                u64::from(o.uncovered),
                cx.t("db_uncovered"),
                list("&uncovered=1"),
            )
            .warn_if_any(),
            Tile {
                id: "db-feedback".into(),
                n: pct(o.feedback.share_reached),
                label: cx.t("rp_feedback").into(),
                href: format!("{reports}#rp-feedback"),
                warn: false,
            },
        ],
        table: Some(Table {
            id: "db-steps".into(),
            head: vec![
                cx.t("rp_step").into(),
                cx.t("rp_in_time").into(),
                cx.t("rp_median").into(),
                cx.t("rp_p90").into(),
            ],
            rows,
        }),
        hint: Some(cx.t("db_indicators_hint").into()),
        links: vec![Link::new("db-to-reports", reports, cx.t("rp_title"))],
        ..Default::default()
    })
}

/// The spikes of the last seven days, each leading to its alerts.
pub async fn spikes(cx: &Ctx) -> UiResult<Block> {
    let local = cx.local();
    let last = today(cx);
    let first = last - Duration::days(SPIKE_DAYS - 1);
    let spikes = cx.st.app.spikes(&cx.caller(), first, last).await?;
    let rows = spikes
        .iter()
        .take(SPIKES_SHOWN)
        .map(|s| {
            let href = format!(
                "/alerts?state=all&everywhere=1&area={}&threat={}&from={}&to={}",
                urlencode(&s.area),
                s.threat_type.as_str(),
                ymd(s.day),
                ymd(s.day)
            );
            vec![
                Cell::text(local.day(s.day)),
                Cell::text(s.area_name.clone()),
                Cell::text(s.threat_type.label(cx.lang)),
                Cell::link(s.count.to_string(), href),
                Cell::text(format!("{:.2}", s.baseline_mean)),
            ]
        })
        .collect::<Vec<_>>();
    Ok(Block {
        id: "db-spikes",
        title: cx.t("db_spikes").replace("{n}", &SPIKE_DAYS.to_string()),
        headline: (spikes.len() > SPIKES_SHOWN).then(|| {
            cx.t("db_spikes_more")
                .replace("{n}", &spikes.len().to_string())
        }),
        table: (!rows.is_empty()).then(|| Table {
            id: "db-spike-rows".into(),
            head: vec![
                cx.t("sp_day").into(),
                cx.t("rp_area").into(),
                cx.t("f_threat").into(),
                cx.t("sp_count").into(),
                cx.t("sp_baseline").into(),
            ],
            rows,
        }),
        empty: spikes.is_empty().then(|| cx.t("sp_none").to_string()),
        hint: Some(cx.t("sp_hint").into()),
        links: vec![Link::new(
            "db-to-spikes",
            "/reports#spikes",
            cx.t("sp_title"),
        )],
        ..Default::default()
    })
}

/// Alerts per week by threat type over the last twelve weeks (by the day reported).
pub async fn trend(cx: &Ctx) -> UiResult<Block> {
    let last = cx.st.app.local_today();
    let first = monday_of(last) - Duration::weeks(TREND_WEEKS - 1);
    let weeks = cx.st.app.weekly_trends(&cx.caller(), first, last).await?;
    let total: u32 = weeks.iter().map(|w| w.total).sum();
    let (svg, legend) = charts::weekly_threats(cx.lang, &weeks);
    Ok(Block {
        id: "db-trend",
        title: cx.t("ch_trends").into(),
        chart: (total > 0).then_some(svg),
        legend,
        hint: Some(cx.t("ch_weekly_hint").into()),
        empty: (total == 0).then(|| cx.t("db_nothing").to_string()),
        links: vec![
            Link::new(
                "db-to-reports",
                format!("/reports?from={}&to={}#trends", ymd(first), ymd(last)),
                cx.t("nav_reports"),
            ),
            Link::new("db-to-map", "/map", cx.t("nav_map")),
            Link::new("db-to-briefing", "/briefing", cx.t("nav_briefing")),
        ],
        ..Default::default()
    })
}

/// The places most at risk now.
pub async fn risk(cx: &Ctx) -> UiResult<Block> {
    let r = cx.st.app.risk_report(&cx.caller(), RiskSort::Score).await?;
    let rows: Vec<Vec<Cell>> = r
        .places
        .iter()
        .take(TOP_PLACES)
        .map(|p| {
            vec![
                Cell::link(
                    p.name.clone(),
                    format!("/alerts?state=all&everywhere=1&area={}", urlencode(&p.area)),
                ),
                Cell::text(format!("{:.1}", p.score)),
                Cell::text(p.alerts.to_string()),
            ]
        })
        .collect();
    Ok(Block {
        id: "db-risk",
        title: cx.t("mp_risk_title").into(),
        table: (!rows.is_empty()).then(|| Table {
            id: "db-risk-rows".into(),
            head: vec![
                cx.t("rp_area").into(),
                cx.t("db_score").into(),
                cx.t("rp_received").into(),
            ],
            rows,
        }),
        empty: r.places.is_empty().then(|| cx.t("db_nothing").to_string()),
        hint: Some(
            cx.t("db_risk_hint")
                .replace("{days}", &r.window_days.to_string()),
        ),
        links: vec![
            Link::new("db-to-risk", "/map?colour=risk#risk", cx.t("mp_risk_title")),
            Link::new("db-to-map", "/map", cx.t("nav_map")),
            Link::new("db-to-briefing", "/briefing", cx.t("nav_briefing")),
        ],
        ..Default::default()
    })
}

/// The transition cliff at the next base closure (today's when none is left): places left
/// with a capacity nobody provides, and the alerts of the year before there.
pub async fn cliff(cx: &Ctx) -> UiResult<Block> {
    let app = &cx.st.app;
    let caller = cx.caller();
    let today = app.local_today();
    let next = app
        .withdrawal_plans(&caller)
        .await?
        .into_iter()
        .flat_map(|w| {
            w.closures
                .into_iter()
                .map(move |c| (c.closes_on, c.base, w.mission.clone()))
        })
        .filter(|(on, _, _)| *on > today)
        .min();
    let on = next.as_ref().map_or(today, |(d, _, _)| *d);
    let c = app.transition_cliff(&caller, on).await?;
    let capacities: usize = c.places.iter().map(|p| p.capacities.len()).sum();
    let alerts: u64 = c.places.iter().map(|p| p.alerts_12m).sum();
    let local = cx.local();
    let headline = cx
        .t("db_cliff")
        .replace("{date}", &local.day(on))
        .replace("{places}", &c.places.len().to_string())
        .replace("{capacities}", &capacities.to_string())
        .replace("{alerts}", &alerts.to_string());
    let closure = next.as_ref().map(|(d, base, mission)| {
        cx.t("db_next_closure")
            .replace("{base}", base)
            .replace("{mission}", mission)
            .replace("{date}", &local.day(*d))
    });
    Ok(Block {
        id: "db-cliff",
        title: cx.t("db_cliff_title").into(),
        tiles: vec![
            Tile::new(
                "db-cliff-places",
                c.places.len() as u64,
                cx.t("db_cliff_places"),
                format!("/transition/cliff?date={}", ymd(on)),
            )
            .warn_if_any(),
            Tile::new(
                "db-cliff-alerts",
                alerts,
                cx.t("db_cliff_alerts"),
                format!("/transition/cliff?date={}", ymd(on)),
            ),
        ],
        headline: Some(headline),
        hint: closure,
        links: vec![
            Link::new(
                "db-to-cliff",
                format!("/transition/cliff?date={}", ymd(on)),
                cx.t("db_cliff_title"),
            ),
            Link::new("db-to-transition", "/transition", cx.t("nav_transition")),
        ],
        ..Default::default()
    })
}
