//! The administrator's block: how the instance is doing, from figures other pages already
//! hold: the ledger's length, the people who may sign in, messages waiting or given up, the
//! unsettled conflicts between instances and the paired instances.

use kinga_app::OutboxQuery;
use kinga_domain::outbox::MessageStatus;

use super::super::{Ctx, UiResult};
use super::{Block, Cell, Link, Table, Tile};

/// Messages of one status read to count them.
const OUTBOX_READ: usize = 500;

/// System health.
pub async fn health(cx: &Ctx) -> UiResult<Block> {
    let app = &cx.st.app;
    let caller = cx.caller();
    let events = app.event_count(&caller).await?;
    let users = app.users(&caller).await?;
    let active = users.iter().filter(|u| !u.disabled).count() as u64;
    let mut tiles = vec![
        Tile::new("db-events", events, cx.t("db_events"), "/users".into()),
        Tile::new("db-users", active, cx.t("db_users"), "/users".into()),
        Tile::new(
            "db-users-disabled",
            users.len() as u64 - active,
            cx.t("db_users_disabled"),
            "/users".into(),
        ),
    ];
    for (id, status, key, slug) in [
        (
            "db-outbox-queued",
            MessageStatus::Queued,
            "db_outbox_queued",
            "queued",
        ),
        (
            "db-outbox-failed",
            MessageStatus::Failed,
            "db_outbox_failed",
            "failed",
        ),
    ] {
        let q = OutboxQuery {
            statuses: vec![status],
            limit: OUTBOX_READ,
            ..Default::default()
        };
        let page = app.outbox(&caller, q).await?;
        let mut t = Tile::new(
            id,
            page.items.len() as u64,
            cx.t(key),
            format!("/outbox?status={slug}"),
        );
        if status == MessageStatus::Failed {
            t = t.warn_if_any();
        }
        if page.more {
            t.n.push('+');
        }
        tiles.push(t);
    }
    let conflicts = app.record_conflicts(&caller).await?;
    tiles.push(
        Tile::new(
            "db-conflicts",
            conflicts.len() as u64,
            cx.t("db_conflicts"),
            "/conflicts".into(),
        )
        .warn_if_any(),
    );
    let peers = app.peers(&caller).await?;
    let local = cx.local();
    let rows: Vec<Vec<Cell>> = peers
        .iter()
        .map(|p| {
            vec![
                Cell::text(p.name.clone()),
                Cell::text(p.url.clone()),
                Cell::text(local.date(p.added_at)),
            ]
        })
        .collect();
    Ok(Block {
        id: "db-system",
        title: cx.t("db_system").into(),
        tiles,
        table: (!rows.is_empty()).then(|| Table {
            id: "db-peers".into(),
            head: vec![
                cx.t("db_peer").into(),
                cx.t("db_peer_url").into(),
                cx.t("db_peer_paired").into(),
            ],
            rows,
        }),
        hint: Some(cx.t("db_system_hint").into()),
        links: vec![
            Link::new("db-to-users", "/users", cx.t("nav_users")),
            Link::new("db-to-outbox", "/outbox", cx.t("nav_outbox")),
            Link::new("db-to-digest", "/digest", cx.t("nav_digest")),
        ],
        ..Default::default()
    })
}
