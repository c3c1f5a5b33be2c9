//! What the map shows of a set of alerts: each alert as a point at its place, counts per
//! first-level area (the choropleth), and hotspots. The caller reads the alerts the person
//! may see and says which area each place lies in; this module only counts.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::boundaries::Boundaries;
use super::cluster::{ClusterError, DbscanParams, GeoPoint};
use super::hotspots::{Classes, Hotspot, hotspots};
use crate::Alert;
use crate::place::Gazetteer;

/// An alert on the map, at its place's point (or its nearest enclosing area's).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapPoint {
    /// Alert id.
    pub id: String,
    /// Reference (`K-1042`).
    pub reference: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Threat type (DESIGN.md's identifiers), if known.
    pub threat_type: Option<String>,
    /// Severity 1–4.
    pub severity: u8,
    /// Lifecycle state.
    pub state: String,
    /// No responder covers its place and threat type.
    pub uncovered: bool,
    /// When it happened or was sent.
    pub reported_at: DateTime<Utc>,
    /// P-code of its place.
    pub place: Option<String>,
}

impl MapPoint {
    /// The point of `alert`, or `None` when neither its place nor an enclosing area has a
    /// position (an unplaced alert, or a place without coordinates).
    pub fn of(alert: &Alert, gaz: &Gazetteer) -> Option<MapPoint> {
        let (lat, lon) = gaz.point(alert.place.as_deref()?)?;
        Some(MapPoint {
            id: alert.id.clone(),
            reference: alert.reference.clone(),
            lat,
            lon,
            threat_type: alert.threat_type.map(|t| t.as_str().to_string()),
            severity: alert.severity.level(),
            state: alert.state.as_str().to_string(),
            uncovered: alert.uncovered,
            reported_at: alert.reported_at,
            place: alert.place.clone(),
        })
    }
}

/// Alerts counted in one first-level area.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaCount {
    /// ISO 3166-2 code of the area (`CD-NK`).
    pub code: String,
    /// Name (English).
    pub name: String,
    /// French name.
    pub name_fr: Option<String>,
    /// P-code, when the area is a current P-code area.
    pub pcode: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Alerts located in it.
    pub count: u64,
    /// Of which uncovered.
    pub uncovered: u64,
    /// Choropleth class, 0 (none) to 5 (see `classes`).
    pub class: usize,
}

/// Counts per area and hotspots of a set of alerts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MapSummary {
    /// Alerts counted.
    pub total: u64,
    /// Of which with a position.
    pub located: u64,
    /// Located outside every area of the map.
    pub outside: u64,
    /// Without a position (no place settled, or no coordinates up its hierarchy).
    pub unlocated: u64,
    /// Uncovered alerts among all counted.
    pub uncovered: u64,
    /// Every area of the map, in the boundary file's order, with zero counts too.
    pub areas: Vec<AreaCount>,
    /// Upper bounds of the choropleth's classes.
    pub classes: Classes,
    /// Clusters of located alerts, largest first; `flagged` counts uncovered alerts.
    pub hotspots: Vec<Hotspot>,
}

/// Counts alerts one at a time, then clusters them.
#[derive(Debug)]
pub struct MapTally<'a> {
    boundaries: &'a Boundaries,
    per_area: Vec<(u64, u64)>,
    points: Vec<GeoPoint>,
    flagged: Vec<bool>,
    total: u64,
    outside: u64,
    uncovered: u64,
}

impl<'a> MapTally<'a> {
    /// An empty tally over these areas.
    pub fn new(boundaries: &'a Boundaries) -> MapTally<'a> {
        MapTally {
            boundaries,
            per_area: vec![(0, 0); boundaries.areas().len()],
            points: vec![],
            flagged: vec![],
            total: 0,
            outside: 0,
            uncovered: 0,
        }
    }

    /// Count one alert: its position if it has one, the index of the area holding it (as
    /// `Boundaries::area_at` gives it) and whether it is uncovered.
    pub fn add(&mut self, at: Option<(f64, f64)>, area: Option<usize>, uncovered: bool) {
        self.total += 1;
        self.uncovered += u64::from(uncovered);
        let Some(p) = at.and_then(|(lat, lon)| GeoPoint::new(lat, lon, None).ok()) else {
            return;
        };
        self.points.push(p);
        self.flagged.push(uncovered);
        match area.and_then(|i| self.per_area.get_mut(i)) {
            Some(c) => {
                c.0 += 1;
                c.1 += u64::from(uncovered);
            }
            None => self.outside += 1,
        }
    }

    /// The summary, with hotspots clustered by `params`.
    pub fn finish(self, params: &DbscanParams) -> Result<MapSummary, ClusterError> {
        let max = self.per_area.iter().map(|c| c.0).max().unwrap_or(0);
        let classes = Classes::new(max);
        let areas = self
            .boundaries
            .areas()
            .iter()
            .zip(&self.per_area)
            .map(|(a, &(count, uncovered))| AreaCount {
                code: a.code.clone(),
                name: a.name.clone(),
                name_fr: a.name_fr.clone(),
                pcode: a.pcode.clone(),
                country: a.country.clone(),
                count,
                uncovered,
                class: classes.of(count),
            })
            .collect();
        let located = self.points.len() as u64;
        Ok(MapSummary {
            total: self.total,
            located,
            outside: self.outside,
            unlocated: self.total - located,
            uncovered: self.uncovered,
            areas,
            classes,
            hotspots: hotspots(&self.points, &self.flagged, params)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testkit;

    const TWO: &str = r#"{"features":[
      {"properties":{"iso_3166_2":"XX-W","name":"West","name_fr":"Ouest"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
      {"properties":{"iso_3166_2":"XX-E","name":"East"},"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}}]}"#;

    #[test]
    fn alerts_are_counted_in_their_area_and_clustered() {
        let b = Boundaries::from_geojson(TWO).unwrap();
        let mut t = MapTally::new(&b);
        for _ in 0..3 {
            t.add(Some((0.5, 0.5)), b.area_at(0.5, 0.5), false);
        }
        t.add(Some((0.5, 0.5)), b.area_at(0.5, 0.5), true);
        t.add(Some((0.5, 1.5)), b.area_at(1.5, 0.5), true);
        t.add(Some((10.0, 10.0)), b.area_at(10.0, 10.0), false);
        t.add(None, None, true);
        t.add(Some((95.0, 0.0)), None, false);
        let s = t.finish(&DbscanParams::new(1.0, 3, None).unwrap()).unwrap();
        assert_eq!(
            (s.total, s.located, s.outside, s.unlocated, s.uncovered),
            (8, 6, 1, 2, 3),
            "an impossible position counts as unlocated"
        );
        let w = &s.areas[0];
        assert_eq!(
            (w.code.as_str(), w.count, w.uncovered, w.class),
            ("XX-W", 4, 1, 5)
        );
        let e = &s.areas[1];
        // max 4: bounds 5^(k/5) − 1 = 0.38, 0.90, 1.63, 2.62, 4 → 1 is in class 3.
        assert_eq!((e.count, e.uncovered, e.class), (1, 1, 3));
        assert_eq!(s.classes.upper, [0, 0, 1, 2, 4]);
        assert_eq!(s.hotspots.len(), 1);
        assert_eq!((s.hotspots[0].count, s.hotspots[0].flagged), (4, 1));
    }

    #[test]
    fn an_alert_is_drawn_at_its_place_or_the_nearest_area_with_a_point() {
        use crate::place::PlaceLevel;
        use crate::place::testdata::place;
        let gaz = Gazetteer::new(vec![
            place(
                "CD61",
                "Nord-Kivu",
                PlaceLevel::Admin1,
                None,
                Some((-0.8, 29.0)),
            ),
            place("CD6102", "Rutshuru", PlaceLevel::Admin2, Some("CD61"), None),
            place(
                "CD6103",
                "Masisi",
                PlaceLevel::Admin2,
                Some("CD61"),
                Some((-1.4, 28.8)),
            ),
        ]);
        let mut a = testkit::alert("1", testkit::at(0), 3, Some("CD6103"), None);
        a.uncovered = true;
        let p = MapPoint::of(&a, &gaz).unwrap();
        assert_eq!((p.lat, p.lon), (-1.4, 28.8));
        assert_eq!(
            (
                p.reference.as_str(),
                p.uncovered,
                p.state.as_str(),
                p.severity
            ),
            ("K-1", true, "received", 3)
        );
        a.place = Some("CD6102".into());
        let p = MapPoint::of(&a, &gaz).unwrap();
        assert_eq!((p.lat, p.lon), (-0.8, 29.0), "the province's point");
        a.place = None;
        assert_eq!(MapPoint::of(&a, &gaz), None);
    }
}
