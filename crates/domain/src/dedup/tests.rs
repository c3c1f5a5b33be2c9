//! Unit tests of duplicate suggestions: the score, the distance cutoff, the rule for alerts
//! with no place, contradicting threat types, and the buckets intake searches.

use super::properties::{line, map};
use super::*;
use crate::place::PlaceLevel;
use crate::place::testdata::gazetteer;
use chrono::{Duration, TimeZone};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 6, 0, 0).unwrap()
}

pub(super) fn sketch<'a>(
    id: &'a str,
    place: Option<&'a str>,
    threat: Option<ThreatType>,
    hours: i64,
    text: &'a str,
) -> AlertSketch<'a> {
    AlertSketch {
        id,
        reference: id,
        place,
        threat_type: threat,
        reported_at: t0() + Duration::hours(hours),
        text,
    }
}

const BUNAGANA: &str = "CD6111-S900";
const KIWANJA: &str = "CD6111-S901";
const MINOVA: &str = "CD6205-S900";
const RUTSHURU_TERRITORY: &str = "CD6111";
const NORD_KIVU: &str = "CD61";
use ThreatType::*;

#[test]
fn same_event_from_two_focal_points_is_suggested() {
    let g = gazetteer();
    let a = sketch(
        "a",
        Some(BUNAGANA),
        Some(AttackOnCivilians),
        0,
        "Attaque des hommes armés à Bunagana, maisons brûlées",
    );
    let b = sketch(
        "b",
        Some(BUNAGANA),
        Some(AttackOnCivilians),
        2,
        "Bunagana attaqué cette nuit, des maisons brulees",
    );
    let s = score(&a, &b, g);
    assert!(s > 0.85, "{s}");
    let f = factors(&a, &b, g);
    assert_eq!(f.space, 1.0);
    assert!(f.text > 0.3, "{f:?}");
}

#[test]
fn same_village_days_later_is_another_event() {
    let g = gazetteer();
    let a = sketch("a", Some(BUNAGANA), Some(ArmedPresence), 0, "hommes armés");
    let b = sketch("b", Some(BUNAGANA), Some(ArmedPresence), 72, "hommes armés");
    assert!(
        score(&a, &b, g) < DUPLICATE_THRESHOLD,
        "{}",
        score(&a, &b, g)
    );
}

#[test]
fn far_places_the_same_night_are_other_events() {
    let g = gazetteer();
    let a = sketch("a", Some(BUNAGANA), Some(Killing), 0, "trois morts");
    let b = sketch("b", Some(MINOVA), Some(Killing), 1, "trois morts");
    let f = factors(&a, &b, g);
    assert!(f.space < 0.15, "{f:?}");
    assert!(f.score < DUPLICATE_THRESHOLD, "{f:?}");
}

#[test]
fn neighbouring_villages_are_close() {
    let g = gazetteer();
    let d = haversine_km(g.point(BUNAGANA).unwrap(), g.point(KIWANJA).unwrap());
    assert!((18.0..22.0).contains(&d), "{d} km");
    let s = space_closeness(Some(BUNAGANA), Some(KIWANJA), g);
    assert!(s > 0.45 && s < 0.6, "{s}");
    let a = sketch("a", Some(BUNAGANA), Some(Clashes), 0, "");
    let same_type = sketch("b", Some(KIWANJA), Some(Clashes), 1, "");
    assert!(
        score(&a, &same_type, g) >= DUPLICATE_THRESHOLD,
        "{}",
        score(&a, &same_type, g)
    );
    let related_type = sketch("c", Some(KIWANJA), Some(Displacement), 1, "");
    assert!(score(&a, &related_type, g) < DUPLICATE_THRESHOLD);
}

#[test]
fn a_place_inside_an_area_is_as_close_as_the_area_is_small() {
    let g = gazetteer();
    let in_territory = space_closeness(Some(BUNAGANA), Some(RUTSHURU_TERRITORY), g);
    assert_eq!(in_territory, 0.5);
    // A province or a code the gazetteer lacks says no more than no place at all.
    assert_eq!(space_closeness(Some(NORD_KIVU), Some(BUNAGANA), g), UNKNOWN);
    assert_eq!(space_closeness(None, Some(BUNAGANA), g), UNKNOWN);
    assert_eq!(space_closeness(Some("X1"), Some("X1"), g), UNKNOWN);
    assert_eq!(space_closeness(Some("X1"), Some("X2"), g), UNKNOWN);
}

#[test]
fn threat_types_agree_disagree_or_relate() {
    assert_eq!(threat_agreement(Some(Killing), Some(Killing)), 1.0);
    assert_eq!(threat_agreement(Some(Killing), None), UNKNOWN);
    assert_eq!(threat_agreement(Some(Other), Some(Killing)), UNKNOWN);
    assert_eq!(threat_agreement(Some(Displacement), Some(Clashes)), UNKNOWN);
    assert_eq!(threat_agreement(Some(Clashes), Some(Displacement)), UNKNOWN);
    assert_eq!(
        threat_agreement(Some(ExplosiveOrdnance), Some(SexualViolence)),
        0.0
    );
    assert!(contradict(Some(ExplosiveOrdnance), Some(SexualViolence)));
    assert!(!contradict(Some(Clashes), Some(Displacement)));
    assert!(!contradict(Some(Killing), Some(Killing)));
    assert!(!contradict(Some(Other), Some(Killing)));
    assert!(!contradict(None, Some(Killing)));
}

#[test]
fn words_are_compared_folded_and_stemmed() {
    assert_eq!(text_similarity("Attaque à Kiwanja", "attaqué KIWANJA"), 1.0);
    assert_eq!(text_similarity("", "attaque"), UNKNOWN);
    assert_eq!(text_similarity("les et de", "attaque"), UNKNOWN);
    assert_eq!(text_similarity("pillage marché", "enlèvement enfants"), 0.0);
}

#[test]
fn candidates_are_ranked_thresholded_and_never_the_alert_itself() {
    let g = gazetteer();
    let new = sketch(
        "new",
        Some(BUNAGANA),
        Some(Killing),
        0,
        "deux civils tués à Bunagana",
    );
    let recent = vec![
        sketch(
            "new",
            Some(BUNAGANA),
            Some(Killing),
            0,
            "deux civils tués à Bunagana",
        ),
        sketch(
            "same",
            Some(BUNAGANA),
            Some(Killing),
            1,
            "civils tués Bunagana",
        ),
        sketch("near", Some(KIWANJA), Some(Killing), 1, "deux civils tués"),
        sketch("near_later", Some(KIWANJA), Some(Killing), 5, "tués"),
        sketch("later", Some(BUNAGANA), Some(Killing), 96, "civils tués"),
        sketch("far", Some(MINOVA), Some(Killing), 0, "deux civils tués"),
        sketch("noplace", None, None, 0, ""),
    ];
    let got = candidates(&new, &recent, g, 10);
    let ids: Vec<&str> = got.iter().map(|c| c.alert.as_str()).collect();
    // No place, type or words: nothing says it is the same event.
    assert_eq!(ids, ["same", "near"], "{got:?}");
    assert!(got.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(got.iter().all(|c| c.score >= DUPLICATE_THRESHOLD));
    assert_eq!(candidates(&new, &recent, g, 1).len(), 1);
    assert!(candidates(&new, &recent, g, 0).is_empty());
    assert_eq!(got[0].reference, "same");
}

/// The P-code of the one settlement of this name in the reference gazetteer.
fn settlement(g: &Gazetteer, name: &str) -> String {
    let found: Vec<&crate::place::Place> = g
        .places()
        .iter()
        .filter(|p| p.level == PlaceLevel::Settlement && p.name == name)
        .collect();
    assert_eq!(found.len(), 1, "{name}");
    found[0].pcode.clone()
}

const WALIKALE_TERRITORY: &str = "CD6104";
const ITURI: &str = "CD54";

#[test]
fn ituri_and_walikale_are_never_suggested() {
    let g = gazetteer();
    let bunia = settlement(g, "Bunia");
    let text = "Hommes armés signalés, la population fuit";
    let walikale = sketch("w", Some(WALIKALE_TERRITORY), Some(ArmedPresence), 0, text);
    for place in [bunia.as_str(), ITURI] {
        let ituri = sketch("i", Some(place), Some(ArmedPresence), 1, text);
        assert_eq!(geography(ituri.place, walikale.place, g), Geography::Far);
        assert_eq!(suggestion(&ituri, &walikale, g), None);
        assert!(candidates(&ituri, std::slice::from_ref(&walikale), g, 5).is_empty());
    }
    // The issue's case: the Walikale report has no place, its text says where.
    let unplaced = sketch(
        "u",
        None,
        Some(ArmedPresence),
        0,
        "Hommes armés signalés à Walikale, la population fuit",
    );
    let in_bunia = sketch("b", Some(&bunia), Some(ArmedPresence), 1, text);
    assert_eq!(geography(in_bunia.place, None, g), Geography::Unknown);
    assert_eq!(suggestion(&in_bunia, &unplaced, g), None);
    assert!(candidates(&in_bunia, std::slice::from_ref(&unplaced), g, 5).is_empty());
}

#[test]
fn one_village_is_suggested() {
    let g = gazetteer();
    let a = sketch(
        "a",
        Some(BUNAGANA),
        Some(AttackOnCivilians),
        0,
        "Attaque des hommes armés à Bunagana, maisons brûlées",
    );
    let b = sketch(
        "b",
        Some(BUNAGANA),
        Some(AttackOnCivilians),
        3,
        "Bunagana attaqué cette nuit, des maisons brulees",
    );
    assert_eq!(geography(a.place, b.place, g), Geography::Near);
    assert!(suggestion(&a, &b, g).is_some_and(|s| s > 0.85));
    assert_eq!(candidates(&a, &[b], g, 5).len(), 1);
}

#[test]
fn the_cutoff_is_the_distance_between_own_points() {
    let (g, codes) = line();
    // 4 steps are 22.2 km, 5 are 27.8 km.
    let near = geography(Some(&codes[0]), Some(&codes[4]), &g);
    let far = geography(Some(&codes[0]), Some(&codes[5]), &g);
    assert_eq!((near, far), (Geography::Near, Geography::Far));
    let a = sketch("a", Some(&codes[0]), Some(Killing), 0, "trois morts");
    let b = sketch("b", Some(&codes[4]), Some(Killing), 0, "trois morts");
    let c = sketch("c", Some(&codes[5]), Some(Killing), 0, "trois morts");
    assert!(suggestion(&a, &b, &g).is_some());
    assert_eq!(suggestion(&a, &c, &g), None);
    // Two villages of one name in two territories, 65 km apart.
    let other_kiwanja = "CD6103-S900";
    let g = gazetteer();
    assert_eq!(
        geography(Some(KIWANJA), Some(other_kiwanja), g),
        Geography::Far
    );
}

#[test]
fn without_points_the_territory_decides() {
    let (g, codes) = map();
    let pointless = "ZZ101-N";
    assert_eq!(
        geography(Some(pointless), Some("ZZ101"), &g),
        Geography::Near
    );
    assert_eq!(
        geography(Some(pointless), Some(&codes[3]), &g),
        Geography::Near
    );
    assert_eq!(
        geography(Some(pointless), Some(&codes[12]), &g),
        Geography::Far
    );
    assert_eq!(geography(Some("ZZ101"), Some("ZZ102"), &g), Geography::Far);
    // Known only to a province: another province is far, its own is not known.
    assert_eq!(geography(Some("ZZ1"), Some(&codes[25]), &g), Geography::Far);
    assert_eq!(
        geography(Some("ZZ1"), Some(&codes[3]), &g),
        Geography::Unknown
    );
    assert_eq!(geography(Some("ZZ1"), Some("ZZ1"), &g), Geography::Unknown);
    assert_eq!(geography(None, None, &g), Geography::Unknown);
    assert_eq!(
        geography(Some("XX"), Some(&codes[3]), &g),
        Geography::Unknown
    );
}

#[test]
fn unplaced_alerts_need_alike_words_and_to_name_the_place() {
    let g = gazetteer();
    let text = "Pillage du marché de Minova par des militaires";
    let placed = sketch("p", Some(MINOVA), Some(LootingExtortion), 0, text);
    let copy = sketch("c", None, Some(LootingExtortion), 1, text);
    assert!(suggestion(&placed, &copy, g).is_some());
    // Silent about the place: could be anywhere.
    let silent = sketch(
        "s",
        None,
        Some(LootingExtortion),
        1,
        "Pillage du marché par des militaires",
    );
    assert_eq!(suggestion(&placed, &silent, g), None);
    // Naming it, but other words: too little to trust without a place.
    let reworded = sketch(
        "r",
        None,
        Some(LootingExtortion),
        1,
        "Minova: les soldats volent au marché",
    );
    assert!(score(&placed, &reworded, g) < STRICT_THRESHOLD);
    assert_eq!(suggestion(&placed, &reworded, g), None);
    // Two unplaced alerts: only the stricter score.
    let a = sketch(
        "a",
        None,
        Some(Clashes),
        0,
        "Mapigano makali usiku huu, risasi",
    );
    let b = sketch(
        "b",
        None,
        Some(Clashes),
        1,
        "Mapigano makali usiku huu risasi",
    );
    assert!(suggestion(&a, &b, g).is_some());
    let c = sketch("c", None, Some(Clashes), 1, "Mapigano makali");
    assert!(score(&a, &c, g) >= DUPLICATE_THRESHOLD && suggestion(&a, &c, g).is_none());
}

#[test]
fn contradicting_threat_types_need_the_stricter_score() {
    let g = gazetteer();
    let rape = sketch(
        "a",
        Some(MINOVA),
        Some(SexualViolence),
        0,
        "Femme violée à Minova",
    );
    let looting = sketch(
        "b",
        Some(MINOVA),
        Some(LootingExtortion),
        1,
        "Pillage à Minova",
    );
    let s = score(&rape, &looting, g);
    assert!((DUPLICATE_THRESHOLD..STRICT_THRESHOLD).contains(&s), "{s}");
    assert_eq!(suggestion(&rape, &looting, g), None);
    // The words may still show a misread type.
    let misread = sketch(
        "c",
        Some(MINOVA),
        Some(LootingExtortion),
        1,
        "Femme violée à Minova",
    );
    assert!(suggestion(&rape, &misread, g).is_some());
}

#[test]
fn nothing_older_than_the_window_is_compared() {
    let g = gazetteer();
    let a = sketch("a", Some(BUNAGANA), Some(Killing), 0, "trois morts");
    let b = sketch(
        "b",
        Some(BUNAGANA),
        Some(Killing),
        WINDOW_HOURS + 1,
        "trois morts",
    );
    assert_eq!(suggestion(&a, &b, g), None);
    assert!(candidates(&a, &[b], g, 5).is_empty());
}

#[test]
fn buckets_follow_the_reach_of_a_place() {
    let (g, codes) = map();
    let b = Buckets::new(&g);
    assert!(matches!(b.home(Some(&codes[3]), &g), Bucket::Cell(..)));
    assert_eq!(
        b.home(Some("ZZ101-N"), &g),
        Bucket::Territory("ZZ101".into())
    );
    assert_eq!(b.home(Some("ZZ1"), &g), Bucket::Vague);
    assert_eq!(b.home(None, &g), Bucket::Vague);
    assert_eq!(b.search(None, &g), Search::Everything);
    assert_eq!(b.search(Some("ZZ2"), &g), Search::Everything);
    let Search::Buckets(around) = b.search(Some(&codes[3]), &g) else {
        panic!("a point searches buckets");
    };
    assert_eq!(around.len(), 29, "27 cells, its territory, the vague ones");
    let Search::Buckets(territory) = b.search(Some("ZZ101"), &g) else {
        panic!("a territory searches buckets");
    };
    assert!(territory.contains(&b.home(Some(&codes[9]), &g)));
    assert!(!territory.contains(&b.home(Some(&codes[29]), &g)));
}

#[test]
fn related_threat_types_are_the_listed_pairs_both_ways() {
    for a in ThreatType::ALL {
        for b in ThreatType::ALL {
            let listed = RELATED_PAIRS
                .iter()
                .any(|&(x, y)| (x, y) == (a, b) || (y, x) == (a, b));
            assert_eq!(related(a, b), listed, "{a:?} {b:?}");
        }
    }
}

#[test]
fn same_is_string_equality() {
    let words = [
        "", "a", "b", "ab", "ba", "K-1042", "K-1043", "K-1142", "01HZX", "01HZY",
    ];
    for a in words {
        for b in words {
            assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
        }
    }
}
