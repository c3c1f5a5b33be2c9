//! The map (`/map`): the first-level areas as an SVG choropleth drawn on the server, with the
//! counts per area in a table beside it and the hotspots below, filtered by a GET form (time
//! window, a slider moving it back, threat type, state): all of it without JavaScript. With
//! JavaScript, `static/map.js` turns the SVG into a Leaflet map (zoom, alert points paged from
//! `/api/v1/map/alerts`, hotspots from `/api/v1/map/summary`); Leaflet is embedded
//! (`assets.rs`), nothing comes from another server.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use minijinja::{Value, context};
use serde::Deserialize;

use kinga_app::AlertQuery;
use kinga_app::map::map_base;
use kinga_domain::analysis::DbscanParams;
use kinga_domain::analysis::boundaries::Projection;
use kinga_domain::analysis::map::MapSummary;
use kinga_domain::analysis::risk::{RiskReport, RiskSort};
use kinga_domain::people::Permission;
use kinga_domain::{AlertState, ThreatType};

use super::{Ctx, QueryData, UiError, UiResult, assets, state_options, templates, threat_options};
use crate::api::map::{DEFAULT_EPS_KM, DEFAULT_MIN_SAMPLES};

/// Grid units per degree of the SVG (0.02° ≈ 2 km a unit, finer than the simplification).
const SVG_SCALE: f64 = 50.0;

/// Fill of each choropleth class, 0 (no alert) to 5 (ColorBrewer "Reds").
pub const PALETTE: [&str; 6] = [
    "#f2f2f2", "#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15",
];

/// Time windows offered, in days.
const WINDOWS: [i64; 4] = [7, 30, 90, 365];

/// How far back the slider moves the window's end, in days.
pub const MAX_BACK: i64 = 365;

/// The drawn areas' SVG paths and the projection, computed once.
struct Drawing {
    proj: Projection,
    paths: Vec<String>,
}

static DRAWING: LazyLock<Option<Drawing>> = LazyLock::new(|| {
    let base = map_base().ok()?;
    let proj = Projection::fit(base.drawn.bbox(), SVG_SCALE);
    let paths = base.drawn.areas().iter().map(|a| proj.path(a)).collect();
    Some(Drawing { proj, paths })
});

/// The map's filters as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MapQuery {
    days: Option<String>,
    back: Option<String>,
    threat_type: Option<String>,
    state: Option<String>,
    colour: Option<String>,
    risk_sort: Option<String>,
    actor: Option<String>,
}

impl MapQuery {
    /// Only a period: `days` long, ending `back` days ago.
    pub(super) fn period(days: Option<String>, back: Option<String>) -> MapQuery {
        MapQuery {
            days,
            back,
            ..MapQuery::default()
        }
    }
}

/// The filters, checked: anything odd falls back to its default.
#[derive(Debug, Clone, PartialEq)]
pub struct MapFilters {
    /// Window length, days.
    pub days: i64,
    /// Days between today and the window's last day.
    pub back: i64,
    /// Threat type id, or empty for all.
    pub threat: String,
    /// `""` (all), `open`, or a state id.
    pub state: String,
    /// Colour areas by `risk` (for those who read reports) rather than by alerts.
    pub by_risk: bool,
    /// How the risk table is sorted.
    pub risk_sort: String,
    /// Part of an actor's name the context events must name, or empty for all.
    pub actor: String,
}

impl From<MapQuery> for MapFilters {
    fn from(q: MapQuery) -> Self {
        let num = |v: &Option<String>| v.as_deref().and_then(|s| s.trim().parse::<i64>().ok());
        let days = num(&q.days).filter(|d| WINDOWS.contains(d)).unwrap_or(30);
        let back = num(&q.back).map_or(0, |b| b.clamp(0, MAX_BACK));
        let threat = q
            .threat_type
            .unwrap_or_default()
            .trim()
            .parse::<ThreatType>()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default();
        let state = q.state.unwrap_or_default().trim().to_string();
        let state = if state == "open" || state.parse::<AlertState>().is_ok() {
            state
        } else {
            String::new()
        };
        let risk_sort = q
            .risk_sort
            .filter(|s| RiskSort::parse(s).is_some())
            .unwrap_or_else(|| "score".into());
        MapFilters {
            days,
            back,
            threat,
            state,
            by_risk: q.colour.as_deref() == Some("risk"),
            risk_sort,
            actor: q
                .actor
                .unwrap_or_default()
                .trim()
                .chars()
                .take(100)
                .collect(),
        }
    }
}

impl MapFilters {
    /// First and last local day of the window.
    pub fn days_of(&self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let last = today - Duration::days(self.back);
        (last - Duration::days(self.days - 1), last)
    }

    /// The alert list's query for these filters, received within `[from, to)`.
    pub fn query(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> AlertQuery {
        AlertQuery {
            threat_type: self.threat.parse().ok(),
            open_only: self.state == "open",
            states: self.state.parse::<AlertState>().into_iter().collect(),
            received_from: Some(from),
            received_to: Some(to),
            ..AlertQuery::default()
        }
    }
}

/// Local midnight starting `d` in `tz`.
pub(super) fn midnight(tz: chrono_tz::Tz, d: NaiveDate) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// `GET /map`.
pub async fn page(cx: Ctx, QueryData(q): QueryData<MapQuery>) -> Response {
    let r = map_page(&cx, q.into()).await;
    let mut res = cx.finish(r);
    // Leaflet and the map's script are files of this server: the page's policy allows
    // scripts, styles and images from 'self' besides the inline ones every page has.
    if let Ok(v) = HeaderValue::from_str(&templates::csp_for_map()) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}

/// The SVG of the areas coloured by `s` and its hotspots, as markup (every text escaped).
pub(super) fn svg(cx: &Ctx, s: &MapSummary, classes: &[usize]) -> UiResult<String> {
    let d = DRAWING
        .as_ref()
        .ok_or_else(|| UiError::invalid("the map's boundaries could not be read"))?;
    let p = &d.proj;
    let mut out = format!(
        r#"<svg id="map-svg" viewBox="0 0 {} {}" data-west="{}" data-north="{}" data-scale="{}" data-palette="{}" role="img" aria-labelledby="map-svg-title" preserveAspectRatio="xMidYMid meet"><title id="map-svg-title">{}</title>"#,
        p.width,
        p.height,
        p.west,
        p.north,
        p.scale,
        PALETTE.join(","),
        super::escape(cx.t("mp_svg_label")),
    );
    for ((a, path), class) in s.areas.iter().zip(&d.paths).zip(classes) {
        let name = if cx.lang == "fr" {
            a.name_fr.as_deref().unwrap_or(&a.name)
        } else {
            &a.name
        };
        out.push_str(&format!(
            r##"<path d="{path}" fill="{}" fill-rule="evenodd" stroke="#555" stroke-width="1" vector-effect="non-scaling-stroke" data-code="{}" data-name="{}" data-count="{}" data-uncovered="{}" data-class="{}"><title>{}: {}</title></path>"##,
            PALETTE[(*class).min(5)],
            super::escape(&a.code),
            super::escape(name),
            a.count,
            a.uncovered,
            class,
            super::escape(name),
            a.count,
        ));
    }
    for h in &s.hotspots {
        let (x, y) = p.xy(h.lon, h.lat);
        // Kilometres to grid units along a meridian (1° ≈ 111.2 km); at least a visible dot.
        let r = (h.radius_km / 111.195 * p.scale).max(4.0);
        out.push_str(&format!(
            r##"<circle class="hot" cx="{x}" cy="{y}" r="{r:.1}" fill="none" stroke="{}" stroke-width="2" vector-effect="non-scaling-stroke" data-lat="{:.5}" data-lon="{:.5}" data-radius-km="{:.2}" data-count="{}" data-uncovered="{}"><title>{} {}</title></circle>"##,
            if h.flagged > 0 { "#000" } else { "#06c" },
            h.lat,
            h.lon,
            h.radius_km,
            h.count,
            h.flagged,
            h.count,
            super::escape(cx.t("mp_alerts")),
        ));
    }
    out.push_str("</svg>");
    Ok(out)
}

async fn map_page(cx: &Ctx, f: MapFilters) -> UiResult {
    cx.require(Permission::ReadAlerts)?;
    let local = cx.local();
    let tz = local.tz();
    let now = cx.st.app.now();
    let today = now.with_timezone(&tz).date_naive();
    let (first, last) = f.days_of(today);
    let (Some(from), Some(to)) = (midnight(tz, first), midnight(tz, last + Duration::days(1)))
    else {
        return Err(UiError::invalid(cx.t("err_period")));
    };
    let hot = DbscanParams::new(DEFAULT_EPS_KM, DEFAULT_MIN_SAMPLES, None)
        .map_err(|e| UiError::invalid(e.to_string()))?;
    let caller = cx.caller();
    let s = cx
        .st
        .app
        .map_summary(&caller, f.query(from, to), &hot)
        .await?;
    let risk = if cx.can(Permission::ReadReports) {
        let sort = RiskSort::parse(&f.risk_sort).unwrap_or_default();
        Some(cx.st.app.risk_report(&caller, sort).await?)
    } else {
        None
    };
    let extras = match DRAWING.as_ref() {
        Some(d) => {
            Some(super::map_context::extras(cx, &d.proj, first, last, &f.actor, today).await?)
        }
        None => None,
    };
    let by_risk = f.by_risk && risk.is_some();
    let (classes, legend) = match risk.as_ref().filter(|_| by_risk) {
        Some(r) => risk_classes(cx, r, s.areas.len()),
        None => count_classes(cx, &s),
    };
    let mut rows: Vec<_> = s
        .areas
        .iter()
        .zip(&classes)
        .filter(|(a, _)| a.count > 0)
        .collect();
    rows.sort_by(|(a, _), (b, _)| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|(a, class)| {
            context! {
                code => &a.code,
                name => a.name_fr.as_deref().filter(|_| cx.lang == "fr").unwrap_or(&a.name),
                country => &a.country,
                pcode => &a.pcode,
                count => a.count,
                uncovered => a.uncovered,
                fill => PALETTE[(*class).min(5)],
            }
        })
        .collect();
    let hotspots: Vec<Value> = s
        .hotspots
        .iter()
        .take(20)
        .map(|h| {
            context! {
                centre => format!("{:.3}, {:.3}", h.lat, h.lon),
                radius => format!("{:.1} km", h.radius_km),
                count => h.count, uncovered => h.flagged,
            }
        })
        .collect();
    let threats = threat_options(cx.lang);
    let states = state_options(cx.lang);
    let offset = now.with_timezone(&tz).format("%:z").to_string();
    let view = context! {
        svg => Value::from_safe_string(super::map_context::with_marks(svg(cx, &s, &classes)?, extras.as_ref().map_or("", |e| e.marks.as_str()))),
        f => context! { days => f.days, back => f.back, threat => &f.threat, state => &f.state, by_risk => by_risk, risk_sort => &f.risk_sort, actor => &f.actor },
        ctx => extras.as_ref().map(|e| e.context.clone()),
        bases => extras.as_ref().map(|e| e.bases.clone()),
        risk => risk.as_ref().map(|r| risk_view(cx, r, &f)),
        windows => WINDOWS.iter().map(|d| context! { days => d, label => cx.t(&format!("mp_days_{d}")).to_string() }).collect::<Vec<_>>(),
        max_back => MAX_BACK,
        today => today.to_string(),
        offset => offset,
        received => cx.t("mp_received").replace("{from}", &first.to_string()).replace("{to}", &last.to_string()),
        from_day => first.to_string(),
        to_day => last.to_string(),
        total => s.total, located => s.located, outside => s.outside,
        unlocated => s.unlocated, uncovered => s.uncovered,
        rows => rows,
        legend => legend,
        hotspots => hotspots,
        hotspots_hint => cx.t("mp_hotspots_hint").replace("{min}", &DEFAULT_MIN_SAMPLES.to_string()).replace("{eps}", &DEFAULT_EPS_KM.to_string()),
        threats => threats,
        states => states,
        // Constant addresses of this server: written as they are (escaping would spell '/').
        leaflet_js => Value::from_safe_string(assets::LEAFLET_JS_PATH.into()),
        leaflet_css => Value::from_safe_string(assets::LEAFLET_CSS_PATH.into()),
        map_js => Value::from_safe_string(assets::map_js_path()),
    };
    cx.render("map.html", "map", view)
}

/// Classes and legend of the areas coloured by their alert counts.
pub(super) fn count_classes(cx: &Ctx, s: &MapSummary) -> (Vec<usize>, Vec<Value>) {
    let legend =
        std::iter::once(context! { fill => PALETTE[0], label => cx.t("mp_none").to_string() })
            .chain(s.classes.legend().into_iter().map(|(k, lo, hi)| {
                context! {
                    fill => PALETTE[k.min(5)],
                    label => if lo == hi { lo.to_string() } else { format!("{lo}–{hi}") },
                }
            }))
            .collect();
    (s.areas.iter().map(|a| a.class).collect(), legend)
}

/// Class of a risk score: 0 for none, then one class per 20 points.
pub fn risk_class(score: f64) -> usize {
    if score > 0.0 {
        ((score / 20.0).ceil() as usize).clamp(1, 5)
    } else {
        0
    }
}

/// Classes and legend of the areas coloured by the highest risk score of their places.
fn risk_classes(cx: &Ctx, r: &RiskReport, areas: usize) -> (Vec<usize>, Vec<Value>) {
    let mut top = vec![0.0f64; areas];
    for p in &r.places {
        if let Some(t) = cx.st.app.map_area_of(&p.area).and_then(|i| top.get_mut(i)) {
            *t = t.max(p.score);
        }
    }
    let legend =
        std::iter::once(context! { fill => PALETTE[0], label => cx.t("mp_none").to_string() })
            .chain((1..=5).map(|k| {
                context! { fill => PALETTE[k], label => format!("{}–{}", (k - 1) * 20, k * 20) }
            }))
            .collect();
    (top.into_iter().map(risk_class).collect(), legend)
}

/// A share as a percentage, or a dash.
fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{:.0} %", v * 100.0))
}

/// The risk table's rows and sort links.
fn risk_view(cx: &Ctx, r: &RiskReport, f: &MapFilters) -> Value {
    let link = |sort: &str| {
        format!(
            "/map?days={}&back={}&threat_type={}&state={}&colour={}&risk_sort={sort}#risk",
            f.days,
            f.back,
            super::urlencode(&f.threat),
            super::urlencode(&f.state),
            if f.by_risk { "risk" } else { "alerts" },
        )
    };
    let places: Vec<Value> = r
        .places
        .iter()
        .take(50)
        .map(|p| {
            context! {
                area => &p.area, name => &p.name, alerts => p.alerts,
                score => format!("{:.1}", p.score),
                fill => PALETTE[risk_class(p.score)],
                threat => format!("{:.2}", p.threat), t => format!("{:.1}", p.threat_weighted),
                vulnerability => format!("{:.2}", p.vulnerability), d => format!("{:.1}", p.displacement_weighted),
                capacity => format!("{:.2}", p.capacity),
                coverage => pct(Some(p.coverage)), response => pct(p.response),
                due => p.responded_in_time + p.responded_late,
            }
        })
        .collect();
    let sorts: Vec<Value> = [
        ("score", cx.t("mp_sort_score")),
        ("threat", cx.t("mp_sort_threat")),
        ("vulnerability", cx.t("mp_sort_vulnerability")),
        ("capacity", cx.t("mp_sort_capacity")),
        ("alerts", cx.t("mp_sort_alerts")),
    ]
    .iter()
    .map(|(k, label)| context! { key => k, label => label, href => link(k), current => *k == f.risk_sort })
    .collect();
    context! {
        places => places,
        sorts => sorts,
        more => r.places.len().saturating_sub(50),
        hint => cx.t("mp_risk_hint").replace("{days}", &r.window_days.to_string()).replace("{half}", &r.half_life_days.to_string()),
        as_of => cx.time(r.as_of),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_classes_are_twenty_points_wide() {
        assert_eq!(
            [0.0, 0.01, 20.0, 20.01, 55.0, 99.9, 100.0].map(risk_class),
            [0, 1, 1, 2, 3, 5, 5]
        );
    }

    fn filters(days: &str, back: &str, threat: &str, state: &str) -> MapFilters {
        MapQuery {
            days: Some(days.into()),
            back: Some(back.into()),
            threat_type: Some(threat.into()),
            state: Some(state.into()),
            colour: None,
            risk_sort: Some("vulnerability".into()),
            actor: None,
        }
        .into()
    }

    #[test]
    fn odd_filters_fall_back_to_defaults() {
        let f = filters("30", "10", "killing", "open");
        assert_eq!(
            (f.days, f.back, f.threat.as_str(), f.state.as_str()),
            (30, 10, "killing", "open")
        );
        let f = filters("31", "-4", "dragons", "<b>");
        assert_eq!(
            (f.days, f.back, f.threat.as_str(), f.state.as_str()),
            (30, 0, "", "")
        );
        assert_eq!(filters("7", "9999", "", "verified").back, MAX_BACK);
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let f = filters("7", "2", "", "verified");
        assert_eq!(
            f.days_of(today),
            (
                NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
                NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()
            )
        );
        let t = Utc::now();
        let q = f.query(t, t);
        assert_eq!(q.states, vec![AlertState::Verified]);
        assert!(!q.open_only && q.threat_type.is_none());
    }

    #[test]
    fn every_area_is_drawn() {
        let d = DRAWING.as_ref().unwrap();
        assert_eq!(d.paths.len(), 64);
        assert!(
            d.paths
                .iter()
                .all(|p| p.starts_with('M') && p.ends_with('z'))
        );
        // The whole drawing stays small enough for a 2G link.
        let bytes: usize = d.paths.iter().map(String::len).sum();
        assert!(bytes < 40_000, "{bytes} bytes of paths");
    }
}
