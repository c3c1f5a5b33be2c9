//! What the map page shows beside the alerts: the context events of public data sets (UCDP
//! GED, ACLED) in the window, drawn as purple diamonds and listed with their source and
//! licence note, never counted with the alerts; and the mission's bases from the withdrawal
//! plans, closed (filled square) or closing (open square). The marks go into the server's
//! SVG, so the page shows them without JavaScript; `static/map.js` reads them back.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use minijinja::{Value, context};

use kinga_app::context::{ContextFilter, MAX_CONTEXT_PAGE};
use kinga_app::map::BaseMark;
use kinga_domain::analysis::boundaries::Projection;
use kinga_domain::analysis::context::ContextEvent;

use super::{Ctx, UiResult, escape};

/// Fill of context events' diamonds (distinct from the alerts' severity colours).
pub const CONTEXT_FILL: &str = "#7b3294";

/// Context events listed in the page's table (all of them are drawn).
const LISTED: usize = 20;

/// The context events and bases of the window, as SVG marks and as the page's tables.
pub(super) struct Extras {
    /// SVG elements to draw above the areas.
    pub marks: String,
    /// The template's `context` and `bases` values.
    pub context: Value,
    /// The bases.
    pub bases: Value,
}

/// Put `marks` inside `svg`, before its closing tag.
pub(super) fn with_marks(mut svg: String, marks: &str) -> String {
    match svg.rfind("</svg>") {
        Some(i) => svg.insert_str(i, marks),
        None => svg.push_str(marks),
    }
    svg
}

/// Read the window's context events (naming `actor`, when given) and the bases, as marks
/// projected with `proj` and table rows.
pub(super) async fn extras(
    cx: &Ctx,
    proj: &Projection,
    first: NaiveDate,
    last: NaiveDate,
    actor: &str,
    today: NaiveDate,
) -> UiResult<Extras> {
    let caller = cx.caller();
    let page = cx
        .st
        .app
        .context_events(
            &caller,
            &ContextFilter {
                from: Some(first),
                to: Some(last),
                actor: Some(actor.to_string()).filter(|a| !a.trim().is_empty()),
                limit: MAX_CONTEXT_PAGE,
                ..ContextFilter::default()
            },
        )
        .await?;
    let bases = cx.st.app.map_bases(&caller, today).await?;
    // A mark's size in grid units: about 1/120 of the drawing's width, so it shows at 360 px.
    let r = (proj.width as f64 / 120.0).max(3.0);
    let mut marks = String::new();
    for e in &page.items {
        marks.push_str(&diamond(proj, e, r));
    }
    for b in &bases {
        marks.push_str(&square(cx, proj, b, r * 1.2));
    }
    Ok(Extras {
        marks,
        context: context_view(cx, &page.items, page.next.is_some()),
        bases: bases_view(cx, &bases),
    })
}

fn diamond(p: &Projection, e: &ContextEvent, r: f64) -> String {
    let (x, y) = p.xy(e.lon, e.lat);
    let (x, y) = (x as f64, y as f64);
    format!(
        r##"<path class="ctx" d="M{x:.1} {:.1}l{r:.1} {r:.1}l-{r:.1} {r:.1}l-{r:.1} -{r:.1}z" fill="{CONTEXT_FILL}" stroke="#fff" stroke-width="1" vector-effect="non-scaling-stroke" data-lat="{:.5}" data-lon="{:.5}" data-dataset="{}" data-day="{}" data-type="{}" data-actors="{}" data-fatalities="{}" data-where="{}"><title>{} {} · {} · {}</title></path>"##,
        y - r,
        e.lat,
        e.lon,
        e.dataset.as_str(),
        e.date,
        escape(&e.event_type),
        escape(&e.actors.join("; ")),
        e.fatalities.map(|f| f.to_string()).unwrap_or_default(),
        escape(e.location.as_deref().unwrap_or_default()),
        e.dataset.label(),
        e.date,
        escape(&e.event_type),
        escape(&e.actors.join("; ")),
    )
}

fn square(cx: &Ctx, p: &Projection, b: &BaseMark, r: f64) -> String {
    let (x, y) = p.xy(b.lon, b.lat);
    let (x, y) = (x as f64, y as f64);
    let state = if b.closed {
        cx.t("mp_closed")
    } else {
        cx.t("mp_closing")
    };
    format!(
        r##"<rect class="base{}" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}" stroke="#000" stroke-width="2" vector-effect="non-scaling-stroke" data-lat="{:.5}" data-lon="{:.5}" data-base="{}" data-closes="{}" data-closed="{}"><title>{} ({}) · {} {}</title></rect>"##,
        if b.closed { " closed" } else { "" },
        x - r,
        y - r,
        2.0 * r,
        2.0 * r,
        if b.closed { "#000" } else { "#fff" },
        b.lat,
        b.lon,
        escape(&b.base),
        b.closes_on,
        b.closed,
        escape(&b.base),
        escape(&b.mission),
        escape(state),
        b.closes_on,
    )
}

fn context_view(cx: &Ctx, items: &[ContextEvent], more: bool) -> Value {
    // Per data set: how many, and the licence notes given at import.
    let mut sets: BTreeMap<&str, (u64, Vec<&str>)> = BTreeMap::new();
    for e in items {
        let s = sets.entry(e.dataset.label()).or_default();
        s.0 += 1;
        if !s.1.contains(&e.licence.as_str()) {
            s.1.push(&e.licence);
        }
    }
    let sets: Vec<Value> = sets
        .into_iter()
        .map(|(label, (n, licences))| context! { label => label, count => n, licences => licences })
        .collect();
    let rows: Vec<Value> = items
        .iter()
        .take(LISTED)
        .map(|e| {
            context! {
                day => e.date.to_string(),
                dataset => e.dataset.label(),
                kind => &e.event_type,
                sub => &e.sub_event_type,
                actors => e.actors.join("; "),
                place => [e.location.as_deref(), e.admin2.as_deref(), e.admin1.as_deref(), e.country.as_deref()]
                    .into_iter().flatten().collect::<Vec<_>>().join(", "),
                fatalities => e.fatalities,
            }
        })
        .collect();
    context! {
        total => items.len(),
        more => more,
        sets => sets,
        rows => rows,
        listed_more => items.len().saturating_sub(LISTED),
        hint => cx.t("mp_context_hint"),
    }
}

fn bases_view(cx: &Ctx, bases: &[BaseMark]) -> Value {
    let rows: Vec<Value> = bases
        .iter()
        .map(|b| {
            context! {
                base => &b.base, mission => &b.mission, place => &b.place,
                closes_on => b.closes_on.to_string(), closed => b.closed,
                state => if b.closed { cx.t("mp_closed") } else { cx.t("mp_closing") },
            }
        })
        .collect();
    Value::from(rows)
}
