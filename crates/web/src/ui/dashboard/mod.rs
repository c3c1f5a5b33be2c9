//! The dashboard (`/`, where signing in leads): on first look, what the reader's role needs,
//! each block a few figures or a small chart and the links to the page holding the detail.
//! Every figure comes from a use case of the application, which checks the permission and
//! counts incidents only in the compartments the reader is granted.

mod monitoring;
mod oversight;
mod system;
mod work;

use axum::response::Response;
use chrono::NaiveDate;
use serde::Serialize;

use kinga_domain::people::{Permission, Role};

use super::{Ctx, UiResult, i18n};

/// One block of the dashboard: a titled box of figures, a chart or a short table, and links.
#[derive(Debug, Default, Serialize)]
pub struct Block {
    /// Element id (`db-queue`), for links and tests.
    pub id: &'static str,
    /// Heading.
    pub title: String,
    /// Figures, each a link to the list it counts.
    pub tiles: Vec<Tile>,
    /// An inline SVG chart (escaped when drawn).
    pub chart: Option<String>,
    /// The chart's legend `(colour, name, total)`.
    pub legend: Vec<(String, String, u32)>,
    /// A short table.
    pub table: Option<Table>,
    /// A sentence that sums the block up.
    pub headline: Option<String>,
    /// What the figures cover.
    pub hint: Option<String>,
    /// Said when there is nothing to show.
    pub empty: Option<String>,
    /// Links to the pages with the detail.
    pub links: Vec<Link>,
}

/// A figure with its label and where it leads.
#[derive(Debug, Serialize)]
pub struct Tile {
    /// Element id.
    pub id: String,
    /// The figure as shown.
    pub n: String,
    /// What it counts.
    pub label: String,
    /// The list it counts.
    pub href: String,
    /// Draws the eye: something late, uncovered or failed.
    pub warn: bool,
}

/// A short table; each row's first cell is its header.
#[derive(Debug, Serialize)]
pub struct Table {
    /// Element id.
    pub id: String,
    /// Column headings (also the labels of the cells when a phone shows rows as cards).
    pub head: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<Cell>>,
}

/// A table cell: text, a link when it leads somewhere.
#[derive(Debug, Serialize)]
pub struct Cell {
    /// Text.
    pub text: String,
    /// Where it leads.
    pub href: Option<String>,
}

/// A link to a page.
#[derive(Debug, Serialize)]
pub struct Link {
    /// Element id.
    pub id: String,
    /// Address.
    pub href: String,
    /// Words.
    pub label: String,
}

impl Tile {
    /// A figure counted exactly.
    pub fn new(id: &str, n: u64, label: &str, href: String) -> Tile {
        Tile {
            id: id.into(),
            n: n.to_string(),
            label: label.into(),
            href,
            warn: false,
        }
    }

    /// Marked when the figure is not zero.
    pub fn warn_if_any(mut self) -> Tile {
        self.warn = self.n != "0";
        self
    }
}

impl Cell {
    /// Plain text.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            href: None,
        }
    }

    /// A link.
    pub fn link(text: impl Into<String>, href: String) -> Cell {
        Cell {
            text: text.into(),
            href: Some(href),
        }
    }
}

impl Link {
    /// A link with an id.
    pub fn new(id: &str, href: impl Into<String>, label: &str) -> Link {
        Link {
            id: id.into(),
            href: href.into(),
            label: label.into(),
        }
    }
}

/// A day as the alert list's `from`/`to` filters take it.
pub fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `GET /`: the dashboard of the signed-in person's role.
pub async fn page(cx: Ctx) -> Response {
    let r = dashboard(&cx).await;
    cx.finish(r)
}

async fn dashboard(cx: &Ctx) -> UiResult {
    let role = cx.pu.user.role;
    let mut blocks: Vec<Block> = vec![];
    match role {
        Role::TriageOfficer => {
            blocks.push(work::queue(cx).await?);
            blocks.push(work::week(cx).await?);
        }
        Role::Responder => {
            blocks.push(work::assigned(cx).await?);
            blocks.push(work::week(cx).await?);
        }
        Role::Coordinator => {
            blocks.push(oversight::open_alerts(cx).await?);
            blocks.push(oversight::indicators(cx).await?);
            blocks.push(oversight::spikes(cx).await?);
            blocks.push(oversight::trend(cx).await?);
            if cx.can(Permission::ReadTransition) {
                blocks.push(oversight::cliff(cx).await?);
            }
        }
        Role::Analyst => {
            blocks.push(oversight::trend(cx).await?);
            blocks.push(oversight::spikes(cx).await?);
            blocks.push(oversight::risk(cx).await?);
        }
        Role::Monitor => {}
        Role::Administrator => {
            blocks.push(system::health(cx).await?);
            blocks.push(oversight::open_alerts(cx).await?);
        }
        Role::Viewer => {
            blocks.push(work::trend(cx).await?);
        }
    }
    // Incidents for whoever holds a sensitive compartment, the monitor's whole job.
    if monitoring::holds_compartments(cx, role).await? {
        blocks.extend(monitoring::blocks(cx).await?);
    }
    let now = cx.st.app.now();
    let view = minijinja::context! {
        role_id => role.as_str(),
        role => cx.t(i18n::role_key(role)),
        greeting => cx.t("db_hello").replace("{name}", &cx.pu.user.display_name),
        as_of => cx.time(now),
        zone => cx.local().zone_label(now),
        blocks => blocks,
    };
    cx.render("dashboard.html", "home", view)
}
