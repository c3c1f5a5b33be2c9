//! The SMS grammar must take any text, with or without a sender's place and language.
#![no_main]

use std::sync::LazyLock;

use kinga_domain::place::{Gazetteer, Place, PlaceLevel};
use kinga_domain::sms::{ParseContext, fit, parse, segments};
use libfuzzer_sys::fuzz_target;

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

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| {
    Gazetteer::new(vec![
        place("COD", "RDC", PlaceLevel::Country, None),
        place("CD61", "Nord-Kivu", PlaceLevel::Admin1, Some("COD")),
        place("CD6111", "Rutshuru", PlaceLevel::Admin2, Some("CD61")),
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
            "CD6111-S003",
            "Kanyabayonga",
            PlaceLevel::Settlement,
            Some("CD6111"),
        ),
    ])
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let with_sender = data.first().is_some_and(|b| b & 1 == 1);
    let ctx = ParseContext {
        gazetteer: &GAZETTEER,
        default_place: with_sender.then_some("CD6111-S001"),
        default_language: with_sender.then_some("fr"),
    };
    let parsed = parse(&text, &ctx);
    assert!(parsed.unparsed.len() <= text.len());
    let max = usize::from(data.last().copied().unwrap_or(1) % 5);
    let fitted = fit(&text, max);
    assert!(max == 0 || segments(&fitted).segments <= max);
});
