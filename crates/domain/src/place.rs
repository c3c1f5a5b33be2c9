//! Places: the P-code hierarchy with its settlements, and resolution of the names people type.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

mod resolve;
mod settle;
#[cfg(test)]
pub(crate) mod testdata;

pub(crate) use resolve::Stretch;
pub use resolve::{MIN_SCORE, PICK_MIN_GAP, PICK_MIN_SCORE, TEXT_MIN_SCORE, pick};
pub(crate) use settle::top_tier;
pub use settle::{Settled, flag, settle};

/// Level of a place in the administrative hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PlaceLevel {
    /// Country (admin 0).
    Country,
    /// Province or region (admin 1).
    Admin1,
    /// Territory or prefecture (admin 2).
    Admin2,
    /// Chiefdom, sector or commune (admin 3).
    Admin3,
    /// Town, village, IDP site, market, mining site.
    Settlement,
}

impl PlaceLevel {
    /// The snake_case identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceLevel::Country => "country",
            PlaceLevel::Admin1 => "admin1",
            PlaceLevel::Admin2 => "admin2",
            PlaceLevel::Admin3 => "admin3",
            PlaceLevel::Settlement => "settlement",
        }
    }
}

/// A place with its P-code, names and position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Place {
    /// OCHA P-code, or a derived code for settlements (`<parent>-S<n>`).
    pub pcode: String,
    /// Main name.
    pub name: String,
    /// Other names and spellings (languages, old names, common misspellings).
    #[serde(default)]
    pub alt_names: Vec<String>,
    /// Level in the hierarchy.
    pub level: PlaceLevel,
    /// Parent P-code (none for a country).
    pub parent: Option<String>,
    /// ISO3 country code.
    pub country: String,
    /// Latitude (WGS84).
    pub lat: Option<f64>,
    /// Longitude (WGS84).
    pub lon: Option<f64>,
}

/// A possible match for a typed place name, best first when in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceCandidate {
    /// P-code.
    pub pcode: String,
    /// Main name.
    pub name: String,
    /// Where it lies ("Kalehe, Sud-Kivu"), so two places of one name can be told apart.
    #[serde(default)]
    pub context: String,
    /// 0–1; 1 is an exact match of a name or spelling.
    pub score: f64,
}

/// All known places, indexed for lookup and fuzzy resolution.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    places: Vec<Place>,
    by_code: FxHashMap<String, usize>,
    /// Every folded name or spelling with the index of its place.
    names: Vec<(String, usize)>,
    /// Word-level keys and a trigram index over `names`, built once so resolution stays fast.
    index: resolve::NameIndex,
}

impl Gazetteer {
    /// Index a set of places.
    pub fn new(places: Vec<Place>) -> Gazetteer {
        let by_code: FxHashMap<String, usize> = places
            .iter()
            .enumerate()
            .map(|(i, p)| (p.pcode.clone(), i))
            .collect();
        let mut names = Vec::new();
        for (i, p) in places.iter().enumerate() {
            for n in std::iter::once(&p.name).chain(p.alt_names.iter()) {
                let f = crate::text::fold(n);
                if !f.is_empty() {
                    names.push((f, i));
                }
            }
        }
        let index = resolve::NameIndex::build(&places, &by_code, &names);
        Gazetteer {
            places,
            by_code,
            names,
            index,
        }
    }

    /// Every place.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// The position in [`Gazetteer::places`] of the place with this P-code.
    pub fn index(&self, pcode: &str) -> Option<usize> {
        self.by_code.get(pcode).copied()
    }

    /// The place with this P-code.
    pub fn get(&self, pcode: &str) -> Option<&Place> {
        self.by_code.get(pcode).map(|&i| &self.places[i])
    }

    /// The place and its ancestors, nearest first.
    pub fn lineage(&self, pcode: &str) -> Vec<&Place> {
        let mut out = Vec::new();
        let mut cur = self.get(pcode);
        while let Some(p) = cur {
            if out.iter().any(|q: &&Place| q.pcode == p.pcode) {
                break; // a cycle in imported data must not hang us
            }
            out.push(p);
            cur = p.parent.as_deref().and_then(|c| self.get(c));
        }
        out
    }

    /// True when `pcode` is `area` or lies inside it.
    pub fn is_within(&self, pcode: &str, area: &str) -> bool {
        self.lineage(pcode).iter().any(|p| p.pcode == area)
    }

    /// The smallest area holding both places (one of them, when one holds the other).
    pub fn common_area(&self, a: &str, b: &str) -> Option<&Place> {
        let outer = self.lineage(b);
        self.lineage(a)
            .into_iter()
            .find(|p| outer.iter().any(|q| q.pcode == p.pcode))
    }

    /// "Minova, Kalehe, Sud-Kivu": the place and its ancestors below country level.
    pub fn label(&self, pcode: &str) -> String {
        let parts: Vec<&str> = self
            .lineage(pcode)
            .iter()
            .filter(|p| p.level != PlaceLevel::Country)
            .map(|p| p.name.as_str())
            .collect();
        if parts.is_empty() {
            pcode.to_string()
        } else {
            parts.join(", ")
        }
    }

    /// Where a place lies, for telling apart places of one name: its ancestors below country
    /// level ("Kalehe, Sud-Kivu"), or for a province the country's name (else its ISO3 code).
    pub fn context(&self, pcode: &str) -> String {
        let lineage = self.lineage(pcode);
        let parts: Vec<&str> = lineage
            .iter()
            .skip(1)
            .filter(|p| p.level != PlaceLevel::Country)
            .map(|p| p.name.as_str())
            .collect();
        if !parts.is_empty() {
            return parts.join(", ");
        }
        match lineage
            .iter()
            .skip(1)
            .find(|p| p.level == PlaceLevel::Country)
        {
            Some(country) => country.name.clone(),
            None => lineage
                .first()
                .map(|p| p.country.clone())
                .unwrap_or_default(),
        }
    }

    /// A point for the place: its own, else its nearest ancestor's.
    pub fn point(&self, pcode: &str) -> Option<(f64, f64)> {
        self.lineage(pcode)
            .iter()
            .find_map(|p| Some((p.lat?, p.lon?)))
    }

    /// Folded names with their place index, for the resolver.
    pub(crate) fn indexed_names(&self) -> &[(String, usize)] {
        &self.names
    }

    /// Place at an index of `places()`.
    pub(crate) fn at(&self, i: usize) -> &Place {
        &self.places[i]
    }
}
