//! Real places for tests: the OCHA P-codes and GeoNames towns of `/work/shared/data` (tests
//! may read files; the library may not), and a few villages of eastern DR Congo.

use std::sync::OnceLock;

use super::{Gazetteer, Place, PlaceLevel};

/// Text of a file of the shared reference data.
pub(crate) fn read(name: &str) -> String {
    let path = format!("{}/../../../shared/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// A place with no alternative names.
pub(crate) fn place(
    pcode: &str,
    name: &str,
    level: PlaceLevel,
    parent: Option<&str>,
    point: Option<(f64, f64)>,
) -> Place {
    Place {
        pcode: pcode.into(),
        name: name.into(),
        alt_names: vec![],
        level,
        parent: parent.map(Into::into),
        country: pcode.chars().take(3).collect(),
        lat: point.map(|p| p.0),
        lon: point.map(|p| p.1),
    }
}

/// Countries and their admin 1 and 2 areas from the OCHA P-code list.
pub(crate) fn pcode_places() -> Vec<Place> {
    let countries = [
        (
            "COD",
            "Democratic Republic of the Congo",
            &["RDC", "DRC", "Congo-Kinshasa"][..],
        ),
        (
            "CAF",
            "Central African Republic",
            &["Centrafrique", "RCA"][..],
        ),
        ("MLI", "Mali", &[][..]),
        ("SSD", "South Sudan", &["Soudan du Sud"][..]),
        ("SDN", "Sudan", &["Soudan"][..]),
    ];
    let mut out: Vec<Place> = countries
        .iter()
        .map(|(code, name, alt)| Place {
            alt_names: alt.iter().map(|s| s.to_string()).collect(),
            country: code.to_string(),
            ..place(code, name, PlaceLevel::Country, None, None)
        })
        .collect();
    for line in read("pcodes-adm1-adm2.csv").lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let level = if f[1] == "1" {
            PlaceLevel::Admin1
        } else {
            PlaceLevel::Admin2
        };
        out.push(Place {
            country: f[0].into(),
            ..place(f[2], f[3], level, Some(f[4]), None)
        });
    }
    out
}

/// One town of the GeoNames file.
pub(crate) struct GeoRow {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub iso3: &'static str,
    pub admin1: String,
    pub admin2: String,
}

/// The GeoNames towns.
pub(crate) fn geonames_rows() -> Vec<GeoRow> {
    read("geonames-places.csv")
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            GeoRow {
                name: f[0].into(),
                lat: f[1].parse().unwrap(),
                lon: f[2].parse().unwrap(),
                iso3: match f[3] {
                    "CD" => "COD",
                    "CF" => "CAF",
                    "ML" => "MLI",
                    "SS" => "SSD",
                    _ => "SDN",
                },
                admin1: f[5].into(),
                admin2: f[7].into(),
            }
        })
        .collect()
}

/// The admin area a GeoNames town lies in, found by resolving GeoNames' admin names (which
/// differ from OCHA's: "North Kivu", "Rutshuru Territory") against the P-codes.
pub(crate) fn link(gaz: &Gazetteer, row: &GeoRow) -> (Option<String>, Option<String>) {
    let first_of = |cands: Vec<super::PlaceCandidate>, level: PlaceLevel| {
        cands
            .into_iter()
            .find(|c| c.score >= 0.85 && gaz.get(&c.pcode).map(|p| p.level) == Some(level))
            .map(|c| c.pcode)
    };
    let adm1 = first_of(
        gaz.resolve_within(&row.admin1, row.iso3, 10),
        PlaceLevel::Admin1,
    );
    let adm2 = adm1
        .as_deref()
        .and_then(|a| first_of(gaz.resolve_within(&row.admin2, a, 10), PlaceLevel::Admin2));
    (adm1, adm2)
}

/// Villages of eastern DR Congo that alerts often name, with approximate positions; the
/// second Kiwanja (in Masisi) is made up, to have two villages of one name.
pub(crate) fn eastern_villages() -> Vec<Place> {
    let s = PlaceLevel::Settlement;
    let mut kiwanja = place(
        "CD6111-S901",
        "Kiwanja",
        s,
        Some("CD6111"),
        Some((-1.1594, 29.4586)),
    );
    kiwanja.alt_names = vec!["Kiwandja".into()];
    vec![
        place(
            "CD6111-S900",
            "Bunagana",
            s,
            Some("CD6111"),
            Some((-1.2837, 29.5953)),
        ),
        kiwanja,
        place(
            "CD6103-S900",
            "Kiwanja",
            s,
            Some("CD6103"),
            Some((-1.45, 28.95)),
        ),
        place(
            "CD6205-S900",
            "Minova",
            s,
            Some("CD6205"),
            Some((-1.7036, 29.0136)),
        ),
        place(
            "CD6102-S900",
            "Kanyaruchinya",
            s,
            Some("CD6102"),
            Some((-1.5972, 29.2464)),
        ),
        place(
            "CD6102-S901",
            "Kanyaruchinya camp",
            s,
            Some("CD6102"),
            Some((-1.5990, 29.2480)),
        ),
    ]
}

/// P-codes, GeoNames towns linked under them, and the eastern villages; built once.
pub(crate) fn gazetteer() -> &'static Gazetteer {
    static GAZ: OnceLock<Gazetteer> = OnceLock::new();
    GAZ.get_or_init(|| {
        let admin = pcode_places();
        let admin_gaz = Gazetteer::new(admin.clone());
        let mut all = admin;
        for (n, row) in geonames_rows().iter().enumerate() {
            let (adm1, adm2) = link(&admin_gaz, row);
            let parent = adm2.or(adm1).unwrap_or_else(|| row.iso3.to_string());
            let code = format!("{parent}-S{n}");
            all.push(Place {
                country: row.iso3.into(),
                ..place(
                    &code,
                    &row.name,
                    PlaceLevel::Settlement,
                    Some(&parent),
                    Some((row.lat, row.lon)),
                )
            });
        }
        all.extend(eastern_villages());
        Gazetteer::new(all)
    })
}
