//! Resolution at scale and on any input: 50,000 names, huge queries, and what every answer
//! keeps, remembered or fresh.

use super::*;
use crate::place::PlaceLevel;
use crate::place::testdata::{gazetteer, place};
use proptest::prelude::*;

/// A gazetteer of `n` made-up village names under the real territories, plus the real data.
fn large_gazetteer(n: usize) -> Gazetteer {
    let syllables = [
        "ka", "ki", "bu", "ru", "nya", "mu", "ba", "ma", "se", "ko", "lu", "ga", "na", "tshu",
        "wa", "li", "ndo", "mbe", "go", "ri",
    ];
    let mut places = gazetteer().places().to_vec();
    let territories: Vec<String> = places
        .iter()
        .filter(|p| p.level == PlaceLevel::Admin2)
        .map(|p| p.pcode.clone())
        .collect();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for i in 0..n {
        let mut name = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let parts = 2 + (seed % 3) as usize;
        for k in 0..parts {
            name.push_str(syllables[((seed >> (8 * k)) % syllables.len() as u64) as usize]);
        }
        let parent = &territories[i % territories.len()];
        let code = format!("{parent}-X{i}");
        places.push(place(
            &code,
            &name,
            PlaceLevel::Settlement,
            Some(parent),
            None,
        ));
    }
    Gazetteer::new(places)
}

#[test]
fn resolution_finds_typos_among_fifty_thousand_names() {
    // Speed is measured by `cargo bench -p kinga-domain --bench resolve`, not asserted here.
    let g = large_gazetteer(50_000);
    for q in [
        "Bunangana",
        "Kiwanja Rutshuru",
        "territoire de Masisi",
        "Kasongo",
        "Nord Kivu",
        "kabuga",
    ] {
        assert!(!g.resolve(q, 10).is_empty(), "{q}");
    }
    let found = g.find_in_text(
        "Des hommes armés ont attaqué Bunagana ce matin vers 5h, plusieurs morts",
        5,
    );
    assert_eq!(found[0].pcode, "CD6111-S900");
    assert_eq!(
        g.resolve("Bunangana", 3)[0].pcode,
        "CD6111-S900",
        "typos still found among many names"
    );
}

#[test]
fn huge_queries_are_cut_not_choked_on() {
    let g = gazetteer();
    let long = format!("Bunagana {}", "x".repeat(1 << 20));
    let prefix: String = long
        .chars()
        .take(crate::place::resolve::MAX_QUERY_CHARS)
        .collect();
    assert_eq!(
        g.resolve(&long, 3),
        g.resolve(&prefix, 3),
        "only a prefix is read"
    );
    assert_eq!(
        g.resolve(&format!("Bunagana{}", " ".repeat(1 << 20)), 3)[0].pcode,
        "CD6111-S900"
    );
    let many_words = "Bunagana ".repeat(100_000);
    assert!(!g.find_in_text(&many_words, 3).is_empty());
}

proptest! {
    #[test]
    fn every_name_resolves_to_its_place_exactly(i in 0usize..2000, upper in any::<bool>()) {
        let g = gazetteer();
        let p = &g.places()[i % g.places().len()];
        let typed = if upper { p.name.to_uppercase() } else { p.name.to_lowercase() };
        let cands = g.resolve(&typed, 50);
        prop_assert!(cands.iter().any(|c| c.pcode == p.pcode && c.score == 1.0), "{typed}: {cands:?}");
    }

    #[test]
    fn any_query_gives_well_formed_results(q in "\\PC{0,40}", limit in 0usize..8) {
        let g = gazetteer();
        for cands in [g.resolve(&q, limit), g.find_in_text(&q, limit)] {
            prop_assert!(cands.len() <= limit);
            prop_assert!(cands.iter().all(|c| (0.0..=1.0).contains(&c.score)));
            if let Some(p) = pick(&cands) {
                prop_assert!(p.score >= PICK_MIN_SCORE);
            }
        }
        let r = g.resolve(&q, limit);
        prop_assert!(r.windows(2).all(|w| w[0].score >= w[1].score));
        prop_assert!(r.iter().all(|c| c.score >= MIN_SCORE));
    }

    #[test]
    fn picked_candidate_is_clear_of_every_other(scores in proptest::collection::vec(0.0f64..=1.0, 0..6)) {
        let cands: Vec<PlaceCandidate> = scores
            .iter()
            .enumerate()
            .map(|(i, &s)| PlaceCandidate { pcode: format!("P{i}"), name: String::new(), context: String::new(), score: s })
            .collect();
        if let Some(p) = pick(&cands) {
            prop_assert!(p.score >= PICK_MIN_SCORE);
            prop_assert!(cands.iter().filter(|c| c.pcode != p.pcode).all(|c| p.score - c.score >= PICK_MIN_GAP - 1e-9));
        } else if let [only] = cands.as_slice() {
            prop_assert!(only.score < PICK_MIN_SCORE);
        }
    }
}

/// Words alerts use, place names among them, for the memo's property test.
const MEMO_WORDS: &[&str] = &[
    "kiwanja",
    "rutshuru",
    "goma",
    "nord",
    "kivu",
    "hommes",
    "armes",
    "depuis",
    "kitshanga",
    "kichanga",
    "minova",
    "sud",
    "territoire",
    "de",
    "village",
    "bunagana",
    "masisi",
    "walikale",
    "pinga",
    "attaque",
    "marche",
    "kiwanj",
    "rutshru",
    "lubero",
    "beni",
    "butembo",
    "axe",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    // The memo hands out exactly what scoring again would: a gazetteer that has answered
    // other queries first (memo warm) answers every query as a fresh one does.
    #[test]
    fn remembered_queries_answer_as_fresh_ones(
        warm in prop::collection::vec(prop::collection::vec(0usize..MEMO_WORDS.len(), 1..4), 0..20),
        asked in prop::collection::vec(prop::collection::vec(0usize..MEMO_WORDS.len(), 1..6), 1..10),
    ) {
        let words = |ix: &[usize]| ix.iter().map(|&i| MEMO_WORDS[i]).collect::<Vec<_>>().join(" ");
        // Copies start with an empty memo.
        let used = gazetteer().clone();
        for w in &warm {
            used.resolve(&words(w), 5);
            used.find_in_text(&words(w), 5);
        }
        for a in &asked {
            let text = words(a);
            let fresh = gazetteer().clone();
            prop_assert_eq!(used.resolve(&text, 5), fresh.resolve(&text, 5));
            prop_assert_eq!(used.find_in_text(&text, 5), fresh.find_in_text(&text, 5));
            // And asked twice, from the memo.
            prop_assert_eq!(used.resolve(&text, 5), fresh.resolve(&text, 5));
        }
    }
}
