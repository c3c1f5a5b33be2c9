//! The SMS grammar's contract: field names, flags, what stays unparsed, and that no input
//! makes it panic.

use kinga_domain::ThreatType;
use kinga_domain::place::{self, Gazetteer, Place, PlaceLevel};
use kinga_domain::sms::{ParseContext, ParsedSms, parse, read_text};
use proptest::prelude::*;

fn place(code: &str, name: &str, level: PlaceLevel, parent: Option<&str>) -> Place {
    Place {
        pcode: code.into(),
        name: name.into(),
        alt_names: vec![],
        level,
        parent: parent.map(str::to_string),
        country: "COD".into(),
        lat: None,
        lon: None,
    }
}

fn gazetteer() -> Gazetteer {
    Gazetteer::new(vec![
        place("COD", "RDC", PlaceLevel::Country, None),
        place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("COD")),
        place("CD6111", "Rutshuru", PlaceLevel::Admin2, Some("CD61")),
        place("CD6103", "Masisi", PlaceLevel::Admin2, Some("CD61")),
        place(
            "CD6111-S001",
            "Kiwanja",
            PlaceLevel::Settlement,
            Some("CD6111"),
        ),
        place(
            "CD6111-S002",
            "Rutshuru",
            PlaceLevel::Settlement,
            Some("CD6111"),
        ),
        place(
            "CD6103-S001",
            "Sake",
            PlaceLevel::Settlement,
            Some("CD6103"),
        ),
        place(
            "CD6103-S002",
            "Kibabi",
            PlaceLevel::Settlement,
            Some("CD6103"),
        ),
        place(
            "CD6111-S003",
            "Kibabi",
            PlaceLevel::Settlement,
            Some("CD6111"),
        ),
        place(
            "CD6103-S003",
            "Kitshanga",
            PlaceLevel::Settlement,
            Some("CD6103"),
        ),
    ])
}

fn run(text: &str, sender: Option<&str>) -> ParsedSms {
    let g = gazetteer();
    parse(
        text,
        &ParseContext {
            gazetteer: &g,
            default_place: sender,
            default_language: None,
        },
    )
}

#[test]
fn json_has_the_fields_of_kinga_sms_parse() {
    let p = run(
        "ALERTE Kiwanja A2 S3 hommes armés vus près de l'école",
        None,
    );
    let v = serde_json::to_value(&p).expect("serialises");
    for field in [
        "threat_type",
        "severity",
        "language",
        "place",
        "place_candidates",
        "unparsed",
    ] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
    assert_eq!(v["threat_type"], "armed_presence");
    assert_eq!(v["severity"], 3);
    assert_eq!(v["language"], "fr");
    assert_eq!(v["place"], "CD6111-S001");
    assert_eq!(v["place_candidates"][0]["pcode"], "CD6111-S001");
    assert!(
        v["place_candidates"][0]["score"].is_number()
            && v["place_candidates"][0]["name"].is_string()
    );
    assert_eq!(v["unparsed"], "hommes armés vus près de l'école");
    assert_eq!(v["keyword"], "ALERTE");
    assert_eq!(v["place_name"], "Kiwanja");
    assert_eq!(v["flags"], serde_json::json!([]));
}

#[test]
fn codes_follow_threat_type_order() {
    for (i, t) in ThreatType::ALL.iter().enumerate() {
        let p = run(&format!("ALERTE Sake A{}", i + 1), None);
        assert_eq!(p.threat_type, Some(*t), "A{}", i + 1);
    }
}

#[test]
fn unparsed_keeps_what_a_human_must_read() {
    assert_eq!(
        run("ALERTE à Kiwanja, hommes armés", None).unparsed,
        "hommes armés"
    );
    assert_eq!(run("ALERTE K-12 S4 tirs", None).unparsed, "tirs");
    assert_eq!(
        run("Hommes armés à Kiwanja A2", None).unparsed,
        "Hommes armés à Kiwanja"
    );
    // An unknown place stays for the human.
    let p = run("ALERTE Nzulo pillage", Some("CD6103"));
    assert_eq!(p.unparsed, "Nzulo pillage");
    assert_eq!(p.place_name.as_deref(), Some("Nzulo"));
    assert_eq!(p.place.as_deref(), Some("CD6103"));
    assert!(
        p.flags.contains(&"place_unknown".to_string())
            && p.flags.contains(&"place_from_sender".to_string())
    );
}

#[test]
fn ambiguity_is_shown_and_nesting_gives_an_area() {
    let p = run("ALERTE Rutshuru tirs", None);
    assert_eq!(p.place, None);
    assert!(p.flags.contains(&"place_ambiguous".to_string()));
    let codes: Vec<&str> = p
        .place_candidates
        .iter()
        .map(|c| c.pcode.as_str())
        .collect();
    assert!(codes.contains(&"CD6111") && codes.contains(&"CD6111-S002"));
    assert_eq!(p.place_area.as_deref(), Some("CD6111"));
    // The rule every channel applies to a typed place name gives the same area.
    let g = gazetteer();
    let typed = place::settle(&g.resolve("Rutshuru", 5), &g);
    assert_eq!(typed.place, p.place_area);
    assert_eq!(typed.flags, ["place_ambiguous", "place_is_area"]);
    assert_eq!(place::settle(&p.place_candidates, &g), typed);
    // Two villages of one name in different territories: the sender's territory settles it.
    let p = run("ALERTE Kibabi pillage", None);
    assert_eq!((p.place.as_deref(), p.place_area.as_deref()), (None, None));
    let p = run("ALERTE Kibabi pillage", Some("CD6103-S001"));
    assert_eq!(p.place.as_deref(), Some("CD6103-S002"));
    assert!(
        p.flags
            .contains(&"place_disambiguated_by_sender".to_string())
    );
}

#[test]
fn a_misspelt_place_with_one_closest_match_is_taken_and_flagged() {
    let has = |p: &ParsedSms, f: &str| p.flags.iter().any(|x| x == f);
    for text in [
        "ALERTE Kitchanga A2 hommes armés",
        "ALERTE Kichanga A2 hommes armés",
        "Hommes armés vus à Kitsanga ce matin",
        "ALERTE Kiwandja pillage",
        "Pillage à Kiwandja cette nuit",
    ] {
        let p = run(text, None);
        assert!(p.place.is_some(), "{text}: {p:?}");
        assert!(has(&p, "place_fuzzy"), "{text}: {:?}", p.flags);
        assert!(!has(&p, "place_uncertain"), "{text}");
    }
    assert_eq!(
        run("ALERTE Kichanga A2", None).place.as_deref(),
        Some("CD6103-S003")
    );
    // Spelt exactly: no flag.
    assert!(!has(&run("ALERTE Kitshanga A2", None), "place_fuzzy"));
    // Town and territory of one name: the area, through the correction.
    let p = run("ALERTE Rutchuru tirs", None);
    assert_eq!(
        (p.place.as_deref(), p.place_area.as_deref()),
        (None, Some("CD6111"))
    );
    assert!(has(&p, "place_ambiguous") && has(&p, "place_fuzzy"));
    // Two villages as close: candidates, never a guess.
    let p = run("ALERTE Kibabii pillage", None);
    assert_eq!(p.place, None);
    assert!(p.place_candidates.len() >= 2);
    // Beside a place named exactly, a correction keeps its plain score: both stay
    // candidates, and the exact one comes first.
    let p = run("Pillage à Sake, les gens de Kiwandja ont peur", None);
    assert_eq!(p.place, None);
    let scores: Vec<(&str, f64)> = p
        .place_candidates
        .iter()
        .map(|c| (c.pcode.as_str(), c.score))
        .collect();
    assert_eq!(scores[0], ("CD6103-S001", 1.0));
    assert!(
        scores[1].0 == "CD6111-S001" && scores[1].1 < 0.95,
        "{scores:?}"
    );
}

#[test]
fn a_place_before_a_colon_comes_first() {
    let p = run("Kiwanja: des hommes armés venant de Sake", None);
    assert_eq!(p.place.as_deref(), Some("CD6111-S001"));
    assert_eq!(p.place_name.as_deref(), Some("Kiwanja"));
    let codes: Vec<&str> = p
        .place_candidates
        .iter()
        .map(|c| c.pcode.as_str())
        .collect();
    assert_eq!(
        codes,
        ["CD6111-S001", "CD6103-S001"],
        "Sake stays a candidate"
    );
    assert_eq!(p.unparsed, "des hommes armés venant de Sake");
    // Also after a greeting, and through a correction.
    assert_eq!(
        run("Ici Kichanga: tirs", None).place.as_deref(),
        Some("CD6103-S003")
    );
    // Without the colon, two places named are two candidates.
    assert_eq!(run("Kiwanja des hommes armés à Sake", None).place, None);
    // Words before a colon that name no place change nothing.
    let p = run("Information: des hommes armés à Sake", None);
    assert_eq!(p.place.as_deref(), Some("CD6103-S001"));
}

#[test]
fn a_stretch_between_two_places_gives_the_area_holding_both() {
    for text in [
        "Deux motards enlevés sur l'axe Sake-Kitshanga ce matin",
        "Hommes armés sur la route Sake - Kitshanga",
        "Embuscade entre Sake et Kitshanga hier",
        "Wanaume wenye silaha kwenye barabara ya Kitshanga - Sake",
    ] {
        let p = run(text, None);
        assert_eq!(
            (p.place.as_deref(), p.place_area.as_deref()),
            (None, Some("CD6103")),
            "{text}: {p:?}"
        );
        assert!(p.flags.iter().any(|f| f == "place_between"), "{text}");
    }
    // A village given with its territory is that village.
    assert_eq!(
        run("Pillage à Kitshanga-Masisi", None).place.as_deref(),
        Some("CD6103-S003")
    );
    // Across territories the province would say too little: the candidates stay.
    let p = run("Hommes armés sur la route Sake-Kiwanja", None);
    assert_eq!((p.place, p.place_area), (None, None));
    assert!(p.flags.iter().any(|f| f == "place_ambiguous"));
    let g = gazetteer();
    assert_eq!(
        g.common_area("CD6103-S001", "CD6103-S003")
            .map(|p| p.pcode.as_str()),
        Some("CD6103")
    );
    assert_eq!(
        g.common_area("CD6103-S001", "CD6103")
            .map(|p| p.pcode.as_str()),
        Some("CD6103")
    );
    assert_eq!(
        g.common_area("CD6103-S001", "CD6111-S001")
            .map(|p| p.pcode.as_str()),
        Some("CD61")
    );
}

#[test]
fn where_people_go_or_come_from_is_not_where_it_happened() {
    for text in [
        "Les gens de Kiwanja fuient vers Sake",
        "Watu wa Kiwanja wanakimbia kwenda Sake",
        "People fled Kiwanja towards Sake",
        "Hommes armés à Kiwanja, venant de Sake",
    ] {
        let p = run(text, None);
        assert_eq!(p.place.as_deref(), Some("CD6111-S001"), "{text}: {p:?}");
        assert!(
            p.place_candidates.iter().any(|c| c.pcode == "CD6103-S001"),
            "{text}: Sake stays a candidate"
        );
    }
    // Alone, a destination is still the place named.
    assert_eq!(
        run("Les gens fuient vers Sake", None).place.as_deref(),
        Some("CD6103-S001")
    );
}

#[test]
fn a_type_written_before_the_severity_code_is_the_type() {
    let t = |text: &str| run(text, None).threat_type;
    assert_eq!(
        t("ALERTE Sake tension S2 tension après le vol de vaches"),
        Some(ThreatType::IntercommunalTension)
    );
    assert_eq!(
        t("Tension à Sake après le vol de vaches"),
        Some(ThreatType::LootingExtortion),
        "elsewhere, the priority of types"
    );
    assert_eq!(
        t("ALERTE Sake deplacement S3 la population fuit"),
        Some(ThreatType::Displacement)
    );
    assert_eq!(
        t("Hommes armés en déplacement vers Sake"),
        Some(ThreatType::ArmedPresence),
        "a movement of armed men is not a displacement"
    );
    // A type code still wins.
    assert_eq!(t("ALERTE Sake tension S2 A6"), Some(ThreatType::Killing));
}

#[test]
fn what_is_feared_has_not_happened() {
    let t = |text: &str| run(text, None).threat_type;
    assert_eq!(
        t("Kasongo: conflit foncier, risque d'affrontement"),
        Some(ThreatType::IntercommunalTension)
    );
    assert_eq!(
        t("Sake: les CODECO sont revenus, on craint une attaque ce soir"),
        Some(ThreatType::ArmedPresence)
    );
    // A comma ends what is feared.
    assert_eq!(
        t("Les gens ont peur, des hommes armés circulent à Sake"),
        Some(ThreatType::ArmedPresence)
    );
    let p = run("Par peur des attaques à Sake", None);
    assert_eq!(p.threat_type, None);
}

#[test]
fn people_taken_are_abducted() {
    assert_eq!(
        run("Sake: wamechukua watu saba kwenda porini", None).threat_type,
        Some(ThreatType::Abduction)
    );
}

#[test]
fn money_demanded_is_extortion() {
    for text in [
        "Des militaires font payer 500fc à chaque moto à Sake",
        "Les Nyatura réclament de l'argent aux passants à Sake",
        "Askari wanakusanya pesa kwa kila duka Sake",
        "Wanajeshi wanadai pesa kwa kizuizi Sake",
        "Wamechukua ng'ombe wote wa kijiji Sake",
    ] {
        assert_eq!(
            run(text, None).threat_type,
            Some(ThreatType::LootingExtortion),
            "{text}"
        );
    }
}

#[test]
fn calm_and_cries_for_help_are_severities() {
    let p = run("Rien à signaler à Sake aujourd'hui, calme", None);
    assert_eq!(
        (p.threat_type, p.severity.map(|s| s.level())),
        (None, Some(1))
    );
    assert_eq!(
        run("Kila kitu ni shwari Sake leo", None)
            .severity
            .map(|s| s.level()),
        Some(1)
    );
    assert_eq!(
        run("ALL CALM IN SAKE TODAY", None)
            .severity
            .map(|s| s.level()),
        Some(1)
    );
    assert_eq!(
        run("La situation n'est pas calme à Sake", None).severity,
        None
    );
    assert_eq!(
        run("URGENT Sake calme avant l'attaque", None)
            .severity
            .map(|s| s.level()),
        Some(4)
    );
    assert_eq!(run("Au secours", None).severity.map(|s| s.level()), Some(4));
    assert_eq!(
        run("Tafadhali tusaidie", None).severity.map(|s| s.level()),
        Some(4)
    );
}

#[test]
fn names_of_armed_groups_tell_no_language() {
    let lang = |text: &str| run(text, None).language;
    assert_eq!(
        lang("ALERTE Sake S3 Twirwaneho na Mai-Mai wanapigana tangu asubuhi").as_deref(),
        Some("sw")
    );
    assert_eq!(
        lang("Alert Sake, Wazalendo and FARDC fighting in town").as_deref(),
        Some("en")
    );
    assert_eq!(
        run("ALERTE Sake M23", None).threat_type,
        Some(ThreatType::ArmedPresence)
    );
}

#[test]
fn flags_and_fallbacks() {
    let p = run("tirs depuis ce matin", Some("CD6111-S001"));
    assert_eq!(p.place.as_deref(), Some("CD6111-S001"));
    assert!(
        p.flags.iter().any(|f| f == "no_keyword") && p.flags.iter().any(|f| f == "place_missing")
    );
    let p = run("ALRTE Sake pas de morts", None);
    assert_eq!(p.keyword.as_deref(), Some("ALERTE"));
    assert_eq!(p.threat_type, None);
    assert!(
        p.flags.iter().any(|f| f == "keyword_misspelt")
            && p.flags.iter().any(|f| f == "threat_negated")
    );
    let p = run("", Some("CD6111"));
    assert!(p.flags.iter().any(|f| f == "empty"));
    assert_eq!(p.unparsed, "");
    let p = run("ALERTE Sake A15", None);
    assert!(p.flags.iter().any(|f| f == "invalid_code"));
    assert_eq!(p.unparsed, "A15");
    let g = gazetteer();
    let p = parse(
        "12 34",
        &ParseContext {
            gazetteer: &g,
            default_place: None,
            default_language: Some("sw"),
        },
    );
    assert_eq!(p.language.as_deref(), Some("sw"));
    assert!(p.flags.iter().any(|f| f == "language_from_sender"));
    assert_eq!(
        run("مسلحون في القرية", None).language.as_deref(),
        Some("ar")
    );
    let p = run("REP K-1042 ils sont partis", None);
    assert_eq!(
        (p.reference.as_deref(), p.keyword.as_deref()),
        (Some("K-1042"), Some("REPONSE"))
    );
    assert!(p.flags.iter().any(|f| f == "reply"));
}

#[test]
fn a_text_reads_the_same_whatever_brought_it() {
    let g = gazetteer();
    let ctx = ParseContext {
        gazetteer: &g,
        default_place: None,
        default_language: None,
    };
    let reading = |p: &ParsedSms| {
        (
            p.threat_type,
            p.severity_or_default(),
            p.language.clone(),
            p.place.clone(),
            p.place_area.clone(),
        )
    };
    for text in [
        "Enlèvement de trois femmes à Kiwanja",
        "ALERTE Enlèvement de trois femmes à Kiwanja",
        "ALERTE Kiwanja enlèvement de trois femmes",
    ] {
        let sms = parse(text, &ctx);
        let typed = read_text(text, &ctx);
        assert_eq!(reading(&sms), reading(&typed), "{text}");
        assert_eq!(sms.place_candidates, typed.place_candidates, "{text}");
        assert_eq!(
            reading(&typed),
            (
                Some(ThreatType::Abduction),
                Some(kinga_domain::Severity::IMMINENT),
                Some("fr".to_string()),
                Some("CD6111-S001".to_string()),
                Some("CD6111-S001".to_string())
            ),
            "{text}"
        );
        // A form's text is not expected to open with a keyword: only that flag differs.
        let mut flags = sms.flags.clone();
        flags.retain(|f| f != "no_keyword");
        assert_eq!(flags, typed.flags, "{text}");
    }
    let typed = read_text("Enlèvement de trois femmes", &ctx);
    assert_eq!(typed.threat_type, Some(ThreatType::Abduction));
    assert_eq!(typed.severity, None, "no severity was typed");
    assert_eq!(typed.severity_or_default().map(|s| s.level()), Some(4));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_any_text(text in "\\PC{0,300}") {
        let p = run(&text, Some("CD6111"));
        prop_assert!(p.unparsed.len() <= text.len());
        prop_assert!(p.place_candidates.len() <= 5);
    }

    #[test]
    fn never_panics_on_grammar_like_text(
        words in proptest::collection::vec(
            prop_oneof![
                Just("ALERTE".to_string()), Just("alrte".to_string()), Just("K-".to_string()),
                Just("A".to_string()), Just("-".to_string()), Just("S4".to_string()), Just("a99".to_string()),
                Just("k".to_string()), Just("Kiwanja".to_string()), Just("Rutshuru".to_string()),
                Just("hommes".to_string()), Just("armés".to_string()), Just("pas".to_string()),
                Just("niveau".to_string()), Just("é".to_string()), Just("🙏".to_string()),
                Just(":".to_string()), Just("\n".to_string()), "[0-9]{1,12}", "\\PC{1,6}",
            ],
            0..40,
        ),
        sep in prop_oneof![Just(" "), Just(""), Just(","), Just("-")],
    ) {
        let text = words.join(sep);
        let p = run(&text, None);
        prop_assert!(p.unparsed.len() <= text.len());
        prop_assert!(serde_json::to_string(&p).is_ok());
    }
}
