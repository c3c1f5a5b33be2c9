//! The demo gazetteer: DR Congo's provinces and territories (OCHA P-codes), its towns
//! (GeoNames), and villages, displacement sites and mining sites of the Kivus and Ituri.

use anyhow::Context;

use kinga_domain::gazetteer_import::{
    GeoNamesRow, PcodeRow, admin_places_from_pcodes, settlements_from_geonames,
};
use kinga_domain::place::{Gazetteer, Place, PlaceLevel};

/// OCHA P-codes, shipped with the binary so the demo needs no network.
const PCODES: &str = include_str!("../../data/pcodes-adm1-adm2.csv");
/// GeoNames towns, likewise.
const GEONAMES: &str = include_str!("../../data/geonames-places.csv");

/// A village or site named in demo alerts.
struct DemoVillage {
    /// Territory P-code.
    territory: &'static str,
    /// Name.
    name: &'static str,
    /// Other spellings.
    alt: &'static [&'static str],
    /// Approximate latitude.
    lat: f64,
    /// Approximate longitude.
    lon: f64,
    /// Relative number of alerts from there.
    weight: u32,
}

const fn v(
    territory: &'static str,
    name: &'static str,
    alt: &'static [&'static str],
    lat: f64,
    lon: f64,
    weight: u32,
) -> DemoVillage {
    DemoVillage {
        territory,
        name,
        alt,
        lat,
        lon,
        weight,
    }
}

/// Villages, displacement sites and mining sites of the Kivus and Ituri, with approximate
/// coordinates.
const VILLAGES: [DemoVillage; 44] = [
    v("CD6111", "Kiwanja", &[], -1.163, 29.455, 9),
    v("CD6111", "Bunagana", &["Bunangana"], -1.283, 29.598, 6),
    v("CD6111", "Nyanzale", &[], -0.994, 29.190, 5),
    v("CD6111", "Kibirizi", &[], -0.875, 29.296, 3),
    v(
        "CD6103",
        "Kitshanga",
        &["Kichanga", "Kitchanga"],
        -1.289,
        29.012,
        8,
    ),
    v("CD6103", "Mweso", &[], -1.083, 28.983, 6),
    v(
        "CD6103",
        "Rubaya",
        &["Rubaya mine", "mine de Rubaya"],
        -1.553,
        28.883,
        5,
    ),
    v(
        "CD6103",
        "Masisi-Centre",
        &["Masisi centre", "Masisi"],
        -1.401,
        28.817,
        4,
    ),
    v("CD6103", "Nyabiondo", &[], -1.283, 28.733, 3),
    v("CD6102", "Kibumba", &[], -1.502, 29.349, 4),
    v(
        "CD6102",
        "Kanyaruchinya",
        &["site de Kanyaruchinya", "Kanyarutshinya"],
        -1.602,
        29.262,
        4,
    ),
    v(
        "CD6101",
        "Bulengo",
        &["site de déplacés de Bulengo", "camp Bulengo"],
        -1.618,
        29.140,
        4,
    ),
    v("CD6104", "Pinga", &[], -0.983, 28.690, 4),
    v(
        "CD6104",
        "Walikale-Centre",
        &["Walikale centre"],
        -1.421,
        28.050,
        2,
    ),
    v("CD6107", "Eringeti", &[], 0.596, 29.640, 7),
    v("CD6107", "Mbau", &[], 0.617, 29.502, 5),
    v("CD6107", "Kamango", &[], 0.650, 29.880, 4),
    v("CD6107", "Mutwanga", &[], 0.330, 29.745, 3),
    v("CD6107", "Kasindi", &[], 0.033, 29.712, 2),
    v("CD6105", "Alimbongo", &[], -0.370, 29.190, 3),
    v(
        "CD6105",
        "Manguredjipa",
        &["Manguredjipa"],
        0.350,
        28.740,
        4,
    ),
    v("CD6205", "Minova", &[], -1.703, 29.000, 7),
    v("CD6205", "Numbi", &[], -1.800, 28.950, 3),
    v("CD6205", "Bunyakiri", &[], -2.050, 28.600, 3),
    v(
        "CD6205",
        "Kalehe-Centre",
        &["Kalehe centre"],
        -2.103,
        28.910,
        2,
    ),
    v("CD6202", "Kavumu", &[], -2.303, 28.810, 4),
    v("CD6207", "Kamanyola", &[], -2.750, 29.000, 4),
    v("CD6208", "Luvungi", &[], -2.870, 29.050, 3),
    v("CD6208", "Sange", &[], -3.083, 29.120, 4),
    v("CD6210", "Minembwe", &[], -3.600, 28.900, 5),
    v("CD6210", "Mboko", &[], -4.050, 29.170, 2),
    v("CD6203", "Lulingu", &[], -2.320, 27.530, 3),
    v(
        "CD6213",
        "Kamituga-Centre",
        &["Kamituga centre"],
        -3.060,
        28.180,
        2,
    ),
    v("CD5405", "Drodro", &[], 1.754, 30.520, 6),
    v(
        "CD5405",
        "Plaine Savo",
        &["site de Plaine Savo", "Savo"],
        1.970,
        30.390,
        6,
    ),
    v(
        "CD5405",
        "Rhoe",
        &["site de déplacés de Rhoe", "Rhoo"],
        1.700,
        30.600,
        5,
    ),
    v("CD5405", "Fataki", &[], 1.990, 30.580, 5),
    v("CD5405", "Largu", &[], 1.900, 30.460, 3),
    v("CD5405", "Nizi", &[], 1.720, 30.300, 3),
    v("CD5405", "Bule", &[], 1.870, 30.530, 3),
    v("CD5402", "Komanda", &[], 1.364, 29.768, 5),
    v("CD5402", "Boga", &[], 1.080, 30.190, 3),
    v(
        "CD5403",
        "Mambasa-Centre",
        &["Mambasa centre"],
        1.360,
        29.050,
        3,
    ),
    v("CD5407", "Mahagi-Port", &["Mahagi port"], 2.150, 31.230, 2),
];

/// Every place of the demo: DR Congo's admin areas and towns, and the villages above.
pub fn places() -> anyhow::Result<Vec<Place>> {
    let pcode_rows = records(PCODES)?
        .iter()
        .map(|r| {
            PcodeRow::from_fields(&r.iter().collect::<Vec<_>>()).context("malformed P-code row")
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let admin: Vec<Place> = admin_places_from_pcodes(&pcode_rows)
        .into_iter()
        .filter(|p| p.country == "COD")
        .collect();
    let gaz = Gazetteer::new(admin.clone());
    let towns_rows = records(GEONAMES)?
        .iter()
        .map(geonames_row)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let towns: Vec<Place> = settlements_from_geonames(&towns_rows, &gaz)
        .into_iter()
        .filter(|p| p.country == "COD")
        .collect();
    let mut all = admin;
    let known: std::collections::HashSet<String> = towns
        .iter()
        .map(|t| kinga_domain::text::fold(&t.name))
        .collect();
    all.extend(towns);
    for (i, d) in VILLAGES.iter().enumerate() {
        if known.contains(&kinga_domain::text::fold(d.name)) {
            continue;
        }
        all.push(Place {
            pcode: format!("{}-V{:03}", d.territory, i + 1),
            name: d.name.to_string(),
            alt_names: d.alt.iter().map(|s| s.to_string()).collect(),
            level: PlaceLevel::Settlement,
            parent: Some(d.territory.to_string()),
            country: "COD".into(),
            lat: Some(d.lat),
            lon: Some(d.lon),
        });
    }
    Ok(all)
}

fn records(text: &str) -> anyhow::Result<Vec<csv::StringRecord>> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    rdr.records()
        .collect::<Result<Vec<_>, _>>()
        .context("malformed reference CSV")
}

/// A GeoNames row from the columns name, latitude, longitude, country_iso2, admin1 code,
/// admin1 name, admin2 code, admin2 name.
fn geonames_row(r: &csv::StringRecord) -> anyhow::Result<GeoNamesRow> {
    let f = |i: usize| r.get(i).unwrap_or_default().trim().to_string();
    Ok(GeoNamesRow {
        name: f(0),
        lat: f(1).parse().context("bad latitude")?,
        lon: f(2).parse().context("bad longitude")?,
        country_iso2: f(3),
        admin1_name: f(5),
        admin2_name: f(7),
    })
}

/// The demo villages with their P-codes (as finally assigned) and weights.
pub fn villages(gaz: &Gazetteer) -> Vec<super::alerts::Village> {
    VILLAGES
        .iter()
        .filter_map(|d| {
            let folded = kinga_domain::text::fold(d.name);
            gaz.places()
                .iter()
                .find(|p| {
                    p.level == PlaceLevel::Settlement
                        && kinga_domain::text::fold(&p.name) == folded
                        && p.parent.as_deref() == Some(d.territory)
                })
                .map(|p| super::alerts::Village {
                    pcode: p.pcode.clone(),
                    name: p.name.clone(),
                    weight: d.weight,
                })
        })
        .collect()
}
