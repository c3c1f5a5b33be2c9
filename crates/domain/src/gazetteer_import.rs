//! Places from published reference lists: OCHA's P-code list (countries, provinces,
//! territories) and GeoNames towns and villages hung under the P-code area they lie in.
//!
//! GeoNames names its areas differently from OCHA ("North Kivu" for "Nord-Kivu", "Rutshuru
//! Territory" for "Rutshuru", "Bas-Congo" for "Kongo-Central", "Ville de Kisangani"), and some
//! of its areas are newer or older than the P-codes (Ouham-Fafa in the Central African
//! Republic). The matching here normalises both sides (accents, kind words such as
//! "territory" or "ville", compass words in three languages, word order), tolerates one
//! misspelling, and falls back to a coarser area rather than guessing: a town whose territory
//! cannot be matched hangs under its province, one whose province cannot either, under its
//! country.

use std::collections::{BTreeSet, HashMap};

use crate::place::{Gazetteer, Place, PlaceLevel};
use crate::text;

/// One row of the OCHA P-code list (columns Location, Admin Level, P-Code, Name, Parent
/// P-Code, Valid from date).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcodeRow {
    /// ISO3 country code.
    pub location: String,
    /// 1 for provinces and regions, 2 for territories, prefectures, counties, 3 below.
    pub admin_level: u8,
    /// The P-code.
    pub pcode: String,
    /// Name.
    pub name: String,
    /// Parent P-code; for admin level 1 the ISO3 country code.
    pub parent_pcode: String,
    /// Date the code became valid, as written.
    pub valid_from: Option<String>,
}

impl PcodeRow {
    /// A row from the list's fields in their published order; `None` when a field is missing
    /// or the level is not a number.
    pub fn from_fields(fields: &[&str]) -> Option<PcodeRow> {
        let field = |i: usize| fields.get(i).map(|s| s.trim().to_string());
        Some(PcodeRow {
            location: field(0)?,
            admin_level: field(1)?.parse().ok()?,
            pcode: field(2)?,
            name: field(3)?,
            parent_pcode: field(4)?,
            valid_from: field(5).filter(|s| !s.is_empty()),
        })
    }
}

/// One GeoNames town or village with the names of the areas GeoNames puts it in.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoNamesRow {
    /// Name.
    pub name: String,
    /// Latitude (WGS84).
    pub lat: f64,
    /// Longitude (WGS84).
    pub lon: f64,
    /// ISO 3166-1 alpha-2 country code.
    pub country_iso2: String,
    /// GeoNames' first-level area name (may be empty).
    pub admin1_name: String,
    /// GeoNames' second-level area name (may be empty).
    pub admin2_name: String,
}

/// Country names and common spellings, for the ISO3 codes of the first deployments.
fn country_names(iso3: &str) -> (&'static str, &'static [&'static str]) {
    match iso3 {
        "COD" => (
            "République démocratique du Congo",
            &[
                "RDC",
                "RD Congo",
                "DRC",
                "DR Congo",
                "Congo-Kinshasa",
                "Democratic Republic of the Congo",
            ],
        ),
        "CAF" => (
            "République centrafricaine",
            &["Centrafrique", "RCA", "CAR", "Central African Republic"],
        ),
        "SSD" => ("South Sudan", &["Soudan du Sud", "Sudan Kusini"]),
        "SDN" => ("Sudan", &["Soudan"]),
        "MLI" => ("Mali", &[]),
        "COG" => ("Congo", &["Congo-Brazzaville", "République du Congo"]),
        "UGA" => ("Uganda", &["Ouganda"]),
        "RWA" => ("Rwanda", &[]),
        "BDI" => ("Burundi", &[]),
        "TCD" => ("Chad", &["Tchad"]),
        "CMR" => ("Cameroon", &["Cameroun"]),
        "NER" => ("Niger", &[]),
        "BFA" => ("Burkina Faso", &[]),
        "SOM" => ("Somalia", &["Somalie"]),
        "ETH" => ("Ethiopia", &["Éthiopie"]),
        "KEN" => ("Kenya", &[]),
        "TZA" => ("Tanzania", &["Tanzanie"]),
        "ZMB" => ("Zambia", &["Zambie"]),
        "AGO" => ("Angola", &[]),
        "LBY" => ("Libya", &["Libye"]),
        "NGA" => ("Nigeria", &[]),
        _ => ("", &[]),
    }
}

/// ISO3 code of an ISO2 code, for the countries of [`country_names`].
pub fn iso3_of(iso2: &str) -> Option<&'static str> {
    Some(match iso2.trim().to_ascii_uppercase().as_str() {
        "CD" => "COD",
        "CF" => "CAF",
        "SS" => "SSD",
        "SD" => "SDN",
        "ML" => "MLI",
        "CG" => "COG",
        "UG" => "UGA",
        "RW" => "RWA",
        "BI" => "BDI",
        "TD" => "TCD",
        "CM" => "CMR",
        "NE" => "NER",
        "BF" => "BFA",
        "SO" => "SOM",
        "ET" => "ETH",
        "KE" => "KEN",
        "TZ" => "TZA",
        "ZM" => "ZMB",
        "AO" => "AGO",
        "LY" => "LBY",
        "NG" => "NGA",
        _ => return None,
    })
}

/// Countries, provinces and territories from P-code rows. Each country named as a parent
/// of an admin-1 row (or as a row's location) becomes a place whose code is its ISO3 code;
/// a P-code listed twice is kept once (the first row wins).
pub fn admin_places_from_pcodes(rows: &[PcodeRow]) -> Vec<Place> {
    let mut countries: BTreeSet<String> = BTreeSet::new();
    for r in rows {
        countries.insert(r.location.clone());
        if r.admin_level == 1 && !r.parent_pcode.is_empty() {
            countries.insert(r.parent_pcode.clone());
        }
    }
    let mut out: Vec<Place> = countries
        .into_iter()
        .filter(|c| !c.is_empty())
        .map(|iso3| {
            let (name, alt) = country_names(&iso3);
            Place {
                name: if name.is_empty() {
                    iso3.clone()
                } else {
                    name.to_string()
                },
                alt_names: alt.iter().map(|s| s.to_string()).collect(),
                level: PlaceLevel::Country,
                parent: None,
                country: iso3.clone(),
                pcode: iso3,
                lat: None,
                lon: None,
            }
        })
        .collect();
    let mut seen: BTreeSet<String> = out.iter().map(|p| p.pcode.clone()).collect();
    for r in rows {
        let level = match r.admin_level {
            1 => PlaceLevel::Admin1,
            2 => PlaceLevel::Admin2,
            3 => PlaceLevel::Admin3,
            _ => continue,
        };
        if r.pcode.is_empty() || !seen.insert(r.pcode.clone()) {
            continue;
        }
        out.push(Place {
            pcode: r.pcode.clone(),
            name: r.name.clone(),
            alt_names: Vec::new(),
            level,
            parent: Some(r.parent_pcode.clone()).filter(|p| !p.is_empty()),
            country: r.location.clone(),
            lat: None,
            lon: None,
        });
    }
    out
}

/// Settlements from GeoNames rows, each under the P-code area it lies in (see the module
/// comment for how areas are matched), coded `<parent P-code>-S<nnn>` in input order. Rows
/// of countries absent from `admin` are skipped, and so is a second row with the name and
/// parent of an earlier one.
pub fn settlements_from_geonames(rows: &[GeoNamesRow], admin: &Gazetteer) -> Vec<Place> {
    let index = AreaIndex::new(admin);
    let mut counters: HashMap<String, usize> = HashMap::new();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut out = Vec::new();
    for r in rows {
        let Some(iso3) = iso3_of(&r.country_iso2) else {
            continue;
        };
        if admin.get(iso3).is_none() {
            continue;
        }
        let parent = index.locate(iso3, r).unwrap_or_else(|| iso3.to_string());
        if r.name.trim().is_empty() || !seen.insert((text::fold(&r.name), parent.clone())) {
            continue;
        }
        let n = counters.entry(parent.clone()).or_insert(0);
        *n += 1;
        out.push(Place {
            pcode: format!("{parent}-S{:03}", *n),
            name: r.name.trim().to_string(),
            alt_names: Vec::new(),
            level: PlaceLevel::Settlement,
            parent: Some(parent),
            country: iso3.to_string(),
            lat: Some(r.lat),
            lon: Some(r.lon),
        });
    }
    out
}

/// An area name reduced to what identifies it: folded, kind words dropped, compass words
/// in one spelling, words sorted ("East Kasai" and "Kasai-Oriental" both give "est kasai").
pub fn area_key(name: &str) -> String {
    let folded = text::fold(name);
    let mut words: Vec<&str> = folded
        .split(' ')
        .filter(|w| !is_kind_word(w))
        .map(|w| match w {
            "north" | "northern" | "nord" | "kaskazini" => "nord",
            "south" | "southern" | "sud" | "kusini" => "sud",
            "east" | "eastern" | "est" | "oriental" | "orientale" | "mashariki" => "est",
            "west" | "western" | "ouest" | "occidental" | "occidentale" | "magharibi" => "ouest",
            "upper" | "haut" | "haute" => "haut",
            "lower" | "bas" | "basse" => "bas",
            "central" | "centrale" | "centre" | "center" => "central",
            other => other,
        })
        .collect();
    words.sort_unstable();
    words.join(" ")
}

fn is_kind_word(w: &str) -> bool {
    matches!(
        w,
        "" | "province"
            | "region"
            | "state"
            | "prefecture"
            | "sub"
            | "sous"
            | "territory"
            | "territoire"
            | "city"
            | "ville"
            | "town"
            | "district"
            | "county"
            | "cercle"
            | "locality"
            | "de"
            | "du"
            | "la"
            | "le"
            | "of"
            | "the"
            | "al"
            | "el"
            | "ed"
            | "ad"
    )
}

/// Renamed or merged areas whose old GeoNames name shares nothing with the P-code name.
fn historical_alias(key: &str) -> Option<&'static str> {
    match key {
        "bas congo" => Some("central kongo"),
        _ => None,
    }
}

/// One name of an area, keyed for matching.
struct Area {
    key: String,
    pcode: String,
    parent: Option<String>,
}

/// Admin-1 and admin-2 areas by country and level.
struct AreaIndex {
    areas: HashMap<(String, PlaceLevel), Vec<Area>>,
}

impl AreaIndex {
    fn new(admin: &Gazetteer) -> AreaIndex {
        let mut areas: HashMap<(String, PlaceLevel), Vec<Area>> = HashMap::new();
        for p in admin.places() {
            if matches!(p.level, PlaceLevel::Admin1 | PlaceLevel::Admin2) {
                for n in std::iter::once(&p.name).chain(&p.alt_names) {
                    areas
                        .entry((p.country.clone(), p.level))
                        .or_default()
                        .push(Area {
                            key: area_key(n),
                            pcode: p.pcode.clone(),
                            parent: p.parent.clone(),
                        });
                }
            }
        }
        AreaIndex { areas }
    }

    /// The P-code of the finest area a row can be placed in.
    fn locate(&self, iso3: &str, r: &GeoNamesRow) -> Option<String> {
        let admin1 = self.find(iso3, PlaceLevel::Admin1, &r.admin1_name, None);
        let admin2 = if r.admin2_name.trim().is_empty() {
            // Towns that give their name to their territory ("Alindao", "Juba").
            admin1
                .as_deref()
                .and_then(|a1| self.find_exact(iso3, PlaceLevel::Admin2, &r.name, Some(a1)))
        } else {
            admin1
                .as_deref()
                .and_then(|a1| self.find(iso3, PlaceLevel::Admin2, &r.admin2_name, Some(a1)))
                // GeoNames' province may be outdated (Ouham-Fafa) or wrong; its territory
                // name, if unique in the country, still places the town.
                .or_else(|| self.find(iso3, PlaceLevel::Admin2, &r.admin2_name, None))
        };
        admin2.or(admin1)
    }

    fn candidates(
        &self,
        iso3: &str,
        level: PlaceLevel,
        within: Option<&str>,
    ) -> impl Iterator<Item = &Area> {
        self.areas
            .get(&(iso3.to_string(), level))
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(move |a| within.is_none() || a.parent.as_deref() == within)
    }

    fn find_exact(
        &self,
        iso3: &str,
        level: PlaceLevel,
        name: &str,
        within: Option<&str>,
    ) -> Option<String> {
        let key = area_key(name);
        if key.is_empty() {
            return None;
        }
        let key = historical_alias(&key).map(str::to_string).unwrap_or(key);
        unique(
            self.candidates(iso3, level, within)
                .filter(|a| a.key == key)
                .map(|a| &a.pcode),
        )
    }

    /// Exact key match, else the single area one small misspelling away.
    fn find(
        &self,
        iso3: &str,
        level: PlaceLevel,
        name: &str,
        within: Option<&str>,
    ) -> Option<String> {
        if let Some(code) = self.find_exact(iso3, level, name, within) {
            return Some(code);
        }
        let key = area_key(name);
        if key.chars().count() < 5 {
            return None;
        }
        let close = self.candidates(iso3, level, within).filter(|a| {
            let longest = a.key.chars().count().max(key.chars().count());
            let allowed = if longest >= 10 { 2 } else { 1 };
            strsim::osa_distance(&a.key, &key) <= allowed
        });
        unique(close.map(|a| &a.pcode))
    }
}

/// The one code of an iterator, or `None` when it yields none or several distinct codes.
fn unique<'a>(codes: impl Iterator<Item = &'a String>) -> Option<String> {
    let set: BTreeSet<&String> = codes.collect();
    if set.len() == 1 {
        set.into_iter().next().cloned()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(l: &str, lvl: u8, code: &str, name: &str, parent: &str) -> PcodeRow {
        PcodeRow {
            location: l.into(),
            admin_level: lvl,
            pcode: code.into(),
            name: name.into(),
            parent_pcode: parent.into(),
            valid_from: None,
        }
    }

    fn geo(name: &str, iso2: &str, a1: &str, a2: &str) -> GeoNamesRow {
        GeoNamesRow {
            name: name.into(),
            lat: 0.0,
            lon: 0.0,
            country_iso2: iso2.into(),
            admin1_name: a1.into(),
            admin2_name: a2.into(),
        }
    }

    fn admin() -> Gazetteer {
        Gazetteer::new(admin_places_from_pcodes(&[
            row("COD", 1, "CD61", "Nord-Kivu", "COD"),
            row("COD", 1, "CD20", "Kongo-Central", "COD"),
            row("COD", 1, "CD82", "Kasai-Oriental", "COD"),
            row("COD", 2, "CD6111", "Rutshuru", "CD61"),
            row("COD", 2, "CD6109", "Beni", "CD61"),
            row("COD", 2, "CD2002", "Boma", "CD20"),
            row("COD", 2, "CD8201", "Mbuji-Mayi", "CD82"),
            row("COD", 2, "CD8201", "Duplicate", "CD82"),
            row("CAF", 1, "CF32", "Ouham", "CAF"),
            row("CAF", 1, "CF42", "Nana-Gribizi", "CAF"),
            row("CAF", 2, "CF326", "Batangafo", "CF32"),
            row("SSD", 1, "SS05", "Northern Bahr el Ghazal", "SSD"),
        ]))
    }

    #[test]
    fn admin_rows_and_countries() {
        let g = admin();
        assert_eq!(g.get("COD").map(|p| p.level), Some(PlaceLevel::Country));
        assert_eq!(g.get("CD61").and_then(|p| p.parent.as_deref()), Some("COD"));
        assert_eq!(g.get("CD8201").map(|p| p.name.as_str()), Some("Mbuji-Mayi"));
        assert_eq!(g.get("CD6111").map(|p| p.level), Some(PlaceLevel::Admin2));
        assert_eq!(
            PcodeRow::from_fields(&["COD", "2", "CD6111", "Rutshuru", "CD61", "2019-09-11"]),
            Some(row("COD", 2, "CD6111", "Rutshuru", "CD61")).map(|mut r| {
                r.valid_from = Some("2019-09-11".into());
                r
            })
        );
        assert_eq!(PcodeRow::from_fields(&["COD", "x", "CD6111"]), None);
    }

    #[test]
    fn geonames_areas_are_matched_by_meaning() {
        let g = admin();
        let s = settlements_from_geonames(
            &[
                geo("Kiwanja", "CD", "North Kivu", "Rutshuru Territory"),
                geo("Rutshuru", "CD", "North Kivu", "Rutshuru Territory"),
                geo("Boma", "CD", "Bas-Congo", "Boma (city)"),
                geo("Mbuji-Mayi", "CD", "East Kasai", "Mbuji-Mayi City"),
                geo("Batangafo", "CF", "Ouham-Fafa", "Batangafo"),
                geo("Mbrès", "CF", "Nana-Grébizi", "Mbrès"),
                geo("Aweil", "SS", "Northern Bahr al Ghazal", ""),
                geo("Kiwanja", "CD", "North Kivu", "Rutshuru Territory"),
                geo("Nowhere", "CD", "Atlantis", ""),
                geo("Paris", "FR", "Île-de-France", ""),
            ],
            &g,
        );
        let got: Vec<(&str, &str)> = s
            .iter()
            .map(|p| (p.name.as_str(), p.pcode.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Kiwanja", "CD6111-S001"),
                ("Rutshuru", "CD6111-S002"),
                ("Boma", "CD2002-S001"),
                ("Mbuji-Mayi", "CD8201-S001"),
                ("Batangafo", "CF326-S001"),
                ("Mbrès", "CF42-S001"),
                ("Aweil", "SS05-S001"),
                ("Nowhere", "COD-S001"),
            ]
        );
        assert!(
            s.iter()
                .all(|p| p.level == PlaceLevel::Settlement && p.lat.is_some())
        );
        assert_eq!(area_key("Kasai-Oriental"), area_key("East Kasai"));
        assert_eq!(area_key("Ville de Kisangani"), "kisangani");
    }
}
