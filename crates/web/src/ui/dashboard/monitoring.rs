//! The blocks of protection monitors and officers with compartments: incidents by
//! verification state per granted compartment (allegations and verified cases apart), the
//! referrals whose follow-up is due, and the MRM/MARA headline of the current quarter. Every
//! figure is the application's, over the compartments the reader is granted and no other.

use kinga_app::IncidentQuery;
use kinga_domain::incident::VerificationState;
use kinga_domain::people::{Permission, Role};

use super::super::incidents::label;
use super::super::{Ctx, UiResult, relative, urlencode};
use super::{Block, Cell, Link, Table, Tile};

/// Referrals listed; the incident pages hold them all.
const REFERRALS_SHOWN: usize = 6;

/// Whether the incident blocks are the reader's: a monitor's always, anyone else's only when
/// granted a sensitive compartment.
pub async fn holds_compartments(cx: &Ctx, role: Role) -> UiResult<bool> {
    if !cx.can(Permission::ReadIncidents) {
        return Ok(false);
    }
    if role == Role::Monitor {
        return Ok(true);
    }
    let visible = cx.st.app.visible_compartments(&cx.caller()).await?;
    Ok(visible.iter().any(|c| c.is_sensitive()))
}

/// The incident blocks.
pub async fn blocks(cx: &Ctx) -> UiResult<Vec<Block>> {
    Ok(vec![
        by_state(cx).await?,
        referrals(cx).await?,
        mrm(cx).await?,
    ])
}

/// Incidents per verification state in each compartment the reader sees.
async fn by_state(cx: &Ctx) -> UiResult<Block> {
    use VerificationState::*;
    let caller = cx.caller();
    let visible = cx.st.app.visible_compartments(&caller).await?;
    let mut rows = vec![];
    for c in &visible {
        let q = IncidentQuery {
            compartments: vec![*c],
            limit: 1,
            ..Default::default()
        };
        let page = cx.st.app.incidents(&caller, q).await?;
        let count = |states: &[VerificationState]| -> u64 {
            page.by_state
                .iter()
                .filter(|(s, _)| states.contains(s))
                .map(|(_, n)| n)
                .sum()
        };
        let list = |state: &str| {
            format!(
                "/incidents?compartment={}&state={state}",
                urlencode(c.as_str())
            )
        };
        rows.push(vec![
            Cell::link(label(cx.lang, "cmp", c), list("")),
            Cell::link(count(&[Reported]).to_string(), list("reported")),
            Cell::link(
                count(&[UnderVerification]).to_string(),
                list("under_verification"),
            ),
            Cell::link(count(&[Verified]).to_string(), list("verified")),
            Cell::text(count(&[NotVerified, Unfounded]).to_string()),
        ]);
    }
    let mut links = vec![Link::new(
        "db-to-incidents",
        "/incidents",
        cx.t("nav_incidents"),
    )];
    if cx.can(Permission::RecordIncidents) {
        links.push(Link::new(
            "db-to-new-incident",
            "/incidents/new",
            cx.t("nav_new_incident"),
        ));
    }
    Ok(Block {
        id: "db-incidents",
        title: cx.t("db_incidents").into(),
        table: Some(Table {
            id: "db-incident-rows".into(),
            head: vec![
                cx.t("db_compartment").into(),
                cx.t("ivs_reported").into(),
                cx.t("ivs_under_verification").into(),
                cx.t("ivs_verified").into(),
                cx.t("db_dismissed").into(),
            ],
            rows,
        }),
        hint: Some(cx.t("db_incidents_hint").into()),
        links,
        ..Default::default()
    })
}

/// Open referrals, and those whose follow-up is due, the longest waiting first.
async fn referrals(cx: &Ctx) -> UiResult<Block> {
    let r = cx.st.app.referrals_due(&cx.caller()).await?;
    let local = cx.local();
    let now = cx.st.app.now();
    let plus = if r.more { "+" } else { "" };
    let rows: Vec<Vec<Cell>> = r
        .due
        .iter()
        .take(REFERRALS_SHOWN)
        .map(|f| {
            let short: String = f
                .incident
                .chars()
                .rev()
                .take(6)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            vec![
                Cell::link(
                    format!("{} …{short}", cx.t("db_incident")),
                    format!("/incidents/{}#referrals", urlencode(&f.incident)),
                ),
                Cell::text(label(cx.lang, "svc", &f.service)),
                Cell::text(label(cx.lang, "rfs", &f.status)),
                Cell::text(local.date(f.last_contact())),
                Cell::text(
                    f.follow_up_due_at()
                        .map(|t| relative(cx.lang, now, t))
                        .unwrap_or_default(),
                ),
            ]
        })
        .collect();
    Ok(Block {
        id: "db-referrals",
        title: cx.t("db_referrals").into(),
        tiles: vec![
            Tile {
                id: "db-referrals-due".into(),
                n: format!("{}{plus}", r.due.len()),
                label: cx.t("db_referrals_due").into(),
                href: "#db-referral-rows".into(),
                warn: !r.due.is_empty(),
            },
            Tile {
                id: "db-referrals-open".into(),
                n: format!("{}{plus}", r.open),
                label: cx.t("db_referrals_open").into(),
                href: "/incidents".into(),
                warn: false,
            },
        ],
        table: (!rows.is_empty()).then(|| Table {
            id: "db-referral-rows".into(),
            head: vec![
                cx.t("db_incident").into(),
                cx.t("db_service").into(),
                cx.t("mrm_status").into(),
                cx.t("db_last_contact").into(),
                cx.t("db_follow_up").into(),
            ],
            rows,
        }),
        hint: Some(cx.t("db_referrals_hint").replace(
            "{n}",
            &kinga_domain::incident::care::FOLLOW_UP_EVERY_DAYS.to_string(),
        )),
        empty: r
            .due
            .is_empty()
            .then(|| cx.t("db_referrals_none").to_string()),
        ..Default::default()
    })
}

/// The MRM/MARA table's totals for the current quarter.
async fn mrm(cx: &Ctx) -> UiResult<Block> {
    let r = cx.st.app.mrm_report(&cx.caller(), None).await?;
    let href = format!("/reports/mrm?period={}", urlencode(&r.period));
    let tile = |id: &str, n: String, key: &str| Tile {
        id: id.into(),
        n,
        label: cx.t(key).into(),
        href: href.clone(),
        warn: false,
    };
    let rate = r
        .sv_referrals
        .rate
        .map_or_else(|| "–".to_string(), |v| format!("{:.0} %", v * 100.0));
    Ok(Block {
        id: "db-mrm",
        title: cx.t("db_mrm").replace("{period}", &r.period),
        tiles: vec![
            tile(
                "db-mrm-allegations",
                r.totals.allegations.text(),
                "in_allegations",
            ),
            tile("db-mrm-verified", r.totals.verified.text(), "ivs_verified"),
            tile(
                "db-mrm-dismissed",
                r.totals.dismissed.text(),
                "db_dismissed",
            ),
            tile("db-mrm-sv", rate, "db_sv_rate"),
        ],
        hint: Some(
            cx.t("db_mrm_hint").replace(
                "{compartments}",
                &r.compartments
                    .iter()
                    .map(|c| label(cx.lang, "cmp", c))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        links: vec![Link::new("db-to-mrm", href, cx.t("mrm_title"))],
        ..Default::default()
    })
}
