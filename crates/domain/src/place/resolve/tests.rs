use super::*;
use crate::place::PlaceLevel;
use crate::place::testdata::{self, gazetteer, place};
use proptest::prelude::*;

fn top(q: &str) -> PlaceCandidate {
    gazetteer()
        .resolve(q, 10)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("nothing for {q:?}"))
}

fn picked(q: &str) -> Option<String> {
    pick(&gazetteer().resolve(q, 10)).map(|c| c.pcode.clone())
}

#[test]
fn exact_name_scores_one_with_its_context() {
    let c = top("Bunagana");
    assert_eq!(
        (c.pcode.as_str(), c.name.as_str(), c.score),
        ("CD6111-S900", "Bunagana", 1.0)
    );
    assert_eq!(c.context, "Rutshuru, Nord-Kivu");
    assert_eq!(top("Kalehe").context, "Sud-Kivu");
    assert_eq!(top("Sud-Kivu").context, "Democratic Republic of the Congo");
    assert_eq!(picked("Bunagana").as_deref(), Some("CD6111-S900"));
}

#[test]
fn case_and_accents_do_not_matter() {
    for q in ["Équateur", "EQUATEUR", "equateur", "  équateur  "] {
        let c = top(q);
        assert_eq!((c.pcode.as_str(), c.score), ("CD41", 1.0), "{q}");
    }
    assert_eq!(top("MAÏ-NDOMBE").pcode, "CD33");
    assert_eq!(
        top("Maindombe").score,
        1.0,
        "words run together are the same spelling"
    );
}

#[test]
fn north_kivu_in_every_spelling() {
    for q in [
        "Nord Kivu",
        "North Kivu",
        "Nord-Kivu",
        "nord-kivu province",
        "Kivu Kaskazini",
    ] {
        assert_eq!(picked(q).as_deref(), Some("CD61"), "{q}");
    }
    let kivu_du_nord = top("Kivu du Nord");
    assert_eq!(kivu_du_nord.pcode, "CD61");
    assert!(kivu_du_nord.score >= 0.95 && kivu_du_nord.score < 1.0);
}

#[test]
fn compass_words_tell_places_apart() {
    let g = gazetteer();
    let nord = g.resolve("Nord Kivu", 10);
    assert_eq!(
        nord.len(),
        1,
        "neither Sud-Kivu nor Sudan's Northern state: {nord:?}"
    );
    let rumbek = g.resolve("Rumbek", 10);
    assert_eq!(rumbek[0].context, "Lakes");
    assert!(
        rumbek[1..]
            .iter()
            .all(|c| c.name.starts_with("Rumbek ") && c.score < 0.9)
    );
    assert_eq!(pick(&rumbek).map(|c| c.name.as_str()), Some("Rumbek"));
    let kasai = g.resolve("Kasai Oriental", 10);
    assert_eq!(kasai[0].pcode, "CD82");
    assert!(kasai[1].score < 0.85, "{kasai:?}");
    let kivu = g.resolve("Kivu", 10);
    assert!(kivu.iter().any(|c| c.pcode == "CD61") && kivu.iter().any(|c| c.pcode == "CD62"));
    assert_eq!(pick(&kivu), None);
}

#[test]
fn kind_words_choose_the_territory_over_the_town() {
    for q in [
        "rutshuru territoire",
        "territoire de Rutshuru",
        "Rutshuru Territory",
        "territoire de Rutshuru, Nord-Kivu",
    ] {
        let cands = gazetteer().resolve(q, 10);
        assert_eq!(cands[0].pcode, "CD6111", "{q}: {cands:?}");
        assert_eq!(cands[0].score, 1.0);
        assert_eq!(
            pick(&cands).map(|c| c.pcode.as_str()),
            Some("CD6111"),
            "{q}"
        );
    }
}

#[test]
fn town_and_territory_of_one_name_are_ambiguous_town_first() {
    let cands = gazetteer().resolve("Rutshuru", 10);
    assert_eq!(cands[0].score, 1.0);
    assert_eq!(cands[1].score, 1.0);
    let levels: Vec<PlaceLevel> = cands[..2]
        .iter()
        .map(|c| gazetteer().get(&c.pcode).unwrap().level)
        .collect();
    assert_eq!(levels, [PlaceLevel::Settlement, PlaceLevel::Admin2]);
    assert_eq!(pick(&cands), None, "never guessed silently");
    assert_eq!(picked("Beni"), None);
    assert_eq!(
        picked("Kinshasa"),
        None,
        "the province and its one territory share the name"
    );
}

#[test]
fn a_misspelling_with_one_closest_place_is_taken() {
    // A letter dropped, added, changed or swapped; "tch" for "tsh"; a final vowel dropped.
    for (typo, pcode) in [
        ("Bunangana", "CD6111-S900"),
        ("Bunagama", "CD6111-S900"),
        ("Bunagan", "CD6111-S900"),
        ("Minowa", "CD6205-S900"),
        ("Minovva", "CD6205-S900"),
    ] {
        let cands = gazetteer().resolve(typo, 10);
        let found = pick(&cands).unwrap_or_else(|| panic!("{typo}: {cands:?}"));
        assert_eq!(found.pcode, pcode, "{typo}");
        assert!(
            found.score < 1.0,
            "{typo}: a correction never scores as exact"
        );
        let settled = crate::place::settle(&cands, gazetteer());
        assert_eq!(settled.place.as_deref(), Some(pcode));
        assert_eq!(settled.flags, [crate::place::flag::PLACE_FUZZY], "{typo}");
    }
    // Town and territory of one name stay tied through a correction: the area is settled.
    for typo in ["Rutshru", "Rutchuru", "Uvria", "Kisangany"] {
        let cands = gazetteer().resolve(typo, 10);
        assert_eq!(pick(&cands), None, "{typo}: {cands:?}");
        let settled = crate::place::settle(&cands, gazetteer());
        assert!(settled.is_area(), "{typo}: {settled:?}");
        assert!(settled.flags.contains(&crate::place::flag::PLACE_FUZZY));
    }
    assert_eq!(top("Uvria").name, "Uvira");
    assert_eq!(top("Kisangany").name, "Kisangani");
}

#[test]
fn a_misspelling_close_to_several_places_is_never_guessed() {
    // Two villages named Kiwanja: a misspelling fits both equally.
    let cands = gazetteer().resolve("Kiwanjaa", 10);
    assert!(
        cands[..2]
            .iter()
            .all(|c| c.name == "Kiwanja" && c.score < 1.0),
        "{cands:?}"
    );
    assert_eq!(pick(&cands), None);
    // A village and a camp of one name.
    let cands = gazetteer().resolve("Kanyarutshinya", 10);
    assert_eq!(pick(&cands), None, "{cands:?}");
    // An exact name is never outweighed by a correction of another.
    let cands = gazetteer().resolve("Minova", 10);
    assert_eq!(pick(&cands).map(|c| c.score), Some(1.0));
}

#[test]
fn two_villages_of_one_name_need_their_territory() {
    let cands = gazetteer().resolve("Kiwanja village", 10);
    assert!(
        cands[..2]
            .iter()
            .all(|c| c.name == "Kiwanja" && c.score == 1.0),
        "{cands:?}"
    );
    assert!(cands[2..].iter().all(|c| c.score < 0.9));
    assert_eq!(
        cands[0].context, "Masisi, Nord-Kivu",
        "ties fall back to name, then P-code"
    );
    assert_eq!(cands[1].context, "Rutshuru, Nord-Kivu");
    assert_eq!(pick(&cands), None);
    for q in [
        "Kiwanja, Rutshuru",
        "Kiwanja territoire de Rutshuru",
        "kiwanja nord kivu rutshuru",
    ] {
        assert_eq!(picked(q).as_deref(), Some("CD6111-S901"), "{q}");
    }
    assert_eq!(
        top("Kiwandja").pcode,
        "CD6111-S901",
        "alternative spellings count"
    );
}

#[test]
fn query_naming_only_an_ancestor_does_not_match_its_children() {
    let cands = gazetteer().resolve("Rutshuru Nord-Kivu", 10);
    assert_eq!(cands[0].score, 1.0);
    assert!(
        cands.iter().all(|c| c.pcode != "CD6111-S900"),
        "Bunagana is not named: {cands:?}"
    );
}

#[test]
fn camp_and_village_of_one_name_are_both_shown_typed_form_first() {
    let cands = gazetteer().resolve("Kanyaruchinya camp", 10);
    assert_eq!(cands[0].pcode, "CD6102-S901");
    assert_eq!(cands[1].pcode, "CD6102-S900");
    assert_eq!(pick(&cands), None);
}

#[test]
fn other_countries_resolve_too() {
    assert_eq!(top("Darfour du Nord").pcode, "SD02");
    assert_eq!(picked("North Darfur").as_deref(), Some("SD02"));
    assert_eq!(top("Ouham-Pendé").pcode, "CF31");
    let timbuktu = gazetteer().resolve("Tombouctou", 10);
    assert_eq!(
        timbuktu[0].pcode, "ML0605",
        "the cercle before the region of the same name"
    );
    assert!(timbuktu.iter().any(|c| c.pcode == "ML06"));
}

#[test]
fn results_are_ranked_bounded_and_unique() {
    for q in ["Kasongo", "Kivu", "Kasai", "Bas Uele", "Sake", "Ituri"] {
        let cands = gazetteer().resolve(q, 5);
        assert!(cands.len() <= 5);
        assert!(
            cands.windows(2).all(|w| w[0].score >= w[1].score),
            "{q}: {cands:?}"
        );
        assert!(cands.iter().all(|c| c.score >= MIN_SCORE && c.score <= 1.0));
        let mut codes: Vec<&str> = cands.iter().map(|c| c.pcode.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), cands.len());
    }
    let kivu = gazetteer().resolve("Kivu", 10);
    assert!(kivu.iter().any(|c| c.pcode == "CD61") && kivu.iter().any(|c| c.pcode == "CD62"));
    assert_eq!(pick(&kivu), None);
    let kasongo = gazetteer().resolve("Kasongo", 10);
    assert_eq!(
        kasongo[0].context, "Kasongo, Maniema",
        "the town, then its territory"
    );
    assert_eq!(kasongo[1].pcode, "CD6311");
    assert!(
        gazetteer()
            .resolve("Kasongo", 10)
            .iter()
            .any(|c| c.name == "Kasongo-Lunda")
    );
}

#[test]
fn empty_or_meaningless_queries_give_nothing() {
    for q in ["", "   ", "!!!", "territoire de", "xqzwv", "le village"] {
        let cands = gazetteer().resolve(q, 10);
        assert!(pick(&cands).is_none(), "{q}: {cands:?}");
    }
    assert!(gazetteer().resolve("Bunagana", 0).is_empty());
    assert!(Gazetteer::default().resolve("Bunagana", 5).is_empty());
}

#[test]
fn a_pcode_resolves_to_its_place() {
    let cands = gazetteer().resolve(" CD6111 ", 5);
    assert_eq!((cands[0].pcode.as_str(), cands[0].score), ("CD6111", 1.0));
    assert_eq!(gazetteer().resolve("cd6111-s900", 5)[0].name, "Bunagana");
    assert!(gazetteer().resolve_within("CD6111", "CD62", 5).is_empty());
}

#[test]
fn resolve_within_keeps_to_the_area() {
    let g = gazetteer();
    let in_masisi = g.resolve_within("Kiwanja", "CD6103", 10);
    assert_eq!(in_masisi.len(), 1);
    assert_eq!(in_masisi[0].pcode, "CD6103-S900");
    assert_eq!(
        pick(&in_masisi).map(|c| c.pcode.as_str()),
        Some("CD6103-S900")
    );
    assert!(g.resolve_within("Kiwanja", "CD62", 10).is_empty());
    assert!(g.resolve_within("Kiwanja", "NOWHERE", 10).is_empty());
}

#[test]
fn geonames_admin_names_link_to_pcodes() {
    let admin = Gazetteer::new(testdata::pcode_places());
    let rows: Vec<_> = testdata::geonames_rows()
        .into_iter()
        .filter(|r| r.iso3 == "COD")
        .collect();
    let (mut adm1, mut adm2) = (0, 0);
    for r in &rows {
        let (a1, a2) = testdata::link(&admin, r);
        adm1 += usize::from(a1.is_some());
        adm2 += usize::from(a2.is_some());
    }
    let n = rows.len();
    eprintln!("GeoNames DR Congo towns linked: admin1 {adm1}/{n}, admin2 {adm2}/{n}");
    // Bas-Congo (now Kongo-Central) and the old Orientale and Katanga cannot match by name.
    assert!(adm1 * 100 >= n * 85, "admin1 {adm1}/{n}");
    assert!(adm2 * 100 >= n * 60, "admin2 {adm2}/{n}");
    let rutshuru = rows.iter().find(|r| r.name == "Rutshuru").unwrap();
    assert_eq!(
        testdata::link(&admin, rutshuru),
        (Some("CD61".into()), Some("CD6111".into()))
    );
}

#[test]
fn pick_needs_a_clear_winner() {
    let c = |pcode: &str, score: f64| PlaceCandidate {
        pcode: pcode.into(),
        name: pcode.into(),
        context: String::new(),
        score,
    };
    assert_eq!(pick(&[]), None);
    assert_eq!(pick(&[c("A", 1.0)]).map(|c| c.pcode.as_str()), Some("A"));
    assert_eq!(pick(&[c("A", 0.94)]), None);
    assert_eq!(pick(&[c("A", 1.0), c("B", 1.0)]), None);
    assert_eq!(pick(&[c("A", 1.0), c("B", 0.93)]), None);
    assert_eq!(
        pick(&[c("A", 1.0), c("B", 0.92)]).map(|c| c.pcode.as_str()),
        Some("A")
    );
    assert_eq!(
        pick(&[c("B", 0.8), c("A", 0.96)]).map(|c| c.pcode.as_str()),
        Some("A")
    );
    assert_eq!(
        pick(&[c("A", 1.0), c("A", 1.0)]).map(|c| c.pcode.as_str()),
        Some("A")
    );
    assert_eq!(pick(&[c("A", f64::NAN)]), None);
}

#[test]
fn finds_places_in_messages() {
    let g = gazetteer();
    let names = |text: &str| -> Vec<String> {
        g.find_in_text(text, 5)
            .into_iter()
            .map(|c| c.pcode)
            .collect()
    };
    assert_eq!(
        names("Des hommes armés ont attaqué Bunagana ce matin"),
        ["CD6111-S900"]
    );
    assert_eq!(
        names("Attaque à Kiwanja, Rutshuru, hier soir. 3 morts"),
        ["CD6111-S901"]
    );
    assert_eq!(
        names("Watu wenye silaha karibu na Minova usiku"),
        ["CD6205-S900"]
    );
    assert_eq!(names("ATTAQUE BUNANGANA 12 MORTS")[0], "CD6111-S900");
    let both = names("Affrontements entre Kiwanja et Bunagana, Rutshuru");
    assert!(both.contains(&"CD6111-S900".to_string()), "{both:?}");
    assert!(both.iter().any(|p| p.starts_with("CD61")), "{both:?}");
    assert_eq!(
        names("Mouvement d'hommes armés vers le territoire de Masisi")[0],
        "CD6103"
    );
    assert_eq!(names("armed men in North Kivu province")[0], "CD61");
    let sake = g.find_in_text("Les FDLR sont a Sake depuis hier, Masisi", 5);
    assert_eq!(sake[0].name, "Sake", "{sake:?}");
    assert_eq!((sake[1].pcode.as_str(), sake[1].score), ("CD6103", 0.9));
    assert_eq!(pick(&sake).map(|c| c.name.as_str()), Some("Sake"));
    let same_name = g.find_in_text("massacre a Rutshuru, beaucoup de morts", 5);
    assert!(
        same_name.len() == 2 && same_name.iter().all(|c| c.score == 1.0),
        "{same_name:?}"
    );
    assert_eq!(
        pick(&same_name),
        None,
        "the town and the territory stay tied"
    );
    let c = &g.find_in_text("pillage a Minova", 1)[0];
    assert_eq!(
        (c.name.as_str(), c.context.as_str(), c.score),
        ("Minova", "Kalehe, Sud-Kivu", 1.0)
    );
}

#[test]
fn ordinary_messages_name_no_place() {
    let g = gazetteer();
    for text in [
        "Des hommes armes ont pille le marche ce matin, plusieurs blesses",
        "Urgent help needed, people killed last night near the school",
        "Watu wenye silaha wameuawa watu watano asubuhi",
        "Rien a signaler aujourd'hui",
        "nord sud est ouest",
        "",
    ] {
        assert!(
            g.find_in_text(text, 5).is_empty(),
            "{text}: {:?}",
            g.find_in_text(text, 5)
        );
    }
    assert!(g.find_in_text("Bunagana", 0).is_empty());
}

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
