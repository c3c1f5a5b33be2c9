//! Property tests of duplicate suggestions, and the synthetic gazetteers they and the unit
//! tests run on: a line of villages, and a map of territories with every kind of place.

use super::tests::sketch;
use super::*;
use crate::place::PlaceLevel;
use crate::place::testdata::place;
use chrono::Duration;
use proptest::prelude::*;

/// Three territories in two provinces, ten settlements with points in each along the
/// equator (every 0.05°, about 5.6 km), one without a point in each; names differ in their
/// first five letters so texts can name them.
pub(super) fn map() -> (Gazetteer, Vec<String>) {
    let mut places = vec![
        place("ZZZ", "Testland", PlaceLevel::Country, None, None),
        place("ZZ1", "Northland", PlaceLevel::Admin1, Some("ZZZ"), None),
        place("ZZ2", "Southland", PlaceLevel::Admin1, Some("ZZZ"), None),
        place("ZZ101", "Upriver", PlaceLevel::Admin2, Some("ZZ1"), None),
        place("ZZ102", "Hillside", PlaceLevel::Admin2, Some("ZZ1"), None),
        place("ZZ201", "Lakeshore", PlaceLevel::Admin2, Some("ZZ2"), None),
    ];
    let territories = ["ZZ101", "ZZ102", "ZZ201"];
    let mut codes = vec![];
    for i in 0..30 {
        let t = territories[i / 10];
        let code = format!("{t}-S{i}");
        let name = village_name(i);
        let point = Some((0.0, i as f64 * 0.05));
        places.push(place(&code, &name, PlaceLevel::Settlement, Some(t), point));
        codes.push(code);
    }
    for (i, t) in territories.iter().enumerate() {
        let name = village_name(30 + i);
        places.push(place(
            &format!("{t}-N"),
            &name,
            PlaceLevel::Settlement,
            Some(t),
            None,
        ));
    }
    (Gazetteer::new(places), codes)
}

fn village_name(i: usize) -> String {
    let consonant = ["b", "d", "k", "m", "n", "t", "w"][i % 7];
    let vowel = ["a", "e", "i", "o", "u"][(i / 7) % 5];
    format!("{consonant}{vowel}ngoma")
}

/// Settlements every 0.05° of longitude (about 5.6 km) along the equator, in one territory.
pub(super) fn line() -> (Gazetteer, Vec<String>) {
    let mut places = vec![
        place("ZZZ", "Testland", PlaceLevel::Country, None, None),
        place("ZZ1", "Province", PlaceLevel::Admin1, Some("ZZZ"), None),
        place("ZZ101", "Territory", PlaceLevel::Admin2, Some("ZZ1"), None),
    ];
    let codes: Vec<String> = (0..30).map(|i| format!("ZZ101-S{i}")).collect();
    for (i, c) in codes.iter().enumerate() {
        let p = place(
            c,
            &format!("Village {i}"),
            PlaceLevel::Settlement,
            Some("ZZ101"),
            Some((0.0, i as f64 * 0.05)),
        );
        places.push(p);
    }
    (Gazetteer::new(places), codes)
}

fn threat_strategy() -> impl Strategy<Value = Option<ThreatType>> {
    proptest::option::of(proptest::sample::select(ThreatType::ALL.to_vec()))
}

const WORDS: [&str; 8] = [
    "attaque", "hommes", "armes", "pillage", "Bunagana", "morts", "nuit", "enfants",
];

fn text_strategy() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(WORDS.to_vec()), 0..5)
        .prop_map(|w| w.join(" "))
}

proptest! {
    #[test]
    fn score_is_symmetric_bounded_and_highest_for_itself(
        pa in proptest::option::of(0usize..30), pb in proptest::option::of(0usize..30),
        ta in threat_strategy(), tb in threat_strategy(),
        ha in -100i64..100, hb in -100i64..100,
        xa in text_strategy(), xb in text_strategy(),
    ) {
        let (g, codes) = line();
        let a = sketch("a", pa.map(|i| codes[i].as_str()), ta, ha, &xa);
        let b = sketch("b", pb.map(|i| codes[i].as_str()), tb, hb, &xb);
        let (ab, ba) = (score(&a, &b, &g), score(&b, &a, &g));
        prop_assert!((ab - ba).abs() < 1e-12);
        prop_assert!((0.0..=1.0).contains(&ab));
        prop_assert!(score(&a, &a, &g) >= ab - 1e-12);
        prop_assert!(score(&b, &b, &g) >= ab - 1e-12);
    }

    #[test]
    fn further_in_time_or_space_never_scores_higher(
        pa in 0usize..30, near in 0usize..30, further in 0usize..30,
        t in threat_strategy(), tb in threat_strategy(),
        ha in -50i64..50, hb in -50i64..50, extra in 0i64..100,
        xa in text_strategy(), xb in text_strategy(),
    ) {
        let (g, codes) = line();
        let a = sketch("a", Some(&codes[pa]), t, ha, &xa);
        let b = sketch("b", Some(&codes[near]), tb, hb, &xb);
        let base = score(&a, &b, &g);
        let later = AlertSketch { reported_at: b.reported_at + Duration::hours(if hb >= ha { extra } else { -extra }), ..b.clone() };
        prop_assert!(score(&a, &later, &g) <= base + 1e-12);
        if pa.abs_diff(further) >= pa.abs_diff(near) {
            let moved = AlertSketch { place: Some(&codes[further]), ..b.clone() };
            prop_assert!(score(&a, &moved, &g) <= base + 1e-12);
        }
    }

    /// The fast path proposes exactly what asking pair by pair would.
    #[test]
    fn candidates_match_pairwise_suggestions(
        others in proptest::collection::vec(
            (0usize..MAP_PLACES, threat_strategy(), -100i64..100, map_text_strategy()), 0..25),
        pn in 0usize..MAP_PLACES, tn in threat_strategy(), xn in map_text_strategy(),
    ) {
        let (g, codes) = map();
        let places = map_places(&codes);
        let ids: Vec<String> = (0..others.len()).map(|i| format!("r{i}")).collect();
        let new = sketch("new", places[pn].as_deref(), tn, 0, &xn);
        let recent: Vec<AlertSketch> = others
            .iter()
            .zip(&ids)
            .map(|((p, t, h, x), id)| sketch(id, places[*p].as_deref(), *t, *h, x))
            .collect();
        let mut naive: Vec<(String, f64)> = recent
            .iter()
            .filter_map(|r| Some((r.id.to_string(), suggestion(&new, r, &g)?)))
            .collect();
        naive.sort_by(|a, b| a.0.cmp(&b.0));
        let mut fast: Vec<(String, f64)> = candidates(&new, &recent, &g, usize::MAX)
            .into_iter()
            .map(|c| (c.alert, c.score))
            .collect();
        fast.sort_by(|a, b| a.0.cmp(&b.0));
        prop_assert_eq!(fast, naive);
    }

    /// Keeping only the best `limit` as pairs come gives the first `limit` of every pair
    /// proposed, sorted best first (score, then nearest in time, then id), whatever the
    /// order the recent alerts come in; floods of alike alerts make many ties.
    #[test]
    fn best_few_are_the_head_of_the_full_ranking(
        others in proptest::collection::vec(
            (0usize..MAP_PLACES, threat_strategy(), -100i64..100, map_text_strategy()), 0..60),
        flood in 0usize..40,
        pn in 0usize..MAP_PLACES, tn in threat_strategy(), xn in map_text_strategy(),
        limit in 0usize..12,
        rotate in 0usize..60,
    ) {
        let (g, codes) = map();
        let places = map_places(&codes);
        let new = sketch("new", places[pn].as_deref(), tn, 0, &xn);
        // The flood: the new alert's own place, threat and words, at the same few hours.
        let mut specs: Vec<(Option<String>, Option<ThreatType>, i64, String)> = others
            .iter()
            .map(|(p, t, h, x)| (places[*p].clone(), *t, *h, x.clone()))
            .collect();
        specs.extend((0..flood).map(|i| (places[pn].clone(), tn, (i % 3) as i64, xn.clone())));
        let ids: Vec<String> = (0..specs.len()).map(|i| format!("r{i:03}")).collect();
        let mut recent: Vec<AlertSketch> = specs
            .iter()
            .zip(&ids)
            .map(|((p, t, h, x), id)| sketch(id, p.as_deref(), *t, *h, x))
            .collect();
        if !recent.is_empty() {
            let k = rotate % recent.len();
            recent.rotate_left(k);
        }
        let mut naive: Vec<(f64, i64, String)> = recent
            .iter()
            .filter_map(|r| {
                let s = suggestion(&new, r, &g)?;
                Some((s, (r.reported_at - new.reported_at).num_seconds().abs(), r.id.to_string()))
            })
            .collect();
        naive.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then_with(|| a.2.cmp(&b.2)));
        let want: Vec<(String, f64)> =
            naive.into_iter().take(limit).map(|(s, _, id)| (id, s)).collect();
        let got: Vec<(String, f64)> = candidates(&new, &recent, &g, limit)
            .into_iter()
            .map(|c| (c.alert, c.score))
            .collect();
        prop_assert_eq!(got, want);
    }

    /// Suggestions are symmetric, and never cross the cutoff, the window or a territory.
    #[test]
    fn suggestions_are_symmetric_and_never_far(
        pa in 0usize..MAP_PLACES, pb in 0usize..MAP_PLACES,
        ta in threat_strategy(), tb in threat_strategy(),
        ha in -100i64..100, hb in -100i64..100,
        xa in map_text_strategy(), xb in map_text_strategy(),
    ) {
        let (g, codes) = map();
        let places = map_places(&codes);
        let a = sketch("a", places[pa].as_deref(), ta, ha, &xa);
        let b = sketch("b", places[pb].as_deref(), tb, hb, &xb);
        let ab = suggestion(&a, &b, &g);
        prop_assert_eq!(ab, suggestion(&b, &a, &g));
        if ab.is_some() {
            prop_assert!(ha.abs_diff(hb) <= WINDOW_HOURS.unsigned_abs());
            prop_assert_ne!(geography(a.place, b.place, &g), Geography::Far);
            if let (Some(p), Some(q)) = (a.place.and_then(|c| g.point(c)), b.place.and_then(|c| g.point(c))) {
                prop_assert!(haversine_km(p, q) <= MAX_DISTANCE_KM);
            }
        }
    }

    /// Intake's buckets never hide a suggestion: the recent alert's own bucket is among those
    /// the new alert searches.
    #[test]
    fn buckets_never_hide_a_suggestion(
        pa in 0usize..MAP_PLACES, pb in 0usize..MAP_PLACES,
        t in threat_strategy(), xa in map_text_strategy(),
    ) {
        let (g, codes) = map();
        let places = map_places(&codes);
        let buckets = Buckets::new(&g);
        // Same threat, time and words: the pair is suggested whenever its places allow it.
        let a = sketch("a", places[pa].as_deref(), t, 0, &xa);
        let b = sketch("b", places[pb].as_deref(), t, 0, &xa);
        if suggestion(&a, &b, &g).is_some() {
            match buckets.search(a.place, &g) {
                Search::Everything => {}
                Search::Buckets(v) => prop_assert!(v.contains(&buckets.home(b.place, &g))),
            }
        }
    }
}

/// Every kind of place of [`map`]: settlements with and without points, territories,
/// provinces, a code it lacks, none.
pub(super) fn map_places(codes: &[String]) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = codes.iter().cloned().map(Some).collect();
    for c in [
        "ZZ101-N", "ZZ102-N", "ZZ201-N", "ZZ101", "ZZ102", "ZZ201", "ZZ1", "ZZ2", "XX",
    ] {
        out.push(Some(c.to_string()));
    }
    out.push(None);
    out
}

const MAP_PLACES: usize = 40;

/// Words of [`WORDS`] and names of [`map`]'s places, so texts sometimes name a place.
fn map_text_strategy() -> impl Strategy<Value = String> {
    let mut words: Vec<String> = WORDS.iter().map(|w| w.to_string()).collect();
    words.extend([0, 3, 9, 10, 12, 25, 30, 31].map(village_name));
    words.extend(["Upriver".to_string(), "Northland".to_string()]);
    proptest::collection::vec(proptest::sample::select(words), 0..6).prop_map(|w| w.join(" "))
}
