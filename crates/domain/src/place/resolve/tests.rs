//! Resolution by example: names as people type them, P-codes, areas, [`pick`], and the places
//! named in messages.

use super::*;
use crate::place::PlaceLevel;
use crate::place::testdata::{self, gazetteer};

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
