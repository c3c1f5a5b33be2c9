//! The reference files import into a consistent gazetteer.

mod support;

use kinga_domain::place::PlaceLevel;

#[test]
fn reference_files_import() {
    let g = support::gazetteer();
    let count = |l: PlaceLevel| g.places().iter().filter(|p| p.level == l).count();
    assert_eq!(count(PlaceLevel::Country), 5);
    assert_eq!(count(PlaceLevel::Admin1) + count(PlaceLevel::Admin2), 665);
    let settlements: Vec<_> = g
        .places()
        .iter()
        .filter(|p| p.level == PlaceLevel::Settlement)
        .collect();
    assert!(
        settlements.len() >= 390,
        "{} settlements",
        settlements.len()
    );
    for s in &settlements {
        let parent = s
            .parent
            .as_deref()
            .and_then(|p| g.get(p))
            .expect("settlement parent exists");
        assert_eq!(parent.country, s.country);
        assert!(s.pcode.starts_with(&format!("{}-S", parent.pcode)));
    }
    // Matching by meaning, not by spelling.
    let under = |name: &str| {
        settlements
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.parent.clone())
            .unwrap_or_default()
    };
    assert_eq!(under("Kanyobagonga"), "CD6111"); // "Rutshuru Territory", "North Kivu"
    assert_eq!(under("Sake"), "CD6103"); // "Masisi Territory"
    assert_eq!(under("Kisangani"), "CD5101"); // "Ville de Kisangani"
    assert_eq!(under("Boma"), "CD2002"); // "Bas-Congo", "Boma (city)"
    assert_eq!(under("Mbuji-Mayi"), "CD8201"); // "East Kasai", "Mbuji-Mayi City"
    assert_eq!(under("Batangafo"), "CF326"); // "Ouham-Fafa", not a P-code province
    assert_eq!(under("Juba"), "SS0101"); // no GeoNames admin2: the town names its county
    assert_eq!(under("Aweil"), "SS05"); // "Northern Bahr al Ghazal"
    let by_parent = settlements
        .iter()
        .filter(|s| s.parent.as_deref() == Some(s.country.as_str()))
        .count();
    let total = settlements.len();
    eprintln!("{total} settlements; {by_parent} only placed in their country");
    let admin2 = settlements
        .iter()
        .filter(|s| {
            s.parent
                .as_deref()
                .and_then(|p| g.get(p))
                .is_some_and(|p| p.level == PlaceLevel::Admin2)
        })
        .count();
    eprintln!("{admin2} under a territory");
}
