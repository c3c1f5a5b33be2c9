//! The one validation every registry record passes, whatever brought it (a form, the API, a
//! CSV import): required fields, lengths, places that exist, a place hierarchy that stays a
//! tree, levels that never change under a place's feet, and focal points' pseudonyms that
//! name no place.

use std::collections::HashMap;

use crate::DomainError;
use crate::limits::{self, ID, NAME, PHONE, REASON};
use crate::place::{Gazetteer, Place, PlaceLevel};

use super::{FocalPoint, Responder, ThreatActor, pseudonym};

/// One registry record to save.
#[derive(Debug, Clone, PartialEq)]
pub enum RegistryRecord {
    /// A place.
    Place(Place),
    /// A threat actor.
    Actor(ThreatActor),
    /// A responder.
    Responder(Responder),
    /// A focal point (identity already sealed).
    FocalPoint(FocalPoint),
}

/// Ids, P-codes: letters, digits and `-_.` only, so they are safe in paths and lists.
fn identifier(field: &'static str, v: &str) -> Result<(), DomainError> {
    limits::check(field, v, ID)?;
    if v.trim().is_empty() {
        return Err(DomainError::Missing(field));
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(DomainError::invalid(
            field,
            format!("'{v}' may hold only letters, digits and - _ ."),
        ));
    }
    Ok(())
}

fn name(field: &'static str, v: &str) -> Result<(), DomainError> {
    limits::check(field, v, NAME)?;
    if v.trim().is_empty() {
        return Err(DomainError::Missing(field));
    }
    Ok(())
}

/// Check a batch of records against the places known and those the batch itself brings.
/// Returns the index of the first bad record with why.
pub fn check_records(
    records: &[RegistryRecord],
    gazetteer: &Gazetteer,
) -> Result<(), (usize, DomainError)> {
    // Parents as they will be once the batch is saved.
    let mut parent: HashMap<&str, Option<&str>> = gazetteer
        .places()
        .iter()
        .map(|p| (p.pcode.as_str(), p.parent.as_deref()))
        .collect();
    let mut level: HashMap<&str, PlaceLevel> = gazetteer
        .places()
        .iter()
        .map(|p| (p.pcode.as_str(), p.level))
        .collect();
    let mut batch_level: HashMap<&str, PlaceLevel> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let RegistryRecord::Place(p) = r {
            if let Some(old) = gazetteer.get(&p.pcode) {
                if old.level != p.level {
                    return Err((
                        i,
                        DomainError::invalid(
                            "level",
                            format!(
                                "{} is already a {}: a place does not change level",
                                p.pcode,
                                old.level.as_str()
                            ),
                        ),
                    ));
                }
            }
            if let Some(prev) = batch_level.insert(&p.pcode, p.level) {
                if prev != p.level {
                    return Err((
                        i,
                        DomainError::invalid(
                            "level",
                            format!("{} is given twice with two levels", p.pcode),
                        ),
                    ));
                }
            }
            parent.insert(&p.pcode, p.parent.as_deref());
            level.insert(&p.pcode, p.level);
        }
    }
    let known = |code: &str| parent.contains_key(code);
    let place_ref = |field: &'static str, code: &str| -> Result<(), DomainError> {
        if known(code) {
            Ok(())
        } else {
            Err(DomainError::invalid(
                field,
                format!("unknown place P-code '{code}'"),
            ))
        }
    };
    // Pseudonyms given in this batch, folded to lower case, with their focal point.
    let mut pseudonyms: HashMap<String, &str> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        let at = |e: DomainError| (i, e);
        match r {
            RegistryRecord::Place(p) => {
                identifier("pcode", &p.pcode).map_err(at)?;
                name("name", &p.name).map_err(at)?;
                limits::check_list("alt_names", &p.alt_names, NAME).map_err(at)?;
                limits::check("country", &p.country, 3).map_err(at)?;
                if p.lat.is_some_and(|v| !(-90.0..=90.0).contains(&v))
                    || p.lon.is_some_and(|v| !(-180.0..=180.0).contains(&v))
                {
                    return Err(at(DomainError::invalid("lat", "coordinates out of range")));
                }
                if let Some(up) = &p.parent {
                    place_ref("parent", up).map_err(at)?;
                    if let Some(l) = level.get(up.as_str()) {
                        // A camp inside a town is a settlement under a settlement.
                        let nested_settlement =
                            *l == PlaceLevel::Settlement && p.level == PlaceLevel::Settlement;
                        if *l >= p.level && !nested_settlement {
                            return Err(at(DomainError::invalid(
                                "parent",
                                format!(
                                    "{up} is a {} and cannot hold a {}",
                                    l.as_str(),
                                    p.level.as_str()
                                ),
                            )));
                        }
                    }
                    // Walk up: a chain that comes back to this place is a cycle.
                    let mut cur = Some(up.as_str());
                    let mut steps = 0;
                    while let Some(c) = cur {
                        if c == p.pcode || steps > 64 {
                            return Err(at(DomainError::invalid(
                                "parent",
                                format!("{} would become its own ancestor", p.pcode),
                            )));
                        }
                        cur = parent.get(c).copied().flatten();
                        steps += 1;
                    }
                }
            }
            RegistryRecord::Actor(a) => {
                identifier("id", &a.id).map_err(at)?;
                name("name", &a.name).map_err(at)?;
                limits::check_list("aliases", &a.aliases, NAME).map_err(at)?;
                limits::check_list("areas", &a.areas, ID).map_err(at)?;
                limits::check("notes", &a.notes, REASON).map_err(at)?;
                for c in &a.areas {
                    place_ref("areas", c).map_err(at)?;
                }
            }
            RegistryRecord::Responder(r) => {
                identifier("id", &r.id).map_err(at)?;
                name("name", &r.name).map_err(at)?;
                limits::check_list("places", &r.places, ID).map_err(at)?;
                limits::check_opt("phone", r.phone.as_deref(), PHONE).map_err(at)?;
                limits::check_opt("email", r.email.as_deref(), NAME).map_err(at)?;
                if r.email
                    .as_deref()
                    .is_some_and(|e| !e.is_empty() && !e.contains('@'))
                {
                    return Err(at(DomainError::invalid("email", "not an e-mail address")));
                }
                if r.hours.start >= 1440 || r.hours.end >= 1440 {
                    return Err(at(DomainError::invalid(
                        "hours",
                        "minutes of a day are 0–1439",
                    )));
                }
                for c in &r.places {
                    place_ref("places", c).map_err(at)?;
                }
            }
            RegistryRecord::FocalPoint(f) => {
                identifier("id", &f.id).map_err(at)?;
                name("pseudonym", &f.pseudonym).map_err(at)?;
                limits::check("pseudonym", &f.pseudonym, 64).map_err(at)?;
                // The focal point's own name is sealed here; the layer that seals it checks it.
                pseudonym::check_place(&f.pseudonym, gazetteer).map_err(|e| at(e.into()))?;
                let held = pseudonyms.insert(f.pseudonym.trim().to_lowercase(), &f.id);
                if held.is_some_and(|other| other != f.id) {
                    return Err(at(DomainError::invalid(
                        "pseudonym",
                        format!("'{}' is given to two focal points", f.pseudonym),
                    )));
                }
                limits::check("language", &f.language, 8).map_err(at)?;
                if let Some(c) = &f.place {
                    place_ref("place", c).map_err(at)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(code: &str, level: PlaceLevel, parent: Option<&str>) -> Place {
        Place {
            pcode: code.into(),
            name: code.into(),
            alt_names: vec![],
            level,
            parent: parent.map(Into::into),
            country: "COD".into(),
            lat: None,
            lon: None,
        }
    }

    fn gaz() -> Gazetteer {
        Gazetteer::new(vec![
            place("COD", PlaceLevel::Country, None),
            place("CD61", PlaceLevel::Admin1, Some("COD")),
            place("CD6111", PlaceLevel::Admin2, Some("CD61")),
        ])
    }

    #[test]
    fn a_place_keeps_its_level_and_the_tree_stays_a_tree() {
        let g = gaz();
        // Overwriting the territory with a village of the same code is refused.
        let r = [RegistryRecord::Place(place(
            "CD6111",
            PlaceLevel::Settlement,
            Some("CD61"),
        ))];
        assert!(matches!(
            check_records(&r, &g),
            Err((0, DomainError::Invalid { field: "level", .. }))
        ));
        // Making the province a child of its own territory is refused.
        let r = [RegistryRecord::Place(place(
            "CD61",
            PlaceLevel::Admin1,
            Some("CD6111"),
        ))];
        assert!(check_records(&r, &g).is_err());
        // A cycle made across one batch is refused too.
        let r = [
            RegistryRecord::Place(place("X1", PlaceLevel::Settlement, Some("X2"))),
            RegistryRecord::Place(place("X2", PlaceLevel::Settlement, Some("X1"))),
        ];
        assert!(check_records(&r, &g).is_err());
        let ok = [RegistryRecord::Place(place(
            "CD6111-V1",
            PlaceLevel::Settlement,
            Some("CD6111"),
        ))];
        assert_eq!(check_records(&ok, &g), Ok(()));
    }

    fn focal_point(id: &str, pseudonym: &str) -> FocalPoint {
        FocalPoint {
            id: id.into(),
            pseudonym: pseudonym.into(),
            name_sealed: "v1.x".into(),
            phone_sealed: "v1.y".into(),
            phone_digest: format!("d-{id}"),
            place: Some("CD6111".into()),
            language: "fr".into(),
            active: true,
        }
    }

    #[test]
    fn a_pseudonym_names_no_place_and_no_two_focal_points_share_one() {
        let mut places = gaz().places().to_vec();
        let mut v = place("CD6111-V1", PlaceLevel::Settlement, Some("CD6111"));
        v.name = "Kitshanga".into();
        v.alt_names = vec!["Kitchanga".into()];
        places.push(v);
        let g = Gazetteer::new(places);
        let ok = RegistryRecord::FocalPoint(focal_point("fp1", "FP-K7MNP"));
        for bad in ["FP-Kitshanga", "fp_kitchanga_2", "Kitshanga1"] {
            let r = [
                ok.clone(),
                RegistryRecord::FocalPoint(focal_point("fp2", bad)),
            ];
            let Err((1, DomainError::Invalid { field, reason })) = check_records(&r, &g) else {
                panic!("{bad} passed");
            };
            assert_eq!(field, "pseudonym");
            assert!(reason.contains("Kitshanga (CD6111-V1)"), "{reason}");
        }
        let twice = [
            ok.clone(),
            RegistryRecord::FocalPoint(focal_point("fp2", "fp-k7mnp")),
        ];
        assert!(matches!(
            check_records(&twice, &g),
            Err((
                1,
                DomainError::Invalid {
                    field: "pseudonym",
                    ..
                }
            ))
        ));
        let fine = [
            ok,
            RegistryRecord::FocalPoint(focal_point("fp2", "FP-Mzee-2")),
        ];
        assert_eq!(check_records(&fine, &g), Ok(()));
    }

    #[test]
    fn names_ids_and_lists_are_bounded() {
        let g = gaz();
        let mut p = place("CD6111-V1", PlaceLevel::Settlement, Some("CD6111"));
        p.name = "x".repeat(NAME + 1);
        assert!(matches!(
            check_records(&[RegistryRecord::Place(p.clone())], &g),
            Err((0, DomainError::TooLong { field: "name", .. }))
        ));
        p.name = "Kiwanja".into();
        p.alt_names = vec!["k".into(); limits::LIST + 1];
        assert!(check_records(&[RegistryRecord::Place(p.clone())], &g).is_err());
        p.alt_names.clear();
        p.pcode = "CD61/../x".into();
        assert!(check_records(&[RegistryRecord::Place(p)], &g).is_err());
    }
}
