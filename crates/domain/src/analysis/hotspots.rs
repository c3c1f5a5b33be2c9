//! What the map draws from counts and clusters: hotspots (DBSCAN clusters as circles) and the
//! choropleth's classes.

use serde::Serialize;

use super::cluster::{ClusterError, DbscanParams, GeoPoint, dbscan};
use super::metric::{EARTH_RADIUS_KM, haversine_rad};

/// One cluster of events drawn as a circle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hotspot {
    /// Latitude of the members' mean position.
    pub lat: f64,
    /// Longitude of the members' mean position.
    pub lon: f64,
    /// Distance from the centre to the farthest member, km (at least the clustering's eps, so
    /// a cluster of events at one place still shows).
    pub radius_km: f64,
    /// Events in the cluster.
    pub count: usize,
    /// Of which flagged (for alerts: uncovered).
    pub flagged: usize,
}

/// The clusters of `points` as circles, largest first (ties: northernmost, then westernmost).
/// `flagged[i]` marks point `i` (uncovered alerts); a shorter slice counts as unflagged.
pub fn hotspots(
    points: &[GeoPoint],
    flagged: &[bool],
    params: &DbscanParams,
) -> Result<Vec<Hotspot>, ClusterError> {
    let c = dbscan(points, params)?;
    let n = c
        .labels
        .iter()
        .copied()
        .max()
        .map_or(0, |m| (m + 1).max(0) as usize);
    let mut members: Vec<Vec<usize>> = vec![vec![]; n];
    for (i, &l) in c.labels.iter().enumerate() {
        if l >= 0 {
            members[l as usize].push(i);
        }
    }
    let mut out: Vec<Hotspot> = members
        .into_iter()
        .filter(|m| !m.is_empty())
        .map(|m| {
            let k = m.len() as f64;
            let lat = m.iter().map(|&i| points[i].lat()).sum::<f64>() / k;
            let lon = m.iter().map(|&i| points[i].lon()).sum::<f64>() / k;
            let far = m
                .iter()
                .map(|&i| {
                    haversine_rad(
                        lat.to_radians(),
                        lon.to_radians(),
                        points[i].lat().to_radians(),
                        points[i].lon().to_radians(),
                    ) * EARTH_RADIUS_KM
                })
                .fold(0.0, f64::max);
            Hotspot {
                lat,
                lon,
                radius_km: far.max(params.eps_km()),
                count: m.len(),
                flagged: m
                    .iter()
                    .filter(|&&i| flagged.get(i).copied().unwrap_or(false))
                    .count(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.lat.total_cmp(&a.lat))
            .then(a.lon.total_cmp(&b.lon))
    });
    Ok(out)
}

/// Classes of a choropleth on a logarithmic scale: class 0 holds zero, classes 1–5 split
/// `1..=max` at `(max+1)^(k/5) − 1`, so a few very busy areas do not flatten the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Classes {
    /// Highest count of each class 1–5 (`upper[4]` is the maximum).
    pub upper: [u64; 5],
}

/// Number of classes besides zero.
pub const CLASSES: usize = 5;

impl Classes {
    /// Classes for counts up to `max`.
    pub fn new(max: u64) -> Classes {
        let mut upper = [0u64; CLASSES];
        for (k, u) in upper.iter_mut().enumerate() {
            let b = ((max as f64 + 1.0).powf((k + 1) as f64 / CLASSES as f64) - 1.0 + 1e-9).floor();
            *u = (b as u64).min(max);
        }
        upper[CLASSES - 1] = max;
        Classes { upper }
    }

    /// Class of a count: 0 for zero, else the first class whose upper bound holds it.
    pub fn of(&self, count: u64) -> usize {
        if count == 0 {
            return 0;
        }
        self.upper
            .iter()
            .position(|&u| count <= u)
            .map_or(CLASSES, |k| k + 1)
    }

    /// The legend: `(class, lowest, highest)` of every class that can hold a count.
    pub fn legend(&self) -> Vec<(usize, u64, u64)> {
        let mut out = vec![];
        let mut low = 1;
        for (k, &u) in self.upper.iter().enumerate() {
            if u >= low {
                out.push((k + 1, low, u));
                low = u + 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon, None).unwrap()
    }

    #[test]
    fn clusters_become_circles_around_their_mean() {
        // Three events at one place and two 0.1° east (11.1 km at the equator), eps 5 km,
        // min 2: two clusters; one lone event far away is noise.
        let pts = [
            p(0.0, 10.0),
            p(0.0, 10.0),
            p(0.0, 10.0),
            p(0.0, 10.1),
            p(0.0, 10.1),
            p(5.0, 20.0),
        ];
        let params = DbscanParams::new(5.0, 2, None).unwrap();
        let h = hotspots(&pts, &[true, false, false, true, true], &params).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!((h[0].count, h[0].flagged), (3, 1));
        assert_eq!((h[0].lat, h[0].lon), (0.0, 10.0));
        assert_eq!(h[0].radius_km, 5.0, "members at one point: eps");
        assert_eq!((h[1].count, h[1].flagged), (2, 2));

        // With eps 12 km they join: mean at 10.04°, the farthest member 0.06° away = 6.67 km.
        let params = DbscanParams::new(12.0, 2, None).unwrap();
        let h = hotspots(&pts[..5], &[], &params).unwrap();
        assert_eq!(h.len(), 1);
        assert!((h[0].lon - 10.04).abs() < 1e-9);
        assert_eq!(h[0].radius_km, 12.0);
        let params = DbscanParams::new(6.0, 2, None).unwrap();
        let h = hotspots(&[p(0.0, 10.0), p(0.0, 10.1)], &[], &params).unwrap();
        assert!(h.is_empty(), "11 km apart with eps 6 km: noise");
        let params = DbscanParams::new(12.0, 2, None).unwrap();
        let h = hotspots(&[p(0.0, 10.0), p(0.0, 10.1)], &[], &params).unwrap();
        // Centre 10.05°, each member 0.05° = 5.56 km away: the radius stays eps.
        assert_eq!(h[0].radius_km, 12.0);
        let params = DbscanParams::new(1.0, 1, None).unwrap();
        assert!(hotspots(&[], &[], &params).unwrap().is_empty());
    }

    #[test]
    fn the_farthest_member_sets_the_radius() {
        // min_samples 1: every event is core; eps 12 km chains 10.0–10.1–10.2.
        let pts = [p(0.0, 10.0), p(0.0, 10.1), p(0.0, 10.2)];
        let params = DbscanParams::new(12.0, 1, None).unwrap();
        let h = hotspots(&pts, &[], &params).unwrap();
        assert_eq!(h.len(), 1);
        // Centre 10.1°; ends 0.1° away: 6371.0088 km × 0.1 × π/180 = 11.1195 km < eps.
        assert_eq!(h[0].radius_km, 12.0);
        let pts = [p(0.0, 10.0), p(0.0, 10.1), p(0.0, 10.2), p(0.0, 10.3)];
        let h = hotspots(&pts, &[], &params).unwrap();
        // Centre 10.15°; ends 0.15° away = 16.679 km > eps.
        assert!((h[0].radius_km - 16.679).abs() < 1e-3, "{}", h[0].radius_km);
    }

    #[test]
    fn classes_split_counts_on_a_log_scale() {
        // max 99: bounds 100^(k/5) − 1 = 1.51, 5.31, 14.85, 38.81, 99 → 1, 5, 14, 38, 99.
        let c = Classes::new(99);
        assert_eq!(c.upper, [1, 5, 14, 38, 99]);
        assert_eq!(
            [0, 1, 2, 5, 6, 14, 15, 38, 39, 99].map(|n| c.of(n)),
            [0, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
        assert_eq!(
            c.legend(),
            vec![(1, 1, 1), (2, 2, 5), (3, 6, 14), (4, 15, 38), (5, 39, 99)]
        );
        // max 3: 4^(k/5) − 1 = 0.32, 0.74, 1.30, 2.03, 3 → 0, 0, 1, 2, 3: classes 3, 4, 5.
        let c = Classes::new(3);
        assert_eq!(c.upper, [0, 0, 1, 2, 3]);
        assert_eq!([1, 2, 3].map(|n| c.of(n)), [3, 4, 5]);
        assert_eq!(c.legend(), vec![(3, 1, 1), (4, 2, 2), (5, 3, 3)]);
        // Nothing counted: every area is class 0 and the legend is empty.
        let c = Classes::new(0);
        assert_eq!(c.of(0), 0);
        assert!(c.legend().is_empty());
        // Above the maximum (should not happen): the top class.
        assert_eq!(Classes::new(3).of(7), 5);
    }
}
