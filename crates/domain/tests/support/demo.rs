//! The demo's gazetteer, built as `crates/cli/src/demo/places.rs` builds it (DR Congo's
//! provinces, territories and GeoNames towns, then the demo villages), without depending on
//! the cli crate: the villages are copied into `tests/data/demo_villages.csv`.

use std::collections::HashSet;

use kinga_domain::gazetteer_import::{admin_places_from_pcodes, settlements_from_geonames};
use kinga_domain::place::{Gazetteer, Place, PlaceLevel};
use kinga_domain::text::fold;

use crate::support::{geonames_rows, pcode_rows};

/// The demo villages: (index from 1, territory, name, other spellings, lat, lon).
fn villages() -> Vec<(usize, String, String, Vec<String>, f64, f64)> {
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(include_str!("../data/demo_villages.csv").as_bytes());
    rdr.records()
        .map(|r| {
            let r = r.expect("valid demo village row");
            let alt = r[3]
                .split('|')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            (
                r[0].parse().expect("index"),
                r[1].to_string(),
                r[2].to_string(),
                alt,
                r[4].parse().expect("latitude"),
                r[5].parse().expect("longitude"),
            )
        })
        .collect()
}

/// The gazetteer of `kinga demo`.
pub fn gazetteer() -> Gazetteer {
    let admin: Vec<Place> = admin_places_from_pcodes(&pcode_rows())
        .into_iter()
        .filter(|p| p.country == "COD")
        .collect();
    let towns: Vec<Place> =
        settlements_from_geonames(&geonames_rows(), &Gazetteer::new(admin.clone()))
            .into_iter()
            .filter(|p| p.country == "COD")
            .collect();
    let known: HashSet<String> = towns.iter().map(|t| fold(&t.name)).collect();
    let mut all = admin;
    all.extend(towns);
    for (i, territory, name, alt_names, lat, lon) in villages() {
        if known.contains(&fold(&name)) {
            continue;
        }
        all.push(Place {
            pcode: format!("{territory}-V{i:03}"),
            name,
            alt_names,
            level: PlaceLevel::Settlement,
            parent: Some(territory),
            country: "COD".into(),
            lat: Some(lat),
            lon: Some(lon),
        });
    }
    Gazetteer::new(all)
}
