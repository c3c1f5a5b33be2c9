//! The audience of an area and the language each recipient gets.

use super::*;
use crate::place::testdata::place;
use crate::place::{Gazetteer, PlaceLevel};
use crate::registry::{ContactPreference, Hours};

fn gaz() -> Gazetteer {
    Gazetteer::new(vec![
        place("COD", "RDC", PlaceLevel::Country, None, None),
        place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("COD"), None),
        place("CD6111", "Rutshuru", PlaceLevel::Admin2, Some("CD61"), None),
        place(
            "CD6111-V1",
            "Kiwanja",
            PlaceLevel::Settlement,
            Some("CD6111"),
            None,
        ),
        place("CD6103", "Masisi", PlaceLevel::Admin2, Some("CD61"), None),
    ])
}

fn fp(id: &str, place: Option<&str>, language: &str, active: bool) -> FocalPoint {
    FocalPoint {
        id: id.into(),
        pseudonym: format!("FP-{id}"),
        name_sealed: "x".into(),
        phone_sealed: "y".into(),
        phone_digest: format!("d-{id}"),
        place: place.map(String::from),
        language: language.into(),
        active,
    }
}

fn network(id: &str, kind: ResponderKind, places: &[&str], consent: bool) -> Responder {
    Responder {
        id: id.into(),
        name: format!("Network {id}"),
        kind,
        places: places.iter().map(|p| p.to_string()).collect(),
        threat_types: vec![],
        hours: Hours::ALWAYS,
        phone: Some("+243990000001".into()),
        email: None,
        prefers: ContactPreference::Sms,
        community_consent: consent,
        active: true,
    }
}

fn texts(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(l, t)| (l.to_string(), t.to_string()))
        .collect()
}

#[test]
fn texts_are_checked_and_languages_normalised() {
    let (t, f) = check_texts(
        &texts(&[
            ("FR", "La base ferme."),
            ("sw-CD", "Kambi inafungwa."),
            ("en", "  "),
        ]),
        "fr",
    )
    .unwrap();
    assert_eq!(t.keys().collect::<Vec<_>>(), ["fr", "sw"]);
    assert_eq!(f, "fr");
    assert!(
        check_texts(&texts(&[("en", " ")]), "en").is_err(),
        "no text"
    );
    assert!(
        check_texts(&texts(&[("en", "x")]), "fr").is_err(),
        "fallback without text"
    );
    assert!(check_texts(&texts(&[("english", "x")]), "english").is_err());
}

#[test]
fn each_recipient_reads_its_language_or_the_fallback() {
    let t = texts(&[("fr", "a"), ("sw", "b"), ("en", "c")]);
    assert_eq!(language_for(&t, "fr", Some("sw")), "sw");
    assert_eq!(language_for(&t, "fr", Some("SW-cd")), "sw");
    assert_eq!(
        language_for(&t, "fr", Some("ln")),
        "fr",
        "Lingala has no text"
    );
    assert_eq!(language_for(&t, "fr", None), "fr");
}

#[test]
fn the_audience_is_the_area_and_the_places_inside_it() {
    let g = gaz();
    let fps = vec![
        fp("1", Some("CD6111-V1"), "sw", true),
        fp("2", Some("CD6111"), "fr", true),
        fp("3", Some("CD6103"), "sw", true),
        fp("4", Some("CD6111-V1"), "en", false),
        fp("5", None, "fr", true),
    ];
    let nets = vec![
        network(
            "lpc",
            ResponderKind::LocalProtectionCommittee,
            &["CD6111-V1"],
            true,
        ),
        network("can", ResponderKind::CommunityNetwork, &["CD6111"], true),
        network("armed", ResponderKind::CommunityNetwork, &["CD6111"], false),
        network("base", ResponderKind::MissionMilitary, &["CD6111"], true),
        network("masisi", ResponderKind::CommunityNetwork, &["CD6103"], true),
    ];
    let t = texts(&[("fr", "a"), ("sw", "b")]);
    let a = audience(&g, "CD6111", &fps, &nets, &t, "fr");
    let got: Vec<(&str, &str)> = a.iter().map(|m| (m.id(), m.language.as_str())).collect();
    assert_eq!(
        got,
        [("1", "sw"), ("2", "fr"), ("can", "fr"), ("lpc", "fr")],
        "inactive focal points, places outside, networks without consent and other kinds left out"
    );
    assert_eq!(a[0].label(), "FP-1");
    assert_eq!(audience(&g, "CD61", &fps, &nets, &t, "fr").len(), 6);
}

#[test]
fn delivery_is_counted_by_status() {
    use crate::outbox::MessageStatus::*;
    let mut d = Delivery::default();
    for s in [Queued, Sent, Sent, Delivered, Failed] {
        d.add(s);
    }
    assert_eq!(
        d,
        Delivery {
            queued: 1,
            sent: 2,
            delivered: 1,
            failed: 1
        }
    );
}
