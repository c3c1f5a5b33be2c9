//! Where two alerts are, for duplicate suggestions: near enough to be one event, provably too
//! far apart, or not known well enough to tell; how close they are; and the buckets that let
//! intake compare a new alert with only the recent alerts that could be near it.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::place::{Gazetteer, PlaceLevel};

use super::{UNKNOWN, text_stems};

/// Two alerts whose places are further apart than this are never proposed as duplicates.
/// Reporters of one event are its witnesses, in the village or the next; a day's walk is
/// 20–30 km, and the positions of the gazetteer are a few kilometres off. Beyond this, two
/// alerts alike in every word are two events: the same threat the same night in Ituri and in
/// Walikale is a pattern for the analysts, not a merge for the CLA.
pub const MAX_DISTANCE_KM: f64 = 25.0;
/// Distance at which space closeness has fallen to 1/e (Gaussian decay: villages a few
/// kilometres apart stay close, places near [`MAX_DISTANCE_KM`] count for little).
pub const DISTANCE_SCALE_KM: f64 = 25.0;
/// Points of areas are centres, and a settlement's point may be its area's: a distance
/// measured from one is trusted this much.
pub(super) const AREA_POINT_TRUST: f64 = 0.6;
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// What the places of two alerts say about whether they can be one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Geography {
    /// Within [`MAX_DISTANCE_KM`] (both are settlements with their own points), or in one
    /// territory (admin 2) when either has no point of its own.
    Near,
    /// Provably further apart: further than [`MAX_DISTANCE_KM`], in two territories, or in
    /// two provinces or countries. Never a duplicate.
    Far,
    /// Not known well enough: an alert with no place, a place known only to its province, or
    /// a P-code the gazetteer lacks. Scored with the stricter threshold.
    Unknown,
}

/// How precisely a place is known, for comparing positions.
#[derive(Debug, Clone, Copy)]
enum Reach<'g> {
    /// A settlement with its own point (latitude, longitude).
    Point((f64, f64), Option<&'g str>),
    /// A place in a known territory, with no point of its own.
    Territory(&'g str),
    /// Known only to a province or country, or not at all.
    Vague,
}

impl<'g> Reach<'g> {
    fn of(place: Option<&str>, gaz: &'g Gazetteer) -> Reach<'g> {
        let Some(p) = place.and_then(|c| gaz.get(c)) else {
            return Reach::Vague;
        };
        let territory = territory_of(gaz, &p.pcode);
        match (p.level, p.lat, p.lon, territory) {
            (PlaceLevel::Settlement, Some(lat), Some(lon), t) => Reach::Point((lat, lon), t),
            (_, _, _, Some(t)) => Reach::Territory(t),
            _ => Reach::Vague,
        }
    }

    fn territory(&self) -> Option<&'g str> {
        match *self {
            Reach::Point(_, t) => t,
            Reach::Territory(t) => Some(t),
            Reach::Vague => None,
        }
    }

    fn is_vague(&self) -> bool {
        matches!(self, Reach::Vague)
    }
}

/// The territory (admin 2) a place is or lies in.
fn territory_of<'g>(gaz: &'g Gazetteer, pcode: &str) -> Option<&'g str> {
    gaz.lineage(pcode)
        .into_iter()
        .find(|p| p.level == PlaceLevel::Admin2)
        .map(|p| p.pcode.as_str())
}

fn province_of<'g>(gaz: &'g Gazetteer, pcode: &str) -> Option<&'g str> {
    gaz.lineage(pcode)
        .into_iter()
        .find(|p| p.level == PlaceLevel::Admin1)
        .map(|p| p.pcode.as_str())
}

/// Whether the places of two alerts allow one event (see [`Geography`]); symmetric.
pub fn geography(a: Option<&str>, b: Option<&str>, gaz: &Gazetteer) -> Geography {
    let (ra, rb) = (Reach::of(a, gaz), Reach::of(b, gaz));
    if !ra.is_vague() && a == b {
        return Geography::Near;
    }
    if let (Reach::Point(pa, _), Reach::Point(pb, _)) = (ra, rb) {
        return if haversine_km(pa, pb) <= MAX_DISTANCE_KM {
            Geography::Near
        } else {
            Geography::Far
        };
    }
    match (ra.territory(), rb.territory()) {
        (Some(ta), Some(tb)) if ta == tb => return Geography::Near,
        (Some(_), Some(_)) => return Geography::Far,
        _ => {}
    }
    // A place known only to its province still rules out every other province.
    let (pa, pb) = (a.and_then(|c| gaz.get(c)), b.and_then(|c| gaz.get(c)));
    if let (Some(pa), Some(pb)) = (pa, pb) {
        let provinces = (province_of(gaz, &pa.pcode), province_of(gaz, &pb.pcode));
        let other_province = matches!(provinces, (Some(x), Some(y)) if x != y);
        if other_province || pa.country != pb.country {
            return Geography::Far;
        }
    }
    if ra.is_vague() || rb.is_vague() {
        Geography::Unknown
    } else {
        // Two precise places with no shared territory or points to compare (settlements
        // hung under a province): nothing shows them near.
        Geography::Far
    }
}

/// Whether this place is known to a point or a territory (else it says too little to show
/// two alerts near: [`Geography::Unknown`]).
pub fn is_placed(place: Option<&str>, gaz: &Gazetteer) -> bool {
    !Reach::of(place, gaz).is_vague()
}

/// Whether a text names the place or one of the areas it lies in down to its territory, by
/// any of their names (word stems, so "Eringetti" names Eringeti). An alert with no place
/// may still say where; if it names another place, it is about another place.
pub fn names_place(place: &str, stems: &BTreeSet<String>, gaz: &Gazetteer) -> bool {
    place_name_stems(place, gaz)
        .iter()
        .any(|name| name.iter().all(|s| stems.contains(s)))
}

/// The stems of each name of a place and of its areas down to its territory.
pub fn place_name_stems(place: &str, gaz: &Gazetteer) -> Vec<BTreeSet<String>> {
    let mut out = vec![];
    for p in gaz.lineage(place) {
        let names = std::iter::once(&p.name).chain(&p.alt_names);
        out.extend(names.map(|n| text_stems(n)).filter(|s| !s.is_empty()));
        if p.level <= PlaceLevel::Admin2 {
            break;
        }
    }
    out
}

/// Closeness of two places, 0–1: 1 for one place; for one inside the other, how small the
/// outer one is; otherwise the better of their deepest shared area and their distance.
/// [`UNKNOWN`] when either is missing or known only to a province ([`Geography::Unknown`]).
pub fn space_closeness(a: Option<&str>, b: Option<&str>, gaz: &Gazetteer) -> f64 {
    let (Some(a), Some(b)) = (a, b) else {
        return UNKNOWN;
    };
    if !is_placed(Some(a), gaz) || !is_placed(Some(b), gaz) {
        // A province is hundreds of kilometres across: it says no more than no place.
        return UNKNOWN;
    }
    if a == b {
        return 1.0;
    }
    let (la, lb) = (gaz.lineage(a), gaz.lineage(b));
    if let Some(outer) = lb
        .iter()
        .find(|p| p.pcode == a)
        .or_else(|| la.iter().find(|p| p.pcode == b))
    {
        // Distance from an area's centre says little about a place inside it.
        return nested_closeness(outer.level);
    }
    let shared = la
        .iter()
        .find(|p| lb.iter().any(|q| q.pcode == p.pcode))
        .map_or(0.0, |p| shared_area_closeness(p.level));
    let distance = match (gaz.point(a), gaz.point(b)) {
        (Some(pa), Some(pb)) => {
            let d = haversine_km(pa, pb) / DISTANCE_SCALE_KM;
            let trust = if own_settlement_point(gaz, a) && own_settlement_point(gaz, b) {
                1.0
            } else {
                AREA_POINT_TRUST
            };
            trust * (-d * d).exp()
        }
        _ => 0.0,
    };
    shared.max(distance)
}

/// When one place lies inside another, of this level (a territory or smaller: both are placed).
pub(super) fn nested_closeness(outer: PlaceLevel) -> f64 {
    match outer {
        PlaceLevel::Settlement => 0.9,
        PlaceLevel::Admin3 => 0.75,
        PlaceLevel::Admin2 => 0.5,
        PlaceLevel::Admin1 | PlaceLevel::Country => UNKNOWN,
    }
}

/// When two places share an area of this level and nothing smaller.
pub(super) fn shared_area_closeness(level: PlaceLevel) -> f64 {
    match level {
        PlaceLevel::Settlement => 0.7,
        PlaceLevel::Admin3 => 0.5,
        PlaceLevel::Admin2 => 0.3,
        PlaceLevel::Admin1 => 0.1,
        PlaceLevel::Country => 0.0,
    }
}

fn own_settlement_point(gaz: &Gazetteer, pcode: &str) -> bool {
    gaz.get(pcode)
        .is_some_and(|p| p.level == PlaceLevel::Settlement && p.lat.is_some() && p.lon.is_some())
}

/// Great-circle distance in kilometres between two (latitude, longitude) points.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = (b.0 - a.0).to_radians();
    let dlon = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Where intake files a recent alert, so that a new one is compared only with the alerts
/// that [`geography`] does not rule out.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bucket {
    /// Settlements with their own points, by cell of a 3-D grid over unit vectors with cells
    /// one [`MAX_DISTANCE_KM`] chord wide: every place near a point lies in the 27 cells
    /// around its own, at the poles and across the antimeridian alike.
    Cell(i64, i64, i64),
    /// Places of a territory with no point of their own.
    Territory(String),
    /// No place, a place known only to a province, or unknown to the gazetteer.
    Vague,
}

/// Which buckets a new alert must be compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// Every bucket: the alert's place is vague, so any recent alert may be the same event.
    Everything,
    /// Only these.
    Buckets(Vec<Bucket>),
}

/// The buckets of a gazetteer: each alert's own, and those a new alert must search. Built
/// once per gazetteer (it lists the cells of each territory's settlements).
#[derive(Debug, Clone, Default)]
pub struct Buckets {
    cells_of_territory: HashMap<String, Vec<Bucket>>,
}

/// Side of a grid cell on the unit sphere: the chord of [`MAX_DISTANCE_KM`], padded so that
/// rounding never puts two places that near more than one cell apart.
fn cell_side() -> f64 {
    2.0 * (MAX_DISTANCE_KM / (2.0 * EARTH_RADIUS_KM)).sin() * (1.0 + 1e-6)
}

fn cell(point: (f64, f64)) -> (i64, i64, i64) {
    let (lat, lon) = (point.0.to_radians(), point.1.to_radians());
    let side = cell_side();
    let axis = |v: f64| (v / side).floor() as i64;
    (
        axis(lat.cos() * lon.cos()),
        axis(lat.cos() * lon.sin()),
        axis(lat.sin()),
    )
}

impl Buckets {
    /// Index the settlement cells of each territory of `gaz`.
    pub fn new(gaz: &Gazetteer) -> Buckets {
        let mut sets: HashMap<String, HashSet<(i64, i64, i64)>> = HashMap::new();
        for p in gaz.places() {
            if let Reach::Point(point, Some(t)) = Reach::of(Some(&p.pcode), gaz) {
                sets.entry(t.to_string()).or_default().insert(cell(point));
            }
        }
        let cells_of_territory = sets
            .into_iter()
            .map(|(t, cells)| {
                let mut v: Vec<Bucket> = cells
                    .into_iter()
                    .map(|(x, y, z)| Bucket::Cell(x, y, z))
                    .collect();
                v.sort();
                (t, v)
            })
            .collect();
        Buckets { cells_of_territory }
    }

    /// The bucket an alert at `place` is filed in.
    pub fn home(&self, place: Option<&str>, gaz: &Gazetteer) -> Bucket {
        match Reach::of(place, gaz) {
            Reach::Point(point, _) => {
                let (x, y, z) = cell(point);
                Bucket::Cell(x, y, z)
            }
            Reach::Territory(t) => Bucket::Territory(t.to_string()),
            Reach::Vague => Bucket::Vague,
        }
    }

    /// The buckets holding every recent alert that a new one at `place` may duplicate.
    pub fn search(&self, place: Option<&str>, gaz: &Gazetteer) -> Search {
        let mut out = vec![Bucket::Vague];
        match Reach::of(place, gaz) {
            Reach::Point(point, territory) => {
                let (x, y, z) = cell(point);
                for dx in -1..=1 {
                    for dy in -1..=1 {
                        for dz in -1..=1 {
                            out.push(Bucket::Cell(x + dx, y + dy, z + dz));
                        }
                    }
                }
                out.extend(territory.map(|t| Bucket::Territory(t.to_string())));
            }
            Reach::Territory(t) => {
                out.push(Bucket::Territory(t.to_string()));
                out.extend(
                    self.cells_of_territory
                        .get(t)
                        .into_iter()
                        .flatten()
                        .cloned(),
                );
            }
            Reach::Vague => return Search::Everything,
        }
        Search::Buckets(out)
    }
}
