//! Test support: the reference gazetteer built from the shared P-code and GeoNames files.

use std::path::PathBuf;

use kinga_domain::gazetteer_import::{
    GeoNamesRow, PcodeRow, admin_places_from_pcodes, settlements_from_geonames,
};
use kinga_domain::place::Gazetteer;

/// Directory of the shared reference data (`KINGA_SHARED_DATA` overrides).
pub fn data_dir() -> PathBuf {
    if let Ok(d) = std::env::var("KINGA_SHARED_DATA") {
        return PathBuf::from(d);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        manifest.join("../cli/data"),
        manifest.join("../../../shared/data"),
        manifest.join("../../shared/data"),
        PathBuf::from("/work/shared/data"),
    ];
    candidates
        .iter()
        .find(|p| p.join("pcodes-adm1-adm2.csv").exists())
        .cloned()
        .unwrap_or_else(|| candidates[0].clone())
}

fn records(name: &str) -> Vec<csv::StringRecord> {
    let path = data_dir().join(name);
    let mut rdr = csv::Reader::from_path(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    rdr.records()
        .map(|r| r.expect("valid CSV record"))
        .collect()
}

/// P-code rows of `pcodes-adm1-adm2.csv`.
pub fn pcode_rows() -> Vec<PcodeRow> {
    records("pcodes-adm1-adm2.csv")
        .iter()
        .map(|r| PcodeRow::from_fields(&r.iter().collect::<Vec<_>>()).expect("valid P-code row"))
        .collect()
}

/// Rows of `geonames-places.csv`.
pub fn geonames_rows() -> Vec<GeoNamesRow> {
    records("geonames-places.csv")
        .iter()
        .map(|r| GeoNamesRow {
            name: r[0].to_string(),
            lat: r[1].parse().expect("latitude"),
            lon: r[2].parse().expect("longitude"),
            country_iso2: r[3].to_string(),
            admin1_name: r[5].to_string(),
            admin2_name: r[7].to_string(),
        })
        .collect()
}

/// Countries, provinces, territories and GeoNames settlements.
pub fn gazetteer() -> Gazetteer {
    let mut places = admin_places_from_pcodes(&pcode_rows());
    let admin = Gazetteer::new(places.clone());
    places.extend(settlements_from_geonames(&geonames_rows(), &admin));
    Gazetteer::new(places)
}
