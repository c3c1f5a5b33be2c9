//! What duplicate scoring needs of each place of a gazetteer, worked out once per gazetteer:
//! where it is, how precisely, what it lies in, and the stems of its names. Intake compares
//! every new alert with the places of hundreds of recent ones; asked of the gazetteer each
//! time, every answer walked the hierarchy by P-code and allocated its lineage, and the names
//! of a place were folded and cut into stems again for every alert with no place. Each answer
//! here equals the one computed from the gazetteer ([`geography`], [`space_closeness`],
//! [`is_placed`], [`place_name_stems`]); a property test holds them together.

use std::collections::HashMap;

use crate::place::{Gazetteer, PlaceLevel};

use super::geography::{
    AREA_POINT_TRUST, DISTANCE_SCALE_KM, Geography, MAX_DISTANCE_KM, haversine_km,
    nested_closeness, shared_area_closeness,
};
#[cfg(doc)]
use super::geography::{geography, is_placed, place_name_stems, space_closeness};
use super::{StemCode, UNKNOWN, codes_of, text_stems};

/// A place of the gazetteer, by its position in [`Gazetteer::places`] (the one its P-code
/// names, when two share a code).
pub type PlaceIndex = u32;

/// The places of one gazetteer as duplicate scoring sees them. Used only with the gazetteer
/// it was built from.
#[derive(Debug, Clone, Default)]
pub struct Atlas {
    facts: Vec<Facts>,
}

#[derive(Debug, Clone)]
struct Facts {
    level: PlaceLevel,
    /// The place and its ancestors, nearest first (as [`Gazetteer::lineage`]).
    lineage: Vec<PlaceIndex>,
    reach: Reach,
    /// The province (admin 1) it is or lies in.
    province: Option<PlaceIndex>,
    /// Its country code, as a number shared by every place of that code.
    country: u32,
    /// Its own point, else its nearest ancestor's ([`Gazetteer::point`]).
    point: Option<(f64, f64)>,
    /// A settlement with a point of its own.
    own_point: bool,
    /// The stems of each of its own names (main, then others) that has any, as codes.
    names: Vec<Vec<StemCode>>,
}

/// How precisely a place is known (the gazetteer side's `Reach`, by index).
#[derive(Debug, Clone, Copy)]
enum Reach {
    Point((f64, f64), Option<PlaceIndex>),
    Territory(PlaceIndex),
    Vague,
}

impl Reach {
    fn territory(self) -> Option<PlaceIndex> {
        match self {
            Reach::Point(_, t) => t,
            Reach::Territory(t) => Some(t),
            Reach::Vague => None,
        }
    }

    fn is_vague(self) -> bool {
        matches!(self, Reach::Vague)
    }
}

/// An index as stored: gazetteers hold far fewer than 2³² places.
fn ix(i: usize) -> PlaceIndex {
    PlaceIndex::try_from(i).unwrap_or(PlaceIndex::MAX)
}

impl Atlas {
    /// Work out every place of `gaz`.
    pub fn new(gaz: &Gazetteer) -> Atlas {
        let places = gaz.places();
        let mut countries: HashMap<&str, u32> = HashMap::new();
        let facts = places
            .iter()
            .map(|p| {
                let mut lineage: Vec<PlaceIndex> = vec![];
                let mut cur = gaz.index(&p.pcode);
                while let Some(i) = cur {
                    let i = ix(i);
                    if lineage.contains(&i) {
                        break; // a cycle in imported data must not hang us
                    }
                    lineage.push(i);
                    cur = places
                        .get(i as usize)
                        .and_then(|q| q.parent.as_deref())
                        .and_then(|c| gaz.index(c));
                }
                let level_of = |i: &PlaceIndex| places.get(*i as usize).map(|q| q.level);
                let find = |level: PlaceLevel| {
                    lineage.iter().find(|i| level_of(i) == Some(level)).copied()
                };
                let territory = find(PlaceLevel::Admin2);
                let reach = match (p.level, p.lat, p.lon, territory) {
                    (PlaceLevel::Settlement, Some(lat), Some(lon), t) => {
                        Reach::Point((lat, lon), t)
                    }
                    (_, _, _, Some(t)) => Reach::Territory(t),
                    _ => Reach::Vague,
                };
                let next = countries.len() as u32;
                let country = *countries.entry(p.country.as_str()).or_insert(next);
                let point = lineage
                    .iter()
                    .filter_map(|&i| places.get(i as usize))
                    .find_map(|q| Some((q.lat?, q.lon?)));
                let names = std::iter::once(&p.name)
                    .chain(&p.alt_names)
                    .map(|n| codes_of(text_stems(n).iter().map(String::as_str)))
                    .filter(|c| !c.is_empty())
                    .collect();
                Facts {
                    level: p.level,
                    reach,
                    province: find(PlaceLevel::Admin1),
                    country,
                    point,
                    own_point: p.level == PlaceLevel::Settlement
                        && p.lat.is_some()
                        && p.lon.is_some(),
                    names,
                    lineage,
                }
            })
            .collect();
        Atlas { facts }
    }

    /// The place a P-code names in `gaz` (the gazetteer this atlas was built from); `None`
    /// for no place or a code it lacks, which duplicate scoring treats alike.
    pub fn place(&self, gaz: &Gazetteer, pcode: Option<&str>) -> Option<PlaceIndex> {
        pcode
            .and_then(|c| gaz.index(c))
            .map(ix)
            .filter(|&i| (i as usize) < self.facts.len())
    }

    fn facts(&self, place: Option<PlaceIndex>) -> Option<&Facts> {
        self.facts.get(place? as usize)
    }

    fn reach(&self, place: Option<PlaceIndex>) -> Reach {
        self.facts(place).map_or(Reach::Vague, |f| f.reach)
    }

    /// [`is_placed`].
    pub fn is_placed(&self, place: Option<PlaceIndex>) -> bool {
        !self.reach(place).is_vague()
    }

    /// [`geography`].
    pub fn geography(&self, a: Option<PlaceIndex>, b: Option<PlaceIndex>) -> Geography {
        let (ra, rb) = (self.reach(a), self.reach(b));
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
        if let (Some(fa), Some(fb)) = (self.facts(a), self.facts(b)) {
            let other_province = matches!((fa.province, fb.province), (Some(x), Some(y)) if x != y);
            if other_province || fa.country != fb.country {
                return Geography::Far;
            }
        }
        if ra.is_vague() || rb.is_vague() {
            Geography::Unknown
        } else {
            Geography::Far
        }
    }

    /// [`space_closeness`].
    pub fn space_closeness(&self, a: Option<PlaceIndex>, b: Option<PlaceIndex>) -> f64 {
        let (Some(fa), Some(fb)) = (self.facts(a), self.facts(b)) else {
            return UNKNOWN;
        };
        if fa.reach.is_vague() || fb.reach.is_vague() {
            return UNKNOWN;
        }
        let (Some(ia), Some(ib)) = (a, b) else {
            return UNKNOWN;
        };
        if ia == ib {
            return 1.0;
        }
        let level = |i: PlaceIndex| self.facts.get(i as usize).map(|f| f.level);
        if let Some(outer) = fb
            .lineage
            .iter()
            .find(|&&p| p == ia)
            .or_else(|| fa.lineage.iter().find(|&&p| p == ib))
        {
            return level(*outer).map_or(UNKNOWN, nested_closeness);
        }
        let shared = fa
            .lineage
            .iter()
            .find(|p| fb.lineage.contains(p))
            .and_then(|&p| level(p))
            .map_or(0.0, shared_area_closeness);
        let distance = match (fa.point, fb.point) {
            (Some(pa), Some(pb)) => {
                let d = haversine_km(pa, pb) / DISTANCE_SCALE_KM;
                let trust = if fa.own_point && fb.own_point {
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

    /// [`place_name_stems`] as codes: the stems of each name of the place and of its areas
    /// down to its territory.
    pub fn name_codes(&self, place: PlaceIndex) -> impl Iterator<Item = &[StemCode]> {
        let lineage = self
            .facts
            .get(place as usize)
            .map_or(&[][..], |f| &f.lineage[..]);
        // Up to and with the first area at or above a territory, as the gazetteer's walk.
        let end = lineage
            .iter()
            .position(|&i| {
                self.facts
                    .get(i as usize)
                    .is_none_or(|f| f.level <= PlaceLevel::Admin2)
            })
            .map_or(lineage.len(), |at| at + 1);
        lineage[..end]
            .iter()
            .filter_map(|&i| self.facts.get(i as usize))
            .flat_map(|f| f.names.iter().map(Vec::as_slice))
    }
}

#[cfg(test)]
mod tests;
