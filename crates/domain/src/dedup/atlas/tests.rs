//! The atlas answers as the gazetteer does, for every pair of places of the test gazetteers
//! (the synthetic ones, the real P-codes and towns, and one of odd shapes), no place, and a
//! code the gazetteer lacks.

use super::super::properties::{line, map};
use super::super::{codes_of, geography, is_placed, place_name_stems, space_closeness};
use super::*;
use crate::place::testdata::{gazetteer, place};
use crate::place::{Gazetteer, Place};

/// Places of every shape the rules tell apart: two countries; settlements with and without
/// points, under territories, communes, provinces and countries; an area with a point of its
/// own; a cycle; two places sharing a code; a parent nobody lists; names with no stems.
fn odd() -> Gazetteer {
    let named = |p: Place, alt: &[&str]| Place {
        alt_names: alt.iter().map(|s| s.to_string()).collect(),
        ..p
    };
    Gazetteer::new(vec![
        place("AAA", "Aland", PlaceLevel::Country, None, Some((1.0, 1.0))),
        place("AA1", "Anorth", PlaceLevel::Admin1, Some("AAA"), None),
        place(
            "AA2",
            "Asouth",
            PlaceLevel::Admin1,
            Some("AAA"),
            Some((0.5, 1.0)),
        ),
        named(
            place("AA101", "Ariver", PlaceLevel::Admin2, Some("AA1"), None),
            &["Le", "Rivière d'en haut", ""],
        ),
        place(
            "AA102",
            "Ahill",
            PlaceLevel::Admin2,
            Some("AA1"),
            Some((1.1, 1.1)),
        ),
        place("AA201", "Alake", PlaceLevel::Admin2, Some("AA2"), None),
        place(
            "AA10101",
            "Acommune",
            PlaceLevel::Admin3,
            Some("AA101"),
            Some((1.0, 1.05)),
        ),
        place(
            "AA10101-S1",
            "Bavi",
            PlaceLevel::Settlement,
            Some("AA10101"),
            None,
        ),
        named(
            place(
                "AA10101-S2",
                "Bogoro",
                PlaceLevel::Settlement,
                Some("AA10101"),
                Some((1.0, 1.06)),
            ),
            &["Bogoro-Centre", "les"],
        ),
        place(
            "AA101-S3",
            "Kasenyi",
            PlaceLevel::Settlement,
            Some("AA101"),
            Some((1.0, 1.2)),
        ),
        place(
            "AA102-S4",
            "Tchomia",
            PlaceLevel::Settlement,
            Some("AA102"),
            Some((1.0, 1.25)),
        ),
        place(
            "AA1-S5",
            "Nizi",
            PlaceLevel::Settlement,
            Some("AA1"),
            Some((1.0, 1.3)),
        ),
        place("AA1-S6", "Lopa", PlaceLevel::Settlement, Some("AA1"), None),
        place(
            "AA2-S7",
            "Mongbwalu",
            PlaceLevel::Settlement,
            Some("AA2"),
            Some((1.0, 1.31)),
        ),
        place(
            "AAA-S8",
            "Komanda",
            PlaceLevel::Settlement,
            Some("AAA"),
            Some((1.0, 1.32)),
        ),
        place(
            "AA201-S9",
            "Djugu",
            PlaceLevel::Settlement,
            Some("AA201"),
            Some((1.0, 9.0)),
        ),
        place("BBB", "Bland", PlaceLevel::Country, None, None),
        place("BB1", "Bnorth", PlaceLevel::Admin1, Some("BBB"), None),
        place("BB101", "Briver", PlaceLevel::Admin2, Some("BB1"), None),
        place(
            "BB101-S1",
            "Aru",
            PlaceLevel::Settlement,
            Some("BB101"),
            Some((1.0, 1.21)),
        ),
        place(
            "BB9-S2",
            "Mahagi",
            PlaceLevel::Settlement,
            Some("BB9"),
            Some((1.0, 1.22)),
        ),
        place("CC1", "Loop one", PlaceLevel::Admin1, Some("CC2"), None),
        place("CC2", "Loop two", PlaceLevel::Admin2, Some("CC1"), None),
        place(
            "CC2-S1",
            "Looped",
            PlaceLevel::Settlement,
            Some("CC2"),
            Some((1.0, 1.23)),
        ),
        place("DUP", "First", PlaceLevel::Admin2, Some("AA1"), None),
        place(
            "DUP",
            "Second",
            PlaceLevel::Settlement,
            Some("AA101"),
            Some((1.0, 1.07)),
        ),
        place(
            "AA101-S10",
            "Bunia",
            PlaceLevel::Settlement,
            Some("DUP"),
            Some((1.0, 1.08)),
        ),
    ])
}

/// Every answer of the atlas for `a` and `b` equals the gazetteer's.
fn agree(gaz: &Gazetteer, atlas: &Atlas, a: Option<&str>, b: Option<&str>) {
    let (ia, ib) = (atlas.place(gaz, a), atlas.place(gaz, b));
    assert_eq!(atlas.geography(ia, ib), geography(a, b, gaz), "{a:?} {b:?}");
    let (fast, slow) = (atlas.space_closeness(ia, ib), space_closeness(a, b, gaz));
    assert_eq!(fast.to_bits(), slow.to_bits(), "{a:?} {b:?}: {fast} {slow}");
    assert_eq!(atlas.is_placed(ia), is_placed(a, gaz), "{a:?}");
    if let (Some(code), Some(i)) = (a, ia) {
        let fast: Vec<&[StemCode]> = atlas.name_codes(i).collect();
        let slow: Vec<Vec<StemCode>> = place_name_stems(code, gaz)
            .iter()
            .map(|n| codes_of(n.iter().map(String::as_str)))
            .collect();
        assert_eq!(fast, slow, "{code}");
    }
}

/// Each place (every `step`-th as `b`), no place and a code the gazetteer lacks.
fn all_pairs(gaz: &Gazetteer, step: usize) {
    let atlas = Atlas::new(gaz);
    let mut codes: Vec<Option<&str>> = gaz
        .places()
        .iter()
        .map(|p| Some(p.pcode.as_str()))
        .collect();
    codes.extend([None, Some("NOWHERE")]);
    for &a in &codes {
        for &b in codes.iter().step_by(step).chain([&None, &Some("NOWHERE")]) {
            agree(gaz, &atlas, a, b);
        }
    }
}

#[test]
fn atlas_answers_as_the_gazetteer_on_synthetic_maps() {
    all_pairs(&map().0, 1);
    all_pairs(&line().0, 1);
    all_pairs(&odd(), 1);
}

#[test]
fn atlas_answers_as_the_gazetteer_on_real_places() {
    let gaz = gazetteer();
    // Every place against a spread of others: all pairs would be millions in a debug build.
    let step = (gaz.places().len() / 150).max(1);
    all_pairs(gaz, step);
}

#[test]
fn an_empty_atlas_knows_no_place() {
    let (gaz, codes) = map();
    let empty = Atlas::default();
    assert_eq!(empty.place(&gaz, Some(&codes[0])), None);
    assert!(!empty.is_placed(None));
    assert_eq!(empty.geography(None, None), Geography::Unknown);
}
