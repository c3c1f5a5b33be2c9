use super::*;
use crate::place::testdata::{self, place};
use crate::place::{Place, PlaceLevel};

fn ctx(home: Option<&'static str>) -> Context<'static> {
    Context {
        gazetteer: testdata::gazetteer(),
        home_place: home,
    }
}

fn screen(a: &Answer) -> &str {
    match a {
        Answer::Continue(s) => s,
        other => panic!("expected a CON screen, got {other:?}"),
    }
}

/// The number of the candidate with `pcode` on a candidate screen.
fn number_of(gaz: &Gazetteer, text: &str, pcode: &str) -> usize {
    let Some(Step::Candidates { candidates, .. }) = replay(gaz, None, text).map(|s| s.step) else {
        panic!("{text}: not a candidate screen");
    };
    candidates
        .iter()
        .position(|c| c.pcode == pcode)
        .unwrap_or_else(|| panic!("{pcode} not among {candidates:?}"))
        + 1
}

/// The session after `text`, when it is still going.
fn replay<'a>(gaz: &'a Gazetteer, home: Option<&'a str>, text: &str) -> Option<Session<'a>> {
    let mut s = Session {
        ctx: Context {
            gazetteer: gaz,
            home_place: home,
        },
        lang: Lang::Fr,
        threat: None,
        place: None,
        severity: None,
        step: Step::Language,
        invalid: false,
    };
    for input in inputs(text) {
        match s.take(input) {
            Flow::Next => {}
            _ => return None,
        }
    }
    Some(s)
}

#[test]
fn a_french_session_with_a_misspelt_place_and_a_retry() {
    let c = ctx(None);
    let first = answer("", &c);
    assert_eq!(screen(&first), LANGUAGE_SCREEN);
    assert!(screen(&answer("1", &c)).starts_with("Que se passe-t-il ?\n1 Attaque de civils"));
    assert_eq!(
        screen(&answer("1*2", &c)),
        "Tapez le nom du village ou du lieu :"
    );
    // Nothing is called that: the prompt again, saying so.
    assert!(screen(&answer("1*2*Xqzwvtt", &c)).starts_with("Lieu introuvable."));
    // Misspelt: Minova among the candidates, numbered, with "type again" last.
    let list = answer("1*2*Xqzwvtt*Minva", &c);
    assert!(
        screen(&list).starts_with("Choisissez le lieu :\n1 "),
        "{list:?}"
    );
    assert!(screen(&list).contains("Minova (Kalehe"), "{list:?}");
    assert!(screen(&list).ends_with("\n0 Retaper le nom"), "{list:?}");
    let n = number_of(testdata::gazetteer(), "1*2*Xqzwvtt*Minva", "CD6205-S900");
    let path = format!("1*2*Xqzwvtt*Minva*{n}");
    assert!(screen(&answer(&path, &c)).starts_with("Gravité :\n1 Faible\n2 Moyenne"));
    let confirm = answer(&format!("{path}*3"), &c);
    assert_eq!(
        screen(&confirm),
        "Envoyer cette alerte ?\nHommes armés\nMinova, Kalehe, Sud-Kivu\nGravité 3: Grave\n1 Envoyer\n2 Annuler"
    );
    let Answer::Submit(r) = answer(&format!("{path}*3*1"), &c) else {
        panic!("not submitted");
    };
    assert_eq!(r.language, Lang::Fr);
    assert_eq!(r.threat_type, ThreatType::ArmedPresence);
    assert_eq!(r.severity, Severity::new(3).unwrap());
    assert_eq!(r.place, "CD6205-S900");
    assert_eq!(r.place_typed.as_deref(), Some("Minva"));
    assert!(r.candidates.iter().any(|c| c.pcode == "CD6205-S900"));
    assert_eq!(
        r.text,
        "USSD: Hommes armés; Minova (tapé : Minva); Gravité 3 (Grave)"
    );
    // Cancelled instead: nothing to record.
    assert_eq!(
        answer(&format!("{path}*3*2"), &c),
        Answer::End("Alerte annulée. Rien n'a été envoyé.".into())
    );
}

#[test]
fn a_swahili_session_from_a_focal_point_offers_its_own_place_first() {
    let c = ctx(Some("CD6111-S901"));
    assert!(screen(&answer("3", &c)).starts_with("Nini kinatokea?\n1 Shambulio dhidi ya raia"));
    assert_eq!(
        screen(&answer("3*6", &c)),
        "Wapi?\n1 Kiwanja, Rutshuru, Nord-Kivu\n2 Mahali pengine"
    );
    assert!(screen(&answer("3*6*1", &c)).starts_with("Ni hatari kiasi gani?\n1 Ndogo"));
    let Answer::Submit(r) = answer("3*6*1*4*1", &c) else {
        panic!("not submitted");
    };
    assert_eq!(
        (r.language.code(), r.threat_type, r.severity.level()),
        ("sw", ThreatType::Killing, 4)
    );
    assert_eq!((r.place.as_str(), r.place_typed), ("CD6111-S901", None));
    assert_eq!(
        r.text,
        "USSD: Mauaji; Kiwanja; Kiwango 4 (Hatari ya kifo sasa)"
    );
    // Another place: typed, two villages of one name, the second picked.
    let list = screen(&answer("3*6*2*Kiwanja", &c)).to_string();
    assert!(list.starts_with("Chagua mahali:\n1 Kiwanja ("), "{list}");
    assert!(list.contains("\n2 Kiwanja ("), "{list}");
    let n = number_of(testdata::gazetteer(), "3*6*2*Kiwanja", "CD6103-S900");
    let Answer::Submit(r) = answer(&format!("3*6*2*Kiwanja*{n}*2*1"), &c) else {
        panic!("not submitted");
    };
    assert_eq!(r.place, "CD6103-S900");
}

#[test]
fn wrong_answers_show_the_screen_again_and_corrections_are_read() {
    let c = ctx(None);
    assert_eq!(
        screen(&answer("7", &c)),
        format!("{LANGUAGE_INVALID}\n{LANGUAGE_SCREEN}")
    );
    // A wrong answer, then the right one: the wrong one is forgotten.
    assert_eq!(answer("7*1", &c), answer("1", &c));
    assert!(screen(&answer("2*0", &c)).starts_with("Invalid choice.\nWhat is happening?"));
    assert!(screen(&answer("2*12", &c)).starts_with("Invalid choice."));
    assert!(screen(&answer("2*1*", &c)).starts_with("Invalid choice.\nType the name"));
    // On the candidate list: 9 is not offered, 0 types again, a name is read as a name.
    assert!(screen(&answer("2*1*Minva*9", &c)).starts_with("Invalid choice.\nChoose"));
    assert_eq!(
        screen(&answer("2*1*Minva*0", &c)),
        "Type the name of the village or place:"
    );
    assert_eq!(answer("2*1*Minva*Minova", &c), answer("2*1*Minova", &c));
    assert!(screen(&answer("2*1*Minova*1*5", &c)).starts_with("Invalid choice.\nHow serious?"));
    assert!(screen(&answer("2*1*Minova*1*2*3", &c)).starts_with("Invalid choice.\nSend"));
    // Home offered but the focal point's place is unknown here: typed instead.
    assert_eq!(
        screen(&answer("2*1", &ctx(Some("XX99")))),
        "Type the name of the village or place:"
    );
    let long = vec!["7"; MAX_INPUTS + 1].join("*");
    assert_eq!(
        answer(&long, &c),
        Answer::End(words(Lang::Fr).too_long.into())
    );
}

/// A gazetteer whose names are as long as real ones get, to fill every screen.
fn long_names() -> Gazetteer {
    let mut places = vec![
        place("XX", "Pays", PlaceLevel::Country, None, None),
        place(
            "XX1",
            "Province du Nord-Kivu et des Grands Lacs Orientaux",
            PlaceLevel::Admin1,
            Some("XX"),
            None,
        ),
        place(
            "XX11",
            "Territoire de Rutshuru-Nyiragongo-Masisi",
            PlaceLevel::Admin2,
            Some("XX1"),
            None,
        ),
    ];
    for i in 1..=5 {
        places.push(Place {
            alt_names: vec![],
            ..place(
                &format!("XX11-{i}"),
                &format!("Kanyabayonga-Nyamilima-Ishasha-Kiseguru {i}"),
                PlaceLevel::Settlement,
                Some("XX11"),
                None,
            )
        });
    }
    Gazetteer::new(places)
}

#[test]
fn every_screen_fits_in_every_language() {
    let long = long_names();
    let home = Some("XX11-1");
    let typed = "Kanyabayonga-Nyamilima-Ishasha-Kiseguru";
    let mut screens = vec![];
    for lang in 1..=3 {
        for (path, invalid) in [
            (String::new(), false),
            ("9".into(), true),
            (format!("{lang}"), false),
            (format!("{lang}*99"), true),
            (format!("{lang}*1"), false),
            (format!("{lang}*1*7"), true),
            (format!("{lang}*1*2"), false),
            (format!("{lang}*1*2*"), true),
            (format!("{lang}*1*2*Zzqxw"), false),
            (format!("{lang}*1*2*{typed}"), false),
            (format!("{lang}*1*2*{typed}*8"), true),
            (format!("{lang}*1*1"), false),
            (format!("{lang}*1*1*7"), true),
            (format!("{lang}*1*2*{typed}*4*4"), false),
            (format!("{lang}*1*2*{typed}*4*4*3"), true),
        ] {
            for t in 1..=THREATS.len() {
                let path = path.replacen("*1", &format!("*{t}"), 1);
                let a = answer(
                    &path,
                    &Context {
                        gazetteer: &long,
                        home_place: home,
                    },
                );
                let s = screen(&a).to_string();
                let prefix = match Lang::from_choice(lang) {
                    Some(l) if !path.is_empty() && path != "9" => words(l).invalid,
                    _ => LANGUAGE_INVALID,
                };
                assert_eq!(s.starts_with(prefix), invalid, "{path}: {s}");
                screens.push((path, s));
            }
        }
        let l = Lang::from_choice(lang).unwrap();
        let w = words(l);
        for end in [
            submitted(l, "K-1234567"),
            w.cancelled.to_string(),
            w.too_long.to_string(),
        ] {
            screens.push((format!("end {lang}"), end));
        }
    }
    let candidates = screens
        .iter()
        .find(|(p, _)| p.ends_with(typed))
        .map(|(_, s)| s.clone())
        .unwrap_or_default();
    assert_eq!(
        candidates.lines().count(),
        6,
        "four candidates: {candidates}"
    );
    for (path, s) in &screens {
        let n = s.chars().count();
        assert!(n <= MAX_SCREEN, "{path}: {n} characters:\n{s}");
        assert!(!s.is_empty(), "{path}");
    }
    // And with the real places, Swahili's longest wording on the candidate list.
    let c = ctx(None);
    for t in 1..=THREATS.len() {
        for lang in 1..=3 {
            let s = screen(&answer(&format!("{lang}*{t}*Kiwanja*9"), &c)).to_string();
            assert!(s.chars().count() <= MAX_SCREEN, "{s}");
        }
    }
}
