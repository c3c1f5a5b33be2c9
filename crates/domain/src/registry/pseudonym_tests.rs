use std::collections::HashSet;

use super::*;
use crate::place::{Place, PlaceLevel};

fn place(code: &str, name: &str, alt: &[&str], level: PlaceLevel, parent: Option<&str>) -> Place {
    Place {
        pcode: code.into(),
        name: name.into(),
        alt_names: alt.iter().map(|s| s.to_string()).collect(),
        level,
        parent: parent.map(Into::into),
        country: "COD".into(),
        lat: None,
        lon: None,
    }
}

fn gaz() -> Gazetteer {
    use PlaceLevel::*;
    Gazetteer::new(vec![
        place(
            "COD",
            "République démocratique du Congo",
            &["RDC"],
            Country,
            None,
        ),
        place("CD61", "Nord-Kivu", &["North Kivu"], Admin1, Some("COD")),
        place("CD74", "Tanganyika", &[], Admin1, Some("COD")),
        place("CD6103", "Masisi", &[], Admin2, Some("CD61")),
        place("CD6104", "Walikale", &[], Admin2, Some("CD61")),
        place("CD5401", "Aru", &[], Admin2, Some("COD")),
        place(
            "CD6103-V003",
            "Kitshanga",
            &["Kichanga", "Kitchanga"],
            Settlement,
            Some("CD6103"),
        ),
        place("CD7401", "Kalémie", &[], Settlement, Some("CD74")),
        place("CD6111-V001", "Kiwanja", &[], Settlement, Some("CD61")),
        place("CD6105", "Goma", &[], Settlement, Some("CD61")),
    ])
}

fn refused_for(pseudonym: &str) -> Option<String> {
    match check_place(pseudonym, &gaz()) {
        Err(PseudonymFault::NamesPlace { pcode, .. }) => Some(pcode),
        _ => None,
    }
}

#[test]
fn place_names_are_refused_whatever_the_case_accents_and_separators() {
    for (p, pcode) in [
        ("FP-Kitshanga", "CD6103-V003"),
        ("fp_walikale_2", "CD6104"),
        ("Masisi1", "CD6103"),
        ("FP-KITCHANGA-07", "CD6103-V003"),
        ("fp kichanga", "CD6103-V003"),
        ("FP-Kalemie-3", "CD7401"),
        ("FP-KALÉMIE", "CD7401"),
        ("Kalémie", "CD7401"),
        ("FP-Kiwanja-01", "CD6111-V001"),
        ("FpKiwanja", "CD6111-V001"),
        ("FP-Ki-Wanja", "CD6111-V001"),
        ("FP-Goma", "CD6105"),
        ("goma.4", "CD6105"),
        ("FP-NordKivu", "CD61"),
        ("FP-North-Kivu-1", "CD61"),
        ("Village de Masisi", "CD6103"),
    ] {
        assert_eq!(refused_for(p).as_deref(), Some(pcode), "{p}");
    }
}

#[test]
fn neutral_pseudonyms_short_names_and_parts_of_words_pass() {
    for p in [
        "FP-K7MNP",
        "FP-0042",
        "Mzee-3",
        "FP-Amani-2",
        // Names under four letters are syllables of many words.
        "FP-Aru-1",
        "Aru",
        // Whole words only: a place inside a longer word is no place.
        "FP-Gomarine",
        "Masisiwa",
        "FP-Kitsh",
        "FP-Walikal",
        // Nothing fuzzy: one letter off is not a place.
        "FP-Kiwanga",
        // Kind words alone name nothing.
        "FP-Village-Nord",
        "",
    ] {
        assert_eq!(refused_for(p), None, "{p}");
    }
}

#[test]
fn the_error_names_the_field_the_place_and_what_to_do() {
    let e: DomainError = check_place("FP-Kitshanga", &gaz())
        .expect_err("refused")
        .into();
    let text = e.to_string();
    assert!(matches!(
        e,
        DomainError::Invalid {
            field: "pseudonym",
            ..
        }
    ));
    assert!(
        text.contains("FP-Kitshanga")
            && text.contains("Kitshanga (CD6103-V003)")
            && text.contains("leave it empty"),
        "{text}"
    );
}

#[test]
fn the_focal_points_own_name_is_refused() {
    let name = "Furaha Kambale";
    for p in [
        "FP-Furaha",
        "fp_kambale_1",
        "FurahaK-2",
        "FP-FurahaKambale",
        "FP-FURAHA",
    ] {
        assert!(names_person(p, name), "{p}");
        assert!(check_person(p, name).is_err(), "{p}");
    }
    for p in ["FP-Furah", "FP-K7MNP", "FP-Kambalex"] {
        assert!(!names_person(p, name), "{p}");
    }
    // Accents and short particles.
    assert!(names_person("FP-Desire", "Désiré wa Ngoy"));
    assert!(!names_person("FP-Wa-1", "Désiré wa Ngoy"));
    assert!(names_person("FP-Ali", "Ali Hassan"));
    assert!(!names_person("FP-K7MNP", ""));
}

#[test]
fn generated_codes_carry_no_place_and_keep_to_their_alphabet() {
    let g = gaz();
    for i in 0..2_000 {
        let id = format!("01JQ0A8Z7K3V9X2M4N6P8R{i:04}");
        let p = generate(&id, &g, |_| false).expect("a code");
        assert!(p.starts_with(PREFIX), "{p}");
        let code = &p[PREFIX.len()..];
        assert_eq!(code.len(), CODE_LEN, "{p}");
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)), "{p}");
        assert_eq!(place_named(&p, &g), None, "{p}");
        assert_eq!(
            words(&p)
                .concat()
                .matches(['a', 'e', 'i', 'o', 'u'])
                .count(),
            0
        );
    }
}

#[test]
fn generated_codes_are_stable() {
    let g = gaz();
    let a = generate("01JQ0A8Z7K3V9X2M4N6P8R0T1W", &g, |_| false).expect("a code");
    let b = generate("01JQ0A8Z7K3V9X2M4N6P8R0T1W", &Gazetteer::default(), |_| {
        false
    })
    .expect("a code");
    assert_eq!(a, b, "the same id gives the same code");
    // Pinned: the code of an id never changes from one version of Kinga to the next.
    assert_eq!(a, "FP-DPWP9");
    let c = generate("01JQ0A8Z7K3V9X2M4N6P8R0T1X", &g, |_| false).expect("a code");
    assert_ne!(a, c, "ids one character apart give unrelated codes");
}

#[test]
fn generated_codes_are_unique_in_the_registry() {
    let g = gaz();
    let mut held: HashSet<String> = HashSet::new();
    for i in 0..20_000 {
        let id = format!("fp-{i}");
        let p = generate(&id, &g, |c| held.contains(&c.to_lowercase())).expect("a code");
        assert!(held.insert(p.to_lowercase()), "{p} given twice");
    }
    // A taken code is passed over for the next one of the same id.
    let first = generate("fp-x", &g, |_| false).expect("a code");
    let next = generate("fp-x", &g, |c| c == first).expect("a code");
    assert_ne!(first, next);
    assert_eq!(next.len(), first.len());
    // When everything is taken generation ends, with an error rather than a loop.
    assert_eq!(
        generate("fp-x", &g, |_| true),
        Err(PseudonymFault::Exhausted)
    );
}

#[test]
fn a_code_that_would_spell_a_place_is_passed_over() {
    // An id whose first code has letters enough to be read as a place name.
    let (id, first) = (0..100)
        .map(|i| format!("fp-{i}"))
        .map(|id| {
            let c = generate(&id, &Gazetteer::default(), |_| false).expect("a code");
            (id, c)
        })
        .find(|(_, c)| {
            c[PREFIX.len()..]
                .chars()
                .filter(char::is_ascii_alphabetic)
                .count()
                >= 4
        })
        .expect("such an id");
    let g = Gazetteer::new(vec![place(
        "XX1",
        &first[PREFIX.len()..],
        &[],
        PlaceLevel::Settlement,
        None,
    )]);
    assert!(place_named(&first, &g).is_some(), "{first}");
    let other = generate(&id, &g, |_| false).expect("a code");
    assert_ne!(other, first);
    assert_eq!(place_named(&other, &g), None);
}
