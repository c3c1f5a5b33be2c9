//! Administrative boundaries for the map: read from a GeoJSON FeatureCollection of
//! (Multi)Polygons, simplified for drawing (Douglas–Peucker), searched for the area holding a
//! point (even–odd ray casting, holes included), and drawn as compact SVG paths.
//!
//! Written here rather than taken from the `geo` crate: the map needs three small algorithms
//! (about 150 lines with their tests) and `geo` would bring some twenty crates into every
//! build for them.
//!
//! Each ring is simplified on its own, so two neighbours' shared border may part by up to the
//! tolerance: at the tolerance the map uses (0.02°, about 2 km) that is below a pixel of the
//! overview and a known limit when zoomed in. Which area holds a point is always decided on
//! the full-resolution rings.

use serde_json::Value;

/// A point as GeoJSON orders it: `(longitude, latitude)` in degrees.
pub type LonLat = (f64, f64);

/// A closed ring (first point repeated last).
pub type Ring = Vec<LonLat>;

/// Why a boundary file cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BoundaryError {
    /// Not JSON.
    #[error("the boundaries are not JSON: {0}")]
    Json(String),
    /// JSON, but not a FeatureCollection of polygons with a code.
    #[error("boundary feature {index}: {reason}")]
    Feature {
        /// Index of the feature.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// One area: its codes, names and polygons (each an outer ring then its holes).
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// ISO 3166-2 code (`CD-NK`), or the feature's `pcode` when it has no ISO code.
    pub code: String,
    /// Name (English).
    pub name: String,
    /// French name, when the file gives one.
    pub name_fr: Option<String>,
    /// OCHA P-code when the area is a current P-code area.
    pub pcode: Option<String>,
    /// Country name.
    pub country: Option<String>,
    /// Polygons: outer ring, then holes.
    pub polygons: Vec<Vec<Ring>>,
    /// Bounding box `[min lon, min lat, max lon, max lat]`.
    pub bbox: [f64; 4],
}

impl Area {
    /// The name in `lang` (`fr` or anything else for English).
    pub fn name_in(&self, lang: &str) -> &str {
        match (&self.name_fr, lang) {
            (Some(fr), "fr") => fr,
            _ => &self.name,
        }
    }

    /// Whether the point lies inside (even–odd rule over each polygon's rings, so a point in
    /// a hole is outside).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let [x0, y0, x1, y1] = self.bbox;
        if lon < x0 || lon > x1 || lat < y0 || lat > y1 {
            return false;
        }
        self.polygons
            .iter()
            .any(|rings| rings.iter().filter(|r| ring_crosses(r, lon, lat)).count() % 2 == 1)
    }

    /// Number of points of every ring.
    pub fn point_count(&self) -> usize {
        self.polygons.iter().flatten().map(Vec::len).sum()
    }
}

/// Whether a ray from the point towards +x crosses the ring an odd number of times.
fn ring_crosses(ring: &[LonLat], x: f64, y: f64) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let ((xi, yi), (xj, yj)) = (w[0], w[1]);
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
    }
    inside
}

/// A set of areas.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Boundaries {
    areas: Vec<Area>,
}

fn coord(v: &Value) -> Option<LonLat> {
    let a = v.as_array()?;
    let (x, y) = (a.first()?.as_f64()?, a.get(1)?.as_f64()?);
    ((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y)).then_some((x, y))
}

fn ring(v: &Value) -> Option<Ring> {
    let mut r: Ring = v.as_array()?.iter().map(coord).collect::<Option<_>>()?;
    if r.len() < 3 {
        return None;
    }
    if r.first() != r.last() {
        r.push(r[0]);
    }
    Some(r)
}

fn polygon(v: &Value) -> Option<Vec<Ring>> {
    v.as_array()?.iter().map(ring).collect()
}

fn bbox(polygons: &[Vec<Ring>]) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for &(x, y) in polygons.iter().flatten().flatten() {
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    }
    b
}

impl Boundaries {
    /// Areas from a GeoJSON FeatureCollection whose features are Polygons or MultiPolygons
    /// with an `iso_3166_2` or `pcode` property and a `name`.
    pub fn from_geojson(text: &str) -> Result<Boundaries, BoundaryError> {
        let doc: Value =
            serde_json::from_str(text).map_err(|e| BoundaryError::Json(e.to_string()))?;
        let features = doc
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| BoundaryError::Json("no 'features' array".into()))?;
        let mut areas = Vec::with_capacity(features.len());
        for (index, f) in features.iter().enumerate() {
            let bad = |reason: &str| BoundaryError::Feature {
                index,
                reason: reason.into(),
            };
            let props = f.get("properties").ok_or_else(|| bad("no properties"))?;
            let prop = |k: &str| {
                props
                    .get(k)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
            };
            let pcode = prop("pcode");
            let code = prop("iso_3166_2")
                .or_else(|| pcode.clone())
                .ok_or_else(|| bad("no iso_3166_2 nor pcode"))?;
            let name = prop("name").ok_or_else(|| bad("no name"))?;
            let geom = f.get("geometry").ok_or_else(|| bad("no geometry"))?;
            let coords = geom
                .get("coordinates")
                .ok_or_else(|| bad("no coordinates"))?;
            let polygons = match geom.get("type").and_then(Value::as_str) {
                Some("Polygon") => polygon(coords).map(|p| vec![p]),
                Some("MultiPolygon") => coords
                    .as_array()
                    .and_then(|ps| ps.iter().map(polygon).collect::<Option<Vec<_>>>()),
                _ => return Err(bad("the geometry is not a Polygon or MultiPolygon")),
            }
            .filter(|p| !p.is_empty())
            .ok_or_else(|| bad("a ring is not a list of 3 or more [lon, lat] points"))?;
            areas.push(Area {
                code,
                name,
                name_fr: prop("name_fr"),
                pcode,
                country: prop("country"),
                bbox: bbox(&polygons),
                polygons,
            });
        }
        Ok(Boundaries { areas })
    }

    /// The areas, in file order.
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// Index of the first area holding the point.
    pub fn area_at(&self, lon: f64, lat: f64) -> Option<usize> {
        self.areas.iter().position(|a| a.contains(lon, lat))
    }

    /// Bounding box of every area, `[min lon, min lat, max lon, max lat]`.
    pub fn bbox(&self) -> [f64; 4] {
        let polys: Vec<Vec<Ring>> = self.areas.iter().flat_map(|a| a.polygons.clone()).collect();
        bbox(&polys)
    }

    /// The same areas with every ring simplified to `tolerance` degrees (Douglas–Peucker);
    /// a ring that shrinks to fewer than four points (a triangle) is dropped, and an outer
    /// ring dropped takes its holes with it.
    pub fn simplified(&self, tolerance: f64) -> Boundaries {
        let areas = self
            .areas
            .iter()
            .map(|a| {
                let polygons: Vec<Vec<Ring>> = a
                    .polygons
                    .iter()
                    .filter_map(|rings| {
                        let mut out = Vec::with_capacity(rings.len());
                        for (i, r) in rings.iter().enumerate() {
                            let s = douglas_peucker(r, tolerance);
                            if s.len() >= 4 {
                                out.push(s);
                            } else if i == 0 {
                                return None;
                            }
                        }
                        Some(out)
                    })
                    .collect();
                Area {
                    polygons,
                    ..a.clone()
                }
            })
            .collect();
        Boundaries { areas }
    }
}

/// Distance from `p` to the segment `a`–`b` (plane geometry on degrees: the tolerance is a
/// drawing one).
fn segment_distance(p: LonLat, a: LonLat, b: LonLat) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return (p.0 - a.0).hypot(p.1 - a.1);
    }
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0);
    (p.0 - (a.0 + t * dx)).hypot(p.1 - (a.1 + t * dy))
}

/// Douglas–Peucker: the points of `line` kept so that none dropped lies farther than
/// `tolerance` from the kept polyline; the first and last are always kept. Iterative, so a
/// long ring cannot overflow the stack.
pub fn douglas_peucker(line: &[LonLat], tolerance: f64) -> Vec<LonLat> {
    if line.len() < 3 {
        return line.to_vec();
    }
    let mut keep = vec![false; line.len()];
    keep[0] = true;
    keep[line.len() - 1] = true;
    let mut stack = vec![(0, line.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        let mut far = (0.0, 0);
        for i in a + 1..b {
            let d = segment_distance(line[i], line[a], line[b]);
            if d > far.0 {
                far = (d, i);
            }
        }
        if far.0 > tolerance {
            keep[far.1] = true;
            stack.push((a, far.1));
            stack.push((far.1, b));
        }
    }
    line.iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

/// Plate carrée onto an integer grid for SVG: `x = (lon − west)·scale`,
/// `y = (north − lat)·scale`. The map's script inverts it from the SVG's `data-` attributes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    /// Western edge, degrees.
    pub west: f64,
    /// Northern edge, degrees.
    pub north: f64,
    /// Grid units per degree.
    pub scale: f64,
    /// Width in units.
    pub width: i64,
    /// Height in units.
    pub height: i64,
}

impl Projection {
    /// The projection of a bounding box, `scale` units per degree.
    pub fn fit(bbox: [f64; 4], scale: f64) -> Projection {
        let [w, s, e, n] = bbox;
        Projection {
            west: w,
            north: n,
            scale,
            width: ((e - w) * scale).ceil() as i64,
            height: ((n - s) * scale).ceil() as i64,
        }
    }

    /// Grid point of a position.
    pub fn xy(&self, lon: f64, lat: f64) -> (i64, i64) {
        (
            ((lon - self.west) * self.scale).round() as i64,
            ((self.north - lat) * self.scale).round() as i64,
        )
    }

    /// SVG path data of an area: each ring as an absolute move then relative lines
    /// (`M12 34l3-5 2 1z`), points that round onto the previous one left out.
    pub fn path(&self, area: &Area) -> String {
        let mut d = String::new();
        for r in area.polygons.iter().flatten() {
            let pts: Vec<(i64, i64)> = r.iter().map(|&(x, y)| self.xy(x, y)).collect();
            if pts.len() < 4 {
                continue;
            }
            let first = pts[0];
            let mut prev = first;
            let mut steps = Vec::with_capacity(pts.len());
            // The closing point is implied by `z`.
            for &p in &pts[1..pts.len().saturating_sub(1)] {
                if p != prev {
                    steps.push((p.0 - prev.0, p.1 - prev.1));
                    prev = p;
                }
            }
            if steps.len() < 2 {
                continue;
            }
            d.push_str(&format!("M{} {}l", first.0, first.1));
            for (i, (dx, dy)) in steps.iter().enumerate() {
                if i > 0 && *dx >= 0 {
                    d.push(' ');
                }
                d.push_str(&dx.to_string());
                if *dy >= 0 {
                    d.push(' ');
                }
                d.push_str(&dy.to_string());
            }
            d.push('z');
        }
        d
    }
}

#[cfg(test)]
#[path = "boundaries_tests.rs"]
mod tests;
