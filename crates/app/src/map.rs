//! The map's use cases: alerts as points (paged) and the per-area counts with hotspots, over
//! the alerts the caller's alert list would show with the same filters; and the first-level
//! boundaries the map draws, embedded in the binary, read and simplified once.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use kinga_domain::analysis::DbscanParams;
use kinga_domain::analysis::boundaries::{Boundaries, BoundaryError};
use kinga_domain::analysis::map::{MapPoint, MapSummary, MapTally};
use kinga_domain::analysis::risk::{RiskParams, RiskReport, RiskSort, risk_by_place};
use kinga_domain::people::Permission;
use kinga_domain::place::Gazetteer;
use kinga_store::{AlertQuery, AlertSort};

use crate::analysis::EXPORT_PAGE;
use crate::{App, AppError, AppResult, Caller};

/// First-level boundaries of the countries of the demo and the reference data (Natural
/// Earth admin-1, public domain; see `crates/app/data/README.md`).
const BOUNDARIES: &str = include_str!("../data/admin1-boundaries.geojson");

/// Drawing tolerance of the simplified boundaries, degrees (about 2 km).
pub const SIMPLIFY_DEGREES: f64 = 0.02;

/// Most alerts one page of points holds.
pub const MAX_POINTS_PAGE: usize = 1000;

/// The boundaries at full resolution (to find which area holds a point) and simplified (to
/// draw).
#[derive(Debug)]
pub struct MapBase {
    /// As published (coordinates to 0.001°).
    pub full: Boundaries,
    /// Simplified for drawing.
    pub drawn: Boundaries,
}

static BASE: LazyLock<Result<MapBase, BoundaryError>> = LazyLock::new(|| {
    let full = Boundaries::from_geojson(BOUNDARIES)?;
    let drawn = full.simplified(SIMPLIFY_DEGREES);
    Ok(MapBase { full, drawn })
});

/// Area index of each place, for one gazetteer.
type PlaceAreas = (Arc<Gazetteer>, Arc<HashMap<String, Option<usize>>>);

static PLACE_AREAS: Mutex<Option<PlaceAreas>> = Mutex::new(None);

/// The map's boundaries (read on first use).
pub fn map_base() -> AppResult<&'static MapBase> {
    BASE.as_ref()
        .map_err(|e| AppError::Invalid(format!("the embedded boundaries: {e}")))
}

/// Which area holds each place of `gaz` (by its point or its nearest ancestor's), worked out
/// once per gazetteer.
fn place_areas(gaz: &Arc<Gazetteer>, base: &MapBase) -> Arc<HashMap<String, Option<usize>>> {
    if let Ok(g) = PLACE_AREAS.lock() {
        if let Some((cached, map)) = g.as_ref() {
            if Arc::ptr_eq(cached, gaz) {
                return map.clone();
            }
        }
    }
    let map: HashMap<String, Option<usize>> = gaz
        .places()
        .iter()
        .map(|p| {
            let area = gaz
                .point(&p.pcode)
                .and_then(|(lat, lon)| base.full.area_at(lon, lat));
            (p.pcode.clone(), area)
        })
        .collect();
    let map = Arc::new(map);
    if let Ok(mut g) = PLACE_AREAS.lock() {
        *g = Some((gaz.clone(), map.clone()));
    }
    map
}

/// A page of alerts as points.
#[derive(Debug, Clone)]
pub struct MapPoints {
    /// The located alerts of the page.
    pub items: Vec<MapPoint>,
    /// Alerts of the page without a position (left out of `items`).
    pub unlocated: usize,
    /// Alerts matching the filters, located or not.
    pub total: u64,
    /// Offset of the next page, when there is one.
    pub next_offset: Option<usize>,
}

impl App {
    /// A page of the alerts `q` selects (as the caller's alert list shows them: same
    /// permission, same withholding), newest first, as points.
    pub async fn map_points(&self, caller: &Caller, mut q: AlertQuery) -> AppResult<MapPoints> {
        q.sort = AlertSort::Newest;
        q.limit = q.limit.clamp(1, MAX_POINTS_PAGE);
        let (limit, offset) = (q.limit, q.offset);
        let page = self.alerts(caller, q).await?;
        let gaz = self.caches.gazetteer();
        let n = page.items.len();
        let items: Vec<MapPoint> = page
            .items
            .iter()
            .filter_map(|a| MapPoint::of(a, &gaz))
            .collect();
        let next = offset + n;
        Ok(MapPoints {
            unlocated: n - items.len(),
            items,
            total: page.total,
            next_offset: (n == limit && (next as u64) < page.total).then_some(next),
        })
    }

    /// Counts per first-level area and hotspots of every alert `q` selects, as the caller's
    /// alert list shows them; alerts received after this moment are left out, so paging
    /// through the store is stable.
    pub async fn map_summary(
        &self,
        caller: &Caller,
        mut q: AlertQuery,
        hot: &DbscanParams,
    ) -> AppResult<MapSummary> {
        let base = map_base()?;
        let gaz = self.caches.gazetteer();
        let areas = place_areas(&gaz, base);
        let now = self.now();
        q.sort = AlertSort::Newest;
        q.received_to = Some(q.received_to.map_or(now, |t| t.min(now)));
        q.limit = EXPORT_PAGE;
        q.offset = 0;
        // Keyset paging without a count on each page: reading n alerts costs n, where
        // OFFSET paging re-read every earlier page (quadratic).
        q.before = None;
        q.no_total = true;
        let mut tally = MapTally::new(&base.full);
        loop {
            let page = self.alerts(caller, q.clone()).await?;
            for a in &page.items {
                let area = a
                    .place
                    .as_ref()
                    .and_then(|p| areas.get(p).copied().flatten());
                let at = a.place.as_deref().and_then(|p| gaz.point(p));
                tally.add(at, area, a.uncovered);
            }
            if page.items.len() < q.limit {
                break;
            }
            q.before = page.items.last().map(|a| (a.received_at, a.id.clone()));
        }
        tally
            .finish(hot)
            .map_err(|e| AppError::Invalid(e.to_string()))
    }

    /// Index among the map's areas of the area holding a place (by its point or its nearest
    /// ancestor's).
    pub fn map_area_of(&self, pcode: &str) -> Option<usize> {
        let base = map_base().ok()?;
        place_areas(&self.caches.gazetteer(), base)
            .get(pcode)
            .copied()
            .flatten()
    }

    /// The risk index of every place with alerts reported in the window (see
    /// `kinga_domain::analysis::risk`), for those who read reports.
    pub async fn risk_report(&self, caller: &Caller, sort: RiskSort) -> AppResult<RiskReport> {
        caller.require(Permission::ReadReports)?;
        let params = RiskParams::default();
        let now = self.now();
        let alerts = self
            .store
            .alerts_reported_between(
                now - chrono::Duration::days(params.window_days),
                now + chrono::Duration::seconds(1),
            )
            .await?;
        let gaz = self.caches.gazetteer();
        let mut places = risk_by_place(&alerts, &gaz, now, &params);
        sort.apply(&mut places);
        Ok(RiskReport {
            as_of: now,
            window_days: params.window_days,
            half_life_days: params.half_life_days,
            threat_scale: params.threat_scale,
            places,
        })
    }
}

/// A mission base on the map: where it stands and when it closes or closed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BaseMark {
    /// The base's name.
    pub base: String,
    /// The departing mission.
    pub mission: String,
    /// P-code of its place.
    pub place: String,
    /// Latitude of its place (or its nearest enclosing area with a position).
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// The first day without the base.
    pub closes_on: chrono::NaiveDate,
    /// Closed on `today` (the first day without it has come); otherwise closing.
    pub closed: bool,
}

impl App {
    /// The bases of every withdrawal plan that have a located place, closed or closing as of
    /// the local day `today`, for those who read transition plans (others get none).
    pub async fn map_bases(
        &self,
        caller: &Caller,
        today: chrono::NaiveDate,
    ) -> AppResult<Vec<BaseMark>> {
        if !caller.role.can(Permission::ReadTransition) {
            return Ok(Vec::new());
        }
        let gaz = self.caches.gazetteer();
        let mut out: Vec<BaseMark> = self
            .withdrawal_plans(caller)
            .await?
            .into_iter()
            .flat_map(|plan| {
                let mission = plan.mission.clone();
                plan.closures.into_iter().map(move |c| (mission.clone(), c))
            })
            .filter_map(|(mission, c)| {
                let place = c.place?;
                let (lat, lon) = gaz.point(&place)?;
                Some(BaseMark {
                    base: c.base,
                    mission,
                    place,
                    lat,
                    lon,
                    closes_on: c.closes_on,
                    closed: c.closes_on <= today,
                })
            })
            .collect();
        out.sort_by(|a, b| a.closes_on.cmp(&b.closes_on).then(a.base.cmp(&b.base)));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_boundaries_are_read_and_simplified() {
        let base = map_base().unwrap();
        assert_eq!(base.full.areas().len(), 64);
        assert_eq!(base.drawn.areas().len(), 64);
        let nk = base
            .full
            .area_at(29.455, -1.163)
            .map(|i| &base.full.areas()[i]);
        assert_eq!(nk.and_then(|a| a.pcode.as_deref()), Some("CD61"));
    }
}
